#pragma once
// In-process servers for integration tests: a ServiceHost listening on a free
// loopback port with no metrics exposer, no drain delay and a fast readiness
// check, that admits the tokens MintToken makes, and a channel to a loopback port.
#include <chrono>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "common/config/config.h"

namespace grassroots::testing {

common::ServerConfig LoopbackServerConfig(std::chrono::milliseconds shutdown_grace = std::chrono::milliseconds(2000));
std::shared_ptr<grpc::Channel> LoopbackChannel(int port);

}  // namespace grassroots::testing
