// InspectionReportService against real MariaDB and real org, membership and
// inspection services: each commission's caseload page by page, and the
// portal's counts (which are all the portal gets).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

class ReportTest : public InspectionFixture {
 protected:
  static insp::Case Opened(const insp::Case& draft) {
    insp::Case out;
    ExpectOk(OpenCase(InspectorToken(), draft, &out));
    return out;
  }

  // Concluded with one recommendation due 2026-06-30 and one due 2027-01-31.
  static insp::Case Concluded(const insp::Case& started) {
    insp::Case out;
    ExpectOk(Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(),
                  ConclusionDraft(started, {"2026-06-30", "2027-01-31"}), &out));
    return out;
  }

  static insp::DisciplineDecision Decided(const insp::DisciplineDecision& draft) {
    insp::DisciplineDecision out;
    ExpectOk(Decide(InspectorToken(), draft, &out));
    return out;
  }

  static insp::Petition Received(const insp::Petition& draft) {
    insp::Petition out;
    ExpectOk(Receive(InspectorToken(), draft, &out));
    return out;
  }

  static grpc::Status Caseload(const std::string& token, int64_t org, const std::string& as_of, int page_size,
                               const std::string& page_token, insp::GetCaseloadResponse* out) {
    insp::GetCaseloadRequest request;
    request.set_organization(OrgName(org));
    request.set_as_of_date(as_of);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    return Call(reports(), &insp::InspectionReportService::Stub::GetCaseload, token, request, out);
  }

  static std::map<std::string, int> Counts(
      const google::protobuf::RepeatedPtrField<insp::CountInspectionWorkResponse::Count>& counts) {
    std::map<std::string, int> out;
    for (const auto& c : counts) out[c.key()] = c.count();
    return out;
  }
};

TEST_F(ReportTest, TheCaseloadCountsEachCommissionsOpenWorkPageByPage) {
  const membership::testing::Branch branch = NewBranch();
  const membership::testing::Branch other = NewBranch();
  const std::string first = NewOfficialMember(branch.cell_a);
  const std::string second = NewOfficialMember(branch.cell_a);

  // The commune's commission: one case in each open status, one cancelled.
  Opened(CaseDraft(branch.grassroots, branch.cell_a));
  StartedCase(Opened(CaseDraft(branch.grassroots, branch.cell_a)));
  Concluded(StartedCase(Opened(CaseDraft(branch.grassroots, branch.cell_b))));
  insp::CancelCaseRequest cancel;
  cancel.set_name(Opened(CaseDraft(branch.grassroots, branch.cell_b)).name());
  cancel.set_reason("Trùng nội dung với cuộc kiểm tra khác");
  insp::Case cancelled;
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::CancelCase, InspectorToken(), cancel, &cancelled).ok());
  // Cell A inspects a member as itself (a chi bộ has no commission).
  insp::Case cell_case = CaseDraft(branch.cell_a, branch.cell_a);
  cell_case.set_conductor(insp::CONDUCTOR_COMMITTEE);
  cell_case.mutable_subject()->set_member(first);
  Opened(cell_case);

  // Cell A's decisions, appealed to the commune: one long past its deadline, one recent.
  insp::DisciplineDecision old_draft = DecisionDraft(branch.cell_a, first, insp::DISCIPLINE_FORM_REPRIMAND);
  old_draft.set_deciding_body(insp::CONDUCTOR_COMMITTEE);
  insp::DisciplineDecision recent_draft =
      DecisionDraft(branch.cell_a, second, insp::DISCIPLINE_FORM_REPRIMAND, "2026-11-16");
  recent_draft.set_deciding_body(insp::CONDUCTOR_COMMITTEE);
  insp::Appeal appeal;
  grpc::Status status = FileAppeal(Decided(old_draft).name(), "2026-03-05", "2026-03-20", branch.grassroots, &appeal);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = FileAppeal(Decided(recent_draft).name(), "2026-11-17", "2026-11-20", branch.grassroots, &appeal);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The commune's petitions: one past its deadline, one not yet, one answered.
  Received(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-01-15"));
  Received(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-11-01"));
  const insp::Petition answered = Received(PetitionDraft(branch.grassroots, insp::PETITION_KIND_FEEDBACK, "2026-02-01"));
  insp::AssignPetitionRequest assign;
  assign.set_name(answered.name());
  assign.set_assignee(second);
  assign.set_assigned_on("2026-02-02");
  assign.set_answer_by("2026-03-02");
  insp::Petition out;
  ASSERT_TRUE(Call(petitions(), &insp::PetitionService::Stub::AssignPetition, InspectorToken(), assign, &out).ok());
  insp::AnswerPetitionRequest answer;
  answer.set_name(answered.name());
  answer.set_answer("Đã tiếp thu và chỉ đạo chi bộ khắc phục");
  answer.set_answered_on("2026-02-20");
  status = Call(petitions(), &insp::PetitionService::Stub::AnswerPetition, InspectorToken(), answer, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // One commission per page, in order; cell B has nothing open and is not listed.
  insp::GetCaseloadResponse page;
  ASSERT_TRUE(Caseload(InspectorToken(branch.grassroots), branch.grassroots, "2026-12-01", 1, "", &page).ok());
  ASSERT_EQ(page.caseloads_size(), 1);
  const insp::Caseload commune = page.caseloads(0);
  ASSERT_FALSE(page.next_page_token().empty());
  ASSERT_TRUE(Caseload(InspectorToken(branch.grassroots), branch.grassroots, "2026-12-01", 1, page.next_page_token(),
                       &page)
                  .ok());
  ASSERT_EQ(page.caseloads_size(), 1);
  const insp::Caseload cell = page.caseloads(0);
  EXPECT_TRUE(page.next_page_token().empty());

  EXPECT_EQ(commune.organization(), OrgName(branch.grassroots));
  EXPECT_EQ(commune.opened(), 1);
  EXPECT_EQ(commune.in_progress(), 1);
  EXPECT_EQ(commune.concluded(), 1);
  EXPECT_EQ(commune.overdue_recommendations(), 1);
  EXPECT_EQ(commune.unresolved_appeals(), 2);
  EXPECT_EQ(commune.overdue_appeals(), 1);
  EXPECT_EQ(commune.open_petitions(), 2);
  EXPECT_EQ(commune.overdue_petitions(), 1);
  EXPECT_EQ(cell.organization(), OrgName(branch.cell_a));
  EXPECT_EQ(cell.opened(), 1);
  EXPECT_EQ(cell.in_progress() + cell.concluded() + cell.unresolved_appeals() + cell.open_petitions(), 0);

  // Earlier in the year nothing was overdue yet.
  ASSERT_TRUE(Caseload(InspectorToken(), branch.grassroots, "2026-04-01", 10, "", &page).ok());
  ASSERT_EQ(page.caseloads_size(), 2);
  EXPECT_EQ(page.caseloads(0).overdue_recommendations(), 0);
  EXPECT_EQ(page.caseloads(0).overdue_petitions(), 0);
  EXPECT_EQ(page.caseloads(0).overdue_appeals(), 0);

  // Scope: another commune's inspector, and the portal, get nothing.
  EXPECT_EQ(Caseload(InspectorToken(other.grassroots), branch.grassroots, "", 10, "", &page).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Caseload(PortalToken(), branch.grassroots, "", 10, "", &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Caseload(InspectorToken(other.grassroots), other.grassroots, "", 10, "", &page).ok());
  EXPECT_EQ(page.caseloads_size(), 0);
  EXPECT_EQ(BadField(Caseload(InspectorToken(), branch.grassroots, "2026-13-01", 10, "", &page)), "as_of_date");
}

TEST_F(ReportTest, ThePortalGetsCountsAndNothingElse) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  insp::Program program;
  ASSERT_TRUE(CreateProgram(InspectorToken(), ProgramDraft(branch.grassroots, 2026), &program).ok());
  const insp::Case inspection = Opened(CaseDraft(branch.grassroots, branch.cell_a));
  Opened(CaseDraft(branch.grassroots, branch.cell_b));
  insp::Case supervision = CaseDraft(branch.grassroots, branch.cell_a, insp::CASE_KIND_SUPERVISION);
  Opened(supervision);
  Decided(DecisionDraft(branch.grassroots, member, insp::DISCIPLINE_FORM_REPRIMAND, "2026-03-02"));
  Decided(DecisionDraft(branch.grassroots, member, insp::DISCIPLINE_FORM_WARNING, "2026-06-02"));
  const insp::Petition petition =
      Received(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-02-10"));
  Received(PetitionDraft(branch.grassroots, insp::PETITION_KIND_FEEDBACK, "2026-05-10"));
  // Received in 2025: counted in that year only.
  Received(PetitionDraft(branch.grassroots, insp::PETITION_KIND_FEEDBACK, "2025-12-30"));

  insp::CountInspectionWorkRequest request;
  request.set_organization(OrgName(branch.grassroots));
  request.set_year(2026);
  insp::CountInspectionWorkResponse counts;
  grpc::Status status =
      Call(reports(), &insp::InspectionReportService::Stub::CountInspectionWork, PortalToken(), request, &counts);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Counts(counts.cases_by_kind()),
            (std::map<std::string, int>{{"CASE_KIND_INSPECTION", 2}, {"CASE_KIND_SUPERVISION", 1}}));
  EXPECT_EQ(Counts(counts.decisions_by_form()),
            (std::map<std::string, int>{{"DISCIPLINE_FORM_REPRIMAND", 1}, {"DISCIPLINE_FORM_WARNING", 1}}));
  EXPECT_EQ(Counts(counts.petitions_by_kind()),
            (std::map<std::string, int>{{"PETITION_KIND_DENUNCIATION", 1}, {"PETITION_KIND_FEEDBACK", 1}}));
  EXPECT_EQ(counts.programs(), 1);
  request.set_year(2025);
  ASSERT_TRUE(
      Call(reports(), &insp::InspectionReportService::Stub::CountInspectionWork, PortalToken(), request, &counts).ok());
  EXPECT_EQ(Counts(counts.petitions_by_kind()), (std::map<std::string, int>{{"PETITION_KIND_FEEDBACK", 1}}));
  EXPECT_EQ(counts.cases_by_kind_size(), 0);
  request.set_year(0);
  EXPECT_EQ(BadField(Call(reports(), &insp::InspectionReportService::Stub::CountInspectionWork, PortalToken(), request,
                          &counts)),
            "year");
  request.set_year(2026);
  EXPECT_EQ(Call(reports(), &insp::InspectionReportService::Stub::CountInspectionWork,
                 MemberToken(branch.cell_a, MemberId(member)), request, &counts)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The portal reads no case, decision or petition, not even a list of them.
  insp::GetCaseRequest get_case;
  get_case.set_name(inspection.name());
  insp::Case read_case;
  EXPECT_EQ(Call(cases(), &insp::CaseService::Stub::GetCase, PortalToken(), get_case, &read_case).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  insp::ListCasesRequest list_cases;
  list_cases.set_organization(OrgName(branch.grassroots));
  insp::ListCasesResponse cases_listed;
  EXPECT_EQ(Call(cases(), &insp::CaseService::Stub::ListCases, PortalToken(), list_cases, &cases_listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  insp::GetPetitionRequest get_petition;
  get_petition.set_name(petition.name());
  insp::Petition read_petition;
  EXPECT_EQ(
      Call(petitions(), &insp::PetitionService::Stub::GetPetition, PortalToken(), get_petition, &read_petition)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  insp::ListPetitionsRequest list_petitions;
  list_petitions.set_organization(OrgName(branch.grassroots));
  insp::ListPetitionsResponse petitions_listed;
  EXPECT_EQ(Call(petitions(), &insp::PetitionService::Stub::ListPetitions, PortalToken(), list_petitions,
                 &petitions_listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  insp::ListDisciplineDecisionsRequest list_decisions;
  list_decisions.set_organization(OrgName(branch.grassroots));
  insp::ListDisciplineDecisionsResponse decisions_listed;
  EXPECT_EQ(Call(discipline(), &insp::DisciplineService::Stub::ListDisciplineDecisions, PortalToken(), list_decisions,
                 &decisions_listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace grassroots::inspection::testing
