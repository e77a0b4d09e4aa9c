#pragma once
// The profile update path of UpdateMember, shared with the answer to a
// member's correction request (AnswerCorrectionRequest applies an accepted
// correction exactly as UpdateMember would).
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/member.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

// The Member fields UpdateMember may change (its update_mask paths).
const std::set<std::string>& UpdatableMemberFields();

struct ProposedProfile {
  domain::Profile profile;
  domain::SensitiveFields sensitive;
};
// `current` with the `paths` of `in` applied, validated whole (INVALID_ARGUMENT
// naming "<field_prefix>.<field>"). No I/O.
absl::StatusOr<ProposedProfile> MergeProfile(HandlerContext& ctx, const domain::MemberRecord& current,
                                             const v1::Member& in, const std::vector<std::string>& paths,
                                             std::string_view field_prefix);

// Locks the member, checks write access and the etag (when given), applies
// `paths` (sorted, unique) of `in` (dated attributes from `effective`) and
// records the "member" change, in the caller's transaction. audit_extra: more
// audit details (ids and codes only).
absl::StatusOr<domain::MemberRecord> ApplyProfileUpdate(HandlerContext& ctx, common::db::Session& session,
                                                        const common::feed::WriteContext& write,
                                                        const common::auth::Principal& principal, int64_t id,
                                                        const v1::Member& in, const std::vector<std::string>& paths,
                                                        absl::CivilDay effective, std::string_view etag,
                                                        std::string_view field_prefix, nlohmann::json audit_extra);

}  // namespace grassroots::membership
