#include "services/membership/handlers/portal_payments_csv.h"

#include <array>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"
#include "services/membership/handlers/member_csv.h"

namespace grassroots::membership::portal_csv {
namespace {

enum Column { kTransactionId, kPaidOn, kPartyCardNumber, kMonth, kAmount, kColumns };

struct ColumnSpec {
  std::string_view name;
  std::vector<std::string_view> aliases;  // compared as member_csv::HeaderKey folds them
};

const std::array<ColumnSpec, kColumns>& Specs() {
  static const std::array<ColumnSpec, kColumns> specs = {{
      {"transaction_id", {"ma giao dich", "so giao dich", "ma gd", "ma tham chieu"}},
      {"paid_on", {"ngay nop", "ngay thanh toan", "ngay giao dich"}},
      {"party_card_number", {"so the dang vien", "so the dang", "the dang vien"}},
      {"month", {"ky dong", "ky", "thang dong", "thang"}},
      {"amount", {"so tien", "so tien nop", "so tien dong"}},
  }};
  return specs;
}

std::optional<Column> ColumnOf(std::string_view header) {
  const std::string key = member_csv::HeaderKey(header);
  if (key.empty()) return std::nullopt;
  for (int c = 0; c < kColumns; ++c) {
    const ColumnSpec& spec = Specs()[c];
    if (key == member_csv::HeaderKey(spec.name)) return static_cast<Column>(c);
    for (std::string_view alias : spec.aliases) {
      if (key == alias) return static_cast<Column>(c);
    }
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(common::ToAbsl(text));
  return std::string_view(trimmed.data(), trimmed.size());
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

struct RowProblem {
  int64_t line = 0;
  std::string column;
  std::string message;
};

absl::Status FileError(const std::vector<RowProblem>& problems) {
  const RowProblem& first = problems.front();
  std::string message = absl::StrCat("line ", first.line, ", column ", first.column, ": ", first.message);
  if (problems.size() > 1) {
    std::vector<int64_t> lines;
    for (size_t i = 1; i < problems.size() && lines.size() < 10; ++i) lines.push_back(problems[i].line);
    absl::StrAppend(&message, "; ", problems.size() - 1, " more wrong (lines ", absl::StrJoin(lines, ", "),
                    problems.size() - 1 > lines.size() ? ", ..." : "", ")");
  }
  absl::StrAppend(&message, ". Nothing was recorded.");
  return common::InvalidField("file", message);
}

}  // namespace

std::optional<int64_t> ParseWholeDong(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  std::string digits;
  // Groups of three after a separator, the same separator throughout.
  char separator = 0;
  size_t group = 0;
  bool grouped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      ++group;
      continue;
    }
    if (c != '.' && c != ',' && c != ' ') return std::nullopt;
    if (separator != 0 && c != separator) return std::nullopt;
    if (digits.empty() || (grouped && group != 3) || group > 3) return std::nullopt;
    separator = c;
    grouped = true;
    group = 0;
  }
  if (grouped && group != 3) return std::nullopt;
  if (digits.size() > 15) return std::nullopt;
  int64_t value = 0;
  if (!absl::SimpleAtoi(digits, &value)) return std::nullopt;
  return value;
}

std::optional<absl::CivilMonth> ParseMonthText(std::string_view text) {
  text = Trim(text);
  int year = 0;
  int month = 0;
  if (text.size() == 7 && text[4] == '-' && AllDigits(text.substr(0, 4)) && AllDigits(text.substr(5, 2))) {
    (void)absl::SimpleAtoi(common::ToAbsl(text.substr(0, 4)), &year);
    (void)absl::SimpleAtoi(common::ToAbsl(text.substr(5, 2)), &month);
  } else {
    if (!text.empty() && (text[0] == 'T' || text[0] == 't')) text.remove_prefix(1);
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash > 2 || text.size() - slash - 1 != 4) return std::nullopt;
    if (!AllDigits(text.substr(0, slash)) || !AllDigits(text.substr(slash + 1))) return std::nullopt;
    (void)absl::SimpleAtoi(common::ToAbsl(text.substr(0, slash)), &month);
    (void)absl::SimpleAtoi(common::ToAbsl(text.substr(slash + 1)), &year);
  }
  if (month < 1 || month > 12 || year < 1900 || year > 9999) return std::nullopt;
  return absl::CivilMonth(year, month);
}

bool IsTransactionId(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != ':' &&
        c != '/') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<PortalPayment>> ParsePortalPayments(std::string_view file, const Limits& limits) {
  if (file.empty()) return common::InvalidField("file", "is required: the portal's CSV file");
  if (file.size() > limits.max_bytes) {
    return common::InvalidField("file", absl::StrCat("is larger than ", limits.max_bytes / (1024 * 1024),
                                                     " MiB: split it by month"));
  }
  std::vector<member_csv::CsvRecord> records;
  member_csv::CsvSplitter splitter(member_csv::CsvLimits{.max_record_bytes = 4096, .max_fields = 64});
  const auto keep = [&](member_csv::CsvRecord&& record) {
    records.push_back(std::move(record));
    return absl::OkStatus();
  };
  GR_RETURN_IF_ERROR(splitter.Feed(file, keep));
  GR_RETURN_IF_ERROR(splitter.Finish(keep));
  if (records.empty()) return common::InvalidField("file", "has no header row");
  if (!records.front().error.empty()) {
    return common::InvalidField("file", absl::StrCat("line 1 (the header): ", records.front().error));
  }
  std::array<int, kColumns> position;
  position.fill(-1);
  const std::vector<std::string>& header = records.front().fields;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::optional<Column> column = ColumnOf(header[i]);
    if (!column) continue;  // the portal's other columns (the payer's name, the organization) are not read
    if (position[*column] >= 0) {
      return common::InvalidField("file", absl::StrCat("the header names column ", common::ToAbsl(Specs()[*column].name),
                                                       " twice (columns ", member_csv::ColumnLetter(position[*column]),
                                                       " and ", member_csv::ColumnLetter(i), ")"));
    }
    position[*column] = static_cast<int>(i);
  }
  for (int c = 0; c < kColumns; ++c) {
    if (position[c] < 0) {
      return common::InvalidField("file", absl::StrCat("the header has no column ", common::ToAbsl(Specs()[c].name),
                                                       " (expected: transaction_id, paid_on, party_card_number, "
                                                       "month, amount)"));
    }
  }
  std::vector<PortalPayment> rows;
  std::vector<RowProblem> problems;
  std::set<std::string> seen;
  for (size_t r = 1; r < records.size(); ++r) {
    const member_csv::CsvRecord& record = records[r];
    if (member_csv::IsBlank(record)) continue;
    if (!record.error.empty()) {
      problems.push_back({record.line, "(row)", record.error});
      continue;
    }
    if (rows.size() + problems.size() >= limits.max_rows) {
      return common::InvalidField("file", absl::StrCat("has more than ", limits.max_rows, " rows: split it by month"));
    }
    const auto field = [&](Column c) -> std::string_view {
      const size_t at = static_cast<size_t>(position[c]);
      return at < record.fields.size() ? Trim(record.fields[at]) : std::string_view();
    };
    const auto problem = [&](Column c, std::string message) {
      problems.push_back({record.line, std::string(Specs()[c].name), std::move(message)});
    };
    PortalPayment row;
    row.line = record.line;
    row.transaction_id = std::string(field(kTransactionId));
    if (!IsTransactionId(row.transaction_id)) {
      problem(kTransactionId, "must be 1 to 128 letters, digits or . _ - : /");
      continue;
    }
    if (!seen.insert(row.transaction_id).second) {
      problem(kTransactionId, "repeats an earlier row's transaction");
      continue;
    }
    const std::optional<std::string> paid_on = member_csv::ParseDateText(field(kPaidOn));
    if (!paid_on || !absl::ParseCivilTime(*paid_on, &row.paid_on)) {
      problem(kPaidOn, "must be a date, dd/mm/yyyy or yyyy-mm-dd");
      continue;
    }
    row.party_card_number = std::string(field(kPartyCardNumber));
    if (row.party_card_number.empty() || row.party_card_number.size() > 64) {
      problem(kPartyCardNumber, "must be a party card number");
      continue;
    }
    const std::optional<absl::CivilMonth> month = ParseMonthText(field(kMonth));
    if (!month) {
      problem(kMonth, "must be the month paid for, yyyy-mm or mm/yyyy");
      continue;
    }
    row.month = *month;
    const std::optional<int64_t> amount = ParseWholeDong(field(kAmount));
    if (!amount || *amount <= 0 || *amount > limits.max_amount) {
      problem(kAmount, "must be a positive whole number of đồng");
      continue;
    }
    row.amount = *amount;
    rows.push_back(std::move(row));
  }
  if (!problems.empty()) return FileError(problems);
  if (rows.empty()) return common::InvalidField("file", "has a header but no payment rows");
  return rows;
}

}  // namespace grassroots::membership::portal_csv
