// GetMember, UpdateMember with etags (including two concurrent updates of the
// same member: exactly one wins), party cards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::HasSubstr;

class GrpcUpdateMemberTest : public MembershipFixture {
 protected:
  static grpc::Status Update(const v1::Member& member, const std::vector<std::string>& paths, v1::Member* out,
                             const std::string& token = "") {
    v1::UpdateMemberRequest request;
    *request.mutable_member() = member;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    return Call(members(), &v1::MemberService::Stub::UpdateMember, token.empty() ? AdminToken() : token, request, out);
  }
};

TEST_F(GrpcUpdateMemberTest, GetErrors) {
  v1::GetMemberRequest request;
  v1::Member member;
  request.set_name("members/987654321");
  grpc::Status status = Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(), request, &member);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  request.set_name("people/1");
  status = Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(), request, &member);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "name");

  const Branch branch = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
  request.set_name(created.name());
  request.set_as_of_date("2024-02-30");
  status = Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(), request, &member);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "as_of_date");
}

TEST_F(GrpcUpdateMemberTest, UpdatesTheMaskedFieldsOnlyAndChangesTheEtag) {
  const Branch branch = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Trần Thị Bích")));
  v1::Member change = created;
  change.set_full_name("Trần Thị Bích Ngọc");
  change.set_phone("0987000111");
  change.set_occupation("Giáo viên");  // not in the mask: must stay as it was
  change.set_occupation_category(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE);
  v1::Member updated;
  grpc::Status status = Update(change, {"full_name", "phone", "occupation_category"}, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(updated.full_name(), "Trần Thị Bích Ngọc");
  EXPECT_EQ(updated.phone(), "0987000111");
  EXPECT_EQ(updated.occupation_category(), v1::OCCUPATION_CATEGORY_CIVIL_SERVICE);
  EXPECT_EQ(updated.occupation(), created.occupation());
  EXPECT_EQ(updated.status(), created.status());
  EXPECT_NE(updated.etag(), created.etag());
  EXPECT_EQ(GetMember(created.name()).full_name(), "Trần Thị Bích Ngọc");

  // The new name is searchable, the old-only word is gone from the tokens.
  v1::SearchMembersRequest search;
  search.set_organization(OrgName(branch.grassroots));
  search.set_query("bich ngoc");
  v1::SearchMembersResponse found;
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), search, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(found.members_size(), 1);
  EXPECT_EQ(found.members(0).name(), created.name());

  // The old etag is stale now.
  change.set_etag(created.etag());
  change.set_phone("0987000222");
  status = Update(change, {"phone"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << status.error_message();
  EXPECT_EQ(GetMember(created.name()).phone(), "0987000111");
}

TEST_F(GrpcUpdateMemberTest, MaskErrors) {
  const Branch branch = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
  v1::Member updated;
  grpc::Status status = Update(created, {}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "an empty mask is refused";
  EXPECT_EQ(BadField(status), "update_mask");
  for (const char* path : {"status", "cell", "party_card_number", "official_date", "nonsense"}) {
    status = Update(created, {path}, &updated);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << path;
    EXPECT_EQ(BadField(status), "update_mask") << path;
  }
  v1::Member blank = created;
  blank.set_full_name("");
  status = Update(blank, {"full_name"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "member.full_name");
  EXPECT_EQ(GetMember(created.name()).etag(), created.etag()) << "a refused update changed the record";
}

TEST_F(GrpcUpdateMemberTest, CitizenIdStaysConsistentAndUnique) {
  const Branch branch = NewBranch();
  const v1::Member person = NewPerson(PersonOptions().BornOn("1980-05-05").WithSex(v1::SEX_MALE));
  const v1::Member created = CreateExisting(branch.cell_a, person);
  const v1::Member other = CreateExisting(branch.cell_a, NewPerson());

  // A birth date that no longer agrees with the stored citizen ID.
  v1::Member change = GetMember(created.name());
  change.set_birth_date("1981-05-05");
  v1::Member updated;
  grpc::Status status = Update(change, {"birth_date"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(BadField(status), HasSubstr("member."));

  // Both changed together, agreeing: accepted.
  change.set_citizen_id(CitizenIdFor("1981-05-05", v1::SEX_MALE));
  status = Update(change, {"birth_date", "citizen_id"}, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(updated.citizen_id(), change.citizen_id());

  // Another member's citizen ID.
  v1::Member steal = GetMember(other.name());
  steal.set_citizen_id(updated.citizen_id());
  steal.set_birth_date("1981-05-05");
  steal.set_sex(v1::SEX_MALE);
  status = Update(steal, {"citizen_id", "birth_date", "sex"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr(steal.citizen_id())));
}

TEST_F(GrpcUpdateMemberTest, TwoConcurrentUpdatesWithTheSameEtagExactlyOneWins) {
  const Branch branch = NewBranch();
  for (int round = 0; round < 5; ++round) {
    const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
    std::atomic<int> ready{0};
    std::vector<grpc::Status> results(2);
    std::vector<v1::Member> responses(2);
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
      writers.emplace_back([&, w] {
        v1::Member change = created;  // same etag for both
        change.set_phone(absl::StrCat("09120000", round, w));
        ready.fetch_add(1);
        while (ready.load() < 2) std::this_thread::yield();
        results[static_cast<size_t>(w)] = Update(change, {"phone"}, &responses[static_cast<size_t>(w)]);
      });
    }
    for (std::thread& writer : writers) writer.join();
    const int ok = (results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0);
    ASSERT_EQ(ok, 1) << "round " << round << ": " << results[0].error_message() << " / " << results[1].error_message();
    const size_t winner = results[0].ok() ? 0 : 1;
    EXPECT_EQ(results[1 - winner].error_code(), grpc::StatusCode::ABORTED) << results[1 - winner].error_message();
    const v1::Member stored = GetMember(created.name());
    EXPECT_EQ(stored.phone(), responses[winner].phone()) << "the loser's write is visible";
    EXPECT_EQ(stored.etag(), responses[winner].etag());
  }
}

TEST_F(GrpcUpdateMemberTest, OnlyAdminsInScopeUpdate) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
  v1::Member change = created;
  change.set_phone("0933000444");
  v1::Member updated;
  for (const std::string& token : {SecretaryToken(branch.cell_a), InspectorToken(), AdminToken(other.grassroots),
                                   MemberToken(branch.cell_a, MemberId(created.name())), PortalToken()}) {
    grpc::Status status = Update(change, {"phone"}, &updated, token);
    // A role without the method: PERMISSION_DENIED; an admin of another subtree: NOT_FOUND (issue 10).
    EXPECT_EQ(status.error_code(), Reason(status) == "ROLE_NOT_ALLOWED" ? grpc::StatusCode::PERMISSION_DENIED
                                                                         : grpc::StatusCode::NOT_FOUND) << status.error_message();
  }
  EXPECT_EQ(GetMember(created.name()).etag(), created.etag());
  grpc::Status status = Update(change, {"phone"}, &updated, AdminToken(branch.grassroots));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GrpcUpdateMemberTest, IssuedCardsBecomeCurrentAndKeepHistory) {
  const Branch branch = NewBranch();
  const std::string first_card = UniqueCard();
  const v1::Member created =
      CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-80), first_card);

  v1::IssuePartyCardRequest issue;
  issue.set_member(created.name());
  issue.set_number(UniqueCard());
  issue.set_issued_on(DaysFromToday(-5));
  issue.set_reason("NEW_DESIGN");
  v1::PartyCard card;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::IssuePartyCard, AdminToken(), issue, &card);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(card.number(), issue.number());
  EXPECT_TRUE(card.current());
  EXPECT_THAT(card.name(), HasSubstr(absl::StrCat(created.name(), "/cards/")));

  v1::ListPartyCardsRequest list;
  list.set_member(created.name());
  v1::ListPartyCardsResponse cards;
  status = Call(members(), &v1::MemberService::Stub::ListPartyCards, AdminToken(), list, &cards);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(cards.cards_size(), 2);
  EXPECT_EQ(cards.cards(0).number(), issue.number()) << "newest first";
  EXPECT_TRUE(cards.cards(0).current());
  EXPECT_EQ(cards.cards(1).number(), first_card);
  EXPECT_FALSE(cards.cards(1).current());
  EXPECT_EQ(GetMember(created.name()).party_card_number(), issue.number());

  v1::LookupMemberRequest lookup;
  lookup.set_party_card_number(issue.number());
  v1::Member found;
  status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), lookup, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(found.name(), created.name());

  // A number already issued (to anyone) is refused.
  issue.set_number(first_card);
  status = Call(members(), &v1::MemberService::Stub::IssuePartyCard, AdminToken(), issue, &card);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  // A future issue date is refused.
  issue.set_number(UniqueCard());
  issue.set_issued_on(DaysFromToday(10));
  status = Call(members(), &v1::MemberService::Stub::IssuePartyCard, AdminToken(), issue, &card);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(BadField(status), "issued_on");
  // A secretary does not issue cards.
  issue.set_issued_on(Today());
  status = Call(members(), &v1::MemberService::Stub::IssuePartyCard, SecretaryToken(branch.cell_a), issue, &card);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
}

}  // namespace
}  // namespace grassroots::membership::testing
