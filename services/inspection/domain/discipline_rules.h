#pragma once
// Party discipline (kỷ luật đảng): which forms a subject can receive (QĐ 69
// Art. 7 and its successors) and the limitation period (thời hiệu) within
// which a decision may be made. No I/O: limits come from the rules registry.
//
// Errors: INVALID_ARGUMENT naming the field for bad input; FAILED_PRECONDITION
// with a reason (common::ReasonOf) and a message naming the rule id and citation.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"

namespace grassroots::inspection::domain {

enum class DisciplineForm {
  kReprimand,    // khiển trách
  kWarning,      // cảnh cáo
  kDismissal,    // cách chức
  kExpulsion,    // khai trừ
  kDissolution,  // giải tán
};
enum class DisciplineSubjectKind { kOfficialMember, kProbationaryMember, kOrganization };

// The violation categories for which no limitation applies whatever the form
// (rule inspection.discipline.no_limitation_violation_kinds).
enum class GraveViolationKind {
  kNone,                  // none of these
  kInternalPolitics,      // chính trị nội bộ
  kNationalInterest,      // quốc phòng, an ninh, đối ngoại xâm hại lợi ích quốc gia
  kIllegalQualification,  // dùng văn bằng, chứng chỉ, chứng nhận không hợp pháp
};

std::string_view DisciplineFormName(DisciplineForm form);
std::string_view DisciplineSubjectKindName(DisciplineSubjectKind subject);
std::string_view GraveViolationKindName(GraveViolationKind kind);

// Inclusive range of days.
struct DayRange {
  absl::CivilDay from;
  absl::CivilDay to;
};

// Whether `form` may be given to `subject` on `on`:
//  DISCIPLINE_FORM_NOT_ALLOWED   inspection.discipline.forms_by_subject
//  DISMISSAL_WITHOUT_POST        inspection.discipline.dismissal_requires_post: DISMISSAL only for a
//                                member who held a post on the violation date
// The forms rule is required (RULE_NOT_IN_FORCE otherwise).
absl::Status CheckFormAllowed(DisciplineForm form, DisciplineSubjectKind subject, bool held_post_on_violation_date,
                              absl::CivilDay on, const common::RulesRegistry& rules);

struct LimitationInput {
  DisciplineForm form = DisciplineForm::kReprimand;  // the form the violation deserves
  GraveViolationKind grave_kind = GraveViolationKind::kNone;
  // The day the violation ended (for a one-off violation, the day it happened).
  absl::CivilDay violation_ended;
  // Days on which the subject committed later violations: one committed while
  // the period runs restarts it from that day.
  std::vector<absl::CivilDay> later_violations;
  // Periods when discipline is not considered (maternity, serious illness,
  // inpatient treatment, ...): they do not count; overlaps count once.
  std::vector<DayRange> not_considered;
};

struct Limitation {
  // The last day a decision may be made; nullopt: no limitation applies.
  std::optional<absl::CivilDay> deadline;
  absl::CivilDay counted_from;   // violation end, or the restarting later violation
  int64_t paused_days = 0;       // days of not-considered periods that extended it
  std::string rule_id;           // the rule that decided (years by form, or the no-limit list)
  std::string citation;
};

// The limitation by the rules in force on `rules_day` (the decision day):
// years by form from inspection.discipline.limitation_years (a form it does
// not list has no limitation), none for the kinds of
// inspection.discipline.no_limitation_violation_kinds. The years rule is
// required (RULE_NOT_IN_FORCE otherwise).
absl::StatusOr<Limitation> ComputeLimitation(const LimitationInput& input, absl::CivilDay rules_day,
                                             const common::RulesRegistry& rules);

struct DisciplineDecision {
  DisciplineForm form = DisciplineForm::kReprimand;
  DisciplineSubjectKind subject = DisciplineSubjectKind::kOfficialMember;
  bool held_post_on_violation_date = false;
  GraveViolationKind grave_kind = GraveViolationKind::kNone;
  std::optional<absl::CivilDay> violation_started;
  absl::CivilDay violation_ended;
  absl::CivilDay decided_on;
  std::vector<absl::CivilDay> later_violations;
  std::vector<DayRange> not_considered;
};

// Every check of a decision, in order; returns the limitation it was measured against.
//  INVALID_ARGUMENT "violation_ended" (before violation_started), "decided_on" (before violation_ended),
//    "not_considered" (a range whose to is before its from)
//  CheckFormAllowed's reasons
//  DISCIPLINE_NOT_CONSIDERED_PERIOD   inspection.discipline.not_considered_periods: a not-considered
//                                     period covers decided_on
//  DISCIPLINE_LIMITATION_EXPIRED      decided_on is after the limitation deadline (names the rule)
absl::StatusOr<Limitation> CheckDisciplineDecision(const DisciplineDecision& decision,
                                                   const common::RulesRegistry& rules);

}  // namespace grassroots::inspection::domain
