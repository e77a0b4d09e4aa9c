// The org service's change feed is not scoped to a user: only the service role
// may read it (issue 7, the feed leak).
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

namespace feedv1 = ::grassroots::feed::v1;

class OrgFeedAccessTest : public OrgFixture {};

TEST_F(OrgFeedAccessTest, OnlyTheServiceRoleMayStreamOrReadTheHead) {
  const v1::Organization cell = CreateOrg("CHI_BO_CO_SO", RootName(), "Chi bộ kiểm tra luồng thay đổi");
  const int64_t cell_id = IdOf(cell.name());
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"scoped admin", AdminToken(cell_id)},
      {"root admin", AdminToken()},
      {"secretary", SecretaryToken(cell_id)},
      {"portal", PortalToken()},
      {"member", MemberToken(cell_id, 1)},
  };
  for (const auto& [who, token] : refused) {
    grpc::ClientContext stream_context;
    Authorize(stream_context, token);
    auto reader = feed().StreamChanges(&stream_context, feedv1::StreamChangesRequest());
    feedv1::Change change;
    EXPECT_FALSE(reader->Read(&change)) << who << " received a change";
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED) << who;

    grpc::ClientContext head_context;
    Authorize(head_context, token);
    feedv1::FeedHead head;
    EXPECT_EQ(feed().GetFeedHead(&head_context, {}, &head).error_code(), grpc::StatusCode::PERMISSION_DENIED) << who;
  }

  grpc::ClientContext stream_context;
  Authorize(stream_context, ServiceToken());
  auto reader = feed().StreamChanges(&stream_context, feedv1::StreamChangesRequest());
  feedv1::Change change;
  int received = 0;
  while (reader->Read(&change)) ++received;
  const grpc::Status streamed = reader->Finish();
  ASSERT_TRUE(streamed.ok()) << streamed.error_message();
  EXPECT_GE(received, 2) << "the root and the cell are on the feed";
  grpc::ClientContext head_context;
  Authorize(head_context, ServiceToken());
  feedv1::FeedHead head;
  ASSERT_TRUE(feed().GetFeedHead(&head_context, {}, &head).ok());
  EXPECT_EQ(head.last_sequence(), received);
}

}  // namespace
}  // namespace grassroots::org::testing
