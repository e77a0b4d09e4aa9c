#pragma once
// A table as a person opens it: typed cells (text, integer, percent, date),
// columns with a header and a width. The CSV and XLSX writers render it; the
// callers stream it out through a ByteSink in bounded chunks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"

namespace grassroots::common::exporting {

// Receives the bytes of a file, one chunk at a time, in order.
using ByteSink = std::function<absl::Status(std::string_view bytes)>;

class Cell {
 public:
  enum class Kind { kEmpty, kText, kInteger, kPercent, kDate };

  static Cell Empty() { return Cell(Kind::kEmpty); }
  static Cell Text(std::string text);
  static Cell Integer(int64_t value);
  // A percentage in hundredths of a percent (6667 is 66.67 %): exact, as rounded by the caller.
  static Cell PercentHundredths(int64_t hundredths);
  static Cell Date(absl::CivilDay day);

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  int64_t integer() const { return integer_; }
  absl::CivilDay day() const { return day_; }

 private:
  explicit Cell(Kind kind) : kind_(kind) {}
  Kind kind_;
  std::string text_;
  int64_t integer_ = 0;  // the integer, or the percent's hundredths
  absl::CivilDay day_;
};

using Row = std::vector<Cell>;

struct Column {
  std::string header;
  // In characters of the default font (XLSX); CSV has no widths.
  double width = 12;
};

// The percent as text, "66.67" (no sign: the header says "%").
std::string FormatPercentHundredths(int64_t hundredths);

// Splits what it is given into chunks of exactly `chunk_bytes` (the last one
// shorter) and passes each to the sink: a large file leaves in bounded pieces.
class ChunkedSink {
 public:
  ChunkedSink(ByteSink sink, size_t chunk_bytes);
  absl::Status Write(std::string_view bytes);
  // Sends what is buffered (nothing when empty).
  absl::Status Flush();

 private:
  ByteSink sink_;
  size_t chunk_bytes_;
  std::string buffer_;
};

}  // namespace grassroots::common::exporting
