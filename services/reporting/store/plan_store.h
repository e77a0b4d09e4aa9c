#pragma once
// Plans as data (migrations/V0004): the plans committees load, the dated
// status entries of their tasks per organization, the units' yearly reports,
// and the reviews among the closed reports. Rows are appended, never updated;
// entries and reports are kept as their serialized API messages.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"

namespace grassroots::reporting::store {

struct StoredPlan {
  std::string plan_id;
  int64_t org_id = 0;
  std::string plan_json;
  std::string loaded_by;
};

// One status entry of a task for an organization.
struct StoredTaskStatus {
  std::string task_id;
  int64_t version = 0;
  int state = 0;  // grassroots.reporting.v1.TaskState
  absl::CivilDay as_of;
  std::string entry;  // serialized grassroots.reporting.v1.TaskStatus
};

struct StoredUnitReport {
  int64_t id = 0;
  int64_t org_id = 0;
  std::string report;  // serialized grassroots.reporting.v1.UnitReport
};

class PlanStore {
 public:
  static absl::StatusOr<std::optional<StoredPlan>> GetPlan(common::db::Session& session, const std::string& plan_id);
  // ALREADY_EXISTS when the id is taken (the key), so run it in a transaction.
  static absl::Status InsertPlan(common::db::Session& session, const StoredPlan& plan);
  // The plans adopted by any of `org_ids`, by organization then id.
  static absl::StatusOr<std::vector<StoredPlan>> PlansAdoptedBy(common::db::Session& session,
                                                               const std::vector<int64_t>& org_ids);

  // The entries of one plan for one organization (one task's when `task_id`
  // is given), by task then version. `lock`: FOR UPDATE (the writer's read).
  static absl::StatusOr<std::vector<StoredTaskStatus>> Statuses(common::db::Session& session,
                                                               const std::string& plan_id, int64_t org_id,
                                                               const std::optional<std::string>& task_id,
                                                               bool lock = false);
  static absl::Status InsertStatus(common::db::Session& session, const std::string& plan_id, int64_t org_id,
                                   const StoredTaskStatus& status, const std::string& recorded_by);

  // The report of one plan, organization and year, if submitted.
  static absl::StatusOr<std::optional<int64_t>> FindUnitReport(common::db::Session& session,
                                                              const std::string& plan_id, int64_t org_id, int year);
  // Returns the new report's id; ALREADY_EXISTS when that year's report exists.
  // `report` is stored without its name (the id names it).
  static absl::StatusOr<int64_t> InsertUnitReport(common::db::Session& session, const std::string& plan_id,
                                                  int64_t org_id, int year, std::optional<int64_t> closed_report_id,
                                                  const std::string& report, const std::string& submitted_by);
  static absl::StatusOr<std::vector<StoredUnitReport>> UnitReports(common::db::Session& session,
                                                                  const std::string& plan_id,
                                                                  const std::vector<int64_t>& org_ids, int year);

  // (organization, report id) of the closed reports of `kinds` judged by the
  // plan, of organizations among `org_ids`, newest first.
  static absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> ClosedReportsOfPlan(
      common::db::Session& session, const std::string& plan_id, const std::vector<int>& kinds,
      const std::vector<int64_t>& org_ids);
};

}  // namespace grassroots::reporting::store
