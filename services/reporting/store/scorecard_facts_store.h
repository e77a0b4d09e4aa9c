#pragma once
// Reads, from the read model, the dated facts of a subtree the scorecard's
// definitions need (domain::SubtreeFacts), and the names and positions that
// go with the figures. Run inside one read transaction: every query then sees
// the same snapshot, and the feed positions read with them are exactly the
// changes the figures include.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/reporting/domain/scorecard.h"

namespace grassroots::reporting::store {

// An organization's life as the read model has it.
struct OrganizationLife {
  int64_t id = 0;
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;  // the first day it no longer exists
};

struct FeedPosition {
  std::string source;
  int64_t sequence = 0;
  std::string epoch;
};

// What the rules in force on D say about occupation categories (S2, S4).
struct CategoryRules {
  std::set<int32_t> commitment_categories;
  std::set<int32_t> working_categories;
};

class ScorecardFactsStore {
 public:
  // The organization's life; none when the read model does not know it.
  static absl::StatusOr<std::optional<OrganizationLife>> Life(common::db::Session& session, int64_t org_id);

  // What Load reads: everything, or only the placed organizations (with their
  // kind, sector and life) and the residential units with their coverings and
  // heads (S9, S15: what the previous year's S15 needs).
  enum class FactParts { kEverything, kOrganizationsAndUnits };
  // Everything the definitions read about the subtree of `root` for
  // `evaluation` (see domain/scorecard.h for the scope: the tree of D, an
  // ended organization placed by its last day). The root must exist on D.
  static absl::StatusOr<domain::SubtreeFacts> Load(common::db::Session& session, int64_t root,
                                                   const domain::Evaluation& evaluation, const CategoryRules& rules,
                                                   FactParts parts = FactParts::kEverything);

  struct Placed;
  // Everything about exactly the organizations `placed` (root first, each with
  // its parent and placing day, as PlacedOrganizations gives them): a part of
  // a subtree whose other parts are summarized (domain::SummarizedSubtree).
  static absl::StatusOr<domain::SubtreeFacts> LoadPlaced(common::db::Session& session, int64_t root,
                                                         const std::vector<Placed>& placed,
                                                         const domain::Evaluation& evaluation,
                                                         const CategoryRules& rules);

  // Display names (current) of organizations and residential units (a unit's code when its name is unknown).
  static absl::StatusOr<std::map<int64_t, std::string>> OrganizationNames(common::db::Session& session,
                                                                          const std::vector<int64_t>& ids);
  static absl::StatusOr<std::map<int64_t, std::string>> UnitNames(common::db::Session& session,
                                                                  const std::vector<int64_t>& ids);

  // Where each followed feed stands (feed_cursors), by source.
  static absl::StatusOr<std::vector<FeedPosition>> Positions(common::db::Session& session);

  // The organizations placed in the subtree of `root` on `day` (the scope
  // above, root included), for readers other than the scorecard (statistics).
  struct Placed {
    int64_t id = 0;
    std::optional<int64_t> parent_id;
    absl::CivilDay placing_day;  // `day`, or its last day when it ended before
    std::optional<absl::CivilDay> ended_on;
    absl::CivilDay established_on;
  };
  static absl::StatusOr<std::vector<Placed>> PlacedOrganizations(common::db::Session& session, int64_t root,
                                                                 absl::CivilDay day);
};

}  // namespace grassroots::reporting::store
