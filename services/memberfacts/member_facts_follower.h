#pragma once
// Keeps a service's member-facts projection (member_facts_projection.h) up to
// date from the membership service's change feed, in the background: the
// generic follower (common/feed/feed_follower.h: cursor bound to the feed's
// epoch, rebuild from sequence 0 for another epoch or a cursor ahead of the
// feed, strict blocking at a change it cannot apply, capped backoff,
// readiness) applying "member" and "member_periods" entries, each in one
// transaction with the cursor. "member_event" entries are passed over.
// Metrics: feed_consumer_*{source="membership",...}.
#include <chrono>
#include <cstdint>
#include <memory>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "common/db/db.h"
#include "common/feed/feed_follower.h"
#include "grassroots/feed/v1/change_feed.pb.h"

namespace grassroots::memberfacts {

// What the follower writes for one entry of membership's feed (its apply
// step, inside the transaction that moves the cursor): INVALID_ARGUMENT for
// an entry it can never take as it stands.
absl::Status ApplyMembershipChange(common::db::Session& session, const grassroots::feed::v1::Change& change);

// source and metrics label "membership"; the backoff and polling defaults of the generic follower.
common::feed::FeedFollowerOptions MemberFactsFollowerDefaults();

class MemberFactsFollower {
 public:
  // channel: the membership service; token: the bearer a service presents to it.
  MemberFactsFollower(std::shared_ptr<grpc::Channel> channel, common::feed::BearerTokenProvider token,
                      common::db::ConnectionPool& pool,
                      std::shared_ptr<prometheus::Registry> registry = nullptr,  // null: metrics kept private
                      common::feed::FeedFollowerOptions options = MemberFactsFollowerDefaults());

  // Starts the background threads (after the migrations: it reads the cursor).
  void Start() { follower_.Start(); }
  // Cancels the open stream and joins the threads; prompt, and safe to call twice.
  void Stop() { follower_.Stop(); }
  // The projection reached the feed head (or held a cursor at start) and is
  // not blocked: use it in the readiness probe.
  bool Ready() const { return follower_.Ready(); }
  int64_t HandledSequence() const { return follower_.HandledSequence(); }
  bool WaitUntilHandled(int64_t sequence, std::chrono::milliseconds timeout) const {
    return follower_.WaitUntilHandled(sequence, timeout);
  }
  common::feed::FeedFollower::Blocked BlockedAt() const { return follower_.BlockedAt(); }

 private:
  common::feed::FeedFollower follower_;
};

}  // namespace grassroots::memberfacts
