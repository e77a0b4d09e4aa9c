#pragma once
// SQL helpers the inspection repositories share: resource names stored as ids,
// "YYYY-MM-DD" text bound to DATE columns, and nullable columns. The handlers
// have validated every name and date before a repository sees it.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/db.h"
#include "common/db/sql_ids.h"

namespace grassroots::inspection::store {

// The id of "collection/{id}", or nullopt for an empty name.
inline std::optional<int64_t> IdOfName(std::string_view name, std::string_view collection) {
  if (name.empty()) return std::nullopt;
  std::string_view rest = name.substr(std::min(name.size(), collection.size() + 1));
  int64_t id = 0;
  if (!absl::SimpleAtoi(absl::string_view(rest.data(), rest.size()), &id)) return std::nullopt;
  return id;
}

inline std::string NameOfId(std::string_view collection, int64_t id) {
  return absl::StrCat(absl::string_view(collection.data(), collection.size()), "/", id);
}

inline std::string OptionalName(sql::ResultSet& rs, const std::string& column, std::string_view collection) {
  std::optional<int64_t> id = common::db::GetOptionalInt64(rs, column);
  return id ? NameOfId(collection, *id) : std::string();
}

// "programs/{program}/items/{item}".
inline std::string ProgramItemName(int64_t program_id, int64_t item_id) {
  return absl::StrCat("programs/", program_id, "/items/", item_id);
}
// The item id of a program item's name; nullopt for an empty name.
inline std::optional<int64_t> ProgramItemIdOf(std::string_view name) {
  const size_t at = name.rfind("/items/");
  if (at == std::string_view::npos) return std::nullopt;
  return IdOfName(name.substr(at + 1), "items");
}

// DATE ("YYYY-MM-DD") and text columns that may be NULL read back as "".
inline std::string TextOrEmpty(sql::ResultSet& rs, const std::string& column) {
  return common::db::GetOptionalString(rs, column).value_or("");
}

// "" binds NULL.
inline void BindOptionalText(sql::PreparedStatement& ps, int index, const std::string& text) {
  common::db::SetOptionalString(ps, index, text.empty() ? std::nullopt : std::optional<std::string>(text));
}

inline void BindOptionalId(sql::PreparedStatement& ps, int index, std::string_view name, std::string_view collection) {
  common::db::SetOptionalInt64(ps, index, IdOfName(name, collection));
}


}  // namespace grassroots::inspection::store
