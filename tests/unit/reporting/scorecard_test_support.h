#pragma once
// Builders for hand-made SubtreeFacts: the tests spell out every fact that
// matters and write the expected counts by hand.
#include <optional>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/reporting/domain/scorecard.h"

namespace grassroots::reporting::domain::testing {

inline absl::CivilDay Day(int year, int month, int day) { return absl::CivilDay(year, month, day); }

inline OrganizationFacts Org(int64_t id, std::optional<int64_t> parent, OrganizationKind kind,
                             absl::CivilDay established_on = Day(2010, 1, 1),
                             std::optional<absl::CivilDay> ended_on = std::nullopt) {
  OrganizationFacts organization;
  organization.id = id;
  organization.parent_id = parent;
  organization.kind = kind;
  organization.established_on = established_on;
  organization.ended_on = ended_on;
  organization.sector = "COMMUNE";
  organization.sector_at_founding = "COMMUNE";
  return organization;
}

inline MemberOnDay Standing(int64_t cell, bool counted = true, int32_t occupation = 1) {
  return MemberOnDay{cell, counted, occupation};
}

inline Evaluation YearEnd(int year) { return Evaluation{year, Day(year, 12, 31), Day(2020, 1, 1)}; }

// A copy, so it may be taken from a temporary result.
inline IndicatorCount Find(const std::vector<IndicatorCount>& counts, Indicator indicator) {
  for (const IndicatorCount& count : counts)
    if (count.indicator == indicator) return count;
  ADD_FAILURE() << "no count for " << IndicatorId(indicator);
  return IndicatorCount{};
}

// The ids of the contributions, in their order, and those in the numerator.
inline std::vector<int64_t> Ids(const IndicatorCount& count) {
  std::vector<int64_t> ids;
  for (const Contribution& contribution : count.contributions) ids.push_back(contribution.id);
  return ids;
}
inline std::vector<int64_t> NumeratorIds(const IndicatorCount& count) {
  std::vector<int64_t> ids;
  for (const Contribution& contribution : count.contributions)
    if (contribution.in_numerator) ids.push_back(contribution.id);
  return ids;
}

inline IndicatorCount Counted(Indicator indicator, int64_t numerator, int64_t denominator) {
  IndicatorCount count;
  count.indicator = indicator;
  count.numerator = numerator;
  count.denominator = denominator;
  return count;
}

inline Target Comparing(std::string comparator, double value = 0) {
  Target target;
  target.comparator = std::move(comparator);
  target.value = value;
  return target;
}

}  // namespace grassroots::reporting::domain::testing
