// Pre-aggregates compose: on random subtrees (dissolved and new
// organizations, members moving between cells, removals, admissions, units
// covered from other communes, new models deep in the tree), the totals
// TotalsBySubtree gives each organization equal the scorecard computed on that
// organization's subtree alone, and a subtree replaced by its totals
// (SummarizedSubtree) leaves every figure unchanged.
#include <functional>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "services/reporting/domain/scorecard.h"
#include "tests/unit/reporting/scorecard_test_support.h"

namespace grassroots::reporting::domain {
namespace {

using namespace grassroots::reporting::domain::testing;

class RandomCommittee {
 public:
  explicit RandomCommittee(uint32_t seed) : random_(seed) {}

  SubtreeFacts Build() {
    SubtreeFacts facts;
    facts.root_id = 1;
    facts.commitment_categories = {1, 2};
    facts.working_categories = {1, 3};
    facts.organizations.push_back(Org(1, std::nullopt, OrganizationKind::kOther));
    int64_t next_id = 2;
    std::vector<int64_t> parents = {1};
    const int organizations = Pick(3, 25);
    for (int i = 0; i < organizations; ++i) {
      const int64_t parent = parents[Pick(0, static_cast<int>(parents.size()) - 1)];
      const OrganizationKind kind = static_cast<OrganizationKind>(Pick(0, 4));
      OrganizationFacts o = Org(next_id, parent, kind, Chance(0.2) ? Day(2025, Pick(1, 12), 1) : Day(2015, 1, 1),
                                Chance(0.15) ? std::optional<absl::CivilDay>(Day(2025, Pick(1, 11), 15)) : std::nullopt);
      if (Chance(0.5)) o.regulations.push_back({Day(2024, Pick(1, 12), 1), std::nullopt});
      if (Chance(0.2)) o.new_model_years.insert(2025);
      if (Chance(0.6)) o.rating = static_cast<RatingLevel>(Pick(0, 3));
      if (Chance(0.3)) o.sector = "MILITARY";
      if (Chance(0.3)) o.sector_at_founding = "PRIVATE_ENTERPRISE";
      o.commune_military_cell = Chance(0.2);
      if (Chance(0.5)) o.committee_terms.push_back({next_id * 10, {Day(2020, 1, 1), std::nullopt}, Chance(0.7)});
      if (Chance(0.5)) o.inspection_program_adopted_on = Day(2025, Pick(1, 12), 1);
      for (int q = 0; q < 4; ++q)
        if (Chance(0.7)) o.thematic_meetings.push_back(Day(2025, 3 * q + 1, 10));
      o.residential_on_d = Chance(0.3);
      facts.organizations.push_back(o);
      if (!IsCell(kind)) parents.push_back(next_id);
      ++next_id;
    }
    std::vector<int64_t> ids;
    for (const OrganizationFacts& o : facts.organizations) ids.push_back(o.id);
    auto any_org = [&] { return ids[Pick(0, static_cast<int>(ids.size()) - 1)]; };
    const int members = Pick(0, 60);
    for (int i = 0; i < members; ++i) {
      MemberFacts m;
      m.id = 1000 + i;
      if (Chance(0.9)) m.on_d = Standing(any_org(), Chance(0.9), Pick(0, 4));
      if (Chance(0.8)) m.on_previous_year_end = Standing(any_org(), Chance(0.9), Pick(0, 4));
      if (Chance(0.2)) {
        m.admission_decision_date = Day(Pick(2020, 2025), Pick(1, 12), 5);
        m.admission_cell_id = any_org();
        m.occupation_category_at_admission = Pick(4, 5);
      }
      m.registered_on_d = Chance(0.5);
      m.registration_exempt = Chance(0.1);
      if (Chance(0.5)) m.feedback_years.insert(2025);
      if (Chance(0.5)) m.commitment_years.insert(2025);
      if (Chance(0.6)) m.rating = static_cast<RatingLevel>(Pick(0, 3));
      if (Chance(0.1)) {
        m.removal = MemberFacts::Removal{static_cast<RemovalKind>(Pick(0, 2)), Day(2025, Pick(1, 12), 3), any_org(),
                                         Chance(0.5) ? "NO_DUES" : ""};
      }
      if (Chance(0.3)) m.trainings.push_back({Post::kCellSecretary, Day(2024, 5, 1), std::nullopt, std::nullopt, std::nullopt, std::nullopt});
      facts.members.push_back(m);
      if (Chance(0.1)) {
        PostHolding holding;
        holding.post = Chance(0.5) ? Post::kCellSecretary : Post::kGrassrootsCommitteeMember;
        holding.organization_id = any_org();
        holding.member_id = m.id;
        holding.range = {Day(2021, 1, 1), std::nullopt};
        facts.posts.push_back(holding);
      }
    }
    const int units = Pick(0, 8);
    for (int i = 0; i < units; ++i) {
      ResidentialUnitFacts unit;
      unit.id = 5000 + i;
      unit.commune_organization_id = any_org();
      unit.life = {Day(2010, 1, 1), Chance(0.1) ? std::optional<absl::CivilDay>(Day(2025, 6, 1)) : std::nullopt};
      unit.residential_group = Chance(0.5);
      if (Chance(0.7)) unit.coverings.push_back({any_org(), {Day(2012, 1, 1), std::nullopt}, Chance(0.8)});
      if (Chance(0.7)) {
        ResidentialUnitFacts::Head head;
        head.head_id = 7000 + i;
        head.post = Chance(0.5) ? Post::kVillageHead : Post::kFrontWorkCommitteeHead;
        head.is_party_member = Chance(0.5);
        head.range = {Day(2022, 1, 1), std::nullopt};
        if (Chance(0.5)) head.trainings.push_back({head.post, Day(2023, 1, 1), std::nullopt, std::nullopt, std::nullopt, std::nullopt});
        unit.heads.push_back(head);
      }
      facts.units.push_back(unit);
    }
    return facts;
  }

 private:
  int Pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }
  std::mt19937 random_;
};

// The organizations placed under `root` (itself included).
std::set<int64_t> SubtreeOf(const SubtreeFacts& facts, int64_t root) {
  std::set<int64_t> subtree = {root};
  bool grew = true;
  while (grew) {
    grew = false;
    for (const OrganizationFacts& o : facts.organizations)
      if (o.parent_id && subtree.contains(*o.parent_id) && subtree.insert(o.id).second) grew = true;
  }
  return subtree;
}

// The facts of `root`'s subtree alone, rooted there.
SubtreeFacts Rerooted(const SubtreeFacts& facts, int64_t root) {
  SubtreeFacts part = facts;
  part.root_id = root;
  const std::set<int64_t> subtree = SubtreeOf(facts, root);
  part.organizations.clear();
  for (OrganizationFacts o : facts.organizations) {
    if (!subtree.contains(o.id)) continue;
    if (o.id == root) o.parent_id.reset();
    part.organizations.push_back(o);
  }
  return part;
}

SubtreeTotals TotalsOf(const std::vector<IndicatorCount>& counts, bool new_model) {
  SubtreeTotals totals;
  for (const IndicatorCount& count : counts) {
    IndicatorTotals& part = totals.indicators[static_cast<size_t>(count.indicator)];
    part.numerator = count.numerator;
    part.denominator = count.denominator;
    part.removals = count.removals;
  }
  totals.new_model = new_model;
  return totals;
}

TEST(ScorecardTotals, EachSubtreesTotalsEqualItsOwnScorecard) {
  const Evaluation evaluation{2025, Day(2025, 12, 31), Day(2020, 10, 1)};
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const SubtreeFacts facts = RandomCommittee(seed).Build();
    const std::vector<IndicatorCount> counts = ComputeIndicators(facts, evaluation);
    const std::map<int64_t, SubtreeTotals> totals = TotalsBySubtree(counts, facts, evaluation);
    ASSERT_EQ(totals.size(), facts.organizations.size());
    for (const OrganizationFacts& o : facts.organizations) {
      const SubtreeFacts part = Rerooted(facts, o.id);
      const std::vector<IndicatorCount> alone = ComputeIndicators(part, evaluation);
      bool new_model = false;
      for (const OrganizationFacts& below : part.organizations) new_model |= below.new_model_years.contains(2025);
      EXPECT_EQ(totals.at(o.id), TotalsOf(alone, new_model)) << "organization " << o.id;
    }
  }
}

TEST(ScorecardTotals, ASummarizedSubtreeChangesNoFigure) {
  const Evaluation evaluation{2025, Day(2025, 9, 30), Day(2020, 10, 1)};
  int summarized = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const SubtreeFacts facts = RandomCommittee(seed).Build();
    const std::vector<IndicatorCount> counts = ComputeIndicators(facts, evaluation);
    const std::map<int64_t, SubtreeTotals> totals = TotalsBySubtree(counts, facts, evaluation);
    // Summarize every child of the root that has children of its own.
    SubtreeFacts reduced = facts;
    std::set<int64_t> removed;
    for (const OrganizationFacts& o : facts.organizations) {
      if (o.parent_id != facts.root_id || SubtreeOf(facts, o.id).size() < 2) continue;
      reduced.summarized.push_back({o.id, facts.root_id, totals.at(o.id)});
      for (int64_t id : SubtreeOf(facts, o.id)) removed.insert(id);
    }
    std::erase_if(reduced.organizations, [&](const OrganizationFacts& o) { return removed.contains(o.id); });
    summarized += static_cast<int>(reduced.summarized.size());
    const std::vector<IndicatorCount> again = ComputeIndicators(reduced, evaluation);
    bool new_model = false;
    for (const OrganizationFacts& o : facts.organizations) new_model |= o.new_model_years.contains(2025);
    EXPECT_EQ(TotalsOf(again, new_model), TotalsOf(counts, new_model));
    EXPECT_EQ(TotalsBySubtree(again, reduced, evaluation).at(facts.root_id), totals.at(facts.root_id));
  }
  EXPECT_GT(summarized, 100);  // the generator does produce subtrees to summarize
}

TEST(ScorecardTotals, CountsOfTotalsKeepsEveryIndicatorInOrder) {
  SubtreeTotals totals;
  totals.indicators[static_cast<size_t>(Indicator::kS9)] = {3, 4, {}};
  totals.indicators[static_cast<size_t>(Indicator::kS16)] = {1, 0, {{{"REMOVED", "NO_DUES"}, 1}}};
  const std::vector<IndicatorCount> counts = CountsOf(totals);
  ASSERT_EQ(counts.size(), AllIndicators().size());
  EXPECT_EQ(Find(counts, Indicator::kS9).numerator, 3);
  EXPECT_EQ(Find(counts, Indicator::kS9).denominator, 4);
  EXPECT_EQ(Find(counts, Indicator::kS16).removals.size(), 1u);
  EXPECT_TRUE(Find(counts, Indicator::kS9).contributions.empty());
}

}  // namespace
}  // namespace grassroots::reporting::domain
