#pragma once
// One interface over the two file formats: tables in, file bytes out through a
// ByteSink in chunks of at most `chunk_bytes`. CSV holds one table and streams
// as rows come; XLSX puts each table on its own sheet and sends the file when
// finished (libxlsxwriter can only write a whole file).
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/export/table.h"

namespace grassroots::common::exporting {

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // Starts a table (a sheet named `name` in XLSX; CSV takes one table only
  // and has no name for it).
  virtual absl::Status BeginTable(std::string_view name, const std::vector<Column>& columns) = 0;
  virtual absl::Status AddRow(const Row& cells) = 0;
  // Sends what is left (XLSX: the whole file).
  virtual absl::Status Finish() = 0;
};

std::unique_ptr<TableWriter> NewCsvTableWriter(ByteSink sink, size_t chunk_bytes);
absl::StatusOr<std::unique_ptr<TableWriter>> NewXlsxTableWriter(ByteSink sink, size_t chunk_bytes);

inline constexpr std::string_view kCsvContentType = "text/csv; charset=utf-8";
inline constexpr std::string_view kXlsxContentType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace grassroots::common::exporting
