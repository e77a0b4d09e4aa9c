#pragma once
// RFC 4180 CSV as Excel opens it: UTF-8 with a byte-order mark (so Vietnamese
// shows right), CRLF line ends, fields quoted when they hold a comma, a quote
// or a line break. A text cell that a spreadsheet would read as a formula
// (starting with = + - @, a tab or a carriage return) gets a leading
// apostrophe, so an exported name never runs as one.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/export/table.h"

namespace grassroots::common::exporting {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// One field as written (quoted when needed, formula-guarded when text).
std::string CsvField(const Cell& cell);
// One record with its CRLF.
std::string CsvRecord(const Row& cells);

// Writes rows as they come: nothing is held beyond one chunk.
class CsvWriter {
 public:
  CsvWriter(ByteSink sink, size_t chunk_bytes);
  // The BOM and the header record.
  absl::Status Begin(const std::vector<Column>& columns);
  absl::Status AddRow(const Row& cells);
  // Sends the last, partial chunk.
  absl::Status Finish();

 private:
  ChunkedSink out_;
};

}  // namespace grassroots::common::exporting
