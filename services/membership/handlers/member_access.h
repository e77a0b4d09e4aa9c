#pragma once
// Shared by every membership handler: the call envelope (request id, status
// mapping), names, decisions, who may see and touch which member, the Member
// view with sensitive fields redacted, and the member's change-feed entry.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/server/respond.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/lifecycle.h"
#include "services/membership/domain/member.h"
#include "services/membership/domain/member_attributes.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/request_fields.h"

namespace grassroots::membership {


// Who may act on a member:
//  - admin, inspector, secretary, service: the member's cell (or host cell for
//    reads) lies in the caller's scope subtree (projection);
//  - member role: only their own record (token member_id), reads only unless
//    the method says otherwise.
// Otherwise NOT_FOUND exactly as for a member id that does not exist (no
// existence oracle); PERMISSION_DENIED only for a write on a record the caller
// may read (its own, or one hosted in its scope).
enum class Access { kRead, kWrite };
absl::Status RequireMemberAccess(HandlerContext& ctx, const common::auth::Principal& principal,
                                 const domain::MemberRecord& member, Access access);
// The same inside a transaction: the scope check reads the projection through
// `session` instead of leasing a second connection.
absl::Status RequireMemberAccess(HandlerContext& ctx, common::db::Session& session,
                                 const common::auth::Principal& principal, const domain::MemberRecord& member,
                                 Access access);
// Whether a status is RequireMemberAccess's refusal (NOT_FOUND or
// PERMISSION_DENIED), after which another way in may be tried.
bool IsAccessRefusal(const absl::Status& status);
// Self-dealing: nobody records a rating, a training or residence feedback on
// their own member record (the token's member_id). PERMISSION_DENIED
// SELF_DEALING naming `what` ("rate", ...).
absl::Status RequireNotOwnRecord(const common::auth::Principal& principal, const domain::MemberRecord& member,
                                 std::string_view what);
// Organization in the caller's scope (projection); member role: their own cell.
absl::Status RequireOrgInScope(HandlerContext& ctx, const common::auth::Principal& principal, int64_t org_id);


// Sensitive fields (citizen_id, ethnicity, religion) go to admin and service
// callers, and to a member reading their own record; everyone else gets them
// in redacted_fields.
bool MaySeeSensitive(const common::auth::Principal& principal, const domain::MemberRecord& member);
v1::Member ToProto(const domain::CodeLists& codes, const domain::MemberRecord& member, absl::CivilDay as_of,
                   bool with_sensitive);

// "members/{member}/cards/{card}" with the card's fields.
v1::PartyCard ToProto(int64_t member_id, const store::MemberStore::Card& card);
// What a member sees of their own record (GetMyRecord, the mobile sync): the
// profile with their own sensitive fields, the events that stand (voided ones
// and the corrections that voided them left out) without who recorded them,
// and their cards; read in the caller's `session`.
absl::StatusOr<v1::MyRecord> ReadMyRecord(HandlerContext& ctx, common::db::Session& session, int64_t member_id,
                                          absl::CivilDay as_of);

// The reporting projection of a member (feed payload of resource type
// "member"): no names, addresses, phones, e-mail or citizen ID; birth year and
// month only; ethnicity and religion as codes (text that is not a code of
// `codes` is left out).
v1::MemberFacts ToFacts(const domain::CodeLists& codes, const domain::MemberRecord& member,
                        const std::vector<domain::AttributePeriod>& attribute_periods);
// Feed payload of resource type "member_periods".
v1::MemberPeriods ToPeriodsProto(int64_t member_id, const std::vector<domain::Period>& periods);

// Appends the member's change-feed and audit entry (resource type "member",
// MemberFacts with the attribute history read in `session`) in the caller's
// transaction. audit_details: ids and codes only.
absl::Status RecordMemberChange(HandlerContext& ctx, common::db::Session& session,
                                const common::feed::WriteContext& write, const domain::MemberRecord& member,
                                std::string_view action, nlohmann::json audit_details = nlohmann::json::object());
// Appends the "member_periods" feed entry (all periods, replacing earlier ones).
absl::Status RecordMemberPeriods(common::db::Session& session, const common::feed::WriteContext& write,
                                 int64_t member_id, const std::vector<domain::Period>& periods);

// The change records RecordMemberChange and RecordMemberPeriods append, for a
// caller that appends many at once (common::feed::RecordChanges). Each points
// at its payload, which must outlive it.
common::feed::ChangeRecord MemberChange(const v1::MemberFacts& facts, const domain::MemberRecord& member,
                                        std::string_view action, nlohmann::json audit_details);
common::feed::ChangeRecord MemberPeriodsChange(const v1::MemberPeriods& view, int64_t member_id);

}  // namespace grassroots::membership
