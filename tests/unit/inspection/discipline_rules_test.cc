// Discipline forms by subject and the limitation period (thời hiệu) on the
// real rules file: boundaries, restarts, paused periods, no-limit kinds.
#include "services/inspection/domain/discipline_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/inspection/inspection_test_support.h"

namespace grassroots::inspection::domain {
namespace {

using ::testing::HasSubstr;
using testing_support::D;
using testing_support::Outcome;
using testing_support::Rules;

const D kDay(2024, 9, 1);

std::string Form(DisciplineForm form, DisciplineSubjectKind subject, bool held_post = false) {
  return Outcome(CheckFormAllowed(form, subject, held_post, kDay, Rules()));
}

TEST(InspectionDisciplineFormTest, OfficialMember) {
  EXPECT_EQ(Form(DisciplineForm::kReprimand, DisciplineSubjectKind::kOfficialMember), "OK");
  EXPECT_EQ(Form(DisciplineForm::kWarning, DisciplineSubjectKind::kOfficialMember), "OK");
  EXPECT_EQ(Form(DisciplineForm::kDismissal, DisciplineSubjectKind::kOfficialMember, true), "OK");
  EXPECT_EQ(Form(DisciplineForm::kExpulsion, DisciplineSubjectKind::kOfficialMember), "OK");
  EXPECT_EQ(Form(DisciplineForm::kDissolution, DisciplineSubjectKind::kOfficialMember),
            "FAILED_PRECONDITION/DISCIPLINE_FORM_NOT_ALLOWED");
}

TEST(InspectionDisciplineFormTest, DismissalNeedsAPostOnTheViolationDate) {
  const absl::Status status =
      CheckFormAllowed(DisciplineForm::kDismissal, DisciplineSubjectKind::kOfficialMember, false, kDay, Rules());
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/DISMISSAL_WITHOUT_POST");
  EXPECT_THAT(status.message(), HasSubstr("inspection.discipline.dismissal_requires_post"));
}

TEST(InspectionDisciplineFormTest, ProbationaryMemberOnlyReprimandOrWarning) {
  EXPECT_EQ(Form(DisciplineForm::kReprimand, DisciplineSubjectKind::kProbationaryMember), "OK");
  EXPECT_EQ(Form(DisciplineForm::kWarning, DisciplineSubjectKind::kProbationaryMember), "OK");
  EXPECT_EQ(Form(DisciplineForm::kDismissal, DisciplineSubjectKind::kProbationaryMember, true),
            "FAILED_PRECONDITION/DISCIPLINE_FORM_NOT_ALLOWED");
  const absl::Status status =
      CheckFormAllowed(DisciplineForm::kExpulsion, DisciplineSubjectKind::kProbationaryMember, false, kDay, Rules());
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/DISCIPLINE_FORM_NOT_ALLOWED");
  EXPECT_THAT(status.message(), HasSubstr("inspection.discipline.forms_by_subject"));
  EXPECT_THAT(status.message(), HasSubstr("QĐ 69-QĐ/TW"));
}

TEST(InspectionDisciplineFormTest, OrganizationReprimandWarningOrDissolution) {
  EXPECT_EQ(Form(DisciplineForm::kReprimand, DisciplineSubjectKind::kOrganization), "OK");
  EXPECT_EQ(Form(DisciplineForm::kWarning, DisciplineSubjectKind::kOrganization), "OK");
  EXPECT_EQ(Form(DisciplineForm::kDissolution, DisciplineSubjectKind::kOrganization), "OK");
  EXPECT_EQ(Form(DisciplineForm::kDismissal, DisciplineSubjectKind::kOrganization, true),
            "FAILED_PRECONDITION/DISCIPLINE_FORM_NOT_ALLOWED");
  EXPECT_EQ(Form(DisciplineForm::kExpulsion, DisciplineSubjectKind::kOrganization),
            "FAILED_PRECONDITION/DISCIPLINE_FORM_NOT_ALLOWED");
}

LimitationInput Input(DisciplineForm form, GraveViolationKind grave_kind, D violation_ended) {
  LimitationInput input;
  input.form = form;
  input.grave_kind = grave_kind;
  input.violation_ended = violation_ended;
  return input;
}

Limitation Compute(const LimitationInput& input, D rules_day = kDay) {
  absl::StatusOr<Limitation> limitation = ComputeLimitation(input, rules_day, Rules());
  EXPECT_TRUE(limitation.ok()) << limitation.status();
  return limitation.ok() ? *limitation : Limitation{};
}

TEST(InspectionLimitationTest, FiveYearsForReprimandTenForWarningAndDismissal) {
  EXPECT_EQ(Compute(Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2019, 3, 10))).deadline, D(2024, 3, 10));
  EXPECT_EQ(Compute(Input(DisciplineForm::kWarning, GraveViolationKind::kNone, D(2019, 3, 10))).deadline, D(2029, 3, 10));
  const Limitation dismissal = Compute(Input(DisciplineForm::kDismissal, GraveViolationKind::kNone, D(2019, 3, 10)));
  EXPECT_EQ(dismissal.deadline, D(2029, 3, 10));
  EXPECT_EQ(dismissal.rule_id, "inspection.discipline.limitation_years");
  EXPECT_THAT(dismissal.citation, HasSubstr("QĐ 69-QĐ/TW"));
}

TEST(InspectionLimitationTest, TheRuleVersionOfTheDecisionDayIsCited) {
  const Limitation before = Compute(Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2018, 3, 10)),
                                    D(2021, 1, 5));
  EXPECT_THAT(before.citation, HasSubstr("QĐ 102-QĐ/TW"));
  EXPECT_EQ(Outcome(ComputeLimitation(Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2010, 1, 1)),
                                      D(2016, 1, 1), Rules())
                        .status()),
            "FAILED_PRECONDITION/RULE_NOT_IN_FORCE");
}

TEST(InspectionLimitationTest, LeapDayEndsOnTheLastDayOfFebruary) {
  EXPECT_EQ(Compute(Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2020, 2, 29))).deadline,
            D(2025, 2, 28));
}

TEST(InspectionLimitationTest, ExpulsionLevelAndGraveKindsHaveNoLimitation) {
  const Limitation expulsion = Compute(Input(DisciplineForm::kExpulsion, GraveViolationKind::kNone, D(2001, 1, 1)));
  EXPECT_FALSE(expulsion.deadline.has_value());
  EXPECT_EQ(expulsion.rule_id, "inspection.discipline.limitation_years");
  EXPECT_FALSE(Compute(Input(DisciplineForm::kDissolution, GraveViolationKind::kNone, D(2001, 1, 1))).deadline);
  for (const GraveViolationKind kind : {GraveViolationKind::kInternalPolitics, GraveViolationKind::kNationalInterest,
                                        GraveViolationKind::kIllegalQualification}) {
    const Limitation grave = Compute(Input(DisciplineForm::kReprimand, kind, D(2001, 1, 1)));
    EXPECT_FALSE(grave.deadline.has_value()) << GraveViolationKindName(kind);
    EXPECT_EQ(grave.rule_id, "inspection.discipline.no_limitation_violation_kinds");
  }
}

TEST(InspectionLimitationTest, ALaterViolationWhileRunningRestartsIt) {
  LimitationInput input = Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2018, 1, 1));
  input.later_violations = {D(2022, 6, 1)};
  Limitation limitation = Compute(input);
  EXPECT_EQ(limitation.counted_from, D(2022, 6, 1));
  EXPECT_EQ(limitation.deadline, D(2027, 6, 1));
  // Restarts chain: the second one falls in the restarted period.
  input.later_violations = {D(2027, 1, 1), D(2022, 6, 1)};
  EXPECT_EQ(Compute(input).deadline, D(2032, 1, 1));
  // After the period ended, or before the violation ended: no restart.
  input.later_violations = {D(2023, 1, 2), D(2017, 5, 1)};
  limitation = Compute(input);
  EXPECT_EQ(limitation.counted_from, D(2018, 1, 1));
  EXPECT_EQ(limitation.deadline, D(2023, 1, 1));
}

TEST(InspectionLimitationTest, NotConsideredPeriodsExtendItCountedOnce) {
  LimitationInput input = Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2019, 1, 1));
  input.not_considered = {{D(2020, 1, 1), D(2020, 6, 29)}};  // 181 days
  Limitation limitation = Compute(input);
  EXPECT_EQ(limitation.deadline, D(2024, 6, 30));
  EXPECT_EQ(limitation.paused_days, 181);
  // An overlapping period adds only its days outside the first (June 30 - July 9).
  input.not_considered.push_back({D(2020, 3, 1), D(2020, 7, 9)});
  limitation = Compute(input);
  EXPECT_EQ(limitation.paused_days, 191);
  EXPECT_EQ(limitation.deadline, D(2024, 7, 10));
}

TEST(InspectionLimitationTest, APeriodAfterTheOriginalEndStillCountsWhileExtended) {
  LimitationInput input = Input(DisciplineForm::kReprimand, GraveViolationKind::kNone, D(2019, 1, 1));
  // 32 days straddling the original end (2024-01-01), then 5 days after it but
  // before the extended end.
  input.not_considered = {{D(2024, 1, 25), D(2024, 1, 29)}, {D(2023, 12, 20), D(2024, 1, 20)}};
  const Limitation limitation = Compute(input);
  EXPECT_EQ(limitation.paused_days, 37);
  EXPECT_EQ(limitation.deadline, D(2024, 2, 7));
  // Time before the violation ended does not count.
  input.not_considered = {{D(2018, 1, 1), D(2018, 12, 31)}};
  EXPECT_EQ(Compute(input).deadline, D(2024, 1, 1));
}

DisciplineDecision Decision(D decided_on) {
  DisciplineDecision decision;
  decision.form = DisciplineForm::kReprimand;
  decision.subject = DisciplineSubjectKind::kOfficialMember;
  decision.violation_started = D(2018, 5, 1);
  decision.violation_ended = D(2019, 3, 10);
  decision.decided_on = decided_on;
  return decision;
}

TEST(InspectionDisciplineDecisionTest, OnTheLastDayIsInTimeTheNextIsExpired) {
  EXPECT_EQ(Outcome(CheckDisciplineDecision(Decision(D(2024, 3, 10)), Rules()).status()), "OK");
  const absl::Status late = CheckDisciplineDecision(Decision(D(2024, 3, 11)), Rules()).status();
  EXPECT_EQ(Outcome(late), "FAILED_PRECONDITION/DISCIPLINE_LIMITATION_EXPIRED");
  EXPECT_THAT(late.message(), HasSubstr("inspection.discipline.limitation_years"));
  EXPECT_THAT(late.message(), HasSubstr("2024-03-10"));
}

TEST(InspectionDisciplineDecisionTest, NotDecidedWhileANotConsideredPeriodCoversTheDay) {
  DisciplineDecision decision = Decision(D(2022, 4, 1));
  decision.not_considered = {{D(2022, 3, 1), D(2022, 8, 31)}};
  const absl::Status status = CheckDisciplineDecision(decision, Rules()).status();
  EXPECT_EQ(Outcome(status), "FAILED_PRECONDITION/DISCIPLINE_NOT_CONSIDERED_PERIOD");
  EXPECT_THAT(status.message(), HasSubstr("inspection.discipline.not_considered_periods"));
  decision.decided_on = D(2022, 9, 1);
  EXPECT_EQ(Outcome(CheckDisciplineDecision(decision, Rules()).status()), "OK");
}

TEST(InspectionDisciplineDecisionTest, DatesAndFormAreChecked) {
  DisciplineDecision decision = Decision(D(2019, 3, 9));
  EXPECT_EQ(Outcome(CheckDisciplineDecision(decision, Rules()).status()), "INVALID_ARGUMENT/decided_on");
  decision = Decision(D(2020, 1, 1));
  decision.violation_started = D(2019, 3, 11);
  EXPECT_EQ(Outcome(CheckDisciplineDecision(decision, Rules()).status()), "INVALID_ARGUMENT/violation_ended");
  decision = Decision(D(2020, 1, 1));
  decision.not_considered = {{D(2019, 6, 2), D(2019, 6, 1)}};
  EXPECT_EQ(Outcome(CheckDisciplineDecision(decision, Rules()).status()), "INVALID_ARGUMENT/not_considered");
  decision = Decision(D(2020, 1, 1));
  decision.form = DisciplineForm::kDismissal;
  EXPECT_EQ(Outcome(CheckDisciplineDecision(decision, Rules()).status()),
            "FAILED_PRECONDITION/DISMISSAL_WITHOUT_POST");
}

TEST(InspectionDisciplineDecisionTest, ReturnsTheLimitationItWasMeasuredAgainst) {
  DisciplineDecision decision = Decision(D(2025, 1, 1));
  decision.later_violations = {D(2021, 2, 1)};
  const absl::StatusOr<Limitation> limitation = CheckDisciplineDecision(decision, Rules());
  ASSERT_TRUE(limitation.ok()) << limitation.status();
  EXPECT_EQ(limitation->counted_from, D(2021, 2, 1));
  EXPECT_EQ(limitation->deadline, D(2026, 2, 1));
}

}  // namespace
}  // namespace grassroots::inspection::domain
