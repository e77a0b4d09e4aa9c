#pragma once
// Multi-row statements in a bounded number of statement texts. Rows go in
// chunks of a few fixed sizes, so a connection prepares and caches at most one
// text per chunk size for a statement, whatever the number of rows, while a
// batch of a few hundred rows still takes only a handful of round trips.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace grassroots::common::db {

// Largest first; every count is a sum of these.
inline constexpr int kRowChunkSizes[] = {64, 16, 4, 1};

// The chunk sizes for `rows` rows, largest first (200 -> 64, 64, 64, 4, 4).
std::vector<int> RowChunks(size_t rows);

// `rows` copies of one row's placeholder group, comma-separated:
// RepeatRow("(?, ?)", 2) == "(?, ?),(?, ?)".
std::string RepeatRow(std::string_view row, int rows);

// Calls fn(first_row, row_count) for each chunk of `rows`, in order.
template <typename Fn>
void ForEachRowChunk(size_t rows, Fn&& fn) {
  size_t first = 0;
  for (int count : RowChunks(rows)) {
    fn(first, count);
    first += static_cast<size_t>(count);
  }
}

}  // namespace grassroots::common::db
