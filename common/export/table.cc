#include "common/export/table.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_format.h"

namespace grassroots::common::exporting {

Cell Cell::Text(std::string text) {
  Cell cell(Kind::kText);
  cell.text_ = std::move(text);
  return cell;
}

Cell Cell::Integer(int64_t value) {
  Cell cell(Kind::kInteger);
  cell.integer_ = value;
  return cell;
}

Cell Cell::PercentHundredths(int64_t hundredths) {
  Cell cell(Kind::kPercent);
  cell.integer_ = hundredths;
  return cell;
}

Cell Cell::Date(absl::CivilDay day) {
  Cell cell(Kind::kDate);
  cell.day_ = day;
  return cell;
}

std::string FormatPercentHundredths(int64_t hundredths) {
  const char* sign = hundredths < 0 ? "-" : "";
  const int64_t magnitude = std::llabs(hundredths);
  return absl::StrFormat("%s%d.%02d", sign, magnitude / 100, magnitude % 100);
}

ChunkedSink::ChunkedSink(ByteSink sink, size_t chunk_bytes) : sink_(std::move(sink)), chunk_bytes_(chunk_bytes) {
  buffer_.reserve(chunk_bytes_);
}

absl::Status ChunkedSink::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t take = std::min(bytes.size(), chunk_bytes_ - buffer_.size());
    buffer_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (buffer_.size() == chunk_bytes_) {
      if (absl::Status status = Flush(); !status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

absl::Status ChunkedSink::Flush() {
  if (buffer_.empty()) return absl::OkStatus();
  absl::Status status = sink_(buffer_);
  buffer_.clear();
  return status;
}

}  // namespace grassroots::common::exporting
