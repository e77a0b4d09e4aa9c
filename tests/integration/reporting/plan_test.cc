// Plans as data end to end (PlanService, plans.proto) on the reporting
// fixture: a commune's plan loaded through the API judges the scorecard, a bad
// plan names its JSON path, task statuses with evidence and etags (and the
// overdue warning that reads them), units' yearly reports with the missing
// ones, the reviews, and who may do what.
#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grassroots/reporting/v1/plans.grpc.pb.h"
#include "grassroots/reporting/v1/warnings.grpc.pb.h"
#include "tests/integration/reporting/reporting_fixture.h"

namespace grassroots::reporting::testing {
namespace {

using membership::testing::Branch;

// A commune's plan after 2025: two targets (S1, S12) and three tasks, one due
// by the end of 2025. ID and TASK2DATE are replaced per test.
constexpr char kCommunePlan[] = R"json({
  "format": "grassroots.plan/1",
  "id": "ID",
  "title": "Kế hoạch thực hiện Nghị quyết số 21-NQ/TW của Đảng ủy xã",
  "issuing_body": {"as_written": "Ban Thường vụ Đảng ủy xã", "role": "ban_thuong_vu", "level": "COMMUNE",
                   "unit_name": null, "province": null},
  "document_number": "05-KH/ĐU",
  "date_signed": "2025-09-15",
  "applies_to": {"level": "COMMUNE", "as_written": "", "paragraph": null},
  "period": {"from": "2025-09-15", "to": null},
  "source": {"file": "ke-hoach-05.txt"},
  "paragraphs": [
    {"id": "I", "text": "Mục đích, yêu cầu"},
    {"id": "II", "text": "Nhiệm vụ, giải pháp"},
    {"id": "II.1", "text": "100% chi bộ ban hành quy chế làm việc, hoàn thành trong năm 2025"},
    {"id": "II.2", "text": "100% tổ chức đảng xây dựng chương trình kiểm tra, giám sát hằng năm"},
    {"id": "II.3", "text": "Rà soát, bổ sung quy chế phối hợp với Mặt trận"}
  ],
  "targets": [
    {"indicator": "S1", "comparator": ">=", "value": 1.0, "unit": "ratio", "window": "year", "from_year": null,
     "by_year": null, "paragraph": "II.1", "text": "100% chi bộ ban hành quy chế làm việc"},
    {"indicator": "S12", "comparator": ">=", "value": 1.0, "unit": "ratio", "window": "year", "from_year": null,
     "by_year": null, "paragraph": "II.2", "text": "100% tổ chức đảng xây dựng chương trình kiểm tra, giám sát"}
  ],
  "tasks": [
    {"id": "II.1", "paragraph": "II.1", "text": "100% chi bộ ban hành quy chế làm việc",
     "responsible": [{"as_written": "chi bộ", "role": "cap_uy_to_chuc_dang"}], "responsible_paragraph": "II.1",
     "coordinating": [],
     "deadline": {"kind": "by_date", "as_written": "hoàn thành trong năm 2025", "in_parentheses": false,
                  "date": "2025-12-31", "precision": "year"},
     "target_ids": ["S1"]},
    {"id": "II.2", "paragraph": "II.2", "text": "xây dựng chương trình kiểm tra, giám sát",
     "responsible": [{"as_written": "tổ chức đảng", "role": "cap_uy_to_chuc_dang"}], "responsible_paragraph": "II.2",
     "coordinating": [],
     "deadline": {"kind": "yearly", "as_written": "hằng năm", "in_parentheses": false, "date": TASK2DATE,
                  "precision": null},
     "target_ids": ["S12"]},
    {"id": "II.3", "paragraph": "II.3", "text": "Rà soát, bổ sung quy chế phối hợp với Mặt trận",
     "responsible": [], "responsible_paragraph": "II.3", "coordinating": [],
     "deadline": {"kind": "unspecified", "as_written": "", "in_parentheses": false, "date": null, "precision": null},
     "target_ids": []}
  ]
})json";

std::string PlanJson(const std::string& id, const std::string& task2_date = "null") {
  return absl::StrReplaceAll(kCommunePlan, {{"\"ID\"", absl::StrCat("\"", id, "\"")}, {"TASK2DATE", task2_date}});
}

// Plan ids are never reused: each test takes new ones.
std::string NewPlanId() {
  static std::atomic<int> next{0};
  return absl::StrCat("xa-nq21-", getpid(), "-", next++);
}

class PlanTest : public ReportingFixture {
 protected:
  static rv1::PlanService::Stub& plans() {
    static std::unique_ptr<rv1::PlanService::Stub> stub = rv1::PlanService::NewStub(ReportingChannel());
    return *stub;
  }

  static grpc::Status Load(int64_t org, const std::string& json, rv1::Plan* out, const std::string& token = "",
                           const std::string& request_id = "") {
    rv1::LoadPlanRequest request;
    request.set_organization(OrgName(org));
    request.set_plan_json(json);
    request.set_request_id(request_id);
    return Call(plans(), &rv1::PlanService::Stub::LoadPlan, token.empty() ? AdminToken() : token, request, out);
  }
  static std::string LoadOk(int64_t org) {
    const std::string id = NewPlanId();
    rv1::Plan plan;
    ExpectOk(Load(org, PlanJson(id), &plan));
    return "plans/" + id;
  }

  static rv1::UpdateTaskStatusRequest Update(const std::string& plan, const std::string& task, int64_t org,
                                             rv1::TaskState state, const std::string& as_of) {
    rv1::UpdateTaskStatusRequest request;
    request.set_plan(plan);
    request.set_task(task);
    request.set_organization(OrgName(org));
    request.set_state(state);
    request.set_as_of_date(as_of);
    return request;
  }
  static grpc::Status UpdateStatus(const rv1::UpdateTaskStatusRequest& request, rv1::TaskStatus* out,
                                   const std::string& token = "") {
    return Call(plans(), &rv1::PlanService::Stub::UpdateTaskStatus, token.empty() ? AdminToken() : token, request,
                out);
  }
  static void AddEvidence(rv1::UpdateTaskStatusRequest& request) {
    rv1::Evidence* evidence = request.add_evidence();
    evidence->set_description("Quy chế làm việc của chi bộ nhiệm kỳ 2025-2030");
    evidence->mutable_document()->set_issuing_body("Chi bộ thôn 1");
    evidence->mutable_document()->set_number("01-QC/CB");
    evidence->mutable_document()->set_signed_on("2025-10-20");
  }

  static rv1::ListPlanTasksResponse Tasks(const std::string& plan, int64_t org, const std::string& token = "") {
    rv1::ListPlanTasksRequest request;
    request.set_plan(plan);
    request.set_organization(OrgName(org));
    rv1::ListPlanTasksResponse response;
    ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListPlanTasks, token.empty() ? AdminToken() : token, request,
                  &response));
    return response;
  }

  static grpc::Status Submit(const std::string& plan, int64_t org, int32_t year, rv1::UnitReport* out,
                             const std::string& token = "") {
    rv1::SubmitUnitReportRequest request;
    request.set_plan(plan);
    request.set_organization(OrgName(org));
    request.set_year(year);
    request.set_summary("Chi bộ đã ban hành quy chế làm việc, đang xây dựng chương trình kiểm tra.");
    return Call(plans(), &rv1::PlanService::Stub::SubmitUnitReport, token.empty() ? AdminToken() : token, request,
                out);
  }

  static grpc::Status Close(int64_t org, int32_t year, rv1::ReportKind kind, const std::string& plan) {
    rv1::ClosePeriodRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(year);
    request.mutable_scope()->set_plan(plan);
    request.set_kind(kind);
    rv1::ClosedReport report;
    return Call(scorecards(), &rv1::ScorecardService::Stub::ClosePeriod, AdminToken(), request, &report);
  }
};

TEST_F(PlanTest, ACommunesLoadedPlanJudgesTheScorecard) {
  const Branch branch = NewBranch();
  AdoptRegulation(branch.cell_a, "2024-03-01");
  SyncReadModel();
  const std::string id = NewPlanId();
  const std::string request_id = UniqueCode("load");
  rv1::Plan loaded;
  ExpectOk(Load(branch.grassroots, PlanJson(id), &loaded, "", request_id));
  EXPECT_EQ(loaded.name(), "plans/" + id);
  EXPECT_EQ(loaded.organization(), OrgName(branch.grassroots));
  EXPECT_FALSE(loaded.built_in());
  EXPECT_EQ(loaded.task_count(), 3);
  ASSERT_EQ(loaded.target_indicators_size(), 2);
  EXPECT_EQ(loaded.document_number(), "05-KH/ĐU");
  EXPECT_EQ(ReportingDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE action = 'plan.load' AND resource_name = 'plans/", id, "'")), 1);

  // A retry returns the same plan; the same id again is refused (a new version is a new id).
  rv1::Plan again;
  ExpectOk(Load(branch.grassroots, PlanJson(id), &again, "", request_id));
  EXPECT_EQ(again.name(), loaded.name());
  EXPECT_EQ(Load(branch.grassroots, PlanJson(id), &again).error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(Load(branch.grassroots, PlanJson("nq21-plan-seed"), &again).error_code(), grpc::ALREADY_EXISTS);

  // A cell below lists the seed plan (built in) and the commune's.
  rv1::ListPlansRequest list;
  list.set_organization(OrgName(branch.cell_a));
  rv1::ListPlansResponse listed;
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListPlans, SecretaryToken(branch.cell_a), list, &listed));
  ASSERT_EQ(listed.plans_size(), 2);
  EXPECT_TRUE(listed.plans(0).built_in());
  EXPECT_EQ(listed.plans(0).name(), "plans/nq21-plan-seed");
  EXPECT_EQ(listed.plans(1).name(), loaded.name());

  // The scorecard judged by the stored plan: S1 (1 of G, A, B) against 100 %, cited from the commune's plan.
  rv1::GetScorecardRequest request;
  request.mutable_scope()->set_organization(OrgName(branch.grassroots));
  request.mutable_scope()->set_year(2025);
  request.mutable_scope()->set_plan(loaded.name());
  rv1::Scorecard scorecard;
  ExpectOk(GetScorecard(request, &scorecard));
  EXPECT_EQ(scorecard.plan(), loaded.name());
  const rv1::IndicatorResult s1 = Indicator(scorecard, "S1");
  EXPECT_EQ(s1.numerator(), 1);
  EXPECT_EQ(s1.denominator(), 3);
  EXPECT_EQ(s1.target().rule(), loaded.name() + "/paragraphs/II.1");
  EXPECT_DOUBLE_EQ(s1.target().value(), 1.0);
  EXPECT_EQ(s1.attainment(), rv1::ATTAINMENT_NOT_MET);
  EXPECT_EQ(Indicator(scorecard, "S9").attainment(), rv1::ATTAINMENT_NO_TARGET) << "the commune's plan sets no S9";
  // The seed plan still judges by default.
  EXPECT_EQ(Scorecard(branch.grassroots, 2025).plan(), "plans/nq21-plan-seed");
  request.mutable_scope()->set_plan("plans/no-such-plan");
  EXPECT_EQ(GetScorecard(request, &scorecard).error_code(), grpc::NOT_FOUND);
}

TEST_F(PlanTest, ABadPlanNamesItsJsonPath) {
  const Branch branch = NewBranch();
  SyncReadModel();
  rv1::Plan plan;
  // yearly deadlines carry no date.
  grpc::Status status = Load(branch.grassroots, PlanJson(NewPlanId(), "\"2025-12-31\""), &plan);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "plan_json.tasks[1].deadline.date") << status.error_message();
  status = Load(branch.grassroots, "{\"format\": ", &plan);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "plan_json");
  EXPECT_EQ(ReportingDbInt("SELECT COUNT(*) FROM plans WHERE org_id = " + std::to_string(branch.grassroots)), 0);
}

TEST_F(PlanTest, TaskStatusesNeedEvidenceForDoneAndFollowTheEtag) {
  const Branch branch = NewBranch();
  SyncReadModel();
  const std::string plan = LoadOk(branch.grassroots);

  rv1::ListPlanTasksResponse tasks = Tasks(plan, branch.cell_a);
  ASSERT_EQ(tasks.tasks_size(), 3);
  EXPECT_EQ(tasks.tasks(0).name(), plan + "/tasks/II.1");
  EXPECT_EQ(tasks.tasks(0).deadline().kind(), "by_date");
  EXPECT_EQ(tasks.tasks(0).deadline().date(), "2025-12-31");
  EXPECT_EQ(tasks.tasks(0).responsible(0).role(), "cap_uy_to_chuc_dang");
  EXPECT_EQ(tasks.tasks(0).target_ids(0), "S1");
  EXPECT_EQ(tasks.tasks(0).status().state(), rv1::TASK_STATE_NOT_STARTED);
  EXPECT_TRUE(tasks.tasks(0).status().etag().empty());

  // Task II.1 (by 2025-12-31) is past its date for A today.
  auto overdue = [&]() {
    rv1::ListWarningsRequest request;
    request.set_organization(OrgName(branch.cell_a));
    request.set_plan(plan);
    request.add_kinds(rv1::WARNING_KIND_PLAN_TASK_OVERDUE);
    rv1::ListWarningsResponse response;
    auto stub = rv1::WarningService::NewStub(ReportingChannel());
    ExpectOk(Call(*stub, &rv1::WarningService::Stub::ListWarnings, AdminToken(), request, &response));
    return response.warnings_size();
  };
  EXPECT_EQ(overdue(), 1);

  rv1::TaskStatus started;
  rv1::UpdateTaskStatusRequest start = Update(plan, "II.1", branch.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-10-01");
  start.set_request_id(UniqueCode("status"));
  ExpectOk(UpdateStatus(start, &started));
  EXPECT_EQ(started.version(), 1);
  EXPECT_FALSE(started.etag().empty());
  rv1::TaskStatus replay;
  ExpectOk(UpdateStatus(start, &replay));
  EXPECT_EQ(replay.version(), 1) << "a retry with the same request_id records nothing new";

  // DONE without evidence is refused, naming the rule.
  rv1::UpdateTaskStatusRequest done = Update(plan, "II.1", branch.cell_a, rv1::TASK_STATE_DONE, "2025-10-20");
  done.set_etag(started.etag());
  rv1::TaskStatus finished;
  grpc::Status status = UpdateStatus(done, &finished);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DONE_REQUIRES_EVIDENCE");
  EXPECT_NE(status.error_message().find("reporting.plan.done_requires_evidence"), std::string::npos);

  AddEvidence(done);
  ExpectOk(UpdateStatus(done, &finished));
  EXPECT_EQ(finished.version(), 2);
  EXPECT_EQ(finished.state(), rv1::TASK_STATE_DONE);
  ASSERT_EQ(finished.evidence_size(), 1);
  EXPECT_EQ(finished.evidence(0).document().number(), "01-QC/CB");
  // The first etag is stale now.
  rv1::UpdateTaskStatusRequest reopen = Update(plan, "II.1", branch.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-11-01");
  reopen.set_etag(started.etag());
  EXPECT_EQ(UpdateStatus(reopen, &replay).error_code(), grpc::ABORTED);
  // Back to NOT_STARTED is not a transition the rule allows; a bad state names its field.
  rv1::UpdateTaskStatusRequest back = Update(plan, "II.1", branch.cell_a, rv1::TASK_STATE_NOT_STARTED, "2025-11-01");
  EXPECT_EQ(Reason(UpdateStatus(back, &replay)), "TASK_STATUS_TRANSITION_NOT_ALLOWED");
  rv1::UpdateTaskStatusRequest unknown_task = Update(plan, "II.9", branch.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-11-01");
  EXPECT_EQ(UpdateStatus(unknown_task, &replay).error_code(), grpc::NOT_FOUND);
  status = UpdateStatus(Update(plan, "II.1", branch.cell_a, rv1::TASK_STATE_UNSPECIFIED, "2025-11-01"), &replay);
  EXPECT_EQ(BadField(status), "state");

  // Done for A: no longer overdue; B has its own status (not started).
  EXPECT_EQ(overdue(), 0);
  EXPECT_EQ(Tasks(plan, branch.cell_a).tasks(0).status().state(), rv1::TASK_STATE_DONE);
  EXPECT_EQ(Tasks(plan, branch.cell_a).tasks(0).status().etag(), finished.etag());
  EXPECT_EQ(Tasks(plan, branch.cell_b).tasks(0).status().state(), rv1::TASK_STATE_NOT_STARTED);
  rv1::ListPlanTasksRequest on_day;
  on_day.set_plan(plan);
  on_day.set_organization(OrgName(branch.cell_a));
  on_day.set_as_of_date("2025-10-10");
  rv1::ListPlanTasksResponse then;
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListPlanTasks, AdminToken(), on_day, &then));
  EXPECT_EQ(then.tasks(0).status().state(), rv1::TASK_STATE_IN_PROGRESS) << "the state on 2025-10-10";

  rv1::ListTaskStatusHistoryRequest history;
  history.set_plan(plan);
  history.set_task("II.1");
  history.set_organization(OrgName(branch.cell_a));
  rv1::ListTaskStatusHistoryResponse entries;
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListTaskStatusHistory, InspectorToken(branch.grassroots), history,
                &entries));
  ASSERT_EQ(entries.entries_size(), 2);
  EXPECT_EQ(entries.entries(0).state(), rv1::TASK_STATE_IN_PROGRESS);
  EXPECT_EQ(entries.entries(1).state(), rv1::TASK_STATE_DONE);
  EXPECT_EQ(ReportingDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE action = 'plan_task_status.update'"
                                        " AND resource_name = '", plan, "/tasks/II.1'")),
            2);
}

TEST_F(PlanTest, UnitReportsShowWhoHasNotReported) {
  const Branch branch = NewBranch();
  SyncReadModel();
  const std::string plan = LoadOk(branch.grassroots);
  rv1::TaskStatus status;
  ExpectOk(UpdateStatus(Update(plan, "II.3", branch.cell_a, rv1::TASK_STATE_NOT_APPLICABLE, "2025-10-01"), &status));

  rv1::UnitReport report_a;
  ExpectOk(Submit(plan, branch.cell_a, 2025, &report_a));
  EXPECT_EQ(report_a.name().rfind(plan + "/unitReports/", 0), 0u) << report_a.name();
  ASSERT_EQ(report_a.task_statuses_size(), 3);
  EXPECT_EQ(report_a.task_statuses(0).state(), rv1::TASK_STATE_NOT_STARTED);
  EXPECT_EQ(report_a.task_statuses(2).state(), rv1::TASK_STATE_NOT_APPLICABLE);
  EXPECT_TRUE(report_a.closed_report().empty()) << "A's 2025 is not closed";
  EXPECT_EQ(Submit(plan, branch.cell_a, 2025, &report_a).error_code(), grpc::ALREADY_EXISTS);

  rv1::ListUnitReportsRequest list;
  list.set_plan(plan);
  list.set_organization(OrgName(branch.grassroots));
  list.set_year(2025);
  rv1::ListUnitReportsResponse listed;
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListUnitReports, SecretaryToken(branch.grassroots), list, &listed));
  ASSERT_EQ(listed.rows_size(), 2);
  EXPECT_EQ(listed.rows(0).organization(), OrgName(branch.cell_a));
  EXPECT_TRUE(listed.rows(0).reported());
  EXPECT_EQ(listed.rows(0).report().name(), report_a.name());
  EXPECT_EQ(listed.rows(1).organization(), OrgName(branch.cell_b));
  EXPECT_FALSE(listed.rows(1).reported());
  EXPECT_FALSE(listed.rows(1).organization_display_name().empty());
  EXPECT_EQ(listed.reported_count(), 1);
  EXPECT_EQ(listed.missing_count(), 1);

  // B's 2025 is closed before it reports: the report links the closed period.
  ExpectOk(Close(branch.cell_b, 2025, rv1::REPORT_KIND_YEARLY, plan));
  rv1::UnitReport report_b;
  ExpectOk(Submit(plan, branch.cell_b, 2025, &report_b));
  EXPECT_EQ(report_b.closed_report().rfind(OrgName(branch.cell_b) + "/closedReports/", 0), 0u)
      << report_b.closed_report();
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListUnitReports, AdminToken(), list, &listed));
  EXPECT_EQ(listed.missing_count(), 0);
}

TEST_F(PlanTest, ReviewsAreTheClosedReviewReportsOfThePlan) {
  const Branch branch = NewBranch();
  SyncReadModel();
  const std::string plan = LoadOk(branch.grassroots);
  ExpectOk(Close(branch.grassroots, 2025, rv1::REPORT_KIND_MID_TERM_REVIEW, plan));
  ExpectOk(Close(branch.grassroots, 2025, rv1::REPORT_KIND_YEARLY, plan));  // not a review
  ExpectOk(Close(branch.cell_a, 2025, rv1::REPORT_KIND_FINAL_REVIEW, ""));  // another plan's

  rv1::ListReviewsRequest request;
  request.set_plan(plan);
  rv1::ListReviewsResponse reviews;
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListReviews, AdminToken(branch.grassroots), request, &reviews));
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_EQ(reviews.reviews(0).kind(), rv1::REPORT_KIND_MID_TERM_REVIEW);
  EXPECT_EQ(reviews.reviews(0).scorecard().plan(), plan);
  EXPECT_GT(reviews.reviews(0).scorecard().indicators_size(), 0) << "a review's figures are its closed scorecard";
  // The portal reads reviews (aggregates).
  request.set_organization(OrgName(branch.grassroots));
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::ListReviews, PortalToken(), request, &reviews));
  EXPECT_EQ(reviews.reviews_size(), 1);
}

TEST_F(PlanTest, ScopeAndRoles) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  SyncReadModel();
  rv1::Plan plan;
  // An admin loads plans in its own scope only.
  EXPECT_EQ(Load(theirs.grassroots, PlanJson(NewPlanId()), &plan, AdminToken(mine.grassroots)).error_code(),
            grpc::NOT_FOUND);
  ExpectOk(Load(mine.grassroots, PlanJson(NewPlanId()), &plan, AdminToken(mine.grassroots)));
  const std::string my_plan = plan.name();
  const std::string their_plan = LoadOk(theirs.grassroots);

  rv1::TaskStatus status;
  // Their admin records nothing for my cells; my plan does not apply to their cells.
  EXPECT_EQ(UpdateStatus(Update(my_plan, "II.1", mine.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-10-01"), &status,
                         AdminToken(theirs.grassroots))
                .error_code(),
            grpc::NOT_FOUND);
  grpc::Status refused =
      UpdateStatus(Update(my_plan, "II.1", theirs.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-10-01"), &status);
  EXPECT_EQ(refused.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "PLAN_NOT_ADOPTED_ABOVE");
  // The seed plan applies everywhere.
  ExpectOk(UpdateStatus(Update("plans/nq21-plan-seed", "II.1/2", mine.cell_a, rv1::TASK_STATE_IN_PROGRESS,
                               "2025-10-01"),
                        &status, AdminToken(mine.grassroots)));
  // Their plan is not mine to read; a secretary reads but does not write.
  rv1::GetPlanRequest get;
  get.set_name(their_plan);
  EXPECT_EQ(Call(plans(), &rv1::PlanService::Stub::GetPlan, AdminToken(mine.grassroots), get, &plan).error_code(),
            grpc::PERMISSION_DENIED);
  get.set_name(my_plan);
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::GetPlan, SecretaryToken(mine.cell_a), get, &plan));
  EXPECT_EQ(Tasks(my_plan, mine.cell_a, SecretaryToken(mine.cell_a)).tasks_size(), 3);
  EXPECT_EQ(UpdateStatus(Update(my_plan, "II.1", mine.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-10-01"), &status,
                         SecretaryToken(mine.cell_a))
                .error_code(),
            grpc::PERMISSION_DENIED);

  // The portal reads plans, tasks and statuses, and writes nothing nor lists unit reports.
  ExpectOk(Call(plans(), &rv1::PlanService::Stub::GetPlan, PortalToken(), get, &plan));
  const rv1::ListPlanTasksResponse seen = Tasks("plans/nq21-plan-seed", mine.cell_a, PortalToken());
  bool found = false;
  for (const rv1::PlanTask& task : seen.tasks()) {
    if (task.id() != "II.1/2") continue;
    found = true;
    EXPECT_EQ(task.status().state(), rv1::TASK_STATE_IN_PROGRESS);
    EXPECT_TRUE(task.status().recorded_by().empty()) << "no persons for the portal";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(Load(mine.grassroots, PlanJson(NewPlanId()), &plan, PortalToken()).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(UpdateStatus(Update(my_plan, "II.1", mine.cell_a, rv1::TASK_STATE_IN_PROGRESS, "2025-10-01"), &status,
                         PortalToken())
                .error_code(),
            grpc::PERMISSION_DENIED);
  rv1::UnitReport report;
  EXPECT_EQ(Submit(my_plan, mine.cell_a, 2025, &report, PortalToken()).error_code(), grpc::PERMISSION_DENIED);
  rv1::ListUnitReportsRequest list;
  list.set_plan(my_plan);
  list.set_organization(OrgName(mine.grassroots));
  list.set_year(2025);
  rv1::ListUnitReportsResponse listed;
  EXPECT_EQ(Call(plans(), &rv1::PlanService::Stub::ListUnitReports, PortalToken(), list, &listed).error_code(),
            grpc::PERMISSION_DENIED);
}

}  // namespace
}  // namespace grassroots::reporting::testing
