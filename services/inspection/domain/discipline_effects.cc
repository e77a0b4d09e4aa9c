#include "services/inspection/domain/discipline_effects.h"

#include <algorithm>

namespace grassroots::inspection::domain {
namespace {

bool IsMember(DisciplineSubjectKind subject) { return subject != DisciplineSubjectKind::kOrganization; }

bool Has(const std::vector<EffectKind>& effects, EffectKind kind) {
  return std::find(effects.begin(), effects.end(), kind) != effects.end();
}

// The automatic reversal of an effect, if any (QĐ 117-QĐ/TW 2023: party
// membership is restored; a post or an organization is only considered for
// restoration by the competent committee, which org records as its own decision).
std::optional<EffectKind> Reversal(EffectKind kind) {
  if (kind == EffectKind::kEndMembership) return EffectKind::kReinstateMembership;
  return std::nullopt;
}

}  // namespace

std::string_view EffectKindName(EffectKind kind) {
  switch (kind) {
    case EffectKind::kEndMembership: return "END_MEMBERSHIP";
    case EffectKind::kEndCommitteePosition: return "END_COMMITTEE_POSITION";
    case EffectKind::kDissolveOrganization: return "DISSOLVE_ORGANIZATION";
    case EffectKind::kReinstateMembership: return "REINSTATE_MEMBERSHIP";
  }
  return "UNKNOWN";
}

std::vector<EffectKind> EffectsOfDecision(DisciplineForm form, DisciplineSubjectKind subject) {
  switch (form) {
    case DisciplineForm::kExpulsion:
      if (IsMember(subject)) return {EffectKind::kEndMembership};
      break;
    case DisciplineForm::kDismissal:
      if (IsMember(subject)) return {EffectKind::kEndCommitteePosition};
      break;
    case DisciplineForm::kDissolution:
      if (subject == DisciplineSubjectKind::kOrganization) return {EffectKind::kDissolveOrganization};
      break;
    case DisciplineForm::kReprimand:
    case DisciplineForm::kWarning:
      break;
  }
  return {};
}

std::vector<EffectKind> EffectsOfAppeal(DisciplineForm original_form, DisciplineSubjectKind subject,
                                        AppealOutcome outcome, std::optional<DisciplineForm> new_form) {
  const std::vector<EffectKind> original = EffectsOfDecision(original_form, subject);
  std::vector<EffectKind> replacement;
  switch (EffectOfOutcome(outcome)) {
    case OutcomeEffect::kKeepsOriginal:
      return {};
    case OutcomeEffect::kReversesOriginal:
      break;
    case OutcomeEffect::kReplacesOriginal:
      if (new_form) replacement = EffectsOfDecision(*new_form, subject);
      break;
  }
  std::vector<EffectKind> effects;
  for (const EffectKind kind : original) {
    if (Has(replacement, kind)) continue;  // the new form has the same effect: nothing to undo
    if (const std::optional<EffectKind> reversal = Reversal(kind)) effects.push_back(*reversal);
  }
  for (const EffectKind kind : replacement) {
    if (!Has(original, kind)) effects.push_back(kind);
  }
  return effects;
}

}  // namespace grassroots::inspection::domain
