// Denunciations, complaints and feedback on the real rules and calendar:
// tracks, deadlines, the workflow and the anonymous denunciation's own rule.
#include "services/inspection/domain/petition_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/inspection/inspection_test_support.h"

namespace grassroots::inspection::domain {
namespace {

using ::testing::HasSubstr;
using testing_support::Calendar;
using testing_support::D;
using testing_support::Outcome;
using testing_support::Rules;

PetitionDeadlines Deadlines(PetitionTrack track, D received, ResolvingLevel level = ResolvingLevel::kGrassroots) {
  absl::StatusOr<PetitionDeadlines> deadlines = PetitionDeadlinesFor(track, received, level, Rules(), Calendar());
  EXPECT_TRUE(deadlines.ok()) << deadlines.status();
  return deadlines.ok() ? *deadlines : PetitionDeadlines{};
}

TEST(InspectionPetitionTrackTest, AnonymousDenunciationHasItsOwnTrack) {
  EXPECT_EQ(TrackOf(PetitionKind::kDenunciation, false), PetitionTrack::kDenunciation);
  EXPECT_EQ(TrackOf(PetitionKind::kDenunciation, true), PetitionTrack::kAnonymousDenunciation);
  EXPECT_EQ(TrackOf(PetitionKind::kComplaint, true), PetitionTrack::kComplaint);
  EXPECT_EQ(TrackOf(PetitionKind::kFeedback, true), PetitionTrack::kFeedback);
  EXPECT_TRUE(UsableAsInspectionSource(PetitionTrack::kAnonymousDenunciation, true));
  EXPECT_FALSE(UsableAsInspectionSource(PetitionTrack::kAnonymousDenunciation, false));
  EXPECT_FALSE(UsableAsInspectionSource(PetitionTrack::kFeedback, true));
}

TEST(InspectionPetitionDeadlineTest, DenunciationNinetyDaysUpToProvinceHundredEightyCentral) {
  const PetitionDeadlines local = Deadlines(PetitionTrack::kDenunciation, D(2024, 1, 10));
  ASSERT_TRUE(local.answer_by.has_value());
  EXPECT_EQ(local.answer_by->due, D(2024, 4, 9));
  EXPECT_EQ(local.answer_by->rule_id, "inspection.denunciation.resolution_days");
  EXPECT_THAT(local.answer_by->citation, HasSubstr("QĐ 22-QĐ/TW"));
  const PetitionDeadlines central = Deadlines(PetitionTrack::kDenunciation, D(2024, 1, 10), ResolvingLevel::kCentral);
  ASSERT_TRUE(central.answer_by.has_value());
  EXPECT_EQ(central.answer_by->due, D(2024, 7, 8));
}

TEST(InspectionPetitionDeadlineTest, ComplaintFollowsTheAppealResolutionLimit) {
  const D received(2025, 3, 3);
  const PetitionDeadlines complaint = Deadlines(PetitionTrack::kComplaint, received, ResolvingLevel::kProvince);
  ASSERT_TRUE(complaint.answer_by.has_value());
  EXPECT_EQ(complaint.answer_by->rule_id, "inspection.appeal.resolution_working_days");
  EXPECT_EQ(Calendar().WorkingDaysBetween(received, complaint.answer_by->due), 90);
}

TEST(InspectionPetitionDeadlineTest, NoAnswerDeadlineWhereNoRuleOrNoAnswer) {
  EXPECT_FALSE(Deadlines(PetitionTrack::kAnonymousDenunciation, D(2024, 1, 10)).answer_by.has_value());
  // No party-wide limit for answering feedback or for assignment was found: no rule, no deadline.
  const PetitionDeadlines feedback = Deadlines(PetitionTrack::kFeedback, D(2024, 1, 10));
  EXPECT_FALSE(feedback.answer_by.has_value());
  EXPECT_FALSE(feedback.assign_by.has_value());
  // Before QĐ 22 (28/7/2021) the denunciation limit is not in the rules.
  EXPECT_FALSE(Deadlines(PetitionTrack::kDenunciation, D(2021, 7, 27)).answer_by.has_value());
  EXPECT_TRUE(Deadlines(PetitionTrack::kDenunciation, D(2021, 7, 28)).answer_by.has_value());
}

std::string Step(PetitionState from, PetitionState to, PetitionProgress progress) {
  return Outcome(CheckPetitionTransition(from, to, progress, D(2024, 5, 2), Rules()));
}

PetitionProgress Named() {
  return PetitionProgress{PetitionTrack::kDenunciation, false, false, true, true};
}

TEST(InspectionPetitionWorkflowTest, ReceivedAssignedInProgressAnswered) {
  EXPECT_EQ(Step(PetitionState::kReceived, PetitionState::kAssigned, Named()), "OK");
  EXPECT_EQ(Step(PetitionState::kAssigned, PetitionState::kInProgress, Named()), "OK");
  EXPECT_EQ(Step(PetitionState::kInProgress, PetitionState::kAnswered, Named()), "OK");
}

TEST(InspectionPetitionWorkflowTest, StepsAreNotSkippedNorReopened) {
  const absl::Status skipped =
      CheckPetitionTransition(PetitionState::kReceived, PetitionState::kInProgress, Named(), D(2024, 5, 2), Rules());
  EXPECT_EQ(Outcome(skipped), "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  EXPECT_THAT(skipped.message(), HasSubstr("inspection.petition.workflow"));
  EXPECT_EQ(Step(PetitionState::kReceived, PetitionState::kAnswered, Named()), "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  EXPECT_EQ(Step(PetitionState::kAnswered, PetitionState::kInProgress, Named()),
            "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  PetitionProgress withdrawn = Named();
  withdrawn.withdrawn = true;
  EXPECT_EQ(Step(PetitionState::kClosedWithoutAnswer, PetitionState::kClosedWithoutAnswer, withdrawn),
            "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
}

TEST(InspectionPetitionWorkflowTest, AssignmentNeedsAHandlerAnswerNeedsAnOutcome) {
  PetitionProgress progress = Named();
  progress.has_handler = false;
  EXPECT_EQ(Step(PetitionState::kReceived, PetitionState::kAssigned, progress), "FAILED_PRECONDITION/HANDLER_MISSING");
  progress = Named();
  progress.has_outcome = false;
  EXPECT_EQ(Step(PetitionState::kInProgress, PetitionState::kAnswered, progress), "FAILED_PRECONDITION/OUTCOME_MISSING");
}

TEST(InspectionPetitionWorkflowTest, AnAnonymousDenunciationIsClosedNeverAnswered) {
  PetitionProgress anonymous = Named();
  anonymous.track = PetitionTrack::kAnonymousDenunciation;
  const absl::Status answered =
      CheckPetitionTransition(PetitionState::kInProgress, PetitionState::kAnswered, anonymous, D(2024, 5, 2), Rules());
  EXPECT_EQ(Outcome(answered), "FAILED_PRECONDITION/ANONYMOUS_NOT_ANSWERED");
  EXPECT_THAT(answered.message(), HasSubstr("inspection.petition.anonymous_denunciation"));
  // Its own rule, whatever open step it is at; a closed one is past every step.
  EXPECT_EQ(Step(PetitionState::kReceived, PetitionState::kAnswered, anonymous),
            "FAILED_PRECONDITION/ANONYMOUS_NOT_ANSWERED");
  EXPECT_EQ(Step(PetitionState::kClosedWithoutAnswer, PetitionState::kAnswered, anonymous),
            "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  EXPECT_EQ(Step(PetitionState::kReceived, PetitionState::kClosedWithoutAnswer, anonymous), "OK");
}

TEST(InspectionPetitionWorkflowTest, ANamedPetitionClosesWithoutAnswerOnlyWhenWithdrawnOrForwarded) {
  EXPECT_EQ(Step(PetitionState::kAssigned, PetitionState::kClosedWithoutAnswer, Named()),
            "FAILED_PRECONDITION/CLOSE_WITHOUT_ANSWER_NOT_ALLOWED");
  PetitionProgress progress = Named();
  progress.withdrawn = true;
  EXPECT_EQ(Step(PetitionState::kAssigned, PetitionState::kClosedWithoutAnswer, progress), "OK");
  progress = Named();
  progress.forwarded = true;
  progress.track = PetitionTrack::kFeedback;
  EXPECT_EQ(Step(PetitionState::kReceived, PetitionState::kClosedWithoutAnswer, progress), "OK");
}

}  // namespace
}  // namespace grassroots::inspection::domain
