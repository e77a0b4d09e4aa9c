#pragma once
// A scope's figures from the pre-aggregates (store/rollup_store.h): the
// root's fresh row when there is one; otherwise the subtree is loaded down to
// the subtrees that have fresh rows, the indicators computed with those
// summarized, and a row saved for the root and every organization of it that
// is not a cell. GetScorecard and GetScorecardBreakdown read their figures
// this way; shortfall lists and closed periods need every unit and compute
// from the facts (scorecard_support.h).
#include <cstdint>
#include <map>
#include <set>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "services/reporting/domain/scorecard.h"
#include "services/reporting/store/rollup_store.h"
#include "services/reporting/store/scorecard_facts_store.h"

namespace grassroots::reporting {

// The pre-aggregates' key of an evaluation under `rules`.
store::RollupKey RollupKeyOf(const domain::Evaluation& evaluation, const store::CategoryRules& rules);

// The totals of `root`'s subtree for `evaluation` (the root placed on D).
absl::StatusOr<domain::SubtreeTotals> SubtreeTotalsOf(common::db::Session& session, int64_t root,
                                                      const domain::Evaluation& evaluation,
                                                      const store::CategoryRules& rules);

// The totals of each child of `root` placed on D (ended children included),
// and under `root` itself the root's own units (those under no child).
struct ChildTotals {
  std::map<int64_t, domain::SubtreeTotals> by_child;
  std::set<int64_t> ended;  // children that had ended by D
};
absl::StatusOr<ChildTotals> ChildTotalsOf(common::db::Session& session, int64_t root,
                                                                       const domain::Evaluation& evaluation,
                                                                       const store::CategoryRules& rules);

}  // namespace grassroots::reporting
