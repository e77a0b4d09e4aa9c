// Who may read whom: a cell secretary reads its own cell's members (without
// sensitive fields) and no one else's; inspectors read in scope without
// sensitive fields; a member reads only their own record (GetMyRecord); the
// portal only counts; the service role reads with sensitive fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class GrpcScopeTest : public MembershipFixture {
 protected:
  static grpc::Status Get(const std::string& name, const std::string& token, v1::Member* out) {
    v1::GetMemberRequest request;
    request.set_name(name);
    return Call(members(), &v1::MemberService::Stub::GetMember, token, request, out);
  }
  static void ExpectRedacted(const v1::Member& member) {
    EXPECT_TRUE(member.citizen_id().empty());
    EXPECT_TRUE(member.ethnicity().empty());
    EXPECT_TRUE(member.religion().empty());
    EXPECT_THAT(member.redacted_fields(), UnorderedElementsAre("citizen_id", "ethnicity", "religion"));
    EXPECT_FALSE(member.full_name().empty()) << "the rest of the record is shown";
  }
};

TEST_F(GrpcScopeTest, CellSecretaryReadsOwnCellWithoutSensitiveFieldsAndNotAnotherCell) {
  const Branch branch = NewBranch();
  const v1::Member mine = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member neighbour = CreateExisting(branch.cell_b, NewPerson());
  const std::string secretary = SecretaryToken(branch.cell_a);

  v1::Member got;
  grpc::Status status = Get(mine.name(), secretary, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectRedacted(got);

  status = Get(neighbour.name(), secretary, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  // Search: the default scope is the secretary's cell; another subtree is refused.
  v1::SearchMembersRequest search;
  v1::SearchMembersResponse found;
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, secretary, search, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(found.members_size(), 1);
  EXPECT_EQ(found.members(0).name(), mine.name());
  ExpectRedacted(found.members(0));
  search.set_organization(OrgName(branch.cell_b));
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, secretary, search, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  // Lookup of a member outside the scope does not reveal it.
  v1::LookupMemberRequest lookup;
  lookup.set_citizen_id(GetMember(neighbour.name()).citizen_id());
  status = Call(members(), &v1::MemberService::Stub::LookupMember, secretary, lookup, &got);
  EXPECT_THAT(status.error_code(), ::testing::AnyOf(grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(got.name().empty() || got.name() == mine.name());

  // A secretary of the grassroots organization reads both cells.
  status = Get(neighbour.name(), SecretaryToken(branch.grassroots), &got);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GrpcScopeTest, InspectorReadsInScopeWithoutSensitiveFields) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::Member got;
  grpc::Status status = Get(member.name(), InspectorToken(branch.grassroots), &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectRedacted(got);
  status = Get(member.name(), InspectorToken(other.grassroots), &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcScopeTest, AdminAndServiceSeeSensitiveFieldsInScope) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const v1::Member person = NewPerson();
  const v1::Member member = CreateExisting(branch.cell_a, person);
  for (const std::string& token : {AdminToken(branch.grassroots), ServiceToken()}) {
    v1::Member got;
    grpc::Status status = Get(member.name(), token, &got);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(got.citizen_id(), person.citizen_id());
    EXPECT_EQ(got.ethnicity(), person.ethnicity());
    EXPECT_THAT(got.redacted_fields(), IsEmpty());
  }
  v1::Member got;
  grpc::Status status = Get(member.name(), AdminToken(other.grassroots), &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcScopeTest, AMemberSeesOnlyTheirOwnRecord) {
  const Branch branch = NewBranch();
  const v1::Member person = NewPerson();
  const v1::Member me = CreateExisting(branch.cell_a, person, v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-30));
  const v1::Member cellmate = CreateExisting(branch.cell_a, NewPerson());
  const std::string token = MemberToken(branch.cell_a, MemberId(me.name()));

  v1::MyRecord record;
  grpc::Status status =
      Call(members(), &v1::MemberService::Stub::GetMyRecord, token, v1::GetMyRecordRequest(), &record);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(record.member().name(), me.name());
  EXPECT_EQ(record.member().citizen_id(), person.citizen_id()) << "a member sees their own sensitive fields";
  EXPECT_THAT(record.member().redacted_fields(), IsEmpty());
  ASSERT_GE(record.events_size(), 1);
  EXPECT_EQ(record.events(0).kind(), v1::EVENT_KIND_RECORD_OPENED);
  for (const v1::MemberEvent& event : record.events()) EXPECT_TRUE(event.actor().empty()) << "actor leaked";
  ASSERT_EQ(record.cards_size(), 1);
  EXPECT_EQ(record.cards(0).number(), me.party_card_number());

  v1::Member got;
  status = Get(cellmate.name(), token, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  v1::SearchMembersRequest search;
  v1::SearchMembersResponse found;
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, token, search, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << "a member does not search the cell";
  v1::ListPartyCardsRequest cards;
  cards.set_member(cellmate.name());
  v1::ListPartyCardsResponse cards_response;
  status = Call(members(), &v1::MemberService::Stub::ListPartyCards, token, cards, &cards_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListMemberEventsRequest events;
  events.set_member(cellmate.name());
  v1::ListMemberEventsResponse events_response;
  status = Call(lifecycle(), &v1::LifecycleService::Stub::ListMemberEvents, token, events, &events_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GrpcScopeTest, GetMyRecordNeedsAMemberIdInTheToken) {
  v1::MyRecord record;
  grpc::Status status =
      Call(members(), &v1::MemberService::Stub::GetMyRecord, AdminToken(), v1::GetMyRecordRequest(), &record);
  EXPECT_NE(status.error_code(), grpc::StatusCode::OK) << "an admin token names no member";
  // A member token for a record that does not exist.
  status = Call(members(), &v1::MemberService::Stub::GetMyRecord, MemberToken(RootId(), 987654321),
                v1::GetMyRecordRequest(), &record);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
}

TEST_F(GrpcScopeTest, PortalOnlyCounts) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const std::string portal = PortalToken();
  v1::Member got;
  EXPECT_EQ(Get(member.name(), portal, &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::SearchMembersRequest search;
  v1::SearchMembersResponse found;
  EXPECT_EQ(Call(members(), &v1::MemberService::Stub::SearchMembers, portal, search, &found).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::LookupMemberRequest lookup;
  lookup.set_party_card_number(member.party_card_number());
  EXPECT_EQ(Call(members(), &v1::MemberService::Stub::LookupMember, portal, lookup, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListMemberAlertsRequest alerts;
  v1::ListMemberAlertsResponse alerts_response;
  EXPECT_EQ(Call(members(), &v1::MemberService::Stub::ListMemberAlerts, portal, alerts, &alerts_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListYearlyRecordsRequest yearly_request;
  yearly_request.set_member(member.name());
  v1::ListYearlyRecordsResponse yearly_response;
  EXPECT_EQ(Call(yearly(), &v1::YearlyRecordService::Stub::ListYearlyRecords, portal, yearly_request, &yearly_response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grassroots::feed::v1::GetFeedHeadRequest head_request;
  grassroots::feed::v1::FeedHead head;
  EXPECT_EQ(
      Call(member_feed(), &grassroots::feed::v1::ChangeFeedService::Stub::GetFeedHead, portal, head_request, &head)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  v1::CountMembersRequest count;
  count.add_organizations(OrgName(branch.cell_a));
  v1::CountMembersResponse counts;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::CountMembers, portal, count, &counts);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(counts.counts(0).total(), 1);
}

TEST_F(GrpcScopeTest, ASecretaryCountsOnlyInScope) {
  const Branch branch = NewBranch();
  v1::CountMembersRequest count;
  count.add_organizations(OrgName(branch.cell_b));
  v1::CountMembersResponse counts;
  grpc::Status status =
      Call(members(), &v1::MemberService::Stub::CountMembers, SecretaryToken(branch.cell_a), count, &counts);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
}

TEST_F(GrpcScopeTest, BadTokensAreUnauthenticated) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::Member got;
  EXPECT_EQ(Get(member.name(), "", &got).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get(member.name(), "Bearer not-a-jwt", &got).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace grassroots::membership::testing
