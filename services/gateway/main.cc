// grassroots-gateway: all logic is in gateway_app.cc (and tested there).
#include "services/gateway/gateway_app.h"

int main(int argc, char** argv) { return grassroots::gateway::RunGateway(argc, argv); }
