#pragma once
// Tracking a plan's tasks per organization (data/plans/README.md; issue 9,
// "Plans as data"): the states a task moves through, the rules an update must
// follow (data/rules/rules.json: reporting.plan.*), and a task's state on a
// day from its dated history. No I/O: the handlers read the rules from the
// registry and the history from the store.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"

namespace grassroots::reporting::domain {

// grassroots.reporting.v1.TaskState's numbers.
enum class TaskState {
  kNotStarted = 1,
  kInProgress = 2,
  kDone = 3,
  kNotApplicable = 4,
};
// "NOT_STARTED", ...: the names the rules use.
std::string TaskStateName(TaskState state);
std::optional<TaskState> TaskStateFromName(std::string_view name);
// DONE and NOT_APPLICABLE: nothing is left to do for the organization.
bool IsSettled(TaskState state);

inline constexpr char kRuleDoneRequiresEvidence[] = "reporting.plan.done_requires_evidence";
inline constexpr char kRuleStatusTransitions[] = "reporting.plan.task_status_transitions";
inline constexpr char kRuleStatusDatesInOrder[] = "reporting.plan.status_dates_in_order";

// The rules in force on the update's day, with the records they came from
// (cited in a refusal).
struct TaskStatusRules {
  // At least this many pieces of evidence for DONE.
  int64_t min_evidence_for_done = 1;
  const common::Rule* evidence_rule = nullptr;
  // The states each state may move to (a state absent from the map may move to none).
  std::map<TaskState, std::set<TaskState>> transitions;
  const common::Rule* transitions_rule = nullptr;
  const common::Rule* dates_rule = nullptr;
};
// Reads the three rules in force on `day`; FAILED_PRECONDITION RULE_NOT_IN_FORCE
// when one has no version then, INTERNAL when a value is not what its id promises.
absl::StatusOr<TaskStatusRules> TaskStatusRulesOn(const common::RulesRegistry& rules, absl::CivilDay day);

// One dated entry of a task's history for an organization.
struct TaskStatusEntry {
  int64_t version = 0;  // 1, 2, ... in the order recorded
  TaskState state = TaskState::kNotStarted;
  absl::CivilDay as_of;
};

// An update as asked.
struct TaskStatusUpdate {
  TaskState state = TaskState::kNotStarted;
  absl::CivilDay as_of;
  int64_t evidence_count = 0;
};

// Checks an update against the latest entry (none: the task is NOT_STARTED
// with no date). FAILED_PRECONDITION naming the rule: DONE_REQUIRES_EVIDENCE,
// TASK_STATUS_TRANSITION_NOT_ALLOWED, TASK_STATUS_DATE_BEFORE_PREVIOUS.
absl::Status CheckTaskStatusUpdate(const TaskStatusRules& rules, const std::optional<TaskStatusEntry>& latest,
                                   const TaskStatusUpdate& update);

// The entry in force on `day`: the latest-dated entry on or before it (of two
// of one day, the later recorded). None: NOT_STARTED on that day.
std::optional<TaskStatusEntry> EntryOn(const std::vector<TaskStatusEntry>& history, absl::CivilDay day);

}  // namespace grassroots::reporting::domain
