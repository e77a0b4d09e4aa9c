#include "services/org/handlers/conversions.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::org {
namespace {

constexpr size_t kMaxDecisionText = 255;

// Splits "a/1/b/2/..." and checks each collection segment and positive id.
absl::StatusOr<std::vector<int64_t>> ParsePath(std::string_view name, std::string_view field,
                                               std::initializer_list<std::string_view> collections) {
  const std::string text(name);
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  const std::string expected = [&] {
    std::string shape;
    for (std::string_view c : collections) absl::StrAppend(&shape, shape.empty() ? "" : "/", std::string(c), "/{id}");
    return shape;
  }();
  if (name.empty()) return common::InvalidField(field, absl::StrCat("is required (", expected, ")"));
  if (parts.size() != collections.size() * 2) {
    return common::InvalidField(field, absl::StrCat("must look like ", expected));
  }
  std::vector<int64_t> ids;
  size_t i = 0;
  for (std::string_view collection : collections) {
    int64_t id = 0;
    if (parts[i] != collection || !absl::SimpleAtoi(parts[i + 1], &id) || id <= 0) {
      return common::InvalidField(field, absl::StrCat("must look like ", expected));
    }
    ids.push_back(id);
    i += 2;
  }
  return ids;
}

v1::OrganizationEventKind ToProto(domain::OrgEventKind kind) {
  using K = domain::OrgEventKind;
  switch (kind) {
    case K::kCreated: return v1::ORGANIZATION_EVENT_KIND_CREATED;
    case K::kRenamed: return v1::ORGANIZATION_EVENT_KIND_RENAMED;
    case K::kMoved: return v1::ORGANIZATION_EVENT_KIND_MOVED;
    case K::kMerged: return v1::ORGANIZATION_EVENT_KIND_MERGED;
    case K::kAbsorbed: return v1::ORGANIZATION_EVENT_KIND_ABSORBED;
    case K::kSplit: return v1::ORGANIZATION_EVENT_KIND_SPLIT;
    case K::kCreatedBySplit: return v1::ORGANIZATION_EVENT_KIND_CREATED_BY_SPLIT;
    case K::kDissolved: return v1::ORGANIZATION_EVENT_KIND_DISSOLVED;
    case K::kHandedOver: return v1::ORGANIZATION_EVENT_KIND_HANDED_OVER;
    case K::kSectorChanged: return v1::ORGANIZATION_EVENT_KIND_SECTOR_CHANGED;
    case K::kAttributesUpdated: return v1::ORGANIZATION_EVENT_KIND_ATTRIBUTES_UPDATED;
    case K::kMilitaryCellChanged: return v1::ORGANIZATION_EVENT_KIND_COMMUNE_MILITARY_CELL_CHANGED;
  }
  return v1::ORGANIZATION_EVENT_KIND_UNSPECIFIED;
}

}  // namespace

std::string OrgName(int64_t id) { return common::api::MakeName("organizations", id); }

absl::StatusOr<int64_t> ParseOrgName(std::string_view name, std::string_view field) {
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, ParsePath(name, field, {"organizations"}));
  return ids[0];
}

std::string TermName(int64_t org_id, int64_t term_id) {
  return absl::StrCat(OrgName(org_id), "/committeeTerms/", term_id);
}

absl::StatusOr<TermRef> ParseTermName(std::string_view name, std::string_view field) {
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, ParsePath(name, field, {"organizations", "committeeTerms"}));
  return TermRef{ids[0], ids[1]};
}

std::string PositionName(int64_t org_id, int64_t term_id, int64_t position_id) {
  return absl::StrCat(TermName(org_id, term_id), "/positions/", position_id);
}

absl::StatusOr<PositionRef> ParsePositionName(std::string_view name, std::string_view field) {
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                      ParsePath(name, field, {"organizations", "committeeTerms", "positions"}));
  return PositionRef{ids[0], ids[1], ids[2]};
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t micros = absl::ToUnixMicros(time);
  out.set_seconds(micros / 1000000);
  out.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  if (out.nanos() < 0) {
    out.set_seconds(out.seconds() - 1);
    out.set_nanos(out.nanos() + 1000000000);
  }
  return out;
}

absl::StatusOr<absl::CivilDay> DateOrToday(std::string_view text, std::string_view field) {
  return common::api::ParseDateOr(text, field, common::api::Today());
}

v1::OrganizationState ToProto(domain::OrgState state) {
  switch (state) {
    case domain::OrgState::kActive: return v1::ORGANIZATION_STATE_ACTIVE;
    case domain::OrgState::kDissolved: return v1::ORGANIZATION_STATE_DISSOLVED;
    case domain::OrgState::kMerged: return v1::ORGANIZATION_STATE_MERGED;
    case domain::OrgState::kSplit: return v1::ORGANIZATION_STATE_SPLIT;
    case domain::OrgState::kHandedOver: return v1::ORGANIZATION_STATE_HANDED_OVER;
  }
  return v1::ORGANIZATION_STATE_UNSPECIFIED;
}

std::optional<domain::OrgState> FromProto(v1::OrganizationState state) {
  switch (state) {
    case v1::ORGANIZATION_STATE_ACTIVE: return domain::OrgState::kActive;
    case v1::ORGANIZATION_STATE_DISSOLVED: return domain::OrgState::kDissolved;
    case v1::ORGANIZATION_STATE_MERGED: return domain::OrgState::kMerged;
    case v1::ORGANIZATION_STATE_SPLIT: return domain::OrgState::kSplit;
    case v1::ORGANIZATION_STATE_HANDED_OVER: return domain::OrgState::kHandedOver;
    default: return std::nullopt;
  }
}

v1::Organization ToProto(const domain::Organization& org) {
  v1::Organization out;
  out.set_name(OrgName(org.id));
  out.set_code(org.code);
  out.set_display_name(org.display_name);
  if (org.parent_id) out.set_parent(OrgName(*org.parent_id));
  out.set_type(org.type.code);
  out.set_level(org.type.level);
  out.set_sector(org.sector);
  out.set_is_commune_military_cell(org.is_commune_military_cell);
  out.set_state(ToProto(org.state));
  out.set_established_on(common::api::FormatDate(org.established_on));
  if (org.ended_on) out.set_ended_on(common::api::FormatDate(*org.ended_on));
  if (org.successor_id) out.set_successor(OrgName(*org.successor_id));
  out.set_has_elected_committee(org.has_elected_committee);
  out.set_address(org.address);
  out.set_phone(org.phone);
  out.set_note(org.note);
  out.set_is_grassroots(org.type.is_grassroots);
  out.set_is_cell(org.type.is_cell);
  out.set_as_of_date(common::api::FormatDate(org.as_of));
  *out.mutable_create_time() = ToTimestamp(org.create_time);
  *out.mutable_update_time() = ToTimestamp(org.update_time);
  out.set_etag(common::api::MakeEtag(org.version));
  return out;
}

v1::OrganizationFacts FactsOf(const domain::Organization& org) {
  v1::OrganizationFacts out;
  if (org.parent_id) out.set_parent(OrgName(*org.parent_id));
  out.set_display_name(org.display_name);
  out.set_type(org.type.code);
  out.set_sector(org.sector);
  out.set_state(ToProto(org.state));
  out.set_is_commune_military_cell(org.is_commune_military_cell);
  return out;
}

v1::OrganizationType ToProto(const domain::OrgType& type) {
  v1::OrganizationType out;
  out.set_code(type.code);
  out.set_display_name(type.display_name);
  out.set_level(type.level);
  out.set_is_grassroots(type.is_grassroots);
  out.set_is_cell(type.is_cell);
  return out;
}

void ToProto(const domain::Decision& decision, grassroots::type::v1::Decision* out) {
  out->set_issuing_body(decision.issuing_body);
  out->set_number(decision.number);
  if (decision.signed_on) out->set_signed_on(common::api::FormatDate(*decision.signed_on));
}

absl::StatusOr<domain::Decision> DecisionFromProto(const grassroots::type::v1::Decision& decision, std::string_view prefix) {
  domain::Decision out;
  GR_ASSIGN_OR_RETURN(out.issuing_body, common::api::NormalizeText(decision.issuing_body(),
                                                                    absl::StrCat(std::string(prefix), ".issuing_body"), false,
                                                                    kMaxDecisionText));
  GR_ASSIGN_OR_RETURN(out.number, common::api::NormalizeText(decision.number(), absl::StrCat(std::string(prefix), ".number"),
                                                              false, 100));
  if (!decision.signed_on().empty()) {
    GR_ASSIGN_OR_RETURN(out.signed_on,
                        common::api::ParseDate(decision.signed_on(), absl::StrCat(std::string(prefix), ".signed_on")));
  }
  return out;
}

v1::OrganizationEvent ToProto(const domain::OrgEvent& event) {
  v1::OrganizationEvent out;
  out.set_kind(ToProto(event.kind));
  out.set_organization(OrgName(event.organization_id));
  out.set_effective_date(common::api::FormatDate(event.effective_date));
  ToProto(event.decision, out.mutable_decision());
  for (int64_t id : event.related_ids) out.add_related(OrgName(id));
  out.set_previous_display_name(event.previous_display_name);
  out.set_new_display_name(event.new_display_name);
  if (event.previous_parent_id) out.set_previous_parent(OrgName(*event.previous_parent_id));
  if (event.new_parent_id) out.set_new_parent(OrgName(*event.new_parent_id));
  if (event.member_successor_id) out.set_member_successor(OrgName(*event.member_successor_id));
  out.set_previous_sector(event.previous_sector);
  out.set_new_sector(event.new_sector);
  out.set_actor(event.actor);
  *out.mutable_record_time() = ToTimestamp(event.record_time);
  return out;
}

v1::CommitteeTerm ToProto(const domain::CommitteeTerm& term) {
  v1::CommitteeTerm out;
  out.set_name(TermName(term.organization_id, term.id));
  out.set_organization(OrgName(term.organization_id));
  out.set_label(term.label);
  out.set_starts_on(common::api::FormatDate(term.starts_on));
  if (term.ends_on) out.set_ends_on(common::api::FormatDate(*term.ends_on));
  out.set_elected_committee(term.elected_committee);
  out.set_seats(term.seats);
  ToProto(term.decision, out.mutable_decision());
  out.set_etag(common::api::MakeEtag(term.version));
  return out;
}

std::string PositionKindCode(v1::PositionKind kind) {
  if (kind == v1::POSITION_KIND_UNSPECIFIED || !v1::PositionKind_IsValid(kind)) return "";
  // "POSITION_KIND_SECRETARY" -> "SECRETARY"
  return v1::PositionKind_Name(kind).substr(std::string_view("POSITION_KIND_").size());
}

v1::PositionKind PositionKindFromCode(std::string_view code) {
  v1::PositionKind kind = v1::POSITION_KIND_UNSPECIFIED;
  v1::PositionKind_Parse(absl::StrCat("POSITION_KIND_", std::string(code)), &kind);
  return kind;
}

v1::Position ToProto(const domain::CommitteePosition& position) {
  v1::Position out;
  out.set_name(PositionName(position.organization_id, position.term_id, position.id));
  out.set_term(TermName(position.organization_id, position.term_id));
  out.set_member(common::api::MakeName("members", position.member_id));
  out.set_kind(PositionKindFromCode(position.kind));
  out.set_starts_on(common::api::FormatDate(position.starts_on));
  if (position.ends_on) out.set_ends_on(common::api::FormatDate(*position.ends_on));
  if (position.party_group_id) out.set_party_group(OrgName(*position.party_group_id));
  return out;
}

}  // namespace grassroots::org

namespace grassroots::org {
absl::StatusOr<std::vector<int64_t>> ParseResourcePath(std::string_view name, std::string_view field,
                                                       std::initializer_list<std::string_view> collections) {
  return ParsePath(name, field, collections);
}
}  // namespace grassroots::org
