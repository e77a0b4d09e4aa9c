#pragma once
// The HTTP side of the gateway: for each request it finds the route, builds
// the gRPC request (domain/transcoding.h), calls the backend with the caller's
// bearer token and request id, and answers JSON, a google.rpc.Status error,
// or NDJSON for a server stream. Reads carry an ETag and answer 304 to a
// matching If-None-Match; configured portal origins get CORS headers.
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include <prometheus/registry.h>

#include "services/gateway/domain/route_table.h"
#include "services/gateway/handlers/backends.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace grassroots::gateway {

struct GatewayOptions {
  // Origins ("https://portal.example.vn") whose pages may call the gateway
  // from a browser; "*" allows any (never with credentials).
  std::set<std::string> cors_allowed_origins;
  std::chrono::milliseconds call_deadline{30000};
  // Server streams (exports) run longer than a unary call.
  std::chrono::milliseconds stream_deadline{600000};
  // The OpenAPI document served at /openapi.json ("" serves 404).
  std::string openapi_json;
};

class HttpGateway {
 public:
  HttpGateway(const RouteTable& routes, Backends& backends, GatewayOptions options,
              std::shared_ptr<prometheus::Registry> registry);
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // Registers every handler on server (the listener calls it again after a
  // certificate renewal).
  void Install(httplib::Server& server);

 private:
  struct Metrics;
  void Handle(const httplib::Request& request, httplib::Response& response);
  void Preflight(const httplib::Request& request, httplib::Response& response);
  bool AddCorsHeaders(const httplib::Request& request, httplib::Response& response) const;

  const RouteTable& routes_;
  Backends& backends_;
  GatewayOptions options_;
  // Owns the families metrics_ points into.
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace grassroots::gateway
