#pragma once
// Loads the demo plan through the org service's public API (so a load exercises
// the real validation, transactions and change feed). Idempotent: a finished
// demo is detected by its root code and left alone; an interrupted load resumes
// (creates carry deterministic request ids, restructuring steps check the
// current state first).
#include <iosfwd>
#include <map>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/cli/connection.h"
#include "services/demo/demo_plan.h"

#include <grpcpp/grpcpp.h>

namespace grassroots::demo {

struct LoadOptions {
  int parallelism = 8;        // concurrent calls for independent records
  bool with_meetings = true;  // the ~6,000 meeting records are the bulk of the load
};

struct LoadReport {
  bool already_loaded = false;
  bool resumed = false;
  std::string root_name;      // "organizations/<id>"
  int organizations_created = 0;
  int units_created = 0;
  int terms_created = 0;
  int regulations_created = 0;
  int meetings_created = 0;
  int new_models_created = 0;
  int four_good_created = 0;
  int ratings_created = 0;
  int restructuring_steps_applied = 0;
  // Every demo organization's code -> "organizations/<id>" (for the members' cells).
  std::map<std::string, std::string> organization_names;
};

// Progress lines go to `progress`. Errors name the record that failed and the
// server's status (code, message, field violations).
absl::StatusOr<LoadReport> Load(const cli::Connection& connection, const Plan& plan, const LoadOptions& options,
                                std::ostream& progress);

// "demo-org-DEMO-LV_BN_X01" : request ids allow [A-Za-z0-9_-] only, at most 64 chars.
std::string RequestId(absl::string_view kind, absl::string_view key);

// A failed call, with the record it was about.
absl::Status CallError(const std::string& what, const grpc::Status& status);
// Retries transient failures (UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED) with
// backoff; safe because the demo's creates carry request ids and its other
// writes treat ALREADY_EXISTS on a retry as done.
grpc::Status WithRetry(const std::function<grpc::Status()>& call);

}  // namespace grassroots::demo
