#pragma once
// The member-facts library's tables (member facts, status periods, feed
// cursors), embedded from services/memberfacts/migrations. A service passes
// them to StartService after its own migrations.
#include <vector>

#include "common/db/db.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& MemberFactsMigrations();
}  // namespace grassroots::migrations

namespace grassroots::memberfacts {
using migrations::MemberFactsMigrations;
}  // namespace grassroots::memberfacts
