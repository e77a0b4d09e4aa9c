#pragma once
// What the member-facts projection keeps of membership's feed entries, and how
// an entry becomes it (pure: no database). Ids, codes and dates only.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "grassroots/feed/v1/change_feed.pb.h"
#include "grassroots/membership/v1/member.pb.h"

namespace grassroots::memberfacts {

// The resource types of membership's feed that the projection applies
// (grassroots.membership.v1, "the change feed of membership").
inline constexpr char kMemberResource[] = "member";
inline constexpr char kMemberPeriodsResource[] = "member_periods";

// A member's current facts (MemberFacts without the personal attributes).
struct ProjectedMember {
  int64_t member_id = 0;
  grassroots::membership::v1::MemberStatus status = grassroots::membership::v1::MEMBER_STATUS_UNSPECIFIED;
  std::optional<int64_t> cell_id;       // none: placed in no cell
  std::optional<int64_t> host_cell_id;  // a temporary transfer in force
  bool exempt = false;
  bool suspended = false;
  std::optional<absl::CivilDay> status_since;
  std::optional<absl::CivilDay> admission_decision_date;
  std::optional<absl::CivilDay> admission_ceremony_date;
  std::optional<absl::CivilDay> probation_end_date;
  std::optional<absl::CivilDay> official_date;
  grassroots::membership::v1::OccupationCategory occupation_category =
      grassroots::membership::v1::OCCUPATION_CATEGORY_UNSPECIFIED;
  grassroots::membership::v1::OccupationCategory occupation_category_at_admission =
      grassroots::membership::v1::OCCUPATION_CATEGORY_UNSPECIFIED;
};

// One stretch of a member's status and placement: [valid_from, valid_to).
struct ProjectedPeriod {
  grassroots::membership::v1::MemberStatus status = grassroots::membership::v1::MEMBER_STATUS_UNSPECIFIED;
  std::optional<int64_t> cell_id;
  std::optional<int64_t> host_cell_id;
  bool exempt = false;
  bool suspended = false;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;  // none: in force

  bool Covers(absl::CivilDay day) const { return valid_from <= day && (!valid_to || day < *valid_to); }
};

// All the status periods of one member, oldest first ("member_periods").
struct ProjectedPeriods {
  int64_t member_id = 0;
  std::vector<ProjectedPeriod> periods;
};

// The MemberFacts of a "member" entry. INVALID_ARGUMENT (naming the field)
// for another payload, a malformed name or date, or a payload about another
// member than the entry's resource_name.
absl::StatusOr<ProjectedMember> DecodeMemberFacts(const grassroots::feed::v1::Change& change);

// The MemberPeriods of a "member_periods" entry. INVALID_ARGUMENT as above,
// and for periods out of order, overlapping, or ending before they start.
absl::StatusOr<ProjectedPeriods> DecodeMemberPeriods(const grassroots::feed::v1::Change& change);

}  // namespace grassroots::memberfacts
