#pragma once
// Runs the CLI in-process as `grassroots <args...>` with an empty environment
// and no stdin; returns its exit code with what it printed.
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "services/cli/cli_app.h"
#include "services/cli/connection.h"

namespace grassroots::cli::testing {

inline int RunGrassroots(std::vector<std::string> args, std::string& out, std::string& err) {
  args.insert(args.begin(), "grassroots");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out_stream;
  std::ostringstream err_stream;
  std::istringstream in_stream;
  EnvLookup env = [](absl::string_view) -> std::optional<std::string> { return std::nullopt; };
  const int code = RunCli(static_cast<int>(argv.size()), argv.data(), out_stream, err_stream, in_stream, env);
  out = out_stream.str();
  err = err_stream.str();
  return code;
}

}  // namespace grassroots::cli::testing
