#pragma once
// Every read that shows a person's record is on the audit chain: who (actor),
// when (occurred_at), which record (resource_name "members/{id}") and why
// (purpose), in one transaction per call, before the answer leaves.
//
// The purpose is the request metadata "x-purpose": 1-64 characters of
// [a-z0-9._-] (e.g. "case-review", "annual-rating", "member-self-service").
// Absent, it is recorded as "unstated"; malformed, the call is refused with
// INVALID_ARGUMENT naming x-purpose. Audit details hold the read's kind and
// codes only (never the values shown).
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "common/auth/auth.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

inline constexpr char kPurposeMetadata[] = "x-purpose";
inline constexpr char kUnstatedPurpose[] = "unstated";

absl::StatusOr<std::string> PurposeOf(const grpc::ServerContext& context);

// Who acted, as audit details may hold it: the caller's roles and scope
// organization (codes; the subject is the entry's actor). The member's export
// shows these instead of the actor.
nlohmann::json ActorDetails(const common::auth::Principal& principal);

// Appends one "member.read" entry per id (in order). `via`: the RPC that showed them.
absl::Status AuditMemberReads(HandlerContext& ctx, const grpc::ServerContext& context,
                              const common::auth::CallContext& call, std::string_view via,
                              const std::vector<int64_t>& member_ids);

}  // namespace grassroots::membership
