#include "services/org/handlers/residential_unit_handlers.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/org/domain/residential_units.h"
#include "services/org/handlers/activity_support.h"
#include "services/org/handlers/organization_handlers.h"

namespace grassroots::org {
namespace {

namespace api = common::api;
using common::db::Session;

// Feed resource types: the unit itself, and one per dated fact (each payload is a whole
// period, so a consumer rebuilds the history by keeping the latest copy of each name).
constexpr char kUnitResource[] = "residential_unit";
constexpr char kCoveringResource[] = "residential_unit_covering";
constexpr char kHeadResource[] = "residential_unit_head";
constexpr char kTrainingResource[] = "residential_unit_head_training";
constexpr char kCollection[] = "residentialUnits";

constexpr size_t kMaxNameChars = 255;

std::string UnitName(int64_t id) { return api::MakeName(kCollection, id); }
std::string HeadName(int64_t unit_id, int64_t head_id) { return absl::StrCat(UnitName(unit_id), "/heads/", head_id); }
std::string CoveringName(int64_t unit_id, int64_t id) { return absl::StrCat(UnitName(unit_id), "/coverings/", id); }

struct HeadRef {
  int64_t unit_id = 0;
  int64_t head_id = 0;
};
absl::StatusOr<HeadRef> ParseHeadName(std::string_view name, std::string_view field) {
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, ParseResourcePath(name, field, {kCollection, "heads"}));
  return HeadRef{ids[0], ids[1]};
}

// ---- conversions ------------------------------------------------------------------------

std::optional<domain::HeadPost> PostFromProto(v1::UnitHeadPost post) {
  if (post == v1::UNIT_HEAD_POST_UNSPECIFIED) return std::nullopt;
  return static_cast<domain::HeadPost>(post);
}

std::string OptionalDateText(const std::optional<absl::CivilDay>& day) { return day ? api::FormatDate(*day) : ""; }

void HeadToProto(const domain::HeadPeriod& head, v1::UnitHead* proto) {
  proto->set_name(HeadName(head.unit_id, head.id));
  proto->set_unit(UnitName(head.unit_id));
  proto->set_post(static_cast<v1::UnitHeadPost>(head.post));
  proto->set_display_name(head.display_name);
  proto->set_is_party_member(head.is_party_member);
  if (head.member_id) proto->set_member(api::MakeName("members", *head.member_id));
  proto->set_valid_from(api::FormatDate(head.valid_from));
  proto->set_valid_to(OptionalDateText(head.valid_to));
  ToProto(head.decision, proto->mutable_decision());
  ToProto(head.end_decision, proto->mutable_end_decision());
}

void CoveringToProto(const domain::CoveringPeriod& period, v1::CoveringPeriod* proto) {
  proto->set_name(CoveringName(period.unit_id, period.id));
  proto->set_unit(UnitName(period.unit_id));
  proto->set_cell(OrgName(period.cell_id));
  proto->set_valid_from(api::FormatDate(period.valid_from));
  proto->set_valid_to(OptionalDateText(period.valid_to));
  ToProto(period.decision, proto->mutable_decision());
  ToProto(period.end_decision, proto->mutable_end_decision());
}

void TrainingToProto(const domain::HeadTraining& t, v1::HeadTraining* proto) {
  proto->set_head(HeadName(t.unit_id, t.head_id));
  proto->set_name(absl::StrCat(proto->head(), "/trainings/", t.id));
  proto->set_post(static_cast<v1::UnitHeadPost>(t.post));
  proto->set_course(t.course);
  proto->set_start_date(api::FormatDate(t.start_date));
  proto->set_end_date(api::FormatDate(t.end_date));
  proto->set_term_starts_on(api::FormatDate(t.term_starts_on));
  proto->set_term_ends_on(OptionalDateText(t.term_ends_on));
  proto->set_certificate_number(t.certificate_number);
  proto->set_provider(t.provider);
}

// The unit with its covering cell and heads on the day it was read for.
void UnitToProto(const domain::ResidentialUnit& unit, v1::ResidentialUnit* proto) {
  proto->Clear();
  proto->set_name(UnitName(unit.id));
  proto->set_code(unit.code);
  proto->set_display_name(unit.display_name);
  proto->set_kind(static_cast<v1::ResidentialUnitKind>(unit.kind));
  proto->set_commune_organization(OrgName(unit.commune_organization_id));
  if (unit.covering) {
    proto->set_covering_cell(OrgName(unit.covering->cell_id));
    proto->set_covering_cell_since(api::FormatDate(unit.covering->valid_from));
  }
  if (unit.head) HeadToProto(*unit.head, proto->mutable_head());
  if (unit.front_work_committee_head) {
    HeadToProto(*unit.front_work_committee_head, proto->mutable_front_work_committee_head());
  }
  proto->set_established_on(api::FormatDate(unit.established_on));
  if (unit.ended_on) proto->set_ended_on(api::FormatDate(*unit.ended_on));
  proto->set_households(unit.households);
  proto->set_etag(api::MakeEtag(unit.version));
}

// ---- input -----------------------------------------------------------------------------

// A head as the request describes it. The post is checked against the unit later.
absl::StatusOr<domain::HeadPeriod> HeadFromProto(const v1::UnitHead& proto, const std::string& field,
                                                 std::optional<absl::CivilDay> default_from) {
  domain::HeadPeriod head;
  GR_ASSIGN_OR_RETURN(head.display_name,
                      api::NormalizeText(proto.display_name(), field + ".display_name", true, kMaxNameChars));
  head.is_party_member = proto.is_party_member();
  if (!proto.member().empty()) {
    GR_ASSIGN_OR_RETURN(head.member_id, api::ParseId(proto.member(), "members", field + ".member"));
  }
  GR_RETURN_IF_ERROR(domain::CheckHeadMembership(head.is_party_member, head.member_id.has_value(), field));
  if (proto.valid_from().empty() && !default_from) return common::InvalidField(field + ".valid_from", "is required");
  GR_ASSIGN_OR_RETURN(head.valid_from, api::ParseDateOr(proto.valid_from(), field + ".valid_from",
                                                        default_from.value_or(absl::CivilDay())));
  if (!proto.valid_to().empty()) return common::InvalidField(field + ".valid_to", "is set by EndUnitHead");
  GR_ASSIGN_OR_RETURN(head.decision, DecisionFromProto(proto.decision(), field + ".decision"));
  return head;
}

// The day a dated change takes effect (required) and the decision behind it.
struct Effective {
  absl::CivilDay day;
  domain::Decision decision;
};
absl::StatusOr<Effective> ParseEffective(const std::string& date, const grassroots::type::v1::Decision& decision) {
  if (date.empty()) return common::InvalidField("effective_date", "is required");
  Effective out;
  GR_ASSIGN_OR_RETURN(out.day, api::ParseDate(date, "effective_date"));
  GR_ASSIGN_OR_RETURN(out.decision, DecisionFromProto(decision, "decision"));
  return out;
}

// Membership confirms a named member before anything is written; the day asked is the
// first day in the post (today at the latest: membership knows no future statuses).
absl::Status ConfirmMember(HandlerContext& ctx, const domain::HeadPeriod& head, const std::string& field) {
  if (!head.member_id) return absl::OkStatus();
  if (ctx.members == nullptr) return MembershipNotConfigured(field + ".member");
  return ctx.members->RequirePartyMember(*head.member_id, std::min(head.valid_from, api::Today()),
                                         field + ".member");
}

// The organization as a covering cell from `from`.
absl::Status CheckCoveringCell(HandlerContext& ctx, Session& session, int64_t cell_id, absl::CivilDay from,
                               std::string_view field) {
  absl::StatusOr<domain::Organization> cell = ctx.organizations.Get(session, cell_id, from);
  if (absl::IsNotFound(cell.status())) {
    return common::InvalidField(field, "no such organization on " + api::FormatDate(from));
  }
  if (!cell.ok()) return cell.status();
  return domain::CheckCoveringCell(*cell, from, field);
}

// ---- feed -------------------------------------------------------------------------------

absl::Status Record(Session& session, const common::auth::CallContext& call, const char* type, const std::string& name,
                    std::string_view action, const google::protobuf::Message& payload, nlohmann::json details) {
  common::feed::ChangeRecord change;
  change.resource_type = type;
  change.resource_name = name;
  change.action = std::string(action);
  change.resource = &payload;
  change.audit_details = std::move(details);
  return common::feed::RecordChange(session, common::feed::WriteContextOf(call), change);
}

// Heads' names are personal data: the feed says who is a member, never who they are.
void DropPersonalData(v1::UnitHead* head) { head->clear_display_name(); }

absl::Status RecordCovering(Session& session, const common::auth::CallContext& call,
                            const domain::CoveringPeriod& period, std::string_view action) {
  v1::CoveringPeriod proto;
  CoveringToProto(period, &proto);
  return Record(session, call, kCoveringResource, proto.name(), action, proto,
                {{"unit_id", period.unit_id}, {"cell_id", period.cell_id}, {"valid_from", proto.valid_from()},
                 {"valid_to", proto.valid_to()}});
}

absl::Status RecordHead(Session& session, const common::auth::CallContext& call, const domain::HeadPeriod& head,
                        std::string_view action) {
  v1::UnitHead proto;
  HeadToProto(head, &proto);
  DropPersonalData(&proto);
  return Record(session, call, kHeadResource, proto.name(), action, proto,
                {{"unit_id", head.unit_id}, {"post", std::string(domain::HeadPostCode(head.post))},
                 {"member_id", head.member_id ? nlohmann::json(*head.member_id) : nlohmann::json(nullptr)},
                 {"valid_from", proto.valid_from()}, {"valid_to", proto.valid_to()}});
}

// The unit as of today, with its feed entry (head names left out of the payload).
absl::StatusOr<v1::ResidentialUnit> RecordUnit(store::ResidentialUnitStore& store, Session& session,
                                               const common::auth::CallContext& call, int64_t unit_id,
                                               std::string_view action) {
  GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit, store.Get(session, unit_id, api::Today()));
  v1::ResidentialUnit proto;
  UnitToProto(unit, &proto);
  v1::ResidentialUnit payload = proto;
  if (payload.has_head()) DropPersonalData(payload.mutable_head());
  if (payload.has_front_work_committee_head()) DropPersonalData(payload.mutable_front_work_committee_head());
  GR_RETURN_IF_ERROR(Record(session, call, kUnitResource, proto.name(), action, payload,
                            {{"code", unit.code}, {"commune_organization_id", unit.commune_organization_id}}));
  return proto;
}

// ---- dated changes (inside the caller's transaction, the unit row locked) ---------------

struct Writer {
  HandlerContext& ctx;
  store::ResidentialUnitStore& store;
  Session& session;
  const common::auth::CallContext& call;

  // `cell_id` covers the unit from `from`; the covering until then ends that day.
  absl::StatusOr<domain::CoveringPeriod> StartCovering(const domain::ResidentialUnit& unit, int64_t cell_id,
                                                       absl::CivilDay from, const domain::Decision& decision,
                                                       std::string_view field) {
    GR_RETURN_IF_ERROR(domain::RequireUnitActiveOn(unit, from));
    GR_RETURN_IF_ERROR(CheckCoveringCell(ctx, session, cell_id, from, field));
    GR_ASSIGN_OR_RETURN(std::vector<domain::CoveringPeriod> history, store.Coverings(session, unit.id));
    GR_ASSIGN_OR_RETURN(std::optional<int64_t> open,
                        domain::PlanSuccession(domain::SpansOf(history), from, "the unit's covering cell"));
    if (open) {
      auto previous = std::find_if(history.begin(), history.end(), [&](const auto& p) { return p.id == *open; });
      if (previous->cell_id == cell_id) {
        return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ALREADY_COVERING",
                                absl::StrCat(OrgName(cell_id), " already covers ", UnitName(unit.id)));
      }
      GR_RETURN_IF_ERROR(store.EndCovering(session, previous->id, from, decision));
      previous->valid_to = from;
      previous->end_decision = decision;
      GR_RETURN_IF_ERROR(RecordCovering(session, call, *previous, "ended"));
    }
    domain::CoveringPeriod period;
    period.unit_id = unit.id;
    period.cell_id = cell_id;
    period.valid_from = from;
    period.decision = decision;
    GR_ASSIGN_OR_RETURN(period, store.InsertCovering(session, period));
    GR_RETURN_IF_ERROR(RecordCovering(session, call, period, "assigned"));
    return period;
  }

  // No cell covers the unit from `on`.
  absl::StatusOr<domain::CoveringPeriod> StopCovering(const domain::ResidentialUnit& unit, absl::CivilDay on,
                                                      const domain::Decision& decision) {
    GR_ASSIGN_OR_RETURN(std::vector<domain::CoveringPeriod> history, store.Coverings(session, unit.id));
    const std::vector<domain::Span> spans = domain::SpansOf(history);
    GR_ASSIGN_OR_RETURN(int64_t open, domain::OpenPeriod(spans, "the unit's covering cell"));
    GR_RETURN_IF_ERROR(domain::CheckEnd(spans, open, on));
    GR_RETURN_IF_ERROR(store.EndCovering(session, open, on, decision));
    domain::CoveringPeriod ended = *std::find_if(history.begin(), history.end(), [&](const auto& p) { return p.id == open; });
    ended.valid_to = on;
    ended.end_decision = decision;
    GR_RETURN_IF_ERROR(RecordCovering(session, call, ended, "ended"));
    return ended;
  }

  // `head` holds its post from head.valid_from; the holder until then leaves it that day.
  absl::StatusOr<domain::HeadPeriod> StartHead(const domain::ResidentialUnit& unit, domain::HeadPeriod head,
                                               const std::string& field) {
    head.unit_id = unit.id;
    GR_RETURN_IF_ERROR(domain::CheckPostForUnit(unit.kind, head.post, field + ".post"));
    GR_RETURN_IF_ERROR(domain::RequireUnitActiveOn(unit, head.valid_from));
    GR_ASSIGN_OR_RETURN(std::vector<domain::HeadPeriod> history, store.Heads(session, unit.id, head.post));
    GR_ASSIGN_OR_RETURN(std::optional<int64_t> open,
                        domain::PlanSuccession(domain::SpansOf(history), head.valid_from,
                                               absl::StrCat("the ", common::ToAbsl(domain::HeadPostCode(head.post)), " post")));
    if (open) {
      auto previous = std::find_if(history.begin(), history.end(), [&](const auto& p) { return p.id == *open; });
      GR_RETURN_IF_ERROR(store.EndHead(session, previous->id, head.valid_from, head.decision));
      previous->valid_to = head.valid_from;
      previous->end_decision = head.decision;
      GR_RETURN_IF_ERROR(RecordHead(session, call, *previous, "ended"));
    }
    GR_ASSIGN_OR_RETURN(head, store.InsertHead(session, head));
    GR_RETURN_IF_ERROR(RecordHead(session, call, head, "assigned"));
    return head;
  }

  absl::StatusOr<domain::HeadPeriod> StopHead(int64_t unit_id, int64_t head_id, absl::CivilDay on,
                                              const domain::Decision& decision) {
    GR_ASSIGN_OR_RETURN(domain::HeadPeriod head, store.GetHead(session, unit_id, head_id));
    GR_ASSIGN_OR_RETURN(std::vector<domain::HeadPeriod> history, store.Heads(session, unit_id, head.post));
    GR_RETURN_IF_ERROR(domain::CheckEnd(domain::SpansOf(history), head_id, on));
    GR_RETURN_IF_ERROR(store.EndHead(session, head_id, on, decision));
    head.valid_to = on;
    head.end_decision = decision;
    GR_RETURN_IF_ERROR(RecordHead(session, call, head, "ended"));
    return head;
  }
};

// The caller may see a unit when its commune or its covering cell lies in their scope.
absl::Status RequireUnitInScope(HandlerContext& ctx, const common::auth::Principal& principal,
                                const domain::ResidentialUnit& unit) {
  // Out of scope reads as the unit missing, not as its commune or cell.
  const std::string unit_name = api::MakeName("residentialUnits", unit.id);
  absl::Status commune =
      ctx.authorizer.RequireInScope(principal, unit.commune_organization_id, ctx.organizations, unit_name);
  if (commune.ok() || !unit.covering) return commune;
  if (ctx.authorizer.RequireInScope(principal, unit.covering->cell_id, ctx.organizations, unit_name).ok()) {
    return absl::OkStatus();
  }
  return commune;
}

// Reads the unit (today) for a writer's scope check: the commune must be in scope.
absl::StatusOr<domain::ResidentialUnit> UnitForWrite(HandlerContext& ctx, store::ResidentialUnitStore& store,
                                                     const common::auth::CallContext& call, int64_t unit_id) {
  GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                      ctx.pool.Read<domain::ResidentialUnit>("residential_unit.get", [&](Session& session) {
                        return store.Get(session, unit_id, api::Today());
                      }));
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, unit.commune_organization_id, ctx.organizations,
                                                   api::MakeName("residentialUnits", unit_id)));
  return unit;
}

// UnitForWrite's check again inside the write's transaction, on the unit as locked
// there: its commune may have been moved out of the caller's scope meanwhile.
absl::Status RequireUnitWritableLocked(HandlerContext& ctx, Session& session, const common::auth::CallContext& call,
                                       const domain::ResidentialUnit& unit) {
  return RequireOrgInScopeLocked(ctx, session, call.principal, unit.commune_organization_id,
                                 api::MakeName("residentialUnits", unit.id));
}

// ---- standard methods --------------------------------------------------------------------

absl::Status CreateUnit(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                        std::string_view method, const v1::CreateResidentialUnitRequest& request,
                        v1::ResidentialUnit& response) {
  const v1::ResidentialUnit& in = request.unit();
  domain::ResidentialUnit unit;
  GR_RETURN_IF_ERROR(api::ValidateCode(in.code(), "unit.code"));
  unit.code = in.code();
  GR_ASSIGN_OR_RETURN(unit.display_name, api::NormalizeText(in.display_name(), "unit.display_name", true, kMaxNameChars));
  if (in.kind() != v1::RESIDENTIAL_UNIT_KIND_VILLAGE && in.kind() != v1::RESIDENTIAL_UNIT_KIND_RESIDENTIAL_GROUP) {
    return common::InvalidField("unit.kind", "must be VILLAGE or RESIDENTIAL_GROUP");
  }
  unit.kind = static_cast<domain::ResidentialUnitKind>(in.kind());
  if (in.commune_organization().empty()) {
    return common::InvalidField("unit.commune_organization", "is required");
  }
  GR_ASSIGN_OR_RETURN(unit.commune_organization_id,
                      api::ParseId(in.commune_organization(), "organizations", "unit.commune_organization"));
  std::optional<int64_t> covering_cell_id;
  if (!in.covering_cell().empty()) {
    GR_ASSIGN_OR_RETURN(covering_cell_id, api::ParseId(in.covering_cell(), "organizations", "unit.covering_cell"));
  }
  if (in.established_on().empty()) return common::InvalidField("unit.established_on", "is required");
  GR_ASSIGN_OR_RETURN(unit.established_on, api::ParseDate(in.established_on(), "unit.established_on"));
  std::optional<absl::CivilDay> covering_since;
  if (!in.covering_cell_since().empty()) {
    if (!covering_cell_id) return common::InvalidField("unit.covering_cell_since", "needs unit.covering_cell");
    GR_ASSIGN_OR_RETURN(covering_since, api::ParseDate(in.covering_cell_since(), "unit.covering_cell_since"));
  }
  // Heads described without a date have held the post since the unit was founded.
  std::optional<domain::HeadPeriod> head, front;
  if (in.has_head() && !in.head().display_name().empty()) {
    GR_ASSIGN_OR_RETURN(head, HeadFromProto(in.head(), "unit.head", unit.established_on));
    head->post = domain::LeaderPostOf(unit.kind);
    if (in.head().post() != v1::UNIT_HEAD_POST_UNSPECIFIED) {
      GR_RETURN_IF_ERROR(domain::CheckPostForUnit(unit.kind, *PostFromProto(in.head().post()), "unit.head.post"));
    }
  } else if (in.has_head() && (in.head().is_party_member() || !in.head().member().empty())) {
    return common::InvalidField("unit.head.display_name", "is required when the head is described");
  }
  if (in.has_front_work_committee_head() && !in.front_work_committee_head().display_name().empty()) {
    GR_ASSIGN_OR_RETURN(front, HeadFromProto(in.front_work_committee_head(), "unit.front_work_committee_head",
                                             unit.established_on));
    front->post = domain::HeadPost::kFrontWorkCommitteeHead;
  }
  if (!in.ended_on().empty()) {
    GR_ASSIGN_OR_RETURN(unit.ended_on, api::ParseDate(in.ended_on(), "unit.ended_on"));
    if (*unit.ended_on <= unit.established_on) {
      return common::InvalidField("unit.ended_on", "must be after unit.established_on");
    }
  }
  if (in.households() < 0) return common::InvalidField("unit.households", "must not be negative");
  unit.households = in.households();
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  // The commune must exist before scope is judged, so a wrong id reads NOT_FOUND. Villages
  // often predate the commune committee that holds them now, so it is checked today (kept
  // inside the unit's life), not on the village's founding day.
  absl::CivilDay check_day = std::max(api::Today(), unit.established_on);
  if (unit.ended_on && check_day >= *unit.ended_on) check_day = *unit.ended_on - 1;
  GR_ASSIGN_OR_RETURN(domain::Organization commune, ctx.organizations.Get(unit.commune_organization_id, check_day));
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, commune.id, ctx.organizations));
  if (covering_cell_id) {
    GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, *covering_cell_id, ctx.organizations));
  }
  if (head) GR_RETURN_IF_ERROR(ConfirmMember(ctx, *head, "unit.head"));
  if (front) GR_RETURN_IF_ERROR(ConfirmMember(ctx, *front, "unit.front_work_committee_head"));

  GR_ASSIGN_OR_RETURN(
      response,
      common::feed::RunIdempotentTyped<v1::ResidentialUnit>(
          ctx.pool, "residential_unit.create", common::feed::WriteContextOf(call), method, request.request_id(), request,
          [&](Session& session) -> absl::StatusOr<v1::ResidentialUnit> {
            GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, commune.id));
            if (covering_cell_id) {
              GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, *covering_cell_id));
            }
            GR_RETURN_IF_ERROR(activity::ActiveOrganization(ctx, session, unit.commune_organization_id, check_day).status());
            GR_ASSIGN_OR_RETURN(domain::ResidentialUnit stored, store.Insert(session, unit));
            Writer writer{ctx, store, session, call};
            if (covering_cell_id) {
              absl::CivilDay since = unit.established_on;
              if (covering_since) {
                since = *covering_since;
              } else {
                // Without a date the cell has covered the unit since both existed.
                absl::StatusOr<domain::Organization> cell = ctx.organizations.Get(session, *covering_cell_id, check_day);
                if (absl::IsNotFound(cell.status())) {
                  return common::InvalidField("unit.covering_cell", "no such organization");
                }
                if (!cell.ok()) return cell.status();
                since = std::max(since, cell->established_on);
              }
              GR_RETURN_IF_ERROR(
                  writer.StartCovering(stored, *covering_cell_id, since, {}, "unit.covering_cell").status());
            }
            if (head) GR_RETURN_IF_ERROR(writer.StartHead(stored, *head, "unit.head").status());
            if (front) GR_RETURN_IF_ERROR(writer.StartHead(stored, *front, "unit.front_work_committee_head").status());
            return RecordUnit(store, session, call, stored.id, "created");
          }));
  return absl::OkStatus();
}

absl::Status GetUnit(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                     const v1::GetResidentialUnitRequest& request, v1::ResidentialUnit& response) {
  GR_ASSIGN_OR_RETURN(int64_t id, api::ParseId(request.name(), kCollection, "name"));
  GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request.as_of_date(), "as_of_date", api::Today()));
  GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                      ctx.pool.Read<domain::ResidentialUnit>(
                          "residential_unit.get", [&](Session& session) { return store.Get(session, id, as_of); }));
  GR_RETURN_IF_ERROR(RequireUnitInScope(ctx, call.principal, unit));
  UnitToProto(unit, &response);
  return absl::OkStatus();
}

absl::Status UpdateUnit(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                        const v1::UpdateResidentialUnitRequest& request, v1::ResidentialUnit& response) {
  const v1::ResidentialUnit& in = request.unit();
  GR_ASSIGN_OR_RETURN(int64_t id, api::ParseId(in.name(), kCollection, "unit.name"));
  static const std::set<std::string> kAllowed = {"display_name", "covering_cell", "head",
                                                 "front_work_committee_head", "ended_on", "households"};
  GR_RETURN_IF_ERROR(api::ValidateUpdateMask(request.update_mask(), kAllowed));
  // An empty mask means every allowed field the request sets.
  const bool all_set = request.update_mask().paths().empty();
  auto wants = [&](std::string_view path, bool is_set) {
    return all_set ? is_set : api::MaskContains(request.update_mask(), path);
  };
  const bool want_name = wants("display_name", !in.display_name().empty());
  const bool want_cell = wants("covering_cell", !in.covering_cell().empty());
  const bool want_head = wants("head", in.has_head());
  const bool want_front = wants("front_work_committee_head", in.has_front_work_committee_head());
  const bool want_ended = wants("ended_on", !in.ended_on().empty());
  const bool want_households = wants("households", in.households() != 0);

  // The dated facts change from today; bad input is refused before any read.
  const absl::CivilDay today = api::Today();
  std::string display_name;
  if (want_name) {
    GR_ASSIGN_OR_RETURN(display_name, api::NormalizeText(in.display_name(), "unit.display_name", true, kMaxNameChars));
  }
  std::optional<int64_t> covering_cell_id;
  if (want_cell && !in.covering_cell().empty()) {
    GR_ASSIGN_OR_RETURN(covering_cell_id, api::ParseId(in.covering_cell(), "organizations", "unit.covering_cell"));
  }
  // An empty head ends the post today.
  std::optional<domain::HeadPeriod> head, front;
  if (want_head && !in.head().display_name().empty()) {
    GR_ASSIGN_OR_RETURN(head, HeadFromProto(in.head(), "unit.head", today));
  }
  if (want_front && !in.front_work_committee_head().display_name().empty()) {
    GR_ASSIGN_OR_RETURN(front, HeadFromProto(in.front_work_committee_head(), "unit.front_work_committee_head", today));
    front->post = domain::HeadPost::kFrontWorkCommitteeHead;
  }
  std::optional<absl::CivilDay> ended_on;
  if (want_ended && !in.ended_on().empty()) {
    GR_ASSIGN_OR_RETURN(ended_on, api::ParseDate(in.ended_on(), "unit.ended_on"));
  }
  if (want_households && in.households() < 0) return common::InvalidField("unit.households", "must not be negative");

  GR_ASSIGN_OR_RETURN(domain::ResidentialUnit current, UnitForWrite(ctx, store, call, id));
  if (covering_cell_id) {
    GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, *covering_cell_id, ctx.organizations));
  }
  if (head) {
    head->post = domain::LeaderPostOf(current.kind);
    GR_RETURN_IF_ERROR(ConfirmMember(ctx, *head, "unit.head"));
  }
  if (front) GR_RETURN_IF_ERROR(ConfirmMember(ctx, *front, "unit.front_work_committee_head"));

  GR_ASSIGN_OR_RETURN(
      response,
      ctx.pool.Transact<v1::ResidentialUnit>(
          "residential_unit.update", [&](Session& session) -> absl::StatusOr<v1::ResidentialUnit> {
            GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit, store.Get(session, id, today, /*for_update=*/true));
            GR_RETURN_IF_ERROR(RequireUnitWritableLocked(ctx, session, call, unit));
            if (covering_cell_id) {
              GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, *covering_cell_id));
            }
            GR_RETURN_IF_ERROR(api::CheckEtag(in.etag(), unit.version, UnitName(id)));
            if (want_name) unit.display_name = display_name;
            if (want_ended) unit.ended_on = ended_on;
            if (want_households) unit.households = in.households();
            if (unit.ended_on && *unit.ended_on <= unit.established_on) {
              return common::InvalidField("unit.ended_on", "must be after unit.established_on");
            }
            Writer writer{ctx, store, session, call};
            if (want_cell && covering_cell_id != (unit.covering ? std::optional(unit.covering->cell_id) : std::nullopt)) {
              if (covering_cell_id) {
                GR_RETURN_IF_ERROR(writer.StartCovering(unit, *covering_cell_id, today, {}, "unit.covering_cell").status());
              } else {
                GR_RETURN_IF_ERROR(writer.StopCovering(unit, today, {}).status());
              }
            }
            auto replace = [&](const std::optional<domain::HeadPeriod>& holder,
                               const std::optional<domain::HeadPeriod>& next, const std::string& field) -> absl::Status {
              if (next) return writer.StartHead(unit, *next, field).status();
              if (holder) return writer.StopHead(unit.id, holder->id, today, {}).status();
              return absl::OkStatus();
            };
            if (want_head) GR_RETURN_IF_ERROR(replace(unit.head, head, "unit.head"));
            if (want_front) GR_RETURN_IF_ERROR(replace(unit.front_work_committee_head, front, "unit.front_work_committee_head"));
            GR_RETURN_IF_ERROR(store.Update(session, unit).status());
            return RecordUnit(store, session, call, id, "updated");
          }));
  return absl::OkStatus();
}

absl::Status ListUnits(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                       const v1::ListResidentialUnitsRequest& request, v1::ListResidentialUnitsResponse& response) {
  std::optional<int64_t> subtree_root;
  if (!request.subtree_root().empty()) {
    GR_ASSIGN_OR_RETURN(subtree_root, api::ParseId(request.subtree_root(), "organizations", "subtree_root"));
  }
  std::optional<int64_t> covering_cell_id;
  if (!request.covering_cell().empty()) {
    GR_ASSIGN_OR_RETURN(covering_cell_id, api::ParseId(request.covering_cell(), "organizations", "covering_cell"));
  }
  if (request.uncovered_only() && covering_cell_id) {
    return common::InvalidField("uncovered_only", "cannot be combined with covering_cell");
  }
  GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request.as_of_date(), "as_of_date", api::Today()));
  GR_ASSIGN_OR_RETURN(int32_t page_size, api::ClampPageSize(request.page_size(), 100, 1000));
  const std::string as_of_text = api::FormatDate(as_of);
  const uint64_t fingerprint =
      api::Fingerprint({"ListResidentialUnits", request.subtree_root(), request.covering_cell(),
                        request.uncovered_only() ? "uncovered" : "", as_of_text});
  GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx.page_tokens.Decode(request.page_token(), fingerprint));

  // A secretary lists the units their cell covers; otherwise the subtree decides, and
  // without one the caller's own scope does.
  if (!subtree_root && !covering_cell_id) subtree_root = call.principal.scope_org_id;
  if (subtree_root) {
    GR_RETURN_IF_ERROR(ctx.organizations.Get(*subtree_root, as_of).status());
    GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, *subtree_root, ctx.organizations));
  }
  if (covering_cell_id) {
    GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, *covering_cell_id, ctx.organizations));
  }

  GR_ASSIGN_OR_RETURN(
      std::vector<domain::ResidentialUnit> rows,
      ctx.pool.Read<std::vector<domain::ResidentialUnit>>(
          "residential_unit.list", [&](Session& session) -> absl::StatusOr<std::vector<domain::ResidentialUnit>> {
            store::ResidentialUnitStore::ListQuery query;
            if (subtree_root) {
              GR_ASSIGN_OR_RETURN(query.commune_organization_ids,
                                  activity::OrganizationIds(ctx, session, *subtree_root, true, as_of));
            }
            query.covering_cell_id = covering_cell_id;
            query.uncovered_only = request.uncovered_only();
            query.as_of = as_of;
            query.after_id = cursor ? cursor->last_id : 0;
            query.limit = page_size + 1;
            return store.List(session, query);
          }));
  const bool has_more = rows.size() > static_cast<size_t>(page_size);
  if (has_more) rows.resize(static_cast<size_t>(page_size));
  for (const domain::ResidentialUnit& unit : rows) UnitToProto(unit, response.add_units());
  if (has_more) {
    api::PageCursor next;
    next.last_id = rows.back().id;
    next.query_fingerprint = fingerprint;
    response.set_next_page_token(ctx.page_tokens.Encode(next));
  }
  return absl::OkStatus();
}

// ---- covering cell -------------------------------------------------------------------------

absl::Status AssignCovering(HandlerContext& ctx, store::ResidentialUnitStore& store,
                            const common::auth::CallContext& call, std::string_view method,
                            const v1::AssignCoveringCellRequest& request, v1::CoveringPeriod& response) {
  GR_ASSIGN_OR_RETURN(int64_t unit_id, api::ParseId(request.unit(), kCollection, "unit"));
  GR_ASSIGN_OR_RETURN(int64_t cell_id, api::ParseId(request.cell(), "organizations", "cell"));
  GR_ASSIGN_OR_RETURN(const Effective effective, ParseEffective(request.effective_date(), request.decision()));
  const absl::CivilDay from = effective.day;
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));
  GR_RETURN_IF_ERROR(UnitForWrite(ctx, store, call, unit_id).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, cell_id, ctx.organizations));
  GR_ASSIGN_OR_RETURN(
      response, common::feed::RunIdempotentTyped<v1::CoveringPeriod>(
                    ctx.pool, "residential_unit.assign_covering", common::feed::WriteContextOf(call), method,
                    request.request_id(), request, [&](Session& session) -> absl::StatusOr<v1::CoveringPeriod> {
                      GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit, store.Get(session, unit_id, from, true));
                      GR_RETURN_IF_ERROR(RequireUnitWritableLocked(ctx, session, call, unit));
                      GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, cell_id));
                      Writer writer{ctx, store, session, call};
                      GR_ASSIGN_OR_RETURN(domain::CoveringPeriod period,
                                          writer.StartCovering(unit, cell_id, from, effective.decision, "cell"));
                      v1::CoveringPeriod proto;
                      CoveringToProto(period, &proto);
                      return proto;
                    }));
  return absl::OkStatus();
}

absl::Status EndCovering(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                         const v1::EndCoveringCellRequest& request, v1::CoveringPeriod& response) {
  GR_ASSIGN_OR_RETURN(int64_t unit_id, api::ParseId(request.unit(), kCollection, "unit"));
  GR_ASSIGN_OR_RETURN(const Effective effective, ParseEffective(request.effective_date(), request.decision()));
  GR_RETURN_IF_ERROR(UnitForWrite(ctx, store, call, unit_id).status());
  GR_ASSIGN_OR_RETURN(response, ctx.pool.Transact<v1::CoveringPeriod>(
                                    "residential_unit.end_covering",
                                    [&](Session& session) -> absl::StatusOr<v1::CoveringPeriod> {
                                      GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                                                          store.Get(session, unit_id, effective.day, true));
                                      GR_RETURN_IF_ERROR(RequireUnitWritableLocked(ctx, session, call, unit));
                                      Writer writer{ctx, store, session, call};
                                      GR_ASSIGN_OR_RETURN(domain::CoveringPeriod ended,
                                                          writer.StopCovering(unit, effective.day, effective.decision));
                                      v1::CoveringPeriod proto;
                                      CoveringToProto(ended, &proto);
                                      return proto;
                                    }));
  return absl::OkStatus();
}

absl::Status ListCoverings(HandlerContext& ctx, store::ResidentialUnitStore& store,
                           const common::auth::CallContext& call, const v1::ListCoveringPeriodsRequest& request,
                           v1::ListCoveringPeriodsResponse& response) {
  GR_ASSIGN_OR_RETURN(int64_t unit_id, api::ParseId(request.unit(), kCollection, "unit"));
  struct Facts {
    domain::ResidentialUnit unit;
    std::vector<domain::CoveringPeriod> periods;
  };
  GR_ASSIGN_OR_RETURN(Facts facts, ctx.pool.Read<Facts>("residential_unit.list_coverings",
                                                        [&](Session& session) -> absl::StatusOr<Facts> {
                                                          Facts f;
                                                          GR_ASSIGN_OR_RETURN(f.unit, store.Get(session, unit_id, api::Today()));
                                                          GR_ASSIGN_OR_RETURN(f.periods, store.Coverings(session, unit_id));
                                                          return f;
                                                        }));
  GR_RETURN_IF_ERROR(RequireUnitInScope(ctx, call.principal, facts.unit));
  for (const domain::CoveringPeriod& period : facts.periods) CoveringToProto(period, response.add_periods());
  return absl::OkStatus();
}

// ---- heads ------------------------------------------------------------------------------------

absl::Status AssignHead(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                        std::string_view method, const v1::AssignUnitHeadRequest& request, v1::UnitHead& response) {
  GR_ASSIGN_OR_RETURN(int64_t unit_id, api::ParseId(request.unit(), kCollection, "unit"));
  if (!request.has_head()) return common::InvalidField("head", "is required");
  std::optional<domain::HeadPost> post = PostFromProto(request.head().post());
  if (!post || !domain::HeadPostFromCode(domain::HeadPostCode(*post))) {
    return common::InvalidField("head.post", "must be VILLAGE_HEAD, RESIDENTIAL_GROUP_HEAD or FRONT_WORK_COMMITTEE_HEAD");
  }
  GR_ASSIGN_OR_RETURN(domain::HeadPeriod head, HeadFromProto(request.head(), "head", std::nullopt));
  head.post = *post;
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));
  GR_RETURN_IF_ERROR(UnitForWrite(ctx, store, call, unit_id).status());
  GR_RETURN_IF_ERROR(ConfirmMember(ctx, head, "head"));
  GR_ASSIGN_OR_RETURN(
      response, common::feed::RunIdempotentTyped<v1::UnitHead>(
                    ctx.pool, "residential_unit.assign_head", common::feed::WriteContextOf(call), method,
                    request.request_id(), request, [&](Session& session) -> absl::StatusOr<v1::UnitHead> {
                      GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                                          store.Get(session, unit_id, head.valid_from, true));
                      GR_RETURN_IF_ERROR(RequireUnitWritableLocked(ctx, session, call, unit));
                      Writer writer{ctx, store, session, call};
                      GR_ASSIGN_OR_RETURN(domain::HeadPeriod stored, writer.StartHead(unit, head, "head"));
                      v1::UnitHead proto;
                      HeadToProto(stored, &proto);
                      return proto;
                    }));
  return absl::OkStatus();
}

absl::Status EndHead(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                     const v1::EndUnitHeadRequest& request, v1::UnitHead& response) {
  GR_ASSIGN_OR_RETURN(HeadRef ref, ParseHeadName(request.name(), "name"));
  GR_ASSIGN_OR_RETURN(const Effective effective, ParseEffective(request.effective_date(), request.decision()));
  GR_RETURN_IF_ERROR(UnitForWrite(ctx, store, call, ref.unit_id).status());
  GR_ASSIGN_OR_RETURN(response, ctx.pool.Transact<v1::UnitHead>(
                                    "residential_unit.end_head", [&](Session& session) -> absl::StatusOr<v1::UnitHead> {
                                      GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                                                          store.Get(session, ref.unit_id, effective.day, true));
                                      GR_RETURN_IF_ERROR(RequireUnitWritableLocked(ctx, session, call, unit));
                                      Writer writer{ctx, store, session, call};
                                      GR_ASSIGN_OR_RETURN(domain::HeadPeriod ended,
                                                          writer.StopHead(ref.unit_id, ref.head_id, effective.day,
                                                                          effective.decision));
                                      v1::UnitHead proto;
                                      HeadToProto(ended, &proto);
                                      return proto;
                                    }));
  return absl::OkStatus();
}

absl::Status ListHeads(HandlerContext& ctx, store::ResidentialUnitStore& store, const common::auth::CallContext& call,
                       const v1::ListUnitHeadsRequest& request, v1::ListUnitHeadsResponse& response) {
  GR_ASSIGN_OR_RETURN(int64_t unit_id, api::ParseId(request.unit(), kCollection, "unit"));
  std::optional<absl::CivilDay> as_of;
  if (!request.as_of_date().empty()) {
    GR_ASSIGN_OR_RETURN(as_of, api::ParseDate(request.as_of_date(), "as_of_date"));
  }
  struct Facts {
    domain::ResidentialUnit unit;
    std::vector<domain::HeadPeriod> heads;
  };
  GR_ASSIGN_OR_RETURN(Facts facts,
                      ctx.pool.Read<Facts>("residential_unit.list_heads", [&](Session& session) -> absl::StatusOr<Facts> {
                        Facts f;
                        GR_ASSIGN_OR_RETURN(f.unit, store.Get(session, unit_id, api::Today()));
                        GR_ASSIGN_OR_RETURN(f.heads, store.Heads(session, unit_id, PostFromProto(request.post())));
                        return f;
                      }));
  GR_RETURN_IF_ERROR(RequireUnitInScope(ctx, call.principal, facts.unit));
  for (const domain::HeadPeriod& head : facts.heads) {
    const bool holds = !as_of || (head.valid_from <= *as_of && (!head.valid_to || *as_of < *head.valid_to));
    if (holds) HeadToProto(head, response.add_heads());
  }
  return absl::OkStatus();
}

// ---- head training ------------------------------------------------------------------------------

absl::Status RecordTraining(HandlerContext& ctx, store::ResidentialUnitStore& store,
                            const common::auth::CallContext& call, std::string_view method,
                            const v1::RecordHeadTrainingRequest& request, v1::HeadTraining& response) {
  GR_ASSIGN_OR_RETURN(HeadRef ref, ParseHeadName(request.parent(), "parent"));
  const v1::HeadTraining& in = request.training();
  domain::HeadTraining training;
  training.head_id = ref.head_id;
  training.unit_id = ref.unit_id;
  GR_ASSIGN_OR_RETURN(training.course, api::NormalizeText(in.course(), "training.course", true, kMaxNameChars));
  if (in.start_date().empty()) return common::InvalidField("training.start_date", "is required");
  GR_ASSIGN_OR_RETURN(training.start_date, api::ParseDate(in.start_date(), "training.start_date"));
  if (in.end_date().empty()) return common::InvalidField("training.end_date", "is required");
  GR_ASSIGN_OR_RETURN(training.end_date, api::ParseDate(in.end_date(), "training.end_date"));
  if (in.term_starts_on().empty()) return common::InvalidField("training.term_starts_on", "is required");
  GR_ASSIGN_OR_RETURN(training.term_starts_on, api::ParseDate(in.term_starts_on(), "training.term_starts_on"));
  if (!in.term_ends_on().empty()) {
    GR_ASSIGN_OR_RETURN(training.term_ends_on, api::ParseDate(in.term_ends_on(), "training.term_ends_on"));
  }
  GR_ASSIGN_OR_RETURN(training.certificate_number,
                      api::NormalizeText(in.certificate_number(), "training.certificate_number", false, 64));
  GR_ASSIGN_OR_RETURN(training.provider, api::NormalizeText(in.provider(), "training.provider", false, kMaxNameChars));
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));
  GR_RETURN_IF_ERROR(UnitForWrite(ctx, store, call, ref.unit_id).status());
  GR_ASSIGN_OR_RETURN(
      response, common::feed::RunIdempotentTyped<v1::HeadTraining>(
                    ctx.pool, "residential_unit.record_head_training", common::feed::WriteContextOf(call), method,
                    request.request_id(), request, [&](Session& session) -> absl::StatusOr<v1::HeadTraining> {
                      GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                                          store.Get(session, ref.unit_id, api::Today(), true));
                      GR_RETURN_IF_ERROR(RequireUnitWritableLocked(ctx, session, call, unit));
                      GR_ASSIGN_OR_RETURN(domain::HeadPeriod head, store.GetHead(session, ref.unit_id, ref.head_id));
                      training.post = PostFromProto(in.post()).value_or(head.post);
                      GR_RETURN_IF_ERROR(domain::CheckHeadTraining(head, training, api::Today()));
                      GR_ASSIGN_OR_RETURN(domain::HeadTraining stored, store.InsertHeadTraining(session, training));
                      v1::HeadTraining proto;
                      TrainingToProto(stored, &proto);
                      GR_RETURN_IF_ERROR(Record(session, call, kTrainingResource, proto.name(), "recorded", proto,
                                                {{"unit_id", ref.unit_id}, {"head_id", ref.head_id},
                                                 {"post", std::string(domain::HeadPostCode(stored.post))}}));
                      return proto;
                    }));
  return absl::OkStatus();
}

absl::Status ListTrainings(HandlerContext& ctx, store::ResidentialUnitStore& store,
                           const common::auth::CallContext& call, const v1::ListHeadTrainingsRequest& request,
                           v1::ListHeadTrainingsResponse& response) {
  GR_ASSIGN_OR_RETURN(HeadRef ref, ParseHeadName(request.parent(), "parent"));
  struct Facts {
    domain::ResidentialUnit unit;
    std::vector<domain::HeadTraining> trainings;
  };
  GR_ASSIGN_OR_RETURN(Facts facts, ctx.pool.Read<Facts>("residential_unit.list_head_trainings",
                                                        [&](Session& session) -> absl::StatusOr<Facts> {
                                                          Facts f;
                                                          GR_ASSIGN_OR_RETURN(f.unit, store.Get(session, ref.unit_id, api::Today()));
                                                          GR_RETURN_IF_ERROR(store.GetHead(session, ref.unit_id, ref.head_id).status());
                                                          GR_ASSIGN_OR_RETURN(f.trainings, store.HeadTrainings(session, ref.head_id));
                                                          return f;
                                                        }));
  GR_RETURN_IF_ERROR(RequireUnitInScope(ctx, call.principal, facts.unit));
  for (const domain::HeadTraining& t : facts.trainings) TrainingToProto(t, response.add_trainings());
  return absl::OkStatus();
}

}  // namespace

#define GR_UNIT_METHOD(Name, Request, Response, Impl)                                                     \
  grpc::Status ResidentialUnitServiceImpl::Name(grpc::ServerContext* context, const v1::Request* request, \
                                                v1::Response* response) {                                 \
    return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {                  \
      return Impl(ctx_, units_, call, *request, *response);                                               \
    });                                                                                                   \
  }
// A write whose request_id is kept under the method's full name (the idempotency key).
#define GR_UNIT_IDEMPOTENT_METHOD(Name, Request, Response, Impl)                                          \
  grpc::Status ResidentialUnitServiceImpl::Name(grpc::ServerContext* context, const v1::Request* request, \
                                                v1::Response* response) {                                 \
    const std::string& method = envelope_.FullName(__func__);                                             \
    return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {                  \
      return Impl(ctx_, units_, call, method, *request, *response);                                       \
    });                                                                                                   \
  }

GR_UNIT_IDEMPOTENT_METHOD(CreateResidentialUnit, CreateResidentialUnitRequest, ResidentialUnit, CreateUnit)
GR_UNIT_METHOD(GetResidentialUnit, GetResidentialUnitRequest, ResidentialUnit, GetUnit)
GR_UNIT_METHOD(UpdateResidentialUnit, UpdateResidentialUnitRequest, ResidentialUnit, UpdateUnit)
GR_UNIT_METHOD(ListResidentialUnits, ListResidentialUnitsRequest, ListResidentialUnitsResponse, ListUnits)
GR_UNIT_IDEMPOTENT_METHOD(AssignCoveringCell, AssignCoveringCellRequest, CoveringPeriod, AssignCovering)
GR_UNIT_METHOD(EndCoveringCell, EndCoveringCellRequest, CoveringPeriod, EndCovering)
GR_UNIT_METHOD(ListCoveringPeriods, ListCoveringPeriodsRequest, ListCoveringPeriodsResponse, ListCoverings)
GR_UNIT_IDEMPOTENT_METHOD(AssignUnitHead, AssignUnitHeadRequest, UnitHead, AssignHead)
GR_UNIT_METHOD(EndUnitHead, EndUnitHeadRequest, UnitHead, EndHead)
GR_UNIT_METHOD(ListUnitHeads, ListUnitHeadsRequest, ListUnitHeadsResponse, ListHeads)
GR_UNIT_IDEMPOTENT_METHOD(RecordHeadTraining, RecordHeadTrainingRequest, HeadTraining, RecordTraining)
GR_UNIT_METHOD(ListHeadTrainings, ListHeadTrainingsRequest, ListHeadTrainingsResponse, ListTrainings)

#undef GR_UNIT_METHOD
#undef GR_UNIT_IDEMPOTENT_METHOD

}  // namespace grassroots::org
