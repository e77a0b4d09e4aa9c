// The scorecard end to end: facts written through the org, membership and
// inspection APIs, carried by their change feeds into reporting's read model,
// and read back through ScorecardService. Every expected figure is computed
// by hand in the comments from the facts the test writes (DESIGN.md, "The
// Resolution-21 scorecard" and "Scorecard semantics").
#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <vector>

#include "tests/integration/reporting/reporting_fixture.h"

namespace grassroots::reporting::testing {
namespace {

namespace mv1 = ::grassroots::membership::v1;
namespace insp = ::grassroots::inspection::v1;
using membership::testing::Branch;

class ScorecardTest : public ReportingFixture {
 protected:
  // Cells have no inspection commission: their committee leads their program.
  static void CreateProgram(int64_t org, int32_t year, insp::Conductor lead = insp::CONDUCTOR_INSPECTION_COMMISSION) {
    insp::Program out;
    ExpectOk(InspectionFixture::CreateProgram(InspectorToken(), ProgramDraft(org, year, lead), &out));
  }

  static grpc::Status Shortfalls(int64_t org, int32_t year, const std::string& indicator,
                                 rv1::ListShortfallsResponse* out, const std::string& token = "",
                                 const std::string& page_token = "", int32_t page_size = 0) {
    rv1::ListShortfallsRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(year);
    request.set_indicator(indicator);
    request.set_page_token(page_token);
    request.set_page_size(page_size);
    return Call(scorecards(), &rv1::ScorecardService::Stub::ListShortfalls, token.empty() ? AdminToken() : token,
                request, out);
  }

  static void ExpectRatio(const rv1::Scorecard& scorecard, const std::string& id, int64_t numerator,
                          int64_t denominator, const std::string& value, rv1::Attainment attainment) {
    const rv1::IndicatorResult indicator = Indicator(scorecard, id);
    EXPECT_EQ(indicator.numerator(), numerator) << id << " as of " << scorecard.as_of_date();
    EXPECT_EQ(indicator.denominator(), denominator) << id << " as of " << scorecard.as_of_date();
    EXPECT_EQ(indicator.value(), value) << id << " as of " << scorecard.as_of_date();
    EXPECT_EQ(rv1::Attainment_Name(indicator.attainment()), rv1::Attainment_Name(attainment))
        << id << " as of " << scorecard.as_of_date();
  }
};

// A đảng bộ cơ sở G with cells A and B (since 2010), C (founded 2025-06-01)
// and X (dissolved 2025-03-15), and its members and yearly records of 2025.
struct Committee {
  Branch branch;
  int64_t founded_mid_year = 0;
  int64_t dissolved = 0;
  std::string m1, m2, m3, m4;
};

class HandBuiltCommittee : public ScorecardTest {
 protected:
  static Committee Build() {
    Committee c;
    c.branch = NewBranch();
    const int64_t g = c.branch.grassroots, a = c.branch.cell_a, b = c.branch.cell_b;
    c.founded_mid_year = CreateOrg("CHI_BO_TRUC_THUOC", g, "Chi bộ khu phố mới", "2025-06-01");
    c.dissolved = CreateOrg("CHI_BO_TRUC_THUOC", g, "Chi bộ giải thể");
    HoldThematicMeeting(c.dissolved, "2025-02-12");
    DissolveOrg(c.dissolved, "2025-03-15");
    AdoptRegulation(g, "2023-01-10");
    AdoptRegulation(a, "2024-05-02");
    CreateTerm(a, "2025-01-01", "2030-01-01", /*elected=*/true);
    CreateTerm(b, "2025-01-01", "2030-01-01", /*elected=*/false);
    CreateProgram(g, 2025);
    CreateProgram(b, 2025, insp::CONDUCTOR_COMMITTEE);
    RecordNewModel(a, 2025);
    RateOrganization(g, 2025, 80);  // good
    for (const char* day : {"2025-02-10", "2025-05-12", "2025-08-11", "2025-11-10"}) HoldThematicMeeting(a, day);
    for (const char* day : {"2025-02-11", "2025-05-13", "2025-08-12"}) HoldThematicMeeting(b, day);
    // Official since 2022 (ceremony five years before today, 2021).
    c.m1 = CreateExisting(a, NewPerson()).name();
    c.m2 = CreateExisting(a, NewPerson()).name();
    c.m3 = CreateExisting(b, NewPerson()).name();
    // Admission decided 2025-03-18 (ceremony 2025-04-01), into B.
    c.m4 = CreateExisting(b, NewPerson(), mv1::MEMBER_STATUS_PROBATIONARY, "2025-04-01").name();
    RemoveMember(c.m2, "2025-09-01");
    RateMember(c.m1, 2025, 80);  // good
    RateMember(c.m3, 2025, 60);  // completed
    SyncReadModel();
    return c;
  }
};

TEST_F(HandBuiltCommittee, YearEndFiguresOfEveryKindOfFact) {
  const Committee c = Build();
  const rv1::Scorecard card = Scorecard(c.branch.grassroots, 2025);
  EXPECT_EQ(card.as_of_date(), "2025-12-31");
  EXPECT_EQ(card.plan(), "plans/nq21-plan-seed");
  ASSERT_EQ(card.indicators_size(), 18);
  // S1: G, A, B, C exist on D (X ended, C is new); G and A have a regulation: 2/4.
  ExpectRatio(card, "S1", 2, 4, "50.00", rv1::ATTAINMENT_NOT_MET);
  // S3: the only TCCS is G; A's new model of 2025 counts for it: 1/1.
  ExpectRatio(card, "S3", 1, 1, "100.00", rv1::ATTAINMENT_MET);
  // S5a: G rated good: 1/1.
  ExpectRatio(card, "S5a", 1, 1, "100.00", rv1::ATTAINMENT_MET);
  // S5b: counted on D are m1, m3, m4 (m2 removed in September); rated m1 good, m3 completed: 1/2.
  ExpectRatio(card, "S5b", 1, 2, "50.00", rv1::ATTAINMENT_NOT_MET);
  // S6: m4 admitted 2025-03-18 / counted on 2024-12-31 (m1, m2, m3): 1/3 = 33.33 %, met at >= 3 %.
  ExpectRatio(card, "S6", 1, 3, "33.33", rv1::ATTAINMENT_MET);
  // S8: no TCCS founded in the term.
  EXPECT_EQ(Indicator(card, "S8").numerator(), 0);
  // S10: cells A, B, C; only A elected a committee: 1/3, target > 65 %.
  ExpectRatio(card, "S10", 1, 3, "33.33", rv1::ATTAINMENT_NOT_MET);
  // S12: G, A, B, C; programs for 2025 of G and B: 2/4.
  ExpectRatio(card, "S12", 2, 4, "50.00", rv1::ATTAINMENT_NOT_MET);
  // S13: four quarters ended; A and B existed through them; A met every quarter, B missed Q4: 1/2.
  ExpectRatio(card, "S13", 1, 2, "50.00", rv1::ATTAINMENT_NOT_MET);
  // S16: m2, removed (xóa tên) for quitting or unpaid dues.
  const rv1::IndicatorResult s16 = Indicator(card, "S16");
  EXPECT_EQ(s16.numerator(), 1);
  EXPECT_EQ(s16.value(), "1");
  EXPECT_EQ(s16.attainment(), rv1::ATTAINMENT_NOT_APPLICABLE);
  ASSERT_EQ(s16.removals_size(), 1);
  EXPECT_EQ(s16.removals(0).kind(), "REMOVED");
  EXPECT_EQ(s16.removals(0).count(), 1);
  // Targets come from the plan, with the paragraph that sets them.
  const rv1::IndicatorResult s6 = Indicator(card, "S6");
  EXPECT_EQ(s6.target().comparator(), "between");
  EXPECT_DOUBLE_EQ(s6.target().met_value(), 0.03);
  EXPECT_EQ(s6.target().rule(), "plans/nq21-plan-seed/paragraphs/II.3.1/6");
  EXPECT_FALSE(s6.target().text().empty());
  // The positions the figures were computed at.
  ASSERT_EQ(card.positions_size(), 3);
  for (const rv1::FeedPosition& position : card.positions()) EXPECT_GT(position.sequence(), 0) << position.source();
}

TEST_F(HandBuiltCommittee, AnAsOfDateSeesTheTreeAndFactsOfThatDay) {
  const Committee c = Build();
  const rv1::Scorecard card = Scorecard(c.branch.grassroots, 0, "2025-05-01");
  EXPECT_EQ(card.year(), 2025);
  // S1: on 1 May G, A and B exist (C not yet, X ended): 2/3.
  ExpectRatio(card, "S1", 2, 3, "66.67", rv1::ATTAINMENT_NOT_MET);
  // S13: only Q1 has ended; A and B existed through it and each met it (X ended in March): 2/2.
  ExpectRatio(card, "S13", 2, 2, "100.00", rv1::ATTAINMENT_MET);
  // S6: m4's admission (18 March) is before the day: 1/3.
  ExpectRatio(card, "S6", 1, 3, "33.33", rv1::ATTAINMENT_MET);
  // S16: m2 was removed in September, after the day.
  EXPECT_EQ(Indicator(card, "S16").numerator(), 0);
}

TEST_F(HandBuiltCommittee, ShortfallsNameTheUnitsAndTheBreakdownSplitsByChild) {
  const Committee c = Build();
  rv1::ListShortfallsResponse s1;
  ExpectOk(Shortfalls(c.branch.grassroots, 2025, "S1", &s1));
  EXPECT_EQ(s1.total_size(), 2);
  std::vector<std::string> subjects;
  for (const rv1::Shortfall& shortfall : s1.shortfalls()) {
    EXPECT_EQ(shortfall.kind(), rv1::SHORTFALL_KIND_ORGANIZATION);
    EXPECT_FALSE(shortfall.display_name().empty());
    EXPECT_FALSE(shortfall.reason().empty());
    subjects.push_back(shortfall.subject());
  }
  EXPECT_EQ(subjects, (std::vector<std::string>{OrgName(c.branch.cell_b), OrgName(c.founded_mid_year)}));
  // Paged one at a time, the same two.
  rv1::ListShortfallsResponse first, second;
  ExpectOk(Shortfalls(c.branch.grassroots, 2025, "S1", &first, "", "", 1));
  ASSERT_EQ(first.shortfalls_size(), 1);
  ASSERT_FALSE(first.next_page_token().empty());
  ExpectOk(Shortfalls(c.branch.grassroots, 2025, "S1", &second, "", first.next_page_token(), 1));
  ASSERT_EQ(second.shortfalls_size(), 1);
  EXPECT_EQ(second.shortfalls(0).subject(), OrgName(c.founded_mid_year));
  EXPECT_TRUE(second.next_page_token().empty());
  // S5b's shortfall is m3 (rated completed), a member.
  rv1::ListShortfallsResponse s5b;
  ExpectOk(Shortfalls(c.branch.grassroots, 2025, "S5b", &s5b));
  ASSERT_EQ(s5b.shortfalls_size(), 1);
  EXPECT_EQ(s5b.shortfalls(0).subject(), c.m3);
  EXPECT_EQ(s5b.shortfalls(0).kind(), rv1::SHORTFALL_KIND_MEMBER);
  EXPECT_EQ(s5b.shortfalls(0).organization(), OrgName(c.branch.cell_b));

  rv1::GetScorecardBreakdownRequest request;
  request.mutable_scope()->set_organization(OrgName(c.branch.grassroots));
  request.mutable_scope()->set_year(2025);
  request.add_indicators("S1");
  request.add_indicators("S13");
  rv1::ScorecardBreakdown breakdown;
  ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::GetScorecardBreakdown, AdminToken(), request, &breakdown));
  ASSERT_EQ(breakdown.total().indicators_size(), 2);
  std::map<std::string, std::pair<int64_t, int64_t>> s1_by_row;
  for (const rv1::ScorecardBreakdown::Row& row : breakdown.rows()) {
    ASSERT_EQ(row.indicators_size(), 2) << row.organization();
    s1_by_row[row.organization()] = {row.indicators(0).numerator(), row.indicators(0).denominator()};
  }
  // G's own row (G itself), then A, B, C; X contributes nothing on D.
  EXPECT_EQ(s1_by_row[OrgName(c.branch.grassroots)], std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(s1_by_row[OrgName(c.branch.cell_a)], std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(s1_by_row[OrgName(c.branch.cell_b)], std::make_pair(int64_t{0}, int64_t{1}));
  EXPECT_EQ(s1_by_row[OrgName(c.founded_mid_year)], std::make_pair(int64_t{0}, int64_t{1}));
  EXPECT_FALSE(s1_by_row.contains(OrgName(c.dissolved)));
}

TEST_F(ScorecardTest, AMovedCellCountsWhereTheTreeOfTheDayPutsIt) {
  const Branch from = NewBranch();
  const Branch to = NewBranch();
  AdoptRegulation(from.cell_a, "2024-01-15");
  // Admission decided 2025-03-01 into from.cell_b, which moves to `to` on 1 July.
  CreateExisting(from.cell_b, NewPerson(), mv1::MEMBER_STATUS_PROBATIONARY, "2025-03-15");
  MoveOrganization(from.cell_b, to.grassroots, "2025-07-01");
  SyncReadModel();

  // Before the move: G1, A1, B1; A1 has a regulation: 1/3. B1's admission counts for G1.
  const rv1::Scorecard before = Scorecard(from.grassroots, 0, "2025-06-30");
  ExpectRatio(before, "S1", 1, 3, "33.33", rv1::ATTAINMENT_NOT_MET);
  EXPECT_EQ(Indicator(before, "S6").numerator(), 1);
  // Nobody was counted in G1 on 2024-12-31: no denominator, no value, unknown.
  ExpectRatio(before, "S6", 1, 0, "", rv1::ATTAINMENT_UNKNOWN);
  // After it: G1 and A1 (1/2), and the admission went with the cell to G2.
  const rv1::Scorecard after = Scorecard(from.grassroots, 2025);
  ExpectRatio(after, "S1", 1, 2, "50.00", rv1::ATTAINMENT_NOT_MET);
  EXPECT_EQ(Indicator(after, "S6").numerator(), 0);
  const rv1::Scorecard receiving = Scorecard(to.grassroots, 2025);
  ExpectRatio(receiving, "S1", 0, 4, "0.00", rv1::ATTAINMENT_NOT_MET);
  EXPECT_EQ(Indicator(receiving, "S6").numerator(), 1);
}

TEST_F(ScorecardTest, ARebuildFromTheFeedsAndARestartGiveTheSameFigures) {
  const Branch branch = NewBranch();
  AdoptRegulation(branch.cell_a, "2024-01-15");
  HoldThematicMeeting(branch.cell_b, "2025-02-14");
  const std::string member = CreateExisting(branch.cell_a, NewPerson()).name();
  RateMember(member, 2025, 75);
  CreateProgram(branch.grassroots, 2025);
  SyncReadModel();
  auto figures = [](rv1::Scorecard card) {
    card.clear_positions();
    return card;
  };
  const rv1::Scorecard incremental = figures(Scorecard(RootId(), 2025));
  const rv1::Scorecard incremental_as_of = figures(Scorecard(RootId(), 0, "2025-08-20"));

  rv1::ScorecardService::Stub& rebuilt = StartRebuiltReporting();
  for (const auto& [as_of, expected] :
       std::vector<std::pair<std::string, rv1::Scorecard>>{{"", incremental}, {"2025-08-20", incremental_as_of}}) {
    rv1::GetScorecardRequest request;
    request.mutable_scope()->set_organization(OrgName(RootId()));
    request.mutable_scope()->set_year(2025);
    request.mutable_scope()->set_as_of_date(as_of);
    rv1::Scorecard from_zero;
    ExpectOk(Call(rebuilt, &rv1::ScorecardService::Stub::GetScorecard, AdminToken(), request, &from_zero));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(figures(from_zero), expected))
        << "rebuilt:\n" << figures(from_zero).DebugString() << "incremental:\n" << expected.DebugString();
  }
  StopRebuiltReporting();

  // A crash and a restart over the same read model: nothing applied twice.
  RestartReporting();
  const Branch later = NewBranch();
  AdoptRegulation(later.cell_a, "2024-02-01");
  SyncReadModel();
  const rv1::Scorecard restarted = Scorecard(RootId(), 2025);
  // Three more organizations, one more with a regulation, and nothing counted twice.
  EXPECT_EQ(Indicator(restarted, "S1").denominator(), Indicator(incremental, "S1").denominator() + 3);
  EXPECT_EQ(Indicator(restarted, "S1").numerator(), Indicator(incremental, "S1").numerator() + 1);
  EXPECT_EQ(ReportingDbInt("SELECT COUNT(*) FROM rm_working_regulation"),
            ReportingDbInt("SELECT COUNT(DISTINCT org_id, version) FROM rm_working_regulation"));
  EXPECT_EQ(ReportingDbInt("SELECT COUNT(*) FROM rm_working_regulation WHERE org_id = " +
                           std::to_string(later.cell_a)),
            1);
}

TEST_F(ScorecardTest, ScopeAndRoleDecideWhatACallerReads) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  const std::string member = CreateExisting(mine.cell_a, NewPerson()).name();
  RateMember(member, 2025, 60);
  SyncReadModel();
  rv1::Scorecard card;
  rv1::GetScorecardRequest request;
  request.mutable_scope()->set_organization(OrgName(theirs.grassroots));
  request.mutable_scope()->set_year(2025);
  EXPECT_EQ(GetScorecard(request, &card, AdminToken(mine.grassroots)).error_code(), grpc::NOT_FOUND);
  rv1::ListShortfallsResponse shortfalls;
  EXPECT_EQ(Shortfalls(theirs.grassroots, 2025, "S1", &shortfalls, AdminToken(mine.grassroots)).error_code(),
            grpc::NOT_FOUND);
  ExpectOk(Shortfalls(mine.grassroots, 2025, "S5b", &shortfalls, SecretaryToken(mine.grassroots)));
  EXPECT_EQ(shortfalls.total_size(), 1);
  // A portal reads figures and the organizations that fall short, never a person.
  ExpectOk(GetScorecard(request, &card, PortalToken()));
  ExpectOk(Shortfalls(mine.grassroots, 2025, "S1", &shortfalls, PortalToken()));
  EXPECT_EQ(Shortfalls(mine.grassroots, 2025, "S5b", &shortfalls, PortalToken()).error_code(),
            grpc::PERMISSION_DENIED);
  // A member reads no scorecard.
  EXPECT_EQ(GetScorecard(request, &card, MemberToken(mine.cell_a, MemberId(member))).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(ScorecardTest, BadRequestsNameWhatIsWrong) {
  const Branch branch = NewBranch();
  const int64_t young = CreateOrg("CHI_BO_TRUC_THUOC", branch.grassroots, "Chi bộ trẻ", "2026-02-01");
  SyncReadModel();
  auto ask = [](int64_t org, int32_t year, const std::string& as_of, const std::string& plan = "") {
    rv1::GetScorecardRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(year);
    request.mutable_scope()->set_as_of_date(as_of);
    request.mutable_scope()->set_plan(plan);
    rv1::Scorecard card;
    return GetScorecard(request, &card);
  };
  grpc::Status status = ask(branch.grassroots, 0, "");
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "scope.year");
  status = ask(branch.grassroots, 0, "2999-01-01");
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "scope.as_of_date");
  status = ask(branch.grassroots, 2024, "2025-03-01");
  EXPECT_EQ(BadField(status), "scope.as_of_date");
  status = ask(branch.grassroots, 2025, "", "plans/no-such-plan");
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  status = ask(young, 2025, "");
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ORGANIZATION_NOT_ACTIVE");
  rv1::ListShortfallsResponse shortfalls;
  status = Shortfalls(branch.grassroots, 2025, "S99", &shortfalls);
  EXPECT_EQ(BadField(status), "indicator");
  status = Shortfalls(branch.grassroots, 2025, "S16", &shortfalls);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "indicator");
}

// The pre-aggregates (GetScorecard, the breakdown) give exactly what computing
// from the facts gives (ClosePeriod and CompareWithClosedReport's live side
// compute from the facts), for the committee and the whole tree, on the year
// end and on an as-of day, before and after changes below them: a back-dated
// removal, a new rating, a cell moved to another committee, a back-dated
// regulation. Each scorecard is read twice; the second read comes from the rows.
TEST_F(HandBuiltCommittee, PreAggregatesEqualTheFiguresComputedFromTheFacts) {
  const Committee c = Build();
  const Branch elsewhere = NewBranch();
  SyncReadModel();
  struct Scope {
    int64_t org;
    std::string as_of;
    rv1::ReportKind kind;
  };
  const std::vector<Scope> scopes = {{c.branch.grassroots, "2025-12-31", rv1::REPORT_KIND_YEARLY},
                                     {c.branch.grassroots, "2025-08-20", rv1::REPORT_KIND_MID_TERM_REVIEW},
                                     {RootId(), "2025-12-31", rv1::REPORT_KIND_FINAL_REVIEW}};
  auto indicators_of = [](const rv1::Scorecard& card) {
    rv1::Scorecard figures;
    *figures.mutable_indicators() = card.indicators();
    return figures;
  };
  auto expect_same = [&](const rv1::Scorecard& computed, const Scope& scope, const std::string& when) {
    for (int read = 0; read < 2; ++read) {
      const rv1::Scorecard aggregated = Scorecard(scope.org, 0, scope.as_of);
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(indicators_of(aggregated), indicators_of(computed)))
          << when << ", organizations/" << scope.org << " as of " << scope.as_of << ", read " << read
          << "\npre-aggregated:\n" << indicators_of(aggregated).DebugString() << "computed:\n"
          << indicators_of(computed).DebugString();
    }
  };
  std::vector<std::string> closed_names;
  for (const Scope& scope : scopes) {
    rv1::ClosePeriodRequest request;
    request.mutable_scope()->set_organization(OrgName(scope.org));
    request.mutable_scope()->set_as_of_date(scope.as_of);
    request.set_kind(scope.kind);
    request.set_request_id(UniqueCode("close"));
    rv1::ClosedReport closed;
    ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::ClosePeriod, AdminToken(), request, &closed));
    closed_names.push_back(closed.name());
    expect_same(closed.scorecard(), scope, "before the changes");
  }
  EXPECT_GT(ReportingDbInt("SELECT COUNT(*) FROM rm_rollup WHERE org_id = " + std::to_string(c.branch.grassroots)), 0);

  RemoveMember(c.m1, "2025-06-01");
  RateMember(c.m3, 2025, 80);
  MoveOrganization(c.branch.cell_b, elsewhere.grassroots, "2025-10-01");
  AdoptRegulation(c.founded_mid_year, "2025-07-01");
  SyncReadModel();
  for (size_t i = 0; i < scopes.size(); ++i) {
    rv1::CompareWithClosedReportRequest request;
    request.set_name(closed_names[i]);
    rv1::ReportComparison comparison;
    ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::CompareWithClosedReport, AdminToken(), request,
                  &comparison));
    expect_same(comparison.live(), scopes[i], "after the changes");
  }
  // The committee the cell moved to sees it from 1 October.
  const rv1::Scorecard receiving = Scorecard(elsewhere.grassroots, 2025);
  EXPECT_EQ(Indicator(receiving, "S1").denominator(), 4);  // G2, A2, B2 and the moved B

  // The breakdown's rows add up to the total.
  rv1::GetScorecardBreakdownRequest breakdown_request;
  breakdown_request.mutable_scope()->set_organization(OrgName(RootId()));
  breakdown_request.mutable_scope()->set_year(2025);
  rv1::ScorecardBreakdown breakdown;
  ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::GetScorecardBreakdown, AdminToken(), breakdown_request,
                &breakdown));
  for (const rv1::IndicatorResult& total : breakdown.total().indicators()) {
    int64_t numerator = 0, denominator = 0;
    for (const rv1::ScorecardBreakdown::Row& row : breakdown.rows()) {
      for (const rv1::IndicatorResult& part : row.indicators()) {
        if (part.id() != total.id()) continue;
        numerator += part.numerator();
        denominator += part.denominator();
      }
    }
    EXPECT_EQ(numerator, total.numerator()) << total.id();
    EXPECT_EQ(denominator, total.denominator()) << total.id();
  }
}

}  // namespace
}  // namespace grassroots::reporting::testing
