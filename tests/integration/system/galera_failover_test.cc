// System test: the real grassroots-org and grassroots-membership binaries
// write through a three-node Galera cluster (scripts/galera.sh) single-primary,
// reaching it through a TCP proxy that stands in for the Kubernetes Service or
// load balancer in front of the cluster. Client threads drive creates with
// real gRPC calls and record every acknowledged write; the primary node is
// killed -9 in the middle of them and the proxy moved to a surviving node (what
// a failover does); the killed node rejoins by IST; then a node that is not the
// primary is killed too, and at last the cluster loses its quorum (two of three
// dead) until the survivor is bootstrapped. What must hold:
//  - every acknowledged write is on every surviving node;
//  - the services reconnect without a restart: calls succeed again within a
//    bound, and the calls that fail meanwhile (without quorum too) fail UNAVAILABLE, ABORTED or
//    (a client deadline, outcome unknown) DEADLINE_EXCEEDED, never INTERNAL or
//    a wrong answer (a read of an acknowledged write never says NOT_FOUND);
//  - org's change feed stays dense (no gap, no duplicate), holds every
//    acknowledged write's change, and membership's follower applies each
//    change once and catches up with the head.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_tokens.h"

namespace grassroots::system_test {
namespace {

namespace orgv1 = ::grassroots::org::v1;
namespace feedpb = ::grassroots::feed::v1;
using Clock = std::chrono::steady_clock;
using common::auth::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOrgDatabase[] = "grassroots_org";
constexpr char kMembershipDatabase[] = "grassroots_membership";
constexpr int kNodes = 3;
constexpr int kWriters = 4;
// A create is retried with its request id until acknowledged, for at most this long.
constexpr milliseconds kWriteGiveUp{40000};
constexpr milliseconds kCallDeadline{5000};
// The failover's bound: from the proxy switch to the first acknowledged write after it.
constexpr milliseconds kReconnectBound{20000};

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What the client threads saw: every acknowledged create, and every failed
// attempt by code (with the first message of each code, for the report).
struct Outcomes {
  struct Acknowledged {
    std::string name;
    std::string request_id;
    Clock::time_point started;  // the attempt that was acknowledged
    Clock::time_point at;
    int attempts = 0;
  };
  std::mutex mu;
  std::vector<Acknowledged> acknowledged;
  std::map<grpc::StatusCode, int> failed_attempts;
  std::map<grpc::StatusCode, std::string> first_message;
  std::vector<std::string> wrong_answers;  // reads that contradicted an acknowledged write
  int writes_given_up = 0;
  int reads_ok = 0;

  void Fail(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mu);
    ++failed_attempts[status.error_code()];
    first_message.try_emplace(status.error_code(), status.error_message());
  }
  int FailedAttempts() {
    std::lock_guard<std::mutex> lock(mu);
    int total = 0;
    for (const auto& [code, count] : failed_attempts) total += count;
    return total;
  }
  size_t AcknowledgedCount() {
    std::lock_guard<std::mutex> lock(mu);
    return acknowledged.size();
  }
  size_t AcknowledgedSince(Clock::time_point since) {
    std::lock_guard<std::mutex> lock(mu);
    size_t count = 0;
    for (const Acknowledged& write : acknowledged) count += write.at >= since ? 1 : 0;
    return count;
  }
  // The first acknowledgement of a call started at or after `since` (calls in
  // flight before it may still end well: their commit was done).
  std::optional<Clock::time_point> FirstAcknowledgedAfter(Clock::time_point since) {
    std::lock_guard<std::mutex> lock(mu);
    std::optional<Clock::time_point> first;
    for (const Acknowledged& write : acknowledged) {
      if (write.started >= since && (!first || write.at < *first)) first = write.at;
    }
    return first;
  }
};

// Failures a client may see while the database fails over: the service could
// not reach it (UNAVAILABLE), a conflict to retry (ABORTED), or the client's
// own deadline passed while the cluster evicted a dead node (DEADLINE_EXCEEDED,
// outcome unknown: the retry with the same request id tells).
bool IsFailoverFailure(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::ABORTED ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

class GaleraFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_start_ = Clock::now();
    char pattern[] = "/tmp/grassroots-galera-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    // The nodes run as the mysql user when the test runs as root: it must reach its directory.
    ASSERT_EQ(::chmod(work_dir_.c_str(), 0755), 0) << std::strerror(errno);
    galera_dir_ = work_dir_ / "galera";
    std::string output;
    ASSERT_EQ(RunGaleraScript({"start", galera_dir_.string(), "--nodes", std::to_string(kNodes)}, &output), 0)
        << output;
    ASSERT_NO_FATAL_FAILURE(ReadNodePorts());
    std::cerr << "[galera] cluster of " << kNodes << " up after " << MillisSince(test_start_) << " ms\n";
    // DDL replicates to every node (total order isolation).
    const absl::Status created = CreateDatabases(node_ports_[1], {kOrgDatabase, kMembershipDatabase});
    ASSERT_TRUE(created.ok()) << created;
    WriteServiceSecrets(work_dir_, "galera-system-test");
    // The services see one address; behind it, the node that takes the writes.
    ASSERT_NO_FATAL_FAILURE(PointProxyAt(1));
  }

  void TearDown() override {
    StopClients();
    for (ServiceProcess* process : {&membership_, &org_}) KillService(process, HasFailure());
    if (proxy_) proxy_->Stop();
    if (!work_dir_.empty()) {
      if (HasFailure()) KeepLogs();
      std::string output;
      EXPECT_EQ(RunGaleraScript({"stop", galera_dir_.string(), "--purge"}, &output), 0) << output;
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
    std::cerr << "[galera] total " << MillisSince(test_start_) << " ms\n";
  }

  // On failure, the services' and the nodes' logs outlive the purge, for diagnosis.
  void KeepLogs() const {
    const std::filesystem::path kept = std::filesystem::path("/tmp") / ("kept-" + work_dir_.filename().string());
    std::error_code ignored;
    std::filesystem::create_directories(kept, ignored);
    for (const char* name : {"org.stderr", "membership.stderr"}) {
      std::filesystem::copy_file(work_dir_ / name, kept / name, ignored);
    }
    for (int node = 1; node <= kNodes; ++node) {
      std::filesystem::copy_file(galera_dir_ / absl::StrCat("node", node) / "mariadbd.log",
                                 kept / absl::StrCat("node", node, ".log"), ignored);
    }
    std::cerr << "[galera] logs kept in " << kept << "\n";
  }

  // The MariaDB port of each node (galera.sh moves a node whose port was taken while it started).
  void ReadNodePorts() {
    for (int node = 1; node <= kNodes; ++node) {
      node_ports_[node] = std::atoi(ReadFile(galera_dir_ / absl::StrCat("node", node) / "port").c_str());
      ASSERT_GT(node_ports_[node], 0) << "node " << node;
    }
  }

  // Runs scripts/galera.sh (it bounds its own waits; this is a backstop); its exit code.
  int RunGaleraScript(const std::vector<std::string>& args, std::string* output) {
    return RunScript(GRASSROOTS_GALERA_SCRIPT, work_dir_ / "galera-script.log", args, seconds(300), output);
  }

  // The load balancer now sends new connections to `node`; the connections it
  // forwarded before are cut (a dead node's are dead anyway).
  void PointProxyAt(int node) {
    if (proxy_) proxy_->Stop();
    proxy_ = std::make_unique<testing::TcpProxy>("127.0.0.1", node_ports_[node], proxy_port_);
    absl::Status started = proxy_->Start();
    // The port was just released; rebinding it is immediate with SO_REUSEADDR, retried in case.
    for (int attempt = 0; !started.ok() && attempt < 50; ++attempt) {
      std::this_thread::sleep_for(milliseconds(20));
      started = proxy_->Start();
    }
    ASSERT_TRUE(started.ok()) << started;
    proxy_port_ = proxy_->port();
  }

  pid_t NodePid(int node) const {
    return static_cast<pid_t>(std::atoi(ReadFile(galera_dir_ / absl::StrCat("node", node) / "pid").c_str()));
  }

  // kill -9, then waits until the node's port no longer answers (the process is gone).
  void KillNode(int node) {
    const pid_t pid = NodePid(node);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(SignalChild(pid, SIGKILL)) << std::strerror(errno);
    ASSERT_TRUE(PollUntil(seconds(10), milliseconds(20), [&] { return !NodeAnswers(node); }))
        << "node " << node << " still answers after kill -9";
  }

  bool NodeAnswers(int node) const {
    return QueryInt(node_ports_[node], "", "SELECT 1").ok();
  }

  absl::StatusOr<int64_t> NodeStatus(int node, const std::string& variable) const {
    return QueryInt(node_ports_[node], "",
                    absl::StrCat("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '",
                                 variable, "'"));
  }

  // Whether `node` is in a primary component (wsrep_cluster_status), false when it does not answer.
  bool NodeIsPrimary(int node) const {
    return QueryInt(node_ports_[node], "",
                    "SELECT VARIABLE_VALUE = 'Primary' FROM information_schema.GLOBAL_STATUS "
                    "WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATUS'")
               .value_or(0) == 1;
  }

  // A text scalar of a query on `node` ("" when it fails or finds no row).
  std::string QueryText(int node, const std::string& database, const std::string& sql_text) const {
    absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
        common::db::ConnectionPool::Create(RootDbConfig(node_ports_[node], database), nullptr);
    if (!pool.ok()) return "";
    absl::StatusOr<std::string> text =
        (*pool)->Read<std::string>("galera_test_query", [&](common::db::Session& session) -> absl::StatusOr<std::string> {
          std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare(sql_text));
          if (!rs->next() || rs->isNull(1)) return std::string();
          return std::string(rs->getString(1));
        });
    return text.value_or("");
  }

  // The acknowledged creates `node` does not hold, each described with when it
  // was made (relative to `reference`) and whether its code is there under another id.
  std::vector<std::string> MissingAcknowledgedWrites(int node, const std::vector<Outcomes::Acknowledged>& acknowledged,
                                                     Clock::time_point reference) const {
    std::vector<std::string> ids;
    for (const Outcomes::Acknowledged& write : acknowledged) ids.push_back(std::to_string(IdOf(write.name)));
    const std::string missing = QueryText(
        node, kOrgDatabase,
        absl::StrCat("SELECT CONCAT(',', GROUP_CONCAT(acknowledged.id), ',') FROM JSON_TABLE('[",
                     absl::StrJoin(ids, ","), "]', '$[*]' COLUMNS (id BIGINT PATH '$')) AS acknowledged ",
                     "WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = acknowledged.id)"));
    std::vector<std::string> described;
    for (const Outcomes::Acknowledged& write : acknowledged) {
      if (!absl::StrContains(missing, absl::StrCat(",", IdOf(write.name), ","))) continue;
      const std::string code = absl::StrCat("GALERA-", write.request_id.substr(std::string("galera-").size()));
      described.push_back(absl::StrCat(
          write.name, " (", write.request_id, ", attempt ", write.attempts, ") acknowledged but not on node ", node,
          "; the call started ", std::chrono::duration<double, std::milli>(write.started - reference).count(),
          " ms and ended ", std::chrono::duration<double, std::milli>(write.at - reference).count(),
          " ms after the primary was killed; its code is stored under id '",
          QueryText(node, kOrgDatabase, absl::StrCat("SELECT GROUP_CONCAT(id) FROM organizations WHERE code = '", code,
                                                     "'")),
          "'"));
    }
    return described;
  }

  // Runs one statement as root on `node`.
  absl::Status ExecuteOn(int node, const std::string& statement_text) const {
    absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
        common::db::ConnectionPool::Create(RootDbConfig(node_ports_[node], ""), nullptr);
    if (!pool.ok()) return pool.status();
    return (*pool)->Run("galera_test_statement", [&](common::db::Session& session) {
      std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
      statement->execute(statement_text);
      return absl::OkStatus();
    });
  }

  // Polls until `node` sees a primary component of `size` nodes.
  void WaitForClusterSize(int node, int64_t size, milliseconds timeout) {
    absl::StatusOr<int64_t> last = absl::UnknownError("never asked");
    const Clock::time_point start = Clock::now();
    ASSERT_TRUE(PollUntil(timeout, milliseconds(100), [&] {
      last = NodeStatus(node, "WSREP_CLUSTER_SIZE");
      return last.ok() && *last == size;
    })) << "node " << node << ": cluster size not " << size << " within " << timeout.count()
        << " ms; last: " << (last.ok() ? std::to_string(*last) : last.status().ToString());
    std::cerr << "[galera] node " << node << " sees a cluster of " << size << " after " << MillisSince(start)
              << " ms\n";
  }

  std::vector<std::string> Settings(const std::string& database, ServiceProcess& process) const {
    const ServiceBase base = {.db_port = proxy_port_,
                              .database = database,
                              .secrets_dir = work_dir_,
                              .pool_size = 8,
                              .drain_delay = milliseconds(200),
                              .shutdown_grace = milliseconds(2000),
                              // The test's client threads are one caller; the per-caller limit is not under test.
                              .limit_caller_rate = false};
    return ServiceSettings(base, &process);
  }

  void Start(ServiceProcess& process, const char* binary, const std::string& name,
             const std::vector<std::string>& settings) {
    const absl::Status started = StartService(binary, name, work_dir_, settings, &process);
    ASSERT_TRUE(started.ok()) << started;
  }

  void StartOrg() {
    org_.grpc_port = PickFreePort();
    ASSERT_NO_FATAL_FAILURE(Start(org_, GRASSROOTS_ORG_BINARY, "org", Settings(kOrgDatabase, org_)));
    orgs_ = orgv1::OrganizationService::NewStub(org_.channel);
    feed_ = feedpb::ChangeFeedService::NewStub(org_.channel);
  }

  void StartMembership() {
    membership_.grpc_port = PickFreePort();
    std::vector<std::string> settings = Settings(kMembershipDatabase, membership_);
    for (std::string& setting : MembershipOwnSettings(work_dir_, org_.grpc_port, milliseconds(2000))) {
      settings.push_back(std::move(setting));
    }
    ASSERT_NO_FATAL_FAILURE(Start(membership_, GRASSROOTS_MEMBERSHIP_BINARY, "membership", settings));
  }

  static void WaitForServing(ServiceProcess& process, milliseconds timeout) {
    const absl::Status serving = WaitForHealthStatus(&process.pid, process.channel, kServing, timeout);
    ASSERT_TRUE(serving.ok()) << process.stderr_path.filename() << ": " << serving;
  }

  static void Authorize(grpc::ClientContext& context, const std::string& bearer) {
    context.AddMetadata("authorization", bearer);
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  }

  static int64_t IdOf(const std::string& name) { return std::atoll(name.substr(name.rfind('/') + 1).c_str()); }

  std::string CreateRoot() {
    orgv1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code("GALERA-ROOT");
    request.mutable_organization()->set_display_name("Đảng bộ tỉnh Thử Nghiệm");
    request.mutable_organization()->set_type("DANG_BO_TINH");
    request.mutable_organization()->set_established_on("2000-01-01");
    grpc::ClientContext context;
    Authorize(context, testing::MintToken({Role::kAdmin}, 1));
    orgv1::Organization created;
    const grpc::Status status = orgs_->CreateOrganization(&context, request, &created);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return created.name();
  }

  // Creates children of the root, one after another, each retried with its
  // request id until acknowledged (a client that does not know whether its
  // write landed asks again under the same id).
  void Write(int writer) {
    const std::string bearer = testing::MintToken({Role::kAdmin}, IdOf(root_), std::nullopt, absl::Hours(1));
    for (int i = 0; !stop_writes_.load(); ++i) {
      orgv1::CreateOrganizationRequest request;
      request.set_request_id(absl::StrCat("galera-", writer, "-", i));
      request.mutable_organization()->set_code(absl::StrCat("GALERA-", writer, "-", i));
      request.mutable_organization()->set_display_name(absl::StrCat("Chi bộ ", writer, "-", i));
      request.mutable_organization()->set_type("DANG_BO_XA");
      request.mutable_organization()->set_parent(root_);
      request.mutable_organization()->set_established_on("2020-01-01");
      const Clock::time_point give_up = Clock::now() + kWriteGiveUp;
      for (int attempt = 1;; ++attempt) {
        grpc::ClientContext context;
        Authorize(context, bearer);
        orgv1::Organization created;
        const Clock::time_point started = Clock::now();
        const grpc::Status status = orgs_->CreateOrganization(&context, request, &created);
        if (status.ok()) {
          std::lock_guard<std::mutex> lock(outcomes_.mu);
          outcomes_.acknowledged.push_back({created.name(), request.request_id(), started, Clock::now(), attempt});
          break;
        }
        outcomes_.Fail(status);
        if (!IsFailoverFailure(status.error_code()) || Clock::now() >= give_up) {
          std::lock_guard<std::mutex> lock(outcomes_.mu);
          ++outcomes_.writes_given_up;
          break;
        }
        // The client's own pace between retries, not a wait for the test.
        std::this_thread::sleep_for(milliseconds(50));
      }
    }
  }

  // Reads back acknowledged creates: each must be found, with what was written.
  void Read() {
    const std::string bearer = testing::MintToken({Role::kAdmin}, IdOf(root_), std::nullopt, absl::Hours(1));
    std::mt19937 random(42);
    while (!stop_reads_.load()) {
      std::optional<Outcomes::Acknowledged> pick;
      {
        std::lock_guard<std::mutex> lock(outcomes_.mu);
        if (!outcomes_.acknowledged.empty()) {
          pick = outcomes_.acknowledged[random() % outcomes_.acknowledged.size()];
        }
      }
      if (!pick) {
        std::this_thread::sleep_for(milliseconds(20));
        continue;
      }
      grpc::ClientContext context;
      Authorize(context, bearer);
      orgv1::GetOrganizationRequest request;
      request.set_name(pick->name);
      orgv1::Organization read;
      const grpc::Status status = orgs_->GetOrganization(&context, request, &read);
      const std::string suffix = pick->request_id.substr(std::string("galera-").size());
      // The reader's pace: the point is to read during the failover, not to load the service.
      std::this_thread::sleep_for(milliseconds(10));
      if (status.ok()) {
        std::lock_guard<std::mutex> lock(outcomes_.mu);
        ++outcomes_.reads_ok;
        if (read.code() != absl::StrCat("GALERA-", suffix)) {
          outcomes_.wrong_answers.push_back(absl::StrCat(pick->name, " read back as code ", read.code()));
        }
      } else if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        std::lock_guard<std::mutex> lock(outcomes_.mu);
        outcomes_.wrong_answers.push_back(absl::StrCat(pick->name, " acknowledged but NOT_FOUND"));
      } else {
        outcomes_.Fail(status);
        std::this_thread::sleep_for(milliseconds(50));
      }
    }
  }

  void StartClients() {
    for (int writer = 0; writer < kWriters; ++writer) clients_.emplace_back([this, writer] { Write(writer); });
    clients_.emplace_back([this] { Read(); });
  }

  void StopClients() {
    stop_writes_ = true;
    stop_reads_ = true;
    for (std::thread& client : clients_) client.join();
    clients_.clear();
  }

  // Waits until `more` writes were acknowledged at or after `since`.
  void WaitForAcknowledged(size_t more, Clock::time_point since, milliseconds timeout, const std::string& phase) {
    ASSERT_TRUE(PollUntil(timeout, milliseconds(20), [&] { return outcomes_.AcknowledgedSince(since) >= more; }))
        << phase << ": only " << outcomes_.AcknowledgedSince(since) << " of " << more << " writes acknowledged within "
        << timeout.count() << " ms";
  }

  absl::StatusOr<int64_t> OrgQuery(int node, const std::string& sql_text) const {
    return QueryInt(node_ports_[node], kOrgDatabase, sql_text);
  }

  // The feed of org as a consumer reads it through the service: every change
  // from sequence 1, in order and once each.
  std::vector<feedpb::Change> ReadWholeFeed() {
    grpc::ClientContext context;
    context.AddMetadata("authorization", testing::MintToken({Role::kService}, 1));
    context.set_deadline(std::chrono::system_clock::now() + seconds(20));
    feedpb::StreamChangesRequest request;
    auto reader = feed_->StreamChanges(&context, request);
    std::vector<feedpb::Change> changes;
    feedpb::Change change;
    while (reader->Read(&change)) changes.push_back(change);
    const grpc::Status finished = reader->Finish();
    EXPECT_TRUE(finished.ok()) << finished.error_code() << " " << finished.error_message();
    return changes;
  }

  // The first sample of a metric line with the given labels in membership's metrics; nullopt when absent.
  std::optional<double> MembershipMetric(const std::string& name, const std::string& labels) {
    absl::StatusOr<std::string> text = HttpGet(membership_.metrics_port, "/metrics");
    if (!text.ok()) return std::nullopt;
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (!absl::StartsWith(line, absl::StrCat(name, "{")) || !absl::StrContains(line, labels)) continue;
      double value = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) return value;
    }
    return std::nullopt;
  }

  // MariaDB error numbers the services logged, with how often (the report).
  static std::map<int, int> LoggedDatabaseErrors(const std::filesystem::path& stderr_path) {
    std::map<int, int> errors;
    for (absl::string_view line : absl::StrSplit(ReadFile(stderr_path), '\n', absl::SkipEmpty())) {
      nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!json.is_object() || !json.contains("fields") || !json["fields"].is_object()) continue;
      const nlohmann::json& fields = json["fields"];
      if (fields.contains("mariadb_errno") && fields["mariadb_errno"].is_number_integer()) {
        ++errors[fields["mariadb_errno"].get<int>()];
      }
    }
    return errors;
  }

  Clock::time_point test_start_;
  std::filesystem::path work_dir_;
  std::filesystem::path galera_dir_;
  int node_ports_[kNodes + 1] = {};
  int proxy_port_ = 0;
  std::unique_ptr<testing::TcpProxy> proxy_;
  ServiceProcess org_;
  ServiceProcess membership_;
  std::unique_ptr<orgv1::OrganizationService::Stub> orgs_;
  std::unique_ptr<feedpb::ChangeFeedService::Stub> feed_;
  std::string root_;
  Outcomes outcomes_;
  std::atomic<bool> stop_writes_{false};
  std::atomic<bool> stop_reads_{false};
  std::vector<std::thread> clients_;
};

TEST_F(GaleraFailoverTest, AcknowledgedWritesAndTheFeedSurviveAPrimaryKilledMidWrite) {
  ASSERT_NO_FATAL_FAILURE(StartOrg());
  ASSERT_NO_FATAL_FAILURE(WaitForServing(org_, seconds(60)));
  root_ = CreateRoot();
  ASSERT_FALSE(root_.empty());
  ASSERT_NO_FATAL_FAILURE(StartMembership());
  ASSERT_NO_FATAL_FAILURE(WaitForServing(membership_, seconds(60)));
  std::cerr << "[galera] services serving after " << MillisSince(test_start_) << " ms\n";

  StartClients();
  ASSERT_NO_FATAL_FAILURE(WaitForAcknowledged(40, test_start_, seconds(30), "before the failover"));

  // The primary dies in the middle of writes; the load balancer moves to a survivor.
  const Clock::time_point killed = Clock::now();
  ASSERT_NO_FATAL_FAILURE(KillNode(1));
  ASSERT_NO_FATAL_FAILURE(PointProxyAt(2));
  const Clock::time_point switched = Clock::now();
  std::cerr << "[galera] primary (node 1) killed; proxy on node 2 after " << MillisSince(killed) << " ms\n";
  ASSERT_TRUE(PollUntil(kReconnectBound, milliseconds(10),
                        [&] { return outcomes_.FirstAcknowledgedAfter(switched).has_value(); }))
      << "no write started after the switch was acknowledged within " << kReconnectBound.count() << " ms";
  const std::optional<Clock::time_point> first_after = outcomes_.FirstAcknowledgedAfter(switched);
  const double reconnect_ms = std::chrono::duration<double, std::milli>(*first_after - switched).count();
  std::cerr << "[galera] first write acknowledged " << reconnect_ms << " ms after the switch\n";
  ASSERT_NO_FATAL_FAILURE(WaitForAcknowledged(40, switched, seconds(30), "after the failover"));
  ASSERT_NO_FATAL_FAILURE(WaitForClusterSize(2, 2, seconds(30)));

  // The killed node comes back while writes go on: it catches up by IST.
  const Clock::time_point rejoin = Clock::now();
  std::string output;
  ASSERT_EQ(RunGaleraScript({"start-node", galera_dir_.string(), "1"}, &output), 0) << output;
  ASSERT_NO_FATAL_FAILURE(ReadNodePorts());
  EXPECT_TRUE(absl::StrContains(ReadFile(galera_dir_ / "node1" / "mariadbd.log"), "IST received"))
      << "node 1 rejoined without an incremental state transfer";
  ASSERT_NO_FATAL_FAILURE(WaitForClusterSize(2, 3, seconds(30)));
  std::cerr << "[galera] node 1 rejoined after " << MillisSince(rejoin) << " ms\n";

  // A node that takes no writes dies: the cluster keeps its quorum and the writes go on.
  const Clock::time_point secondary_killed = Clock::now();
  ASSERT_NO_FATAL_FAILURE(KillNode(3));
  ASSERT_NO_FATAL_FAILURE(WaitForAcknowledged(30, secondary_killed, seconds(30), "after node 3 died"));
  ASSERT_NO_FATAL_FAILURE(WaitForClusterSize(2, 2, seconds(30)));

  // Quorum lost: node 1 dies too, and node 2, alone of the last primary component
  // of two, refuses every statement (MariaDB error 1047). The calls fail
  // UNAVAILABLE, until the operator bootstraps node 2 (the runbook's step), and
  // then the same processes write again.
  const Clock::time_point quorum_lost = Clock::now();
  const int failed_before = outcomes_.FailedAttempts();
  ASSERT_NO_FATAL_FAILURE(KillNode(1));
  ASSERT_TRUE(PollUntil(seconds(30), milliseconds(100), [&] { return !NodeIsPrimary(2); }))
      << "node 2 kept a primary component alone";
  std::cerr << "[galera] node 2 without quorum after " << MillisSince(quorum_lost) << " ms\n";
  ASSERT_TRUE(PollUntil(seconds(20), milliseconds(20), [&] { return outcomes_.FailedAttempts() > failed_before; }))
      << "no call failed while the database had no quorum";
  const absl::Status bootstrapped = ExecuteOn(2, "SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'");
  ASSERT_TRUE(bootstrapped.ok()) << bootstrapped;
  const Clock::time_point quorum_back = Clock::now();
  ASSERT_NO_FATAL_FAILURE(WaitForClusterSize(2, 1, seconds(20)));
  ASSERT_TRUE(PollUntil(kReconnectBound, milliseconds(10),
                        [&] { return outcomes_.FirstAcknowledgedAfter(quorum_back).has_value(); }))
      << "no write started after the bootstrap was acknowledged within " << kReconnectBound.count() << " ms";
  const double quorum_reconnect_ms =
      std::chrono::duration<double, std::milli>(*outcomes_.FirstAcknowledgedAfter(quorum_back) - quorum_back).count();
  std::cerr << "[galera] first write acknowledged " << quorum_reconnect_ms << " ms after the bootstrap\n";
  ASSERT_NO_FATAL_FAILURE(WaitForAcknowledged(20, quorum_back, seconds(30), "after the bootstrap"));
  StopClients();
  std::cerr << "[galera] clients stopped after " << MillisSince(test_start_) << " ms\n";
  // Node 1 rejoins the bootstrapped node by IST, so the writes are checked on two copies.
  ASSERT_EQ(RunGaleraScript({"start-node", galera_dir_.string(), "1"}, &output), 0) << output;
  ASSERT_NO_FATAL_FAILURE(ReadNodePorts());
  ASSERT_NO_FATAL_FAILURE(WaitForClusterSize(2, 2, seconds(30)));

  // ---- what the clients saw
  std::vector<Outcomes::Acknowledged> acknowledged;
  {
    std::lock_guard<std::mutex> lock(outcomes_.mu);
    acknowledged = outcomes_.acknowledged;
    std::cerr << "[galera] writes acknowledged: " << acknowledged.size()
              << ", reads ok: " << outcomes_.reads_ok << ", failed attempts:";
    for (const auto& [code, count] : outcomes_.failed_attempts) {
      std::cerr << " code " << code << " x" << count << " (\"" << outcomes_.first_message[code] << "\")";
    }
    std::cerr << "\n";
    for (const auto& [code, count] : outcomes_.failed_attempts) {
      EXPECT_TRUE(IsFailoverFailure(code)) << count << " calls failed with code " << code << ": "
                                           << outcomes_.first_message[code];
    }
    EXPECT_EQ(outcomes_.writes_given_up, 0) << "writes never acknowledged within " << kWriteGiveUp.count() << " ms";
    EXPECT_TRUE(outcomes_.wrong_answers.empty()) << absl::StrJoin(outcomes_.wrong_answers, "\n");
  }
  EXPECT_LT(reconnect_ms, static_cast<double>(kReconnectBound.count()));
  for (const ServiceProcess* process : {&org_, &membership_}) {
    std::cerr << "[galera] " << process->stderr_path.filename() << " logged MariaDB errors:";
    for (const auto& [code, count] : LoggedDatabaseErrors(process->stderr_path)) std::cerr << " " << code << " x" << count;
    std::cerr << "\n";
  }
  // Still the processes started at the beginning: they reconnected by themselves.
  for (ServiceProcess* process : {&org_, &membership_}) {
    int status = 0;
    EXPECT_EQ(::waitpid(process->pid, &status, WNOHANG), 0) << process->stderr_path.filename() << " exited";
  }

  // ---- every acknowledged write on every surviving node, once
  std::vector<std::string> names;
  for (const Outcomes::Acknowledged& write : acknowledged) names.push_back(write.name);
  const std::string in_list = absl::StrCat("('", absl::StrJoin(names, "','"), "')");
  std::vector<std::string> ids;
  for (const std::string& name : names) ids.push_back(std::to_string(IdOf(name)));
  const std::string id_list = absl::StrCat("(", absl::StrJoin(ids, ","), ")");
  // The org process's sweeper numbers whatever a round left behind in the failover.
  EXPECT_TRUE(PollUntil(seconds(20), milliseconds(50), [&] {
    return OrgQuery(2, "SELECT COUNT(*) FROM change_feed WHERE sequence IS NULL").value_or(-1) == 0 &&
           OrgQuery(2, "SELECT COUNT(*) FROM audit_log WHERE chain_position IS NULL").value_or(-1) == 0;
  })) << "changes left without a number: "
      << OrgQuery(2, "SELECT COUNT(*) FROM change_feed WHERE sequence IS NULL").value_or(-1);
  const int64_t head = OrgQuery(2, "SELECT last_sequence FROM feed_head WHERE id = 1").value_or(-1);
  for (int node : {1, 2}) {
    // Galera applies in order on every node; wait until the survivor has applied the head.
    EXPECT_TRUE(PollUntil(seconds(10), milliseconds(50), [&] {
      return OrgQuery(node, "SELECT last_sequence FROM feed_head WHERE id = 1").value_or(-1) == head;
    })) << "node " << node << " did not reach feed head " << head;
    for (const std::string& missing : MissingAcknowledgedWrites(node, acknowledged, killed)) ADD_FAILURE() << missing;
    EXPECT_EQ(OrgQuery(node, absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE action = 'created' AND "
                                          "resource_name IN ", in_list))
                  .value_or(-1),
              static_cast<int64_t>(names.size()))
        << "node " << node << ": every acknowledged create is on the feed, once";
    // No duplicate create behind a retried request id (codes are the writers' (writer, i)).
    EXPECT_EQ(OrgQuery(node, "SELECT COUNT(*) - COUNT(DISTINCT code) FROM organizations").value_or(-1), 0);
    // Committed and on the feed are the same set, acknowledged or not.
    EXPECT_EQ(OrgQuery(node, "SELECT COUNT(*) FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM change_feed c "
                             "WHERE c.resource_name = CONCAT('organizations/', o.id) AND c.action = 'created')")
                  .value_or(-1),
              0)
        << "node " << node;
    // Dense: 1..head, once each.
    EXPECT_EQ(OrgQuery(node, "SELECT COUNT(*) FROM change_feed").value_or(-1), head) << "node " << node;
    EXPECT_EQ(OrgQuery(node, "SELECT COUNT(DISTINCT sequence) FROM change_feed").value_or(-1), head)
        << "node " << node;
    EXPECT_EQ(OrgQuery(node, "SELECT MIN(sequence) FROM change_feed").value_or(-1), 1) << "node " << node;
    EXPECT_EQ(OrgQuery(node, "SELECT MAX(sequence) FROM change_feed").value_or(-1), head) << "node " << node;
  }
  // A consumer reading org's feed through the service gets 1..head in order.
  const std::vector<feedpb::Change> feed = ReadWholeFeed();
  ASSERT_EQ(static_cast<int64_t>(feed.size()), head);
  for (size_t i = 0; i < feed.size(); ++i) ASSERT_EQ(feed[i].sequence(), static_cast<int64_t>(i) + 1);

  // ---- membership followed the feed across the failover and caught up
  const std::string cursor_query = "SELECT last_sequence FROM feed_cursors WHERE source = 'org'";
  EXPECT_TRUE(PollUntil(seconds(30), milliseconds(100), [&] {
    return QueryInt(node_ports_[2], kMembershipDatabase, cursor_query).value_or(-1) == head;
  })) << "membership's cursor " << QueryInt(node_ports_[2], kMembershipDatabase, cursor_query).value_or(-1)
      << " never reached org's head " << head;
  const int64_t organization_changes =
      OrgQuery(2, "SELECT COUNT(*) FROM change_feed WHERE resource_type = 'organization'").value_or(-1);
  // Each organization in the projection carries the sequence of its one change: applied, and from that change.
  EXPECT_EQ(QueryInt(node_ports_[2], "",
                     "SELECT COUNT(*) FROM grassroots_membership.org_projection p JOIN grassroots_org.change_feed c "
                     "ON c.resource_name = CONCAT('organizations/', p.org_id) AND c.sequence = p.source_sequence")
                .value_or(-1),
            organization_changes);
  EXPECT_EQ(QueryInt(node_ports_[2], kMembershipDatabase,
                     absl::StrCat("SELECT COUNT(*) FROM org_projection WHERE org_id IN ", id_list))
                .value_or(-1),
            static_cast<int64_t>(names.size()));
  // Never applied twice: the follower counts what it applied (a commit whose
  // acknowledgement was lost is not counted, so at most one per change).
  const std::optional<double> applied = MembershipMetric("feed_consumer_changes_applied_total", "source=\"org\"");
  ASSERT_TRUE(applied.has_value());
  EXPECT_LE(*applied, static_cast<double>(organization_changes));
  std::cerr << "[galera] feed head " << head << ", organization changes " << organization_changes
            << ", membership applied " << *applied << "\n";
}

}  // namespace
}  // namespace grassroots::system_test
