#pragma once
// Keeps a service's projection of the organization tree (org_projection.h) up
// to date from the organization service's change feed, in the background.
//
// It is the generic follower (common/feed/feed_follower.h: cursor bound to the
// feed's epoch, rebuild from sequence 0 for another epoch or a cursor ahead of
// the feed, strict blocking at a change it cannot apply, capped backoff,
// readiness, the metrics feed_consumer_*{source="org",...}) applying each
// organization change, and each residential unit and covering period
// (residential_units.h), in its own transaction together with the cursor, and
// running the owning service's hook after an organization change. Other
// resource types (meetings, ratings, unit heads, ...) are passed over.
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
#include "common/feed/feed_follower.h"
#include "grassroots/feed/v1/change_feed.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/service_token.h"

namespace grassroots::orgtree {

// The owning service's own reaction to an organization change (for example,
// moving the members of a cell that ended). Runs inside the transaction that
// applies the change to the projection, after it (the projection already shows
// the change); an error rolls the change back and blocks the follower at it,
// like a change that cannot be applied.
using OrganizationChangeHook =
    std::function<absl::Status(common::db::Session& session, const grassroots::org::v1::OrganizationChange& change)>;

// Why the follower is stopped at a position (the hook's refusals are hook_failed).
using BlockReason = common::feed::BlockReason;
using common::feed::BlockReasonLabel;

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

  using Blocked = common::feed::FeedFollower::Blocked;
  // Why and where the follower is stopped; reason kNone while it flows.
  Blocked BlockedAt() const;

 private:
  std::unique_ptr<common::feed::FeedFollower> follower_;
};

}  // namespace grassroots::orgtree
