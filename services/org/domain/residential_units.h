#pragma once
// Residential units (thôn, tổ dân phố) and the dated facts about them: which cell covers
// each, who holds its head posts, and the heads' training for their post. Each fact is a
// series of periods [valid_from, valid_to) that never overlap; a change starts a new
// period and ends the open one on the same day. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/org/domain/organization.h"  // Decision

namespace grassroots::org::domain {

// Values match grassroots.org.v1.ResidentialUnitKind.
enum class ResidentialUnitKind { kVillage = 1, kResidentialGroup = 2 };

// Values match grassroots.org.v1.UnitHeadPost.
enum class HeadPost { kVillageHead = 1, kResidentialGroupHead = 2, kFrontWorkCommitteeHead = 3 };

// "VILLAGE_HEAD", "RESIDENTIAL_GROUP_HEAD", "FRONT_WORK_COMMITTEE_HEAD": the stored codes.
std::string_view HeadPostCode(HeadPost post);
std::optional<HeadPost> HeadPostFromCode(std::string_view code);
// The village head or the residential group head, by the unit's kind.
HeadPost LeaderPostOf(ResidentialUnitKind kind);

struct CoveringPeriod {
  int64_t id = 0;
  int64_t unit_id = 0;
  int64_t cell_id = 0;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;  // first day the cell no longer covers the unit
  Decision decision;
  Decision end_decision;
};

// A person holding a head post; member_id is set for a party member membership confirmed.
struct HeadPeriod {
  int64_t id = 0;
  int64_t unit_id = 0;
  HeadPost post = HeadPost::kVillageHead;
  std::string display_name;
  bool is_party_member = false;
  std::optional<int64_t> member_id;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  Decision decision;
  Decision end_decision;
};

struct HeadTraining {
  int64_t id = 0;
  int64_t head_id = 0;
  int64_t unit_id = 0;
  HeadPost post = HeadPost::kVillageHead;
  std::string course;
  absl::CivilDay start_date;
  absl::CivilDay end_date;
  absl::CivilDay term_starts_on;
  std::optional<absl::CivilDay> term_ends_on;
  std::string certificate_number;
  std::string provider;
};

struct ResidentialUnit {
  int64_t id = 0;
  std::string code;
  std::string display_name;
  ResidentialUnitKind kind = ResidentialUnitKind::kVillage;
  int64_t commune_organization_id = 0;
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;  // first day it no longer exists
  int32_t households = 0;
  int64_t version = 0;
  // The dated facts on the day the unit was read for.
  std::optional<CoveringPeriod> covering;
  std::optional<HeadPeriod> head;
  std::optional<HeadPeriod> front_work_committee_head;
  bool IsActiveOn(absl::CivilDay day) const { return established_on <= day && (!ended_on || day < *ended_on); }
};

// One period of a series, as the succession rules see it.
struct Span {
  int64_t id = 0;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
};
std::vector<Span> SpansOf(const std::vector<CoveringPeriod>& periods);
std::vector<Span> SpansOf(const std::vector<HeadPeriod>& periods);

// A dated fact of the unit may change on `day` only while the unit exists
// (FAILED_PRECONDITION UNIT_NOT_ACTIVE).
absl::Status RequireUnitActiveOn(const ResidentialUnit& unit, absl::CivilDay day);

// A new period of `series` starting on `from`: refused when a recorded period starts on or
// after `from` or ended after it (FAILED_PRECONDITION DATED_CHANGE_BEFORE_LATER_CHANGE:
// history is appended, never rewritten in the middle). Returns the open period that ends
// on `from`, if any. `what` names the series in messages ("the covering cell").
absl::StatusOr<std::optional<int64_t>> PlanSuccession(const std::vector<Span>& series, absl::CivilDay from,
                                                      std::string_view what);

// Ends period `id` of `series` on `on`: it must be open (FAILED_PRECONDITION PERIOD_ALREADY_ENDED)
// and have started before `on` (INVALID_ARGUMENT effective_date).
absl::Status CheckEnd(const std::vector<Span>& series, int64_t id, absl::CivilDay on);
// The open period of `series`; FAILED_PRECONDITION NO_CURRENT_PERIOD naming `what` when none.
absl::StatusOr<int64_t> OpenPeriod(const std::vector<Span>& series, std::string_view what);

// A cell may start covering a unit on `from` when it is a cell (INVALID_ARGUMENT naming
// `field`) active on that day that has not ended: the covering it starts is open-ended
// (FAILED_PRECONDITION COVERING_CELL_NOT_ACTIVE).
absl::Status CheckCoveringCell(const Organization& cell, absl::CivilDay from, std::string_view field);

// The leader post must suit the unit (a village has a village head, a residential group a
// group head); INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckPostForUnit(ResidentialUnitKind kind, HeadPost post, std::string_view field);

// A head who is a party member is named by a member id (membership confirms it), and only
// such a head names one: INVALID_ARGUMENT naming "<field>.member" otherwise. So a head counts
// as a member (S15) only once membership has confirmed it.
absl::Status CheckHeadMembership(bool is_party_member, bool names_member, std::string_view field);

// A head's training is for the head's own post, inside a valid term, not in the future, and
// begins before the term ends (INVALID_ARGUMENT naming the "training.*" field).
absl::Status CheckHeadTraining(const HeadPeriod& head, const HeadTraining& training, absl::CivilDay today);

}  // namespace grassroots::org::domain
