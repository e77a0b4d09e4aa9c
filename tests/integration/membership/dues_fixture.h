#pragma once
// The dues integration tests' fixture: DuesService's stub on the membership
// fixture, a branch opened for dues in region I, and calls the tests repeat.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/loopback.h"

namespace grassroots::membership::testing {

using Dues = v1::DuesService::Stub;

class DuesFixture : public MembershipFixture {
 protected:
  static void SetUpTestSuite() {
    MembershipFixture::SetUpTestSuite();
    dues_ = v1::DuesService::NewStub(grassroots::testing::LoopbackChannel(membership_port())).release();
  }
  static void TearDownTestSuite() {
    delete dues_;
    MembershipFixture::TearDownTestSuite();
  }

  // Region I for the branch (its cells take it) from 2026-01-01, and its
  // ledger kept here from January 2026.
  static void RegionOne(const Branch& branch) {
    v1::OpenDuesLedgerRequest open;
    open.mutable_opening()->set_organization(OrgName(branch.grassroots));
    open.mutable_opening()->set_first_month("2026-01");
    v1::DuesLedgerOpening opening;
    grpc::Status opened = Call(*dues_, &Dues::OpenDuesLedger, AdminToken(), open, &opening);
    ASSERT_TRUE(opened.ok()) << opened.error_message() << " " << BadField(opened);
    v1::SetWageRegionRequest request;
    request.mutable_region()->set_organization(OrgName(branch.grassroots));
    request.mutable_region()->set_region(1);
    request.mutable_region()->set_effective_from("2026-01-01");
    request.mutable_region()->set_citation("Nghị định 293/2025/NĐ-CP, Phụ lục");
    v1::WageRegion out;
    grpc::Status status = Call(*dues_, &Dues::SetWageRegion, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }

  static grpc::Status Pay(const v1::Member& member, const std::string& month, int64_t amount, v1::DuesEntry* out,
                          const std::string& token = "",
                          v1::DuesChannel channel = v1::DUES_CHANNEL_CASH, const std::string& reference = "") {
    v1::RecordDuesPaymentRequest request;
    request.mutable_entry()->set_member(member.name());
    request.mutable_entry()->set_month(month);
    request.mutable_entry()->set_amount(amount);
    request.mutable_entry()->set_channel(channel);
    request.mutable_entry()->set_paid_on("2026-11-30");
    request.mutable_entry()->set_reference(reference);
    return Call(*dues_, &Dues::RecordDuesPayment, token.empty() ? AdminToken() : token, request, out);
  }
  static v1::DuesEntry PayOk(const v1::Member& member, const std::string& month, int64_t amount) {
    v1::DuesEntry out;
    grpc::Status status = Pay(member, month, amount, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }

  static v1::DuesLedger Ledger(const v1::Member& member, const std::string& token = "") {
    v1::GetDuesLedgerRequest request;
    request.set_member(member.name());
    request.set_year(2026);
    v1::DuesLedger out;
    grpc::Status status = Call(*dues_, &Dues::GetDuesLedger, token.empty() ? AdminToken() : token, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }
  static const v1::DuesMonth& Month(const v1::DuesLedger& ledger, int month) { return ledger.months(month - 1); }

  static v1::CollectionSheet Sheet(int64_t cell, const std::string& month, const std::string& token = "") {
    v1::GetCollectionSheetRequest request;
    request.set_cell(OrgName(cell));
    request.set_month(month);
    v1::CollectionSheet out;
    grpc::Status status = Call(*dues_, &Dues::GetCollectionSheet, token.empty() ? AdminToken() : token, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }

  static std::vector<std::string> AlertedMembers(int64_t org, const std::string& as_of) {
    v1::ListMemberAlertsRequest request;
    request.set_organization(OrgName(org));
    request.add_kinds(v1::ALERT_KIND_DUES_ARREARS);
    request.set_as_of_date(as_of);
    v1::ListMemberAlertsResponse out;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::ListMemberAlerts, AdminToken(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    std::vector<std::string> names;
    for (const v1::MemberAlert& alert : out.alerts()) {
      names.push_back(alert.member());
      EXPECT_EQ(alert.rule_id(), "dues.arrears.unpaid_months_in_year");
      EXPECT_NE(alert.citation().find("Điều lệ"), std::string::npos) << alert.citation();
    }
    return names;
  }

  static v1::Member Farmer(int64_t cell) {
    return CreateExisting(cell, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_FARMER).BornOn("1985-04-12")),
                          v1::MEMBER_STATUS_OFFICIAL, "2015-06-01");
  }

  static inline Dues* dues_ = nullptr;
};

}  // namespace grassroots::membership::testing
