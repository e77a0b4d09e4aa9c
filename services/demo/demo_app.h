#pragma once
// `grassroots-demo`: loads the fictional demo committee through the services' APIs.
// A program of its own so the production image (deploy/Dockerfile) leaves it out.
#include <iosfwd>
#include <string>

#include "services/cli/commands.h"
#include "services/cli/connection.h"

namespace grassroots::demo {

struct DemoLoadOptions {
  cli::ConnectionFlags connection;
  int parallelism = 8;
  bool skip_meetings = false;
  bool plan_only = false;     // print the plan's counts and exit, no calls
  bool skip_members = false;  // leave out the ~3,500 members and their history
  // Only the members on file in 2020 (one CSV import, seconds): not their later
  // history, nor the facts and the inspection caseload that name them. For
  // end-to-end tests that need a populated tree quickly.
  bool members_2020_only = false;
  // The membership service (default GRASSROOTS_MEMBERSHIP_TARGET, else localhost:50052);
  // --target and the token flags apply to the org service and are shared.
  std::string membership_target;
  // The inspection service (default GRASSROOTS_INSPECTION_TARGET, else localhost:50053) and
  // the inspector's token its writes need (else GRASSROOTS_INSPECTOR_TOKEN): the admin
  // token of --token only reads inspection.
  std::string inspection_target;
  std::string inspector_token;
  std::string inspector_token_file;
  bool skip_inspection = false;  // leave out the 2020-2025 inspection caseload
};
int RunDemoLoad(const DemoLoadOptions& options, cli::Io& io);

// Parses argv (`grassroots-demo load ...`) and runs the command; returns the exit code.
int RunDemo(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in, cli::EnvLookup env);

}  // namespace grassroots::demo
