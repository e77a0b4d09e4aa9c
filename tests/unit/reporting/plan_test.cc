// The plan loader: the seed plan (data/plans/nq21-plan-seed.json) and each
// validation error naming its JSON path.
#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "services/reporting/domain/plan.h"

namespace grassroots::reporting::domain {
namespace {

nlohmann::json SeedJson() {
  std::ifstream in(DefaultPlanPath());
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST(Plan, TheSeedPlanLoads) {
  absl::StatusOr<Plan> plan = LoadPlanFile(DefaultPlanPath());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->id, "nq21-plan-seed");
  EXPECT_EQ(plan->issuing_role, "ban_thuong_vu");
  EXPECT_EQ(plan->issuing_level, "DISTRICT");
  EXPECT_EQ(plan->document_number, std::nullopt);
  EXPECT_EQ(plan->targets.size(), 18u);
  EXPECT_EQ(plan->tasks.size(), 54u);
  EXPECT_EQ(plan->paragraphs.size(), 62u);
  EXPECT_EQ(plan->term_from_year, 2020);
  EXPECT_EQ(plan->term_to_year, 2025);
  EXPECT_EQ(plan->TermFrom(), absl::CivilDay(2020, 1, 1));
  for (Indicator indicator : AllIndicators()) EXPECT_NE(plan->FindTarget(indicator), nullptr) << IndicatorId(indicator);

  const Target* s6 = plan->FindTarget(Indicator::kS6);
  EXPECT_EQ(s6->comparator, "between");
  EXPECT_DOUBLE_EQ(s6->low, 0.03);
  EXPECT_DOUBLE_EQ(s6->high, 0.04);
  EXPECT_EQ(s6->met_comparator, ">=");
  EXPECT_DOUBLE_EQ(s6->met_value, 0.03);
  EXPECT_EQ(s6->from_year, 2023);
  EXPECT_EQ(s6->paragraph, "II.3.1/6");
  EXPECT_EQ(plan->FindTarget(Indicator::kS10)->by_year, 2030);
  EXPECT_EQ(plan->FindTarget(Indicator::kS7)->window, "term");
  EXPECT_EQ(plan->FindTarget(Indicator::kS15)->comparator, "rising_year_on_year");
  EXPECT_EQ(plan->FindTarget(Indicator::kS16)->comparator, "reported");

  EXPECT_EQ(plan->tasks[0].id, "II.1/1");
  EXPECT_EQ(plan->tasks[0].deadline.kind, "done");
  EXPECT_EQ(plan->tasks[0].deadline.date, absl::CivilDay(2022, 7, 31));
  EXPECT_EQ(plan->tasks[0].deadline.precision, "month");
  EXPECT_EQ(plan->tasks[0].responsible.size(), 1u);
  EXPECT_EQ(plan->tasks[0].responsible[0].role, "ban_thuong_vu");
  bool found = false;
  for (const PlanTask& task : plan->tasks) {
    if (task.id != "II.3.1/6b") continue;
    found = true;
    EXPECT_EQ(task.deadline.kind, "within_term");
    EXPECT_EQ(task.target_ids, std::vector<Indicator>{Indicator::kS7});
  }
  EXPECT_TRUE(found);
  ASSERT_NE(plan->ParagraphText("II"), nullptr);
  EXPECT_EQ(*plan->ParagraphText("II"), "NỘI DUNG THỰC HIỆN:");
  EXPECT_EQ(plan->ParagraphText("IX.9"), nullptr);
}

size_t TaskNaming(const nlohmann::json& plan, const std::string& indicator) {
  for (size_t i = 0; i < plan["tasks"].size(); ++i)
    for (const auto& id : plan["tasks"][i]["target_ids"])
      if (id == indicator) return i;
  ADD_FAILURE() << "no task names " << indicator;
  return 0;
}

struct BrokenPlan {
  const char* path;  // the JSON path the error must name
  std::function<void(nlohmann::json&)> breaks;
};

TEST(Plan, EachValidationErrorNamesItsPath) {
  const std::vector<BrokenPlan> cases = {
      {"format", [](nlohmann::json& p) { p["format"] = "grassroots.plan/2"; }},
      {"id", [](nlohmann::json& p) { p["id"] = "Seed_Plan"; }},
      {"title", [](nlohmann::json& p) { p.erase("title"); }},
      {"issuing_body.role", [](nlohmann::json& p) { p["issuing_body"]["role"] = "boss"; }},
      {"issuing_body.level", [](nlohmann::json& p) { p["issuing_body"]["level"] = "VILLAGE"; }},
      {"period.from", [](nlohmann::json& p) { p["period"]["from"] = "2022-13-01"; }},
      {"term.to_year", [](nlohmann::json& p) { p["term"]["to_year"] = 2019; }},
      {"paragraphs[0].id", [](nlohmann::json& p) { p["paragraphs"][0]["id"] = "1.2"; }},
      {"paragraphs[2].id", [](nlohmann::json& p) { p["paragraphs"][2]["id"] = "I.1"; }},
      {"targets[0].indicator", [](nlohmann::json& p) { p["targets"][0]["indicator"] = "S99"; }},
      {"targets[1].indicator", [](nlohmann::json& p) { p["targets"][1]["indicator"] = "S1"; }},
      {"targets[3].comparator", [](nlohmann::json& p) { p["targets"][3]["comparator"] = "~"; }},
      {"targets[0].value", [](nlohmann::json& p) { p["targets"][0]["value"] = 1.5; }},
      {"targets[0].value", [](nlohmann::json& p) { p["targets"][0].erase("value"); }},
      {"targets[1].unit", [](nlohmann::json& p) { p["targets"][1]["unit"] = "percent"; }},
      {"targets[8].unit", [](nlohmann::json& p) { p["targets"][8]["unit"] = "ratio"; }},  // S7 is a count
      {"targets[0].window", [](nlohmann::json& p) { p["targets"][0]["window"] = "decade"; }},
      {"targets[7].low", [](nlohmann::json& p) { p["targets"][7].erase("low"); }},
      {"targets[7].high", [](nlohmann::json& p) { p["targets"][7]["high"] = 0.01; }},
      {"targets[7].met_at", [](nlohmann::json& p) { p["targets"][7].erase("met_at"); }},
      {"targets[7].met_at.comparator", [](nlohmann::json& p) { p["targets"][7]["met_at"]["comparator"] = "between"; }},
      {"targets[7].met_at.value", [](nlohmann::json& p) { p["targets"][7]["met_at"]["value"] = 0.05; }},
      {"targets[7].from_year", [](nlohmann::json& p) { p["targets"][7]["from_year"] = "2023"; }},
      {"targets[0].paragraph", [](nlohmann::json& p) { p["targets"][0]["paragraph"] = "II.9.9"; }},
      {"targets[8].window", [](nlohmann::json& p) { p.erase("term"); }},  // S7's term window needs the term
      {"tasks[0].id", [](nlohmann::json& p) { p["tasks"][0]["id"] = "II.1/2"; }},
      {"tasks[0].deadline.kind", [](nlohmann::json& p) { p["tasks"][0]["deadline"]["kind"] = "soon"; }},
      {"tasks[0].deadline.date", [](nlohmann::json& p) { p["tasks"][0]["deadline"]["date"] = nullptr; }},
      {"tasks[0].deadline.date", [](nlohmann::json& p) { p["tasks"][0]["deadline"]["date"] = "2022-07-30"; }},
      {"tasks[0].responsible[0].role", [](nlohmann::json& p) { p["tasks"][0]["responsible"][0]["role"] = "boss"; }},
      {"tasks[0].paragraph", [](nlohmann::json& p) { p["tasks"][0]["paragraph"] = "II.1/99"; }},
  };
  for (const BrokenPlan& broken : cases) {
    nlohmann::json plan = SeedJson();
    broken.breaks(plan);
    absl::StatusOr<Plan> parsed = ParsePlan(plan.dump());
    ASSERT_FALSE(parsed.ok()) << broken.path;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << broken.path;
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), std::string(broken.path) + ":"))
        << broken.path << " vs " << parsed.status().message();
  }
}

TEST(Plan, TargetIdsNameExistingTargetsOnce) {
  nlohmann::json unknown = SeedJson();
  size_t s1_task = TaskNaming(unknown, "S1");
  unknown["tasks"][s1_task]["target_ids"] = {"S99"};
  absl::StatusOr<Plan> parsed = ParsePlan(unknown.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "tasks[" + std::to_string(s1_task) + "].target_ids[0]:"))
      << parsed.status().message();

  nlohmann::json twice = SeedJson();
  size_t s3_task = TaskNaming(twice, "S3");
  twice["tasks"][s3_task]["target_ids"].push_back("S1");
  parsed = ParsePlan(twice.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "tasks[" + std::to_string(s3_task) + "].target_ids[1]:"))
      << parsed.status().message();

  nlohmann::json unnamed = SeedJson();
  unnamed["tasks"][s1_task]["target_ids"] = nlohmann::json::array();
  parsed = ParsePlan(unnamed.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(absl::StrContains(parsed.status().message(), "S1 is named by no task")) << parsed.status().message();
}

TEST(Plan, NotJsonAndMissingFile) {
  EXPECT_EQ(ParsePlan("{not json").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePlan("[]").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadPlanFile("/nonexistent/plan.json").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace grassroots::reporting::domain
