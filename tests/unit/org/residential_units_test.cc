// Residential units' dated facts: succession of periods, ends, posts, covering cells and
// head training, without a database.
#include "services/org/domain/residential_units.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

const absl::CivilDay kJan2020(2020, 1, 1);
const absl::CivilDay kJan2023(2023, 1, 1);
const absl::CivilDay kJan2024(2024, 1, 1);

TEST(UnitPeriods, ANewPeriodEndsTheOpenOne) {
  const std::vector<Span> history = {{1, absl::CivilDay(2015, 1, 1), kJan2020}, {2, kJan2020, std::nullopt}};
  absl::StatusOr<std::optional<int64_t>> plan = PlanSuccession(history, kJan2023, "the covering cell");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(*plan, std::optional<int64_t>(2));
  plan = PlanSuccession({}, kJan2023, "the covering cell");
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->has_value());
}

TEST(UnitPeriods, HistoryIsNotRewrittenInTheMiddle) {
  const std::vector<Span> open = {{2, kJan2020, std::nullopt}};
  EXPECT_EQ(common::ReasonOf(PlanSuccession(open, kJan2020, "x").status()), "DATED_CHANGE_BEFORE_LATER_CHANGE");
  EXPECT_EQ(common::ReasonOf(PlanSuccession(open, absl::CivilDay(2019, 1, 1), "x").status()),
            "DATED_CHANGE_BEFORE_LATER_CHANGE");
  const std::vector<Span> closed = {{2, kJan2020, kJan2024}};
  EXPECT_EQ(common::ReasonOf(PlanSuccession(closed, kJan2023, "x").status()), "DATED_CHANGE_BEFORE_LATER_CHANGE");
  EXPECT_TRUE(PlanSuccession(closed, kJan2024, "x").ok());  // a gap ends where the new period starts
}

TEST(UnitPeriods, EndingNeedsAnOpenPeriodStartedEarlier) {
  const std::vector<Span> history = {{1, absl::CivilDay(2015, 1, 1), kJan2020}, {2, kJan2020, std::nullopt}};
  EXPECT_EQ(*OpenPeriod(history, "x"), 2);
  EXPECT_TRUE(CheckEnd(history, 2, kJan2023).ok());
  EXPECT_EQ(common::FieldOf(CheckEnd(history, 2, kJan2020)), "effective_date");
  EXPECT_EQ(common::ReasonOf(CheckEnd(history, 1, kJan2023)), "PERIOD_ALREADY_ENDED");
  EXPECT_EQ(common::ReasonOf(OpenPeriod({{1, kJan2020, kJan2023}}, "x").status()), "NO_CURRENT_PERIOD");
}

TEST(UnitPeriods, PostsSuitTheUnitAndCodesRoundTrip) {
  EXPECT_TRUE(CheckPostForUnit(ResidentialUnitKind::kVillage, HeadPost::kVillageHead, "head.post").ok());
  EXPECT_TRUE(CheckPostForUnit(ResidentialUnitKind::kVillage, HeadPost::kFrontWorkCommitteeHead, "head.post").ok());
  EXPECT_EQ(common::FieldOf(CheckPostForUnit(ResidentialUnitKind::kVillage, HeadPost::kResidentialGroupHead, "head.post")),
            "head.post");
  EXPECT_EQ(common::FieldOf(CheckPostForUnit(ResidentialUnitKind::kResidentialGroup, HeadPost::kVillageHead, "p")), "p");
  for (HeadPost post : {HeadPost::kVillageHead, HeadPost::kResidentialGroupHead, HeadPost::kFrontWorkCommitteeHead}) {
    EXPECT_EQ(HeadPostFromCode(HeadPostCode(post)), post);
  }
  EXPECT_FALSE(HeadPostFromCode("SECRETARY").has_value());
}

TEST(UnitPeriods, AMemberHeadIsNamedByAMemberId) {
  EXPECT_TRUE(CheckHeadMembership(true, true, "head").ok());
  EXPECT_TRUE(CheckHeadMembership(false, false, "head").ok());
  // A party member without a member id would count in S15 unconfirmed.
  absl::Status unnamed = CheckHeadMembership(true, false, "unit.head");
  EXPECT_EQ(unnamed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(unnamed), "unit.head.member");
  absl::Status not_member = CheckHeadMembership(false, true, "head");
  EXPECT_EQ(not_member.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(not_member), "head.member");
}

TEST(UnitPeriods, AnOpenCoveringNeedsALivingCell) {
  Organization cell;
  cell.id = 9;
  cell.type.is_cell = true;
  cell.established_on = kJan2020;
  EXPECT_TRUE(CheckCoveringCell(cell, kJan2023, "cell").ok());
  EXPECT_EQ(common::ReasonOf(CheckCoveringCell(cell, absl::CivilDay(2019, 12, 31), "cell")), "COVERING_CELL_NOT_ACTIVE");
  cell.ended_on = kJan2024;
  EXPECT_EQ(common::ReasonOf(CheckCoveringCell(cell, kJan2023, "cell")), "COVERING_CELL_NOT_ACTIVE");
  cell.ended_on.reset();
  cell.type.is_cell = false;
  EXPECT_EQ(common::FieldOf(CheckCoveringCell(cell, kJan2023, "cell")), "cell");
}

TEST(UnitPeriods, HeadTrainingIsForTheHeadsPostInsideItsTerm) {
  HeadPeriod head;
  head.post = HeadPost::kVillageHead;
  HeadTraining training;
  training.post = HeadPost::kVillageHead;
  training.start_date = absl::CivilDay(2021, 6, 1);
  training.end_date = absl::CivilDay(2021, 6, 5);
  training.term_starts_on = absl::CivilDay(2021, 5, 1);
  training.term_ends_on = absl::CivilDay(2026, 5, 1);
  const absl::CivilDay today(2026, 12, 4);
  EXPECT_TRUE(CheckHeadTraining(head, training, today).ok());
  HeadTraining other = training;
  other.post = HeadPost::kFrontWorkCommitteeHead;
  EXPECT_EQ(common::FieldOf(CheckHeadTraining(head, other, today)), "training.post");
  other = training;
  other.start_date = today + 1;
  other.end_date = today + 2;
  EXPECT_EQ(common::FieldOf(CheckHeadTraining(head, other, today)), "training.start_date");
  other = training;
  other.end_date = absl::CivilDay(2021, 5, 31);
  EXPECT_EQ(common::FieldOf(CheckHeadTraining(head, other, today)), "training.end_date");
  other = training;
  other.term_ends_on = training.term_starts_on;
  EXPECT_EQ(common::FieldOf(CheckHeadTraining(head, other, today)), "training.term_ends_on");
  other = training;
  other.start_date = absl::CivilDay(2026, 5, 1);
  other.end_date = absl::CivilDay(2026, 5, 2);
  EXPECT_EQ(common::FieldOf(CheckHeadTraining(head, other, today)), "training.start_date");
}

}  // namespace
}  // namespace grassroots::org::domain
