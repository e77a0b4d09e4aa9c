#pragma once
// Small SQL helpers shared by the org repositories: date/time text conversion (id sets
// bound as one parameter are common::db::kIdSet / IdArray).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "common/db/sql_ids.h"

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


}  // namespace grassroots::org::store::sql_util
