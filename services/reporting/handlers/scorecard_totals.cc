#include "services/reporting/handlers/scorecard_totals.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::reporting {
namespace {

using store::RollupPlacement;
using store::RollupStore;
using store::ScorecardFactsStore;

// At most this many organizations are loaded in one piece: a larger subtree
// (a province, the nation) is computed child by child first, each child's
// row saved, so memory and the id sets of the queries stay bounded.
constexpr size_t kLargestLoad = 3000;

struct Piece {
  domain::SubtreeFacts facts;
  std::map<int64_t, domain::SubtreeTotals> totals;  // every organization of the facts, and the summarized ones
};

// Loads the unsummarized part of `placements` and computes it with the rest summarized.
absl::StatusOr<Piece> ComputePiece(common::db::Session& session, int64_t root,
                                   const std::vector<RollupPlacement>& placements,
                                   const domain::Evaluation& evaluation, const store::CategoryRules& rules) {
  std::vector<ScorecardFactsStore::Placed> listed;
  std::vector<domain::SummarizedSubtree> summarized;
  for (const RollupPlacement& placement : placements) {
    if (placement.totals) {
      summarized.push_back({placement.placed.id, placement.placed.parent_id.value_or(root), *placement.totals});
    } else {
      listed.push_back(placement.placed);
    }
  }
  Piece piece;
  GR_ASSIGN_OR_RETURN(piece.facts, ScorecardFactsStore::LoadPlaced(session, root, listed, evaluation, rules));
  piece.facts.summarized = std::move(summarized);
  const std::vector<domain::IndicatorCount> counts = domain::ComputeIndicators(piece.facts, evaluation);
  piece.totals = domain::TotalsBySubtree(counts, piece.facts, evaluation);
  for (const domain::SummarizedSubtree& below : piece.facts.summarized) piece.totals[below.root_id] = below.totals;
  return piece;
}

// Places `root` (on `placing_day`), computing first, child by child, what is too large to load at once.
absl::StatusOr<std::vector<RollupPlacement>> PlaceWithinLimit(common::db::Session& session, int64_t root,
                                                              absl::CivilDay placing_day,
                                                              const domain::Evaluation& evaluation,
                                                              const store::CategoryRules& rules,
                                                              const store::RollupKey& key);

absl::StatusOr<domain::SubtreeTotals> ComputeAndSave(common::db::Session& session, int64_t root,
                                                     absl::CivilDay placing_day, const domain::Evaluation& evaluation,
                                                     const store::CategoryRules& rules, const store::RollupKey& key) {
  GR_ASSIGN_OR_RETURN(const std::vector<RollupPlacement> placements,
                      PlaceWithinLimit(session, root, placing_day, evaluation, rules, key));
  GR_ASSIGN_OR_RETURN(const Piece piece, ComputePiece(session, root, placements, evaluation, rules));
  // Rows for the root and every organization that is not a cell (a cell's
  // figures are cheap to load with its parent's).
  std::vector<int64_t> saved;
  std::map<int64_t, absl::CivilDay> placing_days;
  for (const RollupPlacement& placement : placements) placing_days[placement.placed.id] = placement.placed.placing_day;
  for (const domain::OrganizationFacts& o : piece.facts.organizations) {
    if (o.id == root || !domain::IsCell(o.kind)) saved.push_back(o.id);
  }
  using Versions = std::map<int64_t, int64_t>;
  GR_ASSIGN_OR_RETURN(const Versions versions, RollupStore::Versions(session, saved));
  std::vector<store::RollupRow> rows;
  rows.reserve(saved.size());
  for (int64_t id : saved) {
    rows.push_back(store::RollupRow{id, placing_days.at(id), versions.at(id), piece.totals.at(id)});
  }
  GR_RETURN_IF_ERROR(RollupStore::Save(session, key, rows));
  auto it = piece.totals.find(root);
  if (it == piece.totals.end()) return absl::InternalError(absl::StrCat("no totals computed for organization ", root));
  return it->second;
}

absl::StatusOr<std::vector<RollupPlacement>> PlaceWithinLimit(common::db::Session& session, int64_t root,
                                                              absl::CivilDay placing_day,
                                                              const domain::Evaluation& evaluation,
                                                              const store::CategoryRules& rules,
                                                              const store::RollupKey& key) {
  GR_ASSIGN_OR_RETURN(std::vector<RollupPlacement> placements, RollupStore::Place(session, root, placing_day, key));
  size_t listed = 0;
  std::set<int64_t> parents;
  for (const RollupPlacement& placement : placements) {
    if (!placement.totals) ++listed;
    if (placement.placed.parent_id) parents.insert(*placement.placed.parent_id);
  }
  if (listed <= kLargestLoad) return placements;
  bool computed_any = false;
  for (const RollupPlacement& placement : placements) {
    // Children with a subtree of their own; a leaf is loaded with its parent anyway.
    if (placement.placed.parent_id != root || placement.totals || !parents.contains(placement.placed.id)) continue;
    GR_RETURN_IF_ERROR(
        ComputeAndSave(session, placement.placed.id, placement.placed.placing_day, evaluation, rules, key).status());
    computed_any = true;
  }
  if (!computed_any) return placements;  // a root with thousands of leaf children: one load
  return RollupStore::Place(session, root, placing_day, key);
}

}  // namespace

store::RollupKey RollupKeyOf(const domain::Evaluation& evaluation, const store::CategoryRules& rules) {
  const std::string commitment = absl::StrJoin(rules.commitment_categories, ",");
  const std::string working = absl::StrJoin(rules.working_categories, ",");
  return store::RollupKey{evaluation.as_of, evaluation.term_from,
                          static_cast<int64_t>(common::api::Fingerprint({"rollup/1", commitment, working}))};
}

absl::StatusOr<domain::SubtreeTotals> SubtreeTotalsOf(common::db::Session& session, int64_t root,
                                                      const domain::Evaluation& evaluation,
                                                      const store::CategoryRules& rules) {
  const store::RollupKey key = RollupKeyOf(evaluation, rules);
  GR_ASSIGN_OR_RETURN(std::optional<domain::SubtreeTotals> fresh,
                      RollupStore::Find(session, root, evaluation.as_of, key));
  if (fresh) return *std::move(fresh);
  return ComputeAndSave(session, root, evaluation.as_of, evaluation, rules, key);
}

absl::StatusOr<ChildTotals> ChildTotalsOf(common::db::Session& session, int64_t root,
                                                                       const domain::Evaluation& evaluation,
                                                                       const store::CategoryRules& rules) {
  const store::RollupKey key = RollupKeyOf(evaluation, rules);
  GR_ASSIGN_OR_RETURN(const std::vector<RollupPlacement> placements,
                      PlaceWithinLimit(session, root, evaluation.as_of, evaluation, rules, key));
  GR_ASSIGN_OR_RETURN(Piece piece, ComputePiece(session, root, placements, evaluation, rules));
  ChildTotals children;
  domain::SubtreeTotals own = piece.totals[root];
  for (const RollupPlacement& placement : placements) {
    if (placement.placed.parent_id != root) continue;
    const domain::SubtreeTotals& child = piece.totals[placement.placed.id];
    own.Subtract(child);
    children.by_child[placement.placed.id] = child;
    if (placement.placed.ended_on && *placement.placed.ended_on <= evaluation.as_of) {
      children.ended.insert(placement.placed.id);
    }
  }
  children.by_child[root] = std::move(own);
  return children;
}

}  // namespace grassroots::reporting
