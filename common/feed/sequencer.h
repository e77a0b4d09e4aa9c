#pragma once
// The feed's sequencer: numbers committed changes and links committed audit
// entries into the hash chain, in rounds, so writers take no shared lock.
//
// A writer inserts its change_feed row with sequence NULL and its audit_log
// row with chain_position NULL, and commits. A round, one at a time across
// every process on the database (it holds the feed_head row lock), reads the
// committed rows still without a number (READ COMMITTED, so it sees every
// commit before the read), gives them the next numbers in id order, links
// the audit rows, moves the head and commits.
//
// What consumers reading "sequence > cursor" get from that:
//  - only committed changes are numbered, the numbers are dense, and a round
//    commits all of its numbers at once: a reader always sees a prefix, so a
//    change is never skipped and never sent twice;
//  - a change committed before another was written is visible to every round
//    the later one is, so it gets the lower number; two writes to one
//    resource are ordered by its row lock, and each records its change after
//    the write, so their changes keep that order.
//
// Rounds are group commit: after a transaction that recorded a change
// commits, the writer waits for a round that began after its commit (one
// writer leads it, the others that committed meanwhile wait for the same
// round), so a successful write is on the feed when its call returns. A
// writer that dies between its commit and the round leaves rows that the
// next round of any process numbers; each service's feed runs a sweeper for
// that (SequencerSweeper).
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/db/db.h"

namespace grassroots::common::feed {

struct SealedRound {
  int64_t changes = 0;        // change_feed rows numbered
  int64_t audit_entries = 0;  // audit_log rows linked into the chain
  int64_t last_sequence = 0;  // the head after the round
};

// Per pool, in this process: bumped after every round that numbered changes
// and whenever the sweeper sees the head moved (by another process); the
// feed's streams wait on it instead of polling.
struct CommitSignal {
  absl::Mutex mu;
  uint64_t generation ABSL_GUARDED_BY(mu) = 0;
};
CommitSignal& NumberedChanges(const db::ConnectionPool& pool);
void AnnounceNumberedChanges(const db::ConnectionPool& pool);

// One round now, on the caller's thread. Numbers at most max_rows changes and
// max_rows audit entries (the rest wait for the next round). A round looks
// above a floor it keeps per pool; thorough also looks through the whole
// index for rows without a number (slower under load: the sweeper's, once a minute).
absl::StatusOr<SealedRound> SealCommitted(db::ConnectionPool& pool, int max_rows = 2000, bool thorough = false);

// For the session of a transaction that wrote unnumbered rows: after it
// commits, wait for a round that began after the commit (group commit). A
// failed round is logged and does not fail the write, which is committed; the
// sweeper numbers its rows later.
void SealAfterCommit(db::Session& session);

// For a transaction that wrote audit entries only (an audited read): after it
// commits, ask for a round without waiting for it. The sweeper of the pool
// runs it; with no sweeper the caller runs it.
void RequestSealAfterCommit(db::Session& session);

// Per process: watches the feed head, wakes this process's streams when
// another process moved it, runs a round when nudged (an audited read's
// entries), once a second a round for rows without a number that no writer's
// round will take (a writer that died between its commit and its round, a
// failed round), and once a minute a thorough one. One per pool; registered
// so RequestSealAfterCommit finds it.
class SequencerSweeper {
 public:
  // on_head_moved runs on the sweeper's thread when the head is seen to move.
  SequencerSweeper(db::ConnectionPool& pool, absl::Duration interval, std::function<void(int64_t)> on_head_moved);
  ~SequencerSweeper();
  SequencerSweeper(const SequencerSweeper&) = delete;
  SequencerSweeper& operator=(const SequencerSweeper&) = delete;
  void Start();
  void Stop();
  // Runs a round soon, without waiting for it.
  void Nudge();

 private:
  void Loop();
  db::ConnectionPool& pool_;
  const absl::Duration interval_;
  const std::function<void(int64_t)> on_head_moved_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  bool nudged_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace grassroots::common::feed
