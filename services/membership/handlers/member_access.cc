#include "services/membership/handlers/member_access.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/membership/handlers/event_conversions.h"

namespace grassroots::membership {
namespace {

using common::auth::Role;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1000000;
  int64_t nanos = (micros % 1000000) * 1000;
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1000000000;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(nanos));
  return out;
}


bool IsStaff(const common::auth::Principal& principal) {
  return principal.HasAnyRole({Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kService});
}

bool IsOwnRecord(const common::auth::Principal& principal, const domain::MemberRecord& member) {
  return principal.HasRole(Role::kMember) && principal.member_id && *principal.member_id == member.id;
}

// Whether the member's cell (and for reads the host cell of a temporary
// transfer) lies in the caller's scope, through `within`.
template <typename Within>
absl::StatusOr<bool> PlacedInScope(const common::auth::Principal& principal, const domain::MemberRecord& member,
                                   Access access, Within&& within) {
  if (principal.scope_org_id <= 0) return false;
  // A member to be placed has no cell: the cell that ended (still in the
  // projection, under its parent) decides who may act on them.
  const int64_t home_cell = member.state.cell_id > 0 ? member.state.cell_id
                                                     : member.state.awaiting_placement_from.value_or(0);
  if (home_cell > 0) {
    GR_ASSIGN_OR_RETURN(const bool home, within(principal.scope_org_id, home_cell));
    if (home) return true;
  }
  if (access == Access::kRead && member.state.host_cell_id) {
    GR_ASSIGN_OR_RETURN(const bool host, within(principal.scope_org_id, *member.state.host_cell_id));
    if (host) return true;
  }
  return false;
}

template <typename Within>
absl::Status CheckMemberAccess(const common::auth::Principal& principal, const domain::MemberRecord& member,
                               Access access, Within&& within) {
  // The member role reads only its own record; the one write a member may
  // make on it (RecordCommitment) is allowed by that method itself.
  if (access == Access::kRead && IsOwnRecord(principal, member)) return absl::OkStatus();
  bool readable = access == Access::kWrite && IsOwnRecord(principal, member);
  if (IsStaff(principal)) {
    GR_ASSIGN_OR_RETURN(const bool in_scope, PlacedInScope(principal, member, access, within));
    if (in_scope) return absl::OkStatus();
    if (access == Access::kWrite && !readable) {
      GR_ASSIGN_OR_RETURN(readable, PlacedInScope(principal, member, Access::kRead, within));
    }
  }
  // A record the caller may read but not change (its own, or one hosted in
  // its scope) exists for them: saying so reveals nothing.
  if (readable) {
    return common::Reasoned(absl::StatusCode::kPermissionDenied, "OUT_OF_SCOPE",
                            "the caller may read this member but not change it");
  }
  // Anything else answers exactly as a member id that does not exist.
  return common::ResourceNotFound(MemberName(member.id));
}

}  // namespace

absl::Status RequireMemberAccess(HandlerContext& ctx, const common::auth::Principal& principal,
                                 const domain::MemberRecord& member, Access access) {
  return CheckMemberAccess(principal, member, access, [&](int64_t ancestor, int64_t descendant) {
    return ctx.projection.IsWithinSubtree(ancestor, descendant);
  });
}

absl::Status RequireMemberAccess(HandlerContext& ctx, common::db::Session& session,
                                 const common::auth::Principal& principal, const domain::MemberRecord& member,
                                 Access access) {
  return CheckMemberAccess(principal, member, access, [&](int64_t ancestor, int64_t descendant) {
    return ctx.projection.IsWithinSubtree(session, ancestor, descendant);
  });
}

bool IsAccessRefusal(const absl::Status& status) {
  return absl::IsNotFound(status) || absl::IsPermissionDenied(status);
}

absl::Status RequireNotOwnRecord(const common::auth::Principal& principal, const domain::MemberRecord& member,
                                 std::string_view what) {
  if (!principal.member_id || *principal.member_id != member.id) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kPermissionDenied, "SELF_DEALING",
                          absl::StrCat("the caller may not ", common::ToAbsl(what),
                                       " their own member record: another officer of the cell records it"));
}

absl::Status RequireOrgInScope(HandlerContext& ctx, const common::auth::Principal& principal, int64_t org_id) {
  if (IsStaff(principal) || principal.HasRole(Role::kPortal)) {
    return ctx.authorizer.RequireInScope(principal, org_id, ctx.projection);
  }
  // A member acts only in their own cell; the token does not say which cell
  // that is, so it is read from their record.
  if (principal.HasRole(Role::kMember) && principal.member_id) {
    absl::StatusOr<domain::MemberRecord> own = ctx.pool.Read<domain::MemberRecord>(
        "membership.own_cell",
        [&](common::db::Session& session) { return ctx.members.Get(session, *principal.member_id); });
    if (own.ok() && own->state.cell_id == org_id) return absl::OkStatus();
    if (!own.ok() && !absl::IsNotFound(own.status())) return own.status();
  }
  return common::ResourceNotFound(OrgName(org_id));
}

bool MaySeeSensitive(const common::auth::Principal& principal, const domain::MemberRecord& member) {
  if (principal.HasAnyRole({Role::kAdmin, Role::kService})) return true;
  return IsOwnRecord(principal, member);
}

v1::PartyCard ToProto(int64_t member_id, const store::MemberStore::Card& card) {
  v1::PartyCard out;
  out.set_name(absl::StrCat(MemberName(member_id), "/cards/", card.id));
  out.set_number(card.number);
  out.set_issued_on(common::api::FormatDate(card.issued_on));
  out.set_reason(card.reason);
  out.set_current(card.current);
  return out;
}

absl::StatusOr<v1::MyRecord> ReadMyRecord(HandlerContext& ctx, common::db::Session& session, int64_t member_id,
                                          absl::CivilDay as_of) {
  GR_ASSIGN_OR_RETURN(const domain::MemberRecord record, ctx.members.Get(session, member_id));
  GR_ASSIGN_OR_RETURN(const std::vector<domain::Event> log, ctx.events.Log(session, member_id));
  GR_ASSIGN_OR_RETURN(const std::vector<store::MemberStore::Card> cards, ctx.members.ListCards(session, member_id));
  v1::MyRecord out;
  *out.mutable_member() = ToProto(ctx.codes, record, as_of, /*with_sensitive=*/true);
  for (const domain::Event& event : log) {
    if (event.voided || event.kind == v1::EVENT_KIND_VOIDED) continue;
    *out.add_events() = ToProto(event, member_id, /*with_actor=*/false);
  }
  for (const store::MemberStore::Card& card : cards) *out.add_cards() = ToProto(member_id, card);
  return out;
}

v1::Member ToProto(const domain::CodeLists& codes, const domain::MemberRecord& member, absl::CivilDay as_of,
                   bool with_sensitive) {
  v1::Member out;
  out.set_name(MemberName(member.id));
  const domain::Profile& p = member.profile;
  out.set_full_name(p.full_name);
  out.set_birth_name(p.birth_name);
  out.set_sex(p.sex);
  out.set_birth_date(common::api::FormatDate(p.birth_date));
  out.set_birth_place(p.birth_place);
  out.set_home_town(p.home_town);
  if (with_sensitive) {
    out.set_ethnicity(member.sensitive.ethnicity);
    out.set_religion(member.sensitive.religion);
    out.set_citizen_id(member.sensitive.citizen_id);
    out.set_ethnicity_name(codes.ethnicity.DisplayName(member.sensitive.ethnicity));
    out.set_religion_name(codes.religion.DisplayName(member.sensitive.religion));
  } else {
    // Always all three, so a redacted view does not tell which are on file.
    for (const char* field : {"citizen_id", "ethnicity", "religion"}) out.add_redacted_fields(field);
  }
  if (member.party_card_number) out.set_party_card_number(*member.party_card_number);
  out.set_occupation_category(p.occupation_category);
  out.set_occupation(p.occupation);
  out.set_general_education(p.general_education);
  out.set_professional_qualification(p.professional_qualification);
  out.set_professional_qualification_level(p.professional_qualification_level);
  out.set_political_theory_level(p.political_theory_level);
  out.set_permanent_address(p.permanent_address);
  out.set_current_address(p.current_address);
  out.set_phone(p.phone);
  out.set_email(p.email);
  if (p.external_id) out.set_external_id(*p.external_id);

  const domain::MemberState& s = member.state;
  out.set_status(s.status);
  if (s.cell_id > 0) out.set_cell(OrgName(s.cell_id));
  // A past view (as_of) carries the cell of that day; "to be placed" is a present fact.
  if (s.cell_id == 0 && s.awaiting_placement_from) {
    out.set_awaiting_placement_from(OrgName(*s.awaiting_placement_from));
  }
  if (s.host_cell_id) out.set_host_cell(OrgName(*s.host_cell_id));
  out.set_exempt(s.exempt);
  out.set_suspended(s.suspended);
  out.set_transfer_pending(s.transfer_pending);
  out.set_status_since(common::api::FormatDate(s.status_since));
  auto set_date = [](const std::optional<absl::CivilDay>& day, auto setter) {
    if (day) setter(common::api::FormatDate(*day));
  };
  set_date(s.admission_decision_date, [&](std::string v) { out.set_admission_decision_date(std::move(v)); });
  set_date(s.admission_ceremony_date, [&](std::string v) { out.set_admission_ceremony_date(std::move(v)); });
  set_date(s.probation_end_date, [&](std::string v) { out.set_probation_end_date(std::move(v)); });
  set_date(s.official_date, [&](std::string v) { out.set_official_date(std::move(v)); });
  out.set_as_of_date(common::api::FormatDate(as_of));
  *out.mutable_create_time() = ToTimestamp(member.create_time);
  *out.mutable_update_time() = ToTimestamp(member.update_time);
  out.set_etag(common::api::MakeEtag(member.version));
  return out;
}

namespace {

void SetDate(const std::optional<absl::CivilDay>& day, std::string* out) {
  if (day) *out = common::api::FormatDate(*day);
}

}  // namespace

v1::MemberFacts ToFacts(const domain::CodeLists& codes, const domain::MemberRecord& member,
                        const std::vector<domain::AttributePeriod>& attribute_periods) {
  v1::MemberFacts out;
  out.set_member(MemberName(member.id));
  const domain::Profile& p = member.profile;
  out.set_sex(p.sex);
  out.set_birth_year(static_cast<int32_t>(p.birth_date.year()));
  out.set_birth_month(p.birth_date.month());
  out.set_occupation_category(p.occupation_category);
  out.set_general_education(p.general_education);
  out.set_professional_qualification_level(p.professional_qualification_level);
  out.set_political_theory_level(p.political_theory_level);
  // Legacy free text not yet mapped to a code never leaves the service.
  if (codes.ethnicity.Contains(member.sensitive.ethnicity)) out.set_ethnicity_code(member.sensitive.ethnicity);
  if (codes.religion.Contains(member.sensitive.religion)) out.set_religion_code(member.sensitive.religion);
  const domain::MemberState& s = member.state;
  out.set_status(s.status);
  if (s.cell_id > 0) out.set_cell(OrgName(s.cell_id));
  if (s.host_cell_id) out.set_host_cell(OrgName(*s.host_cell_id));
  out.set_exempt(s.exempt);
  out.set_suspended(s.suspended);
  out.set_status_since(common::api::FormatDate(s.status_since));
  SetDate(s.admission_decision_date, out.mutable_admission_decision_date());
  SetDate(s.admission_ceremony_date, out.mutable_admission_ceremony_date());
  SetDate(s.probation_end_date, out.mutable_probation_end_date());
  SetDate(s.official_date, out.mutable_official_date());
  for (const domain::AttributePeriod& period : attribute_periods) {
    v1::AttributePeriod* row = out.add_attribute_periods();
    row->set_attribute(period.attribute);
    row->set_value(period.value);
    row->set_valid_from(common::api::FormatDate(period.valid_from));
    SetDate(period.valid_to, row->mutable_valid_to());
  }
  if (s.admission_decision_date) {
    if (std::optional<int32_t> at_admission = domain::AttributeOn(
            attribute_periods, v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, *s.admission_decision_date)) {
      out.set_occupation_category_at_admission(static_cast<v1::OccupationCategory>(*at_admission));
    }
  }
  return out;
}

v1::MemberPeriods ToPeriodsProto(int64_t member_id, const std::vector<domain::Period>& periods) {
  v1::MemberPeriods out;
  out.set_member(MemberName(member_id));
  for (const domain::Period& period : periods) {
    v1::StatusPeriod* row = out.add_periods();
    row->set_status(period.status);
    if (period.cell_id > 0) row->set_cell(OrgName(period.cell_id));
    if (period.host_cell_id) row->set_host_cell(OrgName(*period.host_cell_id));
    row->set_exempt(period.exempt);
    row->set_suspended(period.suspended);
    row->set_valid_from(common::api::FormatDate(period.valid_from));
    SetDate(period.valid_to, row->mutable_valid_to());
  }
  return out;
}

common::feed::ChangeRecord MemberChange(const v1::MemberFacts& facts, const domain::MemberRecord& member,
                                        std::string_view action, nlohmann::json audit_details) {
  if (!audit_details.is_object()) audit_details = nlohmann::json::object();
  if (!audit_details.contains("cell_id")) audit_details["cell_id"] = member.state.cell_id;
  if (!audit_details.contains("status")) audit_details["status"] = v1::MemberStatus_Name(member.state.status);
  common::feed::ChangeRecord record;
  record.resource_type = "member";
  record.resource_name = facts.member();
  record.action = std::string(action);
  record.resource = &facts;
  record.audit_details = std::move(audit_details);
  return record;
}

common::feed::ChangeRecord MemberPeriodsChange(const v1::MemberPeriods& view, int64_t member_id) {
  common::feed::ChangeRecord record;
  record.resource_type = "member_periods";
  record.resource_name = view.member();
  record.action = "replaced";
  record.resource = &view;
  record.audit_details = {{"member_id", member_id}, {"periods", view.periods_size()}};
  return record;
}

absl::Status RecordMemberChange(HandlerContext& ctx, common::db::Session& session,
                                const common::feed::WriteContext& write, const domain::MemberRecord& member,
                                std::string_view action, nlohmann::json audit_details) {
  GR_ASSIGN_OR_RETURN(const std::vector<domain::AttributePeriod> attributes,
                      ctx.members.AttributePeriods(session, member.id));
  const v1::MemberFacts facts = ToFacts(ctx.codes, member, attributes);
  return common::feed::RecordChange(session, write, MemberChange(facts, member, action, std::move(audit_details)));
}

absl::Status RecordMemberPeriods(common::db::Session& session, const common::feed::WriteContext& write,
                                 int64_t member_id, const std::vector<domain::Period>& periods) {
  const v1::MemberPeriods view = ToPeriodsProto(member_id, periods);
  return common::feed::RecordChange(session, write, MemberPeriodsChange(view, member_id));
}

}  // namespace grassroots::membership
