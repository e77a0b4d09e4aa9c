// Appeals against discipline on the real rules and calendar: filing deadline,
// resolution deadline in working days by level, outcomes; and the shared
// near-deadline classification.
#include "services/inspection/domain/appeal_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/inspection/domain/deadlines.h"
#include "tests/unit/inspection/inspection_test_support.h"

namespace grassroots::inspection::domain {
namespace {

using ::testing::HasSubstr;
using testing_support::Calendar;
using testing_support::D;
using testing_support::Outcome;
using testing_support::Rules;

TEST(InspectionAppealFilingTest, WithinOneMonthOfReceivingTheDecision) {
  const absl::StatusOr<Deadline> deadline = AppealFilingDeadline(D(2025, 3, 15), Rules(), Calendar());
  ASSERT_TRUE(deadline.ok()) << deadline.status();
  EXPECT_EQ(deadline->due, D(2025, 4, 15));
  EXPECT_EQ(deadline->rule_id, "inspection.appeal.filing_period");
  EXPECT_EQ(Outcome(CheckAppealFiling(D(2025, 3, 15), D(2025, 4, 15), Rules(), Calendar())), "OK");
  const absl::Status late = CheckAppealFiling(D(2025, 3, 15), D(2025, 4, 16), Rules(), Calendar());
  EXPECT_EQ(Outcome(late), "FAILED_PRECONDITION/APPEAL_FILED_LATE");
  EXPECT_THAT(late.message(), HasSubstr("inspection.appeal.filing_period"));
  EXPECT_THAT(late.message(), HasSubstr("Điều lệ"));
}

TEST(InspectionAppealFilingTest, MonthEndIsClampedAndFilingBeforeReceiptIsBadInput) {
  const absl::StatusOr<Deadline> deadline = AppealFilingDeadline(D(2024, 1, 31), Rules(), Calendar());
  ASSERT_TRUE(deadline.ok()) << deadline.status();
  EXPECT_EQ(deadline->due, D(2024, 2, 29));
  EXPECT_EQ(Outcome(CheckAppealFiling(D(2024, 1, 31), D(2024, 3, 1), Rules(), Calendar())),
            "FAILED_PRECONDITION/APPEAL_FILED_LATE");
  EXPECT_EQ(Outcome(CheckAppealFiling(D(2024, 1, 31), D(2024, 1, 30), Rules(), Calendar())),
            "INVALID_ARGUMENT/filed_on");
}

TEST(InspectionAppealResolutionTest, NinetyWorkingDaysUpToProvinceHundredEightyCentral) {
  const D received(2025, 3, 3);
  for (const ResolvingLevel level : {ResolvingLevel::kGrassroots, ResolvingLevel::kDistrict, ResolvingLevel::kProvince}) {
    const absl::StatusOr<Deadline> deadline = AppealResolutionDeadline(received, level, Rules(), Calendar());
    ASSERT_TRUE(deadline.ok()) << deadline.status();
    EXPECT_EQ(Calendar().WorkingDaysBetween(received, deadline->due), 90) << ResolvingLevelName(level);
    EXPECT_TRUE(Calendar().IsWorkingDay(deadline->due));
    // More than 90 calendar days: weekends and the 30/4, 1/5 and 2/9 holidays do not count.
    EXPECT_GT(deadline->due - received, 120);
    EXPECT_EQ(deadline->rule_id, "inspection.appeal.resolution_working_days");
  }
  const absl::StatusOr<Deadline> central =
      AppealResolutionDeadline(received, ResolvingLevel::kCentral, Rules(), Calendar());
  ASSERT_TRUE(central.ok()) << central.status();
  EXPECT_EQ(Calendar().WorkingDaysBetween(received, central->due), 180);
}

TEST(InspectionAppealResolutionTest, NoLimitBeforeTheRule) {
  EXPECT_EQ(Outcome(AppealResolutionDeadline(D(2015, 1, 5), ResolvingLevel::kProvince, Rules(), Calendar()).status()),
            "FAILED_PRECONDITION/RULE_NOT_IN_FORCE");
}

AppealResolution Resolution(AppealOutcome outcome, DisciplineForm original, std::optional<DisciplineForm> new_form,
                            DisciplineSubjectKind subject = DisciplineSubjectKind::kOfficialMember) {
  return AppealResolution{outcome, original, new_form, subject, false, D(2025, 6, 2)};
}

TEST(InspectionAppealOutcomeTest, ChangedNeedsAnotherFormAllowedForTheSubject) {
  EXPECT_EQ(Outcome(CheckAppealResolution(
                Resolution(AppealOutcome::kChanged, DisciplineForm::kExpulsion, DisciplineForm::kWarning), Rules())),
            "OK");
  EXPECT_EQ(Outcome(CheckAppealResolution(
                Resolution(AppealOutcome::kChanged, DisciplineForm::kExpulsion, std::nullopt), Rules())),
            "INVALID_ARGUMENT/new_form");
  EXPECT_EQ(Outcome(CheckAppealResolution(
                Resolution(AppealOutcome::kChanged, DisciplineForm::kWarning, DisciplineForm::kWarning), Rules())),
            "INVALID_ARGUMENT/new_form");
  EXPECT_EQ(Outcome(CheckAppealResolution(Resolution(AppealOutcome::kChanged, DisciplineForm::kWarning,
                                                     DisciplineForm::kExpulsion,
                                                     DisciplineSubjectKind::kProbationaryMember),
                                          Rules())),
            "FAILED_PRECONDITION/DISCIPLINE_FORM_NOT_ALLOWED");
  EXPECT_EQ(Outcome(CheckAppealResolution(
                Resolution(AppealOutcome::kChanged, DisciplineForm::kWarning, DisciplineForm::kDismissal), Rules())),
            "FAILED_PRECONDITION/DISMISSAL_WITHOUT_POST");
}

TEST(InspectionAppealOutcomeTest, OnlyChangedCarriesANewForm) {
  EXPECT_EQ(Outcome(CheckAppealResolution(
                Resolution(AppealOutcome::kUpheld, DisciplineForm::kWarning, std::nullopt), Rules())),
            "OK");
  EXPECT_EQ(Outcome(CheckAppealResolution(
                Resolution(AppealOutcome::kAnnulled, DisciplineForm::kWarning, DisciplineForm::kReprimand), Rules())),
            "INVALID_ARGUMENT/new_form");
}

TEST(InspectionAppealOutcomeTest, WhatEachOutcomeDoesToTheOriginal) {
  EXPECT_EQ(EffectOfOutcome(AppealOutcome::kUpheld), OutcomeEffect::kKeepsOriginal);
  EXPECT_EQ(EffectOfOutcome(AppealOutcome::kChanged), OutcomeEffect::kReplacesOriginal);
  EXPECT_EQ(EffectOfOutcome(AppealOutcome::kAnnulled), OutcomeEffect::kReversesOriginal);
}

std::string Standing(D due, D as_of) {
  const absl::StatusOr<DeadlineStanding> standing = ClassifyDeadline(due, as_of, Rules(), Calendar());
  return standing.ok() ? std::string(DeadlineStandingName(*standing)) : Outcome(standing.status());
}

TEST(InspectionDeadlineStandingTest, NearWithinTenWorkingDaysOverdueAfterTheDay) {
  const D due(2025, 6, 20);  // a Friday; no holidays in June 2025
  EXPECT_EQ(Standing(due, D(2025, 6, 5)), "ON_TRACK");       // 11 working days before
  EXPECT_EQ(Standing(due, D(2025, 6, 6)), "NEAR_DEADLINE");  // 10 working days before
  EXPECT_EQ(Standing(due, due), "NEAR_DEADLINE");
  EXPECT_EQ(Standing(due, due + 1), "OVERDUE");
}

}  // namespace
}  // namespace grassroots::inspection::domain
