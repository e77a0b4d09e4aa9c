#pragma once
// Retention of the tables every service schema holds (docs/retention.md):
//   idempotency_keys  removed once older than the key retention (AIP-155: a
//                     request id is remembered for a bounded time);
//   change_feed       compacted past the feed retention: an entry is removed
//                     when a newer entry of the same resource exists, so the
//                     newest entry of every resource (a tombstone included)
//                     stays and a consumer reading from 0 still reaches the
//                     same state; resource types whose every entry consumers
//                     need (history derived from the succession of entries)
//                     are never compacted;
//   audit_log         removed once older than the audit retention, and only
//                     below a signed checkpoint (audit_chain.h), so the chain
//                     left still verifies from a signed entry.
// Every statement removes at most batch_size rows, so no long lock is held.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/db/db.h"

namespace prometheus { template <typename T> class Family; class Counter; }
namespace grassroots::common { class ServiceHost; }

namespace grassroots::common::feed {

struct RetentionPolicy {
  // A retry comes within minutes or hours; a week covers one after a long
  // outage and bounds how long a stored create response outlives a correction.
  int idempotency_key_days = 7;
  // How far behind a consumer may fall (or how long it may be down) and still
  // see every intermediate change; older entries are compacted.
  int feed_days = 90;
  // The audit is evidence in inspection and discipline cases, which can be
  // reopened years later.
  int audit_days = 3650;
  // Rows removed per statement.
  int batch_size = 1000;
  // Resource types never compacted (their consumers derive history from the
  // succession of entries, e.g. org's "organization" periods in reporting).
  std::set<std::string, std::less<>> feed_types_kept_whole;
};

struct RetentionResult {
  int64_t idempotency_keys_removed = 0;
  int64_t feed_entries_removed = 0;
  int64_t audit_entries_removed = 0;
};

// Applies the policy once, in bounded batches (each its own statement).
// stop_requested (optional) is asked between batches: true ends the run early.
absl::StatusOr<RetentionResult> ApplyRetention(db::ConnectionPool& pool, const RetentionPolicy& policy,
                                               const std::function<bool()>& stop_requested = nullptr);

// Inside the transaction of a correction, after its RecordChange: removes every
// entry of the resource but the newest, so the stored feed no longer holds the
// values the correction replaced (consumers apply full states, so the newest
// entry alone brings any of them to the corrected state). Returns the entries removed.
absl::StatusOr<int64_t> ForgetEarlierStates(db::Session& session, std::string_view resource_type,
                                            std::string_view resource_name);

// The service flags of a retention policy and of its job.
struct RetentionOptions {
  RetentionPolicy policy;
  // How often the job runs (its first run is at start-up).
  std::chrono::milliseconds interval{std::chrono::hours(1)};
};
// --idempotency-key-retention-days, --feed-retention-days, --audit-retention-days,
// --retention-batch-size, --retention-interval-ms (env GRASSROOTS_...).
void DeclareRetentionOptions(ServiceOptions& declare, RetentionOptions& options);

// Runs ApplyRetention at start and then every interval on a thread of its own
// (failures are logged and retried next time). Metrics:
// retention_rows_removed_total{table}, retention_runs_total{outcome}.
class RetentionJob {
 public:
  RetentionJob(db::ConnectionPool& pool, RetentionOptions options,
               std::shared_ptr<prometheus::Registry> registry);  // null: metrics kept private
  ~RetentionJob();
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;
  void Start();
  // Prompt: wakes the thread; a run in progress ends after its current batch.
  void Stop();

 private:
  void RunOnce();
  db::ConnectionPool& pool_;
  const RetentionOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* removed_ = nullptr;
  prometheus::Family<prometheus::Counter>* runs_ = nullptr;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

// What a service's main does: builds the job, starts it and stops it when
// the host stops (before the drain). The job lives as long as the returned pointer.
std::unique_ptr<RetentionJob> StartRetentionJob(ServiceHost& host, db::ConnectionPool& pool, RetentionOptions options,
                                                std::shared_ptr<prometheus::Registry> registry);

}  // namespace grassroots::common::feed
