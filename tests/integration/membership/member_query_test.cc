// SearchMembers (case- and diacritic-insensitive names, filters, as-of dates,
// keyset pagination), LookupMember, CountMembers.
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
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class GrpcQueryTest : public MembershipFixture {
 protected:
  // Full names of one page (fails the test on error).
  static std::vector<std::string> Names(const v1::SearchMembersRequest& request, const std::string& token = "") {
    v1::SearchMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, token.empty() ? AdminToken() : token,
                               request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    std::vector<std::string> names;
    for (const v1::Member& m : response.members()) names.push_back(m.full_name());
    return names;
  }
  static v1::SearchMembersRequest In(int64_t org, const std::string& query = "") {
    v1::SearchMembersRequest request;
    request.set_organization(OrgName(org));
    request.set_query(query);
    return request;
  }
  static std::string YearsAgo(int years, int days = 0) { return MonthsFromToday(-12 * years, days); }
  static v1::Member End(const v1::Member& member, v1::EndKind kind, const std::string& date) {
    v1::EndMembershipRequest request;
    request.set_member(member.name());
    request.set_kind(kind);
    request.set_effective_date(date);
    *request.mutable_decision() = SomeDecision(date);
    v1::Member out;
    grpc::Status status = Call(lifecycle(), &v1::LifecycleService::Stub::EndMembership, AdminToken(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }
};

TEST_F(GrpcQueryTest, SearchIgnoresCaseAndVietnameseDiacritics) {
  const Branch branch = NewBranch();
  for (const char* name : {"Nguyễn Văn Đạt", "Nguyễn Văn Đạo", "Nguyễn Thị Dung", "Trần Đức Đạt", "Lê Văn An"}) {
    CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName(name)));
  }
  EXPECT_THAT(Names(In(branch.grassroots, "nguyen van dat")), ElementsAre("Nguyễn Văn Đạt"));
  EXPECT_THAT(Names(In(branch.grassroots, "NGUYỄN VĂN ĐẠT")), ElementsAre("Nguyễn Văn Đạt"));
  EXPECT_THAT(Names(In(branch.grassroots, "Nguyen  Van   Dat ")), ElementsAre("Nguyễn Văn Đạt"));
  // đ matches d; each word is a prefix of some name word.
  EXPECT_THAT(Names(In(branch.grassroots, "dat")), ElementsAre("Nguyễn Văn Đạt", "Trần Đức Đạt"));
  EXPECT_THAT(Names(In(branch.grassroots, "đa")), ElementsAre("Nguyễn Văn Đạo", "Nguyễn Văn Đạt", "Trần Đức Đạt"));
  EXPECT_THAT(Names(In(branch.grassroots, "nguyen")),
              ElementsAre("Nguyễn Thị Dung", "Nguyễn Văn Đạo", "Nguyễn Văn Đạt"));
  EXPECT_THAT(Names(In(branch.grassroots, "duc dat")), ElementsAre("Trần Đức Đạt"));
  EXPECT_THAT(Names(In(branch.grassroots, "nguyen xyz")), IsEmpty());
  // Empty query: everything in the subtree, in folded-name order.
  EXPECT_THAT(Names(In(branch.grassroots)),
              ElementsAre("Lê Văn An", "Nguyễn Thị Dung", "Nguyễn Văn Đạo", "Nguyễn Văn Đạt", "Trần Đức Đạt"));
}

TEST_F(GrpcQueryTest, SearchMatchesBirthNamesToo) {
  const Branch branch = NewBranch();
  v1::Member person = NewPerson(PersonOptions().WithName("Hoàng Thị Lan"));
  person.set_birth_name("Hoàng Thị Huệ");
  CreateExisting(branch.cell_a, person);
  EXPECT_THAT(Names(In(branch.grassroots, "hue")), ElementsAre("Hoàng Thị Lan"));
}

TEST_F(GrpcQueryTest, SearchStaysInsideTheSubtree) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Phạm Văn Ánh")));
  CreateExisting(branch.cell_b, NewPerson(PersonOptions().WithName("Phạm Văn Bảo")));
  CreateExisting(other.cell_a, NewPerson(PersonOptions().WithName("Phạm Văn Cảnh")));
  EXPECT_THAT(Names(In(branch.grassroots, "pham van")), ElementsAre("Phạm Văn Ánh", "Phạm Văn Bảo"));
  EXPECT_THAT(Names(In(branch.cell_b, "pham van")), ElementsAre("Phạm Văn Bảo"));
  EXPECT_THAT(Names(In(other.grassroots, "pham van")), ElementsAre("Phạm Văn Cảnh"));
}

TEST_F(GrpcQueryTest, FiltersByStatusCategorySexAndAge) {
  const Branch branch = NewBranch();
  CreateExisting(branch.cell_a, NewPerson(PersonOptions()
                                              .WithName("Đỗ Văn Một")
                                              .BornOn(YearsAgo(66, -30))
                                              .WithSex(v1::SEX_MALE)
                                              .WithCategory(v1::OCCUPATION_CATEGORY_RETIRED)));
  CreateExisting(branch.cell_a, NewPerson(PersonOptions()
                                              .WithName("Đỗ Thị Hai")
                                              .BornOn(YearsAgo(36, -30))
                                              .WithSex(v1::SEX_FEMALE)
                                              .WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  CreateExisting(branch.cell_b,
                 NewPerson(PersonOptions()
                               .WithName("Đỗ Văn Ba")
                               .BornOn(YearsAgo(30, -30))
                               .WithSex(v1::SEX_MALE)
                               .WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)),
                 v1::MEMBER_STATUS_PROBATIONARY);
  CreateProspect(branch.cell_b,
                 NewPerson(PersonOptions().WithName("Đỗ Thị Bốn").BornOn(YearsAgo(22, -30)).WithSex(v1::SEX_FEMALE)));

  // Default statuses are the counted ones: no prospect.
  EXPECT_THAT(Names(In(branch.grassroots)), ElementsAre("Đỗ Thị Hai", "Đỗ Văn Ba", "Đỗ Văn Một"));
  v1::SearchMembersRequest request = In(branch.grassroots);
  request.add_statuses(v1::MEMBER_STATUS_PROSPECT);
  EXPECT_THAT(Names(request), ElementsAre("Đỗ Thị Bốn"));
  request = In(branch.grassroots);
  request.add_statuses(v1::MEMBER_STATUS_PROBATIONARY);
  request.add_statuses(v1::MEMBER_STATUS_PROSPECT);
  EXPECT_THAT(Names(request), ElementsAre("Đỗ Thị Bốn", "Đỗ Văn Ba"));

  request = In(branch.grassroots);
  request.add_occupation_categories(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE);
  EXPECT_THAT(Names(request), ElementsAre("Đỗ Thị Hai", "Đỗ Văn Ba"));

  request = In(branch.grassroots);
  request.set_sex(v1::SEX_MALE);
  EXPECT_THAT(Names(request), ElementsAre("Đỗ Văn Ba", "Đỗ Văn Một"));

  // Whole years on the as-of date, bounds inclusive.
  request = In(branch.grassroots);
  request.set_min_age(30);
  request.set_max_age(36);
  EXPECT_THAT(Names(request), ElementsAre("Đỗ Thị Hai", "Đỗ Văn Ba"));
  request.set_min_age(60);
  request.set_max_age(0);
  EXPECT_THAT(Names(request), ElementsAre("Đỗ Văn Một"));
  request.set_min_age(0);
  request.set_max_age(29);
  EXPECT_THAT(Names(request), IsEmpty());

  request = In(branch.grassroots);
  request.set_min_age(40);
  request.set_max_age(30);
  v1::SearchMembersResponse response;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "min_age above max_age";
}

TEST_F(GrpcQueryTest, AsOfDateSeesStatusesAndCellsOfThatDay) {
  const Branch branch = NewBranch();
  const v1::Member joined_five_years_ago =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Vũ Văn Mới")), v1::MEMBER_STATUS_OFFICIAL,
                     MonthsFromToday(-60));
  // One joined this cell 60 months ago; the other, there for 90 months, died 10 days ago.
  const v1::Member deceased = CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Vũ Văn Cũ")),
                                             v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-90));
  End(deceased, v1::END_KIND_DECEASED, DaysFromToday(-10));

  EXPECT_THAT(Names(In(branch.grassroots, "vu van")), ElementsAre("Vũ Văn Mới"));
  v1::SearchMembersRequest request = In(branch.grassroots, "vu van");
  request.set_as_of_date(DaysFromToday(-30));
  EXPECT_THAT(Names(request), ElementsAre("Vũ Văn Cũ", "Vũ Văn Mới"));
  request.set_as_of_date(MonthsFromToday(-70));
  EXPECT_THAT(Names(request), ElementsAre("Vũ Văn Cũ")) << "the other joined later";
  request.set_as_of_date(DaysFromToday(-30));
  request.add_statuses(v1::MEMBER_STATUS_DECEASED);
  EXPECT_THAT(Names(request), IsEmpty()) << "not deceased yet on that date";
  request.set_as_of_date("");
  EXPECT_THAT(Names(request), ElementsAre("Vũ Văn Cũ"));

  // GetMember as of a date shows the status then.
  EXPECT_EQ(GetMember(deceased.name(), DaysFromToday(-30)).status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(GetMember(deceased.name()).status(), v1::MEMBER_STATUS_DECEASED);
  EXPECT_EQ(GetMember(joined_five_years_ago.name(), DaysFromToday(-30)).as_of_date(), DaysFromToday(-30));
}

TEST_F(GrpcQueryTest, PagesCoverEverythingOnceInOrder) {
  const Branch branch = NewBranch();
  std::set<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    // The last two share a name: the id breaks the tie.
    const std::string name =
        i < 5 ? absl::StrCat("Mạc Văn ", std::string(1, static_cast<char>('A' + i))) : std::string("Mạc Văn Trùng");
    expected.insert(CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName(name))).name());
  }
  v1::SearchMembersRequest request = In(branch.grassroots, "mac");
  request.set_page_size(3);
  std::vector<std::string> seen;
  std::vector<int> page_sizes;
  for (int page = 0; page < 10; ++page) {
    v1::SearchMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    page_sizes.push_back(response.members_size());
    for (const v1::Member& m : response.members()) seen.push_back(m.name());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(page_sizes, ElementsAre(3, 3, 1));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  EXPECT_EQ(seen.size(), expected.size()) << "a member on two pages";

  // A token belongs to its query.
  v1::SearchMembersRequest first = In(branch.grassroots, "mac");
  first.set_page_size(3);
  v1::SearchMembersResponse response;
  ASSERT_TRUE(Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), first, &response).ok());
  v1::SearchMembersRequest other = In(branch.grassroots, "mac van");
  other.set_page_size(3);
  other.set_page_token(response.next_page_token());
  grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), other, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "page_token");
  other.set_page_token("garbage");
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), other, &response);
  EXPECT_EQ(BadField(status), "page_token");
  other.set_page_token("");
  other.set_page_size(-1);
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), other, &response);
  EXPECT_EQ(BadField(status), "page_size");
}

TEST_F(GrpcQueryTest, LookupByCitizenIdOrCardIsExact) {
  const Branch branch = NewBranch();
  const v1::Member person = NewPerson();
  const std::string card = UniqueCard();
  const v1::Member created = CreateExisting(branch.cell_a, person, v1::MEMBER_STATUS_OFFICIAL, "", card);
  CreateExisting(branch.cell_a, NewPerson());

  v1::LookupMemberRequest request;
  request.set_citizen_id(person.citizen_id());
  v1::Member found;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), request, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(found.name(), created.name());
  EXPECT_EQ(found.citizen_id(), person.citizen_id());

  request.set_party_card_number(card);
  status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), request, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(found.name(), created.name());

  // A prefix is not a match.
  request.set_party_card_number(card.substr(0, card.size() - 1));
  status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), request, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  request.set_citizen_id(CitizenIdFor("1975-01-01", v1::SEX_MALE));
  status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), request, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), ::testing::Not(::testing::HasSubstr(request.citizen_id())));
  v1::LookupMemberRequest empty;
  status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), empty, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GrpcQueryTest, CountsPerOrganizationOwnAndSubtree) {
  const Branch branch = NewBranch();
  CreateExisting(branch.cell_a, NewPerson());
  CreateExisting(branch.cell_a, NewPerson());
  CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY);
  CreateProspect(branch.cell_a, NewPerson());
  const v1::Member exempt = CreateExisting(branch.cell_b, NewPerson());
  {
    v1::ExemptMemberRequest request;
    request.set_member(exempt.name());
    request.set_effective_date(DaysFromToday(-5));
    request.set_reason("ADVANCED_AGE");
    *request.mutable_decision() = SomeDecision(DaysFromToday(-5));
    v1::Member out;
    grpc::Status status = Call(lifecycle(), &v1::LifecycleService::Stub::ExemptMember, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }
  const v1::Member gone = CreateExisting(branch.cell_b, NewPerson());
  End(gone, v1::END_KIND_DECEASED, DaysFromToday(-1));

  v1::CountMembersRequest request;
  request.add_organizations(OrgName(branch.cell_a));
  request.add_organizations(OrgName(branch.cell_b));
  request.add_organizations(OrgName(branch.grassroots));
  v1::CountMembersResponse response;
  // The portal may count (and only count).
  grpc::Status status = Call(members(), &v1::MemberService::Stub::CountMembers, PortalToken(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.counts_size(), 3);
  EXPECT_EQ(response.as_of_date(), Today());
  const v1::MemberCount& a = response.counts(0);
  EXPECT_EQ(a.organization(), OrgName(branch.cell_a));
  EXPECT_EQ(a.official(), 2);
  EXPECT_EQ(a.probationary(), 1);
  EXPECT_EQ(a.total(), 3) << "the prospect is not counted";
  const v1::MemberCount& b = response.counts(1);
  EXPECT_EQ(b.official(), 1) << "exempt counted, deceased not";
  EXPECT_EQ(b.exempt(), 1);
  EXPECT_EQ(b.total(), 1);
  EXPECT_EQ(response.counts(2).total(), 0) << "no members of its own";

  request.set_include_subtree(true);
  status = Call(members(), &v1::MemberService::Stub::CountMembers, ServiceToken(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.counts_size(), 3);
  EXPECT_EQ(response.counts(2).official(), 3);
  EXPECT_EQ(response.counts(2).probationary(), 1);
  EXPECT_EQ(response.counts(2).total(), 4);
  EXPECT_EQ(response.counts(2).exempt(), 1);

  // As of two days ago the deceased member still counted.
  request.set_as_of_date(DaysFromToday(-2));
  status = Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.counts(1).official(), 2);
  EXPECT_EQ(response.counts(2).total(), 5);

  // Errors.
  v1::CountMembersRequest empty;
  status = Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(), empty, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "organizations");
  v1::CountMembersRequest too_many;
  for (int i = 0; i < 1001; ++i) too_many.add_organizations(OrgName(branch.cell_a));
  status = Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(), too_many, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "organizations");
  v1::CountMembersRequest bad;
  bad.add_organizations("orgs/1");
  status = Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(), bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace grassroots::membership::testing
