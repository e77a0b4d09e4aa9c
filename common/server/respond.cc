#include "common/server/respond.h"

#include <cstdlib>
#include <string>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "common/db/read_router.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::common {
namespace {

grpc::Status Finish(std::string_view method, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    log::Error("request failed", {{"method", std::string(method)}, {"status", status.ToString()}});
  }
  return ToGrpcStatus(status);
}

}  // namespace

CallEnvelope::CallEnvelope(std::string_view service_full_name, const auth::Authorizer& authorizer)
    : authorizer_(authorizer) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service_full_name));
  if (service == nullptr) {
    log::Error("no descriptor for a served gRPC service", {{"service", std::string(service_full_name)}});
    std::abort();
  }
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string& name = service->method(i)->name();
    full_names_.emplace(name, absl::StrCat("/", service->full_name(), "/", name));
  }
}

const std::string& CallEnvelope::FullName(std::string_view method) const {
  static const std::string kNone;
  auto it = full_names_.find(ToAbsl(method));
  return it == full_names_.end() ? kNone : it->second;
}

grpc::Status CallEnvelope::Run(grpc::ServerContext* context, std::string_view method, const Body& body) const {
  log::RequestIdScope request_scope(auth::RequestIdOf(*context));
  context->AddTrailingMetadata("x-request-id", log::CurrentRequestId());
  const std::string& full_name = FullName(method);
  if (full_name.empty()) {
    return Finish(method, absl::InternalError(absl::StrCat("handler names no method of its service: ", ToAbsl(method))));
  }
  absl::StatusOr<auth::CallContext> call = authorizer_.Begin(*context, full_name);
  if (!call.ok()) return Finish(full_name, call.status());
  // Read-your-writes across processes: the caller brings the position of a
  // write another process answered; this call's writes go back the same way.
  db::GtidPosition must_see;
  if (std::optional<std::string_view> read_after = auth::FindMetadata(*context, db::kReadAfterMetadata)) {
    absl::StatusOr<db::GtidPosition> parsed = db::GtidPosition::Parse(*read_after);
    if (!parsed.ok()) {
      return Finish(full_name, absl::InvalidArgumentError(absl::StrCat(
                                   ToAbsl(db::kReadAfterMetadata), " metadata: ", parsed.status().message())));
    }
    must_see = *std::move(parsed);
  }
  db::CallReadPositions positions(std::move(must_see));
  const absl::Status status = body(*call);
  if (!positions.written().empty()) {
    context->AddTrailingMetadata(std::string(db::kReadAfterMetadata), positions.written().ToString());
  }
  return Finish(full_name, status);
}

}  // namespace grassroots::common
