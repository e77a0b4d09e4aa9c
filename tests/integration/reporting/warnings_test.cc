// WarningService end to end: a branch built through the org, membership and
// inspection APIs so that it raises every kind of warning once (or a few
// times), carried by the change feeds into reporting's read model, and read
// back through ListWarnings as of 2025-08-15. The expected list is written by
// hand below, with each due date and delay computed in the comments.
#include <string>
#include <vector>

#include "grassroots/reporting/v1/warnings.grpc.pb.h"
#include "tests/integration/reporting/reporting_fixture.h"

namespace grassroots::reporting::testing {
namespace {

namespace mv1 = ::grassroots::membership::v1;
namespace orgv1 = ::grassroots::org::v1;
namespace insp = ::grassroots::inspection::v1;
using membership::testing::Branch;
using membership::testing::PersonOptions;

constexpr char kAsOf[] = "2025-08-15";

// One expected warning, as the list gives it.
struct Expected {
  rv1::WarningKind kind;
  std::string subject;
  std::string organization;
  std::string rule;
  std::string due_date;
  int32_t days_overdue;
  std::string period;

  bool operator==(const Expected&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Expected& e) {
  return out << rv1::WarningKind_Name(e.kind) << " " << e.subject << " @" << e.organization << " " << e.rule << " due "
             << e.due_date << " +" << e.days_overdue << " [" << e.period << "]";
}

Expected Seen(const rv1::Warning& w) {
  return Expected{w.kind(), w.subject(), w.organization(), w.rule(), w.due_date(), w.days_overdue(), w.period()};
}

struct Built {
  Branch branch;
  int64_t founded_in_july = 0;
  std::string unit_lost;
  std::string probationary, worker;
};

class WarningsTest : public ReportingFixture {
 protected:
  static grpc::Status List(const rv1::ListWarningsRequest& request, rv1::ListWarningsResponse* out,
                           const std::string& token = "") {
    std::unique_ptr<rv1::WarningService::Stub> warnings = rv1::WarningService::NewStub(ReportingChannel());
    return Call(*warnings, &rv1::WarningService::Stub::ListWarnings, token.empty() ? AdminToken() : token, request,
                out);
  }

  static rv1::ListWarningsRequest Request(int64_t org, std::vector<rv1::WarningKind> kinds = {}) {
    rv1::ListWarningsRequest request;
    request.set_organization(OrgName(org));
    request.set_as_of_date(kAsOf);
    for (rv1::WarningKind kind : kinds) request.add_kinds(kind);
    return request;
  }

  // Every page of the list (fails the test on error).
  static std::vector<rv1::Warning> All(rv1::ListWarningsRequest request, const std::string& token = "") {
    std::vector<rv1::Warning> all;
    for (int page = 0; page < 20; ++page) {
      rv1::ListWarningsResponse response;
      const grpc::Status status = List(request, &response, token);
      EXPECT_TRUE(status.ok()) << status.error_message() << " [" << BadField(status) << "]";
      if (!status.ok()) break;
      all.insert(all.end(), response.warnings().begin(), response.warnings().end());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return all;
  }

  static void RecordFeedback(const std::string& member, int32_t year, int64_t residence_cell,
                             const std::string& given_on) {
    mv1::RegisterResidenceRequest registration;
    registration.mutable_registration()->set_member(member);
    registration.mutable_registration()->set_residence_cell(OrgName(residence_cell));
    registration.mutable_registration()->set_residence_address("Thôn Trung");
    registration.mutable_registration()->set_registered_on("2023-01-10");
    mv1::ResidenceRegistration registered;
    ExpectOk(Call(yearly(), &mv1::YearlyRecordService::Stub::RegisterResidence, AdminToken(), registration,
                  &registered));
    mv1::RecordResidenceFeedbackRequest feedback;
    feedback.mutable_feedback()->set_member(member);
    feedback.mutable_feedback()->set_year(year);
    feedback.mutable_feedback()->set_residence_cell(OrgName(residence_cell));
    feedback.mutable_feedback()->set_assessment(mv1::FEEDBACK_ASSESSMENT_GOOD);
    feedback.mutable_feedback()->set_opinion("Gương mẫu nơi cư trú");
    feedback.mutable_feedback()->set_signed_by("Bí thư chi bộ");
    feedback.mutable_feedback()->set_given_on(given_on);
    mv1::ResidenceFeedback given;
    ExpectOk(Call(yearly(), &mv1::YearlyRecordService::Stub::RecordResidenceFeedback, AdminToken(), feedback, &given));
  }

  static void EndCovering(const std::string& unit, const std::string& effective_date) {
    orgv1::EndCoveringCellRequest request;
    request.set_unit(unit);
    request.set_effective_date(effective_date);
    *request.mutable_decision() = SomeDecision(effective_date);
    orgv1::CoveringPeriod out;
    ExpectOk(Call(org_units(), &orgv1::ResidentialUnitService::Stub::EndCoveringCell, AdminToken(), request, &out));
  }

  // G (đảng bộ cơ sở) with cells A and B (since 2010) and C (founded 2025-07-01).
  static Built Build() {
    Built b;
    b.branch = NewBranch();
    const int64_t g = b.branch.grassroots, a = b.branch.cell_a, cell_b = b.branch.cell_b;
    b.founded_in_july = CreateOrg("CHI_BO_TRUC_THUOC", g, "Chi bộ khu dân cư mới", "2025-07-01");
    // Programs for 2025 (adopted 2024-12-20) of G and A; none of B and C.
    insp::Program program;
    ExpectOk(CreateProgram(InspectorToken(), ProgramDraft(g, 2025), &program));
    ExpectOk(CreateProgram(InspectorToken(), ProgramDraft(a, 2025, insp::CONDUCTOR_COMMITTEE), &program));
    // Thematic meetings: A in Q1 and Q2, B in Q1 only.
    for (const char* day : {"2025-02-10", "2025-05-12"}) HoldThematicMeeting(a, day);
    HoldThematicMeeting(cell_b, "2025-02-11");
    // A covers two villages of G; it stops covering the second on 2025-03-01.
    NewResidentialUnit(g, a);
    b.unit_lost = NewResidentialUnit(g, a).name();
    EndCovering(b.unit_lost, "2025-03-01");
    // A: nine official members (ceremony five years before today) and no committee term.
    for (int i = 0; i < 9; ++i) CreateExisting(a, NewPerson());
    // A probationary member of A whose ceremony was 2024-05-02: probation ends 2025-05-02.
    b.probationary = CreateExisting(a, NewPerson(), mv1::MEMBER_STATUS_PROBATIONARY, "2024-05-02").name();
    // B (no village: not a residential cell): two civil servants; only the second has
    // feedback for 2024, given 2025-01-20 (after the year, before the day asked).
    const PersonOptions civil_servant = PersonOptions().WithCategory(mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE);
    b.worker = CreateExisting(cell_b, NewPerson(civil_servant)).name();
    const std::string with_feedback = CreateExisting(cell_b, NewPerson(civil_servant)).name();
    RecordFeedback(with_feedback, 2024, a, "2025-01-20");
    SyncReadModel();
    return b;
  }
};

TEST_F(WarningsTest, AHandBuiltBranchRaisesEachKind) {
  const Built b = Build();
  const std::string g = OrgName(b.branch.grassroots), a = OrgName(b.branch.cell_a), cell_b = OrgName(b.branch.cell_b);
  const std::string c = OrgName(b.founded_in_july);
  const std::string plan = "plans/nq21-plan-seed";
  const std::vector<Expected> expected = {
      // Probation ended Fri 2025-05-02; 30 working days after it (weekdays, no holiday
      // until 1 September): 5-9, 12-16, 19-23, 26-30 May, 2-6, 9-13 June: due 2025-06-13;
      // late 17 (June) + 31 (July) + 15 = 63 days.
      {rv1::WARNING_KIND_PROBATION_NOT_RECOGNIZED, b.probationary, a, "membership.recognition.within_working_days",
       "2025-06-13", 63, ""},
      // B held none in Q2 (due 2025-06-30, 31 + 15 = 46 days). Q3 has not ended; C was
      // founded after Q2; A held one in each quarter.
      {rv1::WARNING_KIND_NO_THEMATIC_MEETING, cell_b, cell_b, "meeting.thematic.per_quarter_min", "2025-06-30", 46,
       "2025-Q2"},
      // B since 2025-01-01: 31+28+31+30+31+30+31 + 14 = 226 days; C since its founding
      // 2025-07-01: 30 + 15 = 45 days. G and A adopted theirs on 2024-12-20.
      {rv1::WARNING_KIND_NO_INSPECTION_PROGRAM, cell_b, cell_b, plan + "/paragraphs/II.3.1/8", "2025-01-01", 226,
       "2025"},
      {rv1::WARNING_KIND_NO_INSPECTION_PROGRAM, c, c, plan + "/paragraphs/II.3.1/8", "2025-07-01", 45, "2025"},
      // The village A stopped covering on 2025-03-01: 30 + 30 + 31 + 30 + 31 + 15 = 167 days.
      {rv1::WARNING_KIND_UNIT_WITHOUT_CELL, b.unit_lost, g, plan + "/paragraphs/II.3.1/7", "2025-03-01", 167, ""},
      // A has nine official members (the probationary one does not count) and no elected committee.
      {rv1::WARNING_KIND_CELL_WITHOUT_COMMITTEE, a, a, "org.cell.committee_required_min_official", "", 0, ""},
      // The civil servant of B without feedback for 2024: due 2024-12-31, 227 days.
      {rv1::WARNING_KIND_NO_RESIDENCE_FEEDBACK, b.worker, cell_b, "membership.residence.working_categories",
       "2024-12-31", 227, "2024"},
      // The seed plan's by_date tasks before 2025-08-15, in the plan's order (II.3.1/9b is due
      // 2025-12-31, II.3.1/7c 2030-12-31). 2022-11-30: 989 days; 2022-12-31: 958; 2023-12-31: 593.
      {rv1::WARNING_KIND_PLAN_TASK_OVERDUE, plan + "/tasks/II.1/2", g, plan + "/paragraphs/II.1/2", "2022-11-30", 989,
       ""},
      {rv1::WARNING_KIND_PLAN_TASK_OVERDUE, plan + "/tasks/II.1/3", g, plan + "/paragraphs/II.1/3", "2022-12-31", 958,
       ""},
      {rv1::WARNING_KIND_PLAN_TASK_OVERDUE, plan + "/tasks/II.2.1", g, plan + "/paragraphs/II.2.1", "2022-12-31", 958,
       ""},
      {rv1::WARNING_KIND_PLAN_TASK_OVERDUE, plan + "/tasks/II.3.1/11", g, plan + "/paragraphs/II.3.1/11",
       "2023-12-31", 593, ""},
      {rv1::WARNING_KIND_PLAN_TASK_OVERDUE, plan + "/tasks/II.3.2/6.1", g, plan + "/paragraphs/II.3.2/6.1",
       "2023-12-31", 593, ""},
  };
  // Paged three at a time, the pages put together are the list.
  rv1::ListWarningsRequest request = Request(b.branch.grassroots);
  request.set_page_size(3);
  std::vector<Expected> seen;
  for (const rv1::Warning& w : All(request)) {
    seen.push_back(Seen(w));
    EXPECT_FALSE(w.citation().empty()) << Seen(w);
    EXPECT_FALSE(w.detail().empty()) << Seen(w);
  }
  EXPECT_EQ(seen, expected);

  // A filter by kind keeps only those.
  std::vector<Expected> programs;
  for (const rv1::Warning& w : All(Request(b.branch.grassroots, {rv1::WARNING_KIND_NO_INSPECTION_PROGRAM})))
    programs.push_back(Seen(w));
  EXPECT_EQ(programs, std::vector<Expected>(expected.begin() + 2, expected.begin() + 4));

  // The portal sees the same list without the two kinds about members.
  std::vector<Expected> portal_expected;
  for (const Expected& e : expected) {
    if (e.kind != rv1::WARNING_KIND_PROBATION_NOT_RECOGNIZED && e.kind != rv1::WARNING_KIND_NO_RESIDENCE_FEEDBACK)
      portal_expected.push_back(e);
  }
  std::vector<Expected> portal_seen;
  for (const rv1::Warning& w : All(Request(b.branch.grassroots), PortalToken())) portal_seen.push_back(Seen(w));
  EXPECT_EQ(portal_seen, portal_expected);
  rv1::ListWarningsResponse refused;
  EXPECT_EQ(List(Request(b.branch.grassroots, {rv1::WARNING_KIND_NO_RESIDENCE_FEEDBACK}), &refused, PortalToken())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A cell's secretary sees its own cell's warnings: A's three and the plan's (rooted at A).
  std::vector<rv1::WarningKind> kinds_of_a;
  for (const rv1::Warning& w : All(Request(b.branch.cell_a), SecretaryToken(b.branch.cell_a))) {
    if (w.kind() != rv1::WARNING_KIND_PLAN_TASK_OVERDUE) kinds_of_a.push_back(w.kind());
  }
  EXPECT_EQ(kinds_of_a, (std::vector<rv1::WarningKind>{rv1::WARNING_KIND_PROBATION_NOT_RECOGNIZED,
                                                       rv1::WARNING_KIND_CELL_WITHOUT_COMMITTEE}));
}

TEST_F(WarningsTest, RefusedOutsideTheCallersScopeAndToMembers) {
  const Branch branch = NewBranch();
  SyncReadModel();
  rv1::ListWarningsResponse out;
  // A secretary of cell A asking for the whole branch (above its scope).
  EXPECT_EQ(List(Request(branch.grassroots), &out, SecretaryToken(branch.cell_a)).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Members and services read no warnings.
  EXPECT_EQ(List(Request(branch.cell_a), &out, MemberToken(branch.cell_a, 1)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List(Request(branch.grassroots), &out, ServiceToken()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Bad input names the field.
  rv1::ListWarningsRequest future = Request(branch.grassroots);
  future.set_as_of_date("2999-01-01");
  const grpc::Status status = List(future, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "as_of_date");
  rv1::ListWarningsRequest unspecified = Request(branch.grassroots, {rv1::WARNING_KIND_UNSPECIFIED});
  EXPECT_EQ(BadField(List(unspecified, &out)), "kinds[0]");
}

}  // namespace
}  // namespace grassroots::reporting::testing
