#pragma once
// The audit log as a hash chain with signed checkpoints.
//
// Writers append entries without a hash; the sequencer (sequencer.h) links
// committed entries into the chain in rounds, giving each the next
// chain_position (the chain's order, which is not always id order):
//   entry_hash = SHA-256(prev_hash || field_1 || ... || field_7)
// where prev_hash is the entry_hash of the entry before (32 zero bytes for
// the first) and each field is a 4-byte big-endian length and its bytes:
// occurred_at ("YYYY-MM-DD HH:MM:SS.ffffff", UTC), actor, action,
// resource_name, request_id, details (JSON text), purpose.
// A checkpoint signs (audit_id, entry_hash, signed_at) of the chain's head
// with HMAC-SHA256 under a secret key, so a tail cut off after it shows too.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/db/db.h"

namespace grassroots::common::feed {

struct AuditFields {
  std::string actor;
  std::string action;
  std::string resource_name;
  std::string request_id;
  std::string details = "{}";  // JSON: ids and codes only, never personal data
  std::string purpose;
};

// Appends entries (in order) inside the caller's transaction, not yet linked,
// in one statement (atomic on its own: a caller with nothing else to write
// needs no transaction around it).
// occurred_at: one per entry, when each happened (entries written later than
// their act keep its time); empty: now.
absl::Status InsertUnlinkedAudit(db::Session& session, const std::vector<AuditFields>& entries,
                                 std::span<const absl::Time> occurred_at = {});

// InsertUnlinkedAudit, and once the transaction commits, asks the sequencer
// to link them without waiting for it (for audited reads).
absl::Status AppendAudit(db::Session& session, const std::vector<AuditFields>& entries,
                         std::span<const absl::Time> occurred_at = {});

// The hash of one entry given the hash before it (raw 32 bytes each).
std::string AuditEntryHash(std::string_view prev_hash, std::string_view occurred_at, const AuditFields& fields);

// Signs the chain's head unless the newest checkpoint already covers it.
// Returns the audit id signed (nullopt when nothing new).
absl::StatusOr<std::optional<int64_t>> WriteAuditCheckpoint(db::Session& session, std::string_view key_id,
                                                            std::string_view key);

// Signs the chain's head every `interval` on a thread of its own (failures are
// logged and retried next time). key_id: the first 8 hex digits of SHA-256(key),
// naming the key in audit_checkpoints without revealing it.
class AuditCheckpointer {
 public:
  AuditCheckpointer(db::ConnectionPool& pool, std::string key, absl::Duration interval);
  ~AuditCheckpointer();
  AuditCheckpointer(const AuditCheckpointer&) = delete;
  AuditCheckpointer& operator=(const AuditCheckpointer&) = delete;
  void Start();
  void Stop();
  const std::string& key_id() const { return key_id_; }

 private:
  db::ConnectionPool& pool_;
  const std::string key_;
  const std::string key_id_;
  const absl::Duration interval_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

struct AuditVerification {
  int64_t entries_checked = 0;
  int64_t unchained_before = 0;  // entries older than the chain (no hash)
  int64_t awaiting_link = 0;     // committed entries the sequencer has not linked yet
  int64_t checkpoints_checked = 0;
  // The first entry that does not verify and why ("entry 42: its hash does not
  // match its fields"); nullopt when everything verifies.
  std::optional<int64_t> first_bad_entry;
  std::string problem;
};

// Reads the whole chain in chain order (pages of page_size) and checks every
// link and hash, then every checkpoint (with `key` when not empty).
absl::StatusOr<AuditVerification> VerifyAuditChain(db::ConnectionPool& pool, std::string_view key,
                                                   int page_size = 20000);

}  // namespace grassroots::common::feed
