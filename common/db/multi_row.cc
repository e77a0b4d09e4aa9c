#include "common/db/multi_row.h"

namespace grassroots::common::db {

std::vector<int> RowChunks(size_t rows) {
  std::vector<int> out;
  for (int size : kRowChunkSizes) {
    while (rows >= static_cast<size_t>(size)) {
      out.push_back(size);
      rows -= static_cast<size_t>(size);
    }
  }
  return out;
}

std::string RepeatRow(std::string_view row, int rows) {
  std::string out;
  out.reserve((row.size() + 1) * static_cast<size_t>(rows > 0 ? rows : 0));
  for (int i = 0; i < rows; ++i) {
    if (i > 0) out.push_back(',');
    out.append(row);
  }
  return out;
}

}  // namespace grassroots::common::db
