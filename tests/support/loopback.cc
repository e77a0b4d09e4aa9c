#include "tests/support/loopback.h"

#include "absl/strings/str_cat.h"
#include "common/server/service_host.h"
#include "tests/support/test_tokens.h"

namespace grassroots::testing {

common::ServerConfig LoopbackServerConfig(std::chrono::milliseconds shutdown_grace) {
  common::ServerConfig server;
  server.grpc_address = "127.0.0.1:0";
  server.metrics_address = "";
  server.drain_delay = std::chrono::milliseconds(0);
  server.shutdown_grace = shutdown_grace;
  server.health_check_interval = std::chrono::milliseconds(200);
  server.authenticate = common::auth::BearerGate(TestVerifier());
  return server;
}

std::shared_ptr<grpc::Channel> LoopbackChannel(int port) {
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
                                   common::DefaultChannelArguments());
}

}  // namespace grassroots::testing
