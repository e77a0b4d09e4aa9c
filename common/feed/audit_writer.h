#pragma once
// Audit entries of reads, written in the background and many to a statement.
//
// An audited read would otherwise wait for a durable insert of its own, which
// costs more than the read (an fsync per call). Here a read hands its entries
// over and returns; a thread writes what has gathered every flush_interval
// (or sooner when max_batch are waiting), each entry keeping the time of the
// read. What this costs: a process killed outright loses the entries of its
// last flush_interval; a clean stop writes them all first.
//
// Reads stay bounded by their audit: when max_pending entries wait (the
// database is down or slow), Append waits for room, and gives up UNAVAILABLE
// after append_timeout, so no read goes on unaudited beyond that bound.
// flush_interval 0 turns the buffer off: Append writes before it returns.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "common/feed/audit_chain.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace grassroots::common::feed {

struct AuditWriterOptions {
  std::chrono::milliseconds flush_interval{20};
  size_t max_batch = 512;
  size_t max_pending = 20000;
  std::chrono::milliseconds append_timeout{2000};
  // How long a stopping writer keeps trying to write what is left.
  std::chrono::milliseconds stop_deadline{10000};
};

class AuditWriter {
 public:
  // Metrics (nullable registry): audit_writer_pending_entries,
  // audit_writer_flush_seconds, audit_writer_flush_failures_total.
  AuditWriter(db::ConnectionPool& pool, AuditWriterOptions options, prometheus::Registry* registry);
  // Writes what is pending (retrying while the database answers), then stops.
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues the entries, stamped with now (or writes them, when unbuffered).
  // UNAVAILABLE when there is no room within append_timeout.
  absl::Status Append(std::vector<AuditFields> entries);

  // Has every entry appended before the call written now, and waits for it;
  // UNAVAILABLE if that takes longer than `timeout` (the database is away).
  absl::Status Flush(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  bool buffered() const { return options_.flush_interval.count() > 0; }

 private:
  void Run();
  // Writes up to max_batch pending entries; false when the write failed.
  bool WriteSome();

  db::ConnectionPool& pool_;
  const AuditWriterOptions options_;
  prometheus::Gauge* pending_gauge_ = nullptr;
  prometheus::Histogram* flush_seconds_ = nullptr;
  prometheus::Counter* flush_failures_ = nullptr;

  absl::Mutex mutex_;
  struct Pending {
    AuditFields fields;
    absl::Time occurred_at;
  };
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mutex_);
  int64_t appended_ ABSL_GUARDED_BY(mutex_) = 0;  // entries ever queued
  int64_t written_ ABSL_GUARDED_BY(mutex_) = 0;   // of those, entries written
  int64_t flush_target_ ABSL_GUARDED_BY(mutex_) = 0;  // written_ a Flush waits for
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  // Failed attempts since the last success: an outage logs once when it
  // starts and once when it ends, not every retry.
  int64_t failures_in_row_ ABSL_GUARDED_BY(mutex_) = 0;
  std::thread thread_;
};

}  // namespace grassroots::common::feed
