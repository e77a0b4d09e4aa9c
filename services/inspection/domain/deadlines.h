#pragma once
// Deadlines the inspection rules compute (appeals, petitions, recommendations):
// a due day with the rule that set it, the level of the body that resolves a
// matter (limits differ by level), and near-deadline / overdue classification.
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"

namespace grassroots::inspection::domain {

// A due day (the last day on which the obligation is met on time) and the
// rule version that set it.
struct Deadline {
  absl::CivilDay due;
  std::string rule_id;
  std::string citation;
};

// The level of the party body that resolves a complaint or a denunciation.
// Rules key their limits by ResolvingLevelName; a level a rule does not list
// falls back to the rule's "DEFAULT" entry when it has one.
enum class ResolvingLevel {
  kGrassroots,  // đảng ủy cơ sở, chi bộ cơ sở and their inspection commissions
  kDistrict,    // cấp huyện and equivalent (abolished in 2025; kept for history)
  kProvince,    // cấp tỉnh and equivalent (committees directly under the Central Committee)
  kCentral,     // Central Committee, Politburo, Secretariat, Central Inspection Commission
};
std::string_view ResolvingLevelName(ResolvingLevel level);

enum class DeadlineStanding {
  kOnTrack,       // more than the warning window before the due day
  kNearDeadline,  // within the window (rule inspection.deadline.near_window_working_days)
  kOverdue,       // the as-of day is after the due day
};
std::string_view DeadlineStandingName(DeadlineStanding standing);

// Where an open matter due on `due` stands on `as_of`. Near: as_of is before or
// on due and due is at most the window's working days after as_of. The window
// rule is read as of `as_of`; with no version in force there is no "near" band.
absl::StatusOr<DeadlineStanding> ClassifyDeadline(absl::CivilDay due, absl::CivilDay as_of,
                                                  const common::RulesRegistry& rules,
                                                  const common::WorkingCalendar& calendar);

}  // namespace grassroots::inspection::domain
