// Membership's databases created their org-tree tables in membership's own
// first migration, before the org-tree library existed. The library's
// migrations must leave those tables as a new service gets them, and must
// apply cleanly on top of an existing membership database.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <cppconn/resultset.h>

#include "common/db/db.h"
#include "services/orgtree/orgtree_migrations.h"
#include "tests/support/test_db.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& MembershipMigrations();
}  // namespace grassroots::migrations

namespace grassroots::membership {
namespace {

using grassroots::testing::TestDatabase;

std::string ShowCreate(TestDatabase& db, const std::string& table) {
  absl::StatusOr<std::string> text =
      db.pool().Read<std::string>("test.show_create", [&](common::db::Session& s) -> absl::StatusOr<std::string> {
        std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare("SHOW CREATE TABLE " + table));
        if (!rs->next()) return absl::NotFoundError(table);
        return std::string(rs->getString(2));
      });
  EXPECT_TRUE(text.ok()) << text.status();
  return text.value_or("");
}

TEST(OrgTreeSchemaTest, AnExistingMembershipDatabaseUpgradesToTheLibrarysTablesKeepingItsRows) {
  auto existing = TestDatabase::Create("tree_existing",
                                       {&common::db::CommonMigrations(), &migrations::MembershipMigrations()}, 2);
  ASSERT_TRUE(existing.ok()) << existing.status();
  TestDatabase& membership = **existing;
  ASSERT_TRUE(membership.pool()
                  .Run("test.seed",
                       [](common::db::Session& s) {
                         s.Prepare("INSERT INTO feed_cursors (source, last_sequence) VALUES ('org', 42)").executeUpdate();
                         s.Prepare("INSERT INTO org_projection (org_id, code, display_name, type_code, is_cell, "
                                   "is_grassroots, state, established_on, source_sequence) "
                                   "VALUES (1, 'T', 'Tỉnh', 'DANG_BO_TINH', 0, 0, 1, '2000-01-01', 1)")
                             .executeUpdate();
                         return absl::OkStatus();
                       })
                  .ok());

  // As membership's main.cc passes them: the library's after membership's own.
  const absl::Status upgraded = common::db::ApplyMigrations(
      membership.pool(),
      {&common::db::CommonMigrations(), &migrations::MembershipMigrations(), &migrations::OrgTreeMigrations()});
  ASSERT_TRUE(upgraded.ok()) << upgraded;
  EXPECT_EQ(membership.QueryInt("SELECT last_sequence FROM feed_cursors WHERE source = 'org' AND epoch IS NULL")
                .value_or(-1),
            42)
      << "the cursor stays; the follower adopts the feed's epoch";
  EXPECT_EQ(membership.QueryInt("SELECT COUNT(*) FROM org_projection").value_or(-1), 1);
  EXPECT_EQ(membership.QueryInt("SELECT COUNT(*) FROM schema_migrations WHERE component = 'membership'").value_or(-1),
            static_cast<int64_t>(migrations::MembershipMigrations().size()));

  // A new service gets the same tables from the library alone.
  auto fresh = TestDatabase::Create("tree_fresh", {&common::db::CommonMigrations(), &migrations::OrgTreeMigrations()}, 2);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  for (const std::string table : {"org_projection", "org_closure", "feed_cursors"}) {
    EXPECT_EQ(ShowCreate(membership, table), ShowCreate(**fresh, table)) << table;
  }
}

}  // namespace
}  // namespace grassroots::membership
