// grassroots-feed-bench: the change feed's write path and its push, against
// raw MariaDB in the same run (loopback only, bounded by --seconds per case).
//
// Write cases, each a closed loop on T client threads, each call one durable
// transaction that inserts one row:
//   raw: one-row insert transaction           the floor: INSERT + COMMIT
//   raw: insert + head-lock feed append       the feed protocol before the
//        sequencer, in raw SQL: the row, UPDATE feed_head (the global lock
//        held to COMMIT), the change_feed row numbered from it
//   feed: insert + RecordChange               the service path: the row, the
//        audit and change entries, COMMIT, then the sequencer's round
// Then write-to-consumer lag: W writers at full speed while a consumer
// follows StreamChanges (gRPC, loopback) on the writers' own pool, and
// another on a second pool standing for another replica (its streams wait on
// that pool's signal, so only its sweeper's look at the head wakes them).
// Lag = the consumer's receipt minus the moment the writer's transaction
// finished its work, just before COMMIT.
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "tests/bench/bench_support.h"
#include "tests/support/test_tokens.h"

namespace grassroots::bench {
namespace {

namespace feedpb = ::grassroots::feed::v1;

struct Options {
  RawServer server;
  std::string database = "bench_feed";
  double seconds = 5;
  std::string threads = "1,16";
  int lag_writers = 16;
  std::string results_json;
};

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

// A feed service on its own pool, standing for one replica.
struct Replica {
  std::unique_ptr<common::db::ConnectionPool> pool;
  std::unique_ptr<common::auth::Authorizer> authorizer;
  std::unique_ptr<common::feed::ChangeFeedServiceImpl> feed;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<feedpb::ChangeFeedService::Stub> stub;

  absl::Status Start(const common::DbConfig& config) {
    auto created = common::db::ConnectionPool::Create(config, nullptr);
    if (!created.ok()) return created.status();
    pool = *std::move(created);
    common::auth::MethodPolicy policy;
    common::feed::AllowFeedMethods(policy);
    authorizer = std::make_unique<common::auth::Authorizer>(testing::TestVerifier(), policy);
    feed = std::make_unique<common::feed::ChangeFeedServiceImpl>(*pool, *authorizer, nullptr);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(feed.get());
    server = builder.BuildAndStart();
    if (!server || port == 0) return absl::InternalError("feed server did not start");
    stub = feedpb::ChangeFeedService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    return absl::OkStatus();
  }
  void Stop() {
    if (feed) feed->StopStreams();
    if (server) server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }
};

// Follows a replica's feed from `after`, recording each change's lag from
// the time written in its payload.
class Consumer {
 public:
  Consumer(Replica& replica, int64_t after) {
    context_.AddMetadata("authorization", testing::MintToken({common::auth::Role::kService}, 1, std::nullopt,
                                                             absl::Hours(1)));
    thread_ = std::thread([this, &replica, after] {
      feedpb::StreamChangesRequest request;
      request.set_after_sequence(after);
      request.set_follow(true);
      auto reader = replica.stub->StreamChanges(&context_, request);
      feedpb::Change change;
      while (reader->Read(&change)) {
        const int64_t received = NowMicros();
        feedpb::FeedHead payload;
        if (!change.resource().UnpackTo(&payload)) continue;
        std::lock_guard<std::mutex> lock(mutex_);
        if (payload.last_sequence() > 0) lags_ms_.push_back(static_cast<double>(received - payload.last_sequence()) / 1000.0);
      }
      reader->Finish();
    });
  }
  std::vector<double> Stop() {
    context_.TryCancel();
    thread_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    return lags_ms_;
  }

 private:
  grpc::ClientContext context_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<double> lags_ms_;
};

class Bench {
 public:
  explicit Bench(Options options) : options_(std::move(options)), report_("feed") {}
  int Run();

 private:
  absl::Status Prepare();
  std::string RawInsert(sql::Connection& connection, bool with_head_lock, int64_t& counter);
  std::string FeedWrite(common::db::ConnectionPool& pool, bool stamp_time);

  Options options_;
  BenchReport report_;
  common::DbConfig config_;
  std::atomic<int64_t> next_thing_{1};
};

absl::Status Bench::Prepare() {
  try {
    std::unique_ptr<sql::Connection> admin = ConnectRaw(options_.server, "");
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute("DROP DATABASE IF EXISTS " + options_.database);
    statement->execute("CREATE DATABASE " + options_.database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  } catch (const sql::SQLException& e) {
    return absl::UnavailableError(absl::StrCat("create database: ", e.what()));
  }
  config_.host = options_.server.host;
  config_.port = options_.server.port;
  config_.user = options_.server.user;
  config_.password = options_.server.password;
  config_.database = options_.database;
  config_.pool_size = 40;
  auto pool = common::db::ConnectionPool::Create(config_, nullptr);
  if (!pool.ok()) return pool.status();
  if (absl::Status s = common::db::ApplyMigrations(**pool, {&common::db::CommonMigrations()}); !s.ok()) return s;
  return (*pool)->Run("bench.things", [](common::db::Session& session) -> absl::Status {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    statement->execute(
        "CREATE TABLE things (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, code VARCHAR(64) NOT NULL) ENGINE=InnoDB");
    // The previous protocol's outbox, for the raw head-lock case.
    statement->execute(
        "CREATE TABLE old_feed (sequence BIGINT NOT NULL PRIMARY KEY, resource_name VARCHAR(255) NOT NULL, "
        "commit_time DATETIME(6) NOT NULL, resource MEDIUMBLOB NOT NULL) ENGINE=InnoDB");
    statement->execute(
        "CREATE TABLE old_head (id TINYINT NOT NULL PRIMARY KEY, last_sequence BIGINT NOT NULL, "
        "last_commit_time DATETIME(6) NULL) ENGINE=InnoDB");
    statement->execute("INSERT INTO old_head VALUES (1, 0, NULL)");
    return absl::OkStatus();
  });
}

std::string Bench::RawInsert(sql::Connection& connection, bool with_head_lock, int64_t& counter) {
  try {
    connection.setAutoCommit(false);
    std::unique_ptr<sql::PreparedStatement> insert(connection.prepareStatement("INSERT INTO things (code) VALUES (?)"));
    insert->setString(1, absl::StrCat("raw-", ++counter));
    insert->executeUpdate();
    if (with_head_lock) {
      std::unique_ptr<sql::Statement> bump(connection.createStatement());
      bump->executeUpdate(
          "UPDATE old_head SET last_sequence = last_sequence + 1, last_commit_time = UTC_TIMESTAMP(6) WHERE id = 1");
      std::unique_ptr<sql::PreparedStatement> append(connection.prepareStatement(
          "INSERT INTO old_feed (sequence, resource_name, commit_time, resource) "
          "SELECT last_sequence, ?, last_commit_time, ? FROM old_head WHERE id = 1"));
      append->setString(1, absl::StrCat("things/", counter));
      append->setString(2, std::string(48, 'x'));
      append->executeUpdate();
    }
    connection.commit();
    return "";
  } catch (const sql::SQLException& e) {
    try {
      connection.rollback();
    } catch (const sql::SQLException&) {
    }
    return e.what();
  }
}

std::string Bench::FeedWrite(common::db::ConnectionPool& pool, bool stamp_time) {
  const int64_t thing = next_thing_.fetch_add(1);
  absl::Status written = pool.RunInTransaction("bench.write", [&](common::db::Session& session) -> absl::Status {
    sql::PreparedStatement& insert = session.Prepare("INSERT INTO things (code) VALUES (?)");
    insert.setString(1, absl::StrCat("feed-", thing));
    insert.executeUpdate();
    feedpb::FeedHead payload;  // a small message; its last_sequence carries the write's time
    payload.set_last_sequence(stamp_time ? NowMicros() : 0);
    payload.set_epoch(std::string(32, 'e'));
    return common::feed::RecordChange(session, {"bench", absl::StrCat("req-", thing)},
                                      {"thing", absl::StrCat("things/", thing), "created", &payload,
                                       nlohmann::json{{"thing", thing}}});
  });
  return written.ok() ? "" : written.ToString();
}

int Bench::Run() {
  if (absl::Status s = Prepare(); !s.ok()) {
    std::cerr << "prepare: " << s << std::endl;
    return 1;
  }
  Replica writer_replica;
  if (absl::Status s = writer_replica.Start(config_); !s.ok()) {
    std::cerr << "replica: " << s << std::endl;
    return 1;
  }
  for (int threads : ParseThreads(options_.threads)) {
    std::cout << "measuring with " << threads << " writer thread(s), " << options_.seconds << " s per case..."
              << std::endl;
    report_.Add(RunCase("raw: one-row insert transaction", threads, options_.seconds, [&](int) -> Call {
      auto connection = std::shared_ptr<sql::Connection>(ConnectRaw(options_.server, options_.database));
      auto counter = std::make_shared<int64_t>(0);
      return [this, connection, counter](std::mt19937_64&) { return RawInsert(*connection, false, *counter); };
    }));
    report_.Add(RunCase("raw: insert + head-lock feed append", threads, options_.seconds, [&](int) -> Call {
      auto connection = std::shared_ptr<sql::Connection>(ConnectRaw(options_.server, options_.database));
      auto counter = std::make_shared<int64_t>(0);
      return [this, connection, counter](std::mt19937_64&) { return RawInsert(*connection, true, *counter); };
    }));
    report_.Add(RunCase("feed: insert + RecordChange + round", threads, options_.seconds, [&](int) -> Call {
      return [this, &writer_replica](std::mt19937_64&) { return FeedWrite(*writer_replica.pool, false); };
    }));
  }
  report_.Pair("feed: insert + RecordChange + round", "raw: one-row insert transaction");
  report_.Pair("raw: insert + head-lock feed append", "raw: one-row insert transaction", "the protocol before");

  // Lag, with consumers on the writers' process and on another replica.
  Replica other_replica;
  if (absl::Status s = other_replica.Start(config_); !s.ok()) {
    std::cerr << "second replica: " << s << std::endl;
    return 1;
  }
  absl::StatusOr<int64_t> head = writer_replica.pool->Read<int64_t>("bench.head", [](common::db::Session& session) -> absl::StatusOr<int64_t> {
    auto rs = session.Query(session.Prepare("SELECT last_sequence FROM feed_head WHERE id = 1"));
    rs->next();
    return static_cast<int64_t>(rs->getInt64(1));
  });
  if (!head.ok()) {
    std::cerr << "head: " << head.status() << std::endl;
    return 1;
  }
  std::cout << "measuring write-to-consumer lag with " << options_.lag_writers << " writers, " << options_.seconds
            << " s..." << std::endl;
  Consumer same(writer_replica, *head);
  Consumer other(other_replica, *head);
  CaseResult writes = RunCase("feed: writes while followed", options_.lag_writers, options_.seconds, [&](int) -> Call {
    return [this, &writer_replica](std::mt19937_64&) { return FeedWrite(*writer_replica.pool, true); };
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last changes arrive
  CaseResult same_lag;
  same_lag.name = "lag: consumer on the writers' replica";
  SetPercentiles(same.Stop(), same_lag);
  CaseResult other_lag;
  other_lag.name = "lag: consumer on another replica";
  SetPercentiles(other.Stop(), other_lag);
  report_.Add(writes);
  report_.AddFigure("changes/s with consumers following", "changes/s", writes.qps(), 0);
  report_.AddFigure("write-to-consumer lag, same replica (changes seen)", "changes", static_cast<double>(same_lag.requests),
                    0, same_lag.p50_ms, same_lag.p99_ms);
  report_.AddFigure("write-to-consumer lag, other replica (changes seen)", "changes",
                    static_cast<double>(other_lag.requests), 0, other_lag.p50_ms, other_lag.p99_ms);
  other_replica.Stop();
  writer_replica.Stop();

  report_.Print(std::cout);
  if (!options_.results_json.empty()) {
    if (absl::Status s = report_.AppendJsonLines(options_.results_json); !s.ok()) std::cerr << s << std::endl;
  }
  try {
    std::unique_ptr<sql::Connection> admin = ConnectRaw(options_.server, "");
    std::unique_ptr<sql::Statement>(admin->createStatement())->execute("DROP DATABASE IF EXISTS " + options_.database);
  } catch (const sql::SQLException& e) {
    std::cerr << "drop: " << e.what() << std::endl;
  }
  return report_.errors() > 0 ? 2 : 0;
}

}  // namespace
}  // namespace grassroots::bench

int main(int argc, char** argv) {
  grassroots::bench::Options options;
  CLI::App app("Change-feed write path and push against the raw MariaDB baseline (loopback only).",
               "grassroots-feed-bench");
  app.add_option("--db-host", options.server.host)->envname("GRASSROOTS_TEST_DB_HOST")->capture_default_str();
  app.add_option("--db-port", options.server.port)->envname("GRASSROOTS_TEST_DB_PORT")->capture_default_str();
  app.add_option("--db-user", options.server.user)->envname("GRASSROOTS_TEST_DB_USER")->capture_default_str();
  app.add_option("--db-password", options.server.password)->envname("GRASSROOTS_TEST_DB_PASSWORD");
  app.add_option("--database", options.database, "created fresh, dropped at the end")->capture_default_str();
  app.add_option("--seconds", options.seconds, "measured duration of each case")->capture_default_str();
  app.add_option("--threads", options.threads, "writer thread counts, comma separated")->capture_default_str();
  app.add_option("--lag-writers", options.lag_writers, "writers during the lag measurement")->capture_default_str();
  app.add_option("--results-json", options.results_json, "append one JSON record per case to this file");
  CLI11_PARSE(app, argc, argv);
  return grassroots::bench::Bench(options).Run();
}
