#include "services/demo/demo_plan.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "services/demo/demo_loader.h"

namespace grassroots::demo {
namespace {

const Plan& ThePlan() {
  static const Plan plan = BuildPlan();
  return plan;
}

TEST(DemoPlan, HasTheShapeOfADistrict) {
  const PlanCounts counts = Count(ThePlan());
  // About 60 grassroots organizations, 250 cells and 150 villages (Bảo Lâm 2022: 58 TCCS).
  EXPECT_GE(counts.grassroots, 55);
  EXPECT_LE(counts.grassroots, 65);
  EXPECT_GE(counts.cells, 230);
  EXPECT_LE(counts.cells, 270);
  EXPECT_GE(counts.units, 145);
  EXPECT_LE(counts.units, 155);
  EXPECT_GE(counts.uncovered_units, 1);
  EXPECT_LE(counts.uncovered_units, 6);
  EXPECT_GT(counts.party_groups, 0);
}

TEST(DemoPlan, IsDeterministic) {
  const Plan again = BuildPlan();
  const Plan& plan = ThePlan();
  ASSERT_EQ(plan.organizations.size(), again.organizations.size());
  for (size_t i = 0; i < plan.organizations.size(); ++i) {
    EXPECT_EQ(plan.organizations[i].code, again.organizations[i].code);
    EXPECT_EQ(plan.organizations[i].display_name, again.organizations[i].display_name);
    EXPECT_EQ(plan.organizations[i].established_on, again.organizations[i].established_on);
    EXPECT_EQ(plan.organizations[i].members, again.organizations[i].members);
  }
  ASSERT_EQ(plan.meetings.size(), again.meetings.size());
  for (size_t i = 0; i < plan.meetings.size(); ++i) {
    EXPECT_EQ(plan.meetings[i].date, again.meetings[i].date);
    EXPECT_EQ(plan.meetings[i].present, again.meetings[i].present);
  }
  ASSERT_EQ(plan.ratings.size(), again.ratings.size());
  for (size_t i = 0; i < plan.ratings.size(); ++i) EXPECT_EQ(plan.ratings[i].score, again.ratings[i].score);
  ASSERT_EQ(plan.units.size(), again.units.size());
  for (size_t i = 0; i < plan.units.size(); ++i) EXPECT_EQ(plan.units[i].head_name, again.units[i].head_name);
}

TEST(DemoPlan, CodesAndNamesAreUnique) {
  const Plan& plan = ThePlan();
  std::set<std::string> codes;
  std::set<std::pair<std::string, std::string>> sibling_names;
  for (const auto* list : {&plan.organizations, &plan.new_organizations}) {
    for (const Org& org : *list) {
      EXPECT_TRUE(codes.insert(org.code).second) << "duplicate code " << org.code;
      EXPECT_TRUE(sibling_names.insert({org.parent_code, org.display_name}).second)
          << "two children of " << org.parent_code << " are called " << org.display_name;
    }
  }
  std::set<std::string> unit_codes;
  std::set<std::pair<std::string, std::string>> unit_names;
  for (const ResidentialUnit& unit : plan.units) {
    EXPECT_TRUE(unit_codes.insert(unit.code).second) << unit.code;
    EXPECT_TRUE(unit_names.insert({unit.commune_code, unit.display_name}).second) << unit.display_name;
  }
  // Request ids must stay distinct after sanitizing (they make the load idempotent).
  std::set<std::string> meeting_ids;
  for (const Meeting& meeting : plan.meetings) {
    EXPECT_TRUE(meeting_ids.insert(RequestId("mtg", meeting.org_code + "-" + meeting.request_key)).second);
  }
}

TEST(DemoPlan, ReferencesResolveAndParentsComeFirst) {
  const Plan& plan = ThePlan();
  std::map<std::string, const Org*> seen;
  for (const Org& org : plan.organizations) {
    if (org.code != kRootCode) {
      ASSERT_TRUE(seen.count(org.parent_code)) << org.code << " before its parent " << org.parent_code;
      EXPECT_GE(org.established_on, seen[org.parent_code]->established_on) << org.code;
    }
    seen[org.code] = &org;
  }
  for (const Org& org : plan.new_organizations) seen[org.code] = &org;
  for (const ResidentialUnit& unit : plan.units) {
    ASSERT_TRUE(seen.count(unit.commune_code));
    if (!unit.covering_cell_code.empty()) {
      ASSERT_TRUE(seen.count(unit.covering_cell_code));
      EXPECT_EQ(seen[unit.covering_cell_code]->parent_code, unit.commune_code);
    }
  }
  for (const Meeting& meeting : plan.meetings) {
    ASSERT_TRUE(seen.count(meeting.org_code));
    EXPECT_TRUE(IsCellType(seen[meeting.org_code]->type));
    EXPECT_LE(meeting.present, meeting.invited);
    EXPECT_LE(meeting.present + meeting.excused, meeting.invited);
    if (meeting.mode != 1) {
      EXPECT_FALSE(meeting.online_reason.empty());
    }
    if (meeting.kind != 1) {
      EXPECT_FALSE(meeting.topic.empty());
    }
    const std::string& until = seen[meeting.org_code]->active_until;
    if (!until.empty()) {
      EXPECT_LT(meeting.date, until) << meeting.org_code;
    }
  }
  for (const CommitteeTerm& term : plan.terms) {
    ASSERT_TRUE(seen.count(term.org_code));
    if (!term.ends_on.empty()) {
      EXPECT_LT(term.starts_on, term.ends_on) << term.org_code;
    }
    if (IsCellType(seen[term.org_code]->type)) {
      EXPECT_LE(term.seats, 7);  // chi ủy at most 7 (QĐ 29 §24)
    }
    EXPECT_EQ(term.seats > 0, term.elected_committee);
  }
  for (const RestructuringStep& step : plan.restructuring) {
    for (const std::string& code : step.source_codes) {
      EXPECT_TRUE(seen.count(code)) << code;
    }
    if (!step.target_code.empty()) {
      EXPECT_TRUE(seen.count(step.target_code)) << step.target_code;
    }
  }
}

TEST(DemoPlan, ActivityCoversTheScorecardCases) {
  const Plan& plan = ThePlan();
  std::set<std::string> with_regulation;
  for (const Regulation& regulation : plan.regulations) with_regulation.insert(regulation.org_code);
  int grassroots = 0, grassroots_with_regulation = 0;
  for (const Org& org : plan.organizations) {
    if (!IsGrassrootsType(org.type)) continue;
    ++grassroots;
    grassroots_with_regulation += static_cast<int>(with_regulation.count(org.code));
  }
  EXPECT_GT(grassroots_with_regulation, grassroots * 3 / 4);  // most have one
  EXPECT_LT(grassroots_with_regulation, grassroots);           // some are missing
  int online = 0, thematic = 0;
  for (const Meeting& meeting : plan.meetings) {
    online += meeting.mode == 2;
    thematic += meeting.kind == 3;
  }
  EXPECT_GT(online, 0);
  EXPECT_LT(online, 40);
  EXPECT_GT(thematic, static_cast<int>(plan.meetings.size()) / 5);
  std::set<int> rated_years;
  for (const Rating& rating : plan.ratings) rated_years.insert(rating.year);
  EXPECT_EQ(rated_years, (std::set<int>{2023, 2024, 2025}));
  EXPECT_FALSE(plan.four_good.empty());
  EXPECT_FALSE(plan.new_models.empty());
  // The district ends last, after everything under it has gone.
  ASSERT_FALSE(plan.restructuring.empty());
  EXPECT_EQ(plan.restructuring.back().kind, StepKind::kDissolve);
  EXPECT_EQ(plan.restructuring.back().source_codes.front(), kDistrictCode);
  int merges = 0;
  for (const RestructuringStep& step : plan.restructuring) merges += step.kind == StepKind::kMerge;
  EXPECT_EQ(merges, 4);
  for (const Org& org : plan.new_organizations) {
    EXPECT_EQ(org.type, "DANG_BO_XA");
    EXPECT_EQ(org.parent_code, kRootCode);
  }
}

TEST(RequestId, KeepsOnlyAllowedCharacters) {
  EXPECT_EQ(RequestId("org", "DEMO-LV.BN.X01"), "demo-org-DEMO-LV_BN_X01");
  EXPECT_LE(RequestId("x", std::string(100, 'a')).size(), 64u);
}

}  // namespace
}  // namespace grassroots::demo
