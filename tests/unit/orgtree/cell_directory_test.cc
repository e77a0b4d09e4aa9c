// The active-cell rule and how organization-service failures reach the
// calling service's callers (pure).
#include "services/orgtree/cell_directory.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/status/status.h"

namespace grassroots::orgtree {
namespace {

namespace orgpb = grassroots::org::v1;

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

}  // namespace
}  // namespace grassroots::orgtree
