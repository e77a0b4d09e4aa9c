#pragma once
// Loads the demo's members (demo_members.h) through the membership service's
// API: the members on file in 2020 by the CSV import (MemberImportService), the
// later admissions by CreateMember and the lifecycle calls, and every yearly
// record by its own call — so the demo exercises the real validation, the
// organization-service checks and the change feed.
//
// Idempotent: the import matches rows by external_id; a finished load is
// recognized by its last call (one member's 2025 rating, sent after every other
// call succeeded) and left alone; an interrupted load resumes, each member from
// the events and yearly records already on file.
#include <iosfwd>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/cli/connection.h"
#include "services/demo/demo_members.h"

namespace grassroots::demo {

struct MembersLoadOptions {
  int parallelism = 8;           // members worked on at once (each member's calls stay in order)
  int import_streams = 4;        // concurrent ImportMembers streams for the 2020 list
  bool import_only = false;      // the 2020 list only: no admissions, no 2020-2025 history
  // How long to wait for the membership service's copy of the organization
  // tree to hold the demo's cells (it follows the org service's feed).
  absl::Duration projection_wait = absl::Seconds(120);
  absl::Duration connect_wait = absl::Seconds(3);
};

struct MembersLoadReport {
  bool unreachable = false;      // the membership service did not answer: nothing done
  bool already_loaded = false;
  bool resumed = false;
  int imported_created = 0;
  int imported_unchanged = 0;
  int prospects = 0;             // prospects opened (or found from an earlier run)
  int calls = 0;                 // lifecycle and yearly-record calls sent
};

// `organizations`: org code -> "organizations/N" for the demo tree (demo::Load's report).
absl::StatusOr<MembersLoadReport> LoadMembers(const cli::Connection& membership,
                                              const std::map<std::string, std::string>& organizations,
                                              const MembersPlan& plan, const MembersLoadOptions& options,
                                              std::ostream& progress);

}  // namespace grassroots::demo
