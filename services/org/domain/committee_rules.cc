#include "services/org/domain/committee_rules.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

// The grassroots forms the member-count rules move between.
constexpr char kChiBoCoSo[] = "CHI_BO_CO_SO";
constexpr char kDangBoCoSo[] = "DANG_BO_CO_SO";

struct Threshold {
  int64_t value = 0;
  const common::Rule* rule = nullptr;
};

absl::StatusOr<Threshold> Lookup(const common::RulesRegistry& rules, const char* id, absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, rules.Find(id, day));
  if (!rule->value.is_number_integer()) {
    return absl::InternalError(absl::StrCat("rule ", id, " is not an integer"));
  }
  return Threshold{rule->value.get<int64_t>(), rule};
}

RuleFinding Make(std::string code, FindingSeverity severity, std::string message, const Threshold& threshold) {
  return RuleFinding{std::move(code), severity, std::move(message), threshold.rule->id, threshold.rule->citation};
}

}  // namespace

absl::StatusOr<std::vector<RuleFinding>> CheckCommitteeRules(const CommitteeCheckInput& input,
                                                             const common::RulesRegistry& rules) {
  if (input.official_members < 0) return common::InvalidField("official_members", "must not be negative");
  if (input.probationary_members < 0) return common::InvalidField("probationary_members", "must not be negative");
  std::vector<RuleFinding> findings;
  const bool is_cell = input.type.is_cell;
  const bool is_grassroots = input.type.is_grassroots;
  const int total = input.official_members + input.probationary_members;

  if (is_cell) {
    GR_ASSIGN_OR_RETURN(Threshold committee_min, Lookup(rules, kRuleCommitteeRequiredMinOfficial, input.as_of));
    if (input.official_members >= committee_min.value && !input.elected_committee_in_office) {
      findings.push_back(Make("MUST_ELECT_COMMITTEE", FindingSeverity::kViolation,
                              absl::StrCat("the cell has ", input.official_members, " official members (",
                                           committee_min.value, " or more) and no elected committee in office"),
                              committee_min));
    }
    GR_ASSIGN_OR_RETURN(Threshold max_seats, Lookup(rules, kRuleCellCommitteeMaxSeats, input.as_of));
    if (input.elected_committee_in_office && input.committee_seats > max_seats.value) {
      findings.push_back(Make("COMMITTEE_SEATS_EXCEED_MAX", FindingSeverity::kViolation,
                              absl::StrCat("the cell committee has ", input.committee_seats,
                                           " seats; at most ", max_seats.value, " are allowed"),
                              max_seats));
    }
  }
  if (is_cell || is_grassroots) {
    GR_ASSIGN_OR_RETURN(Threshold found_min, Lookup(rules, kRuleMinOfficialToFound, input.as_of));
    if (input.official_members < found_min.value) {
      findings.push_back(Make("MUST_MERGE_OR_DISSOLVE", FindingSeverity::kViolation,
                              absl::StrCat("the organization has ", input.official_members,
                                           " official members; at least ", found_min.value,
                                           " are needed for a party organization"),
                              found_min));
    }
  }
  if (input.type.code == kChiBoCoSo || input.type.code == kDangBoCoSo) {
    GR_ASSIGN_OR_RETURN(Threshold dang_bo_min, Lookup(rules, kRuleDangBoCoSoMinMembers, input.as_of));
    if (input.type.code == kChiBoCoSo && total >= dang_bo_min.value) {
      findings.push_back(Make("SHOULD_BECOME_DANG_BO_CO_SO", FindingSeverity::kWarning,
                              absl::StrCat("the chi bộ cơ sở has ", total, " members (", dang_bo_min.value,
                                           " or more); it should become a đảng bộ cơ sở unless the higher "
                                           "committee approved an exception"),
                              dang_bo_min));
    }
    if (input.type.code == kDangBoCoSo && total < dang_bo_min.value) {
      findings.push_back(Make("SHOULD_BECOME_CHI_BO_CO_SO", FindingSeverity::kWarning,
                              absl::StrCat("the đảng bộ cơ sở has ", total, " members (fewer than ",
                                           dang_bo_min.value, "); it should become a chi bộ cơ sở unless the "
                                           "higher committee approved an exception"),
                              dang_bo_min));
    }
  }
  return findings;
}

}  // namespace grassroots::org::domain
