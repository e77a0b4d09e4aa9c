// ScorecardService's closed periods (DESIGN.md, "As effective, then frozen").
#include "services/reporting/handlers/closed_reports.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/reporting/handlers/scorecard_handlers.h"
#include "services/reporting/handlers/scorecard_support.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
namespace api = common::api;
using store::ClosedReportStore;
using store::CountedUnit;
using store::StoredReport;

constexpr int32_t kDefaultChanges = 50;
constexpr int32_t kMaxChanges = 500;

absl::StatusOr<v1::ClosedReport> ToProto(const StoredReport& stored, bool with_indicators) {
  v1::ClosedReport report;
  report.set_name(ClosedReportResourceName(stored.org_id, stored.id));
  report.set_kind(static_cast<v1::ReportKind>(stored.kind));
  if (!report.mutable_scorecard()->ParseFromString(stored.scorecard)) {
    return absl::InternalError(absl::StrCat("the stored scorecard of ", report.name(), " is unreadable"));
  }
  if (!with_indicators) report.mutable_scorecard()->clear_indicators();
  report.set_closed_by(stored.closed_by);
  *report.mutable_close_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(stored.closed_at));
  report.set_note(stored.note);
  return report;
}

absl::StatusOr<StoredReport> LoadReport(HandlerContext& ctx, const ClosedReportName& name) {
  GR_ASSIGN_OR_RETURN(std::optional<StoredReport> stored,
                      ctx.pool.Read<std::optional<StoredReport>>("closed_report.get", [&](common::db::Session& session) {
                        return ClosedReportStore::Get(session, name.org_id, name.report_id);
                      }));
  if (!stored) {
    return absl::NotFoundError(
        absl::StrCat("name: ", ClosedReportResourceName(name.org_id, name.report_id), " does not exist"));
  }
  return *std::move(stored);
}

// What identifies a unit across the frozen and the live figures.
using UnitKey = std::tuple<int, int64_t, int64_t, std::string>;
UnitKey KeyOf(const CountedUnit& unit) { return {unit.subject, unit.subject_id, unit.unit_id, unit.post}; }

void AddChange(const CountedUnit& unit, const char* change, int32_t limit, v1::ReportComparison::IndicatorChange* out) {
  if (out->unit_changes_size() >= limit) {
    out->set_more_unit_changes(out->more_unit_changes() + 1);
    return;
  }
  v1::ReportComparison::UnitChange* entry = out->add_unit_changes();
  entry->set_kind(ShortfallKindOf(unit));
  entry->set_subject(SubjectName(unit));
  entry->set_organization(OrgName(unit.organization_id));
  entry->set_post(unit.post);
  entry->set_change(change);
}

// The units of one indicator that entered or left it, or crossed into or out of its numerator.
void CompareUnits(const std::vector<CountedUnit>& closed, const std::vector<CountedUnit>& live, int32_t limit,
                  v1::ReportComparison::IndicatorChange* out) {
  std::map<UnitKey, const CountedUnit*> then;
  for (const CountedUnit& unit : closed) then.emplace(KeyOf(unit), &unit);
  std::set<UnitKey> seen;
  for (const CountedUnit& unit : live) {
    const UnitKey key = KeyOf(unit);
    seen.insert(key);
    auto it = then.find(key);
    if (it == then.end()) {
      AddChange(unit, "ENTERED", limit, out);
    } else if (it->second->in_numerator != unit.in_numerator) {
      AddChange(unit, unit.in_numerator ? "NOW_MEETS" : "NO_LONGER_MEETS", limit, out);
    }
  }
  for (const CountedUnit& unit : closed) {
    if (!seen.contains(KeyOf(unit))) AddChange(unit, "LEFT", limit, out);
  }
}

std::vector<CountedUnit> OfIndicator(const std::vector<CountedUnit>& units, const std::string& id) {
  std::vector<CountedUnit> selected;
  for (const CountedUnit& unit : units) {
    if (unit.indicator == id) selected.push_back(unit);
  }
  return selected;
}

}  // namespace

absl::StatusOr<v1::ClosedReport> ClosedReportToProto(const StoredReport& stored, bool with_indicators) {
  return ToProto(stored, with_indicators);
}

absl::StatusOr<ClosedReportName> ParseClosedReportName(std::string_view name, std::string_view field) {
  GR_ASSIGN_OR_RETURN(const auto ids, api::ParseChildId(name, "organizations", "closedReports", field));
  return ClosedReportName{ids.first, ids.second};
}

std::string ClosedReportResourceName(int64_t org_id, int64_t report_id) {
  return absl::StrCat("organizations/", org_id, "/closedReports/", report_id);
}

absl::StatusOr<std::vector<CountedUnit>> FrozenUnits(HandlerContext& ctx, const ClosedReportName& name,
                                                     const std::string& indicator) {
  GR_RETURN_IF_ERROR(LoadReport(ctx, name).status());
  return ctx.pool.Read<std::vector<CountedUnit>>("closed_report.units", [&](common::db::Session& session) {
    return ClosedReportStore::Units(session, name.report_id, indicator);
  });
}

absl::StatusOr<v1::Scorecard> FrozenScorecard(HandlerContext& ctx, const ClosedReportName& name) {
  GR_ASSIGN_OR_RETURN(const StoredReport stored, LoadReport(ctx, name));
  GR_ASSIGN_OR_RETURN(v1::ClosedReport report, ToProto(stored, /*with_indicators=*/true));
  return std::move(*report.mutable_scorecard());
}

grpc::Status ScorecardServiceImpl::ClosePeriod(grpc::ServerContext* context, const v1::ClosePeriodRequest* request,
                                               v1::ClosedReport* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, request->scope()));
    if (request->kind() == v1::REPORT_KIND_UNSPECIFIED || !v1::ReportKind_IsValid(request->kind())) {
      return common::InvalidField("kind", "is required: YEARLY, MID_TERM_REVIEW or FINAL_REVIEW");
    }
    GR_ASSIGN_OR_RETURN(const std::string note, api::NormalizeText(request->note(), "note", false, 2000));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::ClosedReport>(
            ctx_.pool, "closed_report.close", write, envelope_.FullName(__func__), request->request_id(), *request,
            [&](common::db::Session& session) -> absl::StatusOr<v1::ClosedReport> {
              GR_ASSIGN_OR_RETURN(std::optional<int64_t> existing,
                                  ClosedReportStore::Find(session, scope.org_id, scope.evaluation.year, request->kind()));
              if (existing) {
                return absl::AlreadyExistsError(absl::StrCat(
                    "the ", v1::ReportKind_Name(request->kind()), " period of ", OrgName(scope.org_id), " for ",
                    scope.evaluation.year, " is closed already: ", ClosedReportResourceName(scope.org_id, *existing)));
              }
              // The figures of this moment, in their own snapshot; the units
              // and the scorecard stored together are that snapshot's.
              GR_ASSIGN_OR_RETURN(const Computed computed, Compute(ctx_, scope));
              StoredReport stored;
              stored.org_id = scope.org_id;
              stored.year = scope.evaluation.year;
              stored.kind = request->kind();
              stored.as_of = scope.evaluation.as_of;
              stored.plan_id = scope.plan->id;
              v1::Scorecard scorecard;
              FillScorecard(scope, computed, &scorecard);
              stored.scorecard = scorecard.SerializeAsString();
              stored.closed_by = call.principal.subject;
              stored.closed_at = absl::Now();
              stored.note = note;
              GR_ASSIGN_OR_RETURN(stored.id, ClosedReportStore::Insert(session, stored, CountedUnits(computed)));
              GR_RETURN_IF_ERROR(common::feed::RecordAudit(
                  session, write, "closed_report.close", ClosedReportResourceName(stored.org_id, stored.id),
                  {{"organization_id", stored.org_id},
                   {"year", stored.year},
                   {"kind", v1::ReportKind_Name(request->kind())}}));
              return ToProto(stored, /*with_indicators=*/true);
            }));
    return absl::OkStatus();
  });
}

grpc::Status ScorecardServiceImpl::GetClosedReport(grpc::ServerContext* context,
                                                   const v1::GetClosedReportRequest* request,
                                                   v1::ClosedReport* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ClosedReportName name, ParseClosedReportName(request->name(), "name"));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, name.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const StoredReport stored, LoadReport(ctx_, name));
    GR_ASSIGN_OR_RETURN(*response, ToProto(stored, /*with_indicators=*/true));
    return absl::OkStatus();
  });
}

grpc::Status ScorecardServiceImpl::ListClosedReports(grpc::ServerContext* context,
                                                     const v1::ListClosedReportsRequest* request,
                                                     v1::ListClosedReportsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t org_id, api::ParseId(request->organization(), "organizations", "organization"));
    if (request->year() < 0) return common::InvalidField("year", "must be a year, or 0 for every year");
    GR_ASSIGN_OR_RETURN(const int32_t page_size, api::ClampPageSize(request->page_size(), kDefaultPageSize, kMaxPageSize));
    const uint64_t fingerprint =
        api::Fingerprint({"closed-reports", request->organization(), absl::StrCat(request->year())});
    GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const std::vector<StoredReport> reports,
                        ctx_.pool.Read<std::vector<StoredReport>>("closed_report.list", [&](common::db::Session& session) {
                          return ClosedReportStore::List(session, org_id, request->year(), cursor ? cursor->last_id : 0,
                                                         page_size);
                        }));
    for (const StoredReport& stored : reports) {
      GR_ASSIGN_OR_RETURN(*response->add_reports(), ToProto(stored, /*with_indicators=*/false));
    }
    if (static_cast<int32_t>(reports.size()) == page_size) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          api::PageCursor{.last_key = "", .last_id = reports.back().id, .query_fingerprint = fingerprint}));
    }
    return absl::OkStatus();
  });
}

grpc::Status ScorecardServiceImpl::CompareWithClosedReport(grpc::ServerContext* context,
                                                           const v1::CompareWithClosedReportRequest* request,
                                                           v1::ReportComparison* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ClosedReportName name, ParseClosedReportName(request->name(), "name"));
    if (request->max_changes_per_indicator() < 0) {
      return common::InvalidField("max_changes_per_indicator", "must not be negative");
    }
    const int32_t limit = request->max_changes_per_indicator() == 0
                              ? kDefaultChanges
                              : std::min(request->max_changes_per_indicator(), kMaxChanges);
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, name.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const StoredReport stored, LoadReport(ctx_, name));
    // Units name persons: the comparison lists them for the roles that may see persons.
    const bool persons = call.principal.HasAnyRole(
        {common::auth::Role::kAdmin, common::auth::Role::kInspector, common::auth::Role::kSecretary});
    GR_ASSIGN_OR_RETURN(*response->mutable_closed(), ToProto(stored, /*with_indicators=*/true));
    // The same scope, day and plan, now.
    v1::ScorecardScope scope_request;
    scope_request.set_organization(OrgName(stored.org_id));
    scope_request.set_year(stored.year);
    scope_request.set_as_of_date(api::FormatDate(stored.as_of));
    scope_request.set_plan(absl::StrCat("plans/", stored.plan_id));
    GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, scope_request));
    GR_ASSIGN_OR_RETURN(const Computed computed, Compute(ctx_, scope));
    FillScorecard(scope, computed, response->mutable_live());
    GR_ASSIGN_OR_RETURN(const std::vector<CountedUnit> frozen, FrozenUnits(ctx_, name, ""));
    const std::vector<CountedUnit> live = CountedUnits(computed);
    for (const v1::IndicatorResult& then : response->closed().scorecard().indicators()) {
      v1::ReportComparison::IndicatorChange* change = response->add_indicators();
      change->set_id(then.id());
      *change->mutable_closed() = then;
      for (const v1::IndicatorResult& now : response->live().indicators()) {
        if (now.id() == then.id()) *change->mutable_live() = now;
      }
      change->set_changed(change->live().numerator() != then.numerator() ||
                          change->live().denominator() != then.denominator());
      GR_ASSIGN_OR_RETURN(const domain::Indicator indicator, domain::ParseIndicatorId(then.id()));
      if (ListsPersons(indicator) && !persons) continue;
      CompareUnits(OfIndicator(frozen, then.id()), OfIndicator(live, then.id()), limit, change);
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::reporting
