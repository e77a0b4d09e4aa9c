#pragma once
// The gateway's OpenAPI 3.1 document, derived from the same route table that
// serves the requests, so the two cannot disagree: one operation per route
// (operationId "<Service>_<Method>", tagged with the service), its path and
// query parameters and body by the rules of google/api/http.proto, and a
// schema per message and enum it reaches, in protobuf's canonical JSON mapping
// as the gateway prints it (lowerCamelCase names, 64-bit integers as strings,
// enums by name, well-known types in their JSON forms). Errors are
// google.rpc.Status; server streams are NDJSON of {"result"} lines and a last
// {"error"} line. Descriptions are the .proto comments.
//
// google.api.field_behavior: OUTPUT_ONLY is readOnly, INPUT_ONLY writeOnly,
// and REQUIRED lands in a schema's `required` only for messages no response
// contains (canonical JSON leaves out fields at their default value, so a
// response would break its own schema), and never for a field a path
// variable sets.
//
// The document is a pure function of its inputs, and every JSON object prints
// with sorted keys: the build that writes it is reproducible.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "services/gateway/domain/route_table.h"
#include "services/gateway/openapi/proto_comments.h"

namespace grassroots::gateway {

// version is info.version (the project's). INVALID_ARGUMENT when two routes
// would give operations OpenAPI cannot tell apart (one path and HTTP method, or
// paths that differ only in their parameters' names).
absl::StatusOr<nlohmann::json> BuildOpenApiDocument(const RouteTable& routes, const ProtoComments& comments,
                                                    std::string_view version);

// The document as the gateway serves it: two-space indentation, UTF-8, a
// final newline.
std::string PrintOpenApiDocument(const nlohmann::json& document);

}  // namespace grassroots::gateway
