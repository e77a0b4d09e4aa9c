#include "common/feed/feed.h"

#include "common/feed/audit_chain.h"
#include "common/feed/sequencer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <sstream>
#include <vector>

#include <cppconn/exception.h>
#include <google/protobuf/any.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/api/api.h"
#include "common/db/multi_row.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::common::feed {
namespace {

namespace feedpb = ::grassroots::feed::v1;

uint64_t CommittedGeneration(const db::ConnectionPool& pool) {
  CommitSignal& signal = NumberedChanges(pool);
  absl::MutexLock lock(&signal.mu);
  return signal.generation;
}

constexpr std::string_view kStreamChangesMethod = "/grassroots.feed.v1.ChangeFeedService/StreamChanges";
constexpr std::string_view kGetFeedHeadMethod = "/grassroots.feed.v1.ChangeFeedService/GetFeedHead";
constexpr int kMaxResourceTypeFilters = 64;
constexpr size_t kMaxRequestIdLength = 128;


// Deterministic bytes so equal requests (maps included) hash equally.
std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream output(&bytes);
    google::protobuf::io::CodedOutputStream coded(&output);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return api::Sha256Hex(bytes);
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

// DATETIME(6) in UTC -> microseconds since the epoch, computed by the server
// so no string parsing happens here.
constexpr absl::string_view kMicrosOf = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ";

bool IsDuplicateKey(const sql::SQLException& e) { return e.getErrorCode() == 1062; }

}  // namespace

absl::Status RecordAudit(db::Session& session, const WriteContext& context, std::string_view action,
                         std::string_view resource_name, const nlohmann::json& details) {
  if (action.empty() || resource_name.empty()) return absl::InternalError("RecordAudit needs action and resource_name");
  return AppendAudit(session, {AuditFields{context.actor, std::string(action), std::string(resource_name),
                                           context.request_id, details.is_null() ? "{}" : details.dump(),
                                           context.purpose}});
}

absl::Status RecordChange(db::Session& session, const WriteContext& context, const ChangeRecord& change) {
  return RecordChanges(session, context, std::span<const ChangeRecord>(&change, 1));
}

absl::Status RecordChanges(db::Session& session, const WriteContext& context, std::span<const ChangeRecord> changes) {
  if (changes.empty()) return absl::OkStatus();
  std::vector<AuditFields> audit;
  std::vector<std::string> resources;
  audit.reserve(changes.size());
  resources.reserve(changes.size());
  for (const ChangeRecord& change : changes) {
    if (change.resource == nullptr) return absl::InternalError("RecordChange needs the resource after the change");
    if (change.resource_type.empty() || change.resource_name.empty() || change.action.empty()) {
      return absl::InternalError("RecordChange needs resource_type, resource_name and action");
    }
    google::protobuf::Any any;
    any.PackFrom(*change.resource);
    resources.push_back(any.SerializeAsString());
    audit.push_back(AuditFields{context.actor, absl::StrCat(change.resource_type, ".", change.action),
                                change.resource_name, context.request_id,
                                change.audit_details.is_null() ? "{}" : change.audit_details.dump(),
                                context.purpose});
  }
  GR_RETURN_IF_ERROR(InsertUnlinkedAudit(session, audit));
  // No number yet and no shared lock: the sequencer numbers the rows once
  // committed (sequencer.h), in id order, which is the order given here;
  // commit_time is set again then.
  db::ForEachRowChunk(changes.size(), [&](size_t first, int count) {
    sql::PreparedStatement& append = session.Prepare(absl::StrCat(
        "INSERT INTO change_feed (resource_type, resource_name, action, commit_time, actor, request_id, resource) "
        "VALUES ",
        db::RepeatRow("(?, ?, ?, UTC_TIMESTAMP(6), ?, ?, ?)", count)));
    std::vector<std::istringstream> blobs;
    blobs.reserve(static_cast<size_t>(count));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      const ChangeRecord& change = changes[i];
      append.setString(index++, change.resource_type);
      append.setString(index++, change.resource_name);
      append.setString(index++, change.action);
      append.setString(index++, context.actor);
      append.setString(index++, context.request_id);
      blobs.emplace_back(resources[i]);
      append.setBlob(index++, &blobs.back());
    }
    append.executeUpdate();
  });
  SealAfterCommit(session);
  return absl::OkStatus();
}

absl::StatusOr<std::string> RunIdempotent(db::ConnectionPool& pool, std::string_view operation,
                                          const WriteContext& context, std::string_view method,
                                          std::string_view request_id, const google::protobuf::Message& request,
                                          const std::function<absl::StatusOr<std::string>(db::Session&)>& create) {
  if (request_id.empty()) return pool.Transact<std::string>(operation, create);
  if (request_id.size() > kMaxRequestIdLength) {
    return InvalidField("request_id", absl::StrCat("must be at most ", kMaxRequestIdLength, " characters"));
  }
  const std::string fingerprint = Fingerprint(request);

  // The key row is reserved before create runs: a concurrent duplicate blocks
  // on that insert until the first transaction ends, then sees 1062 and reads
  // the committed response instead of running create a second time (which
  // could fail on the first one's unique keys with a misleading error).
  // A locking read is used because it sees the latest committed row.
  bool key_vanished = false;  // the duplicate we collided with was purged meanwhile
  auto attempt = [&](db::Session& session) -> absl::StatusOr<std::string> {
    key_vanished = false;
    sql::PreparedStatement& reserve = session.Prepare(
        "INSERT INTO idempotency_keys (actor, method, request_id, request_fingerprint, response, created_at)"
        " VALUES (?, ?, ?, ?, '', UTC_TIMESTAMP(6))");
    reserve.setString(1, context.actor);
    reserve.setString(2, std::string(method));
    reserve.setString(3, std::string(request_id));
    reserve.setString(4, fingerprint);
    bool duplicate = false;
    try {
      reserve.executeUpdate();
    } catch (const sql::SQLException& e) {
      if (!IsDuplicateKey(e)) throw;
      duplicate = true;
    }
    if (duplicate) {
      sql::PreparedStatement& read = session.Prepare(
          "SELECT request_fingerprint, response FROM idempotency_keys"
          " WHERE actor = ? AND method = ? AND request_id = ? LOCK IN SHARE MODE");
      read.setString(1, context.actor);
      read.setString(2, std::string(method));
      read.setString(3, std::string(request_id));
      std::unique_ptr<sql::ResultSet> rs = session.Query(read);
      if (!rs->next()) {
        key_vanished = true;
        return absl::AbortedError("idempotency key changed concurrently; retry the request");
      }
      if (std::string(rs->getString(1)) != fingerprint) {
        return InvalidField("request_id", "was already used for a different request");
      }
      return std::string(rs->getString(2));
    }
    GR_ASSIGN_OR_RETURN(std::string response, create(session));
    sql::PreparedStatement& store = session.Prepare(
        "UPDATE idempotency_keys SET response = ? WHERE actor = ? AND method = ? AND request_id = ?");
    std::istringstream blob(response);
    store.setBlob(1, &blob);
    store.setString(2, context.actor);
    store.setString(3, std::string(method));
    store.setString(4, std::string(request_id));
    store.executeUpdate();
    return response;
  };
  absl::StatusOr<std::string> result = pool.Transact<std::string>(operation, attempt);
  if (!result.ok() && key_vanished) result = pool.Transact<std::string>(operation, attempt);  // retry once
  return result;
}

// ---- ChangeFeedServiceImpl ----------------------------------------------------

struct ChangeFeedServiceImpl::Impl {
  db::ConnectionPool& pool;
  const auth::Authorizer& authorizer;
  FeedServiceOptions options;
  prometheus::Gauge* last_sequence = nullptr;
  prometheus::Gauge* streams_active = nullptr;
  prometheus::Counter* changes_sent = nullptr;

  std::atomic<int> active{0};
  std::atomic<bool> stopping{false};
  std::unique_ptr<SequencerSweeper> sweeper;

  Impl(db::ConnectionPool& p, const auth::Authorizer& a, FeedServiceOptions o)
      : pool(p), authorizer(a), options(o) {}

  void ObserveSequence(int64_t sequence) {
    if (last_sequence && static_cast<double>(sequence) > last_sequence->Value()) {
      last_sequence->Set(static_cast<double>(sequence));
    }
  }

  // Waits until changes are numbered after `seen` (a generation of
  // NumberedChanges of this pool: this process's rounds, and head moves its sweeper saw),
  // the service stops, or one poll interval passes. False when stopping.
  bool WaitForChanges(uint64_t seen) {
    CommitSignal& signal = NumberedChanges(pool);
    absl::MutexLock lock(&signal.mu);
    auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(signal.mu) {
      return signal.generation != seen || stopping.load();
    };
    signal.mu.AwaitWithTimeout(absl::Condition(&woken), absl::Milliseconds(options.poll_interval_ms));
    return !stopping.load();
  }
  bool Stopping() const { return stopping.load(); }

  // The head, its epoch and the oldest sequence kept (0 for an empty feed;
  // above 1 once retention compacted the log, common/feed/retention.h).
  absl::StatusOr<feedpb::FeedHead> ReadHead() {
    return pool.Read<feedpb::FeedHead>("feed_get_head", [](db::Session& session) -> absl::StatusOr<feedpb::FeedHead> {
      std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare(absl::StrCat(
          "SELECT last_sequence, ", kMicrosOf, "last_commit_time), epoch, "
          "(SELECT COALESCE(MIN(sequence), 0) FROM change_feed) FROM feed_head WHERE id = 1")));
      if (!rs->next()) return absl::InternalError("feed_head row is missing");
      feedpb::FeedHead head;
      head.set_last_sequence(rs->getInt64(1));
      if (!rs->isNull(2)) *head.mutable_last_commit_time() = FromMicros(rs->getInt64(2));
      head.set_epoch(std::string(rs->getString(3)));
      head.set_first_sequence(rs->getInt64(4));
      return head;
    });
  }

  // A consumer's cursor must belong to this feed and not be beyond its head;
  // refused at once rather than waiting for sequences that may be reused.
  absl::Status CheckCursor(const feedpb::StreamChangesRequest& request) {
    GR_ASSIGN_OR_RETURN(const feedpb::FeedHead head, ReadHead());
    if (!request.expected_epoch().empty() && request.expected_epoch() != head.epoch()) {
      return Reasoned(absl::StatusCode::kFailedPrecondition, "FEED_EPOCH_MISMATCH",
                      absl::StrCat("expected_epoch ", request.expected_epoch(), " is not this feed's epoch ",
                                   head.epoch(), "; rebuild from sequence 0"));
    }
    if (request.after_sequence() > head.last_sequence()) {
      return Reasoned(absl::StatusCode::kFailedPrecondition, "CURSOR_AHEAD_OF_FEED",
                      absl::StrCat("after_sequence ", request.after_sequence(), " is beyond the feed head ",
                                   head.last_sequence()));
    }
    if (request.has_after_commit_time() && request.after_sequence() > 0) return CheckCursorChange(request);
    return absl::OkStatus();
  }

  // The change at the cursor must be the one the consumer applied. Rounds
  // stamp commit_time in sequence order, so after a restore the entries
  // written again carry later times than the consumer saw; the newest entry
  // at or below the cursor decides (retention may have removed the cursor's own).
  absl::Status CheckCursorChange(const feedpb::StreamChangesRequest& request) {
    const int64_t seen_micros = google::protobuf::util::TimeUtil::TimestampToMicroseconds(request.after_commit_time());
    struct Entry {
      int64_t sequence = 0;
      int64_t commit_micros = 0;
    };
    GR_ASSIGN_OR_RETURN(
        const std::optional<Entry> newest,
        pool.Read<std::optional<Entry>>("feed_check_cursor", [&](db::Session& session) -> absl::StatusOr<std::optional<Entry>> {
          sql::PreparedStatement& statement = session.Prepare(absl::StrCat(
              "SELECT sequence, ", kMicrosOf,
              "commit_time) FROM change_feed WHERE sequence <= ? ORDER BY sequence DESC LIMIT 1"));
          statement.setInt64(1, request.after_sequence());
          std::unique_ptr<sql::ResultSet> rs = session.Query(statement);
          if (!rs->next()) return std::nullopt;
          return Entry{rs->getInt64(1), rs->getInt64(2)};
        }));
    if (!newest) return absl::OkStatus();  // compacted away entirely: nothing left to contradict the cursor
    const bool diverged = newest->sequence == request.after_sequence() ? newest->commit_micros != seen_micros
                                                                      : newest->commit_micros > seen_micros;
    if (!diverged) return absl::OkStatus();
    return Reasoned(absl::StatusCode::kFailedPrecondition, "FEED_DIVERGED",
                    absl::StrCat("the change at after_sequence ", request.after_sequence(),
                                 " is not the one the consumer applied (this feed was restored and written again); "
                                 "rebuild from sequence 0"));
  }

  absl::StatusOr<std::vector<feedpb::Change>> ReadBatch(int64_t after, int limit,
                                                       const std::vector<std::string>& types) {
    std::string sql = absl::StrCat(
        "SELECT sequence, resource_type, resource_name, action, ", kMicrosOf,
        "commit_time) AS commit_micros, actor, request_id, resource FROM change_feed WHERE sequence > ?");
    if (!types.empty()) {
      sql += " AND resource_type IN (?";
      for (size_t i = 1; i < types.size(); ++i) sql += ", ?";
      sql += ")";
    }
    sql += " ORDER BY sequence LIMIT ?";
    return pool.Read<std::vector<feedpb::Change>>(
        "feed_read_batch", [&](db::Session& session) -> absl::StatusOr<std::vector<feedpb::Change>> {
          sql::PreparedStatement& statement = session.Prepare(sql);
          int index = 1;
          statement.setInt64(index++, after);
          for (const std::string& type : types) statement.setString(index++, type);
          statement.setInt(index, limit);
          std::unique_ptr<sql::ResultSet> rs = session.Query(statement);
          std::vector<feedpb::Change> changes;
          changes.reserve(static_cast<size_t>(rs->rowsCount()));
          while (rs->next()) {
            feedpb::Change& change = changes.emplace_back();
            change.set_sequence(rs->getInt64(1));
            change.set_resource_type(std::string(rs->getString(2)));
            change.set_resource_name(std::string(rs->getString(3)));
            change.set_action(std::string(rs->getString(4)));
            *change.mutable_commit_time() = FromMicros(rs->getInt64(5));
            change.set_actor(std::string(rs->getString(6)));
            change.set_request_id(std::string(rs->getString(7)));
            if (!change.mutable_resource()->ParseFromString(std::string(rs->getString(8)))) {
              return absl::InternalError("stored change resource is unreadable");
            }
          }
          return changes;
        });
  }
};

ChangeFeedServiceImpl::ChangeFeedServiceImpl(db::ConnectionPool& pool, const auth::Authorizer& authorizer,
                                             std::shared_ptr<prometheus::Registry> registry,
                                             FeedServiceOptions options)
    : impl_(std::make_unique<Impl>(pool, authorizer, options)) {
  if (registry) {
    impl_->last_sequence = &prometheus::BuildGauge()
                                .Name("feed_last_sequence")
                                .Help("Highest change-feed sequence this process has seen")
                                .Register(*registry)
                                .Add({});
    impl_->streams_active = &prometheus::BuildGauge()
                                 .Name("feed_streams_active")
                                 .Help("Open StreamChanges calls")
                                 .Register(*registry)
                                 .Add({});
    impl_->changes_sent = &prometheus::BuildCounter()
                               .Name("feed_changes_sent_total")
                               .Help("Changes written to StreamChanges callers")
                               .Register(*registry)
                               .Add({});
  }
  if (impl_->options.sweep_interval_ms > 0) {
    Impl* impl = impl_.get();
    impl_->sweeper = std::make_unique<SequencerSweeper>(
        pool, absl::Milliseconds(impl_->options.sweep_interval_ms),
        [impl](int64_t head) { impl->ObserveSequence(head); });
    impl_->sweeper->Start();
  }
}

ChangeFeedServiceImpl::~ChangeFeedServiceImpl() { StopStreams(); }

void ChangeFeedServiceImpl::StopStreams() {
  impl_->stopping = true;
  if (impl_->sweeper) impl_->sweeper->Stop();
  // Waiters' conditions are re-evaluated when the mutex is released.
  CommitSignal& signal = NumberedChanges(impl_->pool);
  absl::MutexLock lock(&signal.mu);
}

grpc::Status ChangeFeedServiceImpl::StreamChanges(grpc::ServerContext* context,
                                                  const feedpb::StreamChangesRequest* request,
                                                  grpc::ServerWriter<feedpb::Change>* writer) {
  absl::StatusOr<auth::CallContext> call = impl_->authorizer.Begin(*context, kStreamChangesMethod);
  if (!call.ok()) return ToGrpcStatus(call.status());
  log::RequestIdScope request_scope(call->request_id);

  if (request->after_sequence() < 0) return ToGrpcStatus(InvalidField("after_sequence", "must not be negative"));
  if (request->batch_size() < 0) return ToGrpcStatus(InvalidField("batch_size", "must not be negative"));
  if (request->resource_types_size() > kMaxResourceTypeFilters) {
    return ToGrpcStatus(InvalidField("resource_types", absl::StrCat("at most ", kMaxResourceTypeFilters, " entries")));
  }
  std::vector<std::string> types;
  for (const std::string& type : request->resource_types()) {
    if (type.empty() || type.size() > 64) {
      return ToGrpcStatus(InvalidField("resource_types", "entries must be 1 to 64 characters"));
    }
    types.push_back(type);
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  const int batch = request->batch_size() == 0 ? impl_->options.default_batch_size
                                                : std::min(request->batch_size(), impl_->options.max_batch_size);

  if (request->expected_epoch().size() > 64) return ToGrpcStatus(InvalidField("expected_epoch", "too long"));
  if (absl::Status cursor = impl_->CheckCursor(*request); !cursor.ok()) return ToGrpcStatus(cursor);

  if (impl_->Stopping()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the service is shutting down");
  if (impl_->active.fetch_add(1) >= impl_->options.max_concurrent_streams) {
    impl_->active.fetch_sub(1);
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many open change streams; retry later");
  }
  if (impl_->streams_active) impl_->streams_active->Increment();
  struct StreamSlot {
    Impl& impl;
    ~StreamSlot() {
      impl.active.fetch_sub(1);
      if (impl.streams_active) impl.streams_active->Decrement();
    }
  } slot{*impl_};

  int64_t cursor = request->after_sequence();
  std::optional<int64_t> disclosure;
  if (impl_->options.disclosures != nullptr) {
    absl::StatusOr<int64_t> opened = impl_->options.disclosures->Open(call->principal.subject, cursor, types);
    if (!opened.ok()) return ToGrpcStatus(opened.status());
    disclosure = *opened;
  }
  while (true) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled by the client");
    if (impl_->Stopping()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the service is shutting down");
    // Taken before the read, so a commit between the read and the wait still wakes it.
    const uint64_t seen = CommittedGeneration(impl_->pool);
    // The connection is held only for the read, never while writing to a
    // slow consumer.
    absl::StatusOr<std::vector<feedpb::Change>> changes = impl_->ReadBatch(cursor, batch, types);
    if (!changes.ok()) return ToGrpcStatus(changes.status());
    if (disclosure && !changes->empty()) {
      absl::Status logged = impl_->options.disclosures->Extend(*disclosure, changes->back().sequence(),
                                                               static_cast<int64_t>(changes->size()));
      if (!logged.ok()) return ToGrpcStatus(logged);
    }
    for (const feedpb::Change& change : *changes) {
      if (!writer->Write(change)) return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client");
      cursor = change.sequence();
      if (impl_->changes_sent) impl_->changes_sent->Increment();
    }
    if (!changes->empty()) impl_->ObserveSequence(cursor);
    if (static_cast<int>(changes->size()) >= batch) continue;  // more may be waiting
    if (!request->follow()) return grpc::Status::OK;
    if (!impl_->WaitForChanges(seen)) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the service is shutting down");
  }
}

grpc::Status ChangeFeedServiceImpl::GetFeedHead(grpc::ServerContext* context, const feedpb::GetFeedHeadRequest*,
                                                feedpb::FeedHead* response) {
  absl::StatusOr<auth::CallContext> call = impl_->authorizer.Begin(*context, kGetFeedHeadMethod);
  if (!call.ok()) return ToGrpcStatus(call.status());
  log::RequestIdScope request_scope(call->request_id);
  absl::StatusOr<feedpb::FeedHead> head = impl_->ReadHead();
  if (!head.ok()) return ToGrpcStatus(head.status());
  impl_->ObserveSequence(head->last_sequence());
  *response = *std::move(head);
  return grpc::Status::OK;
}

void AllowFeedMethods(auth::MethodPolicy& policy) {
  // A feed carries every change in the producer's database, whatever a user's
  // scope (members' personal data included): only other services may read it.
  policy.Allow(std::string(kStreamChangesMethod), {auth::Role::kService});
  policy.Allow(std::string(kGetFeedHeadMethod), {auth::Role::kService});
}

WriteContext WriteContextOf(const auth::CallContext& call) { return WriteContext{call.principal.subject, call.request_id}; }

}  // namespace grassroots::common::feed
