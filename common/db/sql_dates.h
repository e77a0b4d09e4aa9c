#pragma once
// Nullable DATE columns as calendar days. The server returns a DATE as
// "YYYY-MM-DD"; days are bound as that text.
#include <optional>
#include <string>

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/time/civil_time.h"

namespace grassroots::common::db {

// nullopt when the column is NULL or not a date.
inline std::optional<absl::CivilDay> GetOptionalDay(sql::ResultSet& rs, const std::string& column) {
  if (rs.isNull(column)) return std::nullopt;
  const std::string text = rs.getString(column);
  absl::CivilDay day;
  if (text.size() < 10 || !absl::ParseCivilTime(text.substr(0, 10), &day)) return std::nullopt;
  return day;
}

inline void SetOptionalDay(sql::PreparedStatement& ps, int index, const std::optional<absl::CivilDay>& day) {
  if (day) {
    ps.setString(index, absl::FormatCivilTime(*day));
  } else {
    ps.setNull(index, sql::DataType::DATE);
  }
}

}  // namespace grassroots::common::db
