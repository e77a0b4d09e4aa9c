#pragma once
// The code migration of legacy free text: ethnicity and religion stored as
// text before the code lists (data/codes) are mapped to codes where the text
// matches a code's name or alias (ignoring case, diacritics, spaces, hyphens
// and apostrophes); rows that match nothing are listed in member_code_unmapped
// (ListMemberAlerts, ALERT_KIND_UNMAPPED_CODE) and left as they are. Each
// member whose row changed gets a "member" feed entry. Idempotent. Run at
// every start, it scans member_sensitive only until one run against the same
// code lists has completed (code_migration_runs): writes are checked against
// the lists, so no new legacy text appears after it.
#include <cstdint>

#include "absl/status/statusor.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

struct CodeMigrationResult {
  int64_t members_mapped = 0;  // members with at least one field mapped
  int64_t fields_unmapped = 0;  // fields newly listed as unmapped
  bool skipped = false;  // a run against the same code lists had completed: no scan
};

absl::StatusOr<CodeMigrationResult> MigrateLegacyCodes(HandlerContext& ctx);

}  // namespace grassroots::membership
