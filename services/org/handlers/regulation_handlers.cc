// OrganizationServiceImpl's working-regulation and rules methods (the class is declared
// in organization_handlers.h).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/org/handlers/activity_support.h"
#include "services/org/handlers/organization_handlers.h"

namespace grassroots::org {
namespace {

namespace api = common::api;

constexpr char kResourceType[] = "working_regulation";

std::string RegulationName(int64_t org_id, int32_t version) {
  return absl::StrCat(OrgName(org_id), "/regulations/", version);
}

// As the regulation stood on `as_of`: a later supersession is not yet visible.
void RegulationToProto(const domain::WorkingRegulation& r, absl::CivilDay as_of, v1::WorkingRegulation* proto) {
  proto->set_name(RegulationName(r.organization_id, r.version));
  proto->set_organization(OrgName(r.organization_id));
  proto->set_version(r.version);
  proto->set_title(r.title);
  proto->set_adopted_on(api::FormatDate(r.adopted_on));
  if (r.superseded_on && *r.superseded_on <= as_of) proto->set_superseded_on(api::FormatDate(*r.superseded_on));
  proto->set_in_force(r.InForceOn(as_of));
  ToProto(r.decision, proto->mutable_decision());
}

absl::Status RecordRegulationChange(common::db::Session& session, const common::auth::CallContext& call,
                                    const domain::WorkingRegulation& r, std::string_view action) {
  // The feed carries the record as stored (superseded_on included), not an as-of view.
  v1::WorkingRegulation proto;
  RegulationToProto(r, absl::CivilDay::max(), &proto);
  proto.set_in_force(!r.superseded_on);
  common::feed::ChangeRecord change;
  change.resource_type = kResourceType;
  change.resource_name = proto.name();
  change.action = std::string(action);
  change.resource = &proto;
  change.audit_details = {{"organization_id", r.organization_id}, {"version", r.version}};
  return common::feed::RecordChange(session, common::feed::WriteContextOf(call), change);
}

absl::Status AdoptImpl(HandlerContext& ctx, store::RegulationStore& store, const common::auth::CallContext& call,
                       std::string_view method, const v1::AdoptWorkingRegulationRequest& request,
                       v1::WorkingRegulation& response) {
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.parent(), "parent"));
  const v1::WorkingRegulation& in = request.regulation();
  if (!in.organization().empty() && in.organization() != request.parent()) {
    return common::InvalidField("regulation.organization", "must be empty or equal to parent");
  }
  domain::WorkingRegulation regulation;
  regulation.organization_id = org_id;
  if (in.version() <= 0) return common::InvalidField("regulation.version", "must be a positive number");
  regulation.version = in.version();
  GR_ASSIGN_OR_RETURN(regulation.title, api::NormalizeText(in.title(), "regulation.title", true, 500));
  if (in.adopted_on().empty()) return common::InvalidField("regulation.adopted_on", "is required");
  GR_ASSIGN_OR_RETURN(regulation.adopted_on, api::ParseDate(in.adopted_on(), "regulation.adopted_on"));
  GR_ASSIGN_OR_RETURN(regulation.decision, DecisionFromProto(in.decision(), "regulation.decision"));
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, regulation.adopted_on).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));

  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(
      response, common::feed::RunIdempotentTyped<v1::WorkingRegulation>(
                    ctx.pool, "regulation.adopt", common::feed::WriteContextOf(call), method, request.request_id(),
                    request, [&](common::db::Session& session) -> absl::StatusOr<v1::WorkingRegulation> {
                      GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, org_id));
                      GR_RETURN_IF_ERROR(
                          activity::ActiveOrganization(ctx, session, org_id, regulation.adopted_on).status());
                      GR_ASSIGN_OR_RETURN(store::RegulationStore::Adopted adopted, store.Adopt(session, regulation));
                      if (adopted.superseded) {
                        GR_RETURN_IF_ERROR(RecordRegulationChange(session, call, *adopted.superseded, "superseded"));
                      }
                      GR_RETURN_IF_ERROR(RecordRegulationChange(session, call, adopted.regulation, "adopted"));
                      v1::WorkingRegulation proto;
                      RegulationToProto(adopted.regulation, today, &proto);
                      return proto;
                    }));
  return absl::OkStatus();
}

absl::Status ListImpl(HandlerContext& ctx, store::RegulationStore& store, const common::auth::CallContext& call,
                      const v1::ListWorkingRegulationsRequest& request, v1::ListWorkingRegulationsResponse& response) {
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.parent(), "parent"));
  GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request.as_of_date(), "as_of_date", api::Today()));
  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, as_of).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));
  GR_ASSIGN_OR_RETURN(std::vector<domain::WorkingRegulation> rows,
                      ctx.pool.Read<std::vector<domain::WorkingRegulation>>(
                          "regulation.list", [&](common::db::Session& session) { return store.List(session, org_id); }));
  // Versions adopted after the as-of date did not exist yet.
  for (const domain::WorkingRegulation& r : rows) {
    if (r.adopted_on <= as_of) RegulationToProto(r, as_of, response.add_regulations());
  }
  return absl::OkStatus();
}

absl::Status ListRulesImpl(HandlerContext& ctx, const v1::ListRulesRequest& request, v1::ListRulesResponse& response) {
  GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request.as_of_date(), "as_of_date", api::Today()));
  if (request.id_prefix().size() > 200) return common::InvalidField("id_prefix", "must be at most 200 characters");
  for (const common::Rule* rule : ctx.rules.InForce(as_of, request.id_prefix())) {
    v1::Rule* out = response.add_rules();
    out->set_id(rule->id);
    out->set_value_json(rule->value.dump());
    out->set_effective_from(api::FormatDate(rule->effective_from));
    if (rule->effective_to) out->set_effective_to(api::FormatDate(*rule->effective_to));
    out->set_citation(rule->citation);
    out->set_description(rule->description);
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status OrganizationServiceImpl::AdoptWorkingRegulation(grpc::ServerContext* context,
                                                             const v1::AdoptWorkingRegulationRequest* request,
                                                             v1::WorkingRegulation* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return AdoptImpl(ctx_, regulations_, call, method, *request, *response);
  });
}

grpc::Status OrganizationServiceImpl::ListWorkingRegulations(grpc::ServerContext* context,
                                                             const v1::ListWorkingRegulationsRequest* request,
                                                             v1::ListWorkingRegulationsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListImpl(ctx_, regulations_, call, *request, *response);
  });
}

grpc::Status OrganizationServiceImpl::ListRules(grpc::ServerContext* context, const v1::ListRulesRequest* request,
                                                v1::ListRulesResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext&) {
    return ListRulesImpl(ctx_, *request, *response);
  });
}

}  // namespace grassroots::org
