#include "services/orgtree/cell_directory.h"

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::orgtree {
namespace {

namespace orgpb = grassroots::org::v1;

constexpr char kUnavailable[] = "organization service unavailable";

}  // namespace

// ---- the rule and the error mapping ------------------------------------------------

absl::Status CheckActiveCell(const orgpb::Organization& organization, absl::CivilDay day, std::string_view field) {
  if (!organization.is_cell()) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NOT_A_CELL",
                            absl::StrCat(common::ToAbsl(field), " must name a cell (chi bộ), not another kind of organization"));
  }
  const std::string day_text = common::api::FormatDate(day);
  auto not_active = [&](std::string_view why) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
                            absl::StrCat(common::ToAbsl(field), ": the cell ", common::ToAbsl(why), " on ", day_text));
  };
  absl::StatusOr<absl::CivilDay> established = common::api::ParseDate(organization.established_on(), "established_on");
  if (!established.ok()) return not_active("has no valid founding date");
  if (day < *established) return not_active("was not yet founded");
  if (!organization.ended_on().empty()) {
    absl::StatusOr<absl::CivilDay> ended = common::api::ParseDate(organization.ended_on(), "ended_on");
    if (!ended.ok() || day >= *ended) return not_active("had ended");
    return absl::OkStatus();
  }
  if (organization.state() != orgpb::ORGANIZATION_STATE_ACTIVE) return not_active("is not active");
  return absl::OkStatus();
}

absl::Status MapOrganizationCallError(const grpc::Status& status, std::string_view field) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::NOT_FOUND:
      return common::InvalidField(field, "no such organization on the effective date");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return common::InvalidField(field, "is not a valid organization id");
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      // Our token is missing a role or scope, expired, or signed by another key.
      common::log::Error("the organization service refused this service's token; check --service-signing-key-file and that its key is in the JWKS",
                         {{"grpc_code", static_cast<int>(status.error_code())}});
      return absl::InternalError("the organization service refused this service's credentials");
    default:
      // Down, slow, overloaded, shutting down or failing: nothing is written and the caller may retry.
      common::log::Warn("organization service call failed",
                        {{"grpc_code", static_cast<int>(status.error_code())}, {"message", status.error_message()}});
      return absl::UnavailableError(kUnavailable);
  }
}

// ---- GrpcCellDirectory ------------------------------------------------------------

GrpcCellDirectory::GrpcCellDirectory(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> token,
                                     std::chrono::milliseconds deadline)
    : stub_(orgpb::OrganizationService::NewStub(std::move(channel))), token_(std::move(token)), deadline_(deadline) {}

absl::Status GrpcCellDirectory::RequireActiveCell(int64_t cell_id, absl::CivilDay day, std::string_view field) {
  if (cell_id <= 0) return common::InvalidField(field, "must name an organization");
  GR_ASSIGN_OR_RETURN(std::string token, token_->Get());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline_);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  // The same request id on both services' log lines.
  if (const std::string& request_id = common::log::CurrentRequestId(); !request_id.empty()) {
    context.AddMetadata("x-request-id", request_id);
  }
  orgpb::GetOrganizationRequest request;
  request.set_name(common::api::MakeName("organizations", cell_id));
  request.set_as_of_date(common::api::FormatDate(day));
  orgpb::Organization organization;
  const grpc::Status status = stub_->GetOrganization(&context, request, &organization);
  if (!status.ok()) return MapOrganizationCallError(status, field);
  return CheckActiveCell(organization, day, field);
}

}  // namespace grassroots::orgtree
