// Residential units and posts (S9, S14, S15) on hand-built facts; every
// expected value is computed by hand.
#include <gtest/gtest.h>

#include "services/reporting/domain/scorecard.h"
#include "tests/unit/reporting/scorecard_test_support.h"

namespace grassroots::reporting::domain {
namespace {

using namespace grassroots::reporting::domain::testing;
using K = OrganizationKind;
using Head = ResidentialUnitFacts::Head;

constexpr int64_t kCommune = 10;

SubtreeFacts CommuneFacts() {
  SubtreeFacts facts;
  facts.root_id = kCommune;
  facts.organizations.push_back(Org(kCommune, std::nullopt, K::kGrassrootsCommittee));
  facts.organizations.push_back(Org(11, kCommune, K::kSubordinateCell));
  return facts;
}

ResidentialUnitFacts Unit(int64_t id, int64_t commune = kCommune,
                          std::optional<absl::CivilDay> ended = std::nullopt) {
  ResidentialUnitFacts unit;
  unit.id = id;
  unit.commune_organization_id = commune;
  unit.life = {Day(2000, 1, 1), ended};
  return unit;
}

Head MakeHead(int64_t id, Post post, bool member, DatedRange range, std::optional<int64_t> member_id = std::nullopt) {
  Head head;
  head.head_id = id;
  head.post = post;
  head.is_party_member = member;
  head.member_id = member_id;
  head.range = range;
  return head;
}

TEST(ScorecardS9, UnitsWithACoveringCellActiveOnD) {
  SubtreeFacts facts = CommuneFacts();
  auto covered = Unit(1);
  covered.coverings = {{11, {Day(2010, 1, 1), std::nullopt}, true}};
  auto no_cell = Unit(2);
  auto covering_cell_ended = Unit(3);
  covering_cell_ended.coverings = {{12, {Day(2010, 1, 1), std::nullopt}, false}};
  auto covering_ended = Unit(4);
  covering_ended.coverings = {{11, {Day(2010, 1, 1), Day(2025, 6, 1)}, true}};
  auto unit_ended_on_d = Unit(5, kCommune, Day(2025, 12, 31));
  auto other_commune = Unit(6, 99);
  other_commune.coverings = {{11, {Day(2010, 1, 1), std::nullopt}, true}};
  auto covered_from_outside = Unit(7);
  covered_from_outside.coverings = {{900, {Day(2010, 1, 1), std::nullopt}, true}};
  facts.units = {covered, no_cell, covering_cell_ended, covering_ended, unit_ended_on_d, other_commune,
                 covered_from_outside};

  const IndicatorCount& s9 = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS9);
  EXPECT_EQ(Ids(s9), (std::vector<int64_t>{1, 2, 3, 4, 7}));
  EXPECT_EQ(NumeratorIds(s9), (std::vector<int64_t>{1, 7}));
  EXPECT_EQ(s9.contributions[1].subject, Contribution::Subject::kResidentialUnit);
  EXPECT_EQ(s9.contributions[1].reason, "không có chi bộ phụ trách đang hoạt động");
  EXPECT_EQ(PercentHundredths(s9.numerator, s9.denominator), 4000);
}

PostHolding Holding(int64_t member, Post post, int64_t organization, DatedRange range, int64_t term,
                    absl::CivilDay term_from) {
  PostHolding holding;
  holding.post = post;
  holding.organization_id = organization;
  holding.member_id = member;
  holding.range = range;
  holding.committee_term_id = term;
  holding.term_range = DatedRange{term_from, std::nullopt};
  return holding;
}

PostTraining Training(Post post, absl::CivilDay start) {
  PostTraining training;
  training.post = post;
  training.start_date = start;
  return training;
}

TEST(ScorecardS14, TrainedByTermIdByTermDatesOrByStartDate) {
  SubtreeFacts facts = CommuneFacts();
  const Post kCommittee = Post::kGrassrootsCommitteeMember;
  const Post kSecretary = Post::kCellSecretary;
  auto member = [&](int64_t id, std::vector<PostTraining> trainings) {
    MemberFacts m;
    m.id = id;
    m.on_d = Standing(11);
    m.trainings = std::move(trainings);
    facts.members.push_back(m);
  };
  auto by_term_id = Training(kCommittee, Day(2021, 3, 1));
  by_term_id.committee_term_id = 7;
  member(1, {by_term_id});
  auto by_term_dates = Training(kSecretary, Day(2019, 5, 1));
  by_term_dates.term_starts_on = Day(2020, 6, 1);
  by_term_dates.term_ends_on = Day(2025, 12, 31);  // inclusive: covers D
  member(2, {by_term_dates});
  member(3, {Training(kSecretary, Day(2022, 12, 1))});  // no term recorded, started in this term
  auto wrong_post = Training(kSecretary, Day(2021, 1, 1));
  wrong_post.committee_term_id = 7;
  member(4, {wrong_post, Training(kCommittee, Day(2019, 1, 1))});  // the committee one predates the term
  member(5, {by_term_id});
  auto previous_term = Training(kCommittee, Day(2016, 1, 1));
  previous_term.committee_term_id = 3;
  previous_term.term_starts_on = Day(2015, 10, 1);
  previous_term.term_ends_on = Day(2020, 9, 30);
  member(7, {previous_term});
  member(8, {Training(Post::kResidentialGroupHead, Day(2024, 2, 1))});

  facts.posts = {
      Holding(1, kCommittee, kCommune, {Day(2020, 10, 1), std::nullopt}, 7, Day(2020, 10, 1)),
      Holding(2, kSecretary, 11, {Day(2023, 1, 1), std::nullopt}, 8, Day(2022, 11, 1)),
      Holding(3, kSecretary, 11, {Day(2022, 11, 1), Day(2023, 1, 1)}, 8, Day(2022, 11, 1)),  // not on D
      Holding(4, kCommittee, kCommune, {Day(2020, 10, 1), std::nullopt}, 7, Day(2020, 10, 1)),
      Holding(5, kCommittee, kCommune, {Day(2020, 10, 1), Day(2025, 6, 1)}, 7, Day(2020, 10, 1)),  // left
      Holding(6, kSecretary, 99, {Day(2020, 10, 1), std::nullopt}, 9, Day(2020, 10, 1)),           // elsewhere
      Holding(7, kCommittee, kCommune, {Day(2020, 10, 1), std::nullopt}, 7, Day(2020, 10, 1)),
  };
  // Member 3 holds the secretary post again from 2023 in the same term.
  facts.posts.push_back(Holding(3, kSecretary, 11, {Day(2024, 1, 1), std::nullopt}, 8, Day(2022, 11, 1)));

  auto village = Unit(1);
  auto trained_head = MakeHead(101, Post::kVillageHead, false, {Day(2023, 1, 1), std::nullopt});
  trained_head.trainings = {Training(Post::kVillageHead, Day(2023, 3, 1))};
  village.heads = {trained_head,
                   MakeHead(102, Post::kFrontWorkCommitteeHead, false, {Day(2023, 1, 1), std::nullopt})};
  auto group = Unit(2);
  group.heads = {MakeHead(103, Post::kResidentialGroupHead, true, {Day(2024, 1, 1), std::nullopt}, 8)};
  auto stale = Unit(3);
  auto untrained_head = MakeHead(104, Post::kVillageHead, false, {Day(2022, 6, 1), std::nullopt});
  untrained_head.trainings = {Training(Post::kVillageHead, Day(2021, 1, 1))};
  stale.heads = {untrained_head};
  auto gone = Unit(4, kCommune, Day(2025, 5, 1));
  gone.heads = {MakeHead(105, Post::kVillageHead, false, {Day(2022, 6, 1), std::nullopt})};
  facts.units = {village, group, stale, gone};

  const IndicatorCount& s14 = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS14);
  // Holders on D: members 1, 4, 7 (commune committee), 2, 3 (cell 11); heads 101, 103, 104.
  // Sorted by organization (10 before 11), then id.
  EXPECT_EQ(Ids(s14), (std::vector<int64_t>{1, 4, 7, 101, 103, 104, 2, 3}));
  EXPECT_EQ(NumeratorIds(s14), (std::vector<int64_t>{1, 101, 103, 2, 3}));
  EXPECT_EQ(s14.denominator, 8);
  EXPECT_EQ(s14.numerator, 5);
  EXPECT_EQ(PercentHundredths(s14.numerator, s14.denominator), 6250);
  EXPECT_EQ(s14.contributions[3].subject, Contribution::Subject::kHead);
  EXPECT_EQ(s14.contributions[3].post, Post::kVillageHead);
  EXPECT_EQ(s14.contributions[1].reason, "chưa được bồi dưỡng nghiệp vụ cho chức danh trong nhiệm kỳ");
}

TEST(ScorecardS15, TwoSlotsPerUnitAndAMissingHeadIsNotAMember) {
  SubtreeFacts facts = CommuneFacts();
  auto village = Unit(1);
  village.heads = {MakeHead(1, Post::kVillageHead, true, {Day(2020, 1, 1), std::nullopt}, 501),
                   MakeHead(2, Post::kFrontWorkCommitteeHead, false, {Day(2020, 1, 1), std::nullopt})};
  auto group_without_heads = Unit(2);
  group_without_heads.residential_group = true;
  auto replaced = Unit(3);
  replaced.heads = {MakeHead(3, Post::kVillageHead, true, {Day(2015, 1, 1), Day(2025, 3, 1)}),
                    MakeHead(4, Post::kVillageHead, false, {Day(2025, 3, 1), std::nullopt}),
                    MakeHead(5, Post::kFrontWorkCommitteeHead, true, {Day(2018, 1, 1), std::nullopt})};
  auto gone = Unit(4, kCommune, Day(2025, 1, 1));
  gone.heads = {MakeHead(6, Post::kVillageHead, true, {Day(2015, 1, 1), std::nullopt})};
  facts.units = {village, group_without_heads, replaced, gone};

  const IndicatorCount& s15 = Find(ComputeIndicators(facts, YearEnd(2025)), Indicator::kS15);
  // Slots: unit 1 (member, not), unit 2 (no head, no head), unit 3 (not: the head on D is 4; member).
  EXPECT_EQ(s15.denominator, 6);
  EXPECT_EQ(s15.numerator, 2);
  EXPECT_EQ(PercentHundredths(s15.numerator, s15.denominator), 3333);
  ASSERT_EQ(s15.contributions.size(), 6u);
  EXPECT_EQ(s15.contributions[2].id, 2);
  EXPECT_EQ(s15.contributions[2].post, Post::kResidentialGroupHead);
  EXPECT_EQ(s15.contributions[2].reason, "chưa ghi nhận người giữ chức danh");
  EXPECT_EQ(s15.contributions[3].post, Post::kFrontWorkCommitteeHead);
  EXPECT_EQ(s15.contributions[4].post, Post::kVillageHead);
  EXPECT_FALSE(s15.contributions[4].in_numerator);
  EXPECT_TRUE(s15.contributions[5].in_numerator);

  Target rising = Comparing("rising_year_on_year");
  IndicatorCount last_year = Counted(Indicator::kS15, 1, 6);
  EXPECT_EQ(Judge(s15, &rising, 2025, &last_year), Attainment::kMet);
  IndicatorCount same = Counted(Indicator::kS15, 2, 6);
  EXPECT_EQ(Judge(s15, &rising, 2025, &same), Attainment::kNotMet);
  IndicatorCount empty = Counted(Indicator::kS15, 0, 0);
  EXPECT_EQ(Judge(s15, &rising, 2025, &empty), Attainment::kUnknown);
  EXPECT_EQ(Judge(s15, &rising, 2025, nullptr), Attainment::kUnknown);
  rising.from_year = 2026;
  EXPECT_EQ(Judge(s15, &rising, 2025, &last_year), Attainment::kNotApplicable);
}

}  // namespace
}  // namespace grassroots::reporting::domain
