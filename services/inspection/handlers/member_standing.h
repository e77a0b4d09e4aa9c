#pragma once
// What inspection needs to know about a member from the membership service:
// whether the record exists and, on a given day, whether the member was
// official or probationary and in which cell. Inspection reads it from its
// own projection of membership's facts; the interface keeps the handlers
// independent of how that projection is kept.
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::inspection {

enum class MemberStandingKind {
  kNotAMember,   // a prospect, or no longer a member on that day
  kProbationary,
  kOfficial,
};

struct MemberStandingOnDay {
  MemberStandingKind kind = MemberStandingKind::kNotAMember;
  std::optional<int64_t> cell_id;
};

class MemberStanding {
 public:
  virtual ~MemberStanding() = default;
  // NOT_FOUND naming the member when membership has no such record.
  virtual absl::StatusOr<MemberStandingOnDay> StandingOn(int64_t member_id, absl::CivilDay day) = 0;
};

}  // namespace grassroots::inspection
