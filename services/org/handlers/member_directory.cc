#include "services/org/handlers/member_directory.h"

#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::org {
namespace {

namespace memberpb = grassroots::membership::v1;

bool IsPartyMember(memberpb::MemberStatus status) {
  return status == memberpb::MEMBER_STATUS_PROBATIONARY || status == memberpb::MEMBER_STATUS_OFFICIAL;
}

absl::Status FromCallError(const grpc::Status& status, std::string_view field) {
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return common::InvalidField(field, "no such member, or no record of them on that day");
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      common::log::Error("the membership service refused org's service token; check GRASSROOTS_SERVICE_SIGNING_KEY_FILE and the JWKS",
                         {{"grpc_code", static_cast<int>(status.error_code())}});
      return absl::InternalError("the membership service refused org's credentials");
    default:
      common::log::Warn("membership service call failed", {{"grpc_code", static_cast<int>(status.error_code())}});
      return absl::UnavailableError("membership service unavailable; nothing was written");
  }
}

}  // namespace

absl::Status MembershipNotConfigured(std::string_view field) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "MEMBERSHIP_NOT_CONFIGURED",
                          absl::StrCat(common::ToAbsl(field),
                                       " names a member, but org has no membership service to confirm it "
                                       "(set GRASSROOTS_MEMBERSHIP_TARGET and GRASSROOTS_SERVICE_SIGNING_KEY_FILE)"));
}

GrpcMemberDirectory::GrpcMemberDirectory(std::shared_ptr<grpc::Channel> channel,
                                         std::shared_ptr<orgtree::ServiceToken> token,
                                         std::chrono::milliseconds deadline)
    : stub_(memberpb::MemberService::NewStub(std::move(channel))),
      token_(std::move(token)),
      deadline_(deadline) {}

absl::Status GrpcMemberDirectory::RequirePartyMember(int64_t member_id, absl::CivilDay day, std::string_view field) {
  GR_ASSIGN_OR_RETURN(std::string token, token_->Get());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline_);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  if (const std::string& request_id = common::log::CurrentRequestId(); !request_id.empty()) {
    context.AddMetadata("x-request-id", request_id);
  }
  memberpb::GetMemberRequest request;
  request.set_name(common::api::MakeName("members", member_id));
  request.set_as_of_date(common::api::FormatDate(day));
  memberpb::Member member;
  if (grpc::Status status = stub_->GetMember(&context, request, &member); !status.ok()) {
    return FromCallError(status, field);
  }
  if (!IsPartyMember(member.status())) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "HEAD_NOT_A_PARTY_MEMBER",
                            absl::StrCat(common::ToAbsl(field), " is not a probationary or official party member on ",
                                         common::api::FormatDate(day)));
  }
  return absl::OkStatus();
}

}  // namespace grassroots::org
