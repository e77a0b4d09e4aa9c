#include "services/inspection/handlers/position_directory.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::inspection {

namespace orgpb = grassroots::org::v1;

GrpcPositionDirectory::GrpcPositionDirectory(std::shared_ptr<grpc::Channel> org,
                                             std::shared_ptr<orgtree::ServiceToken> token,
                                             std::chrono::milliseconds deadline)
    : committees_(orgpb::CommitteeService::NewStub(std::move(org))), token_(std::move(token)), deadline_(deadline) {}

absl::StatusOr<bool> GrpcPositionDirectory::HeldOn(const std::string& position, const std::string& member,
                                                   absl::CivilDay day, std::string_view field) {
  const size_t at = position.find("/positions/");
  if (at == std::string::npos || position.rfind("organizations/", 0) != 0 ||
      position.find("/committeeTerms/") == std::string::npos) {
    return common::InvalidField(field, "must look like organizations/{o}/committeeTerms/{t}/positions/{p}");
  }
  GR_ASSIGN_OR_RETURN(std::string token, token_->Get());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline_);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  if (const std::string& request_id = common::log::CurrentRequestId(); !request_id.empty()) {
    context.AddMetadata("x-request-id", request_id);
  }
  orgpb::ListPositionsRequest request;
  request.set_parent(position.substr(0, at));
  request.set_as_of_date(common::api::FormatDate(day));
  orgpb::ListPositionsResponse response;
  const grpc::Status status = committees_->ListPositions(&context, request, &response);
  switch (status.error_code()) {
    case grpc::StatusCode::OK: break;
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::INVALID_ARGUMENT:
      return common::InvalidField(field, "names no committee term of the organization service");
    default:
      common::log::Warn("organization service call failed", {{"grpc_code", static_cast<int>(status.error_code())}});
      return absl::UnavailableError("the organization service is unavailable; nothing was written, try again");
  }
  for (const orgpb::Position& held : response.positions()) {
    if (held.name() == position) return held.member() == member;
  }
  return false;
}

}  // namespace grassroots::inspection
