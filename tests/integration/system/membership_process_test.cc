// System tests of the real grassroots-membership binary, next to the real
// grassroots-org binary it follows: both run as subprocesses, configured only
// through GRASSROOTS_* environment variables, against a MariaDB server this
// test starts itself (one database each).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/server/service_host.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "tests/integration/system/process_support.h"
#include "tests/support/test_tokens.h"

namespace grassroots::system_test {
namespace {

namespace orgv1 = ::grassroots::org::v1;
namespace v1 = ::grassroots::membership::v1;
using Clock = std::chrono::steady_clock;
using common::auth::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOrgDatabase[] = "grassroots_org";
constexpr char kMembershipDatabase[] = "grassroots_membership";
constexpr milliseconds kDrainDelay{500};
constexpr milliseconds kShutdownGrace{2000};
constexpr milliseconds kHealthInterval{200};

// One running binary: its pid, ports, stderr and a channel to it.
struct Process {
  pid_t pid = -1;
  int grpc_port = 0;
  std::filesystem::path stderr_path;
  std::shared_ptr<grpc::Channel> channel;
};

class MembershipProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/grassroots-membership-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    std::string output;
    ASSERT_EQ(RunMariadbScript(work_dir_ / "mariadb.log", {"start", (work_dir_ / "mariadb").string()}, &output), 0)
        << output;
    db_port_ = std::atoi(ReadFile(work_dir_ / "mariadb" / "port").c_str());
    ASSERT_GT(db_port_, 0);
    const absl::Status created = CreateDatabases(db_port_, {kOrgDatabase, kMembershipDatabase});
    ASSERT_TRUE(created.ok()) << created;
    std::ofstream(work_dir_ / "page_token_secret") << "membership-system-test-page-token-secret\n";
    std::ofstream(work_dir_ / "citizen_id_key") << "membership-system-test-citizen-id-key\n";
    std::ofstream(work_dir_ / "sensitive_keyring") << "1 " << std::string(64, 'a') << "\ncurrent 1\n";
    org_.grpc_port = PickFreePort();
    ASSERT_GT(org_.grpc_port, 0);
  }

  void TearDown() override {
    for (Process* process : {&membership_, &org_}) {
      if (process->pid > 0) {
        ::kill(process->pid, SIGKILL);
        WaitForExit(process->pid, seconds(10));
      }
      if (HasFailure() && std::filesystem::exists(process->stderr_path)) {
        std::cerr << "---- " << process->stderr_path.filename() << " ----\n"
                  << ReadFile(process->stderr_path) << "----\n";
      }
    }
    if (!work_dir_.empty()) {
      std::string output;
      EXPECT_EQ(RunMariadbScript(work_dir_ / "mariadb.log", {"stop", (work_dir_ / "mariadb").string(), "--purge"},
                                 &output),
                0)
          << output;
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
  }

  absl::StatusOr<int64_t> MembershipQueryInt(const std::string& sql_text) {
    return QueryInt(db_port_, kMembershipDatabase, sql_text);
  }

  // The settings both services share; `database` is the service's own.
  std::vector<std::string> CommonSettings(const std::string& database, int grpc_port) const {
    return {
        "GRASSROOTS_DB_HOST=127.0.0.1",
        absl::StrCat("GRASSROOTS_DB_PORT=", db_port_),
        "GRASSROOTS_DB_USER=root",
        absl::StrCat("GRASSROOTS_DB_DATABASE=", database),
        "GRASSROOTS_DB_POOL_SIZE=4",
        absl::StrCat("GRASSROOTS_AUTH_PUBLIC_KEY_FILE=", grassroots::testing::TestKeys::Get().public_key_file()),
        absl::StrCat("GRASSROOTS_AUTH_ISSUER=", grassroots::testing::kTestIssuer),
        absl::StrCat("GRASSROOTS_PAGE_TOKEN_SECRET_FILE=", (work_dir_ / "page_token_secret").string()),
        absl::StrCat("GRASSROOTS_GRPC_ADDRESS=127.0.0.1:", grpc_port),
        absl::StrCat("GRASSROOTS_METRICS_ADDRESS=127.0.0.1:", PickFreePort()),
        absl::StrCat("GRASSROOTS_DRAIN_DELAY_MS=", kDrainDelay.count()),
        absl::StrCat("GRASSROOTS_SHUTDOWN_GRACE_MS=", kShutdownGrace.count()),
        absl::StrCat("GRASSROOTS_HEALTH_CHECK_INTERVAL_MS=", kHealthInterval.count()),
        absl::StrCat("GRASSROOTS_RULES_FILE=", GRASSROOTS_RULES_FILE),
        "GRASSROOTS_LOG_LEVEL=info",
    };
  }

  // Membership's own settings; `drop` leaves out each variable it names (a configuration error).
  std::vector<std::string> MembershipSettings(int grpc_port, const std::vector<std::string>& drop = {}) const {
    std::vector<std::string> settings = CommonSettings(kMembershipDatabase, grpc_port);
    const std::vector<std::string> own = {
        absl::StrCat("GRASSROOTS_ORG_TARGET=127.0.0.1:", org_.grpc_port),
        absl::StrCat("GRASSROOTS_SERVICE_SIGNING_KEY_FILE=", grassroots::testing::TestKeys::Get().private_key_file()),
        absl::StrCat("GRASSROOTS_CITIZEN_ID_LOOKUP_KEY_FILE=", (work_dir_ / "citizen_id_key").string()),
        absl::StrCat("GRASSROOTS_SENSITIVE_KEYRING_FILE=", (work_dir_ / "sensitive_keyring").string()),
        "GRASSROOTS_ORG_CALL_DEADLINE_MS=1000",
        absl::StrCat("GRASSROOTS_CALENDAR_FILE=", GRASSROOTS_CALENDAR_FILE),
        absl::StrCat("GRASSROOTS_CODES_DIR=", GRASSROOTS_CODES_DIR),
    };
    for (const std::string& setting : own) {
      bool dropped = false;
      for (const std::string& name : drop) dropped = dropped || absl::StartsWith(setting, name + "=");
      if (!dropped) settings.push_back(setting);
    }
    return settings;
  }

  void Start(Process& process, const char* binary, const std::string& name, const std::vector<std::string>& settings) {
    std::vector<std::string> env = InheritedEnvironment();
    env.insert(env.end(), settings.begin(), settings.end());
    process.stderr_path = work_dir_ / (name + ".stderr");
    process.pid = Spawn({binary}, env, (work_dir_ / (name + ".stdout")).string(), process.stderr_path.string());
    ASSERT_GT(process.pid, 0) << "cannot start " << binary;
    process.channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", process.grpc_port),
                                                grpc::InsecureChannelCredentials(), common::DefaultChannelArguments());
  }

  void StartOrg() {
    ASSERT_NO_FATAL_FAILURE(
        Start(org_, GRASSROOTS_ORG_BINARY, "org", CommonSettings(kOrgDatabase, org_.grpc_port)));
  }

  void StartMembership() {
    membership_.grpc_port = PickFreePort();
    ASSERT_GT(membership_.grpc_port, 0);
    ASSERT_NO_FATAL_FAILURE(Start(membership_, GRASSROOTS_MEMBERSHIP_BINARY, "membership",
                                  MembershipSettings(membership_.grpc_port)));
  }

  // Polls Health/Check until it reports `wanted`; fails if the process exits.
  void WaitForHealth(Process& process, int wanted, milliseconds timeout) {
    absl::StatusOr<int> last = absl::UnknownError("never asked");
    const bool reached = PollUntil(timeout, milliseconds(50), [&] {
      int status = 0;
      if (::waitpid(process.pid, &status, WNOHANG) == process.pid) {
        process.pid = -1;
        ADD_FAILURE() << process.stderr_path.filename() << ": exited, " << DescribeWaitStatus(status);
        return true;
      }
      last = HealthCheck(process.channel);
      return last.ok() && *last == wanted;
    });
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(reached) << process.stderr_path.filename() << ": health did not become " << wanted << " within "
                         << timeout.count() << " ms; last answer: "
                         << (last.ok() ? std::to_string(*last) : last.status().ToString());
  }

  static void Authorize(grpc::ClientContext& context, Role role, int64_t scope) {
    context.AddMetadata("authorization", grassroots::testing::MintToken({role}, scope, std::nullopt, absl::Hours(1)));
    context.set_deadline(std::chrono::system_clock::now() + seconds(5));
  }

  // The root organization (the tree is empty, so an administrator may create it); its id.
  int64_t CreateRoot() {
    orgv1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code("SYS-MEM-ROOT");
    request.mutable_organization()->set_display_name("Đảng bộ tỉnh Thử Nghiệm");
    request.mutable_organization()->set_type("DANG_BO_TINH");
    request.mutable_organization()->set_established_on("2000-01-01");
    grpc::ClientContext context;
    Authorize(context, Role::kAdmin, 1);
    orgv1::Organization created;
    const grpc::Status status =
        orgv1::OrganizationService::NewStub(org_.channel)->CreateOrganization(&context, request, &created);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return std::atoll(created.name().substr(created.name().rfind('/') + 1).c_str());
  }

  // Runs membership with `drop` left out of its settings; its exit status and stderr.
  std::pair<std::optional<int>, std::string> RunMisconfigured(const std::vector<std::string>& drop,
                                                              const std::vector<std::string>& extra = {}) {
    Process process;
    process.grpc_port = PickFreePort();
    std::vector<std::string> settings = MembershipSettings(process.grpc_port, drop);
    settings.insert(settings.end(), extra.begin(), extra.end());
    Start(process, GRASSROOTS_MEMBERSHIP_BINARY, absl::StrCat("misconfigured-", ++misconfigured_runs_), settings);
    std::optional<int> status = WaitForExit(process.pid, seconds(10));
    if (!status) {
      ::kill(process.pid, SIGKILL);
      WaitForExit(process.pid, seconds(5));
    }
    return {status, ReadFile(process.stderr_path)};
  }

  std::filesystem::path work_dir_;
  int db_port_ = 0;
  Process org_;
  Process membership_;
  int misconfigured_runs_ = 0;
};

// Membership answers health but stays NOT_SERVING while it cannot follow org's
// feed (org is not running yet); once org is up and the projection reached its
// feed head it serves, and a call that reads the projection works.
TEST_F(MembershipProcessTest, ServesOnlyOnceTheOrgProjectionCaughtUp) {
  ASSERT_NO_FATAL_FAILURE(StartMembership());
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(membership_, kNotServing, seconds(90)));
  // Still not ready a while later: readiness waits for the projection, not just the database.
  std::this_thread::sleep_for(seconds(2));
  absl::StatusOr<int> health = HealthCheck(membership_.channel);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, kNotServing);

  ASSERT_NO_FATAL_FAILURE(StartOrg());
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(org_, kServing, seconds(90)));
  const int64_t root = CreateRoot();
  ASSERT_GT(root, 0);
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(membership_, kServing, seconds(60)));
  ASSERT_TRUE(PollUntil(seconds(20), milliseconds(100), [&] {
    absl::StatusOr<int64_t> projected =
        MembershipQueryInt(absl::StrCat("SELECT COUNT(*) FROM org_projection WHERE org_id = ", root));
    return projected.ok() && *projected == 1;
  })) << "the root never reached membership's projection";

  v1::CountMembersRequest request;
  request.add_organizations(absl::StrCat("organizations/", root));
  request.set_include_subtree(true);
  v1::CountMembersResponse response;
  grpc::ClientContext context;
  Authorize(context, Role::kAdmin, root);
  const grpc::Status counted = v1::MemberService::NewStub(membership_.channel)->CountMembers(&context, request, &response);
  ASSERT_TRUE(counted.ok()) << counted.error_code() << " " << counted.error_message();
  ASSERT_EQ(response.counts_size(), 1);
  EXPECT_EQ(response.counts(0).total(), 0);
}

TEST_F(MembershipProcessTest, ExitsCleanlyOnSigterm) {
  ASSERT_NO_FATAL_FAILURE(StartOrg());
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(org_, kServing, seconds(90)));
  ASSERT_GT(CreateRoot(), 0);
  ASSERT_NO_FATAL_FAILURE(StartMembership());
  ASSERT_NO_FATAL_FAILURE(WaitForHealth(membership_, kServing, seconds(90)));

  ASSERT_EQ(::kill(membership_.pid, SIGTERM), 0);
  const milliseconds budget = kDrainDelay + kShutdownGrace + seconds(5);
  const std::optional<int> status = WaitForExit(membership_.pid, budget);
  ASSERT_TRUE(status.has_value()) << "membership did not exit within " << budget.count() << " ms of SIGTERM";
  membership_.pid = -1;
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << DescribeWaitStatus(*status);
}

TEST_F(MembershipProcessTest, ConfigurationErrorsExitTwoNamingTheOption) {
  struct Case {
    std::vector<std::string> drop;
    std::vector<std::string> extra;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"GRASSROOTS_SERVICE_SIGNING_KEY_FILE"}, {}, "--service-signing-key-file"},
      // A public key cannot sign.
      {{"GRASSROOTS_SERVICE_SIGNING_KEY_FILE"},
       {absl::StrCat("GRASSROOTS_SERVICE_SIGNING_KEY_FILE=", grassroots::testing::TestKeys::Get().public_key_file())},
       "--service-signing-key-file"},
      // Longer than the services called accept (--auth-max-service-token-lifetime-seconds, 3600 by default).
      {{}, {"GRASSROOTS_SERVICE_TOKEN_LIFETIME_SECONDS=7200"}, "--service-token-lifetime-seconds"},
      {{"GRASSROOTS_CITIZEN_ID_LOOKUP_KEY_FILE"}, {}, "--citizen-id-lookup-key"},
      {{"GRASSROOTS_CITIZEN_ID_LOOKUP_KEY_FILE"}, {"GRASSROOTS_CITIZEN_ID_LOOKUP_KEY=short"}, "--citizen-id-lookup-key"},
      {{"GRASSROOTS_CALENDAR_FILE"}, {"GRASSROOTS_CALENDAR_FILE=/nonexistent/calendar.json"}, "--calendar-file"},
      {{"GRASSROOTS_SENSITIVE_KEYRING_FILE"}, {}, "--sensitive-keyring-file"},
  };
  for (const Case& c : cases) {
    const auto [status, stderr_text] = RunMisconfigured(c.drop, c.extra);
    ASSERT_TRUE(status.has_value()) << c.named << ": still running";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << c.named << ": " << DescribeWaitStatus(*status);
    EXPECT_TRUE(absl::StrContains(stderr_text, c.named)) << c.named << " not named in: " << stderr_text;
  }
}

}  // namespace
}  // namespace grassroots::system_test
