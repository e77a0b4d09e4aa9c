// Dues up the tree by the rules in data/rules/rules.json: the share each
// organization type keeps (QĐ 342's shares, carried into QĐ 01's months and
// flagged as not confirmed), what it hands up with the rounding rule, how a
// recorded remittance compares; and the portal's payment file format.
#include <gtest/gtest.h>

#include <string>

#include "common/rules/rules_registry.h"
#include "tests/unit/membership/repo_rules.h"
#include "common/status/status.h"
#include "services/membership/domain/dues_remittance.h"
#include "services/membership/handlers/portal_payments_csv.h"

namespace grassroots::membership {
namespace {

using absl::CivilMonth;
using domain::KeepShare;
using domain::RemittanceStanding;

const common::RulesRegistry& Rules() { return testing::RepoRules(); }

KeepShare Share(std::string_view type, CivilMonth month) {
  absl::StatusOr<KeepShare> share = domain::KeepShareOf(type, month, Rules());
  EXPECT_TRUE(share.ok()) << share.status();
  return share.value_or(KeepShare{});
}

TEST(KeepShareTest, EachTypeKeepsQd342sShare) {
  const CivilMonth month(2025, 6);
  const KeepShare cell = Share("CHI_BO_TRUC_THUOC", month);
  EXPECT_EQ(cell.min_percent, 30);
  EXPECT_EQ(cell.max_percent, 50);
  EXPECT_EQ(Share("DANG_BO_XA", month).min_percent, 90);
  EXPECT_EQ(Share("DANG_BO_CO_SO", month).min_percent, 70);
  EXPECT_EQ(Share("CHI_BO_CO_SO", month).max_percent, 70);
  EXPECT_EQ(Share("DANG_BO_BO_PHAN", month).max_percent, 0);
  // Every level above grassroots: the default.
  EXPECT_EQ(Share("DANG_BO_TINH", month).min_percent, 50);
  EXPECT_EQ(Share("DANG_BO_KHOI", month).max_percent, 50);
  EXPECT_NE(cell.citation.find("QĐ 342"), std::string::npos);
}

TEST(KeepShareTest, FromFebruary2026TheRuleSaysItsShareIsNotConfirmed) {
  const KeepShare january = Share("CHI_BO_TRUC_THUOC", CivilMonth(2026, 1));
  const KeepShare february = Share("CHI_BO_TRUC_THUOC", CivilMonth(2026, 2));
  EXPECT_EQ(january.citation.find("QĐ 01"), std::string::npos);
  EXPECT_NE(february.citation.find("QĐ 01"), std::string::npos);
  EXPECT_NE(february.note.find("NOT CONFIRMED"), std::string::npos);
  EXPECT_EQ(february.min_percent, january.min_percent);
}

TEST(KeepShareTest, NoRuleBeforeQd342IsAFailedPrecondition) {
  absl::StatusOr<KeepShare> share = domain::KeepShareOf("DANG_BO_XA", CivilMonth(2010, 12), Rules());
  ASSERT_FALSE(share.ok());
  EXPECT_EQ(share.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(share.status()), "NO_RULE_IN_FORCE");
}

TEST(KeepShareTest, AMalformedRuleIsAnInternalError) {
  absl::StatusOr<common::RulesRegistry> rules = common::RulesRegistry::FromJsonText(R"({"rules": [
    {"id": "dues.share.keep_percent", "value": {"X": {"min": 60, "max": 40}}, "effective_from": "2011-01-01",
     "citation": "test", "description": "a band upside down"}]})");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(domain::KeepShareOf("X", CivilMonth(2020, 1), *rules).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(domain::KeepShareOf("Y", CivilMonth(2020, 1), *rules).status().code(), absl::StatusCode::kInternal);
}

TEST(ToRemitTest, ABandHandsUpFromTheLargestShareKeptToTheSmallest) {
  const domain::RemittanceBand band = domain::ToRemit(100'000, Share("CHI_BO_TRUC_THUOC", CivilMonth(2026, 3)));
  EXPECT_EQ(band.min_dong, 50'000);  // keeping 50%
  EXPECT_EQ(band.max_dong, 70'000);  // keeping 30%
  const domain::RemittanceBand commune = domain::ToRemit(123'455, Share("DANG_BO_XA", CivilMonth(2026, 3)));
  // 10% of 123,455 is 12,345.5: halves up.
  EXPECT_EQ(commune.min_dong, 12'346);
  EXPECT_EQ(commune.max_dong, 12'346);
  const domain::RemittanceBand whole = domain::ToRemit(77'777, Share("DANG_BO_BO_PHAN", CivilMonth(2026, 3)));
  EXPECT_EQ(whole.min_dong, 77'777);
}

TEST(CheckRemittanceTest, WithinTheBandBalancesOutsideIsShortOrOver) {
  const domain::RemittanceBand band{.min_dong = 50'000, .max_dong = 70'000};
  EXPECT_EQ(domain::CheckRemittance(100'000, band, 60'000).standing, RemittanceStanding::kBalanced);
  EXPECT_EQ(domain::CheckRemittance(100'000, band, 50'000).standing, RemittanceStanding::kBalanced);
  EXPECT_EQ(domain::CheckRemittance(100'000, band, 70'000).standing, RemittanceStanding::kBalanced);
  const domain::RemittanceCheck short_by = domain::CheckRemittance(100'000, band, 45'000);
  EXPECT_EQ(short_by.standing, RemittanceStanding::kShort);
  EXPECT_EQ(short_by.difference, -5'000);
  const domain::RemittanceCheck nothing = domain::CheckRemittance(100'000, band, 0);
  EXPECT_EQ(nothing.standing, RemittanceStanding::kShort);
  EXPECT_EQ(nothing.difference, -50'000);
  const domain::RemittanceCheck over = domain::CheckRemittance(100'000, band, 71'000);
  EXPECT_EQ(over.standing, RemittanceStanding::kOver);
  EXPECT_EQ(over.difference, 1'000);
  EXPECT_EQ(domain::CheckRemittance(0, {}, 0).standing, RemittanceStanding::kNothingReceived);
  EXPECT_EQ(domain::CheckRemittance(0, {}, 10).standing, RemittanceStanding::kOver);
}

TEST(PortalCsvTest, ReadsThePortalsColumnsInAnyOrderWithVietnameseHeaders) {
  const std::string file =
      "\xEF\xBB\xBFSTT,Số tiền,Kỳ đóng,Số thẻ đảng viên,Họ và tên,Ngày nộp,Mã giao dịch\r\n"
      "1,\"120.000\",03/2026,79012345,Nguyễn Văn A,05/03/2026,DVC-2026-0001\r\n"
      ",,,,,,\r\n"
      "2,5000,2026-04,79012346,Trần Thị B,2026-04-02,DVC-2026-0002\r\n";
  absl::StatusOr<std::vector<portal_csv::PortalPayment>> rows = portal_csv::ParsePortalPayments(file);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].transaction_id, "DVC-2026-0001");
  EXPECT_EQ((*rows)[0].amount, 120'000);
  EXPECT_EQ((*rows)[0].month, CivilMonth(2026, 3));
  EXPECT_EQ((*rows)[0].paid_on, absl::CivilDay(2026, 3, 5));
  EXPECT_EQ((*rows)[0].party_card_number, "79012345");
  EXPECT_EQ((*rows)[0].line, 2);
  EXPECT_EQ((*rows)[1].line, 4);
  EXPECT_EQ((*rows)[1].month, CivilMonth(2026, 4));
}

TEST(PortalCsvTest, TheCanonicalEnglishHeaderWorksToo) {
  absl::StatusOr<std::vector<portal_csv::PortalPayment>> rows = portal_csv::ParsePortalPayments(
      "transaction_id,paid_on,party_card_number,month,amount\nA1,2026-03-05,C1,2026-03,30000\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->front().amount, 30'000);
}

TEST(PortalCsvTest, AWrongRowNamesItsLineAndColumnNeverTheValue) {
  const std::string file =
      "transaction_id,paid_on,party_card_number,month,amount\n"
      "A1,2026-03-05,SECRETCARD9,2026-03,30000\n"
      "A2,2026-03-05,SECRETCARD8,2026-13,30000\n"
      "A3,2026-03-05,SECRETCARD7,2026-03,-5\n"
      "A1,2026-03-05,SECRETCARD6,2026-03,30000\n";
  absl::StatusOr<std::vector<portal_csv::PortalPayment>> rows = portal_csv::ParsePortalPayments(file);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(rows.status()), "file");
  const std::string message(rows.status().message());
  EXPECT_NE(message.find("line 3, column month"), std::string::npos) << message;
  EXPECT_NE(message.find("2 more wrong (lines 4, 5)"), std::string::npos) << message;
  EXPECT_NE(message.find("Nothing was recorded"), std::string::npos) << message;
  EXPECT_EQ(message.find("SECRETCARD"), std::string::npos) << message;
}

TEST(PortalCsvTest, AMissingColumnOrAnEmptyFileIsNamed) {
  absl::StatusOr<std::vector<portal_csv::PortalPayment>> missing =
      portal_csv::ParsePortalPayments("transaction_id,paid_on,month,amount\nA1,2026-03-05,2026-03,1\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("no column party_card_number"), std::string::npos);
  EXPECT_EQ(portal_csv::ParsePortalPayments("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(portal_csv::ParsePortalPayments("transaction_id,paid_on,party_card_number,month,amount\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PortalCsvTest, TooManyRowsIsRefusedWhole) {
  std::string file = "transaction_id,paid_on,party_card_number,month,amount\n";
  for (int i = 0; i < 4; ++i) file += "T" + std::to_string(i) + ",2026-03-05,C,2026-03,1\n";
  portal_csv::Limits limits;
  limits.max_rows = 3;
  EXPECT_EQ(portal_csv::ParsePortalPayments(file, limits).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PortalCsvTest, AmountsMonthsAndTransactionIds) {
  EXPECT_EQ(portal_csv::ParseWholeDong("120000"), 120'000);
  EXPECT_EQ(portal_csv::ParseWholeDong("1.234.567"), 1'234'567);
  EXPECT_EQ(portal_csv::ParseWholeDong("1,234,567"), 1'234'567);
  EXPECT_EQ(portal_csv::ParseWholeDong(" 45 000 "), 45'000);
  EXPECT_EQ(portal_csv::ParseWholeDong("12.34"), std::nullopt);
  EXPECT_EQ(portal_csv::ParseWholeDong("1.234,567"), std::nullopt);
  EXPECT_EQ(portal_csv::ParseWholeDong("1234.567"), std::nullopt);
  EXPECT_EQ(portal_csv::ParseWholeDong("-5"), std::nullopt);
  EXPECT_EQ(portal_csv::ParseWholeDong(""), std::nullopt);
  EXPECT_EQ(portal_csv::ParseMonthText("2026-03"), CivilMonth(2026, 3));
  EXPECT_EQ(portal_csv::ParseMonthText("3/2026"), CivilMonth(2026, 3));
  EXPECT_EQ(portal_csv::ParseMonthText("T12/2025"), CivilMonth(2025, 12));
  EXPECT_EQ(portal_csv::ParseMonthText("13/2025"), std::nullopt);
  EXPECT_EQ(portal_csv::ParseMonthText("2025/03"), std::nullopt);
  EXPECT_TRUE(portal_csv::IsTransactionId("DVC:2026/03-000_1.a"));
  EXPECT_FALSE(portal_csv::IsTransactionId("has space"));
  EXPECT_FALSE(portal_csv::IsTransactionId(""));
  EXPECT_FALSE(portal_csv::IsTransactionId(std::string(129, 'a')));
}

}  // namespace
}  // namespace grassroots::membership
