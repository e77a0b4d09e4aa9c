#pragma once
// Prometheus metrics for a gRPC server, named as go-grpc-prometheus names them:
// grpc_server_started_total, grpc_server_handled_total, grpc_server_handling_seconds
// with labels grpc_type, grpc_service, grpc_method (and grpc_code when handled).
// Installed as a server interceptor so no handler has to remember it.
#include <memory>

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/registry.h>

namespace grassroots::common {

class GrpcServerMetrics;

// Factory to pass to ServerBuilder::experimental().SetInterceptorCreators.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeMetricsInterceptorFactory(
    std::shared_ptr<prometheus::Registry> registry);

}  // namespace grassroots::common
