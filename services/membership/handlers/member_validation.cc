// ValidateCreateMember: the field checks of a create request, without I/O.
#include "services/membership/handlers/member_validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/handlers/request_fields.h"

namespace grassroots::membership {
namespace {

constexpr size_t kMaxIntroducedByChars = 255;
constexpr size_t kMaxTransferredFromChars = 255;

// A required date of the entry, not after today and not before the birth date.
absl::StatusOr<absl::CivilDay> EntryDate(const std::string& text, const std::string& field, absl::CivilDay today,
                                         absl::CivilDay birth_date) {
  if (text.empty()) return common::InvalidField(field, "is required");
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, common::api::ParseDate(text, field));
  if (day > today) return common::InvalidField(field, "must not be in the future");
  if (day <= birth_date) return common::InvalidField(field, "must be after member.birth_date");
  return day;
}

absl::Status NotBefore(absl::CivilDay later, absl::CivilDay earlier, const std::string& later_field,
                       std::string_view earlier_field) {
  if (later < earlier) {
    return common::InvalidField(later_field, absl::StrCat("must not be before ", common::ToAbsl(earlier_field)));
  }
  return absl::OkStatus();
}

absl::Status FromProspect(const v1::ProspectEntry& in, const domain::Profile& profile, absl::CivilDay today,
                          NewMember& out) {
  GR_ASSIGN_OR_RETURN(out.cell_id, ParseOrgName(in.cell(), "prospect.cell"));
  domain::Event& event = out.first_event;
  GR_ASSIGN_OR_RETURN(event.introduced_by, common::api::NormalizeText(in.introduced_by(), "prospect.introduced_by",
                                                                       true, kMaxIntroducedByChars));
  GR_ASSIGN_OR_RETURN(event.effective_date,
                      EntryDate(in.introduced_on(), "prospect.introduced_on", today, profile.birth_date));
  event.kind = v1::EVENT_KIND_PROSPECT_INTRODUCED;
  event.cell_id = out.cell_id;
  event.status_after = v1::MEMBER_STATUS_PROSPECT;
  out.cell_day = event.effective_date;
  return absl::OkStatus();
}

absl::Status FromExisting(const v1::ExistingMemberEntry& in, const domain::Profile& profile, absl::CivilDay today,
                          NewMember& out) {
  GR_ASSIGN_OR_RETURN(out.cell_id, ParseOrgName(in.cell(), "existing.cell"));
  if (in.status() != v1::MEMBER_STATUS_PROBATIONARY && in.status() != v1::MEMBER_STATUS_OFFICIAL) {
    return common::InvalidField("existing.status", "must be MEMBER_STATUS_PROBATIONARY or MEMBER_STATUS_OFFICIAL");
  }
  GR_ASSIGN_OR_RETURN(const absl::CivilDay decided, EntryDate(in.admission_decision_date(),
                                                              "existing.admission_decision_date", today,
                                                              profile.birth_date));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay ceremony, EntryDate(in.admission_ceremony_date(),
                                                               "existing.admission_ceremony_date", today,
                                                               profile.birth_date));
  GR_RETURN_IF_ERROR(NotBefore(ceremony, decided, "existing.admission_ceremony_date",
                               "existing.admission_decision_date"));
  std::optional<absl::CivilDay> official;
  if (in.status() == v1::MEMBER_STATUS_OFFICIAL) {
    GR_ASSIGN_OR_RETURN(official, EntryDate(in.official_date(), "existing.official_date", today, profile.birth_date));
    GR_RETURN_IF_ERROR(NotBefore(*official, ceremony, "existing.official_date", "existing.admission_ceremony_date"));
  } else if (!in.official_date().empty()) {
    return common::InvalidField("existing.official_date", "must be empty unless status is MEMBER_STATUS_OFFICIAL");
  }
  // The record opens with the member already admitted and in this cell: the
  // status periods start on joined_cell_on.
  GR_ASSIGN_OR_RETURN(const absl::CivilDay joined,
                      EntryDate(in.joined_cell_on(), "existing.joined_cell_on", today, profile.birth_date));
  GR_RETURN_IF_ERROR(NotBefore(joined, ceremony, "existing.joined_cell_on", "existing.admission_ceremony_date"));
  GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(in.decision(), "existing.decision", false));

  domain::Event& event = out.first_event;
  GR_ASSIGN_OR_RETURN(event.transferred_from, common::api::NormalizeText(in.transferred_from(),
                                                                          "existing.transferred_from", false,
                                                                          kMaxTransferredFromChars));
  event.kind = event.transferred_from.empty() ? v1::EVENT_KIND_RECORD_OPENED : v1::EVENT_KIND_TRANSFERRED_IN;
  event.effective_date = joined;
  event.decision = std::move(decision);
  event.cell_id = out.cell_id;
  event.status_after = in.status();
  event.opened_status = in.status();
  event.opened_admission_decision_date = decided;
  event.opened_ceremony_date = ceremony;
  event.opened_official_date = official;
  out.cell_day = joined;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NewMember> ValidateCreateMember(const MemberValidation& with, const v1::CreateMemberRequest& request) {
  if (!request.has_member()) return common::InvalidField("member", "is required");
  const absl::CivilDay today = common::api::Today();
  NewMember out;
  GR_ASSIGN_OR_RETURN(out.profile, domain::ProfileFromMember(request.member(), "member", today));
  GR_ASSIGN_OR_RETURN(out.sensitive,
                      domain::SensitiveFromMember(request.member(), out.profile, "member", with.codes));

  switch (request.entry_case()) {
    case v1::CreateMemberRequest::kProspect:
      GR_RETURN_IF_ERROR(FromProspect(request.prospect(), out.profile, today, out));
      if (!request.party_card_number().empty()) {
        return common::InvalidField("party_card_number", "a prospect has no party card");
      }
      break;
    case v1::CreateMemberRequest::kExisting:
      GR_RETURN_IF_ERROR(FromExisting(request.existing(), out.profile, today, out));
      if (!request.party_card_number().empty()) {
        GR_RETURN_IF_ERROR(domain::ValidatePartyCardNumber(request.party_card_number(), "party_card_number"));
        out.party_card_number = request.party_card_number();
      }
      break;
    case v1::CreateMemberRequest::ENTRY_NOT_SET:
      return common::InvalidField("prospect", "one of prospect or existing is required");
  }

  // The lifecycle decides whether the record may open this way and fills the
  // event's derived fields, as it does for every later event.
  const domain::TransitionContext transition{with.rules, with.calendar, today, out.profile.birth_date,
                                             out.profile.general_education};
  GR_RETURN_IF_ERROR(domain::CheckAndComplete(domain::MemberState{}, out.first_event, transition));
  return out;
}

}  // namespace grassroots::membership
