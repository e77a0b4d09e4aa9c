// ListMemberAlerts: what an official must act on in a subtree, each alert with
// its rule. Members are set up through the API with back-dated histories.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using Stub = v1::LifecycleService::Stub;

class GrpcAlertsTest : public MembershipFixture {
 protected:
  static std::vector<v1::MemberAlert> Alerts(int64_t org, std::vector<v1::AlertKind> kinds,
                                             const std::string& token = "", int32_t feedback_year = 0) {
    v1::ListMemberAlertsRequest request;
    request.set_organization(OrgName(org));
    for (v1::AlertKind kind : kinds) request.add_kinds(kind);
    request.set_feedback_year(feedback_year);
    request.set_page_size(500);
    v1::ListMemberAlertsResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::ListMemberAlerts,
                               token.empty() ? AdminToken() : token, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return {response.alerts().begin(), response.alerts().end()};
  }
  static std::vector<std::string> MembersOf(const std::vector<v1::MemberAlert>& alerts) {
    std::vector<std::string> out;
    for (const v1::MemberAlert& alert : alerts) out.push_back(alert.member());
    return out;
  }
  static v1::Vote FullVote() {
    v1::Vote vote;
    vote.set_in_favour(9);
    vote.set_eligible(9);
    return vote;
  }
  // A prospect taken through the decision on `decided_on`, no ceremony.
  static v1::Member Admitted(int64_t cell, const std::string& decided_on) {
    const v1::Member prospect =
        CreateProspect(cell, NewPerson(PersonOptions().BornOn(MonthsFromToday(-12 * 30))), AddMonths(decided_on, -6));
    v1::Member m;
    v1::RecordAwarenessClassRequest awareness;
    awareness.set_member(prospect.name());
    awareness.set_completed_on(AddMonths(decided_on, -5));
    awareness.set_certificate_number("GCN-ALERT");
    *awareness.mutable_certificate() = SomeDecision(AddMonths(decided_on, -5));
    EXPECT_TRUE(Call(lifecycle(), &Stub::RecordAwarenessClass, AdminToken(), awareness, &m).ok());
    v1::RecordDossierCompletedRequest dossier;
    dossier.set_member(prospect.name());
    dossier.set_completed_on(AddMonths(decided_on, -4));
    EXPECT_TRUE(Call(lifecycle(), &Stub::RecordDossierCompleted, AdminToken(), dossier, &m).ok());
    v1::RecordCellAdmissionVoteRequest vote;
    vote.set_member(prospect.name());
    vote.set_voted_on(AddMonths(decided_on, -1));
    *vote.mutable_vote() = FullVote();
    EXPECT_TRUE(Call(lifecycle(), &Stub::RecordCellAdmissionVote, AdminToken(), vote, &m).ok());
    v1::DecideAdmissionRequest decide;
    decide.set_member(prospect.name());
    *decide.mutable_decision() = SomeDecision(decided_on);
    grpc::Status status = Call(lifecycle(), &Stub::DecideAdmission, AdminToken(), decide, &m);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
    return m;
  }
  static void StartTransfer(const v1::Member& member, v1::TransferKind kind, int64_t destination,
                            const std::string& introduced_on, const std::string& planned_end) {
    v1::StartTransferRequest request;
    request.set_member(member.name());
    request.mutable_transfer()->set_kind(kind);
    request.mutable_transfer()->set_destination_cell(OrgName(destination));
    request.mutable_transfer()->set_introduced_on(introduced_on);
    request.mutable_transfer()->set_planned_end(planned_end);
    *request.mutable_decision() = SomeDecision(introduced_on);
    v1::Member m;
    grpc::Status status = Call(lifecycle(), &Stub::StartTransfer, AdminToken(), request, &m);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  }
};

TEST_F(GrpcAlertsTest, ProbationOverdueOnlyPastTheRecognitionWindow) {
  const Branch branch = NewBranch();
  const v1::Member overdue =
      CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY, MonthsFromToday(-15));
  // Probation ended a week ago: still within the 30 working days.
  CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY, MonthsFromToday(-12, -7));
  CreateExisting(branch.cell_b, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY, MonthsFromToday(-6));

  const std::vector<v1::MemberAlert> alerts = Alerts(branch.grassroots, {v1::ALERT_KIND_PROBATION_OVERDUE});
  ASSERT_THAT(MembersOf(alerts), ElementsAre(overdue.name()));
  const v1::MemberAlert& alert = alerts[0];
  EXPECT_EQ(alert.kind(), v1::ALERT_KIND_PROBATION_OVERDUE);
  EXPECT_EQ(alert.cell(), OrgName(branch.cell_a));
  EXPECT_EQ(alert.rule_id(), "membership.recognition.within_working_days");
  EXPECT_FALSE(alert.citation().empty());
  EXPECT_GT(alert.days_overdue(), 0);
  EXPECT_FALSE(alert.due_date().empty());
  EXPECT_LT(alert.due_date(), Today());

  // Recognized: the alert goes away.
  v1::RecognizeOfficialRequest recognize;
  recognize.set_member(overdue.name());
  *recognize.mutable_vote() = FullVote();
  *recognize.mutable_decision() = SomeDecision(Today());
  v1::Member m;
  grpc::Status status = Call(lifecycle(), &Stub::RecognizeOfficial, AdminToken(), recognize, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_THAT(Alerts(branch.grassroots, {v1::ALERT_KIND_PROBATION_OVERDUE}), IsEmpty());
}

TEST_F(GrpcAlertsTest, CeremonyOverdueAfterThirtyWorkingDays) {
  const Branch branch = NewBranch();
  const v1::Member late = Admitted(branch.cell_a, DaysFromToday(-90));
  Admitted(branch.cell_a, DaysFromToday(-5));
  const std::vector<v1::MemberAlert> alerts = Alerts(branch.grassroots, {v1::ALERT_KIND_CEREMONY_OVERDUE});
  ASSERT_THAT(MembersOf(alerts), ElementsAre(late.name()));
  EXPECT_EQ(alerts[0].rule_id(), "membership.admission.ceremony_within_working_days");
  EXPECT_GT(alerts[0].days_overdue(), 0);
}

TEST_F(GrpcAlertsTest, TransfersNotPresentedAndTemporaryTransfersExpired) {
  const Branch branch = NewBranch();
  const Branch elsewhere = NewBranch();
  const v1::Member not_presented = CreateExisting(branch.cell_a, NewPerson());
  StartTransfer(not_presented, v1::TRANSFER_KIND_OFFICIAL, elsewhere.cell_a, DaysFromToday(-45), "");
  const v1::Member just_left = CreateExisting(branch.cell_a, NewPerson());
  StartTransfer(just_left, v1::TRANSFER_KIND_OFFICIAL, elsewhere.cell_a, DaysFromToday(-3), "");

  std::vector<v1::MemberAlert> alerts = Alerts(branch.grassroots, {v1::ALERT_KIND_TRANSFER_NOT_PRESENTED});
  ASSERT_THAT(MembersOf(alerts), ElementsAre(not_presented.name()));
  EXPECT_EQ(alerts[0].rule_id(), "membership.transfer.present_within_days");
  EXPECT_EQ(alerts[0].days_overdue(), 15) << "30 calendar days after the introduction";

  const v1::Member away = CreateExisting(branch.cell_b, NewPerson());
  const std::string introduced = MonthsFromToday(-8);
  StartTransfer(away, v1::TRANSFER_KIND_TEMPORARY_WORK, elsewhere.cell_b, introduced, AddMonths(introduced, 4));
  v1::CompleteTransferRequest complete;
  complete.set_member(away.name());
  complete.set_presented_on(AddDays(introduced, 5));
  v1::Member m;
  grpc::Status status = Call(lifecycle(), &Stub::CompleteTransfer, AdminToken(), complete, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  alerts = Alerts(branch.grassroots, {v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED});
  ASSERT_THAT(MembersOf(alerts), ElementsAre(away.name()));
  EXPECT_EQ(alerts[0].due_date(), AddMonths(introduced, 4));
}

TEST_F(GrpcAlertsTest, WorkingMembersWithoutResidenceRegistrationOrFeedback) {
  const Branch branch = NewBranch();
  const v1::Member worker =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_FARMER)));
  const int year = std::stoi(Today().substr(0, 4));

  EXPECT_THAT(MembersOf(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION})),
              ElementsAre(worker.name()));
  EXPECT_THAT(MembersOf(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK}, "", year)),
              ElementsAre(worker.name()));

  const Branch residence = NewBranch();
  v1::RegisterResidenceRequest registration;
  registration.mutable_registration()->set_member(worker.name());
  registration.mutable_registration()->set_residence_cell(OrgName(residence.cell_a));
  registration.mutable_registration()->set_residence_address("Tổ dân phố 5, phường Lộc Sơn");
  registration.mutable_registration()->set_registered_on(DaysFromToday(-100));
  v1::ResidenceRegistration registered;
  grpc::Status status =
      Call(yearly(), &v1::YearlyRecordService::Stub::RegisterResidence, AdminToken(), registration, &registered);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_THAT(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION}), IsEmpty());

  v1::RecordResidenceFeedbackRequest feedback;
  feedback.mutable_feedback()->set_member(worker.name());
  feedback.mutable_feedback()->set_year(year);
  feedback.mutable_feedback()->set_residence_cell(OrgName(residence.cell_a));
  feedback.mutable_feedback()->set_assessment(v1::FEEDBACK_ASSESSMENT_GOOD);
  feedback.mutable_feedback()->set_opinion("Gương mẫu nơi cư trú");
  feedback.mutable_feedback()->set_signed_by("Bí thư chi bộ");
  feedback.mutable_feedback()->set_given_on(Today());
  v1::ResidenceFeedback given;
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RecordResidenceFeedback, AdminToken(), feedback, &given);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_THAT(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK}, "", year), IsEmpty());
  // Last year had none.
  EXPECT_THAT(MembersOf(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK}, "", year - 1)),
              ElementsAre(worker.name()));
}

TEST_F(GrpcAlertsTest, MembersOfAResidentialCellOweNoResidenceLiaison) {
  // cell_a covers a village (a residential cell); cell_b covers none (say, an
  // agency's cell): only cell_b's working member owes registration and feedback.
  const Branch branch = NewBranch();
  NewResidentialUnit(branch.grassroots, branch.cell_a);
  const PersonOptions civil_servant = PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE);
  CreateExisting(branch.cell_a, NewPerson(civil_servant));
  const v1::Member working = CreateExisting(branch.cell_b, NewPerson(civil_servant));
  const int year = std::stoi(Today().substr(0, 4));

  EXPECT_THAT(MembersOf(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION})),
              ElementsAre(working.name()));
  EXPECT_THAT(MembersOf(Alerts(branch.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK}, "", year)),
              ElementsAre(working.name()));
  EXPECT_THAT(Alerts(branch.cell_a, {v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK},
                     "", year),
              IsEmpty());

  // Another cell covers a village only since 1 January: its member owed last
  // year's feedback (judged on 31 December), and owes nothing this year.
  const Branch later = NewBranch();
  const v1::Member moved_in = CreateExisting(later.cell_b, NewPerson(civil_servant));
  NewResidentialUnit(later.grassroots, later.cell_b, absl::StrCat(year, "-01-01"));
  EXPECT_THAT(Alerts(later.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION}), IsEmpty());
  EXPECT_THAT(MembersOf(Alerts(later.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK}, "", year - 1)),
              ElementsAre(moved_in.name()));
  EXPECT_THAT(Alerts(later.grassroots, {v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK}, "", year), IsEmpty());
}

TEST_F(GrpcAlertsTest, AlertsStayInTheCallersScope) {
  const Branch branch = NewBranch();
  const v1::Member in_a =
      CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY, MonthsFromToday(-16));
  const v1::Member in_b =
      CreateExisting(branch.cell_b, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY, MonthsFromToday(-16));
  EXPECT_THAT(MembersOf(Alerts(branch.grassroots, {v1::ALERT_KIND_PROBATION_OVERDUE})),
              UnorderedElementsAre(in_a.name(), in_b.name()));
  EXPECT_THAT(MembersOf(Alerts(branch.cell_a, {v1::ALERT_KIND_PROBATION_OVERDUE}, SecretaryToken(branch.cell_a))),
              ElementsAre(in_a.name()));
  v1::ListMemberAlertsRequest request;
  request.set_organization(OrgName(branch.cell_b));
  v1::ListMemberAlertsResponse response;
  grpc::Status status =
      Call(members(), &v1::MemberService::Stub::ListMemberAlerts, SecretaryToken(branch.cell_a), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  // Every kind by default; the overdue probations are among them.
  std::vector<v1::MemberAlert> all = Alerts(branch.grassroots, {});
  int probation = 0;
  for (const v1::MemberAlert& alert : all) probation += alert.kind() == v1::ALERT_KIND_PROBATION_OVERDUE ? 1 : 0;
  EXPECT_EQ(probation, 2);
}

}  // namespace
}  // namespace grassroots::membership::testing
