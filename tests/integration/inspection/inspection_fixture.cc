#include "tests/integration/inspection/inspection_fixture.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/calendar/working_calendar.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/inspection/inspection_services.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/orgtree_migrations.h"
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

common::ServerConfig TestServerConfig() {
  common::ServerConfig server;
  server.grpc_address = "127.0.0.1:0";
  server.metrics_address = "";
  server.drain_delay = std::chrono::milliseconds(0);
  server.shutdown_grace = std::chrono::milliseconds(2000);
  server.health_check_interval = std::chrono::milliseconds(200);
  return server;
}

std::shared_ptr<grpc::Channel> Loopback(int port) {
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
                                   common::DefaultChannelArguments());
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
                                      .org_channel = Loopback(s.org_proxy->port()),
                                      .membership_channel = Loopback(s.membership_proxy->port()),
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
  s.host = std::make_unique<common::ServiceHost>("inspection-test", TestServerConfig(),
                                                 std::make_shared<prometheus::Registry>());
  s.services->RegisterServices(*s.host);
  absl::Status started = s.host->Start();
  ASSERT_TRUE(started.ok()) << started;
  s.channel = Loopback(s.host->port());
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
  s.committees = grassroots::org::v1::CommitteeService::NewStub(Loopback(org_port()));
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
  auto org_feed = grassroots::feed::v1::ChangeFeedService::NewStub(Loopback(org_port()));
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

}  // namespace grassroots::inspection::testing
