#include "services/membership/domain/dues_remittance.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/membership/domain/dues_rules.h"

namespace grassroots::membership::domain {
namespace {

constexpr char kShareRule[] = "dues.share.keep_percent";

bool IsPercent(const nlohmann::json& value) {
  return value.is_number_integer() && value.get<int64_t>() >= 0 && value.get<int64_t>() <= 100;
}

}  // namespace

absl::StatusOr<KeepShare> KeepShareOf(std::string_view type_code, absl::CivilMonth month,
                                      const common::RulesRegistry& rules) {
  absl::StatusOr<const common::Rule*> found = rules.Find(kShareRule, absl::CivilDay(month));
  if (!found.ok()) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_RULE_IN_FORCE",
                            absl::StrCat("no ", kShareRule, " rule is in force in ", FormatMonth(month)));
  }
  const common::Rule& rule = **found;
  const std::string type(type_code);
  const nlohmann::json* value = nullptr;
  if (rule.value.is_object() && rule.value.contains(type)) {
    value = &rule.value.at(type);
  } else if (rule.value.is_object() && rule.value.contains("default")) {
    value = &rule.value.at("default");
  }
  KeepShare share;
  share.rule_id = rule.id;
  share.citation = rule.citation;
  share.note = rule.description;
  if (value != nullptr && IsPercent(*value)) {
    share.min_percent = share.max_percent = value->get<int32_t>();
    return share;
  }
  if (value != nullptr && value->is_object() && value->contains("min") && value->contains("max") &&
      IsPercent(value->at("min")) && IsPercent(value->at("max")) &&
      value->at("min").get<int32_t>() <= value->at("max").get<int32_t>()) {
    share.min_percent = value->at("min").get<int32_t>();
    share.max_percent = value->at("max").get<int32_t>();
    return share;
  }
  return absl::InternalError(absl::StrCat(kShareRule, " has no valid share for type ", type, " nor a default"));
}

RemittanceBand ToRemit(int64_t received_dong, const KeepShare& share) {
  // Keeping more hands up less: the band's low end keeps the largest share.
  return RemittanceBand{.min_dong = PercentOfDong(received_dong, (100 - share.max_percent) * 100),
                        .max_dong = PercentOfDong(received_dong, (100 - share.min_percent) * 100)};
}

RemittanceCheck CheckRemittance(int64_t received_dong, RemittanceBand band, int64_t remitted_dong) {
  if (received_dong == 0 && remitted_dong == 0) return {};
  if (remitted_dong < band.min_dong) {
    return {.standing = RemittanceStanding::kShort, .difference = remitted_dong - band.min_dong};
  }
  if (remitted_dong > band.max_dong) {
    return {.standing = RemittanceStanding::kOver, .difference = remitted_dong - band.max_dong};
  }
  return {.standing = RemittanceStanding::kBalanced, .difference = 0};
}

}  // namespace grassroots::membership::domain
