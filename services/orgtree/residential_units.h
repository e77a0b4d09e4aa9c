#pragma once
// Residential units (thôn, tổ dân phố) and their covering cells as a service's
// projection holds them, fed by the organization service's change feed, and
// THE definition of a residential cell (DESIGN.md, "Scorecard semantics"):
//
//   a cell is residential on day D when it covers at least one residential
//   unit active on D: a covering period of the cell holds D
//   (valid_from <= D < valid_to) and the unit it covers exists on D
//   (established_on <= D < ended_on).
//
// Membership's residence alerts and the reporting service ask IsResidentialCell
// or ResidentialCells; no service restates the rule in its own SQL.
//
// Feed payloads (services/org/handlers/residential_unit_handlers.cc):
//   "residential_unit"           grassroots.org.v1.ResidentialUnit, actions created/updated
//   "residential_unit_covering"  grassroots.org.v1.CoveringPeriod, actions assigned/ended;
//                                each entry is the whole period, so the latest copy of a
//                                name is the period as it stands.
// The follower (org_feed_follower.h) applies them with the cursor in one
// transaction (OrgProjection::ApplyAt). Tables: migrations/V0003.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "grassroots/feed/v1/change_feed.pb.h"

namespace grassroots::orgtree {

// The feed's resource types for units and their covering periods.
inline constexpr char kResidentialUnitResource[] = "residential_unit";
inline constexpr char kUnitCoveringResource[] = "residential_unit_covering";

struct ProjectedResidentialUnit {
  int64_t id = 0;
  std::string code;
  int64_t commune_organization_id = 0;
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;  // the first day it no longer exists
};

struct ProjectedCovering {
  int64_t id = 0;
  int64_t unit_id = 0;
  int64_t cell_id = 0;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;  // the first day the cell no longer covers the unit
};

// The unit a "residential_unit" entry carries. INVALID_ARGUMENT naming the
// field for another payload, a malformed name or date, or an end not after
// the founding (the follower blocks at such an entry).
absl::StatusOr<ProjectedResidentialUnit> DecodeResidentialUnit(const grassroots::feed::v1::Change& change);
// The covering period a "residential_unit_covering" entry carries; refused
// like DecodeResidentialUnit, and when its name and unit disagree or it ends
// before it starts.
absl::StatusOr<ProjectedCovering> DecodeCovering(const grassroots::feed::v1::Change& change);

// Writes the unit / the period as the change at `sequence` publishes it
// (replacing the earlier copy). Run inside OrgProjection::ApplyAt.
absl::Status StoreResidentialUnit(common::db::Session& session, const ProjectedResidentialUnit& unit,
                                  int64_t sequence);
absl::Status StoreCovering(common::db::Session& session, const ProjectedCovering& covering, int64_t sequence);

// Empties both tables (with the rest of the projection, to rebuild it from the feed).
void ClearResidentialUnits(common::db::Session& session);

// ---- the definition --------------------------------------------------------------------

// Whether `cell_id` is a residential cell on `day` (see the top of this file).
absl::StatusOr<bool> IsResidentialCell(common::db::Session& session, int64_t cell_id, absl::CivilDay day);
// Those of `cell_ids` that are residential cells on `day` (one query).
absl::StatusOr<std::set<int64_t>> ResidentialCells(common::db::Session& session, const std::vector<int64_t>& cell_ids,
                                                   absl::CivilDay day);
// The residential cells on `day` in the subtree of `root` (root included), by
// the current tree (org_closure).
absl::StatusOr<std::set<int64_t>> ResidentialCellsInSubtree(common::db::Session& session, int64_t root,
                                                            absl::CivilDay day);

}  // namespace grassroots::orgtree
