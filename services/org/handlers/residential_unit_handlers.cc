#include "services/org/handlers/residential_unit_handlers.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/org/handlers/activity_support.h"
#include "services/org/handlers/organization_handlers.h"  // Respond

namespace grassroots::org {
namespace {

namespace api = common::api;

constexpr char kCreateMethod[] = "/grassroots.org.v1.ResidentialUnitService/CreateResidentialUnit";
constexpr char kGetMethod[] = "/grassroots.org.v1.ResidentialUnitService/GetResidentialUnit";
constexpr char kUpdateMethod[] = "/grassroots.org.v1.ResidentialUnitService/UpdateResidentialUnit";
constexpr char kListMethod[] = "/grassroots.org.v1.ResidentialUnitService/ListResidentialUnits";
constexpr char kResourceType[] = "residential_unit";
constexpr char kCollection[] = "residentialUnits";

constexpr size_t kMaxNameChars = 255;

std::string UnitName(int64_t id) { return api::MakeName(kCollection, id); }

absl::StatusOr<domain::UnitHead> HeadFromProto(const v1::UnitHead& proto, const std::string& field) {
  domain::UnitHead head;
  GR_ASSIGN_OR_RETURN(head.display_name,
                      api::NormalizeText(proto.display_name(), field + ".display_name", false, kMaxNameChars));
  head.is_party_member = proto.is_party_member();
  if (!proto.member().empty()) {
    GR_ASSIGN_OR_RETURN(int64_t member_id, api::ParseId(proto.member(), "members", field + ".member"));
    if (!head.is_party_member) {
      return common::InvalidField(field + ".member", "is only for a head who is a party member");
    }
    head.member_id = member_id;
  }
  if (head.display_name.empty() && (head.is_party_member || head.member_id)) {
    return common::InvalidField(field + ".display_name", "is required when the head is described");
  }
  return head;
}

void HeadToProto(const domain::UnitHead& head, v1::UnitHead* proto) {
  proto->set_display_name(head.display_name);
  proto->set_is_party_member(head.is_party_member);
  if (head.member_id) proto->set_member(api::MakeName("members", *head.member_id));
}

void UnitToProto(const domain::ResidentialUnit& unit, v1::ResidentialUnit* proto) {
  proto->Clear();
  proto->set_name(UnitName(unit.id));
  proto->set_code(unit.code);
  proto->set_display_name(unit.display_name);
  proto->set_kind(static_cast<v1::ResidentialUnitKind>(unit.kind));
  proto->set_commune_organization(OrgName(unit.commune_organization_id));
  if (unit.covering_cell_id) proto->set_covering_cell(OrgName(*unit.covering_cell_id));
  HeadToProto(unit.head, proto->mutable_head());
  HeadToProto(unit.front_work_committee_head, proto->mutable_front_work_committee_head());
  proto->set_established_on(api::FormatDate(unit.established_on));
  if (unit.ended_on) proto->set_ended_on(api::FormatDate(*unit.ended_on));
  proto->set_households(unit.households);
  proto->set_etag(api::MakeEtag(unit.version));
}

absl::Status ValidateDates(const domain::ResidentialUnit& unit) {
  if (unit.ended_on && *unit.ended_on <= unit.established_on) {
    return common::InvalidField("unit.ended_on", "must be after unit.established_on");
  }
  return absl::OkStatus();
}

// The day a covering-cell assignment is checked on: today, kept inside the unit's life.
absl::CivilDay CoverageCheckDay(const domain::ResidentialUnit& unit) {
  absl::CivilDay day = std::max(api::Today(), unit.established_on);
  if (unit.ended_on && day >= *unit.ended_on) day = *unit.ended_on - 1;
  return day;
}

// A covering cell must be a cell (chi bộ cơ sở / trực thuộc) active on the check day.
absl::Status CheckCoveringCell(HandlerContext& ctx, common::db::Session& session, const domain::ResidentialUnit& unit) {
  if (!unit.covering_cell_id) return absl::OkStatus();
  const absl::CivilDay day = CoverageCheckDay(unit);
  absl::StatusOr<domain::Organization> cell = ctx.organizations.Get(session, *unit.covering_cell_id, day);
  if (absl::IsNotFound(cell.status())) {
    return common::InvalidField("unit.covering_cell", "no such organization on " + api::FormatDate(day));
  }
  if (!cell.ok()) return cell.status();
  if (!cell->type.is_cell) return common::InvalidField("unit.covering_cell", "must be a cell (chi bộ)");
  if (!cell->IsActiveOn(day)) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "COVERING_CELL_NOT_ACTIVE",
                            absl::StrCat(OrgName(cell->id), " is not active on ", api::FormatDate(day)));
  }
  return absl::OkStatus();
}

// The stored unit as the API shows it, with its feed and audit entries recorded in
// the caller's transaction.
absl::StatusOr<v1::ResidentialUnit> RecordUnitChange(common::db::Session& session,
                                                     const common::auth::CallContext& call,
                                                     const domain::ResidentialUnit& unit, std::string_view action) {
  v1::ResidentialUnit proto;
  UnitToProto(unit, &proto);
  common::feed::ChangeRecord change;
  change.resource_type = kResourceType;
  change.resource_name = proto.name();
  change.action = std::string(action);
  change.resource = &proto;
  change.audit_details = {{"code", unit.code},
                          {"commune_organization_id", unit.commune_organization_id},
                          {"covering_cell_id", unit.covering_cell_id ? nlohmann::json(*unit.covering_cell_id)
                                                                      : nlohmann::json(nullptr)}};
  GR_RETURN_IF_ERROR(common::feed::RecordChange(session, activity::WriteContextOf(call), change).status());
  return proto;
}

// The caller may see a unit when its commune or its covering cell lies in their scope.
absl::Status RequireUnitInScope(HandlerContext& ctx, const common::auth::Principal& principal,
                                const domain::ResidentialUnit& unit) {
  absl::Status commune = ctx.authorizer.RequireInScope(principal, unit.commune_organization_id, ctx.organizations);
  if (commune.ok() || !unit.covering_cell_id) return commune;
  if (ctx.authorizer.RequireInScope(principal, *unit.covering_cell_id, ctx.organizations).ok()) {
    return absl::OkStatus();
  }
  return commune;
}

absl::Status CreateUnit(HandlerContext& ctx, store::ResidentialUnitStore& store, grpc::ServerContext& context,
                        const v1::CreateResidentialUnitRequest& request, v1::ResidentialUnit& response) {
  GR_ASSIGN_OR_RETURN(common::auth::CallContext call, ctx.authorizer.Begin(context, kCreateMethod));
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
  if (!in.covering_cell().empty()) {
    GR_ASSIGN_OR_RETURN(unit.covering_cell_id, api::ParseId(in.covering_cell(), "organizations", "unit.covering_cell"));
  }
  GR_ASSIGN_OR_RETURN(unit.head, HeadFromProto(in.head(), "unit.head"));
  GR_ASSIGN_OR_RETURN(unit.front_work_committee_head,
                      HeadFromProto(in.front_work_committee_head(), "unit.front_work_committee_head"));
  if (in.established_on().empty()) return common::InvalidField("unit.established_on", "is required");
  GR_ASSIGN_OR_RETURN(unit.established_on, api::ParseDate(in.established_on(), "unit.established_on"));
  if (!in.ended_on().empty()) {
    GR_ASSIGN_OR_RETURN(unit.ended_on, api::ParseDate(in.ended_on(), "unit.ended_on"));
  }
  GR_RETURN_IF_ERROR(ValidateDates(unit));
  if (in.households() < 0) return common::InvalidField("unit.households", "must not be negative");
  unit.households = in.households();
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  // The commune must exist before scope is judged, so a wrong id reads NOT_FOUND. Villages
  // often predate the commune committee that holds them now, so it is checked on the
  // same day as the covering cell, not on the village's founding day.
  const absl::CivilDay check_day = CoverageCheckDay(unit);
  GR_ASSIGN_OR_RETURN(domain::Organization commune, ctx.organizations.Get(unit.commune_organization_id, check_day));
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, commune.id, ctx.organizations));
  if (unit.covering_cell_id) {
    GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, *unit.covering_cell_id, ctx.organizations));
  }

  GR_ASSIGN_OR_RETURN(
      response,
      common::feed::RunIdempotentTyped<v1::ResidentialUnit>(
          ctx.pool, "residential_unit.create", activity::WriteContextOf(call), kCreateMethod, request.request_id(),
          request, [&](common::db::Session& session) -> absl::StatusOr<v1::ResidentialUnit> {
            GR_RETURN_IF_ERROR(
                activity::ActiveOrganization(ctx, session, unit.commune_organization_id, check_day).status());
            GR_RETURN_IF_ERROR(CheckCoveringCell(ctx, session, unit));
            GR_ASSIGN_OR_RETURN(domain::ResidentialUnit stored, store.Insert(session, unit));
            return RecordUnitChange(session, call, stored, "created");
          }));
  return absl::OkStatus();
}

absl::Status GetUnit(HandlerContext& ctx, store::ResidentialUnitStore& store, grpc::ServerContext& context,
                     const v1::GetResidentialUnitRequest& request, v1::ResidentialUnit& response) {
  GR_ASSIGN_OR_RETURN(common::auth::CallContext call, ctx.authorizer.Begin(context, kGetMethod));
  GR_ASSIGN_OR_RETURN(int64_t id, api::ParseId(request.name(), kCollection, "name"));
  GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit,
                      ctx.pool.Read<domain::ResidentialUnit>(
                          "residential_unit.get", [&](common::db::Session& session) { return store.Get(session, id); }));
  GR_RETURN_IF_ERROR(RequireUnitInScope(ctx, call.principal, unit));
  UnitToProto(unit, &response);
  return absl::OkStatus();
}

absl::Status UpdateUnit(HandlerContext& ctx, store::ResidentialUnitStore& store, grpc::ServerContext& context,
                        const v1::UpdateResidentialUnitRequest& request, v1::ResidentialUnit& response) {
  GR_ASSIGN_OR_RETURN(common::auth::CallContext call, ctx.authorizer.Begin(context, kUpdateMethod));
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

  // Parse the requested values up front: bad input is refused before any read.
  std::string display_name;
  if (want_name) {
    GR_ASSIGN_OR_RETURN(display_name, api::NormalizeText(in.display_name(), "unit.display_name", true, kMaxNameChars));
  }
  std::optional<int64_t> covering_cell_id;
  if (want_cell && !in.covering_cell().empty()) {
    GR_ASSIGN_OR_RETURN(covering_cell_id, api::ParseId(in.covering_cell(), "organizations", "unit.covering_cell"));
  }
  domain::UnitHead head, front;
  if (want_head) {
    GR_ASSIGN_OR_RETURN(head, HeadFromProto(in.head(), "unit.head"));
  }
  if (want_front) {
    GR_ASSIGN_OR_RETURN(front, HeadFromProto(in.front_work_committee_head(), "unit.front_work_committee_head"));
  }
  std::optional<absl::CivilDay> ended_on;
  if (want_ended && !in.ended_on().empty()) {
    GR_ASSIGN_OR_RETURN(ended_on, api::ParseDate(in.ended_on(), "unit.ended_on"));
  }
  if (want_households && in.households() < 0) return common::InvalidField("unit.households", "must not be negative");

  GR_ASSIGN_OR_RETURN(domain::ResidentialUnit current,
                      ctx.pool.Read<domain::ResidentialUnit>(
                          "residential_unit.get", [&](common::db::Session& session) { return store.Get(session, id); }));
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, current.commune_organization_id, ctx.organizations));
  if (covering_cell_id) {
    GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, *covering_cell_id, ctx.organizations));
  }

  GR_ASSIGN_OR_RETURN(
      response,
      ctx.pool.Transact<v1::ResidentialUnit>(
          "residential_unit.update", [&](common::db::Session& session) -> absl::StatusOr<v1::ResidentialUnit> {
            GR_ASSIGN_OR_RETURN(domain::ResidentialUnit unit, store.Get(session, id, /*for_update=*/true));
            GR_RETURN_IF_ERROR(api::CheckEtag(in.etag(), unit.version, UnitName(id)));
            if (want_name) unit.display_name = display_name;
            if (want_cell) unit.covering_cell_id = covering_cell_id;
            if (want_head) unit.head = head;
            if (want_front) unit.front_work_committee_head = front;
            if (want_ended) unit.ended_on = ended_on;
            if (want_households) unit.households = in.households();
            GR_RETURN_IF_ERROR(ValidateDates(unit));
            if (want_cell) GR_RETURN_IF_ERROR(CheckCoveringCell(ctx, session, unit));
            GR_ASSIGN_OR_RETURN(domain::ResidentialUnit stored, store.Update(session, unit));
            return RecordUnitChange(session, call, stored, "updated");
          }));
  return absl::OkStatus();
}

absl::Status ListUnits(HandlerContext& ctx, store::ResidentialUnitStore& store, grpc::ServerContext& context,
                       const v1::ListResidentialUnitsRequest& request, v1::ListResidentialUnitsResponse& response) {
  GR_ASSIGN_OR_RETURN(common::auth::CallContext call, ctx.authorizer.Begin(context, kListMethod));
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
          "residential_unit.list", [&](common::db::Session& session) -> absl::StatusOr<std::vector<domain::ResidentialUnit>> {
            store::ResidentialUnitStore::ListQuery query;
            if (subtree_root) {
              GR_ASSIGN_OR_RETURN(query.commune_organization_ids,
                                  activity::OrganizationIds(ctx, session, *subtree_root, true, as_of));
            }
            query.covering_cell_id = covering_cell_id;
            query.uncovered_only = request.uncovered_only();
            query.active_on = as_of;
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

}  // namespace

grpc::Status ResidentialUnitServiceImpl::CreateResidentialUnit(grpc::ServerContext* context,
                                                               const v1::CreateResidentialUnitRequest* request,
                                                               v1::ResidentialUnit* response) {
  return Respond(context, kCreateMethod, [&] { return CreateUnit(ctx_, units_, *context, *request, *response); });
}

grpc::Status ResidentialUnitServiceImpl::GetResidentialUnit(grpc::ServerContext* context,
                                                            const v1::GetResidentialUnitRequest* request,
                                                            v1::ResidentialUnit* response) {
  return Respond(context, kGetMethod, [&] { return GetUnit(ctx_, units_, *context, *request, *response); });
}

grpc::Status ResidentialUnitServiceImpl::UpdateResidentialUnit(grpc::ServerContext* context,
                                                               const v1::UpdateResidentialUnitRequest* request,
                                                               v1::ResidentialUnit* response) {
  return Respond(context, kUpdateMethod, [&] { return UpdateUnit(ctx_, units_, *context, *request, *response); });
}

grpc::Status ResidentialUnitServiceImpl::ListResidentialUnits(grpc::ServerContext* context,
                                                              const v1::ListResidentialUnitsRequest* request,
                                                              v1::ListResidentialUnitsResponse* response) {
  return Respond(context, kListMethod, [&] { return ListUnits(ctx_, units_, *context, *request, *response); });
}

}  // namespace grassroots::org
