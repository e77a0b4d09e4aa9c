#include "common/export/xlsx_workbook.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <utility>

#include <xlsxwriter.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace grassroots::common::exporting {
namespace {

// Bytes of the UTF-8 sequence a lead byte starts (1 for anything unexpected).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// The first `max_chars` code points of `text`.
std::string TruncateChars(std::string_view text, size_t max_chars) {
  size_t bytes = 0;
  for (size_t chars = 0; chars < max_chars && bytes < text.size(); ++chars) {
    bytes += SequenceLength(static_cast<unsigned char>(text[bytes]));
  }
  return std::string(text.substr(0, std::min(bytes, text.size())));
}

absl::Status Failed(std::string_view what, lxw_error error) {
  return absl::InternalError(absl::StrCat("xlsx: ", std::string(what), ": ", lxw_strerror(error)));
}

}  // namespace

std::string SheetName(std::string_view wanted, const std::set<std::string>& taken) {
  std::string cleaned;
  for (const char c : wanted) {
    const bool forbidden = c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' || c == '\\';
    cleaned += forbidden ? '_' : c;
  }
  // Excel refuses a name that starts or ends with an apostrophe, and an empty one.
  if (!cleaned.empty() && cleaned.front() == '\'') cleaned.front() = '_';
  if (cleaned.empty()) cleaned = "Sheet";
  auto free = [&](const std::string& name) {
    for (const std::string& other : taken) {
      if (absl::AsciiStrToLower(other) == absl::AsciiStrToLower(name)) return false;
    }
    return true;
  };
  std::string name = TruncateChars(cleaned, kMaxSheetNameChars);
  if (name.back() == '\'') name.back() = '_';
  for (int n = 2; !free(name); ++n) {
    const std::string suffix = absl::StrCat(" (", n, ")");
    name = TruncateChars(cleaned, kMaxSheetNameChars - suffix.size()) + suffix;
  }
  return name;
}

XlsxWorkbook::XlsxWorkbook(std::string path) : path_(std::move(path)) {}

absl::StatusOr<std::unique_ptr<XlsxWorkbook>> XlsxWorkbook::Create(const std::string& dir) {
  std::string base = dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string path = absl::StrCat(base, "/export-XXXXXX.xlsx");
  const int fd = mkstemps(path.data(), 5);
  if (fd < 0) return absl::InternalError(absl::StrCat("xlsx: cannot create a temp file in ", base));
  close(fd);
  std::unique_ptr<XlsxWorkbook> workbook(new XlsxWorkbook(path));
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = base.data();
  workbook->workbook_ = workbook_new_opt(path.c_str(), &options);
  if (workbook->workbook_ == nullptr) return absl::InternalError("xlsx: cannot start a workbook");
  workbook->header_ = workbook_add_format(workbook->workbook_);
  format_set_bold(workbook->header_);
  workbook->percent_ = workbook_add_format(workbook->workbook_);
  format_set_num_format(workbook->percent_, "0.00%");
  workbook->date_ = workbook_add_format(workbook->workbook_);
  format_set_num_format(workbook->date_, "dd/mm/yyyy");
  return workbook;
}

XlsxWorkbook::~XlsxWorkbook() {
  // workbook_close frees the workbook; writing the file first is its only way.
  if (workbook_ != nullptr) workbook_close(workbook_);
  std::remove(path_.c_str());
}

absl::StatusOr<XlsxSheet*> XlsxWorkbook::AddSheet(std::string_view name, const std::vector<Column>& columns) {
  if (workbook_ == nullptr) return absl::FailedPreconditionError("xlsx: the workbook is closed");
  std::string valid = SheetName(name, sheet_names_);
  lxw_worksheet* sheet = workbook_add_worksheet(workbook_, valid.c_str());
  if (sheet == nullptr) return absl::InternalError(absl::StrCat("xlsx: cannot add the sheet ", valid));
  sheet_names_.insert(valid);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto col = static_cast<lxw_col_t>(i);
    worksheet_set_column(sheet, col, col, columns[i].width, nullptr);
    const lxw_error error = worksheet_write_string(sheet, 0, col, columns[i].header.c_str(), header_);
    if (error != LXW_NO_ERROR) return Failed("header", error);
  }
  worksheet_freeze_panes(sheet, 1, 0);
  sheets_.push_back(std::unique_ptr<XlsxSheet>(new XlsxSheet(*this, sheet, std::move(valid))));
  return sheets_.back().get();
}

absl::Status XlsxSheet::AddRow(const Row& cells) {
  if (workbook_.workbook_ == nullptr) return absl::FailedPreconditionError("xlsx: the workbook is closed");
  if (next_row_ >= LXW_ROW_MAX) return absl::ResourceExhaustedError("xlsx: a sheet holds at most 1048576 rows");
  const lxw_row_t row = next_row_++;
  for (size_t i = 0; i < cells.size(); ++i) {
    const Cell& cell = cells[i];
    const auto col = static_cast<lxw_col_t>(i);
    lxw_error error = LXW_NO_ERROR;
    switch (cell.kind()) {
      case Cell::Kind::kEmpty: break;
      case Cell::Kind::kText:
        // A string cell is never evaluated: no guard against formulas is needed here.
        error = worksheet_write_string(sheet_, row, col, cell.text().c_str(), nullptr);
        break;
      case Cell::Kind::kInteger:
        error = worksheet_write_number(sheet_, row, col, static_cast<double>(cell.integer()), nullptr);
        break;
      case Cell::Kind::kPercent:
        error = worksheet_write_number(sheet_, row, col, static_cast<double>(cell.integer()) / 10000.0,
                                       workbook_.percent_);
        break;
      case Cell::Kind::kDate: {
        lxw_datetime day{static_cast<int>(cell.day().year()), cell.day().month(), cell.day().day(), 0, 0, 0};
        error = worksheet_write_datetime(sheet_, row, col, &day, workbook_.date_);
        break;
      }
    }
    if (error != LXW_NO_ERROR) return Failed(absl::StrCat("sheet ", name_), error);
  }
  return absl::OkStatus();
}

absl::Status XlsxWorkbook::Close() {
  if (workbook_ == nullptr) return absl::OkStatus();
  const lxw_error error = workbook_close(workbook_);
  workbook_ = nullptr;
  if (error != LXW_NO_ERROR) return Failed("close", error);
  return absl::OkStatus();
}

absl::Status XlsxWorkbook::Stream(size_t chunk_bytes, const ByteSink& sink) {
  if (absl::Status closed = Close(); !closed.ok()) return closed;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return absl::InternalError("xlsx: cannot read the written workbook");
  std::string chunk(chunk_bytes, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    if (absl::Status sent = sink(std::string_view(chunk.data(), static_cast<size_t>(got))); !sent.ok()) return sent;
  }
  return absl::OkStatus();
}

}  // namespace grassroots::common::exporting
