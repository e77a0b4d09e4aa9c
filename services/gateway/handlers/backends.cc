#include "services/gateway/handlers/backends.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include "absl/strings/str_split.h"
#include "common/rpc/generic_call.h"
#include "common/server/service_host.h"

namespace grassroots::gateway {

std::shared_ptr<grpc::Channel> BackendChannel(const std::string& target, const common::TlsConfig& peer_tls) {
  grpc::ChannelArguments args = common::DefaultChannelArguments();
  args.SetLoadBalancingPolicyName("round_robin");
  args.SetInt(GRPC_ARG_MAX_METADATA_SIZE, 256 * 1024);
  return grpc::CreateCustomChannel(target, common::PeerCredentials(peer_tls), args);
}

void Backends::Add(const std::string& name, std::shared_ptr<grpc::Channel> channel) {
  auto stub = std::make_unique<grpc::GenericStub>(channel);
  backends_[name] = Backend{.channel = std::move(channel), .stub = std::move(stub)};
}

std::string Backends::BackendOf(const google::protobuf::MethodDescriptor& method) {
  std::vector<std::string> parts = absl::StrSplit(method.service()->file()->package(), '.');
  return parts.size() >= 2 ? parts[1] : std::string();
}

grpc::GenericStub* Backends::StubFor(const google::protobuf::MethodDescriptor& method) {
  auto it = backends_.find(BackendOf(method));
  return it == backends_.end() ? nullptr : it->second.stub.get();
}

std::vector<std::string> Backends::names() const {
  std::vector<std::string> names;
  for (const auto& [name, backend] : backends_) names.push_back(name);
  return names;
}

std::vector<std::string> Backends::NotServing(std::chrono::milliseconds timeout) {
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message, and
  // HealthCheckResponse{status: SERVING} is field 1 = 1: the two bytes 08 01.
  // Written as bytes so the gateway needs no health stub of its own.
  static const std::string kServing("\x08\x01", 2);
  std::vector<std::string> failing;
  for (auto& [name, backend] : backends_) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    grpc::Slice empty;
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    grpc::Status status =
        common::rpc::BlockingUnaryCall(*backend.stub, context, "/grpc.health.v1.Health/Check", request, response);
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (status.ok() && response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    if (!status.ok() || bytes != kServing) failing.push_back(name);
  }
  return failing;
}

}  // namespace grassroots::gateway
