#pragma once
// Records the demo's party dues (demo_dues.h) through the membership API,
// after the members: the province's wage region and ledger opening, the bases
// of salaried and retired members, relief decisions, then each cell's monthly
// collection from January 2025 to last month, read off the cell's collection
// sheet and sent as one RecordCellCollection; then each organization's
// remittance up the tree for the months since the July 2025 restructuring.
//
// Idempotent: reliefs and collections carry deterministic request ids, bases
// replace themselves, the same opening and region again write nothing, and
// one collection is held back to the end: once its month shows paid, the dues
// are on file and nothing else is sent.
#include <iosfwd>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "services/cli/connection.h"
#include "services/demo/demo_plan.h"

namespace grassroots::demo {

struct DuesLoadReport {
  bool already_recorded = false;
  int bases = 0;
  int reliefs = 0;
  int collections = 0;
  int64_t payments = 0;
  int remittances = 0;
};

// `organizations`: org code -> "organizations/N" for the demo tree (demo::Load's report).
absl::StatusOr<DuesLoadReport> LoadDues(const cli::Connection& membership,
                                        const std::map<std::string, std::string>& organizations, const Plan& plan,
                                        int parallelism, std::ostream& progress);

}  // namespace grassroots::demo
