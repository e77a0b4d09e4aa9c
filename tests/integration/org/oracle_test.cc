// Issue 10, cross-scope access on the organization tree: an organization
// outside the caller's scope answers exactly as one that does not exist (no
// existence oracle), and moves out of a scope need the receiving side.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/org/store/organization_store.h"
#include "services/org/store/scope_cache.h"
#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

class OrgOracleTest : public OrgFixture {
 protected:
  // A status with the probed id written as "{id}", so the answers about two ids compare.
  static std::string Shape(const grpc::Status& status, const std::string& name) {
    return absl::StrCat(status.error_code(), "|", Reason(status), "|",
                        absl::StrReplaceAll(status.error_message(), {{name, "{name}"}}));
  }
  static std::string Missing() { return "organizations/987654321"; }

  static grpc::Status Get(const std::string& name, const std::string& token, const std::string& as_of = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::GetOrganizationRequest request;
    request.set_name(name);
    request.set_as_of_date(as_of);
    v1::Organization out;
    return orgs().GetOrganization(&ctx, request, &out);
  }
  static grpc::Status Events(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::ListOrganizationEventsRequest request;
    request.set_name(name);
    v1::ListOrganizationEventsResponse out;
    return orgs().ListOrganizationEvents(&ctx, request, &out);
  }
  static grpc::Status Ancestors(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::ListAncestorsRequest request;
    request.set_name(name);
    v1::ListAncestorsResponse out;
    return orgs().ListAncestors(&ctx, request, &out);
  }
  static grpc::Status Subtree(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::GetSubtreeRequest request;
    request.set_name(name);
    v1::GetSubtreeResponse out;
    return orgs().GetSubtree(&ctx, request, &out);
  }
  static grpc::Status Rename(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::RenameOrganizationRequest request;
    request.set_name(name);
    request.set_new_display_name("Tên mới");
    v1::Organization out;
    return orgs().RenameOrganization(&ctx, request, &out);
  }
  static grpc::Status HandOver(const std::string& name, const std::string& receiving, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::HandOverOrganizationRequest request;
    request.set_name(name);
    request.set_receiving_committee(receiving);
    request.set_effective_date("2025-07-01");
    v1::Organization out;
    return orgs().HandOverOrganization(&ctx, request, &out);
  }
  static grpc::Status Dissolve(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::DissolveOrganizationRequest request;
    request.set_name(name);
    request.set_effective_date("2025-07-01");
    v1::Organization out;
    return orgs().DissolveOrganization(&ctx, request, &out);
  }
};

TEST_F(OrgOracleTest, OutOfScopeAnswersExactlyAsMissing) {
  const v1::Organization mine = CreateOrg("DANG_BO_XA", RootName(), "Xã của tôi");
  const v1::Organization theirs = CreateOrg("DANG_BO_XA", RootName(), "Xã khác");
  const std::string admin = AdminToken(IdOf(mine.name()));
  using Probe = grpc::Status (*)(const std::string&, const std::string&);
  const std::pair<const char*, Probe> probes[] = {
      {"GetOrganization", [](const std::string& n, const std::string& t) { return Get(n, t); }},
      {"GetOrganization as of", [](const std::string& n, const std::string& t) { return Get(n, t, "2015-01-01"); }},
      {"ListOrganizationEvents", &Events},
      {"ListAncestors", &Ancestors},
      {"GetSubtree", &Subtree},
      {"RenameOrganization", &Rename},
  };
  for (const auto& [method, probe] : probes) {
    const grpc::Status outside = probe(theirs.name(), admin);
    const grpc::Status missing = probe(Missing(), admin);
    EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND) << method << ": " << outside.error_message();
    EXPECT_EQ(Shape(outside, theirs.name()), Shape(missing, Missing())) << method;
  }
  EXPECT_TRUE(Get(mine.name(), admin).ok());
  EXPECT_EQ(theirs.state(), v1::ORGANIZATION_STATE_ACTIVE) << "nothing renamed";
  EXPECT_EQ(GetOrg(theirs.name()).display_name(), "Xã khác");
}

TEST_F(OrgOracleTest, HandOverNeedsTheReceivingCommitteeInScope) {
  const v1::Organization military = CreateOrg("DANG_BO_QUAN_SU", RootName(), "Đảng bộ Quân sự tỉnh");
  const v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã giao");
  const v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ Quân sự xã", "MILITARY");
  // The commune's admin cannot put its cell under a committee outside its scope.
  const grpc::Status alone = HandOver(cell.name(), military.name(), AdminToken(IdOf(xa.name())));
  EXPECT_EQ(alone.error_code(), grpc::StatusCode::NOT_FOUND) << alone.error_message();
  EXPECT_EQ(GetOrg(cell.name(), "2025-07-01").parent(), xa.name()) << "nothing moved";
  // Nor hand over (or dissolve) its own scope root.
  const grpc::Status own_root = HandOver(xa.name(), military.name(), AdminToken(IdOf(xa.name())));
  EXPECT_NE(own_root.error_code(), grpc::StatusCode::OK);
  const grpc::Status dissolve_root = Dissolve(xa.name(), AdminToken(IdOf(xa.name())));
  EXPECT_EQ(dissolve_root.error_code(), grpc::StatusCode::PERMISSION_DENIED) << dissolve_root.error_message();
  EXPECT_EQ(Reason(dissolve_root), "SCOPE_ROOT");
  EXPECT_EQ(GetOrg(xa.name()).state(), v1::ORGANIZATION_STATE_ACTIVE);
  // The level above both decides.
  const grpc::Status above = HandOver(cell.name(), military.name(), AdminToken());
  ASSERT_TRUE(above.ok()) << above.error_message();
  EXPECT_EQ(GetOrg(cell.name(), "2025-07-01").parent(), military.name());
}

// A write whose scope was checked before its transaction, while another
// transaction was moving the organization out of that scope, must not land:
// the write re-checks scope under the lock and answers as for a missing id.
class OrgScopeRaceTest : public OrgOracleTest {
 protected:
  // Holds a move of `id` under `new_parent` open (uncommitted) while `write`
  // runs, releases it once `write` waits for its lock, and returns the write's
  // answer.
  static grpc::Status WriteDuringMove(int64_t id, int64_t new_parent, const std::function<grpc::Status()>& write) {
    store::OrganizationStore organizations(pool());
    std::atomic<bool> moved_once{false};
    absl::Notification moved;
    absl::Notification release;
    std::thread mover([&] {
      const absl::StatusOr<int> result = pool().Transact<int>("test.move", [&](common::db::Session& session)
                                                                               -> absl::StatusOr<int> {
        domain::Decision decision{.issuing_body = "Tỉnh ủy", .number = "7-QĐ/TU", .signed_on = common::api::Today()};
        GR_RETURN_IF_ERROR(organizations
                               .Move(session, id, new_parent, common::api::Today(), decision, "",
                                     store::OrganizationStore::Actor{.subject = "test", .request_id = "race"})
                               .status());
        if (!moved_once.exchange(true)) moved.Notify();
        release.WaitForNotification();
        return 0;
      });
      EXPECT_TRUE(result.ok()) << result.status();
    });
    moved.WaitForNotification();
    // The write's check before its transaction reads the committed tree (still in
    // scope); its transaction then meets the move's row locks.
    grpc::Status answer;
    std::thread writer([&] { answer = write(); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(8);
    bool waiting = false;
    // A locking read or write of the tree on another connection to this test's
    // database than ours: the
    // write is past its check before the transaction. (The mover's connection
    // sleeps while it holds its locks.)
    static constexpr char kWriterInTransaction[] =
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND DB = DATABASE() "
        "AND COMMAND IN ('Query', 'Execute') AND INFO LIKE '%organization_versions%' "
        "AND (INFO LIKE '%LOCK IN SHARE MODE%' OR INFO LIKE '%FOR UPDATE%')";
    while (!(waiting = QueryInt(kWriterInTransaction) > 0) &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(waiting) << "the write never waited for the move's locks";
    release.Notify();
    mover.join();
    writer.join();
    return answer;
  }
};

TEST_F(OrgScopeRaceTest, ARestructureCheckedBeforeAMoveOutOfScopeIsRefused) {
  const v1::Organization mine = CreateOrg("DANG_BO_XA", RootName(), "Xã trước");
  const v1::Organization other = CreateOrg("DANG_BO_XA", RootName(), "Xã sau");
  const v1::Organization cell = CreateOrg("CHI_BO_CO_SO", mine.name(), "Chi bộ đang chuyển");
  const std::string admin = AdminToken(IdOf(mine.name()));
  const grpc::Status renamed = WriteDuringMove(IdOf(cell.name()), IdOf(other.name()),
                                               [&] { return Rename(cell.name(), admin); });
  EXPECT_EQ(renamed.error_code(), grpc::StatusCode::NOT_FOUND) << renamed.error_message();
  EXPECT_EQ(GetOrg(cell.name()).parent(), other.name());
  EXPECT_EQ(GetOrg(cell.name()).display_name(), "Chi bộ đang chuyển") << "the rename must not land";
}

TEST_F(OrgScopeRaceTest, AnAttributeUpdateCheckedBeforeAMoveOutOfScopeIsRefused) {
  const v1::Organization mine = CreateOrg("DANG_BO_XA", RootName(), "Xã cũ");
  const v1::Organization other = CreateOrg("DANG_BO_XA", RootName(), "Xã mới");
  const v1::Organization cell = CreateOrg("CHI_BO_CO_SO", mine.name(), "Chi bộ có ghi chú");
  const std::string admin = AdminToken(IdOf(mine.name()));
  const grpc::Status updated = WriteDuringMove(IdOf(cell.name()), IdOf(other.name()), [&] {
    grpc::ClientContext ctx;
    Authorize(ctx, admin);
    v1::UpdateOrganizationRequest request;
    request.mutable_organization()->set_name(cell.name());
    request.mutable_organization()->set_note("ghi chú của xã cũ");
    request.mutable_update_mask()->add_paths("note");
    v1::Organization out;
    return orgs().UpdateOrganization(&ctx, request, &out);
  });
  EXPECT_EQ(updated.error_code(), grpc::StatusCode::NOT_FOUND) << updated.error_message();
  EXPECT_EQ(GetOrg(cell.name()).note(), "") << "the update must not land";
}

TEST_F(OrgScopeRaceTest, AWriteInScopeWaitsForAConcurrentMoveAndThenLands) {
  // The re-check refuses only what left the scope: a move inside the caller's
  // subtree delays the write but does not refuse it.
  const v1::Organization mine = CreateOrg("DANG_BO_XA", RootName(), "Xã rộng");
  const v1::Organization ward = CreateOrg("DANG_BO_BO_PHAN", mine.name(), "Đảng bộ bộ phận");
  const v1::Organization cell = CreateOrg("CHI_BO_TRUC_THUOC", mine.name(), "Chi bộ ở lại");
  const std::string admin = AdminToken(IdOf(mine.name()));
  const grpc::Status renamed = WriteDuringMove(IdOf(cell.name()), IdOf(ward.name()),
                                               [&] { return Rename(cell.name(), admin); });
  ASSERT_TRUE(renamed.ok()) << renamed.error_message();
  EXPECT_EQ(GetOrg(cell.name()).parent(), ward.name());
  EXPECT_EQ(GetOrg(cell.name()).display_name(), "Tên mới");
}

// The tree in memory (store/scope_cache.h) answers as the database does while
// nothing changed, and steps aside the moment a change is recorded, so a
// move is never answered from the tree before it.
class ScopeCacheTest : public OrgFixture {
 protected:
  static grpc::Status Move(const std::string& name, const std::string& parent) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::MoveOrganizationRequest request;
    request.set_name(name);
    request.set_new_parent(parent);
    request.set_effective_date(common::api::FormatDate(common::api::Today()));
    v1::Organization ignored;
    return orgs().MoveOrganization(&ctx, request, &ignored);
  }
  static bool FromDatabase(int64_t ancestor, int64_t descendant) {
    store::OrganizationStore organizations(pool());
    absl::StatusOr<bool> within = pool().Read<bool>("test.scope", [&](common::db::Session& session) {
      return organizations.IsWithinSubtree(session, ancestor, descendant, common::api::Today());
    });
    EXPECT_TRUE(within.ok()) << within.status();
    return within.value_or(false);
  }
  static std::optional<bool> FromCache(store::ScopeTreeCache& cache, int64_t ancestor, int64_t descendant) {
    std::optional<bool> answer;
    EXPECT_TRUE(pool()
                    .Run("test.scope_cache",
                         [&](common::db::Session& session) {
                           answer = cache.IsWithinSubtree(session, ancestor, descendant);
                           return absl::OkStatus();
                         })
                    .ok());
    return answer;
  }
};

TEST_F(ScopeCacheTest, AnswersAsTheDatabaseUntilAChangeIsRecordedThenStepsAside) {
  const v1::Organization a = CreateOrg("DANG_BO_XA", RootName(), "Xã A");
  const v1::Organization b = CreateOrg("DANG_BO_XA", RootName(), "Xã B");
  std::vector<v1::Organization> cells;
  for (int i = 0; i < 4; ++i) cells.push_back(CreateOrg("CHI_BO_CO_SO", (i % 2 ? b : a).name(), "Chi bộ thôn"));
  std::vector<int64_t> ids = {RootId(), IdOf(a.name()), IdOf(b.name())};
  for (const auto& cell : cells) ids.push_back(IdOf(cell.name()));

  std::mt19937 random(17);
  for (int round = 0; round < 6; ++round) {
    store::ScopeTreeCache cache;
    cache.Reload(pool());
    for (int64_t ancestor : ids) {
      for (int64_t descendant : ids) {
        const std::optional<bool> cached = FromCache(cache, ancestor, descendant);
        ASSERT_TRUE(cached.has_value()) << "a quiet tree is answered from memory";
        ASSERT_EQ(*cached, FromDatabase(ancestor, descendant)) << ancestor << " over " << descendant;
      }
    }
    // A move: from its commit on, the cache no longer answers (its key moved
    // with the change recorded in the move's own transaction).
    const v1::Organization& cell = cells[random() % cells.size()];
    const bool under_a = FromDatabase(IdOf(a.name()), IdOf(cell.name()));
    ASSERT_TRUE(Move(cell.name(), under_a ? b.name() : a.name()).ok());
    EXPECT_FALSE(FromCache(cache, IdOf(a.name()), IdOf(cell.name())).has_value());
    EXPECT_FALSE(FromCache(cache, IdOf(b.name()), IdOf(cell.name())).has_value());
    // The store's own check, right after the move, agrees with the database.
    store::OrganizationStore organizations(pool());
    EXPECT_EQ(*organizations.IsWithinSubtree(IdOf(a.name()), IdOf(cell.name())), !under_a);
    EXPECT_EQ(*organizations.IsWithinSubtree(IdOf(b.name()), IdOf(cell.name())), under_a);
  }
}

}  // namespace
}  // namespace grassroots::org::testing
