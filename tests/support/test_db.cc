#include "tests/support/test_db.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/server/service_host.h"
#include "common/status/status.h"

namespace grassroots::testing {
namespace {

using common::DbConfig;
using common::db::ConnectionPool;
using common::db::Session;

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::move(fallback);
}

std::string Quoted(const std::string& identifier) { return "`" + identifier + "`"; }

// Executes text statements on a short-lived single-connection pool.
absl::Status ExecuteOn(const DbConfig& config, const std::vector<std::string>& statements) {
  DbConfig one = config;
  one.pool_size = 1;
  auto pool = ConnectionPool::Create(one, nullptr);
  if (!pool.ok()) return pool.status();
  return (*pool)->Run("test_execute", [&](Session& session) -> absl::Status {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    for (const std::string& sql : statements) statement->execute(sql);
    return absl::OkStatus();
  });
}

std::string DatabaseName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  std::string clean;
  for (char c : prefix) {
    if (clean.size() >= 30) break;
    clean.push_back(std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_');
  }
  // GRASSROOTS_TEST_DB_NAME_PREFIX names a test's databases apart (the test
  // replica copies only those of its own tests: see tests/CMakeLists.txt).
  const char* first = std::getenv("GRASSROOTS_TEST_DB_NAME_PREFIX");
  return absl::StrCat(first != nullptr && *first != '\0' ? first : "t", "_", clean, "_", getpid(), "_",
                      counter.fetch_add(1));
}

}  // namespace

absl::StatusOr<DbConfig> TestDatabase::ServerConfig() {
  DbConfig config;
  config.pool_size = 8;
  config.acquire_timeout = std::chrono::milliseconds(5000);
  config.connect_timeout_seconds = 3;
  config.read_timeout_seconds = 60;
  config.write_timeout_seconds = 60;
  if (std::getenv("GRASSROOTS_TEST_DB_PORT") != nullptr) {
    config.host = EnvOr("GRASSROOTS_TEST_DB_HOST", "127.0.0.1");
    config.user = EnvOr("GRASSROOTS_TEST_DB_USER", "root");
    config.password = EnvOr("GRASSROOTS_TEST_DB_PASSWORD", "");
    if (!absl::SimpleAtoi(EnvOr("GRASSROOTS_TEST_DB_PORT", ""), &config.port)) {
      return absl::InvalidArgumentError("GRASSROOTS_TEST_DB_PORT is not a number");
    }
    return config;
  }
  const char* dir = std::getenv("GRASSROOTS_TEST_DB_DIR");
  if (dir == nullptr) {
    return absl::FailedPreconditionError(
        "no test database: set GRASSROOTS_TEST_DB_PORT (and _HOST/_USER/_PASSWORD) or GRASSROOTS_TEST_DB_DIR "
        "to a directory prepared by `scripts/mariadb.sh start <dir>` (ctest does this)");
  }
  std::ifstream port_file(absl::StrCat(dir, "/port"));
  std::string text;
  if (!port_file || !std::getline(port_file, text) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &config.port)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the test server port from ", dir, "/port; is `scripts/mariadb.sh start ", dir,
                     "` running?"));
  }
  config.host = "127.0.0.1";
  config.user = "root";
  config.password = "";
  return config;
}

absl::StatusOr<std::string> TestDatabase::ServerCaFile() {
  std::string path;
  if (std::getenv("GRASSROOTS_TEST_DB_PORT") != nullptr) {
    path = EnvOr("GRASSROOTS_TEST_DB_TLS_CA", "");
    if (path.empty()) return absl::FailedPreconditionError("GRASSROOTS_TEST_DB_TLS_CA is not set");
  } else {
    const char* dir = std::getenv("GRASSROOTS_TEST_DB_DIR");
    if (dir == nullptr) return absl::FailedPreconditionError("GRASSROOTS_TEST_DB_DIR is not set");
    path = absl::StrCat(dir, "/tls/ca.pem");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return absl::FailedPreconditionError(absl::StrCat("no CA file at ", path, " (scripts/mariadb.sh makes it)"));
  return path;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(
    std::string_view name_prefix, std::vector<const std::vector<common::db::Migration>*> migration_sets,
    int pool_size) {
  absl::StatusOr<DbConfig> server = ServerConfig();
  if (!server.ok()) return server.status();
  DbConfig config = *server;
  config.database = DatabaseName(name_prefix);
  config.pool_size = pool_size;
  const std::string seed = absl::StrCat(config.database, "_seed");
  // The shared server may be coming back (scripts/mariadb.sh restarts it in
  // about 1.5 s after it died of a signal): a test that starts then waits for it,
  // so a crash costs the tests it was serving, not every test started in the gap.
  // The statements can run again after a partial attempt.
  absl::Status created = common::RetryWhileUnavailable("the shared test database", std::chrono::seconds(30), [&] {
    return ExecuteOn(
        *server, {absl::StrCat("DROP DATABASE IF EXISTS ", Quoted(config.database)),
                  absl::StrCat("DROP DATABASE IF EXISTS ", Quoted(seed)),
                  absl::StrCat("CREATE DATABASE ", Quoted(config.database),
                               " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
                  absl::StrCat("CREATE DATABASE ", Quoted(seed), " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")});
  });
  if (!created.ok()) return created;
  auto pool = ConnectionPool::Create(config, nullptr);
  if (!pool.ok()) return pool.status();
  std::unique_ptr<TestDatabase> db(new TestDatabase(*server, config, *std::move(pool)));
  absl::Status migrated = common::db::ApplyMigrations(db->pool(), migration_sets);
  if (!migrated.ok()) return migrated;
  absl::Status snapshot = db->SnapshotSeedRows();
  if (!snapshot.ok()) return snapshot;
  return db;
}

TestDatabase::TestDatabase(DbConfig server, DbConfig config, std::unique_ptr<ConnectionPool> pool)
    : server_(std::move(server)), config_(std::move(config)), pool_(std::move(pool)) {}

TestDatabase::~TestDatabase() {
  pool_.reset();
  // Best effort: a failure here only leaves a database behind on a throwaway server.
  (void)ExecuteOn(server_, {absl::StrCat("DROP DATABASE IF EXISTS ", Quoted(config_.database)),
                            absl::StrCat("DROP DATABASE IF EXISTS ", Quoted(config_.database + "_seed"))});
}

absl::Status TestDatabase::SnapshotSeedRows() {
  const std::string seed = Quoted(config_.database + "_seed");
  return pool_->Run("test_snapshot_seed", [&](Session& session) -> absl::Status {
    tables_.clear();
    seeded_tables_.clear();
    {
      sql::PreparedStatement& list = session.Prepare(
          "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
          " AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> 'schema_migrations' ORDER BY TABLE_NAME");
      std::unique_ptr<sql::ResultSet> rs = session.Query(list);
      while (rs->next()) tables_.push_back(rs->getString(1));
    }
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    for (const std::string& table : tables_) {
      std::unique_ptr<sql::ResultSet> any(
          statement->executeQuery(absl::StrCat("SELECT 1 FROM ", Quoted(table), " LIMIT 1")));
      if (!any->next()) continue;
      std::vector<std::string> columns;
      {
        sql::PreparedStatement& list = session.Prepare(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
            " AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION");
        list.setString(1, table);
        std::unique_ptr<sql::ResultSet> rs = session.Query(list);
        while (rs->next()) columns.push_back(Quoted(std::string(rs->getString(1))));
      }
      const std::string column_list = absl::StrJoin(columns, ", ");
      statement->execute(absl::StrCat("CREATE TABLE ", seed, ".", Quoted(table), " AS SELECT ", column_list,
                                      " FROM ", Quoted(table)));
      seeded_tables_.push_back(table);
      seed_columns_.push_back(column_list);
    }
    return absl::OkStatus();
  });
}

absl::Status TestDatabase::TruncateAll() {
  const std::string seed = Quoted(config_.database + "_seed");
  return pool_->Run("test_truncate_all", [&](Session& session) -> absl::Status {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    statement->execute("SET FOREIGN_KEY_CHECKS = 0");
    // The pooled connection must not go back with checks off, even on failure.
    struct RestoreChecks {
      sql::Statement& statement;
      ~RestoreChecks() {
        try {
          statement.execute("SET FOREIGN_KEY_CHECKS = 1");
        } catch (const sql::SQLException&) {
        }
      }
    } restore{*statement};
    for (const std::string& table : tables_) statement->execute(absl::StrCat("TRUNCATE TABLE ", Quoted(table)));
    for (size_t i = 0; i < seeded_tables_.size(); ++i) {
      statement->execute(absl::StrCat("INSERT INTO ", Quoted(seeded_tables_[i]), " (", seed_columns_[i],
                                      ") SELECT ", seed_columns_[i], " FROM ", seed, ".",
                                      Quoted(seeded_tables_[i])));
    }
    return absl::OkStatus();
  });
}

absl::Status TestDatabase::Execute(const std::string& sql) { return ExecuteOn(config_, {sql}); }

absl::StatusOr<int64_t> TestDatabase::QueryInt(const std::string& sql) {
  DbConfig one = config_;
  one.pool_size = 1;
  auto pool = ConnectionPool::Create(one, nullptr);
  if (!pool.ok()) return pool.status();
  return (*pool)->Read<int64_t>("test_query_int", [&](Session& session) -> absl::StatusOr<int64_t> {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    std::unique_ptr<sql::ResultSet> rs(statement->executeQuery(sql));
    if (!rs->next() || rs->isNull(1)) return int64_t{0};
    return static_cast<int64_t>(rs->getInt64(1));
  });
}

absl::StatusOr<int64_t> AppendFeedChange(common::db::ConnectionPool& pool, const common::feed::ChangeRecord& change,
                                         const common::feed::WriteContext& context) {
  absl::StatusOr<int64_t> id = pool.Transact<int64_t>("test.append_change", [&](Session& session) -> absl::StatusOr<int64_t> {
    GR_RETURN_IF_ERROR(common::feed::RecordChange(session, context, change));
    return session.LastInsertId();  // the change_feed row, RecordChange's last insert
  });
  if (!id.ok()) return id.status();
  return pool.Read<int64_t>("test.change_sequence", [&](Session& session) -> absl::StatusOr<int64_t> {
    sql::PreparedStatement& read = session.Prepare("SELECT sequence FROM change_feed WHERE id = ?");
    read.setInt64(1, *id);
    std::unique_ptr<sql::ResultSet> rs = session.Query(read);
    if (!rs->next() || rs->isNull(1)) return absl::InternalError("the change was not numbered");
    return static_cast<int64_t>(rs->getInt64(1));
  });
}

}  // namespace grassroots::testing
