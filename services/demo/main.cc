// grassroots-demo: loads the demo committee (see demo_app.h).
#include <iostream>

#include "services/demo/demo_app.h"

int main(int argc, char** argv) {
  return grassroots::demo::RunDemo(argc, argv, std::cout, std::cerr, std::cin, grassroots::cli::ProcessEnv());
}
