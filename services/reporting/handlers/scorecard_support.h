#pragma once
// What the scorecard's handlers share: the scope of a request, the figures of
// a scope read in one snapshot, and their proto form.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/rules/rules_registry.h"
#include "grassroots/reporting/v1/reporting.pb.h"
#include "services/reporting/domain/plan.h"
#include "services/reporting/domain/scorecard.h"
#include "services/reporting/handlers/handler_context.h"
#include "services/reporting/store/closed_report_store.h"
#include "services/reporting/store/scorecard_facts_store.h"

namespace grassroots::reporting {

inline constexpr int32_t kDefaultPageSize = 50;
inline constexpr int32_t kMaxPageSize = 500;

// What a request's scope names, checked.
struct ParsedScope {
  int64_t org_id = 0;
  domain::Evaluation evaluation;
  const domain::Plan* plan = nullptr;
};

// The organization, year or as-of day, and plan a scope names; INVALID_ARGUMENT
// naming the scope's field, NOT_FOUND for an unknown plan.
absl::StatusOr<ParsedScope> ParseScope(const HandlerContext& ctx, const grassroots::reporting::v1::ScorecardScope& scope);

// The figures of one scope, read in one snapshot.
struct Computed {
  domain::SubtreeFacts facts;
  std::vector<domain::IndicatorCount> counts;
  // The same subtree on 31 December of Y-1 (S15's previous value); none when
  // the organization did not exist then.
  std::optional<domain::SubtreeFacts> previous_facts;
  // Read with the organizations and units only: S15 is the one figure taken from it.
  std::vector<domain::IndicatorCount> previous_counts;
  std::vector<store::FeedPosition> positions;
  std::map<int64_t, std::string> names;       // organizations of the subtree
  std::map<int64_t, std::string> unit_names;  // residential units of the subtree
};

// Reads the scope's facts and computes every indicator (and S15's previous
// year) in one read-only transaction. NOT_FOUND for an organization the read
// model does not know, FAILED_PRECONDITION ORGANIZATION_NOT_ACTIVE when it
// did not exist on the day. Without `with_previous_year` S15's previous value
// is not read (a shortfall list needs only the day's units).
absl::StatusOr<Computed> Compute(HandlerContext& ctx, const ParsedScope& scope, bool with_previous_year = true);

// Whether the organization exists on `day`.
bool Exists(const store::OrganizationLife& life, absl::CivilDay day);

// The figures of one scope from the pre-aggregates (scorecard_totals.h):
// the same numbers as Compute, without the units behind them.
struct ComputedTotals {
  std::vector<domain::IndicatorCount> counts;           // no contributions
  std::vector<domain::IndicatorCount> previous_counts;  // 31 December of Y-1; empty when the root did not exist then
  // With `by_child`: each child's figures, and under the root's id its own units'.
  std::map<int64_t, std::vector<domain::IndicatorCount>> children;
  std::map<int64_t, std::vector<domain::IndicatorCount>> previous_children;
  std::set<int64_t> ended_children;
  std::vector<store::FeedPosition> positions;
  std::map<int64_t, std::string> names;  // the root's, and its children's with `by_child`
};
// As Compute (same errors), from the pre-aggregates, saving the rows it had to compute.
absl::StatusOr<ComputedTotals> ComputeTotals(HandlerContext& ctx, const ParsedScope& scope, bool by_child = false);

const domain::IndicatorCount* Find(const std::vector<domain::IndicatorCount>& counts, domain::Indicator indicator);

// The indicator in proto form, judged against the plan's target (S15 against `previous`).
void FillIndicator(const domain::Plan& plan, int year, const domain::IndicatorCount& count,
                   const domain::IndicatorCount* previous, grassroots::reporting::v1::IndicatorResult* out);
// Those of `counts` whose ids are in `only` (all when empty).
void FillIndicators(const domain::Plan& plan, int year, const std::vector<domain::IndicatorCount>& counts,
                    const std::vector<domain::IndicatorCount>& previous_counts, const std::set<std::string>& only,
                    google::protobuf::RepeatedPtrField<grassroots::reporting::v1::IndicatorResult>* out);
void FillScorecard(const ParsedScope& scope, const Computed& computed, grassroots::reporting::v1::Scorecard* out);
void FillScorecard(const ParsedScope& scope, const std::vector<domain::IndicatorCount>& counts,
                   const std::vector<domain::IndicatorCount>& previous_counts,
                   const std::vector<store::FeedPosition>& positions, const std::map<int64_t, std::string>& names,
                   grassroots::reporting::v1::Scorecard* out);

// One row per child of the scope's organization on the day (and the root's
// own units first, when they count in something), as GetScorecardBreakdown answers.
void FillBreakdownRows(const ParsedScope& scope, const Computed& computed, const std::set<std::string>& only,
                       google::protobuf::RepeatedPtrField<grassroots::reporting::v1::ScorecardBreakdown::Row>* out);
void FillBreakdownRows(const ParsedScope& scope, const ComputedTotals& computed, const std::set<std::string>& only,
                       google::protobuf::RepeatedPtrField<grassroots::reporting::v1::ScorecardBreakdown::Row>* out);

std::string OrgName(int64_t id);

// Indicators whose units are persons: their shortfalls are not for the portal.
bool ListsPersons(domain::Indicator indicator);
// Counts and rates have no unit that falls short (S6, S7, S8, S16).
bool HasShortfallList(domain::Indicator indicator);

// Every unit each indicator counted (only `indicator`'s when given), in the
// indicators' order, with the names of organizations and units.
std::vector<store::CountedUnit> CountedUnits(const Computed& computed,
                                             std::optional<domain::Indicator> indicator = std::nullopt);
// A unit as a shortfall entry ("members/7", "residentialUnits/3/heads/9", ...).
void FillShortfall(const store::CountedUnit& unit, grassroots::reporting::v1::Shortfall* out);
// Its subject's resource name and kind.
std::string SubjectName(const store::CountedUnit& unit);
grassroots::reporting::v1::ShortfallKind ShortfallKindOf(const store::CountedUnit& unit);

}  // namespace grassroots::reporting
