#pragma once
// Closed periods (migrations/V0003): a frozen scorecard and every unit each
// of its indicators counted. Written once, in one transaction; never updated.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/db.h"

namespace grassroots::reporting::store {

// One unit an indicator counted (its denominator; for a count, what it
// counted): the live figures' and the frozen ones' common shape.
struct CountedUnit {
  std::string indicator;      // "S1", ...
  int subject = 0;            // 1 organization, 2 residential unit, 3 member, 4 unit head
  int64_t subject_id = 0;
  int64_t unit_id = 0;        // a head's unit
  int64_t organization_id = 0;
  std::string post;           // S14/S15 post name, or ""
  bool in_numerator = false;
  std::string reason;         // why it fell short
  std::string display_name;   // an organization's or unit's name then; never a person's
};

struct StoredReport {
  int64_t id = 0;
  int64_t org_id = 0;
  int year = 0;
  int kind = 0;               // grassroots.reporting.v1.ReportKind
  absl::CivilDay as_of;
  std::string plan_id;
  std::string scorecard;      // serialized grassroots.reporting.v1.Scorecard
  std::string closed_by;
  absl::Time closed_at;  // set by the caller on Insert
  std::string note;
};

class ClosedReportStore {
 public:
  // The report of that period, if the period is closed.
  static absl::StatusOr<std::optional<int64_t>> Find(common::db::Session& session, int64_t org_id, int year, int kind);
  // Stores the report and its units; returns its id. ALREADY_EXISTS when the
  // period is closed already (the unique key), so run it in a transaction.
  static absl::StatusOr<int64_t> Insert(common::db::Session& session, const StoredReport& report,
                                        const std::vector<CountedUnit>& units);
  static absl::StatusOr<std::optional<StoredReport>> Get(common::db::Session& session, int64_t org_id,
                                                         int64_t report_id);
  // The organization's reports (of `year`, or all when 0), most recently closed
  // first, after `before_id` (0: from the newest), at most `limit`.
  static absl::StatusOr<std::vector<StoredReport>> List(common::db::Session& session, int64_t org_id, int year,
                                                        int64_t before_id, int limit);
  // The units of one indicator (all of them when `indicator` is empty), in order.
  static absl::StatusOr<std::vector<CountedUnit>> Units(common::db::Session& session, int64_t report_id,
                                                       const std::string& indicator);
};

}  // namespace grassroots::reporting::store
