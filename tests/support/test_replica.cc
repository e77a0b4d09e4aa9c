#include "tests/support/test_replica.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/db/db.h"
#include "tests/support/test_db.h"

namespace grassroots::testing {
namespace {

using common::DbConfig;
using common::db::ConnectionPool;
using common::db::Session;

// Runs one text statement on a short-lived single-connection pool; the first
// column of its first row as text ("" when it returns none).
absl::StatusOr<std::string> QueryText(const DbConfig& server, const std::string& sql) {
  DbConfig one = server;
  one.pool_size = 1;
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(one, nullptr);
  if (!pool.ok()) return pool.status();
  return (*pool)->Read<std::string>("test_replica", [&](Session& session) -> absl::StatusOr<std::string> {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    if (!statement->execute(sql)) return std::string();
    std::unique_ptr<sql::ResultSet> rs(statement->getResultSet());
    if (!rs->next() || rs->isNull(1)) return std::string();
    return std::string(rs->getString(1));
  });
}

absl::Status ExecuteOnReplica(const std::string& sql) {
  absl::StatusOr<DbConfig> replica = TestReplica::ServerConfig();
  if (!replica.ok()) return replica.status();
  return QueryText(*replica, sql).status();
}

}  // namespace

absl::StatusOr<DbConfig> TestReplica::ServerConfig() {
  absl::StatusOr<DbConfig> config = TestDatabase::ServerConfig();
  if (!config.ok()) return config.status();
  const char* dir = std::getenv("GRASSROOTS_TEST_DB_REPLICA_DIR");
  if (dir == nullptr) {
    return absl::FailedPreconditionError(
        "no test replica: set GRASSROOTS_TEST_DB_REPLICA_DIR to a directory prepared by `scripts/mariadb.sh "
        "start-replica <dir> --primary <primary-dir>` (ctest does this for grassroots_replica_integration_test)");
  }
  std::ifstream port_file(absl::StrCat(dir, "/port"));
  std::string text;
  if (!port_file || !std::getline(port_file, text) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &config->port)) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read the replica's port from ", dir, "/port"));
  }
  config->host = "127.0.0.1";
  return config;
}

absl::StatusOr<common::ReadReplicaConfig> TestReplica::ReadConfig(std::chrono::milliseconds wait) {
  absl::StatusOr<DbConfig> server = ServerConfig();
  if (!server.ok()) return server.status();
  common::ReadReplicaConfig config;
  config.host = server->host;
  config.port = server->port;
  config.wait = wait;
  return config;
}

absl::Status TestReplica::StopApplying() { return ExecuteOnReplica("STOP SLAVE SQL_THREAD"); }

absl::Status TestReplica::ResumeApplying() { return ExecuteOnReplica("START SLAVE SQL_THREAD"); }

absl::Status TestReplica::WaitUntilCaughtUp(std::chrono::seconds timeout) {
  absl::StatusOr<DbConfig> primary = TestDatabase::ServerConfig();
  if (!primary.ok()) return primary.status();
  absl::StatusOr<std::string> position = QueryText(*primary, "SELECT @@gtid_binlog_pos");
  if (!position.ok()) return position.status();
  absl::StatusOr<DbConfig> replica = ServerConfig();
  if (!replica.ok()) return replica.status();
  // The read timeout must outlast the wait.
  replica->read_timeout_seconds = static_cast<int>(timeout.count()) + 10;
  replica->statement_timeout_seconds = 0;
  absl::StatusOr<std::string> waited = QueryText(
      *replica, absl::StrCat("SELECT MASTER_GTID_WAIT('", *position, "', ", timeout.count(), ")"));
  if (!waited.ok()) return waited.status();
  if (*waited != "0") {
    return absl::DeadlineExceededError(
        absl::StrCat("the replica did not reach the primary's position ", *position, " within ", timeout.count(), " s"));
  }
  return absl::OkStatus();
}

}  // namespace grassroots::testing
