#pragma once
// The occupation categories the rules in force on a day name (who owes a
// commitment, who owes residence liaison), as the scorecard's facts take them.
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"
#include "services/reporting/store/scorecard_facts_store.h"

namespace grassroots::reporting {

// INTERNAL when a rule names a category grassroots.membership.v1 does not have.
absl::StatusOr<store::CategoryRules> CategoryRulesOn(const common::RulesRegistry& rules, absl::CivilDay day);

}  // namespace grassroots::reporting
