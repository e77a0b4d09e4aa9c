#pragma once
// MemberStanding read from inspection's own projection of membership's facts
// (services/memberfacts): no call to membership on a request.
#include "common/db/db.h"
#include "services/inspection/handlers/member_standing.h"

namespace grassroots::inspection {

class ProjectedMemberStanding final : public MemberStanding {
 public:
  explicit ProjectedMemberStanding(common::db::ConnectionPool& pool) : pool_(pool) {}
  absl::StatusOr<MemberStandingOnDay> StandingOn(int64_t member_id, absl::CivilDay day) override;

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::inspection
