#include "services/inspection/domain/case_rules.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/inspection/domain/rule_support.h"

namespace grassroots::inspection::domain {
namespace {

using common::InvalidField;
using common::ToAbsl;

constexpr char kRuleBasesByKind[] = "inspection.case.bases_by_kind";
constexpr char kRuleConductorsByKind[] = "inspection.case.conductors_by_kind";
constexpr char kRuleConductorsByOrganization[] = "inspection.case.conductors_by_organization";
constexpr char kRuleSubjectsByKind[] = "inspection.case.subjects_by_kind";
constexpr char kRuleWorkflow[] = "inspection.case.workflow";

// The list a keyed rule gives for the first of `keys` it has; nullopt when it
// has none (the rule then says nothing about this combination).
absl::StatusOr<std::optional<std::vector<std::string>>> ListFor(const common::Rule& rule,
                                                                const std::vector<std::string>& keys) {
  if (!rule.value.is_object()) return absl::InternalError(absl::StrCat("rule ", rule.id, " is not keyed"));
  for (const std::string& key : keys) {
    if (!rule.value.contains(key)) continue;
    GR_ASSIGN_OR_RETURN(std::vector<std::string> list, internal::StringList(rule, rule.value.at(key)));
    return std::optional<std::vector<std::string>>(std::move(list));
  }
  return std::optional<std::vector<std::string>>();
}

// Refuses with `reason` when the rule in force lists values for the keys and
// `item` is not among them.
absl::Status CheckListed(const common::RulesRegistry& rules, const char* rule_id, absl::CivilDay day,
                         const std::vector<std::string>& keys, std::string_view item, std::string_view reason,
                         std::string_view what) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, internal::RuleInForce(rules, rule_id, day));
  if (rule == nullptr) return absl::OkStatus();
  GR_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> allowed, ListFor(*rule, keys));
  if (!allowed || internal::Contains(*allowed, item)) return absl::OkStatus();
  return internal::RuleRefusal(reason, absl::StrCat(ToAbsl(what), " ", ToAbsl(item), " is not allowed for ",
                                                    keys.front()),
                               *rule);
}

}  // namespace

std::string_view CaseKindName(CaseKind kind) {
  switch (kind) {
    case CaseKind::kInspection: return "INSPECTION";
    case CaseKind::kSupervision: return "SUPERVISION";
    case CaseKind::kFinanceInspection: return "FINANCE_INSPECTION";
  }
  return "UNKNOWN";
}
std::string_view CaseBasisName(CaseBasis basis) {
  switch (basis) {
    case CaseBasis::kRegular: return "REGULAR";
    case CaseBasis::kThematic: return "THEMATIC";
    case CaseBasis::kSignsOfViolation: return "SIGNS_OF_VIOLATION";
  }
  return "UNKNOWN";
}
std::string_view ConductorName(Conductor conductor) {
  switch (conductor) {
    case Conductor::kCommittee: return "COMMITTEE";
    case Conductor::kStandingCommittee: return "STANDING_COMMITTEE";
    case Conductor::kInspectionCommission: return "INSPECTION_COMMISSION";
  }
  return "UNKNOWN";
}
std::string_view ConductorOrganizationName(ConductorOrganization organization) {
  switch (organization) {
    case ConductorOrganization::kCell: return "CELL";
    case ConductorOrganization::kGrassrootsCommittee: return "GRASSROOTS_COMMITTEE";
    case ConductorOrganization::kHigherCommittee: return "HIGHER_COMMITTEE";
  }
  return "UNKNOWN";
}
std::string_view CaseSubjectKindName(CaseSubjectKind subject) {
  switch (subject) {
    case CaseSubjectKind::kOrganization: return "ORGANIZATION";
    case CaseSubjectKind::kMember: return "MEMBER";
  }
  return "UNKNOWN";
}
std::string_view CaseStatusName(CaseStatus status) {
  switch (status) {
    case CaseStatus::kOpened: return "OPENED";
    case CaseStatus::kInProgress: return "IN_PROGRESS";
    case CaseStatus::kConcluded: return "CONCLUDED";
    case CaseStatus::kClosed: return "CLOSED";
    case CaseStatus::kCancelled: return "CANCELLED";
  }
  return "UNKNOWN";
}
std::string_view RecommendationStateName(RecommendationState state) {
  switch (state) {
    case RecommendationState::kOpen: return "OPEN";
    case RecommendationState::kDone: return "DONE";
    case RecommendationState::kDropped: return "DROPPED";
  }
  return "UNKNOWN";
}

absl::Status CheckCaseClassification(const CaseClassification& classification, absl::CivilDay opened_on,
                                     const common::RulesRegistry& rules) {
  const std::string kind(CaseKindName(classification.kind));
  const std::string basis(CaseBasisName(classification.basis));
  const std::string_view conductor = ConductorName(classification.conductor);
  GR_RETURN_IF_ERROR(CheckListed(rules, kRuleBasesByKind, opened_on, {kind}, basis, "CASE_BASIS_NOT_ALLOWED",
                                 "basis"));
  GR_RETURN_IF_ERROR(CheckListed(rules, kRuleConductorsByKind, opened_on, {absl::StrCat(kind, ".", basis), kind},
                                 conductor, "CASE_CONDUCTOR_NOT_ALLOWED", "conductor"));
  GR_RETURN_IF_ERROR(CheckListed(rules, kRuleConductorsByOrganization, opened_on,
                                 {std::string(ConductorOrganizationName(classification.conductor_organization))},
                                 conductor, "CASE_CONDUCTOR_NOT_ALLOWED", "conductor"));
  // A subject organization strictly below the conductor's is also a
  // LOWER_ORGANIZATION: a rule listing only that refuses any other.
  const bool lower_organization = classification.subject_kind == CaseSubjectKind::kOrganization &&
                                  classification.subject_is_lower_organization;
  const std::string subject =
      lower_organization ? "LOWER_ORGANIZATION" : std::string(CaseSubjectKindName(classification.subject_kind));
  GR_ASSIGN_OR_RETURN(const common::Rule* subjects, internal::RuleInForce(rules, kRuleSubjectsByKind, opened_on));
  if (subjects == nullptr) return absl::OkStatus();
  GR_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> allowed, ListFor(*subjects, {kind}));
  if (!allowed || internal::Contains(*allowed, subject) ||
      (lower_organization && internal::Contains(*allowed, "ORGANIZATION"))) {
    return absl::OkStatus();
  }
  return internal::RuleRefusal("CASE_SUBJECT_NOT_ALLOWED",
                               absl::StrCat("subject ", subject, " is not allowed for ", kind), *subjects);
}

absl::Status CheckCasePeriod(const CasePeriod& period) {
  if (period.start < period.opened_on) return InvalidField("period.start", "must not be before the decision to open");
  if (period.end && *period.end < period.start) return InvalidField("period.end", "must not be before period.start");
  return absl::OkStatus();
}

absl::Status CheckConclusionDate(const CasePeriod& period, absl::CivilDay concluded_on) {
  if (concluded_on < period.start) return InvalidField("concluded_on", "must not be before period.start");
  return absl::OkStatus();
}

absl::Status CheckCaseTransition(CaseStatus from, CaseStatus to, const CaseProgress& progress, absl::CivilDay on,
                                 const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(const common::Rule* workflow, internal::RequiredRule(rules, kRuleWorkflow, on));
  const std::string from_name(CaseStatusName(from));
  GR_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> successors, ListFor(*workflow, {from_name}));
  if (!successors || !internal::Contains(*successors, CaseStatusName(to))) {
    return internal::RuleRefusal("ILLEGAL_TRANSITION",
                                 absl::StrCat("a case cannot go from ", from_name, " to ", common::ToAbsl(CaseStatusName(to))),
                                 *workflow);
  }
  switch (to) {
    case CaseStatus::kConcluded:
      if (!progress.has_findings || !progress.has_conclusion || !progress.concluded_on) {
        return internal::RuleRefusal("CONCLUSION_MISSING",
                                     "a case is concluded only with its findings, conclusion and conclusion date",
                                     *workflow);
      }
      break;
    case CaseStatus::kClosed:
      if (std::count(progress.recommendations.begin(), progress.recommendations.end(), RecommendationState::kOpen) >
          0) {
        return internal::RuleRefusal("RECOMMENDATIONS_OPEN",
                                     "a case is closed only when every recommendation is done or dropped", *workflow);
      }
      break;
    case CaseStatus::kCancelled:
      if (progress.cancel_reason.empty()) return InvalidField("cancel_reason", "is required to cancel a case");
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckRecommendationDeadline(absl::CivilDay deadline, absl::CivilDay concluded_on) {
  if (deadline < concluded_on) return InvalidField("deadline", "must not be before the conclusion date");
  return absl::OkStatus();
}

absl::Status CheckRecommendationTransition(RecommendationState from, RecommendationState to, absl::CivilDay on,
                                           std::string_view drop_reason, absl::CivilDay concluded_on) {
  if (from != RecommendationState::kOpen || to == RecommendationState::kOpen) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "RECOMMENDATION_ALREADY_SETTLED",
                            absl::StrCat("a recommendation goes from OPEN to DONE or DROPPED once; this one is ",
                                         common::ToAbsl(RecommendationStateName(from)), " and cannot become ",
                                         common::ToAbsl(RecommendationStateName(to))));
  }
  if (to == RecommendationState::kDropped && drop_reason.empty()) {
    return InvalidField("drop_reason", "is required to drop a recommendation");
  }
  if (on < concluded_on) return InvalidField("settled_on", "must not be before the conclusion date");
  return absl::OkStatus();
}

bool IsRecommendationOverdue(const Recommendation& recommendation, absl::CivilDay as_of) {
  return recommendation.state == RecommendationState::kOpen && as_of > recommendation.deadline;
}

}  // namespace grassroots::inspection::domain
