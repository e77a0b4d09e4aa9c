#pragma once
// MemberEvent <-> domain::Event.
#include <cstdint>

#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/lifecycle.h"

namespace grassroots::membership {

// with_actor = false for the member's own view (MyRecord).
v1::MemberEvent ToProto(const domain::Event& event, int64_t member_id, bool with_actor);

}  // namespace grassroots::membership
