#include "common/db/db.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <random>
#include <thread>
#include <unordered_map>

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/read_router.h"
#include "common/log/log.h"

namespace grassroots::common::db {
namespace {

using Clock = std::chrono::steady_clock;

// Payload carrying the MariaDB errno on statuses built from SQL exceptions, so
// the pool can tell a real deadlock from a domain ABORTED (etag mismatch) and a
// broken connection from an ordinary error, even when repository code caught
// the exception and returned FromSqlException itself.
// (absl::string_view: Debian's Abseil does not alias std::string_view.)
constexpr absl::string_view kErrnoPayload = "type.grassroots.dev/db.mariadb_errno";

// A connection idle longer than this is pinged before reuse (MariaDB's
// wait_timeout or a proxy may have closed it). Fresher ones are used blindly
// and discarded if they fail: no extra round trip on the hot path.
constexpr auto kValidateAfterIdle = std::chrono::seconds(30);

// Statements cached per connection before the cache is dropped (at release,
// when no caller can hold a reference). Keeps dynamic SQL from exhausting the
// server's max_prepared_stmt_count.
constexpr size_t kMaxCachedStatements = 256;

// Deadlock / lock-wait retries: attempts in total and the first backoff.
constexpr int kMaxTransactionAttempts = 5;
constexpr auto kFirstBackoff = std::chrono::milliseconds(5);

constexpr int kErDupEntry = 1062;
constexpr int kErDupEntryWithKeyName = 1586;
constexpr int kErRowIsReferenced = 1451;
constexpr int kErNoReferencedRow = 1452;
constexpr int kErRowIsReferenced2 = 1217;
constexpr int kErNoReferencedRow2 = 1216;
constexpr int kErLockDeadlock = 1213;
constexpr int kErLockWaitTimeout = 1205;
constexpr int kErStatementTimeout = 1969;  // max_statement_time exceeded
constexpr int kFirstClientError = 2000;
// Server errors that say the server, not the statement, is unusable now: a
// Galera node outside the primary component (wsrep not ready: "WSREP has not
// yet prepared node for application use"), a server shutting down, a
// connection killed under the caller. Another connection (through the load
// balancer, to another node) may well work, so they are UNAVAILABLE and the
// connection is dropped.
constexpr int kErWsrepNotReady = 1047;  // ER_UNKNOWN_COM_ERROR, as Galera sends it
constexpr int kErServerShutdown = 1053;
constexpr int kErConnectionKilled = 1927;
// "Error during COMMIT": the transaction was not committed (rolled back), e.g.
// Galera's "not connected to Primary Component" for a node that lost quorum
// while the commit replicated.
constexpr int kErErrorDuringCommit = 1180;

// Server messages for these errors quote the offending value, which may be
// personal data; they are logged without the message.
bool MessageQuotesValues(int code) {
  switch (code) {
    case kErDupEntry:
    case kErDupEntryWithKeyName:
    case 1292:  // incorrect datetime value
    case 1366:  // incorrect string value
    case 1367:  // illegal value during parsing
    case 1411:  // incorrect value for function
    case 3140:  // invalid JSON text
      return true;
    default:
      return false;
  }
}

int ErrnoOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrnoPayload);
  if (!payload) return -1;
  int code = -1;
  if (!absl::SimpleAtoi(std::string(*payload), &code)) return -1;
  return code;
}

bool IsRetryableConflict(const absl::Status& status) {
  int code = ErrnoOf(status);
  return code == kErLockDeadlock || code == kErLockWaitTimeout;
}

// Client-side errors (lost connection, server gone, ...) and connector errors
// without an errno leave the connection in an unknown state.
bool BreaksConnection(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnavailable) return true;
  int code = ErrnoOf(status);
  return code == 0 || code >= kFirstClientError;
}

sql::mysql::MySQL_Driver* Driver() {
  // get_driver_instance() is not thread-safe; call it once.
  static sql::mysql::MySQL_Driver* const driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace

absl::Status FromSqlException(const sql::SQLException& e, std::string_view operation) {
  const int code = e.getErrorCode();
  nlohmann::json fields = {{"operation", operation}, {"mariadb_errno", code}, {"sqlstate", e.getSQLState()}};
  if (!MessageQuotesValues(code)) fields["error"] = e.what();
  absl::Status status;
  switch (code) {
    case kErDupEntry:
    case kErDupEntryWithKeyName:
      status = absl::AlreadyExistsError("the resource already exists");
      break;
    case kErRowIsReferenced:
    case kErNoReferencedRow:
    case kErRowIsReferenced2:
    case kErNoReferencedRow2:
      status = absl::FailedPreconditionError("a referenced resource is missing or still in use");
      break;
    case kErLockDeadlock:
    case kErLockWaitTimeout:
      status = absl::AbortedError("conflicting concurrent change; retry the request");
      break;
    case kErStatementTimeout:
      status = absl::DeadlineExceededError("a database statement ran past its time limit");
      break;
    case kErWsrepNotReady:
    case kErServerShutdown:
    case kErConnectionKilled:
    case kErErrorDuringCommit:
      status = absl::UnavailableError("the database is unavailable");
      break;
    default:
      if (code >= kFirstClientError) {
        status = absl::UnavailableError("the database is unavailable");
      } else {
        status = absl::InternalError("database error");
      }
  }
  // Expected outcomes (duplicates, conflicts) are not worth an error line.
  const bool expected = status.code() == absl::StatusCode::kAlreadyExists ||
                        status.code() == absl::StatusCode::kFailedPrecondition ||
                        status.code() == absl::StatusCode::kAborted;
  log::Write(expected ? log::Level::kDebug : log::Level::kWarn, "database error", fields);
  status.SetPayload(kErrnoPayload, absl::Cord(absl::StrCat(code)));
  return status;
}

// ---- Session ---------------------------------------------------------------------

struct Session::PooledConnection {
  std::unique_ptr<sql::Connection> connection;
  std::unique_ptr<sql::Statement> statement;  // plain text statements (transaction control)
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>, TransparentHash, std::equal_to<>>
      prepared;
  Clock::time_point last_used = Clock::now();

  ~PooledConnection() {
    // Statements must go before their connection.
    prepared.clear();
    statement.reset();
    if (connection) {
      try {
        connection->close();
      } catch (const sql::SQLException&) {
        // Already broken; nothing more to release.
      }
    }
  }
  sql::Statement& Text() {
    if (!statement) statement.reset(connection->createStatement());
    return *statement;
  }
};

sql::PreparedStatement& Session::Prepare(std::string_view sql_text) {
  auto it = pooled_->prepared.find(sql_text);
  if (it != pooled_->prepared.end()) return *it->second;
  std::unique_ptr<sql::PreparedStatement> statement(pooled_->connection->prepareStatement(std::string(sql_text)));
  sql::PreparedStatement& ref = *statement;
  pooled_->prepared.emplace(std::string(sql_text), std::move(statement));
  return ref;
}

std::unique_ptr<sql::ResultSet> Session::Query(sql::PreparedStatement& statement) {
  return std::unique_ptr<sql::ResultSet>(statement.executeQuery());
}

int64_t Session::LastInsertId() {
  std::unique_ptr<sql::ResultSet> rs = Query(Prepare("SELECT LAST_INSERT_ID()"));
  if (!rs->next()) return 0;
  return static_cast<int64_t>(rs->getUInt64(1));
}

sql::Connection& Session::connection() { return *pooled_->connection; }

absl::Status Session::UnderSavepoint(std::string_view name, const std::function<absl::Status()>& fn) {
  pooled_->Text().execute(std::string("SAVEPOINT ").append(name));
  absl::Status status;
  try {
    status = fn();
  } catch (const sql::SQLException& e) {
    // InnoDB rolls back the whole transaction on a deadlock; the caller's
    // retry starts it again.
    if (e.getErrorCode() == kErLockDeadlock || e.getErrorCode() == kErLockWaitTimeout) throw;
    status = FromSqlException(e, operation_);
    if (status.code() == absl::StatusCode::kUnavailable) throw;  // the connection is gone
  }
  if (status.ok()) {
    pooled_->Text().execute(std::string("RELEASE SAVEPOINT ").append(name));
  } else {
    pooled_->Text().execute(std::string("ROLLBACK TO SAVEPOINT ").append(name));
  }
  return status;
}

void Session::AfterCommit(std::function<void()> callback) {
  after_commit_->push_back(AfterCommitCallback{nullptr, std::move(callback)});
}

void Session::AfterCommitOnce(const void* key, std::function<void()> callback) {
  for (const AfterCommitCallback& registered : *after_commit_) {
    if (registered.key == key) return;
  }
  after_commit_->push_back(AfterCommitCallback{key, std::move(callback)});
}

// ---- ConnectionPool --------------------------------------------------------------

struct ConnectionPool::Impl {
  using Pooled = Session::PooledConnection;

  ConnectionPool* owner = nullptr;  // the pool this is the state of
  DbConfig config;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Gauge* idle_gauge = nullptr;
  prometheus::Gauge* in_use_gauge = nullptr;
  prometheus::Histogram* acquire_seconds = nullptr;
  prometheus::Counter* acquire_timeouts = nullptr;
  prometheus::Family<prometheus::Histogram>* query_seconds = nullptr;
  prometheus::Family<prometheus::Counter>* errors = nullptr;

  std::atomic<bool> track_commit_positions{false};
  mutable absl::Mutex positions_mu;
  GtidPosition commit_position ABSL_GUARDED_BY(positions_mu);

  // Right after COMMIT, on the connection that committed. A failure here does
  // not undo the commit: the connection is dropped and the position of this
  // one write is lost (a replica read may then miss it; logged).
  void RecordCommitPosition(Pooled& pooled, std::string_view operation, bool& broken) {
    try {
      std::unique_ptr<sql::ResultSet> rs(pooled.Text().executeQuery("SELECT @@last_gtid"));
      if (!rs->next()) return;
      absl::StatusOr<GtidPosition> position = GtidPosition::Parse(std::string(rs->getString(1)));
      if (!position.ok()) {
        log::Warn("unreadable @@last_gtid after commit", {{"operation", operation}, {"status", position.status().ToString()}});
        return;
      }
      {
        absl::MutexLock lock(&positions_mu);
        commit_position.Merge(*position);
      }
      if (CallReadPositions* call = CallReadPositions::Current()) call->RecordWrite(*position);
    } catch (const sql::SQLException& e) {
      (void)FromSqlException(e, operation);  // logs it
      log::Warn("the GTID of a committed write could not be read", {{"operation", operation}});
      broken = true;
    }
  }

  mutable absl::Mutex mu;
  // LIFO: the most recently used connection is reused first, so surplus ones
  // go idle long enough to be validated or closed by the server.
  std::vector<std::unique_ptr<Pooled>> idle ABSL_GUARDED_BY(mu);
  int open ABSL_GUARDED_BY(mu) = 0;    // idle + leased + being connected
  int leased ABSL_GUARDED_BY(mu) = 0;

  // A lease can start now: an idle connection, or room to open one.
  bool CanLease() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !idle.empty() || open < config.pool_size; }

  void PublishGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (idle_gauge) idle_gauge->Set(static_cast<double>(idle.size()));
    if (in_use_gauge) in_use_gauge->Set(static_cast<double>(leased));
  }

  absl::StatusOr<std::unique_ptr<Pooled>> Connect(std::string_view operation) {
    sql::ConnectOptionsMap options;
    if (!config.socket.empty()) {
      options["hostName"] = std::string("localhost");
      options["socket"] = config.socket;
    } else {
      options["hostName"] = config.host;
      options["port"] = config.port;
    }
    options["userName"] = config.user;
    options["password"] = config.password;
    if (!config.database.empty()) options["schema"] = config.database;
    options["OPT_CONNECT_TIMEOUT"] = config.connect_timeout_seconds;
    options["OPT_READ_TIMEOUT"] = config.read_timeout_seconds;
    options["OPT_WRITE_TIMEOUT"] = config.write_timeout_seconds;
    options["OPT_CHARSET_NAME"] = std::string("utf8mb4");
    // A silent reconnect would drop an open transaction and session settings.
    options["OPT_RECONNECT"] = false;
    if (config.tls) {
      // Without TLS the connect fails rather than fall back to plaintext.
      options["sslEnforce"] = true;
      if (!config.tls_ca_file.empty()) {
        options["sslCA"] = config.tls_ca_file;
        options["sslVerify"] = true;  // chain and host name
      }
      if (!config.tls_cert_file.empty()) {
        options["sslCert"] = config.tls_cert_file;
        options["sslKey"] = config.tls_key_file;
      }
    }
    try {
      auto pooled = std::make_unique<Pooled>();
      pooled->connection.reset(Driver()->connect(options));
      pooled->Text().execute(
          "SET time_zone = '+00:00', "
          "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
          "NO_ENGINE_SUBSTITUTION', "
          // An online request gains nothing from waiting 50 s (the server
          // default) for a row lock; fail fast and let the retry decide.
          "innodb_lock_wait_timeout = 5, "
          "NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
      pooled->Text().execute(absl::StrCat("SET max_statement_time = ", config.statement_timeout_seconds));
      return pooled;
    } catch (const sql::SQLException& e) {
      absl::Status status = FromSqlException(e, operation);
      // Any failure to open a session means the database is not usable now.
      if (status.code() != absl::StatusCode::kUnavailable) {
        status = absl::UnavailableError("cannot connect to the database");
      }
      return status;
    }
  }

  // Leases a connection: an idle one (validated if idle long), else a new one
  // while below pool_size, else waits until acquire_timeout.
  absl::StatusOr<std::unique_ptr<Pooled>> Acquire(std::string_view operation) {
    const Clock::time_point start = Clock::now();
    const absl::Time deadline = absl::Now() + absl::FromChrono(config.acquire_timeout);
    while (true) {
      std::unique_ptr<Pooled> reused;
      {
        absl::MutexLock lock(&mu);
        if (!mu.AwaitWithDeadline(absl::Condition(this, &Impl::CanLease), deadline)) {
          if (acquire_timeouts) acquire_timeouts->Increment();
          CountError(operation, absl::StatusCode::kUnavailable);
          return absl::UnavailableError("database connection pool exhausted");
        }
        ++leased;
        if (!idle.empty()) {
          reused = std::move(idle.back());
          idle.pop_back();
        } else {
          ++open;  // counted now so concurrent callers respect pool_size while it connects
        }
        PublishGaugesLocked();
      }
      if (reused == nullptr) {
        absl::StatusOr<std::unique_ptr<Pooled>> fresh = Connect(operation);
        if (!fresh.ok()) {
          ForgetLease();
          CountError(operation, fresh.status().code());
          return fresh.status();
        }
        ObserveAcquire(start);
        return fresh;
      }
      // A connection idle for long may have been closed by the server.
      bool valid = Clock::now() - reused->last_used <= kValidateAfterIdle;
      if (!valid) {
        try {
          valid = reused->connection->isValid();
        } catch (const sql::SQLException&) {
          valid = false;
        }
      }
      if (valid) {
        ObserveAcquire(start);
        return reused;
      }
      reused.reset();
      ForgetLease();
    }
  }

  // A leased slot whose connection is gone (failed to open, or found dead).
  void ForgetLease() {
    absl::MutexLock lock(&mu);
    --leased;
    --open;
    PublishGaugesLocked();
  }

  void Release(std::unique_ptr<Pooled> pooled, bool broken) {
    if (!broken) {
      pooled->last_used = Clock::now();
      if (pooled->prepared.size() > kMaxCachedStatements) pooled->prepared.clear();
    }
    {
      absl::MutexLock lock(&mu);
      --leased;
      if (broken) {
        --open;
      } else {
        idle.push_back(std::move(pooled));
      }
      PublishGaugesLocked();
    }
    // A broken connection is closed outside the lock (close may block).
  }

  void ObserveAcquire(Clock::time_point start) {
    if (acquire_seconds) acquire_seconds->Observe(std::chrono::duration<double>(Clock::now() - start).count());
  }

  void CountError(std::string_view operation, absl::StatusCode code) {
    if (!errors) return;
    errors->Add({{"operation", std::string(operation)}, {"code", absl::StatusCodeToString(code)}}).Increment();
  }

  void ObserveQuery(std::string_view operation, Clock::time_point start) {
    if (!query_seconds) return;
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    query_seconds->Add({{"operation", std::string(operation)}}, kBuckets)
        .Observe(std::chrono::duration<double>(Clock::now() - start).count());
  }

  // Runs fn on a leased connection; maps exceptions; discards the connection
  // when it may be broken. in_transaction wraps fn in START TRANSACTION/COMMIT
  // and rolls back on any failure.
  absl::Status RunOnce(std::string_view operation, const std::function<absl::Status(Session&)>& fn,
                       bool in_transaction, Isolation isolation = Isolation::kServerDefault) {
    absl::StatusOr<std::unique_ptr<Pooled>> leased_connection = Acquire(operation);
    if (!leased_connection.ok()) return leased_connection.status();
    std::unique_ptr<Pooled> pooled = *std::move(leased_connection);
    bool broken = false;
    bool transaction_open = false;
    bool committed = false;
    std::vector<Session::AfterCommitCallback> after_commit;
    absl::Status status;
    try {
      if (in_transaction) {
        // Applies to the next transaction only.
        if (isolation == Isolation::kReadCommitted) pooled->Text().execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
        pooled->Text().execute("START TRANSACTION");
        transaction_open = true;
      }
      Session session(owner, pooled.get(), operation, &after_commit);
      status = fn(session);
      if (transaction_open && status.ok()) {
        // As a statement, not Connection::commit(): Connector/C++ 1.1 drops the
        // server's answer there, so a COMMIT that failed (connection lost, a
        // Galera certification conflict or a node without quorum) looked committed.
        pooled->Text().execute("COMMIT");
        transaction_open = false;
        committed = true;
        if (track_commit_positions.load(std::memory_order_relaxed)) RecordCommitPosition(*pooled, operation, broken);
      }
      // Autocommit: whatever fn wrote is already durable, even when it failed later.
      if (!in_transaction) committed = true;
    } catch (const sql::SQLException& e) {
      status = FromSqlException(e, operation);
    } catch (const std::exception& e) {
      log::Error("unexpected exception in database operation", {{"operation", operation}, {"error", e.what()}});
      status = absl::InternalError("database operation failed");
      broken = true;  // state of the session unknown
    }
    if (!status.ok() && BreaksConnection(status)) broken = true;
    if (transaction_open && !broken) {
      // Explicit rollback (rather than relying on the connection) so the
      // connection returns to the pool clean.
      try {
        pooled->Text().execute("ROLLBACK");  // as COMMIT above: an error must be seen
      } catch (const sql::SQLException& e) {
        (void)FromSqlException(e, operation);  // logs it
        broken = true;
      }
    }
    if (!status.ok()) CountError(operation, status.code());
    Release(std::move(pooled), broken);
    if (committed) {
      for (const Session::AfterCommitCallback& registered : after_commit) registered.callback();
    }
    return status;
  }
};

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(const DbConfig& config,
                                                                       std::shared_ptr<prometheus::Registry> registry) {
  if (config.pool_size < 1) return absl::InvalidArgumentError("db pool_size must be at least 1");
  if (config.acquire_timeout.count() < 0) return absl::InvalidArgumentError("db acquire_timeout must not be negative");
  if (config.port < 0 || config.port > 65535) return absl::InvalidArgumentError("db port out of range");
  if (config.host.empty() && config.socket.empty()) return absl::InvalidArgumentError("db host or socket required");
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->registry = registry;
  if (registry) {
    auto& connections = prometheus::BuildGauge()
                            .Name("db_pool_connections")
                            .Help("Database connections in the pool by state")
                            .Register(*registry);
    impl->idle_gauge = &connections.Add({{"state", "idle"}});
    impl->in_use_gauge = &connections.Add({{"state", "in_use"}});
    impl->acquire_seconds = &prometheus::BuildHistogram()
                                 .Name("db_pool_acquire_seconds")
                                 .Help("Time to lease a database connection")
                                 .Register(*registry)
                                 .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                                                  0.05, 0.1, 0.5, 1, 2, 5});
    impl->acquire_timeouts = &prometheus::BuildCounter()
                                  .Name("db_pool_acquire_timeouts_total")
                                  .Help("Leases that gave up because the pool stayed exhausted")
                                  .Register(*registry)
                                  .Add({});
    impl->query_seconds = &prometheus::BuildHistogram()
                               .Name("db_query_duration_seconds")
                               .Help("Duration of database operations (lease to release, including retries)")
                               .Register(*registry);
    impl->errors = &prometheus::BuildCounter()
                        .Name("db_errors_total")
                        .Help("Failed database operations by operation and status code")
                        .Register(*registry);
  }
  return std::unique_ptr<ConnectionPool>(new ConnectionPool(std::move(impl)));
}

ConnectionPool::ConnectionPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->owner = this; }

ConnectionPool::~ConnectionPool() {
  std::vector<std::unique_ptr<Session::PooledConnection>> closing;
  {
    absl::MutexLock lock(&impl_->mu);
    closing.swap(impl_->idle);
    if (impl_->leased > 0) {
      log::Warn("connection pool destroyed with leased connections", {{"leased", impl_->leased}});
    }
  }
}

absl::Status ConnectionPool::Run(std::string_view operation, const std::function<absl::Status(Session&)>& fn) {
  const Clock::time_point start = Clock::now();
  absl::Status status = impl_->RunOnce(operation, fn, /*in_transaction=*/false);
  impl_->ObserveQuery(operation, start);
  return status;
}

absl::Status ConnectionPool::RunInTransaction(std::string_view operation,
                                              const std::function<absl::Status(Session&)>& fn, Isolation isolation) {
  const Clock::time_point start = Clock::now();
  thread_local std::minstd_rand jitter(static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  absl::Status status;
  int lock_wait_timeouts = 0;
  for (int attempt = 1; attempt <= kMaxTransactionAttempts; ++attempt) {
    status = impl_->RunOnce(operation, fn, /*in_transaction=*/true, isolation);
    if (status.ok() || !IsRetryableConflict(status) || attempt == kMaxTransactionAttempts) break;
    // Deadlocks resolve instantly and are worth several tries; a lock wait
    // timeout already cost seconds, so it is retried once.
    if (ErrnoOf(status) == kErLockWaitTimeout && ++lock_wait_timeouts >= 2) break;
    // Exponential backoff with jitter so the deadlocked peers do not collide again.
    const int64_t base_us = std::chrono::microseconds(kFirstBackoff).count() << (attempt - 1);
    const int64_t sleep_us = base_us / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(base_us));
    std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
  }
  impl_->ObserveQuery(operation, start);
  return status;
}

bool ConnectionPool::Ping() {
  absl::Status status = Run("ping", [](Session& session) -> absl::Status {
    std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare("SELECT 1"));
    if (!rs->next()) return absl::InternalError("SELECT 1 returned no row");
    return absl::OkStatus();
  });
  return status.ok();
}

PoolStats ConnectionPool::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  PoolStats stats;
  stats.open = impl_->open;
  stats.idle = static_cast<int>(impl_->idle.size());
  stats.in_use = impl_->leased;
  return stats;
}

const DbConfig& ConnectionPool::config() const { return impl_->config; }

void ConnectionPool::TrackCommitPositions() { impl_->track_commit_positions.store(true); }

GtidPosition ConnectionPool::CommitPosition() const {
  absl::MutexLock lock(&impl_->positions_mu);
  return impl_->commit_position;
}

// ---- nullable helpers --------------------------------------------------------------

std::optional<std::string> GetOptionalString(sql::ResultSet& rs, const std::string& column) {
  if (rs.isNull(column)) return std::nullopt;
  return std::string(rs.getString(column));
}

std::optional<int64_t> GetOptionalInt64(sql::ResultSet& rs, const std::string& column) {
  if (rs.isNull(column)) return std::nullopt;
  return static_cast<int64_t>(rs.getInt64(column));
}

void SetOptionalString(sql::PreparedStatement& ps, int index, const std::optional<std::string>& value) {
  if (value) {
    ps.setString(index, *value);
  } else {
    ps.setNull(index, sql::DataType::VARCHAR);
  }
}

void SetOptionalInt64(sql::PreparedStatement& ps, int index, const std::optional<int64_t>& value) {
  if (value) {
    ps.setInt64(index, *value);
  } else {
    ps.setNull(index, sql::DataType::BIGINT);
  }
}

}  // namespace grassroots::common::db
