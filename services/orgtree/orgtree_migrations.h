#pragma once
// The org-tree library's tables (projection, closure, feed cursors), embedded
// from services/orgtree/migrations. A service passes them to StartService
// AFTER its own migrations (membership's first migration created the same
// tables before the library existed).
#include <vector>

#include "common/db/db.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgTreeMigrations();
}  // namespace grassroots::migrations
