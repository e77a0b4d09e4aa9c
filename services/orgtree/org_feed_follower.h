#pragma once
// Keeps a service's projection of the organization tree (org_projection.h) up
// to date from the organization service's change feed, in the background.
//
// Before each stream it reads the feed head and binds the stored cursor to the
// feed's epoch: a cursor of another epoch belongs to another database of the
// organization service, so the projection is cleared and rebuilt from sequence
// 0 (logged, counted). It then streams StreamChanges from the cursor with
// follow = true and expected_epoch, and applies each organization change, and
// each residential unit and covering period (residential_units.h), in its own
// transaction together with the cursor, so a restart resumes where it stopped
// and nothing is applied twice. Changes of other resource types (meetings,
// ratings, unit heads, ...) are passed over; their positions are saved now and
// then, so the cursor and the lag cover the whole feed.
//
// Strict: a change it cannot apply is never passed over (scope checks would go
// stale). The follower stops at that change, reports not ready, exports why
// (feed_consumer_blocked) and retries with capped backoff; once the change
// applies it resumes and is ready again. A cursor ahead of the feed head (the
// organization service was restored from an older backup, so the positions
// past its head will carry other changes) clears the projection, which is then
// rebuilt from sequence 0. When the stream breaks or the
// organization service is down it reconnects with capped exponential backoff.
//
// Metrics (labels source, kind and reason only; never personal data):
//   feed_consumer_last_applied_sequence{source}  last feed position handled
//   feed_consumer_lag{source}                    feed head − that position
//   feed_consumer_changes_applied_total{source}  changes applied (organizations, units, coverings)
//   feed_consumer_errors_total{source,kind}      kind: stream, apply, bad_change, hook, head
//   feed_consumer_connected{source}              1 while a stream is open
//   feed_consumer_blocked{source,reason}         1 while stopped for that reason (BlockReason)
//   feed_consumer_blocked_sequence{source}       the change it is stopped at (0 when flowing)
//   feed_consumer_rebuilds_total{source}         projections cleared for a new feed epoch
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "grassroots/feed/v1/change_feed.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/reconnect_backoff.h"
#include "services/orgtree/service_token.h"

namespace grassroots::orgtree {

// The owning service's own reaction to an organization change (for example,
// moving the members of a cell that ended). Runs inside the transaction that
// applies the change to the projection, after it (the projection already shows
// the change); an error rolls the change back and blocks the follower at it,
// like a change that cannot be applied.
using OrganizationChangeHook =
    std::function<absl::Status(common::db::Session& session, const grassroots::org::v1::OrganizationChange& change)>;

// Why the follower is stopped at a position: the label of feed_consumer_blocked.
enum class BlockReason {
  kNone,
  kBadChange,    // "bad_change": the payload (organization, unit, covering) is unreadable or refused
  kHookFailed,   // "hook_failed": the owning service's hook refused the change
  kApplyError,   // "apply_error": the database failed while applying it
  kCursorAhead,  // "cursor_ahead": the stored cursor is beyond the feed head
};
std::string_view BlockReasonLabel(BlockReason reason);

// The organization change a feed entry of resource type "organization"
// carries: grassroots.org.v1.OrganizationChange, or the legacy payload
// grassroots.org.v1.Organization (entries written before OrganizationChange),
// from which a change is synthesised: the organization, event.organization and
// the facts after it; the legacy entry carries no dated event. Anything else,
// or a change without its organization, is INVALID_ARGUMENT.
absl::StatusOr<grassroots::org::v1::OrganizationChange> DecodeOrganizationChange(
    const grassroots::feed::v1::Change& change);

struct OrgFeedFollowerOptions {
  // feed_cursors.source and the metrics label.
  std::string source = "org";
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{30000};
  // How often the feed head is read (lag, readiness) and passed-over positions saved.
  std::chrono::milliseconds head_poll_interval{2000};
  // Deadline of the GetFeedHead call.
  std::chrono::milliseconds call_deadline{2000};
  // Optional; see OrganizationChangeHook.
  OrganizationChangeHook on_organization_change;
};

class OrgFeedFollower {
 public:
  OrgFeedFollower(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> token,
                  common::db::ConnectionPool& pool, OrgProjection& projection,
                  std::shared_ptr<prometheus::Registry> registry = nullptr,  // null: metrics kept private
                  OrgFeedFollowerOptions options = {});
  ~OrgFeedFollower();
  OrgFeedFollower(const OrgFeedFollower&) = delete;
  OrgFeedFollower& operator=(const OrgFeedFollower&) = delete;

  // Starts the background threads (after the migrations: it reads the cursor).
  void Start();
  // Cancels the open stream and joins the threads; prompt, and safe to call twice.
  void Stop();

  // True once the projection has reached the feed head in this process, or
  // when it already held a cursor at start (a restart serves the projection it
  // has while it catches up), and it is not blocked. Before that, subtree
  // scope checks would see an incomplete or stale tree: use it in the
  // readiness probe.
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

}  // namespace grassroots::orgtree
