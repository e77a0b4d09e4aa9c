#pragma once
// Keeps membership's projection of the organization tree (store/org_projection.h)
// up to date from the organization service's change feed, in the background.
//
// It streams grassroots.feed.v1.ChangeFeedService/StreamChanges from the stored
// cursor with follow = true and applies each organization change in its own
// transaction together with the cursor, so a restart resumes where it stopped
// and nothing is applied twice. Changes of other resource types (meetings,
// ratings, ...) are passed over; their positions are saved now and then, so the
// cursor and the lag cover the whole feed. When the stream breaks or the
// organization service is down it reconnects with capped exponential backoff.
//
// Metrics (label source only; never personal data):
//   feed_consumer_last_applied_sequence{source}  last feed position handled
//   feed_consumer_lag{source}                    feed head − that position
//   feed_consumer_changes_applied_total{source}  organization changes applied
//   feed_consumer_errors_total{source,kind}      kind: stream, apply, bad_change, head
//   feed_consumer_connected{source}              1 while a stream is open
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "common/db/db.h"
#include "services/membership/handlers/cell_directory.h"
#include "services/membership/store/org_projection.h"

namespace grassroots::membership {

// Capped exponential backoff: each failure doubles the delay from `initial` up
// to `max`; the wait actually taken is jittered into [delay/2, delay] so that
// replicas do not reconnect in step. Reset() after a success.
class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
  // The wait before the next attempt. unit_random: a uniform draw in [0, 1].
  std::chrono::milliseconds Next(double unit_random);
  void Reset();

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_;
};

struct OrgFeedFollowerOptions {
  // feed_cursors.source and the metrics label.
  std::string source = "org";
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{30000};
  // How often the feed head is read (lag, readiness) and passed-over positions saved.
  std::chrono::milliseconds head_poll_interval{2000};
  // Deadline of the GetFeedHead call.
  std::chrono::milliseconds call_deadline{2000};
};

class OrgFeedFollower {
 public:
  OrgFeedFollower(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> token,
                  common::db::ConnectionPool& pool, store::OrgProjection& projection,
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
  // has while it catches up). Before that, subtree scope checks would see an
  // incomplete tree: use it in the readiness probe.
  bool Ready() const;
  // The last feed position handled (applied or passed over).
  int64_t HandledSequence() const;
  // Waits until HandledSequence() >= sequence; false on timeout or stop.
  bool WaitUntilHandled(int64_t sequence, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace grassroots::membership
