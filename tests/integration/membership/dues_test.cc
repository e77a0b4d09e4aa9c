// DuesService through gRPC on a real MariaDB: a member's 2026 ledger across
// the change of rules in February, payments with the voluntary part apart,
// corrections that append, the treasurer's sheet matching the ledgers (and
// its XLSX), relief, the 50-year exemption, arrears raising an alert that
// cites the rule, bad input naming the field with nothing written, scope.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "services/membership/domain/member_rules.h"
#include "tests/integration/membership/dues_fixture.h"
#include "tests/support/loopback.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class GrpcDuesTest : public DuesFixture {};

TEST_F(GrpcDuesTest, TheLedgerFollowsTheRulesOfEachMonthAndKeepsVoluntaryAmountsApart) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member farmer = Farmer(branch.cell_a);
  PayOk(farmer, "2026-01", 5'000);
  PayOk(farmer, "2026-02", 20'000);
  PayOk(farmer, "2026-03", 10'000);

  const v1::DuesLedger ledger = Ledger(farmer);
  ASSERT_EQ(ledger.months_size(), 12);
  EXPECT_EQ(Month(ledger, 1).due(), 5'000) << "QĐ 342: the province's fixed amount";
  EXPECT_EQ(Month(ledger, 1).rule_id(), "dues.amount.outside_social_insurance_dong");
  EXPECT_EQ(Month(ledger, 2).due(), 15'930) << "QĐ 01: 0.3% of region I's 5,310,000";
  EXPECT_EQ(Month(ledger, 2).basis(), v1::DUES_BASE_KIND_OUTSIDE_SOCIAL_INSURANCE);
  EXPECT_NE(Month(ledger, 2).citation().find("QĐ 01"), std::string::npos);
  EXPECT_EQ(Month(ledger, 2).paid(), 15'930);
  EXPECT_EQ(Month(ledger, 2).voluntary(), 4'070);
  EXPECT_EQ(Month(ledger, 3).outstanding(), 5'930);
  EXPECT_EQ(ledger.entries_size(), 3);
  EXPECT_EQ(ledger.total_due(), 5'000 + 11 * 15'930);
  EXPECT_EQ(ledger.total_paid(), 5'000 + 15'930 + 10'000);
  EXPECT_EQ(ledger.total_voluntary(), 4'070);
  EXPECT_EQ(ledger.total_outstanding(), ledger.total_due() - ledger.total_paid());

  // A salary from May: 1% of it.
  v1::RecordDuesBaseRequest base;
  base.mutable_base()->set_member(farmer.name());
  base.mutable_base()->set_kind(v1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY);
  base.mutable_base()->set_amount(9'876'550);
  base.mutable_base()->set_effective_month("2026-05");
  v1::DuesBase stored;
  grpc::Status status = Call(*dues_, &Dues::RecordDuesBase, SecretaryToken(branch.cell_a), base, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  // The same base again changes nothing and records nothing.
  const int64_t feed = CountRows("change_feed");
  v1::DuesBase again;
  status = Call(*dues_, &Dues::RecordDuesBase, SecretaryToken(branch.cell_a), base, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.name(), stored.name());
  EXPECT_EQ(CountRows("change_feed"), feed);
  const v1::DuesLedger after = Ledger(farmer);
  EXPECT_EQ(Month(after, 4).due(), 15'930);
  EXPECT_EQ(Month(after, 5).due(), 98'766) << "98,765.5 rounds half up";
  EXPECT_EQ(Month(after, 5).basis(), v1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY);
}

TEST_F(GrpcDuesTest, FiftyYearsOfPartyAgeExemptAndAReliefExpires) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  // Admitted in March 1975 (decision a fortnight before the ceremony), in this cell since 2015.
  v1::CreateMemberRequest create = ExistingMemberRequest(
      branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_FARMER).BornOn("1950-02-02")),
      v1::MEMBER_STATUS_OFFICIAL, "1975-03-15", UniqueCard());
  create.mutable_existing()->set_joined_cell_on("2015-01-01");
  v1::Member veteran;
  grpc::Status created = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), create, &veteran);
  ASSERT_TRUE(created.ok()) << created.error_message() << " " << BadField(created);
  const v1::DuesLedger veteran_ledger = Ledger(veteran);
  EXPECT_EQ(Month(veteran_ledger, 1).relief(), "") << "no automatic exemption under QĐ 342";
  EXPECT_GT(Month(veteran_ledger, 1).due(), 0);
  EXPECT_EQ(Month(veteran_ledger, 2).relief(), "PARTY_AGE_50_YEARS");
  EXPECT_EQ(Month(veteran_ledger, 2).due(), 0);

  const v1::Member hardship = Farmer(branch.cell_a);
  v1::GrantDuesReliefRequest grant;
  grant.mutable_relief()->set_member(hardship.name());
  grant.mutable_relief()->set_kind(v1::DUES_RELIEF_KIND_REDUCTION);
  grant.mutable_relief()->set_reason(v1::DUES_RELIEF_REASON_OTHER_HARDSHIP);
  grant.mutable_relief()->set_reduction_percent(50);
  grant.mutable_relief()->set_from_month("2026-03");
  grant.mutable_relief()->set_to_month("2026-08");
  grant.mutable_relief()->mutable_decision()->set_issuing_body("Chi bộ");
  grant.mutable_relief()->mutable_decision()->set_number("05-QĐ/CB");
  grant.mutable_relief()->mutable_decision()->set_signed_on("2026-02-25");
  v1::DuesRelief relief;
  grpc::Status status = Call(*dues_, &Dues::GrantDuesRelief, SecretaryToken(branch.cell_a), grant, &relief);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(relief.reduction_percent(), 50);
  const v1::DuesLedger ledger = Ledger(hardship);
  EXPECT_EQ(Month(ledger, 2).due(), 15'930);
  EXPECT_EQ(Month(ledger, 3).due(), 7'965);
  EXPECT_EQ(Month(ledger, 3).relief(), "REDUCTION_50");
  EXPECT_EQ(Month(ledger, 9).due(), 15'930) << "expired after August";
}

TEST_F(GrpcDuesTest, CorrectionsAppendAndStandInPlaceOfWhatTheyCorrect) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member member = Farmer(branch.cell_a);
  const v1::DuesEntry original = PayOk(member, "2026-03", 15'930);
  const int64_t rows_before = CountRows("dues_entries");

  v1::CorrectDuesEntryRequest correct;
  correct.set_entry(original.name());
  correct.set_month("2026-04");
  correct.set_amount(10'000);
  correct.set_reason("Ghi nhầm tháng và số tiền");
  v1::DuesEntry correction;
  grpc::Status status = Call(*dues_, &Dues::CorrectDuesEntry, SecretaryToken(branch.cell_a), correct, &correction);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(correction.corrects(), original.name());
  EXPECT_EQ(CountRows("dues_entries"), rows_before + 1) << "appended, never updated";
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT amount FROM dues_entries WHERE id = ", original.name().substr(
                                                                                        original.name().rfind('/') + 1))),
            15'930);

  v1::DuesLedger ledger = Ledger(member);
  EXPECT_EQ(Month(ledger, 3).paid(), 0);
  EXPECT_EQ(Month(ledger, 4).paid(), 10'000);
  ASSERT_EQ(ledger.entries_size(), 2);
  EXPECT_EQ(ledger.entries(0).corrected_by(), correction.name());

  // The corrected entry is corrected once; the correction can be corrected in turn (0 cancels).
  status = Call(*dues_, &Dues::CorrectDuesEntry, AdminToken(), correct, &correction);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "ENTRY_ALREADY_CORRECTED");
  correct.set_entry(correction.name());
  correct.set_amount(0);
  v1::DuesEntry cancel;
  status = Call(*dues_, &Dues::CorrectDuesEntry, AdminToken(), correct, &cancel);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ledger = Ledger(member);
  EXPECT_EQ(Month(ledger, 4).paid(), 0);
  EXPECT_EQ(ledger.total_paid(), 0);
}

TEST_F(GrpcDuesTest, TheTreasurersSheetMatchesTheLedgersAndExportsToXlsx) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member a = Farmer(branch.cell_b);
  const v1::Member b = Farmer(branch.cell_b);
  const v1::Member c = Farmer(branch.cell_b);
  const v1::Member elsewhere = Farmer(branch.cell_a);
  PayOk(a, "2026-06", 15'930);
  PayOk(b, "2026-06", 8'000);
  PayOk(c, "2026-06", 30'000);
  PayOk(elsewhere, "2026-06", 15'930);

  const v1::CollectionSheet sheet = Sheet(branch.cell_b, "2026-06", SecretaryToken(branch.cell_b));
  ASSERT_EQ(sheet.rows_size(), 3);
  int64_t due = 0, paid = 0, voluntary = 0, outstanding = 0;
  for (const v1::CollectionSheetRow& row : sheet.rows()) {
    EXPECT_NE(row.member(), elsewhere.name());
    v1::Member m;
    m.set_name(row.member());
    const v1::DuesLedger ledger = Ledger(m);
    const v1::DuesMonth& june = Month(ledger, 6);
    EXPECT_EQ(row.due(), june.due()) << row.member();
    EXPECT_EQ(row.paid(), june.paid()) << row.member();
    EXPECT_EQ(row.voluntary(), june.voluntary()) << row.member();
    EXPECT_EQ(row.outstanding(), june.outstanding()) << row.member();
    due += row.due();
    paid += row.paid();
    voluntary += row.voluntary();
    outstanding += row.outstanding();
  }
  for (int i = 1; i < sheet.rows_size(); ++i) {
    EXPECT_LE(membership::domain::SearchName(sheet.rows(i - 1).full_name()),
              membership::domain::SearchName(sheet.rows(i).full_name()));
  }
  EXPECT_EQ(sheet.total_due(), 3 * 15'930);
  EXPECT_EQ(sheet.total_due(), due);
  EXPECT_EQ(sheet.total_paid(), paid);
  EXPECT_EQ(sheet.total_paid(), 15'930 + 8'000 + 15'930);
  EXPECT_EQ(sheet.total_voluntary(), voluntary);
  EXPECT_EQ(sheet.total_voluntary(), 30'000 - 15'930);
  EXPECT_EQ(sheet.total_outstanding(), outstanding);
  EXPECT_EQ(sheet.total_outstanding(), 15'930 - 8'000);

  v1::ExportCollectionSheetRequest export_request;
  export_request.set_cell(OrgName(branch.cell_b));
  export_request.set_month("2026-06");
  v1::DuesSheetFile file;
  grpc::Status status = Call(*dues_, &Dues::ExportCollectionSheet, AdminToken(), export_request, &file);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(file.content_type(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_TRUE(absl::EndsWith(file.file_name(), "-2026-06.xlsx")) << file.file_name();
  ASSERT_GT(file.data().size(), 1000u);
  EXPECT_EQ(file.data().substr(0, 2), "PK") << "an XLSX file is a zip archive";

  // The sheet is a cell's.
  v1::GetCollectionSheetRequest not_a_cell;
  not_a_cell.set_cell(OrgName(branch.grassroots));
  not_a_cell.set_month("2026-06");
  v1::CollectionSheet refused;
  status = Call(*dues_, &Dues::GetCollectionSheet, AdminToken(), not_a_cell, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "NOT_A_CELL");
}

TEST_F(GrpcDuesTest, ACollectionRecordsTheCellsMonthAllOrNothingAndOnce) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member a = Farmer(branch.cell_b);
  const v1::Member b = Farmer(branch.cell_b);
  const v1::Member elsewhere = Farmer(branch.cell_a);
  v1::RecordCellCollectionRequest request;
  request.set_cell(OrgName(branch.cell_b));
  request.set_month("2026-07");
  request.set_paid_on("2026-07-05");
  request.set_request_id(UniqueCode("collection"));
  for (const v1::Member* m : {&a, &b}) {
    v1::CollectedPayment* payment = request.add_payments();
    payment->set_member(m->name());
    payment->set_amount(15'930);
  }
  const int64_t before = CountRows("dues_entries");
  v1::RecordCellCollectionResponse recorded;
  grpc::Status status = Call(*dues_, &Dues::RecordCellCollection, SecretaryToken(branch.cell_b), request, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  ASSERT_EQ(recorded.entries_size(), 2);
  EXPECT_EQ(recorded.entries(1).member(), b.name());
  EXPECT_EQ(recorded.entries(1).channel(), v1::DUES_CHANNEL_CASH);
  EXPECT_EQ(Sheet(branch.cell_b, "2026-07").total_outstanding(), 0);
  // The same request again (a retry): the same entries, none added.
  v1::RecordCellCollectionResponse again;
  status = Call(*dues_, &Dues::RecordCellCollection, SecretaryToken(branch.cell_b), request, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.entries(0).name(), recorded.entries(0).name());
  EXPECT_EQ(CountRows("dues_entries"), before + 2);

  // Someone who did not owe this cell, or a member twice: refused, nothing written.
  request.set_request_id("");
  request.mutable_payments(1)->set_member(elsewhere.name());
  status = Call(*dues_, &Dues::RecordCellCollection, SecretaryToken(branch.cell_b), request, &again);
  EXPECT_EQ(BadField(status), "payments[1].member") << status.error_message();
  request.mutable_payments(1)->set_member(a.name());
  status = Call(*dues_, &Dues::RecordCellCollection, SecretaryToken(branch.cell_b), request, &again);
  EXPECT_EQ(BadField(status), "payments[1].member") << status.error_message();
  request.mutable_payments(1)->set_member(b.name());
  request.mutable_payments(1)->set_amount(-1);
  status = Call(*dues_, &Dues::RecordCellCollection, SecretaryToken(branch.cell_b), request, &again);
  EXPECT_EQ(BadField(status), "payments[1].amount") << status.error_message();
  EXPECT_EQ(CountRows("dues_entries"), before + 2);
  // Another cell's treasurer cannot collect for this one.
  request.mutable_payments(1)->set_amount(15'930);
  status = Call(*dues_, &Dues::RecordCellCollection, SecretaryToken(branch.cell_a), request, &again);
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::NOT_FOUND ||
              status.error_code() == grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message();
}

TEST_F(GrpcDuesTest, ThreeUnpaidMonthsRaiseAnAlertCitingTheRuleUnlessRelieved) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member behind = Farmer(branch.cell_a);
  const v1::Member paying = Farmer(branch.cell_a);
  const v1::Member relieved = Farmer(branch.cell_a);
  for (const std::string_view month : {"2026-01", "2026-02", "2026-03", "2026-04"}) {
    PayOk(paying, std::string(month), month == "2026-01" ? 5'000 : 15'930);
  }
  PayOk(behind, "2026-01", 5'000);
  PayOk(relieved, "2026-01", 5'000);
  v1::GrantDuesReliefRequest grant;
  grant.mutable_relief()->set_member(relieved.name());
  grant.mutable_relief()->set_kind(v1::DUES_RELIEF_KIND_EXEMPTION);
  grant.mutable_relief()->set_reason(v1::DUES_RELIEF_REASON_SERIOUS_ILLNESS);
  grant.mutable_relief()->set_from_month("2026-02");
  grant.mutable_relief()->set_to_month("2026-06");
  grant.mutable_relief()->mutable_decision()->set_issuing_body("Chi bộ");
  grant.mutable_relief()->mutable_decision()->set_number("07-QĐ/CB");
  grant.mutable_relief()->mutable_decision()->set_signed_on("2026-02-03");
  v1::DuesRelief relief;
  grpc::Status status = Call(*dues_, &Dues::GrantDuesRelief, AdminToken(), grant, &relief);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);

  EXPECT_THAT(AlertedMembers(branch.grassroots, "2026-04-20"), IsEmpty()) << "April has not ended: two months";
  EXPECT_THAT(AlertedMembers(branch.grassroots, "2026-05-02"), ElementsAre(behind.name()));
  const v1::DuesLedger ledger = Ledger(behind);
  ASSERT_TRUE(ledger.has_arrears());
  EXPECT_EQ(ledger.arrears().year(), 2026);
  EXPECT_GE(ledger.arrears().months_size(), 3);
  EXPECT_EQ(ledger.arrears().months(0), "2026-02");
  // Paid late (deferred payments are allowed): the alert goes.
  for (const std::string_view month : {"2026-02", "2026-03"}) PayOk(behind, std::string(month), 15'930);
  EXPECT_THAT(AlertedMembers(branch.grassroots, "2026-05-02"), IsEmpty());
}

TEST_F(GrpcDuesTest, NothingIsOwedHereBeforeTheLedgerOpens) {
  const Branch branch = NewBranch();
  const v1::Member member = Farmer(branch.cell_a);
  v1::DuesLedger ledger = Ledger(member);
  EXPECT_FALSE(Month(ledger, 3).in_ledger());
  EXPECT_EQ(ledger.total_due(), 0);
  EXPECT_FALSE(ledger.has_arrears()) << "no months kept here, none unpaid";
  v1::OpenDuesLedgerRequest open;
  open.mutable_opening()->set_organization(OrgName(branch.cell_a));
  open.mutable_opening()->set_first_month("2026-07");
  v1::DuesLedgerOpening opening;
  grpc::Status status = Call(*dues_, &Dues::OpenDuesLedger, AdminToken(), open, &opening);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ledger = Ledger(member);
  EXPECT_FALSE(Month(ledger, 6).in_ledger());
  EXPECT_TRUE(Month(ledger, 7).in_ledger());
  EXPECT_EQ(Month(ledger, 7).missing(), "WAGE_REGION") << "no region recorded for the cell";
}

TEST_F(GrpcDuesTest, BadInputNamesTheFieldAndWritesNothing) {
  const Branch branch = NewBranch();
  const v1::Member member = Farmer(branch.cell_a);
  const int64_t entries = CountRows("dues_entries"), bases = CountRows("dues_bases"),
                reliefs = CountRows("dues_reliefs"), feed = CountRows("change_feed");

  v1::DuesEntry entry;
  EXPECT_EQ(BadField(Pay(member, "2026-13", 5'000, &entry)), "entry.month");
  EXPECT_EQ(BadField(Pay(member, "2010-12", 5'000, &entry)), "entry.month");
  EXPECT_EQ(BadField(Pay(member, "2028-06", 5'000, &entry)), "entry.month") << "more than a year in advance";
  EXPECT_EQ(BadField(Pay(member, "2026-03", 0, &entry)), "entry.amount");
  EXPECT_EQ(BadField(Pay(member, "2026-03", 5'000, &entry, "", v1::DUES_CHANNEL_UNSPECIFIED)), "entry.channel");
  EXPECT_EQ(BadField(Pay(member, "2026-03", 5'000, &entry, "", v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL)),
            "entry.reference")
      << "a portal transfer has its transaction id";

  v1::RecordDuesBaseRequest base;
  base.mutable_base()->set_member(member.name());
  base.mutable_base()->set_kind(v1::DUES_BASE_KIND_PENSION);
  base.mutable_base()->set_effective_month("2026-03");
  v1::DuesBase stored;
  EXPECT_EQ(BadField(Call(*dues_, &Dues::RecordDuesBase, AdminToken(), base, &stored)), "base.amount");
  base.mutable_base()->set_kind(v1::DUES_BASE_KIND_STUDENT);
  base.mutable_base()->set_amount(100);
  EXPECT_EQ(BadField(Call(*dues_, &Dues::RecordDuesBase, AdminToken(), base, &stored)), "base.amount");
  base.mutable_base()->set_kind(v1::DUES_BASE_KIND_UNSPECIFIED);
  EXPECT_EQ(BadField(Call(*dues_, &Dues::RecordDuesBase, AdminToken(), base, &stored)), "base.kind");

  v1::GrantDuesReliefRequest grant;
  grant.mutable_relief()->set_member(member.name());
  grant.mutable_relief()->set_kind(v1::DUES_RELIEF_KIND_REDUCTION);
  grant.mutable_relief()->set_reason(v1::DUES_RELIEF_REASON_OTHER_HARDSHIP);
  grant.mutable_relief()->set_reduction_percent(40);
  grant.mutable_relief()->set_from_month("2026-03");
  grant.mutable_relief()->set_to_month("2026-05");
  grant.mutable_relief()->mutable_decision()->set_issuing_body("Chi bộ");
  grant.mutable_relief()->mutable_decision()->set_number("1-QĐ");
  grant.mutable_relief()->mutable_decision()->set_signed_on("2026-02-20");
  v1::DuesRelief relief;
  EXPECT_EQ(BadField(Call(*dues_, &Dues::GrantDuesRelief, AdminToken(), grant, &relief)), "relief.reduction_percent");
  grant.mutable_relief()->set_reduction_percent(30);
  grant.mutable_relief()->set_to_month("2027-03");
  EXPECT_EQ(BadField(Call(*dues_, &Dues::GrantDuesRelief, AdminToken(), grant, &relief)), "relief.to_month")
      << "13 months";
  grant.mutable_relief()->set_to_month("2026-05");
  grant.mutable_relief()->mutable_decision()->clear_number();
  EXPECT_EQ(BadField(Call(*dues_, &Dues::GrantDuesRelief, AdminToken(), grant, &relief)), "relief.decision.number");

  v1::SetWageRegionRequest region;
  region.mutable_region()->set_organization(OrgName(branch.grassroots));
  region.mutable_region()->set_region(5);
  region.mutable_region()->set_effective_from("2026-01-01");
  region.mutable_region()->set_citation("x");
  v1::WageRegion set;
  EXPECT_EQ(BadField(Call(*dues_, &Dues::SetWageRegion, AdminToken(), region, &set)), "region.region");

  EXPECT_EQ(CountRows("dues_entries"), entries);
  EXPECT_EQ(CountRows("dues_bases"), bases);
  EXPECT_EQ(CountRows("dues_reliefs"), reliefs);
  EXPECT_EQ(CountRows("change_feed"), feed);
}

TEST_F(GrpcDuesTest, EachCallerSeesAndTouchesOnlyWhatTheirScopeHolds) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const v1::Member member = Farmer(branch.cell_a);
  const v1::Member stranger = Farmer(other.cell_a);
  v1::DuesEntry entry;
  // Another branch's secretary: as if the member did not exist.
  grpc::Status status = Pay(member, "2026-03", 5'000, &entry, SecretaryToken(other.cell_a));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  // The member reads their own ledger, not another's, and records nothing.
  const std::string own = MemberToken(branch.cell_a, MemberId(member.name()));
  EXPECT_EQ(Ledger(member, own).member(), member.name());
  v1::GetDuesLedgerRequest request;
  request.set_member(stranger.name());
  v1::DuesLedger ledger;
  status = Call(*dues_, &Dues::GetDuesLedger, own, request, &ledger);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  status = Pay(member, "2026-03", 5'000, &entry, own);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  // The inspection commission reads the sheet but writes nothing.
  Sheet(branch.cell_a, "2026-03", InspectorToken(branch.grassroots));
  status = Pay(member, "2026-03", 5'000, &entry, InspectorToken(branch.grassroots));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  // Another branch's cell sheet is out of reach.
  v1::GetCollectionSheetRequest sheet;
  sheet.set_cell(OrgName(other.cell_a));
  v1::CollectionSheet out;
  status = Call(*dues_, &Dues::GetCollectionSheet, SecretaryToken(branch.cell_a), sheet, &out);
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::NOT_FOUND ||
              status.error_code() == grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message();
}

}  // namespace
}  // namespace grassroots::membership::testing
