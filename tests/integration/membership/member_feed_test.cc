// Membership's own change feed: every member write is there (for reporting and
// the mobile apps) without the citizen ID; audit entries carry no personal data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

namespace feedv1 = ::grassroots::feed::v1;

class GrpcMemberFeedTest : public MembershipFixture {
 protected:
  // Every change so far (not following), optionally of some resource types.
  static std::vector<feedv1::Change> ReadFeed(const std::vector<std::string>& types, const std::string& token) {
    feedv1::StreamChangesRequest request;
    request.set_after_sequence(0);
    request.set_follow(false);
    for (const std::string& type : types) request.add_resource_types(type);
    grpc::ClientContext context;
    Authorize(context, token);
    std::unique_ptr<grpc::ClientReader<feedv1::Change>> reader = member_feed().StreamChanges(&context, request);
    std::vector<feedv1::Change> changes;
    feedv1::Change change;
    while (reader->Read(&change)) changes.push_back(change);
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return changes;
  }
};

TEST_F(GrpcMemberFeedTest, MemberWritesAreInTheFeedWithoutTheCitizenId) {
  const Branch branch = NewBranch();
  const v1::Member person = NewPerson(PersonOptions().WithName("Lý Thị Feed"));
  const v1::Member created = CreateExisting(branch.cell_a, person);
  v1::UpdateMemberRequest update;
  *update.mutable_member() = created;
  update.mutable_member()->set_phone("0977111222");
  update.mutable_update_mask()->add_paths("phone");
  v1::Member updated;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::UpdateMember, AdminToken(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const std::vector<feedv1::Change> changes = ReadFeed({"member"}, ServiceToken());
  std::vector<std::string> actions;
  int64_t previous = 0;
  for (const feedv1::Change& change : changes) {
    EXPECT_EQ(change.resource_type(), "member");
    EXPECT_GT(change.sequence(), previous) << "feed out of order";
    previous = change.sequence();
    EXPECT_THAT(change.resource().value(), Not(HasSubstr(person.citizen_id())))
        << "citizen ID in the feed payload of " << change.resource_name();
    if (change.resource_name() != created.name()) continue;
    actions.push_back(change.action());
    v1::MemberFacts payload;
    ASSERT_TRUE(change.resource().UnpackTo(&payload)) << change.resource().type_url();
    EXPECT_EQ(payload.member(), created.name());
    EXPECT_EQ(payload.cell(), OrgName(branch.cell_a));
    // A reporting projection: no personal data beyond what statistics count by.
    for (const std::string& personal : {std::string("Lý Thị Feed"), person.phone(), std::string("0977111222"),
                                        person.permanent_address(), person.current_address(), person.birth_date()}) {
      if (personal.empty()) continue;
      EXPECT_THAT(change.resource().value(), Not(HasSubstr(personal))) << "personal data in " << change.action();
    }
  }
  // The update is a correction: it replaced the member's earlier entries (below).
  ASSERT_EQ(actions.size(), 1u) << "the update of " << created.name() << " expected in the feed, alone";
  EXPECT_EQ(actions.back(), "updated");

  // The audit trail names the member but holds no personal data.
  EXPECT_GT(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE resource_name = '", created.name(), "'")),
            0);
  for (const std::string& personal :
       {person.citizen_id(), std::string("Lý Thị Feed"), person.phone(), std::string("0977111222")}) {
    EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%", personal, "%'")), 0)
        << "personal data in audit details";
  }
}

TEST_F(GrpcMemberFeedTest, LifecycleEventsAreInTheFeed) {
  const Branch branch = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
  v1::SuspendMemberRequest suspend;
  suspend.set_member(created.name());
  suspend.set_effective_date(DaysFromToday(-1));
  suspend.set_reason("Điều tra");
  *suspend.mutable_decision() = SomeDecision(DaysFromToday(-1));
  v1::Member out;
  grpc::Status status = Call(lifecycle(), &v1::LifecycleService::Stub::SuspendMember, AdminToken(), suspend, &out);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);

  std::vector<std::string> event_entries;
  bool member_suspended = false;
  for (const feedv1::Change& change : ReadFeed({}, ServiceToken())) {
    if (change.resource_type() == "member_event" &&
        change.resource_name().rfind(absl::StrCat(created.name(), "/events/"), 0) == 0) {
      event_entries.push_back(change.resource_name());
    }
    if (change.resource_type() == "member" && change.resource_name() == created.name()) {
      v1::MemberFacts payload;
      if (change.resource().UnpackTo(&payload) && payload.suspended()) member_suspended = true;
    }
  }
  EXPECT_GE(event_entries.size(), 1u) << "the SUSPENDED event is not in the feed";
  EXPECT_TRUE(member_suspended) << "no member entry with the member suspended";
}

TEST_F(GrpcMemberFeedTest, OnlyServiceAndAdminReadTheFeed) {
  const Branch branch = NewBranch();
  feedv1::StreamChangesRequest request;
  for (const std::string& token : {SecretaryToken(branch.cell_a), InspectorToken(), PortalToken()}) {
    grpc::ClientContext context;
    Authorize(context, token);
    auto reader = member_feed().StreamChanges(&context, request);
    feedv1::Change change;
    while (reader->Read(&change)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  feedv1::FeedHead head;
  grpc::Status status = Call(member_feed(), &feedv1::ChangeFeedService::Stub::GetFeedHead, ServiceToken(),
                             feedv1::GetFeedHeadRequest(), &head);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(head.last_sequence(), CountRows("change_feed"));
}

// A correction reaches the feed's stored history: after UpdateMember no entry
// of the member still carries a value it replaced, and a consumer reading from
// 0 gets the corrected state.
TEST_F(GrpcMemberFeedTest, ACorrectionLeavesNoEntryWithTheOldValues) {
  const Branch branch = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
  ASSERT_EQ(created.ethnicity(), "01");
  const auto entries_of_member = [&] {
    std::vector<v1::MemberFacts> out;
    for (const feedv1::Change& change : ReadFeed({"member"}, ServiceToken())) {
      if (change.resource_name() != created.name()) continue;
      v1::MemberFacts facts;
      EXPECT_TRUE(change.resource().UnpackTo(&facts));
      out.push_back(facts);
    }
    return out;
  };
  // Before: the creation and its lifecycle entries hold the old code.
  const std::vector<v1::MemberFacts> before = entries_of_member();
  ASSERT_GE(before.size(), 1u);
  int holding_old = 0;
  for (const v1::MemberFacts& facts : before) holding_old += facts.ethnicity_code() == "01" ? 1 : 0;
  EXPECT_EQ(holding_old, static_cast<int>(before.size()));

  v1::UpdateMemberRequest update;
  *update.mutable_member() = GetMember(created.name());
  update.mutable_member()->set_ethnicity("02");
  update.mutable_update_mask()->add_paths("ethnicity");
  v1::Member updated;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::UpdateMember, AdminToken(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  ASSERT_EQ(updated.ethnicity(), "02");

  const std::vector<v1::MemberFacts> after = entries_of_member();
  ASSERT_EQ(after.size(), 1u) << "only the corrected state is left";
  EXPECT_EQ(after[0].ethnicity_code(), "02");
  EXPECT_EQ(after[0].cell(), OrgName(branch.cell_a)) << "the entry left is the whole state";
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE resource_name = '", created.name(),
                                     "' AND resource_type = 'member'")),
            1);
  // The audit trail of the earlier writes stays (it holds no personal data).
  EXPECT_GE(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE resource_name = '", created.name(), "'")),
            2);
}

}  // namespace
}  // namespace grassroots::membership::testing
