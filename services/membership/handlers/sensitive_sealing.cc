#include "services/membership/handlers/sensitive_sealing.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::membership {

SensitiveSealing::SensitiveSealing(common::db::ConnectionPool& pool, store::MemberStore& members,
                                   SealingOptions options)
    : pool_(pool), members_(members), options_(std::move(options)) {}

SensitiveSealing::~SensitiveSealing() { Stop(); }

absl::Status SensitiveSealing::Sweep(int64_t key_version, SealingPass& pass) {
  int64_t after_id = 0;
  while (true) {
    store::MemberStore::ResealBatch batch;
    GR_RETURN_IF_ERROR(pool_.RunInTransaction("membership.sensitive.reseal", [&](common::db::Session& session)
                                                  -> absl::Status {
      GR_ASSIGN_OR_RETURN(batch, members_.Reseal(session, key_version, after_id, options_.batch_size));
      return absl::OkStatus();
    }));
    pass.resealed += batch.resealed;
    pass.failed += static_cast<int64_t>(batch.failed.size());
    for (int64_t member_id : batch.failed) {
      common::log::Error("a sealed member_sensitive row does not open; left as it is",
                         nlohmann::json{{"member", absl::StrCat("members/", member_id)}, {"key_version", key_version}});
    }
    if (batch.last_member_id == after_id) return absl::OkStatus();  // nothing left after after_id
    after_id = batch.last_member_id;
    absl::MutexLock lock(&mutex_);
    if (stopping_) return absl::OkStatus();
  }
}

absl::StatusOr<std::map<int64_t, int64_t>> SensitiveSealing::RowsPerKey() {
  return pool_.Read<std::map<int64_t, int64_t>>(
      "membership.sensitive.keys", [&](common::db::Session& session) { return members_.RowsPerKey(session); });
}

absl::StatusOr<int64_t> SensitiveSealing::SealPlaintext() {
  SealingPass pass;
  GR_RETURN_IF_ERROR(Sweep(0, pass));
  if (pass.failed > 0) return absl::InternalError(absl::StrCat(pass.failed, " plaintext rows could not be sealed"));
  return pass.resealed;
}

absl::StatusOr<SealingPass> SensitiveSealing::ResealOldKeys() {
  if (options_.reload) {
    absl::StatusOr<std::shared_ptr<const common::crypto::Keyring>> reloaded = options_.reload();
    if (!reloaded.ok()) {
      // The ring in use stays: a half-written file must not stop the service.
      common::log::Warn("the keyring could not be reloaded", {{"status", reloaded.status().ToString()}});
    } else if (*reloaded) {
      members_.ReplaceKeys(std::move(*reloaded));
    }
  }
  const uint32_t current = members_.keys()->current_id();
  SealingPass pass;
  GR_ASSIGN_OR_RETURN(const auto before, RowsPerKey());
  for (const auto& [key_version, rows] : before) {
    // Plaintext is sealed at start-up only, before the service serves.
    if (key_version == 0 || key_version == current) continue;
    GR_RETURN_IF_ERROR(Sweep(key_version, pass));
  }
  GR_ASSIGN_OR_RETURN(pass.rows_per_key, RowsPerKey());
  for (const auto& [key_version, rows] : before) {
    if (key_version == 0 || key_version == current || pass.rows_per_key.count(key_version) > 0) continue;
    common::log::Info("no member_sensitive row is sealed under this key any more; it can be retired",
                      nlohmann::json{{"key_version", key_version}});
  }
  if (pass.resealed > 0) {
    common::log::Info("member_sensitive rows re-sealed under the current key",
                      nlohmann::json{{"rows", pass.resealed}, {"current_key", current}});
  }
  return pass;
}

void SensitiveSealing::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void SensitiveSealing::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void SensitiveSealing::Loop() {
  while (true) {
    absl::StatusOr<SealingPass> pass = ResealOldKeys();
    if (!pass.ok()) common::log::Warn("re-sealing pass failed", {{"status", pass.status().ToString()}});
    absl::MutexLock lock(&mutex_);
    if (mutex_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval)) return;
  }
}

}  // namespace grassroots::membership
