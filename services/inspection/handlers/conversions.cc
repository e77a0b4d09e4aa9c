#include "services/inspection/handlers/conversions.h"

#include "common/status/status.h"

namespace grassroots::inspection {
namespace {
namespace v1 = grassroots::inspection::v1;
}  // namespace

absl::StatusOr<domain::CaseKind> CaseKindFromProto(v1::CaseKind kind, std::string_view field) {
  switch (kind) {
    case v1::CASE_KIND_INSPECTION: return domain::CaseKind::kInspection;
    case v1::CASE_KIND_SUPERVISION: return domain::CaseKind::kSupervision;
    case v1::CASE_KIND_FINANCE_INSPECTION: return domain::CaseKind::kFinanceInspection;
    default: break;
  }
  return common::InvalidField(field, "must be INSPECTION, SUPERVISION or FINANCE_INSPECTION");
}

absl::StatusOr<domain::CaseBasis> CaseBasisFromProto(v1::CaseBasis basis, std::string_view field) {
  switch (basis) {
    case v1::CASE_BASIS_REGULAR: return domain::CaseBasis::kRegular;
    case v1::CASE_BASIS_THEMATIC: return domain::CaseBasis::kThematic;
    case v1::CASE_BASIS_SIGNS_OF_VIOLATION: return domain::CaseBasis::kSignsOfViolation;
    default: break;
  }
  return common::InvalidField(field, "must be REGULAR, THEMATIC or SIGNS_OF_VIOLATION");
}

absl::StatusOr<domain::Conductor> ConductorFromProto(v1::Conductor conductor, std::string_view field) {
  switch (conductor) {
    case v1::CONDUCTOR_COMMITTEE: return domain::Conductor::kCommittee;
    case v1::CONDUCTOR_STANDING_COMMITTEE: return domain::Conductor::kStandingCommittee;
    case v1::CONDUCTOR_INSPECTION_COMMISSION: return domain::Conductor::kInspectionCommission;
    default: break;
  }
  return common::InvalidField(field, "must be COMMITTEE, STANDING_COMMITTEE or INSPECTION_COMMISSION");
}

domain::CaseStatus CaseStatusFromProto(v1::CaseStatus status) {
  switch (status) {
    case v1::CASE_STATUS_IN_PROGRESS: return domain::CaseStatus::kInProgress;
    case v1::CASE_STATUS_CONCLUDED: return domain::CaseStatus::kConcluded;
    case v1::CASE_STATUS_CLOSED: return domain::CaseStatus::kClosed;
    case v1::CASE_STATUS_CANCELLED: return domain::CaseStatus::kCancelled;
    default: break;
  }
  return domain::CaseStatus::kOpened;
}

domain::RecommendationState RecommendationStateFromProto(v1::RecommendationStatus status) {
  switch (status) {
    case v1::RECOMMENDATION_STATUS_DONE: return domain::RecommendationState::kDone;
    case v1::RECOMMENDATION_STATUS_DROPPED: return domain::RecommendationState::kDropped;
    default: break;
  }
  return domain::RecommendationState::kOpen;
}

absl::StatusOr<domain::DisciplineForm> DisciplineFormFromProto(v1::DisciplineForm form, std::string_view field) {
  switch (form) {
    case v1::DISCIPLINE_FORM_REPRIMAND: return domain::DisciplineForm::kReprimand;
    case v1::DISCIPLINE_FORM_WARNING: return domain::DisciplineForm::kWarning;
    case v1::DISCIPLINE_FORM_DISMISSAL: return domain::DisciplineForm::kDismissal;
    case v1::DISCIPLINE_FORM_EXPULSION: return domain::DisciplineForm::kExpulsion;
    case v1::DISCIPLINE_FORM_DISSOLUTION: return domain::DisciplineForm::kDissolution;
    default: break;
  }
  return common::InvalidField(field, "must be REPRIMAND, WARNING, DISMISSAL, EXPULSION or DISSOLUTION");
}

v1::DisciplineForm DisciplineFormToProto(domain::DisciplineForm form) {
  switch (form) {
    case domain::DisciplineForm::kReprimand: return v1::DISCIPLINE_FORM_REPRIMAND;
    case domain::DisciplineForm::kWarning: return v1::DISCIPLINE_FORM_WARNING;
    case domain::DisciplineForm::kDismissal: return v1::DISCIPLINE_FORM_DISMISSAL;
    case domain::DisciplineForm::kExpulsion: return v1::DISCIPLINE_FORM_EXPULSION;
    case domain::DisciplineForm::kDissolution: return v1::DISCIPLINE_FORM_DISSOLUTION;
  }
  return v1::DISCIPLINE_FORM_UNSPECIFIED;
}

domain::DisciplineSubjectKind SubjectKindFromProto(v1::SubjectKind kind) {
  switch (kind) {
    case v1::SUBJECT_KIND_PROBATIONARY_MEMBER: return domain::DisciplineSubjectKind::kProbationaryMember;
    case v1::SUBJECT_KIND_ORGANIZATION: return domain::DisciplineSubjectKind::kOrganization;
    default: break;
  }
  return domain::DisciplineSubjectKind::kOfficialMember;
}

v1::SubjectKind SubjectKindToProto(domain::DisciplineSubjectKind kind) {
  switch (kind) {
    case domain::DisciplineSubjectKind::kOfficialMember: return v1::SUBJECT_KIND_OFFICIAL_MEMBER;
    case domain::DisciplineSubjectKind::kProbationaryMember: return v1::SUBJECT_KIND_PROBATIONARY_MEMBER;
    case domain::DisciplineSubjectKind::kOrganization: return v1::SUBJECT_KIND_ORGANIZATION;
  }
  return v1::SUBJECT_KIND_UNSPECIFIED;
}

domain::GraveViolationKind GraveKindOf(v1::ViolationCategory category) {
  switch (category) {
    case v1::VIOLATION_CATEGORY_INTERNAL_POLITICS: return domain::GraveViolationKind::kInternalPolitics;
    case v1::VIOLATION_CATEGORY_NATIONAL_SECURITY:
    case v1::VIOLATION_CATEGORY_DEFENCE:
    case v1::VIOLATION_CATEGORY_FOREIGN_AFFAIRS: return domain::GraveViolationKind::kNationalInterest;
    case v1::VIOLATION_CATEGORY_ILLEGAL_DIPLOMA: return domain::GraveViolationKind::kIllegalQualification;
    default: break;
  }
  return domain::GraveViolationKind::kNone;
}

v1::EffectKind EffectKindToProto(domain::EffectKind kind) {
  switch (kind) {
    case domain::EffectKind::kEndMembership: return v1::EFFECT_KIND_EXPEL_MEMBER;
    case domain::EffectKind::kEndCommitteePosition: return v1::EFFECT_KIND_END_POSITION;
    case domain::EffectKind::kDissolveOrganization: return v1::EFFECT_KIND_DISSOLVE_ORGANIZATION;
    case domain::EffectKind::kReinstateMembership: return v1::EFFECT_KIND_REINSTATE_MEMBER;
  }
  return v1::EFFECT_KIND_UNSPECIFIED;
}

absl::StatusOr<domain::AppealOutcome> AppealOutcomeFromProto(v1::AppealOutcome outcome, std::string_view field) {
  switch (outcome) {
    case v1::APPEAL_OUTCOME_UPHELD: return domain::AppealOutcome::kUpheld;
    case v1::APPEAL_OUTCOME_CHANGED: return domain::AppealOutcome::kChanged;
    case v1::APPEAL_OUTCOME_ANNULLED: return domain::AppealOutcome::kAnnulled;
    default: break;
  }
  return common::InvalidField(field, "must be UPHELD, CHANGED or ANNULLED");
}

domain::ConductorOrganization ConductorOrganizationOf(const orgtree::ProjectedOrganization& organization) {
  if (organization.is_cell) return domain::ConductorOrganization::kCell;
  if (organization.is_grassroots) return domain::ConductorOrganization::kGrassrootsCommittee;
  return domain::ConductorOrganization::kHigherCommittee;
}

}  // namespace grassroots::inspection
