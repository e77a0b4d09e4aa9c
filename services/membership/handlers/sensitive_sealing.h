#pragma once
// Keeps member_sensitive sealed under the keyring's current key.
//  - At start-up, before the service serves, SealPlaintext seals the rows
//    written before encryption (key_version 0).
//  - In the background, each pass re-reads the keyring (when a reloader is
//    given) and re-seals, in bounded batches (one transaction each), the rows
//    held under any other key. A pass starts over from the lowest member id,
//    so a stopped or crashed job resumes where rows still need it; rows
//    written meanwhile are under the current key already and are not touched.
//    When no row is left under a key, the log says that key can be retired.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/crypto/keyring.h"
#include "common/db/db.h"
#include "services/membership/store/member_store.h"

namespace grassroots::membership {

using KeyringReloader = std::function<absl::StatusOr<std::shared_ptr<const common::crypto::Keyring>>()>;

struct SealingOptions {
  int batch_size = 200;                   // rows per transaction
  absl::Duration interval = absl::Seconds(30);  // between background passes
  KeyringReloader reload = nullptr;       // null: the keyring never changes
};

struct SealingPass {
  int64_t resealed = 0;
  int64_t failed = 0;  // rows that did not open (logged by member id; left as they were)
  std::map<int64_t, int64_t> rows_per_key;  // after the pass
};

class SensitiveSealing {
 public:
  SensitiveSealing(common::db::ConnectionPool& pool, store::MemberStore& members, SealingOptions options);
  ~SensitiveSealing();
  SensitiveSealing(const SensitiveSealing&) = delete;
  SensitiveSealing& operator=(const SensitiveSealing&) = delete;

  // Seals every plaintext row; the number sealed.
  absl::StatusOr<int64_t> SealPlaintext();
  // One pass: reload the keyring, then re-seal every row under another key.
  absl::StatusOr<SealingPass> ResealOldKeys();

  void Start();  // the background passes
  void Stop();   // waits for the current batch to end

 private:
  absl::StatusOr<std::map<int64_t, int64_t>> RowsPerKey();
  // Every row under key_version, batch after batch.
  absl::Status Sweep(int64_t key_version, SealingPass& pass);
  void Loop();

  common::db::ConnectionPool& pool_;
  store::MemberStore& members_;
  const SealingOptions options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace grassroots::membership
