#include "services/inspection/domain/petition_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/inspection/domain/rule_support.h"

namespace grassroots::inspection::domain {
namespace {

constexpr char kRuleWorkflow[] = "inspection.petition.workflow";
constexpr char kRuleAnonymous[] = "inspection.petition.anonymous_denunciation";
constexpr char kRuleAssignDays[] = "inspection.petition.assign_working_days";
constexpr char kRuleDenunciationDays[] = "inspection.denunciation.resolution_days";
constexpr char kRuleComplaintDays[] = "inspection.appeal.resolution_working_days";
constexpr char kRuleFeedbackDays[] = "inspection.feedback.answer_days";

// The deadline a rule in force on `start` sets (its value, or its entry for
// `level` when the value is keyed by level); nullopt when no version is in force.
absl::StatusOr<std::optional<Deadline>> DeadlineFrom(const char* rule_id, absl::CivilDay start,
                                                     bool keyed_by_level, ResolvingLevel level,
                                                     const common::RulesRegistry& rules,
                                                     const common::WorkingCalendar& calendar) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, internal::RuleInForce(rules, rule_id, start));
  if (rule == nullptr) return std::optional<Deadline>();
  std::optional<nlohmann::json> value = rule->value;
  if (keyed_by_level) value = internal::LevelEntry(rule->value, level);
  if (!value) {
    return absl::InternalError(absl::StrCat("rule ", rule->id, " has no limit for level ", common::ToAbsl(ResolvingLevelName(level)),
                                            " and no DEFAULT"));
  }
  GR_ASSIGN_OR_RETURN(const absl::CivilDay due, internal::AddDuration(*rule, *value, start, calendar));
  return std::optional<Deadline>(Deadline{due, rule->id, rule->citation});
}

bool IsOpen(PetitionState state) {
  return state != PetitionState::kAnswered && state != PetitionState::kClosedWithoutAnswer;
}

}  // namespace

std::string_view PetitionKindName(PetitionKind kind) {
  switch (kind) {
    case PetitionKind::kDenunciation: return "DENUNCIATION";
    case PetitionKind::kComplaint: return "COMPLAINT";
    case PetitionKind::kFeedback: return "FEEDBACK";
  }
  return "UNKNOWN";
}
std::string_view PetitionTrackName(PetitionTrack track) {
  switch (track) {
    case PetitionTrack::kDenunciation: return "DENUNCIATION";
    case PetitionTrack::kAnonymousDenunciation: return "ANONYMOUS_DENUNCIATION";
    case PetitionTrack::kComplaint: return "COMPLAINT";
    case PetitionTrack::kFeedback: return "FEEDBACK";
  }
  return "UNKNOWN";
}
std::string_view PetitionStateName(PetitionState state) {
  switch (state) {
    case PetitionState::kReceived: return "RECEIVED";
    case PetitionState::kAssigned: return "ASSIGNED";
    case PetitionState::kInProgress: return "IN_PROGRESS";
    case PetitionState::kAnswered: return "ANSWERED";
    case PetitionState::kClosedWithoutAnswer: return "CLOSED_WITHOUT_ANSWER";
  }
  return "UNKNOWN";
}

PetitionTrack TrackOf(PetitionKind kind, bool anonymous) {
  switch (kind) {
    case PetitionKind::kDenunciation:
      return anonymous ? PetitionTrack::kAnonymousDenunciation : PetitionTrack::kDenunciation;
    case PetitionKind::kComplaint: return PetitionTrack::kComplaint;
    case PetitionKind::kFeedback: return PetitionTrack::kFeedback;
  }
  return PetitionTrack::kFeedback;
}

absl::StatusOr<PetitionDeadlines> PetitionDeadlinesFor(PetitionTrack track, absl::CivilDay received_on,
                                                       ResolvingLevel level, const common::RulesRegistry& rules,
                                                       const common::WorkingCalendar& calendar) {
  PetitionDeadlines deadlines;
  GR_ASSIGN_OR_RETURN(deadlines.assign_by, DeadlineFrom(kRuleAssignDays, received_on, false, level, rules, calendar));
  const char* answer_rule = nullptr;
  bool keyed_by_level = true;
  switch (track) {
    case PetitionTrack::kDenunciation:
      answer_rule = kRuleDenunciationDays;
      break;
    case PetitionTrack::kComplaint:
      answer_rule = kRuleComplaintDays;
      break;
    case PetitionTrack::kFeedback:
      answer_rule = kRuleFeedbackDays;
      keyed_by_level = false;
      break;
    case PetitionTrack::kAnonymousDenunciation:
      break;  // not resolved as a denunciation, no answer to anyone
  }
  if (answer_rule != nullptr) {
    GR_ASSIGN_OR_RETURN(deadlines.answer_by, DeadlineFrom(answer_rule, received_on, keyed_by_level, level, rules, calendar));
  }
  return deadlines;
}

absl::Status CheckPetitionTransition(PetitionState from, PetitionState to, const PetitionProgress& progress,
                                     absl::CivilDay on, const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(const common::Rule* workflow, internal::RequiredRule(rules, kRuleWorkflow, on));
  const std::string from_name(PetitionStateName(from));
  std::vector<std::string> successors;
  if (workflow->value.is_object() && workflow->value.contains(from_name)) {
    GR_ASSIGN_OR_RETURN(successors, internal::StringList(*workflow, workflow->value.at(from_name)));
  }
  const bool anonymous = progress.track == PetitionTrack::kAnonymousDenunciation;
  // Whatever step an open anonymous denunciation is at, the refusal to answer
  // it is its own rule, not a missing step of the workflow.
  if (anonymous && to == PetitionState::kAnswered && IsOpen(from)) {
    GR_ASSIGN_OR_RETURN(const common::Rule* rule, internal::RuleInForce(rules, kRuleAnonymous, on));
    return internal::RuleRefusal(
        "ANONYMOUS_NOT_ANSWERED",
        "an anonymous denunciation is not resolved as a denunciation and nobody is answered; close it "
        "without answer (its content may be a source for inspection or supervision)",
        rule != nullptr ? *rule : *workflow);
  }
  if (!IsOpen(from) || !internal::Contains(successors, PetitionStateName(to))) {
    return internal::RuleRefusal("ILLEGAL_TRANSITION",
                                 absl::StrCat("a petition cannot go from ", from_name, " to ", common::ToAbsl(PetitionStateName(to))),
                                 *workflow);
  }
  switch (to) {
    case PetitionState::kAssigned:
      if (!progress.has_handler) {
        return internal::RuleRefusal("HANDLER_MISSING", "a petition is assigned only to a named handler", *workflow);
      }
      break;
    case PetitionState::kAnswered:
      if (!progress.has_outcome) {
        return internal::RuleRefusal("OUTCOME_MISSING", "a petition is answered only with its outcome recorded",
                                     *workflow);
      }
      break;
    case PetitionState::kClosedWithoutAnswer:
      if (!anonymous && !progress.withdrawn && !progress.forwarded) {
        return internal::RuleRefusal(
            "CLOSE_WITHOUT_ANSWER_NOT_ALLOWED",
            "only an anonymous denunciation, a withdrawn petition or one forwarded to the competent body is closed "
            "without an answer",
            *workflow);
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

bool UsableAsInspectionSource(PetitionTrack track, bool content_specific) {
  return track == PetitionTrack::kAnonymousDenunciation && content_specific;
}

}  // namespace grassroots::inspection::domain
