#include "common/status/status.h"

#include <optional>

#include <grpcpp/support/error_details.h>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace grassroots::common {
namespace {

// Payload type URLs; private to this file, they never leave the process as such.
constexpr absl::string_view kFieldPayload = "type.grassroots/field";
constexpr absl::string_view kFieldDescriptionPayload = "type.grassroots/field_description";
constexpr absl::string_view kReasonPayload = "type.grassroots/reason";
constexpr absl::string_view kErrorDomain = "grassroots";
constexpr absl::string_view kGenericInternalMessage = "internal error; see the server log";

std::string PayloadText(const absl::Status& status, absl::string_view type_url) {
  auto payload = status.GetPayload(type_url);
  return payload ? std::string(*payload) : std::string();
}

}  // namespace

absl::Status InvalidField(std::string_view field, std::string_view description) {
  absl::Status status(absl::StatusCode::kInvalidArgument, absl::StrCat(ToAbsl(field), ": ", ToAbsl(description)));
  status.SetPayload(kFieldPayload, absl::Cord(ToAbsl(field)));
  status.SetPayload(kFieldDescriptionPayload, absl::Cord(ToAbsl(description)));
  return status;
}

absl::Status Reasoned(absl::StatusCode code, std::string_view reason, std::string_view message) {
  absl::Status status(code, ToAbsl(message));
  if (!status.ok()) status.SetPayload(kReasonPayload, absl::Cord(ToAbsl(reason)));
  return status;
}

absl::Status ResourceNotFound(std::string_view resource_name) {
  return absl::NotFoundError(absl::StrCat(ToAbsl(resource_name), " not found"));
}

std::string ReasonOf(const absl::Status& status) { return PayloadText(status, kReasonPayload); }
std::string FieldOf(const absl::Status& status) { return PayloadText(status, kFieldPayload); }

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const bool hide_message =
      status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown;
  const std::string message = hide_message ? std::string(kGenericInternalMessage) : std::string(status.message());

  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(message);

  // AIP-193: every error carries an ErrorInfo. Without an explicit reason the
  // canonical code name stands in, so clients can always switch on `reason`.
  const std::string field = FieldOf(status);
  std::string reason = ReasonOf(status);
  if (reason.empty()) reason = field.empty() ? absl::StatusCodeToString(status.code()) : "INVALID_FIELD";
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain(std::string(kErrorDomain));
  if (!field.empty()) (*info.mutable_metadata())["field"] = field;
  rpc_status.add_details()->PackFrom(info);

  if (!field.empty()) {
    google::rpc::BadRequest bad_request;
    auto* violation = bad_request.add_field_violations();
    violation->set_field(field);
    violation->set_description(PayloadText(status, kFieldDescriptionPayload));
    rpc_status.add_details()->PackFrom(bad_request);
  }

  grpc::Status out;
  grpc::SetErrorDetails(rpc_status, &out);
  return out;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rpc_status;
  if (status.error_details().empty() || !rpc_status.ParseFromString(status.error_details())) return out;
  for (const google::protobuf::Any& detail : rpc_status.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info) && !info.reason().empty()) {
      out.SetPayload(kReasonPayload, absl::Cord(info.reason()));
      break;
    }
  }
  return out;
}

}  // namespace grassroots::common
