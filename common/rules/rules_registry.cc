#include "common/rules/rules_registry.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

#ifndef GRASSROOTS_DEFAULT_RULES_FILE
#define GRASSROOTS_DEFAULT_RULES_FILE "data/rules/rules.json"
#endif

namespace grassroots::common {
namespace {

absl::Status RuleError(size_t index, absl::string_view id, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("rules[", index, "]", id.empty() ? "" : absl::StrCat(" (", id, ")"), ": ", problem));
}

absl::StatusOr<absl::CivilDay> RuleDate(const nlohmann::json& entry, const char* key, size_t index,
                                        absl::string_view id) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) return RuleError(index, id, absl::StrCat(key, " must be a date string"));
  absl::StatusOr<absl::CivilDay> day = api::ParseDate(it->get<std::string>(), key);
  if (!day.ok()) return RuleError(index, id, day.status().message());
  return day;
}

absl::StatusOr<Rule> ParseRule(const nlohmann::json& entry, size_t index) {
  if (!entry.is_object()) return RuleError(index, "", "must be an object");
  Rule rule;
  auto id = entry.find("id");
  if (id == entry.end() || !id->is_string() || id->get<std::string>().empty())
    return RuleError(index, "", "id must be a non-empty string");
  rule.id = id->get<std::string>();
  auto value = entry.find("value");
  if (value == entry.end() || value->is_null()) return RuleError(index, rule.id, "value is missing");
  rule.value = *value;
  auto from = RuleDate(entry, "effective_from", index, rule.id);
  if (!from.ok()) return from.status();
  rule.effective_from = *from;
  if (entry.contains("effective_to") && !entry["effective_to"].is_null()) {
    auto to = RuleDate(entry, "effective_to", index, rule.id);
    if (!to.ok()) return to.status();
    if (*to < rule.effective_from) return RuleError(index, rule.id, "effective_to is before effective_from");
    rule.effective_to = *to;
  }
  auto citation = entry.find("citation");
  if (citation == entry.end() || !citation->is_string() || citation->get<std::string>().empty())
    return RuleError(index, rule.id, "citation is required");
  rule.citation = citation->get<std::string>();
  auto description = entry.find("description");
  if (description == entry.end() || !description->is_string() || description->get<std::string>().empty())
    return RuleError(index, rule.id, "description is required");
  rule.description = description->get<std::string>();
  return rule;
}

absl::Status WrongType(const Rule& rule, absl::string_view wanted) {
  // A well-formed file never gets here; the rule data is wrong, not the request.
  return absl::InternalError(absl::StrCat("rule ", rule.id, " (from ", absl::FormatCivilTime(rule.effective_from),
                                          ") is not ", wanted));
}

}  // namespace

bool Rule::InForceOn(absl::CivilDay day) const {
  return day >= effective_from && (!effective_to || day <= *effective_to);
}

absl::StatusOr<RulesRegistry> RulesRegistry::FromJsonText(std::string_view text) {
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return absl::InvalidArgumentError("rules file is not valid JSON");
  auto list = document.is_object() ? document.find("rules") : document.end();
  if (list == document.end() || !list->is_array())
    return absl::InvalidArgumentError("rules file must be an object with a \"rules\" array");

  RulesRegistry registry;
  registry.rules_.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    absl::StatusOr<Rule> rule = ParseRule((*list)[i], i);
    if (!rule.ok()) return rule.status();
    registry.rules_.push_back(*std::move(rule));
  }
  // Sorted by id then start: lookups binary-search, and overlaps show up as neighbours.
  std::sort(registry.rules_.begin(), registry.rules_.end(), [](const Rule& a, const Rule& b) {
    return a.id != b.id ? a.id < b.id : a.effective_from < b.effective_from;
  });
  for (size_t i = 1; i < registry.rules_.size(); ++i) {
    const Rule& previous = registry.rules_[i - 1];
    const Rule& current = registry.rules_[i];
    if (previous.id != current.id) continue;
    if (!previous.effective_to || *previous.effective_to >= current.effective_from)
      return absl::InvalidArgumentError(absl::StrCat("rule ", current.id, ": the versions starting ",
                                                     absl::FormatCivilTime(previous.effective_from), " and ",
                                                     absl::FormatCivilTime(current.effective_from), " overlap"));
  }
  return registry;
}

absl::StatusOr<RulesRegistry> RulesRegistry::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read rules file ", path));
  std::ostringstream content;
  content << in.rdbuf();
  absl::StatusOr<RulesRegistry> registry = FromJsonText(content.str());
  if (!registry.ok())
    return absl::Status(registry.status().code(), absl::StrCat(path, ": ", registry.status().message()));
  return registry;
}

std::string RulesRegistry::DefaultPath() { return GRASSROOTS_DEFAULT_RULES_FILE; }

absl::StatusOr<const Rule*> RulesRegistry::Find(std::string_view id, absl::CivilDay day) const {
  auto first = std::lower_bound(rules_.begin(), rules_.end(), id,
                                [](const Rule& rule, std::string_view key) { return rule.id < key; });
  for (auto it = first; it != rules_.end() && it->id == id; ++it) {
    if (it->InForceOn(day)) return &*it;
  }
  return absl::NotFoundError(absl::StrCat("no version of rule ", ToAbsl(id), " is in force on ", absl::FormatCivilTime(day)));
}

absl::StatusOr<int64_t> RulesRegistry::GetInt(std::string_view id, absl::CivilDay day) const {
  absl::StatusOr<const Rule*> rule = Find(id, day);
  if (!rule.ok()) return rule.status();
  if (!(*rule)->value.is_number_integer()) return WrongType(**rule, "an integer");
  return (*rule)->value.get<int64_t>();
}

absl::StatusOr<double> RulesRegistry::GetNumber(std::string_view id, absl::CivilDay day) const {
  absl::StatusOr<const Rule*> rule = Find(id, day);
  if (!rule.ok()) return rule.status();
  if (!(*rule)->value.is_number()) return WrongType(**rule, "a number");
  return (*rule)->value.get<double>();
}

absl::StatusOr<std::vector<std::string>> RulesRegistry::GetStringList(std::string_view id, absl::CivilDay day) const {
  absl::StatusOr<const Rule*> rule = Find(id, day);
  if (!rule.ok()) return rule.status();
  const nlohmann::json& value = (*rule)->value;
  if (!value.is_array()) return WrongType(**rule, "a list of strings");
  std::vector<std::string> out;
  out.reserve(value.size());
  for (const auto& entry : value) {
    if (!entry.is_string()) return WrongType(**rule, "a list of strings");
    out.push_back(entry.get<std::string>());
  }
  return out;
}

std::vector<const Rule*> RulesRegistry::InForce(absl::CivilDay day, std::string_view id_prefix) const {
  std::vector<const Rule*> out;
  for (const Rule& rule : rules_)
    if (absl::StartsWith(rule.id, ToAbsl(id_prefix)) && rule.InForceOn(day)) out.push_back(&rule);
  return out;
}

}  // namespace grassroots::common
