// `grassroots demo load` against the real org service (in-process, real MariaDB),
// then `grassroots org tree` on what it loaded; a second load changes nothing.
#include <algorithm>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/demo/demo_app.h"
#include "services/demo/demo_plan.h"
#include "tests/integration/org/org_fixture.h"

namespace grassroots::demo {
namespace {

struct CliResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

class DemoLoadTest : public org::testing::OrgFixture {
 protected:
  static CliResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "grassroots-demo");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    std::ostringstream out, err;
    std::istringstream in;
    // No environment: everything the command needs is on its command line.
    cli::EnvLookup no_env = [](absl::string_view) { return std::optional<std::string>(); };
    int code = RunDemo(static_cast<int>(argv.size()), argv.data(), out, err, in, no_env);
    return {code, out.str(), err.str()};
  }
  static std::string Target() { return absl::StrCat("127.0.0.1:", port()); }
  static int64_t FeedHead() { return QueryInt("SELECT COALESCE(MAX(sequence), 0) FROM change_feed"); }
};

TEST_F(DemoLoadTest, LoadsTheDemoThroughTheApiAndASecondLoadIsANoOp) {
  const Plan plan = BuildPlan();
  const PlanCounts counts = Count(plan);

  // The suite's administrator (scoped to the fixture's root) may create another
  // root but not work inside it: the load stops and names the new root.
  CliResult first = Run({"load", "--target", Target(), "--token", AdminToken(), "--parallel", "6"});
  ASSERT_EQ(first.exit_code, 1) << first.out << first.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(first.err, match, std::regex("as organizations/([0-9]+)"))) << first.err;
  int64_t demo_root = 0;
  ASSERT_TRUE(absl::SimpleAtoi(match[1].str(), &demo_root));
  EXPECT_NE(first.err.find("--scope-org " + match[1].str()), std::string::npos) << first.err;

  // With a token for the demo root the load resumes and finishes.
  const std::string token = AdminToken(demo_root);
  CliResult second = Run({"load", "--target", Target(), "--token", token, "--parallel", "6"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("resuming"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("Done"), std::string::npos) << second.out;

  const int64_t organizations = counts.organizations + static_cast<int64_t>(plan.new_organizations.size());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations WHERE code LIKE 'DEMO-LV%'"), organizations);
  // The communes' military cells are recorded as such, not guessed from a sector.
  const int64_t military_cells = std::count_if(plan.organizations.begin(), plan.organizations.end(),
                                               [](const Org& org) { return org.commune_military_cell; });
  EXPECT_GT(military_cells, 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(DISTINCT o.id) FROM organizations o JOIN organization_versions v "
                     "ON v.organization_id = o.id WHERE o.code LIKE 'DEMO-LV%' AND v.is_commune_military_cell"),
            military_cells);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM residential_units WHERE code LIKE 'DEMO-LV%'"), counts.units);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM residential_units u WHERE code LIKE 'DEMO-LV%' AND NOT EXISTS "
                     "(SELECT 1 FROM residential_unit_coverings c WHERE c.unit_id = u.id)"),
            counts.uncovered_units);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM meetings m JOIN organizations o ON o.id = m.organization_id "
                     "WHERE o.code LIKE 'DEMO-LV%'"),
            static_cast<int64_t>(plan.meetings.size()));

  // Before the restructuring: the district with its communes and villages' cells.
  CliResult before = Run({"org", "tree", "--root", absl::StrCat("organizations/", demo_root), "--as-of",
                          "2024-12-31", "--target", Target(), "--token", token});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("Đảng bộ tỉnh Lâm Viên [DEMO-LV] DANG_BO_TINH ACTIVE"), std::string::npos) << before.out;
  EXPECT_NE(before.out.find("── Đảng bộ huyện Bảo Nguyên [DEMO-LV.BN] DANG_BO_HUYEN ACTIVE"), std::string::npos)
      << before.out.substr(0, 1500);
  EXPECT_NE(before.out.find("Đảng bộ xã Lộc Vĩnh [DEMO-LV.BN.X01] DANG_BO_CO_SO COMMUNE ACTIVE"), std::string::npos);
  EXPECT_NE(before.out.find("Chi bộ thôn 1 [DEMO-LV.BN.X01.C01] CHI_BO_TRUC_THUOC RESIDENTIAL"), std::string::npos);
  EXPECT_NE(before.out.find(absl::StrCat(counts.organizations, " organizations as of 2024-12-31")), std::string::npos)
      << before.out.substr(before.out.size() - 200);

  // After it: no district; four commune-level committees directly under the province.
  CliResult after = Run({"org", "tree", "--root", absl::StrCat("organizations/", demo_root), "--as-of", "2025-07-01",
                         "--depth", "1", "--target", Target(), "--token", token});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out.find("[DEMO-LV.BN]"), std::string::npos) << after.out;
  for (const Org& commune : plan.new_organizations) {
    EXPECT_NE(after.out.find(absl::StrCat(commune.display_name, " [", commune.code, "] DANG_BO_XA COMMUNE ACTIVE")),
              std::string::npos)
        << after.out;
  }
  EXPECT_NE(after.out.find("Chi bộ Trường THPT Bảo Nguyên [DEMO-LV.BN.G22]"), std::string::npos) << after.out;

  // A second load sees the finished demo and writes nothing.
  const int64_t head = FeedHead();
  CliResult again = Run({"load", "--target", Target(), "--token", token});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already loaded"), std::string::npos) << again.out;
  EXPECT_EQ(FeedHead(), head);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations WHERE code LIKE 'DEMO-LV%'"), organizations);
}

}  // namespace
}  // namespace grassroots::demo
