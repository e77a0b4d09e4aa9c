#pragma once
// Loads the demo's inspection caseload (demo_inspection.h) through the inspection
// service's API, after the organizations, members and facts: programs, cases taken
// through their workflow, discipline decisions (the expulsion's effect on membership is
// the service's own), the appeal, petitions.
//
// Idempotent without relying on request ids alone (they are per caller, and a run mints
// a fresh token): the loader first reads what is on file (programs by organization and
// year, cases and decisions by their document numbers, petitions by their summaries),
// sends only what is missing and takes each case, appeal and petition on from the status
// it has. A finished caseload is read and nothing is written.
#include <iosfwd>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/cli/connection.h"
#include "services/demo/demo_facts.h"
#include "services/demo/demo_inspection.h"

namespace grassroots::demo {

struct InspectionLoadOptions {
  int parallelism = 8;  // programs created at once
  absl::Duration connect_wait = absl::Seconds(3);
  // How long to wait for the inspection service's copies of the org tree and the
  // members' facts (it follows both feeds) to hold what the caseload names.
  absl::Duration projection_wait = absl::Seconds(120);
};

struct InspectionLoadReport {
  bool unreachable = false;  // the inspection service did not answer: nothing done
  bool already_loaded = false;
  int programs_created = 0;
  int cases_opened = 0;
  int case_steps = 0;  // start, conclude, follow-up, close, cancel
  int decisions_made = 0;
  int appeal_steps = 0;
  int petitions_received = 0;
  int petition_steps = 0;
};

// `inspection` carries an inspector's token (root scope); `membership` finds the members
// the caseload names. `organizations`: org code -> "organizations/N" (demo::Load's report).
// `merge`: the demo's last org change, which tells when inspection's tree is up to date.
absl::StatusOr<InspectionLoadReport> LoadInspection(const cli::Connection& inspection,
                                                    const cli::Connection& membership,
                                                    const std::map<std::string, std::string>& organizations,
                                                    const InspectionPlan& plan, const CellMerge& merge,
                                                    const InspectionLoadOptions& options, std::ostream& progress);

}  // namespace grassroots::demo
