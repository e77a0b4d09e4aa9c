#include "services/inspection/handlers/projected_member_standing.h"

#include "absl/strings/str_cat.h"
#include "services/memberfacts/member_facts_projection.h"

namespace grassroots::inspection {

namespace memberpb = grassroots::membership::v1;

absl::StatusOr<MemberStandingOnDay> ProjectedMemberStanding::StandingOn(int64_t member_id, absl::CivilDay day) {
  return pool_.Read<MemberStandingOnDay>(
      "member_standing.on", [&](common::db::Session& session) -> absl::StatusOr<MemberStandingOnDay> {
        absl::StatusOr<std::optional<memberfacts::ProjectedMember>> member =
            memberfacts::MemberFactsProjection::Find(session, member_id);
        if (!member.ok()) return member.status();
        if (!*member) return absl::NotFoundError(absl::StrCat("members/", member_id, " does not exist"));
        MemberStandingOnDay standing;
        absl::StatusOr<memberfacts::ProjectedPeriod> period =
            memberfacts::MemberFactsProjection::StatusOn(session, member_id, day);
        if (absl::IsNotFound(period.status())) return standing;  // not in the party that day
        if (!period.ok()) return period.status();
        standing.cell_id = period->cell_id;
        if (period->status == memberpb::MEMBER_STATUS_OFFICIAL) standing.kind = MemberStandingKind::kOfficial;
        if (period->status == memberpb::MEMBER_STATUS_PROBATIONARY) standing.kind = MemberStandingKind::kProbationary;
        return standing;
      });
}

}  // namespace grassroots::inspection
