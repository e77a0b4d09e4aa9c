#pragma once
// Repository of residential units (thôn, tổ dân phố). Methods run inside the caller's
// session (one transaction per write, composed with the change-feed entry by the caller).
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/org/domain/activity_records.h"

namespace grassroots::org::store {

class ResidentialUnitStore {
 public:
  // ALREADY_EXISTS when the code is taken. Returns the stored unit (id, version set).
  absl::StatusOr<domain::ResidentialUnit> Insert(common::db::Session& session, domain::ResidentialUnit unit);
  // NOT_FOUND naming the resource. for_update locks the row for a read-modify-write.
  absl::StatusOr<domain::ResidentialUnit> Get(common::db::Session& session, int64_t id, bool for_update = false);
  // Writes every mutable column when the stored version is still `unit.version`;
  // ABORTED otherwise. Returns the unit with its new version.
  absl::StatusOr<domain::ResidentialUnit> Update(common::db::Session& session, domain::ResidentialUnit unit);

  struct ListQuery {
    // Units whose commune organization is one of these; nullopt: no filter.
    std::optional<std::vector<int64_t>> commune_organization_ids;
    std::optional<int64_t> covering_cell_id;
    bool uncovered_only = false;
    std::optional<absl::CivilDay> active_on;
    int64_t after_id = 0;  // keyset cursor
    int32_t limit = 100;
  };
  // Ordered by id; at most `limit` rows.
  absl::StatusOr<std::vector<domain::ResidentialUnit>> List(common::db::Session& session, const ListQuery& query);
};

}  // namespace grassroots::org::store
