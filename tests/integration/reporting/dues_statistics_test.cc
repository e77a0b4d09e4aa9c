// Party dues end to end: payments recorded through the membership API, the
// membership service's totals per cell and month published on its feed,
// carried into reporting's read model and added up by StatisticsService.
// Every figure is worked out by hand below; a portal sees small groups withheld.
#include <string>
#include <vector>

#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "grassroots/reporting/v1/statistics.grpc.pb.h"
#include "services/membership/membership_services.h"
#include "tests/integration/reporting/reporting_fixture.h"
#include "tests/support/loopback.h"

namespace grassroots::reporting::testing {
namespace {

namespace mv1 = ::grassroots::membership::v1;
using membership::testing::Branch;
using membership::testing::PersonOptions;
using Dues = mv1::DuesService::Stub;

class DuesStatisticsTest : public ReportingFixture {
 protected:
  static Dues& dues() {
    static auto* stub = mv1::DuesService::NewStub(grassroots::testing::LoopbackChannel(membership_port())).release();
    return *stub;
  }
  static rv1::StatisticsService::Stub& statistics() {
    static auto* stub = rv1::StatisticsService::NewStub(ReportingChannel()).release();
    return *stub;
  }

  static void OpenInRegionOne(int64_t org) {
    mv1::OpenDuesLedgerRequest open;
    open.mutable_opening()->set_organization(OrgName(org));
    open.mutable_opening()->set_first_month("2026-01");
    mv1::DuesLedgerOpening opening;
    ExpectOk(Call(dues(), &Dues::OpenDuesLedger, AdminToken(), open, &opening));
    mv1::SetWageRegionRequest region;
    region.mutable_region()->set_organization(OrgName(org));
    region.mutable_region()->set_region(1);
    region.mutable_region()->set_effective_from("2026-01-01");
    region.mutable_region()->set_citation("Nghị định 293/2025/NĐ-CP, Phụ lục");
    mv1::WageRegion set;
    ExpectOk(Call(dues(), &Dues::SetWageRegion, AdminToken(), region, &set));
  }

  static mv1::Member Farmer(int64_t cell) {
    return CreateExisting(cell, NewPerson(PersonOptions().WithCategory(mv1::OCCUPATION_CATEGORY_FARMER).BornOn("1985-04-12")),
                          mv1::MEMBER_STATUS_OFFICIAL, "2015-06-01");
  }

  static void Collect(int64_t cell, const std::string& month, const std::vector<mv1::Member>& paying, int64_t amount) {
    mv1::RecordCellCollectionRequest request;
    request.set_cell(OrgName(cell));
    request.set_month(month);
    request.set_paid_on("2026-03-20");
    for (const mv1::Member& member : paying) {
      mv1::CollectedPayment* payment = request.add_payments();
      payment->set_member(member.name());
      payment->set_amount(amount);
    }
    mv1::RecordCellCollectionResponse out;
    ExpectOk(Call(dues(), &Dues::RecordCellCollection, AdminToken(), request, &out));
  }

  static rv1::DuesStatistics Statistics(int64_t org, const std::string& token) {
    rv1::GetDuesStatisticsRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(2026);
    rv1::DuesStatistics out;
    ExpectOk(Call(statistics(), &rv1::StatisticsService::Stub::GetDuesStatistics, token, request, &out));
    return out;
  }

  // The membership service publishes its totals (in the background every few
  // seconds in production; at once here), then reporting reads the feed.
  static void Publish() {
    absl::Status published = member_services().dues_totals().CatchUp();
    ASSERT_TRUE(published.ok()) << published;
    SyncReadModel();
  }
};

// A grassroots committee G keeps its dues here from January 2026 in region I.
// Cell A has six farmers, cell B two. A farmer owes 5,000 in January (QĐ 342's
// fixed amount) and 15,930 from February (0.3% of 5,310,000). In March all of
// A pays and one of B: March is 8 owing, 127,440 due, 111,510 paid, 15,930
// outstanding, 1 unpaid. Nobody paid January, February or April: B's unpaid
// member reaches three unpaid months in March, everyone else in April.
TEST_F(DuesStatisticsTest, MonthlyTotalsReachReportingAndAddUpOverTheSubtree) {
  const Branch branch = NewBranch();
  OpenInRegionOne(branch.grassroots);
  std::vector<mv1::Member> a;
  for (int i = 0; i < 6; ++i) a.push_back(Farmer(branch.cell_a));
  const mv1::Member b1 = Farmer(branch.cell_b);
  const mv1::Member b2 = Farmer(branch.cell_b);
  Collect(branch.cell_a, "2026-03", a, 15'930);
  Collect(branch.cell_b, "2026-03", {b1}, 15'930);
  Publish();

  const rv1::DuesStatistics exact = Statistics(branch.grassroots, AdminToken());
  ASSERT_EQ(exact.months_size(), 12);
  const rv1::DuesFigures& january = exact.months(0);
  EXPECT_EQ(january.month(), "2026-01");
  EXPECT_EQ(january.members_owing(), 8);
  EXPECT_EQ(january.due(), 40'000);
  EXPECT_EQ(january.paid(), 0);
  const rv1::DuesFigures& march = exact.months(2);
  EXPECT_EQ(march.members_owing(), 8);
  EXPECT_EQ(march.due(), 127'440);
  EXPECT_EQ(march.paid(), 111'510);
  EXPECT_EQ(march.outstanding(), 15'930);
  EXPECT_EQ(march.members_unpaid(), 1);
  EXPECT_EQ(march.members_in_arrears(), 1);
  EXPECT_EQ(exact.months(3).members_in_arrears(), 8);
  int64_t due = 0;
  for (const rv1::DuesFigures& month : exact.months()) due += month.due();
  EXPECT_EQ(exact.year().due(), due);
  EXPECT_EQ(exact.year().paid(), 111'510);
  EXPECT_EQ(exact.year().members_owing(), 8);
  ASSERT_EQ(exact.below_size(), 2);
  int64_t below_due = 0;
  for (const rv1::DuesFigures& org : exact.below()) below_due += org.due();
  EXPECT_EQ(below_due, exact.year().due());

  // A later payment moves the figures, and only the month it pays for.
  Collect(branch.cell_b, "2026-03", {b2}, 20'000);
  Publish();
  const rv1::DuesStatistics after = Statistics(branch.grassroots, AdminToken());
  EXPECT_EQ(after.months(2).paid(), 127'440);
  EXPECT_EQ(after.months(2).voluntary(), 20'000 - 15'930);
  EXPECT_EQ(after.months(2).members_unpaid(), 0);
  EXPECT_EQ(after.months(0).due(), exact.months(0).due());

  // A portal sees the committee's 8 members, but not cell B's 2, nor then
  // cell A (the committee less A would be B).
  const rv1::DuesStatistics portal = Statistics(branch.grassroots, PortalToken());
  EXPECT_EQ(portal.header().min_cell_count(), 5);
  EXPECT_EQ(portal.months(2).due(), 127'440);
  EXPECT_FALSE(portal.months(2).suppressed());
  ASSERT_EQ(portal.below_size(), 2);
  for (const rv1::DuesFigures& org : portal.below()) {
    EXPECT_TRUE(org.suppressed()) << org.organization();
    EXPECT_EQ(org.due(), 0);
  }
  // A cell of two alone: withheld from the portal.
  EXPECT_TRUE(Statistics(branch.cell_b, PortalToken()).months(2).suppressed());
}

}  // namespace
}  // namespace grassroots::reporting::testing
