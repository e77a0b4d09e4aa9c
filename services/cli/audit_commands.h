#pragma once
// Commands that work on a service's MariaDB schema directly (not through its API):
// `grassroots audit verify` verifies the audit log's hash chain and its signed
// checkpoints (common/feed/audit_chain.h). Exit 0: intact; 1: tampered (the
// first bad entry is named); 2: usage or connection failure.
// `grassroots retention run` applies the retention once (common/feed/retention.h,
// docs/retention.md), as the services' background job does. Exit 0: done, with
// the rows removed per table; 2: usage, connection or database failure.
#include <string>

#include "common/config/config.h"
#include "common/feed/retention.h"
#include "services/cli/commands.h"

namespace CLI { class App; }

namespace grassroots::cli {

// --db-host, --db-port, --db-user, --db-password-file, --db-database (with the
// services' GRASSROOTS_DB_* environment variables).
void AddDatabaseFlags(CLI::App& command, common::DbConfig& db);

struct AuditVerifyOptions {
  common::DbConfig db;
  std::string checkpoint_key_file;  // empty: signatures not checked (links, hashes and anchors still are)
  int page_size = 20000;
};
int RunAuditVerify(const AuditVerifyOptions& options, Io& io);

struct RetentionRunOptions {
  common::DbConfig db;
  common::feed::RetentionPolicy policy;  // the services' defaults unless given
  bool keep_organizations_whole = false;  // org's schema: its "organization" entries are never compacted
};
int RunRetention(const RetentionRunOptions& options, Io& io);

}  // namespace grassroots::cli
