// Rating rules: level from score via the band rule in force for the year, the
// disqualification cap, input checks and the four-good kind against the org type.
#include "services/org/domain/rating_rules.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

// The same bands, periods and citations as data/rules/rules.json.
constexpr char kRulesJson[] = R"json({"rules": [
  {"id": "rating.bands", "value": {"excellent": 90, "good": 70, "completed": 50},
   "effective_from": "2023-10-04", "effective_to": "2025-08-29",
   "citation": "QĐ 124-QĐ/TW (4/10/2023)", "description": "QĐ 124 bands"},
  {"id": "rating.bands", "value": {"excellent": 90, "good": 70, "completed": 50},
   "effective_from": "2025-08-30", "citation": "QĐ 366-QĐ/TW (30/8/2025), Điều 11", "description": "QĐ 366 bands"}
]})json";

const common::RulesRegistry& Rules() {
  static const common::RulesRegistry* rules = [] {
    absl::StatusOr<common::RulesRegistry> r = common::RulesRegistry::FromJsonText(kRulesJson);
    EXPECT_TRUE(r.ok()) << r.status();
    return new common::RulesRegistry(*std::move(r));
  }();
  return *rules;
}

QualityLevel LevelFor(double score, int year = 2025) {
  absl::StatusOr<RatingOutcome> out = Rate(RatingInput{year, score, false, ""}, Rules());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? out->level : QualityLevel::kNotCompleted;
}

TEST(RatingBands, BandEdges) {
  EXPECT_EQ(LevelFor(0), QualityLevel::kNotCompleted);
  EXPECT_EQ(LevelFor(49.9), QualityLevel::kNotCompleted);
  EXPECT_EQ(LevelFor(50), QualityLevel::kCompleted);
  EXPECT_EQ(LevelFor(69.9), QualityLevel::kCompleted);
  EXPECT_EQ(LevelFor(70), QualityLevel::kGood);
  EXPECT_EQ(LevelFor(89.9), QualityLevel::kGood);
  EXPECT_EQ(LevelFor(90), QualityLevel::kExcellent);
  EXPECT_EQ(LevelFor(100), QualityLevel::kExcellent);
}

TEST(RatingBands, DisqualificationCapsAtNotCompleted) {
  absl::StatusOr<RatingOutcome> out = Rate(RatingInput{2025, 97.5, true, "kỷ luật khiển trách trong năm"}, Rules());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->level, QualityLevel::kNotCompleted);
}

TEST(RatingBands, TheBandRuleOfTheYearIsCited) {
  absl::StatusOr<RatingOutcome> y2024 = Rate(RatingInput{2024, 80, false, ""}, Rules());
  ASSERT_TRUE(y2024.ok());
  EXPECT_EQ(y2024->citation, "QĐ 124-QĐ/TW (4/10/2023)");
  EXPECT_EQ(y2024->rule_id, "rating.bands");
  absl::StatusOr<RatingOutcome> y2025 = Rate(RatingInput{2025, 80, false, ""}, Rules());
  ASSERT_TRUE(y2025.ok());
  EXPECT_EQ(y2025->citation, "QĐ 366-QĐ/TW (30/8/2025), Điều 11");
}

TEST(RatingBands, NoBandsInForceForTheYear) {
  absl::StatusOr<RatingOutcome> out = Rate(RatingInput{2022, 80, false, ""}, Rules());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(out.status()), "NO_RATING_BANDS");
}

TEST(RatingBands, BandsOfAnotherShapeAreAnInternalError) {
  common::Rule rule;
  rule.id = "rating.bands";
  rule.value = nlohmann::json{{"excellent", 90}, {"good", "seventy"}, {"completed", 50}};
  EXPECT_EQ(ParseBands(rule).status().code(), absl::StatusCode::kInternal);
  rule.value = nlohmann::json{{"excellent", 60}, {"good", 70}, {"completed", 50}};
  EXPECT_EQ(ParseBands(rule).status().code(), absl::StatusCode::kInternal);
}

void ExpectInvalidField(const absl::Status& s, const std::string& field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(common::FieldOf(s), field) << s;
}

TEST(RatingInputChecks, ScoreOutsideTheScale) {
  ExpectInvalidField(Rate(RatingInput{2025, -0.1, false, ""}, Rules()).status(), "rating.score");
  ExpectInvalidField(Rate(RatingInput{2025, 100.1, false, ""}, Rules()).status(), "rating.score");
  ExpectInvalidField(Rate(RatingInput{2025, std::nan(""), false, ""}, Rules()).status(), "rating.score");
  ExpectInvalidField(
      Rate(RatingInput{2025, std::numeric_limits<double>::infinity(), false, ""}, Rules()).status(), "rating.score");
}

TEST(RatingInputChecks, DisqualificationReasonGoesWithTheFlag) {
  ExpectInvalidField(Rate(RatingInput{2025, 40, true, ""}, Rules()).status(), "rating.disqualification_reason");
  ExpectInvalidField(Rate(RatingInput{2025, 40, false, "lý do"}, Rules()).status(),
                     "rating.disqualification_reason");
}

TEST(RatingInputChecks, Year) {
  ExpectInvalidField(Rate(RatingInput{0, 80, false, ""}, Rules()).status(), "rating.year");
}

Organization OfType(const std::string& code, bool is_grassroots, bool is_cell) {
  Organization o;
  o.id = 5;
  o.type.code = code;
  o.type.is_grassroots = is_grassroots;
  o.type.is_cell = is_cell;
  return o;
}

TEST(FourGood, KindMustFitTheOrganizationType) {
  const Organization chi_bo_co_so = OfType("CHI_BO_CO_SO", true, true);
  const Organization chi_bo_truc_thuoc = OfType("CHI_BO_TRUC_THUOC", false, true);
  const Organization dang_bo_co_so = OfType("DANG_BO_CO_SO", true, false);
  const Organization dang_bo_xa = OfType("DANG_BO_XA", false, false);

  EXPECT_TRUE(CheckFourGoodKind(FourGoodKind::kCell, chi_bo_co_so).ok());
  EXPECT_TRUE(CheckFourGoodKind(FourGoodKind::kCell, chi_bo_truc_thuoc).ok());
  EXPECT_TRUE(CheckFourGoodKind(FourGoodKind::kGrassrootsCommittee, dang_bo_co_so).ok());

  for (const auto& [kind, org] : {std::pair{FourGoodKind::kCell, dang_bo_co_so},
                                  std::pair{FourGoodKind::kGrassrootsCommittee, chi_bo_co_so},
                                  std::pair{FourGoodKind::kGrassrootsCommittee, dang_bo_xa}}) {
    absl::Status s = CheckFourGoodKind(kind, org);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << org.type.code;
    EXPECT_EQ(common::ReasonOf(s), "FOUR_GOOD_KIND_MISMATCH");
  }
  EXPECT_TRUE(IsKnownFourGoodKind(1));
  EXPECT_FALSE(IsKnownFourGoodKind(0));
  EXPECT_FALSE(IsKnownFourGoodKind(3));
}

}  // namespace
}  // namespace grassroots::org::domain
