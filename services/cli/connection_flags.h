#pragma once
// The connection flags (--target, --token, --tls, ...) every command that calls a
// service takes; shared by `grassroots` and `grassroots-demo`.
#include "services/cli/connection.h"

namespace CLI {
class App;
}  // namespace CLI

namespace grassroots::cli {

void AddConnectionFlags(CLI::App& command, ConnectionFlags& flags);

}  // namespace grassroots::cli
