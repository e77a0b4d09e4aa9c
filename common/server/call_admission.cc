#include "common/server/call_admission.h"

#include <string_view>

namespace grassroots::common {

// Counts one unary call for as long as gRPC keeps its interceptor: created
// when the call is matched to a method, destroyed when it is over, whatever
// way it ends (a status sent, a cancellation, a refused thread).
class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(CallAdmission& admission) : admission_(admission) { admission_.Started(); }
  ~CountingInterceptor() override { admission_.Ended(); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override { methods->Proceed(); }

 private:
  CallAdmission& admission_;
};

namespace {

class CountingInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingInterceptorFactory(CallAdmission& admission) : admission_(admission) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY) return nullptr;
    // Health checks must answer however busy the server is; they are never shed either.
    if (std::string_view(info->method()).starts_with("/grpc.health.v1.Health/")) return nullptr;
    return new CountingInterceptor(admission_);  // gRPC owns and deletes it
  }

 private:
  CallAdmission& admission_;
};

}  // namespace

CallAdmission::CallAdmission(int max_unary_calls, prometheus::Registry& registry)
    : max_unary_calls_(max_unary_calls),
      in_flight_gauge_(prometheus::BuildGauge()
                           .Name("grpc_server_unary_calls_in_flight")
                           .Help("Unary calls being handled now (health checks excepted)")
                           .Register(registry)
                           .Add({})),
      shed_(prometheus::BuildCounter()
                .Name("grpc_server_calls_shed_total")
                .Help("Calls refused RESOURCE_EXHAUSTED at the gate because the server was at its call limit")
                .Register(registry)
                .Add({})) {}

bool CallAdmission::ShedNewCall() {
  if (max_unary_calls_ <= 0 || in_flight_.load(std::memory_order_relaxed) < max_unary_calls_) return false;
  shed_.Increment();
  return true;
}

void CallAdmission::Started() {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  in_flight_gauge_.Increment();
}

void CallAdmission::Ended() {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  in_flight_gauge_.Decrement();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CallAdmission::MakeCountingInterceptorFactory() {
  return std::make_unique<CountingInterceptorFactory>(*this);
}

}  // namespace grassroots::common
