#include "services/inspection/domain/rule_support.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::inspection::domain::internal {

using common::ToAbsl;

absl::StatusOr<const common::Rule*> RuleInForce(const common::RulesRegistry& rules, std::string_view id,
                                                absl::CivilDay day) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(id, day);
  if (rule.ok()) return *rule;
  if (absl::IsNotFound(rule.status())) return nullptr;
  return rule.status();
}

absl::StatusOr<const common::Rule*> RequiredRule(const common::RulesRegistry& rules, std::string_view id,
                                                 absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, id, day));
  if (rule == nullptr) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "RULE_NOT_IN_FORCE",
                            absl::StrCat("rule ", ToAbsl(id), " has no version in force on ",
                                         common::api::FormatDate(day)));
  }
  return rule;
}

std::string Cite(const common::Rule& rule) { return absl::StrCat("rule ", rule.id, ": ", rule.citation); }

absl::Status RuleRefusal(std::string_view reason, std::string_view message, const common::Rule& rule) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, reason,
                          absl::StrCat(ToAbsl(message), " (", Cite(rule), ")"));
}

absl::StatusOr<std::vector<std::string>> StringList(const common::Rule& rule, const nlohmann::json& value) {
  if (!value.is_array()) return absl::InternalError(absl::StrCat("rule ", rule.id, ": expected a list of names"));
  std::vector<std::string> list;
  for (const nlohmann::json& item : value) {
    if (!item.is_string()) return absl::InternalError(absl::StrCat("rule ", rule.id, ": list items must be names"));
    list.push_back(item.get<std::string>());
  }
  return list;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

absl::CivilDay AddMonths(absl::CivilDay day, int64_t months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  // The last day of the target month: the day before the next month's first.
  const absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
  const absl::CivilDay same_day(month.year(), month.month(), day.day());
  // CivilDay normalizes 31 February to early March: clamp instead.
  return same_day.month() == month.month() ? same_day : last_of_month;
}

absl::StatusOr<absl::CivilDay> AddDuration(const common::Rule& rule, const nlohmann::json& value,
                                           absl::CivilDay start, const common::WorkingCalendar& calendar) {
  if (!value.is_object() || value.size() != 1 || !value.begin().value().is_number_integer() ||
      value.begin().value().get<int64_t>() < 0) {
    return absl::InternalError(
        absl::StrCat("rule ", rule.id, ": a duration is one of days, working_days, months, years (a count >= 0)"));
  }
  const std::string& unit = value.begin().key();
  const int64_t count = value.begin().value().get<int64_t>();
  if (unit == "days") return start + count;
  if (unit == "working_days") return calendar.AddWorkingDays(start, static_cast<int>(count));
  if (unit == "months") return AddMonths(start, count);
  if (unit == "years") return AddMonths(start, count * 12);
  return absl::InternalError(absl::StrCat("rule ", rule.id, ": unknown duration unit ", unit));
}

std::optional<nlohmann::json> LevelEntry(const nlohmann::json& value, ResolvingLevel level) {
  if (!value.is_object()) return std::nullopt;
  const std::string name(ResolvingLevelName(level));
  if (value.contains(name)) return value.at(name);
  if (value.contains("DEFAULT")) return value.at("DEFAULT");
  return std::nullopt;
}

}  // namespace grassroots::inspection::domain::internal
