#pragma once
// Load shedding at the door: counts the unary calls a server is handling and,
// once a limit is reached, lets the gate refuse new calls RESOURCE_EXHAUSTED
// before they are authenticated, parsed or given a thread. Past capacity a
// queue only adds latency to every call, so the excess is turned away at the
// cost of a header read, and what is admitted is served at full speed.
#include <atomic>
#include <memory>

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace grassroots::common {

class CallAdmission {
 public:
  // max_unary_calls: unary calls handled at once (0: no limit). Streams are
  // not counted: they live long and each has its own bound.
  CallAdmission(int max_unary_calls, prometheus::Registry& registry);

  // True when a new call should be refused (and counts the refusal).
  bool ShedNewCall();
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  // Interceptors that count each unary call from its start to its end.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCountingInterceptorFactory();

 private:
  friend class CountingInterceptor;
  void Started();
  void Ended();

  const int max_unary_calls_;
  std::atomic<int> in_flight_{0};
  prometheus::Gauge& in_flight_gauge_;
  prometheus::Counter& shed_;
};

}  // namespace grassroots::common
