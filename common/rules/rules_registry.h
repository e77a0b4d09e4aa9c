#pragma once
// Versioned rules: every threshold, limit and band is a dated record with its
// legal citation, loaded from data/rules/rules.json, looked up by id and date.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::common {

struct Rule {
  std::string id;
  nlohmann::json value;
  absl::CivilDay effective_from;
  std::optional<absl::CivilDay> effective_to;  // inclusive last day; nullopt = open
  std::string citation;
  std::string description;
  bool InForceOn(absl::CivilDay day) const;
};

class RulesRegistry {
 public:
  // File format: {"rules": [{"id", "value", "effective_from", "effective_to"?,
  // "citation", "description"}]}. Overlapping periods for one id, bad dates or
  // missing citations are errors naming the rule.
  static absl::StatusOr<RulesRegistry> FromJsonText(std::string_view text);
  static absl::StatusOr<RulesRegistry> LoadFile(const std::string& path);
  // The path of the repo's rules file as built (overridable by config).
  static std::string DefaultPath();

  // NOT_FOUND naming the id and date when no version is in force.
  absl::StatusOr<const Rule*> Find(std::string_view id, absl::CivilDay day) const;
  absl::StatusOr<int64_t> GetInt(std::string_view id, absl::CivilDay day) const;
  absl::StatusOr<double> GetNumber(std::string_view id, absl::CivilDay day) const;
  absl::StatusOr<std::vector<std::string>> GetStringList(std::string_view id, absl::CivilDay day) const;
  // All versions in force on day (every id when prefix is empty).
  std::vector<const Rule*> InForce(absl::CivilDay day, std::string_view id_prefix = "") const;
  const std::vector<Rule>& all() const { return rules_; }

 private:
  std::vector<Rule> rules_;
};

}  // namespace grassroots::common
