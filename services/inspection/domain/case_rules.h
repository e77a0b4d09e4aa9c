#pragma once
// Inspection and supervision cases (kiểm tra, giám sát, kiểm tra tài chính):
// which combinations of kind, basis, conductor and subject are legal, the
// status workflow, the case period and conclusion date, and the follow-up of
// recommendations. No I/O: the limits come from the rules registry.
//
// Errors: INVALID_ARGUMENT naming the field for bad input; FAILED_PRECONDITION
// with a reason (UPPER_SNAKE, common::ReasonOf) and a message naming the rule
// id and its citation where a rule decides.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"

namespace grassroots::inspection::domain {

enum class CaseKind {
  kInspection,         // kiểm tra
  kSupervision,        // giám sát
  kFinanceInspection,  // kiểm tra tài chính: dues collection and remittance of lower committees
};
enum class CaseBasis {
  kRegular,           // thường xuyên
  kThematic,          // chuyên đề
  kSignsOfViolation,  // khi có dấu hiệu vi phạm
};
enum class Conductor {
  kCommittee,             // cấp ủy (for a chi bộ: the chi bộ itself)
  kStandingCommittee,     // ban thường vụ cấp ủy
  kInspectionCommission,  // ủy ban kiểm tra
};
// What kind of party organization the conductor belongs to: a chi bộ has no
// standing committee and no inspection commission.
enum class ConductorOrganization {
  kCell,                 // chi bộ cơ sở or chi bộ trực thuộc
  kGrassrootsCommittee,  // đảng bộ cơ sở
  kHigherCommittee,      // cấp trên cơ sở
};
enum class CaseSubjectKind { kOrganization, kMember };

// UPPER_SNAKE names as used in the rules file and in messages ("INSPECTION", "SIGNS_OF_VIOLATION", ...).
std::string_view CaseKindName(CaseKind kind);
std::string_view CaseBasisName(CaseBasis basis);
std::string_view ConductorName(Conductor conductor);
std::string_view ConductorOrganizationName(ConductorOrganization organization);
std::string_view CaseSubjectKindName(CaseSubjectKind subject);

struct CaseClassification {
  CaseKind kind = CaseKind::kInspection;
  CaseBasis basis = CaseBasis::kRegular;
  Conductor conductor = Conductor::kCommittee;
  ConductorOrganization conductor_organization = ConductorOrganization::kCell;
  CaseSubjectKind subject_kind = CaseSubjectKind::kOrganization;
  // For an organization subject: it is strictly below the conductor's
  // organization in the tree (the handler knows the tree).
  bool subject_is_lower_organization = false;
};

// Checks the combination against the rules in force on `opened_on`:
//  CASE_BASIS_NOT_ALLOWED      inspection.case.bases_by_kind (supervision is never on signs of violation)
//  CASE_CONDUCTOR_NOT_ALLOWED  inspection.case.conductors_by_kind ("KIND.BASIS" entries win over "KIND":
//                              inspection on signs of violation and finance inspection are the commission's)
//                              inspection.case.conductors_by_organization (a chi bộ conducts only as COMMITTEE)
//  CASE_SUBJECT_NOT_ALLOWED    inspection.case.subjects_by_kind (finance inspection: a LOWER_ORGANIZATION)
// A rule with no version in force that day does not apply.
absl::Status CheckCaseClassification(const CaseClassification& classification, absl::CivilDay opened_on,
                                     const common::RulesRegistry& rules);

// The dates of a case: the decision to open it, the team's working period.
struct CasePeriod {
  absl::CivilDay opened_on;
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;  // nullopt while open-ended
};
// INVALID_ARGUMENT "period.start" (before opened_on) or "period.end" (before start).
absl::Status CheckCasePeriod(const CasePeriod& period);
// INVALID_ARGUMENT "concluded_on" when before the period's start (a conclusion
// falls within the period or after it).
absl::Status CheckConclusionDate(const CasePeriod& period, absl::CivilDay concluded_on);

enum class CaseStatus {
  kOpened,      // decision to open signed
  kInProgress,  // team working
  kConcluded,   // findings and conclusion recorded
  kClosed,      // every recommendation done or dropped
  kCancelled,   // from OPENED or IN_PROGRESS, with a reason
};
std::string_view CaseStatusName(CaseStatus status);

enum class RecommendationState { kOpen, kDone, kDropped };
std::string_view RecommendationStateName(RecommendationState state);

// What a transition looks at besides the two statuses.
struct CaseProgress {
  bool has_findings = false;
  bool has_conclusion = false;
  std::optional<absl::CivilDay> concluded_on;
  std::vector<RecommendationState> recommendations;
  std::string cancel_reason;
};

// The workflow is the rule inspection.case.workflow ({"FROM": ["TO", ...]}).
//  ILLEGAL_TRANSITION         to is not a successor of from in the workflow rule
//  CONCLUSION_MISSING         → CONCLUDED without findings, conclusion and its date
//  RECOMMENDATIONS_OPEN       → CLOSED while a recommendation is OPEN
//  INVALID_ARGUMENT "cancel_reason" → CANCELLED without a reason
// The workflow rule is read as of `on` (the transition day) and is required
// (RULE_NOT_IN_FORCE otherwise).
absl::Status CheckCaseTransition(CaseStatus from, CaseStatus to, const CaseProgress& progress, absl::CivilDay on,
                                 const common::RulesRegistry& rules);

struct Recommendation {
  absl::CivilDay deadline;
  RecommendationState state = RecommendationState::kOpen;
  std::optional<absl::CivilDay> settled_on;  // the day it became DONE or DROPPED
  std::string drop_reason;
};

// INVALID_ARGUMENT "deadline" when before the conclusion date.
absl::Status CheckRecommendationDeadline(absl::CivilDay deadline, absl::CivilDay concluded_on);

// OPEN → DONE | DROPPED only (FAILED_PRECONDITION RECOMMENDATION_ALREADY_SETTLED
// otherwise); DROPPED needs a reason (INVALID_ARGUMENT "drop_reason"); the day
// must not be before the conclusion (INVALID_ARGUMENT "settled_on").
absl::Status CheckRecommendationTransition(RecommendationState from, RecommendationState to, absl::CivilDay on,
                                           std::string_view drop_reason, absl::CivilDay concluded_on);

// OPEN and as_of is after its deadline.
bool IsRecommendationOverdue(const Recommendation& recommendation, absl::CivilDay as_of);

}  // namespace grassroots::inspection::domain
