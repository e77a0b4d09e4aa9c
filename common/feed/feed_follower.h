#pragma once
// Keeps a projection of another service's change feed up to date, in the
// background. The owner says which resource types it applies and how; the
// follower does the rest:
//
// Before each stream it reads the feed head and binds the stored cursor
// (feed_cursor.h) to the feed's epoch: a cursor of another epoch belongs to
// another database of the producer, so the owner's `reset` clears the
// projection, which is rebuilt from sequence 0 (logged, counted). It then
// streams StreamChanges from the cursor with follow = true and
// expected_epoch, and applies the changes of the owner's types in
// transactions together with the cursor (the changes that arrived while the
// previous transaction ran go into one, up to max_run_changes), so a restart
// resumes where it stopped and nothing is applied twice. Changes of other types are passed over; their
// positions are saved now and then, so the cursor and the lag cover the
// whole feed.
//
// Strict: a change it cannot apply is never passed over (the projection would
// go stale). The follower stops at that change, reports not ready, exports why
// (feed_consumer_blocked) and retries with capped backoff; once the change
// applies it resumes and is ready again. A cursor ahead of the feed head (the
// producer was restored from an older backup, so the positions past its head
// will carry other changes) clears the projection, which is then rebuilt from
// sequence 0; so does a cursor whose change the feed no longer holds as it was
// applied (the restored producer already wrote past the cursor: the follower
// keeps the commit_time of the change at its cursor and the producer compares,
// FEED_DIVERGED). Either is logged, counted and shown as blocked until the
// rebuild starts. When the stream breaks or the producer is down it reconnects
// with capped exponential backoff.
//
// The owner's migrations create feed_cursors (one definition: the org-tree
// library's V0001 and V0002).
//
// Metrics (labels source, kind and reason only; never personal data):
//   feed_consumer_last_applied_sequence{source}  last feed position handled
//   feed_consumer_lag{source}                    feed head − that position
//   feed_consumer_changes_applied_total{source}  changes applied to the projection
//   feed_consumer_errors_total{source,kind}      kind: stream, apply, bad_change, hook, head
//   feed_consumer_connected{source}              1 while a stream is open
//   feed_consumer_blocked{source,reason}         1 while stopped for that reason (BlockReason)
//   feed_consumer_blocked_sequence{source}       the change it is stopped at (0 when flowing)
//   feed_consumer_rebuilds_total{source}         projections cleared for a new epoch or a restored producer
//                                                (cursor_ahead, feed_diverged)
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "grassroots/feed/v1/change_feed.pb.h"

namespace grassroots::common::feed {

// Why the follower is stopped at a position: the label of feed_consumer_blocked.
enum class BlockReason {
  kNone,
  kBadChange,    // "bad_change": the payload is unreadable or refused (INVALID_ARGUMENT, FAILED_PRECONDITION)
  kHookFailed,   // "hook_failed": the owner's reaction (FeedConsumer::react) refused the change
  kApplyError,   // "apply_error": the database failed while applying it
  kCursorAhead,  // "cursor_ahead": the stored cursor is beyond the feed head
  kFeedDiverged, // "feed_diverged": the feed holds another change at the cursor than the one applied
};
std::string_view BlockReasonLabel(BlockReason reason);

// Runs inside the transaction that moves the cursor.
using ApplyChange = std::function<absl::Status(db::Session& session, const grassroots::feed::v1::Change& change)>;

// What the owner does with the feed.
struct FeedConsumer {
  // Resource types it applies; the others are passed over.
  std::set<std::string, std::less<>> resource_types;
  // Writes one change of those types to the projection, only once per change
  // (not for a change at or below the cursor). INVALID_ARGUMENT or
  // FAILED_PRECONDITION: a change it can never take as it stands (bad_change);
  // any other error: apply_error. Either rolls back and blocks at the change.
  ApplyChange apply;
  // Optional: the owning service's own reaction, after `apply` in the same
  // transaction (the projection already shows the change). An error (returned
  // or thrown) rolls the change back and blocks at it as hook_failed.
  ApplyChange react;
  // Clears everything the projection derived from the feed (not the cursor),
  // inside the transaction that sets the cursor back to 0.
  std::function<absl::Status(db::Session& session)> reset;
};

// The bearer token presented to the producer; an error is retried like a broken stream.
using BearerTokenProvider = std::function<absl::StatusOr<std::string>()>;

struct FeedFollowerOptions {
  // feed_cursors.source and the metrics label.
  std::string source;
  // How log lines name the feed ("organization", "membership").
  std::string feed_name = "change";
  // Prefix of the database operation names (db_query_duration_seconds{operation}).
  std::string operation_prefix = "feed_follower";
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{30000};
  // How often the feed head is read (lag, readiness) and passed-over positions saved.
  std::chrono::milliseconds head_poll_interval{2000};
  // Deadline of the GetFeedHead call.
  std::chrono::milliseconds call_deadline{2000};
  // Most changes applied in one transaction. Changes that arrive while one
  // transaction runs go together into the next, so under load the cost of a
  // commit is shared and the projection keeps up; when idle each change is
  // applied as soon as it arrives.
  int max_run_changes = 500;
};

class FeedFollower {
 public:
  FeedFollower(std::shared_ptr<grpc::Channel> channel, BearerTokenProvider token, db::ConnectionPool& pool,
               FeedConsumer consumer,
               std::shared_ptr<prometheus::Registry> registry,  // null: metrics kept private
               FeedFollowerOptions options);
  ~FeedFollower();
  FeedFollower(const FeedFollower&) = delete;
  FeedFollower& operator=(const FeedFollower&) = delete;

  // Starts the background threads (after the migrations: it reads the cursor).
  void Start();
  // Cancels the open stream and joins the threads; prompt, and safe to call twice.
  void Stop();

  // True once the projection has reached the feed head in this process, or
  // when it already held a cursor at start (a restart serves the projection it
  // has while it catches up), and it is not blocked. Use it in the readiness
  // probe.
  bool Ready() const;
  // The last feed position handled (applied or passed over).
  int64_t HandledSequence() const;
  // Waits until HandledSequence() >= sequence; false on timeout or stop.
  bool WaitUntilHandled(int64_t sequence, std::chrono::milliseconds timeout) const;

  struct Blocked {
    BlockReason reason = BlockReason::kNone;
    int64_t sequence = 0;  // the change it is stopped at, or its cursor when ahead of the feed
  };
  // Why and where the follower is stopped; reason kNone while it flows.
  Blocked BlockedAt() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace grassroots::common::feed
