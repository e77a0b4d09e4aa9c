#include "services/cli/audit_commands.h"

#include <fstream>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "common/db/db.h"
#include "common/feed/audit_chain.h"

namespace grassroots::cli {

namespace {

bool ReadTextFile(Io& io, const std::string& flag, const std::string& path, std::string& out) {
  std::ifstream file(path);
  if (!file) {
    io.err << flag << ": cannot read " << path << std::endl;
    return false;
  }
  std::stringstream text;
  text << file.rdbuf();
  out = std::string(absl::StripTrailingAsciiWhitespace(text.str()));
  return true;
}

// One connection to the service's schema; null after printing why.
std::unique_ptr<common::db::ConnectionPool> Connect(common::DbConfig db, Io& io) {
  if (db.database.empty()) {
    io.err << "--db-database is required (the service's schema, e.g. grassroots_membership)" << std::endl;
    return nullptr;
  }
  if (!db.password_file.empty() && !ReadTextFile(io, "--db-password-file", db.password_file, db.password)) {
    return nullptr;
  }
  db.pool_size = 1;
  db.startup_wait = std::chrono::milliseconds(0);
  absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool = common::db::ConnectionPool::Create(db, nullptr);
  if (!pool.ok()) {
    io.err << "cannot connect: " << pool.status().message() << std::endl;
    return nullptr;
  }
  return *std::move(pool);
}

}  // namespace

void AddDatabaseFlags(CLI::App& command, common::DbConfig& db) {
  command.add_option("--db-host", db.host, "MariaDB host")->envname("GRASSROOTS_DB_HOST")->capture_default_str();
  command.add_option("--db-port", db.port, "MariaDB port")->envname("GRASSROOTS_DB_PORT")->capture_default_str();
  command.add_option("--db-user", db.user, "database user")->envname("GRASSROOTS_DB_USER")->capture_default_str();
  command.add_option("--db-password-file", db.password_file, "file holding the password")
      ->envname("GRASSROOTS_DB_PASSWORD_FILE");
  command.add_option("--db-database", db.database, "the service's schema, e.g. grassroots_membership")
      ->envname("GRASSROOTS_DB_DATABASE");
}

int RunRetention(const RetentionRunOptions& options, Io& io) {
  std::unique_ptr<common::db::ConnectionPool> pool = Connect(options.db, io);
  if (!pool) return kExitUsage;
  common::feed::RetentionPolicy policy = options.policy;
  if (options.keep_organizations_whole) policy.feed_types_kept_whole.insert("organization");
  absl::StatusOr<common::feed::RetentionResult> result = common::feed::ApplyRetention(*pool, policy);
  if (!result.ok()) {
    io.err << "retention failed: " << result.status().message() << std::endl;
    return kExitUsage;
  }
  io.out << "removed: " << result->idempotency_keys_removed << " idempotency keys, " << result->feed_entries_removed
         << " change-feed entries, " << result->audit_entries_removed << " audit entries" << std::endl;
  return kExitOk;
}

int RunAuditVerify(const AuditVerifyOptions& options, Io& io) {
  std::string key;
  if (!options.checkpoint_key_file.empty() &&
      !ReadTextFile(io, "--checkpoint-key-file", options.checkpoint_key_file, key)) {
    return kExitUsage;
  }
  std::unique_ptr<common::db::ConnectionPool> pool = Connect(options.db, io);
  if (!pool) return kExitUsage;
  const absl::Time start = absl::Now();
  absl::StatusOr<common::feed::AuditVerification> result =
      common::feed::VerifyAuditChain(*pool, key, options.page_size);
  if (!result.ok()) {
    io.err << "verification failed to run: " << result.status().message() << std::endl;
    return kExitUsage;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (result->first_bad_entry) {
    io.out << "TAMPERED: first bad entry " << *result->first_bad_entry << " (" << result->problem << ")" << std::endl;
    return kExitRpcError;
  }
  io.out << "OK: " << result->entries_checked << " entries chained, " << result->checkpoints_checked
         << " checkpoints" << (key.empty() ? " (signatures not checked: no --checkpoint-key-file)" : "") << ", "
         << result->unchained_before << " older entries before the chain, " << result->awaiting_link
         << " committed entries not linked yet; " << seconds << " s" << std::endl;
  return kExitOk;
}

}  // namespace grassroots::cli
