#pragma once
// Appeals against discipline (khiếu nại kỷ luật đảng): the filing deadline,
// the resolution deadline in working days by the level of the resolving body,
// and the outcomes. No I/O.
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/discipline_rules.h"

namespace grassroots::inspection::domain {

enum class AppealOutcome {
  kUpheld,    // giữ nguyên
  kChanged,   // thay đổi hình thức kỷ luật (to another form, checked against the subject)
  kAnnulled,  // xóa (hủy) quyết định kỷ luật
};
std::string_view AppealOutcomeName(AppealOutcome outcome);

// The last day to file: `decision_received_on` plus the period of
// inspection.appeal.filing_period (in force on that day; required).
absl::StatusOr<Deadline> AppealFilingDeadline(absl::CivilDay decision_received_on,
                                              const common::RulesRegistry& rules,
                                              const common::WorkingCalendar& calendar);

// INVALID_ARGUMENT "filed_on" when before decision_received_on;
// FAILED_PRECONDITION APPEAL_FILED_LATE naming the rule when after the filing deadline.
absl::Status CheckAppealFiling(absl::CivilDay decision_received_on, absl::CivilDay filed_on,
                               const common::RulesRegistry& rules, const common::WorkingCalendar& calendar);

// The day by which the resolving body must decide: `appeal_received_on` plus
// the working days of inspection.appeal.resolution_working_days for `level`
// (in force on that day; required).
absl::StatusOr<Deadline> AppealResolutionDeadline(absl::CivilDay appeal_received_on, ResolvingLevel level,
                                                  const common::RulesRegistry& rules,
                                                  const common::WorkingCalendar& calendar);

struct AppealResolution {
  AppealOutcome outcome = AppealOutcome::kUpheld;
  DisciplineForm original_form = DisciplineForm::kReprimand;
  std::optional<DisciplineForm> new_form;  // CHANGED only
  DisciplineSubjectKind subject = DisciplineSubjectKind::kOfficialMember;
  bool held_post_on_violation_date = false;
  absl::CivilDay resolved_on;
};

// INVALID_ARGUMENT "new_form" when CHANGED without one, with the original form,
// or given for another outcome; the new form passes CheckFormAllowed.
absl::Status CheckAppealResolution(const AppealResolution& resolution, const common::RulesRegistry& rules);

// What the outcome does to the original decision's effect.
enum class OutcomeEffect {
  kKeepsOriginal,     // UPHELD
  kReplacesOriginal,  // CHANGED: the new form's effect replaces the original's (see discipline_effects.h)
  kReversesOriginal,  // ANNULLED
};
OutcomeEffect EffectOfOutcome(AppealOutcome outcome);

}  // namespace grassroots::inspection::domain
