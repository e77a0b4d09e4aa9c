// Member-count structure rules: thresholds at their boundaries, rule ids and
// citations carried on findings, thresholds read for the date asked.
#include "services/org/domain/committee_rules.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

using absl::CivilDay;

// Same ids and values as data/rules/rules.json, plus a hypothetical later
// version of the committee threshold (effective 2030) to prove the date decides.
constexpr char kRules[] = R"({"rules": [
  {"id": "org.cell.min_official_members_to_found", "value": 3, "effective_from": "2011-01-19",
   "citation": "Điều lệ Đảng (2011), Điều 21", "description": "found"},
  {"id": "org.cell.committee_required_min_official", "value": 9, "effective_from": "2011-01-19",
   "effective_to": "2029-12-31", "citation": "Điều lệ Đảng (2011), Điều 24.4", "description": "committee"},
  {"id": "org.cell.committee_required_min_official", "value": 11, "effective_from": "2030-01-01",
   "citation": "Hypothetical 2030 Charter", "description": "committee, later"},
  {"id": "org.cell.committee_max_members", "value": 7, "effective_from": "2016-07-25",
   "citation": "QĐ 29-QĐ/TW, mục 24", "description": "max seats"},
  {"id": "org.grassroots.dang_bo_co_so_min_members", "value": 30, "effective_from": "2011-01-19",
   "citation": "Điều lệ Đảng (2011), Điều 21", "description": "dbcs"}
]})";

const common::RulesRegistry& Registry() {
  static const common::RulesRegistry* registry = [] {
    auto r = common::RulesRegistry::FromJsonText(kRules);
    EXPECT_TRUE(r.ok()) << r.status();
    return new common::RulesRegistry(std::move(*r));
  }();
  return *registry;
}

OrgType Type(const std::string& code) {
  OrgType t;
  t.code = code;
  t.is_cell = code == "CHI_BO_CO_SO" || code == "CHI_BO_TRUC_THUOC";
  t.is_grassroots = code == "CHI_BO_CO_SO" || code == "DANG_BO_CO_SO";
  return t;
}

CommitteeCheckInput Input(const std::string& type, int official, int probationary = 0, bool committee = false,
                          int seats = 0, CivilDay as_of = CivilDay(2025, 9, 1)) {
  CommitteeCheckInput in;
  in.type = Type(type);
  in.official_members = official;
  in.probationary_members = probationary;
  in.elected_committee_in_office = committee;
  in.committee_seats = seats;
  in.as_of = as_of;
  return in;
}

std::vector<std::string> Codes(const CommitteeCheckInput& input) {
  auto findings = CheckCommitteeRules(input, Registry());
  EXPECT_TRUE(findings.ok()) << findings.status();
  std::vector<std::string> codes;
  if (findings.ok()) {
    for (const auto& f : *findings) codes.push_back(f.code);
  }
  return codes;
}

bool Has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

TEST(CommitteeRules, MustElectCommitteeAtNineOfficialMembers) {
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 8)), "MUST_ELECT_COMMITTEE"));
  EXPECT_TRUE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 9)), "MUST_ELECT_COMMITTEE"));
  // Probationary members do not count toward the nine.
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 8, 5)), "MUST_ELECT_COMMITTEE"));
  // A committee in office satisfies it.
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 9, 0, true, 3)), "MUST_ELECT_COMMITTEE"));
  // Applies to a chi bộ cơ sở too, not to a đảng bộ cơ sở (not a cell).
  EXPECT_TRUE(Has(Codes(Input("CHI_BO_CO_SO", 12)), "MUST_ELECT_COMMITTEE"));
  EXPECT_FALSE(Has(Codes(Input("DANG_BO_CO_SO", 40)), "MUST_ELECT_COMMITTEE"));
}

TEST(CommitteeRules, FindingCarriesRuleIdAndCitation) {
  auto findings = CheckCommitteeRules(Input("CHI_BO_TRUC_THUOC", 9), Registry());
  ASSERT_TRUE(findings.ok()) << findings.status();
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].code, "MUST_ELECT_COMMITTEE");
  EXPECT_EQ((*findings)[0].rule_id, "org.cell.committee_required_min_official");
  EXPECT_EQ((*findings)[0].citation, "Điều lệ Đảng (2011), Điều 24.4");
  EXPECT_EQ((*findings)[0].severity, FindingSeverity::kViolation);
}

TEST(CommitteeRules, ThresholdFollowsTheDate) {
  // Under the 2030 version eleven are needed.
  EXPECT_TRUE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 10, 0, false, 0, CivilDay(2029, 12, 31))), "MUST_ELECT_COMMITTEE"));
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 10, 0, false, 0, CivilDay(2030, 1, 1))), "MUST_ELECT_COMMITTEE"));
  auto later = CheckCommitteeRules(Input("CHI_BO_TRUC_THUOC", 11, 0, false, 0, CivilDay(2030, 1, 1)), Registry());
  ASSERT_TRUE(later.ok());
  ASSERT_FALSE(later->empty());
  EXPECT_EQ((*later)[0].citation, "Hypothetical 2030 Charter");
}

TEST(CommitteeRules, MustMergeOrDissolveBelowThreeOfficial) {
  EXPECT_TRUE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 2, 4)), "MUST_MERGE_OR_DISSOLVE"));
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 3)), "MUST_MERGE_OR_DISSOLVE"));
  EXPECT_TRUE(Has(Codes(Input("DANG_BO_CO_SO", 2)), "MUST_MERGE_OR_DISSOLVE"));
  // A party group is neither a cell nor grassroots: no finding.
  EXPECT_TRUE(Codes(Input("TO_DANG", 1)).empty());
}

TEST(CommitteeRules, ChiBoCoSoShouldBecomeDangBoCoSoAtThirty) {
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_CO_SO", 20, 9, true, 5)), "SHOULD_BECOME_DANG_BO_CO_SO"));
  // 29 official + 1 probationary = 30 members: all members count.
  EXPECT_TRUE(Has(Codes(Input("CHI_BO_CO_SO", 29, 1, true, 5)), "SHOULD_BECOME_DANG_BO_CO_SO"));
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 40, 0, true, 5)), "SHOULD_BECOME_DANG_BO_CO_SO"));
}

TEST(CommitteeRules, DangBoCoSoShouldBecomeChiBoCoSoBelowThirty) {
  EXPECT_TRUE(Has(Codes(Input("DANG_BO_CO_SO", 29)), "SHOULD_BECOME_CHI_BO_CO_SO"));
  EXPECT_FALSE(Has(Codes(Input("DANG_BO_CO_SO", 30)), "SHOULD_BECOME_CHI_BO_CO_SO"));
  EXPECT_FALSE(Has(Codes(Input("DANG_BO_CO_SO", 25, 5)), "SHOULD_BECOME_CHI_BO_CO_SO"));
}

TEST(CommitteeRules, CommitteeSeatsAboveMaximum) {
  EXPECT_FALSE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 20, 0, true, 7)), "COMMITTEE_SEATS_EXCEED_MAX"));
  EXPECT_TRUE(Has(Codes(Input("CHI_BO_TRUC_THUOC", 20, 0, true, 8)), "COMMITTEE_SEATS_EXCEED_MAX"));
}

TEST(CommitteeRules, NegativeCountsNameTheField) {
  auto bad = CheckCommitteeRules(Input("CHI_BO_TRUC_THUOC", -1), Registry());
  EXPECT_EQ(common::FieldOf(bad.status()), "official_members");
  bad = CheckCommitteeRules(Input("CHI_BO_TRUC_THUOC", 1, -1), Registry());
  EXPECT_EQ(common::FieldOf(bad.status()), "probationary_members");
}

TEST(CommitteeRules, MissingRuleVersionIsNotFound) {
  // Before the Charter version in the registry took effect nothing is in force.
  auto early = CheckCommitteeRules(Input("CHI_BO_TRUC_THUOC", 9, 0, false, 0, CivilDay(2010, 1, 1)), Registry());
  EXPECT_EQ(early.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace grassroots::org::domain
