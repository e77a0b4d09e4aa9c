#include "services/inspection/domain/deadlines.h"

#include "common/status/status.h"
#include "services/inspection/domain/rule_support.h"

namespace grassroots::inspection::domain {

constexpr char kRuleNearWindow[] = "inspection.deadline.near_window_working_days";

std::string_view ResolvingLevelName(ResolvingLevel level) {
  switch (level) {
    case ResolvingLevel::kGrassroots: return "GRASSROOTS";
    case ResolvingLevel::kDistrict: return "DISTRICT";
    case ResolvingLevel::kProvince: return "PROVINCE";
    case ResolvingLevel::kCentral: return "CENTRAL";
  }
  return "UNKNOWN";
}

std::string_view DeadlineStandingName(DeadlineStanding standing) {
  switch (standing) {
    case DeadlineStanding::kOnTrack: return "ON_TRACK";
    case DeadlineStanding::kNearDeadline: return "NEAR_DEADLINE";
    case DeadlineStanding::kOverdue: return "OVERDUE";
  }
  return "UNKNOWN";
}

absl::StatusOr<DeadlineStanding> ClassifyDeadline(absl::CivilDay due, absl::CivilDay as_of,
                                                  const common::RulesRegistry& rules,
                                                  const common::WorkingCalendar& calendar) {
  if (as_of > due) return DeadlineStanding::kOverdue;
  GR_ASSIGN_OR_RETURN(const common::Rule* window, internal::RuleInForce(rules, kRuleNearWindow, as_of));
  if (window == nullptr) return DeadlineStanding::kOnTrack;
  if (!window->value.is_number_integer() || window->value.get<int64_t>() < 0) {
    return absl::InternalError("rule inspection.deadline.near_window_working_days is not a count of days");
  }
  const int64_t window_days = window->value.get<int64_t>();
  return calendar.WorkingDaysBetween(as_of, due) <= window_days ? DeadlineStanding::kNearDeadline
                                                                : DeadlineStanding::kOnTrack;
}

}  // namespace grassroots::inspection::domain
