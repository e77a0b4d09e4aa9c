#pragma once
// The Prometheus /metrics endpoint of a service (cpp-httplib): plain HTTP, or HTTPS with a
// certificate that is re-read when its files change (the listener restarts
// on the new certificate; a scrape in that instant may fail and is retried by
// Prometheus at the next interval).
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "common/config/config.h"

namespace grassroots::common {

class MetricsEndpoint {
 public:
  // tls: nullptr or a config with an empty cert_file serves plain HTTP.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address,
                                                               std::shared_ptr<prometheus::Registry> registry,
                                                               const TlsConfig* tls);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // How many times the listener restarted on a renewed certificate.
  int reloads() const;

 private:
  struct State;
  explicit MetricsEndpoint(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace grassroots::common
