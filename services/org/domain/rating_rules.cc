#include "services/org/domain/rating_rules.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

absl::StatusOr<double> BandValue(const common::Rule& rule, const char* key) {
  if (!rule.value.is_object() || !rule.value.contains(key) || !rule.value[key].is_number()) {
    return absl::InternalError(absl::StrCat("rule ", rule.id, " has no numeric \"", key, "\" band"));
  }
  return rule.value[key].get<double>();
}

}  // namespace

absl::StatusOr<RatingBands> ParseBands(const common::Rule& rule) {
  RatingBands bands;
  GR_ASSIGN_OR_RETURN(bands.excellent, BandValue(rule, "excellent"));
  GR_ASSIGN_OR_RETURN(bands.good, BandValue(rule, "good"));
  GR_ASSIGN_OR_RETURN(bands.completed, BandValue(rule, "completed"));
  if (!(bands.completed <= bands.good && bands.good <= bands.excellent)) {
    return absl::InternalError(absl::StrCat("rule ", rule.id, " has bands out of order"));
  }
  bands.rule = &rule;
  return bands;
}

absl::StatusOr<RatingBands> BandsForYear(int year, const common::RulesRegistry& rules) {
  const absl::CivilDay evaluation_day(year, 12, 31);
  absl::StatusOr<const common::Rule*> rule = rules.Find(kRatingBandsRule, evaluation_day);
  if (!rule.ok()) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_RATING_BANDS",
                            absl::StrCat("no rating band rule is in force for ", year));
  }
  return ParseBands(**rule);
}

absl::Status ValidateRating(const RatingInput& input) {
  if (input.year < 1900 || input.year > 9999) {
    return common::InvalidField("rating.year", "must be between 1900 and 9999");
  }
  if (!std::isfinite(input.score) || input.score < 0 || input.score > 100) {
    return common::InvalidField("rating.score", "must be between 0 and 100");
  }
  if (input.disqualified && input.disqualification_reason.empty()) {
    return common::InvalidField("rating.disqualification_reason", "is required when rating.disqualified is set");
  }
  if (!input.disqualified && !input.disqualification_reason.empty()) {
    return common::InvalidField("rating.disqualification_reason", "must be empty unless rating.disqualified is set");
  }
  return absl::OkStatus();
}

QualityLevel LevelFromScore(double score, const RatingBands& bands) {
  if (score >= bands.excellent) return QualityLevel::kExcellent;
  if (score >= bands.good) return QualityLevel::kGood;
  if (score >= bands.completed) return QualityLevel::kCompleted;
  return QualityLevel::kNotCompleted;
}

absl::StatusOr<RatingOutcome> Rate(const RatingInput& input, const common::RulesRegistry& rules) {
  GR_RETURN_IF_ERROR(ValidateRating(input));
  GR_ASSIGN_OR_RETURN(RatingBands bands, BandsForYear(input.year, rules));
  RatingOutcome out;
  out.level = input.disqualified ? QualityLevel::kNotCompleted : LevelFromScore(input.score, bands);
  out.rule_id = bands.rule->id;
  out.citation = bands.rule->citation;
  return out;
}

bool IsKnownFourGoodKind(int value) { return value == 1 || value == 2; }

absl::Status CheckFourGoodKind(FourGoodKind kind, const Organization& organization) {
  if (kind == FourGoodKind::kCell) {
    if (!organization.type.is_cell) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "FOUR_GOOD_KIND_MISMATCH",
                              "a \"chi bộ bốn tốt\" designation is for a cell");
    }
    return absl::OkStatus();
  }
  if (!organization.type.is_grassroots || organization.type.is_cell) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "FOUR_GOOD_KIND_MISMATCH",
                            "a \"đảng bộ cơ sở bốn tốt\" designation is for a grassroots party committee");
  }
  return absl::OkStatus();
}

}  // namespace grassroots::org::domain
