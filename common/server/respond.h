#pragma once
// The envelope every unary handler runs in: the call's request id set for
// logging (every line of the call carries it) and echoed in trailing metadata,
// the caller authenticated and checked against the method policy, INTERNAL /
// UNKNOWN failures logged with the method's full name, and the status mapped
// for gRPC.
#include <functional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/auth/auth.h"

namespace grassroots::common {

// One per gRPC service implementation. The method names come from the
// service's descriptor in the generated pool, so a handler names its method
// by its own name (`__func__` in the override) and the policy key, the log
// label and the metrics label are the same "/package.Service/Method" string.
class CallEnvelope {
 public:
  using Body = std::function<absl::Status(const auth::CallContext& call)>;

  // service_full_name: the generated `Service::service_full_name()`; it must
  // be in the generated descriptor pool (aborts otherwise: a wiring bug).
  CallEnvelope(std::string_view service_full_name, const auth::Authorizer& authorizer);

  // Authenticates and authorizes the call for `method` (the RPC's short name),
  // then runs body with the call's principal and request id.
  grpc::Status Run(grpc::ServerContext* context, std::string_view method, const Body& body) const;

  // "/package.Service/Method"; empty when the service has no such method.
  const std::string& FullName(std::string_view method) const;

 private:
  const auth::Authorizer& authorizer_;
  absl::flat_hash_map<std::string, std::string> full_names_;
};

}  // namespace grassroots::common
