#include "services/reporting/domain/plan_tracking.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace grassroots::reporting::domain {
namespace {

constexpr std::pair<TaskState, const char*> kStateNames[] = {
    {TaskState::kNotStarted, "NOT_STARTED"},
    {TaskState::kInProgress, "IN_PROGRESS"},
    {TaskState::kDone, "DONE"},
    {TaskState::kNotApplicable, "NOT_APPLICABLE"},
};

absl::StatusOr<const common::Rule*> RuleOn(const common::RulesRegistry& rules, const char* id, absl::CivilDay day) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(id, day);
  if (absl::IsNotFound(rule.status())) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "RULE_NOT_IN_FORCE",
                            absl::StrCat("rule ", id, " has no version in force on ", absl::FormatCivilTime(day)));
  }
  return rule;
}

absl::Status Malformed(const common::Rule& rule, std::string_view expected) {
  return absl::InternalError(absl::StrCat("rule ", rule.id, ": ", std::string(expected)));
}

absl::Status Refusal(std::string_view reason, std::string_view message, const common::Rule* rule) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, reason,
                          absl::StrCat(std::string(message), " (rule ", rule->id, ": ", rule->citation, ")"));
}

}  // namespace

std::string TaskStateName(TaskState state) {
  for (const auto& [value, name] : kStateNames)
    if (value == state) return name;
  return "UNSPECIFIED";
}

std::optional<TaskState> TaskStateFromName(std::string_view name) {
  for (const auto& [value, state_name] : kStateNames)
    if (name == state_name) return value;
  return std::nullopt;
}

bool IsSettled(TaskState state) { return state == TaskState::kDone || state == TaskState::kNotApplicable; }

absl::StatusOr<TaskStatusRules> TaskStatusRulesOn(const common::RulesRegistry& rules, absl::CivilDay day) {
  TaskStatusRules out;
  GR_ASSIGN_OR_RETURN(out.evidence_rule, RuleOn(rules, kRuleDoneRequiresEvidence, day));
  if (!out.evidence_rule->value.is_number_integer() || out.evidence_rule->value.get<int64_t>() < 0) {
    return Malformed(*out.evidence_rule, "expected a non-negative integer");
  }
  out.min_evidence_for_done = out.evidence_rule->value.get<int64_t>();
  GR_ASSIGN_OR_RETURN(out.transitions_rule, RuleOn(rules, kRuleStatusTransitions, day));
  const nlohmann::json& map = out.transitions_rule->value;
  if (!map.is_object()) return Malformed(*out.transitions_rule, "expected an object of state lists");
  for (const auto& [from_name, targets] : map.items()) {
    const std::optional<TaskState> from = TaskStateFromName(from_name);
    if (!from || !targets.is_array()) return Malformed(*out.transitions_rule, "expected an object of state lists");
    std::set<TaskState>& allowed = out.transitions[*from];
    for (const nlohmann::json& target : targets) {
      const std::optional<TaskState> to =
          target.is_string() ? TaskStateFromName(target.get<std::string>()) : std::nullopt;
      if (!to) return Malformed(*out.transitions_rule, "a target must be a task state name");
      allowed.insert(*to);
    }
  }
  GR_ASSIGN_OR_RETURN(out.dates_rule, RuleOn(rules, kRuleStatusDatesInOrder, day));
  return out;
}

absl::Status CheckTaskStatusUpdate(const TaskStatusRules& rules, const std::optional<TaskStatusEntry>& latest,
                                   const TaskStatusUpdate& update) {
  const TaskState from = latest ? latest->state : TaskState::kNotStarted;
  auto allowed = rules.transitions.find(from);
  if (allowed == rules.transitions.end() || !allowed->second.contains(update.state)) {
    return Refusal("TASK_STATUS_TRANSITION_NOT_ALLOWED",
                   absl::StrCat("a task cannot move from ", TaskStateName(from), " to ", TaskStateName(update.state)),
                   rules.transitions_rule);
  }
  if (latest && update.as_of < latest->as_of) {
    return Refusal("TASK_STATUS_DATE_BEFORE_PREVIOUS",
                   absl::StrCat("as_of_date ", absl::FormatCivilTime(update.as_of), " is before the current entry's ",
                                absl::FormatCivilTime(latest->as_of)),
                   rules.dates_rule);
  }
  if (update.state == TaskState::kDone && update.evidence_count < rules.min_evidence_for_done) {
    return Refusal("DONE_REQUIRES_EVIDENCE",
                   absl::StrCat("DONE needs at least ", rules.min_evidence_for_done, " piece(s) of evidence, ",
                                update.evidence_count, " given"),
                   rules.evidence_rule);
  }
  return absl::OkStatus();
}

std::optional<TaskStatusEntry> EntryOn(const std::vector<TaskStatusEntry>& history, absl::CivilDay day) {
  std::optional<TaskStatusEntry> found;
  for (const TaskStatusEntry& entry : history) {
    if (entry.as_of > day) continue;
    if (!found || entry.as_of > found->as_of || (entry.as_of == found->as_of && entry.version > found->version)) {
      found = entry;
    }
  }
  return found;
}

}  // namespace grassroots::reporting::domain
