#include "common/feed/feed_cursor.h"

#include <memory>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace grassroots::common::feed {
namespace {

using db::Session;

// Locks the cursor row (created at 0 on first use) so that two replicas
// applying the same change serialize here and the second one sees it applied.
absl::StatusOr<FeedPosition> LockCursor(Session& session, const std::string& source) {
  sql::PreparedStatement& create =
      session.Prepare("INSERT IGNORE INTO feed_cursors (source, last_sequence) VALUES (?, 0)");
  create.setString(1, source);
  create.executeUpdate();
  sql::PreparedStatement& read =
      session.Prepare("SELECT last_sequence, epoch FROM feed_cursors WHERE source = ? FOR UPDATE");
  read.setString(1, source);
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (!rs->next()) return absl::InternalError("feed cursor row vanished");
  return FeedPosition{static_cast<int64_t>(rs->getInt64(1)), db::GetOptionalString(*rs, "epoch").value_or("")};
}

// The commit time belongs to the change the cursor stood at: a moved cursor
// has none until RecordCursorCommitTime.
void StoreCursor(Session& session, const std::string& source, int64_t sequence) {
  sql::PreparedStatement& ps =
      session.Prepare("UPDATE feed_cursors SET last_sequence = ?, last_commit_micros = NULL WHERE source = ?");
  ps.setInt64(1, sequence);
  ps.setString(2, source);
  ps.executeUpdate();
}

}  // namespace

absl::StatusOr<FeedPosition> ReadCursor(Session& session, const std::string& source) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT last_sequence, epoch, COALESCE(last_commit_micros, 0) FROM feed_cursors WHERE source = ?");
  ps.setString(1, source);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return FeedPosition{};
  return FeedPosition{static_cast<int64_t>(rs->getInt64(1)), db::GetOptionalString(*rs, "epoch").value_or(""),
                      static_cast<int64_t>(rs->getInt64(3))};
}

absl::StatusOr<EpochBinding> BindCursorEpoch(Session& session, const std::string& source, const std::string& epoch,
                                             ClearProjection clear) {
  if (epoch.empty()) return absl::InvalidArgumentError("the feed head carries no epoch");
  GR_ASSIGN_OR_RETURN(const FeedPosition cursor, LockCursor(session, source));
  if (cursor.epoch == epoch) return EpochBinding::kSame;
  EpochBinding binding = EpochBinding::kAdopted;
  int64_t sequence = cursor.sequence;
  if (!cursor.epoch.empty()) {
    // Every row came from the other database's feed: none can be trusted.
    binding = EpochBinding::kReset;
    sequence = 0;
    GR_RETURN_IF_ERROR(clear(session));
  }
  sql::PreparedStatement& bind = session.Prepare(
      "UPDATE feed_cursors SET last_commit_micros = IF(last_sequence = ?, last_commit_micros, NULL), "
      "last_sequence = ?, epoch = ? WHERE source = ?");
  bind.setInt64(1, sequence);
  bind.setInt64(2, sequence);
  bind.setString(3, epoch);
  bind.setString(4, source);
  bind.executeUpdate();
  return binding;
}

absl::Status RewindCursor(Session& session, const std::string& source, ClearProjection clear) {
  GR_RETURN_IF_ERROR(LockCursor(session, source).status());
  GR_RETURN_IF_ERROR(clear(session));
  StoreCursor(session, source, 0);
  return absl::OkStatus();
}

absl::StatusOr<bool> ApplyRunAtCursor(Session& session, const std::string& source, const std::string& epoch,
                                      int64_t last_sequence,
                                      absl::FunctionRef<absl::Status(Session&, int64_t cursor)> apply) {
  GR_ASSIGN_OR_RETURN(const FeedPosition cursor, LockCursor(session, source));
  if (cursor.epoch != epoch) {
    return absl::AbortedError(absl::StrCat("the cursor of ", source, " is no longer bound to feed epoch ", epoch));
  }
  if (last_sequence <= cursor.sequence) return false;
  GR_RETURN_IF_ERROR(apply(session, cursor.sequence));
  StoreCursor(session, source, last_sequence);
  return true;
}

absl::StatusOr<bool> ApplyAtCursor(Session& session, const std::string& source, const std::string& epoch,
                                   int64_t sequence, absl::FunctionRef<absl::Status(Session&)> apply) {
  return ApplyRunAtCursor(session, source, epoch, sequence, [&](Session& s, int64_t) { return apply(s); });
}

absl::Status AdvanceCursor(Session& session, const std::string& source, const std::string& epoch,
                           int64_t sequence) {
  // Assignments run left to right: the commit time is dropped only when the cursor moves.
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE feed_cursors SET last_commit_micros = IF(? > last_sequence, NULL, last_commit_micros), "
      "last_sequence = GREATEST(last_sequence, ?) WHERE source = ? AND epoch = ?");
  ps.setInt64(1, sequence);
  ps.setInt64(2, sequence);
  ps.setString(3, source);
  ps.setString(4, epoch);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status RecordCursorCommitTime(Session& session, const std::string& source, int64_t sequence,
                                    int64_t commit_micros) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE feed_cursors SET last_commit_micros = ? WHERE source = ? AND last_sequence = ?");
  ps.setInt64(1, commit_micros);
  ps.setString(2, source);
  ps.setInt64(3, sequence);
  ps.executeUpdate();
  return absl::OkStatus();
}

}  // namespace grassroots::common::feed
