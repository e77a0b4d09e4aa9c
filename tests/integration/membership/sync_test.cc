// MemberSyncService through gRPC, with the real org service writing meetings
// that reach membership through its meetings follower: a member's first sync
// is their whole offline copy, an idle sync is empty with the same cursor,
// later syncs carry only what changed, pages resume without loss or repeat,
// a cursor is the member's own, moving to another cell starts over, and the
// member's dues come along when they change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "grassroots/membership/v1/sync.grpc.pb.h"
#include "grassroots/org/v1/meeting.grpc.pb.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/loopback.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using google::protobuf::util::TimeUtil;

class GrpcSyncTest : public MembershipFixture {
 protected:
  static void SetUpTestSuite() {
    MembershipFixture::SetUpTestSuite();
    auto channel = grassroots::testing::LoopbackChannel(org_port());
    meetings_ = orgv1::MeetingService::NewStub(channel).release();
    sync_ = v1::MemberSyncService::NewStub(grassroots::testing::LoopbackChannel(membership_port())).release();
    dues_ = v1::DuesService::NewStub(grassroots::testing::LoopbackChannel(membership_port())).release();
  }
  static void TearDownTestSuite() {
    delete meetings_;
    delete sync_;
    delete dues_;
    MembershipFixture::TearDownTestSuite();
  }

  static int ThisYear() { return std::stoi(Today().substr(0, 4)); }

  static std::string TokenOf(int64_t cell, const v1::Member& member) {
    return MemberToken(cell, MemberId(member.name()));
  }

  static grpc::Status Sync(const std::string& token, const std::string& cursor, v1::SyncMyRecordResponse* out,
                           int page_size = 0) {
    v1::SyncMyRecordRequest request;
    request.set_cursor(cursor);
    request.set_page_size(page_size);
    return Call(*sync_, &v1::MemberSyncService::Stub::SyncMyRecord, token, request, out);
  }
  static v1::SyncMyRecordResponse SyncOk(const std::string& token, const std::string& cursor, int page_size = 0) {
    v1::SyncMyRecordResponse out;
    grpc::Status status = Sync(token, cursor, &out, page_size);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
    return out;
  }

  // A meeting of `cell` starting `days` from now (held when in the past, with `attendees` present).
  static orgv1::Meeting CreateMeeting(int64_t cell, int days, const std::vector<std::string>& attendees = {},
                                      const std::string& topic = "Sinh hoạt thường kỳ") {
    orgv1::Meeting m;
    m.set_kind(orgv1::MEETING_KIND_REGULAR);
    m.set_mode(orgv1::MEETING_MODE_IN_PERSON);
    m.set_topic(topic);
    const auto start = TimeUtil::GetCurrentTime() + TimeUtil::HoursToDuration(24LL * days);
    *m.mutable_planned_start() = start;
    *m.mutable_planned_end() = start + TimeUtil::MinutesToDuration(120);
    if (days < 0) {
      *m.mutable_actual_start() = m.planned_start();
      *m.mutable_actual_end() = m.planned_end();
      m.set_invited_count(static_cast<int32_t>(attendees.size()) + 1);
      m.set_present_count(static_cast<int32_t>(attendees.size()));
      for (const std::string& a : attendees) m.add_attendees(a);
    }
    orgv1::CreateMeetingRequest request;
    request.set_parent(OrgName(cell));
    *request.mutable_meeting() = m;
    orgv1::Meeting out;
    grpc::Status status = Call(*meetings_, &orgv1::MeetingService::Stub::CreateMeeting, AdminToken(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }

  // Waits until membership's meetings projection has every change org's feed holds now.
  static void WaitForMeetings() {
    const int64_t head = OrgDbInt("SELECT last_sequence FROM feed_head WHERE id = 1");
    ASSERT_TRUE(member_services().meetings_follower().WaitUntilHandled(head, std::chrono::seconds(15)))
        << "the meetings follower did not reach org's feed head " << head;
  }

  static void Commit(const v1::Member& member, const std::string& token, const std::string& content) {
    v1::RecordCommitmentRequest request;
    request.mutable_commitment()->set_member(member.name());
    request.mutable_commitment()->set_year(ThisYear());
    request.mutable_commitment()->set_registered_on(Today());
    request.mutable_commitment()->set_content(content);
    v1::Commitment out;
    grpc::Status status = Call(yearly(), &v1::YearlyRecordService::Stub::RecordCommitment, token, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }

  static void RateLastYear(const v1::Member& member, double score) {
    v1::RateMemberRequest request;
    request.mutable_rating()->set_member(member.name());
    request.mutable_rating()->set_year(ThisYear() - 1);
    request.mutable_rating()->set_score(score);
    v1::RateMemberResponse out;
    grpc::Status status = Call(yearly(), &v1::YearlyRecordService::Stub::RateMember, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }

  static std::vector<std::string> MeetingNames(const v1::SyncMyRecordResponse& page) {
    std::vector<std::string> names;
    for (const v1::SyncedMeeting& m : page.meetings()) names.push_back(m.name());
    return names;
  }
  static std::vector<std::string> RecordNames(const v1::SyncMyRecordResponse& page) {
    std::vector<std::string> names;
    for (const v1::YearlyRecord& r : page.yearly_records()) {
      if (r.has_commitment()) names.push_back(r.commitment().name());
      if (r.has_rating()) names.push_back(r.rating().name());
      if (r.has_residence_feedback()) names.push_back(r.residence_feedback().name());
      if (r.has_residence_registration()) names.push_back(r.residence_registration().name());
      if (r.has_training()) names.push_back(r.training().name());
    }
    return names;
  }

  static orgv1::MeetingService::Stub* meetings_;
  static v1::MemberSyncService::Stub* sync_;
  static v1::DuesService::Stub* dues_;
};

orgv1::MeetingService::Stub* GrpcSyncTest::meetings_ = nullptr;
v1::MemberSyncService::Stub* GrpcSyncTest::sync_ = nullptr;
v1::DuesService::Stub* GrpcSyncTest::dues_ = nullptr;

TEST_F(GrpcSyncTest, FirstSyncIsTheWholeOfflineCopyAndAnIdleSyncIsEmptyWithTheSameCursor) {
  const Branch branch = NewBranch();
  const v1::Member me =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  const v1::Member neighbour = CreateExisting(branch.cell_a, NewPerson());
  const std::string token = TokenOf(branch.cell_a, me);
  Commit(me, token, "Tu dưỡng, rèn luyện đạo đức, lối sống");
  RateLastYear(me, 85);
  Commit(neighbour, TokenOf(branch.cell_a, neighbour), "Không phải của tôi");
  const orgv1::Meeting held = CreateMeeting(branch.cell_a, -20, {me.name(), neighbour.name()});
  const orgv1::Meeting missed = CreateMeeting(branch.cell_a, -10, {neighbour.name()});
  const orgv1::Meeting planned = CreateMeeting(branch.cell_a, 15);
  CreateMeeting(branch.cell_b, -5, {});                  // another cell's
  CreateMeeting(branch.cell_a, -(366 + 400), {me.name()});  // before the window
  WaitForMeetings();

  const v1::SyncMyRecordResponse first = SyncOk(token, "");
  EXPECT_FALSE(first.reset());
  EXPECT_FALSE(first.has_more());
  ASSERT_TRUE(first.has_record());
  EXPECT_EQ(first.record().member().name(), me.name());
  EXPECT_FALSE(first.record().member().citizen_id().empty()) << "the member's own sensitive fields";
  EXPECT_FALSE(first.record().events().empty());
  EXPECT_THAT(RecordNames(first),
              UnorderedElementsAre(absl::StrCat(me.name(), "/commitments/", ThisYear()),
                                   absl::StrCat(me.name(), "/ratings/", ThisYear() - 1)));
  for (const v1::YearlyRecord& r : first.yearly_records()) {
    if (r.has_commitment()) {
      EXPECT_TRUE(r.commitment().required()) << "civil servants must register one";
    }
  }
  EXPECT_THAT(MeetingNames(first), UnorderedElementsAre(held.name(), missed.name(), planned.name()));
  for (const v1::SyncedMeeting& m : first.meetings()) {
    EXPECT_EQ(m.attended(), m.name() == held.name()) << m.name();
    EXPECT_EQ(m.has_actual_start(), m.name() != planned.name()) << m.name();
  }
  ASSERT_EQ(first.duties_size(), 2);
  EXPECT_EQ(first.duties(0).year(), ThisYear() - 1);
  EXPECT_TRUE(first.duties(0).has_rating());
  EXPECT_EQ(first.duties(1).year(), ThisYear());
  EXPECT_TRUE(first.duties(1).commitment_required());
  EXPECT_EQ(first.duties(1).commitment().content(), "Tu dưỡng, rèn luyện đạo đức, lối sống");
  EXPECT_FALSE(first.duties(1).has_rating());
  EXPECT_FALSE(first.duties(1).residence_feedback_expected());
  ASSERT_TRUE(first.has_dues()) << "the year's dues";
  EXPECT_EQ(first.dues().months_size(), 12);
  EXPECT_EQ(first.dues().member(), me.name());
  ASSERT_FALSE(first.next_cursor().empty());

  // Nothing changed for this member: an empty page and the same cursor,
  // even though others' records and another cell's meetings keep changing.
  Commit(neighbour, TokenOf(branch.cell_a, neighbour), "Vẫn không phải của tôi");
  CreateMeeting(branch.cell_b, -3, {});
  WaitForMeetings();
  const v1::SyncMyRecordResponse idle = SyncOk(token, first.next_cursor());
  EXPECT_FALSE(idle.has_record());
  EXPECT_FALSE(idle.has_dues());
  EXPECT_THAT(idle.duties(), IsEmpty());
  EXPECT_THAT(idle.yearly_records(), IsEmpty());
  EXPECT_THAT(idle.meetings(), IsEmpty());
  EXPECT_FALSE(idle.has_more());
  EXPECT_EQ(idle.next_cursor(), first.next_cursor());
  EXPECT_EQ(idle.SerializeAsString(), SyncOk(token, idle.next_cursor()).SerializeAsString());

  // The member's own commitment changes: that record and the duties, not the profile.
  Commit(me, token, "Gương mẫu trong công tác và nơi cư trú");
  v1::SyncMyRecordResponse changed = SyncOk(token, idle.next_cursor());
  EXPECT_FALSE(changed.has_record());
  EXPECT_THAT(RecordNames(changed), ElementsAre(absl::StrCat(me.name(), "/commitments/", ThisYear())));
  ASSERT_EQ(changed.duties_size(), 2);
  EXPECT_EQ(changed.duties(1).commitment().content(), "Gương mẫu trong công tác và nơi cư trú");
  EXPECT_THAT(changed.meetings(), IsEmpty());
  EXPECT_NE(changed.next_cursor(), idle.next_cursor());

  // The secretary records the planned meeting as held with the member present: that meeting only.
  orgv1::UpdateMeetingRequest update;
  *update.mutable_meeting() = planned;
  *update.mutable_meeting()->mutable_actual_start() = TimeUtil::GetCurrentTime() - TimeUtil::MinutesToDuration(150);
  *update.mutable_meeting()->mutable_actual_end() = TimeUtil::GetCurrentTime() - TimeUtil::MinutesToDuration(30);
  update.mutable_meeting()->add_attendees(me.name());
  update.mutable_meeting()->set_invited_count(2);
  update.mutable_meeting()->set_present_count(1);
  for (const char* path : {"actual_start", "actual_end", "attendees", "invited_count", "present_count"}) {
    update.mutable_update_mask()->add_paths(path);
  }
  orgv1::Meeting updated;
  grpc::Status status =
      Call(*meetings_, &orgv1::MeetingService::Stub::UpdateMeeting, AdminToken(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  WaitForMeetings();
  const v1::SyncMyRecordResponse after_meeting = SyncOk(token, changed.next_cursor());
  ASSERT_THAT(MeetingNames(after_meeting), ElementsAre(planned.name()));
  EXPECT_TRUE(after_meeting.meetings(0).attended());
  EXPECT_TRUE(after_meeting.meetings(0).has_actual_start());
  EXPECT_FALSE(after_meeting.has_record());
  EXPECT_THAT(after_meeting.yearly_records(), IsEmpty());
  EXPECT_THAT(after_meeting.duties(), IsEmpty());
  EXPECT_FALSE(after_meeting.has_dues());

  // A payment recorded for the member: the dues again, nothing else.
  v1::RecordDuesPaymentRequest pay;
  pay.mutable_entry()->set_member(me.name());
  pay.mutable_entry()->set_month(Today().substr(0, 7));
  pay.mutable_entry()->set_amount(20'000);
  pay.mutable_entry()->set_channel(v1::DUES_CHANNEL_CASH);
  v1::DuesEntry paid;
  status = Call(*dues_, &v1::DuesService::Stub::RecordDuesPayment, AdminToken(), pay, &paid);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  const v1::SyncMyRecordResponse after_payment = SyncOk(token, after_meeting.next_cursor());
  ASSERT_TRUE(after_payment.has_dues());
  ASSERT_EQ(after_payment.dues().entries_size(), 1);
  EXPECT_EQ(after_payment.dues().entries(0).name(), paid.name());
  EXPECT_FALSE(after_payment.has_record());
  EXPECT_THAT(after_payment.meetings(), IsEmpty());
  EXPECT_FALSE(SyncOk(token, after_payment.next_cursor()).has_dues());
}

TEST_F(GrpcSyncTest, PagesResumeWithoutLossOrRepeat) {
  const Branch branch = NewBranch();
  const v1::Member me =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  const std::string token = TokenOf(branch.cell_a, me);
  Commit(me, token, "Cam kết năm nay");
  RateLastYear(me, 72);
  std::set<std::string> expected_meetings;
  for (int i = 0; i < 7; ++i) {
    expected_meetings.insert(CreateMeeting(branch.cell_a, -30 - i, {me.name()}, absl::StrCat("Kỳ ", i)).name());
  }
  WaitForMeetings();

  std::string cursor;
  std::vector<std::string> seen_records, seen_meetings;
  int pages = 0, pages_with_record = 0;
  for (;;) {
    const v1::SyncMyRecordResponse page = SyncOk(token, cursor, /*page_size=*/3);
    ++pages;
    ASSERT_LE(page.yearly_records_size() + page.meetings_size(), 3);
    if (page.has_record()) ++pages_with_record;
    for (const std::string& name : RecordNames(page)) seen_records.push_back(name);
    for (const std::string& name : MeetingNames(page)) seen_meetings.push_back(name);
    cursor = page.next_cursor();
    if (!page.has_more()) break;
    ASSERT_LT(pages, 10) << "the sync does not end";
  }
  EXPECT_EQ(pages, 3) << "2 records and 7 meetings in pages of 3";
  EXPECT_EQ(pages_with_record, 1) << "the profile is sent once";
  EXPECT_THAT(seen_records, UnorderedElementsAre(absl::StrCat(me.name(), "/commitments/", ThisYear()),
                                                 absl::StrCat(me.name(), "/ratings/", ThisYear() - 1)));
  EXPECT_EQ(std::set<std::string>(seen_meetings.begin(), seen_meetings.end()), expected_meetings);
  EXPECT_EQ(seen_meetings.size(), expected_meetings.size()) << "no meeting twice";

  // Resumed after the last page: nothing more.
  const v1::SyncMyRecordResponse done = SyncOk(token, cursor, 3);
  EXPECT_FALSE(done.has_more());
  EXPECT_THAT(done.meetings(), IsEmpty());
  EXPECT_EQ(done.next_cursor(), cursor);
}

TEST_F(GrpcSyncTest, ACursorIsTheMembersOwnAndOnlyAMemberSyncs) {
  const Branch branch = NewBranch();
  const v1::Member me = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member other = CreateExisting(branch.cell_a, NewPerson());
  const v1::SyncMyRecordResponse mine = SyncOk(TokenOf(branch.cell_a, me), "");

  v1::SyncMyRecordResponse out;
  grpc::Status status = Sync(TokenOf(branch.cell_a, other), mine.next_cursor(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(BadField(status), "cursor");
  std::string tampered = mine.next_cursor();
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  status = Sync(TokenOf(branch.cell_a, me), tampered, &out);
  EXPECT_EQ(BadField(status), "cursor") << status.error_message();
  status = Sync(TokenOf(branch.cell_a, me), "", &out, -1);
  EXPECT_EQ(BadField(status), "page_size") << status.error_message();
  for (const std::string& token : {AdminToken(), SecretaryToken(branch.cell_a), InspectorToken(), ServiceToken()}) {
    status = Sync(token, "", &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  }
  status = Sync("", "", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
}

TEST_F(GrpcSyncTest, MovingToAnotherCellStartsTheCopyOver) {
  const Branch branch = NewBranch();
  const v1::Member me = CreateExisting(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-60));
  const orgv1::Meeting old_cell = CreateMeeting(branch.cell_a, -40, {me.name()});
  const orgv1::Meeting new_cell = CreateMeeting(branch.cell_b, -2, {});
  WaitForMeetings();
  const v1::SyncMyRecordResponse before = SyncOk(TokenOf(branch.cell_a, me), "");
  EXPECT_THAT(MeetingNames(before), ElementsAre(old_cell.name()));

  v1::StartTransferRequest start;
  start.set_member(me.name());
  start.mutable_transfer()->set_kind(v1::TRANSFER_KIND_OFFICIAL);
  start.mutable_transfer()->set_destination_cell(OrgName(branch.cell_b));
  start.mutable_transfer()->set_introduced_on(DaysFromToday(-10));
  *start.mutable_decision() = SomeDecision(DaysFromToday(-10));
  v1::Member moved;
  grpc::Status status = Call(lifecycle(), &v1::LifecycleService::Stub::StartTransfer, AdminToken(), start, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  v1::CompleteTransferRequest complete;
  complete.set_member(me.name());
  complete.set_presented_on(DaysFromToday(-5));
  status = Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(), complete, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);

  const v1::SyncMyRecordResponse after = SyncOk(TokenOf(branch.cell_b, me), before.next_cursor());
  EXPECT_TRUE(after.reset());
  ASSERT_TRUE(after.has_record());
  EXPECT_EQ(after.record().member().cell(), OrgName(branch.cell_b));
  EXPECT_THAT(MeetingNames(after), ElementsAre(new_cell.name()));
  EXPECT_EQ(after.duties_size(), 2);
  // The next page of the same copy does not start over again.
  const v1::SyncMyRecordResponse next = SyncOk(TokenOf(branch.cell_b, me), after.next_cursor());
  EXPECT_FALSE(next.reset());
  EXPECT_EQ(next.next_cursor(), after.next_cursor());
}

}  // namespace
}  // namespace grassroots::membership::testing
