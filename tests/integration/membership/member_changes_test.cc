// Lifecycle after admission through gRPC: transfers (official and temporary,
// inside and out of the tree; a hosted member is not counted), exemption,
// suspension, the ends of membership, expulsion by the inspection service's
// token, voiding the latest event, and the event list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Stub = v1::LifecycleService::Stub;

class GrpcMemberChangesTest : public MembershipFixture {
 protected:
  static grpc::Status StartTransfer(const std::string& member, v1::TransferKind kind, int64_t destination_cell,
                                    const std::string& introduced_on, const std::string& planned_end, v1::Member* out,
                                    const std::string& destination_name = "") {
    v1::StartTransferRequest request;
    request.set_member(member);
    v1::Transfer* transfer = request.mutable_transfer();
    transfer->set_kind(kind);
    if (destination_cell != 0) transfer->set_destination_cell(OrgName(destination_cell));
    transfer->set_destination_name(destination_name);
    transfer->set_introduced_on(introduced_on);
    transfer->set_planned_end(planned_end);
    transfer->set_reason("Chuyển công tác");
    *request.mutable_decision() = SomeDecision(introduced_on);
    return Call(lifecycle(), &Stub::StartTransfer, AdminToken(), request, out);
  }
  static grpc::Status CompleteTransfer(const std::string& member, const std::string& presented_on, v1::Member* out) {
    v1::CompleteTransferRequest request;
    request.set_member(member);
    request.set_presented_on(presented_on);
    return Call(lifecycle(), &Stub::CompleteTransfer, AdminToken(), request, out);
  }
  static v1::MemberCount CountOf(int64_t org, bool subtree = false, const std::string& as_of = "") {
    v1::CountMembersRequest request;
    request.add_organizations(OrgName(org));
    request.set_include_subtree(subtree);
    request.set_as_of_date(as_of);
    v1::CountMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.counts_size() == 1 ? response.counts(0) : v1::MemberCount();
  }
  static std::vector<v1::MemberEvent> Events(const std::string& member, bool include_voided = false,
                                             const std::string& token = "") {
    v1::ListMemberEventsRequest request;
    request.set_member(member);
    request.set_include_voided(include_voided);
    v1::ListMemberEventsResponse response;
    grpc::Status status =
        Call(lifecycle(), &Stub::ListMemberEvents, token.empty() ? AdminToken() : token, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.events().begin(), response.events().end()};
  }
  static std::vector<std::string> SearchNames(int64_t org, bool include_hosted) {
    v1::SearchMembersRequest request;
    request.set_organization(OrgName(org));
    request.set_include_hosted(include_hosted);
    v1::SearchMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::Member& m : response.members()) names.push_back(m.name());
    return names;
  }
};

TEST_F(GrpcMemberChangesTest, OfficialTransferInsideTheTreeMovesTheMemberWhenPresented) {
  const Branch from = NewBranch();
  const Branch to = NewBranch();
  const v1::Member member = CreateExisting(from.cell_a, NewPerson());
  v1::Member m;
  grpc::Status status = StartTransfer(member.name(), v1::TRANSFER_KIND_OFFICIAL, to.cell_b, DaysFromToday(-20), "", &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  EXPECT_TRUE(m.transfer_pending());
  EXPECT_EQ(m.cell(), OrgName(from.cell_a)) << "still in the sending cell until presented";
  EXPECT_EQ(CountOf(from.cell_a).total(), 1);

  status = CompleteTransfer(member.name(), DaysFromToday(-12), &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_FALSE(m.transfer_pending());
  EXPECT_EQ(m.cell(), OrgName(to.cell_b));
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(CountOf(from.cell_a).total(), 0);
  EXPECT_EQ(CountOf(to.cell_b).total(), 1);
  // History: two weeks ago the member was still counted in the old cell.
  EXPECT_EQ(CountOf(from.cell_a, false, DaysFromToday(-14)).total(), 1);
  EXPECT_EQ(CountOf(to.cell_b, false, DaysFromToday(-14)).total(), 0);
  EXPECT_EQ(GetMember(member.name(), DaysFromToday(-14)).cell(), OrgName(from.cell_a));
  // The receiving admin now has the member in scope; the sending one has not.
  v1::GetMemberRequest get;
  get.set_name(member.name());
  EXPECT_TRUE(Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(to.grassroots), get, &m).ok());
  EXPECT_EQ(Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(from.grassroots), get, &m).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcMemberChangesTest, TransferDestinationMustBeAnActiveCellAndTheOrgServiceReachable) {
  const Branch from = NewBranch();
  const v1::Member member = CreateExisting(from.cell_a, NewPerson());
  const int64_t events_before = CountRows("member_events");
  v1::Member m;
  grpc::Status status =
      StartTransfer(member.name(), v1::TRANSFER_KIND_OFFICIAL, from.grassroots, DaysFromToday(-2), "", &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "NOT_A_CELL");
  // The member's own cell is no transfer.
  status = StartTransfer(member.name(), v1::TRANSFER_KIND_OFFICIAL, from.cell_a, DaysFromToday(-2), "", &m);
  EXPECT_NE(status.error_code(), grpc::StatusCode::OK);

  TakeOrgServiceDown();
  status = StartTransfer(member.name(), v1::TRANSFER_KIND_OFFICIAL, from.cell_b, DaysFromToday(-2), "", &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  BringOrgServiceBack();
  EXPECT_EQ(CountRows("member_events"), events_before) << "a refused transfer wrote an event";
  EXPECT_FALSE(GetMember(member.name()).transfer_pending());
}

TEST_F(GrpcMemberChangesTest, TemporaryTransferHostsWithoutCountingThere) {
  const Branch home = NewBranch();
  const Branch host = NewBranch();
  const v1::Member member = CreateExisting(home.cell_a, NewPerson());
  const std::string introduced = DaysFromToday(-30);
  v1::Member m;
  // Work transfers last 3 to under 12 months.
  grpc::Status status = StartTransfer(member.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, host.cell_a, introduced,
                                      AddMonths(introduced, 2), &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(BadField(status), "transfer.planned_end");
  status = StartTransfer(member.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, host.cell_a, introduced,
                         AddMonths(introduced, 12), &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(BadField(status), "transfer.planned_end");
  status = StartTransfer(member.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, host.cell_a, introduced, "", &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a temporary transfer needs its planned end";

  status = StartTransfer(member.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, host.cell_a, introduced,
                         AddMonths(introduced, 6), &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  status = CompleteTransfer(member.name(), DaysFromToday(-25), &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_EQ(m.cell(), OrgName(home.cell_a));
  EXPECT_EQ(m.host_cell(), OrgName(host.cell_a));

  const v1::MemberCount at_home = CountOf(home.cell_a);
  EXPECT_EQ(at_home.total(), 1) << "still counted at home";
  const v1::MemberCount at_host = CountOf(host.cell_a);
  EXPECT_EQ(at_host.total(), 0) << "not counted in the host cell";
  EXPECT_EQ(at_host.hosted_temporarily(), 1);
  EXPECT_EQ(CountOf(host.grassroots, true).hosted_temporarily(), 1);
  EXPECT_EQ(CountOf(host.grassroots, true).total(), 0);

  EXPECT_THAT(SearchNames(host.grassroots, false), ElementsAre());
  EXPECT_THAT(SearchNames(host.grassroots, true), ElementsAre(member.name()));
  // The host cell's secretary may read the hosted member.
  v1::GetMemberRequest get;
  get.set_name(member.name());
  EXPECT_TRUE(Call(members(), &v1::MemberService::Stub::GetMember, SecretaryToken(host.cell_a), get, &m).ok());

  v1::EndTemporaryTransferRequest end;
  end.set_member(member.name());
  end.set_ended_on(DaysFromToday(-1));
  status = Call(lifecycle(), &Stub::EndTemporaryTransfer, AdminToken(), end, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_TRUE(m.host_cell().empty());
  EXPECT_EQ(CountOf(host.cell_a).hosted_temporarily(), 0);
  // Ending it again: there is none in force.
  status = Call(lifecycle(), &Stub::EndTemporaryTransfer, AdminToken(), end, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();

  // Training transfers may last up to 24 months.
  const v1::Member student = CreateExisting(home.cell_b, NewPerson());
  status = StartTransfer(student.name(), v1::TRANSFER_KIND_TEMPORARY_TRAINING, host.cell_b, DaysFromToday(-3),
                         AddMonths(DaysFromToday(-3), 24), &m);
  EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
}

TEST_F(GrpcMemberChangesTest, OfficialTransferOutOfTheTreeEndsTheRecordHere) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::Member m;
  grpc::Status status =
      StartTransfer(member.name(), v1::TRANSFER_KIND_OFFICIAL, 0, DaysFromToday(-10), "", &m, "Đảng bộ tỉnh Khánh Hòa");
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_TRUE(m.transfer_pending());
  status = CompleteTransfer(member.name(), DaysFromToday(-2), &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
  // Neither destination: a bad request.
  const v1::Member other = CreateExisting(branch.cell_a, NewPerson());
  status = StartTransfer(other.name(), v1::TRANSFER_KIND_OFFICIAL, 0, DaysFromToday(-10), "", &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
}

TEST_F(GrpcMemberChangesTest, ExemptionAndSuspensionComeAndGo) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::Member m;
  v1::ExemptMemberRequest exempt;
  exempt.set_member(member.name());
  exempt.set_effective_date(DaysFromToday(-30));
  exempt.set_reason("POOR_HEALTH");
  *exempt.mutable_decision() = SomeDecision(DaysFromToday(-30));
  grpc::Status status = Call(lifecycle(), &Stub::ExemptMember, AdminToken(), exempt, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_TRUE(m.exempt());
  EXPECT_EQ(CountOf(branch.cell_a).exempt(), 1);
  EXPECT_EQ(CountOf(branch.cell_a).total(), 1) << "exempt members still count";
  status = Call(lifecycle(), &Stub::ExemptMember, AdminToken(), exempt, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "already exempt";

  v1::EndExemptionRequest end_exempt;
  end_exempt.set_member(member.name());
  end_exempt.set_effective_date(DaysFromToday(-20));
  *end_exempt.mutable_decision() = SomeDecision(DaysFromToday(-20));
  status = Call(lifecycle(), &Stub::EndExemption, AdminToken(), end_exempt, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_FALSE(m.exempt());
  status = Call(lifecycle(), &Stub::EndExemption, AdminToken(), end_exempt, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "not exempt any more";

  v1::SuspendMemberRequest suspend;
  suspend.set_member(member.name());
  suspend.set_effective_date(DaysFromToday(-10));
  suspend.set_reason("Đình chỉ sinh hoạt trong thời gian điều tra");
  *suspend.mutable_decision() = SomeDecision(DaysFromToday(-10));
  status = Call(lifecycle(), &Stub::SuspendMember, AdminToken(), suspend, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_TRUE(m.suspended());
  EXPECT_TRUE(GetMember(member.name(), DaysFromToday(-5)).suspended());
  EXPECT_FALSE(GetMember(member.name(), DaysFromToday(-15)).suspended());

  v1::EndSuspensionRequest end_suspend;
  end_suspend.set_member(member.name());
  end_suspend.set_effective_date(DaysFromToday(-1));
  *end_suspend.mutable_decision() = SomeDecision(DaysFromToday(-1));
  status = Call(lifecycle(), &Stub::EndSuspension, AdminToken(), end_suspend, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  EXPECT_FALSE(m.suspended());

  // A prospect is not exempted.
  const v1::Member prospect = CreateProspect(branch.cell_a, NewPerson());
  exempt.set_member(prospect.name());
  exempt.set_effective_date(DaysFromToday(-1));
  status = Call(lifecycle(), &Stub::ExemptMember, AdminToken(), exempt, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "ILLEGAL_TRANSITION");
}

TEST_F(GrpcMemberChangesTest, EndsOfMembershipAreFinal) {
  const Branch branch = NewBranch();
  struct Case {
    v1::EndKind kind;
    v1::MemberStatus status;
  };
  for (const Case& c :
       {Case{v1::END_KIND_REMOVED, v1::MEMBER_STATUS_REMOVED}, Case{v1::END_KIND_LEFT, v1::MEMBER_STATUS_LEFT},
        Case{v1::END_KIND_DECEASED, v1::MEMBER_STATUS_DECEASED}}) {
    const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
    v1::EndMembershipRequest request;
    request.set_member(member.name());
    request.set_kind(c.kind);
    request.set_effective_date(DaysFromToday(-3));
    *request.mutable_decision() = SomeDecision(DaysFromToday(-3));
    v1::Member m;
    grpc::Status status;
    if (c.kind == v1::END_KIND_REMOVED) {
      status = Call(lifecycle(), &Stub::EndMembership, AdminToken(), request, &m);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "removal needs its trigger";
      EXPECT_EQ(BadField(status), "removal_trigger");
      request.set_removal_trigger(v1::REMOVAL_TRIGGER_QUIT_OR_UNPAID_DUES);
    }
    status = Call(lifecycle(), &Stub::EndMembership, AdminToken(), request, &m);
    ASSERT_TRUE(status.ok()) << v1::EndKind_Name(c.kind) << ": " << status.error_message() << " " << BadField(status);
    EXPECT_EQ(m.status(), c.status);
    EXPECT_EQ(m.status_since(), DaysFromToday(-3));
    // Nothing follows an end (except voiding it).
    status = Call(lifecycle(), &Stub::EndMembership, AdminToken(), request, &m);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << v1::EndKind_Name(c.kind);
    v1::SuspendMemberRequest suspend;
    suspend.set_member(member.name());
    suspend.set_effective_date(DaysFromToday(-1));
    *suspend.mutable_decision() = SomeDecision(DaysFromToday(-1));
    status = Call(lifecycle(), &Stub::SuspendMember, AdminToken(), suspend, &m);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << v1::EndKind_Name(c.kind);
    EXPECT_EQ(Reason(status), "ILLEGAL_TRANSITION");
  }
  EXPECT_EQ(CountOf(branch.cell_a).total(), 0);
  v1::EndMembershipRequest unspecified;
  unspecified.set_member(CreateExisting(branch.cell_a, NewPerson()).name());
  unspecified.set_effective_date(DaysFromToday(-1));
  *unspecified.mutable_decision() = SomeDecision(DaysFromToday(-1));
  v1::Member m;
  grpc::Status status = Call(lifecycle(), &Stub::EndMembership, AdminToken(), unspecified, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "kind");
}

TEST_F(GrpcMemberChangesTest, ExpulsionComesFromTheInspectionServiceIdempotently) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::ExpelMemberRequest request;
  request.set_member(member.name());
  request.set_effective_date(DaysFromToday(-2));
  grassroots::type::v1::Decision decision = SomeDecision(DaysFromToday(-2));
  decision.set_issuing_body("Ủy ban Kiểm tra Tỉnh ủy");
  *request.mutable_decision() = decision;
  request.set_discipline_reference("cases/42/decisions/7");
  request.set_request_id(absl::StrCat("expel-", MemberId(member.name())));
  v1::Member m;
  grpc::Status status = Call(lifecycle(), &Stub::ExpelMember, SecretaryToken(branch.cell_a), request, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << "a secretary does not expel";

  v1::ExpelMemberRequest no_decision = request;
  no_decision.clear_decision();
  status = Call(lifecycle(), &Stub::ExpelMember, ServiceToken(), no_decision, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadField(status), HasSubstr("decision"));

  const int64_t events_before = CountRows("member_events");
  status = Call(lifecycle(), &Stub::ExpelMember, ServiceToken(), request, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_EXPELLED);
  v1::Member again;
  status = Call(lifecycle(), &Stub::ExpelMember, ServiceToken(), request, &again);
  ASSERT_TRUE(status.ok()) << "a retried expulsion is not an error: " << status.error_message();
  EXPECT_EQ(again.etag(), m.etag());
  EXPECT_EQ(CountRows("member_events"), events_before + 1);
  // The key is the method's full name, as stored before handlers ran in the envelope.
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = '", request.request_id(),
                                     "' AND method = '/grassroots.membership.v1.LifecycleService/ExpelMember'")),
            1);
  const std::vector<v1::MemberEvent> events = Events(member.name());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind(), v1::EVENT_KIND_EXPELLED);

  // A prospect is not a member to expel.
  const v1::Member prospect = CreateProspect(branch.cell_a, NewPerson());
  request.set_member(prospect.name());
  request.set_request_id(absl::StrCat("expel-", MemberId(prospect.name())));
  status = Call(lifecycle(), &Stub::ExpelMember, ServiceToken(), request, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
}

TEST_F(GrpcMemberChangesTest, VoidingTheLatestEventRestoresThePreviousState) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::EndMembershipRequest end;
  end.set_member(member.name());
  end.set_kind(v1::END_KIND_DECEASED);
  end.set_effective_date(DaysFromToday(-4));
  *end.mutable_decision() = SomeDecision(DaysFromToday(-4));
  v1::Member m;
  ASSERT_TRUE(Call(lifecycle(), &Stub::EndMembership, AdminToken(), end, &m).ok());
  ASSERT_EQ(m.status(), v1::MEMBER_STATUS_DECEASED);

  std::vector<v1::MemberEvent> events = Events(member.name());
  ASSERT_EQ(events.size(), 2u);
  // Only the latest event in force may be voided.
  v1::VoidEventRequest void_first;
  void_first.set_event(events[0].name());
  void_first.set_reason("Nhập nhầm");
  grpc::Status status = Call(lifecycle(), &Stub::VoidEvent, AdminToken(), void_first, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "NOT_LATEST_EVENT");

  v1::VoidEventRequest void_death;
  void_death.set_event(events[1].name());
  void_death.set_reason("Ghi nhầm người");
  status = Call(lifecycle(), &Stub::VoidEvent, AdminToken(), void_death, &m);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(CountOf(branch.cell_a).total(), 1);
  EXPECT_EQ(GetMember(member.name(), DaysFromToday(-2)).status(), v1::MEMBER_STATUS_OFFICIAL)
      << "the history no longer has the death";

  // The default list leaves out the voided event and the marker.
  events = Events(member.name());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::EVENT_KIND_RECORD_OPENED);
  const std::vector<v1::MemberEvent> all = Events(member.name(), /*include_voided=*/true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[1].voided());
  EXPECT_EQ(all[2].kind(), v1::EVENT_KIND_VOIDED);
  EXPECT_EQ(all[2].voids(), all[1].name());
  // Voiding it twice: it is no longer in force.
  status = Call(lifecycle(), &Stub::VoidEvent, AdminToken(), void_death, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  // A malformed event name.
  void_death.set_event(member.name());
  status = Call(lifecycle(), &Stub::VoidEvent, AdminToken(), void_death, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "event");
}

TEST_F(GrpcMemberChangesTest, EventListPagesAndHidesActorsFromNoOne) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::Member m;
  for (int i = 0; i < 3; ++i) {
    v1::SuspendMemberRequest suspend;
    suspend.set_member(member.name());
    suspend.set_effective_date(DaysFromToday(-10 + 2 * i));
    *suspend.mutable_decision() = SomeDecision(DaysFromToday(-10 + 2 * i));
    ASSERT_TRUE(Call(lifecycle(), &Stub::SuspendMember, AdminToken(), suspend, &m).ok());
    v1::EndSuspensionRequest end;
    end.set_member(member.name());
    end.set_effective_date(DaysFromToday(-9 + 2 * i));
    *end.mutable_decision() = SomeDecision(DaysFromToday(-9 + 2 * i));
    ASSERT_TRUE(Call(lifecycle(), &Stub::EndSuspension, AdminToken(), end, &m).ok());
  }
  v1::ListMemberEventsRequest request;
  request.set_member(member.name());
  request.set_page_size(3);
  std::vector<std::string> names;
  for (int page = 0; page < 5; ++page) {
    v1::ListMemberEventsResponse response;
    grpc::Status status = Call(lifecycle(), &Stub::ListMemberEvents, AdminToken(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::MemberEvent& event : response.events()) names.push_back(event.name());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ASSERT_EQ(names.size(), 7u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 7u);
  // An inspector in scope reads the log; a secretary of another cell does not.
  EXPECT_EQ(Events(member.name(), false, InspectorToken(branch.grassroots)).size(), 7u);
  v1::ListMemberEventsRequest other;
  other.set_member(member.name());
  v1::ListMemberEventsResponse response;
  EXPECT_EQ(Call(lifecycle(), &Stub::ListMemberEvents, SecretaryToken(branch.cell_b), other, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace grassroots::membership::testing
