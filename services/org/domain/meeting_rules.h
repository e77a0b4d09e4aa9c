#pragma once
// Cell meetings (sinh hoạt chi bộ): what a valid meeting record is, the findings the
// versioned rules give on it, and the quarter logic of the thematic-meeting check.
// No I/O: the caller loads organizations and passes the rules registry.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/rules/rules_registry.h"
#include "services/org/domain/committee_rules.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::domain {

// Values match grassroots.org.v1.MeetingKind / MeetingMode.
enum class MeetingKind {
  kRegular = 1,
  kThematic = 2,
  kRegularAndThematic = 3,
  kExtraordinary = 4,
  kCommittee = 5,
  kPartyGroup = 6,
};
enum class MeetingMode { kInPerson = 1, kOnline = 2, kHybrid = 3 };

bool IsKnownMeetingKind(int value);
bool IsKnownMeetingMode(int value);

// Rule ids (data/rules/rules.json).
inline constexpr std::string_view kThematicPerQuarterRule = "meeting.thematic.per_quarter_min";
inline constexpr std::string_view kRegularMinDurationRule = "meeting.regular.min_duration_minutes";
inline constexpr std::string_view kCombinedMinDurationRule = "meeting.combined.min_duration_minutes";
inline constexpr std::string_view kOnlineAllowedReasonsRule = "meeting.online.allowed_reasons";
// The organization type code of a party group (tổ đảng).
inline constexpr std::string_view kPartyGroupTypeCode = "TO_DANG";

struct Meeting {
  int64_t id = 0;
  int64_t organization_id = 0;
  MeetingKind kind = MeetingKind::kRegular;
  MeetingMode mode = MeetingMode::kInPerson;
  std::string online_reason;
  std::optional<int64_t> party_group_id;
  std::string topic;
  absl::Time planned_start;
  absl::Time planned_end;
  std::optional<absl::Time> actual_start;
  std::optional<absl::Time> actual_end;
  int32_t invited_count = 0;
  int32_t present_count = 0;
  int32_t excused_count = 0;
  std::vector<int64_t> attendee_member_ids;  // sorted, unique
  int64_t version = 0;
};

// The committee's calendar: Asia/Ho_Chi_Minh is UTC+7 with no daylight saving.
absl::TimeZone CommitteeTimeZone();
absl::CivilDay LocalDay(absl::Time t);
// The day the meeting counts for: its actual start, else its planned start.
absl::CivilDay MeetingDate(const Meeting& meeting);
// The day it was held; nullopt until an actual start is recorded.
std::optional<absl::CivilDay> HeldOn(const Meeting& meeting);

// The minimum duration the rules set for this kind on `day`; nullopt when none applies
// (a kind without a minimum, or no rule version in force on that day).
struct MinimumDuration {
  absl::Duration minimum;
  const common::Rule* rule = nullptr;
};
std::optional<MinimumDuration> MinimumDurationFor(MeetingKind kind, absl::CivilDay day,
                                                  const common::RulesRegistry& rules);

// Field-level checks of a meeting record: INVALID_ARGUMENT naming the field
// ("meeting.planned_end", "meeting.online_reason", ...).
absl::Status ValidateMeeting(const Meeting& meeting, const common::RulesRegistry& rules);

// A party-group meeting's group must be a tổ đảng directly under the meeting's cell and
// active on the meeting date; any other kind must not name one. INVALID_ARGUMENT(meeting.party_group).
absl::Status ValidatePartyGroup(const Meeting& meeting, const std::optional<Organization>& party_group);

// Findings and whether the actual duration meets the minimum (false until held).
struct MeetingAssessment {
  bool meets_minimum_duration = false;
  std::vector<RuleFinding> findings;  // RuleFinding: committee_rules.h
};
MeetingAssessment AssessMeeting(const Meeting& meeting, const common::RulesRegistry& rules);

// ---- quarters ------------------------------------------------------------------
struct Quarter {
  int year = 0;
  int number = 0;  // 1..4
  absl::CivilDay first_day;
  absl::CivilDay last_day;
};
// INVALID_ARGUMENT naming "year" (1900..9999) or "quarter" (1..4).
absl::StatusOr<Quarter> MakeQuarter(int year, int number);
// Thematic meetings, alone or held together with the regular one.
bool CountsAsThematic(MeetingKind kind);
// A cell is checked for a quarter when it existed from its first to its last day.
bool ActiveThroughQuarter(const Organization& organization, const Quarter& quarter);
bool HeldInQuarter(const Meeting& meeting, const Quarter& quarter);
// How many thematic meetings a cell must hold in the quarter (rule in force on its last
// day); 0 when no rule is in force.
int64_t ThematicMeetingsRequired(const Quarter& quarter, const common::RulesRegistry& rules);

}  // namespace grassroots::org::domain
