#pragma once
// Hosts a set of gRPC services with the production defaults: sync API with a
// thread cap, health checking (NOT_SERVING while the readiness probe fails and
// during shutdown), reflection, keepalive, message size limits, metrics
// interceptor and a Prometheus exposer; SIGTERM/SIGINT -> NOT_SERVING -> drain
// -> graceful shutdown. Every call is authenticated (ServerConfig::authenticate)
// before it reaches any service; only health checks and reflection pass without.
#include <chrono>
#include <functional>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "common/config/config.h"

namespace grassroots::common {

class ServiceHost {
 public:
  // registry: where metrics are registered; it is served at config.metrics_address
  // (set metrics_address to "" to skip the exposer, e.g. in tests).
  ServiceHost(std::string service_name, ServerConfig config,
              std::shared_ptr<prometheus::Registry> registry);
  ~ServiceHost();

  // Services must outlive the host.
  void AddService(grpc::Service* service);
  // Called every health_check_interval; false -> NOT_SERVING (e.g. DB ping).
  // The health name kLivenessService is not tied to the probe: it stays
  // SERVING until shutdown, so a liveness check does not restart a pod whose
  // database is briefly away.
  void SetReadinessProbe(std::function<bool()> probe);
  // Runs at the start of Stop(), before the drain (e.g. end open streams).
  void OnStop(std::function<void()> hook);

  // Builds and starts the server. Fails if the port cannot be bound.
  absl::Status Start();
  // The bound port (useful with "127.0.0.1:0").
  int port() const;
  // The bound --health-address port (0 when there is none).
  int health_port() const;
  // NOT_SERVING, wait drain_delay, then Shutdown(deadline) and wait.
  void Stop();
  // Call first in main(), before any thread exists: blocks SIGTERM/SIGINT and
  // ignores SIGPIPE (a peer closing its socket is an error, not an exit).
  static void BlockTerminationSignals();
  // Start(), then block until SIGTERM/SIGINT, then Stop(). Returns an exit code.
  int RunUntilSignal();

  grpc::Server* server();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Health-check service name that reports process liveness only.
inline constexpr char kLivenessService[] = "grassroots.liveness";

// Keeps calling attempt while it returns UNAVAILABLE (the database is not up
// yet), with backoff, for at most max_wait. A SIGTERM/SIGINT meanwhile ends the
// wait with CANCELLED (a requested stop, not a failure). Otherwise returns the
// last status. Used at start-up, before the server listens.
absl::Status RetryWhileUnavailable(std::string_view what, std::chrono::milliseconds max_wait,
                                   const std::function<absl::Status()>& attempt);

// Keepalive and size settings a client channel needs to match the servers, and
// a reconnect backoff capped at 5 s.
grpc::ChannelArguments DefaultChannelArguments();

// A channel to another service with those arguments and round_robin: calls
// spread over its replicas when the target resolves to several addresses (a
// headless Service, "dns:///org-headless:50051"); one address behaves as pick_first.
// peer_tls: TLS when its ca_file is set (see PeerCredentials).
std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target, const TlsConfig& peer_tls = {});

// Credentials for calling another service: plaintext when peer_tls.ca_file is
// empty; else TLS verifying the server against those roots, presenting
// cert_file/key_file when set (mutual TLS).
std::shared_ptr<grpc::ChannelCredentials> PeerCredentials(const TlsConfig& peer_tls);

}  // namespace grassroots::common
