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

class MembershipProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/grassroots-membership-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    absl::StatusOr<int> port = StartOwnMariadb(work_dir_ / "mariadb", work_dir_ / "mariadb.log");
    ASSERT_TRUE(port.ok()) << port.status();
    db_port_ = *port;
    const absl::Status created = CreateDatabases(db_port_, {kOrgDatabase, kMembershipDatabase});
    ASSERT_TRUE(created.ok()) << created;
    WriteServiceSecrets(work_dir_, "membership-system-test");
    org_.grpc_port = PickFreePort();
    ASSERT_GT(org_.grpc_port, 0);
  }

  void TearDown() override {
    for (ServiceProcess* process : {&membership_, &org_}) KillService(process, HasFailure());
    if (!work_dir_.empty()) {
      const absl::Status stopped = StopOwnMariadb(work_dir_ / "mariadb", work_dir_ / "mariadb.log");
      EXPECT_TRUE(stopped.ok()) << stopped;
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
  }

  absl::StatusOr<int64_t> MembershipQueryInt(const std::string& sql_text) {
    return QueryInt(db_port_, kMembershipDatabase, sql_text);
  }

  ServiceBase Base(const std::string& database) const {
    return {.db_port = db_port_,
            .database = database,
            .secrets_dir = work_dir_,
            .pool_size = 4,
            .drain_delay = kDrainDelay,
            .shutdown_grace = kShutdownGrace,
            .limit_caller_rate = true};
  }

  // Membership's settings; `drop` leaves out each of its own variables it names (a configuration error).
  std::vector<std::string> MembershipSettings(ServiceProcess* process, const std::vector<std::string>& drop = {}) const {
    std::vector<std::string> settings = ServiceSettings(Base(kMembershipDatabase), process);
    for (const std::string& setting : MembershipOwnSettings(work_dir_, org_.grpc_port, milliseconds(1000))) {
      bool dropped = false;
      for (const std::string& name : drop) dropped = dropped || absl::StartsWith(setting, name + "=");
      if (!dropped) settings.push_back(setting);
    }
    return settings;
  }

  void Start(ServiceProcess& process, const char* binary, const std::string& name,
             const std::vector<std::string>& settings) {
    const absl::Status started = StartService(binary, name, work_dir_, settings, &process);
    ASSERT_TRUE(started.ok()) << started;
  }

  void StartOrg() {
    ASSERT_NO_FATAL_FAILURE(Start(org_, GRASSROOTS_ORG_BINARY, "org", ServiceSettings(Base(kOrgDatabase), &org_)));
  }

  void StartMembership() {
    membership_.grpc_port = PickFreePort();
    ASSERT_GT(membership_.grpc_port, 0);
    ASSERT_NO_FATAL_FAILURE(
        Start(membership_, GRASSROOTS_MEMBERSHIP_BINARY, "membership", MembershipSettings(&membership_)));
  }

  // Polls Health/Check until it reports `wanted`; fails if the process exits.
  static void WaitForHealth(ServiceProcess& process, int wanted, milliseconds timeout) {
    const absl::Status reached = WaitForHealthStatus(&process.pid, process.channel, wanted, timeout);
    ASSERT_TRUE(reached.ok()) << process.stderr_path.filename() << ": " << reached;
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
    ServiceProcess process;
    process.grpc_port = PickFreePort();
    std::vector<std::string> settings = MembershipSettings(&process, drop);
    settings.insert(settings.end(), extra.begin(), extra.end());
    Start(process, GRASSROOTS_MEMBERSHIP_BINARY, absl::StrCat("misconfigured-", ++misconfigured_runs_), settings);
    std::optional<int> status = WaitForExit(process.pid, seconds(10));
    if (!status) {
      SignalChild(process.pid, SIGKILL);
      WaitForExit(process.pid, seconds(5));
    }
    return {status, ReadFile(process.stderr_path)};
  }

  std::filesystem::path work_dir_;
  int db_port_ = 0;
  ServiceProcess org_;
  ServiceProcess membership_;
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

  ASSERT_TRUE(SignalChild(membership_.pid, SIGTERM));
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
