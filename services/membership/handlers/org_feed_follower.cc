#include "services/membership/handlers/org_feed_follower.h"

#include <algorithm>
#include <map>
#include <random>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "grassroots/org/v1/organization.pb.h"

namespace grassroots::membership {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;

constexpr char kOrganizationType[] = "organization";

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// A change the projection can never take (malformed name or date, a cycle):
// retrying would block the feed forever, so it is logged, counted and passed.
bool IsBadChange(const absl::Status& status) {
  return absl::IsInvalidArgument(status) || absl::IsFailedPrecondition(status);
}

}  // namespace

// ---- ReconnectBackoff ---------------------------------------------------------------

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      current_(initial_) {}

std::chrono::milliseconds ReconnectBackoff::Next(double unit_random) {
  const double unit = std::clamp(unit_random, 0.0, 1.0);
  const auto delay = current_;
  current_ = std::min(max_, current_ * 2);
  const auto half = delay / 2;
  return half + std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>((delay - half).count()) * unit));
}

void ReconnectBackoff::Reset() { current_ = initial_; }

// ---- OrgFeedFollower ------------------------------------------------------------------

struct OrgFeedFollower::Impl {
  Impl(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> service_token,
       common::db::ConnectionPool& db, store::OrgProjection& org_projection,
       std::shared_ptr<prometheus::Registry> metrics_registry, OrgFeedFollowerOptions follower_options)
      : stub(feedpb::ChangeFeedService::NewStub(std::move(channel))),
        token(std::move(service_token)),
        pool(db),
        projection(org_projection),
        options(std::move(follower_options)),
        registry(metrics_registry ? std::move(metrics_registry) : std::make_shared<prometheus::Registry>()) {
    const prometheus::Labels source{{"source", options.source}};
    handled_gauge = &prometheus::BuildGauge()
                         .Name("feed_consumer_last_applied_sequence")
                         .Help("Last position of a consumed change feed that this process has handled")
                         .Register(*registry)
                         .Add(source);
    lag_gauge = &prometheus::BuildGauge()
                     .Name("feed_consumer_lag")
                     .Help("Changes committed to a consumed feed and not yet handled (feed head minus position)")
                     .Register(*registry)
                     .Add(source);
    applied_counter = &prometheus::BuildCounter()
                           .Name("feed_consumer_changes_applied_total")
                           .Help("Changes of a consumed feed applied to this service's projection")
                           .Register(*registry)
                           .Add(source);
    connected_gauge = &prometheus::BuildGauge()
                           .Name("feed_consumer_connected")
                           .Help("1 while the stream of a consumed feed is open")
                           .Register(*registry)
                           .Add(source);
    auto& errors = prometheus::BuildCounter()
                       .Name("feed_consumer_errors_total")
                       .Help("Errors consuming a feed by kind: stream, apply, bad_change, head")
                       .Register(*registry);
    for (const char* kind : {"stream", "apply", "bad_change", "head"}) {
      error_counters.emplace(kind, &errors.Add({{"source", options.source}, {"kind", kind}}));
    }
  }

  void CountError(const std::string& kind) { error_counters.at(kind)->Increment(); }

  bool Stopping() const {
    absl::MutexLock lock(&mutex);
    return stopping;
  }

  // Sleeps for `wait` unless Stop() comes first; true when stopping.
  bool SleepUnlessStopped(std::chrono::milliseconds wait) const {
    bool stop = mutex.LockWhenWithTimeout(absl::Condition(&stopping), absl::FromChrono(wait));
    mutex.Unlock();
    return stop;
  }

  void AddCredentials(grpc::ClientContext& context, const std::string& bearer) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", bearer));
    context.AddMetadata("x-request-id", common::log::NewRequestId());
  }

  // Reads the stored cursor, retrying while the database is away.
  bool LoadCursor() {
    ReconnectBackoff backoff(options.initial_backoff, options.max_backoff);
    while (true) {
      absl::StatusOr<int64_t> cursor = pool.Read<int64_t>(
          "membership.projection.cursor",
          [&](common::db::Session& session) { return projection.Cursor(session, options.source); });
      if (cursor.ok()) {
        absl::MutexLock lock(&mutex);
        handled = saved = *cursor;
        // A projection built by an earlier run serves while it catches up.
        if (*cursor > 0) ready = true;
        handled_gauge->Set(static_cast<double>(*cursor));
        loaded = true;
        return true;
      }
      common::log::Warn("cannot read the feed cursor; retrying", {{"source", options.source},
                                                                   {"status", cursor.status().ToString()}});
      if (SleepUnlessStopped(backoff.Next(Uniform()))) return false;
    }
  }

  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }

  // Marks `sequence` handled and refreshes the gauges and readiness.
  void MarkHandled(int64_t sequence, bool persisted) {
    absl::MutexLock lock(&mutex);
    handled = std::max(handled, sequence);
    if (persisted) saved = std::max(saved, sequence);
    handled_gauge->Set(static_cast<double>(handled));
    if (head >= 0) {
      lag_gauge->Set(static_cast<double>(std::max<int64_t>(0, head - handled)));
      if (handled >= head) BecomeReadyLocked();
    }
  }

  void BecomeReadyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    if (caught_up_logged) return;
    caught_up_logged = true;
    ready = true;
    common::log::Info("organization projection caught up with the feed",
                      {{"source", options.source}, {"sequence", handled}});
  }

  // Applies (or passes over) one change. An error means "reconnect later and
  // retry from the cursor" (database trouble).
  absl::Status Handle(const feedpb::Change& change) {
    const int64_t sequence = change.sequence();
    {
      absl::MutexLock lock(&mutex);
      if (sequence <= handled) return absl::OkStatus();  // already handled (a resend)
    }
    if (change.resource_type() != kOrganizationType) {
      MarkHandled(sequence, /*persisted=*/false);  // saved in bulk by the head poller
      return absl::OkStatus();
    }
    orgpb::Organization organization;
    absl::Status applied;
    if (!change.resource().UnpackTo(&organization)) {
      applied = absl::InvalidArgumentError(
          absl::StrCat("resource is ", change.resource().type_url(), ", not grassroots.org.v1.Organization"));
    } else {
      applied = pool.RunInTransaction("membership.projection.apply", [&](common::db::Session& session) {
        return projection.Apply(session, options.source, sequence, organization);
      });
    }
    if (applied.ok()) {
      applied_counter->Increment();
      MarkHandled(sequence, /*persisted=*/true);
      return absl::OkStatus();
    }
    if (!IsBadChange(applied)) {
      CountError("apply");
      return applied;
    }
    // Resource names of organizations and status texts hold no personal data.
    common::log::Error("organization change cannot be projected; passing over it",
                       {{"source", options.source}, {"sequence", sequence},
                        {"resource_name", change.resource_name()}, {"status", applied.ToString()}});
    CountError("bad_change");
    GR_RETURN_IF_ERROR(pool.Run("membership.projection.skip", [&](common::db::Session& session) {
      return projection.Skip(session, options.source, sequence);
    }));
    MarkHandled(sequence, /*persisted=*/true);
    return absl::OkStatus();
  }

  // One stream from the cursor until it breaks, Stop() cancels it, or a change
  // cannot be applied. Returns why it ended.
  absl::Status StreamOnce(ReconnectBackoff& backoff) {
    GR_ASSIGN_OR_RETURN(std::string bearer, token->Get());
    grpc::ClientContext context;
    AddCredentials(context, bearer);
    feedpb::StreamChangesRequest request;
    {
      absl::MutexLock lock(&mutex);
      if (stopping) return absl::CancelledError("stopping");
      stream_context = &context;
      request.set_after_sequence(handled);
    }
    // Every resource type: the positions of the others move the cursor too, so
    // the lag against the feed head is real.
    request.set_follow(true);
    std::unique_ptr<grpc::ClientReader<feedpb::Change>> reader = stub->StreamChanges(&context, request);
    common::log::Info("following the organization feed",
                      {{"source", options.source}, {"after_sequence", request.after_sequence()}});
    connected_gauge->Set(1);
    feedpb::Change change;
    absl::Status ended;
    while (reader->Read(&change)) {
      backoff.Reset();
      ended = Handle(change);
      if (!ended.ok()) {
        context.TryCancel();
        while (reader->Read(&change)) {
        }
        break;
      }
    }
    const grpc::Status finished = reader->Finish();
    connected_gauge->Set(0);
    {
      absl::MutexLock lock(&mutex);
      stream_context = nullptr;
    }
    if (!ended.ok()) return ended;
    if (!finished.ok()) return FromGrpc(finished);
    return absl::UnavailableError("the feed stream ended");
  }

  void RunStream() {
    if (!LoadCursor()) return;
    ReconnectBackoff backoff(options.initial_backoff, options.max_backoff);
    while (!Stopping()) {
      const absl::Status ended = StreamOnce(backoff);
      if (Stopping()) break;
      CountError("stream");
      const std::chrono::milliseconds wait = backoff.Next(Uniform());
      common::log::Warn("organization feed stream ended; reconnecting",
                        {{"source", options.source}, {"status", ended.ToString()}, {"retry_in_ms", wait.count()}});
      if (SleepUnlessStopped(wait)) break;
    }
  }

  // Reads the feed head (lag, readiness) and saves positions passed over.
  void PollHead() {
    absl::StatusOr<std::string> bearer = token->Get();
    if (bearer.ok()) {
      grpc::ClientContext context;
      AddCredentials(context, *bearer);
      context.set_deadline(std::chrono::system_clock::now() + options.call_deadline);
      feedpb::FeedHead response;
      const grpc::Status status = stub->GetFeedHead(&context, feedpb::GetFeedHeadRequest(), &response);
      if (status.ok()) {
        absl::MutexLock lock(&mutex);
        if (loaded) {
          head = response.last_sequence();
          lag_gauge->Set(static_cast<double>(std::max<int64_t>(0, head - handled)));
          if (handled >= head) BecomeReadyLocked();
        }
      } else {
        CountError("head");
        common::log::Debug("cannot read the organization feed head",
                           {{"source", options.source}, {"grpc_code", static_cast<int>(status.error_code())}});
      }
    } else {
      CountError("head");
    }
    SavePassedOver();
  }

  void SavePassedOver() {
    int64_t position = 0;
    {
      absl::MutexLock lock(&mutex);
      if (!loaded || handled <= saved) return;
      position = handled;
    }
    absl::Status status = pool.Run("membership.projection.skip", [&](common::db::Session& session) {
      return projection.Skip(session, options.source, position);
    });
    if (status.ok()) {
      absl::MutexLock lock(&mutex);
      saved = std::max(saved, position);
    }
  }

  void RunHeadPoller() {
    do {
      PollHead();
    } while (!SleepUnlessStopped(options.head_poll_interval));
  }

  std::unique_ptr<feedpb::ChangeFeedService::Stub> stub;
  std::shared_ptr<ServiceToken> token;
  common::db::ConnectionPool& pool;
  store::OrgProjection& projection;
  const OrgFeedFollowerOptions options;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Gauge* handled_gauge = nullptr;
  prometheus::Gauge* lag_gauge = nullptr;
  prometheus::Gauge* connected_gauge = nullptr;
  prometheus::Counter* applied_counter = nullptr;
  std::map<std::string, prometheus::Counter*> error_counters;
  std::mt19937_64 random{std::random_device{}()};  // stream thread only

  mutable absl::Mutex mutex;
  bool stopping ABSL_GUARDED_BY(mutex) = false;
  bool loaded ABSL_GUARDED_BY(mutex) = false;
  bool ready ABSL_GUARDED_BY(mutex) = false;
  bool caught_up_logged ABSL_GUARDED_BY(mutex) = false;
  int64_t handled ABSL_GUARDED_BY(mutex) = 0;  // last position handled
  int64_t saved ABSL_GUARDED_BY(mutex) = 0;    // last position known to be in feed_cursors
  int64_t head ABSL_GUARDED_BY(mutex) = -1;    // last feed head read; -1 before the first
  grpc::ClientContext* stream_context ABSL_GUARDED_BY(mutex) = nullptr;

  std::thread stream_thread;
  std::thread head_thread;
  bool started = false;  // Start/Stop are called from one thread (main)
};

OrgFeedFollower::OrgFeedFollower(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> token,
                                 common::db::ConnectionPool& pool, store::OrgProjection& projection,
                                 std::shared_ptr<prometheus::Registry> registry, OrgFeedFollowerOptions options)
    : impl_(std::make_unique<Impl>(std::move(channel), std::move(token), pool, projection, std::move(registry),
                                   std::move(options))) {}

OrgFeedFollower::~OrgFeedFollower() { Stop(); }

void OrgFeedFollower::Start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->stream_thread = std::thread([this] { impl_->RunStream(); });
  impl_->head_thread = std::thread([this] { impl_->RunHeadPoller(); });
}

void OrgFeedFollower::Stop() {
  {
    absl::MutexLock lock(&impl_->mutex);
    if (impl_->stopping) return;
    impl_->stopping = true;
    if (impl_->stream_context != nullptr) impl_->stream_context->TryCancel();
  }
  if (impl_->stream_thread.joinable()) impl_->stream_thread.join();
  if (impl_->head_thread.joinable()) impl_->head_thread.join();
  // The positions passed over since the last poll, so a restart does not read them again.
  if (impl_->started) impl_->SavePassedOver();
}

bool OrgFeedFollower::Ready() const {
  absl::MutexLock lock(&impl_->mutex);
  return impl_->ready;
}

int64_t OrgFeedFollower::HandledSequence() const {
  absl::MutexLock lock(&impl_->mutex);
  return impl_->handled;
}

bool OrgFeedFollower::WaitUntilHandled(int64_t sequence, std::chrono::milliseconds timeout) const {
  Impl& impl = *impl_;
  auto reached = [&impl, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(impl.mutex) {
    return impl.stopping || impl.handled >= sequence;
  };
  impl.mutex.LockWhenWithTimeout(absl::Condition(&reached), absl::FromChrono(timeout));
  const bool ok = impl.handled >= sequence;
  impl.mutex.Unlock();
  return ok;
}

}  // namespace grassroots::membership
