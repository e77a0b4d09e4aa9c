#include "services/gateway/gateway_app.h"

#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/config/config.h"
#include "common/log/log.h"
#include "common/server/http_listener.h"
#include "common/server/metrics_endpoint.h"
#include "common/server/service_host.h"
#include "services/gateway/domain/route_table.h"
#include "services/gateway/handlers/backends.h"
#include "services/gateway/handlers/http_gateway.h"
#include "services/gateway/openapi/embedded_openapi.h"

namespace grassroots::gateway {
namespace {

struct GatewayConfig {
  std::string http_address = "0.0.0.0:8080";
  std::string metrics_address = "0.0.0.0:9470";
  std::string org_target, membership_target, inspection_target, reporting_target;
  common::TlsConfig tls;       // HTTPS when cert_file is set
  common::TlsConfig peer_tls;  // to the backends
  std::string cors_allowed_origins;
  int threads = 32;
  int max_body_bytes = 4 * 1024 * 1024;
  // 1: every connection closes after its answer. cpp-httplib 0.11 (Debian 12)
  // may read the rest of an over-long header line as a second request on a
  // keep-alive connection; behind a proxy that refuses such lines (the chart's
  // ingress) raise it.
  int keep_alive_max_requests = 1;
  int keep_alive_timeout_seconds = 5;
  std::chrono::milliseconds call_deadline{30000};
  std::chrono::milliseconds stream_deadline{600000};
  std::string log_level = "info";
};

void Declare(common::ServiceOptions& declare, GatewayConfig& config) {
  declare.AddString("--http-address", config.http_address, "HTTP(S) listen address host:port");
  declare.AddString("--metrics-address", config.metrics_address, "Prometheus /metrics address host:port");
  declare.AddString("--org-target", config.org_target, "org service address (empty: its routes answer 503)");
  declare.AddString("--membership-target", config.membership_target, "membership service address");
  declare.AddString("--inspection-target", config.inspection_target, "inspection service address");
  declare.AddString("--reporting-target", config.reporting_target, "reporting service address");
  declare.AddFile("--tls-cert-file", config.tls.cert_file, "HTTPS certificate chain (PEM); empty: plain HTTP", false);
  declare.AddFile("--tls-key-file", config.tls.key_file, "key of --tls-cert-file (PEM)", false);
  declare.AddFile("--peer-tls-ca-file", config.peer_tls.ca_file, "CA of the backends' certificates (TLS to them)",
                  false);
  declare.AddFile("--peer-tls-cert-file", config.peer_tls.cert_file, "client certificate for mutual TLS", false);
  declare.AddFile("--peer-tls-key-file", config.peer_tls.key_file, "key of --peer-tls-cert-file", false);
  declare.AddString("--cors-allowed-origins", config.cors_allowed_origins,
                    "comma-separated portal origins allowed to call from a browser (\"*\": any)");
  declare.AddInt("--http-threads", config.threads, "requests served at once (a keep-alive connection holds one)", 2,
                 1024);
  declare.AddInt("--max-body-bytes", config.max_body_bytes, "largest request body (413 above)", 1024, 64 << 20);
  declare.AddInt("--keep-alive-max-requests", config.keep_alive_max_requests, "requests per keep-alive connection (1: none; raise it only behind a proxy that refuses header lines over 8 KiB)",
                 1, 100000);
  declare.AddInt("--keep-alive-timeout-seconds", config.keep_alive_timeout_seconds,
                 "idle time before a keep-alive connection is closed", 1, 300);
  declare.AddMillis("--call-deadline-ms", config.call_deadline, "deadline of each unary backend call", 10);
  declare.AddMillis("--stream-deadline-ms", config.stream_deadline, "deadline of a streamed export", 1000);
  declare.AddString("--log-level", config.log_level, "debug, info, warn or error");
  declare.AddCheck([&config] {
    if (config.tls.cert_file.empty() != config.tls.key_file.empty()) {
      return common::OptionError("--tls-key-file", "and --tls-cert-file go together");
    }
    if (config.org_target.empty() && config.membership_target.empty() && config.inspection_target.empty() &&
        config.reporting_target.empty()) {
      return common::OptionError("--org-target", "or another backend target is required");
    }
    return absl::OkStatus();
  });
}

}  // namespace

int RunGateway(int argc, char** argv) {
  common::ServiceHost::BlockTerminationSignals();
  GatewayConfig config;
  CLI::App app("grassroots-gateway: the Grassroots gRPC services as HTTP/JSON, with an OpenAPI document");
  common::ServiceOptions declare(app);
  Declare(declare, config);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  if (absl::Status valid = declare.Validate(); !valid.ok()) {
    std::cerr << valid.message() << "\n";
    return 2;
  }
  common::log::Init("gateway", common::log::ParseLevel(config.log_level));

  absl::StatusOr<RouteTable> routes = RouteTable::Build(LinkedServices("grassroots."));
  if (!routes.ok()) {
    common::log::Error("the protos' http rules cannot be served", {{"error", std::string(routes.status().message())}});
    return 1;
  }
  Backends backends;
  for (const auto& [name, target] : {std::pair<std::string, std::string>{"org", config.org_target},
                                     {"membership", config.membership_target},
                                     {"inspection", config.inspection_target},
                                     {"reporting", config.reporting_target}}) {
    if (!target.empty()) backends.Add(name, BackendChannel(target, config.peer_tls));
  }
  GatewayOptions options{.call_deadline = config.call_deadline,
                         .stream_deadline = config.stream_deadline,
                         .openapi_json = std::string(EmbeddedOpenApiDocument())};
  for (absl::string_view origin : absl::StrSplit(config.cors_allowed_origins, ',', absl::SkipWhitespace())) {
    options.cors_allowed_origins.insert(std::string(absl::StripAsciiWhitespace(origin)));
  }
  auto registry = std::make_shared<prometheus::Registry>();
  HttpGateway gateway(*routes, backends, std::move(options), registry);
  absl::StatusOr<std::unique_ptr<common::HttpListener>> listener = common::HttpListener::Start(
      {.name = "http",
       .address = config.http_address,
       .tls = &config.tls,
       .threads = config.threads,
       .max_body_bytes = static_cast<size_t>(config.max_body_bytes),
       .keep_alive_max_requests = static_cast<size_t>(config.keep_alive_max_requests),
       .keep_alive_timeout_seconds = config.keep_alive_timeout_seconds},
      [&gateway](httplib::Server& server) { gateway.Install(server); }, registry);
  if (!listener.ok()) {
    common::log::Error("cannot serve HTTP", {{"error", std::string(listener.status().message())}});
    return 1;
  }
  absl::StatusOr<std::unique_ptr<common::MetricsEndpoint>> metrics =
      common::MetricsEndpoint::Start(config.metrics_address, registry, &config.tls);
  if (!metrics.ok()) {
    common::log::Error("cannot serve metrics", {{"error", std::string(metrics.status().message())}});
    return 1;
  }
  common::log::Info("gateway serving", {{"address", config.http_address},
                                        {"port", (*listener)->port()},
                                        {"routes", routes->routes().size()},
                                        {"backends", absl::StrJoin(backends.names(), ",")}});
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  common::log::Info("termination signal received; stopping", {{"signal", signal_number}});
  return 0;
}

}  // namespace grassroots::gateway
