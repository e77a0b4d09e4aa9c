#pragma once
// Reporting's warnings as rules without I/O: what in a subtree is late or
// missing on a day D, against the party's rules (data/rules/rules.json, looked
// up for the day each duty arose) and the committee's plan. The store gathers
// the facts (the scorecard's SubtreeFacts, plus the probation end dates); this
// file decides which warnings they raise, with the rule each cites, the due
// date and how late it is. The kinds are grassroots.reporting.v1.WarningKind's.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "services/reporting/domain/plan.h"
#include "services/reporting/domain/plan_tracking.h"
#include "services/reporting/domain/scorecard.h"

namespace grassroots::reporting::domain {

// In the order warnings are listed (the proto enum's numbers).
enum class WarningKind {
  kProbationNotRecognized = 1,
  kNoThematicMeeting = 2,
  kNoInspectionProgram = 3,
  kUnitWithoutCell = 4,
  kCellWithoutCommittee = 5,
  kNoResidenceFeedback = 6,
  kPlanTaskOverdue = 7,
};
const std::vector<WarningKind>& AllWarningKinds();
// Kinds whose subject is a member (not for aggregate-only readers).
bool IsAboutMembers(WarningKind kind);

struct Warning {
  enum class Subject { kOrganization, kResidentialUnit, kMember, kPlanTask };
  WarningKind kind = WarningKind::kProbationNotRecognized;
  Subject subject = Subject::kOrganization;
  int64_t subject_id = 0;  // organization, unit or member id (0 for a plan task)
  std::string task_id;     // kPlanTask
  // Where it belongs: the organization itself, the member's cell, the unit's
  // commune organization; the subtree's root for a plan task.
  int64_t organization_id = 0;
  // The rule: a rule id of the registry with its citation, or
  // "plans/{plan}/paragraphs/{paragraph}" with the paragraph's sentence.
  std::string rule;
  std::string citation;
  // When it was due (or, for a state with no deadline, when it began); none
  // when the facts do not show it.
  std::optional<absl::CivilDay> due_date;
  int64_t days_overdue = 0;  // D - due_date in calendar days; 0 without one
  std::string period;        // "2025-Q2", "2025"; "" when none
  int position = 0;          // orders warnings of one subject: the quarter, the task's index in the plan
  std::string detail;        // in Vietnamese, no personal data
};

// What the warnings are judged on.
struct WarningFacts {
  // The subtree's facts for `evaluation` (year Y, day D).
  const SubtreeFacts* on_day = nullptr;
  // The same subtree's facts on 31 December of Y-1, with the feedback for Y-1
  // recorded by D; null when the root did not exist then.
  const SubtreeFacts* previous_year_end = nullptr;
  // The probation end date of members probationary on D, by member id.
  std::map<int64_t, absl::CivilDay> probation_end_dates;
  // The plan's tasks' states for the root organization on D, by task id (a
  // task absent is NOT_STARTED): a DONE or NOT_APPLICABLE task is not late.
  std::map<std::string, TaskState> task_states;
};

// The warnings of `kinds` (empty: every kind), sorted by kind, organization,
// subject, position and task id. `plan` gives the tasks and the paragraphs
// cited where the registry has no rule. Errors: a rule whose value is not what
// its id promises (INTERNAL, naming the rule).
absl::StatusOr<std::vector<Warning>> ComputeWarnings(const WarningFacts& facts, const Evaluation& evaluation,
                                                     const Plan& plan, const common::RulesRegistry& rules,
                                                     const common::WorkingCalendar& calendar,
                                                     const std::set<WarningKind>& kinds = {});

// The rule cited for a paragraph of a plan: "plans/{plan}/paragraphs/{paragraph}".
std::string PlanParagraphRule(const Plan& plan, std::string_view paragraph);

}  // namespace grassroots::reporting::domain
