#pragma once
// The code migration of legacy free text: ethnicity and religion stored as
// text before the code lists (data/codes) are mapped to codes where the text
// matches a code's name or alias (ignoring case, diacritics, spaces, hyphens
// and apostrophes); rows that match nothing are listed in member_code_unmapped
// (ListMemberAlerts, ALERT_KIND_UNMAPPED_CODE) and left as they are. Each
// member whose row changed gets a "member" feed entry. Idempotent: run at
// every start, it finds nothing left to do once the rows hold codes.
#include <cstdint>

#include "absl/status/statusor.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

struct CodeMigrationResult {
  int64_t members_mapped = 0;  // members with at least one field mapped
  int64_t fields_unmapped = 0;  // fields newly listed as unmapped
};

absl::StatusOr<CodeMigrationResult> MigrateLegacyCodes(HandlerContext& ctx);

}  // namespace grassroots::membership
