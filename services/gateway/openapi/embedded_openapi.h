#pragma once
// The gateway's OpenAPI document (openapi.json), generated from the protos when
// the gateway is built and compiled into it: served at /openapi.json.
#include <string_view>

namespace grassroots::gateway {

std::string_view EmbeddedOpenApiDocument();

}  // namespace grassroots::gateway
