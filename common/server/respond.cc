#include "common/server/respond.h"

#include <string>

#include "common/auth/auth.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::common {

grpc::Status Respond(grpc::ServerContext* context, std::string_view method, const std::function<absl::Status()>& body) {
  log::RequestIdScope request_scope(auth::RequestIdOf(*context));
  context->AddTrailingMetadata("x-request-id", log::CurrentRequestId());
  absl::Status status = body();
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    log::Error("request failed", {{"method", std::string(method)}, {"status", status.ToString()}});
  }
  return ToGrpcStatus(status);
}

}  // namespace grassroots::common
