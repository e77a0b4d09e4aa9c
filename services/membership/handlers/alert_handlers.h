#pragma once
// ListMemberAlerts (a MemberService method, implemented apart).
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "common/auth/auth.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

// Validates, checks the organization against the caller's scope, computes the alerts.
absl::Status ListMemberAlerts(HandlerContext& ctx, const common::auth::CallContext& call,
                              const v1::ListMemberAlertsRequest& request, v1::ListMemberAlertsResponse& response);

}  // namespace grassroots::membership
