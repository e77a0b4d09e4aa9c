#include "common/rules/rules_registry.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace grassroots::common {
namespace {

constexpr char kTwoVersions[] = R"({"rules": [
  {"id": "x.limit", "value": 90, "effective_from": "2025-10-28",
   "citation": "HD 42-HD/BTCTW", "description": "new"},
  {"id": "x.limit", "value": 60, "effective_from": "2020-01-01", "effective_to": "2025-10-27",
   "citation": "old", "description": "old"},
  {"id": "x.share", "value": 0.5, "effective_from": "2022-12-27", "citation": "HD 03", "description": "d"},
  {"id": "x.reasons", "value": ["A", "B"], "effective_from": "2022-12-27", "citation": "HD 03", "description": "d"}
]})";

TEST(RulesRegistryTest, LooksUpByDateWithInclusiveBoundaries) {
  auto rules = RulesRegistry::FromJsonText(kTwoVersions);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(*rules->GetInt("x.limit", absl::CivilDay(2025, 10, 27)), 60);
  EXPECT_EQ(*rules->GetInt("x.limit", absl::CivilDay(2025, 10, 28)), 90);
  EXPECT_EQ(*rules->GetInt("x.limit", absl::CivilDay(2020, 1, 1)), 60);
  EXPECT_EQ(*rules->GetInt("x.limit", absl::CivilDay(2099, 1, 1)), 90);
  auto before = rules->GetInt("x.limit", absl::CivilDay(2019, 12, 31));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(before.status().message(), "x.limit"));
  EXPECT_TRUE(absl::StrContains(before.status().message(), "2019-12-31"));
  EXPECT_EQ(rules->Find("no.such.rule", absl::CivilDay(2025, 1, 1)).status().code(), absl::StatusCode::kNotFound);

  auto rule = rules->Find("x.limit", absl::CivilDay(2026, 1, 1));
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ((*rule)->citation, "HD 42-HD/BTCTW");
  EXPECT_TRUE((*rule)->InForceOn(absl::CivilDay(2025, 10, 28)));
  EXPECT_FALSE((*rule)->InForceOn(absl::CivilDay(2025, 10, 27)));
}

TEST(RulesRegistryTest, TypedGetters) {
  auto rules = RulesRegistry::FromJsonText(kTwoVersions);
  ASSERT_TRUE(rules.ok());
  const absl::CivilDay day(2024, 1, 1);
  EXPECT_DOUBLE_EQ(*rules->GetNumber("x.share", day), 0.5);
  EXPECT_DOUBLE_EQ(*rules->GetNumber("x.limit", day), 60);
  EXPECT_EQ(*rules->GetStringList("x.reasons", day), (std::vector<std::string>{"A", "B"}));
  EXPECT_FALSE(rules->GetInt("x.share", day).ok());
  EXPECT_FALSE(rules->GetStringList("x.limit", day).ok());
  EXPECT_EQ(rules->InForce(day).size(), 3u);
  EXPECT_EQ(rules->InForce(day, "x.re").size(), 1u);
  EXPECT_EQ(rules->InForce(absl::CivilDay(2010, 1, 1)).size(), 0u);
}

void ExpectRefused(std::string_view text, absl::string_view mentions) {
  auto rules = RulesRegistry::FromJsonText(text);
  ASSERT_FALSE(rules.ok()) << text;
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(rules.status().message(), mentions)) << rules.status().message();
}

TEST(RulesRegistryTest, OverlapsAndBadEntriesAreRefused) {
  ExpectRefused(R"({"rules": [
    {"id": "a", "value": 1, "effective_from": "2020-01-01", "effective_to": "2025-01-01", "citation": "c", "description": "d"},
    {"id": "a", "value": 2, "effective_from": "2025-01-01", "citation": "c", "description": "d"}]})",
                "a");  // shares one day
  ExpectRefused(R"({"rules": [
    {"id": "a", "value": 1, "effective_from": "2020-01-01", "citation": "c", "description": "d"},
    {"id": "a", "value": 2, "effective_from": "2025-01-01", "citation": "c", "description": "d"}]})",
                "overlap");  // the first never ends
  ExpectRefused(R"({"rules": [{"id": "a", "value": 1, "effective_from": "2020-02-30", "citation": "c", "description": "d"}]})",
                "a");
  ExpectRefused(R"({"rules": [{"id": "a", "value": 1, "effective_from": "2020-01-01", "description": "d"}]})",
                "citation");
  ExpectRefused(R"({"rules": [{"id": "a", "effective_from": "2020-01-01", "citation": "c", "description": "d"}]})",
                "value");
  ExpectRefused(R"({"rules": [{"id": "a", "value": 1, "effective_from": "2020-01-01",
                   "effective_to": "2019-01-01", "citation": "c", "description": "d"}]})",
                "effective_to");
  ExpectRefused("not json", "JSON");
  ExpectRefused(R"({"nope": []})", "rules");

  auto adjacent = RulesRegistry::FromJsonText(R"({"rules": [
    {"id": "a", "value": 1, "effective_from": "2020-01-01", "effective_to": "2024-12-31", "citation": "c", "description": "d"},
    {"id": "a", "value": 2, "effective_from": "2025-01-01", "citation": "c", "description": "d"}]})");
  EXPECT_TRUE(adjacent.ok()) << adjacent.status();
}

TEST(RulesRegistryTest, MissingFileIsAnError) {
  EXPECT_FALSE(RulesRegistry::LoadFile("/nonexistent/rules.json").ok());
}

// The repository's rules file: it loads, and the values the org service relies on are there.
TEST(RepoRulesTest, RepositoryFileLoadsWithTheExpectedFacts) {
  EXPECT_EQ(RulesRegistry::DefaultPath(), GRASSROOTS_REPO_RULES_FILE);
  auto rules = RulesRegistry::LoadFile(GRASSROOTS_REPO_RULES_FILE);
  ASSERT_TRUE(rules.ok()) << rules.status();
  const absl::CivilDay day(2026, 1, 15);
  EXPECT_EQ(*rules->GetInt("org.cell.min_official_members_to_found", day), 3);
  EXPECT_EQ(*rules->GetInt("org.cell.committee_required_min_official", day), 9);
  EXPECT_EQ(*rules->GetInt("org.cell.committee_max_members", day), 7);
  EXPECT_EQ(*rules->GetInt("org.grassroots.dang_bo_co_so_min_members", day), 30);
  EXPECT_EQ(*rules->GetInt("meeting.regular.min_duration_minutes", day), 90);
  EXPECT_EQ(*rules->GetInt("meeting.combined.min_duration_minutes", day), 120);
  EXPECT_EQ(*rules->GetInt("meeting.thematic.per_quarter_min", day), 1);
  EXPECT_DOUBLE_EQ(*rules->GetNumber("meeting.online.min_share_unable_in_person", day), 0.5);
  EXPECT_EQ(rules->GetStringList("meeting.online.allowed_reasons", day)->size(), 4u);
  EXPECT_EQ(*rules->GetInt("membership.probation_months", day), 12);
  EXPECT_EQ(*rules->GetInt("membership.admission.min_age_years", day), 18);
  EXPECT_EQ(*rules->GetInt("membership.admission.max_age_years", day), 60);

  // No known minimum duration before HD 42 (28/10/2025).
  EXPECT_EQ(rules->Find("meeting.regular.min_duration_minutes", absl::CivilDay(2023, 6, 1)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(*rules->GetInt("meeting.regular.min_duration_minutes", absl::CivilDay(2025, 10, 28)), 90);
  EXPECT_FALSE(rules->Find("meeting.regular.min_duration_minutes", absl::CivilDay(2025, 10, 27)).ok());

  // Rating bands: QĐ 124 to 29/8/2025, QĐ 366 from 30/8/2025.
  auto under_124 = rules->Find("rating.bands", absl::CivilDay(2025, 8, 29));
  auto under_366 = rules->Find("rating.bands", absl::CivilDay(2025, 8, 30));
  ASSERT_TRUE(under_124.ok() && under_366.ok());
  EXPECT_TRUE(absl::StrContains((*under_124)->citation, "124-QĐ/TW"));
  EXPECT_TRUE(absl::StrContains((*under_366)->citation, "366-QĐ/TW"));
  EXPECT_EQ((*under_366)->value["excellent"], 90);
  EXPECT_EQ((*under_366)->value["good"], 70);
  EXPECT_EQ((*under_366)->value["completed"], 50);
  auto under_132 = rules->Find("rating.bands", absl::CivilDay(2023, 10, 3));
  ASSERT_TRUE(under_132.ok());
  EXPECT_TRUE(absl::StrContains((*under_132)->citation, "132-QĐ/TW"));
  EXPECT_FALSE(rules->Find("rating.bands", absl::CivilDay(2018, 3, 7)).ok());
  for (const Rule& rule : rules->all()) EXPECT_FALSE(rule.citation.empty()) << rule.id;
}

}  // namespace
}  // namespace grassroots::common
