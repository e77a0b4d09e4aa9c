// RunInTransaction: commit, rollback on error or exception, deadlock retry
// (bounded), and no retry of a domain ABORTED.
#include <atomic>
#include <barrier>
#include <thread>

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include "common/db/db.h"
#include "tests/support/test_db.h"

namespace grassroots::common::db {
namespace {

using grassroots::testing::TestDatabase;

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create("txn", {&CommonMigrations()});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB").ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO accounts VALUES (1, 100), (2, 100)").ok());
  }
  int64_t Count(const std::string& where = "1") {
    auto n = db_->QueryInt("SELECT COUNT(*) FROM accounts WHERE " + where);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }
  static void Insert(Session& s, int id) {
    sql::PreparedStatement& ps = s.Prepare("INSERT INTO accounts (id, balance) VALUES (?, 0)");
    ps.setInt(1, id);
    ps.executeUpdate();
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(TransactionTest, CommitsWhenFnSucceeds) {
  ASSERT_TRUE(db_->pool().RunInTransaction("insert", [](Session& s) {
                           Insert(s, 10);
                           Insert(s, 11);
                           return absl::OkStatus();
                         }).ok());
  EXPECT_EQ(Count(), 4);
}

TEST_F(TransactionTest, ErrorStatusRollsBackEverything) {
  absl::Status status = db_->pool().RunInTransaction("insert", [](Session& s) {
    Insert(s, 10);
    Insert(s, 11);
    return absl::FailedPreconditionError("rule broken after the writes");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count(), 2);
}

TEST_F(TransactionTest, SqlExceptionRollsBackAndIsMapped) {
  absl::Status status = db_->pool().RunInTransaction("insert", [](Session& s) {
    Insert(s, 10);
    Insert(s, 1);  // duplicate key
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(Count(), 2);
  // The connection went back clean (no open transaction): a later autocommit
  // write on the same single-connection pool is durable on its own.
  DbConfig config = db_->config();
  config.pool_size = 1;
  auto pool = ConnectionPool::Create(config, nullptr);
  ASSERT_TRUE(pool.ok());
  EXPECT_FALSE((*pool)->RunInTransaction("x", [](Session& s) {
                          Insert(s, 20);
                          return absl::InternalError("fail");
                        }).ok());
  ASSERT_TRUE((*pool)->Run("x", [](Session& s) {
                         Insert(s, 21);
                         return absl::OkStatus();
                       }).ok());
  EXPECT_EQ(Count("id = 20"), 0);
  EXPECT_EQ(Count("id = 21"), 1);
}

// A COMMIT the server did not carry out is a failure, never an acknowledged
// write. (Connector/C++ 1.1's Connection::commit() drops the server's answer;
// seen as acknowledged creates lost when a Galera node lost quorum mid-commit,
// tests/integration/system/galera_failover_test.cc.) Here the session is
// killed from another connection just before its COMMIT.
TEST_F(TransactionTest, AFailedCommitIsNeverReportedAsCommitted) {
  bool after_commit_ran = false;
  absl::Status status = db_->pool().RunInTransaction("insert", [&](Session& s) {
    Insert(s, 10);
    std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare("SELECT CONNECTION_ID()"));
    if (!rs->next()) return absl::InternalError("no connection id");
    const absl::Status killed = db_->Execute("KILL CONNECTION " + std::to_string(rs->getInt64(1)));
    if (!killed.ok()) return killed;
    s.AfterCommit([&] { after_commit_ran = true; });
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(after_commit_ran);
  EXPECT_EQ(Count("id = 10"), 0);
  // The pool dropped the dead connection: the next transaction commits.
  ASSERT_TRUE(db_->pool().RunInTransaction("insert", [](Session& s) {
                           Insert(s, 11);
                           return absl::OkStatus();
                         }).ok());
  EXPECT_EQ(Count("id = 11"), 1);
}

TEST_F(TransactionTest, TransactReturnsTheValue) {
  auto balance = db_->pool().Transact<int>("read", [](Session& s) -> absl::StatusOr<int> {
    std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare("SELECT balance FROM accounts WHERE id = 1 FOR UPDATE"));
    if (!rs->next()) return absl::NotFoundError("account");
    return rs->getInt(1);
  });
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(*balance, 100);
}

TEST_F(TransactionTest, DeadlockVictimIsRetriedAndBothTransfersCommit) {
  // Two transfers lock the two rows in opposite order; the first attempts meet
  // at a barrier after their first lock, so InnoDB must pick a victim.
  std::barrier first_locks(2);
  std::atomic<int> attempts{0};
  auto transfer = [&](int from, int to) {
    bool first_attempt = true;
    return db_->pool().RunInTransaction("transfer", [&, from, to](Session& s) -> absl::Status {
      ++attempts;
      sql::PreparedStatement& debit = s.Prepare("UPDATE accounts SET balance = balance - 10 WHERE id = ?");
      debit.setInt(1, from);
      debit.executeUpdate();
      if (first_attempt) {
        first_attempt = false;
        first_locks.arrive_and_wait();
      }
      sql::PreparedStatement& credit = s.Prepare("UPDATE accounts SET balance = balance + 10 WHERE id = ?");
      credit.setInt(1, to);
      credit.executeUpdate();
      return absl::OkStatus();
    });
  };
  absl::Status a, b;
  std::thread ta([&] { a = transfer(1, 2); });
  std::thread tb([&] { b = transfer(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_GE(attempts.load(), 3) << "one side must have been retried";
  EXPECT_EQ(Count("balance = 100"), 2);  // both transfers applied exactly once
}

TEST_F(TransactionTest, DeadlockRetriesAreBounded) {
  int calls = 0;
  absl::Status status = db_->pool().RunInTransaction("always_deadlocks", [&](Session& s) -> absl::Status {
    ++calls;
    Insert(s, 100 + calls);
    throw sql::SQLException("Deadlock found when trying to get lock", "40001", 1213);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(Count(), 2);
}

TEST_F(TransactionTest, LockWaitTimeoutIsRetriedOnce) {
  int calls = 0;
  absl::Status status = db_->pool().RunInTransaction("lock_wait", [&](Session&) -> absl::Status {
    ++calls;
    throw sql::SQLException("Lock wait timeout exceeded", "HY000", 1205);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 2);
}

TEST_F(TransactionTest, SessionLockWaitIsShort) {
  auto seconds = db_->pool().Read<int64_t>("lock_wait", [](Session& s) -> absl::StatusOr<int64_t> {
    std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare("SELECT @@session.innodb_lock_wait_timeout"));
    if (!rs->next()) return absl::InternalError("no row");
    return rs->getInt64(1);
  });
  ASSERT_TRUE(seconds.ok());
  EXPECT_EQ(*seconds, 5);
}

TEST_F(TransactionTest, DomainAbortedIsNotRetried) {
  int calls = 0;
  absl::Status status = db_->pool().RunInTransaction("etag_mismatch", [&](Session&) {
    ++calls;
    return absl::AbortedError("etag mismatch");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 1);
}

TEST_F(TransactionTest, MappedDeadlockReturnedByFnIsRetried) {
  // Repository code may catch the exception and return FromSqlException itself.
  int calls = 0;
  absl::Status status = db_->pool().RunInTransaction("mapped", [&](Session& s) -> absl::Status {
    if (++calls < 3) return FromSqlException(sql::SQLException("deadlock", "40001", 1213), "mapped");
    Insert(s, 50);
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(Count("id = 50"), 1);
}

}  // namespace
}  // namespace grassroots::common::db
