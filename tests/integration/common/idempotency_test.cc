// RunIdempotent (AIP-155): one create per (actor, method, request_id), replays
// return the stored response, a reused id with another request is refused.
#include <atomic>
#include <thread>

#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/feed/retention.h"
#include "common/status/status.h"
#include "tests/support/test_db.h"

namespace grassroots::common::feed {
namespace {

using grassroots::testing::TestDatabase;
namespace feedpb = ::grassroots::feed::v1;

constexpr std::string_view kMethod = "/grassroots.test.v1.ThingService/CreateThing";

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create("idem", {&db::CommonMigrations()}, 16);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Execute("CREATE TABLE things (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                             " code VARCHAR(32) NOT NULL UNIQUE) ENGINE=InnoDB")
                    .ok());
  }

  // The "create" under test: inserts a thing (unique code), records the
  // change, and answers with a FeedHead carrying the new id.
  absl::StatusOr<feedpb::FeedHead> Create(const std::string& actor, const std::string& request_id,
                                          const std::string& code, double sleep_seconds = 0) {
    feedpb::StreamChangesRequest request;  // any message stands in for the request
    request.add_resource_types(code);
    WriteContext context{actor, request_id};
    return RunIdempotentTyped<feedpb::FeedHead>(
        db_->pool(), "create_thing", context, kMethod, request_id, request,
        [&](db::Session& s) -> absl::StatusOr<feedpb::FeedHead> {
          ++creates_;
          sql::PreparedStatement& insert = s.Prepare("INSERT INTO things (code) VALUES (?)");
          insert.setString(1, code);
          insert.executeUpdate();
          feedpb::FeedHead response;
          response.set_last_sequence(s.LastInsertId());
          if (sleep_seconds > 0) {
            sql::PreparedStatement& sleep = s.Prepare("DO SLEEP(?)");
            sleep.setDouble(1, sleep_seconds);
            sleep.execute();
          }
          ChangeRecord change{"thing", "things/" + std::to_string(response.last_sequence()), "created", &response};
          GR_RETURN_IF_ERROR(RecordChange(s, context, change));
          return response;
        });
  }
  int64_t Int(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::unique_ptr<TestDatabase> db_;
  std::atomic<int> creates_{0};
};

TEST_F(IdempotencyTest, SameRequestTwiceCreatesOnceAndReturnsTheSameResponse) {
  auto first = Create("alice", "req-1", "A");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Create("alice", "req-1", "A");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->SerializeAsString(), second->SerializeAsString());
  EXPECT_EQ(creates_.load(), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM things"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed"), 1);
}

TEST_F(IdempotencyTest, SameIdWithADifferentRequestIsInvalidArgument) {
  ASSERT_TRUE(Create("alice", "req-1", "A").ok());
  auto reused = Create("alice", "req-1", "B");
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument) << reused.status();
  EXPECT_EQ(FieldOf(reused.status()), "request_id");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM things"), 1);
}

TEST_F(IdempotencyTest, KeysAreScopedByActor) {
  ASSERT_TRUE(Create("alice", "req-1", "A").ok());
  ASSERT_TRUE(Create("bob", "req-1", "B").ok());
  EXPECT_EQ(creates_.load(), 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys"), 2);
}

TEST_F(IdempotencyTest, EmptyRequestIdDoesNotDeduplicate) {
  ASSERT_TRUE(Create("alice", "", "A").ok());
  ASSERT_TRUE(Create("alice", "", "B").ok());
  EXPECT_EQ(creates_.load(), 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys"), 0);
}

TEST_F(IdempotencyTest, FailedCreateStoresNothingAndCanBeRetried) {
  ASSERT_TRUE(Create("alice", "req-1", "A").ok());
  auto clash = Create("alice", "req-2", "A");  // unique code taken
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists) << clash.status();
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = 'req-2'"), 0);
  ASSERT_TRUE(db_->Execute("DELETE FROM things WHERE code = 'A'").ok());
  auto retried = Create("alice", "req-2", "A");
  EXPECT_TRUE(retried.ok()) << retried.status();
}

TEST_F(IdempotencyTest, ConcurrentDuplicatesRunCreateOnceAndAllGetTheWinnersResponse) {
  constexpr int kCallers = 8;
  std::vector<absl::StatusOr<feedpb::FeedHead>> results(kCallers, absl::UnknownError("not run"));
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    // The create holds its transaction open a while so the duplicates overlap.
    callers.emplace_back([&, i] { results[i] = Create("alice", "req-race", "R", 0.2); });
  }
  for (std::thread& t : callers) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->last_sequence(), results[0]->last_sequence());
  }
  EXPECT_EQ(creates_.load(), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM things"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed"), 1);
}

TEST_F(IdempotencyTest, RetentionRemovesKeysOlderThanItsDaysAndKeepsNewerOnes) {
  for (const char* id : {"old-1", "old-2", "old-3", "new-1", "new-2"}) {
    ASSERT_TRUE(Create("alice", id, id).ok());
  }
  ASSERT_TRUE(db_->Execute("UPDATE idempotency_keys SET created_at = created_at - INTERVAL 40 DAY "
                           "WHERE request_id LIKE 'old-%'")
                  .ok());
  ASSERT_TRUE(db_->Execute("UPDATE idempotency_keys SET created_at = created_at - INTERVAL 29 DAY "
                           "WHERE request_id = 'new-2'")
                  .ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys"), 5);

  RetentionPolicy policy;
  policy.idempotency_key_days = 30;
  policy.batch_size = 2;  // three old keys: two batches
  absl::StatusOr<RetentionResult> applied = ApplyRetention(db_->pool(), policy);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->idempotency_keys_removed, 3);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys"), 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM idempotency_keys WHERE request_id LIKE 'old-%'"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM change_feed"), 5) << "idempotency retention leaves the feed alone";

  // A kept key still replays; a forgotten one runs the create again (its
  // unique code now collides, which shows the create ran).
  const int creates = creates_.load();
  ASSERT_TRUE(Create("alice", "new-2", "new-2").ok());
  EXPECT_EQ(creates_.load(), creates);
  EXPECT_FALSE(Create("alice", "old-1", "old-1").ok());
  EXPECT_EQ(creates_.load(), creates + 1);
}

}  // namespace
}  // namespace grassroots::common::feed
