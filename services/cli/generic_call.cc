// CallMethod and status rendering (finding methods and building requests: method_catalog.cc).
#include "services/cli/generic_call.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/rpc/generic_call.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace grassroots::cli {

namespace pb = google::protobuf;
using common::rpc::BlockingGenericStream;
using common::rpc::FromByteBuffer;
using common::rpc::ToByteBuffer;

grpc::Status CallMethod(const Connection& connection, const pb::MethodDescriptor& method,
                        const pb::Message& request, const std::function<void(const pb::Message&)>& on_response,
                        bool follow) {
  if (method.client_streaming()) {
    // The only client stream is the member import, which has its own command.
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat("client-streaming methods are not supported by `call`",
                                     method.full_name() == "grassroots.membership.v1.MemberImportService.ImportMembers"
                                         ? "; use `grassroots member import FILE`"
                                         : ""));
  }
  grpc::GenericStub stub(connection.channel());
  grpc::ClientContext context;
  const bool streaming = method.server_streaming();
  connection.Prepare(context, /*with_deadline=*/!(streaming && follow));
  const std::string path = MethodPath(method);
  grpc::ByteBuffer request_bytes = ToByteBuffer(request);

  if (!streaming) {
    grpc::ByteBuffer response_bytes;
    grpc::Status status = common::rpc::BlockingUnaryCall(stub, context, path, request_bytes, response_bytes);
    if (!status.ok()) return status;
    std::unique_ptr<pb::Message> response = NewResponse(method);
    if (!FromByteBuffer(response_bytes, *response)) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "the response could not be parsed as " +
                                                          method.output_type()->full_name());
    }
    on_response(*response);
    return status;
  }

  BlockingGenericStream stream(stub, context, path);
  if (!stream.Start() || !stream.Write(request_bytes) || !stream.WritesDone()) {
    return stream.Finish();
  }
  grpc::ByteBuffer response_bytes;
  while (stream.Read(&response_bytes)) {
    std::unique_ptr<pb::Message> response = NewResponse(method);
    if (!FromByteBuffer(response_bytes, *response)) {
      context.TryCancel();
      stream.Finish();
      return grpc::Status(grpc::StatusCode::INTERNAL, "a streamed response could not be parsed as " +
                                                          method.output_type()->full_name());
    }
    on_response(*response);
  }
  return stream.Finish();
}

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

std::string DescribeStatus(const grpc::Status& status) {
  std::string text = absl::StrCat(StatusCodeName(status.error_code()), ": ", status.error_message());
  if (status.error_details().empty()) return text;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return text;
  for (const google::protobuf::Any& detail : details.details()) {
    google::rpc::BadRequest bad_request;
    google::rpc::ErrorInfo error_info;
    google::rpc::PreconditionFailure precondition;
    if (detail.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        absl::StrAppend(&text, "\n  field ", violation.field(), ": ", violation.description());
      }
    } else if (detail.UnpackTo(&error_info)) {
      absl::StrAppend(&text, "\n  reason: ", error_info.reason());
      if (!error_info.domain().empty()) absl::StrAppend(&text, " (", error_info.domain(), ")");
      std::map<std::string, std::string> metadata(error_info.metadata().begin(), error_info.metadata().end());
      for (const auto& [key, value] : metadata) absl::StrAppend(&text, "\n  ", key, ": ", value);
    } else if (detail.UnpackTo(&precondition)) {
      for (const auto& violation : precondition.violations()) {
        absl::StrAppend(&text, "\n  precondition ", violation.type(), " ", violation.subject(), ": ",
                        violation.description());
      }
    } else {
      absl::StrAppend(&text, "\n  detail: ", detail.type_url());
    }
  }
  return text;
}

}  // namespace grassroots::cli
