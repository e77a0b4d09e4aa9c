// How feed entries of resource types "residential_unit" and
// "residential_unit_covering" become the rows the projection keeps, and which
// entries the follower must refuse (and block at) instead (pure).
#include "services/orgtree/residential_units.h"

#include <gtest/gtest.h>

#include "common/status/status.h"
#include "grassroots/org/v1/residential_unit.pb.h"

namespace grassroots::orgtree {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;

orgpb::ResidentialUnit Village() {
  orgpb::ResidentialUnit unit;
  unit.set_name("residentialUnits/12");
  unit.set_code("THON-DONG");
  unit.set_kind(orgpb::RESIDENTIAL_UNIT_KIND_VILLAGE);
  unit.set_commune_organization("organizations/3");
  unit.set_covering_cell("organizations/7");  // as of the day written: the covering periods decide
  unit.set_established_on("2012-01-01");
  return unit;
}

orgpb::CoveringPeriod Covering() {
  orgpb::CoveringPeriod period;
  period.set_name("residentialUnits/12/coverings/40");
  period.set_unit("residentialUnits/12");
  period.set_cell("organizations/7");
  period.set_valid_from("2015-03-01");
  return period;
}

feedpb::Change Entry(const char* type, const google::protobuf::Message& payload) {
  feedpb::Change change;
  change.set_resource_type(type);
  change.mutable_resource()->PackFrom(payload);
  return change;
}

// The field a refusal names (google.rpc.BadRequest), or "".
std::string FieldOf(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return common::FieldOf(status);
}

TEST(DecodeResidentialUnitTest, TheUnitsLifeAndCommuneAreKept) {
  orgpb::ResidentialUnit sent = Village();
  sent.set_ended_on("2025-07-01");
  absl::StatusOr<ProjectedResidentialUnit> unit = DecodeResidentialUnit(Entry(kResidentialUnitResource, sent));
  ASSERT_TRUE(unit.ok()) << unit.status();
  EXPECT_EQ(unit->id, 12);
  EXPECT_EQ(unit->code, "THON-DONG");
  EXPECT_EQ(unit->commune_organization_id, 3);
  EXPECT_EQ(unit->established_on, absl::CivilDay(2012, 1, 1));
  EXPECT_EQ(unit->ended_on, absl::CivilDay(2025, 7, 1));

  absl::StatusOr<ProjectedResidentialUnit> open = DecodeResidentialUnit(Entry(kResidentialUnitResource, Village()));
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_FALSE(open->ended_on.has_value());
}

TEST(DecodeResidentialUnitTest, MalformedUnitsAreRefusedNamingTheField) {
  EXPECT_EQ(FieldOf(DecodeResidentialUnit(Entry(kResidentialUnitResource, Covering())).status()), "resource");
  orgpb::ResidentialUnit bad = Village();
  bad.set_name("organizations/12");
  EXPECT_EQ(FieldOf(DecodeResidentialUnit(Entry(kResidentialUnitResource, bad)).status()), "unit.name");
  bad = Village();
  bad.clear_commune_organization();
  EXPECT_EQ(FieldOf(DecodeResidentialUnit(Entry(kResidentialUnitResource, bad)).status()),
            "unit.commune_organization");
  bad = Village();
  bad.set_established_on("2012-13-01");
  EXPECT_EQ(FieldOf(DecodeResidentialUnit(Entry(kResidentialUnitResource, bad)).status()), "unit.established_on");
  bad = Village();
  bad.set_ended_on("2012-01-01");  // ends the day it was founded
  EXPECT_EQ(FieldOf(DecodeResidentialUnit(Entry(kResidentialUnitResource, bad)).status()), "unit.ended_on");
  bad = Village();
  bad.clear_code();
  EXPECT_EQ(FieldOf(DecodeResidentialUnit(Entry(kResidentialUnitResource, bad)).status()), "unit.code");
}

TEST(DecodeCoveringTest, ThePeriodIsKeptWithItsUnitAndCell) {
  orgpb::CoveringPeriod sent = Covering();
  sent.set_valid_to("2024-01-01");
  absl::StatusOr<ProjectedCovering> covering = DecodeCovering(Entry(kUnitCoveringResource, sent));
  ASSERT_TRUE(covering.ok()) << covering.status();
  EXPECT_EQ(covering->id, 40);
  EXPECT_EQ(covering->unit_id, 12);
  EXPECT_EQ(covering->cell_id, 7);
  EXPECT_EQ(covering->valid_from, absl::CivilDay(2015, 3, 1));
  EXPECT_EQ(covering->valid_to, absl::CivilDay(2024, 1, 1));

  absl::StatusOr<ProjectedCovering> open = DecodeCovering(Entry(kUnitCoveringResource, Covering()));
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_FALSE(open->valid_to.has_value());
}

TEST(DecodeCoveringTest, MalformedPeriodsAreRefusedNamingTheField) {
  EXPECT_EQ(FieldOf(DecodeCovering(Entry(kUnitCoveringResource, Village())).status()), "resource");
  orgpb::CoveringPeriod bad = Covering();
  bad.set_name("residentialUnits/12/heads/40");
  EXPECT_EQ(FieldOf(DecodeCovering(Entry(kUnitCoveringResource, bad)).status()), "covering.name");
  bad = Covering();
  bad.set_name("residentialUnits/12/coverings/x");
  EXPECT_EQ(FieldOf(DecodeCovering(Entry(kUnitCoveringResource, bad)).status()), "covering.name");
  bad = Covering();
  bad.set_unit("residentialUnits/13");
  EXPECT_EQ(FieldOf(DecodeCovering(Entry(kUnitCoveringResource, bad)).status()), "covering.unit");
  bad = Covering();
  bad.set_cell("");
  EXPECT_EQ(FieldOf(DecodeCovering(Entry(kUnitCoveringResource, bad)).status()), "covering.cell");
  bad = Covering();
  bad.set_valid_to("2015-02-28");
  EXPECT_EQ(FieldOf(DecodeCovering(Entry(kUnitCoveringResource, bad)).status()), "covering.valid_to");
}

}  // namespace
}  // namespace grassroots::orgtree
