#include "common/export/csv_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace grassroots::common::exporting {
namespace {

bool ReadsAsFormula(std::string_view text) {
  if (text.empty()) return false;
  switch (text.front()) {
    case '=': case '+': case '-': case '@': case '\t': case '\r':
      return true;
    default:
      return false;
  }
}

std::string Quoted(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string CsvField(const Cell& cell) {
  switch (cell.kind()) {
    case Cell::Kind::kEmpty: return "";
    case Cell::Kind::kInteger: return absl::StrCat(cell.integer());
    case Cell::Kind::kPercent: return FormatPercentHundredths(cell.integer());
    case Cell::Kind::kDate:
      return absl::StrFormat("%04d-%02d-%02d", cell.day().year(), cell.day().month(), cell.day().day());
    case Cell::Kind::kText:
      return Quoted(ReadsAsFormula(cell.text()) ? absl::StrCat("'", cell.text()) : cell.text());
  }
  return "";
}

std::string CsvRecord(const Row& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvField(cells[i]);
  }
  out += "\r\n";
  return out;
}

CsvWriter::CsvWriter(ByteSink sink, size_t chunk_bytes) : out_(std::move(sink), chunk_bytes) {}

absl::Status CsvWriter::Begin(const std::vector<Column>& columns) {
  if (absl::Status status = out_.Write(kUtf8Bom); !status.ok()) return status;
  Row header;
  for (const Column& column : columns) header.push_back(Cell::Text(column.header));
  return AddRow(header);
}

absl::Status CsvWriter::AddRow(const Row& cells) { return out_.Write(CsvRecord(cells)); }

absl::Status CsvWriter::Finish() { return out_.Flush(); }

}  // namespace grassroots::common::exporting
