#include "services/reporting/handlers/category_rules.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/member.pb.h"

namespace grassroots::reporting {
namespace {

// The occupation categories of a rule's list ("CIVIL_SERVICE", ...) as enum numbers.
absl::StatusOr<std::set<int32_t>> CategoriesOf(const common::RulesRegistry& rules, std::string_view rule_id,
                                               absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(std::vector<std::string> names, rules.GetStringList(rule_id, day));
  std::set<int32_t> categories;
  for (const std::string& name : names) {
    grassroots::membership::v1::OccupationCategory category;
    if (!grassroots::membership::v1::OccupationCategory_Parse(absl::StrCat("OCCUPATION_CATEGORY_", name), &category)) {
      return absl::InternalError(absl::StrCat("rule ", common::ToAbsl(rule_id), " names an unknown category ", name));
    }
    categories.insert(category);
  }
  return categories;
}

}  // namespace

absl::StatusOr<store::CategoryRules> CategoryRulesOn(const common::RulesRegistry& rules, absl::CivilDay day) {
  store::CategoryRules category_rules;
  GR_ASSIGN_OR_RETURN(category_rules.commitment_categories,
                      CategoriesOf(rules, "membership.commitment.required_categories", day));
  GR_ASSIGN_OR_RETURN(category_rules.working_categories,
                      CategoriesOf(rules, "membership.residence.working_categories", day));
  return category_rules;
}

}  // namespace grassroots::reporting
