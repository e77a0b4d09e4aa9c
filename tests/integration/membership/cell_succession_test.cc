// Members follow their cell (issue 7): when the organization service records
// that a cell ended, membership moves its members, through the org-tree
// follower's hook, on the effective date: to the successor the decision names
// (merge, split, dissolution with a successor), to "to be placed" (a
// dissolution naming none, listed as an alert until an official transfer), or
// out of the tree (a handover). Replaying org's feed moves nobody twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/feed/sequencer.h"
#include "services/membership/handlers/cell_succession.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

namespace feedv1 = ::grassroots::feed::v1;
using Stub = v1::LifecycleService::Stub;
using OrgStub = orgv1::OrganizationService::Stub;

class GrpcCellSuccessionTest : public MembershipFixture {
 protected:
  static grassroots::type::v1::Decision OrgDecision(const std::string& number, const std::string& signed_on) {
    grassroots::type::v1::Decision decision;
    decision.set_issuing_body("Ban Thường vụ Tỉnh ủy");
    decision.set_number(number);
    decision.set_signed_on(signed_on);
    return decision;
  }
  static std::string Etag(int64_t id) {
    orgv1::GetOrganizationRequest get;
    get.set_name(OrgName(id));
    orgv1::Organization current;
    grpc::Status status = Call(orgs(), &OrgStub::GetOrganization, AdminToken(), get, &current);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return current.etag();
  }
  static void Merge(int64_t source, int64_t target, const std::string& date) {
    orgv1::MergeOrganizationsRequest request;
    request.add_sources(OrgName(source));
    request.set_target(OrgName(target));
    request.set_effective_date(date);
    *request.mutable_decision() = OrgDecision(absl::StrCat(source, "-QĐ/TU"), date);
    orgv1::MergeOrganizationsResponse response;
    grpc::Status status = Call(orgs(), &OrgStub::MergeOrganizations, AdminToken(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    WaitForProjection(source, orgv1::ORGANIZATION_STATE_MERGED);
  }
  static void DissolveInto(int64_t id, int64_t successor, const std::string& date) {
    orgv1::DissolveOrganizationRequest request;
    request.set_name(OrgName(id));
    request.set_effective_date(date);
    *request.mutable_decision() = OrgDecision(absl::StrCat(id, "-QĐ/TU"), date);
    request.set_etag(Etag(id));
    request.set_member_successor(OrgName(successor));
    orgv1::Organization out;
    grpc::Status status = Call(orgs(), &OrgStub::DissolveOrganization, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    WaitForProjection(id, orgv1::ORGANIZATION_STATE_DISSOLVED);
  }
  static v1::StartTransferRequest Transfer(const std::string& member, v1::TransferKind kind, int64_t destination,
                                          const std::string& introduced_on, const std::string& planned_end) {
    v1::StartTransferRequest request;
    request.set_member(member);
    request.mutable_transfer()->set_kind(kind);
    request.mutable_transfer()->set_destination_cell(OrgName(destination));
    request.mutable_transfer()->set_introduced_on(introduced_on);
    request.mutable_transfer()->set_planned_end(planned_end);
    *request.mutable_decision() = SomeDecision(introduced_on);
    return request;
  }
  static v1::MemberCount CountOf(int64_t org, const std::string& as_of = "") {
    v1::CountMembersRequest request;
    request.add_organizations(OrgName(org));
    request.set_as_of_date(as_of);
    v1::CountMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.counts_size() == 1 ? response.counts(0) : v1::MemberCount();
  }
  static std::vector<v1::MemberEvent> Events(const std::string& member) {
    v1::ListMemberEventsRequest request;
    request.set_member(member);
    v1::ListMemberEventsResponse response;
    grpc::Status status = Call(lifecycle(), &Stub::ListMemberEvents, AdminToken(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.events().begin(), response.events().end()};
  }
  // The latest member_periods entry membership published for the member.
  static v1::MemberPeriods LatestPeriods(const std::string& member) {
    // A change reaches the feed once the sequencer has numbered it; a committed
    // succession may not be numbered yet (a round that failed or has not run),
    // so number what is committed before reading.
    EXPECT_TRUE(common::feed::SealCommitted(member_context().pool).ok());
    feedv1::StreamChangesRequest request;
    request.set_follow(false);
    request.add_resource_types("member_periods");
    grpc::ClientContext context;
    Authorize(context, ServiceToken());
    std::unique_ptr<grpc::ClientReader<feedv1::Change>> reader = member_feed().StreamChanges(&context, request);
    v1::MemberPeriods latest;
    feedv1::Change change;
    while (reader->Read(&change)) {
      if (change.resource_name() == member) {
        EXPECT_TRUE(change.resource().UnpackTo(&latest));
      }
    }
    EXPECT_TRUE(reader->Finish().ok());
    return latest;
  }
  static std::vector<v1::MemberAlert> AwaitingAlerts(int64_t org, const std::string& token) {
    v1::ListMemberAlertsRequest request;
    request.set_organization(OrgName(org));
    request.add_kinds(v1::ALERT_KIND_AWAITING_PLACEMENT);
    v1::ListMemberAlertsResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::ListMemberAlerts, token, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.alerts().begin(), response.alerts().end()};
  }
  // What a rebuild of the projection does for membership: every organization
  // change of `org` (as org lists its events) through the hook again, each in
  // its own transaction.
  static void ReplayThroughHook(int64_t org) {
    orgv1::ListOrganizationEventsRequest request;
    request.set_name(OrgName(org));
    orgv1::ListOrganizationEventsResponse response;
    grpc::Status status = Call(orgs(), &OrgStub::ListOrganizationEvents, AdminToken(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_GT(response.events_size(), 0);
    const orgtree::OrganizationChangeHook hook = MakeCellSuccessionHook(member_context());
    for (const orgv1::OrganizationEvent& event : response.events()) {
      orgv1::OrganizationChange change;
      *change.mutable_event() = event;
      change.set_member_successor(event.member_successor());
      absl::Status applied = member_context().pool.Transact<bool>(
          "test.replay", [&](common::db::Session& session) -> absl::StatusOr<bool> {
            absl::Status status = hook(session, change);
            if (!status.ok()) return status;
            return true;
          }).status();
      ASSERT_TRUE(applied.ok()) << applied;
    }
  }
};

TEST_F(GrpcCellSuccessionTest, MergedCellsMembersAreInTheTargetFromTheEffectiveDate) {
  const Branch branch = NewBranch();
  const int64_t home = CreateOrg("CHI_BO_TRUC_THUOC", branch.grassroots, "Chi bộ thôn Giữa");
  const v1::Member official = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member probationary = CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY);
  // A member of another cell hosted by the merged cell on a temporary transfer.
  const v1::Member hosted = CreateExisting(home, NewPerson());
  {
    const v1::StartTransferRequest request = Transfer(hosted.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, branch.cell_a,
                                                      DaysFromToday(-60), MonthsFromToday(4));
    v1::Member out;
    grpc::Status status = Call(lifecycle(), &Stub::StartTransfer, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::CompleteTransferRequest complete;
    complete.set_member(hosted.name());
    complete.set_presented_on(DaysFromToday(-55));
    status = Call(lifecycle(), &Stub::CompleteTransfer, AdminToken(), complete, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  const std::string merged_on = DaysFromToday(-30);
  Merge(branch.cell_a, branch.cell_b, merged_on);

  for (const v1::Member& member : {official, probationary}) {
    EXPECT_EQ(GetMember(member.name(), AddDays(merged_on, -1)).cell(), OrgName(branch.cell_a));
    const v1::Member now = GetMember(member.name());
    EXPECT_EQ(now.cell(), OrgName(branch.cell_b));
    EXPECT_EQ(now.status(), member.status());
    const std::vector<v1::MemberEvent> events = Events(member.name());
    ASSERT_FALSE(events.empty());
    const v1::MemberEvent& moved = events.back();
    EXPECT_EQ(moved.kind(), v1::EVENT_KIND_MOVED_WITH_CELL);
    EXPECT_EQ(moved.effective_date(), merged_on);
    EXPECT_EQ(moved.from_cell(), OrgName(branch.cell_a));
    EXPECT_EQ(moved.successor_cell(), OrgName(branch.cell_b));
    EXPECT_EQ(moved.decision().number(), absl::StrCat(branch.cell_a, "-QĐ/TU"));
    const v1::MemberPeriods periods = LatestPeriods(member.name());
    ASSERT_GE(periods.periods_size(), 2);
    const v1::StatusPeriod& last = periods.periods(periods.periods_size() - 1);
    EXPECT_EQ(last.cell(), OrgName(branch.cell_b));
    EXPECT_EQ(last.valid_from(), merged_on);
    EXPECT_EQ(periods.periods(periods.periods_size() - 2).valid_to(), merged_on);
  }
  // The hosting moved with the cell; the member stays counted at home.
  const v1::Member hosted_now = GetMember(hosted.name());
  EXPECT_EQ(hosted_now.cell(), OrgName(home));
  EXPECT_EQ(hosted_now.host_cell(), OrgName(branch.cell_b));

  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
  EXPECT_EQ(CountOf(branch.cell_a).hosted_temporarily(), 0);
  EXPECT_EQ(CountOf(branch.cell_a, AddDays(merged_on, -1)).total(), 2);
  EXPECT_EQ(CountOf(branch.cell_b).total(), 2);
  EXPECT_EQ(CountOf(branch.cell_b).hosted_temporarily(), 1);
}

TEST_F(GrpcCellSuccessionTest, SplitMovesMembersToTheCellTheDecisionNames) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const std::string split_on = DaysFromToday(-20);
  orgv1::SplitOrganizationRequest request;
  request.set_name(OrgName(branch.cell_a));
  for (const char* suffix : {"Bắc", "Nam"}) {
    orgv1::Organization* part = request.add_new_organizations();
    part->set_code(UniqueCode("SPLIT"));
    part->set_display_name(absl::StrCat("Chi bộ thôn Đông ", suffix, " ", branch.cell_a));
    part->set_type("CHI_BO_TRUC_THUOC");
  }
  request.set_effective_date(split_on);
  *request.mutable_decision() = OrgDecision("77-QĐ/TU", split_on);
  request.set_etag(Etag(branch.cell_a));
  request.set_member_successor_index(1);
  orgv1::SplitOrganizationResponse response;
  grpc::Status status = Call(orgs(), &OrgStub::SplitOrganization, AdminToken(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.created_size(), 2);
  WaitForProjection(branch.cell_a, orgv1::ORGANIZATION_STATE_SPLIT);

  EXPECT_EQ(GetMember(member.name()).cell(), response.created(1).name());
  EXPECT_EQ(GetMember(member.name(), AddDays(split_on, -1)).cell(), OrgName(branch.cell_a));
  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
}

TEST_F(GrpcCellSuccessionTest, DissolutionWithASuccessorMovesTheMembers) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  DissolveInto(branch.cell_a, branch.cell_b, DaysFromToday(-10));
  EXPECT_EQ(GetMember(member.name()).cell(), OrgName(branch.cell_b));
  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
}

TEST_F(GrpcCellSuccessionTest, DissolutionWithNoSuccessorListsMembersToBePlacedUntilTransferred) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const std::string dissolved_on = DaysFromToday(-10);
  DissolveOrg(branch.cell_a, dissolved_on);

  v1::Member now = GetMember(member.name());
  EXPECT_EQ(now.status(), v1::MEMBER_STATUS_OFFICIAL);  // still a party member
  EXPECT_EQ(now.cell(), "");
  EXPECT_EQ(now.awaiting_placement_from(), OrgName(branch.cell_a));
  EXPECT_EQ(Events(member.name()).back().kind(), v1::EVENT_KIND_AWAITING_PLACEMENT);
  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
  EXPECT_EQ(CountOf(branch.grassroots, "").total(), 0);
  EXPECT_EQ(LatestPeriods(member.name()).periods().rbegin()->cell(), "");

  // Listed for an admin whose scope holds the ended cell; not outside it.
  std::vector<v1::MemberAlert> alerts = AwaitingAlerts(branch.grassroots, AdminToken(branch.grassroots));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].member(), member.name());
  EXPECT_EQ(alerts[0].cell(), OrgName(branch.cell_a));
  EXPECT_EQ(alerts[0].due_date(), dissolved_on);
  EXPECT_TRUE(AwaitingAlerts(branch.cell_b, AdminToken(branch.cell_b)).empty());

  // No cell to be hosted from: only an official transfer places them.
  const v1::StartTransferRequest temporary =
      Transfer(member.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, branch.cell_b, DaysFromToday(-5), MonthsFromToday(4));
  v1::Member out;
  grpc::Status status = Call(lifecycle(), &Stub::StartTransfer, AdminToken(branch.grassroots), temporary, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "AWAITING_PLACEMENT");

  const v1::StartTransferRequest official =
      Transfer(member.name(), v1::TRANSFER_KIND_OFFICIAL, branch.cell_b, DaysFromToday(-5), "");
  status = Call(lifecycle(), &Stub::StartTransfer, AdminToken(branch.grassroots), official, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::CompleteTransferRequest complete;
  complete.set_member(member.name());
  complete.set_presented_on(DaysFromToday(-3));
  status = Call(lifecycle(), &Stub::CompleteTransfer, AdminToken(branch.grassroots), complete, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.cell(), OrgName(branch.cell_b));
  EXPECT_EQ(out.awaiting_placement_from(), "");
  EXPECT_TRUE(AwaitingAlerts(branch.grassroots, AdminToken(branch.grassroots)).empty());
  EXPECT_EQ(CountOf(branch.cell_b).total(), 1);
}

TEST_F(GrpcCellSuccessionTest, AHandedOverCellTakesItsMembersOutOfTheTree) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const int64_t receiving = CreateOrg("DANG_BO_CO_SO", 0, "Đảng bộ Quân sự tỉnh");
  const std::string handed_on = DaysFromToday(-15);
  orgv1::HandOverOrganizationRequest request;
  request.set_name(OrgName(branch.cell_a));
  request.set_receiving_committee(OrgName(receiving));
  request.set_effective_date(handed_on);
  *request.mutable_decision() = OrgDecision("88-QĐ/TU", handed_on);
  request.set_etag(Etag(branch.cell_a));
  orgv1::Organization out;
  grpc::Status status = Call(orgs(), &OrgStub::HandOverOrganization, AdminToken(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  WaitForProjection(branch.cell_a, orgv1::ORGANIZATION_STATE_HANDED_OVER);

  const v1::Member now = GetMember(member.name());
  EXPECT_EQ(now.status(), v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(Events(member.name()).back().kind(), v1::EVENT_KIND_LEFT_WITH_CELL);
  EXPECT_EQ(Events(member.name()).back().decision().number(), "88-QĐ/TU");
  EXPECT_EQ(GetMember(member.name(), AddDays(handed_on, -1)).status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
  EXPECT_EQ(CountOf(branch.grassroots).total(), 0);
}

TEST_F(GrpcCellSuccessionTest, ReplayingOrgChangesMovesNobodyTwice) {
  const Branch branch = NewBranch();
  const v1::Member merged_member = CreateExisting(branch.cell_a, NewPerson());
  Merge(branch.cell_a, branch.cell_b, DaysFromToday(-30));
  const int64_t dissolved = CreateOrg("CHI_BO_TRUC_THUOC", branch.grassroots, "Chi bộ thôn Cuối");
  const v1::Member waiting = CreateExisting(dissolved, NewPerson());
  DissolveOrg(dissolved, DaysFromToday(-10));
  // A member who joins the merge target later is not touched by the old merge.
  const v1::Member later = CreateExisting(branch.cell_b, NewPerson());

  const WriteCounts before = CountWrites();
  ReplayThroughHook(branch.cell_a);
  ReplayThroughHook(dissolved);
  ReplayThroughHook(branch.cell_b);
  EXPECT_EQ(CountWrites(), before);
  EXPECT_EQ(Events(merged_member.name()).size(), 2u);
  EXPECT_EQ(Events(waiting.name()).size(), 2u);
  EXPECT_EQ(Events(later.name()).size(), 1u);
  EXPECT_EQ(GetMember(merged_member.name()).cell(), OrgName(branch.cell_b));
}

}  // namespace
}  // namespace grassroots::membership::testing
