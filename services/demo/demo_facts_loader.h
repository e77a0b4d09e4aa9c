#pragma once
// Records the demo's facts for the scorecard (demo_facts.h) through the org and
// membership APIs, after the members are loaded: heads with their history and
// training, members' training for their posts, then the 2026 cell merge.
//
// Idempotent: every write carries a deterministic request id, and the merge goes
// last, so a merged source cell means the facts are on file and nothing is sent.
#include <iosfwd>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "services/cli/connection.h"
#include "services/demo/demo_facts.h"

namespace grassroots::demo {

struct FactsLoadReport {
  bool already_recorded = false;
  int heads_assigned = 0;
  int member_heads = 0;
  int head_trainings = 0;        // org: trainings of heads who are not members
  int post_trainings = 0;        // membership: POST_TRAINING records
  int coverings_assigned = 0;
  bool merged = false;
};

// `organizations`: org code -> "organizations/N" for the demo tree (demo::Load's report).
absl::StatusOr<FactsLoadReport> LoadFacts(const cli::Connection& org, const cli::Connection& membership,
                                          const std::map<std::string, std::string>& organizations,
                                          const FactsPlan& plan, std::ostream& progress);

}  // namespace grassroots::demo
