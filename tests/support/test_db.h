#pragma once
// Throwaway databases on the test MariaDB server for integration tests.
//
// Where the server is: GRASSROOTS_TEST_DB_HOST / _PORT / _USER / _PASSWORD when
// GRASSROOTS_TEST_DB_PORT is set; otherwise 127.0.0.1, root, no password and
// the port written by `scripts/mariadb.sh start <dir>` to
// $GRASSROOTS_TEST_DB_DIR/port (ctest sets that variable).
//
// Usage:
//   auto db = TestDatabase::Create("feed", {&db::CommonMigrations()});
//   ASSERT_TRUE(db.ok()) << db.status();
//   (*db)->pool().RunInTransaction(...);
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/feed/feed.h"

namespace grassroots::testing {

class TestDatabase {
 public:
  // Connection settings of the test server with no database selected.
  static absl::StatusOr<common::DbConfig> ServerConfig();
  // The CA that signed the test server's TLS certificate (scripts/mariadb.sh
  // makes it; GRASSROOTS_TEST_DB_TLS_CA with an explicit server).
  static absl::StatusOr<std::string> ServerCaFile();

  // Creates a fresh database named "t_<prefix>_<pid>_<n>" (dropped first if it
  // exists), applies the migration sets with the production migrator and
  // returns it with a pool of pool_size connections. The database is dropped
  // when the object is destroyed.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(
      std::string_view name_prefix, std::vector<const std::vector<common::db::Migration>*> migration_sets,
      int pool_size = 8);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  common::db::ConnectionPool& pool() { return *pool_; }
  // Settings of this database (database set), e.g. to build a second pool.
  const common::DbConfig& config() const { return config_; }
  const std::string& name() const { return config_.database; }

  // Empties every table except schema_migrations and restores the rows the
  // migrations inserted (e.g. the feed_head row). How: right after migrating,
  // Create copies every non-empty table into a sibling "<name>_seed" database;
  // TruncateAll TRUNCATEs all tables (FOREIGN_KEY_CHECKS=0, which also resets
  // AUTO_INCREMENT) and copies the seed rows back. The pool and its cached
  // statements stay usable.
  absl::Status TruncateAll();

  // Runs one arbitrary SQL statement on this database on a fresh connection
  // outside the pool (for tests that break things, e.g. KILL or DROP).
  absl::Status Execute(const std::string& sql);
  // Runs a query whose first column of the first row is an integer; 0 when no row.
  absl::StatusOr<int64_t> QueryInt(const std::string& sql);

 private:
  TestDatabase(common::DbConfig server, common::DbConfig config, std::unique_ptr<common::db::ConnectionPool> pool);
  absl::Status SnapshotSeedRows();

  common::DbConfig server_;  // no database selected
  common::DbConfig config_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::vector<std::string> tables_;       // all tables except schema_migrations
  std::vector<std::string> seeded_tables_;
  std::vector<std::string> seed_columns_;  // per seeded table: non-generated columns
};

// Records `change` through the feed's own writer in a transaction of its own
// (as a producer would) and returns the sequence the sequencer gave it.
absl::StatusOr<int64_t> AppendFeedChange(common::db::ConnectionPool& pool, const common::feed::ChangeRecord& change,
                                         const common::feed::WriteContext& context = {"test", "raw"});

}  // namespace grassroots::testing
