// OrgProjection against real MariaDB: the org_projection rows and the
// org_closure table stay those of the tree the changes describe, whatever the
// order and repetition of the changes.
#include "services/orgtree/org_projection.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/db/db.h"
#include "services/orgtree/orgtree_migrations.h"
#include "tests/support/test_db.h"

namespace grassroots::orgtree {
namespace {

namespace orgpb = grassroots::org::v1;
using Link = std::tuple<int64_t, int64_t, int>;  // ancestor, descendant, depth

orgpb::Organization Org(int64_t id, int64_t parent, bool cell = false) {
  orgpb::Organization org;
  org.set_name(absl::StrCat("organizations/", id));
  if (parent != 0) org.set_parent(absl::StrCat("organizations/", parent));
  org.set_code(absl::StrCat("ORG-", id));
  org.set_display_name(absl::StrCat("Chi bộ số ", id));
  org.set_type(cell ? "CHI_BO_TRUC_THUOC" : "DANG_BO_CO_SO");
  org.set_is_cell(cell);
  org.set_state(orgpb::ORGANIZATION_STATE_ACTIVE);
  org.set_established_on("2020-01-01");
  return org;
}

class OrgProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = grassroots::testing::TestDatabase::Create(
        "projection", {&common::db::CommonMigrations(), &migrations::OrgTreeMigrations()}, 4);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    projection_ = std::make_unique<OrgProjection>(db_->pool());
    ASSERT_EQ(Bind(kEpoch).value_or(EpochBinding::kSame), EpochBinding::kAdopted);
  }

  static constexpr char kEpoch[] = "epoch-one";
  absl::StatusOr<EpochBinding> Bind(const std::string& epoch) {
    return db_->pool().Transact<EpochBinding>(
        "test.bind", [&](common::db::Session& s) { return projection_->BindEpoch(s, "org", epoch); });
  }
  absl::StatusOr<bool> ApplyIn(const std::string& epoch, int64_t sequence, const orgpb::Organization& org) {
    return db_->pool().Transact<bool>(
        "test.apply", [&](common::db::Session& s) { return projection_->Apply(s, "org", epoch, sequence, org); });
  }
  absl::Status Skip(int64_t sequence) {
    return db_->pool().Run("test.skip", [&](common::db::Session& s) { return projection_->Skip(s, "org", kEpoch, sequence); });
  }

  absl::Status Apply(int64_t sequence, const orgpb::Organization& org) { return ApplyIn(kEpoch, sequence, org).status(); }
  int64_t Cursor() {
    auto cursor = db_->pool().Read<FeedPosition>("test.cursor",
                                                 [&](common::db::Session& s) { return projection_->Position(s, "org"); });
    EXPECT_TRUE(cursor.ok()) << cursor.status();
    return cursor.ok() ? cursor->sequence : -1;
  }
  bool Within(int64_t ancestor, int64_t descendant) {
    auto within = projection_->IsWithinSubtree(ancestor, descendant);
    EXPECT_TRUE(within.ok()) << within.status();
    return within.value_or(false);
  }
  std::vector<int64_t> Subtree(int64_t root) {
    auto ids = db_->pool().Read<std::vector<int64_t>>(
        "test.subtree", [&](common::db::Session& s) { return projection_->SubtreeIds(s, root); });
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.value_or(std::vector<int64_t>{});
  }

  std::set<Link> StoredClosure() {
    std::set<Link> links;
    EXPECT_TRUE(db_->pool()
                    .Run("test.closure",
                         [&](common::db::Session& s) {
                           auto rs = s.Query(s.Prepare("SELECT ancestor_id, descendant_id, depth FROM org_closure"));
                           while (rs->next()) links.emplace(rs->getInt64(1), rs->getInt64(2), rs->getInt(3));
                           return absl::OkStatus();
                         })
                    .ok());
    return links;
  }
  // The closure the projected parent links describe, walked in C++.
  std::set<Link> ClosureOfParents() {
    std::map<int64_t, std::optional<int64_t>> parent;
    EXPECT_TRUE(db_->pool()
                    .Run("test.parents",
                         [&](common::db::Session& s) {
                           auto rs = s.Query(s.Prepare("SELECT org_id, parent_id FROM org_projection"));
                           while (rs->next()) parent[rs->getInt64(1)] = common::db::GetOptionalInt64(*rs, "parent_id");
                           return absl::OkStatus();
                         })
                    .ok());
    std::set<Link> links;
    for (const auto& [id, first_parent] : parent) {
      links.emplace(id, id, 0);
      int depth = 0;
      for (std::optional<int64_t> up = first_parent; up && parent.count(*up) > 0; up = parent[*up]) {
        links.emplace(*up, id, ++depth);
      }
    }
    return links;
  }

  // Positions 1..6 build   1 ─ 2 ─ 4 ─ {5, 6}
  //                          └ 3
  void BuildTree() {
    for (const auto& [sequence, org] :
         {std::pair{1, Org(1, 0)}, std::pair{2, Org(2, 1)}, std::pair{3, Org(3, 1)}, std::pair{4, Org(4, 2)},
          std::pair{5, Org(5, 4, true)}, std::pair{6, Org(6, 4, true)}}) {
      absl::Status status = Apply(sequence, org);
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  std::unique_ptr<grassroots::testing::TestDatabase> db_;
  std::unique_ptr<OrgProjection> projection_;
};

TEST_F(OrgProjectionTest, InsertsBuildTheClosureAndTheCursor) {
  EXPECT_EQ(Cursor(), 0);
  BuildTree();
  EXPECT_EQ(StoredClosure(), ClosureOfParents());
  EXPECT_EQ(StoredClosure().size(), 16u);  // 6 self links + 5 + 3 + 2
  EXPECT_EQ(Cursor(), 6);
  EXPECT_TRUE(Within(1, 6));
  EXPECT_TRUE(Within(2, 5));
  EXPECT_FALSE(Within(3, 5));
  EXPECT_FALSE(Within(5, 4));
  EXPECT_EQ(Subtree(2), (std::vector<int64_t>{2, 4, 5, 6}));
  // An organization the projection has not received is its own subtree.
  EXPECT_EQ(Subtree(99), (std::vector<int64_t>{99}));
  EXPECT_TRUE(Within(99, 99));
}

TEST_F(OrgProjectionTest, AMoveCarriesTheSubtreeToItsNewAncestors) {
  BuildTree();
  ASSERT_TRUE(Apply(7, Org(4, 3)).ok());  // 4 (with 5 and 6) from under 2 to under 3
  EXPECT_EQ(StoredClosure(), ClosureOfParents());
  EXPECT_TRUE(Within(3, 5));
  EXPECT_TRUE(Within(1, 6));
  EXPECT_FALSE(Within(2, 5));
  EXPECT_EQ(Subtree(2), (std::vector<int64_t>{2}));

  ASSERT_TRUE(Apply(8, Org(3, 0)).ok());  // 3 becomes a root of its own
  EXPECT_EQ(StoredClosure(), ClosureOfParents());
  EXPECT_FALSE(Within(1, 5));
  EXPECT_EQ(Subtree(3), (std::vector<int64_t>{3, 4, 5, 6}));
}

TEST_F(OrgProjectionTest, ReplayedChangesAreIgnored) {
  BuildTree();
  ASSERT_TRUE(Apply(7, Org(4, 3)).ok());
  // A replay of older positions (a reconnect, another replica) changes nothing.
  BuildTree();
  ASSERT_TRUE(Apply(7, Org(4, 2)).ok());
  EXPECT_TRUE(Within(3, 5));
  EXPECT_EQ(Cursor(), 7);
  EXPECT_EQ(StoredClosure(), ClosureOfParents());
}

TEST_F(OrgProjectionTest, UpdatesKeepTheLatestStateOfTheRow) {
  BuildTree();
  orgpb::Organization dissolved = Org(5, 4, true);
  dissolved.set_display_name("Chi bộ thôn Đông");
  dissolved.set_state(orgpb::ORGANIZATION_STATE_DISSOLVED);
  dissolved.set_ended_on("2025-07-01");
  ASSERT_TRUE(Apply(7, dissolved).ok());
  auto found = db_->pool().Read<std::optional<ProjectedOrganization>>(
      "test.find", [&](common::db::Session& s) { return projection_->Find(s, 5); });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  const ProjectedOrganization& row = **found;
  EXPECT_EQ(row.display_name, "Chi bộ thôn Đông");
  EXPECT_EQ(row.parent_id, 4);
  EXPECT_TRUE(row.is_cell);
  EXPECT_EQ(row.state, orgpb::ORGANIZATION_STATE_DISSOLVED);
  EXPECT_EQ(row.established_on, absl::CivilDay(2020, 1, 1));
  EXPECT_EQ(row.ended_on, absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(StoredClosure(), ClosureOfParents());  // no parent change, no closure change
  auto absent = db_->pool().Read<std::optional<ProjectedOrganization>>(
      "test.find", [&](common::db::Session& s) { return projection_->Find(s, 42); });
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST_F(OrgProjectionTest, AChildProjectedBeforeItsParentIsLinkedWhenTheParentArrives) {
  BuildTree();
  // One restructuring recorded the move of 4 under the new organization 10 before 10's creation.
  ASSERT_TRUE(Apply(7, Org(4, 10)).ok());
  EXPECT_FALSE(Within(1, 5));
  ASSERT_TRUE(Apply(8, Org(10, 3)).ok());
  EXPECT_EQ(StoredClosure(), ClosureOfParents());
  EXPECT_TRUE(Within(10, 5));
  EXPECT_TRUE(Within(3, 6));
  EXPECT_TRUE(Within(1, 4));
  EXPECT_FALSE(Within(2, 4));
}

TEST_F(OrgProjectionTest, ChangesItCannotTakeAreRefusedAndMoveNothing) {
  BuildTree();
  const std::set<Link> before = StoredClosure();

  absl::Status cycle = Apply(7, Org(2, 5));  // 2 under its own descendant
  EXPECT_EQ(cycle.code(), absl::StatusCode::kFailedPrecondition) << cycle;
  orgpb::Organization bad_name = Org(7, 1);
  bad_name.set_name("organisations/7");
  EXPECT_EQ(Apply(7, bad_name).code(), absl::StatusCode::kInvalidArgument);
  orgpb::Organization bad_date = Org(7, 1);
  bad_date.set_established_on("2020-02-30");
  EXPECT_EQ(Apply(7, bad_date).code(), absl::StatusCode::kInvalidArgument);
  orgpb::Organization own_parent = Org(7, 7);
  EXPECT_EQ(Apply(7, own_parent).code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(StoredClosure(), before);
  EXPECT_EQ(Cursor(), 6);
}

TEST_F(OrgProjectionTest, SkipMovesTheCursorForwardOnly) {
  ASSERT_TRUE(Skip(9).ok());
  EXPECT_EQ(Cursor(), 9);
  ASSERT_TRUE(Skip(4).ok());
  EXPECT_EQ(Cursor(), 9);
  ASSERT_TRUE(Apply(8, Org(1, 0)).ok());  // at or below the cursor: already handled
  EXPECT_EQ(StoredClosure(), std::set<Link>{});
  ASSERT_TRUE(Apply(10, Org(1, 0)).ok());
  EXPECT_EQ(Cursor(), 10);
  EXPECT_EQ(StoredClosure(), (std::set<Link>{{1, 1, 0}}));
}

TEST_F(OrgProjectionTest, AReplayIsReportedAsNotAppliedNow) {
  auto first = ApplyIn(kEpoch, 1, Org(1, 0));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  auto again = ApplyIn(kEpoch, 1, Org(1, 0));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again) << "the owning service's hook must not run twice";
}

TEST_F(OrgProjectionTest, AnotherEpochClearsTheProjectionTheClosureAndTheCursor) {
  BuildTree();
  EXPECT_EQ(Bind(kEpoch).value_or(EpochBinding::kReset), EpochBinding::kSame);
  EXPECT_EQ(Cursor(), 6);

  EXPECT_EQ(Bind("epoch-two").value_or(EpochBinding::kSame), EpochBinding::kReset);
  EXPECT_EQ(Cursor(), 0);
  EXPECT_EQ(db_->QueryInt("SELECT COUNT(*) FROM org_projection").value_or(-1), 0);
  EXPECT_EQ(db_->QueryInt("SELECT COUNT(*) FROM org_closure").value_or(-1), 0);
  EXPECT_EQ(db_->QueryInt("SELECT COUNT(*) FROM feed_cursors WHERE epoch = 'epoch-two'").value_or(-1), 1);

  // A change read under the old epoch no longer lands; nor does a skip.
  EXPECT_EQ(ApplyIn(kEpoch, 1, Org(1, 0)).status().code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(Skip(5).ok());
  EXPECT_EQ(Cursor(), 0);
  ASSERT_TRUE(ApplyIn("epoch-two", 1, Org(1, 0)).ok());
  EXPECT_EQ(Cursor(), 1);
}

}  // namespace
}  // namespace grassroots::orgtree
