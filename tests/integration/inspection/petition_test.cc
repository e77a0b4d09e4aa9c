// PetitionService against real MariaDB and real org, membership and inspection
// services: each kind of petition through its workflow, its deadlines, the
// lists near or past deadline, and the filer's identity (seen only by the
// handling commission, audited on every read, never on a feed, in an audit
// detail or in a log line).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

class PetitionTest : public InspectionFixture {
 protected:
  static grpc::Status Assign(const std::string& name, const std::string& assignee, const std::string& assigned_on,
                             insp::Petition* out, const std::string& answer_by = "") {
    insp::AssignPetitionRequest request;
    request.set_name(name);
    request.set_assignee(assignee);
    request.set_assigned_on(assigned_on);
    request.set_answer_by(answer_by);
    return Call(petitions(), &insp::PetitionService::Stub::AssignPetition, InspectorToken(), request, out);
  }

  static grpc::Status Answer(const std::string& name, const std::string& answered_on, insp::Petition* out,
                             const std::string& answer = "Đã xác minh, trả lời người gửi bằng văn bản") {
    insp::AnswerPetitionRequest request;
    request.set_name(name);
    request.set_answer(answer);
    request.set_answered_on(answered_on);
    return Call(petitions(), &insp::PetitionService::Stub::AnswerPetition, InspectorToken(), request, out);
  }

  static grpc::Status Close(const std::string& name, bool withdrawn, bool forwarded, insp::Petition* out) {
    insp::ClosePetitionRequest request;
    request.set_name(name);
    request.set_reason("Kết thúc không trả lời");
    request.set_closed_on(Today());
    request.set_withdrawn(withdrawn);
    request.set_forwarded(forwarded);
    return Call(petitions(), &insp::PetitionService::Stub::ClosePetition, InspectorToken(), request, out);
  }

  static grpc::Status ReadFiler(const std::string& token, const std::string& name, insp::PetitionFiler* out) {
    insp::GetPetitionFilerRequest request;
    request.set_name(name);
    return Call(petitions(), &insp::PetitionService::Stub::GetPetitionFiler, token, request, out);
  }

  static insp::Petition ReceiveOk(const insp::Petition& draft) {
    insp::Petition out;
    ExpectOk(Receive(InspectorToken(), draft, &out));
    return out;
  }

  static std::set<std::string> Names(const insp::ListPetitionsResponse& listed) {
    std::set<std::string> names;
    for (const insp::Petition& p : listed.petitions()) names.insert(p.name());
    return names;
  }

  static int64_t FeedEntries() { return InspectionDbInt("SELECT COUNT(*) FROM change_feed"); }
};

TEST_F(PetitionTest, ADenunciationGetsItsDeadlineFromTheRuleAndIsAssignedAndAnswered) {
  const membership::testing::Branch branch = NewBranch();
  const std::string accused = NewOfficialMember(branch.cell_a);
  const std::string handler = NewOfficialMember(branch.cell_b);
  insp::Petition draft = PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-09-01");
  draft.mutable_about()->set_member(accused);
  insp::Petition received = ReceiveOk(draft);
  EXPECT_EQ(received.status(), insp::PETITION_STATUS_RECEIVED);
  EXPECT_EQ(received.about().member(), accused);
  // 90 days at the grassroots level (QĐ 22-QĐ/TW, Điều 20).
  EXPECT_EQ(received.deadline(), "2026-11-30");
  EXPECT_EQ(received.deadline_rule_id(), "inspection.denunciation.resolution_days");
  EXPECT_FALSE(received.deadline_citation().empty());
  EXPECT_FALSE(received.has_filer()) << "the filer is never part of a Petition";
  EXPECT_FALSE(received.anonymous());
  EXPECT_FALSE(received.usable_as_source());
  // Received on 2026-09-01, unanswered on 2026-11-30: past its deadline today.
  EXPECT_TRUE(received.overdue());

  // Answering comes after assignment.
  insp::Petition out;
  grpc::Status status = Answer(received.name(), "2026-09-20", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ILLEGAL_TRANSITION");

  // The rule sets a denunciation's deadline: the commission does not.
  status = Assign(received.name(), handler, "2026-09-03", &out, "2026-10-15");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "answer_by");
  status = Assign(received.name(), handler, "2026-08-30", &out);
  EXPECT_EQ(BadField(status), "assigned_on");

  insp::Petition assigned;
  ASSERT_TRUE(Assign(received.name(), handler, "2026-09-03", &assigned).ok());
  EXPECT_EQ(assigned.status(), insp::PETITION_STATUS_ASSIGNED);
  EXPECT_EQ(assigned.assignee(), handler);
  EXPECT_EQ(assigned.deadline(), "2026-11-30");

  EXPECT_EQ(BadField(Answer(received.name(), "2026-10-01", &out, "")), "answer");
  insp::Petition answered;
  status = Answer(received.name(), "2026-10-01", &answered);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answered.status(), insp::PETITION_STATUS_ANSWERED);
  EXPECT_EQ(answered.answered_on(), "2026-10-01");
  EXPECT_FALSE(answered.overdue()) << "an answered petition is not overdue";

  // Answered once; then it cannot be closed either.
  status = Answer(received.name(), "2026-10-02", &out);
  EXPECT_EQ(Reason(status), "ILLEGAL_TRANSITION");
  EXPECT_EQ(Reason(Close(received.name(), true, false, &out)), "ILLEGAL_TRANSITION");
}

TEST_F(PetitionTest, AnAnonymousDenunciationIsRecordedUsableWhenSpecificAndNeverAnswered) {
  const membership::testing::Branch branch = NewBranch();
  const std::string handler = NewOfficialMember(branch.cell_b);
  insp::Petition draft = PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-10-05");
  draft.set_anonymous(true);
  insp::Petition out;
  // Anonymous means no filer.
  EXPECT_EQ(BadField(Receive(InspectorToken(), draft, &out)), "petition.filer");
  draft.clear_filer();
  draft.set_content_specific(true);
  draft.mutable_about()->set_organization(OrgName(branch.cell_a));
  const insp::Petition specific = ReceiveOk(draft);
  EXPECT_TRUE(specific.anonymous());
  EXPECT_TRUE(specific.usable_as_source());
  EXPECT_TRUE(specific.deadline().empty()) << "nobody is answered, so no answer deadline";
  draft.set_content_specific(false);
  const insp::Petition vague = ReceiveOk(draft);
  EXPECT_FALSE(vague.usable_as_source());

  // Only a denunciation may come without its filer.
  insp::Petition feedback = PetitionDraft(branch.grassroots, insp::PETITION_KIND_FEEDBACK, "2026-10-05");
  feedback.clear_filer();
  feedback.set_anonymous(true);
  EXPECT_EQ(BadField(Receive(InspectorToken(), feedback, &out)), "petition.anonymous");

  insp::PetitionFiler filer;
  EXPECT_EQ(ReadFiler(InspectorToken(branch.grassroots), specific.name(), &filer).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Never answered, whether just received or assigned for verification.
  grpc::Status status = Answer(specific.name(), "2026-10-20", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ANONYMOUS_NOT_ANSWERED");
  EXPECT_NE(status.error_message().find("inspection.petition.anonymous_denunciation"), std::string::npos)
      << status.error_message();
  // No answer, so the commission sets no answer deadline either.
  EXPECT_EQ(BadField(Assign(specific.name(), handler, "2026-10-06", &out, "2026-11-06")), "answer_by");
  ASSERT_TRUE(Assign(specific.name(), handler, "2026-10-06", &out).ok());
  status = Answer(specific.name(), "2026-10-20", &out);
  EXPECT_EQ(Reason(status), "ANONYMOUS_NOT_ANSWERED");

  // It is closed without an answer, neither withdrawn nor forwarded.
  insp::Petition closed;
  ASSERT_TRUE(Close(specific.name(), false, false, &closed).ok());
  EXPECT_EQ(closed.status(), insp::PETITION_STATUS_CLOSED);
  EXPECT_TRUE(closed.usable_as_source());
}

TEST_F(PetitionTest, AComplaintNamesTheDisciplineDecisionItIsAbout) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  insp::DisciplineDecision decided;
  ASSERT_TRUE(
      Decide(InspectorToken(), DecisionDraft(branch.grassroots, member, insp::DISCIPLINE_FORM_WARNING), &decided)
          .ok());
  insp::Petition draft = PetitionDraft(branch.grassroots, insp::PETITION_KIND_COMPLAINT, "2026-03-20");
  draft.set_source(insp::PETITION_SOURCE_PARTY_MEMBER);
  draft.mutable_about()->set_member(member);
  insp::Petition out;
  EXPECT_EQ(BadField(Receive(InspectorToken(), draft, &out)), "petition.discipline_decision");
  draft.set_discipline_decision("discipline_decisions/987654321");
  EXPECT_EQ(Receive(InspectorToken(), draft, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  draft.set_discipline_decision(decided.name());
  const insp::Petition complaint = ReceiveOk(draft);
  EXPECT_EQ(complaint.kind(), insp::PETITION_KIND_COMPLAINT);
  EXPECT_EQ(complaint.discipline_decision(), decided.name());
  EXPECT_EQ(complaint.deadline_rule_id(), "inspection.appeal.resolution_working_days");
  // 90 working days: more than 90 calendar days after receipt.
  EXPECT_GT(complaint.deadline(), AddDays("2026-03-20", 90));

  // Only a complaint names a decision.
  insp::Petition denunciation = PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-03-20");
  denunciation.set_discipline_decision(decided.name());
  EXPECT_EQ(BadField(Receive(InspectorToken(), denunciation, &out)), "petition.discipline_decision");
}

TEST_F(PetitionTest, FeedbackFromTheFatherlandFrontGetsTheDeadlineTheCommissionSets) {
  const membership::testing::Branch branch = NewBranch();
  const std::string handler = NewOfficialMember(branch.cell_b);
  const std::string received_on = DaysFromToday(-30);
  const std::string assigned_on = DaysFromToday(-28);
  insp::Petition draft =
      PetitionDraft(branch.grassroots, insp::PETITION_KIND_FEEDBACK, received_on, "Ủy ban MTTQ Việt Nam xã");
  draft.set_source(insp::PETITION_SOURCE_FATHERLAND_FRONT);
  draft.mutable_about()->set_organization(OrgName(branch.cell_a));
  const insp::Petition feedback = ReceiveOk(draft);
  EXPECT_EQ(feedback.source(), insp::PETITION_SOURCE_FATHERLAND_FRONT);
  EXPECT_TRUE(feedback.deadline().empty()) << "no rule gives feedback a deadline";
  EXPECT_FALSE(feedback.overdue());

  // The deadline falls between the assignment and a year after receipt.
  insp::Petition out;
  EXPECT_EQ(BadField(Assign(feedback.name(), handler, assigned_on, &out, DaysFromToday(-29))), "answer_by");
  EXPECT_EQ(BadField(Assign(feedback.name(), handler, assigned_on, &out, AddDays(received_on, 400))), "answer_by");
  EXPECT_EQ(BadField(Assign(feedback.name(), "", assigned_on, &out, DaysFromToday(20))), "assignee");
  insp::Petition assigned;
  ASSERT_TRUE(Assign(feedback.name(), handler, assigned_on, &assigned, DaysFromToday(20)).ok());
  EXPECT_EQ(assigned.deadline(), DaysFromToday(20));
  EXPECT_TRUE(assigned.deadline_rule_id().empty());
  EXPECT_FALSE(assigned.overdue());

  insp::Petition answered;
  ASSERT_TRUE(Answer(feedback.name(), DaysFromToday(-1), &answered).ok());
  EXPECT_EQ(answered.status(), insp::PETITION_STATUS_ANSWERED);
}

TEST_F(PetitionTest, ClosingWithoutAnAnswerNeedsAWithdrawalOrAForwardingAndWritesNothingWhenRefused) {
  const membership::testing::Branch branch = NewBranch();
  const std::string handler = NewOfficialMember(branch.cell_b);
  const insp::Petition first =
      ReceiveOk(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-11-10"));
  const insp::Petition second =
      ReceiveOk(PetitionDraft(branch.grassroots, insp::PETITION_KIND_FEEDBACK, "2026-11-10"));
  const int64_t feed_before = FeedEntries();
  insp::Petition out;
  grpc::Status status = Close(first.name(), false, false, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CLOSE_WITHOUT_ANSWER_NOT_ALLOWED");
  EXPECT_EQ(FeedEntries(), feed_before);

  insp::Petition withdrawn;
  ASSERT_TRUE(Close(first.name(), true, false, &withdrawn).ok());
  EXPECT_EQ(withdrawn.status(), insp::PETITION_STATUS_CLOSED);
  EXPECT_EQ(withdrawn.close_reason(), "Kết thúc không trả lời");

  ASSERT_TRUE(Assign(second.name(), handler, "2026-11-11", &out).ok());
  insp::Petition forwarded;
  ASSERT_TRUE(Close(second.name(), false, true, &forwarded).ok());
  EXPECT_EQ(forwarded.status(), insp::PETITION_STATUS_CLOSED);

  // A stale etag is refused.
  insp::AssignPetitionRequest stale;
  stale.set_name(first.name());
  stale.set_assignee(handler);
  stale.set_assigned_on("2026-11-12");
  stale.set_etag(first.etag());
  EXPECT_EQ(Call(petitions(), &insp::PetitionService::Stub::AssignPetition, InspectorToken(), stale, &out).error_code(),
            grpc::StatusCode::ABORTED);
}

TEST_F(PetitionTest, ListPetitionsDueWithinDaysShowsTheOpenOnesNearOrPastTheirDeadline) {
  const membership::testing::Branch branch = NewBranch();
  const membership::testing::Branch other = NewBranch();
  const std::string handler = NewOfficialMember(branch.cell_b);
  // Denunciations are due 90 days after receipt.
  const insp::Petition near =
      ReceiveOk(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, DaysFromToday(-85)));
  const insp::Petition overdue =
      ReceiveOk(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, DaysFromToday(-120)));
  const insp::Petition later =
      ReceiveOk(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, DaysFromToday(-10)));
  const insp::Petition answered =
      ReceiveOk(PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, DaysFromToday(-120)));
  const insp::Petition undated = ReceiveOk(PetitionDraft(branch.cell_a, insp::PETITION_KIND_FEEDBACK, Today()));
  insp::Petition out;
  ASSERT_TRUE(Assign(answered.name(), handler, DaysFromToday(-119), &out).ok());
  ASSERT_TRUE(Answer(answered.name(), DaysFromToday(-100), &out).ok());
  ReceiveOk(PetitionDraft(other.grassroots, insp::PETITION_KIND_DENUNCIATION, DaysFromToday(-120)));

  insp::ListPetitionsRequest request;
  request.set_organization(OrgName(branch.grassroots));
  request.set_due_within_days(10);
  insp::ListPetitionsResponse listed;
  ASSERT_TRUE(Call(petitions(), &insp::PetitionService::Stub::ListPetitions, InspectorToken(), request, &listed).ok());
  EXPECT_EQ(Names(listed), (std::set<std::string>{near.name(), overdue.name()}));
  for (const insp::Petition& p : listed.petitions()) {
    EXPECT_EQ(p.overdue(), p.name() == overdue.name()) << p.name();
    EXPECT_FALSE(p.has_filer());
  }

  // Without the deadline filter: everything the subtree handles, page by page.
  request.set_due_within_days(0);
  request.set_page_size(2);
  std::set<std::string> all;
  for (int page = 0; page < 5; ++page) {
    ASSERT_TRUE(
        Call(petitions(), &insp::PetitionService::Stub::ListPetitions, InspectorToken(), request, &listed).ok());
    EXPECT_LE(listed.petitions_size(), 2);
    for (const insp::Petition& p : listed.petitions()) all.insert(p.name());
    if (listed.next_page_token().empty()) break;
    request.set_page_token(listed.next_page_token());
  }
  EXPECT_EQ(all, (std::set<std::string>{near.name(), overdue.name(), later.name(), answered.name(), undated.name()}));

  // Another commune's inspector sees none of them; a bad filter names its field.
  request.clear_page_token();
  EXPECT_EQ(
      Call(petitions(), &insp::PetitionService::Stub::ListPetitions, InspectorToken(other.grassroots), request, &listed)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  request.set_due_within_days(-1);
  EXPECT_EQ(BadField(Call(petitions(), &insp::PetitionService::Stub::ListPetitions, InspectorToken(), request, &listed)),
            "due_within_days");
}

TEST_F(PetitionTest, OnlyTheHandlingCommissionSeesTheFilerEveryReadIsAuditedAndTheNameGoesNowhereElse) {
  const membership::testing::Branch branch = NewBranch();
  const std::string handler = NewOfficialMember(branch.cell_b);
  // A name no other test uses, with an ASCII mark to search the logs and JSON for.
  const std::string mark = absl::StrCat("Zq", UniqueNumber("filer"));
  const std::string full_name = absl::StrCat("Đỗ Thị Tố Như ", mark);
  const std::string citizen_id = "068190001234";

  common::log::Init("inspection-test", common::log::Level::kDebug);
  ::testing::internal::CaptureStderr();
  insp::Petition draft = PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-11-20", full_name);
  draft.mutable_filer()->set_citizen_id(citizen_id);
  // With a request id, so the stored answer of the create is searched too.
  insp::Petition received;
  ASSERT_TRUE(Receive(InspectorToken(), draft, &received, UniqueNumber("receive")).ok());
  insp::Petition out;
  ASSERT_TRUE(Assign(received.name(), handler, "2026-11-21", &out).ok());
  ASSERT_TRUE(Answer(received.name(), "2026-11-28", &out).ok());

  const std::string audit_reads = absl::StrCat(
      "SELECT COUNT(*) FROM audit_log WHERE action = 'petition.filer_read' AND resource_name = '", received.name(), "'");
  insp::PetitionFiler filer;
  // Not the commission above it, not one below it, not an admin or a secretary.
  for (const std::string& token : {InspectorToken(), InspectorToken(branch.cell_a), AdminToken(branch.grassroots),
                                   AdminToken(), SecretaryToken(branch.grassroots)}) {
    EXPECT_EQ(ReadFiler(token, received.name(), &filer).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(InspectionDbInt(audit_reads), 0);
  // The handling commission itself, and each read is on record.
  ASSERT_TRUE(ReadFiler(InspectorToken(branch.grassroots), received.name(), &filer).ok());
  EXPECT_EQ(filer.full_name(), full_name);
  EXPECT_EQ(filer.citizen_id(), citizen_id);
  EXPECT_EQ(InspectionDbInt(audit_reads), 1);
  ASSERT_TRUE(ReadFiler(InspectorToken(branch.grassroots), received.name(), &filer).ok());
  EXPECT_EQ(InspectionDbInt(audit_reads), 2);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  common::log::Init("inspection-test", common::log::Level::kInfo);

  // The name is stored (the search can find it) ...
  const std::string hex_name = absl::StrCat("X'", absl::BytesToHexString(full_name), "'");
  EXPECT_EQ(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM petition_filers WHERE INSTR(full_name, ", hex_name,
                                         ") > 0")),
            1);
  // ... and nowhere else: not in a feed payload, an audit detail or a stored answer.
  EXPECT_GE(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE resource_name = '", received.name(),
                                         "'")),
            3);
  for (const std::string& needle : {hex_name, absl::StrCat("'", mark, "'"), absl::StrCat("'", citizen_id, "'")}) {
    EXPECT_EQ(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE INSTR(resource, ", needle, ") > 0")),
              0)
        << needle;
    EXPECT_EQ(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE INSTR(CAST(details AS BINARY), ",
                                           needle, ") > 0")),
              0)
        << needle;
    EXPECT_EQ(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM idempotency_keys WHERE INSTR(response, ", needle,
                                           ") > 0")),
              0)
        << needle;
  }
  EXPECT_EQ(logged.find(mark), std::string::npos) << logged;
  EXPECT_EQ(logged.find(citizen_id), std::string::npos) << logged;
}

}  // namespace
}  // namespace grassroots::inspection::testing
