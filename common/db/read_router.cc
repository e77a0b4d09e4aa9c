#include "common/db/read_router.h"

#include <algorithm>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace grassroots::common::db {
namespace {

using Clock = std::chrono::steady_clock;

thread_local CallReadPositions* current_positions = nullptr;

// A replica that cannot be reached should cost a read little: the wait for a
// TCP connect is bounded by this (the primary's connect timeout stays as set).
constexpr int kReplicaConnectTimeoutSeconds = 1;

// The replica failed under the read (rather than answering it): the answer
// from the primary is the one to give. Domain outcomes (NOT_FOUND,
// INVALID_ARGUMENT, ...) and a statement that ran past its limit are answers.
bool MeansReplicaUnusable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kInternal;
}

}  // namespace

CallReadPositions::CallReadPositions(GtidPosition must_see)
    : must_see_(std::move(must_see)), outer_(current_positions) {
  current_positions = this;
}

CallReadPositions::~CallReadPositions() { current_positions = outer_; }

CallReadPositions* CallReadPositions::Current() { return current_positions; }

ReadRouter::ReadRouter(ConnectionPool& primary) : primary_(primary), has_replica_(false) {}

ReadRouter::ReadRouter(ConnectionPool& primary, std::unique_ptr<ConnectionPool> replica,
                       const ReadReplicaConfig& config, const std::shared_ptr<prometheus::Registry>& registry)
    : primary_(primary),
      has_replica_(true),
      replica_config_(replica->config()),
      wait_(config.wait),
      retry_after_(config.retry_after),
      replica_(std::move(replica)) {
  primary_.TrackCommitPositions();
  if (registry) {
    replica_reads_ = &prometheus::BuildCounter()
                          .Name("db_replica_reads_total")
                          .Help("Reads served by the read replica, by operation")
                          .Register(*registry);
    fallbacks_ = &prometheus::BuildCounter()
                      .Name("db_replica_fallbacks_total")
                      .Help("Reads meant for the replica that ran on the primary, by reason")
                      .Register(*registry);
    wait_seconds_ = &prometheus::BuildHistogram()
                         .Name("db_replica_wait_seconds")
                         .Help("Time the replica took to reach the position a read must see")
                         .Register(*registry)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                          0.05, 0.1, 0.25});
  }
}

absl::StatusOr<std::unique_ptr<ReadRouter>> ReadRouter::Create(ConnectionPool& primary,
                                                               const ReadReplicaConfig& config,
                                                               const std::shared_ptr<prometheus::Registry>& registry) {
  if (config.host.empty()) return std::make_unique<ReadRouter>(primary);
  DbConfig replica_config = primary.config();
  replica_config.host = config.host;
  replica_config.port = config.port;
  replica_config.socket.clear();
  replica_config.connect_timeout_seconds =
      std::min(replica_config.connect_timeout_seconds, kReplicaConnectTimeoutSeconds);
  // Replica reads wait for a connection no longer than the fallback would take.
  replica_config.acquire_timeout = std::min(replica_config.acquire_timeout, config.wait);
  // The pool's own metrics would share (and overwrite) the primary's series;
  // the router counts what the replica served and why it did not.
  absl::StatusOr<std::unique_ptr<ConnectionPool>> replica = ConnectionPool::Create(replica_config, nullptr);
  if (!replica.ok()) return replica.status();
  return std::make_unique<ReadRouter>(primary, *std::move(replica), config, registry);
}

absl::Status ReadRouter::Run(std::string_view operation, const std::function<absl::Status(Session&)>& fn) {
  if (!has_replica_) return primary_.Run(operation, fn);
  std::shared_ptr<ConnectionPool> replica;
  {
    absl::MutexLock lock(&mu_);
    if (Clock::now() >= resting_until_) replica = replica_;
  }
  if (replica == nullptr) {
    CountFallback("replica_resting");
    return primary_.Run(operation, fn);
  }
  GtidPosition must_see = primary_.CommitPosition();
  if (const CallReadPositions* call = CallReadPositions::Current()) must_see.Merge(call->must_see());
  absl::Status status;
  switch (RunOnReplica(*replica, operation, must_see, fn, status)) {
    case Outcome::kServed:
      if (replica_reads_) replica_reads_->Add({{"operation", std::string(operation)}}).Increment();
      return status;
    case Outcome::kLagging:
      CountFallback("lagging");
      break;
    case Outcome::kReplicaError: {
      CountFallback("replica_error");
      log::Warn("read replica failed; reading the primary", {{"operation", operation}, {"status", status.ToString()}});
      absl::StatusOr<std::unique_ptr<ConnectionPool>> fresh = ConnectionPool::Create(replica_config_, nullptr);
      absl::MutexLock lock(&mu_);
      resting_until_ = Clock::now() + retry_after_;
      // A replica that failed may come back rebuilt: what it reached is asked again.
      replica_reached_ = GtidPosition();
      // Create only checks the settings replica_ was made with: it does not fail here.
      if (fresh.ok() && replica_ == replica) replica_ = *std::move(fresh);
      break;
    }
  }
  return primary_.Run(operation, fn);
}

ReadRouter::Outcome ReadRouter::RunOnReplica(ConnectionPool& replica, std::string_view operation,
                                             const GtidPosition& must_see,
                                             const std::function<absl::Status(Session&)>& fn, absl::Status& status) {
  bool caught_up = false;
  status = replica.Run(operation, [&](Session& session) -> absl::Status {
    bool known_reached = false;
    {
      absl::MutexLock lock(&mu_);
      known_reached = replica_reached_.Covers(must_see);
    }
    if (!known_reached) {
      const Clock::time_point start = Clock::now();
      sql::PreparedStatement& wait = session.Prepare("SELECT MASTER_GTID_WAIT(?, ?)");
      wait.setString(1, must_see.ToString());
      wait.setDouble(2, std::chrono::duration<double>(wait_).count());
      std::unique_ptr<sql::ResultSet> rs = session.Query(wait);
      // 0: reached; -1: timed out; NULL: the position could not be waited for.
      const bool reached = rs->next() && !rs->isNull(1) && rs->getInt(1) == 0;
      if (wait_seconds_) wait_seconds_->Observe(std::chrono::duration<double>(Clock::now() - start).count());
      if (!reached) return absl::OkStatus();
      absl::MutexLock lock(&mu_);
      replica_reached_.Merge(must_see);
    }
    caught_up = true;
    return fn(session);
  });
  if (!caught_up) return status.ok() ? Outcome::kLagging : Outcome::kReplicaError;
  return MeansReplicaUnusable(status) ? Outcome::kReplicaError : Outcome::kServed;
}

void ReadRouter::CountFallback(std::string_view reason) {
  if (fallbacks_) fallbacks_->Add({{"reason", std::string(reason)}}).Increment();
}

}  // namespace grassroots::common::db
