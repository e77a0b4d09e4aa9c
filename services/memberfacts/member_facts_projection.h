#pragma once
// A service's own copy of membership's facts, fed by membership's change feed
// (member_facts_follower.h): each member's current status and placement, and
// its status periods, so a service can check "what was this member, and in
// which cell, on that day" without calling membership. Tables:
// services/memberfacts/migrations. Reads take the caller's session, so they
// can sit in the caller's transaction.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/memberfacts/member_facts.h"

namespace grassroots::memberfacts {

// A member of a cell on a day.
struct CellMemberOnDay {
  int64_t member_id = 0;
  grassroots::membership::v1::MemberStatus status = grassroots::membership::v1::MEMBER_STATUS_UNSPECIFIED;
  bool hosted = false;  // there on a temporary transfer (the cell is its host cell, not its own)
};

class MemberFactsProjection {
 public:
  // ---- writes (the follower's transaction, which also moves the cursor) ----
  // Inserts or replaces the member's row with the facts of the change at `sequence`.
  static absl::Status StoreMember(common::db::Session& session, const ProjectedMember& member, int64_t sequence);
  // Replaces all the member's periods with `periods` (replacement semantics).
  static absl::Status ReplacePeriods(common::db::Session& session, const ProjectedPeriods& periods, int64_t sequence);
  // Everything the projection holds (the cursor excepted): a rebuild starts from it.
  static absl::Status Clear(common::db::Session& session);

  // ---- reads ----
  // The member's current facts; none for a member the feed has not published.
  static absl::StatusOr<std::optional<ProjectedMember>> Find(common::db::Session& session, int64_t member_id);
  // The period in force on `day`: its status and cell. NOT_FOUND when the
  // member is unknown or was in no period that day (before its record began,
  // or after it left the tree).
  static absl::StatusOr<ProjectedPeriod> StatusOn(common::db::Session& session, int64_t member_id, absl::CivilDay day);
  // The cells the member was in on `day`: its own cell, then the host cell of
  // a temporary transfer in force; empty when it was in none.
  static absl::StatusOr<std::vector<int64_t>> CellsOfMemberOn(common::db::Session& session, int64_t member_id,
                                                              absl::CivilDay day);
  // The members whose period in force on `day` places them in `cell_id`, as
  // their own cell or as host cell; by member id.
  static absl::StatusOr<std::vector<CellMemberOnDay>> MembersOfCellOn(common::db::Session& session, int64_t cell_id,
                                                                      absl::CivilDay day);
};

}  // namespace grassroots::memberfacts
