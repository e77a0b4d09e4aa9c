#pragma once
// Lookup helpers the inspection rules share (internal to the domain library):
// a rule version in force or "no such rule then", a required version, citing
// a rule in a message, string lists, and durations stored as rule values.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "services/inspection/domain/deadlines.h"

namespace grassroots::inspection::domain::internal {

// The version in force on `day`, or nullptr when none is.
absl::StatusOr<const common::Rule*> RuleInForce(const common::RulesRegistry& rules, std::string_view id,
                                                absl::CivilDay day);
// A version the computation cannot do without: FAILED_PRECONDITION RULE_NOT_IN_FORCE otherwise.
absl::StatusOr<const common::Rule*> RequiredRule(const common::RulesRegistry& rules, std::string_view id,
                                                 absl::CivilDay day);

// "rule <id>: <citation>", for messages.
std::string Cite(const common::Rule& rule);

// FAILED_PRECONDITION with `reason`, the message followed by the rule's citation.
absl::Status RuleRefusal(std::string_view reason, std::string_view message, const common::Rule& rule);

// The strings of a JSON array (INTERNAL naming the rule when it is not one).
absl::StatusOr<std::vector<std::string>> StringList(const common::Rule& rule, const nlohmann::json& value);
bool Contains(const std::vector<std::string>& list, std::string_view item);

// A duration value: an object with exactly one of "days", "working_days",
// "months", "years" (a non-negative integer). Added to `start`: calendar days,
// working days after start, or months/years to the same day of month (clamped
// to the month's last day).
absl::StatusOr<absl::CivilDay> AddDuration(const common::Rule& rule, const nlohmann::json& value,
                                           absl::CivilDay start, const common::WorkingCalendar& calendar);

// The entry of a level-keyed value: `level`'s name, else "DEFAULT"; nullopt when neither.
std::optional<nlohmann::json> LevelEntry(const nlohmann::json& value, ResolvingLevel level);

// `day` moved by whole months (clamped to the month's last day).
absl::CivilDay AddMonths(absl::CivilDay day, int64_t months);

}  // namespace grassroots::inspection::domain::internal
