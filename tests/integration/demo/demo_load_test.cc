// `grassroots-demo load` against the real org, membership and inspection services
// (in-process, real MariaDB): into an empty tree it loads the demo, its members, the facts
// the scorecard needs (heads with history, training for posts, a merged cell), party
// dues from January 2025 and its 2020-2025 inspection caseload; a second load changes
// nothing; a tree that holds anything but the demo is refused with nothing written.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/cli/cli_app.h"
#include "services/demo/demo_app.h"
#include "services/demo/demo_facts.h"
#include "services/demo/demo_inspection.h"
#include "services/demo/demo_members.h"
#include "services/demo/demo_plan.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::demo {
namespace {

namespace orgv1 = ::grassroots::org::v1;
namespace insp = ::grassroots::inspection::v1;

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

class DemoTestBase : public inspection::testing::InspectionFixture {
 protected:
  static std::string OrgTarget() { return absl::StrCat("127.0.0.1:", org_port()); }
  static RunResult Load(const std::string& token) {
    return RunProgram("grassroots-demo",
                      {"load", "--target", OrgTarget(), "--membership-target",
                       absl::StrCat("127.0.0.1:", membership_port()), "--inspection-target",
                       absl::StrCat("127.0.0.1:", inspection_port()), "--inspector-token", InspectorToken(), "--token",
                       token, "--parallel", "6", "--skip-meetings"},
                      RunDemo);
  }
  static RunResult Cli(std::vector<std::string> args) { return RunProgram("grassroots", std::move(args), cli::RunCli); }
  // Everything the services have written: a refused or repeated load leaves them unchanged.
  static std::tuple<int64_t, int64_t, int64_t> FeedHeads() {
    return {OrgDbInt("SELECT COALESCE(MAX(sequence), 0) FROM change_feed"),
            MemberDbInt("SELECT COALESCE(MAX(sequence), 0) FROM change_feed"),
            InspectionDbInt("SELECT COALESCE(MAX(sequence), 0) FROM change_feed")};
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
  static void SetUpTestSuite() { InspectionFixture::SetUpTestSuiteWithEmptyTree(); }

 protected:
  // Every page of a list call, gathered (`items` picks the repeated field of a response).
  template <typename Stub, typename Request, typename Response, typename Items>
  static auto AllPages(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                       Request request, Items items) {
    std::vector<std::decay_t<decltype(*items(Response()).begin())>> all;
    request.set_page_size(500);
    for (;;) {
      Response response;
      grpc::Status status = Call(stub, method, InspectorToken(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return all;
      for (const auto& item : items(response)) all.push_back(item);
      if (response.next_page_token().empty()) return all;
      request.set_page_token(response.next_page_token());
    }
  }

  static std::string Root() { return absl::StrCat("organizations/", RootId()); }

  // The caseload, read back through the inspection API, against the plan.
  static void CheckInspectionCaseload(const InspectionPlan& planned) {
    for (int year = kInspectionFirstYear; year <= kInspectionLastYear; ++year) {
      insp::ListProgramsRequest request;
      request.set_organization(Root());
      request.set_year(year);
      const auto on_file = AllPages(programs(), &insp::ProgramService::Stub::ListPrograms, request,
                                     [](const insp::ListProgramsResponse& r) { return r.programs(); });
      const auto expected = std::count_if(planned.programs.begin(), planned.programs.end(),
                                          [&](const PlannedProgram& p) { return p.year == year; });
      EXPECT_EQ(static_cast<int64_t>(on_file.size()), expected) << year;
      for (const insp::Program& program : on_file) {
        EXPECT_GE(program.items_size(), 2) << program.name();
        EXPECT_LE(program.items_size(), 6) << program.name();
      }
    }
    // S12 finds the organizations left without a plan.
    insp::ListOrganizationsWithoutProgramRequest without;
    without.set_organization(Root());
    without.set_year(2024);
    without.set_as_of_date("2024-12-31");
    const auto gaps = AllPages(programs(), &insp::ProgramService::Stub::ListOrganizationsWithoutProgram, without,
                               [](const insp::ListOrganizationsWithoutProgramResponse& r) { return r.organizations(); });
    std::set<std::string> expected_gaps;
    for (const auto& [code, year] : planned.without_program) {
      if (year == 2024) expected_gaps.insert(OrgNamed(code));
    }
    EXPECT_FALSE(expected_gaps.empty());
    EXPECT_EQ(std::set<std::string>(gaps.begin(), gaps.end()), expected_gaps);

    // Cases in every status, some carrying out a planned item.
    insp::ListCasesRequest list_cases;
    list_cases.set_organization(Root());
    const auto case_list = AllPages(cases(), &insp::CaseService::Stub::ListCases, list_cases,
                                [](const insp::ListCasesResponse& r) { return r.cases(); });
    EXPECT_EQ(case_list.size(), planned.cases.size());
    std::map<insp::CaseStatus, int> by_status, planned_by_status;
    for (const insp::Case& c : case_list) ++by_status[c.status()];
    for (const PlannedCase& c : planned.cases) ++planned_by_status[c.final_status];
    EXPECT_EQ(by_status, planned_by_status);
    for (auto status : {insp::CASE_STATUS_OPENED, insp::CASE_STATUS_IN_PROGRESS, insp::CASE_STATUS_CONCLUDED,
                        insp::CASE_STATUS_CLOSED, insp::CASE_STATUS_CANCELLED}) {
      EXPECT_GT(by_status[status], 0) << insp::CaseStatus_Name(status);
    }
    EXPECT_EQ(by_status[insp::CASE_STATUS_CANCELLED], 1);
    const auto finance = std::count_if(case_list.begin(), case_list.end(), [](const insp::Case& c) {
      return c.kind() == insp::CASE_KIND_FINANCE_INSPECTION && c.has_finance_findings();
    });
    EXPECT_EQ(finance, 2);
    const auto linked = std::count_if(case_list.begin(), case_list.end(), [](const insp::Case& c) { return !c.program_item().empty(); });
    EXPECT_EQ(linked, std::count_if(planned.cases.begin(), planned.cases.end(),
                                    [](const PlannedCase& c) { return c.program_item >= 0; }));
    EXPECT_GT(linked, 5);
    // Open recommendations past their deadline at the end of 2025.
    int64_t overdue = 0;
    for (const PlannedCase& c : planned.cases) {
      for (const PlannedRecommendation& r : c.recommendations) {
        overdue += r.outcome == insp::RECOMMENDATION_STATUS_OPEN && r.deadline < "2025-12-31" ? 1 : 0;
      }
    }
    insp::ListOverdueRecommendationsRequest overdue_request;
    overdue_request.set_organization(Root());
    overdue_request.set_as_of_date("2025-12-31");
    EXPECT_GT(overdue, 0);
    EXPECT_EQ(static_cast<int64_t>(AllPages(cases(), &insp::CaseService::Stub::ListOverdueRecommendations,
                                            overdue_request,
                                            [](const insp::ListOverdueRecommendationsResponse& r) { return r.items(); })
                                       .size()),
              overdue);

    // Discipline: reprimands and warnings, one expulsion (appealed, upheld) that ended the membership.
    insp::ListDisciplineDecisionsRequest list_decisions;
    list_decisions.set_organization(Root());
    const auto decisions = AllPages(discipline(), &insp::DisciplineService::Stub::ListDisciplineDecisions,
                                    list_decisions,
                                    [](const insp::ListDisciplineDecisionsResponse& r) { return r.decisions(); });
    EXPECT_EQ(decisions.size(), planned.decisions.size());
    std::map<insp::DisciplineForm, int> by_form;
    for (const insp::DisciplineDecision& d : decisions) ++by_form[d.form()];
    EXPECT_EQ(by_form[insp::DISCIPLINE_FORM_EXPULSION], 1);
    EXPECT_GE(by_form[insp::DISCIPLINE_FORM_REPRIMAND] + by_form[insp::DISCIPLINE_FORM_WARNING], 4);
    const auto expulsion = std::find_if(decisions.begin(), decisions.end(), [](const insp::DisciplineDecision& d) {
      return d.form() == insp::DISCIPLINE_FORM_EXPULSION;
    });
    ASSERT_NE(expulsion, decisions.end());
    EXPECT_EQ(expulsion->appeal_outcome(), insp::APPEAL_OUTCOME_UPHELD);
    EXPECT_EQ(expulsion->form_in_force(), insp::DISCIPLINE_FORM_EXPULSION);
    EXPECT_FALSE(expulsion->case_().empty());
    EXPECT_EQ(GetMember(expulsion->subject().member()).external_id(),
              planned.decisions[planned.expulsion].member.external_id);
    // The effect worker ends the membership (exactly once) shortly after the decision.
    membership::v1::MemberStatus status = membership::v1::MEMBER_STATUS_UNSPECIFIED;
    for (int i = 0; i < 300 && status != membership::v1::MEMBER_STATUS_EXPELLED; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      status = GetMember(expulsion->subject().member()).status();
    }
    EXPECT_EQ(status, membership::v1::MEMBER_STATUS_EXPELLED);
    EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_events WHERE kind = ",
                                       membership::v1::EVENT_KIND_EXPELLED)),
              1);

    // Petitions: feedback answered, one open near its deadline, a denunciation, an anonymous one closed.
    insp::ListPetitionsRequest list_petitions;
    list_petitions.set_organization(Root());
    const auto petition_list = AllPages(petitions(), &insp::PetitionService::Stub::ListPetitions, list_petitions,
                                    [](const insp::ListPetitionsResponse& r) { return r.petitions(); });
    EXPECT_EQ(petition_list.size(), planned.petitions.size());
    const auto anonymous = std::find_if(petition_list.begin(), petition_list.end(), [](const insp::Petition& p) { return p.anonymous(); });
    ASSERT_NE(anonymous, petition_list.end());
    EXPECT_EQ(anonymous->status(), insp::PETITION_STATUS_CLOSED);
    EXPECT_TRUE(anonymous->answer().empty());
    list_petitions.set_as_of_date("2025-12-31");
    list_petitions.set_due_within_days(20);
    const auto near = AllPages(petitions(), &insp::PetitionService::Stub::ListPetitions, list_petitions,
                               [](const insp::ListPetitionsResponse& r) { return r.petitions(); });
    ASSERT_EQ(near.size(), 1u);
    EXPECT_EQ(near[0].status(), insp::PETITION_STATUS_ASSIGNED);
    EXPECT_EQ(near[0].kind(), insp::PETITION_KIND_FEEDBACK);
  }
};

TEST_F(DemoLoadTest, LoadsTheDemoWithItsFactsOnceAndRefusesAStranger) {
  const Plan plan = BuildPlan();
  const PlanCounts counts = Count(plan);
  const MembersPlan members_plan = BuildMembersPlan(plan);
  const FactsPlan facts = BuildFactsPlan(plan, members_plan);
  const InspectionPlan inspection = BuildInspectionPlan(plan, members_plan, facts);
  // The demo root is the tree's first organization: the token's scope (RootId() == 1).
  const std::string token = AdminToken();

  RunResult loaded = Load(token);
  ASSERT_EQ(loaded.exit_code, 0) << loaded.out.substr(loaded.out.size() > 3000 ? loaded.out.size() - 3000 : 0)
                                 << loaded.err;
  EXPECT_NE(loaded.out.find("Done"), std::string::npos);
  EXPECT_NE(loaded.out.find("facts: "), std::string::npos) << loaded.out;
  EXPECT_NE(loaded.out.find("inspection: "), std::string::npos) << loaded.out;

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

  // Party dues from January 2025: the province's ledger opening and region,
  // bases, relief, monthly cell collections, and members behind in 2026.
  EXPECT_NE(loaded.out.find("dues: "), std::string::npos) << loaded.out;
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM dues_ledger_openings"), 1);
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM wage_regions"), 1);
  EXPECT_GT(MemberDbInt("SELECT COUNT(*) FROM dues_bases"), 0);
  EXPECT_GT(MemberDbInt("SELECT COUNT(*) FROM dues_reliefs"), 0);
  EXPECT_GT(MemberDbInt("SELECT COUNT(*) FROM dues_entries WHERE month = '2025-01-01'"), 1000);
  EXPECT_GT(MemberDbInt("SELECT COUNT(*) FROM dues_entries WHERE month = '2026-03-01'"), 1000);
  // Every cell and committee handed up its share for the months since July 2025, a few cells short.
  EXPECT_GT(MemberDbInt("SELECT COUNT(*) FROM dues_remittances WHERE month = '2026-03-01'"), 100);
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM dues_remittances WHERE month < '2025-07-01'"), 0);
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM dues_remittances WHERE to_org_id IS NULL AND month = '2026-03-01'"), 1)
      << "the root hands up to the central committee";
  grassroots::membership::v1::ListMemberAlertsRequest arrears_request;
  arrears_request.set_organization(absl::StrCat("organizations/", RootId()));
  arrears_request.add_kinds(grassroots::membership::v1::ALERT_KIND_DUES_ARREARS);
  arrears_request.set_as_of_date("2026-08-15");
  grassroots::membership::v1::ListMemberAlertsResponse arrears;
  const grpc::Status listed = Call(members(), &grassroots::membership::v1::MemberService::Stub::ListMemberAlerts,
                                  token, arrears_request, &arrears);
  ASSERT_TRUE(listed.ok()) << listed.error_code() << " " << listed.error_message();
  EXPECT_GT(arrears.alerts_size(), 0) << "a few members are three months behind in 2026";

  // The tree before the 2025 restructuring, through the CLI.
  RunResult tree = Cli({"org", "tree", "--root", absl::StrCat("organizations/", RootId()), "--as-of", "2024-12-31",
                        "--target", OrgTarget(), "--token", token});
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_NE(tree.out.find("Đảng bộ tỉnh Lâm Viên [DEMO-LV] DANG_BO_TINH ACTIVE"), std::string::npos);
  EXPECT_NE(tree.out.find("Chi bộ thôn 1 [DEMO-LV.BN.X01.C01] CHI_BO_TRUC_THUOC RESIDENTIAL"), std::string::npos);

  // The inspection caseload (waits for the expulsion's effect in membership).
  CheckInspectionCaseload(inspection);

  // A second load finds everything on file and writes nothing.
  SyncProjections();
  const auto heads = FeedHeads();
  RunResult again = Load(token);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already loaded"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("already recorded"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("inspection caseload is already loaded"), std::string::npos) << again.out;
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
