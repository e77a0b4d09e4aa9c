#pragma once
// Repository of residential units (thôn, tổ dân phố) and their dated facts: covering
// periods, head periods and head trainings. Methods run inside the caller's session (one
// transaction per write, composed with the change-feed entry by the caller); the rules
// that decide a change live in domain/residential_units.h.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/org/domain/residential_units.h"

namespace grassroots::org::store {

class ResidentialUnitStore {
 public:
  // ALREADY_EXISTS when the code is taken. Returns the stored unit (id, version set);
  // its dated facts are inserted separately.
  absl::StatusOr<domain::ResidentialUnit> Insert(common::db::Session& session, domain::ResidentialUnit unit);
  // The unit with its covering and heads on `as_of`. NOT_FOUND naming the resource.
  // for_update locks the unit row: every change of the unit and its dated facts takes it first.
  absl::StatusOr<domain::ResidentialUnit> Get(common::db::Session& session, int64_t id, absl::CivilDay as_of,
                                              bool for_update = false);
  // Writes the unit's own mutable columns when the stored version is still `unit.version`;
  // ABORTED otherwise. Returns the unit with its new version.
  absl::StatusOr<domain::ResidentialUnit> Update(common::db::Session& session, domain::ResidentialUnit unit);

  struct ListQuery {
    // Units whose commune organization is one of these; nullopt: no filter.
    std::optional<std::vector<int64_t>> commune_organization_ids;
    std::optional<int64_t> covering_cell_id;  // covering on as_of
    bool uncovered_only = false;              // no covering on as_of
    absl::CivilDay as_of;                     // active units, with their facts on this day
    int64_t after_id = 0;                     // keyset cursor
    int32_t limit = 100;
  };
  // Ordered by id; at most `limit` rows.
  absl::StatusOr<std::vector<domain::ResidentialUnit>> List(common::db::Session& session, const ListQuery& query);

  // ---- covering periods ----
  // Oldest first.
  absl::StatusOr<std::vector<domain::CoveringPeriod>> Coverings(common::db::Session& session, int64_t unit_id);
  absl::StatusOr<domain::CoveringPeriod> InsertCovering(common::db::Session& session, domain::CoveringPeriod period);
  // Sets valid_to (and the decision that ended it, when one is given).
  absl::Status EndCovering(common::db::Session& session, int64_t id, absl::CivilDay on,
                           const domain::Decision& decision);

  // ---- head periods ----
  // Oldest first; only `post` when given.
  absl::StatusOr<std::vector<domain::HeadPeriod>> Heads(common::db::Session& session, int64_t unit_id,
                                                        std::optional<domain::HeadPost> post);
  absl::StatusOr<domain::HeadPeriod> GetHead(common::db::Session& session, int64_t unit_id, int64_t head_id);
  absl::StatusOr<domain::HeadPeriod> InsertHead(common::db::Session& session, domain::HeadPeriod head);
  absl::Status EndHead(common::db::Session& session, int64_t id, absl::CivilDay on, const domain::Decision& decision);

  // ---- head trainings ----
  absl::StatusOr<domain::HeadTraining> InsertHeadTraining(common::db::Session& session, domain::HeadTraining training);
  absl::StatusOr<std::vector<domain::HeadTraining>> HeadTrainings(common::db::Session& session, int64_t head_id);
};

}  // namespace grassroots::org::store
