#pragma once
// What a discipline decision, and an appeal outcome on it, do to the other
// services, as data: the worker applies these (once, keyed by the decision)
// and the tests check the same function.
#include <optional>
#include <string_view>
#include <vector>

#include "services/inspection/domain/appeal_rules.h"
#include "services/inspection/domain/discipline_rules.h"

namespace grassroots::inspection::domain {

enum class EffectKind {
  kEndMembership,          // membership ExpelMember, the decision as reference
  kEndCommitteePosition,   // org: end the member's committee position(s)
  kDissolveOrganization,   // org: dissolve the organization (its members follow as org/membership define)
  kReinstateMembership,    // membership: undo the expulsion (phục hồi đảng tịch)
};
std::string_view EffectKindName(EffectKind kind);

// EXPULSION of a member → END_MEMBERSHIP; DISMISSAL → END_COMMITTEE_POSITION;
// DISSOLUTION of an organization → DISSOLVE_ORGANIZATION; REPRIMAND, WARNING → none.
std::vector<EffectKind> EffectsOfDecision(DisciplineForm form, DisciplineSubjectKind subject);

// The effects to apply when an appeal is resolved, compared with the original decision:
//  UPHELD    → none.
//  ANNULLED  → the original's effects reversed where reversal is automatic.
//  CHANGED   → the new form's effects the original lacked, and the original's
//              effects the new form lacks reversed where automatic.
// Reversal (rule inspection.discipline.annulment_restores, QĐ 117-QĐ/TW 2023):
//  an expulsion is undone (REINSTATE_MEMBERSHIP); a dismissal or a dissolution
//  is NOT undone automatically: the competent committee considers restoring the
//  post or re-founding the organization, as its own decision in org.
std::vector<EffectKind> EffectsOfAppeal(DisciplineForm original_form, DisciplineSubjectKind subject,
                                        AppealOutcome outcome, std::optional<DisciplineForm> new_form);

}  // namespace grassroots::inspection::domain
