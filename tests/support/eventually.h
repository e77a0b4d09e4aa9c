#pragma once
// Waiting for background work in integration tests, and reading one series
// of a Prometheus registry.
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <prometheus/registry.h>

namespace grassroots::testing {

// Polls cond every 20 ms until it holds or the timeout passes; the last result.
inline bool Eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(15000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// The value of the counter or gauge `name` with exactly `labels`; -1 when absent.
inline double MetricValue(prometheus::Registry& registry, const std::string& name, const prometheus::Labels& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      prometheus::Labels found;
      for (const auto& pair : metric.label) found[pair.name] = pair.value;
      if (found != labels) continue;
      return family.type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
    }
  }
  return -1;
}

}  // namespace grassroots::testing
