// The percentage arithmetic (half-up to 2 decimals on exact integers) and
// Judge for every comparator, from_year, by_year and zero denominators.
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "services/reporting/domain/scorecard.h"
#include "tests/unit/reporting/scorecard_test_support.h"

namespace grassroots::reporting::domain {
namespace {

using namespace grassroots::reporting::domain::testing;

TEST(PercentHundredths, RoundsHalfUpOnExactIntegers) {
  EXPECT_EQ(PercentHundredths(2, 3), 6667);     // 66.666…
  EXPECT_EQ(PercentHundredths(1, 3), 3333);     // 33.333…
  EXPECT_EQ(PercentHundredths(1, 8), 1250);     // 12.5 exactly
  EXPECT_EQ(PercentHundredths(1, 200000), 0);   // 0.0005 %
  EXPECT_EQ(PercentHundredths(5, 200000), 0);   // 0.0025 %: the third decimal is 2
  EXPECT_EQ(PercentHundredths(1, 20000), 1);    // 0.005 %: a half, rounded up to 0.01
  EXPECT_EQ(PercentHundredths(3, 40000), 1);    // 0.0075 %
  EXPECT_EQ(PercentHundredths(1, 16), 625);     // 6.25
  EXPECT_EQ(PercentHundredths(1, 6), 1667);     // 16.666…
  EXPECT_EQ(PercentHundredths(0, 7), 0);
  EXPECT_EQ(PercentHundredths(9, 9), 10000);
  EXPECT_EQ(PercentHundredths(3, 0), std::nullopt);
  EXPECT_EQ(PercentHundredths(0, 0), std::nullopt);
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  EXPECT_EQ(PercentHundredths(big, big), 10000);  // no overflow in numerator * 10000
}

TEST(FormatPercent, TwoDecimals) {
  EXPECT_EQ(FormatPercent(6667), "66.67");
  EXPECT_EQ(FormatPercent(10000), "100.00");
  EXPECT_EQ(FormatPercent(0), "0.00");
  EXPECT_EQ(FormatPercent(5), "0.05");
  EXPECT_EQ(FormatPercent(1250), "12.50");
}

TEST(Judge, NoTargetAndReported) {
  IndicatorCount s1 = Counted(Indicator::kS1, 1, 2);
  EXPECT_EQ(Judge(s1, nullptr, 2025), Attainment::kNoTarget);
  Target reported = Comparing("reported");
  EXPECT_EQ(Judge(Counted(Indicator::kS16, 4, 0), &reported, 2025), Attainment::kNotApplicable);
}

TEST(Judge, RatioComparators) {
  Target all = Comparing(">=", 1.0);
  EXPECT_EQ(Judge(Counted(Indicator::kS1, 10, 10), &all, 2025), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS1, 9, 10), &all, 2025), Attainment::kNotMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS1, 0, 0), &all, 2025), Attainment::kUnknown);  // never 100 %

  Target ninety = Comparing(">=", 0.9);  // 0.9 * 10000 is not exactly 9000 in binary
  EXPECT_EQ(Judge(Counted(Indicator::kS5a, 9, 10), &ninety, 2025), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS5a, 8999, 10000), &ninety, 2025), Attainment::kNotMet);
  // 199999/222222 = 89.99999 % rounds to 90.00: the rounded percentage is what is judged.
  EXPECT_EQ(Judge(Counted(Indicator::kS5a, 199999, 222222), &ninety, 2025), Attainment::kMet);

  Target above = Comparing(">", 0.65);
  EXPECT_EQ(Judge(Counted(Indicator::kS10, 13, 20), &above, 2025), Attainment::kNotMet);  // exactly 65 %
  EXPECT_EQ(Judge(Counted(Indicator::kS10, 2, 3), &above, 2025), Attainment::kMet);

  Target half = Comparing("=", 0.5);
  EXPECT_EQ(Judge(Counted(Indicator::kS3, 1, 2), &half, 2025), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS3, 1, 3), &half, 2025), Attainment::kNotMet);
  Target at_most = Comparing("<=", 0.5);
  EXPECT_EQ(Judge(Counted(Indicator::kS3, 1, 2), &at_most, 2025), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS3, 2, 3), &at_most, 2025), Attainment::kNotMet);
  Target below = Comparing("<", 0.5);
  EXPECT_EQ(Judge(Counted(Indicator::kS3, 1, 2), &below, 2025), Attainment::kNotMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS3, 1, 3), &below, 2025), Attainment::kMet);
}

TEST(Judge, BetweenJudgesWithItsMetAt) {
  Target admissions;
  admissions.comparator = "between";
  admissions.low = 0.03;
  admissions.high = 0.04;
  admissions.met_comparator = ">=";
  admissions.met_value = 0.03;
  admissions.unit = "ratio";
  admissions.from_year = 2023;
  EXPECT_EQ(Judge(Counted(Indicator::kS6, 3, 100), &admissions, 2025), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS6, 29, 1000), &admissions, 2025), Attainment::kNotMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS6, 5, 100), &admissions, 2025), Attainment::kMet);  // above high: still met
  EXPECT_EQ(Judge(Counted(Indicator::kS6, 5, 0), &admissions, 2025), Attainment::kUnknown);
  // from_year: 2022 is before the target applies; 2023 is judged.
  EXPECT_EQ(Judge(Counted(Indicator::kS6, 0, 100), &admissions, 2022), Attainment::kNotApplicable);
  EXPECT_EQ(Judge(Counted(Indicator::kS6, 0, 100), &admissions, 2023), Attainment::kNotMet);

  Target owners = admissions;
  owners.low = 1;
  owners.high = 2;
  owners.met_value = 1;
  owners.unit = "count";
  owners.from_year.reset();
  // Counts compare the numerator; their denominator is always 0.
  EXPECT_EQ(Judge(Counted(Indicator::kS7, 0, 0), &owners, 2025), Attainment::kNotMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS7, 1, 0), &owners, 2025), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS7, 3, 0), &owners, 2025), Attainment::kMet);
}

TEST(Judge, CountsAndByYear) {
  Target founded = Comparing(">=", 1);
  founded.unit = "count";
  EXPECT_EQ(Judge(Counted(Indicator::kS8, 0, 0), &founded, 2025), Attainment::kNotMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS8, 2, 0), &founded, 2025), Attainment::kMet);

  // by_year does not change the judgment: before 2030 a share not reached yet is not met.
  Target by_2030 = Comparing(">", 0.65);
  by_2030.by_year = 2030;
  EXPECT_EQ(Judge(Counted(Indicator::kS10, 1, 2), &by_2030, 2026), Attainment::kNotMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS10, 7, 10), &by_2030, 2026), Attainment::kMet);
  EXPECT_EQ(Judge(Counted(Indicator::kS10, 7, 10), &by_2030, 2031), Attainment::kMet);
}

}  // namespace
}  // namespace grassroots::reporting::domain
