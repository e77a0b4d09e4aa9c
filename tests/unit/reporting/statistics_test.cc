// The statistics' rules on hand-built data: ages and party ages in bands, the
// tallies, and the withholding of small counts (values computed by hand).
#include "services/reporting/domain/statistics.h"

#include <gtest/gtest.h>

#include "grassroots/membership/v1/member.pb.h"

namespace grassroots::reporting::domain {
namespace {

namespace mv1 = grassroots::membership::v1;

std::vector<Band> AgeBands() {
  // The bands of rules.json's reporting.statistics.age_bands.
  auto bands = ParseBands(nlohmann::json::parse(R"([
      {"key": "UP_TO_30", "label": "a", "to": 30}, {"key": "31_40", "label": "b", "from": 31, "to": 40},
      {"key": "41_50", "label": "c", "from": 41, "to": 50}, {"key": "51_60", "label": "d", "from": 51, "to": 60},
      {"key": "OVER_60", "label": "e", "from": 61}])"),
                          "test");
  EXPECT_TRUE(bands.ok()) << bands.status();
  return bands.ok() ? *bands : std::vector<Band>{};
}

StatisticsTable TableOf(std::vector<int64_t> counts) {
  StatisticsTable table;
  for (size_t i = 0; i < counts.size(); ++i) {
    table.rows.push_back(StatisticsRow{std::to_string(i), "", counts[i], false});
    table.total += counts[i];
  }
  return table;
}

std::vector<bool> SuppressedOf(const StatisticsTable& table) {
  std::vector<bool> suppressed;
  for (const StatisticsRow& row : table.rows) suppressed.push_back(row.suppressed);
  return suppressed;
}

TEST(StatisticsBandsTest, AgeCountsTheBirthdayFromTheFirstDayOfItsMonth) {
  const absl::CivilDay d(2025, 12, 31);
  EXPECT_EQ(AgeOn(1995, 12, d), 30);
  EXPECT_EQ(AgeOn(1995, 12, absl::CivilDay(2025, 12, 1)), 30);
  EXPECT_EQ(AgeOn(1995, 12, absl::CivilDay(2025, 11, 30)), 29);
  EXPECT_EQ(AgeOn(1995, std::nullopt, absl::CivilDay(2025, 1, 1)), 30);
  EXPECT_EQ(AgeOn(std::nullopt, 5, d), std::nullopt);
  EXPECT_EQ(AgeOn(2026, 1, d), std::nullopt);
}

TEST(StatisticsBandsTest, AgesFallInTheRuleBandsAtTheirEdges) {
  const std::vector<Band> bands = AgeBands();
  EXPECT_EQ(BandKey(bands, 30), "UP_TO_30");
  EXPECT_EQ(BandKey(bands, 31), "31_40");
  EXPECT_EQ(BandKey(bands, 40), "31_40");
  EXPECT_EQ(BandKey(bands, 60), "51_60");
  EXPECT_EQ(BandKey(bands, 61), "OVER_60");
  EXPECT_EQ(BandKey(bands, 18), "UP_TO_30");
  EXPECT_EQ(BandKey(bands, std::nullopt), kUnspecifiedKey);
}

TEST(StatisticsBandsTest, PartyAgeIsCompletedYearsFromTheDecision) {
  const absl::CivilDay d(2025, 12, 31);
  EXPECT_EQ(YearsBetween(absl::CivilDay(2015, 12, 31), d), 10);
  EXPECT_EQ(YearsBetween(absl::CivilDay(2016, 1, 1), d), 9);
  EXPECT_EQ(YearsBetween(absl::CivilDay(2025, 6, 1), d), 0);
  EXPECT_EQ(YearsBetween(absl::CivilDay(2026, 1, 1), d), std::nullopt);
  EXPECT_EQ(YearsBetween(std::nullopt, d), std::nullopt);
}

TEST(StatisticsBandsTest, MalformedOrOverlappingBandsAreRefusedNamingTheRule) {
  auto overlapping = ParseBands(nlohmann::json::parse(R"([{"key": "A", "label": "a", "to": 30},
                                                          {"key": "B", "label": "b", "from": 30}])"),
                                "reporting.statistics.age_bands");
  ASSERT_FALSE(overlapping.ok());
  EXPECT_NE(overlapping.status().message().find("reporting.statistics.age_bands"), std::string::npos);
  EXPECT_FALSE(ParseBands(nlohmann::json::parse(R"([{"label": "no key"}])"), "x").ok());
  EXPECT_FALSE(ParseBands(nlohmann::json::parse("{}"), "x").ok());
}

TEST(StatisticsTallyTest, RowsPartitionTheMembersWithUnspecifiedLast) {
  MemberTallyRules rules{absl::CivilDay(2025, 12, 31), AgeBands(), {}, {}, {}};
  rules.ethnicities.codes = {{"01", "Kinh"}, {"02", "Tày"}, {"03", "Thái"}};
  std::vector<CountedMember> members(4);
  members[0].birth_year = 1995;  // 30
  members[0].birth_month = 12;
  members[0].ethnicity_code = "01";
  members[1].birth_year = 1995;  // 30 (no month: 1 January)
  members[1].ethnicity_code = "02";
  members[2].birth_year = 1964;  // 61 in March 2025
  members[2].birth_month = 3;
  members[2].ethnicity_code = "01";
  members[3].ethnicity_code = "";  // no birth year, no ethnicity

  const StatisticsTable ages = TallyMembers(MemberDimension::kAgeBand, members, rules);
  EXPECT_EQ(ages.dimension, "AGE_BAND");
  ASSERT_EQ(ages.rows.size(), 6u);
  EXPECT_EQ(ages.rows[0].key, "UP_TO_30");
  EXPECT_EQ(ages.rows[0].count, 2);
  EXPECT_EQ(ages.rows[4].key, "OVER_60");
  EXPECT_EQ(ages.rows[4].count, 1);
  EXPECT_EQ(ages.rows[5].key, kUnspecifiedKey);
  EXPECT_EQ(ages.rows[5].count, 1);
  EXPECT_EQ(ages.total, 4);

  const StatisticsTable ethnicity = TallyMembers(MemberDimension::kEthnicity, members, rules);
  ASSERT_EQ(ethnicity.rows.size(), 4u);
  EXPECT_EQ(ethnicity.rows[0].label, "Kinh");
  EXPECT_EQ(ethnicity.rows[0].count, 2);
  EXPECT_EQ(ethnicity.rows[1].count, 1);
  EXPECT_EQ(ethnicity.rows[2].count, 0);  // Thái: listed with 0
  EXPECT_EQ(ethnicity.rows[3].key, kUnspecifiedKey);
  EXPECT_EQ(ethnicity.total, 4);
}

TEST(StatisticsTallyTest, StatusAndSexUseTheMembershipEnums) {
  std::vector<CountedMember> members(3);
  members[0].status = mv1::MEMBER_STATUS_OFFICIAL;
  members[0].sex = mv1::SEX_FEMALE;
  members[1].status = mv1::MEMBER_STATUS_OFFICIAL;
  members[1].sex = mv1::SEX_MALE;
  members[2].status = mv1::MEMBER_STATUS_PROBATIONARY;
  members[2].sex = mv1::SEX_FEMALE;
  const MemberTallyRules rules{absl::CivilDay(2025, 12, 31), {}, {}, {}, {}};
  const StatisticsTable status = TallyMembers(MemberDimension::kStatus, members, rules);
  ASSERT_EQ(status.rows.size(), 2u);
  EXPECT_EQ(status.rows[0].key, "OFFICIAL");
  EXPECT_EQ(status.rows[0].count, 2);
  EXPECT_EQ(status.rows[1].count, 1);
  const StatisticsTable sex = TallyMembers(MemberDimension::kSex, members, rules);
  EXPECT_EQ(sex.rows[1].key, "FEMALE");
  EXPECT_EQ(sex.rows[1].count, 2);
}

TEST(StatisticsSuppressionTest, CountsBelowTheThresholdAreWithheldZerosShown) {
  StatisticsTable table = TableOf({20, 3, 0, 2, 9});  // total 34
  Suppress(table, 5);
  EXPECT_EQ(SuppressedOf(table), (std::vector<bool>{false, true, false, true, false}));
  EXPECT_EQ(table.rows[1].count, 0);  // the number is not returned
  EXPECT_EQ(table.total, 34);
  EXPECT_FALSE(table.total_suppressed);
}

TEST(StatisticsSuppressionTest, ALoneWithheldCountTakesTheNextSmallestWithIt) {
  StatisticsTable table = TableOf({20, 4, 0, 7, 9});  // 4 = 40 - 20 - 7 - 9 otherwise
  Suppress(table, 5);
  EXPECT_EQ(SuppressedOf(table), (std::vector<bool>{false, true, false, true, false}));
  EXPECT_EQ(table.total, 40);
}

TEST(StatisticsSuppressionTest, ASmallTotalIsWithheldWithEveryRow) {
  StatisticsTable table = TableOf({3, 0, 1});
  Suppress(table, 5);
  EXPECT_TRUE(table.total_suppressed);
  EXPECT_EQ(table.total, 0);
  EXPECT_EQ(SuppressedOf(table), (std::vector<bool>{true, true, true}));
}

TEST(StatisticsSuppressionTest, NothingIsWithheldAtOrAboveTheThresholdOrWithoutOne) {
  StatisticsTable table = TableOf({5, 0, 12});
  Suppress(table, 5);
  EXPECT_EQ(SuppressedOf(table), (std::vector<bool>{false, false, false}));
  StatisticsTable exact = TableOf({1, 2});
  Suppress(exact, 0);
  EXPECT_EQ(exact.rows[0].count, 1);
  EXPECT_FALSE(exact.total_suppressed);
}

TEST(StatisticsMovementsTest, IncreasesAndDecreasesAddUp) {
  MovementCounts counts;
  counts.admitted = 2;
  counts.transferred_in = 1;
  counts.removed = 1;
  counts.deceased = 3;
  const std::vector<StatisticsTable> tables = MovementTables(counts);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].total, 3);
  EXPECT_EQ(tables[1].total, 4);
  EXPECT_EQ(tables[1].rows[4].key, "DECEASED");
  EXPECT_EQ(tables[1].rows.size(), 5u);  // no UNSPECIFIED row
}

TEST(StatisticsOrganizationsTest, TypesSectorsAndCellCommittees) {
  const std::vector<CountedOrganization> organizations = {
      {"DANG_BO_XA", "COMMUNE", false, true},
      {"CHI_BO_TRUC_THUOC", "RESIDENTIAL", true, true},
      {"CHI_BO_TRUC_THUOC", "RESIDENTIAL", true, false},
      {"CHI_BO_TRUC_THUOC", "", true, false},
  };
  const std::vector<StatisticsTable> tables = TallyOrganizations(organizations);
  ASSERT_EQ(tables.size(), 3u);
  ASSERT_EQ(tables[0].rows.size(), 2u);
  EXPECT_EQ(tables[0].rows[0].key, "CHI_BO_TRUC_THUOC");
  EXPECT_EQ(tables[0].rows[0].count, 3);
  EXPECT_EQ(tables[1].rows.back().key, kUnspecifiedKey);
  EXPECT_EQ(tables[1].total, 4);
  EXPECT_EQ(tables[2].rows[0].count, 1);
  EXPECT_EQ(tables[2].rows[1].count, 2);
  EXPECT_EQ(tables[2].total, 3);
}

}  // namespace
}  // namespace grassroots::reporting::domain
