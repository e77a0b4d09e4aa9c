#include "services/memberfacts/member_facts.h"

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::memberfacts {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace memberpb = grassroots::membership::v1;

// "" -> none; otherwise a date, INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(const std::string& text, std::string_view field) {
  if (text.empty()) return std::optional<absl::CivilDay>();
  GR_ASSIGN_OR_RETURN(const absl::CivilDay day, common::api::ParseDate(text, field));
  return std::optional<absl::CivilDay>(day);
}

// "" -> none; otherwise "organizations/{id}".
absl::StatusOr<std::optional<int64_t>> OptionalOrganization(const std::string& name, std::string_view field) {
  if (name.empty()) return std::optional<int64_t>();
  GR_ASSIGN_OR_RETURN(const int64_t id, common::api::ParseId(name, "organizations", field));
  return std::optional<int64_t>(id);
}

// The member a payload is about; it must be the entry's own resource.
absl::StatusOr<int64_t> MemberOf(const feedpb::Change& change, const std::string& member, std::string_view field) {
  GR_ASSIGN_OR_RETURN(const int64_t id, common::api::ParseId(member, "members", field));
  if (member != change.resource_name()) {
    return common::InvalidField(field, absl::StrCat("names another member than the entry (", change.resource_name(),
                                                    ")"));
  }
  return id;
}

template <typename Message>
absl::StatusOr<Message> Unpack(const feedpb::Change& change) {
  Message message;
  if (!change.resource().Is<Message>()) {
    return absl::InvalidArgumentError(absl::StrCat("resource is ", change.resource().type_url(), ", not ",
                                                   Message::descriptor()->full_name()));
  }
  if (!change.resource().UnpackTo(&message)) {
    return absl::InvalidArgumentError(absl::StrCat("unreadable ", Message::descriptor()->full_name()));
  }
  return message;
}

absl::StatusOr<memberpb::MemberStatus> KnownStatus(int value, std::string_view field) {
  if (!memberpb::MemberStatus_IsValid(value) || value == memberpb::MEMBER_STATUS_UNSPECIFIED) {
    return common::InvalidField(field, absl::StrCat("is not a member status (", value, ")"));
  }
  return static_cast<memberpb::MemberStatus>(value);
}

}  // namespace

absl::StatusOr<ProjectedMember> DecodeMemberFacts(const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::MemberFacts facts, Unpack<memberpb::MemberFacts>(change));
  ProjectedMember member;
  GR_ASSIGN_OR_RETURN(member.member_id, MemberOf(change, facts.member(), "member"));
  GR_ASSIGN_OR_RETURN(member.status, KnownStatus(facts.status(), "status"));
  GR_ASSIGN_OR_RETURN(member.cell_id, OptionalOrganization(facts.cell(), "cell"));
  GR_ASSIGN_OR_RETURN(member.host_cell_id, OptionalOrganization(facts.host_cell(), "host_cell"));
  member.exempt = facts.exempt();
  member.suspended = facts.suspended();
  GR_ASSIGN_OR_RETURN(member.status_since, OptionalDate(facts.status_since(), "status_since"));
  GR_ASSIGN_OR_RETURN(member.admission_decision_date,
                      OptionalDate(facts.admission_decision_date(), "admission_decision_date"));
  GR_ASSIGN_OR_RETURN(member.admission_ceremony_date,
                      OptionalDate(facts.admission_ceremony_date(), "admission_ceremony_date"));
  GR_ASSIGN_OR_RETURN(member.probation_end_date, OptionalDate(facts.probation_end_date(), "probation_end_date"));
  GR_ASSIGN_OR_RETURN(member.official_date, OptionalDate(facts.official_date(), "official_date"));
  member.occupation_category = facts.occupation_category();
  member.occupation_category_at_admission = facts.occupation_category_at_admission();
  return member;
}

absl::StatusOr<ProjectedPeriods> DecodeMemberPeriods(const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::MemberPeriods message, Unpack<memberpb::MemberPeriods>(change));
  ProjectedPeriods out;
  GR_ASSIGN_OR_RETURN(out.member_id, MemberOf(change, message.member(), "member"));
  for (int i = 0; i < message.periods_size(); ++i) {
    const memberpb::StatusPeriod& in = message.periods(i);
    const std::string field = absl::StrCat("periods[", i, "]");
    ProjectedPeriod period;
    GR_ASSIGN_OR_RETURN(period.status, KnownStatus(in.status(), absl::StrCat(field, ".status")));
    GR_ASSIGN_OR_RETURN(period.cell_id, OptionalOrganization(in.cell(), absl::StrCat(field, ".cell")));
    GR_ASSIGN_OR_RETURN(period.host_cell_id, OptionalOrganization(in.host_cell(), absl::StrCat(field, ".host_cell")));
    period.exempt = in.exempt();
    period.suspended = in.suspended();
    GR_ASSIGN_OR_RETURN(period.valid_from, common::api::ParseDate(in.valid_from(), absl::StrCat(field, ".valid_from")));
    GR_ASSIGN_OR_RETURN(period.valid_to, OptionalDate(in.valid_to(), absl::StrCat(field, ".valid_to")));
    if (period.valid_to && *period.valid_to <= period.valid_from) {
      return common::InvalidField(absl::StrCat(field, ".valid_to"), "must be after valid_from");
    }
    if (!out.periods.empty()) {
      const ProjectedPeriod& previous = out.periods.back();
      // Oldest first, one status per day: the previous period ends by this one's start.
      if (!previous.valid_to || *previous.valid_to > period.valid_from) {
        return common::InvalidField(absl::StrCat(field, ".valid_from"), "overlaps the period before it");
      }
    }
    out.periods.push_back(period);
  }
  return out;
}

}  // namespace grassroots::memberfacts
