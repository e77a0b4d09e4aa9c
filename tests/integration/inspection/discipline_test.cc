// DisciplineService against real MariaDB and real org, membership and
// inspection services: forms, limitation, effects applied exactly once across
// outages and restarts, appeals, who reads what.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

namespace memberpb = ::grassroots::membership::v1;

class DisciplineTest : public InspectionFixture {
 protected:
  static insp::DisciplineDecision Draft(int64_t deciding, const std::string& member, insp::DisciplineForm form,
                                        const std::string& signed_on = "2026-03-02") {
    return DecisionDraft(deciding, member, form, signed_on);
  }

  static insp::DisciplineDecision Get(const std::string& name) { return GetDecision(name); }

  static int64_t ExpulsionEvents(const std::string& member) {
    return MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_events WHERE member_id = ", MemberId(member),
                                    " AND kind = ", memberpb::EVENT_KIND_EXPELLED));
  }
};

TEST_F(DisciplineTest, AReprimandRecordsItsLimitationWithTheRuleAndHasNoEffect) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  insp::DisciplineDecision decided;
  ASSERT_TRUE(Decide(InspectorToken(), Draft(branch.grassroots, member, insp::DISCIPLINE_FORM_REPRIMAND), &decided)
                  .ok());
  EXPECT_EQ(decided.subject_kind(), insp::SUBJECT_KIND_OFFICIAL_MEMBER);
  EXPECT_EQ(decided.limitation().runs_from(), "2025-11-20");
  EXPECT_EQ(decided.limitation().deadline(), "2030-11-20");
  EXPECT_EQ(decided.limitation().years(), 5);
  EXPECT_EQ(decided.limitation().rule_id(), "inspection.discipline.limitation_years");
  EXPECT_FALSE(decided.limitation().citation().empty());
  EXPECT_EQ(decided.effects_size(), 0);
  EXPECT_EQ(decided.form_in_force(), insp::DISCIPLINE_FORM_REPRIMAND);
}

TEST_F(DisciplineTest, FormsTheSubjectCannotReceiveAndExpiredLimitationsAreRefusedNamingTheRule) {
  const membership::testing::Branch branch = NewBranch();
  const std::string probationary = NewProbationaryMember(branch.cell_a);
  const std::string official = NewOfficialMember(branch.cell_a, "2010-05-19");
  const int64_t decisions_before = InspectionDbInt("SELECT COUNT(*) FROM discipline_decisions");
  insp::DisciplineDecision out;
  // The probationary member joined three months ago: a recent violation.
  insp::DisciplineDecision expel = Draft(branch.grassroots, probationary, insp::DISCIPLINE_FORM_EXPULSION,
                                         DaysFromToday(-1));
  expel.mutable_violation()->set_ended_on(DaysFromToday(-10));
  grpc::Status status = Decide(InspectorToken(), expel, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DISCIPLINE_FORM_NOT_ALLOWED");

  insp::DisciplineDecision old = Draft(branch.grassroots, official, insp::DISCIPLINE_FORM_REPRIMAND);
  old.mutable_violation()->set_ended_on("2018-01-10");
  status = Decide(InspectorToken(), old, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DISCIPLINE_LIMITATION_EXPIRED");
  EXPECT_NE(status.error_message().find("inspection.discipline.limitation_years"), std::string::npos);

  // A later violation while the period ran restarts it.
  old.mutable_violation()->add_later_violations_on("2022-06-01");
  ASSERT_TRUE(Decide(InspectorToken(), old, &out).ok());
  EXPECT_EQ(out.limitation().runs_from(), "2022-06-01");

  // A dismissal names the post it removes.
  status = Decide(InspectorToken(), Draft(branch.grassroots, official, insp::DISCIPLINE_FORM_DISMISSAL), &out);
  EXPECT_EQ(BadField(status), "decision.position");
  EXPECT_EQ(InspectionDbInt("SELECT COUNT(*) FROM discipline_decisions"), decisions_before + 1);
}

TEST_F(DisciplineTest, AnExpulsionEndsTheMembershipOnceEvenWhenRetried) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  insp::DisciplineDecision decided, retried;
  const insp::DisciplineDecision draft = Draft(branch.grassroots, member, insp::DISCIPLINE_FORM_EXPULSION);
  ASSERT_TRUE(Decide(InspectorToken(), draft, &decided, "expel-once-1").ok());
  ASSERT_EQ(decided.effects_size(), 1);
  EXPECT_EQ(decided.effects(0).kind(), insp::EFFECT_KIND_EXPEL_MEMBER);
  // The retry comes after the expulsion took effect: the stored answer, not a second decision.
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  ASSERT_TRUE(Decide(InspectorToken(), draft, &retried, "expel-once-1").ok());
  EXPECT_EQ(retried.name(), decided.name());
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(GetMember(member).status(), memberpb::MEMBER_STATUS_EXPELLED);
  EXPECT_EQ(ExpulsionEvents(member), 1);
  EXPECT_EQ(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM discipline_effects WHERE decision_id = ",
                                         decided.name().substr(decided.name().find('/') + 1))),
            1);
}

TEST_F(DisciplineTest, AnEffectPendingWhileMembershipIsDownIsAppliedOnceAfterACrashAndRestart) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  TakeMembershipDownForInspection();
  insp::DisciplineDecision decided;
  ASSERT_TRUE(
      Decide(InspectorToken(), Draft(branch.grassroots, member, insp::DISCIPLINE_FORM_EXPULSION), &decided).ok());
  insp::DisciplineDecision pending = WaitForFailedAttempt(decided.name());
  ASSERT_EQ(pending.effects_size(), 1);
  EXPECT_EQ(pending.effects(0).state(), insp::EFFECT_STATE_PENDING);
  EXPECT_GE(pending.effects(0).attempts(), 1);
  EXPECT_EQ(GetMember(member).status(), memberpb::MEMBER_STATUS_OFFICIAL);

  // The service dies between the decision and its effect, and comes back.
  RestartInspection();
  BringMembershipBackForInspection();
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(GetMember(member).status(), memberpb::MEMBER_STATUS_EXPELLED);
  EXPECT_EQ(ExpulsionEvents(member), 1);

  // A crash after membership applied it but before it was recorded: the effect
  // is due again; the retry carries the same key and changes nothing.
  const std::string decision_id = decided.name().substr(decided.name().find('/') + 1);
  InspectionDbExecute(absl::StrCat("UPDATE discipline_effects SET state = ", insp::EFFECT_STATE_PENDING,
                                   ", applied_at = NULL, next_attempt_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND "
                                   "WHERE decision_id = ", decision_id));
  RestartInspection();
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(ExpulsionEvents(member), 1);
}

TEST_F(DisciplineTest, AnAppealFiledLateIsRefusedAndAnAnnulmentReinstatesTheMember) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  insp::DisciplineDecision decided;
  ASSERT_TRUE(
      Decide(InspectorToken(), Draft(branch.grassroots, member, insp::DISCIPLINE_FORM_EXPULSION), &decided).ok());
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);

  insp::Appeal appeal;
  grpc::Status status = FileAppeal(decided.name(), "2026-03-05", "2026-06-20", RootId(), &appeal);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "APPEAL_FILED_LATE");

  ASSERT_TRUE(FileAppeal(decided.name(), "2026-03-05", "2026-03-20", RootId(), &appeal).ok());
  EXPECT_FALSE(appeal.resolution_deadline().empty());
  EXPECT_FALSE(appeal.deadline_citation().empty());

  insp::ResolveAppealRequest resolve;
  resolve.set_name(appeal.name());
  resolve.set_outcome(insp::APPEAL_OUTCOME_ANNULLED);
  resolve.set_resolved_on("2026-05-10");
  *resolve.mutable_resolution() = Document("2026-05-10");
  insp::Appeal resolved;
  ASSERT_TRUE(
      Call(discipline(), &insp::DisciplineService::Stub::ResolveAppeal, InspectorToken(), resolve, &resolved).ok());
  EXPECT_EQ(resolved.outcome(), insp::APPEAL_OUTCOME_ANNULLED);
  insp::DisciplineDecision after = WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(after.effects_size(), 2);
  EXPECT_EQ(after.form_in_force(), insp::DISCIPLINE_FORM_UNSPECIFIED);
  EXPECT_EQ(GetMember(member).status(), memberpb::MEMBER_STATUS_OFFICIAL);

  // Resolved once.
  status = Call(discipline(), &insp::DisciplineService::Stub::ResolveAppeal, InspectorToken(), resolve, &resolved);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(DisciplineTest, AMemberReadsItsOwnDecisionsOnlyAndOtherCommunesSeeNone) {
  const membership::testing::Branch a = NewBranch();
  const membership::testing::Branch b = NewBranch();
  const std::string member = NewOfficialMember(a.cell_a);
  const std::string other = NewOfficialMember(a.cell_a);
  insp::DisciplineDecision decided;
  ASSERT_TRUE(Decide(InspectorToken(a.grassroots), Draft(a.grassroots, member, insp::DISCIPLINE_FORM_WARNING),
                     &decided)
                  .ok());
  EXPECT_EQ(Decide(InspectorToken(b.grassroots), Draft(a.grassroots, other, insp::DISCIPLINE_FORM_WARNING), &decided)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  insp::GetDisciplineDecisionRequest get;
  get.set_name(decided.name());
  insp::DisciplineDecision read;
  EXPECT_TRUE(Call(discipline(), &insp::DisciplineService::Stub::GetDisciplineDecision,
                   MemberToken(a.cell_a, MemberId(member)), get, &read)
                  .ok());
  EXPECT_EQ(Call(discipline(), &insp::DisciplineService::Stub::GetDisciplineDecision,
                 MemberToken(a.cell_a, MemberId(other)), get, &read)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(discipline(), &insp::DisciplineService::Stub::GetDisciplineDecision, InspectorToken(b.grassroots),
                 get, &read)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Call(discipline(), &insp::DisciplineService::Stub::GetDisciplineDecision, PortalToken(), get, &read)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  insp::ListDisciplineDecisionsRequest history;
  history.mutable_subject()->set_member(member);
  insp::ListDisciplineDecisionsResponse listed;
  ASSERT_TRUE(Call(discipline(), &insp::DisciplineService::Stub::ListDisciplineDecisions,
                   MemberToken(a.cell_a, MemberId(member)), history, &listed)
                  .ok());
  ASSERT_EQ(listed.decisions_size(), 1);
  EXPECT_EQ(listed.decisions(0).form(), insp::DISCIPLINE_FORM_WARNING);
  history.mutable_subject()->set_member(other);
  EXPECT_EQ(Call(discipline(), &insp::DisciplineService::Stub::ListDisciplineDecisions,
                 MemberToken(a.cell_a, MemberId(member)), history, &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace grassroots::inspection::testing
