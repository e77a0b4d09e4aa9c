#pragma once
// `grassroots call <Service>.<Method> '<json>'`: any method of any Grassroots
// service linked into the binary, found in the generated descriptor pool,
// with the request built from JSON and sent as raw bytes (generic stub).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/cli/connection.h"

namespace grassroots::cli {

// Every service of a grassroots.* package linked into this binary, sorted by full name.
std::vector<const google::protobuf::ServiceDescriptor*> GrassrootsServices();

// Accepts "OrganizationService.GetOrganization", the fully qualified
// "grassroots.org.v1.OrganizationService.GetOrganization" or the gRPC path
// "/grassroots.org.v1.OrganizationService/GetOrganization". NOT_FOUND lists
// what is known; INVALID_ARGUMENT when a short name is ambiguous.
absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(absl::string_view spec);

// "/grassroots.org.v1.OrganizationService/GetOrganization".
std::string MethodPath(const google::protobuf::MethodDescriptor& method);

// Builds the method's request message from JSON (proto field names or
// lowerCamelCase; enum names). Empty text means an empty request.
// INVALID_ARGUMENT with the parser's message when the JSON does not fit.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> RequestFromJson(
    const google::protobuf::MethodDescriptor& method, absl::string_view json);

// A fresh, empty message of the method's response type.
std::unique_ptr<google::protobuf::Message> NewResponse(const google::protobuf::MethodDescriptor& method);

// Calls the method. Unary and server-streaming methods are supported; each
// response message is handed to on_response as it arrives. With follow=true a
// server stream is not bounded by the deadline (it runs until the server ends
// it or the process is interrupted).
grpc::Status CallMethod(const Connection& connection, const google::protobuf::MethodDescriptor& method,
                        const google::protobuf::Message& request,
                        const std::function<void(const google::protobuf::Message&)>& on_response,
                        bool follow = false);

// "NOT_FOUND: organization 42 not found" followed by one line per detail
// (field violations, error reason and metadata, anything else by type).
std::string DescribeStatus(const grpc::Status& status);
// "INVALID_ARGUMENT", "NOT_FOUND", ...
absl::string_view StatusCodeName(grpc::StatusCode code);

}  // namespace grassroots::cli
