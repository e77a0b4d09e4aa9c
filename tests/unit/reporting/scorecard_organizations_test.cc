// Organization indicators (S1, S3, S5a, S8, S10, S11, S12, S13) and
// RestrictToChild on hand-built facts; every expected value is computed by hand.
#include <gtest/gtest.h>

#include "services/reporting/domain/scorecard.h"
#include "tests/unit/reporting/scorecard_test_support.h"

namespace grassroots::reporting::domain {
namespace {

using namespace grassroots::reporting::domain::testing;
using K = OrganizationKind;

TEST(ScorecardS1, CountsActiveOrganizationsWithARegulationInForce) {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kOther));
  auto with_regulation = Org(10, 1, K::kGrassrootsCommittee);
  with_regulation.regulations = {{Day(2020, 1, 1), std::nullopt}};
  auto superseded = Org(11, 10, K::kPartialCommittee);
  superseded.regulations = {{Day(2018, 1, 1), Day(2025, 6, 1)}};
  auto founded_on_d = Org(12, 11, K::kSubordinateCell, Day(2025, 12, 31));
  auto ends_day_after_d = Org(13, 10, K::kSubordinateCell, Day(2010, 1, 1), Day(2026, 1, 1));
  ends_day_after_d.regulations = {{Day(2019, 1, 1), std::nullopt}};
  auto ended_on_d = Org(14, 1, K::kGrassrootsCell, Day(2010, 1, 1), Day(2025, 12, 31));
  ended_on_d.regulations = {{Day(2019, 1, 1), std::nullopt}};
  auto founded_after_d = Org(15, 1, K::kSubordinateCell, Day(2026, 1, 1));
  auto party_group = Org(16, 13, K::kOther);
  facts.organizations.insert(facts.organizations.end(),
                             {with_regulation, superseded, founded_on_d, ends_day_after_d, ended_on_d, founded_after_d,
                              party_group});

  const IndicatorCount& s1 = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS1);
  // Denominator 10, 11, 12, 13 (14 ended on D, 15 founded after it, 16 a party group); numerator 10, 13.
  EXPECT_EQ(s1.denominator, 4);
  EXPECT_EQ(s1.numerator, 2);
  EXPECT_EQ(PercentHundredths(s1.numerator, s1.denominator), 5000);
  EXPECT_EQ(Ids(s1), (std::vector<int64_t>{10, 11, 12, 13}));
  EXPECT_EQ(NumeratorIds(s1), (std::vector<int64_t>{10, 13}));
  EXPECT_EQ(s1.contributions[1].reason, "chưa có quy chế làm việc có hiệu lực");
  EXPECT_EQ(s1.contributions[0].reason, "");
}

TEST(ScorecardS3, ANewModelAnywhereUnderATccsCounts) {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kOther));
  facts.organizations.push_back(Org(30, 1, K::kGrassrootsCommittee));
  facts.organizations.push_back(Org(31, 30, K::kPartialCommittee));
  auto deep_cell = Org(32, 31, K::kSubordinateCell);
  deep_cell.new_model_years = {2025};
  facts.organizations.push_back(deep_cell);
  auto last_year = Org(33, 1, K::kGrassrootsCell);
  last_year.new_model_years = {2024};
  facts.organizations.push_back(last_year);
  auto itself = Org(34, 1, K::kGrassrootsCell);
  itself.new_model_years = {2025};
  facts.organizations.push_back(itself);
  auto dissolved = Org(35, 1, K::kGrassrootsCell, Day(2010, 1, 1), Day(2025, 6, 1));
  dissolved.new_model_years = {2025};
  facts.organizations.push_back(dissolved);

  const IndicatorCount& s3 = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS3);
  // TCCS active on D: 30, 33, 34; with a model in 2025: 30 (through 32), 34.
  EXPECT_EQ(s3.denominator, 3);
  EXPECT_EQ(s3.numerator, 2);
  EXPECT_EQ(NumeratorIds(s3), (std::vector<int64_t>{30, 34}));
  EXPECT_EQ(PercentHundredths(s3.numerator, s3.denominator), 6667);
}

TEST(ScorecardS5a, RatedTccsOutsideTheArmedForces) {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kOther));
  auto good = Org(40, 1, K::kGrassrootsCommittee);
  good.rating = RatingLevel::kGood;
  auto completed = Org(41, 1, K::kGrassrootsCell);
  completed.rating = RatingLevel::kCompleted;
  auto military = Org(42, 1, K::kGrassrootsCell);
  military.sector = "MILITARY";
  military.rating = RatingLevel::kExcellent;
  auto unrated = Org(43, 1, K::kGrassrootsCell);
  auto not_tccs = Org(44, 40, K::kSubordinateCell);
  not_tccs.rating = RatingLevel::kExcellent;
  facts.organizations.insert(facts.organizations.end(), {good, completed, military, unrated, not_tccs});

  const IndicatorCount& s5a = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS5a);
  EXPECT_EQ(s5a.denominator, 2);
  EXPECT_EQ(s5a.numerator, 1);
  EXPECT_EQ(Ids(s5a), (std::vector<int64_t>{40, 41}));
}

TEST(ScorecardS8, TccsFoundedInTheTermInNonStateSectors) {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kOther));
  auto private_cell = Org(50, 1, K::kGrassrootsCell, Day(2021, 5, 1));
  private_cell.sector_at_founding = "PRIVATE_ENTERPRISE";
  private_cell.sector = "COOPERATIVE";  // the sector at founding decides
  auto before_term = Org(51, 1, K::kGrassrootsCommittee, Day(2019, 12, 31));
  before_term.sector_at_founding = "PRIVATE_ENTERPRISE";
  auto not_tccs = Org(52, 50, K::kSubordinateCell, Day(2022, 1, 1));
  not_tccs.sector_at_founding = "NON_PUBLIC_UNIT";
  auto foreign_dissolved = Org(53, 1, K::kGrassrootsCell, Day(2023, 1, 1), Day(2024, 1, 1));
  foreign_dissolved.sector_at_founding = "FOREIGN_INVESTED_ENTERPRISE";
  auto state = Org(54, 1, K::kGrassrootsCell, Day(2024, 1, 1));
  state.sector_at_founding = "STATE_ENTERPRISE";
  auto after_d = Org(55, 1, K::kGrassrootsCell, Day(2026, 1, 1));
  after_d.sector_at_founding = "NON_PUBLIC_UNIT";
  facts.organizations.insert(facts.organizations.end(),
                             {private_cell, before_term, not_tccs, foreign_dissolved, state, after_d});

  const IndicatorCount& s8 = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS8);
  EXPECT_EQ(s8.numerator, 2);
  EXPECT_EQ(s8.denominator, 0);
  EXPECT_EQ(Ids(s8), (std::vector<int64_t>{50, 53}));
}

TEST(ScorecardS10S11S12, CommitteesAndInspectionPrograms) {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kOther));
  auto elected = Org(70, 1, K::kGrassrootsCell);
  elected.committee_terms = {{1, {Day(2020, 9, 1), std::nullopt}, true}};
  elected.inspection_program_adopted_on = Day(2025, 2, 1);
  auto term_over = Org(71, 1, K::kSubordinateCell);
  term_over.committee_terms = {{2, {Day(2020, 9, 1), Day(2025, 10, 1)}, true}};
  term_over.inspection_program_adopted_on = Day(2026, 1, 5);  // after D
  auto military_elected = Org(72, 1, K::kSubordinateCell);
  military_elected.commune_military_cell = true;
  military_elected.committee_terms = {{3, {Day(2022, 1, 1), std::nullopt}, true}};
  auto military_secretary_only = Org(73, 1, K::kSubordinateCell);
  military_secretary_only.commune_military_cell = true;
  military_secretary_only.committee_terms = {{4, {Day(2022, 1, 1), std::nullopt}, false}};
  auto committee = Org(74, 1, K::kGrassrootsCommittee);
  committee.committee_terms = {{5, {Day(2020, 9, 1), std::nullopt}, true}};
  committee.inspection_program_adopted_on = Day(2025, 12, 31);
  auto partial = Org(75, 74, K::kPartialCommittee);
  partial.inspection_program_adopted_on = Day(2025, 3, 1);
  facts.organizations.insert(facts.organizations.end(),
                             {elected, term_over, military_elected, military_secretary_only, committee, partial});

  auto counts = ComputeIndicators(facts, YearEnd(2025));
  const IndicatorCount& s10 = Find(counts, Indicator::kS10);
  EXPECT_EQ(s10.denominator, 4);  // 70, 71, 72, 73
  EXPECT_EQ(s10.numerator, 2);    // 70, 72
  EXPECT_EQ(NumeratorIds(s10), (std::vector<int64_t>{70, 72}));
  const IndicatorCount& s11 = Find(counts, Indicator::kS11);
  EXPECT_EQ(s11.denominator, 2);
  EXPECT_EQ(s11.numerator, 1);
  EXPECT_EQ(s11.contributions[1].reason, "chưa có cấp ủy");
  const IndicatorCount& s12 = Find(counts, Indicator::kS12);
  // 70, 71, 72, 73, 74 (75 is a partial committee); adopted by D: 70, 74.
  EXPECT_EQ(s12.denominator, 5);
  EXPECT_EQ(s12.numerator, 2);
  EXPECT_EQ(NumeratorIds(s12), (std::vector<int64_t>{70, 74}));
  EXPECT_EQ(PercentHundredths(s12.numerator, s12.denominator), 4000);
}

SubtreeFacts ThematicMeetingFacts() {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kGrassrootsCommittee));
  auto every_quarter = Org(2, 1, K::kSubordinateCell);
  every_quarter.thematic_meetings = {Day(2025, 2, 10), Day(2025, 5, 20)};
  auto first_quarter_only = Org(3, 1, K::kSubordinateCell);
  first_quarter_only.thematic_meetings = {Day(2025, 3, 31)};
  auto founded_mid_q1 = Org(4, 1, K::kSubordinateCell, Day(2025, 2, 15));
  founded_mid_q1.thematic_meetings = {Day(2025, 3, 1), Day(2025, 4, 1)};
  auto dissolved_after_q2 = Org(5, 1, K::kSubordinateCell, Day(2010, 1, 1), Day(2025, 7, 10));
  dissolved_after_q2.thematic_meetings = {Day(2025, 1, 2), Day(2025, 6, 30)};
  auto dissolved_on_last_day_of_q2 = Org(6, 1, K::kSubordinateCell, Day(2010, 1, 1), Day(2025, 6, 30));
  dissolved_on_last_day_of_q2.thematic_meetings = {Day(2025, 1, 2), Day(2025, 4, 2)};
  auto q3_meeting_only = Org(7, 1, K::kGrassrootsCell);
  q3_meeting_only.thematic_meetings = {Day(2025, 7, 2)};
  facts.organizations.insert(facts.organizations.end(), {every_quarter, first_quarter_only, founded_mid_q1,
                                                         dissolved_after_q2, dissolved_on_last_day_of_q2,
                                                         q3_meeting_only});
  return facts;
}

TEST(ScorecardS13, AsOfAugustJudgesTheTwoEndedQuarters) {
  Evaluation august{2025, Day(2025, 8, 15), Day(2020, 1, 1)};
  const IndicatorCount& s13 = Find(ComputeIndicators(ThematicMeetingFacts(), august), Indicator::kS13);
  // Active 2025-01-01 .. 2025-06-30: 2, 3, 5, 7 (1 is a committee, 4 founded mid-Q1, 6 ended on 06-30).
  EXPECT_EQ(Ids(s13), (std::vector<int64_t>{2, 3, 5, 7}));
  EXPECT_EQ(NumeratorIds(s13), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(s13.contributions[1].reason, "không sinh hoạt chuyên đề trong quý 2");
  EXPECT_EQ(s13.contributions[3].reason, "không sinh hoạt chuyên đề trong quý 1, 2");
  EXPECT_EQ(PercentHundredths(s13.numerator, s13.denominator), 5000);
}

TEST(ScorecardS13, NoEndedQuarterMeansAnEmptyDenominator) {
  Evaluation march30{2025, Day(2025, 3, 30), Day(2020, 1, 1)};
  const IndicatorCount& s13 = Find(ComputeIndicators(ThematicMeetingFacts(), march30), Indicator::kS13);
  EXPECT_EQ(s13.denominator, 0);
  EXPECT_EQ(PercentHundredths(s13.numerator, s13.denominator), std::nullopt);
  Target all = Comparing(">=", 1.0);
  EXPECT_EQ(Judge(s13, &all, 2025), Attainment::kUnknown);

  Evaluation march31{2025, Day(2025, 3, 31), Day(2020, 1, 1)};
  const IndicatorCount& q1 = Find(ComputeIndicators(ThematicMeetingFacts(), march31), Indicator::kS13);
  // Q1 only: 2, 3, 5, 6, 7 active through it; 2, 3, 5, 6 met in Q1.
  EXPECT_EQ(Ids(q1), (std::vector<int64_t>{2, 3, 5, 6, 7}));
  EXPECT_EQ(NumeratorIds(q1), (std::vector<int64_t>{2, 3, 5, 6}));
}

// Root 1 (a district committee) with children 10 (a đảng bộ cơ sở with a
// partial committee 11 and its cell 12) and 20 (a chi bộ cơ sở).
SubtreeFacts TwoChildren() {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kOther));
  auto committee = Org(10, 1, K::kGrassrootsCommittee);
  committee.regulations = {{Day(2020, 1, 1), std::nullopt}};
  facts.organizations.push_back(committee);
  facts.organizations.push_back(Org(11, 10, K::kPartialCommittee));
  auto cell = Org(12, 11, K::kSubordinateCell);
  cell.regulations = {{Day(2020, 1, 1), std::nullopt}};
  facts.organizations.push_back(cell);
  facts.organizations.push_back(Org(20, 1, K::kGrassrootsCell));
  auto member = [](int64_t id) {
    MemberFacts m;
    m.id = id;
    return m;
  };
  auto m1 = member(101);
  m1.on_previous_year_end = Standing(12);
  auto m2 = member(102);
  m2.on_previous_year_end = Standing(20);
  auto m3 = member(103);
  m3.on_previous_year_end = Standing(20);
  auto m4 = member(104);
  m4.admission_decision_date = Day(2025, 4, 1);
  m4.admission_cell_id = 12;
  auto m5 = member(105);
  m5.removal = MemberFacts::Removal{RemovalKind::kRemoved, Day(2025, 5, 1), 12, "NO_DUES"};
  auto m6 = member(106);
  m6.removal = MemberFacts::Removal{RemovalKind::kExpelled, Day(2025, 6, 1), 20, ""};
  facts.members = {m1, m2, m3, m4, m5, m6};
  ResidentialUnitFacts unit;
  unit.id = 500;
  unit.commune_organization_id = 1;
  unit.life = {Day(2000, 1, 1), std::nullopt};
  facts.units = {unit};
  return facts;
}

TEST(ScorecardRestrictToChild, RecountsEachChildAndTheRootsOwn) {
  SubtreeFacts facts = TwoChildren();
  auto counts = ComputeIndicators(facts, YearEnd(2025));
  EXPECT_EQ(Find(counts, Indicator::kS1).denominator, 4);
  EXPECT_EQ(Find(counts, Indicator::kS6).numerator, 1);
  EXPECT_EQ(Find(counts, Indicator::kS6).denominator, 3);

  auto first = RestrictToChild(counts, facts, 10);
  EXPECT_EQ(Find(first, Indicator::kS1).denominator, 3);  // 10, 11, 12
  EXPECT_EQ(Find(first, Indicator::kS1).numerator, 2);    // 10, 12
  EXPECT_EQ(Find(first, Indicator::kS6).numerator, 1);    // admitted into 12
  EXPECT_EQ(Find(first, Indicator::kS6).denominator, 1);  // 101 in 12 on 2024-12-31
  EXPECT_EQ(Find(first, Indicator::kS16).numerator, 1);
  EXPECT_EQ(Find(first, Indicator::kS16).removals,
            (std::map<std::pair<std::string, std::string>, int64_t>{{{"REMOVED", "NO_DUES"}, 1}}));
  EXPECT_EQ(Find(first, Indicator::kS9).denominator, 0);

  auto second = RestrictToChild(counts, facts, 20);
  EXPECT_EQ(Find(second, Indicator::kS1).denominator, 1);
  EXPECT_EQ(Find(second, Indicator::kS1).numerator, 0);
  EXPECT_EQ(Find(second, Indicator::kS6).numerator, 0);
  EXPECT_EQ(Find(second, Indicator::kS6).denominator, 2);
  EXPECT_EQ(Find(second, Indicator::kS16).removals,
            (std::map<std::pair<std::string, std::string>, int64_t>{{{"EXPELLED", "UNSPECIFIED"}, 1}}));

  auto own = RestrictToChild(counts, facts, 1);
  EXPECT_EQ(Find(own, Indicator::kS1).denominator, 0);
  EXPECT_EQ(Find(own, Indicator::kS6).denominator, 0);
  EXPECT_EQ(Find(own, Indicator::kS9).denominator, 1);  // the unit of the root's own commune
  EXPECT_EQ(Find(own, Indicator::kS9).numerator, 0);
  EXPECT_EQ(Find(own, Indicator::kS16).numerator, 0);
}

TEST(Scorecard, ReturnsEveryIndicatorInOrder) {
  auto counts = ComputeIndicators(TwoChildren(), YearEnd(2025));
  ASSERT_EQ(counts.size(), AllIndicators().size());
  for (size_t i = 0; i < counts.size(); ++i) EXPECT_EQ(counts[i].indicator, AllIndicators()[i]);
  EXPECT_EQ(IndicatorId(Indicator::kS2a), "S2a");
  EXPECT_EQ(ParseIndicatorId("S16").value(), Indicator::kS16);
  EXPECT_FALSE(ParseIndicatorId("S17").ok());
  EXPECT_TRUE(IsCount(Indicator::kS7));
  EXPECT_FALSE(IsCount(Indicator::kS6));
}

}  // namespace
}  // namespace grassroots::reporting::domain
