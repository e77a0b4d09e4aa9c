#include "services/reporting/handlers/export_tables.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
using exporting::Cell;
using exporting::Column;
using exporting::Row;

// "66.67" -> 6667; none for an empty or malformed value.
std::optional<int64_t> Hundredths(const std::string& value) {
  if (value.empty()) return std::nullopt;
  const std::vector<std::string> parts = absl::StrSplit(value, '.');
  int64_t whole = 0, fraction = 0;
  if (parts.size() > 2 || !absl::SimpleAtoi(parts[0], &whole)) return std::nullopt;
  if (parts.size() == 2) {
    std::string digits = parts[1].substr(0, 2);
    while (digits.size() < 2) digits += '0';
    if (!absl::SimpleAtoi(digits, &fraction)) return std::nullopt;
  }
  return whole * 100 + (whole < 0 ? -fraction : fraction);
}

// A result's value: a percent for a ratio, the count for a count, empty without one.
Cell ValueCell(const v1::IndicatorResult& indicator) {
  if (indicator.kind() == v1::INDICATOR_KIND_COUNT) return Cell::Integer(indicator.numerator());
  const std::optional<int64_t> hundredths = Hundredths(indicator.value());
  return hundredths ? Cell::PercentHundredths(*hundredths) : Cell::Empty();
}

Cell DenominatorCell(const v1::IndicatorResult& indicator) {
  return indicator.kind() == v1::INDICATOR_KIND_COUNT ? Cell::Empty() : Cell::Integer(indicator.denominator());
}

std::string Amount(double value, const std::string& unit) {
  if (unit == "ratio") return absl::StrFormat("%g%%", value * 100);
  return absl::StrFormat("%g", value);
}

std::string Symbol(const std::string& comparator) {
  if (comparator == ">=") return "≥";
  if (comparator == "<=") return "≤";
  return comparator;
}

std::string KindLabel(v1::ShortfallKind kind) {
  switch (kind) {
    case v1::SHORTFALL_KIND_ORGANIZATION: return "Tổ chức đảng";
    case v1::SHORTFALL_KIND_RESIDENTIAL_UNIT: return "Khu dân cư";
    case v1::SHORTFALL_KIND_MEMBER: return "Đảng viên";
    case v1::SHORTFALL_KIND_POST_HOLDER: return "Người giữ chức danh";
    default: return "";
  }
}

// A count, or "<N" when withheld from this caller.
Cell CountCell(int64_t count, bool suppressed, int64_t min_cell_count) {
  return suppressed ? Cell::Text(absl::StrCat("<", min_cell_count)) : Cell::Integer(count);
}

}  // namespace

std::string AttainmentLabel(v1::Attainment attainment) {
  switch (attainment) {
    case v1::ATTAINMENT_MET: return "Đạt";
    case v1::ATTAINMENT_NOT_MET: return "Chưa đạt";
    case v1::ATTAINMENT_UNKNOWN: return "Chưa xác định";
    case v1::ATTAINMENT_NOT_APPLICABLE: return "Không đánh giá";
    case v1::ATTAINMENT_NO_TARGET: return "Chưa có mục tiêu";
    default: return "";
  }
}

std::string TargetText(const v1::IndicatorResult& indicator) {
  if (!indicator.has_target()) return "";
  const v1::Target& target = indicator.target();
  std::string text;
  if (target.comparator() == "rising_year_on_year") {
    text = "tăng so với năm trước";
  } else if (target.comparator() == "reported") {
    text = "báo cáo, không đánh giá";
  } else if (target.comparator() == "between") {
    text = absl::StrCat("từ ", Amount(target.low(), target.unit()), " đến ", Amount(target.high(), target.unit()));
  } else {
    text = absl::StrCat(Symbol(target.comparator()), " ", Amount(target.value(), target.unit()));
  }
  if (target.by_year() != 0) absl::StrAppend(&text, " (đến năm ", target.by_year(), ")");
  return text;
}

std::vector<Column> ScorecardColumns() {
  return {{"Mã", 6},         {"Chỉ tiêu", 60},  {"Tử số", 10},         {"Mẫu số", 10},
          {"Kết quả (%)", 12}, {"Mục tiêu", 24}, {"Đánh giá", 16}, {"Căn cứ", 40}};
}

Row ScorecardRow(const v1::IndicatorResult& indicator) {
  return {Cell::Text(indicator.id()),
          Cell::Text(indicator.title()),
          Cell::Integer(indicator.numerator()),
          DenominatorCell(indicator),
          ValueCell(indicator),
          Cell::Text(TargetText(indicator)),
          Cell::Text(AttainmentLabel(indicator.attainment())),
          Cell::Text(indicator.target().rule())};
}

std::vector<Column> BreakdownColumns() {
  return {{"Tổ chức", 18}, {"Tên tổ chức", 36}, {"Mã", 6},          {"Chỉ tiêu", 60},
          {"Tử số", 10},   {"Mẫu số", 10},      {"Kết quả (%)", 12}, {"Đánh giá", 16}};
}

Row BreakdownRow(const v1::ScorecardBreakdown::Row& organization, const v1::IndicatorResult& indicator) {
  return {Cell::Text(organization.organization()),
          Cell::Text(organization.organization_display_name()),
          Cell::Text(indicator.id()),
          Cell::Text(indicator.title()),
          Cell::Integer(indicator.numerator()),
          DenominatorCell(indicator),
          ValueCell(indicator),
          Cell::Text(AttainmentLabel(indicator.attainment()))};
}

std::vector<Column> ShortfallColumns() {
  return {{"STT", 6},     {"Loại", 18},    {"Đối tượng", 30}, {"Tên", 36},
          {"Thuộc tổ chức", 18}, {"Chức danh", 28}, {"Lý do", 48}};
}

Row ShortfallRow(int64_t number, const v1::Shortfall& shortfall) {
  return {Cell::Integer(number),
          Cell::Text(KindLabel(shortfall.kind())),
          Cell::Text(shortfall.subject()),
          Cell::Text(shortfall.display_name()),
          Cell::Text(shortfall.organization()),
          Cell::Text(shortfall.post()),
          Cell::Text(shortfall.reason())};
}

std::vector<Column> StatisticsColumns(bool with_table) {
  std::vector<Column> columns = {{"Mã", 28}, {"Nội dung", 48}, {"Số lượng", 12}};
  if (with_table) columns.insert(columns.begin(), Column{"Bảng", 36});
  return columns;
}

std::vector<Row> StatisticsRows(const v1::StatisticsTable& table, int64_t min_cell_count, bool with_table) {
  std::vector<Row> rows;
  for (const v1::StatisticsRow& row : table.rows()) {
    rows.push_back({Cell::Text(row.key()), Cell::Text(row.label()),
                    CountCell(row.count(), row.suppressed(), min_cell_count)});
  }
  rows.push_back({Cell::Text("TOTAL"), Cell::Text("Tổng số"),
                  CountCell(table.total(), table.total_suppressed(), min_cell_count)});
  if (with_table) {
    for (Row& row : rows) row.insert(row.begin(), Cell::Text(table.title()));
  }
  return rows;
}

std::string AsciiFileName(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool keep = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    out += keep ? absl::ascii_tolower(static_cast<unsigned char>(c)) : '-';
  }
  return out;
}

std::string ScorecardFileStem(const v1::Scorecard& scorecard, bool as_of_day, int64_t closed_report_id) {
  std::string plan = scorecard.plan();
  if (plan.starts_with("plans/")) plan = plan.substr(6);
  std::string stem = absl::StrCat("chi-tieu-", plan, "-", scorecard.organization(), "-", scorecard.year());
  if (as_of_day) absl::StrAppend(&stem, "-", scorecard.as_of_date());
  if (closed_report_id != 0) absl::StrAppend(&stem, "-bao-cao-", closed_report_id);
  return AsciiFileName(stem);
}

std::string StatisticsFileStem(const v1::StatisticsHeader& header) {
  return AsciiFileName(absl::StrCat("thong-ke-", header.organization(), "-", header.as_of_date()));
}

}  // namespace grassroots::reporting
