#include "common/feed/audit_chain.h"

#include <limits>
#include <map>
#include <memory>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/crypto/digest.h"
#include "common/db/multi_row.h"
#include "common/feed/sequencer.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::common::feed {
namespace {

const std::string kGenesis(32, '\0');

void AppendField(std::string& out, std::string_view field) {
  const uint32_t size = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(field);
}

std::string TimeText(absl::Time time) { return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", time, absl::UTCTimeZone()); }
std::string NowText() { return TimeText(absl::Now()); }

// The text a checkpoint signs.
std::string CheckpointMessage(int64_t audit_id, std::string_view entry_hash, std::string_view signed_at) {
  return absl::StrCat("audit-checkpoint\n", audit_id, "\n", absl::BytesToHexString(absl::string_view(
                                                                 entry_hash.data(), entry_hash.size())),
                      "\n", absl::string_view(signed_at.data(), signed_at.size()));
}

struct ChainHead {
  int64_t id = 0;  // 0: no linked entry yet
  int64_t position = 0;
  std::string hash = kGenesis;
};

// The chain's newest linked entry, kept on feed_head; its row lock keeps
// sequencer rounds from linking entries meanwhile.
ChainHead LockedHead(db::Session& session) {
  sql::PreparedStatement& head = session.Prepare(
      "SELECT audit_last_id, audit_last_position, HEX(audit_last_hash) AS h FROM feed_head WHERE id = 1 FOR UPDATE");
  std::unique_ptr<sql::ResultSet> rs = session.Query(head);
  if (!rs->next() || rs->isNull("h")) return ChainHead{};
  return ChainHead{rs->getInt64("audit_last_id"), rs->getInt64("audit_last_position"),
                   absl::HexStringToBytes(std::string(rs->getString("h")))};
}

constexpr char kOccurredText[] = "DATE_FORMAT(occurred_at, '%Y-%m-%d %H:%i:%s.%f')";

}  // namespace

std::string AuditEntryHash(std::string_view prev_hash, std::string_view occurred_at, const AuditFields& fields) {
  std::string message(prev_hash);
  for (std::string_view field : {occurred_at, std::string_view(fields.actor), std::string_view(fields.action),
                                 std::string_view(fields.resource_name), std::string_view(fields.request_id),
                                 std::string_view(fields.details), std::string_view(fields.purpose)}) {
    AppendField(message, field);
  }
  return crypto::Sha256(message);
}

absl::Status InsertUnlinkedAudit(db::Session& session, const std::vector<AuditFields>& entries,
                                 std::span<const absl::Time> occurred_at) {
  if (!occurred_at.empty() && occurred_at.size() != entries.size()) {
    return absl::InternalError("audit entries and their times differ in number");
  }
  for (const AuditFields& entry : entries) {
    if (entry.action.empty() || entry.resource_name.empty()) {
      return absl::InternalError("an audit entry needs action and resource_name");
    }
  }
  const std::string now = NowText();
  db::ForEachRowChunk(entries.size(), [&](size_t first, int count) {
    sql::PreparedStatement& insert = session.Prepare(
        absl::StrCat("INSERT INTO audit_log (occurred_at, actor, action, resource_name, request_id, details, purpose) "
                     "VALUES ",
                     db::RepeatRow("(?, ?, ?, ?, ?, ?, ?)", count)));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      const AuditFields& entry = entries[i];
      insert.setString(index++, occurred_at.empty() ? now : TimeText(occurred_at[i]));
      insert.setString(index++, entry.actor);
      insert.setString(index++, entry.action);
      insert.setString(index++, entry.resource_name);
      insert.setString(index++, entry.request_id);
      insert.setString(index++, entry.details);
      insert.setString(index++, entry.purpose);
    }
    insert.executeUpdate();
  });
  return absl::OkStatus();
}

absl::Status AppendAudit(db::Session& session, const std::vector<AuditFields>& entries,
                         std::span<const absl::Time> occurred_at) {
  if (entries.empty()) return absl::OkStatus();
  GR_RETURN_IF_ERROR(InsertUnlinkedAudit(session, entries, occurred_at));
  RequestSealAfterCommit(session);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> WriteAuditCheckpoint(db::Session& session, std::string_view key_id,
                                                            std::string_view key) {
  const ChainHead head = LockedHead(session);
  const int64_t head_id = head.id;
  const std::string& head_hash = head.hash;
  if (head_id == 0) return std::optional<int64_t>();
  sql::PreparedStatement& last = session.Prepare("SELECT COALESCE(MAX(chain_position), 0) FROM audit_checkpoints");
  std::unique_ptr<sql::ResultSet> rs = session.Query(last);
  if (rs->next() && rs->getInt64(1) >= head.position) return std::optional<int64_t>();
  const std::string signed_at = NowText();
  const std::string signature = crypto::HmacSha256(key, CheckpointMessage(head_id, head_hash, signed_at));
  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO audit_checkpoints (audit_id, chain_position, entry_hash, signed_at, key_id, signature) "
      "VALUES (?, ?, UNHEX(?), ?, ?, UNHEX(?))");
  insert.setInt64(1, head_id);
  insert.setInt64(2, head.position);
  insert.setString(3, absl::BytesToHexString(head_hash));
  insert.setString(4, signed_at);
  insert.setString(5, std::string(key_id));
  insert.setString(6, absl::BytesToHexString(signature));
  insert.executeUpdate();
  return std::optional<int64_t>(head_id);
}

AuditCheckpointer::AuditCheckpointer(db::ConnectionPool& pool, std::string key, absl::Duration interval)
    : pool_(pool),
      key_(std::move(key)),
      key_id_(absl::BytesToHexString(crypto::Sha256(key_)).substr(0, 8)),
      interval_(interval) {}

AuditCheckpointer::~AuditCheckpointer() { Stop(); }

void AuditCheckpointer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    while (true) {
      // Link what is committed first, so a checkpoint covers every entry
      // committed before it (an audited read does not wait for its link).
      if (absl::StatusOr<SealedRound> linked = SealCommitted(pool_); !linked.ok()) {
        log::Warn("audit entries not linked before the checkpoint", {{"status", linked.status().ToString()}});
      }
      absl::Status written = pool_.RunInTransaction("audit.checkpoint", [this](db::Session& session) {
        return WriteAuditCheckpoint(session, key_id_, key_).status();
      });
      if (!written.ok()) log::Warn("audit checkpoint not written", {{"status", written.ToString()}});
      absl::MutexLock lock(&mutex_);
      if (mutex_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) return;
    }
  });
}

void AuditCheckpointer::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<AuditVerification> VerifyAuditChain(db::ConnectionPool& pool, std::string_view key, int page_size) {
  AuditVerification out;
  std::string prev;  // empty until the first chained entry
  int64_t after_position = std::numeric_limits<int64_t>::min();
  const auto fail = [&out](int64_t id, std::string why) {
    out.first_bad_entry = id;
    out.problem = absl::StrCat("entry ", id, ": ", why);
  };
  while (!out.first_bad_entry) {
    int rows = 0;
    GR_RETURN_IF_ERROR(pool.Run("audit.verify", [&](db::Session& session) -> absl::Status {
      sql::PreparedStatement& page = session.Prepare(absl::StrCat(
          "SELECT id, ", kOccurredText, " AS occurred_text, actor, action, resource_name, request_id, details, "
          "purpose, HEX(prev_hash), HEX(entry_hash), chain_position FROM audit_log "
          "WHERE chain_position > ? ORDER BY chain_position LIMIT ?"));
      page.setInt64(1, after_position);
      page.setInt(2, page_size);
      std::unique_ptr<sql::ResultSet> rs = session.Query(page);
      while (rs->next()) {
        ++rows;
        const int64_t id = rs->getInt64(1);
        after_position = rs->getInt64(11);
        const bool chained = !rs->isNull(10);
        if (!chained) {
          if (prev.empty()) {
            ++out.unchained_before;
            continue;
          }
          fail(id, "it has no hash inside the chain");
          return absl::OkStatus();
        }
        AuditFields fields{rs->getString(3).asStdString(), rs->getString(4).asStdString(),
                           rs->getString(5).asStdString(), rs->getString(6).asStdString(),
                           rs->getString(7).asStdString(), rs->getString(8).asStdString()};
        const std::string stored_prev = rs->isNull(9) ? std::string() : absl::HexStringToBytes(rs->getString(9).asStdString());
        const std::string stored_hash = absl::HexStringToBytes(rs->getString(10).asStdString());
        ++out.entries_checked;
        // The first chained entry starts at the genesis hash, or after entries
        // removed by retention (its prev is then pinned by a checkpoint).
        if (!prev.empty() && !crypto::SameBytes(stored_prev, prev)) {
          fail(id, "its link does not match the entry before it (an entry was removed or inserted)");
          return absl::OkStatus();
        }
        const std::string recomputed = AuditEntryHash(stored_prev, rs->getString(2).asStdString(), fields);
        if (!crypto::SameBytes(recomputed, stored_hash)) {
          fail(id, "its hash does not match its fields (the entry was changed)");
          return absl::OkStatus();
        }
        prev = stored_hash;
      }
      return absl::OkStatus();
    }));
    if (rows < page_size) break;
  }
  if (out.first_bad_entry) return out;
  GR_RETURN_IF_ERROR(pool.Run("audit.verify.awaiting", [&](db::Session& session) -> absl::Status {
    std::unique_ptr<sql::ResultSet> rs =
        session.Query(session.Prepare("SELECT COUNT(*) FROM audit_log WHERE chain_position IS NULL"));
    if (rs->next()) out.awaiting_link = rs->getInt64(1);
    return absl::OkStatus();
  }));
  // Checkpoints: each signature, and the entry it names still there with the same hash.
  GR_RETURN_IF_ERROR(pool.Run("audit.verify.checkpoints", [&](db::Session& session) -> absl::Status {
    sql::PreparedStatement& checkpoints = session.Prepare(
        "SELECT c.id, c.audit_id, HEX(c.entry_hash), DATE_FORMAT(c.signed_at, '%Y-%m-%d %H:%i:%s.%f') AS signed_text, "
        "HEX(c.signature), HEX(a.entry_hash) AS entry_now, "
        "(SELECT MIN(chain_position) FROM audit_log) AS first_position, c.chain_position "
        "FROM audit_checkpoints c LEFT JOIN audit_log a ON a.id = c.audit_id ORDER BY c.id");
    std::unique_ptr<sql::ResultSet> rs = session.Query(checkpoints);
    while (rs->next()) {
      ++out.checkpoints_checked;
      const int64_t audit_id = rs->getInt64(2);
      const std::string signed_hash = absl::HexStringToBytes(rs->getString(3).asStdString());
      if (!key.empty() && !crypto::SameBytes(crypto::HmacSha256(key, CheckpointMessage(audit_id, signed_hash,
                                                                                        rs->getString(4).asStdString())),
                                             absl::HexStringToBytes(rs->getString(5).asStdString()))) {
        fail(audit_id, absl::StrCat("checkpoint ", rs->getInt64(1), " over it has a bad signature"));
        return absl::OkStatus();
      }
      const bool removed_by_retention = !rs->isNull(7) && rs->getInt64(8) < rs->getInt64(7);
      if (rs->isNull(6)) {
        if (removed_by_retention) continue;
        fail(audit_id, absl::StrCat("checkpoint ", rs->getInt64(1), " signed it and it is gone (the tail was cut)"));
        return absl::OkStatus();
      }
      if (!crypto::SameBytes(absl::HexStringToBytes(rs->getString(6).asStdString()), signed_hash)) {
        fail(audit_id, absl::StrCat("its hash is not the one checkpoint ", rs->getInt64(1), " signed"));
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace grassroots::common::feed
