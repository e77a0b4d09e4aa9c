#include "services/reporting/handlers/scorecard_handlers.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/reporting/domain/scorecard.h"
#include "services/reporting/handlers/closed_reports.h"
#include "services/reporting/handlers/scorecard_support.h"
#include "services/reporting/store/scorecard_facts_store.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
namespace api = common::api;
using store::ScorecardFactsStore;

}  // namespace

ScorecardServiceImpl::ScorecardServiceImpl(HandlerContext& ctx)
    : ctx_(ctx), envelope_(v1::ScorecardService::service_full_name(), ctx.authorizer) {}

grpc::Status ScorecardServiceImpl::GetScorecard(grpc::ServerContext* context, const v1::GetScorecardRequest* request,
                                                v1::Scorecard* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, request->scope()));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const ComputedTotals computed, ComputeTotals(ctx_, scope));
    FillScorecard(scope, computed.counts, computed.previous_counts, computed.positions, computed.names, response);
    return absl::OkStatus();
  });
}

grpc::Status ScorecardServiceImpl::GetScorecardBreakdown(grpc::ServerContext* context,
                                                         const v1::GetScorecardBreakdownRequest* request,
                                                         v1::ScorecardBreakdown* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, request->scope()));
    std::set<std::string> only;
    for (int i = 0; i < request->indicators_size(); ++i) {
      GR_ASSIGN_OR_RETURN(const domain::Indicator indicator, domain::ParseIndicatorId(request->indicators(i)));
      only.insert(domain::IndicatorId(indicator));
    }
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const ComputedTotals computed, ComputeTotals(ctx_, scope, /*by_child=*/true));
    FillScorecard(scope, computed.counts, computed.previous_counts, computed.positions, computed.names,
                  response->mutable_total());
    response->mutable_total()->clear_positions();
    if (!only.empty()) {
      auto* indicators = response->mutable_total()->mutable_indicators();
      indicators->erase(std::remove_if(indicators->begin(), indicators->end(),
                                       [&](const v1::IndicatorResult& r) { return !only.contains(r.id()); }),
                        indicators->end());
    }
    FillBreakdownRows(scope, computed, only, response->mutable_rows());
    return absl::OkStatus();
  });
}

grpc::Status ScorecardServiceImpl::ListShortfalls(grpc::ServerContext* context,
                                                  const v1::ListShortfallsRequest* request,
                                                  v1::ListShortfallsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->indicator().empty()) return common::InvalidField("indicator", "is required (S1 ... S15)");
    absl::StatusOr<domain::Indicator> parsed = domain::ParseIndicatorId(request->indicator());
    if (!parsed.ok()) return common::InvalidField("indicator", std::string(parsed.status().message()));
    const domain::Indicator indicator = *parsed;
    if (!HasShortfallList(indicator)) {
      return common::InvalidField("indicator", absl::StrCat(domain::IndicatorId(indicator),
                                                            " is a count or a rate of admissions: no unit falls short"));
    }
    if (ListsPersons(indicator) &&
        !call.principal.HasAnyRole({common::auth::Role::kAdmin, common::auth::Role::kInspector,
                                    common::auth::Role::kSecretary})) {
      return absl::PermissionDeniedError(
          absl::StrCat("the shortfalls of ", domain::IndicatorId(indicator), " are persons: aggregates only for this role"));
    }
    GR_ASSIGN_OR_RETURN(const int32_t page_size, api::ClampPageSize(request->page_size(), kDefaultPageSize, kMaxPageSize));
    std::vector<store::CountedUnit> units;
    uint64_t fingerprint = 0;
    if (!request->closed_report().empty()) {
      GR_ASSIGN_OR_RETURN(const ClosedReportName name, ParseClosedReportName(request->closed_report(), "closed_report"));
      fingerprint = api::Fingerprint({"closed-shortfalls", request->closed_report(), domain::IndicatorId(indicator)});
      GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, name.org_id, ctx_.organizations));
      GR_ASSIGN_OR_RETURN(units, FrozenUnits(ctx_, name, domain::IndicatorId(indicator)));
    } else {
      GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, request->scope()));
      fingerprint =
          api::Fingerprint({"shortfalls", request->scope().organization(), absl::StrCat(scope.evaluation.year),
                            api::FormatDate(scope.evaluation.as_of), scope.plan->id, domain::IndicatorId(indicator)});
      GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
      GR_ASSIGN_OR_RETURN(const Computed computed, Compute(ctx_, scope, /*with_previous_year=*/false));
      units = CountedUnits(computed, indicator);
    }
    GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    std::vector<const store::CountedUnit*> short_of;
    for (const store::CountedUnit& unit : units) {
      if (!unit.in_numerator) short_of.push_back(&unit);
    }
    response->set_total_size(static_cast<int64_t>(short_of.size()));
    const size_t begin = std::min(static_cast<size_t>(cursor ? cursor->last_id : 0), short_of.size());
    const size_t end = std::min(begin + static_cast<size_t>(page_size), short_of.size());
    for (size_t i = begin; i < end; ++i) FillShortfall(*short_of[i], response->add_shortfalls());
    if (end < short_of.size()) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          api::PageCursor{.last_key = "", .last_id = static_cast<int64_t>(end), .query_fingerprint = fingerprint}));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::reporting
