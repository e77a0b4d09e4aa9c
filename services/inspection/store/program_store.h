#pragma once
// Programs and their planned items. Records are the API resources
// (grassroots.inspection.v1.Program): the table columns map one to one.
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "grassroots/inspection/v1/inspection.pb.h"

namespace grassroots::inspection::store {

struct StoredProgram {
  int64_t id = 0;
  int64_t org_id = 0;
  int64_t version = 0;
  grassroots::inspection::v1::Program program;  // name, items and etag filled
};

class ProgramStore {
 public:
  // ALREADY_EXISTS when the organization has a program for that year.
  absl::StatusOr<StoredProgram> Insert(common::db::Session& session, int64_t org_id,
                                       const grassroots::inspection::v1::Program& program);
  absl::StatusOr<std::optional<StoredProgram>> Get(common::db::Session& session, int64_t id, bool for_update);
  // Returns the new item's id.
  absl::StatusOr<int64_t> AddItem(common::db::Session& session, int64_t program_id,
                                  const grassroots::inspection::v1::ProgramItem& item);
  absl::Status UpdateItem(common::db::Session& session, int64_t item_id,
                          const grassroots::inspection::v1::ProgramItem& item);
  absl::Status BumpVersion(common::db::Session& session, int64_t program_id);
  // Programs of these organizations (one year, or every year when 0), by id after after_id.
  absl::StatusOr<std::vector<StoredProgram>> List(common::db::Session& session, const std::vector<int64_t>& org_ids,
                                                  int32_t year, int64_t after_id, int32_t limit);
  // Which of these organizations adopted a program for the year by the date.
  absl::StatusOr<std::set<int64_t>> OrganizationsWithProgram(common::db::Session& session,
                                                             const std::vector<int64_t>& org_ids, int32_t year,
                                                             const std::string& adopted_by);
  // The program item's program, when the item exists.
  absl::StatusOr<std::optional<int64_t>> ProgramOfItem(common::db::Session& session, int64_t item_id);

 private:
  absl::Status LoadItems(common::db::Session& session, StoredProgram& stored);
};

}  // namespace grassroots::inspection::store
