#pragma once
// A small RAII wrapper over libxlsxwriter (which writes to a file, not to
// memory): the workbook lives in a temp file that is removed when the
// XlsxWorkbook goes; sheets get a bold, frozen header row and column widths;
// integers and percents are numbers (percents with the format "0.00%"),
// dates real dates. Rows are written in order in constant-memory mode, so a
// long sheet does not grow the process.
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/export/table.h"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace grassroots::common::exporting {

inline constexpr size_t kMaxSheetNameChars = 31;

// A sheet name Excel accepts: []:*?/\ replaced, at most 31 characters (code
// points, never a split UTF-8 sequence), and different (ignoring ASCII case)
// from every name in `taken` (" (2)", " (3)"... appended within the limit).
std::string SheetName(std::string_view wanted, const std::set<std::string>& taken);

class XlsxWorkbook;

class XlsxSheet {
 public:
  absl::Status AddRow(const Row& cells);
  const std::string& name() const { return name_; }

 private:
  friend class XlsxWorkbook;
  XlsxSheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, std::string name)
      : workbook_(workbook), sheet_(sheet), name_(std::move(name)) {}
  XlsxWorkbook& workbook_;
  lxw_worksheet* sheet_;
  std::string name_;
  uint32_t next_row_ = 1;  // row 0 is the header
};

class XlsxWorkbook {
 public:
  // A workbook in a new temp file under `dir` (TMPDIR or /tmp when empty).
  static absl::StatusOr<std::unique_ptr<XlsxWorkbook>> Create(const std::string& dir = "");
  ~XlsxWorkbook();
  XlsxWorkbook(const XlsxWorkbook&) = delete;
  XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;

  // A new sheet named after `name` (made valid and unique), with its header row.
  absl::StatusOr<XlsxSheet*> AddSheet(std::string_view name, const std::vector<Column>& columns);
  // Writes the file; nothing can be added after.
  absl::Status Close();
  // Close()s if needed, then sends the file in chunks of at most `chunk_bytes`.
  absl::Status Stream(size_t chunk_bytes, const ByteSink& sink);

  const std::string& path() const { return path_; }

 private:
  friend class XlsxSheet;
  explicit XlsxWorkbook(std::string path);

  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* percent_ = nullptr;
  lxw_format* date_ = nullptr;
  std::set<std::string> sheet_names_;
  std::vector<std::unique_ptr<XlsxSheet>> sheets_;
};

}  // namespace grassroots::common::exporting
