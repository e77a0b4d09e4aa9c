#include "services/inspection/domain/discipline_rules.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/inspection/domain/rule_support.h"

namespace grassroots::inspection::domain {
namespace {

using common::InvalidField;
using common::api::FormatDate;

constexpr char kRuleFormsBySubject[] = "inspection.discipline.forms_by_subject";
constexpr char kRuleDismissalRequiresPost[] = "inspection.discipline.dismissal_requires_post";
constexpr char kRuleLimitationYears[] = "inspection.discipline.limitation_years";
constexpr char kRuleNoLimitationKinds[] = "inspection.discipline.no_limitation_violation_kinds";
constexpr char kRuleNotConsidered[] = "inspection.discipline.not_considered_periods";

// The not-considered ranges sorted and merged (overlapping or adjacent ranges
// become one), so that every day counts once.
std::vector<DayRange> Merged(std::vector<DayRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const DayRange& a, const DayRange& b) { return a.from < b.from; });
  std::vector<DayRange> merged;
  for (const DayRange& range : ranges) {
    if (!merged.empty() && range.from <= merged.back().to + 1) {
      merged.back().to = std::max(merged.back().to, range.to);
    } else {
      merged.push_back(range);
    }
  }
  return merged;
}

struct Extended {
  absl::CivilDay deadline;
  int64_t paused_days = 0;
};

// The deadline `years` after `start`, pushed back one day for each
// not-considered day after `start` that falls before the (moving) deadline.
Extended ExtendedDeadline(absl::CivilDay start, int64_t years, const std::vector<DayRange>& merged) {
  Extended result{internal::AddMonths(start, years * 12), 0};
  for (const DayRange& range : merged) {
    if (range.from > result.deadline) break;
    const absl::CivilDay from = std::max(range.from, start + 1);
    if (range.to < from) continue;
    const int64_t days = range.to - from + 1;
    result.deadline += days;
    result.paused_days += days;
  }
  return result;
}

}  // namespace

std::string_view DisciplineFormName(DisciplineForm form) {
  switch (form) {
    case DisciplineForm::kReprimand: return "REPRIMAND";
    case DisciplineForm::kWarning: return "WARNING";
    case DisciplineForm::kDismissal: return "DISMISSAL";
    case DisciplineForm::kExpulsion: return "EXPULSION";
    case DisciplineForm::kDissolution: return "DISSOLUTION";
  }
  return "UNKNOWN";
}
std::string_view DisciplineSubjectKindName(DisciplineSubjectKind subject) {
  switch (subject) {
    case DisciplineSubjectKind::kOfficialMember: return "OFFICIAL_MEMBER";
    case DisciplineSubjectKind::kProbationaryMember: return "PROBATIONARY_MEMBER";
    case DisciplineSubjectKind::kOrganization: return "ORGANIZATION";
  }
  return "UNKNOWN";
}
std::string_view GraveViolationKindName(GraveViolationKind kind) {
  switch (kind) {
    case GraveViolationKind::kNone: return "NONE";
    case GraveViolationKind::kInternalPolitics: return "INTERNAL_POLITICS";
    case GraveViolationKind::kNationalInterest: return "NATIONAL_INTEREST";
    case GraveViolationKind::kIllegalQualification: return "ILLEGAL_QUALIFICATION";
  }
  return "UNKNOWN";
}

absl::Status CheckFormAllowed(DisciplineForm form, DisciplineSubjectKind subject, bool held_post_on_violation_date,
                              absl::CivilDay on, const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(const common::Rule* forms, internal::RequiredRule(rules, kRuleFormsBySubject, on));
  const std::string subject_name(DisciplineSubjectKindName(subject));
  std::vector<std::string> allowed;
  if (forms->value.is_object() && forms->value.contains(subject_name)) {
    GR_ASSIGN_OR_RETURN(allowed, internal::StringList(*forms, forms->value.at(subject_name)));
  }
  if (!internal::Contains(allowed, DisciplineFormName(form))) {
    return internal::RuleRefusal("DISCIPLINE_FORM_NOT_ALLOWED",
                                 absl::StrCat(common::ToAbsl(DisciplineFormName(form)), " is not a discipline form for ", subject_name),
                                 *forms);
  }
  if (form == DisciplineForm::kDismissal && !held_post_on_violation_date) {
    GR_ASSIGN_OR_RETURN(const common::Rule* post, internal::RuleInForce(rules, kRuleDismissalRequiresPost, on));
    if (post != nullptr && post->value == true) {
      return internal::RuleRefusal("DISMISSAL_WITHOUT_POST",
                                   "DISMISSAL applies only to a member who held a post on the violation date", *post);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Limitation> ComputeLimitation(const LimitationInput& input, absl::CivilDay rules_day,
                                             const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(const common::Rule* years_rule, internal::RequiredRule(rules, kRuleLimitationYears, rules_day));
  Limitation result;
  result.counted_from = input.violation_ended;
  result.rule_id = years_rule->id;
  result.citation = years_rule->citation;

  if (input.grave_kind != GraveViolationKind::kNone) {
    GR_ASSIGN_OR_RETURN(const common::Rule* grave, internal::RuleInForce(rules, kRuleNoLimitationKinds, rules_day));
    if (grave != nullptr) {
      GR_ASSIGN_OR_RETURN(const std::vector<std::string> kinds, internal::StringList(*grave, grave->value));
      if (internal::Contains(kinds, GraveViolationKindName(input.grave_kind))) {
        result.rule_id = grave->id;
        result.citation = grave->citation;
        return result;
      }
    }
  }
  const std::string form(DisciplineFormName(input.form));
  if (!years_rule->value.is_object()) return absl::InternalError("rule inspection.discipline.limitation_years is not keyed by form");
  if (!years_rule->value.contains(form)) return result;  // no limitation at this form's level
  const nlohmann::json& years_value = years_rule->value.at(form);
  if (!years_value.is_number_integer() || years_value.get<int64_t>() <= 0) {
    return absl::InternalError("rule inspection.discipline.limitation_years: years must be positive integers");
  }
  const int64_t years = years_value.get<int64_t>();

  const std::vector<DayRange> merged = Merged(input.not_considered);
  std::vector<absl::CivilDay> later = input.later_violations;
  std::sort(later.begin(), later.end());
  Extended extended = ExtendedDeadline(result.counted_from, years, merged);
  // A new violation committed while the period runs restarts it from that day.
  for (const absl::CivilDay day : later) {
    if (day <= result.counted_from || day > extended.deadline) continue;
    result.counted_from = day;
    extended = ExtendedDeadline(day, years, merged);
  }
  result.deadline = extended.deadline;
  result.paused_days = extended.paused_days;
  return result;
}

absl::StatusOr<Limitation> CheckDisciplineDecision(const DisciplineDecision& decision,
                                                   const common::RulesRegistry& rules) {
  if (decision.violation_started && decision.violation_ended < *decision.violation_started) {
    return InvalidField("violation_ended", "must not be before violation_started");
  }
  if (decision.decided_on < decision.violation_ended) {
    return InvalidField("decided_on", "must not be before violation_ended");
  }
  for (const DayRange& range : decision.not_considered) {
    if (range.to < range.from) return InvalidField("not_considered", "each period must end on or after its start");
  }
  GR_RETURN_IF_ERROR(CheckFormAllowed(decision.form, decision.subject, decision.held_post_on_violation_date,
                                      decision.decided_on, rules));
  for (const DayRange& range : decision.not_considered) {
    if (range.from > decision.decided_on || range.to < decision.decided_on) continue;
    GR_ASSIGN_OR_RETURN(const common::Rule* rule, internal::RuleInForce(rules, kRuleNotConsidered, decision.decided_on));
    if (rule == nullptr) break;
    return internal::RuleRefusal(
        "DISCIPLINE_NOT_CONSIDERED_PERIOD",
        absl::StrCat("discipline is not considered from ", FormatDate(range.from), " to ", FormatDate(range.to),
                     ", which covers the decision date ", FormatDate(decision.decided_on)),
        *rule);
  }
  const LimitationInput input{decision.form, decision.grave_kind, decision.violation_ended, decision.later_violations,
                              decision.not_considered};
  GR_ASSIGN_OR_RETURN(Limitation limitation, ComputeLimitation(input, decision.decided_on, rules));
  if (limitation.deadline && decision.decided_on > *limitation.deadline) {
    return common::Reasoned(
        absl::StatusCode::kFailedPrecondition, "DISCIPLINE_LIMITATION_EXPIRED",
        absl::StrCat("the limitation period counted from ", FormatDate(limitation.counted_from), " (",
                     limitation.paused_days, " days not counted) ended on ", FormatDate(*limitation.deadline),
                     ", before the decision date ", FormatDate(decision.decided_on), " (rule ", limitation.rule_id,
                     ": ", limitation.citation, ")"));
  }
  return limitation;
}

}  // namespace grassroots::inspection::domain
