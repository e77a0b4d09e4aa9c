#include "common/export/table_writer.h"

#include <utility>

#include "common/export/csv_writer.h"
#include "common/export/xlsx_workbook.h"

namespace grassroots::common::exporting {
namespace {

class CsvTableWriter final : public TableWriter {
 public:
  CsvTableWriter(ByteSink sink, size_t chunk_bytes) : csv_(std::move(sink), chunk_bytes) {}

  absl::Status BeginTable(std::string_view, const std::vector<Column>& columns) override {
    if (begun_) return absl::FailedPreconditionError("a CSV file holds one table");
    begun_ = true;
    return csv_.Begin(columns);
  }
  absl::Status AddRow(const Row& cells) override { return csv_.AddRow(cells); }
  absl::Status Finish() override { return csv_.Finish(); }

 private:
  CsvWriter csv_;
  bool begun_ = false;
};

class XlsxTableWriter final : public TableWriter {
 public:
  XlsxTableWriter(std::unique_ptr<XlsxWorkbook> workbook, ByteSink sink, size_t chunk_bytes)
      : workbook_(std::move(workbook)), sink_(std::move(sink)), chunk_bytes_(chunk_bytes) {}

  absl::Status BeginTable(std::string_view name, const std::vector<Column>& columns) override {
    absl::StatusOr<XlsxSheet*> sheet = workbook_->AddSheet(name, columns);
    if (!sheet.ok()) return sheet.status();
    sheet_ = *sheet;
    return absl::OkStatus();
  }
  absl::Status AddRow(const Row& cells) override {
    if (sheet_ == nullptr) return absl::FailedPreconditionError("xlsx: a row before any sheet");
    return sheet_->AddRow(cells);
  }
  absl::Status Finish() override { return workbook_->Stream(chunk_bytes_, sink_); }

 private:
  std::unique_ptr<XlsxWorkbook> workbook_;
  ByteSink sink_;
  size_t chunk_bytes_;
  XlsxSheet* sheet_ = nullptr;
};

}  // namespace

std::unique_ptr<TableWriter> NewCsvTableWriter(ByteSink sink, size_t chunk_bytes) {
  return std::make_unique<CsvTableWriter>(std::move(sink), chunk_bytes);
}

absl::StatusOr<std::unique_ptr<TableWriter>> NewXlsxTableWriter(ByteSink sink, size_t chunk_bytes) {
  absl::StatusOr<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create();
  if (!workbook.ok()) return workbook.status();
  return std::unique_ptr<TableWriter>(new XlsxTableWriter(*std::move(workbook), std::move(sink), chunk_bytes));
}

}  // namespace grassroots::common::exporting
