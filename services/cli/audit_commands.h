#pragma once
// `grassroots audit verify`: reads a service's audit log straight from its
// MariaDB schema and verifies the hash chain and its signed checkpoints
// (common/feed/audit_chain.h). Exit 0: intact; 1: tampered (the first bad
// entry is named); 2: usage or connection failure.
#include <string>

#include "common/config/config.h"
#include "services/cli/commands.h"

namespace grassroots::cli {

struct AuditVerifyOptions {
  common::DbConfig db;
  std::string checkpoint_key_file;  // empty: signatures not checked (links, hashes and anchors still are)
  int page_size = 20000;
};
int RunAuditVerify(const AuditVerifyOptions& options, Io& io);

}  // namespace grassroots::cli
