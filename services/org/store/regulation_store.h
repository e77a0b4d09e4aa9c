#pragma once
// Repository of working regulations (quy chế làm việc), versioned per organization.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "services/org/domain/activity_records.h"

namespace grassroots::org::store {

class RegulationStore {
 public:
  // Adopts a new version as domain::CheckAdoption allows it after the newest stored one
  // (locked); the version in force is superseded on the new version's adoption day.
  // Returns the new version and, when one was superseded, it too.
  struct Adopted {
    domain::WorkingRegulation regulation;
    std::optional<domain::WorkingRegulation> superseded;
  };
  absl::StatusOr<Adopted> Adopt(common::db::Session& session, domain::WorkingRegulation regulation);
  // Every version of the organization's regulation, oldest first.
  absl::StatusOr<std::vector<domain::WorkingRegulation>> List(common::db::Session& session, int64_t organization_id);
};

}  // namespace grassroots::org::store
