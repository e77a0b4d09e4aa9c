// grassroots-openapi: writes the gateway's OpenAPI document at build time.
//   grassroots-openapi --descriptor-set FILE --out FILE [--version X]
// The routes come from the services linked into this binary (every generated
// proto, as the gateway links them), the descriptions from FILE: a
// FileDescriptorSet that protoc wrote with --include_source_info.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.pb.h>

#include "services/gateway/domain/route_table.h"
#include "services/gateway/openapi/openapi_document.h"
#include "services/gateway/openapi/proto_comments.h"

namespace {

constexpr char kUsage[] = "usage: grassroots-openapi --descriptor-set FILE --out FILE [--version X]\n";

int Fail(std::string_view message) {
  std::cerr << "grassroots-openapi: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string descriptor_set, out, version = "0.0.0";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc || (arg != "--descriptor-set" && arg != "--out" && arg != "--version")) {
      std::cerr << kUsage;
      return 2;
    }
    std::string& target = arg == "--descriptor-set" ? descriptor_set : arg == "--out" ? out : version;
    target = argv[++i];
  }
  if (descriptor_set.empty() || out.empty()) {
    std::cerr << kUsage;
    return 2;
  }

  std::ifstream input(descriptor_set, std::ios::binary);
  google::protobuf::FileDescriptorSet files;
  if (!input || !files.ParseFromIstream(&input)) {
    return Fail(descriptor_set + " is not a readable FileDescriptorSet (protoc --descriptor_set_out)");
  }
  const grassroots::gateway::ProtoComments comments(files);
  if (comments.size() == 0) {
    return Fail(descriptor_set + " has no comments: run protoc with --include_source_info");
  }

  absl::StatusOr<grassroots::gateway::RouteTable> routes =
      grassroots::gateway::RouteTable::Build(grassroots::gateway::LinkedServices("grassroots."));
  if (!routes.ok()) return Fail(std::string("the protos' http rules cannot be served: ") + std::string(routes.status().message()));
  if (routes->routes().empty()) return Fail("no routes: are the generated protos linked (whole archive)?");

  absl::StatusOr<nlohmann::json> document = grassroots::gateway::BuildOpenApiDocument(*routes, comments, version);
  if (!document.ok()) return Fail(std::string("cannot describe the routes: ") + std::string(document.status().message()));

  // Written whole to a temporary file and renamed: a failed run never leaves
  // a truncated document for the next build step to embed.
  const std::string temporary = out + ".tmp";
  {
    std::ofstream output(temporary, std::ios::binary | std::ios::trunc);
    output << grassroots::gateway::PrintOpenApiDocument(*document);
    if (!output.flush()) return Fail("cannot write " + temporary);
  }
  std::error_code error;
  std::filesystem::rename(temporary, out, error);
  if (error) return Fail("cannot write " + out + ": " + error.message());
  return 0;
}
