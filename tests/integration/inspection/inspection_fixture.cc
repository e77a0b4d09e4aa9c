#include "tests/integration/inspection/inspection_fixture.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/calendar/working_calendar.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/inspection/inspection_services.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/orgtree_migrations.h"
#include "tests/support/loopback.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_db.h"
#include "tests/support/test_tokens.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& InspectionMigrations();
}  // namespace grassroots::migrations

namespace grassroots::inspection::testing {
namespace {

using common::auth::Role;

struct InspectionSide {
  std::unique_ptr<common::RulesRegistry> rules;
  std::unique_ptr<common::WorkingCalendar> calendar;
  std::unique_ptr<grassroots::testing::TestDatabase> db;
  std::unique_ptr<grassroots::testing::TcpProxy> org_proxy;
  std::unique_ptr<grassroots::testing::TcpProxy> membership_proxy;
  std::string token_file;
  std::unique_ptr<InspectionServices> services;
  std::unique_ptr<common::ServiceHost> host;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<insp::ProgramService::Stub> programs;
  std::unique_ptr<insp::CaseService::Stub> cases;
  std::unique_ptr<insp::DisciplineService::Stub> discipline;
  std::unique_ptr<insp::PetitionService::Stub> petitions;
  std::unique_ptr<insp::InspectionReportService::Stub> reports;
  std::unique_ptr<grassroots::feed::v1::ChangeFeedService::Stub> feed;
  std::unique_ptr<grassroots::org::v1::CommitteeService::Stub> committees;
};

InspectionSide* side = nullptr;

InspectionSide& I() {
  if (side == nullptr) {
    ADD_FAILURE() << "InspectionFixture used outside a running suite";
    std::abort();
  }
  return *side;
}

// Wired as main.cc wires it; followers retry fast so outage tests stay short.
void StartInspection(InspectionSide& s) {
  orgtree::OrgFeedFollowerOptions org_follower;
  org_follower.max_backoff = std::chrono::milliseconds(500);
  org_follower.head_poll_interval = std::chrono::milliseconds(200);
  InspectionDependencies dependencies{.pool = s.db->pool(),
                                      .rules = *s.rules,
                                      .calendar = *s.calendar,
                                      .verifier = grassroots::testing::TestVerifier(),
                                      .page_token_secret = "inspection-fixture-page-tokens",
                                      .org_channel = grassroots::testing::LoopbackChannel(s.org_proxy->port()),
                                      .membership_channel = grassroots::testing::LoopbackChannel(s.membership_proxy->port()),
                                      .service_token = std::make_shared<orgtree::ServiceToken>(s.token_file),
                                      .call_deadline = std::chrono::milliseconds(2000),
                                      .org_follower_options = org_follower};
  dependencies.member_follower_options.max_backoff = std::chrono::milliseconds(500);
  dependencies.member_follower_options.head_poll_interval = std::chrono::milliseconds(200);
  // Tests run the worker's passes themselves (RunEffectWorker) or wait for its short poll.
  dependencies.effect_worker_options.poll_interval = std::chrono::milliseconds(200);
  dependencies.effect_worker_options.lease = std::chrono::milliseconds(2000);
  dependencies.effect_worker_options.initial_retry = std::chrono::milliseconds(100);
  dependencies.effect_worker_options.max_retry = std::chrono::milliseconds(500);
  s.services = std::make_unique<InspectionServices>(std::move(dependencies));
  s.host = std::make_unique<common::ServiceHost>("inspection-test", grassroots::testing::LoopbackServerConfig(),
                                                 std::make_shared<prometheus::Registry>());
  s.services->RegisterServices(*s.host);
  absl::Status started = s.host->Start();
  ASSERT_TRUE(started.ok()) << started;
  s.channel = grassroots::testing::LoopbackChannel(s.host->port());
  s.programs = insp::ProgramService::NewStub(s.channel);
  s.cases = insp::CaseService::NewStub(s.channel);
  s.discipline = insp::DisciplineService::NewStub(s.channel);
  s.petitions = insp::PetitionService::NewStub(s.channel);
  s.reports = insp::InspectionReportService::NewStub(s.channel);
  s.feed = grassroots::feed::v1::ChangeFeedService::NewStub(s.channel);
}

void StopInspection(InspectionSide& s) {
  if (s.services) {
    s.services->effect_worker().Stop();
    s.services->org_follower().Stop();
    s.services->member_follower().Stop();
  }
  if (s.host) s.host->Stop();
  s.host.reset();
  s.services.reset();
}

int64_t FeedHead(grassroots::feed::v1::ChangeFeedService::Stub& feed, const std::string& token) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grassroots::feed::v1::FeedHead head;
  grpc::Status status = feed.GetFeedHead(&context, {}, &head);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return head.last_sequence();
}

}  // namespace

void InspectionFixture::SetUpTestSuite() {
  MembershipFixture::SetUpTestSuite();
  if (::testing::Test::HasFatalFailure()) return;
  StartInspectionSide();
}

void InspectionFixture::SetUpTestSuiteWithEmptyTree() {
  MembershipFixture::SetUpTestSuiteWithEmptyTree();
  if (::testing::Test::HasFatalFailure()) return;
  StartInspectionSide();
}

void InspectionFixture::StartInspectionSide() {
  side = new InspectionSide();
  InspectionSide& s = *side;
  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  ASSERT_TRUE(rules.ok()) << rules.status();
  s.rules = std::make_unique<common::RulesRegistry>(std::move(*rules));
  auto calendar = common::WorkingCalendar::LoadFile(common::WorkingCalendar::DefaultPath());
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  s.calendar = std::make_unique<common::WorkingCalendar>(std::move(*calendar));
  auto db = grassroots::testing::TestDatabase::Create(
      "insp",
      {&common::db::CommonMigrations(), &migrations::InspectionMigrations(), &migrations::OrgTreeMigrations(),
       &migrations::MemberFactsMigrations()},
      8);
  ASSERT_TRUE(db.ok()) << db.status();
  s.db = std::move(*db);
  s.org_proxy = std::make_unique<grassroots::testing::TcpProxy>("127.0.0.1", org_port());
  s.membership_proxy = std::make_unique<grassroots::testing::TcpProxy>("127.0.0.1", membership_port());
  ASSERT_TRUE(s.org_proxy->Start().ok());
  ASSERT_TRUE(s.membership_proxy->Start().ok());
  static std::atomic<int> files{0};
  s.token_file = absl::StrCat(::testing::TempDir(), "inspection-service-token-", getpid(), "-", files++);
  {
    const std::string bearer = ServiceToken();
    std::ofstream out(s.token_file, std::ios::trunc);
    out << bearer.substr(std::string("Bearer ").size()) << "\n";
    ASSERT_TRUE(out.good()) << "cannot write " << s.token_file;
  }
  s.committees = grassroots::org::v1::CommitteeService::NewStub(grassroots::testing::LoopbackChannel(org_port()));
  StartInspection(s);
  if (::testing::Test::HasFatalFailure()) return;
  SyncProjections();
}

void InspectionFixture::TearDownTestSuite() {
  if (side != nullptr) {
    StopInspection(*side);
    if (side->membership_proxy) side->membership_proxy->Stop();
    if (side->org_proxy) side->org_proxy->Stop();
    if (!side->token_file.empty()) std::remove(side->token_file.c_str());
    delete side;
    side = nullptr;
  }
  MembershipFixture::TearDownTestSuite();
}

insp::ProgramService::Stub& InspectionFixture::programs() { return *I().programs; }
insp::CaseService::Stub& InspectionFixture::cases() { return *I().cases; }
insp::DisciplineService::Stub& InspectionFixture::discipline() { return *I().discipline; }
insp::PetitionService::Stub& InspectionFixture::petitions() { return *I().petitions; }
insp::InspectionReportService::Stub& InspectionFixture::reports() { return *I().reports; }
grassroots::feed::v1::ChangeFeedService::Stub& InspectionFixture::inspection_feed() { return *I().feed; }
grassroots::org::v1::CommitteeService::Stub& InspectionFixture::committees() { return *I().committees; }
int InspectionFixture::inspection_port() { return I().host->port(); }

void InspectionFixture::SyncProjections() {
  InspectionSide& s = I();
  auto org_feed = grassroots::feed::v1::ChangeFeedService::NewStub(grassroots::testing::LoopbackChannel(org_port()));
  const int64_t org_head = FeedHead(*org_feed, ServiceToken());
  const int64_t member_head = FeedHead(member_feed(), ServiceToken());
  ASSERT_TRUE(s.services->org_follower().WaitUntilHandled(org_head, std::chrono::seconds(20)))
      << "inspection's org-tree projection did not reach org's feed head " << org_head;
  ASSERT_TRUE(s.services->member_follower().WaitUntilHandled(member_head, std::chrono::seconds(20)))
      << "inspection's member facts did not reach membership's feed head " << member_head;
}

void InspectionFixture::TakeMembershipDownForInspection() { I().membership_proxy->Stop(); }
void InspectionFixture::BringMembershipBackForInspection() { ASSERT_TRUE(I().membership_proxy->Start().ok()); }
void InspectionFixture::TakeOrgDownForInspection() { I().org_proxy->Stop(); }
void InspectionFixture::BringOrgBackForInspection() { ASSERT_TRUE(I().org_proxy->Start().ok()); }

void InspectionFixture::RestartInspection() {
  InspectionSide& s = I();
  StopInspection(s);
  StartInspection(s);
}

int InspectionFixture::RunEffectWorker() { return I().services->effect_worker().RunOnce(); }

int64_t InspectionFixture::InspectionDbInt(const std::string& sql) {
  absl::StatusOr<int64_t> value = I().db->QueryInt(sql);
  EXPECT_TRUE(value.ok()) << sql << ": " << value.status();
  return value.ok() ? *value : -1;
}

void InspectionFixture::InspectionDbExecute(const std::string& sql) {
  absl::Status status = I().db->Execute(sql);
  EXPECT_TRUE(status.ok()) << sql << ": " << status;
}

membership::testing::Branch InspectionFixture::NewBranch() {
  const membership::testing::Branch branch = MembershipFixture::NewBranch();
  SyncProjections();
  return branch;
}

std::string InspectionFixture::NewOfficialMember(int64_t cell, const std::string& ceremony_date) {
  const std::string name =
      CreateExisting(cell, NewPerson(), membership::v1::MEMBER_STATUS_OFFICIAL, ceremony_date).name();
  SyncProjections();
  return name;
}

std::string InspectionFixture::NewProbationaryMember(int64_t cell) {
  const std::string name = CreateExisting(cell, NewPerson(), membership::v1::MEMBER_STATUS_PROBATIONARY).name();
  SyncProjections();
  return name;
}

grassroots::type::v1::Decision InspectionFixture::Document(const std::string& signed_on, const std::string& number) {
  grassroots::type::v1::Decision d;
  d.set_issuing_body("Ủy ban Kiểm tra Đảng ủy xã");
  d.set_number(number.empty() ? UniqueNumber("QĐ/UBKT") : number);
  d.set_signed_on(signed_on);
  return d;
}

std::string InspectionFixture::UniqueNumber(const std::string& suffix) {
  static std::atomic<int> next{1};
  return absl::StrCat(next++, "-", getpid() % 10000, "-", suffix);
}

void InspectionFixture::ExpectOk(const grpc::Status& status) {
  EXPECT_TRUE(status.ok()) << status.error_message() << " [" << BadField(status) << "]";
}

insp::Program InspectionFixture::ProgramDraft(int64_t org, int32_t year, insp::Conductor lead) {
  insp::Program program;
  program.set_organization(OrgName(org));
  program.set_year(year);
  program.set_adopted_on(absl::StrCat(year - 1, "-12-20"));
  *program.mutable_decision() = Document(absl::StrCat(year - 1, "-12-20"));
  insp::ProgramItem* item = program.add_items();
  item->set_topic("Việc thực hiện Quy định 213 ở các chi bộ");
  item->set_kind(insp::CASE_KIND_SUPERVISION);
  item->set_basis(insp::CASE_BASIS_THEMATIC);
  item->set_quarter(2);
  item->set_lead(lead);
  return program;
}

grpc::Status InspectionFixture::CreateProgram(const std::string& token, const insp::Program& program,
                                              insp::Program* out, const std::string& request_id) {
  insp::CreateProgramRequest request;
  *request.mutable_program() = program;
  request.set_request_id(request_id);
  return Call(programs(), &insp::ProgramService::Stub::CreateProgram, token, request, out);
}

insp::Case InspectionFixture::CaseDraft(int64_t conducting, int64_t subject_org, insp::CaseKind kind) {
  insp::Case c;
  c.set_organization(OrgName(conducting));
  c.set_conductor(insp::CONDUCTOR_INSPECTION_COMMISSION);
  c.set_kind(kind);
  c.set_basis(insp::CASE_BASIS_THEMATIC);
  c.mutable_subject()->set_organization(OrgName(subject_org));
  c.set_topic("Kiểm tra việc thực hiện nghị quyết về sinh hoạt chi bộ");
  *c.mutable_opening_decision() = Document("2026-03-02");
  c.set_period_start("2026-03-10");
  c.set_period_end("2026-04-10");
  return c;
}

grpc::Status InspectionFixture::OpenCase(const std::string& token, const insp::Case& draft, insp::Case* out) {
  insp::OpenCaseRequest request;
  *request.mutable_case_() = draft;
  return Call(cases(), &insp::CaseService::Stub::OpenCase, token, request, out);
}

insp::Case InspectionFixture::StartedCase(const insp::Case& opened) {
  insp::StartCaseRequest start;
  start.set_name(opened.name());
  start.set_started_on("2026-03-10");
  insp::Case started;
  ExpectOk(Call(cases(), &insp::CaseService::Stub::StartCase, InspectorToken(), start, &started));
  return started;
}

insp::ConcludeCaseRequest InspectionFixture::ConclusionDraft(const insp::Case& c,
                                                             const std::vector<std::string>& deadlines) {
  insp::ConcludeCaseRequest request;
  request.set_name(c.name());
  request.set_concluded_on("2026-04-20");
  request.set_findings("Chi bộ sinh hoạt chuyên đề chưa đều");
  request.set_conclusion("Cơ bản thực hiện tốt; cần khắc phục việc sinh hoạt chuyên đề");
  for (const std::string& deadline : deadlines) {
    insp::Recommendation* r = request.add_recommendations();
    r->set_text("Xây dựng kế hoạch sinh hoạt chuyên đề hằng quý");
    r->mutable_responsible()->set_organization(c.subject().organization());
    r->set_deadline(deadline);
  }
  return request;
}

insp::DisciplineDecision InspectionFixture::DecisionDraft(int64_t deciding, const std::string& member,
                                                          insp::DisciplineForm form, const std::string& signed_on) {
  insp::DisciplineDecision d;
  d.set_organization(OrgName(deciding));
  d.set_deciding_body(insp::CONDUCTOR_INSPECTION_COMMISSION);
  d.mutable_subject()->set_member(member);
  d.set_form(form);
  *d.mutable_decision() = Document(signed_on);
  d.mutable_violation()->set_summary("Vi phạm quy định về những điều đảng viên không được làm");
  d.mutable_violation()->set_ended_on("2025-11-20");
  return d;
}

grpc::Status InspectionFixture::Decide(const std::string& token, const insp::DisciplineDecision& draft,
                                       insp::DisciplineDecision* out, const std::string& request_id) {
  insp::DecideDisciplineRequest request;
  *request.mutable_decision() = draft;
  request.set_request_id(request_id);
  return Call(discipline(), &insp::DisciplineService::Stub::DecideDiscipline, token, request, out);
}

insp::DisciplineDecision InspectionFixture::GetDecision(const std::string& name, const std::string& token) {
  insp::GetDisciplineDecisionRequest request;
  request.set_name(name);
  insp::DisciplineDecision out;
  grpc::Status status = Call(discipline(), &insp::DisciplineService::Stub::GetDisciplineDecision,
                             token.empty() ? InspectorToken() : token, request, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return out;
}

insp::DisciplineDecision InspectionFixture::WaitForEffects(const std::string& name, insp::EffectState state) {
  insp::DisciplineDecision d;
  for (int i = 0; i < 150; ++i) {
    d = GetDecision(name);
    bool all = d.effects_size() > 0;
    for (const insp::Effect& e : d.effects()) all = all && e.state() == state;
    if (all) return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << name << ": effects did not reach " << insp::EffectState_Name(state) << ": "
                << d.ShortDebugString();
  return d;
}

insp::DisciplineDecision InspectionFixture::WaitForFailedAttempt(const std::string& name) {
  insp::DisciplineDecision d;
  for (int i = 0; i < 150; ++i) {
    RunEffectWorker();
    d = GetDecision(name);
    if (d.effects_size() > 0 && !d.effects(0).last_error().empty()) return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << name << ": no failed attempt recorded: " << d.ShortDebugString();
  return d;
}

grpc::Status InspectionFixture::FileAppeal(const std::string& decision, const std::string& received_on,
                                           const std::string& filed_on, int64_t resolving, insp::Appeal* out) {
  insp::FileAppealRequest request;
  request.set_decision(decision);
  request.mutable_appeal()->set_decision_received_on(received_on);
  request.mutable_appeal()->set_filed_on(filed_on);
  request.mutable_appeal()->set_resolving_organization(OrgName(resolving));
  request.mutable_appeal()->set_resolving_body(insp::CONDUCTOR_INSPECTION_COMMISSION);
  return Call(discipline(), &insp::DisciplineService::Stub::FileAppeal, InspectorToken(), request, out);
}

insp::Petition InspectionFixture::PetitionDraft(int64_t handling, insp::PetitionKind kind,
                                                const std::string& received_on, const std::string& filer_name) {
  insp::Petition p;
  p.set_kind(kind);
  p.set_source(insp::PETITION_SOURCE_CITIZEN);
  p.set_organization(OrgName(handling));
  p.set_received_on(received_on);
  p.set_summary("Phản ánh việc sử dụng đất công sai mục đích ở thôn");
  insp::PetitionFiler* filer = p.mutable_filer();
  filer->set_full_name(filer_name.empty() ? "Phạm Thị Hồng Nhung" : filer_name);
  filer->set_address("Thôn Đông, xã Thử Nghiệm");
  filer->set_phone("0912345678");
  return p;
}

grpc::Status InspectionFixture::Receive(const std::string& token, const insp::Petition& draft, insp::Petition* out,
                                        const std::string& request_id) {
  insp::ReceivePetitionRequest request;
  *request.mutable_petition() = draft;
  request.set_request_id(request_id);
  return Call(petitions(), &insp::PetitionService::Stub::ReceivePetition, token, request, out);
}

}  // namespace grassroots::inspection::testing
