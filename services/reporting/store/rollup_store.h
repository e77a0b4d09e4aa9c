#pragma once
// Scorecard pre-aggregates (migrations/V0005__scorecard_rollups.sql): the
// totals of a subtree for one evaluation, reused while no change has touched
// the subtree since. Totals compose up the tree (domain::SubtreeTotals), so a
// scorecard reads its root's row when fresh, and otherwise loads only the
// organizations whose subtrees have no fresh row, with the fresh ones below
// them summarized.
//
// Freshness is kept by the feed consumers: in the transaction that applies a
// change they call Invalidate with what the change touched (AffectedBy,
// before and after applying it), which bumps the version of every
// organization that is or ever was above it. A row written from an older
// snapshot carries the older version and is never read as fresh.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "common/feed/feed_follower.h"
#include "grassroots/feed/v1/change_feed.pb.h"
#include "services/reporting/domain/scorecard.h"
#include "services/reporting/store/scorecard_facts_store.h"

namespace grassroots::reporting::store {

// What, besides the organization and its placing day, a row's totals depend on.
struct RollupKey {
  absl::CivilDay as_of;
  absl::CivilDay term_from;
  int64_t rules_key = 0;  // a fingerprint of CategoryRules
};

// An organization of a subtree as placed for a rollup: summarized when its
// own subtree has a fresh row (then `totals` holds it and nothing below it is listed).
struct RollupPlacement {
  ScorecardFactsStore::Placed placed;
  std::optional<domain::SubtreeTotals> totals;
};

struct RollupRow {
  int64_t org_id = 0;
  absl::CivilDay placing_day;
  int64_t version = 0;
  domain::SubtreeTotals totals;
};

// What a change touched, as organizations; `everything` when it cannot tell.
struct AffectedOrganizations {
  std::set<int64_t> organizations;
  bool everything = false;
};

class RollupStore {
 public:
  // The fresh totals of `org_id`'s subtree placed on `placing_day`; none when there is no fresh row.
  static absl::StatusOr<std::optional<domain::SubtreeTotals>> Find(common::db::Session& session, int64_t org_id,
                                                                   absl::CivilDay placing_day, const RollupKey& key);

  // The subtree of `root` placed on `placing_day` (D, or an earlier day for a
  // subtree under an organization that ended before D), as ScorecardFactsStore::PlacedOrganizations
  // gives it, except that the walk stops at organizations with a fresh row
  // (returned summarized). The root is never summarized.
  static absl::StatusOr<std::vector<RollupPlacement>> Place(common::db::Session& session, int64_t root,
                                                            absl::CivilDay placing_day, const RollupKey& key);

  // The current versions of `ids` (0 for those never bumped).
  static absl::StatusOr<std::map<int64_t, int64_t>> Versions(common::db::Session& session,
                                                             const std::vector<int64_t>& ids);

  // Writes (or replaces) rows.
  static absl::Status Save(common::db::Session& session, const RollupKey& key, const std::vector<RollupRow>& rows);

  // What `change` touches now: its organization, the cells and committees of
  // its member, the commune and covering cells of its residential unit, the
  // communes whose units an organization covers. Called before and after the change is applied.
  static absl::StatusOr<AffectedOrganizations> AffectedBy(common::db::Session& session,
                                                          const grassroots::feed::v1::Change& change);

  // Makes every row stale that may include one of `affected` (every row when
  // `affected.everything`): bumps them and every organization above them in any period.
  static absl::Status Invalidate(common::db::Session& session, const AffectedOrganizations& affected);

  // Every row and version (a feed reset).
  static void Clear(common::db::Session& session);
};

// `consumer` keeping the pre-aggregates fresh: each change invalidates what it
// touched before and after it is applied, in the same transaction; a reset clears them.
common::feed::FeedConsumer InvalidatingRollups(common::feed::FeedConsumer consumer);

// Encodes totals as the `totals` column's JSON, and back.
std::string EncodeTotals(const domain::SubtreeTotals& totals);
absl::StatusOr<domain::SubtreeTotals> DecodeTotals(const std::string& text, bool new_model);

}  // namespace grassroots::reporting::store
