// SearchMembers ranking: exact full names first, then full names the query
// starts, then names holding every query word whole, then the rest; pages
// through the ranked order; names follow renames and moves between cells.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "services/membership/handlers/handler_context.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class GrpcSearchRankingTest : public MembershipFixture {
 protected:
  static v1::SearchMembersRequest In(int64_t org, const std::string& query) {
    v1::SearchMembersRequest request;
    request.set_organization(OrgName(org));
    request.set_query(query);
    return request;
  }
  static v1::SearchMembersResponse Search(const v1::SearchMembersRequest& request) {
    v1::SearchMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return response;
  }
  // Full names of the first page, in order.
  static std::vector<std::string> Names(const v1::SearchMembersRequest& request) {
    const v1::SearchMembersResponse response = Search(request);
    std::vector<std::string> names;
    for (const v1::Member& m : response.members()) names.push_back(m.full_name());
    return names;
  }
  // Resource names of every page of `page_size`, in order (fails after 100 pages).
  static std::vector<std::string> AllPages(v1::SearchMembersRequest request, int32_t page_size) {
    request.set_page_size(page_size);
    std::vector<std::string> seen;
    for (int page = 0; page < 100; ++page) {
      const v1::SearchMembersResponse response = Search(request);
      EXPECT_LE(response.members_size(), page_size);
      for (const v1::Member& m : response.members()) seen.push_back(m.name());
      if (response.next_page_token().empty()) return seen;
      request.set_page_token(response.next_page_token());
    }
    ADD_FAILURE() << "no last page";
    return seen;
  }
  static v1::Member Person(const std::string& full_name) {
    return NewPerson(PersonOptions().WithName(full_name));
  }
};

TEST_F(GrpcSearchRankingTest, ExactThenFullNamePrefixThenWholeWordsThenWordPrefixes) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  // Created out of rank order, over both cells; alphabetical order would
  // put "Lê ..." first and "Nguyễn Thị ..." second.
  CreateExisting(branch.cell_a, Person("Nguyễn Thị Văn Anh"));
  CreateExisting(branch.cell_a, Person("Lê Nguyễn Văn An"));
  CreateExisting(branch.cell_a, Person("Nguyễn Văn Ánh"));
  CreateExisting(branch.cell_b, Person("Nguyễn Văn An"));
  CreateExisting(branch.cell_b, Person("Nguyễn Văn Anh"));
  CreateExisting(branch.cell_a, Person("Nguyễn Vân An"));  // folds to the same name: after the first by id
  CreateExisting(branch.cell_a, Person("Nguyễn Văn Bình"));
  CreateExisting(other.cell_a, Person("Nguyễn Văn An"));  // another subtree
  const v1::Member prospect = CreateProspect(branch.cell_b, Person("Nguyễn Văn An"));

  EXPECT_THAT(Names(In(branch.grassroots, "Nguyễn Văn An")),
              ElementsAre("Nguyễn Văn An", "Nguyễn Vân An",      // exact
                          "Nguyễn Văn Ánh", "Nguyễn Văn Anh",    // the name starts with the query; then by id
                          "Lê Nguyễn Văn An",                    // every word whole, not in front
                          "Nguyễn Thị Văn Anh"));                // "an" only starts "anh"
  // Words in another order: none is exact or a prefix.
  EXPECT_THAT(Names(In(branch.grassroots, "an nguyen")),
              ElementsAre("Lê Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Vân An",  // whole words
                          "Nguyễn Thị Văn Anh", "Nguyễn Văn Ánh", "Nguyễn Văn Anh"));
  EXPECT_THAT(Names(In(branch.grassroots, "nguyen van b")), ElementsAre("Nguyễn Văn Bình"));
  EXPECT_THAT(Names(In(branch.cell_b, "nguyen van an")), ElementsAre("Nguyễn Văn An", "Nguyễn Văn Anh"));
  EXPECT_THAT(Names(In(other.grassroots, "nguyen van an")), ElementsAre("Nguyễn Văn An"));

  // Filters keep their meaning: the prospect joins the exact matches, by id.
  v1::SearchMembersRequest with_prospects = In(branch.grassroots, "nguyen van an");
  with_prospects.add_statuses(v1::MEMBER_STATUS_PROSPECT);
  with_prospects.add_statuses(v1::MEMBER_STATUS_OFFICIAL);
  const v1::SearchMembersResponse response = Search(with_prospects);
  ASSERT_EQ(response.members_size(), 7);
  EXPECT_EQ(response.members(2).name(), prospect.name());
  with_prospects.clear_statuses();
  with_prospects.add_statuses(v1::MEMBER_STATUS_PROSPECT);
  EXPECT_THAT(Names(with_prospects), ElementsAre("Nguyễn Văn An"));
}

TEST_F(GrpcSearchRankingTest, PagesWalkTheRankedOrderOnceWithNoneMissed) {
  const Branch branch = NewBranch();
  std::set<std::string> matching;
  // Ties on every level: same names (ordered by id), several in each rank.
  for (const char* name : {"Đinh Công Tráng", "Đinh Công Tráng", "Đinh Công Trang", "Đinh Công Tráng Hưng",
                           "Lý Đinh Công Tráng", "Đinh Thị Công Trâm", "Đinh Công Tráng", "Công Đinh Trà",
                           "Lý Đinh Công Tráng", "Đinh Công Trà"}) {
    matching.insert(CreateExisting(branch.cell_a, Person(name)).name());
  }
  CreateExisting(branch.cell_b, Person("Đinh Văn Công"));  // no word starts with "tra"
  const v1::SearchMembersRequest request = In(branch.grassroots, "dinh cong tra");
  const std::vector<std::string> whole = AllPages(request, 50);
  ASSERT_EQ(whole.size(), matching.size());
  EXPECT_EQ(std::set<std::string>(whole.begin(), whole.end()), matching);
  for (int32_t page_size : {1, 2, 3, 4}) {
    EXPECT_EQ(AllPages(request, page_size), whole) << "page size " << page_size;
  }
  // Included hosted members page with the rest (a second, unioned branch).
  v1::SearchMembersRequest hosted = request;
  hosted.set_include_hosted(true);
  EXPECT_EQ(AllPages(hosted, 3), whole);
}

TEST_F(GrpcSearchRankingTest, PageTokensWithoutARankAreRefused) {
  const Branch branch = NewBranch();
  for (int i = 0; i < 3; ++i) CreateExisting(branch.cell_a, Person("Kiều Văn Sơn"));
  v1::SearchMembersRequest request = In(branch.grassroots, "kieu van son");
  request.set_page_size(1);
  const v1::SearchMembersResponse first = Search(request);
  ASSERT_FALSE(first.next_page_token().empty());

  // The handler's fingerprint of this query; a token of a ranked search with
  // it is accepted, the same without a rank (as issued before results were
  // ranked) is not.
  const std::string default_statuses =
      absl::StrCat(static_cast<int>(v1::MEMBER_STATUS_PROBATIONARY), ",", static_cast<int>(v1::MEMBER_STATUS_OFFICIAL));
  const uint64_t fingerprint =
      common::api::Fingerprint({"SearchMembers", "kieu van son", std::to_string(branch.grassroots), default_statuses,
                                "", "0", "0", std::to_string(static_cast<int>(v1::SEX_UNSPECIFIED)), "", ""});
  const common::api::PageTokenCodec& codec = member_context().page_tokens;
  const int64_t last_id = MemberId(first.members(0).name());
  request.set_page_token(codec.Encode(common::api::PageCursor{"match=0", last_id, fingerprint}));
  EXPECT_EQ(Search(request).members_size(), 1);

  request.set_page_token(codec.Encode(common::api::PageCursor{"", last_id, fingerprint}));
  v1::SearchMembersResponse response;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "page_token");
}

TEST_F(GrpcSearchRankingTest, NamesFollowRenamesAndMovesBetweenCells) {
  const Branch from = NewBranch();
  const Branch to = NewBranch();
  const v1::Member member = CreateExisting(from.cell_a, Person("Tạ Quang Bửu"));
  EXPECT_THAT(Names(In(from.grassroots, "ta quang buu")), ElementsAre("Tạ Quang Bửu"));

  // Rename: the new words are found in the member's cell, the old are gone.
  v1::UpdateMemberRequest update;
  *update.mutable_member() = member;
  update.mutable_member()->set_full_name("Tạ Quang Bảo");
  update.mutable_update_mask()->add_paths("full_name");
  v1::Member renamed;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::UpdateMember, AdminToken(), update, &renamed);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_THAT(Names(In(from.grassroots, "ta quang bao")), ElementsAre("Tạ Quang Bảo"));
  EXPECT_THAT(Names(In(from.cell_a, "bao")), ElementsAre("Tạ Quang Bảo"));
  EXPECT_THAT(Names(In(from.grassroots, "buu")), IsEmpty());

  // An official transfer moves the name with the member once presented.
  v1::StartTransferRequest start;
  start.set_member(member.name());
  start.mutable_transfer()->set_kind(v1::TRANSFER_KIND_OFFICIAL);
  start.mutable_transfer()->set_destination_cell(OrgName(to.cell_b));
  start.mutable_transfer()->set_introduced_on(DaysFromToday(-20));
  start.mutable_transfer()->set_reason("Chuyển công tác");
  *start.mutable_decision() = SomeDecision(DaysFromToday(-20));
  v1::Member moved;
  status = Call(lifecycle(), &v1::LifecycleService::Stub::StartTransfer, AdminToken(), start, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  v1::CompleteTransferRequest complete;
  complete.set_member(member.name());
  complete.set_presented_on(DaysFromToday(-12));
  status = Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(), complete, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << Reason(status);
  ASSERT_EQ(moved.cell(), OrgName(to.cell_b));

  EXPECT_THAT(Names(In(to.grassroots, "ta quang bao")), ElementsAre("Tạ Quang Bảo"));
  EXPECT_THAT(Names(In(to.cell_b, "bao ta")), ElementsAre("Tạ Quang Bảo"));
  EXPECT_THAT(Names(In(from.grassroots, "ta quang bao")), IsEmpty());
  // As of a day before the presentation the member was still in the old cell.
  v1::SearchMembersRequest before = In(from.grassroots, "ta quang bao");
  before.set_as_of_date(DaysFromToday(-14));
  EXPECT_THAT(Names(before), ElementsAre("Tạ Quang Bảo"));
  before.set_organization(OrgName(to.grassroots));
  EXPECT_THAT(Names(before), IsEmpty());
}

}  // namespace
}  // namespace grassroots::membership::testing
