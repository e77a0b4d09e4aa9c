#pragma once
// Reads that a MariaDB replica may serve, with read-your-writes.
//
// The primary pool records, after each committed transaction, the GTID the
// transaction produced (SELECT @@last_gtid on the same connection): the
// pool's high-water mark, and the open call's (CallReadPositions) when there is
// one. A read routed here first makes the replica wait, boundedly
// (MASTER_GTID_WAIT), for the high-water mark merged with what the call must
// see (the x-grassroots-read-after metadata a caller brings from a write
// answered by another process); when the replica does not get there in time,
// fails, or failed within retry_after, the read runs on the primary. So a
// replica can make a read slower by at most the wait, never wrong about a write
// this process or the caller made, and never make it fail.
//
// Only the data of a read belongs here: authorization decisions keep reading
// the primary, so replication lag can never decide who may see what.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/db/gtid.h"

namespace grassroots::common::db {

// The metadata key carrying a GTID position between a write's answer (trailing
// metadata) and a later read (request metadata), possibly to another process.
inline constexpr std::string_view kReadAfterMetadata = "x-grassroots-read-after";

// The positions of one call on the thread that runs it: what the call must see
// (its caller's x-grassroots-read-after) and what its transactions wrote (sent
// back in x-grassroots-read-after). Opened by the call envelope; nests.
class CallReadPositions {
 public:
  explicit CallReadPositions(GtidPosition must_see);
  ~CallReadPositions();
  CallReadPositions(const CallReadPositions&) = delete;
  CallReadPositions& operator=(const CallReadPositions&) = delete;

  // The innermost scope open on this thread; null outside any call.
  static CallReadPositions* Current();

  const GtidPosition& must_see() const { return must_see_; }
  const GtidPosition& written() const { return written_; }
  void RecordWrite(const GtidPosition& position) { written_.Merge(position); }

 private:
  GtidPosition must_see_;
  GtidPosition written_;
  CallReadPositions* outer_;
};

class ReadRouter {
 public:
  // No replica: every read runs on primary, at no extra cost.
  explicit ReadRouter(ConnectionPool& primary);
  // Reads go to `replica` when it is fresh enough (see above); turns on the
  // primary's commit-position tracking. Metrics (nullable registry):
  // db_replica_reads_total{operation}, db_replica_fallbacks_total{reason}
  // (lagging, replica_error, replica_resting), db_replica_wait_seconds.
  ReadRouter(ConnectionPool& primary, std::unique_ptr<ConnectionPool> replica, const ReadReplicaConfig& config,
             const std::shared_ptr<prometheus::Registry>& registry);
  // From the service's configuration: a replica pool when config.host is set
  // (same user, schema and TLS as the primary; a short connect timeout, since
  // a replica that does not answer only costs time), else primary only.
  static absl::StatusOr<std::unique_ptr<ReadRouter>> Create(ConnectionPool& primary, const ReadReplicaConfig& config,
                                                            const std::shared_ptr<prometheus::Registry>& registry);
  ReadRouter(const ReadRouter&) = delete;
  ReadRouter& operator=(const ReadRouter&) = delete;

  // Runs read-only fn on the replica or the primary (see above). fn may run
  // twice: on the replica, then on the primary when the replica failed under it.
  absl::Status Run(std::string_view operation, const std::function<absl::Status(Session&)>& fn);

  template <typename T>
  absl::StatusOr<T> Read(std::string_view operation, const std::function<absl::StatusOr<T>(Session&)>& fn) {
    return RunForValue<T>([&](const SessionWork& body) { return Run(operation, body); }, fn);
  }

  bool has_replica() const { return has_replica_; }
  ConnectionPool& primary() { return primary_; }

 private:
  enum class Outcome { kServed, kLagging, kReplicaError };
  Outcome RunOnReplica(ConnectionPool& replica, std::string_view operation, const GtidPosition& must_see,
                       const std::function<absl::Status(Session&)>& fn, absl::Status& status);
  void CountFallback(std::string_view reason);

  ConnectionPool& primary_;
  const bool has_replica_;
  DbConfig replica_config_;
  std::chrono::milliseconds wait_{0};
  std::chrono::milliseconds retry_after_{0};
  prometheus::Family<prometheus::Counter>* replica_reads_ = nullptr;
  prometheus::Family<prometheus::Counter>* fallbacks_ = nullptr;
  prometheus::Histogram* wait_seconds_ = nullptr;

  absl::Mutex mu_;
  // Replaced by a fresh pool after a failure: the connections pooled before a
  // replica went away are presumed dead, and each would otherwise cost a
  // fallback and another rest. Reads hold the pool they started on.
  std::shared_ptr<ConnectionPool> replica_ ABSL_GUARDED_BY(mu_);
  // What the replica is known to have applied: reads needing no more skip the wait.
  GtidPosition replica_reached_ ABSL_GUARDED_BY(mu_);
  // After a replica failure, reads go to the primary until then.
  std::chrono::steady_clock::time_point resting_until_ ABSL_GUARDED_BY(mu_);
};

}  // namespace grassroots::common::db
