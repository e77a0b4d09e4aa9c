#pragma once
// Yearly quality rating of an organization (QĐ 366-QĐ/TW): the level follows from the
// score and the band rule in force for the year; "four-good" designations must fit the
// organization's type. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::domain {

// Values match grassroots.org.v1.QualityLevel.
enum class QualityLevel { kExcellent = 1, kGood = 2, kCompleted = 3, kNotCompleted = 4 };
// Values match grassroots.org.v1.FourGoodKind.
enum class FourGoodKind { kCell = 1, kGrassrootsCommittee = 2 };

inline constexpr std::string_view kRatingBandsRule = "rating.bands";

// Lowest score of each level (a score below `completed` is "not completed").
struct RatingBands {
  double excellent = 0;
  double good = 0;
  double completed = 0;
  const common::Rule* rule = nullptr;
};

// The bands in force on the rating's evaluation date (31 December of `year`).
// FAILED_PRECONDITION (NO_RATING_BANDS) when none is, INTERNAL when the rule's value is malformed.
absl::StatusOr<RatingBands> BandsForYear(int year, const common::RulesRegistry& rules);
// Parses a band rule's value: {"excellent": 90, "good": 70, "completed": 50}.
absl::StatusOr<RatingBands> ParseBands(const common::Rule& rule);

struct RatingInput {
  int year = 0;
  double score = 0;
  bool disqualified = false;
  std::string disqualification_reason;
};

struct RatingOutcome {
  QualityLevel level = QualityLevel::kNotCompleted;
  std::string rule_id;
  std::string citation;
};

// INVALID_ARGUMENT naming "rating.year", "rating.score" (outside 0..100, not a number),
// or "rating.disqualification_reason" (required exactly when disqualified).
absl::Status ValidateRating(const RatingInput& input);
// The level the score's band gives; a disqualifying fact caps it at "not completed".
QualityLevel LevelFromScore(double score, const RatingBands& bands);
absl::StatusOr<RatingOutcome> Rate(const RatingInput& input, const common::RulesRegistry& rules);

bool IsKnownFourGoodKind(int value);
// A "chi bộ bốn tốt" must be a cell, a "đảng bộ cơ sở bốn tốt" a grassroots organization
// that is not a cell. FAILED_PRECONDITION (FOUR_GOOD_KIND_MISMATCH) otherwise.
absl::Status CheckFourGoodKind(FourGoodKind kind, const Organization& organization);

}  // namespace grassroots::org::domain
