// The projection of residential units and covering periods against real
// MariaDB, and THE definition of a residential cell over it: a cell covering
// at least one unit active on the day, at the boundaries of periods and unit
// lives, in its single, set and subtree forms; replays and a new feed epoch.
#include "services/orgtree/residential_units.h"

#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/db/db.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/orgtree_migrations.h"
#include "tests/support/test_db.h"

namespace grassroots::orgtree {
namespace {

namespace orgpb = grassroots::org::v1;
using D = absl::CivilDay;
using Cells = std::set<int64_t>;

constexpr char kEpoch[] = "epoch-one";
constexpr int64_t kCommune = 3, kCellA = 7, kCellB = 8, kCellC = 9;

ProjectedResidentialUnit Unit(int64_t id, D established, std::optional<D> ended = std::nullopt) {
  return ProjectedResidentialUnit{id, absl::StrCat("THON-", id), kCommune, established, ended};
}
ProjectedCovering Covering(int64_t id, int64_t unit, int64_t cell, D from, std::optional<D> to = std::nullopt) {
  return ProjectedCovering{id, unit, cell, from, to};
}

class ResidentialUnitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = grassroots::testing::TestDatabase::Create(
        "units", {&common::db::CommonMigrations(), &migrations::OrgTreeMigrations()}, 4);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    projection_ = std::make_unique<OrgProjection>(db_->pool());
    auto bound = db_->pool().Transact<EpochBinding>(
        "test.bind", [&](common::db::Session& s) { return projection_->BindEpoch(s, "org", kEpoch); });
    ASSERT_TRUE(bound.ok()) << bound.status();
  }

  // Applies one change through the cursor frame, as the follower does.
  bool Apply(int64_t sequence, const ProjectedResidentialUnit& unit) {
    return At(sequence, [&](common::db::Session& s) { return StoreResidentialUnit(s, unit, sequence); });
  }
  bool Apply(int64_t sequence, const ProjectedCovering& covering) {
    return At(sequence, [&](common::db::Session& s) { return StoreCovering(s, covering, sequence); });
  }
  bool At(int64_t sequence, absl::FunctionRef<absl::Status(common::db::Session&)> apply) {
    auto fresh = db_->pool().Transact<bool>("test.apply", [&](common::db::Session& s) {
      return projection_->ApplyAt(s, "org", kEpoch, sequence, apply);
    });
    EXPECT_TRUE(fresh.ok()) << fresh.status();
    return fresh.value_or(false);
  }
  void ApplyOrganization(int64_t sequence, int64_t id, int64_t parent) {
    orgpb::Organization org;
    org.set_name(absl::StrCat("organizations/", id));
    if (parent != 0) org.set_parent(absl::StrCat("organizations/", parent));
    org.set_code(absl::StrCat("ORG-", id));
    org.set_display_name(absl::StrCat("Tổ chức ", id));
    org.set_type(parent == 0 ? "DANG_BO_CO_SO" : "CHI_BO_TRUC_THUOC");
    org.set_is_cell(parent != 0);
    org.set_state(orgpb::ORGANIZATION_STATE_ACTIVE);
    org.set_established_on("2010-01-01");
    auto applied = db_->pool().Transact<bool>(
        "test.apply_org", [&](common::db::Session& s) { return projection_->Apply(s, "org", kEpoch, sequence, org); });
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  bool Residential(int64_t cell, D day) {
    auto is = db_->pool().Read<bool>("test.is_residential",
                                     [&](common::db::Session& s) { return IsResidentialCell(s, cell, day); });
    EXPECT_TRUE(is.ok()) << is.status();
    return is.value_or(false);
  }
  Cells Among(const std::vector<int64_t>& cells, D day) {
    auto found = db_->pool().Read<Cells>("test.residential_cells",
                                         [&](common::db::Session& s) { return ResidentialCells(s, cells, day); });
    EXPECT_TRUE(found.ok()) << found.status();
    return found.value_or(Cells{});
  }
  Cells InSubtree(int64_t root, D day) {
    auto found = db_->pool().Read<Cells>(
        "test.residential_subtree", [&](common::db::Session& s) { return ResidentialCellsInSubtree(s, root, day); });
    EXPECT_TRUE(found.ok()) << found.status();
    return found.value_or(Cells{});
  }
  int64_t Rows(const char* table) { return db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", table)).value_or(-1); }

  std::unique_ptr<grassroots::testing::TestDatabase> db_;
  std::unique_ptr<OrgProjection> projection_;
};

TEST_F(ResidentialUnitsTest, ACellIsResidentialOnTheDaysItCoversAUnitThatExists) {
  // Unit 1 (2015-) covered by A over [2016, 2020), then by B.
  ASSERT_TRUE(Apply(1, Unit(1, D(2015, 1, 1))));
  ASSERT_TRUE(Apply(2, Covering(10, 1, kCellA, D(2016, 1, 1))));
  ASSERT_TRUE(Apply(3, Covering(10, 1, kCellA, D(2016, 1, 1), D(2020, 1, 1))));  // the "ended" copy
  ASSERT_TRUE(Apply(4, Covering(11, 1, kCellB, D(2020, 1, 1))));
  // Unit 2 lived over [2021, 2023), covered by C from its founding on, never ended.
  ASSERT_TRUE(Apply(5, Unit(2, D(2021, 1, 1), D(2023, 1, 1))));
  ASSERT_TRUE(Apply(6, Covering(12, 2, kCellC, D(2021, 1, 1))));

  EXPECT_FALSE(Residential(kCellA, D(2015, 12, 31))) << "before the covering";
  EXPECT_TRUE(Residential(kCellA, D(2016, 1, 1)));
  EXPECT_TRUE(Residential(kCellA, D(2019, 12, 31)));
  EXPECT_FALSE(Residential(kCellA, D(2020, 1, 1))) << "valid_to is the first day without it";
  EXPECT_FALSE(Residential(kCellB, D(2019, 12, 31)));
  EXPECT_TRUE(Residential(kCellB, D(2026, 12, 4)));

  EXPECT_FALSE(Residential(kCellC, D(2020, 12, 31)));
  EXPECT_TRUE(Residential(kCellC, D(2022, 12, 31)));
  EXPECT_FALSE(Residential(kCellC, D(2023, 1, 1))) << "the unit it covers has ended";
  EXPECT_FALSE(Residential(99, D(2022, 1, 1))) << "a cell the projection never heard of";

  EXPECT_EQ(Among({kCellA, kCellB, kCellC, 99}, D(2019, 6, 1)), Cells({kCellA}));
  EXPECT_EQ(Among({kCellA, kCellB, kCellC}, D(2022, 6, 1)), Cells({kCellB, kCellC}));
  EXPECT_EQ(Among({kCellA}, D(2022, 6, 1)), Cells());
  EXPECT_EQ(Among({}, D(2022, 6, 1)), Cells());
}

TEST_F(ResidentialUnitsTest, ACoveringThatArrivesBeforeItsUnitCountsOnceTheUnitDoes) {
  // Org records a new unit's first covering before the unit's own entry.
  ASSERT_TRUE(Apply(1, Covering(10, 1, kCellA, D(2016, 1, 1))));
  EXPECT_FALSE(Residential(kCellA, D(2017, 1, 1)));
  ASSERT_TRUE(Apply(2, Unit(1, D(2015, 1, 1))));
  EXPECT_TRUE(Residential(kCellA, D(2017, 1, 1)));
  // The unit ends later: its updated entry carries the end.
  ASSERT_TRUE(Apply(3, Unit(1, D(2015, 1, 1), D(2018, 1, 1))));
  EXPECT_TRUE(Residential(kCellA, D(2017, 12, 31)));
  EXPECT_FALSE(Residential(kCellA, D(2018, 1, 1)));
}

TEST_F(ResidentialUnitsTest, AReplayedChangeChangesNothing) {
  ASSERT_TRUE(Apply(1, Unit(1, D(2015, 1, 1))));
  ASSERT_TRUE(Apply(2, Covering(10, 1, kCellA, D(2016, 1, 1), D(2020, 1, 1))));
  // The same positions again, with other contents: already applied, not run.
  EXPECT_FALSE(Apply(2, Covering(10, 1, kCellB, D(2016, 1, 1))));
  EXPECT_FALSE(Apply(1, Unit(1, D(2015, 1, 1), D(2016, 1, 1))));
  EXPECT_TRUE(Residential(kCellA, D(2017, 1, 1)));
  EXPECT_FALSE(Residential(kCellB, D(2017, 1, 1)));
  EXPECT_EQ(db_->QueryInt("SELECT last_sequence FROM feed_cursors WHERE source = 'org'").value_or(-1), 2);
  EXPECT_EQ(Rows("unit_covering_projection"), 1);
}

TEST_F(ResidentialUnitsTest, TheSubtreeFormFollowsTheCurrentTree) {
  ApplyOrganization(1, kCommune, 0);
  ApplyOrganization(2, kCellA, kCommune);
  ApplyOrganization(3, kCellB, kCommune);
  ApplyOrganization(4, 20, 0);  // another commune
  ApplyOrganization(5, kCellC, 20);
  ASSERT_TRUE(Apply(6, Unit(1, D(2015, 1, 1))));
  ASSERT_TRUE(Apply(7, Covering(10, 1, kCellA, D(2016, 1, 1))));
  ASSERT_TRUE(Apply(8, Unit(2, D(2015, 1, 1))));
  ASSERT_TRUE(Apply(9, Covering(11, 2, kCellC, D(2016, 1, 1))));

  EXPECT_EQ(InSubtree(kCommune, D(2017, 1, 1)), Cells({kCellA}));
  EXPECT_EQ(InSubtree(20, D(2017, 1, 1)), Cells({kCellC}));
  EXPECT_EQ(InSubtree(kCellA, D(2017, 1, 1)), Cells({kCellA})) << "the root itself counts";
  EXPECT_EQ(InSubtree(kCommune, D(2015, 6, 1)), Cells());
  // C moves under the first commune: the subtree form sees it there.
  ApplyOrganization(10, kCellC, kCommune);
  EXPECT_EQ(InSubtree(kCommune, D(2017, 1, 1)), Cells({kCellA, kCellC}));
}

TEST_F(ResidentialUnitsTest, AnotherFeedEpochClearsTheUnitsWithTheTree) {
  ASSERT_TRUE(Apply(1, Unit(1, D(2015, 1, 1))));
  ASSERT_TRUE(Apply(2, Covering(10, 1, kCellA, D(2016, 1, 1))));
  auto bound = db_->pool().Transact<EpochBinding>(
      "test.rebind", [&](common::db::Session& s) { return projection_->BindEpoch(s, "org", "epoch-two"); });
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_EQ(*bound, EpochBinding::kReset);
  EXPECT_EQ(Rows("residential_unit_projection"), 0);
  EXPECT_EQ(Rows("unit_covering_projection"), 0);
  EXPECT_FALSE(Residential(kCellA, D(2017, 1, 1)));
}

}  // namespace
}  // namespace grassroots::orgtree
