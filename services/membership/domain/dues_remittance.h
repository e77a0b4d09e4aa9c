#pragma once
// Dues up the tree (no I/O): the share of what it receives that an
// organization keeps (rule "dues.share.keep_percent", by organization type),
// what it should therefore hand up, and how what it recorded remitting
// compares. Money is integer đồng, rounded as PercentOfDong rounds.
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"

namespace grassroots::membership::domain {

// The share kept, in percent: a band when the organization above decides
// within it (min < max), else min == max.
struct KeepShare {
  int32_t min_percent = 0;
  int32_t max_percent = 0;
  std::string rule_id;
  std::string citation;
  std::string note;  // the rule's description: says so when the share is not confirmed
};

// The share an organization of `type_code` keeps of the dues for `month`, by
// the rule in force on its first day: the type's own entry, else "default".
// FAILED_PRECONDITION when no rule is in force then; INTERNAL when the rule's
// value is malformed (a number 0..100, or {"min", "max"} with min <= max).
absl::StatusOr<KeepShare> KeepShareOf(std::string_view type_code, absl::CivilMonth month,
                                      const common::RulesRegistry& rules);

// What to hand up of `received`: from keeping the largest share (min_dong)
// to keeping the smallest (max_dong).
struct RemittanceBand {
  int64_t min_dong = 0;
  int64_t max_dong = 0;
};
RemittanceBand ToRemit(int64_t received_dong, const KeepShare& share);

enum class RemittanceStanding { kNothingReceived, kBalanced, kShort, kOver };
struct RemittanceCheck {
  RemittanceStanding standing = RemittanceStanding::kNothingReceived;
  // remitted - band.min when short (negative), remitted - band.max when over, else 0.
  int64_t difference = 0;
};
// Nothing received and nothing remitted is kNothingReceived; otherwise
// within [band.min, band.max] is balanced.
RemittanceCheck CheckRemittance(int64_t received_dong, RemittanceBand band, int64_t remitted_dong);

}  // namespace grassroots::membership::domain
