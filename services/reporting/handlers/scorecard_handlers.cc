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
#include "services/reporting/handlers/category_rules.h"
#include "services/reporting/store/scorecard_facts_store.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
namespace api = common::api;
using store::ScorecardFactsStore;

constexpr int32_t kDefaultPageSize = 50;
constexpr int32_t kMaxPageSize = 500;
constexpr int kFirstYear = 1930;

// What a request's scope names, checked.
struct ParsedScope {
  int64_t org_id = 0;
  domain::Evaluation evaluation;
  const domain::Plan* plan = nullptr;
};

absl::StatusOr<ParsedScope> ParseScope(const HandlerContext& ctx, const v1::ScorecardScope& scope) {
  ParsedScope parsed;
  GR_ASSIGN_OR_RETURN(parsed.org_id, api::ParseId(scope.organization(), "organizations", "scope.organization"));
  const absl::CivilDay today = api::Today();
  int year = scope.year();
  if (year != 0 && (year < kFirstYear || year > today.year())) {
    return common::InvalidField("scope.year", absl::StrCat("must be a year from ", kFirstYear, " to ", today.year()));
  }
  absl::CivilDay as_of;
  if (!scope.as_of_date().empty()) {
    GR_ASSIGN_OR_RETURN(as_of, api::ParseDateOr(scope.as_of_date(), "scope.as_of_date", today));
    if (as_of > today) return common::InvalidField("scope.as_of_date", "must not be after today");
    if (year != 0 && as_of.year() != year) return common::InvalidField("scope.as_of_date", "must fall in scope.year");
    year = static_cast<int>(as_of.year());
  } else if (year == 0) {
    return common::InvalidField("scope.year", "give a year or an as_of_date");
  } else {
    // Facts of days to come are not known: the current year is evaluated today.
    as_of = std::min(absl::CivilDay(year, 12, 31), today);
  }
  std::string plan_id = ctx.plans.default_plan_id;
  if (!scope.plan().empty()) {
    constexpr std::string_view kPrefix = "plans/";
    if (!scope.plan().starts_with(kPrefix) || scope.plan().size() == kPrefix.size()) {
      return common::InvalidField("scope.plan", "must look like plans/{id}");
    }
    plan_id = scope.plan().substr(kPrefix.size());
  }
  auto plan = ctx.plans.plans.find(plan_id);
  if (plan == ctx.plans.plans.end()) {
    return absl::NotFoundError(absl::StrCat("scope.plan: no plan plans/", plan_id));
  }
  parsed.plan = &plan->second;
  // Without a term in the plan, the term windows (S7, S8) are the year itself.
  parsed.evaluation =
      domain::Evaluation{year, as_of, plan->second.TermFrom().value_or(absl::CivilDay(year, 1, 1))};
  return parsed;
}

// The figures of one scope, read in one snapshot.
struct Computed {
  domain::SubtreeFacts facts;
  std::vector<domain::IndicatorCount> counts;
  // The same subtree on 31 December of Y-1 (S15's previous value); none when
  // the organization did not exist then.
  std::optional<domain::SubtreeFacts> previous_facts;
  std::vector<domain::IndicatorCount> previous_counts;
  std::vector<store::FeedPosition> positions;
  std::map<int64_t, std::string> names;
};

absl::StatusOr<Computed> Compute(HandlerContext& ctx, const ParsedScope& scope) {
  const domain::Evaluation& evaluation = scope.evaluation;
  GR_ASSIGN_OR_RETURN(const store::CategoryRules rules, CategoryRulesOn(ctx.rules, evaluation.as_of));
  const domain::Evaluation previous{evaluation.year - 1, absl::CivilDay(evaluation.year - 1, 12, 31),
                                    evaluation.term_from};
  GR_ASSIGN_OR_RETURN(const store::CategoryRules previous_rules, CategoryRulesOn(ctx.rules, previous.as_of));
  // One read-only transaction: every query sees the snapshot the positions describe.
  return ctx.pool.Transact<Computed>("scorecard.compute", [&](common::db::Session& session) -> absl::StatusOr<Computed> {
    GR_ASSIGN_OR_RETURN(std::optional<store::OrganizationLife> life, ScorecardFactsStore::Life(session, scope.org_id));
    if (!life) {
      return absl::NotFoundError(absl::StrCat("scope.organization: organizations/", scope.org_id, " is not known"));
    }
    auto exists_on = [&](absl::CivilDay day) {
      return life->established_on <= day && (!life->ended_on || day < *life->ended_on);
    };
    if (!exists_on(evaluation.as_of)) {
      return common::Reasoned(
          absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
          absl::StrCat("organizations/", scope.org_id, " did not exist on ", api::FormatDate(evaluation.as_of),
                       " (it existed from ", api::FormatDate(life->established_on),
                       life->ended_on ? absl::StrCat(" until ", api::FormatDate(*life->ended_on)) : "",
                       "); ask for a date it existed on"));
    }
    Computed computed;
    GR_ASSIGN_OR_RETURN(computed.facts, ScorecardFactsStore::Load(session, scope.org_id, evaluation, rules));
    computed.counts = domain::ComputeIndicators(computed.facts, evaluation);
    if (exists_on(previous.as_of)) {
      GR_ASSIGN_OR_RETURN(computed.previous_facts,
                          ScorecardFactsStore::Load(session, scope.org_id, previous, previous_rules));
      computed.previous_counts = domain::ComputeIndicators(*computed.previous_facts, previous);
    }
    GR_ASSIGN_OR_RETURN(computed.positions, ScorecardFactsStore::Positions(session));
    std::vector<int64_t> ids;
    for (const domain::OrganizationFacts& o : computed.facts.organizations) ids.push_back(o.id);
    GR_ASSIGN_OR_RETURN(computed.names, ScorecardFactsStore::OrganizationNames(session, ids));
    return computed;
  });
}

const domain::IndicatorCount* Find(const std::vector<domain::IndicatorCount>& counts, domain::Indicator indicator) {
  for (const domain::IndicatorCount& count : counts) {
    if (count.indicator == indicator) return &count;
  }
  return nullptr;
}

v1::Attainment ToProto(domain::Attainment attainment) {
  switch (attainment) {
    case domain::Attainment::kMet: return v1::ATTAINMENT_MET;
    case domain::Attainment::kNotMet: return v1::ATTAINMENT_NOT_MET;
    case domain::Attainment::kUnknown: return v1::ATTAINMENT_UNKNOWN;
    case domain::Attainment::kNotApplicable: return v1::ATTAINMENT_NOT_APPLICABLE;
    case domain::Attainment::kNoTarget: return v1::ATTAINMENT_NO_TARGET;
  }
  return v1::ATTAINMENT_UNSPECIFIED;
}

void FillTarget(const domain::Plan& plan, const domain::Target& target, v1::Target* out) {
  out->set_comparator(target.comparator);
  out->set_value(target.value);
  out->set_low(target.low);
  out->set_high(target.high);
  out->set_met_comparator(target.met_comparator);
  out->set_met_value(target.met_value);
  out->set_unit(target.unit);
  out->set_window(target.window);
  out->set_from_year(target.from_year.value_or(0));
  out->set_by_year(target.by_year.value_or(0));
  out->set_rule(absl::StrCat("plans/", plan.id, "/paragraphs/", target.paragraph));
  out->set_text(target.text);
}

std::string ValueOf(const domain::IndicatorCount& count) {
  if (domain::IsCount(count.indicator)) return absl::StrCat(count.numerator);
  const std::optional<int64_t> hundredths = domain::PercentHundredths(count.numerator, count.denominator);
  return hundredths ? domain::FormatPercent(*hundredths) : "";
}

void FillIndicator(const domain::Plan& plan, int year, const domain::IndicatorCount& count,
                   const domain::IndicatorCount* previous, v1::IndicatorResult* out) {
  out->set_id(domain::IndicatorId(count.indicator));
  out->set_title(domain::IndicatorTitle(count.indicator));
  out->set_kind(domain::IsCount(count.indicator) ? v1::INDICATOR_KIND_COUNT : v1::INDICATOR_KIND_RATIO);
  out->set_numerator(count.numerator);
  out->set_denominator(count.denominator);
  out->set_value(ValueOf(count));
  auto target = plan.targets.find(count.indicator);
  const domain::Target* target_ptr = target == plan.targets.end() ? nullptr : &target->second;
  if (target_ptr != nullptr) {
    FillTarget(plan, *target_ptr, out->mutable_target());
    out->set_target_due(!target_ptr->by_year || year >= *target_ptr->by_year);
  }
  const bool compares_with_previous = count.indicator == domain::Indicator::kS15;
  out->set_attainment(ToProto(domain::Judge(count, target_ptr, year, compares_with_previous ? previous : nullptr)));
  if (compares_with_previous && previous != nullptr) {
    out->set_previous_numerator(previous->numerator);
    out->set_previous_denominator(previous->denominator);
    out->set_previous_value(ValueOf(*previous));
  }
  for (const auto& [key, removals] : count.removals) {
    v1::RemovalCount* removal = out->add_removals();
    removal->set_kind(key.first);
    removal->set_reason(key.second);
    removal->set_count(removals);
  }
}

void FillIndicators(const domain::Plan& plan, int year, const std::vector<domain::IndicatorCount>& counts,
                    const std::vector<domain::IndicatorCount>& previous_counts, const std::set<std::string>& only,
                    google::protobuf::RepeatedPtrField<v1::IndicatorResult>* out) {
  for (const domain::IndicatorCount& count : counts) {
    if (!only.empty() && !only.contains(domain::IndicatorId(count.indicator))) continue;
    FillIndicator(plan, year, count, Find(previous_counts, count.indicator), out->Add());
  }
}

std::string OrgName(int64_t id) { return absl::StrCat("organizations/", id); }

void FillScorecard(const ParsedScope& scope, const Computed& computed, v1::Scorecard* out) {
  out->set_organization(OrgName(scope.org_id));
  auto name = computed.names.find(scope.org_id);
  if (name != computed.names.end()) out->set_organization_display_name(name->second);
  out->set_year(scope.evaluation.year);
  out->set_as_of_date(api::FormatDate(scope.evaluation.as_of));
  out->set_plan(absl::StrCat("plans/", scope.plan->id));
  FillIndicators(*scope.plan, scope.evaluation.year, computed.counts, computed.previous_counts, {},
                 out->mutable_indicators());
  for (const store::FeedPosition& position : computed.positions) {
    v1::FeedPosition* p = out->add_positions();
    p->set_source(position.source);
    p->set_sequence(position.sequence);
    p->set_epoch(position.epoch);
  }
}

// Indicators whose units are persons: their shortfalls are not for the portal.
bool ListsPersons(domain::Indicator indicator) {
  switch (indicator) {
    case domain::Indicator::kS2a:
    case domain::Indicator::kS2b:
    case domain::Indicator::kS4:
    case domain::Indicator::kS5b:
    case domain::Indicator::kS14:
      return true;
    default:
      return false;
  }
}

// Counts and rates have no unit that falls short.
bool HasShortfallList(domain::Indicator indicator) {
  switch (indicator) {
    case domain::Indicator::kS6:
    case domain::Indicator::kS7:
    case domain::Indicator::kS8:
    case domain::Indicator::kS16:
      return false;
    default:
      return true;
  }
}

}  // namespace

ScorecardServiceImpl::ScorecardServiceImpl(HandlerContext& ctx)
    : ctx_(ctx), envelope_(v1::ScorecardService::service_full_name(), ctx.authorizer) {}

grpc::Status ScorecardServiceImpl::GetScorecard(grpc::ServerContext* context, const v1::GetScorecardRequest* request,
                                                v1::Scorecard* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, request->scope()));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const Computed computed, Compute(ctx_, scope));
    FillScorecard(scope, computed, response);
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
    GR_ASSIGN_OR_RETURN(const Computed computed, Compute(ctx_, scope));
    FillScorecard(scope, computed, response->mutable_total());
    response->mutable_total()->clear_positions();
    if (!only.empty()) {
      auto* indicators = response->mutable_total()->mutable_indicators();
      indicators->erase(std::remove_if(indicators->begin(), indicators->end(),
                                       [&](const v1::IndicatorResult& r) { return !only.contains(r.id()); }),
                        indicators->end());
    }
    std::vector<int64_t> rows;
    std::set<int64_t> ended_children;
    for (const domain::OrganizationFacts& o : computed.facts.organizations) {
      if (o.parent_id != scope.org_id) continue;
      rows.push_back(o.id);
      if (o.ended_on && *o.ended_on <= scope.evaluation.as_of) ended_children.insert(o.id);
    }
    std::sort(rows.begin(), rows.end());
    // The root's own units (not under any child) come first, when it has any.
    rows.insert(rows.begin(), scope.org_id);
    for (const int64_t row_id : rows) {
      std::vector<domain::IndicatorCount> counts = domain::RestrictToChild(computed.counts, computed.facts, row_id);
      // The root's own units, and a child that ended before D, get a row only when they count in something.
      if (row_id == scope.org_id || ended_children.contains(row_id)) {
        const bool counts_in_something = std::any_of(counts.begin(), counts.end(), [](const domain::IndicatorCount& c) {
          return c.numerator != 0 || c.denominator != 0;
        });
        if (!counts_in_something) continue;
      }
      std::vector<domain::IndicatorCount> previous;
      if (computed.previous_facts) {
        previous = domain::RestrictToChild(computed.previous_counts, *computed.previous_facts, row_id);
      }
      v1::ScorecardBreakdown::Row* row = response->add_rows();
      row->set_organization(OrgName(row_id));
      auto name = computed.names.find(row_id);
      if (name != computed.names.end()) row->set_organization_display_name(name->second);
      FillIndicators(*scope.plan, scope.evaluation.year, counts, previous, only, row->mutable_indicators());
    }
    return absl::OkStatus();
  });
}

grpc::Status ScorecardServiceImpl::ListShortfalls(grpc::ServerContext* context,
                                                  const v1::ListShortfallsRequest* request,
                                                  v1::ListShortfallsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const ParsedScope scope, ParseScope(ctx_, request->scope()));
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
    const uint64_t fingerprint =
        api::Fingerprint({"shortfalls", request->scope().organization(), absl::StrCat(scope.evaluation.year),
                          api::FormatDate(scope.evaluation.as_of), scope.plan->id, domain::IndicatorId(indicator)});
    GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    const int64_t offset = cursor ? cursor->last_id : 0;
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const Computed computed, Compute(ctx_, scope));
    const domain::IndicatorCount* count = Find(computed.counts, indicator);
    std::vector<const domain::Contribution*> short_of;
    if (count != nullptr) {
      for (const domain::Contribution& c : count->contributions) {
        if (!c.in_numerator) short_of.push_back(&c);
      }
    }
    response->set_total_size(static_cast<int64_t>(short_of.size()));
    const size_t begin = std::min(static_cast<size_t>(offset), short_of.size());
    const size_t end = std::min(begin + static_cast<size_t>(page_size), short_of.size());
    std::vector<int64_t> unit_ids;
    for (size_t i = begin; i < end; ++i) {
      if (short_of[i]->subject == domain::Contribution::Subject::kResidentialUnit) unit_ids.push_back(short_of[i]->id);
      if (short_of[i]->subject == domain::Contribution::Subject::kHead) unit_ids.push_back(short_of[i]->unit_id);
    }
    using Names = std::map<int64_t, std::string>;
    Names unit_names;
    if (!unit_ids.empty()) {
      GR_ASSIGN_OR_RETURN(unit_names, ctx_.pool.Read<Names>("scorecard.unit_names", [&](common::db::Session& session) {
        return ScorecardFactsStore::UnitNames(session, unit_ids);
      }));
    }
    for (size_t i = begin; i < end; ++i) {
      const domain::Contribution& c = *short_of[i];
      v1::Shortfall* out = response->add_shortfalls();
      out->set_organization(OrgName(c.organization_id));
      out->set_reason(c.reason);
      if (c.post) out->set_post(domain::PostName(*c.post));
      switch (c.subject) {
        case domain::Contribution::Subject::kOrganization: {
          out->set_kind(v1::SHORTFALL_KIND_ORGANIZATION);
          out->set_subject(OrgName(c.id));
          auto name = computed.names.find(c.id);
          if (name != computed.names.end()) out->set_display_name(name->second);
          break;
        }
        case domain::Contribution::Subject::kResidentialUnit: {
          out->set_kind(v1::SHORTFALL_KIND_RESIDENTIAL_UNIT);
          out->set_subject(absl::StrCat("residentialUnits/", c.id));
          auto name = unit_names.find(c.id);
          if (name != unit_names.end()) out->set_display_name(name->second);
          break;
        }
        case domain::Contribution::Subject::kMember:
          out->set_kind(indicator == domain::Indicator::kS14 ? v1::SHORTFALL_KIND_POST_HOLDER
                                                             : v1::SHORTFALL_KIND_MEMBER);
          out->set_subject(absl::StrCat("members/", c.id));
          break;
        case domain::Contribution::Subject::kHead:
          out->set_kind(v1::SHORTFALL_KIND_POST_HOLDER);
          out->set_subject(absl::StrCat("residentialUnits/", c.unit_id, "/heads/", c.id));
          break;
      }
    }
    if (end < short_of.size()) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          api::PageCursor{.last_key = "", .last_id = static_cast<int64_t>(end), .query_fingerprint = fingerprint}));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::reporting
