#pragma once
// Cases with their team and recommendations. Records are the API resources
// (grassroots.inspection.v1.Case): the columns map one to one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "grassroots/inspection/v1/inspection.pb.h"

namespace grassroots::inspection::store {

struct StoredCase {
  int64_t id = 0;
  int64_t org_id = 0;
  int64_t version = 0;
  std::optional<int64_t> program_item_id;
  grassroots::inspection::v1::Case record;  // name, team, recommendations and etag filled
};

struct CaseFilter {
  std::vector<int64_t> org_ids;  // conducting organizations
  bool any_org = false;          // ignore org_ids (a secretary's view: filtered by subject)
  int32_t status = 0;            // 0: any
  int32_t kind = 0;              // 0: any
  std::optional<int64_t> subject_org_id;
  std::optional<int64_t> subject_member_id;
  int32_t year = 0;              // period overlaps the year; 0: any
  // Only cases in these statuses (empty: any); applied with `status`.
  std::vector<int32_t> statuses;
};

struct OverdueRecommendation {
  int64_t case_id = 0;
  int64_t case_org_id = 0;
  int32_t seq = 0;
  grassroots::inspection::v1::Recommendation recommendation;
};

class CaseStore {
 public:
  absl::StatusOr<StoredCase> Insert(common::db::Session& session, int64_t org_id,
                                    const grassroots::inspection::v1::Case& record);
  absl::StatusOr<std::optional<StoredCase>> Get(common::db::Session& session, int64_t id, bool for_update);
  // Writes the workflow columns, team and recommendations of `record` and
  // bumps the version.
  absl::Status Update(common::db::Session& session, int64_t id, const grassroots::inspection::v1::Case& record);
  // Links the case to the planned item it carries out.
  absl::Status SetProgramItem(common::db::Session& session, int64_t id, int64_t program_item_id);
  absl::StatusOr<std::vector<StoredCase>> List(common::db::Session& session, const CaseFilter& filter,
                                               int64_t after_id, int32_t limit);
  // Open recommendations with a deadline before as_of, after (case, seq), by case and seq.
  absl::StatusOr<std::vector<OverdueRecommendation>> ListOverdueRecommendations(
      common::db::Session& session, const std::vector<int64_t>& org_ids, const std::string& as_of,
      int64_t after_case_id, int32_t after_seq, int32_t limit);

 private:
  absl::Status LoadChildren(common::db::Session& session, StoredCase& stored);
};

}  // namespace grassroots::inspection::store
