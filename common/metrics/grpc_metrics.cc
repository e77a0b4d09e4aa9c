#include "common/metrics/grpc_metrics.h"

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace grassroots::common {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

constexpr int kCodeCount = 17;  // grpc::StatusCode OK..UNAUTHENTICATED

std::string_view TypeLabel(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY: return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING: return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING: return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unary";
}

// Latency buckets from 0.5 ms (cache hit) to 10 s (a slow report); seconds.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

// The series of one method, created on its first call and reused afterwards so
// a call costs no label-map building or Family::Add lookups.
struct MethodSeries {
  prometheus::Labels base_labels;
  prometheus::Counter* started = nullptr;
  prometheus::Histogram* handling_seconds = nullptr;
  std::array<std::atomic<prometheus::Counter*>, kCodeCount> handled{};
};

class MetricsState {
 public:
  explicit MetricsState(std::shared_ptr<prometheus::Registry> registry_owner)
      : registry_(std::move(registry_owner)),
        started_(prometheus::BuildCounter()
                     .Name("grpc_server_started_total")
                     .Help("Total number of RPCs started on the server.")
                     .Register(*registry_)),
        handled_(prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("Total number of RPCs completed on the server, regardless of success or failure.")
                     .Register(*registry_)),
        handling_seconds_(prometheus::BuildHistogram()
                              .Name("grpc_server_handling_seconds")
                              .Help("Histogram of response latency (seconds) of gRPC that had been "
                                    "application-level handled by the server.")
                              .Register(*registry_)) {}

  MethodSeries& SeriesFor(const char* full_method, ServerRpcInfo::Type type) {
    const std::string_view method = full_method != nullptr ? full_method : "";
    {
      absl::ReaderMutexLock lock(&mutex_);
      auto it = by_method_.find(method);
      if (it != by_method_.end()) return *it->second;
    }
    absl::MutexLock lock(&mutex_);
    auto it = by_method_.find(method);
    if (it != by_method_.end()) return *it->second;
    auto series = std::make_unique<MethodSeries>();
    // "/pkg.Service/Method" -> service "pkg.Service", method "Method".
    const size_t slash = method.rfind('/');
    std::string service_name, method_name;
    if (slash != std::string_view::npos && slash > 0) {
      service_name = std::string(method.substr(1, slash - 1));
      method_name = std::string(method.substr(slash + 1));
    } else {
      service_name = "unknown";
      method_name = std::string(method);
    }
    series->base_labels = {{"grpc_type", std::string(TypeLabel(type))},
                           {"grpc_service", service_name},
                           {"grpc_method", method_name}};
    series->started = &started_.Add(series->base_labels);
    series->handling_seconds = &handling_seconds_.Add(series->base_labels, LatencyBuckets());
    MethodSeries& result = *series;
    by_method_.emplace(std::string(method), std::move(series));
    return result;
  }

  prometheus::Counter& HandledCounter(MethodSeries& series, grpc::StatusCode code) {
    int index = static_cast<int>(code);
    if (index < 0 || index >= kCodeCount) index = static_cast<int>(grpc::StatusCode::UNKNOWN);
    prometheus::Counter* counter = series.handled[index].load(std::memory_order_acquire);
    if (counter != nullptr) return *counter;
    absl::MutexLock lock(&mutex_);
    counter = series.handled[index].load(std::memory_order_relaxed);
    if (counter == nullptr) {
      prometheus::Labels labels = series.base_labels;
      // Canonical code names ("OK", "NOT_FOUND"): absl and gRPC share the numbering.
      labels["grpc_code"] = absl::StatusCodeToString(static_cast<absl::StatusCode>(index));
      counter = &handled_.Add(labels);
      series.handled[index].store(counter, std::memory_order_release);
    }
    return *counter;
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;  // keeps the families alive
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  absl::Mutex mutex_;
  std::map<std::string, std::unique_ptr<MethodSeries>, std::less<>> by_method_ ABSL_GUARDED_BY(mutex_);
};

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(std::shared_ptr<MetricsState> state, ServerRpcInfo* info)
      : state_(std::move(state)), series_(state_->SeriesFor(info->method(), info->type())) {}

  // A call torn down before a status was sent (e.g. the client went away) still counts.
  ~MetricsInterceptor() override {
    if (started_ && !handled_) Finish(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      started_ = true;
      start_ = std::chrono::steady_clock::now();
      series_.started->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      // Observed before the status leaves, so a client that has its reply sees the counters.
      if (started_ && !handled_) Finish(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Finish(grpc::StatusCode code) {
    handled_ = true;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    state_->HandledCounter(series_, code).Increment();
    series_.handling_seconds->Observe(seconds);
  }

  std::shared_ptr<MetricsState> state_;
  MethodSeries& series_;
  bool started_ = false;
  bool handled_ = false;
  std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(std::shared_ptr<prometheus::Registry> registry)
      : state_(std::make_shared<MetricsState>(std::move(registry))) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new MetricsInterceptor(state_, info);  // gRPC owns and deletes it
  }

 private:
  std::shared_ptr<MetricsState> state_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeMetricsInterceptorFactory(
    std::shared_ptr<prometheus::Registry> registry) {
  return std::make_unique<MetricsInterceptorFactory>(std::move(registry));
}

}  // namespace grassroots::common
