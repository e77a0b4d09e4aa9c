#include "common/feed/retention.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <prometheus/counter.h>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/server/service_host.h"
#include "common/status/status.h"

namespace grassroots::common::feed {
namespace {

constexpr char kIdempotencyTable[] = "idempotency_keys";
constexpr char kFeedTable[] = "change_feed";
constexpr char kAuditTable[] = "audit_log";

bool Stopped(const std::function<bool()>& stop_requested) { return stop_requested && stop_requested(); }

// "now - days" by the database's clock, as DATETIME(6) text: every comparison
// of one run uses the same instant.
absl::StatusOr<std::string> CutoffDaysAgo(db::ConnectionPool& pool, int days) {
  return pool.Read<std::string>("retention.cutoff", [days](db::Session& session) -> absl::StatusOr<std::string> {
    sql::PreparedStatement& ps =
        session.Prepare("SELECT DATE_FORMAT(UTC_TIMESTAMP(6) - INTERVAL ? DAY, '%Y-%m-%d %H:%i:%s.%f')");
    ps.setInt(1, days);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    if (!rs->next()) return absl::InternalError("no cutoff computed");
    return rs->getString(1).asStdString();
  });
}

// The first column of the one row `sql` (its one parameter bound to
// `cutoff`) returns; 0 for NULL or no row.
absl::StatusOr<int64_t> ReadIntAtCutoff(db::ConnectionPool& pool, std::string_view operation, const std::string& sql,
                                        const std::string& cutoff) {
  return pool.Read<int64_t>(operation, [&](db::Session& session) -> absl::StatusOr<int64_t> {
    sql::PreparedStatement& ps = session.Prepare(sql);
    ps.setString(1, cutoff);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    return rs->next() && !rs->isNull(1) ? static_cast<int64_t>(rs->getInt64(1)) : int64_t{0};
  });
}

// Runs `sql` (its first parameter set by `bind_bound`, its second the LIMIT)
// until it removes fewer than `batch` rows. Each run is its own autocommit statement.
absl::StatusOr<int64_t> DeleteInBatches(db::ConnectionPool& pool, std::string_view operation, const std::string& sql,
                                        int batch, const std::function<void(sql::PreparedStatement&)>& bind_bound,
                                        const std::function<bool()>& stop_requested) {
  int64_t total = 0;
  while (!Stopped(stop_requested)) {
    GR_ASSIGN_OR_RETURN(const int64_t removed,
                        pool.Read<int64_t>(operation, [&](db::Session& session) -> absl::StatusOr<int64_t> {
                          sql::PreparedStatement& ps = session.Prepare(sql);
                          bind_bound(ps);
                          ps.setInt(2, batch);
                          return static_cast<int64_t>(ps.executeUpdate());
                        }));
    total += removed;
    if (removed < batch) break;
  }
  return total;
}

absl::StatusOr<int64_t> RemoveOldIdempotencyKeys(db::ConnectionPool& pool, const RetentionPolicy& policy,
                                                 const std::function<bool()>& stop_requested) {
  GR_ASSIGN_OR_RETURN(const std::string cutoff, CutoffDaysAgo(pool, policy.idempotency_key_days));
  return DeleteInBatches(
      pool, "retention.idempotency_keys",
      "DELETE FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?", policy.batch_size,
      [&](sql::PreparedStatement& ps) { ps.setString(1, cutoff); }, stop_requested);
}

// Below the newest checkpoint whose entry is older than the cutoff: the first
// entry left is then one a checkpoint signed, so the chain still verifies from
// a signed anchor. Without any checkpoint nothing is removed.
absl::StatusOr<int64_t> RemoveOldAuditEntries(db::ConnectionPool& pool, const RetentionPolicy& policy,
                                              const std::function<bool()>& stop_requested) {
  GR_ASSIGN_OR_RETURN(const std::string cutoff, CutoffDaysAgo(pool, policy.audit_days));
  GR_ASSIGN_OR_RETURN(const int64_t boundary,
                      ReadIntAtCutoff(pool, "retention.audit_boundary",
                                      "SELECT MAX(a.chain_position) FROM audit_checkpoints c "
                                      "JOIN audit_log a ON a.id = c.audit_id AND a.entry_hash = c.entry_hash "
                                      "WHERE a.occurred_at < ?",
                                      cutoff));
  if (boundary == 0) return int64_t{0};
  return DeleteInBatches(
      pool, "retention.audit_log",
      "DELETE FROM audit_log WHERE chain_position < ? ORDER BY chain_position LIMIT ?", policy.batch_size,
      [&](sql::PreparedStatement& ps) { ps.setInt64(1, boundary); }, stop_requested);
}

// Compaction over windows of batch_size entries, oldest first, up to the
// first entry newer than the cutoff: in each window an entry goes when a newer
// entry of the same resource exists (anywhere in the feed).
absl::StatusOr<int64_t> CompactFeed(db::ConnectionPool& pool, const RetentionPolicy& policy,
                                    const std::function<bool()>& stop_requested) {
  GR_ASSIGN_OR_RETURN(const std::string cutoff, CutoffDaysAgo(pool, policy.feed_days));
  // The last sequence past the retention (commit times grow with sequences:
  // a sequencer round sets both, and rounds take turns).
  GR_ASSIGN_OR_RETURN(const int64_t horizon,
                      ReadIntAtCutoff(pool, "retention.feed_horizon",
                                      "SELECT COALESCE((SELECT sequence FROM change_feed WHERE commit_time >= ? "
                                      "ORDER BY sequence LIMIT 1) - 1, (SELECT last_sequence FROM feed_head WHERE id = 1))",
                                      cutoff));
  std::string kept_whole;
  for (const std::string& type : policy.feed_types_kept_whole) {
    absl::StrAppend(&kept_whole, kept_whole.empty() ? " AND old.resource_type NOT IN (" : ", ", "'", type, "'");
  }
  if (!kept_whole.empty()) kept_whole += ")";
  const std::string remove = absl::StrCat(
      "DELETE old FROM change_feed old JOIN change_feed newer ON newer.resource_type = old.resource_type "
      "AND newer.resource_name = old.resource_name AND newer.sequence > old.sequence "
      "WHERE old.sequence > ? AND old.sequence <= ?",
      kept_whole);
  int64_t total = 0;
  int64_t after = 0;
  while (after < horizon && !Stopped(stop_requested)) {
    GR_ASSIGN_OR_RETURN(const int64_t removed, pool.Read<int64_t>("retention.change_feed", [&](db::Session& session)
                                                                      -> absl::StatusOr<int64_t> {
      // The window's end: its batch_size-th entry, or the horizon.
      sql::PreparedStatement& end = session.Prepare(
          "SELECT sequence FROM change_feed WHERE sequence > ? ORDER BY sequence LIMIT 1 OFFSET ?");
      end.setInt64(1, after);
      end.setInt(2, policy.batch_size - 1);
      std::unique_ptr<sql::ResultSet> rs = session.Query(end);
      const int64_t window_end = rs->next() ? std::min<int64_t>(rs->getInt64(1), horizon) : horizon;
      rs.reset();
      sql::PreparedStatement& ps = session.Prepare(remove);
      ps.setInt64(1, after);
      ps.setInt64(2, window_end);
      const int64_t count = ps.executeUpdate();
      after = window_end;
      return count;
    }));
    total += removed;
  }
  return total;
}

}  // namespace

absl::StatusOr<RetentionResult> ApplyRetention(db::ConnectionPool& pool, const RetentionPolicy& policy,
                                               const std::function<bool()>& stop_requested) {
  if (policy.batch_size < 1) return absl::InvalidArgumentError("retention batch_size must be at least 1");
  for (const std::string& type : policy.feed_types_kept_whole) {
    // Names are code constants; refuse anything that would need quoting.
    for (char c : type) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
        return absl::InvalidArgumentError(absl::StrCat("feed type kept whole has a bad character: ", type));
      }
    }
  }
  RetentionResult result;
  GR_ASSIGN_OR_RETURN(result.idempotency_keys_removed, RemoveOldIdempotencyKeys(pool, policy, stop_requested));
  GR_ASSIGN_OR_RETURN(result.feed_entries_removed, CompactFeed(pool, policy, stop_requested));
  GR_ASSIGN_OR_RETURN(result.audit_entries_removed, RemoveOldAuditEntries(pool, policy, stop_requested));
  return result;
}

absl::StatusOr<int64_t> ForgetEarlierStates(db::Session& session, std::string_view resource_type,
                                            std::string_view resource_name) {
  // The correction's own entry has no number yet; it is the newest by id
  // (the correction holds the resource's row lock, so no later write's entry exists).
  sql::PreparedStatement& newest = session.Prepare(
      "SELECT MAX(id) FROM change_feed WHERE resource_type = ? AND resource_name = ?");
  newest.setString(1, std::string(resource_type));
  newest.setString(2, std::string(resource_name));
  std::unique_ptr<sql::ResultSet> rs = session.Query(newest);
  if (!rs->next() || rs->isNull(1)) return int64_t{0};
  const int64_t keep = rs->getInt64(1);
  rs.reset();
  sql::PreparedStatement& remove = session.Prepare(
      "DELETE FROM change_feed WHERE resource_type = ? AND resource_name = ? AND id < ?");
  remove.setString(1, std::string(resource_type));
  remove.setString(2, std::string(resource_name));
  remove.setInt64(3, keep);
  return static_cast<int64_t>(remove.executeUpdate());
}

void DeclareRetentionOptions(ServiceOptions& declare, RetentionOptions& options) {
  RetentionPolicy& policy = options.policy;
  declare.AddInt("--idempotency-key-retention-days", policy.idempotency_key_days,
                 "days a create's request id (and its stored response) is remembered", 1, 3650);
  declare.AddInt("--feed-retention-days", policy.feed_days,
                 "days after which the change feed keeps only the newest entry of each resource", 1, 36500);
  declare.AddInt("--audit-retention-days", policy.audit_days,
                 "days the audit log is kept (older entries go only below a signed checkpoint)", 1, 36500);
  declare.AddInt("--retention-batch-size", policy.batch_size, "rows the retention job removes per statement", 1,
                 100000);
  declare.AddMillis("--retention-interval-ms", options.interval, "how often the retention job runs", 1000);
}

RetentionJob::RetentionJob(db::ConnectionPool& pool, RetentionOptions options,
                           std::shared_ptr<prometheus::Registry> registry)
    : pool_(pool), options_(std::move(options)), registry_(std::move(registry)) {
  if (registry_) {
    removed_ = &prometheus::BuildCounter()
                    .Name("retention_rows_removed_total")
                    .Help("Rows the retention job removed, by table")
                    .Register(*registry_);
    runs_ = &prometheus::BuildCounter()
                 .Name("retention_runs_total")
                 .Help("Runs of the retention job, by outcome (ok, error)")
                 .Register(*registry_);
  }
}

RetentionJob::~RetentionJob() { Stop(); }

void RetentionJob::RunOnce() {
  const auto stop_requested = [this] {
    absl::MutexLock lock(&mutex_);
    return stopping_;
  };
  absl::StatusOr<RetentionResult> result = ApplyRetention(pool_, options_.policy, stop_requested);
  if (runs_) runs_->Add({{"outcome", result.ok() ? "ok" : "error"}}).Increment();
  if (!result.ok()) {
    log::Warn("retention run failed", {{"status", result.status().ToString()}});
    return;
  }
  if (removed_) {
    removed_->Add({{"table", kIdempotencyTable}}).Increment(static_cast<double>(result->idempotency_keys_removed));
    removed_->Add({{"table", kFeedTable}}).Increment(static_cast<double>(result->feed_entries_removed));
    removed_->Add({{"table", kAuditTable}}).Increment(static_cast<double>(result->audit_entries_removed));
  }
  log::Info("retention run", {{"idempotency_keys_removed", result->idempotency_keys_removed},
                              {"feed_entries_removed", result->feed_entries_removed},
                              {"audit_entries_removed", result->audit_entries_removed}});
}

void RetentionJob::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    while (true) {
      RunOnce();
      absl::MutexLock lock(&mutex_);
      if (mutex_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(options_.interval))) return;
    }
  });
}

void RetentionJob::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<RetentionJob> StartRetentionJob(ServiceHost& host, db::ConnectionPool& pool, RetentionOptions options,
                                                std::shared_ptr<prometheus::Registry> registry) {
  auto job = std::make_unique<RetentionJob>(pool, std::move(options), std::move(registry));
  RetentionJob* stopped = job.get();
  host.OnStop([stopped] { stopped->Stop(); });
  job->Start();
  return job;
}

}  // namespace grassroots::common::feed
