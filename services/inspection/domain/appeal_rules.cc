#include "services/inspection/domain/appeal_rules.h"

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/inspection/domain/rule_support.h"

namespace grassroots::inspection::domain {
namespace {

using common::InvalidField;
using common::api::FormatDate;

constexpr char kRuleFilingPeriod[] = "inspection.appeal.filing_period";
constexpr char kRuleResolutionDays[] = "inspection.appeal.resolution_working_days";

}  // namespace

std::string_view AppealOutcomeName(AppealOutcome outcome) {
  switch (outcome) {
    case AppealOutcome::kUpheld: return "UPHELD";
    case AppealOutcome::kChanged: return "CHANGED";
    case AppealOutcome::kAnnulled: return "ANNULLED";
  }
  return "UNKNOWN";
}

absl::StatusOr<Deadline> AppealFilingDeadline(absl::CivilDay decision_received_on,
                                              const common::RulesRegistry& rules,
                                              const common::WorkingCalendar& calendar) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, internal::RequiredRule(rules, kRuleFilingPeriod, decision_received_on));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay due,
                      internal::AddDuration(*rule, rule->value, decision_received_on, calendar));
  return Deadline{due, rule->id, rule->citation};
}

absl::Status CheckAppealFiling(absl::CivilDay decision_received_on, absl::CivilDay filed_on,
                               const common::RulesRegistry& rules, const common::WorkingCalendar& calendar) {
  if (filed_on < decision_received_on) {
    return InvalidField("filed_on", "must not be before the day the decision was received");
  }
  GR_ASSIGN_OR_RETURN(const Deadline deadline, AppealFilingDeadline(decision_received_on, rules, calendar));
  if (filed_on <= deadline.due) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "APPEAL_FILED_LATE",
                          absl::StrCat("an appeal against a decision received on ", FormatDate(decision_received_on),
                                       " had to be filed by ", FormatDate(deadline.due), "; it was filed on ",
                                       FormatDate(filed_on), " (rule ", deadline.rule_id, ": ", deadline.citation,
                                       ")"));
}

absl::StatusOr<Deadline> AppealResolutionDeadline(absl::CivilDay appeal_received_on, ResolvingLevel level,
                                                  const common::RulesRegistry& rules,
                                                  const common::WorkingCalendar& calendar) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, internal::RequiredRule(rules, kRuleResolutionDays, appeal_received_on));
  const std::optional<nlohmann::json> entry = internal::LevelEntry(rule->value, level);
  if (!entry) {
    return absl::InternalError(absl::StrCat("rule ", rule->id, " has no limit for level ", common::ToAbsl(ResolvingLevelName(level)),
                                            " and no DEFAULT"));
  }
  GR_ASSIGN_OR_RETURN(const absl::CivilDay due, internal::AddDuration(*rule, *entry, appeal_received_on, calendar));
  return Deadline{due, rule->id, rule->citation};
}

absl::Status CheckAppealResolution(const AppealResolution& resolution, const common::RulesRegistry& rules) {
  if (resolution.outcome != AppealOutcome::kChanged) {
    if (resolution.new_form) return InvalidField("new_form", "is given only when the outcome is CHANGED");
    return absl::OkStatus();
  }
  if (!resolution.new_form) return InvalidField("new_form", "is required when the outcome is CHANGED");
  if (*resolution.new_form == resolution.original_form) {
    return InvalidField("new_form", "must differ from the original form (an unchanged form is UPHELD)");
  }
  return CheckFormAllowed(*resolution.new_form, resolution.subject, resolution.held_post_on_violation_date,
                          resolution.resolved_on, rules);
}

OutcomeEffect EffectOfOutcome(AppealOutcome outcome) {
  switch (outcome) {
    case AppealOutcome::kUpheld: return OutcomeEffect::kKeepsOriginal;
    case AppealOutcome::kChanged: return OutcomeEffect::kReplacesOriginal;
    case AppealOutcome::kAnnulled: return OutcomeEffect::kReversesOriginal;
  }
  return OutcomeEffect::kKeepsOriginal;
}

}  // namespace grassroots::inspection::domain
