#pragma once
// The field validation of a CreateMemberRequest, without I/O: what the
// CreateMember handler and the bulk import check before they touch the database.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/code_lists.h"
#include "services/membership/domain/lifecycle.h"
#include "services/membership/domain/member.h"

namespace grassroots::membership {

// A validated CreateMemberRequest (ValidateCreateMember).
struct NewMember {
  domain::Profile profile;
  domain::SensitiveFields sensitive;
  std::optional<std::string> party_card_number;
  domain::Event first_event;        // PROSPECT_INTRODUCED or RECORD_OPENED
  int64_t cell_id = 0;
  absl::CivilDay cell_day;          // the day the cell must be active
  std::optional<std::string> import_fingerprint;
};

// What the validation reads: the code lists (ethnicity, religion), the
// versioned rules and the working calendar of the lifecycle check.
struct MemberValidation {
  const domain::CodeLists& codes;
  const common::RulesRegistry& rules;
  const common::WorkingCalendar& calendar;
};

// Names NFC, CCCD agreement, dates, enums, entry. INVALID_ARGUMENT naming the
// field ("member.citizen_id", ...).
absl::StatusOr<NewMember> ValidateCreateMember(const MemberValidation& with, const v1::CreateMemberRequest& request);

}  // namespace grassroots::membership
