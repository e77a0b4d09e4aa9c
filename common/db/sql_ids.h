#pragma once
// Any number of ids bound as ONE parameter: "col IN " + kIdSet with
// IdArray(ids) at its placeholder. One statement text per query shape is
// prepared and cached, whatever the number of ids, and one query runs instead
// of one per chunk of a fixed IN list. MariaDB materializes the JSON table and
// joins it through the index on the column.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace grassroots::common::db {

inline constexpr char kIdSet[] = "(SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS id_set)";

inline std::string IdArray(const std::vector<int64_t>& ids) { return absl::StrCat("[", absl::StrJoin(ids, ","), "]"); }

}  // namespace grassroots::common::db
