// DuesService's way up through gRPC on a real MariaDB: the portal's payment
// file recorded whole, once, or not at all; remittances from cells to their
// grassroots committee and on up, reconciled against what the cells collected
// and the shares the rules let each keep; corrections that append.
#include <gtest/gtest.h>

#include <string>

#include "services/membership/membership_services.h"
#include "tests/integration/membership/dues_fixture.h"

namespace grassroots::membership::testing {
namespace {

class GrpcDuesRemittanceTest : public DuesFixture {
 protected:
  static constexpr char kHeader[] = "Mã giao dịch,Ngày nộp,Số thẻ đảng viên,Kỳ đóng,Số tiền\n";

  static std::string Row(const std::string& transaction, const v1::Member& member, const std::string& month,
                         int64_t amount) {
    return absl::StrCat(transaction, ",05/", month.substr(5, 2), "/", month.substr(0, 4), ",",
                        member.party_card_number(), ",", month, ",", amount, "\n");
  }

  static grpc::Status Import(int64_t org, const std::string& file, v1::ImportPortalPaymentsResponse* out,
                             bool validate_only = false, const std::string& token = "") {
    v1::ImportPortalPaymentsRequest request;
    request.set_organization(OrgName(org));
    request.set_file(file);
    request.set_validate_only(validate_only);
    return Call(*dues_, &Dues::ImportPortalPayments, token.empty() ? AdminToken() : token, request, out);
  }

  static grpc::Status Remit(int64_t org, const std::string& month, int64_t amount, v1::DuesRemittance* out,
                            const std::string& corrects = "", const std::string& token = "") {
    v1::RecordDuesRemittanceRequest request;
    request.mutable_remittance()->set_organization(OrgName(org));
    request.mutable_remittance()->set_month(month);
    request.mutable_remittance()->set_amount(amount);
    request.mutable_remittance()->set_channel(v1::REMITTANCE_CHANNEL_BANK_TRANSFER);
    request.mutable_remittance()->set_remitted_on("2026-04-10");
    request.mutable_remittance()->set_reference("UNC-" + month);
    request.mutable_remittance()->set_corrects(corrects);
    if (!corrects.empty()) request.mutable_remittance()->set_note("the bank statement says otherwise");
    return Call(*dues_, &Dues::RecordDuesRemittance, token.empty() ? AdminToken() : token, request, out);
  }
  static v1::DuesRemittance RemitOk(int64_t org, const std::string& month, int64_t amount,
                                    const std::string& corrects = "") {
    v1::DuesRemittance out;
    grpc::Status status = Remit(org, month, amount, &out, corrects);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }

  static v1::DuesReconciliation Reconcile(int64_t org, const std::string& from, const std::string& to = "",
                                          const std::string& token = "") {
    v1::GetDuesReconciliationRequest request;
    request.set_organization(OrgName(org));
    request.set_from_month(from);
    request.set_to_month(to);
    v1::DuesReconciliation out;
    grpc::Status status =
        Call(*dues_, &Dues::GetDuesReconciliation, token.empty() ? AdminToken() : token, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }

  static const v1::DuesAccount& Below(const v1::DuesReconciliation& reconciliation, int64_t org) {
    for (const v1::DuesAccount& account : reconciliation.below()) {
      if (account.organization() == OrgName(org)) return account;
    }
    ADD_FAILURE() << OrgName(org) << " is not below";
    return v1::DuesAccount::default_instance();
  }

  static void Collect(int64_t cell, const std::string& month, const std::vector<std::pair<v1::Member, int64_t>>& paid) {
    v1::RecordCellCollectionRequest request;
    request.set_cell(OrgName(cell));
    request.set_month(month);
    request.set_paid_on("2026-03-20");
    for (const auto& [member, amount] : paid) {
      v1::CollectedPayment* payment = request.add_payments();
      payment->set_member(member.name());
      payment->set_amount(amount);
    }
    v1::RecordCellCollectionResponse out;
    grpc::Status status = Call(*dues_, &Dues::RecordCellCollection, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }
};

TEST_F(GrpcDuesRemittanceTest, ThePortalsFileIsRecordedWholeAndOnce) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member first = Farmer(branch.cell_a);
  const v1::Member second = Farmer(branch.cell_b);
  const std::string t1 = UniqueCode("DVC"), t2 = UniqueCode("DVC");
  const std::string file = absl::StrCat(kHeader, Row(t1, first, "2026-03", 15'930), Row(t2, second, "2026-04", 20'000));
  const int64_t entries = CountRows("dues_entries"), feed = CountRows("change_feed");

  v1::ImportPortalPaymentsResponse checked;
  grpc::Status status = Import(branch.grassroots, file, &checked, /*validate_only=*/true);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(checked.rows(), 2);
  EXPECT_EQ(checked.recorded(), 2);
  EXPECT_EQ(checked.entries_size(), 0);
  EXPECT_EQ(CountRows("dues_entries"), entries) << "validate_only writes nothing";

  v1::ImportPortalPaymentsResponse imported;
  status = Import(branch.grassroots, file, &imported, false, SecretaryToken(branch.grassroots));
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(imported.recorded(), 2);
  EXPECT_EQ(imported.amount_recorded(), 35'930);
  ASSERT_EQ(imported.entries_size(), 2);
  EXPECT_EQ(imported.entries(0).member(), first.name());
  EXPECT_EQ(imported.entries(0).channel(), v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL);
  EXPECT_EQ(imported.entries(0).reference(), t1);
  EXPECT_EQ(imported.entries(0).paid_on(), "2026-03-05");
  EXPECT_EQ(Month(Ledger(first), 3).paid(), 15'930);
  EXPECT_EQ(Month(Ledger(second), 4).voluntary(), 20'000 - 15'930);
  EXPECT_EQ(CountRows("dues_entries"), entries + 2);
  EXPECT_EQ(CountRows("change_feed"), feed + 2);

  // The same file again, or a later one repeating its rows: nothing new.
  v1::ImportPortalPaymentsResponse again;
  status = Import(branch.grassroots, file, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.recorded(), 0);
  EXPECT_EQ(again.already_recorded(), 2);
  EXPECT_EQ(CountRows("dues_entries"), entries + 2);
  // Nor through RecordDuesPayment.
  v1::DuesEntry entry;
  status = Pay(first, "2026-03", 15'930, &entry, "", v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL, t1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(Reason(status), "PORTAL_TRANSACTION_RECORDED");
}

TEST_F(GrpcDuesRemittanceTest, AWrongRowRefusesTheWholeFileNamingItsLineAndColumn) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  RegionOne(branch);
  const v1::Member member = Farmer(branch.cell_a);
  const v1::Member stranger = Farmer(other.cell_a);
  const std::string recorded = UniqueCode("DVC");
  v1::ImportPortalPaymentsResponse out;
  ASSERT_TRUE(Import(branch.grassroots, absl::StrCat(kHeader, Row(recorded, member, "2026-02", 15'930)), &out).ok());
  const int64_t entries = CountRows("dues_entries"), feed = CountRows("change_feed");

  const auto refused = [&](const std::string& rows, const std::string& expected) {
    grpc::Status status = Import(branch.grassroots, absl::StrCat(kHeader, rows), &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(BadField(status), "file");
    EXPECT_NE(status.error_message().find(expected), std::string::npos) << status.error_message();
    EXPECT_EQ(status.error_message().find(member.party_card_number()), std::string::npos) << "no value echoed";
  };
  const std::string fresh = Row(UniqueCode("DVC"), member, "2026-05", 15'930);
  // A transaction recorded before with another amount.
  refused(fresh + Row(recorded, member, "2026-02", 16'000), "line 3, column transaction_id");
  // A card nobody holds.
  v1::Member nobody = member;
  nobody.set_party_card_number("NO-SUCH-CARD-1");
  refused(fresh + Row(UniqueCode("DVC"), nobody, "2026-05", 15'930), "line 3, column party_card_number");
  // A member of another committee.
  refused(fresh + Row(UniqueCode("DVC"), stranger, "2026-05", 15'930), "line 3, column month");
  // Not a number.
  refused(fresh + UniqueCode("DVC") + ",05/05/2026," + member.party_card_number() + ",2026-05,15.93\n",
          "line 3, column amount");
  // Paid for more than a year ahead.
  refused(UniqueCode("DVC") + ",05/05/2026," + member.party_card_number() + ",2027-09,15930\n",
          "line 2, column month");
  EXPECT_EQ(CountRows("dues_entries"), entries) << "nothing of a refused file is written";
  EXPECT_EQ(CountRows("change_feed"), feed);

  // Another committee's secretary cannot import for this one.
  grpc::Status status = Import(branch.grassroots, absl::StrCat(kHeader, fresh), &out, false,
                               SecretaryToken(other.grassroots));
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::NOT_FOUND ||
              status.error_code() == grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message();
  EXPECT_EQ(CountRows("dues_entries"), entries);
}

TEST_F(GrpcDuesRemittanceTest, RemittancesReconcileAgainstTheCollectionAndTheShares) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member a1 = Farmer(branch.cell_a);
  const v1::Member a2 = Farmer(branch.cell_a);
  const v1::Member b1 = Farmer(branch.cell_b);
  Collect(branch.cell_a, "2026-03", {{a1, 16'000}, {a2, 15'930}});
  v1::ImportPortalPaymentsResponse imported;
  ASSERT_TRUE(Import(branch.grassroots, absl::StrCat(kHeader, Row(UniqueCode("DVC"), b1, "2026-03", 15'930)),
                     &imported)
                  .ok());

  // Cell A collected 31,930 in cash, as its sheet says, and remitted nothing yet.
  v1::DuesReconciliation cell_a = Reconcile(branch.cell_a, "2026-03");
  const v1::CollectionSheet sheet = Sheet(branch.cell_a, "2026-03");
  EXPECT_EQ(cell_a.account().collected_cash(), sheet.total_paid() + sheet.total_voluntary());
  EXPECT_EQ(cell_a.account().collected_cash(), 31'930);
  EXPECT_EQ(cell_a.account().received(), 31'930);
  EXPECT_EQ(cell_a.account().keep_percent_min(), 30);
  EXPECT_EQ(cell_a.account().keep_percent_max(), 50);
  EXPECT_EQ(cell_a.account().to_remit_min(), 15'965);
  EXPECT_EQ(cell_a.account().to_remit_max(), 22'351);
  EXPECT_EQ(cell_a.account().status(), v1::RECONCILIATION_STATUS_SHORT);
  EXPECT_EQ(cell_a.account().difference(), -15'965);
  EXPECT_NE(cell_a.account().rule_note().find("NOT CONFIRMED"), std::string::npos) << "QĐ 01's months";

  const v1::DuesRemittance from_a = RemitOk(branch.cell_a, "2026-03", 20'000);
  EXPECT_EQ(from_a.to_organization(), OrgName(branch.grassroots));
  cell_a = Reconcile(branch.cell_a, "2026-03");
  EXPECT_EQ(cell_a.account().status(), v1::RECONCILIATION_STATUS_BALANCED);
  EXPECT_EQ(cell_a.account().remitted(), 20'000);
  ASSERT_EQ(cell_a.remittances_size(), 1);

  // Cell B's member paid through the portal; it hands up too little.
  const v1::DuesRemittance from_b = RemitOk(branch.cell_b, "2026-03", 5'000);
  v1::DuesReconciliation committee = Reconcile(branch.grassroots, "2026-03");
  EXPECT_EQ(Below(committee, branch.cell_b).collected_portal(), 15'930);
  EXPECT_EQ(Below(committee, branch.cell_b).status(), v1::RECONCILIATION_STATUS_SHORT);
  EXPECT_EQ(Below(committee, branch.cell_b).difference(), 5'000 - 7'965);
  EXPECT_EQ(Below(committee, branch.cell_a).status(), v1::RECONCILIATION_STATUS_BALANCED);
  EXPECT_EQ(committee.account().received_from_below(), 25'000);
  EXPECT_EQ(committee.account().keep_percent_min(), 70) << "a đảng bộ cơ sở keeps 70%";
  EXPECT_EQ(committee.account().to_remit_min(), 7'500);
  EXPECT_EQ(committee.account().status(), v1::RECONCILIATION_STATUS_SHORT);

  // The bank statement shows 10,000: a correction stands in place of the 5,000.
  const v1::DuesRemittance corrected = RemitOk(branch.cell_b, "2026-03", 10'000, from_b.name());
  EXPECT_EQ(corrected.corrects(), from_b.name());
  committee = Reconcile(branch.grassroots, "2026-03");
  EXPECT_EQ(Below(committee, branch.cell_b).remitted(), 10'000);
  EXPECT_EQ(Below(committee, branch.cell_b).status(), v1::RECONCILIATION_STATUS_BALANCED);
  EXPECT_EQ(committee.account().received_from_below(), 30'000);
  int64_t remitted_below = 0;
  for (const v1::DuesAccount& account : committee.below()) remitted_below += account.remitted();
  EXPECT_EQ(remitted_below, committee.account().received_from_below());
  v1::DuesRemittance twice;
  grpc::Status status = Remit(branch.cell_b, "2026-03", 9'000, &twice, from_b.name());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "REMITTANCE_ALREADY_CORRECTED");
  const v1::DuesReconciliation cell_b = Reconcile(branch.cell_b, "2026-03");
  ASSERT_EQ(cell_b.remittances_size(), 2) << "the corrected row stays, marked";
  EXPECT_EQ(cell_b.remittances(0).corrected_by(), corrected.name());

  // The committee hands up 30% of 30,000 to the organization above it.
  const v1::DuesRemittance up = RemitOk(branch.grassroots, "2026-03", 9'000);
  EXPECT_EQ(up.to_organization(), OrgName(RootId()));
  EXPECT_EQ(RemitOk(RootId(), "2011-04", 1).to_organization(), "") << "the root remits outside this system";
  committee = Reconcile(branch.grassroots, "2026-03");
  EXPECT_EQ(committee.account().status(), v1::RECONCILIATION_STATUS_BALANCED);
  // A quarter at once: the same sums, other months empty.
  EXPECT_EQ(Reconcile(branch.grassroots, "2026-01", "2026-03").account().remitted(), 9'000);
  EXPECT_EQ(Reconcile(branch.grassroots, "2026-04").account().status(),
            v1::RECONCILIATION_STATUS_NOTHING_RECEIVED);
  // The inspection commission reads it.
  Reconcile(branch.grassroots, "2026-03", "", InspectorToken(branch.grassroots));
}

TEST_F(GrpcDuesRemittanceTest, BadRemittancesNameTheFieldAndWriteNothing) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const int64_t rows = CountRows("dues_remittances"), feed = CountRows("change_feed");
  v1::DuesRemittance out;
  EXPECT_EQ(BadField(Remit(branch.cell_a, "2026-13", 1'000, &out)), "remittance.month");
  EXPECT_EQ(BadField(Remit(branch.cell_a, "2026-03", 0, &out)), "remittance.amount");
  EXPECT_EQ(BadField(Remit(branch.cell_a, "2026-03", 1'000, &out, "organizations/1/duesRemittances/x")),
            "remittance.corrects");
  EXPECT_EQ(BadField(Remit(branch.cell_a, "2026-03", 1'000, &out,
                           absl::StrCat(OrgName(branch.cell_b), "/duesRemittances/1"))),
            "remittance.corrects")
      << "a remittance corrects one of the same organization";
  grpc::Status status =
      Remit(branch.cell_a, "2026-03", 1'000, &out, absl::StrCat(OrgName(branch.cell_a), "/duesRemittances/999999999"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  status = Remit(branch.cell_a, "2026-03", 1'000, &out, "", SecretaryToken(other.grassroots));
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::NOT_FOUND ||
              status.error_code() == grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message();
  status = Remit(branch.cell_a, "2026-03", 1'000, &out, "", InspectorToken(branch.grassroots));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << "the commission inspects, never records";
  v1::GetDuesReconciliationRequest request;
  request.set_organization(OrgName(branch.grassroots));
  request.set_from_month("2026-01");
  request.set_to_month("2027-01");
  v1::DuesReconciliation reconciliation;
  EXPECT_EQ(BadField(Call(*dues_, &Dues::GetDuesReconciliation, AdminToken(), request, &reconciliation)), "to_month");
  EXPECT_EQ(CountRows("dues_remittances"), rows);
  EXPECT_EQ(CountRows("change_feed"), feed);
}

// The monthly totals for reporting: published once per change of a cell's
// month, and recomputed for every member under an organization whose wage
// region changes.
TEST_F(GrpcDuesRemittanceTest, CellTotalsArePublishedWhenTheyChangeAndOnlyThen) {
  const Branch branch = NewBranch();
  RegionOne(branch);
  const v1::Member farmer = Farmer(branch.cell_a);
  PayOk(farmer, "2026-03", 15'930);
  ASSERT_TRUE(member_services().dues_totals().CatchUp().ok());
  const std::string march = absl::StrCat("cell_id = ", branch.cell_a, " AND month = '2026-03-01'");
  EXPECT_EQ(MemberDbInt("SELECT due FROM dues_cell_months WHERE " + march), 15'930);
  EXPECT_EQ(MemberDbInt("SELECT paid FROM dues_cell_months WHERE " + march), 15'930);
  EXPECT_EQ(MemberDbInt("SELECT members_owing FROM dues_cell_months WHERE " + march), 1);
  const std::string published = absl::StrCat(
      "SELECT COUNT(*) FROM change_feed WHERE resource_type = 'dues_cell_month' AND resource_name LIKE 'organizations/",
      branch.cell_a, "/duesMonths/%'");
  const int64_t entries = MemberDbInt(published);
  EXPECT_GE(entries, 12) << "every month of 2026 kept here, January on";
  ASSERT_TRUE(member_services().dues_totals().CatchUp().ok());
  EXPECT_EQ(MemberDbInt(published), entries) << "nothing changed, nothing published";

  // Region IV from January: 0.3% of 3,700,000.
  v1::SetWageRegionRequest region;
  region.mutable_region()->set_organization(OrgName(branch.grassroots));
  region.mutable_region()->set_region(4);
  region.mutable_region()->set_effective_from("2026-01-01");
  region.mutable_region()->set_citation("Nghị định 293/2025/NĐ-CP, Phụ lục");
  v1::WageRegion set;
  ASSERT_TRUE(Call(*dues_, &Dues::SetWageRegion, AdminToken(), region, &set).ok());
  ASSERT_TRUE(member_services().dues_totals().CatchUp().ok());
  EXPECT_EQ(MemberDbInt("SELECT due FROM dues_cell_months WHERE " + march), 11'100);
  EXPECT_EQ(MemberDbInt("SELECT voluntary FROM dues_cell_months WHERE " + march), 15'930 - 11'100);
  EXPECT_GT(MemberDbInt(published), entries);
}

}  // namespace
}  // namespace grassroots::membership::testing
