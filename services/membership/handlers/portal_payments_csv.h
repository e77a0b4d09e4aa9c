#pragma once
// The national public service portal's dues payment file, as ImportPortalPayments
// takes it (docs/dues.md), without I/O: a UTF-8 CSV with a header row naming
// at least these columns, in any order (Vietnamese headers accepted, other
// columns ignored):
//   transaction_id     Mã giao dịch       the portal's id of the payment
//   paid_on            Ngày nộp           dd/mm/yyyy or yyyy-mm-dd
//   party_card_number  Số thẻ đảng viên   the payer's card (any card they held)
//   month              Kỳ đóng            the month paid for: yyyy-mm or mm/yyyy
//   amount             Số tiền            whole đồng; "120.000" and "120,000" read as 120000
// Errors name the line and column, never a value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::membership::portal_csv {

struct PortalPayment {
  int64_t line = 0;  // 1-based line of the file where the row starts
  std::string transaction_id;
  absl::CivilDay paid_on;
  std::string party_card_number;
  absl::CivilMonth month;
  int64_t amount = 0;
};

struct Limits {
  size_t max_bytes = 2 * 1024 * 1024;
  size_t max_rows = 10'000;
  int64_t max_amount = 10'000'000'000;
};

// Every data row (blank rows skipped), or INVALID_ARGUMENT with field "file"
// whose message names the first wrong row's line and column and how many other
// rows are wrong (and their lines, the first few). A transaction id twice in
// the file is an error on its second row.
absl::StatusOr<std::vector<PortalPayment>> ParsePortalPayments(std::string_view file, const Limits& limits = {});

// "120.000", "120,000", "120 000" and "120000" -> 120000; nullopt for anything
// else (a sign, decimals, groups not of three).
std::optional<int64_t> ParseWholeDong(std::string_view text);
// "2026-03", "03/2026", "3/2026", "T3/2026" -> March 2026.
std::optional<absl::CivilMonth> ParseMonthText(std::string_view text);
// Letters, digits and . _ - : / only, 1 to 128 characters.
bool IsTransactionId(std::string_view text);

}  // namespace grassroots::membership::portal_csv
