// `grassroots-demo load` against the real org and membership services (in-process, real
// MariaDB): into an empty tree it loads the demo, its members and the facts the scorecard
// needs (heads with history, training for posts, a merged cell); a second load changes
// nothing; a tree that holds anything but the demo is refused with nothing written.
#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/cli/cli_app.h"
#include "services/demo/demo_app.h"
#include "services/demo/demo_facts.h"
#include "services/demo/demo_members.h"
#include "services/demo/demo_plan.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::demo {
namespace {

namespace orgv1 = ::grassroots::org::v1;

struct RunResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// No environment: everything a command needs is on its command line.
std::optional<std::string> NoEnv(absl::string_view) { return std::nullopt; }

template <typename Main>
RunResult RunProgram(const char* program, std::vector<std::string> args, Main main) {
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out, err;
  std::istringstream in;
  int code = main(static_cast<int>(argv.size()), argv.data(), out, err, in, cli::EnvLookup(NoEnv));
  return {code, out.str(), err.str()};
}

class DemoTestBase : public membership::testing::MembershipFixture {
 protected:
  static std::string OrgTarget() { return absl::StrCat("127.0.0.1:", org_port()); }
  static RunResult Load(const std::string& token) {
    return RunProgram("grassroots-demo",
                      {"load", "--target", OrgTarget(), "--membership-target",
                       absl::StrCat("127.0.0.1:", membership_port()), "--token", token, "--parallel", "6",
                       "--skip-meetings"},
                      RunDemo);
  }
  static RunResult Cli(std::vector<std::string> args) { return RunProgram("grassroots", std::move(args), cli::RunCli); }
  // Everything either service has written: a refused or repeated load leaves both unchanged.
  static std::pair<int64_t, int64_t> FeedHeads() {
    return {OrgDbInt("SELECT COALESCE(MAX(sequence), 0) FROM change_feed"),
            MemberDbInt("SELECT COALESCE(MAX(sequence), 0) FROM change_feed")};
  }
  static int64_t UnitId(const std::string& code) {
    return OrgDbInt(absl::StrCat("SELECT id FROM residential_units WHERE code = '", code, "'"));
  }
  static int64_t OrgNamedId(const std::string& code) {
    return OrgDbInt(absl::StrCat("SELECT id FROM organizations WHERE code = '", code, "'"));
  }
  static std::string OrgNamed(const std::string& code) { return absl::StrCat("organizations/", OrgNamedId(code)); }
  static int64_t DemoOrganizations() { return OrgDbInt("SELECT COUNT(*) FROM organizations WHERE code LIKE 'DEMO-LV%'"); }
};

// ---- a tree with real organizations: refused ------------------------------------------

class DemoRefusalTest : public DemoTestBase {};

TEST_F(DemoRefusalTest, ATreeWithOtherOrganizationsIsRefusedAndNothingIsWritten) {
  const auto before = FeedHeads();
  RunResult refused = Load(AdminToken());
  EXPECT_EQ(refused.exit_code, cli::kExitRpcError) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("refusing to load the demo"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(absl::StrCat("organizations/", RootId())), std::string::npos) << refused.err;
  EXPECT_EQ(DemoOrganizations(), 0);
  EXPECT_EQ(FeedHeads(), before);
}

// ---- an empty tree: the whole demo ---------------------------------------------------

class DemoLoadTest : public DemoTestBase {
 public:
  static void SetUpTestSuite() { SetUpTestSuiteWithEmptyTree(); }
};

TEST_F(DemoLoadTest, LoadsTheDemoWithItsFactsOnceAndRefusesAStranger) {
  const Plan plan = BuildPlan();
  const PlanCounts counts = Count(plan);
  const MembersPlan members_plan = BuildMembersPlan(plan);
  const FactsPlan facts = BuildFactsPlan(plan, members_plan);
  // The demo root is the tree's first organization: the token's scope (RootId() == 1).
  const std::string token = AdminToken();

  RunResult loaded = Load(token);
  ASSERT_EQ(loaded.exit_code, 0) << loaded.out.substr(loaded.out.size() > 3000 ? loaded.out.size() - 3000 : 0)
                                 << loaded.err;
  EXPECT_NE(loaded.out.find("Done"), std::string::npos);
  EXPECT_NE(loaded.out.find("facts: "), std::string::npos) << loaded.out;

  // The organizations, units and members, as before.
  const int64_t organizations = counts.organizations + static_cast<int64_t>(plan.new_organizations.size());
  EXPECT_EQ(DemoOrganizations(), organizations);
  EXPECT_EQ(OrgDbInt("SELECT id FROM organizations WHERE code = 'DEMO-LV'"), RootId());
  const int64_t military_cells = std::count_if(plan.organizations.begin(), plan.organizations.end(),
                                               [](const Org& org) { return org.commune_military_cell; });
  EXPECT_GT(military_cells, 0);
  EXPECT_EQ(OrgDbInt("SELECT COUNT(DISTINCT o.id) FROM organizations o JOIN organization_versions v "
                     "ON v.organization_id = o.id WHERE o.code LIKE 'DEMO-LV%' AND v.is_commune_military_cell"),
            military_cells);
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_units WHERE code LIKE 'DEMO-LV%'"), counts.units);
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_units u WHERE code LIKE 'DEMO-LV%' AND NOT EXISTS "
                     "(SELECT 1 FROM residential_unit_coverings c WHERE c.unit_id = u.id)"),
            counts.uncovered_units);
  EXPECT_EQ(CountRows("members"), static_cast<int64_t>(members_plan.members.size()));

  // Heads with history: every unit's founding heads, then the successions; a member head
  // is named by the member id membership confirmed, and no head is a member unconfirmed.
  const int64_t member_heads = std::count_if(facts.heads.begin(), facts.heads.end(),
                                             [](const HeadSuccession& h) { return !h.member_external_id.empty(); });
  EXPECT_GT(member_heads, 0);
  EXPECT_LT(member_heads, static_cast<int64_t>(facts.heads.size()));
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_unit_heads"),
            2 * counts.units + static_cast<int64_t>(facts.heads.size()));
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_unit_heads WHERE valid_to IS NOT NULL"),
            static_cast<int64_t>(facts.heads.size()));
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_unit_heads WHERE member_id IS NOT NULL"), member_heads);
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_unit_heads WHERE is_party_member AND member_id IS NULL"), 0);

  const auto member_head = std::find_if(facts.heads.begin(), facts.heads.end(),
                                        [](const HeadSuccession& h) { return !h.member_external_id.empty(); });
  ASSERT_NE(member_head, facts.heads.end());
  orgv1::ListUnitHeadsRequest list;
  list.set_unit(absl::StrCat("residentialUnits/", UnitId(member_head->unit_code)));
  list.set_post(static_cast<orgv1::UnitHeadPost>(member_head->post));
  orgv1::ListUnitHeadsResponse history;
  ASSERT_TRUE(Call(org_units(), &orgv1::ResidentialUnitService::Stub::ListUnitHeads, token, list, &history).ok());
  ASSERT_EQ(history.heads_size(), 2);
  EXPECT_FALSE(history.heads(0).is_party_member());
  EXPECT_EQ(history.heads(0).valid_to(), member_head->valid_from);
  EXPECT_EQ(history.heads(1).valid_from(), member_head->valid_from);
  EXPECT_TRUE(history.heads(1).is_party_member());
  EXPECT_EQ(GetMember(history.heads(1).member()).external_id(), member_head->member_external_id);

  // Training for posts: heads who are not members in org, members' posts in membership.
  int64_t org_trainings = 0, member_trainings = static_cast<int64_t>(facts.post_trainings.size());
  for (const HeadSuccession& head : facts.heads) {
    if (head.trained) ++(head.member_external_id.empty() ? org_trainings : member_trainings);
  }
  EXPECT_GT(org_trainings, 0);
  EXPECT_GT(facts.post_trainings.size(), 0u);
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM residential_unit_head_trainings"), org_trainings);
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM trainings WHERE kind = 'POST_TRAINING' AND post IS NOT NULL "
                        "AND term_starts_on IS NOT NULL"),
            member_trainings);
  EXPECT_GT(MemberDbInt("SELECT COUNT(*) FROM trainings WHERE post = 'CELL_SECRETARY'"), 0);

  // The merged cell: the source ended on the merge date and its event names the target;
  // the units it covered are covered by the target from that day.
  const std::string source = OrgNamed(facts.merge.source_code);
  const std::string target = OrgNamed(facts.merge.target_code);
  orgv1::GetOrganizationRequest get;
  get.set_name(source);
  get.set_as_of_date(kCellMergeDate);
  orgv1::Organization merged;
  ASSERT_TRUE(Call(orgs(), &orgv1::OrganizationService::Stub::GetOrganization, token, get, &merged).ok());
  EXPECT_EQ(merged.state(), orgv1::ORGANIZATION_STATE_MERGED);
  orgv1::ListOrganizationEventsRequest events_request;
  events_request.set_name(source);
  orgv1::ListOrganizationEventsResponse events;
  ASSERT_TRUE(
      Call(orgs(), &orgv1::OrganizationService::Stub::ListOrganizationEvents, token, events_request, &events).ok());
  const auto merge_event = std::find_if(events.events().begin(), events.events().end(), [](const orgv1::OrganizationEvent& e) {
    return e.kind() == orgv1::ORGANIZATION_EVENT_KIND_MERGED;
  });
  ASSERT_NE(merge_event, events.events().end());
  EXPECT_EQ(merge_event->effective_date(), kCellMergeDate);
  EXPECT_EQ(merge_event->decision().number(), facts.merge.decision.number);
  EXPECT_TRUE(std::count(merge_event->related().begin(), merge_event->related().end(), target) > 0 ||
              merge_event->member_successor() == target)
      << merge_event->DebugString();
  // Its members moved with it: membership's org-feed follower recorded MOVED_WITH_CELL
  // in the same transaction as the merge, so no counted member is left in the source.
  const int64_t source_id = OrgNamedId(facts.merge.source_code);
  WaitForProjection(source_id, orgv1::ORGANIZATION_STATE_MERGED);
  EXPECT_GT(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_events WHERE kind = ",
                                     grassroots::membership::v1::EVENT_KIND_MOVED_WITH_CELL)),
            0);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM members WHERE cell_id = ", source_id, " AND status IN (",
                                     grassroots::membership::v1::MEMBER_STATUS_PROBATIONARY, ", ",
                                     grassroots::membership::v1::MEMBER_STATUS_OFFICIAL, ")")),
            0);
  ASSERT_FALSE(facts.coverings.empty());
  for (const CoveringChange& change : facts.coverings) {
    orgv1::GetResidentialUnitRequest unit_request;
    unit_request.set_name(absl::StrCat("residentialUnits/", UnitId(change.unit_code)));
    unit_request.set_as_of_date(kCellMergeDate);
    orgv1::ResidentialUnit unit;
    ASSERT_TRUE(Call(org_units(), &orgv1::ResidentialUnitService::Stub::GetResidentialUnit, token, unit_request, &unit).ok());
    EXPECT_EQ(unit.covering_cell(), target) << change.unit_code;
  }

  // The tree before the 2025 restructuring, through the CLI.
  RunResult tree = Cli({"org", "tree", "--root", absl::StrCat("organizations/", RootId()), "--as-of", "2024-12-31",
                        "--target", OrgTarget(), "--token", token});
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_NE(tree.out.find("Đảng bộ tỉnh Lâm Viên [DEMO-LV] DANG_BO_TINH ACTIVE"), std::string::npos);
  EXPECT_NE(tree.out.find("Chi bộ thôn 1 [DEMO-LV.BN.X01.C01] CHI_BO_TRUC_THUOC RESIDENTIAL"), std::string::npos);

  // A second load finds everything on file and writes nothing.
  const auto heads = FeedHeads();
  RunResult again = Load(token);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already loaded"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("already recorded"), std::string::npos) << again.out;
  EXPECT_EQ(FeedHeads(), heads);
  EXPECT_EQ(DemoOrganizations(), organizations);

  // A stranger in the tree: the load refuses before writing anything.
  const int64_t stranger = CreateOrg("DANG_BO_HUYEN", RootId(), "Đảng bộ huyện Không Phải Demo");
  const auto with_stranger = FeedHeads();
  RunResult refused = Load(token);
  EXPECT_EQ(refused.exit_code, cli::kExitRpcError) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("refusing to load the demo"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(OrgName(stranger)), std::string::npos) << refused.err;
  EXPECT_EQ(FeedHeads(), with_stranger);
}

}  // namespace
}  // namespace grassroots::demo
