// ApplyMigrations: applies once, refuses edited files, serializes concurrent
// runners, reports the failing file.
#include <thread>

#include <gtest/gtest.h>

#include "common/db/db.h"
#include "common/status/status.h"
#include "tests/support/test_db.h"

namespace grassroots::common::db {
namespace {

using grassroots::testing::TestDatabase;

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create("migrations", {&CommonMigrations()});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  int64_t Int(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(MigrationsTest, CommonSchemaIsCreatedAndReRunIsANoOp) {
  const int64_t applied = Int("SELECT COUNT(*) FROM schema_migrations WHERE component = 'common'");
  EXPECT_EQ(applied, static_cast<int64_t>(CommonMigrations().size()));
  EXPECT_EQ(Int("SELECT COUNT(*) FROM feed_head"), 1);
  for (const char* table : {"change_feed", "feed_head", "audit_log", "idempotency_keys"}) {
    EXPECT_EQ(Int(std::string("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                              " AND TABLE_NAME = '") + table + "'"),
              1)
        << table;
  }
  ASSERT_TRUE(ApplyMigrations(db_->pool(), {&CommonMigrations()}).ok());
  ASSERT_TRUE(ApplyMigrations(db_->pool(), {&CommonMigrations()}).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM schema_migrations"), applied);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM feed_head"), 1);
  // No table uses a non-utf8mb4 character set for text.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                " AND CHARACTER_SET_NAME IS NOT NULL AND CHARACTER_SET_NAME NOT IN ('utf8mb4', 'ascii')"),
            0);
}

TEST_F(MigrationsTest, AppliesInVersionOrderAcrossComponents) {
  std::vector<Migration> first = {{"alpha", 2, "fill", "INSERT INTO a (x) VALUES (2);\n"},
                                  {"alpha", 1, "create", "CREATE TABLE a (x INT NOT NULL);\n"}};
  std::vector<Migration> second = {{"beta", 1, "copy", "CREATE TABLE b AS SELECT x FROM a;\n"}};
  ASSERT_TRUE(ApplyMigrations(db_->pool(), {&first, &second}).ok());
  EXPECT_EQ(Int("SELECT SUM(x) FROM b"), 2);
}

TEST_F(MigrationsTest, EditedAppliedMigrationIsRefusedNamingTheFile) {
  std::vector<Migration> v1 = {{"test", 1, "create_a", "CREATE TABLE a (x INT);\n"}};
  ASSERT_TRUE(ApplyMigrations(db_->pool(), {&v1}).ok());
  std::vector<Migration> edited = {{"test", 1, "create_a", "CREATE TABLE a (x BIGINT);\n"},
                                   {"test", 2, "create_b", "CREATE TABLE b (x INT);\n"}};
  absl::Status status = ApplyMigrations(db_->pool(), {&edited});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(std::string(status.message()).find("test/V0001__create_a.sql"), std::string::npos) << status;
  EXPECT_EQ(ReasonOf(status), "MIGRATION_CHECKSUM_MISMATCH");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                " AND TABLE_NAME = 'b'"),
            0)
      << "nothing is applied once a checksum mismatch is found";
}

TEST_F(MigrationsTest, FailingStatementNamesTheFileAndIsNotRecorded) {
  std::vector<Migration> broken = {{"test", 1, "broken", "CREATE TABLE ok_part (x INT);\nCREATE TABLE (;\n"}};
  absl::Status status = ApplyMigrations(db_->pool(), {&broken});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("test/V0001__broken.sql"), std::string::npos) << status;
  EXPECT_NE(std::string(status.message()).find("statement 2"), std::string::npos) << status;
  EXPECT_EQ(Int("SELECT COUNT(*) FROM schema_migrations WHERE component = 'test'"), 0);
}

TEST_F(MigrationsTest, ConcurrentRunnersApplyEachMigrationOnce) {
  // v2 is not idempotent: applied twice it would leave two rows.
  std::vector<Migration> set = {
      {"race", 1, "create", "CREATE TABLE r (x INT NOT NULL);\nDO SLEEP(0.2);\n"},
      {"race", 2, "fill", "INSERT INTO r (x) VALUES (1);\n"}};
  constexpr int kRunners = 4;
  std::vector<absl::Status> results(kRunners);
  std::vector<std::unique_ptr<ConnectionPool>> pools;
  for (int i = 0; i < kRunners; ++i) {
    auto pool = ConnectionPool::Create(db_->config(), nullptr);
    ASSERT_TRUE(pool.ok());
    pools.push_back(*std::move(pool));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] { results[i] = ApplyMigrations(*pools[i], {&CommonMigrations(), &set}); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Int("SELECT COUNT(*) FROM r"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM schema_migrations WHERE component = 'race'"), 2);
}

TEST_F(MigrationsTest, TruncateAllEmptiesTablesAndRestoresSeedRows) {
  ASSERT_TRUE(db_->Execute("UPDATE feed_head SET last_sequence = 42 WHERE id = 1").ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO audit_log (occurred_at, actor, action, resource_name, request_id, details)"
                           " VALUES (UTC_TIMESTAMP(6), 'a', 'x.y', 'r/1', 'q', '{}')")
                  .ok());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(db_->TruncateAll().ok());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log"), 0);
  EXPECT_EQ(Int("SELECT last_sequence FROM feed_head WHERE id = 1"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM feed_head"), 1);
  EXPECT_GT(Int("SELECT COUNT(*) FROM schema_migrations"), 0);
  std::cout << "TruncateAll took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

}  // namespace
}  // namespace grassroots::common::db
