#pragma once
// Small SQL helpers shared by the residential-unit, meeting, recognition and regulation
// repositories: date/time text conversion and fixed-size IN lists (so one statement
// text per query shape is prepared and cached, whatever the number of ids).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/db.h"

namespace grassroots::org::store::sql_util {

inline std::string DateText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

inline absl::CivilDay ParseDateColumn(const std::string& text) {
  absl::CivilDay day;
  // DATE columns come back as "YYYY-MM-DD"; anything else is a schema bug.
  absl::ParseCivilTime(text.substr(0, 10), &day);
  return day;
}

inline std::optional<absl::CivilDay> OptionalDate(sql::ResultSet& rs, const std::string& column) {
  std::optional<std::string> text = common::db::GetOptionalString(rs, column);
  if (!text) return std::nullopt;
  return ParseDateColumn(*text);
}

inline void SetOptionalDate(sql::PreparedStatement& ps, int index, const std::optional<absl::CivilDay>& day) {
  common::db::SetOptionalString(ps, index, day ? std::optional<std::string>(DateText(*day)) : std::nullopt);
}

// DATETIME(6) columns hold UTC.
inline std::string TimeText(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone()); }

inline absl::Time ParseTimeColumn(const std::string& text) {
  absl::Time t;
  absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &t, nullptr);
  return t;
}

inline std::optional<absl::Time> OptionalTime(sql::ResultSet& rs, const std::string& column) {
  std::optional<std::string> text = common::db::GetOptionalString(rs, column);
  if (!text) return std::nullopt;
  return ParseTimeColumn(*text);
}

inline void SetOptionalTime(sql::PreparedStatement& ps, int index, const std::optional<absl::Time>& t) {
  common::db::SetOptionalString(ps, index, t ? std::optional<std::string>(TimeText(*t)) : std::nullopt);
}

inline std::string EmptyIfNull(sql::ResultSet& rs, const std::string& column) {
  return common::db::GetOptionalString(rs, column).value_or("");
}

inline std::optional<std::string> NullIfEmpty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

// Ids are bound in chunks of this many placeholders; a short chunk repeats its last id.
inline constexpr size_t kIdChunk = 256;

inline std::string IdPlaceholders() {
  std::string out;
  out.reserve(kIdChunk * 2);
  for (size_t i = 0; i < kIdChunk; ++i) out += (i == 0 ? "?" : ",?");
  return out;
}

inline std::vector<std::vector<int64_t>> ChunkIds(const std::vector<int64_t>& ids) {
  std::vector<std::vector<int64_t>> chunks;
  for (size_t start = 0; start < ids.size(); start += kIdChunk) {
    std::vector<int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(start),
                               ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), start + kIdChunk)));
    chunk.resize(kIdChunk, chunk.back());
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

// Binds one chunk at parameter positions first_index .. first_index + kIdChunk - 1;
// returns the next free position.
inline int BindIdChunk(sql::PreparedStatement& ps, int first_index, const std::vector<int64_t>& chunk) {
  int index = first_index;
  for (int64_t id : chunk) ps.setInt64(index++, id);
  return index;
}

}  // namespace grassroots::org::store::sql_util
