#pragma once
// Structure rules that depend on member counts (Điều lệ Art. 21, 24; QĐ 232):
// when a cell must elect a committee, when a unit is too small to exist, when a
// grassroots organization should change form. Thresholds come from the rules
// registry for the date asked, never from constants. No I/O.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::domain {

enum class FindingSeverity { kInfo, kWarning, kViolation };

struct RuleFinding {
  std::string code;        // e.g. "MUST_ELECT_COMMITTEE"
  FindingSeverity severity = FindingSeverity::kInfo;
  std::string message;
  std::string rule_id;     // registry id the finding rests on
  std::string citation;    // legal citation of that rule version
};

struct CommitteeCheckInput {
  OrgType type;
  int official_members = 0;
  int probationary_members = 0;
  // An elected committee (chi ủy / cấp ủy) is in office on the date, with
  // `committee_seats` seats (0 when unknown or none).
  bool elected_committee_in_office = false;
  int committee_seats = 0;
  absl::CivilDay as_of;
};

// Rule ids read from the registry.
inline constexpr char kRuleCommitteeRequiredMinOfficial[] = "org.cell.committee_required_min_official";
inline constexpr char kRuleMinOfficialToFound[] = "org.cell.min_official_members_to_found";
inline constexpr char kRuleDangBoCoSoMinMembers[] = "org.grassroots.dang_bo_co_so_min_members";
inline constexpr char kRuleCellCommitteeMaxSeats[] = "org.cell.committee_max_members";

// Findings in a stable order. NOT_FOUND when a needed rule has no version in
// force on the date (the registry names it). Negative counts: INVALID_ARGUMENT.
absl::StatusOr<std::vector<RuleFinding>> CheckCommitteeRules(const CommitteeCheckInput& input,
                                                             const common::RulesRegistry& rules);

}  // namespace grassroots::org::domain
