#pragma once
// The data subject's rights (Law 91/2025) on MemberService: the member's
// export of everything held about them, and correction requests tracked to
// their answer. MemberServiceImpl forwards to these.
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "common/auth/auth.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

absl::Status ExportMyData(HandlerContext& ctx, const grpc::ServerContext& context,
                          const common::auth::CallContext& call, v1::MyDataExport& response);
absl::Status RequestCorrection(HandlerContext& ctx, const common::auth::CallContext& call,
                               const v1::RequestCorrectionRequest& request, v1::CorrectionRequest& response);
absl::Status ListMyCorrectionRequests(HandlerContext& ctx, const common::auth::CallContext& call,
                                      v1::ListCorrectionRequestsResponse& response);
absl::Status ListCorrectionRequests(HandlerContext& ctx, const grpc::ServerContext& context,
                                    const common::auth::CallContext& call,
                                    const v1::ListCorrectionRequestsRequest& request,
                                    v1::ListCorrectionRequestsResponse& response);
absl::Status AnswerCorrectionRequest(HandlerContext& ctx, const common::auth::CallContext& call,
                                     const v1::AnswerCorrectionRequestRequest& request,
                                     v1::CorrectionRequest& response);

}  // namespace grassroots::membership
