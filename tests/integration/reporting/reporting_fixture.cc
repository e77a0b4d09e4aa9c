#include "tests/integration/reporting/reporting_fixture.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "grassroots/membership/v1/lifecycle.grpc.pb.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/reporting/domain/plan.h"
#include "services/reporting/reporting_services.h"
#include "services/reporting/store/reporting_migrations.h"
#include "tests/support/loopback.h"
#include "tests/support/test_db.h"
#include "tests/support/test_tokens.h"

namespace grassroots::reporting::testing {
namespace {

namespace orgv1 = ::grassroots::org::v1;
namespace mv1 = ::grassroots::membership::v1;

// One running reporting service and the database under it.
struct ReportingInstance {
  std::unique_ptr<grassroots::testing::TestDatabase> db;
  std::unique_ptr<ReportingServices> services;
  std::unique_ptr<common::ServiceHost> host;
  std::unique_ptr<rv1::ScorecardService::Stub> scorecards;
};

struct ReportingSide {
  std::unique_ptr<common::RulesRegistry> rules;
  std::string token_file;
  ReportingInstance main;
  ReportingInstance rebuilt;
  std::unique_ptr<orgv1::MeetingService::Stub> meetings;
  std::unique_ptr<orgv1::RecognitionService::Stub> recognition;
};

ReportingSide* side = nullptr;

ReportingSide& R() {
  if (side == nullptr) {
    ADD_FAILURE() << "ReportingFixture used outside a running suite";
    std::abort();
  }
  return *side;
}

std::unique_ptr<grassroots::testing::TestDatabase> NewDatabase() {
  auto db = grassroots::testing::TestDatabase::Create(
      "rep",
      {&common::db::CommonMigrations(), &migrations::ReportingMigrations(), &migrations::OrgTreeMigrations(),
       &migrations::MemberFactsMigrations()},
      8);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

// Wired as main.cc wires it; followers retry fast so tests stay short.
void Start(ReportingSide& s, ReportingInstance& instance, int org_port, int membership_port, int inspection_port) {
  absl::StatusOr<domain::Plan> plan = domain::LoadPlanFile(domain::DefaultPlanPath());
  ASSERT_TRUE(plan.ok()) << plan.status();
  PlanCatalog plans;
  plans.default_plan_id = plan->id;
  plans.plans.emplace(plan->id, *std::move(plan));
  ReportingFollowerOptions followers;
  followers.max_backoff = std::chrono::milliseconds(500);
  followers.head_poll_interval = std::chrono::milliseconds(200);
  instance.services = std::make_unique<ReportingServices>(ReportingDependencies{
      .pool = instance.db->pool(),
      .rules = *s.rules,
      .verifier = grassroots::testing::TestVerifier(),
      .plans = std::move(plans),
      .page_token_secret = "reporting-fixture-page-tokens",
      .org_channel = grassroots::testing::LoopbackChannel(org_port),
      .membership_channel = grassroots::testing::LoopbackChannel(membership_port),
      .inspection_channel = grassroots::testing::LoopbackChannel(inspection_port),
      .service_token = std::make_shared<orgtree::ServiceToken>(s.token_file),
      .follower_options = followers});
  instance.host = std::make_unique<common::ServiceHost>("reporting-test", grassroots::testing::LoopbackServerConfig(),
                                                        std::make_shared<prometheus::Registry>());
  instance.services->RegisterServices(*instance.host);
  absl::Status started = instance.host->Start();
  ASSERT_TRUE(started.ok()) << started;
  instance.scorecards = rv1::ScorecardService::NewStub(grassroots::testing::LoopbackChannel(instance.host->port()));
}

void Stop(ReportingInstance& instance) {
  if (instance.services) {
    instance.services->inspection_follower().Stop();
    instance.services->membership_follower().Stop();
    instance.services->org_follower().Stop();
  }
  if (instance.host) instance.host->Stop();
  instance.host.reset();
  instance.services.reset();
  instance.scorecards.reset();
}

int64_t FeedHead(int port, const std::string& token) {
  auto feed = grassroots::feed::v1::ChangeFeedService::NewStub(grassroots::testing::LoopbackChannel(port));
  grpc::ClientContext context;
  context.AddMetadata("authorization", token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grassroots::feed::v1::FeedHead head;
  grpc::Status status = feed->GetFeedHead(&context, {}, &head);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return head.last_sequence();
}

void SyncInstance(ReportingInstance& instance, int org_port, int membership_port, int inspection_port,
                  const std::string& token) {
  struct Source {
    const char* name;
    common::feed::FeedFollower& follower;
    int port;
  };
  for (const Source& source : {Source{"org", instance.services->org_follower(), org_port},
                               Source{"membership", instance.services->membership_follower(), membership_port},
                               Source{"inspection", instance.services->inspection_follower(), inspection_port}}) {
    const int64_t head = FeedHead(source.port, token);
    ASSERT_TRUE(source.follower.WaitUntilHandled(head, std::chrono::seconds(20)))
        << "reporting's read model did not reach " << source.name << "'s feed head " << head;
  }
}

google::protobuf::Timestamp LocalTime(const std::string& date, int hour, int minute) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(date, &day)) << date;
  const absl::Time time = absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute),
                                          absl::FixedTimeZone(7 * 3600));
  return google::protobuf::util::TimeUtil::TimeTToTimestamp(absl::ToTimeT(time));
}

}  // namespace

void ReportingFixture::SetUpTestSuite() {
  InspectionFixture::SetUpTestSuite();
  if (::testing::Test::HasFatalFailure()) return;
  side = new ReportingSide();
  ReportingSide& s = *side;
  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  ASSERT_TRUE(rules.ok()) << rules.status();
  s.rules = std::make_unique<common::RulesRegistry>(std::move(*rules));
  static std::atomic<int> files{0};
  s.token_file = absl::StrCat(::testing::TempDir(), "reporting-service-token-", getpid(), "-", files++);
  {
    const std::string bearer = ServiceToken();
    std::ofstream out(s.token_file, std::ios::trunc);
    out << bearer.substr(std::string("Bearer ").size()) << "\n";
    ASSERT_TRUE(out.good()) << "cannot write " << s.token_file;
  }
  s.meetings = orgv1::MeetingService::NewStub(grassroots::testing::LoopbackChannel(org_port()));
  s.recognition = orgv1::RecognitionService::NewStub(grassroots::testing::LoopbackChannel(org_port()));
  s.main.db = NewDatabase();
  ASSERT_NE(s.main.db, nullptr);
  Start(s, s.main, org_port(), membership_port(), inspection_port());
  if (::testing::Test::HasFatalFailure()) return;
  SyncReadModel();
}

void ReportingFixture::TearDownTestSuite() {
  if (side != nullptr) {
    Stop(side->rebuilt);
    Stop(side->main);
    if (!side->token_file.empty()) std::remove(side->token_file.c_str());
    delete side;
    side = nullptr;
  }
  InspectionFixture::TearDownTestSuite();
}

rv1::ScorecardService::Stub& ReportingFixture::scorecards() { return *R().main.scorecards; }
orgv1::MeetingService::Stub& ReportingFixture::meetings() { return *R().meetings; }
orgv1::RecognitionService::Stub& ReportingFixture::recognition() { return *R().recognition; }

std::shared_ptr<grpc::Channel> ReportingFixture::ReportingChannel() {
  return grassroots::testing::LoopbackChannel(R().main.host->port());
}

void ReportingFixture::SyncReadModel() {
  SyncInstance(R().main, org_port(), membership_port(), inspection_port(), ServiceToken());
}

void ReportingFixture::RestartReporting() {
  ReportingSide& s = R();
  Stop(s.main);
  Start(s, s.main, org_port(), membership_port(), inspection_port());
}

rv1::ScorecardService::Stub& ReportingFixture::StartRebuiltReporting() {
  ReportingSide& s = R();
  Stop(s.rebuilt);
  s.rebuilt.db = NewDatabase();
  EXPECT_NE(s.rebuilt.db, nullptr);
  Start(s, s.rebuilt, org_port(), membership_port(), inspection_port());
  SyncInstance(s.rebuilt, org_port(), membership_port(), inspection_port(), ServiceToken());
  return *s.rebuilt.scorecards;
}

void ReportingFixture::StopRebuiltReporting() {
  Stop(R().rebuilt);
  R().rebuilt.db.reset();
}

int64_t ReportingFixture::ReportingDbInt(const std::string& sql) {
  absl::StatusOr<int64_t> value = R().main.db->QueryInt(sql);
  EXPECT_TRUE(value.ok()) << sql << ": " << value.status();
  return value.ok() ? *value : -1;
}

grpc::Status ReportingFixture::GetScorecard(const rv1::GetScorecardRequest& request, rv1::Scorecard* out,
                                            const std::string& token) {
  return Call(scorecards(), &rv1::ScorecardService::Stub::GetScorecard, token.empty() ? AdminToken() : token, request,
              out);
}

rv1::Scorecard ReportingFixture::Scorecard(int64_t org, int32_t year, const std::string& as_of,
                                           const std::string& token) {
  rv1::GetScorecardRequest request;
  request.mutable_scope()->set_organization(OrgName(org));
  request.mutable_scope()->set_year(year);
  request.mutable_scope()->set_as_of_date(as_of);
  rv1::Scorecard scorecard;
  grpc::Status status = GetScorecard(request, &scorecard, token);
  EXPECT_TRUE(status.ok()) << "GetScorecard: " << status.error_message() << " [" << BadField(status) << "]";
  return scorecard;
}

rv1::IndicatorResult ReportingFixture::Indicator(const rv1::Scorecard& scorecard, const std::string& id) {
  for (const rv1::IndicatorResult& indicator : scorecard.indicators()) {
    if (indicator.id() == id) return indicator;
  }
  ADD_FAILURE() << "the scorecard has no indicator " << id;
  return {};
}

void ReportingFixture::AdoptRegulation(int64_t org, const std::string& adopted_on) {
  orgv1::AdoptWorkingRegulationRequest request;
  request.set_parent(OrgName(org));
  request.mutable_regulation()->set_version(1);
  request.mutable_regulation()->set_adopted_on(adopted_on);
  request.mutable_regulation()->set_title("Quy chế làm việc");
  *request.mutable_regulation()->mutable_decision() = SomeDecision(adopted_on);
  orgv1::WorkingRegulation out;
  ExpectOk(Call(orgs(), &orgv1::OrganizationService::Stub::AdoptWorkingRegulation, AdminToken(), request, &out));
}

void ReportingFixture::CreateTerm(int64_t org, const std::string& starts_on, const std::string& ends_on,
                                  bool elected) {
  orgv1::CreateCommitteeTermRequest request;
  request.set_parent(OrgName(org));
  request.mutable_term()->set_label(absl::StrCat(starts_on.substr(0, 4), "-", ends_on.substr(0, 4)));
  request.mutable_term()->set_starts_on(starts_on);
  request.mutable_term()->set_ends_on(ends_on);
  request.mutable_term()->set_elected_committee(elected);
  if (elected) request.mutable_term()->set_seats(3);
  *request.mutable_term()->mutable_decision() = SomeDecision(starts_on);
  orgv1::CommitteeTerm out;
  ExpectOk(Call(committees(), &orgv1::CommitteeService::Stub::CreateCommitteeTerm, AdminToken(), request, &out));
}

void ReportingFixture::HoldThematicMeeting(int64_t cell, const std::string& date) {
  orgv1::CreateMeetingRequest request;
  request.set_parent(OrgName(cell));
  orgv1::Meeting* meeting = request.mutable_meeting();
  meeting->set_kind(orgv1::MEETING_KIND_THEMATIC);
  meeting->set_mode(orgv1::MEETING_MODE_IN_PERSON);
  meeting->set_topic("Sinh hoạt chuyên đề");
  *meeting->mutable_planned_start() = LocalTime(date, 14, 0);
  *meeting->mutable_planned_end() = LocalTime(date, 16, 30);
  *meeting->mutable_actual_start() = LocalTime(date, 14, 0);
  *meeting->mutable_actual_end() = LocalTime(date, 16, 30);
  meeting->set_invited_count(3);
  meeting->set_present_count(3);
  orgv1::Meeting out;
  ExpectOk(Call(meetings(), &orgv1::MeetingService::Stub::CreateMeeting, AdminToken(), request, &out));
}

void ReportingFixture::RecordNewModel(int64_t org, int32_t year) {
  orgv1::RecordNewModelRequest request;
  request.set_parent(OrgName(org));
  request.mutable_model()->set_year(year);
  request.mutable_model()->set_title("Mô hình dân vận khéo");
  *request.mutable_model()->mutable_recognition() = SomeDecision(absl::StrCat(year, "-11-20"));
  orgv1::NewModel out;
  ExpectOk(Call(recognition(), &orgv1::RecognitionService::Stub::RecordNewModel, AdminToken(), request, &out));
}

void ReportingFixture::RateOrganization(int64_t org, int32_t year, double score) {
  orgv1::RateOrganizationRequest request;
  request.set_parent(OrgName(org));
  request.mutable_rating()->set_year(year);
  request.mutable_rating()->set_score(score);
  *request.mutable_rating()->mutable_decision() = SomeDecision(absl::StrCat(year, "-12-20"));
  orgv1::OrganizationRating out;
  ExpectOk(Call(recognition(), &orgv1::RecognitionService::Stub::RateOrganization, AdminToken(), request, &out));
}

void ReportingFixture::MoveOrganization(int64_t org, int64_t new_parent, const std::string& effective_date) {
  orgv1::MoveOrganizationRequest request;
  request.set_name(OrgName(org));
  request.set_new_parent(OrgName(new_parent));
  request.set_effective_date(effective_date);
  *request.mutable_decision() = SomeDecision(effective_date);
  orgv1::Organization out;
  ExpectOk(Call(orgs(), &orgv1::OrganizationService::Stub::MoveOrganization, AdminToken(), request, &out));
}

void ReportingFixture::RateMember(const std::string& member, int32_t year, double score) {
  mv1::RateMemberRequest request;
  request.mutable_rating()->set_member(member);
  request.mutable_rating()->set_year(year);
  request.mutable_rating()->set_score(score);
  mv1::RateMemberResponse out;
  ExpectOk(Call(yearly(), &mv1::YearlyRecordService::Stub::RateMember, AdminToken(), request, &out));
}

void ReportingFixture::RemoveMember(const std::string& member, const std::string& effective_date) {
  mv1::EndMembershipRequest request;
  request.set_member(member);
  request.set_kind(mv1::END_KIND_REMOVED);
  request.set_effective_date(effective_date);
  request.set_removal_trigger(mv1::REMOVAL_TRIGGER_QUIT_OR_UNPAID_DUES);
  *request.mutable_decision() = SomeDecision(effective_date);
  mv1::Member out;
  ExpectOk(Call(lifecycle(), &mv1::LifecycleService::Stub::EndMembership, AdminToken(), request, &out));
}

}  // namespace grassroots::reporting::testing
