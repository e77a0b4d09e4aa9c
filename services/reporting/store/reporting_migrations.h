#pragma once
// The read model's schema (store/migrations), embedded by grassroots_embed_migrations.
// The service runs them before the org-tree and member-facts libraries' own.
#include <vector>

#include "common/db/db.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& ReportingMigrations();
}  // namespace grassroots::migrations
