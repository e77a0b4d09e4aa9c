// Request validation: arbitrary bytes as a CreateMemberRequest (the first byte
// even) or an UpdateMemberRequest (odd), through the checks the membership
// handlers run before any I/O. Any input must yield OK or a status, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "common/api/api.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/code_lists.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/handlers/member_validation.h"
#include "tests/fuzz/member_inputs.h"
#include "services/membership/handlers/request_fields.h"

namespace {

namespace v1 = grassroots::membership::v1;
using grassroots::membership::MemberValidation;

using grassroots::fuzz::Loaded;

void CheckCreate(const uint8_t* data, size_t size) {
  v1::CreateMemberRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  const grassroots::fuzz::MemberInputs& fixed = Loaded();
  (void)grassroots::common::api::ValidateRequestId(request.request_id());
  auto fresh = grassroots::membership::ValidateCreateMember(MemberValidation{fixed.codes, fixed.rules, fixed.calendar},
                                                            request);
  // A request that passed must describe a placed member: the validation
  // promises a cell and a first event dated no later than today.
  if (fresh.ok() && (fresh->cell_id <= 0 || fresh->first_event.effective_date > grassroots::common::api::Today())) {
    std::abort();
  }
}

// UpdateMember validates the record as it would stand, whole (the handler
// merges the masked fields into the stored record first): the member's name,
// the mask paths and the profile and sensitive fields.
void CheckUpdate(const uint8_t* data, size_t size) {
  v1::UpdateMemberRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  const grassroots::fuzz::MemberInputs& fixed = Loaded();
  (void)grassroots::membership::ParseMemberName(request.member().name(), "member.name");
  static const std::set<std::string> kAllowed = {
      "full_name", "birth_name", "sex", "birth_date", "birth_place", "home_town", "ethnicity", "religion",
      "citizen_id", "occupation_category", "occupation", "general_education", "professional_qualification",
      "political_theory_level", "permanent_address", "current_address", "phone", "email", "external_id",
      "professional_qualification_level"};
  (void)grassroots::common::api::ValidateUpdateMask(request.update_mask(), kAllowed);
  (void)grassroots::membership::EffectiveDate(request.effective_date(), "effective_date");
  const absl::CivilDay today = grassroots::common::api::Today();
  auto profile = grassroots::membership::domain::ProfileFromMember(request.member(), "member", today);
  if (!profile.ok()) return;
  (void)grassroots::membership::domain::SensitiveFromMember(request.member(), *profile, "member", fixed.codes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    CheckCreate(data + 1, size - 1);
  } else {
    CheckUpdate(data + 1, size - 1);
  }
  return 0;
}
