#pragma once
// grassroots-gateway's options and run loop: parse flags and environment,
// build the route table from the linked protos, connect the backends, serve
// HTTP until SIGTERM/SIGINT.
namespace grassroots::gateway {

// Returns the process exit code: 0 after a clean stop or --help, 2 for bad
// options (printed to stderr), 1 when the routes or the listener fail.
int RunGateway(int argc, char** argv);

}  // namespace grassroots::gateway
