// Org's residential-unit heads who are party members, confirmed by the real membership
// service on loopback: a member is linked, a prospect or an unknown id is refused, and a
// membership service that does not answer means UNAVAILABLE with nothing written.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using UnitStub = orgv1::ResidentialUnitService::Stub;

class UnitHeadMemberTest : public MembershipFixture {
 protected:
  static orgv1::ResidentialUnit NewUnit(const Branch& branch) {
    orgv1::CreateResidentialUnitRequest request;
    orgv1::ResidentialUnit* unit = request.mutable_unit();
    unit->set_code(UniqueCode("THON"));
    unit->set_display_name("Thôn Đông");
    unit->set_kind(orgv1::RESIDENTIAL_UNIT_KIND_VILLAGE);
    unit->set_commune_organization(OrgName(branch.grassroots));
    unit->set_covering_cell(OrgName(branch.cell_a));
    unit->set_established_on("2012-01-01");
    orgv1::ResidentialUnit out;
    grpc::Status status = Call(org_units(), &UnitStub::CreateResidentialUnit, AdminToken(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  static grpc::Status Assign(const orgv1::ResidentialUnit& unit, orgv1::UnitHeadPost post, const std::string& member,
                             const std::string& from, orgv1::UnitHead* out) {
    orgv1::AssignUnitHeadRequest request;
    request.set_unit(unit.name());
    request.mutable_head()->set_post(post);
    request.mutable_head()->set_display_name("Nguyễn Thị Lan");
    request.mutable_head()->set_is_party_member(true);
    request.mutable_head()->set_member(member);
    request.mutable_head()->set_valid_from(from);
    return Call(org_units(), &UnitStub::AssignUnitHead, AdminToken(), request, out);
  }
  static int64_t HeadRows(const orgv1::ResidentialUnit& unit) {
    return OrgDbInt(absl::StrCat("SELECT COUNT(*) FROM residential_unit_heads WHERE unit_id = ",
                                 unit.name().substr(unit.name().rfind('/') + 1)));
  }
};

TEST_F(UnitHeadMemberTest, MembershipConfirmsAMemberHead) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const orgv1::ResidentialUnit unit = NewUnit(branch);

  orgv1::UnitHead head;
  grpc::Status status = Assign(unit, orgv1::UNIT_HEAD_POST_VILLAGE_HEAD, member.name(), DaysFromToday(-30), &head);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(head.member(), member.name());
  EXPECT_TRUE(head.is_party_member());

  orgv1::GetResidentialUnitRequest get;
  get.set_name(unit.name());
  orgv1::ResidentialUnit now;
  ASSERT_TRUE(Call(org_units(), &UnitStub::GetResidentialUnit, AdminToken(), get, &now).ok());
  EXPECT_EQ(now.head().member(), member.name());
  get.set_as_of_date(DaysFromToday(-31));
  ASSERT_TRUE(Call(org_units(), &UnitStub::GetResidentialUnit, AdminToken(), get, &now).ok());
  EXPECT_FALSE(now.has_head());
}

TEST_F(UnitHeadMemberTest, AProspectOrAnUnknownIdIsNotLinked) {
  const Branch branch = NewBranch();
  const v1::Member prospect = CreateProspect(branch.cell_b, NewPerson());
  const orgv1::ResidentialUnit unit = NewUnit(branch);

  orgv1::UnitHead head;
  grpc::Status status =
      Assign(unit, orgv1::UNIT_HEAD_POST_FRONT_WORK_COMMITTEE_HEAD, prospect.name(), DaysFromToday(-5), &head);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "HEAD_NOT_A_PARTY_MEMBER");

  status = Assign(unit, orgv1::UNIT_HEAD_POST_FRONT_WORK_COMMITTEE_HEAD, "members/987654321", DaysFromToday(-5), &head);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(BadField(status), "head.member");
  EXPECT_EQ(HeadRows(unit), 0);
}

TEST_F(UnitHeadMemberTest, MembershipDownMeansUnavailableAndNothingWritten) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const orgv1::ResidentialUnit unit = NewUnit(branch);
  const int64_t feed_before = OrgDbInt("SELECT COUNT(*) FROM change_feed");

  SetOrgMembershipReachable(false);
  orgv1::UnitHead head;
  grpc::Status status = Assign(unit, orgv1::UNIT_HEAD_POST_VILLAGE_HEAD, member.name(), DaysFromToday(-3), &head);
  SetOrgMembershipReachable(true);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(HeadRows(unit), 0);
  EXPECT_EQ(OrgDbInt("SELECT COUNT(*) FROM change_feed"), feed_before);

  // Back up: the same request goes through.
  status = Assign(unit, orgv1::UNIT_HEAD_POST_VILLAGE_HEAD, member.name(), DaysFromToday(-3), &head);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(HeadRows(unit), 1);
}

}  // namespace
}  // namespace grassroots::membership::testing
