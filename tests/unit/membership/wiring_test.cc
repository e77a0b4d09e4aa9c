// The wiring part's pure logic: reconnect backoff, the active-cell rule, how
// organization-service failures reach membership callers, and the service
// token file (re-read when it changes).
#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "common/status/status.h"
#include "services/membership/handlers/cell_directory.h"
#include "services/membership/handlers/org_feed_follower.h"

namespace grassroots::membership {
namespace {

using std::chrono::milliseconds;
namespace orgpb = grassroots::org::v1;

// ---- ReconnectBackoff ----------------------------------------------------------------

TEST(ReconnectBackoffTest, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  ReconnectBackoff backoff(milliseconds(100), milliseconds(1000));
  EXPECT_EQ(backoff.Next(1.0), milliseconds(100));
  EXPECT_EQ(backoff.Next(1.0), milliseconds(200));
  EXPECT_EQ(backoff.Next(0.0), milliseconds(200));  // 400 jittered down to its half
  EXPECT_EQ(backoff.Next(1.0), milliseconds(800));
  EXPECT_EQ(backoff.Next(1.0), milliseconds(1000));  // capped
  EXPECT_EQ(backoff.Next(1.0), milliseconds(1000));
  EXPECT_EQ(backoff.Next(0.5), milliseconds(750));
}

TEST(ReconnectBackoffTest, ResetStartsOverAndDrawsOutsideTheUnitAreClamped) {
  ReconnectBackoff backoff(milliseconds(100), milliseconds(1000));
  for (int i = 0; i < 10; ++i) backoff.Next(1.0);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(7.0), milliseconds(100));
  EXPECT_EQ(backoff.Next(-3.0), milliseconds(100));  // 200 halved
}

TEST(ReconnectBackoffTest, DegenerateSettingsStillWait) {
  ReconnectBackoff backoff(milliseconds(0), milliseconds(0));
  EXPECT_GE(backoff.Next(1.0), milliseconds(1));
  ReconnectBackoff inverted(milliseconds(500), milliseconds(100));  // max below initial: initial wins
  EXPECT_EQ(inverted.Next(1.0), milliseconds(500));
  EXPECT_EQ(inverted.Next(1.0), milliseconds(500));
}

// ---- CheckActiveCell -------------------------------------------------------------------

orgpb::Organization Cell(std::string established_on, std::string ended_on = "",
                         orgpb::OrganizationState state = orgpb::ORGANIZATION_STATE_ACTIVE) {
  orgpb::Organization org;
  org.set_name("organizations/7");
  org.set_is_cell(true);
  org.set_state(state);
  org.set_established_on(std::move(established_on));
  org.set_ended_on(std::move(ended_on));
  return org;
}

TEST(CheckActiveCellTest, ACellActiveOnTheDayPasses) {
  EXPECT_TRUE(CheckActiveCell(Cell("2020-01-01"), absl::CivilDay(2024, 5, 1), "member.cell").ok());
  EXPECT_TRUE(CheckActiveCell(Cell("2024-05-01"), absl::CivilDay(2024, 5, 1), "member.cell").ok());  // founding day
  // Dissolved since, but active on the (back-dated) day.
  EXPECT_TRUE(CheckActiveCell(Cell("2020-01-01", "2025-07-01", orgpb::ORGANIZATION_STATE_DISSOLVED),
                              absl::CivilDay(2025, 6, 30), "member.cell")
                  .ok());
}

TEST(CheckActiveCellTest, AnotherKindOfOrganizationIsNotACell) {
  orgpb::Organization party_committee = Cell("2020-01-01");
  party_committee.set_is_cell(false);
  absl::Status status = CheckActiveCell(party_committee, absl::CivilDay(2024, 5, 1), "member.cell");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(status), "NOT_A_CELL");
  EXPECT_TRUE(absl::StrContains(status.message(), "member.cell")) << status.message();
}

TEST(CheckActiveCellTest, OutsideItsLifeTheCellIsNotActive) {
  const struct {
    orgpb::Organization cell;
    absl::CivilDay day;
  } cases[] = {
      {Cell("2024-05-02"), absl::CivilDay(2024, 5, 1)},                                               // not yet founded
      {Cell("2020-01-01", "2025-07-01", orgpb::ORGANIZATION_STATE_MERGED), absl::CivilDay(2025, 7, 1)},  // end day
      {Cell("2020-01-01", "2025-07-01", orgpb::ORGANIZATION_STATE_DISSOLVED), absl::CivilDay(2026, 1, 1)},
      {Cell("2020-01-01", "", orgpb::ORGANIZATION_STATE_HANDED_OVER), absl::CivilDay(2024, 1, 1)},  // no end date
      {Cell(""), absl::CivilDay(2024, 1, 1)},                                                       // no founding date
  };
  for (const auto& c : cases) {
    absl::Status status = CheckActiveCell(c.cell, c.day, "transfer.to_cell");
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << c.cell.ShortDebugString();
    EXPECT_EQ(common::ReasonOf(status), "ORGANIZATION_NOT_ACTIVE") << c.cell.ShortDebugString();
    EXPECT_TRUE(absl::StrContains(status.message(), "transfer.to_cell")) << status.message();
  }
}

// ---- MapOrganizationCallError -----------------------------------------------------------

TEST(MapOrganizationCallErrorTest, NotFoundNamesTheRequestField) {
  absl::Status status =
      MapOrganizationCallError(grpc::Status(grpc::StatusCode::NOT_FOUND, "organizations/9 not found"), "member.cell");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(status), "member.cell");
  EXPECT_TRUE(absl::StrContains(status.message(), "no such organization")) << status.message();
}

TEST(MapOrganizationCallErrorTest, DownSlowOrFailingIsUnavailable) {
  for (grpc::StatusCode code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
                                grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::INTERNAL,
                                grpc::StatusCode::CANCELLED, grpc::StatusCode::UNKNOWN}) {
    absl::Status status = MapOrganizationCallError(grpc::Status(code, "failed to connect"), "member.cell");
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << static_cast<int>(code);
    EXPECT_EQ(status.message(), "organization service unavailable");
  }
}

TEST(MapOrganizationCallErrorTest, RefusedCredentialsAreThisServicesMisconfiguration) {
  for (grpc::StatusCode code : {grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAUTHENTICATED}) {
    absl::Status status = MapOrganizationCallError(grpc::Status(code, "denied"), "member.cell");
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << static_cast<int>(code);
  }
  EXPECT_TRUE(MapOrganizationCallError(grpc::Status::OK, "member.cell").ok());
}

// ---- ServiceToken ---------------------------------------------------------------------------

class ServiceTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("grassroots-service-token-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Writes the file and moves its mtime forward by `tick` seconds, so a change
  // is visible whatever the file system's timestamp resolution.
  void WriteToken(const std::string& content, int tick) {
    std::ofstream(path_, std::ios::trunc) << content;
    std::filesystem::last_write_time(path_, base_time_ + std::chrono::seconds(tick));
  }

  std::filesystem::path path_;
  const std::filesystem::file_time_type base_time_ = std::filesystem::file_time_type::clock::now();
};

TEST_F(ServiceTokenTest, ReadsTrimsAndRereadsWhenTheFileChanges) {
  WriteToken("first.jwt.token\n", 1);
  ServiceToken token(path_.string());
  ASSERT_EQ(token.Get().value_or("?"), "first.jwt.token");

  // Same mtime: the cached token stays even though the bytes differ.
  WriteToken("unseen.jwt.token\n", 1);
  EXPECT_EQ(token.Get().value_or("?"), "first.jwt.token");

  WriteToken("  rotated.jwt.token \r\n", 2);
  EXPECT_EQ(token.Get().value_or("?"), "rotated.jwt.token");
}

TEST_F(ServiceTokenTest, MissingFileIsUnavailableUntilATokenWasRead) {
  ServiceToken token(path_.string());
  EXPECT_EQ(token.Get().status().code(), absl::StatusCode::kUnavailable);

  WriteToken("\n", 1);  // empty
  EXPECT_EQ(token.Get().status().code(), absl::StatusCode::kUnavailable);

  WriteToken("good.jwt.token", 2);
  ASSERT_EQ(token.Get().value_or("?"), "good.jwt.token");
  // A rotation that briefly removes the file keeps the last good token.
  std::filesystem::remove(path_);
  EXPECT_EQ(token.Get().value_or("?"), "good.jwt.token");
}

}  // namespace
}  // namespace grassroots::membership
