// Inspection and supervision cases on the real rules file: legal and refused
// combinations, the status workflow, the dates, recommendations.
#include "services/inspection/domain/case_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/inspection/inspection_test_support.h"

namespace grassroots::inspection::domain {
namespace {

using ::testing::HasSubstr;
using testing_support::D;
using testing_support::Outcome;
using testing_support::Rules;

const D kOpened(2024, 3, 1);

CaseClassification Classification(CaseKind kind, CaseBasis basis, Conductor conductor,
                                   ConductorOrganization organization = ConductorOrganization::kGrassrootsCommittee,
                                   CaseSubjectKind subject = CaseSubjectKind::kMember, bool lower = false) {
  return CaseClassification{kind, basis, conductor, organization, subject, lower};
}

std::string Classify(const CaseClassification& classification) {
  return Outcome(CheckCaseClassification(classification, kOpened, Rules()));
}

TEST(InspectionCaseClassificationTest, CommitteeInspectsRegularlyAndThematically) {
  EXPECT_EQ(Classify(Classification(CaseKind::kInspection, CaseBasis::kRegular, Conductor::kCommittee)), "OK");
  EXPECT_EQ(Classify(Classification(CaseKind::kInspection, CaseBasis::kThematic, Conductor::kStandingCommittee)),
            "OK");
  EXPECT_EQ(Classify(Classification(CaseKind::kSupervision, CaseBasis::kThematic, Conductor::kInspectionCommission)),
            "OK");
}

TEST(InspectionCaseClassificationTest, SupervisionIsNeverOnSignsOfViolation) {
  const absl::Status status = CheckCaseClassification(
      Classification(CaseKind::kSupervision, CaseBasis::kSignsOfViolation, Conductor::kInspectionCommission),
      kOpened, Rules());
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/CASE_BASIS_NOT_ALLOWED");
  EXPECT_THAT(status.message(), HasSubstr("inspection.case.bases_by_kind"));
  EXPECT_THAT(status.message(), HasSubstr("QĐ 22-QĐ/TW"));
}

TEST(InspectionCaseClassificationTest, InspectionOnSignsOfViolationIsTheCommissions) {
  EXPECT_EQ(Classify(Classification(CaseKind::kInspection, CaseBasis::kSignsOfViolation,
                                    Conductor::kInspectionCommission)),
            "OK");
  const absl::Status status = CheckCaseClassification(
      Classification(CaseKind::kInspection, CaseBasis::kSignsOfViolation, Conductor::kCommittee), kOpened, Rules());
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/CASE_CONDUCTOR_NOT_ALLOWED");
  EXPECT_THAT(status.message(), HasSubstr("inspection.case.conductors_by_kind"));
}

TEST(InspectionCaseClassificationTest, FinanceInspectionIsTheCommissionsOfALowerOrganization) {
  const auto finance = [](Conductor conductor, CaseSubjectKind subject, bool lower) {
    return Classification(CaseKind::kFinanceInspection, CaseBasis::kRegular, conductor,
                          ConductorOrganization::kGrassrootsCommittee, subject, lower);
  };
  EXPECT_EQ(Classify(finance(Conductor::kInspectionCommission, CaseSubjectKind::kOrganization, true)), "OK");
  EXPECT_EQ(Classify(finance(Conductor::kStandingCommittee, CaseSubjectKind::kOrganization, true)),
            "FAILED_PRECONDITION/CASE_CONDUCTOR_NOT_ALLOWED");
  EXPECT_EQ(Classify(finance(Conductor::kInspectionCommission, CaseSubjectKind::kMember, false)),
            "FAILED_PRECONDITION/CASE_SUBJECT_NOT_ALLOWED");
  const absl::Status own = CheckCaseClassification(
      finance(Conductor::kInspectionCommission, CaseSubjectKind::kOrganization, false), kOpened, Rules());
  EXPECT_EQ(Outcome(own), "FAILED_PRECONDITION/CASE_SUBJECT_NOT_ALLOWED");
  EXPECT_THAT(own.message(), HasSubstr("inspection.case.subjects_by_kind"));
}

TEST(InspectionCaseClassificationTest, ACellConductsOnlyAsItself) {
  EXPECT_EQ(Classify(Classification(CaseKind::kSupervision, CaseBasis::kRegular, Conductor::kCommittee,
                                    ConductorOrganization::kCell)),
            "OK");
  const absl::Status status =
      CheckCaseClassification(Classification(CaseKind::kSupervision, CaseBasis::kRegular, Conductor::kStandingCommittee,
                                             ConductorOrganization::kCell),
                              kOpened, Rules());
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/CASE_CONDUCTOR_NOT_ALLOWED");
  EXPECT_THAT(status.message(), HasSubstr("inspection.case.conductors_by_organization"));
  // An organization subject that is not lower is fine for an ordinary inspection.
  EXPECT_EQ(Classify(Classification(CaseKind::kInspection, CaseBasis::kThematic, Conductor::kCommittee,
                                    ConductorOrganization::kCell, CaseSubjectKind::kOrganization)),
            "OK");
}

TEST(InspectionCasePeriodTest, StartsOnOrAfterTheDecisionAndEndsAfterItStarts) {
  EXPECT_EQ(Outcome(CheckCasePeriod({kOpened, kOpened, kOpened})), "OK");
  EXPECT_EQ(Outcome(CheckCasePeriod({kOpened, kOpened + 3, std::nullopt})), "OK");
  EXPECT_EQ(Outcome(CheckCasePeriod({kOpened, kOpened - 1, kOpened + 10})), "INVALID_ARGUMENT/period.start");
  EXPECT_EQ(Outcome(CheckCasePeriod({kOpened, kOpened + 5, kOpened + 4})), "INVALID_ARGUMENT/period.end");
}

TEST(InspectionCasePeriodTest, ConclusionFallsWithinOrAfterThePeriod) {
  const CasePeriod period{kOpened, kOpened + 5, kOpened + 30};
  EXPECT_EQ(Outcome(CheckConclusionDate(period, kOpened + 5)), "OK");
  EXPECT_EQ(Outcome(CheckConclusionDate(period, kOpened + 20)), "OK");
  EXPECT_EQ(Outcome(CheckConclusionDate(period, kOpened + 90)), "OK");
  EXPECT_EQ(Outcome(CheckConclusionDate(period, kOpened + 4)), "INVALID_ARGUMENT/concluded_on");
}

std::string Transition(CaseStatus from, CaseStatus to, const CaseProgress& progress = {}) {
  return Outcome(CheckCaseTransition(from, to, progress, kOpened + 40, Rules()));
}

CaseProgress Concluded(std::vector<RecommendationState> recommendations = {}) {
  CaseProgress progress;
  progress.has_findings = true;
  progress.has_conclusion = true;
  progress.concluded_on = kOpened + 30;
  progress.recommendations = std::move(recommendations);
  return progress;
}

CaseProgress Cancelling(std::string reason) {
  CaseProgress progress;
  progress.cancel_reason = std::move(reason);
  return progress;
}

TEST(InspectionCaseWorkflowTest, TheWholePathIsLegal) {
  EXPECT_EQ(Transition(CaseStatus::kOpened, CaseStatus::kInProgress), "OK");
  EXPECT_EQ(Transition(CaseStatus::kInProgress, CaseStatus::kConcluded, Concluded()), "OK");
  EXPECT_EQ(Transition(CaseStatus::kConcluded, CaseStatus::kClosed,
                       Concluded({RecommendationState::kDone, RecommendationState::kDropped})),
            "OK");
}

TEST(InspectionCaseWorkflowTest, SkippingOrGoingBackIsIllegal) {
  const absl::Status status = CheckCaseTransition(CaseStatus::kOpened, CaseStatus::kConcluded, Concluded(),
                                                  kOpened + 40, Rules());
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  EXPECT_THAT(status.message(), HasSubstr("inspection.case.workflow"));
  EXPECT_EQ(Transition(CaseStatus::kConcluded, CaseStatus::kInProgress), "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  EXPECT_EQ(Transition(CaseStatus::kClosed, CaseStatus::kCancelled, Cancelling("x")),
            "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
  EXPECT_EQ(Transition(CaseStatus::kConcluded, CaseStatus::kCancelled, Cancelling("x")),
            "FAILED_PRECONDITION/ILLEGAL_TRANSITION");
}

TEST(InspectionCaseWorkflowTest, ConcludingNeedsFindingsConclusionAndDate) {
  CaseProgress progress = Concluded();
  progress.has_conclusion = false;
  EXPECT_EQ(Transition(CaseStatus::kInProgress, CaseStatus::kConcluded, progress),
            "FAILED_PRECONDITION/CONCLUSION_MISSING");
  progress = Concluded();
  progress.has_findings = false;
  EXPECT_EQ(Transition(CaseStatus::kInProgress, CaseStatus::kConcluded, progress),
            "FAILED_PRECONDITION/CONCLUSION_MISSING");
  progress = Concluded();
  progress.concluded_on.reset();
  EXPECT_EQ(Transition(CaseStatus::kInProgress, CaseStatus::kConcluded, progress),
            "FAILED_PRECONDITION/CONCLUSION_MISSING");
}

TEST(InspectionCaseWorkflowTest, ClosingWithAnOpenRecommendationIsRefused) {
  EXPECT_EQ(Transition(CaseStatus::kConcluded, CaseStatus::kClosed,
                       Concluded({RecommendationState::kDone, RecommendationState::kOpen})),
            "FAILED_PRECONDITION/RECOMMENDATIONS_OPEN");
}

TEST(InspectionCaseWorkflowTest, CancellingNeedsAReasonAndAnOpenCase) {
  EXPECT_EQ(Transition(CaseStatus::kOpened, CaseStatus::kCancelled, Cancelling("subject merged")), "OK");
  EXPECT_EQ(Transition(CaseStatus::kInProgress, CaseStatus::kCancelled, Cancelling("subject merged")), "OK");
  EXPECT_EQ(Transition(CaseStatus::kInProgress, CaseStatus::kCancelled), "INVALID_ARGUMENT/cancel_reason");
}

TEST(InspectionCaseWorkflowTest, NoWorkflowRuleBeforeItIsInForce) {
  EXPECT_EQ(Outcome(CheckCaseTransition(CaseStatus::kOpened, CaseStatus::kInProgress, {}, D(2005, 1, 1), Rules())),
            "FAILED_PRECONDITION/RULE_NOT_IN_FORCE");
}

TEST(InspectionRecommendationTest, DeadlineIsOnOrAfterTheConclusion) {
  const D concluded(2024, 5, 10);
  EXPECT_EQ(Outcome(CheckRecommendationDeadline(concluded, concluded)), "OK");
  EXPECT_EQ(Outcome(CheckRecommendationDeadline(concluded - 1, concluded)), "INVALID_ARGUMENT/deadline");
}

TEST(InspectionRecommendationTest, FollowUpGoesFromOpenToDoneOrDroppedOnce) {
  const D concluded(2024, 5, 10);
  EXPECT_EQ(Outcome(CheckRecommendationTransition(RecommendationState::kOpen, RecommendationState::kDone,
                                                  concluded + 20, "", concluded)),
            "OK");
  EXPECT_EQ(Outcome(CheckRecommendationTransition(RecommendationState::kOpen, RecommendationState::kDropped,
                                                  concluded + 20, "superseded by the 2025 plan", concluded)),
            "OK");
  EXPECT_EQ(Outcome(CheckRecommendationTransition(RecommendationState::kOpen, RecommendationState::kDropped,
                                                  concluded + 20, "", concluded)),
            "INVALID_ARGUMENT/drop_reason");
  EXPECT_EQ(Outcome(CheckRecommendationTransition(RecommendationState::kDone, RecommendationState::kDropped,
                                                  concluded + 20, "x", concluded)),
            "FAILED_PRECONDITION/RECOMMENDATION_ALREADY_SETTLED");
  EXPECT_EQ(Outcome(CheckRecommendationTransition(RecommendationState::kOpen, RecommendationState::kOpen,
                                                  concluded + 20, "", concluded)),
            "FAILED_PRECONDITION/RECOMMENDATION_ALREADY_SETTLED");
  EXPECT_EQ(Outcome(CheckRecommendationTransition(RecommendationState::kOpen, RecommendationState::kDone,
                                                  concluded - 1, "", concluded)),
            "INVALID_ARGUMENT/settled_on");
}

TEST(InspectionRecommendationTest, OverdueIsOpenPastItsDeadline) {
  Recommendation open;
  open.deadline = D(2024, 6, 30);
  EXPECT_FALSE(IsRecommendationOverdue(open, D(2024, 6, 30)));
  EXPECT_TRUE(IsRecommendationOverdue(open, D(2024, 7, 1)));
  Recommendation done = open;
  done.state = RecommendationState::kDone;
  EXPECT_FALSE(IsRecommendationOverdue(done, D(2024, 7, 1)));
}

}  // namespace
}  // namespace grassroots::inspection::domain
