#include "common/server/metrics_endpoint.h"

#include <httplib.h>
#include <prometheus/text_serializer.h>

#include "common/metrics/process_metrics.h"
#include "common/server/http_listener.h"

namespace grassroots::common {

struct MetricsEndpoint::State {
  std::unique_ptr<HttpListener> listener;
};

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<State> state) : state_(std::move(state)) {}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address,
                                                                       std::shared_ptr<prometheus::Registry> registry,
                                                                       const TlsConfig* tls) {
  // A scrape is small and rare: two threads.
  HttpListenerOptions options{.name = "metrics", .address = address, .tls = tls, .threads = 2};
  auto install = [registry](httplib::Server& server) {
    server.Get("/metrics", [registry](const httplib::Request&, httplib::Response& response) {
      std::vector<prometheus::MetricFamily> families = registry->Collect();
      for (prometheus::MetricFamily& family : metrics::ProcessMetricFamilies()) families.push_back(std::move(family));
      response.set_content(prometheus::TextSerializer().Serialize(families), "text/plain; version=0.0.4; charset=utf-8");
    });
  };
  absl::StatusOr<std::unique_ptr<HttpListener>> listener = HttpListener::Start(std::move(options), install, registry);
  if (!listener.ok()) return listener.status();
  auto state = std::make_unique<State>();
  state->listener = *std::move(listener);
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(state)));
}

MetricsEndpoint::~MetricsEndpoint() = default;

int MetricsEndpoint::reloads() const { return state_->listener->reloads(); }

}  // namespace grassroots::common
