#pragma once
// Reads, from the read model, what the statistics count in a set of
// organizations (the subtree placed on the day, ScorecardFactsStore::
// PlacedOrganizations): the counted members with their attributes in force,
// the organizations existing on the day, and the year's movements. Run inside
// one read transaction with the placement, so every figure is of one snapshot.
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/reporting/domain/statistics.h"

namespace grassroots::reporting::store {

class StatisticsStore {
 public:
  // Members official or probationary on `day` whose status period names one of `cells`.
  static absl::StatusOr<std::vector<domain::CountedMember>> CountedMembers(common::db::Session& session,
                                                                          const std::vector<int64_t>& cells,
                                                                          absl::CivilDay day);
  // Of `organizations`, those active on `day`, with type, sector, cell flag and elected committee then.
  static absl::StatusOr<std::vector<domain::CountedOrganization>> ActiveOrganizations(
      common::db::Session& session, const std::vector<int64_t>& organizations, absl::CivilDay day);
  // The movements from `from` to `to` (both included) of members in `cells`:
  // admissions (decision in the window, admitted into one of them), transfers
  // across the edge of the set, removals and deaths from one of them.
  static absl::StatusOr<domain::MovementCounts> Movements(common::db::Session& session,
                                                          const std::vector<int64_t>& cells, absl::CivilDay from,
                                                          absl::CivilDay to);

  // The published dues totals of `organizations` (only cells have any) for
  // the months of `year`.
  struct DuesCellMonth {
    int64_t cell_id = 0;
    absl::CivilMonth month;
    int64_t members_owing = 0;
    int64_t due = 0;
    int64_t paid = 0;
    int64_t voluntary = 0;
    int64_t outstanding = 0;
    int64_t members_unpaid = 0;
    int64_t members_in_arrears = 0;
  };
  static absl::StatusOr<std::vector<DuesCellMonth>> DuesOfYear(common::db::Session& session,
                                                               const std::vector<int64_t>& organizations, int year);
};

}  // namespace grassroots::reporting::store
