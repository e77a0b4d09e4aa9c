// GtidPosition: the MariaDB GTID lists the read router compares (no I/O).
#include "common/db/gtid.h"

#include <gtest/gtest.h>

namespace grassroots::common::db {
namespace {

GtidPosition Parsed(std::string_view text) {
  absl::StatusOr<GtidPosition> position = GtidPosition::Parse(text);
  EXPECT_TRUE(position.ok()) << text << ": " << position.status();
  return position.ok() ? *position : GtidPosition();
}

TEST(GtidPositionTest, ParsesOneGtidAndAListInAnyOrder) {
  EXPECT_EQ(Parsed("0-1-42").ToString(), "0-1-42");
  EXPECT_EQ(Parsed(" 2-7-3 , 0-1-42 ").ToString(), "0-1-42,2-7-3");
  EXPECT_EQ(Parsed("4294967295-4294967295-18446744073709551615").ToString(),
            "4294967295-4294967295-18446744073709551615");
}

TEST(GtidPositionTest, EmptyTextIsTheEmptyPosition) {
  EXPECT_TRUE(Parsed("").empty());
  EXPECT_TRUE(Parsed("  ").empty());
  EXPECT_EQ(Parsed("").ToString(), "");
}

TEST(GtidPositionTest, RefusesWhatIsNotAGtidList) {
  for (std::string_view bad : {"0-1", "0-1-2-3", "a-1-2", "0--2", "-0-1-2", "0-1-+2", "0-1-2,", ",0-1-2",
                               "0-1-2;1-1-1", "0-1- 2", "4294967296-1-1", "0-1-18446744073709551616"}) {
    absl::StatusOr<GtidPosition> position = GtidPosition::Parse(bad);
    EXPECT_EQ(position.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(GtidPositionTest, RefusesTwoGtidsOfOneDomain) {
  absl::StatusOr<GtidPosition> position = GtidPosition::Parse("0-1-5,0-2-6");
  EXPECT_EQ(position.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(position.status().message().find("domain 0"), std::string_view::npos) << position.status();
}

TEST(GtidPositionTest, CoversComparesSequencesPerDomain) {
  const GtidPosition replica = Parsed("0-1-100,1-2-7");
  EXPECT_TRUE(replica.Covers(Parsed("0-1-100")));
  EXPECT_TRUE(replica.Covers(Parsed("0-1-99,1-2-7")));
  EXPECT_FALSE(replica.Covers(Parsed("0-1-101")));
  EXPECT_FALSE(replica.Covers(Parsed("1-2-8")));
  // A domain the replica has never seen is not reached.
  EXPECT_FALSE(replica.Covers(Parsed("3-1-1")));
  // Nothing to wait for.
  EXPECT_TRUE(replica.Covers(GtidPosition()));
  EXPECT_FALSE(GtidPosition().Covers(Parsed("0-1-1")));
}

TEST(GtidPositionTest, ServerIdDoesNotOrderGtidsOfADomain) {
  // After a failover the new primary (server 2) goes on with the domain's sequence.
  EXPECT_TRUE(Parsed("0-2-101").Covers(Parsed("0-1-100")));
  EXPECT_FALSE(Parsed("0-1-100").Covers(Parsed("0-2-101")));
}

TEST(GtidPositionTest, MergeKeepsTheLaterGtidOfEachDomain) {
  GtidPosition mark = Parsed("0-1-10,1-1-5");
  mark.Merge(Parsed("0-1-9,2-3-1"));
  EXPECT_EQ(mark.ToString(), "0-1-10,1-1-5,2-3-1");
  mark.Merge(Parsed("0-2-11"));
  EXPECT_EQ(mark.ToString(), "0-2-11,1-1-5,2-3-1");
  mark.Merge(GtidPosition());
  EXPECT_EQ(mark, Parsed("2-3-1,1-1-5,0-2-11"));
}

}  // namespace
}  // namespace grassroots::common::db
