#pragma once
// Where a consumer of another service's change feed stands: one row of the
// consumer's feed_cursors table per source (the last sequence handled and the
// epoch of the feed it belongs to). The table is created by the migrations of
// whoever owns the projection (the org-tree library, memberfacts, ...), with
// one definition everywhere. Changes are applied under the cursor's row lock,
// in the transaction that moves it, so two replicas never apply one twice.
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/db/db.h"

namespace grassroots::common::feed {

struct FeedPosition {
  int64_t sequence = 0;
  std::string epoch;  // empty: none stored
  // The commit_time of the change at `sequence` (microseconds since 1970,
  // UTC), so the producer can tell whether it still holds that change
  // (StreamChangesRequest.after_commit_time); 0: not known.
  int64_t commit_micros = 0;
};

enum class EpochBinding {
  kSame,     // the cursor already belonged to this epoch
  kAdopted,  // the cursor had no epoch and now has this one
  kReset,    // the cursor belonged to another epoch: projection and cursor cleared
};

// Everything a projection derived from the feed (not the cursor), cleared
// before it is rebuilt from sequence 0.
using ClearProjection = absl::FunctionRef<absl::Status(db::Session&)>;

// Where `source` stands: sequence 0 and no epoch when never read; no epoch
// either for a cursor stored before feeds had epochs.
absl::StatusOr<FeedPosition> ReadCursor(db::Session& session, const std::string& source);

// Binds the cursor of `source` to the feed epoch `epoch` (FeedHead.epoch),
// under the cursor's row lock. A cursor with no epoch adopts it; a cursor of
// another epoch belongs to another database of the producer, so `clear` runs
// and the cursor goes back to 0. Run it in a transaction: all or nothing.
absl::StatusOr<EpochBinding> BindCursorEpoch(db::Session& session, const std::string& source,
                                             const std::string& epoch, ClearProjection clear);

// Runs `clear` and sets the cursor of `source` back to 0 (keeping its epoch):
// the producer was restored from an older backup and will write other changes
// at positions this consumer already applied.
absl::Status RewindCursor(db::Session& session, const std::string& source, ClearProjection clear);

// Under the cursor's row lock, runs `apply` and moves the cursor to
// `sequence`; returns false, running nothing, for a sequence at or below the
// cursor (applied before, by a replay or another replica). ABORTED when the
// cursor is no longer bound to `epoch` (another replica rebound it meanwhile).
absl::StatusOr<bool> ApplyAtCursor(db::Session& session, const std::string& source, const std::string& epoch,
                                   int64_t sequence, absl::FunctionRef<absl::Status(db::Session&)> apply);

// The same for a run of changes ending at `last_sequence`, in one
// transaction: `apply` gets the cursor as it stood (it applies only the
// changes after it) and the cursor moves to `last_sequence`. Returns false,
// running nothing, when `last_sequence` is at or below the cursor.
absl::StatusOr<bool> ApplyRunAtCursor(db::Session& session, const std::string& source, const std::string& epoch,
                                      int64_t last_sequence,
                                      absl::FunctionRef<absl::Status(db::Session&, int64_t cursor)> apply);

// Moves the cursor past changes the projection does not keep (only forward,
// and only while it is still bound to `epoch`).
absl::Status AdvanceCursor(db::Session& session, const std::string& source, const std::string& epoch,
                           int64_t sequence);

// Records the commit_time of the change the cursor of `source` stands at,
// when it still stands at `sequence` (in the transaction that moved it there).
absl::Status RecordCursorCommitTime(db::Session& session, const std::string& source, int64_t sequence,
                                    int64_t commit_micros);

}  // namespace grassroots::common::feed
