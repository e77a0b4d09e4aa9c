// Closed periods end to end: a frozen report never changes, a back-dated
// correction recorded later moves the live figures, and the comparison names
// the unit that moved them.
#include <string>

#include "tests/integration/reporting/reporting_fixture.h"

namespace grassroots::reporting::testing {
namespace {

using membership::testing::Branch;

class ClosedReportTest : public ReportingFixture {
 protected:
  static grpc::Status Close(int64_t org, int32_t year, rv1::ReportKind kind, const std::string& request_id,
                            rv1::ClosedReport* out, const std::string& token = "") {
    rv1::ClosePeriodRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(year);
    request.set_kind(kind);
    request.set_note("Báo cáo kết quả năm");
    request.set_request_id(request_id);
    return Call(scorecards(), &rv1::ScorecardService::Stub::ClosePeriod, token.empty() ? AdminToken() : token, request,
                out);
  }
};

TEST_F(ClosedReportTest, AClosedReportIsFrozenAndTheComparisonNamesWhatMovedSince) {
  const Branch branch = NewBranch();
  AdoptRegulation(branch.cell_a, "2024-03-01");
  SyncReadModel();
  const std::string request_id = UniqueCode("close");
  rv1::ClosedReport closed;
  ExpectOk(Close(branch.grassroots, 2025, rv1::REPORT_KIND_YEARLY, request_id, &closed));
  EXPECT_EQ(closed.name().rfind(OrgName(branch.grassroots) + "/closedReports/", 0), 0u) << closed.name();
  EXPECT_EQ(closed.scorecard().as_of_date(), "2025-12-31");
  // S1 when closed: G, A and B; only A has a regulation.
  EXPECT_EQ(Indicator(closed.scorecard(), "S1").numerator(), 1);
  EXPECT_EQ(Indicator(closed.scorecard(), "S1").denominator(), 3);
  EXPECT_EQ(closed.scorecard().positions_size(), 3);

  // A retry returns the same report; another request for the same period is refused.
  rv1::ClosedReport again;
  ExpectOk(Close(branch.grassroots, 2025, rv1::REPORT_KIND_YEARLY, request_id, &again));
  EXPECT_EQ(again.name(), closed.name());
  EXPECT_EQ(Close(branch.grassroots, 2025, rv1::REPORT_KIND_YEARLY, UniqueCode("close"), &again).error_code(),
            grpc::ALREADY_EXISTS);
  // A review of the same year is another period.
  ExpectOk(Close(branch.grassroots, 2025, rv1::REPORT_KIND_MID_TERM_REVIEW, UniqueCode("close"), &again));

  // A back-dated correction recorded after the close: B adopted a regulation in February 2025.
  AdoptRegulation(branch.cell_b, "2025-02-01");
  SyncReadModel();
  rv1::GetClosedReportRequest get;
  get.set_name(closed.name());
  rv1::ClosedReport frozen;
  ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::GetClosedReport, AdminToken(), get, &frozen));
  EXPECT_EQ(Indicator(frozen.scorecard(), "S1").numerator(), 1) << "a closed report never changes";
  EXPECT_EQ(Indicator(Scorecard(branch.grassroots, 2025), "S1").numerator(), 2) << "the live figure moved";

  rv1::CompareWithClosedReportRequest compare;
  compare.set_name(closed.name());
  rv1::ReportComparison comparison;
  ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::CompareWithClosedReport, AdminToken(), compare,
                &comparison));
  bool found_s1 = false;
  for (const rv1::ReportComparison::IndicatorChange& change : comparison.indicators()) {
    if (change.id() != "S1") {
      EXPECT_FALSE(change.changed()) << change.id();
      continue;
    }
    found_s1 = true;
    EXPECT_TRUE(change.changed());
    EXPECT_EQ(change.closed().numerator(), 1);
    EXPECT_EQ(change.live().numerator(), 2);
    ASSERT_EQ(change.unit_changes_size(), 1);
    EXPECT_EQ(change.unit_changes(0).subject(), OrgName(branch.cell_b));
    EXPECT_EQ(change.unit_changes(0).change(), "NOW_MEETS");
  }
  EXPECT_TRUE(found_s1);

  // The frozen shortfall list is the one of the close: G and B; live, only G.
  rv1::ListShortfallsRequest shortfalls;
  shortfalls.set_closed_report(closed.name());
  shortfalls.set_indicator("S1");
  rv1::ListShortfallsResponse frozen_list;
  ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::ListShortfalls, AdminToken(), shortfalls, &frozen_list));
  ASSERT_EQ(frozen_list.total_size(), 2);
  EXPECT_EQ(frozen_list.shortfalls(0).subject(), OrgName(branch.grassroots));
  EXPECT_EQ(frozen_list.shortfalls(1).subject(), OrgName(branch.cell_b));
  EXPECT_FALSE(frozen_list.shortfalls(1).display_name().empty());

  rv1::ListClosedReportsRequest list;
  list.set_organization(OrgName(branch.grassroots));
  rv1::ListClosedReportsResponse listed;
  ExpectOk(Call(scorecards(), &rv1::ScorecardService::Stub::ListClosedReports, AdminToken(), list, &listed));
  ASSERT_EQ(listed.reports_size(), 2);
  EXPECT_EQ(listed.reports(1).name(), closed.name());
  EXPECT_EQ(listed.reports(1).scorecard().indicators_size(), 0);
  EXPECT_EQ(listed.reports(0).kind(), rv1::REPORT_KIND_MID_TERM_REVIEW);
}

TEST_F(ClosedReportTest, OnlyTheBoardClosesAndOnlyInItsScope) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  SyncReadModel();
  rv1::ClosedReport report;
  EXPECT_EQ(Close(mine.grassroots, 2025, rv1::REPORT_KIND_YEARLY, "", &report, SecretaryToken(mine.grassroots))
                .error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(Close(theirs.grassroots, 2025, rv1::REPORT_KIND_YEARLY, "", &report, AdminToken(mine.grassroots))
                .error_code(),
            grpc::NOT_FOUND);
  grpc::Status status = Close(mine.grassroots, 2025, rv1::REPORT_KIND_UNSPECIFIED, "", &report);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "kind");
  ExpectOk(Close(theirs.grassroots, 2025, rv1::REPORT_KIND_YEARLY, "", &report));
  rv1::GetClosedReportRequest get;
  get.set_name(report.name());
  rv1::ClosedReport read;
  EXPECT_EQ(Call(scorecards(), &rv1::ScorecardService::Stub::GetClosedReport, AdminToken(mine.grassroots), get, &read)
                .error_code(),
            grpc::NOT_FOUND);
  get.set_name(OrgName(theirs.grassroots) + "/closedReports/999999");
  EXPECT_EQ(Call(scorecards(), &rv1::ScorecardService::Stub::GetClosedReport, AdminToken(), get, &read).error_code(),
            grpc::NOT_FOUND);
  get.set_name("closedReports/1");
  status = Call(scorecards(), &rv1::ScorecardService::Stub::GetClosedReport, AdminToken(), get, &read);
  EXPECT_EQ(BadField(status), "name");
}

}  // namespace
}  // namespace grassroots::reporting::testing
