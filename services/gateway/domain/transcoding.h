#pragma once
// HTTP/JSON <-> protobuf for one route, by the rules of google/api/http.proto:
// path variables and the query string set request fields, the body is the
// request (or one field of it) in protobuf's canonical JSON mapping, and a
// response is printed in that mapping (lowerCamelCase names, int64 as
// strings, enums by name). Errors are google.rpc.Status as JSON, with the gRPC
// code mapped to its HTTP status as google/rpc/code.proto documents.
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/gateway/domain/route_table.h"

namespace grassroots::gateway {

// Decoded query parameters in the order given ("a=1&a=2" is two entries).
using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// Fills request from the URL and body. INVALID_ARGUMENT naming the parameter
// or field that is wrong: an unknown or repeated query parameter, a value that
// does not fit its field, a body that is not JSON of the request type. Field
// names are accepted as proto names (organization_id) or JSON names
// (organizationId). A path variable wins over the same field in the body.
absl::Status BuildRequest(const Route& route, const PathBindings& bindings, const QueryParameters& query,
                          absl::string_view body, google::protobuf::Message& request);

// Parses one JSON object into message (unknown fields refused); what names the
// input in the error ("body", "line 3").
absl::Status ParseJsonMessage(absl::string_view json, absl::string_view what, google::protobuf::Message& message);

// The canonical JSON of message.
std::string PrintJsonMessage(const google::protobuf::Message& message);

// The HTTP status for a gRPC status code (google/rpc/code.proto).
int HttpStatusForCode(int grpc_code);

// {"code": 5, "message": "...", "details": [...]}: the google.rpc.Status of a
// failed call. binary_details is the call's grpc-status-details-bin (a
// serialized google.rpc.Status, possibly empty); details of a type this
// binary does not know are left out rather than failing the response.
std::string StatusJson(int grpc_code, absl::string_view message, absl::string_view binary_details);

// Splits and percent-decodes a raw query string ("a=1&b=x%20y"); '+' is a
// space. INVALID_ARGUMENT when an escape is malformed.
absl::StatusOr<QueryParameters> ParseQueryString(absl::string_view raw);

}  // namespace grassroots::gateway
