#pragma once
// The gRPC services behind the gateway: one channel per backend, found from a
// method's package ("grassroots.org.v1" -> "org").
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include "common/config/config.h"

namespace grassroots::gateway {

// A channel to a backend like the services' own (common::BalancedChannel:
// round_robin over a headless Service, TLS per peer_tls), with room for large
// error metadata: a service quotes a rejected value in its status and details,
// and a value up to the URL limit must come back as that error, not as a
// RESOURCE_EXHAUSTED of the gateway's own channel (which would read as 429).
std::shared_ptr<grpc::Channel> BackendChannel(const std::string& target, const common::TlsConfig& peer_tls = {});

class Backends {
 public:
  void Add(const std::string& name, std::shared_ptr<grpc::Channel> channel);

  // "org" for a method of grassroots.org.v1.
  static std::string BackendOf(const google::protobuf::MethodDescriptor& method);
  // nullptr when no backend of that name is configured.
  grpc::GenericStub* StubFor(const google::protobuf::MethodDescriptor& method);
  std::vector<std::string> names() const;
  // Asks each backend's grpc.health.v1 service within timeout; returns the
  // names that did not answer SERVING.
  std::vector<std::string> NotServing(std::chrono::milliseconds timeout);

 private:
  struct Backend {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> stub;
  };
  std::map<std::string, Backend, std::less<>> backends_;
};

}  // namespace grassroots::gateway
