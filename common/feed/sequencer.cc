#include "common/feed/sequencer.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/connection.h>
#include <cppconn/statement.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/db/sql_ids.h"
#include "common/feed/audit_chain.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::common::feed {
namespace {

// Audit rows linked per UPDATE (its CASE lists grow with it).
constexpr int kAuditRowsPerStatement = 500;
constexpr int kMaxRowsPerRound = 2000;
constexpr absl::Duration kNudgeBatch = absl::Milliseconds(20);

// In-process group commit for one pool: writers take tickets after their
// commit; a round covers every ticket handed out before it started.
struct RoundGate {
  absl::Mutex mu;
  uint64_t requested ABSL_GUARDED_BY(mu) = 0;
  uint64_t finished ABSL_GUARDED_BY(mu) = 0;  // every ticket up to here had a round begin after it
  bool running ABSL_GUARDED_BY(mu) = false;
  SequencerSweeper* sweeper ABSL_GUARDED_BY(mu) = nullptr;
  bool last_round_failed ABSL_GUARDED_BY(mu) = false;
};

const char kSealKey = 0;
const char kRequestKey = 0;

// How long an id missing below the newest row is left alone before the round
// asks whether it is dead (a rolled-back insert) or in flight: an id is drawn
// a moment before its row is in the table.
constexpr absl::Duration kGapSettle = absl::Milliseconds(100);
constexpr int kGapsResolvedPerRound = 32;

std::string IdList(const std::vector<int64_t>& ids) {
  std::string list;
  for (size_t i = 0; i < ids.size(); ++i) absl::StrAppend(&list, i == 0 ? "" : ",", ids[i]);
  return list;
}

// Where a round looks for rows without a number in one table. Finding them
// through the NULL entries of the number's index is slow under load (every
// numbered row leaves a delete-marked entry there until purge), so a round
// reads the primary key above a floor: every id at or below it is numbered,
// or was never committed and never will be. Ids missing above the floor are
// rolled-back inserts or writers still in their transaction; the floor passes
// one only once a locking read without wait finds no row and no lock on it.
// If the floor was wrong (a table emptied under it), a round that finds
// nothing looks through the index once and moves the floor back.
struct Floor {
  const char* table;
  const char* number_column;
  int64_t at = -1;  // -1: not known yet (found through the index)
  absl::flat_hash_map<int64_t, absl::Time> missing_since;
};

struct PendingRow {
  int64_t id;
  bool pending;
};

// Committed rows without a number above the floor, in id order; moves the floor.
// thorough: also look through the index (the sweeper, once a minute), for
// rows a floor passed wrongly; a round that finds its table emptied does so too.
std::vector<int64_t> FindPending(db::Session& session, Floor& floor, int max_rows, bool thorough) {
  if (floor.at < 0) {
    std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare(absl::StrCat(
        "SELECT COALESCE((SELECT MIN(id) FROM ", floor.table, " WHERE ", floor.number_column,
        " IS NULL), (SELECT COALESCE(MAX(id), 0) + 1 FROM ", floor.table, ")) - 1")));
    floor.at = rs->next() ? rs->getInt64(1) : 0;
    floor.missing_since.clear();
  }
  const int scan_limit = max_rows + 1000;
  std::vector<PendingRow> rows;
  {
    sql::PreparedStatement& scan = session.Prepare(absl::StrCat(
        "SELECT id, ", floor.number_column, " IS NULL FROM ", floor.table, " WHERE id > ? ORDER BY id LIMIT ?"));
    scan.setInt64(1, floor.at);
    scan.setInt(2, scan_limit);
    std::unique_ptr<sql::ResultSet> rs = session.Query(scan);
    while (rs->next()) rows.push_back(PendingRow{rs->getInt64(1), rs->getBoolean(2)});
  }
  bool emptied = false;  // the table was emptied under the floor (ids start again)
  if (rows.empty() && floor.at > 0) {
    std::unique_ptr<sql::ResultSet> rs =
        session.Query(session.Prepare(absl::StrCat("SELECT COALESCE(MAX(id), 0) FROM ", floor.table)));
    emptied = rs->next() && rs->getInt64(1) < floor.at;
  }
  std::vector<int64_t> pending;
  for (const PendingRow& row : rows) {
    if (row.pending && static_cast<int>(pending.size()) < max_rows) pending.push_back(row.id);
  }
  const bool truncated = static_cast<int>(rows.size()) >= scan_limit;
  if (thorough || truncated || emptied) {
    // The slow way, to be sure: rows below the floor, or beyond the window.
    std::vector<int64_t> found;
    sql::PreparedStatement& by_index = session.Prepare(absl::StrCat(
        "SELECT id FROM ", floor.table, " WHERE ", floor.number_column, " IS NULL ORDER BY id LIMIT ?"));
    by_index.setInt(1, max_rows);
    std::unique_ptr<sql::ResultSet> rs = session.Query(by_index);
    while (rs->next()) found.push_back(rs->getInt64(1));
    const int64_t lowest_row = found.empty() ? std::numeric_limits<int64_t>::max() : found.front();
    if (lowest_row <= floor.at || emptied) {
      if (!emptied) {
        log::Warn("feed sequencer found rows below its floor; looking from there again",
                  {{"table", floor.table}, {"floor", floor.at}, {"row", lowest_row}});
      }
      floor.at = -1;  // found again through the index next round
      floor.missing_since.clear();
      return found;
    }
    if (truncated) return found;  // the floor moves in a later round, over a window it scanned whole
  }
  // Move the floor over numbered rows, the ones numbered now, and dead ids.
  const absl::Time now = absl::Now();
  int resolved = 0;
  int64_t next = floor.at + 1;
  for (const PendingRow& row : rows) {
    if (row.pending && !std::binary_search(pending.begin(), pending.end(), row.id)) break;
    bool blocked = false;
    for (; next < row.id; ++next) {
      auto [seen, first_time] = floor.missing_since.try_emplace(next, now);
      if (first_time || now - seen->second < kGapSettle || resolved >= kGapsResolvedPerRound) {
        blocked = true;
        break;
      }
      ++resolved;
      bool dead = false;
      try {
        sql::PreparedStatement& probe = session.Prepare(
            absl::StrCat("SELECT id FROM ", floor.table, " WHERE id = ? LOCK IN SHARE MODE NOWAIT"));
        probe.setInt64(1, next);
        dead = !session.Query(probe)->next();
      } catch (const sql::SQLException&) {
        dead = false;  // locked: a writer is still in its transaction
      }
      if (!dead) {
        blocked = true;
        break;
      }
      floor.missing_since.erase(next);
    }
    if (blocked) break;
    floor.at = row.id;
    next = row.id + 1;
  }
  return pending;
}

struct Floors {
  absl::Mutex mu;  // held for a whole round: rounds of one process take turns anyway
  Floor changes{"change_feed", "sequence", -1, {}};
  Floor audit{"audit_log", "chain_position", -1, {}};
};

// What this process keeps per pool: its group-commit gate and its floors.
struct PoolSequencing {
  RoundGate gate;
  Floors floors;
  CommitSignal numbered;
};

PoolSequencing& SequencingOf(const db::ConnectionPool* pool) {
  static absl::Mutex* const registry_mu = new absl::Mutex;
  // Never destroyed (used from detached callbacks); one small entry per pool ever created.
  static auto* const states = new absl::flat_hash_map<const db::ConnectionPool*, std::unique_ptr<PoolSequencing>>;
  absl::MutexLock lock(registry_mu);
  std::unique_ptr<PoolSequencing>& state = (*states)[pool];
  if (!state) state = std::make_unique<PoolSequencing>();
  return *state;
}

// Numbers the committed changes without a number, in id order, after `last`.
int64_t NumberChanges(db::Session& session, const std::vector<int64_t>& ids, int64_t last, const std::string& now) {
  if (ids.empty()) return last;
  // The ids drive the join through the primary key (never the NULL entries of
  // the sequence index, which would wait on writers still in their
  // transactions); each row's number is its place in the list after `last`.
  sql::PreparedStatement& number = session.Prepare(
      "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (place FOR ORDINALITY, id BIGINT PATH '$')) AS numbered "
      "STRAIGHT_JOIN change_feed f FORCE INDEX (PRIMARY) ON f.id = numbered.id "
      "SET f.sequence = ? + numbered.place, f.commit_time = ?");
  number.setString(1, db::IdArray(ids));
  number.setInt64(2, last);
  number.setString(3, now);
  const int64_t updated = number.executeUpdate();
  if (updated != static_cast<int64_t>(ids.size())) {
    throw std::runtime_error(absl::StrCat("numbered ", updated, " of ", ids.size(), " changes"));
  }
  return last + static_cast<int64_t>(ids.size());
}

struct ChainHead {
  int64_t id = 0;
  int64_t position = 0;
  std::string hash = std::string(32, '\0');  // genesis
};

// Links the committed audit entries `ids` after `head`; returns the new head.
ChainHead LinkAuditEntries(db::Session& session, const std::vector<int64_t>& ids, ChainHead head) {
  if (ids.empty()) return head;
  std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
  for (size_t begin = 0; begin < ids.size(); begin += kAuditRowsPerStatement) {
    const std::vector<int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                     ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), begin + kAuditRowsPerStatement)));
    // [id, prev_hash, entry_hash] per entry, in chain order; its position is its place after the head's.
    std::string links = "[";
    const int64_t first_position = head.position;
    std::unique_ptr<sql::ResultSet> rs(statement->executeQuery(absl::StrCat(
        "SELECT id, DATE_FORMAT(occurred_at, '%Y-%m-%d %H:%i:%s.%f'), actor, action, resource_name, request_id, "
        "details, purpose FROM audit_log WHERE id IN (", IdList(chunk), ") ORDER BY id")));
    int64_t rows = 0;
    while (rs->next()) {
      ++rows;
      const AuditFields fields{rs->getString(3).asStdString(), rs->getString(4).asStdString(),
                               rs->getString(5).asStdString(), rs->getString(6).asStdString(),
                               rs->getString(7).asStdString(), rs->getString(8).asStdString()};
      const std::string hash = AuditEntryHash(head.hash, rs->getString(2).asStdString(), fields);
      head.id = rs->getInt64(1);
      ++head.position;
      absl::StrAppend(&links, rows > 1 ? "," : "", "[", head.id, ",\"", absl::BytesToHexString(head.hash), "\",\"",
                      absl::BytesToHexString(hash), "\"]");
      head.hash = hash;
    }
    rs.reset();
    links.push_back(']');
    sql::PreparedStatement& link = session.Prepare(
        "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (place FOR ORDINALITY, id BIGINT PATH '$[0]', "
        "prev_hex CHAR(64) PATH '$[1]', entry_hex CHAR(64) PATH '$[2]')) AS linked "
        "STRAIGHT_JOIN audit_log a FORCE INDEX (PRIMARY) ON a.id = linked.id "
        "SET a.chain_position = ? + linked.place, a.prev_hash = UNHEX(linked.prev_hex), "
        "a.entry_hash = UNHEX(linked.entry_hex)");
    link.setString(1, links);
    link.setInt64(2, first_position);
    const int64_t updated = link.executeUpdate();
    if (updated != rows || rows != static_cast<int64_t>(chunk.size())) {
      throw std::runtime_error(absl::StrCat("linked ", updated, " of ", chunk.size(), " audit entries"));
    }
  }
  return head;
}

// Runs one round through the pool's gate unless a round that began after
// `ticket` already finished; wakes this process's streams when it numbered changes.
void AwaitRound(db::ConnectionPool& pool, bool thorough = false) {
  RoundGate& gate = SequencingOf(&pool).gate;
  absl::MutexLock lock(&gate.mu);
  const uint64_t ticket = ++gate.requested;
  while (gate.finished < ticket) {
    if (gate.running) {
      auto round_over = [&gate, ticket]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(gate.mu) {
        return !gate.running || gate.finished >= ticket;
      };
      gate.mu.Await(absl::Condition(&round_over));
      continue;
    }
    gate.running = true;
    const uint64_t covers = gate.requested;
    gate.mu.Unlock();
    absl::StatusOr<SealedRound> round = SealCommitted(pool, kMaxRowsPerRound, thorough);
    if (round.ok() && round->changes > 0) AnnounceNumberedChanges(pool);
    gate.mu.Lock();
    if (!round.ok() && !gate.last_round_failed) {
      // Once per outage: the rows stay committed and the sweeper numbers them later.
      log::Warn("feed sequencer round failed; committed changes wait for the next round",
                {{"status", round.status().ToString()}});
    }
    gate.last_round_failed = !round.ok();
    gate.running = false;
    gate.finished = std::max(gate.finished, covers);
  }
}

}  // namespace

CommitSignal& NumberedChanges(const db::ConnectionPool& pool) { return SequencingOf(&pool).numbered; }

void AnnounceNumberedChanges(const db::ConnectionPool& pool) {
  CommitSignal& signal = NumberedChanges(pool);
  absl::MutexLock lock(&signal.mu);
  ++signal.generation;
}

absl::StatusOr<SealedRound> SealCommitted(db::ConnectionPool& pool, int max_rows, bool thorough) {
  Floors& floors = SequencingOf(&pool).floors;
  absl::MutexLock floors_lock(&floors.mu);
  SealedRound round;
  absl::Status sealed = pool.RunInTransaction(
      "feed.seal",
      [&](db::Session& session) -> absl::Status {
        round = SealedRound{};
        // The head's row lock makes rounds take turns across processes; the
        // reads after it see every commit made before them (READ COMMITTED).
        sql::PreparedStatement& read_head = session.Prepare(
            "SELECT last_sequence, DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f'), audit_last_id, "
            "audit_last_position, audit_last_hash IS NULL, HEX(audit_last_hash) FROM feed_head WHERE id = 1 FOR UPDATE");
        int64_t last = 0;
        std::string now;
        ChainHead chain;
        {
          std::unique_ptr<sql::ResultSet> rs = session.Query(read_head);
          if (!rs->next()) return absl::InternalError("feed_head row is missing; migrations not applied?");
          last = rs->getInt64(1);
          now = rs->getString(2).asStdString();
          chain.id = rs->getInt64(3);
          chain.position = rs->getInt64(4);
          if (!rs->getBoolean(5)) chain.hash = absl::HexStringToBytes(rs->getString(6).asStdString());
        }
        const std::vector<int64_t> changes = FindPending(session, floors.changes, max_rows, thorough);
        round.last_sequence = NumberChanges(session, changes, last, now);
        round.changes = round.last_sequence - last;
        const std::vector<int64_t> entries = FindPending(session, floors.audit, max_rows, thorough);
        const ChainHead linked = LinkAuditEntries(session, entries, chain);
        round.audit_entries = static_cast<int64_t>(entries.size());
        if (round.changes == 0 && round.audit_entries == 0) return absl::OkStatus();
        sql::PreparedStatement& move = session.Prepare(
            // Assignments apply left to right: the time is set while last_sequence is the old one.
            "UPDATE feed_head SET last_commit_time = IF(? > last_sequence, ?, last_commit_time), last_sequence = ?, "
            "audit_last_id = ?, audit_last_position = ?, audit_last_hash = UNHEX(?) WHERE id = 1");
        move.setInt64(1, round.last_sequence);
        move.setString(2, now);
        move.setInt64(3, round.last_sequence);
        move.setInt64(4, linked.id);
        move.setInt64(5, linked.position);
        move.setString(6, absl::BytesToHexString(linked.hash));
        move.executeUpdate();
        return absl::OkStatus();
      },
      db::Isolation::kReadCommitted);
  // A failed round may have moved a floor over rows it did not number.
  if (!sealed.ok()) {
    floors.changes.at = -1;
    floors.audit.at = -1;
    return sealed;
  }
  return round;
}

void SealAfterCommit(db::Session& session) {
  db::ConnectionPool* pool = &session.pool();
  session.AfterCommitOnce(&kSealKey, [pool] { AwaitRound(*pool); });
}

void RequestSealAfterCommit(db::Session& session) {
  db::ConnectionPool* pool = &session.pool();
  session.AfterCommitOnce(&kRequestKey, [pool] {
    RoundGate& gate = SequencingOf(pool).gate;
    {
      absl::MutexLock lock(&gate.mu);
      if (gate.sweeper != nullptr) {
        gate.sweeper->Nudge();
        return;
      }
    }
    AwaitRound(*pool);
  });
}

// ---- SequencerSweeper ------------------------------------------------------------

SequencerSweeper::SequencerSweeper(db::ConnectionPool& pool, absl::Duration interval,
                                   std::function<void(int64_t)> on_head_moved)
    : pool_(pool), interval_(interval), on_head_moved_(std::move(on_head_moved)) {}

SequencerSweeper::~SequencerSweeper() { Stop(); }

void SequencerSweeper::Start() {
  if (thread_.joinable()) return;
  {
    RoundGate& gate = SequencingOf(&pool_).gate;
    absl::MutexLock lock(&gate.mu);
    gate.sweeper = this;
  }
  thread_ = std::thread([this] { Loop(); });
}

void SequencerSweeper::Stop() {
  {
    RoundGate& gate = SequencingOf(&pool_).gate;
    absl::MutexLock lock(&gate.mu);
    if (gate.sweeper == this) gate.sweeper = nullptr;
  }
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void SequencerSweeper::Nudge() {
  absl::MutexLock lock(&mutex_);
  nudged_ = true;
}

void SequencerSweeper::Loop() {
  int64_t head_seen = -1;
  absl::Duration wait = interval_;
  absl::Time next_periodic = absl::Now();
  absl::Time next_thorough = absl::Now();
  absl::Time last_nudged_round = absl::InfinitePast();
  while (true) {
    bool nudged = false;
    {
      absl::MutexLock lock(&mutex_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_ || nudged_; };
      mutex_.AwaitWithTimeout(absl::Condition(&woken), wait);
      if (stopping_) return;
      if (nudged_) {
        // Audited reads come many a second and need no wait: their entries
        // are linked in one round per kNudgeBatch, not one round each.
        const absl::Duration since = absl::Now() - last_nudged_round;
        if (since < kNudgeBatch && mutex_.AwaitWithTimeout(absl::Condition(&stopping_), kNudgeBatch - since)) return;
      }
      nudged = nudged_;
      nudged_ = false;
    }
    if (nudged) last_nudged_round = absl::Now();
    int64_t head = head_seen;
    absl::Status watched = pool_.Run("feed.watch", [&](db::Session& session) -> absl::Status {
      std::unique_ptr<sql::ResultSet> rs =
          session.Query(session.Prepare("SELECT last_sequence FROM feed_head WHERE id = 1"));
      if (!rs->next()) return absl::InternalError("feed_head row is missing");
      head = rs->getInt64(1);
      return absl::OkStatus();
    });
    // While the database is away, look again once a second instead.
    wait = watched.ok() ? interval_ : std::max(interval_, absl::Seconds(1));
    if (!watched.ok()) continue;
    if (head != head_seen) {
      if (head_seen >= 0) AnnounceNumberedChanges(pool_);
      head_seen = head;
      if (on_head_moved_) on_head_moved_(head);
    }
    // Once a second a round for rows no writer's round will take (a writer
    // that died between its commit and its round, a failed round): they are
    // above the floor, which never passes a committed row. Once a minute a
    // thorough one also looks through the index, for rows a floor passed
    // wrongly; that scan is slow under heavy writes, so it is rare.
    const absl::Time now = absl::Now();
    const bool periodic = now >= next_periodic;
    const bool thorough = now >= next_thorough;
    if (periodic) next_periodic = now + absl::Seconds(1);
    if (thorough) next_thorough = now + absl::Minutes(1);
    if (nudged || periodic) AwaitRound(pool_, thorough);
  }
}

}  // namespace grassroots::common::feed
