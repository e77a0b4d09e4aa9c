// System tests of the real grassroots-org binary: it runs as a subprocess,
// configured only through GRASSROOTS_* environment variables, against a MariaDB
// server this test starts itself (scripts/mariadb.sh) so the test can stop and
// restart that server without disturbing the shared test database.
//
// Every wait is a poll against a deadline; nothing sleeps blindly.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/server/service_host.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "tests/integration/system/process_support.h"
#include "tests/support/test_tokens.h"

namespace grassroots::system_test {
namespace {

namespace v1 = ::grassroots::org::v1;
namespace feedpb = ::grassroots::feed::v1;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOrgBinary[] = GRASSROOTS_ORG_BINARY;
constexpr char kRulesFile[] = GRASSROOTS_RULES_FILE;
constexpr char kDatabase[] = "grassroots_org";
// Where the migrations embedded in the binary come from (one V*.sql each).
constexpr const char* kMigrationDirs[] = {GRASSROOTS_COMMON_MIGRATIONS_DIR, GRASSROOTS_ORG_MIGRATIONS_DIR};

// Service timings: short so that every case stays within seconds.
constexpr milliseconds kDrainDelay{1500};
constexpr milliseconds kShutdownGrace{2000};
constexpr milliseconds kHealthInterval{200};

// Personal data the tests send; none of it may reach logs or metrics.
constexpr char kDisplayName[] = "Đảng bộ tỉnh Thử Nghiệm Quýtzx";
constexpr char kDisplayNameWord[] = "Quýtzx";
constexpr char kAddress[] = "Số 17 đường Trần Khát Chân Vrbmq";
constexpr char kPhone[] = "+84 913 572 468";
constexpr char kNote[] = "ghi chú riêng Hlqpw";

int64_t CountMigrationFiles() {
  int64_t count = 0;
  for (const char* dir : kMigrationDirs) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string file = entry.path().filename().string();
      if (absl::StartsWith(file, "V") && absl::EndsWith(file, ".sql")) ++count;
    }
  }
  return count;
}

// Lines of a Prometheus text exposition for one sample name (e.g.
// "grpc_server_handled_total") whose label set contains every given pair.
std::vector<std::string> Samples(const std::string& exposition, const std::string& name,
                                 const std::vector<std::string>& label_pairs = {}) {
  std::vector<std::string> found;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    if (!absl::StartsWith(line, name)) continue;
    const char after = line.size() > name.size() ? line[name.size()] : '\0';
    if (after != '{' && after != ' ') continue;  // a longer name with this prefix
    bool all = true;
    for (const std::string& pair : label_pairs) all = all && absl::StrContains(line, pair);
    if (all) found.emplace_back(line);
  }
  return found;
}

double SampleValue(const std::string& line) { return std::stod(line.substr(line.rfind(' ') + 1)); }

// Lines of the captured stderr, each parsed as JSON (nullopt if it does not parse).
struct LogLine {
  std::string text;
  std::optional<nlohmann::json> json;
};
std::vector<LogLine> ParseLogLines(const std::string& captured) {
  std::vector<LogLine> lines;
  for (absl::string_view line : absl::StrSplit(captured, '\n', absl::SkipEmpty())) {
    LogLine parsed{std::string(line), std::nullopt};
    nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!json.is_discarded()) parsed.json = std::move(json);
    lines.push_back(std::move(parsed));
  }
  return lines;
}

bool MentionsPersonalData(const std::string& text) {
  for (const char* marker : {kDisplayName, kDisplayNameWord, kAddress, kPhone, kNote}) {
    if (absl::StrContains(text, marker)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------

class OrgProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/grassroots-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    mariadb_dir_ = work_dir_ / "mariadb";
    stderr_path_ = work_dir_ / "org.stderr";

    ASSERT_NO_FATAL_FAILURE(StartMariaDb(std::nullopt));
    const absl::Status created = CreateDatabases(db_port_, {kDatabase});
    ASSERT_TRUE(created.ok()) << created;
    ASSERT_NO_FATAL_FAILURE(StartService());
    ASSERT_NO_FATAL_FAILURE(WaitForHealth(kServing, seconds(90)));
  }

  void TearDown() override {
    if (service_pid_ > 0) {
      SignalChild(service_pid_, SIGKILL);
      WaitForExit(service_pid_, seconds(10));
      service_pid_ = -1;
    }
    if (HasFailure() && std::filesystem::exists(stderr_path_)) {
      std::cerr << "---- org service stderr ----\n" << ReadFile(stderr_path_) << "----\n";
    }
    if (!work_dir_.empty()) {
      std::string output;
      const int rc = RunScript({"stop", mariadb_dir_.string(), "--purge"}, &output);
      EXPECT_EQ(rc, 0) << output;
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
  }

  // Runs scripts/mariadb.sh with args; returns its exit code (-1 if it could
  // not run) and its combined output in *output.
  int RunScript(const std::vector<std::string>& args, std::string* output) {
    return RunMariadbScript(work_dir_ / "mariadb-script.log", args, output);
  }

  void StartMariaDb(std::optional<int> port) {
    std::vector<std::string> args = {"start", mariadb_dir_.string()};
    if (port) args.insert(args.end(), {"--port", std::to_string(*port)});
    std::string output;
    const Clock::time_point start = Clock::now();
    const int rc = RunScript(args, &output);
    ASSERT_EQ(rc, 0) << "mariadb.sh start failed:\n" << output;
    const std::string port_text = ReadFile(mariadb_dir_ / "port");
    db_port_ = std::atoi(port_text.c_str());
    ASSERT_GT(db_port_, 0) << "no port file in " << mariadb_dir_;
    if (port) {
      ASSERT_EQ(db_port_, *port);
    }
    std::cerr << "[system] MariaDB on 127.0.0.1:" << db_port_ << " after "
              << std::chrono::duration_cast<milliseconds>(Clock::now() - start).count() << " ms\n";
  }

  void StopMariaDb() {
    std::string output;
    ASSERT_EQ(RunScript({"stop", mariadb_dir_.string()}, &output), 0) << output;
  }

  // A scalar query on the service's database through a connection of the test's own.
  absl::StatusOr<int64_t> QueryInt(const std::string& sql_text) {
    return system_test::QueryInt(db_port_, kDatabase, sql_text);
  }

  void StartService() {
    grpc_port_ = PickFreePort();
    metrics_port_ = PickFreePort();
    ASSERT_GT(grpc_port_, 0);
    ASSERT_GT(metrics_port_, 0);
    ASSERT_NE(grpc_port_, metrics_port_);

    // 32 random bytes, hex: the page-token HMAC key, passed as a file like a mounted secret.
    const std::filesystem::path secret_file = work_dir_ / "page_token_secret";
    {
      std::random_device random;
      std::ostringstream secret;
      for (int i = 0; i < 8; ++i) secret << std::hex << random();
      std::ofstream(secret_file) << secret.str() << "\n";
    }

    std::vector<std::string> env = InheritedEnvironment();
    const std::vector<std::string> settings = {
        "GRASSROOTS_DB_HOST=127.0.0.1",
        absl::StrCat("GRASSROOTS_DB_PORT=", db_port_),
        "GRASSROOTS_DB_USER=root",
        absl::StrCat("GRASSROOTS_DB_DATABASE=", kDatabase),
        "GRASSROOTS_DB_POOL_SIZE=4",
        "GRASSROOTS_DB_ACQUIRE_TIMEOUT_MS=1000",
        "GRASSROOTS_DB_CONNECT_TIMEOUT_SECONDS=2",
        "GRASSROOTS_DB_READ_TIMEOUT_SECONDS=5",
        "GRASSROOTS_DB_WRITE_TIMEOUT_SECONDS=5",
        absl::StrCat("GRASSROOTS_AUTH_PUBLIC_KEY_FILE=", testing::TestKeys::Get().public_key_file()),
        absl::StrCat("GRASSROOTS_AUTH_ISSUER=", testing::kTestIssuer),
        absl::StrCat("GRASSROOTS_PAGE_TOKEN_SECRET_FILE=", secret_file.string()),
        absl::StrCat("GRASSROOTS_GRPC_ADDRESS=127.0.0.1:", grpc_port_),
        absl::StrCat("GRASSROOTS_METRICS_ADDRESS=127.0.0.1:", metrics_port_),
        absl::StrCat("GRASSROOTS_DRAIN_DELAY_MS=", kDrainDelay.count()),
        absl::StrCat("GRASSROOTS_SHUTDOWN_GRACE_MS=", kShutdownGrace.count()),
        absl::StrCat("GRASSROOTS_HEALTH_CHECK_INTERVAL_MS=", kHealthInterval.count()),
        absl::StrCat("GRASSROOTS_RULES_FILE=", kRulesFile),
        "GRASSROOTS_LOG_LEVEL=info",
    };
    env.insert(env.end(), settings.begin(), settings.end());
    service_pid_ = Spawn({kOrgBinary}, env, (work_dir_ / "org.stdout").string(), stderr_path_.string());
    ASSERT_GT(service_pid_, 0) << "cannot start " << kOrgBinary;
    channel_ = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", grpc_port_), grpc::InsecureChannelCredentials(),
                                         common::DefaultChannelArguments());
    orgs_ = v1::OrganizationService::NewStub(channel_);
    feed_ = feedpb::ChangeFeedService::NewStub(channel_);
  }

  // Polls Health/Check until it reports `wanted`; fails (with the service's
  // stderr) if the process exits or the deadline passes.
  void WaitForHealth(int wanted, milliseconds timeout) {
    absl::StatusOr<int> last = absl::UnknownError("never asked");
    const Clock::time_point start = Clock::now();
    const bool reached = PollUntil(timeout, milliseconds(50), [&] {
      if (service_pid_ > 0) {
        int status = 0;
        if (::waitpid(service_pid_, &status, WNOHANG) == service_pid_) {
          service_pid_ = -1;
          ADD_FAILURE() << "the org service exited: " << DescribeWaitStatus(status);
          return true;
        }
      }
      last = HealthCheck(channel_);
      return last.ok() && *last == wanted;
    });
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(reached) << "health did not become " << wanted << " within " << timeout.count()
                         << " ms; last answer: " << (last.ok() ? std::to_string(*last) : last.status().ToString());
    ASSERT_GT(service_pid_, 0);
    std::cerr << "[system] health " << wanted << " after "
              << std::chrono::duration_cast<milliseconds>(Clock::now() - start).count() << " ms\n";
  }

  static void Authorize(grpc::ClientContext& context, const std::string& bearer, milliseconds deadline = seconds(5)) {
    context.AddMetadata("authorization", bearer);
    context.set_deadline(std::chrono::system_clock::now() + deadline);
  }

  // Creates the root organization (the tree is empty, so an administrator may
  // bootstrap it) carrying the personal-data markers.
  v1::Organization CreateRoot() {
    v1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code("SYS-ROOT");
    request.mutable_organization()->set_display_name(kDisplayName);
    request.mutable_organization()->set_type("DANG_BO_TINH");
    request.mutable_organization()->set_established_on("2000-01-01");
    request.mutable_organization()->set_address(kAddress);
    request.mutable_organization()->set_phone(kPhone);
    request.mutable_organization()->set_note(kNote);
    grpc::ClientContext context;
    Authorize(context, testing::MintToken({common::auth::Role::kAdmin}, 1));
    v1::Organization created;
    const grpc::Status status = orgs_->CreateOrganization(&context, request, &created);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return created;
  }

  grpc::Status GetOrganization(const std::string& name, int64_t scope_org, v1::Organization* out,
                               const std::string& request_id = "") {
    grpc::ClientContext context;
    Authorize(context, testing::MintToken({common::auth::Role::kAdmin}, scope_org));
    if (!request_id.empty()) context.AddMetadata("x-request-id", request_id);
    v1::GetOrganizationRequest request;
    request.set_name(name);
    return orgs_->GetOrganization(&context, request, out);
  }

  static int64_t IdOf(const std::string& name) {
    return std::atoll(name.substr(name.rfind('/') + 1).c_str());
  }

  std::filesystem::path work_dir_;
  std::filesystem::path mariadb_dir_;
  std::filesystem::path stderr_path_;
  int db_port_ = 0;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  pid_t service_pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OrganizationService::Stub> orgs_;
  std::unique_ptr<feedpb::ChangeFeedService::Stub> feed_;
};

// 1. Start-up applies the migrations, health turns SERVING and a write + read
//    round-trip works through the real binary.
TEST_F(OrgProcessTest, StartsMigratesServesAndRoundTrips) {
  absl::StatusOr<int64_t> migrations = QueryInt("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  EXPECT_EQ(*migrations, CountMigrationFiles()) << "every migration is recorded once";
  absl::StatusOr<int64_t> tables = QueryInt(
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
      "AND table_name IN ('organizations', 'feed_head', 'audit_log')");
  ASSERT_TRUE(tables.ok()) << tables.status();
  EXPECT_EQ(*tables, 3);

  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());
  EXPECT_EQ(created.display_name(), kDisplayName);

  v1::Organization fetched;
  const grpc::Status status = GetOrganization(created.name(), IdOf(created.name()), &fetched);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(fetched.name(), created.name());
  EXPECT_EQ(fetched.display_name(), kDisplayName);
  EXPECT_EQ(fetched.code(), "SYS-ROOT");
  EXPECT_EQ(fetched.etag(), created.etag());

  // The write went through the feed in the same transaction.
  absl::StatusOr<int64_t> sequence = QueryInt("SELECT last_sequence FROM feed_head WHERE id = 1");
  ASSERT_TRUE(sequence.ok()) << sequence.status();
  EXPECT_GE(*sequence, 1);
}

// 2. /metrics exposes gRPC, pool and feed metrics, and no personal data.
TEST_F(OrgProcessTest, MetricsEndpointExposesServiceMetricsWithoutPersonalData) {
  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());
  v1::Organization fetched;
  ASSERT_TRUE(GetOrganization(created.name(), IdOf(created.name()), &fetched).ok());
  {
    grpc::ClientContext context;
    Authorize(context, testing::MintToken({common::auth::Role::kService}, IdOf(created.name())));
    feedpb::FeedHead head;
    const grpc::Status status = feed_->GetFeedHead(&context, feedpb::GetFeedHeadRequest(), &head);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_GE(head.last_sequence(), 1);
  }

  absl::StatusOr<std::string> metrics = HttpGet(metrics_port_, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const std::string& text = *metrics;

  const std::vector<std::string> handled =
      Samples(text, "grpc_server_handled_total", {"grpc_method=\"GetOrganization\"", "grpc_code=\"OK\"",
                                                  "grpc_service=\"grassroots.org.v1.OrganizationService\"",
                                                  "grpc_type=\"unary\""});
  ASSERT_EQ(handled.size(), 1u) << text;
  EXPECT_GE(SampleValue(handled[0]), 1.0);
  EXPECT_FALSE(Samples(text, "grpc_server_handled_total", {"grpc_method=\"CreateOrganization\"",
                                                           "grpc_code=\"OK\""}).empty());
  EXPECT_FALSE(Samples(text, "grpc_server_started_total", {"grpc_method=\"GetOrganization\""}).empty());
  const std::vector<std::string> buckets =
      Samples(text, "grpc_server_handling_seconds_bucket", {"grpc_method=\"GetOrganization\"", "le=\"+Inf\""});
  ASSERT_EQ(buckets.size(), 1u) << text;
  EXPECT_GE(SampleValue(buckets[0]), 1.0);

  // The process's own figures (common/metrics/process_metrics.h), in the usual names.
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                           "process_start_time_seconds", "process_max_fds"}) {
    const std::vector<std::string> samples = Samples(text, name);
    ASSERT_EQ(samples.size(), 1u) << name << "\n" << text;
    EXPECT_GT(SampleValue(samples[0]), 0.0) << name;
  }
  EXPECT_GT(SampleValue(Samples(text, "process_resident_memory_bytes")[0]), 1e6) << "a service holds megabytes";

  // Pool metrics (common/db/db.cc).
  const std::vector<std::string> idle = Samples(text, "db_pool_connections", {"state=\"idle\""});
  const std::vector<std::string> in_use = Samples(text, "db_pool_connections", {"state=\"in_use\""});
  ASSERT_EQ(idle.size(), 1u) << text;
  ASSERT_EQ(in_use.size(), 1u) << text;
  EXPECT_GE(SampleValue(idle[0]) + SampleValue(in_use[0]), 1.0) << "the pool holds at least one connection";
  EXPECT_FALSE(Samples(text, "db_pool_acquire_seconds_bucket").empty()) << text;
  EXPECT_FALSE(Samples(text, "db_pool_acquire_seconds_count").empty()) << text;
  EXPECT_EQ(Samples(text, "db_pool_acquire_timeouts_total").size(), 1u) << text;
  EXPECT_FALSE(Samples(text, "db_query_duration_seconds_bucket", {"operation=\"ping\""}).empty()) << text;
  EXPECT_FALSE(Samples(text, "db_query_duration_seconds_count", {"operation=\"org.create\""}).empty()) << text;
  // db_errors_total has no series until an operation fails (prometheus-cpp
  // exposes no empty families); SurvivesADatabaseOutage checks it.

  // Feed metrics (common/feed/feed.cc).
  EXPECT_EQ(Samples(text, "feed_last_sequence").size(), 1u) << text;
  EXPECT_EQ(Samples(text, "feed_streams_active").size(), 1u) << text;
  EXPECT_EQ(Samples(text, "feed_changes_sent_total").size(), 1u) << text;
  const std::vector<std::string> last_sequence = Samples(text, "feed_last_sequence");
  if (!last_sequence.empty()) {
    EXPECT_GE(SampleValue(last_sequence[0]), 1.0) << "GetFeedHead saw sequence >= 1";
  }

  EXPECT_FALSE(MentionsPersonalData(text)) << "personal data in /metrics:\n" << text;
}

// 3. A database outage turns health NOT_SERVING and requests UNAVAILABLE
//    (promptly, not a hang); when the database returns on the same port the
//    service recovers by itself.
TEST_F(OrgProcessTest, SurvivesADatabaseOutage) {
  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());
  const int64_t root_id = IdOf(created.name());
  v1::Organization fetched;
  ASSERT_TRUE(GetOrganization(created.name(), root_id, &fetched).ok());

  const int port = db_port_;
  ASSERT_NO_FATAL_FAILURE(StopMariaDb());
  const Clock::time_point stopped = Clock::now();

  ASSERT_NO_FATAL_FAILURE(WaitForHealth(kNotServing, seconds(5)));
  // Liveness is not readiness: the process is fine, so it must not be restarted.
  absl::StatusOr<int> liveness = HealthCheck(channel_, common::kLivenessService);
  ASSERT_TRUE(liveness.ok()) << liveness.status();
  EXPECT_EQ(*liveness, kServing);

  for (int attempt = 0; attempt < 3; ++attempt) {
    const Clock::time_point asked = Clock::now();
    const grpc::Status status = GetOrganization(created.name(), root_id, &fetched);
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - asked);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << "attempt " << attempt << ": " << status.error_code() << " " << status.error_message();
    EXPECT_LT(took, seconds(4)) << "the failure should be prompt, not a near-timeout";
  }
  // The outage is visible in the metrics, by status code only.
  {
    absl::StatusOr<std::string> metrics = HttpGet(metrics_port_, "/metrics");
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    const std::vector<std::string> unavailable = Samples(
        *metrics, "grpc_server_handled_total", {"grpc_method=\"GetOrganization\"", "grpc_code=\"UNAVAILABLE\""});
    ASSERT_EQ(unavailable.size(), 1u) << *metrics;
    EXPECT_GE(SampleValue(unavailable[0]), 3.0);
    double db_unavailable = 0;
    for (const std::string& line : Samples(*metrics, "db_errors_total", {"code=\"UNAVAILABLE\""})) {
      db_unavailable += SampleValue(line);
    }
    EXPECT_GE(db_unavailable, 3.0) << *metrics;
    EXPECT_FALSE(MentionsPersonalData(*metrics));
  }
  std::cerr << "[system] outage handled "
            << std::chrono::duration_cast<milliseconds>(Clock::now() - stopped).count() << " ms after stop\n";

  ASSERT_NO_FATAL_FAILURE(StartMariaDb(port));
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(kServing, seconds(10)));

  // The pool may still hold a connection that died with the old server; a
  // request may fail once on it, but the service must recover on its own.
  int failures_after_recovery = 0;
  grpc::Status last;
  const bool recovered = PollUntil(seconds(10), milliseconds(100), [&] {
    last = GetOrganization(created.name(), root_id, &fetched);
    if (!last.ok()) ++failures_after_recovery;
    return last.ok();
  });
  ASSERT_TRUE(recovered) << "GetOrganization kept failing after the database returned: " << last.error_code()
                         << " " << last.error_message();
  EXPECT_EQ(fetched.display_name(), kDisplayName);
  std::cerr << "[system] requests failed after the database returned: " << failures_after_recovery << "\n";

  int status = 0;
  EXPECT_EQ(::waitpid(service_pid_, &status, WNOHANG), 0) << "the service was not restarted";
}

// 4a. stderr is JSON lines with ts/level/msg and no personal data.
TEST_F(OrgProcessTest, LogsAreJsonLinesWithoutPersonalData) {
  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());
  v1::Organization fetched;
  ASSERT_TRUE(GetOrganization(created.name(), IdOf(created.name()), &fetched, "test-req-123").ok());

  const std::vector<LogLine> lines = ParseLogLines(ReadFile(stderr_path_));
  ASSERT_FALSE(lines.empty());
  bool saw_grpc_started = false, saw_migration = false;
  for (const LogLine& line : lines) {
    ASSERT_TRUE(line.json.has_value()) << "not a JSON line: " << line.text;
    const nlohmann::json& json = *line.json;
    ASSERT_TRUE(json.is_object()) << line.text;
    ASSERT_TRUE(json.contains("ts") && json["ts"].is_string()) << line.text;
    ASSERT_TRUE(json.contains("level") && json["level"].is_string()) << line.text;
    ASSERT_TRUE(json.contains("msg") && json["msg"].is_string()) << line.text;
    const std::string level = json["level"];
    EXPECT_TRUE(level == "debug" || level == "info" || level == "warn" || level == "error") << line.text;
    EXPECT_EQ(json.value("service", ""), "org") << line.text;
    EXPECT_EQ(json["ts"].get<std::string>().size(), std::string("2025-01-01T00:00:00.000Z").size()) << line.text;
    // Re-serialised without \u escapes, so escaped personal data is caught too.
    const std::string plain = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_FALSE(MentionsPersonalData(line.text) || MentionsPersonalData(plain)) << "personal data: " << line.text;
    const std::string msg = json["msg"];
    saw_grpc_started = saw_grpc_started || msg == "gRPC server started";
    saw_migration = saw_migration || msg == "applied migration";
  }
  EXPECT_TRUE(saw_grpc_started);
  EXPECT_TRUE(saw_migration);

  // The service logs nothing per successful request (handlers log only
  // failures), so a request id can only be checked on a failing request:
  // see RequestScopedLogLinesCarryTheRequestId.
  for (const LogLine& line : lines) {
    if (line.json->contains("request_id")) {
      EXPECT_EQ((*line.json)["request_id"], "test-req-123") << line.text;
    }
  }
}

// 4b. Lines logged while serving a request carry the caller's x-request-id.
// Requests log only when they fail, so a database outage makes them log: the
// pool writes a "database error" line during the call.
TEST_F(OrgProcessTest, RequestScopedLogLinesCarryTheRequestId) {
  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());
  const int64_t root_id = IdOf(created.name());
  ASSERT_NO_FATAL_FAILURE(StopMariaDb());
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(kNotServing, seconds(5)));

  v1::Organization fetched;
  const grpc::Status org_status = GetOrganization(created.name(), root_id, &fetched, "test-req-123");
  EXPECT_EQ(org_status.error_code(), grpc::StatusCode::UNAVAILABLE) << org_status.error_message();
  {
    grpc::ClientContext context;
    Authorize(context, testing::MintToken({common::auth::Role::kService}, root_id));
    context.AddMetadata("x-request-id", "test-req-456");
    feedpb::FeedHead head;
    const grpc::Status feed_status = feed_->GetFeedHead(&context, feedpb::GetFeedHeadRequest(), &head);
    EXPECT_EQ(feed_status.error_code(), grpc::StatusCode::UNAVAILABLE) << feed_status.error_message();
  }

  const std::vector<LogLine> lines = ParseLogLines(ReadFile(stderr_path_));
  auto carries = [&lines](const std::string& request_id) {
    for (const LogLine& line : lines) {
      if (line.json && line.json->is_object() && line.json->value("request_id", "") == request_id) return true;
    }
    return false;
  };
  EXPECT_TRUE(carries("test-req-456")) << "ChangeFeedService.GetFeedHead: no log line carries its request id";
  EXPECT_TRUE(carries("test-req-123"))
      << "OrganizationService.GetOrganization: the \"database error\" line logged during the call does not carry "
         "the caller's x-request-id (no log::RequestIdScope around org handlers)";
  for (const LogLine& line : lines) EXPECT_FALSE(MentionsPersonalData(line.text)) << line.text;
}

// 5. SIGTERM: NOT_SERVING during the drain, then a clean exit with status 0.
TEST_F(OrgProcessTest, DrainsAndExitsCleanlyOnSigterm) {
  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());

  ASSERT_TRUE(SignalChild(service_pid_, SIGTERM));
  const Clock::time_point signalled = Clock::now();

  // During the drain the server still answers, but reports NOT_SERVING.
  absl::StatusOr<int> health = absl::UnknownError("never asked");
  const bool not_serving = PollUntil(kDrainDelay, milliseconds(25), [&] {
    health = HealthCheck(channel_);
    return health.ok() && *health == kNotServing;
  });
  EXPECT_TRUE(not_serving) << "health during the drain: "
                           << (health.ok() ? std::to_string(*health) : health.status().ToString());

  const milliseconds budget = kDrainDelay + kShutdownGrace + seconds(5);
  const std::optional<int> status = WaitForExit(service_pid_, budget);
  ASSERT_TRUE(status.has_value()) << "the service did not exit within " << budget.count() << " ms of SIGTERM";
  service_pid_ = -1;
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - signalled);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << DescribeWaitStatus(*status);
  EXPECT_GE(took, kDrainDelay) << "exited before the drain delay was over";
  std::cerr << "[system] exited " << took.count() << " ms after SIGTERM\n";

  bool saw_stopping = false;
  for (const LogLine& line : ParseLogLines(ReadFile(stderr_path_))) {
    ASSERT_TRUE(line.json.has_value()) << "not a JSON line: " << line.text;
    saw_stopping = saw_stopping || line.json->value("msg", "") == "gRPC server stopped";
  }
  EXPECT_TRUE(saw_stopping);
}

// 6b. A kill -9 in the middle of concurrent writes: every acknowledged create
//     is on the feed exactly once, every committed one too (the restarted
//     process numbers what the killed one committed but had not numbered),
//     the numbers are dense, and every audit entry is linked.
TEST_F(OrgProcessTest, AKillDuringWritesLosesNoCommittedChangeAndTheFeedStaysDense) {
  const v1::Organization root = CreateRoot();
  ASSERT_FALSE(root.name().empty());
  constexpr int kWriters = 6;
  std::atomic<bool> stop{false};
  std::vector<std::vector<std::string>> acknowledged(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        v1::CreateOrganizationRequest request;
        request.mutable_organization()->set_code(absl::StrCat("KILL-", w, "-", i));
        request.mutable_organization()->set_display_name(absl::StrCat("Chi bộ ", w, "-", i));
        request.mutable_organization()->set_type("DANG_BO_XA");
        request.mutable_organization()->set_parent(root.name());
        request.mutable_organization()->set_established_on("2020-01-01");
        grpc::ClientContext context;
        Authorize(context, testing::MintToken({common::auth::Role::kAdmin}, IdOf(root.name())), seconds(2));
        v1::Organization created;
        if (orgs_->CreateOrganization(&context, request, &created).ok()) {
          acknowledged[w].push_back(created.name());
        } else {
          std::this_thread::sleep_for(milliseconds(20));  // the service is gone; keep trying until told to stop
        }
      }
    });
  }
  // Kill once every writer has had a few creates acknowledged.
  ASSERT_TRUE(PollUntil(seconds(30), milliseconds(10), [&] { return QueryInt("SELECT COUNT(*) FROM organizations").value_or(0) > 60; }));
  ASSERT_TRUE(SignalChild(service_pid_, SIGKILL));
  WaitForExit(service_pid_, seconds(10));
  service_pid_ = -1;
  stop = true;
  for (std::thread& writer : writers) writer.join();

  ASSERT_NO_FATAL_FAILURE(StartService());
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(kServing, seconds(60)));
  // The restarted process's sweeper numbers what was committed but not numbered.
  EXPECT_TRUE(PollUntil(seconds(20), milliseconds(50), [&] {
    return QueryInt("SELECT COUNT(*) FROM change_feed WHERE sequence IS NULL").value_or(-1) == 0 &&
           QueryInt("SELECT COUNT(*) FROM audit_log WHERE chain_position IS NULL").value_or(-1) == 0;
  }));

  std::vector<std::string> names;
  for (const auto& own : acknowledged) names.insert(names.end(), own.begin(), own.end());
  ASSERT_FALSE(names.empty());
  const std::string in_list = absl::StrCat("('", absl::StrJoin(names, "','"), "')");
  EXPECT_EQ(QueryInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE action = 'created' AND resource_name IN ",
                                  in_list))
                .value_or(-1),
            static_cast<int64_t>(names.size()))
      << "every acknowledged create is on the feed exactly once";
  // Committed (acknowledged or not) and on the feed are the same set.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM change_feed c "
                     "WHERE c.resource_name = CONCAT('organizations/', o.id) AND c.action = 'created')")
                .value_or(-1),
            0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM change_feed c WHERE c.action = 'created' AND NOT EXISTS (SELECT 1 FROM "
                     "organizations o WHERE c.resource_name = CONCAT('organizations/', o.id))")
                .value_or(-1),
            0);
  // Dense: 1..N, once each.
  const int64_t rows = QueryInt("SELECT COUNT(*) FROM change_feed").value_or(-1);
  EXPECT_EQ(QueryInt("SELECT COUNT(DISTINCT sequence) FROM change_feed").value_or(-2), rows);
  EXPECT_EQ(QueryInt("SELECT MIN(sequence) FROM change_feed").value_or(-1), 1);
  EXPECT_EQ(QueryInt("SELECT MAX(sequence) FROM change_feed").value_or(-1), rows);
  EXPECT_EQ(QueryInt("SELECT last_sequence FROM feed_head").value_or(-1), rows);
  // A consumer reading from 0 gets them in order.
  grpc::ClientContext context;
  Authorize(context, testing::MintToken({common::auth::Role::kService}, 1), seconds(20));
  feedpb::StreamChangesRequest request;
  auto reader = feed_->StreamChanges(&context, request);
  feedpb::Change change;
  int64_t expected = 1;
  while (reader->Read(&change)) {
    ASSERT_EQ(change.sequence(), expected);
    ++expected;
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(expected - 1, rows);
}

TEST_F(OrgProcessTest, StartsWhileTheDatabaseIsDownAndComesUpWhenItArrives) {
  const v1::Organization created = CreateRoot();
  ASSERT_FALSE(created.name().empty());
  ASSERT_TRUE(SignalChild(service_pid_, SIGTERM));
  ASSERT_TRUE(WaitForExit(service_pid_, kDrainDelay + kShutdownGrace + seconds(5)).has_value());
  service_pid_ = -1;

  const int port = db_port_;
  ASSERT_NO_FATAL_FAILURE(StopMariaDb());
  ASSERT_NO_FATAL_FAILURE(StartService());
  // It waits for the database instead of exiting, and does not listen yet.
  std::this_thread::sleep_for(seconds(2));
  int status = 0;
  ASSERT_EQ(::waitpid(service_pid_, &status, WNOHANG), 0) << "exited: " << DescribeWaitStatus(status);
  EXPECT_FALSE(HealthCheck(channel_).ok()) << "listening before its database answered";

  ASSERT_NO_FATAL_FAILURE(StartMariaDb(port));
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(kServing, seconds(30)));
  v1::Organization fetched;
  const grpc::Status got = GetOrganization(created.name(), IdOf(created.name()), &fetched);
  EXPECT_TRUE(got.ok()) << got.error_code() << " " << got.error_message();
  EXPECT_EQ(fetched.name(), created.name());
}

TEST_F(OrgProcessTest, SigtermWhileWaitingForTheDatabaseExitsCleanly) {
  ASSERT_TRUE(SignalChild(service_pid_, SIGTERM));
  ASSERT_TRUE(WaitForExit(service_pid_, kDrainDelay + kShutdownGrace + seconds(5)).has_value());
  service_pid_ = -1;
  ASSERT_NO_FATAL_FAILURE(StopMariaDb());
  ASSERT_NO_FATAL_FAILURE(StartService());
  std::this_thread::sleep_for(seconds(1));
  ASSERT_TRUE(SignalChild(service_pid_, SIGTERM));
  // The start-up wait backs off by at most 5 s but wakes at once for the signal.
  const std::optional<int> status = WaitForExit(service_pid_, seconds(3));
  ASSERT_TRUE(status.has_value()) << "still waiting for the database after SIGTERM";
  service_pid_ = -1;
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << DescribeWaitStatus(*status);
}

}  // namespace
}  // namespace grassroots::system_test
