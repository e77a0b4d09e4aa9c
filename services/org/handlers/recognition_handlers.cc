#include "services/org/handlers/recognition_handlers.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/org/domain/rating_rules.h"
#include "services/org/handlers/activity_support.h"
#include "services/org/handlers/organization_handlers.h"  // Respond, RequireOrgInScopeLocked

namespace grassroots::org {
namespace {

namespace api = common::api;

std::string NewModelName(int64_t org_id, int64_t id) { return absl::StrCat(OrgName(org_id), "/newModels/", id); }
std::string FourGoodName(int64_t org_id, int32_t year) {
  return absl::StrCat(OrgName(org_id), "/fourGoodDesignations/", year);
}
std::string RatingName(int64_t org_id, int32_t year) { return absl::StrCat(OrgName(org_id), "/ratings/", year); }

void NewModelToProto(const domain::NewModel& m, v1::NewModel* proto) {
  proto->set_name(NewModelName(m.organization_id, m.id));
  proto->set_organization(OrgName(m.organization_id));
  proto->set_year(m.year);
  proto->set_title(m.title);
  proto->set_description(m.description);
  ToProto(m.recognition, proto->mutable_recognition());
}

void FourGoodToProto(const domain::FourGoodDesignation& d, v1::FourGoodDesignation* proto) {
  proto->set_name(FourGoodName(d.organization_id, d.year));
  proto->set_organization(OrgName(d.organization_id));
  proto->set_year(d.year);
  proto->set_kind(static_cast<v1::FourGoodKind>(d.kind));
  ToProto(d.decision, proto->mutable_decision());
}

void RatingToProto(const domain::OrganizationRating& r, v1::OrganizationRating* proto) {
  proto->set_name(RatingName(r.organization_id, r.year));
  proto->set_organization(OrgName(r.organization_id));
  proto->set_year(r.year);
  proto->set_score(r.score);
  proto->set_level(static_cast<v1::QualityLevel>(r.level));
  proto->set_disqualified(r.disqualified);
  proto->set_disqualification_reason(r.disqualification_reason);
  ToProto(r.decision, proto->mutable_decision());
  proto->set_rule_citation(r.rule_citation);
  proto->set_etag(api::MakeEtag(r.version));
}

absl::Status Record(common::db::Session& session, const common::auth::CallContext& call, std::string_view type,
                    const std::string& name, std::string_view action, const google::protobuf::Message& proto,
                    nlohmann::json audit) {
  common::feed::ChangeRecord change;
  change.resource_type = std::string(type);
  change.resource_name = name;
  change.action = std::string(action);
  change.resource = &proto;
  change.audit_details = std::move(audit);
  return common::feed::RecordChange(session, common::feed::WriteContextOf(call), change);
}

// Parent plus scope for the list methods: the organization exists today and is in scope.
absl::StatusOr<int64_t> ListParent(HandlerContext& ctx, const common::auth::CallContext& call,
                                   const std::string& parent) {
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(parent, "parent"));
  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, api::Today()).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));
  return org_id;
}

// One page of a recognition list: how many rows, and where the previous page ended.
struct ListPaging {
  store::RecognitionStore::ListPage page;  // limit is size + 1: the extra row says a next page exists
  int32_t size = 0;
  uint64_t fingerprint = 0;
};

absl::StatusOr<ListPaging> ParseListPaging(HandlerContext& ctx, std::string_view method, const std::string& parent,
                                           bool include_subtree, int32_t year, int32_t page_size,
                                           const std::string& page_token) {
  ListPaging out;
  GR_ASSIGN_OR_RETURN(out.size, api::ClampPageSize(page_size, 100, 1000));
  out.page.limit = out.size + 1;
  out.fingerprint = api::Fingerprint({method, parent, include_subtree ? "subtree" : "", absl::StrCat(year)});
  GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx.page_tokens.Decode(page_token, out.fingerprint));
  if (cursor) {
    const std::pair<absl::string_view, absl::string_view> key = absl::StrSplit(cursor->last_key, ':');
    store::RecognitionStore::ListPosition after{.id = cursor->last_id};
    if (!absl::SimpleAtoi(key.first, &after.organization_id) || !absl::SimpleAtoi(key.second, &after.year)) {
      return common::InvalidField("page_token", "is not valid");
    }
    out.page.after = after;
  }
  return out;
}

// Keeps one page of `rows` and answers the next page's token ("" on the last page).
template <typename Row>
std::string KeepPage(HandlerContext& ctx, const ListPaging& paging, std::vector<Row>& rows) {
  if (rows.size() <= static_cast<size_t>(paging.size)) return "";
  rows.resize(static_cast<size_t>(paging.size));
  api::PageCursor next;
  next.last_key = absl::StrCat(rows.back().organization_id, ":", rows.back().year);
  next.last_id = rows.back().id;
  next.query_fingerprint = paging.fingerprint;
  return ctx.page_tokens.Encode(next);
}

absl::Status RecordNewModelImpl(HandlerContext& ctx, store::RecognitionStore& store,
                                const common::auth::CallContext& call, std::string_view method,
                                const v1::RecordNewModelRequest& request, v1::NewModel& response) {
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.parent(), "parent"));
  const v1::NewModel& in = request.model();
  if (!in.organization().empty() && in.organization() != request.parent()) {
    return common::InvalidField("model.organization", "must be empty or equal to parent");
  }
  domain::NewModel model;
  model.organization_id = org_id;
  GR_RETURN_IF_ERROR(activity::ValidateYear(in.year(), "model.year", /*allow_zero=*/false));
  model.year = in.year();
  GR_ASSIGN_OR_RETURN(model.title, api::NormalizeText(in.title(), "model.title", true, 500));
  GR_ASSIGN_OR_RETURN(model.description, api::NormalizeText(in.description(), "model.description", false, 10000));
  GR_ASSIGN_OR_RETURN(model.recognition, DecisionFromProto(in.recognition(), "model.recognition"));
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, api::Today()).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));
  GR_ASSIGN_OR_RETURN(response, common::feed::RunIdempotentTyped<v1::NewModel>(
                                    ctx.pool, "new_model.record", common::feed::WriteContextOf(call),
                                    method, request.request_id(), request,
                                    [&](common::db::Session& session) -> absl::StatusOr<v1::NewModel> {
                                      GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, org_id));
                                      GR_RETURN_IF_ERROR(
                                          activity::OrganizationInYear(ctx, session, org_id, model.year).status());
                                      GR_ASSIGN_OR_RETURN(domain::NewModel stored, store.InsertNewModel(session, model));
                                      v1::NewModel proto;
                                      NewModelToProto(stored, &proto);
                                      GR_RETURN_IF_ERROR(Record(session, call, "new_model", proto.name(), "created",
                                                                proto, {{"organization_id", org_id},
                                                                        {"year", model.year}}));
                                      return proto;
                                    }));
  return absl::OkStatus();
}

absl::Status ListNewModelsImpl(HandlerContext& ctx, store::RecognitionStore& store,
                               const common::auth::CallContext& call, const v1::ListNewModelsRequest& request,
                               v1::ListNewModelsResponse& response) {
  GR_RETURN_IF_ERROR(activity::ValidateYear(request.year(), "year", /*allow_zero=*/true));
  GR_ASSIGN_OR_RETURN(const ListPaging paging,
                      ParseListPaging(ctx, "ListNewModels", request.parent(), request.include_subtree(),
                                      request.year(), request.page_size(), request.page_token()));
  GR_ASSIGN_OR_RETURN(int64_t org_id, ListParent(ctx, call, request.parent()));
  GR_ASSIGN_OR_RETURN(std::vector<domain::NewModel> rows,
                      ctx.pool.Read<std::vector<domain::NewModel>>(
                          "new_model.list",
                          [&](common::db::Session& session) -> absl::StatusOr<std::vector<domain::NewModel>> {
                            GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                                                activity::OrganizationIds(ctx, session, org_id,
                                                                          request.include_subtree(), api::Today()));
                            return store.ListNewModels(session, ids, request.year(), paging.page);
                          }));
  response.set_next_page_token(KeepPage(ctx, paging, rows));
  for (const domain::NewModel& m : rows) NewModelToProto(m, response.add_models());
  return absl::OkStatus();
}

absl::Status RecordFourGoodImpl(HandlerContext& ctx, store::RecognitionStore& store,
                                const common::auth::CallContext& call,
                                const v1::RecordFourGoodDesignationRequest& request,
                                v1::FourGoodDesignation& response) {
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.parent(), "parent"));
  const v1::FourGoodDesignation& in = request.designation();
  if (!in.organization().empty() && in.organization() != request.parent()) {
    return common::InvalidField("designation.organization", "must be empty or equal to parent");
  }
  domain::FourGoodDesignation designation;
  designation.organization_id = org_id;
  GR_RETURN_IF_ERROR(activity::ValidateYear(in.year(), "designation.year", /*allow_zero=*/false));
  designation.year = in.year();
  if (!domain::IsKnownFourGoodKind(in.kind())) {
    return common::InvalidField("designation.kind", "must be CELL or GRASSROOTS_COMMITTEE");
  }
  designation.kind = static_cast<domain::FourGoodKind>(in.kind());
  GR_ASSIGN_OR_RETURN(designation.decision, DecisionFromProto(in.decision(), "designation.decision"));

  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, api::Today()).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));
  GR_ASSIGN_OR_RETURN(
      response, ctx.pool.Transact<v1::FourGoodDesignation>(
                    "four_good.record", [&](common::db::Session& session) -> absl::StatusOr<v1::FourGoodDesignation> {
                      GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, org_id));
                      // The organization's type as it stood in that year decides which title fits.
                      GR_ASSIGN_OR_RETURN(domain::Organization org,
                                          activity::OrganizationInYear(ctx, session, org_id, designation.year));
                      GR_RETURN_IF_ERROR(domain::CheckFourGoodKind(designation.kind, org));
                      GR_ASSIGN_OR_RETURN(domain::FourGoodDesignation stored,
                                          store.InsertFourGood(session, designation));
                      v1::FourGoodDesignation proto;
                      FourGoodToProto(stored, &proto);
                      GR_RETURN_IF_ERROR(Record(session, call, "four_good_designation", proto.name(), "created", proto,
                                                {{"organization_id", org_id},
                                                 {"year", designation.year},
                                                 {"kind", static_cast<int>(designation.kind)}}));
                      return proto;
                    }));
  return absl::OkStatus();
}

absl::Status ListFourGoodImpl(HandlerContext& ctx, store::RecognitionStore& store,
                              const common::auth::CallContext& call, const v1::ListFourGoodDesignationsRequest& request,
                              v1::ListFourGoodDesignationsResponse& response) {
  GR_RETURN_IF_ERROR(activity::ValidateYear(request.year(), "year", /*allow_zero=*/true));
  GR_ASSIGN_OR_RETURN(const ListPaging paging,
                      ParseListPaging(ctx, "ListFourGoodDesignations", request.parent(), request.include_subtree(),
                                      request.year(), request.page_size(), request.page_token()));
  GR_ASSIGN_OR_RETURN(int64_t org_id, ListParent(ctx, call, request.parent()));
  GR_ASSIGN_OR_RETURN(
      std::vector<domain::FourGoodDesignation> rows,
      ctx.pool.Read<std::vector<domain::FourGoodDesignation>>(
          "four_good.list",
          [&](common::db::Session& session) -> absl::StatusOr<std::vector<domain::FourGoodDesignation>> {
            GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, activity::OrganizationIds(ctx, session, org_id,
                                                                                    request.include_subtree(),
                                                                                    api::Today()));
            return store.ListFourGood(session, ids, request.year(), paging.page);
          }));
  response.set_next_page_token(KeepPage(ctx, paging, rows));
  for (const domain::FourGoodDesignation& d : rows) FourGoodToProto(d, response.add_designations());
  return absl::OkStatus();
}

absl::Status RateImpl(HandlerContext& ctx, store::RecognitionStore& store, const common::auth::CallContext& call,
                      const v1::RateOrganizationRequest& request, v1::OrganizationRating& response) {
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.parent(), "parent"));
  const v1::OrganizationRating& in = request.rating();
  if (!in.organization().empty() && in.organization() != request.parent()) {
    return common::InvalidField("rating.organization", "must be empty or equal to parent");
  }
  GR_RETURN_IF_ERROR(activity::ValidateYear(in.year(), "rating.year", /*allow_zero=*/false));
  domain::RatingInput input;
  input.year = in.year();
  input.score = in.score();
  input.disqualified = in.disqualified();
  GR_ASSIGN_OR_RETURN(input.disqualification_reason,
                      api::NormalizeText(in.disqualification_reason(), "rating.disqualification_reason", false, 1000));
  GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(in.decision(), "rating.decision"));
  // The level is derived; a client may send the level it expects, but it must agree.
  GR_ASSIGN_OR_RETURN(domain::RatingOutcome outcome, domain::Rate(input, ctx.rules));
  if (in.level() != v1::QUALITY_LEVEL_UNSPECIFIED && static_cast<int>(in.level()) != static_cast<int>(outcome.level)) {
    return common::InvalidField("rating.level", "does not follow from the score and the bands in force");
  }

  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, api::Today()).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));
  // The committee above an organization decides its rating: a secretary rates the
  // organizations below their own, never their own.
  if (!call.principal.HasRole(common::auth::Role::kAdmin) && call.principal.scope_org_id == org_id) {
    return absl::PermissionDeniedError("an organization's rating is decided by the committee above it");
  }

  const std::string name = RatingName(org_id, input.year);
  GR_ASSIGN_OR_RETURN(
      response,
      ctx.pool.Transact<v1::OrganizationRating>(
          "rating.rate", [&](common::db::Session& session) -> absl::StatusOr<v1::OrganizationRating> {
            GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, org_id));
            GR_RETURN_IF_ERROR(activity::OrganizationInYear(ctx, session, org_id, input.year).status());
            GR_ASSIGN_OR_RETURN(std::optional<domain::OrganizationRating> existing,
                                store.FindRatingForUpdate(session, org_id, input.year));
            domain::OrganizationRating rating;
            if (existing) {
              if (in.etag().empty()) {
                return common::Reasoned(absl::StatusCode::kAborted, "ETAG_REQUIRED",
                                        absl::StrCat(name, " exists; send its etag to replace it"));
              }
              GR_RETURN_IF_ERROR(api::CheckEtag(in.etag(), existing->version, name));
              rating = *existing;
            } else if (!in.etag().empty()) {
              return common::Reasoned(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                                      absl::StrCat(name, " does not exist; send no etag to create it"));
            }
            rating.organization_id = org_id;
            rating.year = input.year;
            rating.score = input.score;
            rating.level = outcome.level;
            rating.disqualified = input.disqualified;
            rating.disqualification_reason = input.disqualification_reason;
            rating.decision = decision;
            rating.rule_id = outcome.rule_id;
            rating.rule_citation = outcome.citation;
            GR_ASSIGN_OR_RETURN(domain::OrganizationRating stored,
                                existing ? store.ReplaceRating(session, rating) : store.InsertRating(session, rating));
            v1::OrganizationRating proto;
            RatingToProto(stored, &proto);
            GR_RETURN_IF_ERROR(Record(session, call, "organization_rating", name, existing ? "updated" : "created",
                                      proto,
                                      {{"organization_id", org_id},
                                       {"year", input.year},
                                       {"level", static_cast<int>(stored.level)},
                                       {"rule_id", stored.rule_id}}));
            return proto;
          }));
  return absl::OkStatus();
}

absl::Status ListRatingsImpl(HandlerContext& ctx, store::RecognitionStore& store, const common::auth::CallContext& call,
                             const v1::ListOrganizationRatingsRequest& request,
                             v1::ListOrganizationRatingsResponse& response) {
  GR_RETURN_IF_ERROR(activity::ValidateYear(request.year(), "year", /*allow_zero=*/true));
  GR_ASSIGN_OR_RETURN(const ListPaging paging,
                      ParseListPaging(ctx, "ListOrganizationRatings", request.parent(), request.include_subtree(),
                                      request.year(), request.page_size(), request.page_token()));
  GR_ASSIGN_OR_RETURN(int64_t org_id, ListParent(ctx, call, request.parent()));
  GR_ASSIGN_OR_RETURN(
      std::vector<domain::OrganizationRating> rows,
      ctx.pool.Read<std::vector<domain::OrganizationRating>>(
          "rating.list", [&](common::db::Session& session) -> absl::StatusOr<std::vector<domain::OrganizationRating>> {
            GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, activity::OrganizationIds(ctx, session, org_id,
                                                                                    request.include_subtree(),
                                                                                    api::Today()));
            return store.ListRatings(session, ids, request.year(), paging.page);
          }));
  response.set_next_page_token(KeepPage(ctx, paging, rows));
  for (const domain::OrganizationRating& r : rows) RatingToProto(r, response.add_ratings());
  return absl::OkStatus();
}

}  // namespace

grpc::Status RecognitionServiceImpl::RecordNewModel(grpc::ServerContext* context,
                                                    const v1::RecordNewModelRequest* request, v1::NewModel* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RecordNewModelImpl(ctx_, recognitions_, call, method, *request, *response);
  });
}

grpc::Status RecognitionServiceImpl::ListNewModels(grpc::ServerContext* context, const v1::ListNewModelsRequest* request,
                                                   v1::ListNewModelsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListNewModelsImpl(ctx_, recognitions_, call, *request, *response);
  });
}

grpc::Status RecognitionServiceImpl::RecordFourGoodDesignation(grpc::ServerContext* context,
                                                               const v1::RecordFourGoodDesignationRequest* request,
                                                               v1::FourGoodDesignation* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RecordFourGoodImpl(ctx_, recognitions_, call, *request, *response);
  });
}

grpc::Status RecognitionServiceImpl::ListFourGoodDesignations(grpc::ServerContext* context,
                                                              const v1::ListFourGoodDesignationsRequest* request,
                                                              v1::ListFourGoodDesignationsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListFourGoodImpl(ctx_, recognitions_, call, *request, *response);
  });
}

grpc::Status RecognitionServiceImpl::RateOrganization(grpc::ServerContext* context,
                                                      const v1::RateOrganizationRequest* request,
                                                      v1::OrganizationRating* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RateImpl(ctx_, recognitions_, call, *request, *response);
  });
}

grpc::Status RecognitionServiceImpl::ListOrganizationRatings(grpc::ServerContext* context,
                                                             const v1::ListOrganizationRatingsRequest* request,
                                                             v1::ListOrganizationRatingsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListRatingsImpl(ctx_, recognitions_, call, *request, *response);
  });
}

}  // namespace grassroots::org
