#pragma once
// MariaDB access through Connector/C++ 1.1: a bounded connection pool, cached
// prepared statements, RAII transactions with deadlock retry, MariaDB error ->
// status mapping, and versioned migrations applied under a lock.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/db/gtid.h"

namespace sql { class Connection; class SQLException; }

namespace grassroots::common::db {

// MariaDB errno -> status: 1062 ALREADY_EXISTS, 1451/1452 FAILED_PRECONDITION,
// 1213/1205 ABORTED (a Galera certification conflict is a 1213), client errors
// (2002, 2003, 2006, 2013, ...) and a server that cannot serve now (1047: a
// Galera node without quorum; 1053 shutdown; 1927 connection killed; 1180 a
// COMMIT that failed, e.g. quorum lost while it replicated) UNAVAILABLE, else
// INTERNAL. Messages given to clients are generic; the original is logged.
absl::Status FromSqlException(const sql::SQLException& e, std::string_view operation);

class ConnectionPool;

// What repository code works with: one connection, exclusively, for the
// duration of a transaction or read.
class Session {
 public:
  // A prepared statement cached on this connection (prepared once per
  // connection, reused after). Parameters are reset by the caller's setX calls.
  sql::PreparedStatement& Prepare(std::string_view sql_text);
  // Executes a prepared query and returns its result set (caller owns it).
  std::unique_ptr<sql::ResultSet> Query(sql::PreparedStatement& statement);
  int64_t LastInsertId();
  sql::Connection& connection();
  std::string_view operation() const { return operation_; }
  // Runs `callback` once the work of this session is durable: after COMMIT in
  // RunInTransaction (never after a rollback or for an attempt that is
  // retried), after fn in autocommit Run. For wake-ups of other threads, not
  // for more database work.
  void AfterCommit(std::function<void()> callback);
  // As AfterCommit, but once per session for a given key, however many times
  // it is asked for (a transaction that records several changes wakes once).
  void AfterCommitOnce(const void* key, std::function<void()> callback);
  // Runs fn inside a savepoint of the caller's transaction. When fn returns an
  // error, or throws an SQL error that leaves the transaction usable, what fn
  // wrote is rolled back to the savepoint and the error returned (mapped), and
  // the transaction goes on. A deadlock or lock wait timeout is rethrown: the
  // transaction as a whole is retried. `name` is an SQL identifier.
  absl::Status UnderSavepoint(std::string_view name, const std::function<absl::Status()>& fn);
  // The pool this session was leased from (for work after commit).
  ConnectionPool& pool() { return *pool_; }

 private:
  friend class ConnectionPool;
  struct PooledConnection;
  struct AfterCommitCallback {
    const void* key;  // null: not deduplicated
    std::function<void()> callback;
  };
  Session(ConnectionPool* pool, PooledConnection* pooled, std::string_view operation,
          std::vector<AfterCommitCallback>* after_commit)
      : pool_(pool), pooled_(pooled), operation_(operation), after_commit_(after_commit) {}
  ConnectionPool* pool_;
  PooledConnection* pooled_;
  std::string_view operation_;
  std::vector<AfterCommitCallback>* after_commit_;
};

using SessionWork = std::function<absl::Status(Session&)>;

// The value-returning form of a Run-like call: `run` runs the work it is given,
// perhaps more than once (a retried transaction, a replica read that falls
// back to the primary); the value of the run that succeeded is returned.
template <typename T, typename RunWork>
absl::StatusOr<T> RunForValue(const RunWork& run, const std::function<absl::StatusOr<T>(Session&)>& fn) {
  std::optional<T> out;
  absl::Status s = run([&](Session& session) -> absl::Status {
    out.reset();
    absl::StatusOr<T> r = fn(session);
    if (!r.ok()) return r.status();
    out.emplace(*std::move(r));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return *std::move(out);
}

// READ COMMITTED is for work that must see rows committed while it ran (each
// statement reads the newest committed state); everything else keeps the
// server's REPEATABLE READ.
enum class Isolation { kServerDefault, kReadCommitted };

struct PoolStats {
  int open = 0;
  int idle = 0;
  int in_use = 0;
};

class ConnectionPool {
 public:
  // Does not connect eagerly: the service starts (NOT_SERVING) while the DB is
  // down and recovers by itself once it answers. Metrics (nullable registry):
  // db_pool_connections{state}, db_pool_acquire_seconds, db_pool_acquire_timeouts_total,
  // db_query_duration_seconds{operation}, db_errors_total{operation,code}.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const DbConfig& config,
                                                                std::shared_ptr<prometheus::Registry> registry);
  ~ConnectionPool();

  // Runs fn on a leased connection in autocommit mode. SQL exceptions are
  // mapped; broken connections are discarded. Pool exhausted after
  // acquire_timeout -> UNAVAILABLE; DB unreachable -> UNAVAILABLE.
  absl::Status Run(std::string_view operation, const std::function<absl::Status(Session&)>& fn);
  // Runs fn inside a transaction: commit when fn returns OK, roll back
  // otherwise. Deadlock / lock wait timeout retried (bounded, with backoff).
  absl::Status RunInTransaction(std::string_view operation, const std::function<absl::Status(Session&)>& fn,
                                Isolation isolation = Isolation::kServerDefault);

  template <typename T>
  absl::StatusOr<T> Read(std::string_view operation, const std::function<absl::StatusOr<T>(Session&)>& fn) {
    return RunForValue<T>([&](const SessionWork& body) { return Run(operation, body); }, fn);
  }
  template <typename T>
  absl::StatusOr<T> Transact(std::string_view operation, const std::function<absl::StatusOr<T>(Session&)>& fn) {
    return RunForValue<T>([&](const SessionWork& body) { return RunInTransaction(operation, body); }, fn);
  }

  // From now on, each committed RunInTransaction reads the GTID it produced
  // (SELECT @@last_gtid, one more round trip on the same connection) into
  // CommitPosition() and into the thread's CallReadPositions. For a
  // ReadRouter with a replica; off otherwise. Autocommit Run is not tracked:
  // a write that later replica reads must see is made in a transaction.
  void TrackCommitPositions();
  // The latest GTID per domain of the transactions this pool committed since
  // tracking started (empty before any).
  GtidPosition CommitPosition() const;

  // SELECT 1 on a pooled connection; false when the database is unreachable.
  bool Ping();
  PoolStats Stats() const;
  const DbConfig& config() const;

 private:
  struct Impl;
  explicit ConnectionPool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Result-set and parameter helpers for nullable columns.
std::optional<std::string> GetOptionalString(sql::ResultSet& rs, const std::string& column);
std::optional<int64_t> GetOptionalInt64(sql::ResultSet& rs, const std::string& column);
void SetOptionalString(sql::PreparedStatement& ps, int index, const std::optional<std::string>& value);
void SetOptionalInt64(sql::PreparedStatement& ps, int index, const std::optional<int64_t>& value);

// ---- migrations ----------------------------------------------------------------
struct Migration {
  std::string component;   // "common", "org", ...
  int version = 0;         // from V0001__name.sql
  std::string description; // from the file name
  std::string sql;         // statements separated by ';' at line ends
};

// Applies, in (component order given, version) order, each migration not yet
// recorded in schema_migrations, under GET_LOCK so concurrent replicas wait.
// Refuses (FAILED_PRECONDITION) when an applied file's checksum changed.
absl::Status ApplyMigrations(ConnectionPool& pool, const std::vector<const std::vector<Migration>*>& sets);

// The change feed, audit and idempotency tables every service schema holds.
const std::vector<Migration>& CommonMigrations();

// Splits a migration file into statements: a statement ends with ';' at the end
// of a line (trailing spaces allowed). Lines starting with "--" are comments and
// dropped; empty statements are skipped. No DELIMITER / stored-program support.
std::vector<std::string> SplitSqlStatements(std::string_view sql_text);
// Hex SHA-256 of the migration text with CR bytes removed (so a CRLF checkout
// does not look like an edited file).
std::string MigrationChecksum(const Migration& migration);
// "V0001__description.sql": how error messages name a migration file.
std::string MigrationFileName(const Migration& migration);

}  // namespace grassroots::common::db
