// scripts/bench.sh audit: how long verifying the audit chain takes. Writes
// --entries chained audit entries (realistic sizes: actor, action, member
// resource, request id, small JSON details, purpose) into a fresh schema in
// bulk, then times VerifyAuditChain, the engine of `grassroots audit verify`.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <cppconn/driver.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/feed/audit_chain.h"
#include "common/log/log.h"

namespace {

using namespace grassroots;

struct Options {
  std::string db_host = "127.0.0.1";
  int db_port = 3306;
  std::string db_user = "root";
  std::string db_password;
  std::string database = "grassroots_audit_bench";
  int64_t entries = 1000000;
  int page_size = 20000;
  int runs = 3;
};

int Run(const Options& options) {
  common::log::Init("audit-bench", common::log::Level::kError);
  try {
    sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
    std::unique_ptr<sql::Connection> admin(driver->connect(
        absl::StrCat("tcp://", options.db_host, ":", options.db_port), options.db_user, options.db_password));
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", options.database, "`"));
    statement->execute(absl::StrCat("CREATE DATABASE `", options.database, "` CHARACTER SET utf8mb4"));
  } catch (const sql::SQLException& e) {
    std::cerr << "cannot create the database: " << e.what() << std::endl;
    return 1;
  }
  common::DbConfig db;
  db.host = options.db_host;
  db.port = options.db_port;
  db.user = options.db_user;
  db.password = options.db_password;
  db.database = options.database;
  db.pool_size = 2;
  db.read_timeout_seconds = 600;
  db.statement_timeout_seconds = 0;
  auto pool = common::db::ConnectionPool::Create(db, nullptr);
  if (!pool.ok()) {
    std::cerr << "pool: " << pool.status() << std::endl;
    return 1;
  }
  if (absl::Status s = common::db::ApplyMigrations(**pool, {&common::db::CommonMigrations()}); !s.ok()) {
    std::cerr << "migrations: " << s << std::endl;
    return 1;
  }

  // Bulk load: 1000 rows a statement, linked here exactly as the sequencer links them.
  const absl::Time load_start = absl::Now();
  std::string prev(32, '\0');
  constexpr int kRowsPerInsert = 1000;
  for (int64_t done = 0; done < options.entries;) {
    const int64_t n = std::min<int64_t>(kRowsPerInsert, options.entries - done);
    std::vector<std::string> rows;
    rows.reserve(n);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = done + i;
      const std::string occurred_at = absl::StrCat("2026-12-05 10:", k / 60000 % 60 < 10 ? "0" : "",
                                                   k / 60000 % 60, ":", k / 1000 % 60 < 10 ? "0" : "",
                                                   k / 1000 % 60, ".", 100000 + k % 1000 * 100);
      common::feed::AuditFields fields{absl::StrCat("user-", k % 997, "@example.org"), "member.read",
                                       absl::StrCat("members/", 1 + k % 100000), absl::StrCat("req-", k),
                                       "{\"via\":\"GetMember\"}", "case-review"};
      const std::string hash = common::feed::AuditEntryHash(prev, occurred_at, fields);
      rows.push_back(absl::StrCat("(", k + 1, ",'", occurred_at, "','", fields.actor, "','", fields.action, "','",
                                  fields.resource_name, "','", fields.request_id, "','", fields.details, "','",
                                  fields.purpose, "',UNHEX('", absl::BytesToHexString(prev), "'),UNHEX('",
                                  absl::BytesToHexString(hash), "'))"));
      prev = hash;
    }
    absl::Status inserted = (*pool)->Run("bench.load", [&](common::db::Session& session) -> absl::Status {
      std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
      statement->execute(absl::StrCat(
          "INSERT INTO audit_log (chain_position, occurred_at, actor, action, resource_name, request_id, details, "
          "purpose, prev_hash, entry_hash) VALUES ",
          absl::StrJoin(rows, ",")));
      return absl::OkStatus();
    });
    if (!inserted.ok()) {
      std::cerr << "load: " << inserted << std::endl;
      return 1;
    }
    done += n;
  }
  std::cout << "loaded " << options.entries << " chained entries in "
            << absl::ToDoubleSeconds(absl::Now() - load_start) << " s" << std::endl;

  for (int run = 1; run <= options.runs; ++run) {
    const absl::Time start = absl::Now();
    absl::StatusOr<common::feed::AuditVerification> result =
        common::feed::VerifyAuditChain(**pool, "", options.page_size);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (!result.ok() || result->first_bad_entry || result->entries_checked != options.entries) {
      std::cerr << "verification did not pass: "
                << (result.ok() ? result->problem : result.status().ToString()) << std::endl;
      return 1;
    }
    std::cout << "verify run " << run << ": " << result->entries_checked << " entries in " << seconds << " s ("
              << static_cast<int64_t>(static_cast<double>(result->entries_checked) / seconds) << " entries/s)"
              << std::endl;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"audit chain verification benchmark"};
  app.add_option("--db-host", options.db_host)->envname("GRASSROOTS_TEST_DB_HOST");
  app.add_option("--db-port", options.db_port)->envname("GRASSROOTS_TEST_DB_PORT");
  app.add_option("--db-user", options.db_user)->envname("GRASSROOTS_TEST_DB_USER");
  app.add_option("--db-password", options.db_password)->envname("GRASSROOTS_TEST_DB_PASSWORD");
  app.add_option("--database", options.database);
  app.add_option("--entries", options.entries, "chained entries to write and verify")->capture_default_str();
  app.add_option("--page-size", options.page_size, "entries per query")->capture_default_str();
  app.add_option("--runs", options.runs, "verification runs")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return Run(options);
}
