// Effective-dated restructuring: rename, move, merge, split, dissolve and
// hand-over; as-of reads before and after; refusals; concurrent moves.
#include <atomic>
#include <chrono>
#include <thread>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

class RestructureTest : public OrgFixture {
 protected:
  grpc::Status Move(const std::string& name, const std::string& parent, const std::string& date,
                    v1::Organization* out = nullptr, const std::string& etag = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::MoveOrganizationRequest request;
    request.set_name(name);
    request.set_new_parent(parent);
    request.set_effective_date(date);
    request.set_etag(etag);
    v1::Organization ignored;
    return orgs().MoveOrganization(&ctx, request, out != nullptr ? out : &ignored);
  }
  grpc::Status Dissolve(const std::string& name, const std::string& date, const std::string& etag = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::DissolveOrganizationRequest request;
    request.set_name(name);
    request.set_effective_date(date);
    request.set_etag(etag);
    request.mutable_decision()->set_number("9-QĐ/ĐU");
    v1::Organization out;
    return orgs().DissolveOrganization(&ctx, request, &out);
  }
};

TEST_F(RestructureTest, RenameIsDated) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Cũ");
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::RenameOrganizationRequest request;
  request.set_name(xa.name());
  request.set_new_display_name("Đảng bộ xã Mới");
  request.set_effective_date("2023-05-01");
  request.set_etag(xa.etag());
  v1::Organization renamed;
  ASSERT_TRUE(orgs().RenameOrganization(&ctx, request, &renamed).ok());
  EXPECT_EQ(renamed.display_name(), "Đảng bộ xã Mới");
  EXPECT_EQ(GetOrg(xa.name(), "2023-04-30").display_name(), "Đảng bộ xã Cũ");
  EXPECT_EQ(GetOrg(xa.name(), "2023-05-01").display_name(), "Đảng bộ xã Mới");

  // Stale etag -> ABORTED; a date before the last change -> FAILED_PRECONDITION.
  grpc::ClientContext again;
  Authorize(again, AdminToken());
  request.set_new_display_name("Tên khác");
  EXPECT_EQ(orgs().RenameOrganization(&again, request, &renamed).error_code(), grpc::StatusCode::ABORTED);
  grpc::ClientContext early;
  Authorize(early, AdminToken());
  request.set_etag("");
  request.set_effective_date("2023-04-01");
  grpc::Status status = orgs().RenameOrganization(&early, request, &renamed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
}

TEST_F(RestructureTest, MoveAsOfBeforeAndAfter) {
  v1::Organization x1 = CreateOrg("DANG_BO_XA", RootName(), "Xã 1");
  v1::Organization x2 = CreateOrg("DANG_BO_XA", RootName(), "Xã 2");
  v1::Organization dbcs = CreateOrg("DANG_BO_CO_SO", x1.name(), "Đảng bộ cơ sở");
  v1::Organization cell = CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ");
  v1::Organization moved;
  ASSERT_TRUE(Move(dbcs.name(), x2.name(), "2024-01-01", &moved, dbcs.etag()).ok());
  EXPECT_EQ(moved.parent(), x2.name());
  EXPECT_EQ(GetOrg(dbcs.name(), "2023-12-31").parent(), x1.name());
  EXPECT_EQ(GetOrg(dbcs.name(), "2024-01-01").parent(), x2.name());
  EXPECT_EQ(ChildNames(x1.name(), "2023-12-31"), std::vector<std::string>{dbcs.name()});
  EXPECT_TRUE(ChildNames(x1.name(), "2024-06-01").empty());
  // The subtree moved with it.
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListAncestorsRequest request;
  request.set_name(cell.name());
  v1::ListAncestorsResponse chain;
  ASSERT_TRUE(orgs().ListAncestors(&ctx, request, &chain).ok());
  ASSERT_EQ(chain.ancestors_size(), 3);
  EXPECT_EQ(chain.ancestors(1).name(), x2.name());

  // Etag mismatch after the move.
  EXPECT_EQ(Move(dbcs.name(), x1.name(), "2024-02-01", nullptr, dbcs.etag()).error_code(), grpc::StatusCode::ABORTED);
  // Events: created then moved.
  grpc::ClientContext ev_ctx;
  Authorize(ev_ctx, AdminToken());
  v1::ListOrganizationEventsRequest events_request;
  events_request.set_name(dbcs.name());
  v1::ListOrganizationEventsResponse events;
  ASSERT_TRUE(orgs().ListOrganizationEvents(&ev_ctx, events_request, &events).ok());
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(0).kind(), v1::ORGANIZATION_EVENT_KIND_CREATED);
  EXPECT_EQ(events.events(1).kind(), v1::ORGANIZATION_EVENT_KIND_MOVED);
  EXPECT_EQ(events.events(1).previous_parent(), x1.name());
  EXPECT_EQ(events.events(1).new_parent(), x2.name());
}

TEST_F(RestructureTest, MoveUnderOwnDescendantIsRefused) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã vòng");
  v1::Organization dbcs = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ cơ sở");
  v1::Organization partial = CreateOrg("DANG_BO_BO_PHAN", dbcs.name(), "Đảng bộ bộ phận");
  grpc::Status status = Move(dbcs.name(), partial.name(), "2024-01-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MOVE_CREATES_CYCLE");
  status = Move(dbcs.name(), dbcs.name(), "2024-01-01");
  EXPECT_EQ(Reason(status), "MOVE_CREATES_CYCLE");
  status = Move(partial.name(), RootName(), "2024-01-01");
  EXPECT_EQ(Reason(status), "TYPE_NOT_ALLOWED_UNDER_PARENT");
  status = Move("organizations/99999999", xa.name(), "2024-01-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RestructureTest, DissolveAndActingOnDissolved) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã giải thể");
  v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ");
  grpc::Status status = Dissolve(xa.name(), "2024-01-01");
  EXPECT_EQ(Reason(status), "HAS_ACTIVE_CHILDREN");
  ASSERT_TRUE(Dissolve(cell.name(), "2024-01-01", cell.etag()).ok());
  v1::Organization after = GetOrg(cell.name(), "2024-01-01");
  EXPECT_EQ(after.state(), v1::ORGANIZATION_STATE_DISSOLVED);
  EXPECT_EQ(after.ended_on(), "2024-01-01");
  EXPECT_EQ(GetOrg(cell.name(), "2023-12-31").state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(Reason(Dissolve(cell.name(), "2024-02-01")), "ORGANIZATION_ENDED");
  EXPECT_EQ(Reason(Move(cell.name(), xa.name(), "2024-02-01")), "ORGANIZATION_ENDED");
  // Nothing may be created under a dissolved organization either.
  v1::Organization xa2 = CreateOrg("DANG_BO_XA", RootName(), "Xã giải thể 2");
  ASSERT_TRUE(Dissolve(xa2.name(), "2024-01-01").ok());
  v1::CreateOrganizationRequest create;
  create.mutable_organization()->set_code(UniqueCode("UNDER-DEAD"));
  create.mutable_organization()->set_display_name("Chi bộ");
  create.mutable_organization()->set_type("CHI_BO_CO_SO");
  create.mutable_organization()->set_parent(xa2.name());
  create.mutable_organization()->set_established_on("2024-06-01");
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::Organization out;
  EXPECT_EQ(Reason(orgs().CreateOrganization(&ctx, create, &out)), "PARENT_NOT_ACTIVE");
  // Ended organizations appear in lists only when asked for.
  grpc::ClientContext list_ctx;
  Authorize(list_ctx, AdminToken());
  v1::ListOrganizationsRequest list;
  list.set_parent(xa.name());
  list.set_include_ended(true);
  v1::ListOrganizationsResponse listed;
  ASSERT_TRUE(orgs().ListOrganizations(&list_ctx, list, &listed).ok());
  EXPECT_EQ(listed.organizations_size(), 1);
  EXPECT_TRUE(ChildNames(xa.name(), "").empty());
  grpc::ClientContext state_ctx;
  Authorize(state_ctx, AdminToken());
  list.set_include_ended(false);
  list.set_state(v1::ORGANIZATION_STATE_DISSOLVED);
  ASSERT_TRUE(orgs().ListOrganizations(&state_ctx, list, &listed).ok());
  EXPECT_EQ(listed.organizations_size(), 1);
}

TEST_F(RestructureTest, MergeMovesChildrenAndEndsSources) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã sáp nhập");
  v1::Organization a = CreateOrg("DANG_BO_CO_SO", xa.name(), "A");
  v1::Organization b = CreateOrg("DANG_BO_CO_SO", xa.name(), "B");
  v1::Organization b1 = CreateOrg("CHI_BO_TRUC_THUOC", b.name(), "B1");
  v1::Organization b2 = CreateOrg("CHI_BO_TRUC_THUOC", b.name(), "B2");
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::MergeOrganizationsRequest request;
  request.add_sources(b.name());
  request.set_target(a.name());
  request.set_effective_date("2025-07-01");
  v1::MergeOrganizationsResponse response;
  ASSERT_TRUE(orgs().MergeOrganizations(&ctx, request, &response).ok());
  ASSERT_EQ(response.merged_size(), 1);
  EXPECT_EQ(response.merged(0).state(), v1::ORGANIZATION_STATE_MERGED);
  EXPECT_EQ(response.merged(0).successor(), a.name());
  EXPECT_EQ(ChildNames(a.name(), "2025-07-01"), (std::vector<std::string>{b1.name(), b2.name()}));
  EXPECT_EQ(ChildNames(b.name(), "2025-06-30"), (std::vector<std::string>{b1.name(), b2.name()}));
  // Merging into itself, or into an ended organization.
  grpc::ClientContext self_ctx;
  Authorize(self_ctx, AdminToken());
  request.clear_sources();
  request.add_sources(a.name());
  EXPECT_EQ(orgs().MergeOrganizations(&self_ctx, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ended_ctx;
  Authorize(ended_ctx, AdminToken());
  v1::Organization c = CreateOrg("DANG_BO_CO_SO", xa.name(), "C");
  request.clear_sources();
  request.add_sources(c.name());
  request.set_target(b.name());
  EXPECT_EQ(Reason(orgs().MergeOrganizations(&ended_ctx, request, &response)), "ORGANIZATION_ENDED");
}

TEST_F(RestructureTest, SplitCreatesAndReassigns) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã chia");
  v1::Organization big = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ lớn");
  v1::Organization c1 = CreateOrg("CHI_BO_TRUC_THUOC", big.name(), "C1");
  v1::Organization c2 = CreateOrg("CHI_BO_TRUC_THUOC", big.name(), "C2");
  v1::SplitOrganizationRequest request;
  request.set_name(big.name());
  request.set_effective_date("2025-01-01");
  request.set_request_id("split-" + UniqueCode("S"));
  for (const char* name : {"Đảng bộ Bắc", "Đảng bộ Nam"}) {
    v1::Organization* fresh = request.add_new_organizations();
    fresh->set_code(UniqueCode("SPLIT"));
    fresh->set_display_name(name);
    fresh->set_type("DANG_BO_CO_SO");
  }
  (*request.mutable_child_assignments())[c1.name()] = 0;
  // c2 unassigned first: refused, nothing written.
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::SplitOrganizationResponse response;
    grpc::Status status = orgs().SplitOrganization(&ctx, request, &response);
    EXPECT_EQ(Reason(status), "UNASSIGNED_CHILDREN");
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations WHERE code = '" +
                       request.new_organizations(0).code() + "'"),
              0);
  }
  (*request.mutable_child_assignments())[c2.name()] = 1;
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::SplitOrganizationResponse response;
  ASSERT_TRUE(orgs().SplitOrganization(&ctx, request, &response).ok());
  EXPECT_EQ(response.split().state(), v1::ORGANIZATION_STATE_SPLIT);
  ASSERT_EQ(response.created_size(), 2);
  EXPECT_EQ(response.created(0).parent(), xa.name());
  EXPECT_EQ(GetOrg(c1.name(), "2025-01-01").parent(), response.created(0).name());
  EXPECT_EQ(GetOrg(c2.name(), "2025-01-01").parent(), response.created(1).name());
  EXPECT_EQ(GetOrg(c2.name(), "2024-12-31").parent(), big.name());
  // Retried with the same request id: same answer, nothing new.
  grpc::ClientContext retry;
  Authorize(retry, AdminToken());
  v1::SplitOrganizationResponse again;
  ASSERT_TRUE(orgs().SplitOrganization(&retry, request, &again).ok());
  EXPECT_EQ(again.created(0).name(), response.created(0).name());
}

// New organizations of a split default to the split one's parent: creating them
// there needs that parent in the caller's scope, as CreateOrganization does.
TEST_F(RestructureTest, SplitIntoTheParentNeedsTheParentInScope) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã phạm vi");
  v1::Organization big = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ tự chia");
  v1::SplitOrganizationRequest request;
  request.set_name(big.name());
  request.set_effective_date("2025-01-01");
  for (int i = 0; i < 2; ++i) {
    v1::Organization* fresh = request.add_new_organizations();
    fresh->set_code(UniqueCode("SPLITSCOPE"));
    fresh->set_display_name("Đảng bộ mới");
    fresh->set_type("DANG_BO_CO_SO");
  }
  grpc::ClientContext own;
  Authorize(own, AdminToken(IdOf(big.name())));
  v1::SplitOrganizationResponse response;
  EXPECT_EQ(orgs().SplitOrganization(&own, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations WHERE code = '" + request.new_organizations(0).code() + "'"),
            0);
  grpc::ClientContext above;
  Authorize(above, AdminToken(IdOf(xa.name())));
  grpc::Status status = orgs().SplitOrganization(&above, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.created(1).parent(), xa.name());
}

// A split reads the split organization first (which fixes its transaction's
// snapshot), then creates the new ones. A parent named for them that another
// transaction ends while the split waits for its lock must be seen as ended, not
// as the snapshot had it.
TEST_F(RestructureTest, SplitSeesAParentThatEndedWhileItWaited) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã còn");
  v1::Organization doomed = CreateOrg("DANG_BO_XA", RootName(), "Xã sắp giải thể");
  v1::Organization big = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ chia đôi");
  const int64_t doomed_id = IdOf(doomed.name());
  std::atomic<bool> locked{false};
  // Ends `doomed` the way a dissolve does (the organization row locked first),
  // holding the transaction open long enough for the split to queue behind it.
  std::thread dissolver([&] {
    absl::StatusOr<bool> done = pool().Transact<bool>("test.dissolve", [&](common::db::Session& session)
                                                                           -> absl::StatusOr<bool> {
      sql::PreparedStatement& lock = session.Prepare("SELECT id FROM organizations WHERE id = ? FOR UPDATE");
      lock.setInt64(1, doomed_id);
      session.Query(lock);
      sql::PreparedStatement& end = session.Prepare(
          "UPDATE organizations SET ended_on = '2024-06-01', version = version + 1 WHERE id = ?");
      end.setInt64(1, doomed_id);
      end.executeUpdate();
      sql::PreparedStatement& state = session.Prepare(
          "UPDATE organization_versions SET state = 'DISSOLVED' WHERE organization_id = ? AND valid_to IS NULL");
      state.setInt64(1, doomed_id);
      state.executeUpdate();
      locked = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return true;
    });
    EXPECT_TRUE(done.ok()) << done.status();
  });
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  v1::SplitOrganizationRequest request;
  request.set_name(big.name());
  request.set_effective_date("2025-01-01");
  for (int i = 0; i < 2; ++i) {
    v1::Organization* fresh = request.add_new_organizations();
    fresh->set_code(UniqueCode("SPLITRACE"));
    fresh->set_display_name("Đảng bộ mới");
    fresh->set_type("DANG_BO_CO_SO");
  }
  request.mutable_new_organizations(0)->set_parent(doomed.name());
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::SplitOrganizationResponse response;
  grpc::Status status = orgs().SplitOrganization(&ctx, request, &response);
  dissolver.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "PARENT_NOT_ACTIVE");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organization_versions WHERE parent_id = " + std::to_string(doomed_id)), 0);
  EXPECT_EQ(GetOrg(big.name()).state(), v1::ORGANIZATION_STATE_ACTIVE);
}

TEST_F(RestructureTest, HandOverTakesTheSubtree) {
  v1::Organization military = CreateOrg("DANG_BO_QUAN_SU", RootName(), "Đảng bộ Quân sự tỉnh");
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã có quân sự");
  v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ Quân sự xã", "MILITARY");
  v1::Organization group = CreateOrg("TO_DANG", cell.name(), "Tổ đảng");
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::HandOverOrganizationRequest request;
  request.set_name(cell.name());
  request.set_receiving_committee(military.name());
  request.set_effective_date("2025-07-01");
  v1::Organization handed;
  ASSERT_TRUE(orgs().HandOverOrganization(&ctx, request, &handed).ok());
  EXPECT_EQ(handed.state(), v1::ORGANIZATION_STATE_HANDED_OVER);
  EXPECT_EQ(handed.parent(), military.name());
  EXPECT_EQ(GetOrg(group.name(), "2025-07-01").state(), v1::ORGANIZATION_STATE_HANDED_OVER);
  EXPECT_EQ(GetOrg(cell.name(), "2025-06-30").parent(), xa.name());
  EXPECT_TRUE(ChildNames(xa.name(), "2025-07-01").empty());
}

// A under B and B under A at the same time: exactly one wins and the tree
// stays acyclic. The seeded type table only allows edges to a lower level, so
// the test allows a self-nesting pair first (types are data: a province may do
// the same).
TEST_F(RestructureTest, ConcurrentOppositeMovesKeepTheTreeAcyclic) {
  ExecuteSql("INSERT IGNORE INTO org_type_parents (type_code, parent_type_code) "
             "VALUES ('DANG_UY_CAP_TREN_CO_SO', 'DANG_UY_CAP_TREN_CO_SO')");
  ReloadTypeRules();
  for (int round = 0; round < 8; ++round) {
    v1::Organization a = CreateOrg("DANG_UY_CAP_TREN_CO_SO", RootName(), "A");
    v1::Organization b = CreateOrg("DANG_UY_CAP_TREN_CO_SO", RootName(), "B");
    grpc::Status first, second;
    std::thread t1([&] { first = Move(a.name(), b.name(), "2024-01-01"); });
    std::thread t2([&] { second = Move(b.name(), a.name(), "2024-01-01"); });
    t1.join();
    t2.join();
    EXPECT_NE(first.ok(), second.ok()) << "round " << round << ": " << first.error_message() << " / "
                                       << second.error_message();
    const grpc::Status& loser = first.ok() ? second : first;
    EXPECT_EQ(loser.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << loser.error_message();
    EXPECT_EQ(Reason(loser), "MOVE_CREATES_CYCLE");
    // Both still reach the root.
    for (const std::string& name : {a.name(), b.name()}) {
      grpc::ClientContext ctx;
      Authorize(ctx, AdminToken());
      v1::ListAncestorsRequest request;
      request.set_name(name);
      v1::ListAncestorsResponse chain;
      ASSERT_TRUE(orgs().ListAncestors(&ctx, request, &chain).ok());
      ASSERT_GE(chain.ancestors_size(), 1);
      EXPECT_EQ(chain.ancestors(0).name(), RootName());
    }
  }
}

}  // namespace
}  // namespace grassroots::org::testing
