// grassroots: the operator command line (see cli_app.h).
#include <iostream>

#include "services/cli/cli_app.h"

int main(int argc, char** argv) {
  return grassroots::cli::RunCli(argc, argv, std::cout, std::cerr, std::cin, grassroots::cli::ProcessEnv());
}
