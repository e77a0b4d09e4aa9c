#pragma once
// Organization ids by code, from membership's projection of the organization
// tree: committees know their cells by code, the API by resource name.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/db.h"

namespace grassroots::membership::store {

// The id of the organization whose code is `code` (codes compare as the
// projection's collation does: case-insensitively); nullopt when none.
absl::StatusOr<std::optional<int64_t>> FindOrganizationIdByCode(common::db::Session& session,
                                                                const std::string& code);

}  // namespace grassroots::membership::store
