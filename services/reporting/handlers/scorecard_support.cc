#include "services/reporting/handlers/scorecard_support.h"

#include <algorithm>
#include <functional>
#include <utility>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/reporting/handlers/category_rules.h"
#include "services/reporting/handlers/plan_lookup.h"
#include "services/reporting/handlers/scorecard_totals.h"

namespace grassroots::reporting {

// (v1 is this namespace's own grassroots::reporting::v1.)
namespace api = common::api;
using store::ScorecardFactsStore;

namespace {
constexpr int kFirstYear = 1930;
}  // namespace



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
    GR_ASSIGN_OR_RETURN(plan_id, ParsePlanName(scope.plan(), "scope.plan"));
  }
  // The start-up catalog, then the plans committees loaded (handlers/plan_lookup.h).
  GR_ASSIGN_OR_RETURN(const KnownPlan plan, ResolvePlan(ctx, plan_id, "scope.plan"));
  parsed.plan = plan.plan;
  // Without a term in the plan, the term windows (S7, S8) are the year itself.
  parsed.evaluation = domain::Evaluation{year, as_of, plan.plan->TermFrom().value_or(absl::CivilDay(year, 1, 1))};
  return parsed;
}



namespace {

// The organization's life; NOT_FOUND when the read model does not know it,
// FAILED_PRECONDITION ORGANIZATION_NOT_ACTIVE when it did not exist on D.
absl::StatusOr<store::OrganizationLife> LifeOnDay(common::db::Session& session, int64_t org_id, absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(std::optional<store::OrganizationLife> life, ScorecardFactsStore::Life(session, org_id));
  if (!life) {
    return absl::NotFoundError(absl::StrCat("scope.organization: organizations/", org_id, " is not known"));
  }
  if (!Exists(*life, day)) {
    return common::Reasoned(
        absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
        absl::StrCat("organizations/", org_id, " did not exist on ", api::FormatDate(day), " (it existed from ",
                     api::FormatDate(life->established_on),
                     life->ended_on ? absl::StrCat(" until ", api::FormatDate(*life->ended_on)) : "",
                     "); ask for a date it existed on"));
  }
  return *life;
}

// 31 December of Y-1, for S15's previous value.
domain::Evaluation PreviousYearEnd(const domain::Evaluation& evaluation) {
  return domain::Evaluation{evaluation.year - 1, absl::CivilDay(evaluation.year - 1, 12, 31), evaluation.term_from};
}

}  // namespace

bool Exists(const store::OrganizationLife& life, absl::CivilDay day) {
  return life.established_on <= day && (!life.ended_on || day < *life.ended_on);
}

absl::StatusOr<Computed> Compute(HandlerContext& ctx, const ParsedScope& scope, bool with_previous_year) {
  const domain::Evaluation& evaluation = scope.evaluation;
  GR_ASSIGN_OR_RETURN(const store::CategoryRules rules, CategoryRulesOn(ctx.rules, evaluation.as_of));
  const domain::Evaluation previous = PreviousYearEnd(evaluation);
  GR_ASSIGN_OR_RETURN(const store::CategoryRules previous_rules, CategoryRulesOn(ctx.rules, previous.as_of));
  // One read-only transaction: every query sees the snapshot the positions describe.
  return ctx.pool.Transact<Computed>("scorecard.compute", [&](common::db::Session& session) -> absl::StatusOr<Computed> {
    GR_ASSIGN_OR_RETURN(const store::OrganizationLife life, LifeOnDay(session, scope.org_id, evaluation.as_of));
    Computed computed;
    GR_ASSIGN_OR_RETURN(computed.facts, ScorecardFactsStore::Load(session, scope.org_id, evaluation, rules));
    computed.counts = domain::ComputeIndicators(computed.facts, evaluation);
    if (with_previous_year && Exists(life, previous.as_of)) {
      // Only S15 looks back a year: the units and their heads are all it reads.
      GR_ASSIGN_OR_RETURN(computed.previous_facts,
                          ScorecardFactsStore::Load(session, scope.org_id, previous, previous_rules,
                                                    ScorecardFactsStore::FactParts::kOrganizationsAndUnits));
      computed.previous_counts = domain::ComputeIndicators(*computed.previous_facts, previous);
    }
    GR_ASSIGN_OR_RETURN(computed.positions, ScorecardFactsStore::Positions(session));
    std::vector<int64_t> ids;
    for (const domain::OrganizationFacts& o : computed.facts.organizations) ids.push_back(o.id);
    GR_ASSIGN_OR_RETURN(computed.names, ScorecardFactsStore::OrganizationNames(session, ids));
    std::vector<int64_t> unit_ids;
    for (const domain::ResidentialUnitFacts& unit : computed.facts.units) unit_ids.push_back(unit.id);
    GR_ASSIGN_OR_RETURN(computed.unit_names, ScorecardFactsStore::UnitNames(session, unit_ids));
    return computed;
  });
}

absl::StatusOr<ComputedTotals> ComputeTotals(HandlerContext& ctx, const ParsedScope& scope, bool by_child) {
  const domain::Evaluation& evaluation = scope.evaluation;
  GR_ASSIGN_OR_RETURN(const store::CategoryRules rules, CategoryRulesOn(ctx.rules, evaluation.as_of));
  const domain::Evaluation previous = PreviousYearEnd(evaluation);
  GR_ASSIGN_OR_RETURN(const store::CategoryRules previous_rules, CategoryRulesOn(ctx.rules, previous.as_of));
  // One transaction: the figures, the rows it saves and the positions are of one snapshot.
  return ctx.pool.Transact<ComputedTotals>(
      "scorecard.totals", [&](common::db::Session& session) -> absl::StatusOr<ComputedTotals> {
        GR_ASSIGN_OR_RETURN(const store::OrganizationLife life, LifeOnDay(session, scope.org_id, evaluation.as_of));
        const bool with_previous = Exists(life, previous.as_of);
        ComputedTotals computed;
        GR_ASSIGN_OR_RETURN(const domain::SubtreeTotals totals,
                            SubtreeTotalsOf(session, scope.org_id, evaluation, rules));
        computed.counts = domain::CountsOf(totals);
        if (with_previous) {
          GR_ASSIGN_OR_RETURN(const domain::SubtreeTotals before,
                              SubtreeTotalsOf(session, scope.org_id, previous, previous_rules));
          computed.previous_counts = domain::CountsOf(before);
        }
        std::vector<int64_t> ids = {scope.org_id};
        if (by_child) {
          GR_ASSIGN_OR_RETURN(const ChildTotals children, ChildTotalsOf(session, scope.org_id, evaluation, rules));
          for (const auto& [id, child] : children.by_child) {
            computed.children[id] = domain::CountsOf(child);
            if (id != scope.org_id) ids.push_back(id);
          }
          computed.ended_children = children.ended;
          if (with_previous) {
            GR_ASSIGN_OR_RETURN(const ChildTotals before, ChildTotalsOf(session, scope.org_id, previous, previous_rules));
            for (const auto& [id, child] : before.by_child) computed.previous_children[id] = domain::CountsOf(child);
          }
        }
        GR_ASSIGN_OR_RETURN(computed.positions, ScorecardFactsStore::Positions(session));
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
  FillScorecard(scope, computed.counts, computed.previous_counts, computed.positions, computed.names, out);
}

void FillScorecard(const ParsedScope& scope, const std::vector<domain::IndicatorCount>& counts,
                   const std::vector<domain::IndicatorCount>& previous_counts,
                   const std::vector<store::FeedPosition>& positions, const std::map<int64_t, std::string>& names,
                   v1::Scorecard* out) {
  out->set_organization(OrgName(scope.org_id));
  auto name = names.find(scope.org_id);
  if (name != names.end()) out->set_organization_display_name(name->second);
  out->set_year(scope.evaluation.year);
  out->set_as_of_date(api::FormatDate(scope.evaluation.as_of));
  out->set_plan(absl::StrCat("plans/", scope.plan->id));
  FillIndicators(*scope.plan, scope.evaluation.year, counts, previous_counts, {}, out->mutable_indicators());
  for (const store::FeedPosition& position : positions) {
    v1::FeedPosition* p = out->add_positions();
    p->set_source(position.source);
    p->set_sequence(position.sequence);
    p->set_epoch(position.epoch);
  }
}

namespace {

// One breakdown row per id of `rows` (the root first): `counts_of` gives its
// figures and its previous year's. The root's own units, and a child that
// ended before D, get a row only when they count in something.
void FillRows(const ParsedScope& scope, std::vector<int64_t> rows, const std::set<int64_t>& ended_children,
              const std::map<int64_t, std::string>& names, const std::set<std::string>& only,
              const std::function<std::pair<std::vector<domain::IndicatorCount>, std::vector<domain::IndicatorCount>>(
                  int64_t)>& counts_of,
              google::protobuf::RepeatedPtrField<v1::ScorecardBreakdown::Row>* out) {
  std::sort(rows.begin(), rows.end());
  rows.insert(rows.begin(), scope.org_id);
  for (const int64_t row_id : rows) {
    const auto [counts, previous] = counts_of(row_id);
    if (row_id == scope.org_id || ended_children.contains(row_id)) {
      const bool counts_in_something = std::any_of(counts.begin(), counts.end(), [](const domain::IndicatorCount& c) {
        return c.numerator != 0 || c.denominator != 0;
      });
      if (!counts_in_something) continue;
    }
    v1::ScorecardBreakdown::Row* row = out->Add();
    row->set_organization(OrgName(row_id));
    auto name = names.find(row_id);
    if (name != names.end()) row->set_organization_display_name(name->second);
    FillIndicators(*scope.plan, scope.evaluation.year, counts, previous, only, row->mutable_indicators());
  }
}

}  // namespace

void FillBreakdownRows(const ParsedScope& scope, const Computed& computed, const std::set<std::string>& only,
                       google::protobuf::RepeatedPtrField<v1::ScorecardBreakdown::Row>* out) {
  std::vector<int64_t> rows;
  std::set<int64_t> ended_children;
  for (const domain::OrganizationFacts& o : computed.facts.organizations) {
    if (o.parent_id != scope.org_id) continue;
    rows.push_back(o.id);
    if (o.ended_on && *o.ended_on <= scope.evaluation.as_of) ended_children.insert(o.id);
  }
  FillRows(scope, rows, ended_children, computed.names, only,
           [&](int64_t row_id) {
             std::vector<domain::IndicatorCount> previous;
             if (computed.previous_facts) {
               previous = domain::RestrictToChild(computed.previous_counts, *computed.previous_facts, row_id);
             }
             return std::make_pair(domain::RestrictToChild(computed.counts, computed.facts, row_id), previous);
           },
           out);
}

void FillBreakdownRows(const ParsedScope& scope, const ComputedTotals& computed, const std::set<std::string>& only,
                       google::protobuf::RepeatedPtrField<v1::ScorecardBreakdown::Row>* out) {
  std::vector<int64_t> rows;
  for (const auto& [id, counts] : computed.children) {
    if (id != scope.org_id) rows.push_back(id);
  }
  FillRows(scope, rows, computed.ended_children, computed.names, only,
           [&](int64_t row_id) {
             auto previous = computed.previous_children.find(row_id);
             return std::make_pair(computed.children.at(row_id),
                                   previous == computed.previous_children.end()
                                       ? std::vector<domain::IndicatorCount>{}
                                       : previous->second);
           },
           out);
}

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


namespace {

int SubjectCode(domain::Contribution::Subject subject) {
  switch (subject) {
    case domain::Contribution::Subject::kOrganization: return 1;
    case domain::Contribution::Subject::kResidentialUnit: return 2;
    case domain::Contribution::Subject::kMember: return 3;
    case domain::Contribution::Subject::kHead: return 4;
  }
  return 0;
}

std::string NameOf(const std::map<int64_t, std::string>& names, int64_t id) {
  auto it = names.find(id);
  return it == names.end() ? "" : it->second;
}

}  // namespace

std::vector<store::CountedUnit> CountedUnits(const Computed& computed, std::optional<domain::Indicator> indicator) {
  std::vector<store::CountedUnit> units;
  for (const domain::IndicatorCount& count : computed.counts) {
    if (indicator && count.indicator != *indicator) continue;
    const std::string id = domain::IndicatorId(count.indicator);
    for (const domain::Contribution& c : count.contributions) {
      store::CountedUnit unit;
      unit.indicator = id;
      unit.subject = SubjectCode(c.subject);
      unit.subject_id = c.id;
      unit.unit_id = c.subject == domain::Contribution::Subject::kResidentialUnit ? c.id : c.unit_id;
      unit.organization_id = c.organization_id;
      unit.post = c.post ? domain::PostName(*c.post) : "";
      unit.in_numerator = c.in_numerator;
      unit.reason = c.reason;
      // Names of organizations and units only: a person's name is not the reporting service's to keep.
      if (c.subject == domain::Contribution::Subject::kOrganization) unit.display_name = NameOf(computed.names, c.id);
      if (c.subject == domain::Contribution::Subject::kResidentialUnit) {
        unit.display_name = NameOf(computed.unit_names, c.id);
      }
      units.push_back(std::move(unit));
    }
  }
  return units;
}

std::string SubjectName(const store::CountedUnit& unit) {
  switch (unit.subject) {
    case 1: return OrgName(unit.subject_id);
    case 2: return absl::StrCat("residentialUnits/", unit.subject_id);
    case 3: return absl::StrCat("members/", unit.subject_id);
    case 4: return absl::StrCat("residentialUnits/", unit.unit_id, "/heads/", unit.subject_id);
    default: return "";
  }
}

v1::ShortfallKind ShortfallKindOf(const store::CountedUnit& unit) {
  switch (unit.subject) {
    case 1: return v1::SHORTFALL_KIND_ORGANIZATION;
    case 2: return v1::SHORTFALL_KIND_RESIDENTIAL_UNIT;
    case 3: return unit.indicator == "S14" ? v1::SHORTFALL_KIND_POST_HOLDER : v1::SHORTFALL_KIND_MEMBER;
    case 4: return v1::SHORTFALL_KIND_POST_HOLDER;
    default: return v1::SHORTFALL_KIND_UNSPECIFIED;
  }
}

void FillShortfall(const store::CountedUnit& unit, v1::Shortfall* out) {
  out->set_kind(ShortfallKindOf(unit));
  out->set_subject(SubjectName(unit));
  out->set_display_name(unit.display_name);
  out->set_organization(OrgName(unit.organization_id));
  out->set_post(unit.post);
  out->set_reason(unit.reason);
}

}  // namespace grassroots::reporting
