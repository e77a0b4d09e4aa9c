#pragma once
// Denunciations, complaints and feedback, and (apart) who filed them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "grassroots/inspection/v1/inspection.pb.h"

namespace grassroots::inspection::store {

struct StoredPetition {
  int64_t id = 0;
  int64_t org_id = 0;
  int64_t version = 0;
  grassroots::inspection::v1::Petition record;  // never with its filer
};

struct PetitionFilter {
  std::vector<int64_t> org_ids;
  int32_t kind = 0;
  int32_t status = 0;
  bool open_only = false;
  std::string due_by;  // "" any
};

class PetitionStore {
 public:
  // The petition and, when given, its filer (in its own table).
  absl::StatusOr<int64_t> Insert(common::db::Session& session, int64_t org_id,
                                 const grassroots::inspection::v1::Petition& record,
                                 const grassroots::inspection::v1::PetitionFiler* filer);
  absl::StatusOr<std::optional<StoredPetition>> Get(common::db::Session& session, int64_t id, bool for_update);
  // Writes the workflow columns of `record` and bumps the version.
  absl::Status Update(common::db::Session& session, int64_t id, const grassroots::inspection::v1::Petition& record);
  absl::StatusOr<std::vector<StoredPetition>> List(common::db::Session& session, const PetitionFilter& filter,
                                                   int64_t after_id, int32_t limit);
  absl::StatusOr<std::optional<grassroots::inspection::v1::PetitionFiler>> GetFiler(common::db::Session& session,
                                                                                   int64_t id);
};

}  // namespace grassroots::inspection::store
