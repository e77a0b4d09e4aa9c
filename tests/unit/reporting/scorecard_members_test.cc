// Member indicators (S2a, S2b, S4, S5b, S6, S7, S16) on hand-built facts:
// temporary members, transfers in and out, exempt members; every expected
// value is computed by hand.
#include <gtest/gtest.h>

#include "services/reporting/domain/scorecard.h"
#include "tests/unit/reporting/scorecard_test_support.h"

namespace grassroots::reporting::domain {
namespace {

using namespace grassroots::reporting::domain::testing;
using K = OrganizationKind;

constexpr int32_t kCivilService = 1;
constexpr int32_t kArmedForces = 2;
constexpr int32_t kWorker = 3;
constexpr int32_t kPrivateBusinessOwner = 5;
constexpr int32_t kRetired = 8;
constexpr int64_t kCell = 20;             // a cell of the subtree that covers no residential unit
constexpr int64_t kResidentialCell = 21;  // a cell of the subtree that covers one
constexpr int64_t kElsewhere = 99;        // a cell outside the subtree (a host cell, or another district's)

MemberFacts Member(int64_t id, std::optional<MemberOnDay> on_d) {
  MemberFacts member;
  member.id = id;
  member.on_d = on_d;
  return member;
}

SubtreeFacts MemberFactsOf2025() {
  SubtreeFacts facts;
  facts.root_id = 1;
  facts.organizations.push_back(Org(1, std::nullopt, K::kGrassrootsCommittee));
  facts.organizations.push_back(Org(kCell, 1, K::kSubordinateCell));
  auto residential = Org(kResidentialCell, 1, K::kSubordinateCell);
  residential.residential_on_d = true;
  facts.organizations.push_back(residential);
  facts.working_categories = {kCivilService, kArmedForces};
  facts.commitment_categories = {kCivilService, kArmedForces};

  auto m1 = Member(1, Standing(kCell, true, kCivilService));
  m1.on_previous_year_end = Standing(kCell);
  m1.registered_on_d = true;
  m1.feedback_years = {2025};
  m1.commitment_years = {2025};
  m1.rating = RatingLevel::kGood;
  auto m2 = Member(2, Standing(kCell, true, kCivilService));
  m2.on_previous_year_end = Standing(kCell);
  m2.feedback_years = {2024};
  m2.commitment_years = {2024};
  m2.rating = RatingLevel::kCompleted;
  auto exempt = Member(3, Standing(kCell, true, kArmedForces));
  exempt.on_previous_year_end = Standing(kCell);
  exempt.registration_exempt = true;
  exempt.commitment_years = {2025};
  exempt.rating = RatingLevel::kExcellent;
  auto in_residential_cell = Member(4, Standing(kResidentialCell, true, kCivilService));
  auto temporary_here = Member(5, Standing(kElsewhere, true, kCivilService));  // own cell elsewhere
  temporary_here.registered_on_d = true;
  temporary_here.rating = RatingLevel::kGood;
  auto not_counted = Member(6, Standing(kCell, false, kCivilService));
  not_counted.rating = RatingLevel::kGood;
  auto retired = Member(7, Standing(kCell, true, kRetired));
  retired.rating = RatingLevel::kNotCompleted;
  auto transferred_in = Member(8, Standing(kCell, true, kWorker));
  transferred_in.on_previous_year_end = Standing(kElsewhere);
  transferred_in.rating = RatingLevel::kGood;
  auto transferred_out = Member(9, Standing(kElsewhere, true, kCivilService));
  transferred_out.on_previous_year_end = Standing(kCell);
  transferred_out.rating = RatingLevel::kGood;
  facts.members = {m1, m2, exempt, in_residential_cell, temporary_here, not_counted, retired, transferred_in,
                   transferred_out};

  auto admitted_here = Member(10, Standing(kCell, true, kPrivateBusinessOwner));
  admitted_here.admission_decision_date = Day(2025, 3, 10);
  admitted_here.admission_cell_id = kCell;
  admitted_here.occupation_category_at_admission = kPrivateBusinessOwner;
  auto admitted_elsewhere = Member(11, std::nullopt);
  admitted_elsewhere.admission_decision_date = Day(2025, 6, 1);
  admitted_elsewhere.admission_cell_id = kElsewhere;
  admitted_elsewhere.occupation_category_at_admission = kPrivateBusinessOwner;
  auto admitted_last_year = Member(12, std::nullopt);
  admitted_last_year.admission_decision_date = Day(2024, 12, 31);
  admitted_last_year.admission_cell_id = kResidentialCell;
  admitted_last_year.occupation_category_at_admission = kPrivateBusinessOwner;
  auto admitted_before_term = Member(13, std::nullopt);
  admitted_before_term.admission_decision_date = Day(2019, 12, 31);
  admitted_before_term.admission_cell_id = kCell;
  admitted_before_term.occupation_category_at_admission = kPrivateBusinessOwner;
  auto admitted_worker = Member(14, std::nullopt);
  admitted_worker.admission_decision_date = Day(2025, 11, 30);
  admitted_worker.admission_cell_id = kResidentialCell;
  admitted_worker.occupation_category_at_admission = kWorker;
  facts.members.insert(facts.members.end(),
                       {admitted_here, admitted_elsewhere, admitted_last_year, admitted_before_term, admitted_worker});

  auto removal = [](int64_t id, RemovalKind kind, absl::CivilDay day, int64_t cell, std::string reason) {
    MemberFacts member = Member(id, std::nullopt);
    member.removal = MemberFacts::Removal{kind, day, cell, std::move(reason)};
    return member;
  };
  facts.members.push_back(removal(15, RemovalKind::kRemoved, Day(2025, 5, 5), kCell, ""));
  facts.members.push_back(removal(16, RemovalKind::kExpelled, Day(2025, 9, 1), kResidentialCell, "CORRUPTION"));
  facts.members.push_back(removal(17, RemovalKind::kRemoved, Day(2025, 2, 2), kCell, ""));
  facts.members.push_back(removal(18, RemovalKind::kLeft, Day(2024, 11, 11), kCell, "PERSONAL_REQUEST"));
  facts.members.push_back(removal(19, RemovalKind::kLeft, Day(2025, 3, 3), kElsewhere, "PERSONAL_REQUEST"));
  facts.members.push_back(removal(20, RemovalKind::kLeft, Day(2025, 12, 1), kCell, "PERSONAL_REQUEST"));
  return facts;
}

TEST(ScorecardS2, WorkingMembersRegisteredAndWithFeedback) {
  auto counts = ComputeIndicators(MemberFactsOf2025(), YearEnd(2025));
  // Working members: 1 and 2 (3 is exempt, 4 in a residential cell, 5 and 9 have
  // their cell elsewhere, 6 is not counted, 7 and 8 are not in a working category).
  const IndicatorCount& s2a = Find(counts, Indicator::kS2a);
  EXPECT_EQ(Ids(s2a), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(NumeratorIds(s2a), (std::vector<int64_t>{1}));
  EXPECT_EQ(s2a.contributions[1].reason, "chưa đăng ký sinh hoạt nơi cư trú");
  EXPECT_EQ(s2a.contributions[1].subject, Contribution::Subject::kMember);
  EXPECT_EQ(s2a.contributions[1].organization_id, kCell);
  const IndicatorCount& s2b = Find(counts, Indicator::kS2b);
  EXPECT_EQ(s2b.denominator, 2);
  EXPECT_EQ(s2b.numerator, 1);
  EXPECT_EQ(NumeratorIds(s2b), (std::vector<int64_t>{1}));
}

TEST(ScorecardS4, CommitmentsOfCountedCadresAndArmedForces) {
  const IndicatorCount& s4 = Find(ComputeIndicators(MemberFactsOf2025(), YearEnd(2025)), Indicator::kS4);
  // Counted on D in a commitment category: 1, 2, 3 (exempt still counts), 4; with a 2025 commitment: 1, 3.
  EXPECT_EQ(Ids(s4), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(NumeratorIds(s4), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(PercentHundredths(s4.numerator, s4.denominator), 5000);
}

TEST(ScorecardS5b, CountedMembersRatedGoodOrBetter) {
  const IndicatorCount& s5b = Find(ComputeIndicators(MemberFactsOf2025(), YearEnd(2025)), Indicator::kS5b);
  // Rated and counted on D here: 1 good, 2 completed, 3 excellent, 7 not completed, 8 good
  // (5 and 9 are rated but their cell is elsewhere; 6 is not counted).
  EXPECT_EQ(s5b.denominator, 5);
  EXPECT_EQ(s5b.numerator, 3);
  EXPECT_EQ(PercentHundredths(s5b.numerator, s5b.denominator), 6000);
}

TEST(ScorecardS6, AdmissionsOverTheMembersOfThePreviousYearEnd) {
  const IndicatorCount& s6 = Find(ComputeIndicators(MemberFactsOf2025(), YearEnd(2025)), Indicator::kS6);
  // Counted here on 2024-12-31: 1, 2, 3, 9 (transferred out since; 8 was elsewhere then).
  EXPECT_EQ(s6.denominator, 4);
  // Admitted in 2025 into a cell of the subtree: 10, 14.
  EXPECT_EQ(s6.numerator, 2);
  EXPECT_EQ(Ids(s6), (std::vector<int64_t>{10, 14}));
  EXPECT_EQ(PercentHundredths(s6.numerator, s6.denominator), 5000);

  // As of 30 November: 14's decision day is still ahead.
  Evaluation november{2025, Day(2025, 11, 29), Day(2020, 1, 1)};
  const IndicatorCount& early = Find(ComputeIndicators(MemberFactsOf2025(), november), Indicator::kS6);
  EXPECT_EQ(early.numerator, 1);
  EXPECT_EQ(PercentHundredths(early.numerator, early.denominator), 2500);
}

TEST(ScorecardS7, PrivateBusinessOwnersAdmittedInTheTerm) {
  const IndicatorCount& s7 = Find(ComputeIndicators(MemberFactsOf2025(), YearEnd(2025)), Indicator::kS7);
  // 10 (2025) and 12 (2024) into cells of the subtree; 11 elsewhere, 13 before the term, 14 a worker.
  EXPECT_EQ(s7.numerator, 2);
  EXPECT_EQ(s7.denominator, 0);
  EXPECT_EQ(Ids(s7), (std::vector<int64_t>{10, 12}));
}

TEST(ScorecardS16, RemovalsByKindAndReason) {
  auto counts = ComputeIndicators(MemberFactsOf2025(), YearEnd(2025));
  const IndicatorCount& s16 = Find(counts, Indicator::kS16);
  // In 2025 from cells of the subtree: 15, 16, 17, 20 (18 was in 2024, 19 left a cell elsewhere).
  EXPECT_EQ(s16.numerator, 4);
  EXPECT_EQ(s16.removals, (std::map<std::pair<std::string, std::string>, int64_t>{
                              {{"REMOVED", "UNSPECIFIED"}, 2},
                              {{"EXPELLED", "CORRUPTION"}, 1},
                              {{"LEFT", "PERSONAL_REQUEST"}, 1}}));
  Evaluation june{2025, Day(2025, 6, 30), Day(2020, 1, 1)};
  const IndicatorCount& by_june = Find(ComputeIndicators(MemberFactsOf2025(), june), Indicator::kS16);
  EXPECT_EQ(by_june.numerator, 2);  // 15, 17
  EXPECT_EQ(by_june.removals,
            (std::map<std::pair<std::string, std::string>, int64_t>{{{"REMOVED", "UNSPECIFIED"}, 2}}));
}

}  // namespace
}  // namespace grassroots::reporting::domain
