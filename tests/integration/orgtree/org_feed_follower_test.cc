// The org-feed follower and the cell directory against the REAL organization
// service (org_lib's OrganizationService and the common change feed, in-process
// over its own test database), reached through a TCP proxy so a test can take
// the organization service away and bring it back.
#include "services/orgtree/org_feed_follower.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <atomic>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "common/status/status.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/handlers/organization_handlers.h"
#include "services/org/handlers/policy.h"
#include "services/org/handlers/residential_unit_handlers.h"
#include "services/org/store/organization_store.h"
#include "services/orgtree/cell_directory.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/orgtree/residential_units.h"
#include "tests/support/eventually.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_db.h"
#include "tests/support/test_tokens.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
}  // namespace grassroots::migrations

namespace grassroots::orgtree {
namespace {

namespace orgpb = grassroots::org::v1;
using common::auth::Role;
using std::chrono::milliseconds;

using grassroots::testing::Eventually;
using grassroots::testing::MetricValue;

const prometheus::Labels kOrgSource{{"source", "org"}};

class OrgFeedFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto org_db = grassroots::testing::TestDatabase::Create(
        "follow_org", {&common::db::CommonMigrations(), &migrations::OrgMigrations()}, 8);
    ASSERT_TRUE(org_db.ok()) << org_db.status();
    org_db_ = std::move(*org_db);
    auto member_db = grassroots::testing::TestDatabase::Create(
        "follow_tree", {&common::db::CommonMigrations(), &migrations::OrgTreeMigrations()}, 8);
    ASSERT_TRUE(member_db.ok()) << member_db.status();
    member_db_ = std::move(*member_db);

    // The organization service, as services/org/main.cc wires it (the parts the follower and the cell check use).
    auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::make_unique<common::RulesRegistry>(std::move(*rules));
    authorizer_ =
        std::make_unique<common::auth::Authorizer>(grassroots::testing::TestVerifier(), org::MakeOrgMethodPolicy());
    page_tokens_ = std::make_unique<common::api::PageTokenCodec>("follower-test-page-token-secret");
    organizations_ = std::make_unique<org::store::OrganizationStore>(org_db_->pool());
    org_context_ = std::make_unique<org::HandlerContext>(
        org::HandlerContext{org_db_->pool(), *authorizer_, *rules_, *page_tokens_, *organizations_});
    organization_service_ = std::make_unique<org::OrganizationServiceImpl>(*org_context_);
    feed_service_ = std::make_unique<common::feed::ChangeFeedServiceImpl>(org_db_->pool(), *authorizer_, nullptr);
    common::ServerConfig server;
    server.grpc_address = "127.0.0.1:0";
    server.metrics_address = "";
    server.drain_delay = milliseconds(0);
    server.shutdown_grace = milliseconds(1000);
    server.authenticate = common::auth::BearerGate(grassroots::testing::TestVerifier());
    org_host_ = std::make_unique<common::ServiceHost>("org-test", server, std::make_shared<prometheus::Registry>());
    org_host_->AddService(organization_service_.get());
    unit_service_ = std::make_unique<org::ResidentialUnitServiceImpl>(*org_context_);
    org_host_->AddService(unit_service_.get());
    org_host_->AddService(feed_service_.get());
    common::feed::ChangeFeedServiceImpl* feed = feed_service_.get();
    org_host_->OnStop([feed] { feed->StopStreams(); });
    absl::Status started = org_host_->Start();
    ASSERT_TRUE(started.ok()) << started;

    direct_ = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", org_host_->port()),
                                        grpc::InsecureChannelCredentials(), common::DefaultChannelArguments());
    orgs_ = orgpb::OrganizationService::NewStub(direct_);
    units_ = orgpb::ResidentialUnitService::NewStub(direct_);
    proxy_ = std::make_unique<grassroots::testing::TcpProxy>("127.0.0.1", org_host_->port());
    ASSERT_TRUE(proxy_->Start().ok());
    grpc::ChannelArguments args = common::DefaultChannelArguments();
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
    through_proxy_ =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", proxy_->port()), grpc::InsecureChannelCredentials(), args);

    token_file_ = absl::StrCat(::testing::TempDir(), "follower-test-token-", ::getpid(), "-",
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    WriteToken(Role::kService);
    token_ = std::make_shared<ServiceToken>(token_file_);
    projection_ = std::make_unique<OrgProjection>(member_db_->pool());

    root_ = Create("ROOT", "DANG_BO_TINH", 0);
  }

  void TearDown() override {
    follower_.reset();
    proxy_.reset();
    if (org_host_) org_host_->Stop();
    std::remove(token_file_.c_str());
  }

  void WriteToken(Role role) {
    const std::string bearer = grassroots::testing::MintToken({role}, 1, std::nullopt, absl::Hours(1));
    std::ofstream(token_file_, std::ios::trunc) << bearer.substr(std::string("Bearer ").size()) << "\n";
  }

  OrgFeedFollower& StartFollower(OrganizationChangeHook hook = nullptr, milliseconds backoff = milliseconds(50),
                                 milliseconds max_backoff = milliseconds(300)) {
    OrgFeedFollowerOptions options;
    options.on_organization_change = std::move(hook);
    options.initial_backoff = backoff;
    options.max_backoff = max_backoff;
    options.head_poll_interval = milliseconds(100);
    follower_ =
        std::make_unique<OrgFeedFollower>(through_proxy_, token_, member_db_->pool(), *projection_, registry_, options);
    follower_->Start();
    return *follower_;
  }

  int64_t Create(const std::string& code, const std::string& type, int64_t parent) {
    orgpb::CreateOrganizationRequest request;
    orgpb::Organization* org = request.mutable_organization();
    org->set_code(absl::StrCat(code, "-", ::getpid()));
    org->set_display_name(absl::StrCat("Đảng bộ ", code));
    org->set_type(type);
    if (parent != 0) org->set_parent(common::api::MakeName("organizations", parent));
    org->set_established_on("2015-01-01");
    grpc::ClientContext context;
    context.AddMetadata("authorization", grassroots::testing::MintToken({Role::kAdmin}, 1));
    orgpb::Organization created;
    grpc::Status status = orgs_->CreateOrganization(&context, request, &created);
    EXPECT_TRUE(status.ok()) << code << ": " << status.error_message();
    return common::api::ParseId(created.name(), "organizations", "name").value_or(0);
  }

  void Move(int64_t id, int64_t new_parent) {
    orgpb::MoveOrganizationRequest request;
    request.set_name(common::api::MakeName("organizations", id));
    request.set_new_parent(common::api::MakeName("organizations", new_parent));
    request.set_effective_date(common::api::FormatDate(common::api::Today()));
    request.mutable_decision()->set_issuing_body("Ban Thường vụ Huyện ủy");
    request.mutable_decision()->set_number("12-QĐ/HU");
    grpc::ClientContext context;
    context.AddMetadata("authorization", grassroots::testing::MintToken({Role::kAdmin}, 1));
    orgpb::Organization moved;
    grpc::Status status = orgs_->MoveOrganization(&context, request, &moved);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  int64_t OrgFeedHead() { return org_db_->QueryInt("SELECT last_sequence FROM feed_head").value_or(-1); }
  int64_t StoredCursor() {
    return member_db_->QueryInt("SELECT COALESCE(MAX(last_sequence), 0) FROM feed_cursors WHERE source = 'org'")
        .value_or(-1);
  }
  // Appends an entry of resource type "organization" with `payload` to org's
  // feed through the feed's own writer (as a producer bug would); returns its sequence.
  int64_t AppendOrganizationEntry(const google::protobuf::Message& payload) {
    return AppendEntry("organization", "organizations/0", payload);
  }
  int64_t AppendEntry(const std::string& type, const std::string& name, const google::protobuf::Message& payload) {
    auto sequence = grassroots::testing::AppendFeedChange(org_db_->pool(), {type, name, "created", &payload});
    EXPECT_TRUE(sequence.ok()) << sequence.status();
    return sequence.value_or(-1);
  }
  // Replaces the payload of the feed entry at `sequence` (the producer's fix).
  void RewriteEntry(int64_t sequence, const google::protobuf::Message& payload) {
    google::protobuf::Any any;
    any.PackFrom(payload);
    ASSERT_TRUE(org_db_
                    ->Execute(absl::StrCat("UPDATE change_feed SET resource = UNHEX('",
                                           absl::BytesToHexString(any.SerializeAsString()), "') WHERE sequence = ",
                                           sequence))
                    .ok());
  }
  orgpb::Organization Existing(int64_t id) {
    orgpb::GetOrganizationRequest request;
    request.set_name(common::api::MakeName("organizations", id));
    grpc::ClientContext context;
    context.AddMetadata("authorization", grassroots::testing::MintToken({Role::kAdmin}, 1));
    orgpb::Organization org;
    EXPECT_TRUE(orgs_->GetOrganization(&context, request, &org).ok());
    return org;
  }
  double Blocked(const std::string& reason) {
    return MetricValue(*registry_, "feed_consumer_blocked", {{"source", "org"}, {"reason", reason}});
  }
  bool Projected(int64_t id) {
    return member_db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM org_projection WHERE org_id = ", id)).value_or(0) ==
           1;
  }

  bool Within(int64_t ancestor, int64_t descendant) {
    return projection_->IsWithinSubtree(ancestor, descendant).value_or(false);
  }
  void ExpectCaughtUp() {
    const int64_t head = OrgFeedHead();
    ASSERT_TRUE(follower_->WaitUntilHandled(head, milliseconds(15000)))
        << "handled " << follower_->HandledSequence() << ", org feed head " << head;
  }

  std::unique_ptr<grassroots::testing::TestDatabase> org_db_;
  std::unique_ptr<grassroots::testing::TestDatabase> member_db_;
  std::unique_ptr<common::RulesRegistry> rules_;
  std::unique_ptr<common::auth::Authorizer> authorizer_;
  std::unique_ptr<common::api::PageTokenCodec> page_tokens_;
  std::unique_ptr<org::store::OrganizationStore> organizations_;
  std::unique_ptr<org::HandlerContext> org_context_;
  std::unique_ptr<org::OrganizationServiceImpl> organization_service_;
  std::unique_ptr<org::ResidentialUnitServiceImpl> unit_service_;
  std::unique_ptr<orgpb::ResidentialUnitService::Stub> units_;
  std::unique_ptr<common::feed::ChangeFeedServiceImpl> feed_service_;
  std::unique_ptr<common::ServiceHost> org_host_;
  std::shared_ptr<grpc::Channel> direct_;
  std::unique_ptr<orgpb::OrganizationService::Stub> orgs_;
  std::unique_ptr<grassroots::testing::TcpProxy> proxy_;
  std::shared_ptr<grpc::Channel> through_proxy_;
  std::string token_file_;
  std::shared_ptr<ServiceToken> token_;
  std::unique_ptr<OrgProjection> projection_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<OrgFeedFollower> follower_;
  int64_t root_ = 0;
};

TEST_F(OrgFeedFollowerTest, ProjectsTheTreeAndFollowsMoves) {
  const int64_t district = Create("HUYEN", "DANG_BO_HUYEN", root_);
  const int64_t commune_a = Create("XA-A", "DANG_BO_CO_SO", district);
  const int64_t commune_b = Create("XA-B", "DANG_BO_CO_SO", district);
  const int64_t cell = Create("THON-1", "CHI_BO_TRUC_THUOC", commune_a);

  OrgFeedFollower& follower = StartFollower();
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return follower.Ready(); }));
  EXPECT_TRUE(Within(root_, cell));
  EXPECT_TRUE(Within(commune_a, cell));
  EXPECT_EQ(StoredCursor(), OrgFeedHead());
  auto projected = member_db_->pool().Read<std::optional<ProjectedOrganization>>(
      "test.find", [&](common::db::Session& s) { return projection_->Find(s, cell); });
  ASSERT_TRUE(projected.ok() && projected->has_value());
  EXPECT_TRUE((*projected)->is_cell);
  EXPECT_EQ((*projected)->parent_id, commune_a);

  // A change made while the stream is open arrives without a reconnect.
  Move(cell, commune_b);
  ExpectCaughtUp();
  EXPECT_TRUE(Within(commune_b, cell));
  EXPECT_FALSE(Within(commune_a, cell));
  EXPECT_TRUE(Within(root_, cell));

  EXPECT_TRUE(Eventually([&] { return MetricValue(*registry_, "feed_consumer_lag", kOrgSource) == 0; }));
  EXPECT_EQ(MetricValue(*registry_, "feed_consumer_last_applied_sequence", kOrgSource), OrgFeedHead());
  EXPECT_EQ(MetricValue(*registry_, "feed_consumer_connected", kOrgSource), 1);
  EXPECT_GE(MetricValue(*registry_, "feed_consumer_changes_applied_total", kOrgSource), 6);
  EXPECT_EQ(MetricValue(*registry_, "feed_consumer_errors_total", {{"source", "org"}, {"kind", "stream"}}), 0);
}

TEST_F(OrgFeedFollowerTest, PassesOverOtherResourcesAndSavesTheirPositions) {
  OrgFeedFollower& follower = StartFollower();
  ExpectCaughtUp();
  const int64_t projected_before = member_db_->QueryInt("SELECT COUNT(*) FROM org_projection").value_or(-1);
  // Another kind of change in the org feed, recorded by the feed's own writer.
  orgpb::Organization payload;
  ASSERT_TRUE(org_db_->pool()
                  .RunInTransaction("test.other_change",
                                    [&](common::db::Session& session) {
                                      common::feed::ChangeRecord change;
                                      change.resource_type = "meeting";
                                      change.resource_name = "organizations/1/meetings/1";
                                      change.action = "created";
                                      change.resource = &payload;
                                      return common::feed::RecordChange(session, {"test", "r1"}, change);
                                    })
                  .ok());
  ExpectCaughtUp();
  EXPECT_EQ(member_db_->QueryInt("SELECT COUNT(*) FROM org_projection").value_or(-1), projected_before);
  // Saved by the head poller, not one write per passed-over change.
  EXPECT_TRUE(Eventually([&] { return StoredCursor() == OrgFeedHead(); })) << StoredCursor();
  EXPECT_TRUE(follower.Ready());
}

TEST_F(OrgFeedFollowerTest, ReconnectsAfterTheOrgServiceWasAway) {
  StartFollower();
  ExpectCaughtUp();
  proxy_->Stop();
  EXPECT_TRUE(Eventually([&] { return MetricValue(*registry_, "feed_consumer_connected", kOrgSource) == 0; }));
  EXPECT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_errors_total", {{"source", "org"}, {"kind", "stream"}}) >= 2;
  }));                                                                   // kept trying
  const int64_t district = Create("HUYEN-MOI", "DANG_BO_HUYEN", root_);  // while membership cannot see org
  EXPECT_FALSE(Within(root_, district));

  ASSERT_TRUE(proxy_->Start().ok());
  ExpectCaughtUp();
  EXPECT_TRUE(Within(root_, district));
  EXPECT_TRUE(Eventually([&] { return MetricValue(*registry_, "feed_consumer_connected", kOrgSource) == 1; }));
}

// The stream's backoff here is a minute, far past the wait below: the
// follower is back because the head poll reached org again and woke it.
TEST_F(OrgFeedFollowerTest, AfterAnOutageTheStreamIsBackOnceTheHeadPollReachesTheProducer) {
  StartFollower(nullptr, milliseconds(60000), milliseconds(60000));
  ExpectCaughtUp();
  proxy_->Stop();
  EXPECT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_errors_total", {{"source", "org"}, {"kind", "stream"}}) >= 1;
  }));  // the stream ended and waits out its backoff
  const int64_t district = Create("HUYEN-BLIP", "DANG_BO_HUYEN", root_);
  ASSERT_TRUE(proxy_->Start().ok());
  ExpectCaughtUp();
  EXPECT_TRUE(Within(root_, district));
}

TEST_F(OrgFeedFollowerTest, StopsPromptlyAndResumesFromTheStoredCursor) {
  StartFollower();
  ExpectCaughtUp();
  ASSERT_EQ(MetricValue(*registry_, "feed_consumer_connected", kOrgSource), 1);
  const auto stop_started = std::chrono::steady_clock::now();
  follower_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, milliseconds(2000));
  follower_->Stop();  // twice is harmless

  const int64_t cursor = StoredCursor();
  EXPECT_EQ(cursor, OrgFeedHead());
  const int64_t district = Create("HUYEN-SAU", "DANG_BO_HUYEN", root_);  // while stopped

  registry_ = std::make_shared<prometheus::Registry>();
  OrgFeedFollower& again = StartFollower();
  // It held a projection: ready at once, from where it stopped, before catching up.
  EXPECT_TRUE(Eventually([&] { return again.Ready(); }, milliseconds(5000)));
  ExpectCaughtUp();
  EXPECT_TRUE(Within(root_, district));
  EXPECT_GT(again.HandledSequence(), cursor);
}

TEST_F(OrgFeedFollowerTest, CellDirectoryAsksTheOrgServiceOnTheDay) {
  const int64_t district = Create("HUYEN", "DANG_BO_HUYEN", root_);
  const int64_t commune = Create("XA", "DANG_BO_CO_SO", district);
  const int64_t cell = Create("THON", "CHI_BO_TRUC_THUOC", commune);
  GrpcCellDirectory cells(through_proxy_, token_, milliseconds(2000));
  const absl::CivilDay day(2024, 3, 1);

  EXPECT_TRUE(cells.RequireActiveCell(cell, day, "member.cell").ok());

  absl::Status not_a_cell = cells.RequireActiveCell(commune, day, "member.cell");
  EXPECT_EQ(not_a_cell.code(), absl::StatusCode::kFailedPrecondition) << not_a_cell;
  EXPECT_EQ(common::ReasonOf(not_a_cell), "NOT_A_CELL");

  // Before the cell was founded it did not exist on that day.
  absl::Status too_early = cells.RequireActiveCell(cell, absl::CivilDay(2010, 1, 1), "transfer.to_cell");
  EXPECT_EQ(too_early.code(), absl::StatusCode::kInvalidArgument) << too_early;
  EXPECT_EQ(common::FieldOf(too_early), "transfer.to_cell");

  absl::Status missing = cells.RequireActiveCell(cell + 1000, day, "member.cell");
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument) << missing;
  EXPECT_EQ(common::FieldOf(missing), "member.cell");

  // A token the org service refuses (here: not signed by its issuer): this
  // service's misconfiguration, not the caller's.
  std::ofstream(token_file_, std::ios::trunc) << "eyJhbGciOiJub25lIn0.e30.\n";
  std::filesystem::last_write_time(token_file_,
                                   std::filesystem::file_time_type::clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(cells.RequireActiveCell(cell, day, "member.cell").code(), absl::StatusCode::kInternal);
  WriteToken(Role::kService);  // rotated back: picked up without a restart
  std::filesystem::last_write_time(token_file_,
                                   std::filesystem::file_time_type::clock::now() + std::chrono::seconds(10));
  EXPECT_TRUE(cells.RequireActiveCell(cell, day, "member.cell").ok());

  proxy_->Stop();
  absl::Status down = cells.RequireActiveCell(cell, day, "member.cell");
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_EQ(down.message(), "organization service unavailable");
}

// ---- strict following ----------------------------------------------------------------

TEST_F(OrgFeedFollowerTest, StopsAtAChangeItCannotApplyUntilTheEntryIsFixed) {
  OrgFeedFollower& follower = StartFollower();
  ExpectCaughtUp();
  ASSERT_TRUE(Eventually([&] { return follower.Ready(); }));
  const int64_t cursor_before = StoredCursor();

  orgpb::Organization unreadable_name = Existing(root_);
  unreadable_name.set_name("organizations/not-a-number");
  const int64_t bad = AppendOrganizationEntry(unreadable_name);
  const int64_t after_bad = Create("HUYEN-SAU-LOI", "DANG_BO_HUYEN", root_);

  ASSERT_TRUE(Eventually([&] { return !follower.Ready(); })) << "a stale projection must not serve";
  EXPECT_TRUE(Eventually([&] { return Blocked("bad_change") == 1; }));
  EXPECT_EQ(Blocked("cursor_ahead"), 0);
  EXPECT_EQ(MetricValue(*registry_, "feed_consumer_blocked_sequence", kOrgSource), bad);
  EXPECT_EQ(follower.BlockedAt().reason, BlockReason::kBadChange);
  EXPECT_EQ(follower.BlockedAt().sequence, bad);
  // It keeps retrying (with backoff) and does not pass over the change.
  EXPECT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_errors_total", {{"source", "org"}, {"kind", "bad_change"}}) >= 3;
  }));
  EXPECT_EQ(follower.HandledSequence(), bad - 1);
  EXPECT_EQ(StoredCursor(), std::max(cursor_before, bad - 1));
  EXPECT_FALSE(Projected(after_bad)) << "nothing after the blocked change is applied";

  // The producer fixes the entry: the follower resumes and is ready again.
  orgpb::OrganizationChange fixed;
  *fixed.mutable_organization() = Existing(root_);
  RewriteEntry(bad, fixed);
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return follower.Ready(); }));
  EXPECT_EQ(Blocked("bad_change"), 0);
  EXPECT_EQ(MetricValue(*registry_, "feed_consumer_blocked_sequence", kOrgSource), 0);
  EXPECT_EQ(follower.BlockedAt().reason, BlockReason::kNone);
  EXPECT_TRUE(Within(root_, after_bad));
}

// Changes that wait in the feed arrive together and are applied in runs; a
// change that cannot be applied in the middle of a run still stops the
// follower exactly there, with everything before it applied and nothing after.
TEST_F(OrgFeedFollowerTest, ABadChangeInsideARunStopsItExactlyThere) {
  const int64_t first = Create("HUYEN-1", "DANG_BO_HUYEN", root_);
  const int64_t second = Create("HUYEN-2", "DANG_BO_HUYEN", root_);
  orgpb::Organization unreadable_name = Existing(root_);
  unreadable_name.set_name("organizations/not-a-number");
  const int64_t bad = AppendOrganizationEntry(unreadable_name);
  const int64_t after_bad = Create("HUYEN-3", "DANG_BO_HUYEN", root_);

  OrgFeedFollower& follower = StartFollower();
  ASSERT_TRUE(Eventually([&] { return follower.BlockedAt().reason == BlockReason::kBadChange; }));
  EXPECT_EQ(follower.BlockedAt().sequence, bad);
  EXPECT_EQ(follower.HandledSequence(), bad - 1);
  EXPECT_EQ(StoredCursor(), bad - 1);
  EXPECT_TRUE(Within(root_, first));
  EXPECT_TRUE(Within(root_, second));
  EXPECT_FALSE(Projected(after_bad)) << "nothing after the blocked change is applied";
  EXPECT_FALSE(follower.Ready());

  orgpb::OrganizationChange fixed;
  *fixed.mutable_organization() = Existing(root_);
  RewriteEntry(bad, fixed);
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return follower.Ready(); }));
  EXPECT_TRUE(Within(root_, after_bad));
}

TEST_F(OrgFeedFollowerTest, ACursorAheadOfTheFeedIsRefusedAndTheProjectionIsRebuiltFromTheStart) {
  const int64_t district = Create("HUYEN", "DANG_BO_HUYEN", root_);
  StartFollower();
  ExpectCaughtUp();
  follower_->Stop();
  // As after the organization service was restored from an older backup: the
  // consumer stands beyond the producer's head, and holds a row that only the
  // lost changes explained.
  const int64_t head = OrgFeedHead();
  ASSERT_TRUE(member_db_->Execute(absl::StrCat("UPDATE feed_cursors SET last_sequence = ", head + 2,
                                               " WHERE source = 'org'"))
                  .ok());
  ASSERT_TRUE(member_db_
                  ->Execute("INSERT INTO org_projection (org_id, code, display_name, type_code, is_cell, "
                            "is_grassroots, state, established_on, source_sequence) "
                            "VALUES (987655, 'LOST', 'Mất', 'DANG_BO_HUYEN', 0, 0, 1, '2000-01-01', 1)")
                  .ok());

  registry_ = std::make_shared<prometheus::Registry>();
  OrgFeedFollower& again = StartFollower();
  ASSERT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_rebuilds_total", kOrgSource) == 1;
  })) << "the refusal (CURSOR_AHEAD_OF_FEED) leads to a rebuild, not an endless wait";
  EXPECT_GE(MetricValue(*registry_, "feed_consumer_errors_total", {{"source", "org"}, {"kind", "stream"}}), 1);
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return again.Ready(); }));
  EXPECT_EQ(Blocked("cursor_ahead"), 0);
  EXPECT_FALSE(Projected(987655)) << "cleared: the lost changes are not trusted";
  EXPECT_TRUE(Within(root_, district)) << "rebuilt from sequence 0";

  // Changes written after the restore, at positions the old cursor had passed, are applied.
  const int64_t later = Create("HUYEN-C", "DANG_BO_HUYEN", root_);
  ExpectCaughtUp();
  EXPECT_TRUE(Within(root_, later));
}

// The producer restored from a backup in the same epoch (nobody drew a new
// one) and written again PAST the consumer's cursor before the consumer came
// back: the head is no longer behind the cursor, but the positions between
// the backup and the cursor now hold other changes. The follower's cursor
// carries the commit time of its change, the producer refuses it
// (FEED_DIVERGED) and the projection is rebuilt, so nothing is skipped.
TEST_F(OrgFeedFollowerTest, AFeedRestoredAndWrittenPastTheCursorIsNoticedAndRebuiltNotSkipped) {
  const int64_t before_backup = Create("HUYEN-A", "DANG_BO_HUYEN", root_);
  const int64_t backup_head = OrgFeedHead();
  const int64_t lost_b = Create("HUYEN-B", "DANG_BO_HUYEN", root_);
  const int64_t lost_c = Create("HUYEN-C", "DANG_BO_HUYEN", root_);
  StartFollower();
  ExpectCaughtUp();
  const int64_t cursor = StoredCursor();
  ASSERT_GT(cursor, backup_head);
  EXPECT_EQ(member_db_->QueryInt("SELECT last_commit_micros FROM feed_cursors WHERE source = 'org'").value_or(-1),
            org_db_->QueryInt(absl::StrCat("SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', commit_time) "
                                           "FROM change_feed WHERE sequence = ", cursor)).value_or(-2))
      << "the cursor keeps the commit time of the change it stands at";

  // A plain restart of the consumer against the same feed resumes; no rebuild.
  follower_->Stop();
  registry_ = std::make_shared<prometheus::Registry>();
  StartFollower();
  const int64_t after_restart = Create("HUYEN-R", "DANG_BO_HUYEN", root_);
  ExpectCaughtUp();
  EXPECT_TRUE(Within(root_, after_restart));
  EXPECT_EQ(MetricValue(*registry_, "feed_consumer_rebuilds_total", kOrgSource), 0);
  follower_->Stop();

  // The organization service's feed as restored from the backup: what came after it is gone.
  const int64_t head_before_restore = OrgFeedHead();
  ASSERT_TRUE(org_db_->Execute(absl::StrCat("DELETE FROM change_feed WHERE sequence > ", backup_head)).ok());
  ASSERT_TRUE(org_db_->Execute(absl::StrCat("UPDATE feed_head SET last_sequence = ", backup_head)).ok());
  // Written again past the consumer's cursor while the consumer was away.
  std::vector<int64_t> rewritten;
  while (OrgFeedHead() <= head_before_restore) {
    rewritten.push_back(Create(absl::StrCat("HUYEN-N", rewritten.size()), "DANG_BO_HUYEN", root_));
  }

  registry_ = std::make_shared<prometheus::Registry>();
  OrgFeedFollower& again = StartFollower();
  ASSERT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_rebuilds_total", kOrgSource) == 1;
  })) << "the refusal (FEED_DIVERGED) leads to a rebuild, not a silent skip";
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return again.Ready(); }));
  EXPECT_EQ(Blocked("feed_diverged"), 0);
  EXPECT_TRUE(Within(root_, before_backup));
  for (const int64_t id : rewritten) EXPECT_TRUE(Within(root_, id)) << "organizations/" << id << " was skipped";
  for (const int64_t id : {lost_b, lost_c, after_restart}) {
    EXPECT_FALSE(Projected(id)) << "organizations/" << id << " is not on the restored feed";
  }
}

TEST_F(OrgFeedFollowerTest, AnotherFeedEpochRebuildsTheProjectionFromTheStart) {
  const int64_t district = Create("HUYEN", "DANG_BO_HUYEN", root_);
  StartFollower();
  ExpectCaughtUp();
  follower_->Stop();
  // A row only the old feed explained, and another database behind the org service.
  ASSERT_TRUE(member_db_
                  ->Execute("INSERT INTO org_projection (org_id, code, display_name, type_code, is_cell, "
                            "is_grassroots, state, established_on, source_sequence) "
                            "VALUES (987654, 'GONE', 'Đã xoá', 'DANG_BO_HUYEN', 0, 0, 1, '2000-01-01', 1)")
                  .ok());
  ASSERT_TRUE(org_db_->Execute("UPDATE feed_head SET epoch = 'ffffffffffffffffffffffffffffffff'").ok());

  registry_ = std::make_shared<prometheus::Registry>();
  OrgFeedFollower& again = StartFollower();
  ASSERT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_rebuilds_total", kOrgSource) == 1;
  }));
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return again.Ready(); }));
  EXPECT_FALSE(Projected(987654)) << "cleared with the old epoch";
  EXPECT_TRUE(Within(root_, district)) << "rebuilt from sequence 0";
  EXPECT_EQ(member_db_->QueryInt("SELECT COUNT(*) FROM feed_cursors WHERE source = 'org' AND "
                                 "epoch = 'ffffffffffffffffffffffffffffffff'")
                .value_or(0),
            1);
  EXPECT_TRUE(Eventually([&] { return StoredCursor() == OrgFeedHead(); }));
}

TEST_F(OrgFeedFollowerTest, TheOwningServicesHookRunsInTheApplyingTransaction) {
  ASSERT_TRUE(member_db_->Execute("CREATE TABLE hook_log (org_id BIGINT PRIMARY KEY, projected_then INT NOT NULL)").ok());
  std::atomic<bool> refusing{false};
  std::atomic<int> calls{0};
  OrganizationChangeHook hook = [&](common::db::Session& session,
                                    const orgpb::OrganizationChange& change) -> absl::Status {
    ++calls;
    EXPECT_EQ(change.event().organization(), change.organization().name());
    const int64_t id = common::api::ParseId(change.organization().name(), "organizations", "name").value_or(0);
    // The same transaction: the projection row written just before is visible.
    sql::PreparedStatement& seen = session.Prepare("SELECT COUNT(*) FROM org_projection WHERE org_id = ?");
    seen.setInt64(1, id);
    std::unique_ptr<sql::ResultSet> rs = session.Query(seen);
    rs->next();
    sql::PreparedStatement& log = session.Prepare("INSERT INTO hook_log (org_id, projected_then) VALUES (?, ?)");
    log.setInt64(1, id);
    log.setInt(2, rs->getInt(1));
    log.executeUpdate();
    if (refusing.load() && absl::StartsWith(change.organization().code(), "HUYEN-TU-CHOI")) {
      return absl::FailedPreconditionError("the owning service refuses this change");
    }
    return absl::OkStatus();
  };
  OrgFeedFollower& follower = StartFollower(hook);
  ExpectCaughtUp();
  EXPECT_EQ(member_db_->QueryInt("SELECT COUNT(*) FROM hook_log WHERE org_id = " + std::to_string(root_) +
                                 " AND projected_then = 1")
                .value_or(0),
            1);

  refusing = true;
  const int64_t refused = Create("HUYEN-TU-CHOI", "DANG_BO_HUYEN", root_);
  const int64_t after = Create("HUYEN-SAU", "DANG_BO_HUYEN", root_);
  ASSERT_TRUE(Eventually([&] { return Blocked("hook_failed") == 1; }));
  EXPECT_FALSE(follower.Ready());
  EXPECT_TRUE(Eventually([&] { return calls.load() >= 4; })) << "retried";
  // Rolled back with the projection row and the cursor.
  EXPECT_FALSE(Projected(refused));
  EXPECT_FALSE(Projected(after));
  EXPECT_EQ(member_db_->QueryInt("SELECT COUNT(*) FROM hook_log WHERE org_id = " + std::to_string(refused)).value_or(-1),
            0);
  EXPECT_LT(StoredCursor(), follower.BlockedAt().sequence);

  refusing = false;  // the owning service accepts it now
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return follower.Ready(); }));
  EXPECT_EQ(Blocked("hook_failed"), 0);
  EXPECT_TRUE(Projected(refused));
  EXPECT_TRUE(Within(root_, after));
  EXPECT_EQ(member_db_->QueryInt("SELECT COUNT(*) FROM hook_log WHERE org_id IN (" + std::to_string(refused) + ", " +
                                 std::to_string(after) + ") AND projected_then = 1")
                .value_or(0),
            2);
}

// ---- residential units and their covering cells ------------------------------------

class OrgFeedFollowerUnitsTest : public OrgFeedFollowerTest {
 protected:
  template <typename Request, typename Response>
  using UnitCall = grpc::Status (orgpb::ResidentialUnitService::Stub::*)(grpc::ClientContext*, const Request&,
                                                                         Response*);
  template <typename Request, typename Response>
  Response CallUnits(UnitCall<Request, Response> method, const Request& request) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", grassroots::testing::MintToken({Role::kAdmin}, 1));
    Response response;
    const grpc::Status status = (units_.get()->*method)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  orgpb::ResidentialUnit NewUnit(int64_t commune, int64_t cell, const std::string& covering_since) {
    orgpb::CreateResidentialUnitRequest request;
    orgpb::ResidentialUnit* unit = request.mutable_unit();
    unit->set_code(absl::StrCat("THON-", commune, "-", ::getpid()));
    unit->set_display_name("Thôn Đông");
    unit->set_kind(orgpb::RESIDENTIAL_UNIT_KIND_VILLAGE);
    unit->set_commune_organization(common::api::MakeName("organizations", commune));
    unit->set_covering_cell(common::api::MakeName("organizations", cell));
    unit->set_covering_cell_since(covering_since);
    unit->set_established_on("2015-01-01");
    return CallUnits(&orgpb::ResidentialUnitService::Stub::CreateResidentialUnit, request);
  }
  bool Residential(int64_t cell, const absl::CivilDay day) {
    auto is = member_db_->pool().Read<bool>(
        "test.is_residential", [&](common::db::Session& s) { return IsResidentialCell(s, cell, day); });
    EXPECT_TRUE(is.ok()) << is.status();
    return is.value_or(false);
  }
  std::set<int64_t> InSubtree(int64_t root, const absl::CivilDay day) {
    auto cells = member_db_->pool().Read<std::set<int64_t>>(
        "test.residential_subtree", [&](common::db::Session& s) { return ResidentialCellsInSubtree(s, root, day); });
    EXPECT_TRUE(cells.ok()) << cells.status();
    return cells.value_or(std::set<int64_t>{});
  }
  int64_t ProjectedCoverings() {
    return member_db_->QueryInt("SELECT COUNT(*) FROM unit_covering_projection").value_or(-1);
  }
};

TEST_F(OrgFeedFollowerUnitsTest, ProjectsUnitsAndTheirCoveringPeriodsAsOfEachDay) {
  using D = absl::CivilDay;
  const int64_t district = Create("HUYEN", "DANG_BO_HUYEN", root_);
  const int64_t commune = Create("XA", "DANG_BO_CO_SO", district);
  const int64_t cell_a = Create("THON-A", "CHI_BO_TRUC_THUOC", commune);
  const int64_t cell_b = Create("THON-B", "CHI_BO_TRUC_THUOC", commune);
  const orgpb::ResidentialUnit unit = NewUnit(commune, cell_a, "2016-01-01");
  StartFollower();
  ExpectCaughtUp();
  EXPECT_FALSE(Residential(cell_a, D(2015, 12, 31)));
  EXPECT_TRUE(Residential(cell_a, D(2016, 1, 1)));
  EXPECT_FALSE(Residential(cell_b, D(2016, 1, 1)));

  // B covers the unit from 2020: A's period ends that day (org publishes both).
  orgpb::AssignCoveringCellRequest assign;
  assign.set_unit(unit.name());
  assign.set_cell(common::api::MakeName("organizations", cell_b));
  assign.set_effective_date("2020-01-01");
  CallUnits(&orgpb::ResidentialUnitService::Stub::AssignCoveringCell, assign);
  ExpectCaughtUp();
  EXPECT_TRUE(Residential(cell_a, D(2019, 12, 31)));
  EXPECT_FALSE(Residential(cell_a, D(2020, 1, 1)));
  EXPECT_TRUE(Residential(cell_b, D(2020, 1, 1)));
  EXPECT_EQ(InSubtree(district, D(2019, 6, 1)), std::set<int64_t>({cell_a}));
  EXPECT_EQ(InSubtree(district, D(2021, 6, 1)), std::set<int64_t>({cell_b}));
  EXPECT_EQ(ProjectedCoverings(), 2);

  // The unit ends (merged into another village): B is residential no more.
  orgpb::UpdateResidentialUnitRequest end;
  end.mutable_unit()->set_name(unit.name());
  end.mutable_unit()->set_ended_on("2023-01-01");
  end.mutable_update_mask()->add_paths("ended_on");
  CallUnits(&orgpb::ResidentialUnitService::Stub::UpdateResidentialUnit, end);
  ExpectCaughtUp();
  EXPECT_TRUE(Residential(cell_b, D(2022, 12, 31)));
  EXPECT_FALSE(Residential(cell_b, D(2023, 1, 1)));
  EXPECT_EQ(follower_->BlockedAt().reason, BlockReason::kNone);

  // Another database behind the org service: a covering only the old feed
  // explained goes, and the same answers are rebuilt from sequence 0, each once.
  follower_->Stop();
  ASSERT_TRUE(member_db_
                  ->Execute("INSERT INTO unit_covering_projection (covering_id, unit_id, cell_id, valid_from, "
                            "source_sequence) VALUES (987654, 987654, 987654, '2000-01-01', 1)")
                  .ok());
  ASSERT_TRUE(org_db_->Execute("UPDATE feed_head SET epoch = 'ffffffffffffffffffffffffffffffff'").ok());
  registry_ = std::make_shared<prometheus::Registry>();
  StartFollower();
  ASSERT_TRUE(Eventually([&] { return MetricValue(*registry_, "feed_consumer_rebuilds_total", kOrgSource) == 1; }));
  ExpectCaughtUp();
  EXPECT_FALSE(Residential(987654, D(2001, 1, 1)));
  EXPECT_TRUE(Residential(cell_a, D(2019, 12, 31)));
  EXPECT_TRUE(Residential(cell_b, D(2022, 12, 31)));
  EXPECT_FALSE(Residential(cell_b, D(2023, 1, 1)));
  EXPECT_EQ(ProjectedCoverings(), 2);
}

TEST_F(OrgFeedFollowerUnitsTest, StopsAtACoveringItCannotApplyUntilTheEntryIsFixed) {
  const int64_t district = Create("HUYEN", "DANG_BO_HUYEN", root_);
  const int64_t commune = Create("XA", "DANG_BO_CO_SO", district);
  const int64_t cell = Create("THON", "CHI_BO_TRUC_THUOC", commune);
  NewUnit(commune, cell, "2016-01-01");
  OrgFeedFollower& follower = StartFollower();
  ExpectCaughtUp();

  orgpb::CoveringPeriod backwards;
  backwards.set_name("residentialUnits/999/coverings/999");
  backwards.set_unit("residentialUnits/999");
  backwards.set_cell(common::api::MakeName("organizations", cell));
  backwards.set_valid_from("2021-01-01");
  backwards.set_valid_to("2020-01-01");  // ends before it starts
  const int64_t bad = AppendEntry(kUnitCoveringResource, backwards.name(), backwards);
  const int64_t after_bad = Create("THON-SAU", "CHI_BO_TRUC_THUOC", commune);

  EXPECT_TRUE(Eventually([&] { return Blocked("bad_change") == 1; }));
  EXPECT_EQ(follower.BlockedAt().sequence, bad);
  EXPECT_FALSE(follower.Ready());
  EXPECT_EQ(ProjectedCoverings(), 1) << "the refused covering wrote nothing";
  EXPECT_FALSE(Projected(after_bad)) << "nothing after the blocked change is applied";

  backwards.set_valid_to("");  // the producer's fix: an open period
  RewriteEntry(bad, backwards);
  ExpectCaughtUp();
  EXPECT_EQ(Blocked("bad_change"), 0);
  EXPECT_TRUE(Projected(after_bad));
  EXPECT_EQ(ProjectedCoverings(), 2);
}

}  // namespace
}  // namespace grassroots::orgtree
