#pragma once
// The envelope every unary handler runs in: the call's request id set for
// logging (every line of the call carries it) and echoed in trailing metadata,
// INTERNAL / UNKNOWN failures logged, and the status mapped for gRPC.
#include <functional>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace grassroots::common {

grpc::Status Respond(grpc::ServerContext* context, std::string_view method, const std::function<absl::Status()>& body);

}  // namespace grassroots::common
