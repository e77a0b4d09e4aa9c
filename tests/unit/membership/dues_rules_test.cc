// Party dues by the rules in data/rules/rules.json, at the boundaries the
// rules move: January/February 2026 (QĐ 342 → QĐ 01), December 2027/January
// 2028 (the outside-insurance shares rise), fifty years of party age reached
// mid-year, a reduction that expires; the rounding rule; relief decisions as
// GrantDuesRelief takes them; arrears.
#include "services/membership/domain/dues_rules.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/rules/rules_registry.h"
#include "tests/unit/membership/repo_rules.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

using absl::CivilDay;
using absl::CivilMonth;

const common::RulesRegistry& Rules() { return testing::RepoRules(); }

DuesMember Farmer(CivilDay born = CivilDay(1980, 5, 20), v1::Sex sex = v1::SEX_MALE) {
  DuesMember m;
  m.birth_date = born;
  m.sex = sex;
  m.occupation_category = v1::OCCUPATION_CATEGORY_FARMER;
  m.party_age_from = CivilDay(2005, 3, 2);
  return m;
}

DuesMember Salaried(int64_t salary, CivilMonth from = CivilMonth(2020, 1)) {
  DuesMember m = Farmer();
  m.occupation_category = v1::OCCUPATION_CATEGORY_CIVIL_SERVICE;
  m.bases.push_back({.kind = v1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY, .amount_dong = salary, .effective_month = from});
  return m;
}

MonthlyDue Due(const DuesMember& m, CivilMonth month, int32_t region = 1) {
  absl::StatusOr<MonthlyDue> due = ComputeMonthlyDue(m, month, region, Rules());
  EXPECT_TRUE(due.ok()) << due.status();
  return due.ok() ? *due : MonthlyDue{};
}

TEST(DuesRoundingTest, NearestDongHalvesUp) {
  EXPECT_EQ(PercentOfDong(12'345'650, 100), 123'457);  // 123,456.5 -> up
  EXPECT_EQ(PercentOfDong(12'345'649, 100), 123'456);  // 123,456.49 -> down
  EXPECT_EQ(PercentOfDong(7'000'001, 50), 35'000);     // 35,000.005 -> down
  EXPECT_EQ(PercentOfDong(7'000'100, 50), 35'001);     // 35,000.5 -> up
  EXPECT_EQ(PercentOfDong(0, 100), 0);
}

TEST(DuesRatesTest, SalaryIsOnePercentUnderBothRules) {
  const DuesMember m = Salaried(8'456'789);
  const MonthlyDue january = Due(m, CivilMonth(2026, 1));
  EXPECT_EQ(january.due_dong, 84'568);
  EXPECT_EQ(january.basis, v1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY);
  EXPECT_NE(january.citation.find("342"), std::string::npos) << january.citation;
  const MonthlyDue february = Due(m, CivilMonth(2026, 2));
  EXPECT_EQ(february.due_dong, 84'568);
  EXPECT_NE(february.citation.find("QĐ 01"), std::string::npos) << february.citation;
}

TEST(DuesRatesTest, PensionIsHalfAPercentAndANewBaseTakesOverFromItsMonth) {
  DuesMember m = Salaried(10'000'000);
  m.bases.push_back({.kind = v1::DUES_BASE_KIND_PENSION, .amount_dong = 6'500'000, .effective_month = CivilMonth(2026, 5)});
  EXPECT_EQ(Due(m, CivilMonth(2026, 4)).due_dong, 100'000);
  const MonthlyDue may = Due(m, CivilMonth(2026, 5));
  EXPECT_EQ(may.basis, v1::DUES_BASE_KIND_PENSION);
  EXPECT_EQ(may.due_dong, 32'500);
}

TEST(DuesRatesTest, OutsideSocialInsuranceTurnsFromAFixedAmountToAShareOfTheRegionalWageInFebruary2026) {
  const DuesMember m = Farmer();
  const MonthlyDue january = Due(m, CivilMonth(2026, 1), /*region=*/1);
  EXPECT_EQ(january.due_dong, 5'000) << "QĐ 342: the province's fixed amount";
  EXPECT_EQ(january.rule_id, "dues.amount.outside_social_insurance_dong");
  EXPECT_EQ(Due(m, CivilMonth(2026, 2), 1).due_dong, 15'930);  // 0.3% of 5,310,000
  EXPECT_EQ(Due(m, CivilMonth(2026, 2), 4).due_dong, 11'100);  // 0.3% of 3,700,000
  EXPECT_EQ(Due(m, CivilMonth(2026, 2), 1).rule_id, "dues.rate.outside_social_insurance_bp");
}

TEST(DuesRatesTest, OutsideSocialInsuranceSharesRiseInJanuary2028) {
  const DuesMember young = Farmer();
  EXPECT_EQ(Due(young, CivilMonth(2027, 12), 1).due_dong, 15'930);  // 0.3%
  EXPECT_EQ(Due(young, CivilMonth(2028, 1), 1).due_dong, 26'550);   // 0.5%
  const DuesMember old = Farmer(CivilDay(1955, 1, 1));
  EXPECT_EQ(Due(old, CivilMonth(2027, 12), 2).due_dong, 9'460);   // 0.2% of 4,730,000
  EXPECT_EQ(Due(old, CivilMonth(2028, 1), 2).due_dong, 14'190);   // 0.3%
}

TEST(DuesRatesTest, BeyondWorkingAgeHalvedUnderQd342) {
  EXPECT_EQ(Due(Farmer(CivilDay(1955, 1, 1)), CivilMonth(2026, 1)).due_dong, 2'500);
}

TEST(DuesRatesTest, StudentsPayAFixedAmount) {
  DuesMember m = Farmer(CivilDay(2005, 9, 1));
  m.occupation_category = v1::OCCUPATION_CATEGORY_STUDENT;
  EXPECT_EQ(Due(m, CivilMonth(2026, 1)).due_dong, 5'000);
  const MonthlyDue february = Due(m, CivilMonth(2026, 2), /*region=*/0);
  EXPECT_EQ(february.due_dong, 5'000) << "no region needed";
  EXPECT_EQ(february.basis, v1::DUES_BASE_KIND_STUDENT);
}

TEST(DuesRatesTest, WhatCannotBeComputedIsNamed) {
  DuesMember clerk = Farmer();
  clerk.occupation_category = v1::OCCUPATION_CATEGORY_CIVIL_SERVICE;
  EXPECT_EQ(Due(clerk, CivilMonth(2026, 3)).missing, "BASE");
  EXPECT_EQ(Due(Salaried(0), CivilMonth(2026, 3)).missing, "BASE_AMOUNT");
  const MonthlyDue no_region = Due(Farmer(), CivilMonth(2026, 3), /*region=*/0);
  EXPECT_EQ(no_region.missing, "WAGE_REGION");
  EXPECT_EQ(no_region.due_dong, 0);
  EXPECT_TRUE(Due(Farmer(), CivilMonth(2026, 1), 0).missing.empty()) << "QĐ 342's fixed amount needs no region";
}

TEST(DuesRetirementTest, FollowsTheScheduleOfTheYearBySex) {
  // Women in 2026: 57 years (684 months). Born 10 March 1969: 57 on 10 March 2026.
  const DuesMember woman = Farmer(CivilDay(1969, 3, 10), v1::SEX_FEMALE);
  EXPECT_FALSE(*AtOrAboveRetirementAge(woman, CivilMonth(2026, 3), Rules()));
  EXPECT_TRUE(*AtOrAboveRetirementAge(woman, CivilMonth(2026, 4), Rules()));
  // Men in 2026: 61 years 6 months (738). Born 1 August 1964: 61y6m on 1 February 2026.
  const DuesMember man = Farmer(CivilDay(1964, 8, 1), v1::SEX_MALE);
  EXPECT_FALSE(*AtOrAboveRetirementAge(man, CivilMonth(2026, 1), Rules()));
  EXPECT_TRUE(*AtOrAboveRetirementAge(man, CivilMonth(2026, 2), Rules()));
}

TEST(DuesPartyAgeTest, FiftyYearsExemptFromTheFirstMonthAfterTheyAreComplete) {
  DuesMember m = Salaried(6'000'000);
  m.party_age_from = CivilDay(1976, 7, 15);
  ASSERT_EQ(PartyAgeExemptFrom(m, Rules()), CivilMonth(2026, 8));
  EXPECT_EQ(Due(m, CivilMonth(2026, 7)).due_dong, 60'000);
  const MonthlyDue august = Due(m, CivilMonth(2026, 8));
  EXPECT_EQ(august.due_dong, 0);
  EXPECT_EQ(august.full_dong, 60'000);
  EXPECT_EQ(august.relief, "PARTY_AGE_50_YEARS");
  m.party_age_from = CivilDay(1976, 3, 1);
  EXPECT_EQ(PartyAgeExemptFrom(m, Rules()), CivilMonth(2026, 3)) << "complete on the month's first day";
}

TEST(DuesPartyAgeTest, NoAutomaticExemptionBeforeFebruary2026) {
  DuesMember m = Salaried(6'000'000);
  m.party_age_from = CivilDay(1960, 1, 1);
  EXPECT_EQ(PartyAgeExemptFrom(m, Rules()), CivilMonth(2026, 2));
  EXPECT_EQ(Due(m, CivilMonth(2026, 1)).due_dong, 60'000);
  EXPECT_EQ(Due(m, CivilMonth(2026, 2)).due_dong, 0);
  m.party_age_from.reset();
  EXPECT_EQ(PartyAgeExemptFrom(m, Rules()), std::nullopt);
}

TEST(DuesReliefTest, AReductionAppliesUntilItExpires) {
  DuesMember m = Salaried(7'777'700);  // 77,777 due
  m.reliefs.push_back({.kind = v1::DUES_RELIEF_KIND_REDUCTION,
                       .reason = v1::DUES_RELIEF_REASON_OTHER_HARDSHIP,
                       .reduction_percent = 30,
                       .from_month = CivilMonth(2026, 2),
                       .to_month = CivilMonth(2026, 7)});
  EXPECT_EQ(Due(m, CivilMonth(2026, 1)).due_dong, 77'777);
  const MonthlyDue july = Due(m, CivilMonth(2026, 7));
  EXPECT_EQ(july.due_dong, 54'444);  // 70% of 77,777 = 54,443.9
  EXPECT_EQ(july.relief, "REDUCTION_30");
  EXPECT_EQ(Due(m, CivilMonth(2026, 8)).due_dong, 77'777);
  EXPECT_TRUE(Due(m, CivilMonth(2026, 8)).relief.empty());
}

TEST(DuesReliefTest, AnExemptionOutranksAReductionAndTheLargestReductionWins) {
  DuesMember m = Salaried(5'000'000);
  m.reliefs.push_back({.kind = v1::DUES_RELIEF_KIND_REDUCTION, .reason = v1::DUES_RELIEF_REASON_OTHER_HARDSHIP,
                       .reduction_percent = 30, .from_month = CivilMonth(2026, 3), .to_month = CivilMonth(2026, 9)});
  m.reliefs.push_back({.kind = v1::DUES_RELIEF_KIND_REDUCTION, .reason = v1::DUES_RELIEF_REASON_OTHER_HARDSHIP,
                       .reduction_percent = 70, .from_month = CivilMonth(2026, 5), .to_month = CivilMonth(2026, 6)});
  m.reliefs.push_back({.kind = v1::DUES_RELIEF_KIND_EXEMPTION, .reason = v1::DUES_RELIEF_REASON_SERIOUS_ILLNESS,
                       .from_month = CivilMonth(2026, 6), .to_month = CivilMonth(2026, 6)});
  EXPECT_EQ(Due(m, CivilMonth(2026, 4)).relief, "REDUCTION_30");
  EXPECT_EQ(Due(m, CivilMonth(2026, 5)).relief, "REDUCTION_70");
  EXPECT_EQ(Due(m, CivilMonth(2026, 5)).due_dong, 15'000);
  EXPECT_EQ(Due(m, CivilMonth(2026, 6)).relief, "SERIOUS_ILLNESS");
  EXPECT_EQ(Due(m, CivilMonth(2026, 6)).due_dong, 0);
}

TEST(DuesReliefTest, DecisionsAreCheckedAgainstTheRules) {
  DuesReliefRecord r{.kind = v1::DUES_RELIEF_KIND_REDUCTION, .reason = v1::DUES_RELIEF_REASON_OTHER_HARDSHIP,
                     .reduction_percent = 50, .from_month = CivilMonth(2026, 3), .to_month = CivilMonth(2027, 2)};
  EXPECT_TRUE(ValidateRelief(r, Rules()).ok()) << "12 months";
  r.to_month = CivilMonth(2027, 3);
  EXPECT_EQ(common::FieldOf(ValidateRelief(r, Rules())), "relief.to_month") << "13 months";
  r.to_month = CivilMonth(2026, 12);
  r.reduction_percent = 40;
  EXPECT_EQ(common::FieldOf(ValidateRelief(r, Rules())), "relief.reduction_percent");
  r.reduction_percent = 30;
  r.from_month = CivilMonth(2025, 12);
  EXPECT_EQ(common::FieldOf(ValidateRelief(r, Rules())), "relief.from_month") << "no reductions under QĐ 342 here";
  r.from_month = CivilMonth(2027, 1);
  EXPECT_EQ(common::FieldOf(ValidateRelief(r, Rules())), "relief.to_month") << "before from_month";

  DuesReliefRecord pension{.kind = v1::DUES_RELIEF_KIND_EXEMPTION,
                           .reason = v1::DUES_RELIEF_REASON_SOCIAL_PENSION_ALLOWANCE,
                           .from_month = CivilMonth(2026, 2),
                           .to_month = CivilMonth(2028, 1)};
  EXPECT_TRUE(ValidateRelief(pension, Rules()).ok()) << "only hardship and reductions are bounded";
  pension.reason = v1::DUES_RELIEF_REASON_OTHER_HARDSHIP;
  EXPECT_EQ(common::FieldOf(ValidateRelief(pension, Rules())), "relief.to_month");
  pension.reason = v1::DUES_RELIEF_REASON_SERIOUS_ILLNESS;
  pension.reduction_percent = 50;
  EXPECT_EQ(common::FieldOf(ValidateRelief(pension, Rules())), "relief.reduction_percent");
  pension.kind = v1::DUES_RELIEF_KIND_UNSPECIFIED;
  EXPECT_EQ(common::FieldOf(ValidateRelief(pension, Rules())), "relief.kind");
}

TEST(DuesLedgerTest, WhatIsPaidAboveTheDueIsVoluntary) {
  const PaidSplit over = SplitPaid(15'930, 20'000);
  EXPECT_EQ(over.toward_due, 15'930);
  EXPECT_EQ(over.voluntary, 4'070);
  EXPECT_EQ(over.outstanding, 0);
  const PaidSplit under = SplitPaid(15'930, 10'000);
  EXPECT_EQ(under.toward_due, 10'000);
  EXPECT_EQ(under.voluntary, 0);
  EXPECT_EQ(under.outstanding, 5'930);
  EXPECT_EQ(SplitPaid(0, 5'000).voluntary, 5'000) << "an exempt member's payment is voluntary";
}

std::vector<MonthStanding> Year2026(int64_t due, std::vector<int64_t> paid) {
  std::vector<MonthStanding> months;
  for (int m = 1; m <= 12; ++m) {
    months.push_back({.month = CivilMonth(2026, m), .owed = true, .due_dong = due,
                      .paid_dong = m <= static_cast<int>(paid.size()) ? paid[m - 1] : 0});
  }
  return months;
}

TEST(DuesArrearsTest, ThreeEndedMonthsUnpaidInAYearCiteTheRule) {
  const std::vector<MonthStanding> months = Year2026(15'930, {0, 15'930, 0, 0});
  std::optional<Arrears> arrears = FindArrears(months, 2026, CivilDay(2026, 5, 3), Rules());
  ASSERT_TRUE(arrears.has_value());
  EXPECT_EQ(arrears->months, (std::vector<CivilMonth>{CivilMonth(2026, 1), CivilMonth(2026, 3), CivilMonth(2026, 4)}));
  EXPECT_EQ(arrears->rule_id, "dues.arrears.unpaid_months_in_year");
  EXPECT_NE(arrears->citation.find("Điều lệ"), std::string::npos);
  EXPECT_EQ(arrears->reached_on, CivilDay(2026, 4, 30)) << "April made three";
  // April has not ended on 30 April: two months only.
  EXPECT_FALSE(FindArrears(months, 2026, CivilDay(2026, 4, 30), Rules()).has_value());
}

TEST(DuesArrearsTest, DeferredExemptAndPartlyPaidMonths) {
  std::vector<MonthStanding> months = Year2026(15'930, {0, 0, 0});
  months[1].deferred = true;  // exempt from activities in February: may pay later
  EXPECT_FALSE(FindArrears(months, 2026, CivilDay(2026, 4, 1), Rules()).has_value());
  months[1].deferred = false;
  months[1].due_dong = 0;  // exempt: nothing owed
  EXPECT_FALSE(FindArrears(months, 2026, CivilDay(2026, 4, 1), Rules()).has_value());
  months[1].due_dong = 15'930;
  months[1].paid_dong = 15'000;  // partly paid still leaves something outstanding
  EXPECT_TRUE(FindArrears(months, 2026, CivilDay(2026, 4, 1), Rules()).has_value());
  months[1].owed = false;  // not a member that month
  EXPECT_FALSE(FindArrears(months, 2026, CivilDay(2026, 4, 1), Rules()).has_value());
}

TEST(DuesRegionTest, TheNearestOrganizationWithARegionInForceDecides) {
  const std::vector<WageRegionRecord> records = {
      {.depth = 2, .region = 3, .effective_from = CivilDay(2020, 1, 1)},   // the province
      {.depth = 1, .region = 2, .effective_from = CivilDay(2026, 1, 1)},   // the commune, from 2026
      {.depth = 1, .region = 1, .effective_from = CivilDay(2027, 7, 1)},   // reclassified
  };
  EXPECT_EQ(WageRegionOn(records, CivilDay(2025, 12, 31)), 3);
  EXPECT_EQ(WageRegionOn(records, CivilDay(2026, 1, 1)), 2);
  EXPECT_EQ(WageRegionOn(records, CivilDay(2027, 7, 1)), 1);
  EXPECT_EQ(WageRegionOn(records, CivilDay(2019, 12, 31)), 0);
}

TEST(DuesLedgerTest, MonthsFollowTheStatusOnTheirFirstDay) {
  // Probationary from 10 March 2026 (owes from April), exempt from activities
  // in June, temporarily at another cell from July.
  const std::vector<Period> periods = {
      {.valid_from = CivilDay(2025, 11, 1), .valid_to = CivilDay(2026, 3, 10), .status = v1::MEMBER_STATUS_PROSPECT, .cell_id = 7},
      {.valid_from = CivilDay(2026, 3, 10), .valid_to = CivilDay(2026, 6, 1), .status = v1::MEMBER_STATUS_PROBATIONARY, .cell_id = 7},
      {.valid_from = CivilDay(2026, 6, 1), .valid_to = CivilDay(2026, 7, 1), .status = v1::MEMBER_STATUS_PROBATIONARY, .cell_id = 7, .exempt = true},
      {.valid_from = CivilDay(2026, 7, 1), .status = v1::MEMBER_STATUS_PROBATIONARY, .cell_id = 7, .host_cell_id = 9},
  };
  EXPECT_FALSE(StatusOn(periods, CivilMonth(2026, 3)).owed);
  EXPECT_TRUE(StatusOn(periods, CivilMonth(2026, 4)).owed);
  EXPECT_TRUE(StatusOn(periods, CivilMonth(2026, 6)).deferred);
  EXPECT_EQ(StatusOn(periods, CivilMonth(2026, 7)).cell_id, 9);

  const DuesMember m = Farmer();
  const std::vector<EntryAmount> entries = {
      {.month = CivilMonth(2026, 3), .amount_dong = 10'000},                  // before owing: voluntary
      {.month = CivilMonth(2026, 4), .amount_dong = 20'000, .counts = false},  // corrected
      {.month = CivilMonth(2026, 4), .amount_dong = 15'930},
      {.month = CivilMonth(2026, 7), .amount_dong = 5'000},
  };
  // Cell 9 lies in region IV, cell 7 in region I; both keep their dues here from 2026-01.
  const CellSettingsOf settings_of = [](int64_t cell, CivilDay) {
    return CellDuesSettings{.wage_region = cell == 9 ? 4 : 1, .ledger_opened = CivilMonth(2026, 1)};
  };
  absl::StatusOr<std::vector<LedgerMonth>> months =
      BuildLedgerMonths(m, periods, entries, CivilMonth(2026, 3), CivilMonth(2026, 7), settings_of, Rules());
  ASSERT_TRUE(months.ok()) << months.status();
  ASSERT_EQ(months->size(), 5u);
  EXPECT_EQ((*months)[0].due.due_dong, 0);
  EXPECT_EQ((*months)[0].paid.voluntary, 10'000);
  EXPECT_EQ((*months)[1].paid_total, 15'930);
  EXPECT_EQ((*months)[1].paid.outstanding, 0);
  EXPECT_EQ((*months)[2].paid.outstanding, 15'930);
  EXPECT_EQ((*months)[4].due.due_dong, 11'100) << "the host cell's region";
  EXPECT_EQ((*months)[4].paid.outstanding, 6'100);
  const std::vector<MonthStanding> standings = Standings(*months);
  EXPECT_TRUE(standings[3].deferred);
  EXPECT_FALSE(standings[0].owed);

  // Cell 7 opened its ledger only in May: April and before were kept on paper.
  const CellSettingsOf late = [](int64_t cell, CivilDay) {
    return CellDuesSettings{.wage_region = 1, .ledger_opened = cell == 7 ? std::optional(CivilMonth(2026, 5))
                                                                           : std::optional<CivilMonth>()};
  };
  months = BuildLedgerMonths(m, periods, entries, CivilMonth(2026, 4), CivilMonth(2026, 7), late, Rules());
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_FALSE((*months)[0].in_ledger);
  EXPECT_EQ((*months)[0].due.due_dong, 0);
  EXPECT_EQ((*months)[0].paid.voluntary, 15'930) << "paid for a month kept on paper";
  EXPECT_FALSE(Standings(*months)[0].owed);
  EXPECT_TRUE((*months)[1].in_ledger);
  EXPECT_FALSE((*months)[3].in_ledger) << "cell 9 never opened one";
}

TEST(DuesLedgerTest, TheNearestOrganizationsOpeningCounts) {
  const std::vector<LedgerOpeningRecord> records = {{.depth = 2, .first_month = CivilMonth(2025, 1)},
                                                    {.depth = 1, .first_month = CivilMonth(2026, 7)}};
  EXPECT_EQ(LedgerOpenedFor(records), CivilMonth(2026, 7));
  EXPECT_EQ(LedgerOpenedFor({}), std::nullopt);
}

TEST(DuesMonthTest, ParsesAndFormatsMonths) {
  EXPECT_EQ(*ParseMonth("2026-02", "month"), CivilMonth(2026, 2));
  EXPECT_EQ(FormatMonth(CivilMonth(2026, 2)), "2026-02");
  for (const char* bad : {"", "2026-2", "2026-13", "2026-02-01", "26-02", "abcd-ef"}) {
    EXPECT_EQ(common::FieldOf(ParseMonth(bad, "entry.month").status()), "entry.month") << bad;
  }
}

}  // namespace
}  // namespace grassroots::membership::domain
