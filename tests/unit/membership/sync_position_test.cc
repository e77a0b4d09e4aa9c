// The mobile sync's position: its text form round-trips and refuses what it
// did not write, a reset follows the feeds and the cell, and the windows of
// duties and meetings follow the calendar in committee time.
#include "services/membership/domain/sync_position.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

SyncPosition Sample() {
  return SyncPosition{.member_feed_epoch = "0123456789abcdef0123456789abcdef",
                      .record_sequence = 41,
                      .yearly_sequence = 57,
                      .meetings_epoch = "fedcba9876543210fedcba9876543210",
                      .meetings_sequence = 1203,
                      .cell_id = 88,
                      .duties_year = 2026,
                      .dues_month = 202612,
                      .dues_sequence = 60};
}

SyncState Matching(const SyncPosition& p) {
  return SyncState{.member_feed_epoch = p.member_feed_epoch,
                   .member_feed_head = 100,
                   .meetings_epoch = p.meetings_epoch,
                   .meetings_handled = 2000,
                   .cell_id = p.cell_id};
}

TEST(SyncPositionTest, RoundTrips) {
  const SyncPosition p = Sample();
  absl::StatusOr<SyncPosition> parsed = ParseSyncPosition(FormatSyncPosition(p), "cursor");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, p);
}

TEST(SyncPositionTest, RoundTripsBeforeTheMeetingsProjectionBoundAnEpoch) {
  SyncPosition p = Sample();
  p.meetings_epoch.clear();
  p.meetings_sequence = 0;
  absl::StatusOr<SyncPosition> parsed = ParseSyncPosition(FormatSyncPosition(p), "cursor");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, p);
}

TEST(SyncPositionTest, APositionWithoutDuesIsStillReadAndSendsThemAgain) {
  absl::StatusOr<SyncPosition> parsed =
      ParseSyncPosition("s1|0123456789abcdef0123456789abcdef|41|57||0|88|2026", "cursor");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->record_sequence, 41);
  EXPECT_EQ(parsed->dues_month, 0);
  EXPECT_EQ(parsed->dues_sequence, 0);
  EXPECT_EQ(DuesMonthKey(absl::CivilDay(2026, 12, 7)), 202612);
}

TEST(SyncPositionTest, RefusesWhatItDidNotWriteNamingTheField) {
  const std::string good = FormatSyncPosition(Sample());
  for (const std::string& bad :
       {std::string(""), std::string("s1"), std::string("s3") + good.substr(2), good + "|1",
        std::string("s2|abc|41|57||0|88|2026"),                                 // s2 without its dues
        std::string("s1|abc|41|57||0|88|2026|202612|60"),                       // s1 with dues
        std::string("s2|abc|41|57||0|88|2026|1000000|60"),                      // no such month
        std::string("s1||41|57||0|88|2026"),                                    // no member feed epoch
        std::string("s1|0123456789ABCDEF|41|57||0|88|2026"),                    // upper-case epoch
        std::string("s1|abc|-1|57||0|88|2026"), std::string("s1|abc|41|x|||88|2026"),
        std::string("s1|abc|41|57||0|88|99999"), std::string("s1|abc|41|57||0|88|1899"),
        std::string("s1|abc|41|57|zz|0|88|2026"), std::string("s1|") + std::string(65, 'a') + "|1|1||0|1|2026"}) {
    absl::StatusOr<SyncPosition> parsed = ParseSyncPosition(bad, "cursor");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(common::FieldOf(parsed.status()), "cursor") << bad;
  }
}

TEST(SyncPositionTest, NoResetWhileFeedsAndCellStand) {
  const SyncPosition p = Sample();
  EXPECT_FALSE(NeedsReset(p, Matching(p)));
}

TEST(SyncPositionTest, ResetForAnotherMembershipDatabase) {
  const SyncPosition p = Sample();
  SyncState now = Matching(p);
  now.member_feed_epoch = "11111111111111111111111111111111";
  EXPECT_TRUE(NeedsReset(p, now));
}

TEST(SyncPositionTest, ResetWhenTheMembershipFeedStandsBehindThePosition) {
  const SyncPosition p = Sample();
  SyncState now = Matching(p);
  now.member_feed_head = p.dues_sequence;  // exactly at the newest position kept: fine
  EXPECT_FALSE(NeedsReset(p, now));
  now.member_feed_head = p.dues_sequence - 1;  // restored from an older backup
  EXPECT_TRUE(NeedsReset(p, now));
  now.member_feed_head = p.yearly_sequence - 1;
  EXPECT_TRUE(NeedsReset(p, now));
}

TEST(SyncPositionTest, ResetWhenTheMeetingsProjectionWasRebuiltOrStandsBehind) {
  const SyncPosition p = Sample();
  SyncState rebuilt = Matching(p);
  rebuilt.meetings_epoch = "22222222222222222222222222222222";
  EXPECT_TRUE(NeedsReset(p, rebuilt));
  SyncState behind = Matching(p);
  behind.meetings_handled = p.meetings_sequence - 1;
  EXPECT_TRUE(NeedsReset(p, behind));
}

TEST(SyncPositionTest, APositionFromBeforeTheMeetingsProjectionBoundIsKept) {
  SyncPosition p = Sample();
  p.meetings_epoch.clear();
  p.meetings_sequence = 0;
  SyncState now = Matching(Sample());  // the projection has bound an epoch since
  EXPECT_FALSE(NeedsReset(p, now));
}

TEST(SyncPositionTest, ResetWhenTheMemberMovedToAnotherCell) {
  const SyncPosition p = Sample();
  SyncState now = Matching(p);
  now.cell_id = p.cell_id + 1;
  EXPECT_TRUE(NeedsReset(p, now));
}

TEST(SyncPositionTest, DutyYearsAreThePreviousAndTheCurrent) {
  EXPECT_EQ(DutyYearsOn(absl::CivilDay(2026, 1, 1)).previous, 2025);
  EXPECT_EQ(DutyYearsOn(absl::CivilDay(2026, 12, 31)).current, 2026);
}

TEST(SyncPositionTest, MeetingWindowOpensOnFirstJanuaryOfThePreviousYearCommitteeTime) {
  // 2025-01-01 00:00 at UTC+7 is 2024-12-31 17:00 UTC.
  const absl::Time start = MeetingWindowStart(absl::CivilDay(2026, 6, 15));
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M:%S", start, absl::UTCTimeZone()), "2024-12-31 17:00:00");
  EXPECT_EQ(MeetingWindowStart(absl::CivilDay(2026, 1, 1)), start);
  EXPECT_LT(start, MeetingWindowStart(absl::CivilDay(2027, 1, 1)));
}

}  // namespace
}  // namespace grassroots::membership::domain
