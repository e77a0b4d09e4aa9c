// AuditWriter against the test MariaDB: entries of reads written in batches,
// each with the time of its read; Flush; a log that cannot be written holds
// reads back (bounded) and loses nothing; a stopping writer writes what is left.
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/db.h"
#include "common/feed/audit_writer.h"
#include "tests/support/test_db.h"

namespace grassroots::common::feed {
namespace {

using grassroots::testing::TestDatabase;

class AuditWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create("audit_writer", {&db::CommonMigrations()}, 8);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  static std::vector<AuditFields> Reads(const std::string& request_id, int count = 1) {
    std::vector<AuditFields> entries;
    for (int i = 0; i < count; ++i) {
      entries.push_back(AuditFields{"officer-1", "thing.read", absl::StrCat("things/", i), request_id, "{}", ""});
    }
    return entries;
  }
  int64_t Count(const std::string& where = "1") {
    absl::StatusOr<int64_t> n = db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE ", where));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }
  static int Occurrences(std::string_view text, std::string_view what) {
    int found = 0;
    for (size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++found;
    return found;
  }
  static std::string TimeText(absl::Time time) {
    return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", time, absl::UTCTimeZone());
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST_F(AuditWriterTest, ManyReadersEntriesAreAllWrittenInBatchesAndFlushWaitsForThem) {
  AuditWriter writer(db_->pool(), {.flush_interval = std::chrono::milliseconds(30), .max_batch = 64}, nullptr);
  constexpr int kThreads = 8;
  constexpr int kReadsEach = 50;
  std::vector<std::thread> readers;
  for (int t = 0; t < kThreads; ++t) {
    readers.emplace_back([&writer, t] {
      for (int i = 0; i < kReadsEach; ++i) {
        EXPECT_TRUE(writer.Append(Reads(absl::StrCat("reader-", t, "-", i), 2)).ok());
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(Count(), kThreads * kReadsEach * 2);
  // One reader's entries keep their order.
  absl::StatusOr<int64_t> out_of_order = db_->QueryInt(
      "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON a.request_id = 'reader-3-10' AND "
      "b.request_id = 'reader-3-11' WHERE a.id > b.id");
  ASSERT_TRUE(out_of_order.ok());
  EXPECT_EQ(*out_of_order, 0);
}

TEST_F(AuditWriterTest, AnEntryKeepsTheTimeOfItsReadNotOfItsWrite) {
  AuditWriter writer(db_->pool(), {.flush_interval = std::chrono::seconds(30)}, nullptr);
  ASSERT_TRUE(writer.Append(Reads("timed")).ok());
  const absl::Time appended = absl::Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(Count(), 0) << "written before its interval or a Flush";
  ASSERT_TRUE(writer.Flush().ok()) << "a Flush writes at once, not at the next interval";
  EXPECT_EQ(Count(absl::StrCat("request_id = 'timed' AND occurred_at <= '", TimeText(appended), "'")), 1);
}

TEST_F(AuditWriterTest, UnbufferedAppendWritesBeforeItReturns) {
  AuditWriter writer(db_->pool(), {.flush_interval = std::chrono::milliseconds(0)}, nullptr);
  EXPECT_FALSE(writer.buffered());
  ASSERT_TRUE(writer.Append(Reads("now", 3)).ok());
  EXPECT_EQ(Count("request_id = 'now'"), 3);
}

TEST_F(AuditWriterTest, WhileTheLogCannotBeWrittenReadsAreHeldThenRefusedAndNoEntryIsLost) {
  AuditWriter writer(db_->pool(),
                     {.flush_interval = std::chrono::milliseconds(10),
                      .max_pending = 10,
                      .append_timeout = std::chrono::milliseconds(100)},
                     nullptr);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(db_->Execute("RENAME TABLE audit_log TO audit_log_away").ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer.Append(Reads(absl::StrCat("held-", i))).ok()) << i;
  const absl::Status refused = writer.Append(Reads("one-too-many"));
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_TRUE(absl::IsUnavailable(writer.Flush(std::chrono::milliseconds(100))));
  // Long enough for several retries (one every 200 ms).
  std::this_thread::sleep_for(std::chrono::milliseconds(900));

  ASSERT_TRUE(db_->Execute("RENAME TABLE audit_log_away TO audit_log").ok());
  ASSERT_TRUE(writer.Flush().ok());
  // The outage is logged when it starts and when it ends, not on every retry.
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(Occurrences(log, "audit entries not written"), 1) << log;
  EXPECT_EQ(Occurrences(log, "audit entries written again"), 1) << log;
  EXPECT_EQ(Count(), 10);
  EXPECT_EQ(Count("request_id = 'one-too-many'"), 0);
  for (int i = 1; i < 10; ++i) {
    absl::StatusOr<int64_t> in_order = db_->QueryInt(absl::StrCat(
        "SELECT (SELECT id FROM audit_log WHERE request_id = 'held-", i - 1,
        "') < (SELECT id FROM audit_log WHERE request_id = 'held-", i, "')"));
    ASSERT_TRUE(in_order.ok());
    EXPECT_EQ(*in_order, 1) << "held-" << i << " written before held-" << i - 1;
  }
}

TEST_F(AuditWriterTest, AStoppingWriterWritesWhatIsPending) {
  {
    AuditWriter writer(db_->pool(), {.flush_interval = std::chrono::seconds(30)}, nullptr);
    ASSERT_TRUE(writer.Append(Reads("last", 5)).ok());
  }
  EXPECT_EQ(Count("request_id = 'last'"), 5);
}

}  // namespace
}  // namespace grassroots::common::feed
