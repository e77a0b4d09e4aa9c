#include "services/reporting/store/read_model_decode.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"

namespace grassroots::reporting::internal {

absl::StatusOr<std::vector<int64_t>> ParseNestedName(std::string_view name,
                                                     std::initializer_list<std::string_view> collections,
                                                     std::string_view field) {
  const std::vector<absl::string_view> segments = absl::StrSplit(common::ToAbsl(name), '/');
  if (segments.size() != 2 * collections.size()) {
    std::vector<std::string> pattern;
    for (std::string_view collection : collections) pattern.push_back(absl::StrCat(common::ToAbsl(collection), "/{id}"));
    return common::InvalidField(field, absl::StrCat("must be ", absl::StrJoin(pattern, "/")));
  }
  std::vector<int64_t> ids;
  size_t index = 0;
  for (std::string_view collection : collections) {
    const std::string pair = absl::StrCat(segments[index], "/", segments[index + 1]);
    GR_ASSIGN_OR_RETURN(const int64_t id, common::api::ParseId(pair, collection, field));
    ids.push_back(id);
    index += 2;
  }
  return ids;
}

absl::StatusOr<std::vector<int64_t>> ParseChangeName(const grassroots::feed::v1::Change& change,
                                                     std::string_view payload_name,
                                                     std::initializer_list<std::string_view> collections,
                                                     std::string_view field) {
  if (change.resource_name() != payload_name) {
    return common::InvalidField(field, "differs from the change's resource_name");
  }
  return ParseNestedName(payload_name, collections, field);
}

absl::StatusOr<std::optional<int64_t>> ParseOptionalId(std::string_view name, std::string_view collection,
                                                       std::string_view field) {
  if (name.empty()) return std::optional<int64_t>();
  GR_ASSIGN_OR_RETURN(const int64_t id, common::api::ParseId(name, collection, field));
  return std::optional<int64_t>(id);
}

absl::StatusOr<std::optional<absl::CivilDay>> ParseOptionalDate(std::string_view text, std::string_view field) {
  if (text.empty()) return std::optional<absl::CivilDay>();
  GR_ASSIGN_OR_RETURN(const absl::CivilDay day, common::api::ParseDate(text, field));
  return std::optional<absl::CivilDay>(day);
}

absl::Status CheckYear(int32_t year, std::string_view field) {
  if (year < 1900 || year > 9999) return common::InvalidField(field, "must be a year (1900..9999)");
  return absl::OkStatus();
}

void DeleteAll(common::db::Session& session, std::initializer_list<std::string_view> tables) {
  for (std::string_view table : tables) {
    session.Prepare(absl::StrCat("DELETE FROM ", common::ToAbsl(table))).executeUpdate();
  }
}

std::string UpsertStatement(std::string_view table, std::initializer_list<std::string_view> columns) {
  std::vector<std::string> names;
  std::vector<std::string> updates;
  for (std::string_view column : columns) {
    names.emplace_back(column);
    updates.push_back(absl::StrCat(common::ToAbsl(column), " = VALUES(", common::ToAbsl(column), ")"));
  }
  const std::vector<std::string> marks(names.size(), "?");
  return absl::StrCat("INSERT INTO ", common::ToAbsl(table), " (", absl::StrJoin(names, ", "), ") VALUES (",
                      absl::StrJoin(marks, ", "), ") ON DUPLICATE KEY UPDATE ", absl::StrJoin(updates, ", "));
}

}  // namespace grassroots::reporting::internal
