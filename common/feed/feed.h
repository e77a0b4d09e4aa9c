#pragma once
// Transactional outbox + audit: every write commits its row, a change-feed
// entry and an audit entry in one transaction. The sequencer (sequencer.h)
// numbers committed entries in rounds, densely and in commit order, so a
// consumer reading "after N" never misses a concurrent write and never sees
// one twice; writers share no lock.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"

namespace grassroots::common::feed {

// Who made the change and under which request.
struct WriteContext {
  std::string actor;       // principal subject
  std::string request_id;
  std::string purpose = {};  // why a person's record is read (audit_log.purpose); '' for writes
};

struct ChangeRecord {
  std::string resource_type;   // "organization"
  std::string resource_name;   // "organizations/42"
  std::string action;          // "created", "moved", ...
  const google::protobuf::Message* resource = nullptr;  // state after the change
  // Audit details: ids and codes only, never personal data.
  nlohmann::json audit_details = nlohmann::json::object();
};

// The write context of an authorized call.
WriteContext WriteContextOf(const auth::CallContext& call);

// Appends the change-feed entry and the audit entry inside the caller's
// transaction, after the write to the resource (so two writes to one resource
// keep their order on the feed). Once the transaction commits, the caller
// waits for the sequencer's round, so the change is on the feed when the
// write returns.
absl::Status RecordChange(db::Session& session, const WriteContext& context, const ChangeRecord& change);
// Several changes of one transaction, in the given order, in a few multi-row
// statements (a bulk import's rows).
absl::Status RecordChanges(db::Session& session, const WriteContext& context, std::span<const ChangeRecord> changes);

// An audit entry alone, for an act that changes nothing but must be on record
// (a read of data whose every read is audited). action: "<resource_type>.<verb>".
// details: ids and codes only, never personal data.
absl::Status RecordAudit(db::Session& session, const WriteContext& context, std::string_view action,
                         std::string_view resource_name, const nlohmann::json& details);

// AIP-155 idempotent create: if (actor, method, request_id) already succeeded
// with the same request, returns the stored response and runs nothing; the
// same id with a different request -> INVALID_ARGUMENT(request_id). Otherwise
// runs create in a transaction and stores its response in the same transaction.
// An empty request_id runs create without dedupe.
absl::StatusOr<std::string> RunIdempotent(db::ConnectionPool& pool, std::string_view operation,
                                          const WriteContext& context, std::string_view method,
                                          std::string_view request_id, const google::protobuf::Message& request,
                                          const std::function<absl::StatusOr<std::string>(db::Session&)>& create);

template <typename Response>
absl::StatusOr<Response> RunIdempotentTyped(db::ConnectionPool& pool, std::string_view operation,
                                            const WriteContext& context, std::string_view method,
                                            std::string_view request_id, const google::protobuf::Message& request,
                                            const std::function<absl::StatusOr<Response>(db::Session&)>& create) {
  absl::StatusOr<std::string> bytes = RunIdempotent(
      pool, operation, context, method, request_id, request,
      [&](db::Session& s) -> absl::StatusOr<std::string> {
        absl::StatusOr<Response> r = create(s);
        if (!r.ok()) return r.status();
        return r->SerializeAsString();
      });
  if (!bytes.ok()) return bytes.status();
  Response out;
  if (!out.ParseFromString(*bytes)) return absl::InternalError("stored idempotent response is unreadable");
  return out;
}

// Where a service logs what its feed disclosed (a StreamChanges session per
// consumer and the range it was sent); null: not logged. Ids and sequences
// only, never the changes themselves.
class DisclosureLog {
 public:
  virtual ~DisclosureLog() = default;
  // A session starts: the id of its log entry.
  virtual absl::StatusOr<int64_t> Open(std::string_view consumer, int64_t after_sequence,
                                       const std::vector<std::string>& resource_types) = 0;
  // Called before `changes` more changes up to to_sequence are written, so a
  // change is never sent unlogged.
  virtual absl::Status Extend(int64_t entry_id, int64_t to_sequence, int64_t changes) = 0;
};

struct FeedServiceOptions {
  int default_batch_size = 500;
  int max_batch_size = 5000;
  int poll_interval_ms = 200;
  int max_concurrent_streams = 16;
  // How often the sequencer's sweeper looks at the head (to wake streams when
  // another replica moved it) and for entries left without a number; 0: no sweeper.
  int sweep_interval_ms = 50;
  DisclosureLog* disclosures = nullptr;  // not owned; outlives the service
};

// grassroots.feed.v1.ChangeFeedService over this service's own feed table.
// Callers need the "service" role (checked through the authorizer's method
// policy): a feed is not scoped to a user. Metrics: feed_last_sequence, feed_streams_active,
// feed_changes_sent_total.
class ChangeFeedServiceImpl final : public grassroots::feed::v1::ChangeFeedService::Service {
 public:
  ChangeFeedServiceImpl(db::ConnectionPool& pool, const auth::Authorizer& authorizer,
                        std::shared_ptr<prometheus::Registry> registry, FeedServiceOptions options = {});
  ~ChangeFeedServiceImpl() override;
  grpc::Status StreamChanges(grpc::ServerContext* context, const grassroots::feed::v1::StreamChangesRequest* request,
                             grpc::ServerWriter<grassroots::feed::v1::Change>* writer) override;
  grpc::Status GetFeedHead(grpc::ServerContext* context, const grassroots::feed::v1::GetFeedHeadRequest* request,
                           grassroots::feed::v1::FeedHead* response) override;
  // Ends open follow-streams promptly (called at shutdown before Server::Shutdown).
  void StopStreams();
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Method policy entries for the feed service, to merge into a service's policy.
void AllowFeedMethods(auth::MethodPolicy& policy);

}  // namespace grassroots::common::feed
