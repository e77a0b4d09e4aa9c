#pragma once
// `grassroots`: the operator command line. Parses argv into a command's options
// and runs it; returns the process exit code.
#include <iosfwd>

#include "services/cli/connection.h"

namespace grassroots::cli {

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in, EnvLookup env);

}  // namespace grassroots::cli
