// CaseService against real MariaDB and real org, membership and inspection
// services: the workflow and its refusals, recommendations, who reads what.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

class CaseTest : public InspectionFixture {
 protected:
  static insp::Case Draft(int64_t conducting, int64_t subject_org, insp::CaseKind kind = insp::CASE_KIND_INSPECTION) {
    return CaseDraft(conducting, subject_org, kind);
  }

  static grpc::Status Open(const std::string& token, const insp::Case& draft, insp::Case* out) {
    return OpenCase(token, draft, out);
  }

  static insp::Case OpenStarted(const membership::testing::Branch& branch,
                                insp::CaseKind kind = insp::CASE_KIND_INSPECTION) {
    insp::Case opened;
    EXPECT_TRUE(Open(InspectorToken(), Draft(branch.grassroots, branch.cell_a, kind), &opened).ok());
    return StartedCase(opened);
  }

  static insp::ConcludeCaseRequest Conclusion(const insp::Case& c) { return ConclusionDraft(c); }
};

TEST_F(CaseTest, ACaseRunsFromOpeningToClosingWithItsRecommendationFollowedUp) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Case started = OpenStarted(branch);
  EXPECT_EQ(started.status(), insp::CASE_STATUS_IN_PROGRESS);

  insp::Case concluded;
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(), Conclusion(started), &concluded)
                  .ok());
  EXPECT_EQ(concluded.status(), insp::CASE_STATUS_CONCLUDED);
  ASSERT_EQ(concluded.recommendations_size(), 1);
  EXPECT_EQ(concluded.recommendations(0).status(), insp::RECOMMENDATION_STATUS_OPEN);
  // 2026-06-30 is past (today is the machine's date; the suite runs after it).
  EXPECT_TRUE(concluded.recommendations(0).overdue());

  // Closing with an open recommendation is refused by the workflow rule.
  insp::CloseCaseRequest close;
  close.set_name(concluded.name());
  close.set_closed_on("2026-07-15");
  insp::Case closed;
  grpc::Status status = Call(cases(), &insp::CaseService::Stub::CloseCase, InspectorToken(), close, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "RECOMMENDATIONS_OPEN");

  insp::RecordRecommendationFollowUpRequest follow;
  follow.set_name(concluded.recommendations(0).name());
  follow.set_status(insp::RECOMMENDATION_STATUS_DONE);
  follow.set_followed_up_on("2026-07-01");
  insp::Case followed;
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::RecordRecommendationFollowUp, InspectorToken(), follow,
                   &followed)
                  .ok());
  EXPECT_EQ(followed.recommendations(0).status(), insp::RECOMMENDATION_STATUS_DONE);
  EXPECT_FALSE(followed.recommendations(0).overdue());
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::CloseCase, InspectorToken(), close, &closed).ok());
  EXPECT_EQ(closed.status(), insp::CASE_STATUS_CLOSED);

  // Settled once: a second follow-up is refused.
  status = Call(cases(), &insp::CaseService::Stub::RecordRecommendationFollowUp, InspectorToken(), follow, &followed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(CaseTest, IllegalTransitionsAndBadInputAreRefusedAndNothingIsWritten) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Case opened;
  ASSERT_TRUE(Open(InspectorToken(), Draft(branch.grassroots, branch.cell_a), &opened).ok());
  const int64_t feed_before = InspectionDbInt("SELECT COUNT(*) FROM change_feed");

  // OPENED → CONCLUDED skips the work: the workflow rule names the transition.
  insp::Case out;
  grpc::Status status = Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(), Conclusion(opened), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ILLEGAL_TRANSITION");

  insp::Case draft = Draft(branch.grassroots, branch.cell_a);
  draft.set_period_end("2026-03-01");
  status = Open(InspectorToken(), draft, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  draft = Draft(branch.grassroots, branch.cell_a);
  draft.clear_subject();
  EXPECT_EQ(BadField(Open(InspectorToken(), draft, &out)), "case.subject");

  // A chi bộ conducts only as the committee (it has no inspection commission).
  draft = Draft(branch.cell_a, branch.cell_a);
  status = Open(InspectorToken(), draft, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CASE_CONDUCTOR_NOT_ALLOWED");

  // Cancelling needs a reason.
  insp::CancelCaseRequest cancel;
  cancel.set_name(opened.name());
  EXPECT_EQ(BadField(Call(cases(), &insp::CaseService::Stub::CancelCase, InspectorToken(), cancel, &out)), "reason");
  EXPECT_EQ(InspectionDbInt("SELECT COUNT(*) FROM change_feed"), feed_before);
}

TEST_F(CaseTest, AFinanceInspectionNeedsItsDuesFindings) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Case started = OpenStarted(branch, insp::CASE_KIND_FINANCE_INSPECTION);
  insp::Case out;
  insp::ConcludeCaseRequest conclude = Conclusion(started);
  EXPECT_EQ(BadField(Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(), conclude, &out)),
            "finance_findings");
  insp::FinanceFindings* f = conclude.mutable_finance_findings();
  f->set_period_start("2025-01-01");
  f->set_period_end("2025-12-31");
  f->set_dues_due(12000000);
  f->set_dues_collected(11500000);
  f->set_dues_remitted(3000000);
  f->set_remittance_shortfall(450000);
  f->set_late_payers(3);
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(), conclude, &out).ok());
  EXPECT_EQ(out.finance_findings().dues_collected(), 11500000);
  EXPECT_EQ(out.finance_findings().late_payers(), 3);
}

TEST_F(CaseTest, ASecretarySeesConcludedCasesAboutItsCellAndInspectorsOnlyTheirScope) {
  const membership::testing::Branch a = NewBranch();
  const membership::testing::Branch b = NewBranch();
  SyncProjections();
  insp::Case started = OpenStarted(a);
  insp::GetCaseRequest get;
  get.set_name(started.name());
  insp::Case read;
  // In progress: not yet for the secretary of the inspected cell.
  EXPECT_EQ(Call(cases(), &insp::CaseService::Stub::GetCase, SecretaryToken(a.cell_a), get, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(), Conclusion(started), &read).ok());
  EXPECT_TRUE(Call(cases(), &insp::CaseService::Stub::GetCase, SecretaryToken(a.cell_a), get, &read).ok());
  EXPECT_EQ(Call(cases(), &insp::CaseService::Stub::GetCase, SecretaryToken(a.cell_b), get, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Commune B's inspector sees nothing of commune A's cases.
  EXPECT_EQ(Call(cases(), &insp::CaseService::Stub::GetCase, InspectorToken(b.grassroots), get, &read).error_code(),
            grpc::StatusCode::NOT_FOUND);
  insp::ListCasesRequest list;
  list.set_organization(OrgName(b.grassroots));
  insp::ListCasesResponse listed;
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ListCases, InspectorToken(b.grassroots), list, &listed).ok());
  EXPECT_EQ(listed.cases_size(), 0);
  list.set_organization(OrgName(a.grassroots));
  EXPECT_EQ(Call(cases(), &insp::CaseService::Stub::ListCases, InspectorToken(b.grassroots), list, &listed).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ListCases, InspectorToken(a.grassroots), list, &listed).ok());
  EXPECT_EQ(listed.cases_size(), 1);
  // The secretary's own list: the concluded case about its cell.
  list.set_organization(OrgName(a.cell_a));
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ListCases, SecretaryToken(a.cell_a), list, &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).name(), started.name());
}

TEST_F(CaseTest, OverdueRecommendationsAreListedForTheSubtreePageByPage) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  for (int i = 0; i < 3; ++i) {
    insp::Case started = OpenStarted(branch);
    insp::Case concluded;
    ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ConcludeCase, InspectorToken(), Conclusion(started),
                     &concluded)
                    .ok());
  }
  insp::ListOverdueRecommendationsRequest request;
  request.set_organization(OrgName(branch.grassroots));
  request.set_as_of_date("2026-07-10");
  request.set_page_size(2);
  insp::ListOverdueRecommendationsResponse page;
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ListOverdueRecommendations, InspectorToken(), request, &page)
                  .ok());
  ASSERT_EQ(page.items_size(), 2);
  EXPECT_EQ(page.items(0).days_overdue(), 10);
  ASSERT_FALSE(page.next_page_token().empty());
  request.set_page_token(page.next_page_token());
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ListOverdueRecommendations, InspectorToken(), request, &page)
                  .ok());
  EXPECT_EQ(page.items_size(), 1);
  // Before the deadline nothing is overdue.
  request.clear_page_token();
  request.set_as_of_date("2026-06-30");
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::ListOverdueRecommendations, InspectorToken(), request, &page)
                  .ok());
  EXPECT_EQ(page.items_size(), 0);
}

TEST_F(CaseTest, AMemberSubjectMustHaveBeenInThePartyOnThePeriodStart) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a, "2015-05-19");
  insp::Case draft = Draft(branch.grassroots, branch.cell_a);
  draft.mutable_subject()->set_member(member);
  draft.set_basis(insp::CASE_BASIS_SIGNS_OF_VIOLATION);
  insp::Case out;
  ASSERT_TRUE(Open(InspectorToken(), draft, &out).ok());
  // Before the ceremony the person was not a member.
  *draft.mutable_opening_decision() = Document("2014-01-02");
  draft.set_period_start("2014-01-05");
  draft.set_period_end("2014-02-05");
  grpc::Status status = Open(InspectorToken(), draft, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MEMBER_NOT_IN_PARTY");
}

}  // namespace
}  // namespace grassroots::inspection::testing
