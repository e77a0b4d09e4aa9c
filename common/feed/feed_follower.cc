#include "common/feed/feed_follower.h"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include <google/protobuf/util/time_util.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/feed/feed_cursor.h"
#include "common/feed/reconnect_backoff.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"

namespace grassroots::common::feed {
namespace {

namespace feedpb = grassroots::feed::v1;

// The producer's refusals (grassroots.feed.v1.StreamChangesRequest.expected_epoch).
constexpr char kCursorAhead[] = "CURSOR_AHEAD_OF_FEED";
constexpr char kFeedDiverged[] = "FEED_DIVERGED";

constexpr std::array<BlockReason, 5> kBlockReasons = {BlockReason::kBadChange, BlockReason::kHookFailed,
                                                      BlockReason::kApplyError, BlockReason::kCursorAhead,
                                                      BlockReason::kFeedDiverged};

// A block the producer's restore caused: cleared by the rebuild, not by applying a change.
bool IsRestoreBlock(BlockReason reason) {
  return reason == BlockReason::kCursorAhead || reason == BlockReason::kFeedDiverged;
}

int64_t CommitMicros(const grassroots::feed::v1::Change& change) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(change.commit_time());
}

// A change the projection can never take as it stands (malformed name or
// date, a cycle): retrying helps only once the producer's entry is fixed.
bool IsBadChange(const absl::Status& status) {
  return absl::IsInvalidArgument(status) || absl::IsFailedPrecondition(status);
}

// The error counter's kind for a block reason.
const char* ErrorKindOf(BlockReason reason) {
  switch (reason) {
    case BlockReason::kBadChange: return "bad_change";
    case BlockReason::kHookFailed: return "hook";
    case BlockReason::kApplyError: return "apply";
    case BlockReason::kCursorAhead:
    case BlockReason::kFeedDiverged:
    case BlockReason::kNone: break;
  }
  return "stream";
}

}  // namespace

std::string_view BlockReasonLabel(BlockReason reason) {
  switch (reason) {
    case BlockReason::kNone: return "none";
    case BlockReason::kBadChange: return "bad_change";
    case BlockReason::kHookFailed: return "hook_failed";
    case BlockReason::kApplyError: return "apply_error";
    case BlockReason::kCursorAhead: return "cursor_ahead";
    case BlockReason::kFeedDiverged: return "feed_diverged";
  }
  return "none";
}

struct FeedFollower::Impl {
  Impl(std::shared_ptr<grpc::Channel> channel, BearerTokenProvider bearer_token, db::ConnectionPool& db,
       FeedConsumer feed_consumer, std::shared_ptr<prometheus::Registry> metrics_registry,
       FeedFollowerOptions follower_options)
      : stub(feedpb::ChangeFeedService::NewStub(std::move(channel))),
        token(std::move(bearer_token)),
        pool(db),
        consumer(std::move(feed_consumer)),
        options(std::move(follower_options)),
        apply_operation(options.operation_prefix + ".apply"),
        bind_operation(options.operation_prefix + ".bind_epoch"),
        reset_operation(options.operation_prefix + ".reset"),
        cursor_operation(options.operation_prefix + ".cursor"),
        skip_operation(options.operation_prefix + ".skip"),
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
                           .Help("Changes of a consumed feed applied to this service's projection of it")
                           .Register(*registry)
                           .Add(source);
    connected_gauge = &prometheus::BuildGauge()
                           .Name("feed_consumer_connected")
                           .Help("1 while the stream of a consumed feed is open")
                           .Register(*registry)
                           .Add(source);
    rebuilds_counter = &prometheus::BuildCounter()
                            .Name("feed_consumer_rebuilds_total")
                            .Help("Projections cleared and rebuilt because the consumed feed's epoch changed, its "
                                  "head fell behind the cursor or it no longer holds the cursor's change")
                            .Register(*registry)
                            .Add(source);
    blocked_sequence_gauge = &prometheus::BuildGauge()
                                  .Name("feed_consumer_blocked_sequence")
                                  .Help("The change a consumer is stopped at (0 while it flows)")
                                  .Register(*registry)
                                  .Add(source);
    auto& blocked = prometheus::BuildGauge()
                        .Name("feed_consumer_blocked")
                        .Help("1 while a consumer is stopped at a change, by reason: bad_change, hook_failed, "
                              "apply_error, cursor_ahead, feed_diverged")
                        .Register(*registry);
    for (BlockReason reason : kBlockReasons) {
      blocked_gauges.emplace(reason,
                             &blocked.Add({{"source", options.source}, {"reason", std::string(BlockReasonLabel(reason))}}));
    }
    auto& errors = prometheus::BuildCounter()
                       .Name("feed_consumer_errors_total")
                       .Help("Errors consuming a feed by kind: stream, apply, bad_change, hook, head")
                       .Register(*registry);
    for (const char* kind : {"stream", "apply", "bad_change", "hook", "head"}) {
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
    context.AddMetadata("x-request-id", log::NewRequestId());
  }

  // Clears the owner's projection (inside the caller's transaction).
  absl::Status ClearOwnersProjection(db::Session& session) {
    return consumer.reset ? consumer.reset(session) : absl::OkStatus();
  }

  // Reads the stored cursor, retrying while the database is away.
  bool LoadCursor() {
    ReconnectBackoff backoff(options.initial_backoff, options.max_backoff);
    while (true) {
      absl::StatusOr<FeedPosition> cursor = pool.Read<FeedPosition>(
          cursor_operation, [&](db::Session& session) { return ReadCursor(session, options.source); });
      if (cursor.ok()) {
        absl::MutexLock lock(&mutex);
        handled = saved = cursor->sequence;
        handled_commit_micros = cursor->commit_micros;
        epoch = cursor->epoch;
        // A projection built by an earlier run serves while it catches up.
        if (cursor->sequence > 0) ready = true;
        handled_gauge->Set(static_cast<double>(cursor->sequence));
        loaded = true;
        return true;
      }
      log::Warn("cannot read the feed cursor; retrying",
                {{"source", options.source}, {"status", cursor.status().ToString()}});
      if (SleepUnlessStopped(backoff.Next(Uniform()))) return false;
    }
  }

  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }

  // Marks `sequence` (committed at commit_micros) handled and refreshes the
  // gauges, the block and readiness.
  void MarkHandled(int64_t sequence, int64_t commit_micros, bool persisted) {
    absl::MutexLock lock(&mutex);
    if (sequence > handled) {
      handled = sequence;
      handled_commit_micros = commit_micros;
    }
    if (persisted) saved = std::max(saved, sequence);
    handled_gauge->Set(static_cast<double>(handled));
    if (block_reason != BlockReason::kNone && !IsRestoreBlock(block_reason) && handled >= block_sequence) {
      UnblockLocked();
    }
    if (head >= 0) {
      lag_gauge->Set(static_cast<double>(std::max<int64_t>(0, head - handled)));
      if (handled >= head) BecomeReadyLocked();
    }
  }

  void BecomeReadyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    if (caught_up_logged) return;
    caught_up_logged = true;
    ready = true;
    log::Info(absl::StrCat("projection of the ", options.feed_name, " feed caught up"),
              {{"source", options.source}, {"sequence", handled}});
  }

  // Back to sequence 0 after the projection was cleared: not ready until it catches up again.
  void StartOverLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    rebuilds_counter->Increment();
    handled = saved = 0;
    handled_commit_micros = 0;
    ready = false;
    caught_up_logged = false;
    handled_gauge->Set(0);
  }

  // Stops at `sequence` for `reason` until UnblockLocked(): not ready, and
  // feed_consumer_blocked says why. Logged once per (reason, sequence).
  void Block(BlockReason reason, int64_t sequence, const absl::Status& why, const std::string& resource_name) {
    if (!IsRestoreBlock(reason)) CountError(ErrorKindOf(reason));
    absl::MutexLock lock(&mutex);
    const bool first = block_reason != reason || block_sequence != sequence;
    block_reason = reason;
    block_sequence = sequence;
    for (const auto& [each, gauge] : blocked_gauges) gauge->Set(each == reason ? 1 : 0);
    blocked_sequence_gauge->Set(static_cast<double>(sequence));
    // Resource names carry ids only, and status texts no personal data.
    const nlohmann::json fields = {{"source", options.source},
                                   {"reason", std::string(BlockReasonLabel(reason))},
                                   {"sequence", sequence},
                                   {"resource_name", resource_name},
                                   {"status", why.ToString()}};
    if (first && IsRestoreBlock(reason)) {
      log::Error("the feed no longer holds what this projection applied (restored producer); rebuilding", fields);
    } else if (first) {
      log::Error("stopped at a feed change it cannot apply; not ready, retrying", fields);
    } else {
      log::Debug("still stopped at a feed change", fields);
    }
  }

  void UnblockLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    if (block_reason == BlockReason::kNone) return;
    log::Info("resumed after a blocked feed change", {{"source", options.source},
                                                      {"reason", std::string(BlockReasonLabel(block_reason))},
                                                      {"sequence", block_sequence}});
    block_reason = BlockReason::kNone;
    block_sequence = 0;
    for (const auto& [each, gauge] : blocked_gauges) gauge->Set(0);
    blocked_sequence_gauge->Set(0);
  }

  // Applies (or passes over) one change. An error stops the stream; the
  // caller reconnects later and retries from the cursor.
  absl::Status Handle(const feedpb::Change& change) {
    std::string bound_epoch;
    {
      absl::MutexLock lock(&mutex);
      if (change.sequence() <= handled) return absl::OkStatus();  // already handled (a resend)
      bound_epoch = epoch;
    }
    if (consumer.resource_types.contains(change.resource_type())) return Commit(change, bound_epoch);
    MarkHandled(change.sequence(), CommitMicros(change), /*persisted=*/false);  // saved in bulk by the head poller
    return absl::OkStatus();
  }

  // Changes read off the stream and not yet handled.
  struct Inbox {
    absl::Mutex mu;
    std::deque<feedpb::Change> changes ABSL_GUARDED_BY(mu);
    bool closed ABSL_GUARDED_BY(mu) = false;     // the stream ended
    bool abandoned ABSL_GUARDED_BY(mu) = false;  // the applier takes no more

    // Bounded, so a slow projection holds the producer back (HTTP/2 flow
    // control) rather than filling memory.
    static constexpr size_t kCapacity = 4096;

    // Waits for room; false once abandoned.
    bool Put(feedpb::Change change) {
      absl::MutexLock lock(&mu);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return changes.size() < kCapacity || abandoned; };
      mu.Await(absl::Condition(&room));
      if (abandoned) return false;
      changes.push_back(std::move(change));
      return true;
    }
    void Close() {
      absl::MutexLock lock(&mu);
      closed = true;
    }
    void Abandon() {
      absl::MutexLock lock(&mu);
      abandoned = true;
    }
    // Waits for changes and moves up to `most` of them, in order, into
    // `run`; false when the stream ended and nothing is left.
    bool Take(std::vector<feedpb::Change>& run, size_t most) {
      run.clear();
      absl::MutexLock lock(&mu);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !changes.empty() || closed; };
      mu.Await(absl::Condition(&ready));
      while (!changes.empty() && run.size() < most) {
        run.push_back(std::move(changes.front()));
        changes.pop_front();
      }
      return !run.empty();
    }
  };

  static void ReadInto(grpc::ClientReader<feedpb::Change>& reader, Inbox& inbox) {
    feedpb::Change change;
    bool taking = true;
    // After an abandon, reads on until the cancelled stream ends.
    while (reader.Read(&change)) {
      if (taking) taking = inbox.Put(std::move(change));
    }
    inbox.Close();
  }

  // Handles changes in feed order: those of the owner's types in one
  // transaction with the cursor (each with its reaction), the others passed
  // over. When the run fails, its changes are retried one by one, so the one
  // that cannot be applied is found, blocked at and reported as before.
  absl::Status HandleRun(std::vector<feedpb::Change>& run) {
    std::string bound_epoch;
    {
      absl::MutexLock lock(&mutex);
      const int64_t already = handled;
      std::erase_if(run, [already](const feedpb::Change& change) { return change.sequence() <= already; });
      bound_epoch = epoch;
    }
    if (run.empty()) return absl::OkStatus();
    const size_t kept = static_cast<size_t>(std::count_if(run.begin(), run.end(), [&](const feedpb::Change& change) {
      return consumer.resource_types.contains(change.resource_type());
    }));
    const int64_t last = run.back().sequence();
    if (kept == 0) {
      MarkHandled(last, CommitMicros(run.back()), /*persisted=*/false);  // saved in bulk by the head poller
      return absl::OkStatus();
    }
    if (run.size() == 1) return Commit(run.front(), bound_epoch);
    int64_t applied_now = 0;
    const absl::Status applied = pool.RunInTransaction(apply_operation, [&](db::Session& session) -> absl::Status {
      applied_now = 0;
      GR_ASSIGN_OR_RETURN(const bool moved,
                          ApplyRunAtCursor(session, options.source, bound_epoch, last,
                                           [&](db::Session& s, int64_t cursor) -> absl::Status {
                                             for (const feedpb::Change& change : run) {
                                               if (change.sequence() <= cursor) continue;  // another replica applied it
                                               if (!consumer.resource_types.contains(change.resource_type())) continue;
                                               GR_RETURN_IF_ERROR(consumer.apply(s, change));
                                               if (consumer.react) GR_RETURN_IF_ERROR(consumer.react(s, change));
                                               ++applied_now;
                                             }
                                             return absl::OkStatus();
                                           }));
      if (!moved) return absl::OkStatus();
      return RecordCursorCommitTime(session, options.source, last, CommitMicros(run.back()));
    });
    if (applied.ok()) {
      applied_counter->Increment(static_cast<double>(applied_now));
      MarkHandled(last, CommitMicros(run.back()), /*persisted=*/true);
      return absl::OkStatus();
    }
    // Another replica rebound the cursor to a new epoch: start over from the head.
    if (absl::IsAborted(applied)) return applied;
    for (const feedpb::Change& change : run) GR_RETURN_IF_ERROR(Handle(change));
    return absl::OkStatus();
  }

  // Applies a change in one transaction with the cursor, then the owner's
  // reaction when the change was fresh.
  absl::Status Commit(const feedpb::Change& change, const std::string& bound_epoch) {
    const int64_t sequence = change.sequence();
    bool in_reaction = false;  // an error while true (returned or thrown) is the reaction's
    const absl::Status applied = pool.RunInTransaction(apply_operation, [&](db::Session& session) -> absl::Status {
      in_reaction = false;
      GR_ASSIGN_OR_RETURN(const bool fresh,
                          ApplyAtCursor(session, options.source, bound_epoch, sequence,
                                        [&](db::Session& s) { return consumer.apply(s, change); }));
      // Applied before, by this process or another replica, with its reaction.
      if (!fresh) return absl::OkStatus();
      GR_RETURN_IF_ERROR(RecordCursorCommitTime(session, options.source, sequence, CommitMicros(change)));
      if (!consumer.react) return absl::OkStatus();
      in_reaction = true;
      GR_RETURN_IF_ERROR(consumer.react(session, change));
      in_reaction = false;
      return absl::OkStatus();
    });
    if (applied.ok()) {
      applied_counter->Increment();
      MarkHandled(sequence, CommitMicros(change), /*persisted=*/true);
      return absl::OkStatus();
    }
    // Another replica rebound the cursor to a new epoch: start over from the head.
    if (absl::IsAborted(applied) && !in_reaction) return applied;
    const BlockReason reason = in_reaction            ? BlockReason::kHookFailed
                               : IsBadChange(applied) ? BlockReason::kBadChange
                                                      : BlockReason::kApplyError;
    Block(reason, sequence, applied, change.resource_name());
    return applied;
  }

  absl::StatusOr<feedpb::FeedHead> ReadHead(const std::string& bearer) {
    grpc::ClientContext context;
    AddCredentials(context, bearer);
    context.set_deadline(std::chrono::system_clock::now() + options.call_deadline);
    feedpb::FeedHead head_now;
    const grpc::Status status = stub->GetFeedHead(&context, feedpb::GetFeedHeadRequest(), &head_now);
    if (!status.ok()) return FromGrpcStatus(status);
    return head_now;
  }

  // Reads the feed head and binds the cursor to its epoch (clearing the
  // projection for another epoch). Returns the head.
  absl::StatusOr<feedpb::FeedHead> ReadHeadAndBind(const std::string& bearer) {
    GR_ASSIGN_OR_RETURN(const feedpb::FeedHead head_now, ReadHead(bearer));
    if (head_now.epoch().empty()) {
      return absl::UnavailableError(absl::StrCat("the ", options.feed_name, " feed head carries no epoch"));
    }
    GR_ASSIGN_OR_RETURN(const EpochBinding binding,
                        pool.Transact<EpochBinding>(bind_operation, [&](db::Session& s) {
                          return BindCursorEpoch(s, options.source, head_now.epoch(),
                                                 [&](db::Session& inner) { return ClearOwnersProjection(inner); });
                        }));
    absl::MutexLock lock(&mutex);
    if (binding == EpochBinding::kReset) {
      log::Warn(absl::StrCat("the ", options.feed_name,
                             " feed has a new epoch (another database); rebuilding the projection from sequence 0"),
                {{"source", options.source}, {"old_epoch", epoch}, {"epoch", head_now.epoch()},
                 {"old_sequence", handled}});
      StartOverLocked();
      // A change blocked in the other epoch says nothing about this one.
      if (block_reason != BlockReason::kCursorAhead) UnblockLocked();
    }
    epoch = head_now.epoch();
    head = head_now.last_sequence();
    return head_now;
  }

  // The producer was restored from an older backup: positions past its head
  // (or, once it wrote again, up to the cursor) carry other changes than the
  // ones applied, so resuming at the cursor would miss them. The projection
  // is derived data: it is rebuilt from 0 (the next attempt streams from
  // there and the block clears).
  void RewindAfterRestore(int64_t cursor, int64_t head_sequence) {
    const absl::Status reset = pool.RunInTransaction(reset_operation, [&](db::Session& s) {
      return RewindCursor(s, options.source, [&](db::Session& inner) { return ClearOwnersProjection(inner); });
    });
    if (!reset.ok()) {  // still blocked; the next attempt tries again
      log::Warn("cannot clear the projection for a rebuild; retrying",
                {{"source", options.source}, {"status", reset.ToString()}});
      return;
    }
    absl::MutexLock lock(&mutex);
    log::Warn(absl::StrCat("the ", options.feed_name,
                           " feed no longer holds the changes up to this projection's cursor (restored from a "
                           "backup?); rebuilding the projection from sequence 0"),
              {{"source", options.source}, {"cursor", cursor}, {"head", head_sequence}});
    StartOverLocked();
  }

  // Blocks at a cursor the restored feed does not back (ahead of its head,
  // or at a change it no longer holds) and rebuilds the projection.
  void CursorNotBacked(BlockReason reason, int64_t cursor, int64_t head_sequence, const absl::Status& why) {
    Block(reason, cursor, why, "");
    RewindAfterRestore(cursor, head_sequence);
  }

  // One stream from the cursor until it breaks, Stop() cancels it, or a change
  // cannot be applied. Returns why it ended.
  absl::Status StreamOnce(ReconnectBackoff& backoff) {
    absl::StatusOr<std::string> bearer = token();
    if (!bearer.ok()) return bearer.status();
    absl::StatusOr<feedpb::FeedHead> head_now = ReadHeadAndBind(*bearer);
    if (!head_now.ok()) {
      CountError("stream");
      return head_now.status();
    }
    grpc::ClientContext context;
    AddCredentials(context, *bearer);
    feedpb::StreamChangesRequest request;
    {
      absl::MutexLock lock(&mutex);
      if (stopping) return absl::CancelledError("stopping");
      request.set_after_sequence(handled);
      request.set_expected_epoch(epoch);
      if (handled > 0 && handled_commit_micros > 0) {
        *request.mutable_after_commit_time() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(handled_commit_micros);
      }
      // Rebuilt since (or, ahead, the feed grew back): try the stream again.
      const bool rebuilt = block_reason == BlockReason::kCursorAhead ? handled <= head_now->last_sequence()
                                                                      : handled == 0;
      if (IsRestoreBlock(block_reason) && rebuilt) UnblockLocked();
      stream_context = &context;
    }
    if (request.after_sequence() > head_now->last_sequence()) {
      {
        absl::MutexLock lock(&mutex);
        stream_context = nullptr;
      }
      const absl::Status ahead = Reasoned(
          absl::StatusCode::kFailedPrecondition, kCursorAhead,
          absl::StrCat("cursor ", request.after_sequence(), " is beyond the feed head ", head_now->last_sequence()));
      CountError("stream");  // refused before it was opened; retried like a broken stream
      CursorNotBacked(BlockReason::kCursorAhead, request.after_sequence(), head_now->last_sequence(), ahead);
      return ahead;
    }
    // Every resource type: the positions of the others move the cursor too, so
    // the lag against the feed head is real.
    request.set_follow(true);
    std::unique_ptr<grpc::ClientReader<feedpb::Change>> reader = stub->StreamChanges(&context, request);
    log::Info(absl::StrCat("following the ", options.feed_name, " feed"),
              {{"source", options.source}, {"after_sequence", request.after_sequence()}});
    connected_gauge->Set(1);
    // The stream is read on its own thread while this one applies, so the
    // changes that arrive during one transaction go together into the next.
    Inbox inbox;
    std::thread reading([&] { ReadInto(*reader, inbox); });
    absl::Status ended;
    bool stream_over = false;
    std::vector<feedpb::Change> run;
    while (!Stopping()) {
      if (!inbox.Take(run, static_cast<size_t>(std::max(1, options.max_run_changes)))) {
        stream_over = true;
        break;
      }
      ended = HandleRun(run);
      // Only progress resets the backoff: a change that keeps failing is
      // retried ever more slowly, up to the cap.
      if (!ended.ok()) break;
      backoff.Reset();
    }
    if (!stream_over) {
      context.TryCancel();  // ends the reading thread's Read
      inbox.Abandon();
    }
    reading.join();
    const grpc::Status finished = reader->Finish();
    connected_gauge->Set(0);
    {
      absl::MutexLock lock(&mutex);
      stream_context = nullptr;
    }
    if (!ended.ok()) return ended;
    CountError("stream");
    if (finished.ok()) return absl::UnavailableError("the feed stream ended");
    const absl::Status refused = FromGrpcStatus(finished);
    // Raced with a restore between the head read and the stream: same block.
    if (ReasonOf(refused) == kCursorAhead) {
      CursorNotBacked(BlockReason::kCursorAhead, request.after_sequence(), head_now->last_sequence(), refused);
    }
    // Restored and written again past the cursor: the same positions now hold other changes.
    if (ReasonOf(refused) == kFeedDiverged) {
      CursorNotBacked(BlockReason::kFeedDiverged, request.after_sequence(), head_now->last_sequence(), refused);
    }
    // FEED_EPOCH_MISMATCH needs nothing here: the next attempt reads the head and rebinds.
    return refused;
  }

  void RunStream() {
    if (!LoadCursor()) return;
    ReconnectBackoff backoff(options.initial_backoff, options.max_backoff);
    while (!Stopping()) {
      const absl::Status ended = StreamOnce(backoff);
      if (Stopping()) break;
      const std::chrono::milliseconds wait = backoff.Next(Uniform());
      log::Warn(absl::StrCat(options.feed_name, " feed stream ended; retrying"),
                {{"source", options.source}, {"status", ended.ToString()}, {"retry_in_ms", wait.count()}});
      // An unreachable producer is waited out until the head poller reaches
      // it again, not for the whole backoff (which grows long in an outage);
      // a change that keeps failing keeps the full backoff.
      const bool outage = absl::IsUnavailable(ended) || absl::IsDeadlineExceeded(ended);
      if (outage ? SleepUntilProducerAnswers(wait, backoff) : SleepUnlessStopped(wait)) break;
    }
  }

  // True when stopping. A head poll that reaches the producer ends the wait
  // early and resets the backoff.
  bool SleepUntilProducerAnswers(std::chrono::milliseconds wait, ReconnectBackoff& backoff) {
    mutex.Lock();
    producer_answered = false;
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) { return stopping || producer_answered; };
    mutex.AwaitWithTimeout(absl::Condition(&woken), absl::FromChrono(wait));
    const bool stop = stopping;
    const bool answered = producer_answered;
    mutex.Unlock();
    if (answered) backoff.Reset();
    return stop;
  }

  // Reads the feed head (lag, readiness) and saves positions passed over.
  void PollHead() {
    absl::StatusOr<std::string> bearer = token();
    absl::StatusOr<feedpb::FeedHead> response =
        bearer.ok() ? ReadHead(*bearer) : absl::StatusOr<feedpb::FeedHead>(bearer.status());
    if (response.ok()) {
      absl::MutexLock lock(&mutex);
      producer_answered = true;
      // Another epoch's head says nothing about this cursor; the stream thread rebinds.
      if (loaded && response->epoch() == epoch) {
        head = response->last_sequence();
        lag_gauge->Set(static_cast<double>(std::max<int64_t>(0, head - handled)));
        if (handled >= head) BecomeReadyLocked();
      }
    } else {
      CountError("head");
      log::Debug(absl::StrCat("cannot read the ", options.feed_name, " feed head"),
                 {{"source", options.source}, {"grpc_code", static_cast<int>(response.status().code())}});
    }
    SavePassedOver();
  }

  void SavePassedOver() {
    int64_t position = 0;
    int64_t commit_micros = 0;
    std::string bound_epoch;
    {
      absl::MutexLock lock(&mutex);
      if (!loaded || handled <= saved || epoch.empty()) return;
      position = handled;
      commit_micros = handled_commit_micros;
      bound_epoch = epoch;
    }
    absl::Status status = pool.RunInTransaction(skip_operation, [&](db::Session& session) -> absl::Status {
      GR_RETURN_IF_ERROR(AdvanceCursor(session, options.source, bound_epoch, position));
      if (commit_micros == 0) return absl::OkStatus();
      return RecordCursorCommitTime(session, options.source, position, commit_micros);
    });
    if (status.ok()) {
      absl::MutexLock lock(&mutex);
      if (epoch == bound_epoch) saved = std::max(saved, position);
    }
  }

  void RunHeadPoller() {
    do {
      PollHead();
    } while (!SleepUnlessStopped(options.head_poll_interval));
  }

  std::unique_ptr<feedpb::ChangeFeedService::Stub> stub;
  BearerTokenProvider token;
  db::ConnectionPool& pool;
  const FeedConsumer consumer;
  const FeedFollowerOptions options;
  // Database operation names; the pool keeps views of them while a call runs.
  const std::string apply_operation;
  const std::string bind_operation;
  const std::string reset_operation;
  const std::string cursor_operation;
  const std::string skip_operation;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Gauge* handled_gauge = nullptr;
  prometheus::Gauge* lag_gauge = nullptr;
  prometheus::Gauge* connected_gauge = nullptr;
  prometheus::Gauge* blocked_sequence_gauge = nullptr;
  prometheus::Counter* applied_counter = nullptr;
  prometheus::Counter* rebuilds_counter = nullptr;
  std::map<BlockReason, prometheus::Gauge*> blocked_gauges;
  std::map<std::string, prometheus::Counter*> error_counters;
  std::mt19937_64 random{std::random_device{}()};  // stream thread only

  mutable absl::Mutex mutex;
  bool stopping ABSL_GUARDED_BY(mutex) = false;
  // Set by a head poll that reached the producer; wakes a stream waiting out
  // its backoff after the producer (or its database) was away.
  bool producer_answered ABSL_GUARDED_BY(mutex) = false;
  bool loaded ABSL_GUARDED_BY(mutex) = false;
  bool ready ABSL_GUARDED_BY(mutex) = false;
  bool caught_up_logged ABSL_GUARDED_BY(mutex) = false;
  int64_t handled ABSL_GUARDED_BY(mutex) = 0;  // last position handled
  int64_t saved ABSL_GUARDED_BY(mutex) = 0;    // last position known to be in feed_cursors
  // The commit_time of the change at `handled` (microseconds; 0: not known).
  int64_t handled_commit_micros ABSL_GUARDED_BY(mutex) = 0;
  int64_t head ABSL_GUARDED_BY(mutex) = -1;    // last feed head read; -1 before the first
  std::string epoch ABSL_GUARDED_BY(mutex);    // the feed epoch the cursor is bound to
  BlockReason block_reason ABSL_GUARDED_BY(mutex) = BlockReason::kNone;
  int64_t block_sequence ABSL_GUARDED_BY(mutex) = 0;
  grpc::ClientContext* stream_context ABSL_GUARDED_BY(mutex) = nullptr;

  std::thread stream_thread;
  std::thread head_thread;
  bool started = false;  // Start/Stop are called from one thread (main)
};

FeedFollower::FeedFollower(std::shared_ptr<grpc::Channel> channel, BearerTokenProvider token,
                           db::ConnectionPool& pool, FeedConsumer consumer,
                           std::shared_ptr<prometheus::Registry> registry, FeedFollowerOptions options)
    : impl_(std::make_unique<Impl>(std::move(channel), std::move(token), pool, std::move(consumer),
                                   std::move(registry), std::move(options))) {}

FeedFollower::~FeedFollower() { Stop(); }

void FeedFollower::Start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->stream_thread = std::thread([this] { impl_->RunStream(); });
  impl_->head_thread = std::thread([this] { impl_->RunHeadPoller(); });
}

void FeedFollower::Stop() {
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

bool FeedFollower::Ready() const {
  absl::MutexLock lock(&impl_->mutex);
  return impl_->ready && impl_->block_reason == BlockReason::kNone;
}

int64_t FeedFollower::HandledSequence() const {
  absl::MutexLock lock(&impl_->mutex);
  return impl_->handled;
}

bool FeedFollower::WaitUntilHandled(int64_t sequence, std::chrono::milliseconds timeout) const {
  Impl& impl = *impl_;
  auto reached = [&impl, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(impl.mutex) {
    return impl.stopping || impl.handled >= sequence;
  };
  impl.mutex.LockWhenWithTimeout(absl::Condition(&reached), absl::FromChrono(timeout));
  const bool ok = impl.handled >= sequence;
  impl.mutex.Unlock();
  return ok;
}

FeedFollower::Blocked FeedFollower::BlockedAt() const {
  absl::MutexLock lock(&impl_->mutex);
  return Blocked{impl_->block_reason, impl_->block_sequence};
}

}  // namespace grassroots::common::feed
