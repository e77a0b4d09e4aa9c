// The member-facts follower and projection against the REAL membership
// service (membership's integration fixture: the org and membership services
// in-process on loopback, their own databases). Members are created and their
// lifecycle recorded through membership's API; the projection, in a database
// of its own (as inspection's), must show what membership says of each day.
#include "services/memberfacts/member_facts_follower.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "services/memberfacts/member_facts_projection.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/test_db.h"

namespace grassroots::memberfacts {
namespace {

namespace feedv1 = grassroots::feed::v1;
namespace v1 = grassroots::membership::v1;
using grassroots::testing::Eventually;
using grassroots::testing::MetricValue;
using LifecycleStub = v1::LifecycleService::Stub;
using std::chrono::milliseconds;

const prometheus::Labels kMembershipSource{{"source", "membership"}};

class MemberFactsFollowerTest : public membership::testing::MembershipFixture {
 protected:
  void SetUp() override {
    auto db = grassroots::testing::TestDatabase::Create(
        "memberfacts", {&common::db::CommonMigrations(), &MemberFactsMigrations()}, 4);
    ASSERT_TRUE(db.ok()) << db.status();
    projection_db_ = std::move(*db);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", membership_port()), grpc::InsecureChannelCredentials());
  }
  void TearDown() override { follower_.reset(); }

  MemberFactsFollower& StartFollower() {
    follower_.reset();
    registry_ = std::make_shared<prometheus::Registry>();
    common::feed::FeedFollowerOptions options = MemberFactsFollowerDefaults();
    options.initial_backoff = milliseconds(50);
    options.max_backoff = milliseconds(300);
    options.head_poll_interval = milliseconds(100);
    // The service role's token, without the "Bearer " the follower adds.
    const std::string bearer = ServiceToken().substr(std::string("Bearer ").size());
    follower_ = std::make_unique<MemberFactsFollower>(
        channel_, [bearer]() -> absl::StatusOr<std::string> { return bearer; }, projection_db_->pool(), registry_,
        options);
    follower_->Start();
    return *follower_;
  }

  static int64_t MembershipFeedHead() { return MemberDbInt("SELECT last_sequence FROM feed_head"); }
  void ExpectCaughtUp() {
    const int64_t head = MembershipFeedHead();
    ASSERT_TRUE(follower_->WaitUntilHandled(head, milliseconds(15000)))
        << "handled " << follower_->HandledSequence() << ", membership feed head " << head;
  }
  int64_t StoredCursor() {
    return projection_db_->QueryInt("SELECT COALESCE(MAX(last_sequence), 0) FROM feed_cursors WHERE source = 'membership'")
        .value_or(-1);
  }
  double Metric(const std::string& name) { return MetricValue(*registry_, name, kMembershipSource); }

  template <typename T>
  T Read(const std::function<absl::StatusOr<T>(common::db::Session&)>& read) {
    absl::StatusOr<T> result = projection_db_->pool().Read<T>("test.read", read);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *std::move(result) : T();
  }
  absl::StatusOr<ProjectedPeriod> StatusOn(int64_t member_id, const std::string& day) {
    const absl::CivilDay civil = common::api::ParseDate(day, "day").value();
    return projection_db_->pool().Read<ProjectedPeriod>("test.status_on", [&](common::db::Session& s) {
      return MemberFactsProjection::StatusOn(s, member_id, civil);
    });
  }
  static absl::CivilDay Day(const std::string& text) { return common::api::ParseDate(text, "day").value(); }

  static void Exempt(const std::string& member, const std::string& from) {
    v1::ExemptMemberRequest request;
    request.set_member(member);
    request.set_effective_date(from);
    request.set_reason("POOR_HEALTH");
    *request.mutable_decision() = SomeDecision(from);
    v1::Member out;
    const grpc::Status status = Call(lifecycle(), &LifecycleStub::ExemptMember, AdminToken(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }
  // A transfer started on `introduced` and presented at the destination on `presented`.
  static void Transfer(const std::string& member, v1::TransferKind kind, int64_t destination,
                       const std::string& introduced, const std::string& presented, const std::string& planned_end) {
    v1::StartTransferRequest start;
    start.set_member(member);
    start.mutable_transfer()->set_kind(kind);
    start.mutable_transfer()->set_destination_cell(OrgName(destination));
    start.mutable_transfer()->set_introduced_on(introduced);
    start.mutable_transfer()->set_planned_end(planned_end);
    start.mutable_transfer()->set_reason("Chuyển công tác");
    *start.mutable_decision() = SomeDecision(introduced);
    v1::Member out;
    grpc::Status status = Call(lifecycle(), &LifecycleStub::StartTransfer, AdminToken(), start, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    v1::CompleteTransferRequest complete;
    complete.set_member(member);
    complete.set_presented_on(presented);
    status = Call(lifecycle(), &LifecycleStub::CompleteTransfer, AdminToken(), complete, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }
  // Appends an entry to membership's feed through the feed's own writer (as a producer bug would).
  static int64_t AppendMembershipEntry(const std::string& type, const std::string& name,
                                       const google::protobuf::Message& payload) {
    auto sequence = grassroots::testing::AppendFeedChange(member_context().pool, {type, name, "replaced", &payload});
    EXPECT_TRUE(sequence.ok()) << sequence.status();
    return sequence.value_or(-1);
  }

  std::unique_ptr<grassroots::testing::TestDatabase> projection_db_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<MemberFactsFollower> follower_;
};

TEST_F(MemberFactsFollowerTest, ProjectsEachMembersFactsAndStatusPeriodsAsMembershipRecordsThem) {
  const membership::testing::Branch home = NewBranch();
  const membership::testing::Branch away = NewBranch();
  const membership::testing::Branch host = NewBranch();
  const std::string ceremony = MonthsFromToday(-60);
  const v1::Member mover = CreateExisting(home.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, ceremony);
  Exempt(mover.name(), DaysFromToday(-100));
  Transfer(mover.name(), v1::TRANSFER_KIND_OFFICIAL, away.cell_b, DaysFromToday(-40), DaysFromToday(-30), "");
  const v1::Member worker = CreateExisting(home.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, ceremony);
  const std::string hosted_from = DaysFromToday(-25);
  Transfer(worker.name(), v1::TRANSFER_KIND_TEMPORARY_WORK, host.cell_a, DaysFromToday(-30), hosted_from,
           AddMonths(DaysFromToday(-30), 6));
  const int64_t mover_id = MemberId(mover.name());
  const int64_t worker_id = MemberId(worker.name());

  MemberFactsFollower& follower = StartFollower();
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return follower.Ready(); }));

  // The current facts, as membership has them today.
  const v1::Member mover_now = GetMember(mover.name());
  const std::optional<ProjectedMember> found = Read<std::optional<ProjectedMember>>(
      [&](common::db::Session& s) { return MemberFactsProjection::Find(s, mover_id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(OrgName(found->cell_id.value_or(0)), mover_now.cell());
  EXPECT_EQ(found->cell_id, away.cell_b);
  EXPECT_TRUE(found->exempt);
  EXPECT_EQ(found->admission_ceremony_date, Day(ceremony));
  EXPECT_FALSE(Read<std::optional<ProjectedMember>>([&](common::db::Session& s) {
                 return MemberFactsProjection::Find(s, 987654321);
               }).has_value());

  // Each day's period agrees with membership's own answer as of that day.
  for (const std::string& day : {AddDays(ceremony, 1), DaysFromToday(-101), DaysFromToday(-100), DaysFromToday(-41),
                                 DaysFromToday(-30), DaysFromToday(-29), Today()}) {
    const v1::Member as_of = GetMember(mover.name(), day);
    absl::StatusOr<ProjectedPeriod> period = StatusOn(mover_id, day);
    ASSERT_TRUE(period.ok()) << day << ": " << period.status();
    EXPECT_EQ(period->status, as_of.status()) << day;
    EXPECT_EQ(OrgName(period->cell_id.value_or(0)), as_of.cell()) << day;
    EXPECT_EQ(period->exempt, as_of.exempt()) << day;
  }
  EXPECT_EQ(StatusOn(mover_id, DaysFromToday(-41))->cell_id, home.cell_a);
  EXPECT_EQ(StatusOn(mover_id, Today())->cell_id, away.cell_b);
  EXPECT_FALSE(StatusOn(mover_id, DaysFromToday(-101))->exempt);
  EXPECT_TRUE(StatusOn(mover_id, DaysFromToday(-100))->exempt);
  EXPECT_EQ(StatusOn(mover_id, AddDays(ceremony, -1)).status().code(), absl::StatusCode::kNotFound)
      << "before the record begins";
  EXPECT_EQ(StatusOn(987654321, Today()).status().code(), absl::StatusCode::kNotFound);

  // A temporary transfer: counted in its own cell, hosted in the other.
  using Cells = std::vector<int64_t>;
  EXPECT_EQ(Read<Cells>([&](common::db::Session& s) {
              return MemberFactsProjection::CellsOfMemberOn(s, worker_id, Day(Today()));
            }),
            (Cells{home.cell_a, host.cell_a}));
  EXPECT_EQ(Read<Cells>([&](common::db::Session& s) {
              return MemberFactsProjection::CellsOfMemberOn(s, worker_id, Day(DaysFromToday(-27)));
            }),
            (Cells{home.cell_a}));
  EXPECT_TRUE(Read<Cells>([&](common::db::Session& s) {
                return MemberFactsProjection::CellsOfMemberOn(s, worker_id, Day(AddDays(ceremony, -1)));
              }).empty());

  using Members = std::vector<CellMemberOnDay>;
  const Members in_host = Read<Members>([&](common::db::Session& s) {
    return MemberFactsProjection::MembersOfCellOn(s, host.cell_a, Day(Today()));
  });
  ASSERT_EQ(in_host.size(), 1u);
  EXPECT_EQ(in_host[0].member_id, worker_id);
  EXPECT_TRUE(in_host[0].hosted);
  const Members in_home_before = Read<Members>([&](common::db::Session& s) {
    return MemberFactsProjection::MembersOfCellOn(s, home.cell_a, Day(DaysFromToday(-50)));
  });
  ASSERT_EQ(in_home_before.size(), 2u);
  EXPECT_EQ(in_home_before[0].member_id, std::min(mover_id, worker_id));
  EXPECT_FALSE(in_home_before[0].hosted);
  const Members in_home_now = Read<Members>([&](common::db::Session& s) {
    return MemberFactsProjection::MembersOfCellOn(s, home.cell_a, Day(Today()));
  });
  ASSERT_EQ(in_home_now.size(), 1u) << "the mover left, the worker is only away";
  EXPECT_EQ(in_home_now[0].member_id, worker_id);
  EXPECT_FALSE(in_home_now[0].hosted);

  // The positions of "member_event" entries are passed over, then saved.
  EXPECT_TRUE(Eventually([&] { return StoredCursor() == MembershipFeedHead(); }));
  EXPECT_EQ(Metric("feed_consumer_lag"), 0);
  EXPECT_EQ(Metric("feed_consumer_connected"), 1);
  EXPECT_EQ(Metric("feed_consumer_last_applied_sequence"), MembershipFeedHead());
  EXPECT_EQ(Metric("feed_consumer_changes_applied_total"),
            MemberDbInt("SELECT COUNT(*) FROM change_feed WHERE resource_type IN ('member', 'member_periods')"));
}

TEST_F(MemberFactsFollowerTest, ARestartResumesFromTheStoredCursor) {
  const membership::testing::Branch branch = NewBranch();
  CreateExisting(branch.cell_a, NewPerson());
  StartFollower();
  ExpectCaughtUp();
  follower_->Stop();
  const int64_t cursor = StoredCursor();
  ASSERT_EQ(cursor, MembershipFeedHead());

  const v1::Member later = CreateExisting(branch.cell_b, NewPerson());
  MemberFactsFollower& again = StartFollower();
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return again.Ready(); }));
  EXPECT_EQ(StatusOn(MemberId(later.name()), Today())->cell_id, branch.cell_b);
  // Only the changes after the cursor were applied again.
  EXPECT_EQ(Metric("feed_consumer_changes_applied_total"),
            MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE sequence > ", cursor,
                                     " AND resource_type IN ('member', 'member_periods')")));
  EXPECT_EQ(Metric("feed_consumer_rebuilds_total"), 0);
}

TEST_F(MemberFactsFollowerTest, AnotherFeedEpochRebuildsTheProjectionFromTheStart) {
  const membership::testing::Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  StartFollower();
  ExpectCaughtUp();
  follower_->Stop();
  // A row only the old feed explained, and another database behind the membership service.
  ASSERT_TRUE(projection_db_
                  ->Execute("INSERT INTO member_period_projection (member_id, status, cell_id, exempt, suspended, "
                            "valid_from, source_sequence) VALUES (987654, 4, 1, 0, 0, '2000-01-01', 1)")
                  .ok());
  const std::string old_epoch = member_context().pool.Read<std::string>("test.epoch", [](common::db::Session& s) {
    std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare("SELECT epoch FROM feed_head"));
    rs->next();
    return absl::StatusOr<std::string>(rs->getString(1));
  }).value_or("");
  MemberDbExecute("UPDATE feed_head SET epoch = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'");

  MemberFactsFollower& again = StartFollower();
  const bool rebuilt = Eventually([&] { return Metric("feed_consumer_rebuilds_total") == 1; });
  ExpectCaughtUp();
  const bool ready = Eventually([&] { return again.Ready(); });
  const int64_t stale_rows =
      projection_db_->QueryInt("SELECT COUNT(*) FROM member_period_projection WHERE member_id = 987654").value_or(-1);
  const absl::StatusOr<ProjectedPeriod> rebuilt_period = StatusOn(MemberId(member.name()), Today());
  const int64_t bound = projection_db_
                            ->QueryInt("SELECT COUNT(*) FROM feed_cursors WHERE source = 'membership' AND "
                                       "epoch = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'")
                            .value_or(0);
  follower_.reset();
  MemberDbExecute(absl::StrCat("UPDATE feed_head SET epoch = '", old_epoch, "'"));  // the suite's other tests

  EXPECT_TRUE(rebuilt);
  EXPECT_TRUE(ready);
  EXPECT_EQ(stale_rows, 0) << "cleared with the old epoch";
  ASSERT_TRUE(rebuilt_period.ok()) << rebuilt_period.status();
  EXPECT_EQ(rebuilt_period->cell_id, branch.cell_a) << "rebuilt from sequence 0";
  EXPECT_EQ(bound, 1);
}

TEST_F(MemberFactsFollowerTest, StopsAtAnEntryItCannotApplyUntilTheEntryIsFixed) {
  const membership::testing::Branch branch = NewBranch();
  StartFollower();
  ExpectCaughtUp();
  ASSERT_TRUE(Eventually([&] { return follower_->Ready(); }));

  v1::MemberPeriods unreadable;
  unreadable.set_member("members/987655");
  v1::StatusPeriod* period = unreadable.add_periods();
  period->set_status(v1::MEMBER_STATUS_OFFICIAL);
  period->set_cell(OrgName(branch.cell_a));
  period->set_valid_from("2020-02-30");
  const int64_t bad = AppendMembershipEntry("member_periods", "members/987655", unreadable);
  const v1::Member after_bad = CreateExisting(branch.cell_a, NewPerson());

  ASSERT_TRUE(Eventually([&] { return !follower_->Ready(); })) << "a stale projection must not serve";
  EXPECT_TRUE(Eventually([&] {
    return MetricValue(*registry_, "feed_consumer_blocked", {{"source", "membership"}, {"reason", "bad_change"}}) == 1;
  }));
  EXPECT_EQ(follower_->BlockedAt().reason, common::feed::BlockReason::kBadChange);
  EXPECT_EQ(follower_->BlockedAt().sequence, bad);
  EXPECT_EQ(Metric("feed_consumer_blocked_sequence"), bad);
  EXPECT_EQ(follower_->HandledSequence(), bad - 1);
  EXPECT_EQ(StatusOn(MemberId(after_bad.name()), Today()).status().code(), absl::StatusCode::kNotFound)
      << "nothing after the blocked entry is applied";

  // The producer fixes the entry: the follower resumes and is ready again.
  period->set_valid_from("2020-02-28");
  google::protobuf::Any fixed;
  fixed.PackFrom(unreadable);
  MemberDbExecute(absl::StrCat("UPDATE change_feed SET resource = UNHEX('",
                               absl::BytesToHexString(fixed.SerializeAsString()), "') WHERE sequence = ", bad));
  ExpectCaughtUp();
  EXPECT_TRUE(Eventually([&] { return follower_->Ready(); }));
  EXPECT_EQ(follower_->BlockedAt().reason, common::feed::BlockReason::kNone);
  EXPECT_EQ(StatusOn(987655, "2021-01-01")->cell_id, branch.cell_a);
  EXPECT_EQ(StatusOn(MemberId(after_bad.name()), Today())->cell_id, branch.cell_a);
}

}  // namespace
}  // namespace grassroots::memberfacts
