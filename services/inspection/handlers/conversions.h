#pragma once
// API enums to the domain's and back. A value the API does not define (or
// UNSPECIFIED where a value is required) is INVALID_ARGUMENT naming the field.
#include <string_view>

#include "absl/status/statusor.h"
#include "grassroots/inspection/v1/inspection.pb.h"
#include "services/inspection/domain/appeal_rules.h"
#include "services/inspection/domain/case_rules.h"
#include "services/inspection/domain/discipline_effects.h"
#include "services/inspection/domain/discipline_rules.h"
#include "services/orgtree/org_projection.h"

namespace grassroots::inspection {

absl::StatusOr<domain::CaseKind> CaseKindFromProto(grassroots::inspection::v1::CaseKind kind, std::string_view field);
absl::StatusOr<domain::CaseBasis> CaseBasisFromProto(grassroots::inspection::v1::CaseBasis basis,
                                                     std::string_view field);
absl::StatusOr<domain::Conductor> ConductorFromProto(grassroots::inspection::v1::Conductor conductor,
                                                     std::string_view field);
domain::CaseStatus CaseStatusFromProto(grassroots::inspection::v1::CaseStatus status);
domain::RecommendationState RecommendationStateFromProto(grassroots::inspection::v1::RecommendationStatus status);
absl::StatusOr<domain::DisciplineForm> DisciplineFormFromProto(grassroots::inspection::v1::DisciplineForm form,
                                                               std::string_view field);
grassroots::inspection::v1::DisciplineForm DisciplineFormToProto(domain::DisciplineForm form);
domain::DisciplineSubjectKind SubjectKindFromProto(grassroots::inspection::v1::SubjectKind kind);
grassroots::inspection::v1::SubjectKind SubjectKindToProto(domain::DisciplineSubjectKind kind);
domain::GraveViolationKind GraveKindOf(grassroots::inspection::v1::ViolationCategory category);
grassroots::inspection::v1::EffectKind EffectKindToProto(domain::EffectKind kind);
absl::StatusOr<domain::AppealOutcome> AppealOutcomeFromProto(grassroots::inspection::v1::AppealOutcome outcome,
                                                             std::string_view field);

// What kind of party organization conducts: a cell, a grassroots committee, or higher.
domain::ConductorOrganization ConductorOrganizationOf(const orgtree::ProjectedOrganization& organization);

}  // namespace grassroots::inspection
