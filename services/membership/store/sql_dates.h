#pragma once
// DATE and TIMESTAMP columns as the membership store reads and binds them.
// The server returns DATE as "YYYY-MM-DD" and TIMESTAMP in the session's UTC;
// dates are written as common::api::FormatDate text.
#include <optional>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/api/api.h"
#include "common/db/db.h"

namespace grassroots::membership::store {

// The day a stored date text names (a DATE column, or a date this store wrote
// into JSON); nullopt when the text is not a date.
inline std::optional<absl::CivilDay> ParseStoredDate(const std::string& text) {
  absl::CivilDay day;
  if (text.size() < 10 || !absl::ParseCivilTime(text.substr(0, 10), &day)) return std::nullopt;
  return day;
}

// A nullable DATE column; nullopt when NULL (or not a date).
inline std::optional<absl::CivilDay> GetOptionalDate(sql::ResultSet& rs, const std::string& column) {
  std::optional<std::string> text = common::db::GetOptionalString(rs, column);
  if (!text) return std::nullopt;
  return ParseStoredDate(*text);
}

inline void SetOptionalDate(sql::PreparedStatement& ps, int index, const std::optional<absl::CivilDay>& day) {
  common::db::SetOptionalString(ps, index,
                                day ? std::optional<std::string>(common::api::FormatDate(*day)) : std::nullopt);
}

// A TIMESTAMP column's text as an instant; nullopt when it does not parse.
inline std::optional<absl::Time> ParseStoredTime(const std::string& text) {
  absl::Time at;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &at, nullptr)) return std::nullopt;
  return at;
}

}  // namespace grassroots::membership::store
