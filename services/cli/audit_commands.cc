#include "services/cli/audit_commands.h"

#include <fstream>
#include <ostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "common/db/db.h"
#include "common/feed/audit_chain.h"

namespace grassroots::cli {

int RunAuditVerify(const AuditVerifyOptions& options, Io& io) {
  common::DbConfig db = options.db;
  if (db.database.empty()) {
    io.err << "--db-database is required (the service's schema, e.g. grassroots_membership)" << std::endl;
    return kExitUsage;
  }
  const auto read_file = [&io](const std::string& flag, const std::string& path, std::string& out) {
    std::ifstream file(path);
    if (!file) {
      io.err << flag << ": cannot read " << path << std::endl;
      return false;
    }
    std::stringstream text;
    text << file.rdbuf();
    out = std::string(absl::StripTrailingAsciiWhitespace(text.str()));
    return true;
  };
  if (!db.password_file.empty() && !read_file("--db-password-file", db.password_file, db.password)) return kExitUsage;
  std::string key;
  if (!options.checkpoint_key_file.empty() && !read_file("--checkpoint-key-file", options.checkpoint_key_file, key)) {
    return kExitUsage;
  }
  db.pool_size = 1;
  db.startup_wait = std::chrono::milliseconds(0);
  absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool = common::db::ConnectionPool::Create(db, nullptr);
  if (!pool.ok()) {
    io.err << "cannot connect: " << pool.status().message() << std::endl;
    return kExitUsage;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<common::feed::AuditVerification> result =
      common::feed::VerifyAuditChain(**pool, key, options.page_size);
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
         << result->unchained_before << " older entries before the chain; " << seconds << " s" << std::endl;
  return kExitOk;
}

}  // namespace grassroots::cli
