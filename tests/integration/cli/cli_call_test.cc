// The `grassroots` CLI against the real org service (in-process, real MariaDB): the
// generic call, error details and the change feed.
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/cli/cli_app.h"
#include "services/cli/commands.h"
#include "tests/integration/org/org_fixture.h"

namespace grassroots::cli {
namespace {

struct CliResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

class CliCallTest : public org::testing::OrgFixture {
 protected:
  static CliResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "grassroots");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    std::ostringstream out, err;
    std::istringstream in;
    // No environment: everything the command needs is on its command line.
    EnvLookup no_env = [](absl::string_view) { return std::optional<std::string>(); };
    int code = RunCli(static_cast<int>(argv.size()), argv.data(), out, err, in, no_env);
    return {code, out.str(), err.str()};
  }
  static std::string Target() { return absl::StrCat("127.0.0.1:", port()); }
};

TEST_F(CliCallTest, GenericCallPrintsJsonTablesAndErrorDetails) {
  CliResult shown = Run({"call", "OrganizationService.GetOrganization",
                         absl::StrCat(R"({"name": ")", RootName(), R"("})"), "--target", Target(), "--token",
                         AdminToken()});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find(absl::StrCat(R"("name": ")", RootName(), R"(")")), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(R"("type": "DANG_BO_TINH")"), std::string::npos) << shown.out;

  CliResult types = Run({"call", "OrganizationService.ListOrganizationTypes", "{}", "--output", "table", "--target",
                         Target(), "--token", AdminToken()});
  ASSERT_EQ(types.exit_code, 0) << types.err;
  EXPECT_NE(types.out.find("CODE"), std::string::npos) << types.out;
  EXPECT_NE(types.out.find("CHI_BO_TRUC_THUOC"), std::string::npos) << types.out;

  // The server's field violation reaches stderr, with a non-zero exit code.
  CliResult invalid = Run({"call", "OrganizationService.CreateOrganization",
                           R"({"organization": {"display_name": "x", "type": "CHI_BO_CO_SO"}})", "--target", Target(),
                           "--token", AdminToken()});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_NE(invalid.err.find("INVALID_ARGUMENT"), std::string::npos) << invalid.err;
  EXPECT_NE(invalid.err.find("field organization."), std::string::npos) << invalid.err;

  CliResult unauthenticated = Run({"org", "show", RootName(), "--target", Target()});
  EXPECT_EQ(unauthenticated.exit_code, 1);
  EXPECT_NE(unauthenticated.err.find("UNAUTHENTICATED"), std::string::npos) << unauthenticated.err;

  // The change feed: `feed tail`, and the same stream through the generic call (one JSON line per change).
  CliResult feed = Run({"feed", "tail", "--after", "0", "--target", Target(), "--token", ServiceToken()});
  ASSERT_EQ(feed.exit_code, 0) << feed.err;
  EXPECT_NE(feed.out.find("organization  created  " + RootName()), std::string::npos) << feed.out.substr(0, 500);
  CliResult streamed = Run({"call", "ChangeFeedService.StreamChanges", R"({"after_sequence": 0, "batch_size": 10})",
                            "--target", Target(), "--token", ServiceToken()});
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_EQ(streamed.out.rfind(R"({"sequence":"1",)", 0), 0u) << streamed.out.substr(0, 300);
  EXPECT_NE(streamed.out.find(R"("resource_name":")" + RootName() + R"(")"), std::string::npos);
}

// The demo generator is a program of its own; the CLI only says where it went.
TEST_F(CliCallTest, DemoLoadPointsToTheDemoProgram) {
  CliResult moved = Run({"demo", "load", "--target", Target(), "--token", AdminToken()});
  EXPECT_EQ(moved.exit_code, kExitUsage);
  EXPECT_NE(moved.err.find("grassroots-demo load"), std::string::npos) << moved.err;
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations WHERE code LIKE 'DEMO-LV%'"), 0);
}

}  // namespace
}  // namespace grassroots::cli
