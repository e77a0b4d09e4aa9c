// The change feed end to end: RecordChange under concurrency (ordered, gapless,
// exactly once) and ChangeFeedService over real gRPC on 127.0.0.1:0.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/audit_chain.h"
#include "common/feed/feed.h"
#include "common/feed/retention.h"
#include "common/status/status.h"
#include "tests/support/test_db.h"

namespace grassroots::common::feed {
namespace {

using grassroots::testing::TestDatabase;
namespace feedpb = ::grassroots::feed::v1;

constexpr int kWriters = 8;
constexpr int kWritesPerWriter = 200;
constexpr int kTotal = kWriters * kWritesPerWriter;

// Payload that identifies the write: writer * 10000 + index.
feedpb::FeedHead Payload(int writer, int index) {
  feedpb::FeedHead payload;
  payload.set_last_sequence(writer * 10000 + index);
  return payload;
}

class FeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto keys = auth::GenerateRsaKeyPairPem();
    ASSERT_TRUE(keys.ok()) << keys.status();
    AuthConfig config;
    config.issuer = "feed-test";
    config.audience = "grassroots";
    auto signer = auth::TokenSigner::FromPrivateKeyPem(keys->first, config.issuer, config.audience);
    ASSERT_TRUE(signer.ok()) << signer.status();
    auto verifier = auth::TokenVerifier::FromPublicKeyPem(keys->second, config);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    signer_ = signer->release();
    verifier_ = std::shared_ptr<const auth::TokenVerifier>(std::move(*verifier));
  }
  static void TearDownTestSuite() {
    delete signer_;
    signer_ = nullptr;
    verifier_.reset();
  }

  void SetUp() override {
    auto db = TestDatabase::Create("feed", {&db::CommonMigrations()}, 16);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  void TearDown() override { StopServer(); }

  void StartServer(FeedServiceOptions options = {}) {
    auth::MethodPolicy policy;
    AllowFeedMethods(policy);
    authorizer_ = std::make_unique<auth::Authorizer>(verifier_, policy);
    registry_ = std::make_shared<prometheus::Registry>();
    service_ = std::make_unique<ChangeFeedServiceImpl>(db_->pool(), *authorizer_, registry_, options);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    stub_ = feedpb::ChangeFeedService::NewStub(channel_);
  }
  void StopServer() {
    if (service_) service_->StopStreams();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_.reset();
    service_.reset();
  }

  static std::string Token(std::vector<auth::Role> roles) {
    auth::Claims claims;
    claims.subject = "feed-test-client";
    claims.roles = std::move(roles);
    claims.scope_org_id = 1;
    auto token = signer_->Mint(claims, absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  static void Authorize(grpc::ClientContext& context, const std::string& token, int seconds = 30) {
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  }

  // The sequence the write's change got, read once the write returned (the
  // writer waits for the sequencer's round, so it is numbered by then).
  absl::StatusOr<int64_t> Write(int writer, int index, bool fail_after = false) {
    feedpb::FeedHead payload = Payload(writer, index);
    WriteContext context{"writer-" + std::to_string(writer), "req-" + std::to_string(writer) + "-" + std::to_string(index)};
    const std::string name = "things/" + std::to_string(writer * 10000 + index);
    absl::Status written = db_->pool().RunInTransaction("test_write", [&](db::Session& s) -> absl::Status {
      ChangeRecord change;
      change.resource_type = "thing";
      change.resource_name = name;
      change.action = "created";
      change.resource = &payload;
      change.audit_details = {{"writer", writer}};
      GR_RETURN_IF_ERROR(RecordChange(s, context, change));
      if (fail_after) return absl::FailedPreconditionError("rolled back on purpose");
      return absl::OkStatus();
    });
    if (!written.ok()) return written;
    return db_->QueryInt("SELECT COALESCE(MAX(sequence), -1) FROM change_feed WHERE resource_name = '" + name + "'");
  }

  // Reads with follow=false from `after` to the end.
  std::vector<feedpb::Change> ReadAll(int64_t after, int batch_size = 0, std::vector<std::string> types = {}) {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    feedpb::StreamChangesRequest request;
    request.set_after_sequence(after);
    request.set_batch_size(batch_size);
    for (auto& t : types) request.add_resource_types(t);
    auto reader = stub_->StreamChanges(&context, request);
    std::vector<feedpb::Change> out;
    feedpb::Change change;
    while (reader->Read(&change)) out.push_back(change);
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // A change of `name` whose payload carries `value` (its state after the change).
  void WriteState(const std::string& type, const std::string& name, const std::string& action, int value) {
    feedpb::FeedHead payload;
    payload.set_last_sequence(value);
    ASSERT_TRUE(db_->pool()
                    .RunInTransaction("test_state",
                                      [&](db::Session& s) {
                                        return RecordChange(s, WriteContext{"w", "r"},
                                                            ChangeRecord{type, name, action, &payload});
                                      })
                    .ok());
  }

  // What a consumer that upserts each change's full state holds after reading
  // `changes` on top of `state`: per resource, its last action and value.
  using ConsumerState = std::map<std::string, std::pair<std::string, int64_t>>;
  static ConsumerState Apply(ConsumerState state, const std::vector<feedpb::Change>& changes) {
    for (const feedpb::Change& change : changes) {
      feedpb::FeedHead payload;
      EXPECT_TRUE(change.resource().UnpackTo(&payload));
      state[change.resource_type() + " " + change.resource_name()] = {change.action(), payload.last_sequence()};
    }
    return state;
  }

  int64_t Int(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  static auth::TokenSigner* signer_;
  static std::shared_ptr<const auth::TokenVerifier> verifier_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<auth::Authorizer> authorizer_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<ChangeFeedServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<feedpb::ChangeFeedService::Stub> stub_;
};

auth::TokenSigner* FeedTest::signer_ = nullptr;
std::shared_ptr<const auth::TokenVerifier> FeedTest::verifier_;

TEST_F(FeedTest, ConcurrentWritersGetGaplessOrderedSequencesAndAFollowerSeesEveryOne) {
  StartServer();
  // The follower starts before the writers and must see every change in order.
  std::vector<feedpb::Change> followed;
  grpc::Status follow_status;
  grpc::ClientContext follow_context;
  Authorize(follow_context, Token({auth::Role::kService}), 120);
  std::thread follower([&] {
    feedpb::StreamChangesRequest request;
    request.set_follow(true);
    request.set_batch_size(37);
    auto reader = stub_->StreamChanges(&follow_context, request);
    feedpb::Change change;
    while (static_cast<int>(followed.size()) < kTotal && reader->Read(&change)) followed.push_back(change);
    follow_context.TryCancel();
    follow_status = reader->Finish();
  });

  std::vector<std::vector<int64_t>> sequences(kWriters);
  std::vector<std::thread> writers;
  const auto start = std::chrono::steady_clock::now();
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kWritesPerWriter; ++i) {
        auto sequence = Write(w, i);
        ASSERT_TRUE(sequence.ok()) << sequence.status();
        sequences[w].push_back(*sequence);
      }
    });
  }
  for (std::thread& t : writers) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << kTotal << " feed writes from " << kWriters << " threads in " << seconds << " s ("
            << kTotal / seconds << " writes/s)\n";
  follower.join();

  // Each writer saw its own sequences increase; together they are 1..N exactly once.
  std::vector<int64_t> all;
  for (const auto& own : sequences) {
    EXPECT_TRUE(std::is_sorted(own.begin(), own.end()));
    all.insert(all.end(), own.begin(), own.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) ASSERT_EQ(all[i], i + 1);

  ASSERT_EQ(followed.size(), static_cast<size_t>(kTotal));
  std::set<int64_t> payloads;
  for (int i = 0; i < kTotal; ++i) {
    ASSERT_EQ(followed[i].sequence(), i + 1) << "follower saw a gap or reordering";
    feedpb::FeedHead payload;
    ASSERT_TRUE(followed[i].resource().UnpackTo(&payload));
    payloads.insert(payload.last_sequence());
    EXPECT_EQ(followed[i].resource_name(), "things/" + std::to_string(payload.last_sequence()));
    EXPECT_EQ(followed[i].resource_type(), "thing");
    EXPECT_EQ(followed[i].action(), "created");
    EXPECT_TRUE(absl::StartsWith(followed[i].actor(), "writer-"));
    EXPECT_TRUE(absl::StartsWith(followed[i].request_id(), "req-"));
    EXPECT_GT(followed[i].commit_time().seconds(), 1700000000);
  }
  EXPECT_EQ(payloads.size(), static_cast<size_t>(kTotal)) << "every write appears exactly once";
  EXPECT_EQ(follow_status.error_code(), grpc::StatusCode::CANCELLED);

  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed"), kTotal);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log"), kTotal);
  EXPECT_EQ(Int("SELECT last_sequence FROM feed_head WHERE id = 1"), kTotal);

  // Resume from a cursor: exactly the rest, in order.
  std::vector<feedpb::Change> rest = ReadAll(1000, 64);
  ASSERT_EQ(rest.size(), static_cast<size_t>(kTotal - 1000));
  for (size_t i = 0; i < rest.size(); ++i) ASSERT_EQ(rest[i].sequence(), static_cast<int64_t>(1001 + i));

  grpc::ClientContext head_context;
  Authorize(head_context, Token({auth::Role::kService}));
  feedpb::FeedHead head;
  ASSERT_TRUE(stub_->GetFeedHead(&head_context, feedpb::GetFeedHeadRequest(), &head).ok());
  EXPECT_EQ(head.last_sequence(), kTotal);
  EXPECT_EQ(head.last_commit_time().seconds(), followed.back().commit_time().seconds());
}

// The sequencer's guarantees under writers that share resources and roll
// back at random, with a second feed service (another replica) on its own
// pool numbering beside this one: the follower gets every committed change
// once and no rolled-back one, numbered 1..N; a resource's changes keep the
// order its row lock gave them; and a change committed before another began
// has the lower number.
TEST_F(FeedTest, RandomRollbacksAndTwoReplicasKeepCommitOrderNoLossNoDuplicate) {
  StartServer();
  ASSERT_TRUE(db_->Execute("CREATE TABLE counters (id INT PRIMARY KEY, value BIGINT NOT NULL)").ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO counters VALUES (0, 0), (1, 0), (2, 0)").ok());
  DbConfig other_config = db_->config();
  auto other_pool = db::ConnectionPool::Create(other_config, nullptr);
  ASSERT_TRUE(other_pool.ok());
  auth::MethodPolicy policy;
  AllowFeedMethods(policy);
  ChangeFeedServiceImpl other_replica(**other_pool, *authorizer_, nullptr);

  constexpr int kRollbackWriters = 8;
  constexpr int kAttempts = 120;
  struct Committed {
    std::string name;
    int counter;
    int64_t value;
    std::chrono::steady_clock::time_point began, returned;
  };
  std::vector<std::vector<Committed>> committed(kRollbackWriters);
  std::atomic<int> rolled_back{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kRollbackWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 random(static_cast<unsigned>(w) * 7919u + 1u);
      db::ConnectionPool& pool = w % 2 == 0 ? db_->pool() : **other_pool;  // two replicas write
      for (int i = 0; i < kAttempts; ++i) {
        const int counter = static_cast<int>(random() % 3);
        const bool roll_back = random() % 4 == 0;
        Committed write{"things/" + std::to_string(w * 10000 + i), counter, 0, std::chrono::steady_clock::now(), {}};
        absl::Status status = pool.RunInTransaction("test.counter", [&](db::Session& s) -> absl::Status {
          sql::PreparedStatement& bump = s.Prepare("UPDATE counters SET value = value + 1 WHERE id = ?");
          bump.setInt(1, counter);
          bump.executeUpdate();
          sql::PreparedStatement& read = s.Prepare("SELECT value FROM counters WHERE id = ?");
          read.setInt(1, counter);
          std::unique_ptr<sql::ResultSet> rs = s.Query(read);
          rs->next();
          write.value = rs->getInt64(1);
          feedpb::FeedHead payload;  // the counter's state after the write
          payload.set_last_sequence(write.value);
          payload.set_epoch(write.name);
          GR_RETURN_IF_ERROR(RecordChange(s, WriteContext{"w", "r"},
                                          ChangeRecord{"counter", "counters/" + std::to_string(counter), "bumped",
                                                       &payload}));
          if (roll_back) return absl::AbortedError("rolled back on purpose");
          return absl::OkStatus();
        });
        write.returned = std::chrono::steady_clock::now();
        if (status.ok()) {
          committed[w].push_back(write);
        } else {
          ASSERT_TRUE(roll_back) << status;
          ++rolled_back;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  other_replica.StopStreams();
  EXPECT_GT(rolled_back.load(), 0);

  std::vector<Committed> all;
  for (const auto& own : committed) all.insert(all.end(), own.begin(), own.end());
  const std::vector<feedpb::Change> feed = ReadAll(0);
  ASSERT_EQ(feed.size(), all.size()) << "every committed change once, no rolled-back one";
  std::map<std::string, int64_t> sequence_of;  // write name -> its number
  std::map<std::string, int64_t> last_value;   // per counter, along the feed
  for (size_t i = 0; i < feed.size(); ++i) {
    ASSERT_EQ(feed[i].sequence(), static_cast<int64_t>(i + 1));
    feedpb::FeedHead payload;
    ASSERT_TRUE(feed[i].resource().UnpackTo(&payload));
    ASSERT_TRUE(sequence_of.emplace(payload.epoch(), feed[i].sequence()).second) << payload.epoch() << " twice";
    EXPECT_GT(payload.last_sequence(), last_value[feed[i].resource_name()])
        << feed[i].resource_name() << " goes back in the feed at " << feed[i].sequence();
    last_value[feed[i].resource_name()] = payload.last_sequence();
  }
  // Commit order: a write that returned before another began has the lower number.
  std::sort(all.begin(), all.end(), [](const Committed& a, const Committed& b) { return a.returned < b.returned; });
  std::vector<Committed> by_start = all;
  std::sort(by_start.begin(), by_start.end(), [](const Committed& a, const Committed& b) { return a.began < b.began; });
  size_t finished = 0;
  int64_t highest_finished = 0;
  for (const Committed& later : by_start) {
    while (finished < all.size() && all[finished].returned < later.began) {
      highest_finished = std::max(highest_finished, sequence_of.at(all[finished].name));
      ++finished;
    }
    ASSERT_LT(highest_finished, sequence_of.at(later.name)) << later.name << " began after a later-numbered write returned";
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log WHERE chain_position IS NULL"), 0);
  absl::StatusOr<AuditVerification> verified = VerifyAuditChain(db_->pool(), "");
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->first_bad_entry) << verified->problem;
  EXPECT_EQ(verified->entries_checked, static_cast<int64_t>(all.size()));
}

TEST_F(FeedTest, RolledBackWriteLeavesNoGap) {
  StartServer();
  ASSERT_EQ(*Write(0, 1), 1);
  auto failed = Write(0, 2, /*fail_after=*/true);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(*Write(0, 3), 2);
  std::vector<feedpb::Change> changes = ReadAll(0);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].sequence(), 2);
  EXPECT_EQ(changes[1].resource_name(), "things/3");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log"), 2) << "the audit entry rolls back with the write";
}

TEST_F(FeedTest, FiltersByResourceType) {
  StartServer();
  ASSERT_TRUE(Write(0, 1).ok());
  ASSERT_TRUE(db_->pool().RunInTransaction("other", [](db::Session& s) -> absl::Status {
                       feedpb::FeedHead payload;
                       ChangeRecord change{"other", "others/1", "updated", &payload};
                       return RecordChange(s, WriteContext{"a", "r"}, change);
                     }).ok());
  std::vector<feedpb::Change> things = ReadAll(0, 0, {"thing"});
  ASSERT_EQ(things.size(), 1u);
  EXPECT_EQ(things[0].resource_type(), "thing");
  std::vector<feedpb::Change> others = ReadAll(0, 0, {"other"});
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].sequence(), 2);
}

TEST_F(FeedTest, MethodPolicyAllowsOnlyTheServiceRole) {
  StartServer();
  feedpb::FeedHead head;
  {
    grpc::ClientContext context;
    Authorize(context, "");
    EXPECT_EQ(stub_->GetFeedHead(&context, {}, &head).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  for (auth::Role refused : {auth::Role::kMember, auth::Role::kAdmin, auth::Role::kPortal}) {
    grpc::ClientContext context;
    Authorize(context, Token({refused}));
    EXPECT_EQ(stub_->GetFeedHead(&context, {}, &head).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kSecretary}));
    auto reader = stub_->StreamChanges(&context, feedpb::StreamChangesRequest());
    feedpb::Change change;
    EXPECT_FALSE(reader->Read(&change));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    ASSERT_TRUE(stub_->GetFeedHead(&context, {}, &head).ok());
    EXPECT_EQ(head.last_sequence(), 0);
    EXPECT_FALSE(head.has_last_commit_time());
  }
  {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    feedpb::StreamChangesRequest request;
    request.set_after_sequence(-1);
    auto reader = stub_->StreamChanges(&context, request);
    feedpb::Change change;
    EXPECT_FALSE(reader->Read(&change));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(FeedTest, ConcurrentStreamsAreCappedAndStopStreamsEndsFollowers) {
  FeedServiceOptions options;
  options.max_concurrent_streams = 1;
  options.poll_interval_ms = 50;
  StartServer(options);
  ASSERT_TRUE(Write(0, 1).ok());

  grpc::ClientContext first_context;
  Authorize(first_context, Token({auth::Role::kService}));
  feedpb::StreamChangesRequest follow;
  follow.set_follow(true);
  auto first = stub_->StreamChanges(&first_context, follow);
  feedpb::Change change;
  ASSERT_TRUE(first->Read(&change));  // the stream is open and counted
  EXPECT_EQ(change.sequence(), 1);

  {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    auto second = stub_->StreamChanges(&context, follow);
    EXPECT_FALSE(second->Read(&change));
    EXPECT_EQ(second->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }

  // A change committed while following arrives within a few poll intervals.
  const auto written = std::chrono::steady_clock::now();
  ASSERT_TRUE(Write(0, 2).ok());
  ASSERT_TRUE(first->Read(&change));
  EXPECT_EQ(change.sequence(), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - written, std::chrono::milliseconds(1000));

  const auto stop = std::chrono::steady_clock::now();
  service_->StopStreams();
  EXPECT_FALSE(first->Read(&change));
  EXPECT_EQ(first->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(std::chrono::steady_clock::now() - stop, std::chrono::milliseconds(1000));

  for (const auto& family : registry_->Collect()) {
    if (family.name == "feed_streams_active") {
      EXPECT_EQ(family.metric.at(0).gauge.value, 0);
    } else if (family.name == "feed_changes_sent_total") {
      EXPECT_EQ(family.metric.at(0).counter.value, 2);
    } else if (family.name == "feed_last_sequence") {
      EXPECT_EQ(family.metric.at(0).gauge.value, 2);
    }
  }
}

// ---- epoch, cursor checks and retention ----------------------------------------

TEST_F(FeedTest, HeadCarriesAStableEpochAndTheFirstSequenceKept) {
  StartServer();
  auto head = [&] {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    feedpb::FeedHead out;
    grpc::Status status = stub_->GetFeedHead(&context, {}, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  };
  const feedpb::FeedHead empty = head();
  EXPECT_EQ(empty.first_sequence(), 0) << "an empty feed";
  EXPECT_EQ(empty.epoch().size(), 32u) << empty.epoch();
  ASSERT_TRUE(Write(0, 1).ok());
  ASSERT_TRUE(Write(0, 2).ok());
  const feedpb::FeedHead written = head();
  EXPECT_EQ(written.first_sequence(), 1);
  EXPECT_EQ(written.last_sequence(), 2);
  EXPECT_EQ(written.epoch(), empty.epoch()) << "the epoch is drawn once per database";

  // Another database (a rebuilt producer) has another epoch.
  auto other = TestDatabase::Create("feed_other", {&db::CommonMigrations()}, 2);
  ASSERT_TRUE(other.ok()) << other.status();
  auto other_epoch = (*other)->pool().Read<std::string>("test.epoch", [](db::Session& s) -> absl::StatusOr<std::string> {
    std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare("SELECT epoch FROM feed_head WHERE id = 1"));
    if (!rs->next()) return absl::NotFoundError("no feed_head");
    return std::string(rs->getString(1));
  });
  ASSERT_TRUE(other_epoch.ok()) << other_epoch.status();
  EXPECT_NE(*other_epoch, written.epoch());
}

TEST_F(FeedTest, ASchemaFromBeforeEpochsGetsOneOnUpgradeAndKeepsItsLog) {
  // Only the first common migration: a database created before epochs.
  const std::vector<db::Migration> before_epochs = {db::CommonMigrations().front()};
  auto old = TestDatabase::Create("feed_upgrade", {&before_epochs}, 2);
  ASSERT_TRUE(old.ok()) << old.status();
  // A write as the code of that time made it (today's code needs the later columns).
  ASSERT_TRUE((*old)->Execute("UPDATE feed_head SET last_sequence = 1, last_commit_time = UTC_TIMESTAMP(6)").ok());
  ASSERT_TRUE((*old)
                  ->Execute("INSERT INTO change_feed (sequence, resource_type, resource_name, action, commit_time, "
                            "actor, request_id, resource) VALUES (1, 'thing', 'things/1', 'created', "
                            "UTC_TIMESTAMP(6), 'a', 'r', '')")
                  .ok());
  ASSERT_TRUE((*old)
                  ->Execute("INSERT INTO audit_log (occurred_at, actor, action, resource_name, request_id, details) "
                            "VALUES (UTC_TIMESTAMP(6), 'a', 'thing.created', 'things/1', 'r', '{}')")
                  .ok());
  ASSERT_TRUE(db::ApplyMigrations((*old)->pool(), {&db::CommonMigrations()}).ok());
  EXPECT_EQ((*old)->QueryInt("SELECT COUNT(*) FROM feed_head WHERE LENGTH(epoch) = 32").value_or(-1), 1);
  EXPECT_EQ((*old)->QueryInt("SELECT last_sequence FROM feed_head").value_or(-1), 1);
  // Entries written after the upgrade are chained; the older one stays before the chain.
  feedpb::FeedHead payload;
  ASSERT_TRUE((*old)->pool().RunInTransaction("test.new_write", [&](db::Session& s) {
                 return RecordChange(s, WriteContext{"a", "r"}, ChangeRecord{"thing", "things/1", "updated", &payload});
               }).ok());
  EXPECT_EQ((*old)->QueryInt("SELECT last_sequence FROM feed_head").value_or(-1), 2);
  absl::StatusOr<AuditVerification> verified = VerifyAuditChain((*old)->pool(), "");
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->first_bad_entry) << verified->problem;
  EXPECT_EQ(verified->unchained_before, 1);
  EXPECT_EQ(verified->entries_checked, 1);
}

TEST_F(FeedTest, AnotherEpochOrACursorAheadIsRefusedAtOnceEvenWhenFollowing) {
  FeedServiceOptions options;
  options.poll_interval_ms = 5000;  // a wait would show in the elapsed time
  StartServer(options);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Write(0, i).ok());
  grpc::ClientContext head_context;
  Authorize(head_context, Token({auth::Role::kService}));
  feedpb::FeedHead head;
  ASSERT_TRUE(stub_->GetFeedHead(&head_context, {}, &head).ok());

  auto refusal = [&](int64_t after, const std::string& epoch) {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    feedpb::StreamChangesRequest request;
    request.set_after_sequence(after);
    request.set_expected_epoch(epoch);
    request.set_follow(true);
    const auto started = std::chrono::steady_clock::now();
    auto reader = stub_->StreamChanges(&context, request);
    feedpb::Change change;
    EXPECT_FALSE(reader->Read(&change)) << "no change is sent before the refusal";
    const absl::Status status = FromGrpcStatus(reader->Finish());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000)) << "it did not wait";
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    return ReasonOf(status);
  };
  EXPECT_EQ(refusal(0, "0123456789abcdef0123456789abcdef"), "FEED_EPOCH_MISMATCH");
  EXPECT_EQ(refusal(4, head.epoch()), "CURSOR_AHEAD_OF_FEED");
  EXPECT_EQ(refusal(4, ""), "CURSOR_AHEAD_OF_FEED") << "checked on a first read too";

  // The right epoch at the head: nothing to send, not refused.
  grpc::ClientContext context;
  Authorize(context, Token({auth::Role::kService}));
  feedpb::StreamChangesRequest request;
  request.set_after_sequence(3);
  request.set_expected_epoch(head.epoch());
  auto reader = stub_->StreamChanges(&context, request);
  feedpb::Change change;
  EXPECT_FALSE(reader->Read(&change));
  EXPECT_TRUE(reader->Finish().ok());
}

// A cursor at a change the feed holds as the consumer saw it resumes; the
// same position holding a change committed at another time (the database was
// restored and written again past the cursor) is refused, and so is a cursor
// whose own entry retention removed when a newer one below it is later.
TEST_F(FeedTest, ACursorWhoseChangeTheFeedNoLongerHoldsIsRefusedAsDiverged) {
  StartServer();
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Write(0, i).ok());
  const std::vector<feedpb::Change> seen = ReadAll(0);
  ASSERT_EQ(seen.size(), 3u);

  auto open = [&](int64_t after, const google::protobuf::Timestamp& commit_time) {
    grpc::ClientContext context;
    Authorize(context, Token({auth::Role::kService}));
    feedpb::StreamChangesRequest request;
    request.set_after_sequence(after);
    *request.mutable_after_commit_time() = commit_time;
    auto reader = stub_->StreamChanges(&context, request);
    feedpb::Change change;
    while (reader->Read(&change)) {
    }
    return FromGrpcStatus(reader->Finish());
  };
  EXPECT_TRUE(open(2, seen[1].commit_time()).ok()) << "the change at the cursor is the one applied";
  EXPECT_TRUE(open(3, seen[2].commit_time()).ok());

  google::protobuf::Timestamp earlier = seen[1].commit_time();
  earlier.set_seconds(earlier.seconds() - 60);
  const absl::Status other_change = open(2, earlier);
  EXPECT_EQ(other_change.code(), absl::StatusCode::kFailedPrecondition) << other_change;
  EXPECT_EQ(ReasonOf(other_change), "FEED_DIVERGED");

  // Retention took the cursor's own entry: the newest one below it must not be later.
  ASSERT_TRUE(db_->Execute("DELETE FROM change_feed WHERE sequence = 2").ok());
  EXPECT_TRUE(open(2, seen[1].commit_time()).ok());
  EXPECT_EQ(ReasonOf(open(2, earlier)), "FEED_DIVERGED");
}

TEST_F(FeedTest, ANewConsumerReadingFromZeroGetsEveryChangeEverWritten) {
  StartServer();
  constexpr int kChanges = 120;
  for (int i = 1; i <= kChanges; ++i) ASSERT_TRUE(Write(i % 3, i).ok());
  grpc::ClientContext head_context;
  Authorize(head_context, Token({auth::Role::kService}));
  feedpb::FeedHead head;
  ASSERT_TRUE(stub_->GetFeedHead(&head_context, {}, &head).ok());
  EXPECT_EQ(head.first_sequence(), 1) << "the whole log is kept";
  EXPECT_EQ(head.last_sequence(), kChanges);

  std::vector<feedpb::Change> all = ReadAll(0, 50);
  ASSERT_EQ(all.size(), static_cast<size_t>(kChanges));
  std::set<std::string> names;
  for (int i = 0; i < kChanges; ++i) {
    EXPECT_EQ(all[i].sequence(), i + 1);
    names.insert(all[i].resource_name());
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kChanges)) << "every write, once";
}

TEST_F(FeedTest, CompactionKeepsTheNewestEntryPerResourceAndAFreshConsumerReachesTheSameState) {
  StartServer();
  // Past the retention (backdated below): things/1 superseded later by a
  // recent entry, things/2 only old entries, things/3 ends in a tombstone,
  // things/4 one entry, and a type kept whole.
  for (int v = 1; v <= 3; ++v) WriteState("thing", "things/1", v == 1 ? "created" : "updated", v);
  for (int v = 1; v <= 3; ++v) WriteState("thing", "things/2", v == 1 ? "created" : "updated", 10 + v);
  WriteState("thing", "things/3", "created", 21);
  WriteState("thing", "things/3", "updated", 22);
  WriteState("thing", "things/3", "deleted", 0);
  WriteState("thing", "things/4", "created", 31);
  for (int v = 1; v <= 3; ++v) WriteState("history", "histories/1", "changed", 40 + v);
  const int64_t old_head = Int("SELECT last_sequence FROM feed_head");
  ASSERT_TRUE(db_->Execute("UPDATE change_feed SET commit_time = commit_time - INTERVAL 100 DAY").ok());
  // Within the retention: kept whatever supersedes them.
  WriteState("thing", "things/1", "updated", 4);
  WriteState("thing", "things/5", "created", 51);
  WriteState("thing", "things/5", "updated", 52);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed"), 16);

  const std::vector<feedpb::Change> full_log = ReadAll(0);
  ASSERT_EQ(full_log.size(), 16u);
  const ConsumerState full = Apply({}, full_log);
  // A consumer that had read part of the log before the compaction.
  const std::vector<feedpb::Change> first_part(full_log.begin(), full_log.begin() + 5);

  RetentionPolicy policy;
  policy.feed_days = 90;
  policy.batch_size = 2;
  policy.feed_types_kept_whole = {"history"};
  absl::StatusOr<RetentionResult> applied = ApplyRetention(db_->pool(), policy);
  ASSERT_TRUE(applied.ok()) << applied.status();
  // things/1: its 3 old entries; things/2: 2; things/3: 2 (the tombstone stays).
  EXPECT_EQ(applied->feed_entries_removed, 7);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed"), 9);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed WHERE resource_type = 'history'"), 3) << "kept whole";
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed WHERE resource_name = 'things/3' AND action = 'deleted'"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed WHERE resource_name = 'things/5'"), 2) << "within the retention";
  EXPECT_EQ(Int("SELECT MAX(sequence) FROM change_feed"), old_head + 3) << "the newest entries stay";

  const std::vector<feedpb::Change> compacted = ReadAll(0);
  ASSERT_EQ(compacted.size(), 9u);
  EXPECT_EQ(Apply({}, compacted), full) << "a fresh consumer reaches the same state";
  std::vector<feedpb::Change> rest = ReadAll(first_part.back().sequence());
  EXPECT_EQ(Apply(Apply({}, first_part), rest), full) << "so does one that had read part of the log";

  grpc::ClientContext head_context;
  Authorize(head_context, Token({auth::Role::kService}));
  feedpb::FeedHead head;
  ASSERT_TRUE(stub_->GetFeedHead(&head_context, {}, &head).ok());
  EXPECT_GT(head.first_sequence(), 1);
  EXPECT_EQ(head.last_sequence(), old_head + 3);

  // A second run finds nothing more to remove.
  applied = ApplyRetention(db_->pool(), policy);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->feed_entries_removed, 0);
}

TEST_F(FeedTest, AuditRetentionRemovesOnlyBelowASignedCheckpointAndTheChainStillVerifies) {
  const std::string key = "retention-test-checkpoint-key";
  const auto checkpoint = [&] {
    ASSERT_TRUE(db_->pool()
                    .RunInTransaction("test_checkpoint",
                                      [&](db::Session& s) { return WriteAuditCheckpoint(s, "k1", key).status(); })
                    .ok());
  };
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(Write(1, i).ok());
  RetentionPolicy policy;
  policy.audit_days = 0;  // every entry is past it: only the checkpoints limit what goes
  policy.batch_size = 2;
  absl::StatusOr<RetentionResult> applied = ApplyRetention(db_->pool(), policy);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->audit_entries_removed, 0) << "no checkpoint: nothing may go";
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log"), 5);

  checkpoint();  // signs entry 5
  for (int i = 6; i <= 10; ++i) ASSERT_TRUE(Write(1, i).ok());
  checkpoint();  // signs entry 10
  for (int i = 11; i <= 13; ++i) ASSERT_TRUE(Write(1, i).ok());
  const int64_t signed_id = Int("SELECT MAX(audit_id) FROM audit_checkpoints");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log"), 13);

  policy.audit_days = 3650;
  applied = ApplyRetention(db_->pool(), policy);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->audit_entries_removed, 0) << "nothing is ten years old";

  policy.audit_days = 0;
  applied = ApplyRetention(db_->pool(), policy);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->audit_entries_removed, 9);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log"), 4);
  EXPECT_EQ(Int("SELECT MIN(id) FROM audit_log"), signed_id) << "the newest signed entry is the first left";

  absl::StatusOr<AuditVerification> verified = VerifyAuditChain(db_->pool(), key);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->first_bad_entry) << verified->problem;
  EXPECT_EQ(verified->entries_checked, 4);
  EXPECT_EQ(verified->checkpoints_checked, 2);
  // Tampering left after the retention still shows.
  ASSERT_TRUE(db_->Execute("UPDATE audit_log SET actor = 'someone-else' ORDER BY id DESC LIMIT 1")
                  .ok());
  verified = VerifyAuditChain(db_->pool(), key);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->first_bad_entry);
}

}  // namespace
}  // namespace grassroots::common::feed
