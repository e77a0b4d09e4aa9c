// Membership's change feed carries every member in the database, whatever a
// user's scope: only the service role may read it (issue 7, the feed leak).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

namespace feedv1 = ::grassroots::feed::v1;

class MemberFeedAccessTest : public MembershipFixture {
 protected:
  // The status of a whole StreamChanges read from sequence 0.
  static grpc::Status StreamFromStart(const std::string& token, int* received) {
    grpc::ClientContext context;
    Authorize(context, token);
    feedv1::StreamChangesRequest request;
    std::unique_ptr<grpc::ClientReader<feedv1::Change>> reader = member_feed().StreamChanges(&context, request);
    feedv1::Change change;
    *received = 0;
    while (reader->Read(&change)) ++*received;
    return reader->Finish();
  }
};

TEST_F(MemberFeedAccessTest, OnlyTheServiceRoleMayStreamOrReadTheHead) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"scoped admin", AdminToken(branch.grassroots)},
      {"root admin", AdminToken()},
      {"secretary", SecretaryToken(branch.cell_a)},
      {"portal", PortalToken()},
      {"member", MemberToken(branch.cell_a, MemberId(member.name()))},
  };
  for (const auto& [who, token] : refused) {
    int received = -1;
    const grpc::Status streamed = StreamFromStart(token, &received);
    EXPECT_EQ(streamed.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who << ": " << streamed.error_message();
    EXPECT_EQ(received, 0) << who << " received changes";
    feedv1::FeedHead head;
    EXPECT_EQ(Call(member_feed(), &feedv1::ChangeFeedService::Stub::GetFeedHead, token, feedv1::GetFeedHeadRequest(),
                   &head)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }

  int received = 0;
  const grpc::Status streamed = StreamFromStart(ServiceToken(), &received);
  ASSERT_TRUE(streamed.ok()) << streamed.error_message();
  EXPECT_GE(received, 1) << "the member just created is on the feed";
  feedv1::FeedHead head;
  const grpc::Status status = Call(member_feed(), &feedv1::ChangeFeedService::Stub::GetFeedHead, ServiceToken(),
                                   feedv1::GetFeedHeadRequest(), &head);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(head.last_sequence(), received);
}

}  // namespace
}  // namespace grassroots::membership::testing
