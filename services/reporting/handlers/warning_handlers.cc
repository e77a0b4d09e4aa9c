#include "services/reporting/handlers/warning_handlers.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/reporting/domain/warnings.h"
#include "services/reporting/handlers/category_rules.h"
#include "services/reporting/handlers/plan_lookup.h"
#include "services/reporting/store/scorecard_facts_store.h"
#include "services/reporting/store/warning_store.h"
#include "services/reporting/handlers/plan_handlers.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
namespace api = common::api;
using domain::WarningKind;
using store::ScorecardFactsStore;

constexpr int32_t kDefaultPageSize = 50;
constexpr int32_t kMaxPageSize = 500;

struct WarningQuery {
  int64_t org_id = 0;
  domain::Evaluation evaluation;
  const domain::Plan* plan = nullptr;
  std::set<WarningKind> kinds;  // never empty: the kinds asked, or every kind the caller may see
};

absl::StatusOr<const domain::Plan*> PlanNamed(const HandlerContext& ctx, const std::string& name) {
  std::string plan_id = ctx.plans.default_plan_id;
  if (!name.empty()) {
    GR_ASSIGN_OR_RETURN(plan_id, ParsePlanName(name, "plan"));
  }
  GR_ASSIGN_OR_RETURN(const KnownPlan plan, ResolvePlan(ctx, plan_id, "plan"));
  return plan.plan;
}

// The kinds asked, checked against what the caller may see: aggregate-only
// readers (the portal) get the kinds about organizations, units and the plan.
absl::StatusOr<std::set<WarningKind>> KindsFor(const v1::ListWarningsRequest& request, bool sees_members) {
  std::set<WarningKind> kinds;
  for (int i = 0; i < request.kinds_size(); ++i) {
    const int number = request.kinds(i);
    const auto& all = domain::AllWarningKinds();
    auto kind = std::find(all.begin(), all.end(), static_cast<WarningKind>(number));
    if (number == v1::WARNING_KIND_UNSPECIFIED || kind == all.end()) {
      return common::InvalidField(absl::StrCat("kinds[", i, "]"), "must be a WarningKind other than UNSPECIFIED");
    }
    if (domain::IsAboutMembers(*kind) && !sees_members) {
      return absl::PermissionDeniedError(absl::StrCat(v1::WarningKind_Name(number),
                                                      " names members: aggregates only for this role"));
    }
    kinds.insert(*kind);
  }
  if (kinds.empty()) {
    for (WarningKind kind : domain::AllWarningKinds())
      if (sees_members || !domain::IsAboutMembers(kind)) kinds.insert(kind);
  }
  return kinds;
}

absl::StatusOr<WarningQuery> ParseQuery(const HandlerContext& ctx, const v1::ListWarningsRequest& request,
                                        bool sees_members) {
  WarningQuery query;
  GR_ASSIGN_OR_RETURN(query.org_id, api::ParseId(request.organization(), "organizations", "organization"));
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(const absl::CivilDay as_of, api::ParseDateOr(request.as_of_date(), "as_of_date", today));
  if (as_of > today) return common::InvalidField("as_of_date", "must not be after today");
  GR_ASSIGN_OR_RETURN(query.plan, PlanNamed(ctx, request.plan()));
  const int year = static_cast<int>(as_of.year());
  query.evaluation = domain::Evaluation{year, as_of, query.plan->TermFrom().value_or(absl::CivilDay(year, 1, 1))};
  GR_ASSIGN_OR_RETURN(query.kinds, KindsFor(request, sees_members));
  return query;
}

// The facts the warnings are judged on, read in one snapshot.
struct WarningInputs {
  domain::SubtreeFacts on_day;
  std::optional<domain::SubtreeFacts> previous_year_end;
  std::map<int64_t, absl::CivilDay> probation_end_dates;
  std::map<std::string, domain::TaskState> task_states;
};

absl::StatusOr<WarningInputs> LoadInputs(HandlerContext& ctx, const WarningQuery& query) {
  const domain::Evaluation& evaluation = query.evaluation;
  GR_ASSIGN_OR_RETURN(const store::CategoryRules rules, CategoryRulesOn(ctx.rules, evaluation.as_of));
  // Residence feedback is judged on the previous year, by S2b's definitions on its last day.
  const bool wants_feedback = query.kinds.contains(WarningKind::kNoResidenceFeedback);
  const domain::Evaluation previous{evaluation.year - 1, absl::CivilDay(evaluation.year - 1, 12, 31),
                                    evaluation.term_from};
  std::optional<store::CategoryRules> previous_rules;
  if (wants_feedback) {
    GR_ASSIGN_OR_RETURN(previous_rules, CategoryRulesOn(ctx.rules, previous.as_of));
  }
  return ctx.pool.Transact<WarningInputs>(
      "warnings.load", [&](common::db::Session& session) -> absl::StatusOr<WarningInputs> {
        GR_ASSIGN_OR_RETURN(const std::optional<store::OrganizationLife> life,
                            ScorecardFactsStore::Life(session, query.org_id));
        if (!life) return absl::NotFoundError(absl::StrCat("organization: organizations/", query.org_id, " is not known"));
        auto exists_on = [&](absl::CivilDay day) {
          return life->established_on <= day && (!life->ended_on || day < *life->ended_on);
        };
        if (!exists_on(evaluation.as_of)) {
          return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
                                  absl::StrCat("organizations/", query.org_id, " did not exist on ",
                                               api::FormatDate(evaluation.as_of), "; ask for a day it existed on"));
        }
        WarningInputs inputs;
        GR_ASSIGN_OR_RETURN(inputs.on_day, ScorecardFactsStore::Load(session, query.org_id, evaluation, rules));
        if (query.kinds.contains(WarningKind::kProbationNotRecognized)) {
          GR_ASSIGN_OR_RETURN(inputs.probation_end_dates, store::WarningStore::ProbationEndDates(session, inputs.on_day));
        }
        if (query.kinds.contains(WarningKind::kPlanTaskOverdue)) {
          GR_ASSIGN_OR_RETURN(inputs.task_states,
                              TaskStatesOn(session, query.plan->id, query.org_id, evaluation.as_of));
        }
        if (wants_feedback && exists_on(previous.as_of)) {
          GR_ASSIGN_OR_RETURN(inputs.previous_year_end,
                              ScorecardFactsStore::Load(session, query.org_id, previous, *previous_rules));
          GR_RETURN_IF_ERROR(store::WarningStore::ReplaceFeedbackYear(session, previous.year, evaluation.as_of,
                                                                      *inputs.previous_year_end));
        }
        return inputs;
      });
}

std::string SubjectName(const domain::Plan& plan, const domain::Warning& warning) {
  switch (warning.subject) {
    case domain::Warning::Subject::kOrganization: return api::MakeName("organizations", warning.subject_id);
    case domain::Warning::Subject::kResidentialUnit: return api::MakeName("residentialUnits", warning.subject_id);
    case domain::Warning::Subject::kMember: return api::MakeName("members", warning.subject_id);
    case domain::Warning::Subject::kPlanTask: return absl::StrCat("plans/", plan.id, "/tasks/", warning.task_id);
  }
  return "";
}

void Fill(const domain::Plan& plan, const domain::Warning& warning, v1::Warning* out) {
  out->set_kind(static_cast<v1::WarningKind>(warning.kind));
  out->set_subject(SubjectName(plan, warning));
  out->set_organization(api::MakeName("organizations", warning.organization_id));
  out->set_rule(warning.rule);
  out->set_citation(warning.citation);
  if (warning.due_date) out->set_due_date(api::FormatDate(*warning.due_date));
  out->set_days_overdue(static_cast<int32_t>(warning.days_overdue));
  out->set_period(warning.period);
  out->set_detail(warning.detail);
}

}  // namespace

WarningServiceImpl::WarningServiceImpl(HandlerContext& ctx, const common::WorkingCalendar& calendar)
    : ctx_(ctx), calendar_(calendar), envelope_(v1::WarningService::service_full_name(), ctx.authorizer) {}

grpc::Status WarningServiceImpl::ListWarnings(grpc::ServerContext* context, const v1::ListWarningsRequest* request,
                                              v1::ListWarningsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    const bool sees_members = call.principal.HasAnyRole(
        {common::auth::Role::kAdmin, common::auth::Role::kInspector, common::auth::Role::kSecretary});
    GR_ASSIGN_OR_RETURN(const WarningQuery query, ParseQuery(ctx_, *request, sees_members));
    GR_ASSIGN_OR_RETURN(const int32_t page_size,
                        api::ClampPageSize(request->page_size(), kDefaultPageSize, kMaxPageSize));
    std::vector<int> kind_numbers;
    for (WarningKind kind : query.kinds) kind_numbers.push_back(static_cast<int>(kind));
    const std::string kinds_key = absl::StrJoin(kind_numbers, ",");
    const uint64_t fingerprint = api::Fingerprint({"warnings", request->organization(),
                                                   api::FormatDate(query.evaluation.as_of), query.plan->id, kinds_key});
    GR_ASSIGN_OR_RETURN(const std::optional<api::PageCursor> cursor,
                        ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, query.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const WarningInputs inputs, LoadInputs(ctx_, query));
    domain::WarningFacts facts{&inputs.on_day, inputs.previous_year_end ? &*inputs.previous_year_end : nullptr,
                               inputs.probation_end_dates, inputs.task_states};
    GR_ASSIGN_OR_RETURN(const std::vector<domain::Warning> warnings,
                        domain::ComputeWarnings(facts, query.evaluation, *query.plan, ctx_.rules, calendar_,
                                                query.kinds));
    // The list is recomputed per page from the same definitions; its order is
    // stable, so the offset in the token finds the next page.
    const size_t begin = std::min(static_cast<size_t>(cursor ? cursor->last_id : 0), warnings.size());
    const size_t end = std::min(begin + static_cast<size_t>(page_size), warnings.size());
    for (size_t i = begin; i < end; ++i) Fill(*query.plan, warnings[i], response->add_warnings());
    response->set_total_size(static_cast<int64_t>(warnings.size()));
    response->set_as_of_date(api::FormatDate(query.evaluation.as_of));
    response->set_plan(absl::StrCat("plans/", query.plan->id));
    if (end < warnings.size()) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          api::PageCursor{.last_key = "", .last_id = static_cast<int64_t>(end), .query_fingerprint = fingerprint}));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::reporting
