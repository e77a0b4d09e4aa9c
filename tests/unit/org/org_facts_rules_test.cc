// Dated periods, split plans, member successors of ending cells, the dated
// sector and the commune-military-cell flag: rules decided without a database.
#include <gtest/gtest.h>

#include "common/status/status.h"
#include "services/org/domain/tree_rules.h"

namespace grassroots::org::domain {
namespace {

using absl::CivilDay;

constexpr CivilDay kLastChange(2024, 3, 1);

TypeCompatibility Types() {
  TypeCompatibility t;
  t.AddType("DANG_BO_XA", false);
  t.AddType("DANG_BO_CO_SO", false);
  t.AddType("CHI_BO_TRUC_THUOC", false, /*is_cell=*/true);
  t.AddType("CHI_BO_CO_SO", false, /*is_cell=*/true);
  t.AddType("TO_DANG", false);
  t.AllowParent("CHI_BO_TRUC_THUOC", "DANG_BO_CO_SO");
  t.AllowParent("CHI_BO_CO_SO", "DANG_BO_XA");
  t.AllowParent("DANG_BO_CO_SO", "DANG_BO_XA");
  t.AllowParent("TO_DANG", "CHI_BO_TRUC_THUOC");
  t.AllowParent("TO_DANG", "CHI_BO_CO_SO");
  return t;
}

Organization Org(int64_t id, const std::string& type, bool is_cell = false, const std::string& sector = "") {
  Organization org;
  org.id = id;
  org.type.code = type;
  org.type.is_cell = is_cell;
  org.sector = sector;
  org.established_on = CivilDay(2020, 1, 1);
  org.last_change_on = kLastChange;
  return org;
}

Organization Cell(int64_t id) { return Org(id, "CHI_BO_TRUC_THUOC", true); }

void ExpectReason(const absl::Status& status, const std::string& reason) {
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(common::ReasonOf(status), reason) << status;
}

void ExpectField(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(common::FieldOf(status), field) << status;
}

TEST(PeriodChangeTest, SameDayAmendsLaterDayOpensBackDatingRefused) {
  EXPECT_EQ(*PlanPeriodChange(7, kLastChange, kLastChange), PeriodChange::kAmendOpenPeriod);
  EXPECT_EQ(*PlanPeriodChange(7, kLastChange, kLastChange + 1), PeriodChange::kOpenNewPeriod);
  ExpectReason(PlanPeriodChange(7, kLastChange, kLastChange - 1).status(), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  // The organization-level check is the same rule.
  ExpectReason(CheckEffectiveDate(Cell(7), kLastChange - 1), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  EXPECT_TRUE(CheckEffectiveDate(Cell(7), kLastChange).ok());
}

TEST(PeriodChangeTest, ChildrenWithALaterChangeCannotFollow) {
  Organization late = Cell(3);
  late.last_change_on = CivilDay(2025, 1, 1);
  EXPECT_TRUE(CheckChildrenFollow({Cell(2)}, CivilDay(2024, 6, 1)).ok());
  ExpectReason(CheckChildrenFollow({Cell(2), late}, CivilDay(2024, 6, 1)), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
}

TEST(PeriodChangeTest, OnlyEndingEventsEndTheOrganization) {
  EXPECT_EQ(EndingStateOf(OrgEventKind::kMerged), OrgState::kMerged);
  EXPECT_EQ(EndingStateOf(OrgEventKind::kSplit), OrgState::kSplit);
  EXPECT_EQ(EndingStateOf(OrgEventKind::kDissolved), OrgState::kDissolved);
  EXPECT_EQ(EndingStateOf(OrgEventKind::kHandedOver), OrgState::kHandedOver);
  for (OrgEventKind goes_on : {OrgEventKind::kCreated, OrgEventKind::kCreatedBySplit, OrgEventKind::kRenamed,
                               OrgEventKind::kMoved, OrgEventKind::kAbsorbed, OrgEventKind::kSectorChanged,
                               OrgEventKind::kAttributesUpdated, OrgEventKind::kMilitaryCellChanged}) {
    EXPECT_EQ(EndingStateOf(goes_on), std::nullopt);
  }
}

TEST(SplitPlanTest, ParentsChildTypesAndMemberSuccessor) {
  const TypeCompatibility types = Types();
  const Organization grassroots = Org(1, "DANG_BO_CO_SO");
  const std::vector<SplitResult> two_grassroots = {{std::nullopt, "DANG_BO_CO_SO"}, {std::nullopt, "DANG_BO_CO_SO"}};
  const CivilDay day(2024, 6, 1);
  EXPECT_TRUE(CheckSplitPlan(grassroots, two_grassroots, {Cell(5)}, {{5, 1}}, std::nullopt, day, types).ok());
  // A new organization under the one being split.
  ExpectField(CheckSplitPlan(grassroots, {{std::nullopt, "DANG_BO_CO_SO"}, {1, "DANG_BO_CO_SO"}}, {}, {},
                             std::nullopt, day, types),
              "new_organizations[1].parent");
  // A child whose type is not allowed under its new organization.
  ExpectReason(CheckSplitPlan(grassroots, {{std::nullopt, "DANG_BO_CO_SO"}, {std::nullopt, "CHI_BO_CO_SO"}},
                              {Cell(5)}, {{5, 1}}, std::nullopt, day, types),
               "TYPE_NOT_ALLOWED_UNDER_PARENT");
  // Only a cell's members follow it.
  ExpectReason(CheckSplitPlan(grassroots, two_grassroots, {}, {}, 0, day, types), "MEMBER_SUCCESSOR_ONLY_FOR_CELLS");

  const Organization cell = Org(9, "CHI_BO_CO_SO", true);
  const std::vector<SplitResult> cells = {{std::nullopt, "CHI_BO_CO_SO"}, {std::nullopt, "DANG_BO_CO_SO"}};
  EXPECT_TRUE(CheckSplitPlan(cell, cells, {}, {}, 0, day, types).ok());
  ExpectField(CheckSplitPlan(cell, cells, {}, {}, 2, day, types), "member_successor_index");
  ExpectField(CheckSplitPlan(cell, cells, {}, {}, -1, day, types), "member_successor_index");
  ExpectReason(CheckSplitPlan(cell, cells, {}, {}, 1, day, types), "MEMBER_SUCCESSOR_NOT_A_CELL");
}

TEST(MemberSuccessorTest, ActiveCellOtherThanTheEndingOne) {
  const CivilDay day(2024, 6, 1);
  const Organization ending = Cell(1);
  const Organization successor = Cell(2);
  EXPECT_TRUE(CheckMemberSuccessor(ending, &successor, 2, day, "member_successor").ok());
  ExpectField(CheckMemberSuccessor(ending, &ending, 1, day, "member_successor"), "member_successor");
  ExpectReason(CheckMemberSuccessor(Org(1, "DANG_BO_CO_SO"), &successor, 2, day, "member_successor"),
               "MEMBER_SUCCESSOR_ONLY_FOR_CELLS");
  ExpectReason(CheckMemberSuccessor(ending, nullptr, 2, day, "member_successor"), "MEMBER_SUCCESSOR_NOT_ACTIVE");
  Organization ended = Cell(2);
  ended.ended_on = day;
  ended.state = OrgState::kDissolved;
  ExpectReason(CheckMemberSuccessor(ending, &ended, 2, day, "member_successor"), "MEMBER_SUCCESSOR_NOT_ACTIVE");
  const Organization not_a_cell = Org(2, "DANG_BO_CO_SO");
  ExpectReason(CheckMemberSuccessor(ending, &not_a_cell, 2, day, "member_successor"), "MEMBER_SUCCESSOR_NOT_A_CELL");
}

TEST(MemberSuccessorTest, MergeOfCellsNamesTheTarget) {
  EXPECT_EQ(MergeMemberSuccessor(Cell(1), Cell(2)), std::optional<int64_t>(2));
  EXPECT_EQ(MergeMemberSuccessor(Cell(1), Org(2, "DANG_BO_CO_SO")), std::nullopt);
  EXPECT_EQ(MergeMemberSuccessor(Org(1, "DANG_BO_CO_SO"), Org(2, "DANG_BO_CO_SO")), std::nullopt);
}

TEST(MilitaryCellTest, ACellUnderACommuneLevelOrganization) {
  for (const char* sector : {"COMMUNE", "WARD", "TOWNSHIP", "SPECIAL_ZONE"}) {
    EXPECT_TRUE(IsCommuneLevelSector(sector)) << sector;
  }
  for (const char* sector : {"", "MILITARY", "AGENCY", "RESIDENTIAL"}) EXPECT_FALSE(IsCommuneLevelSector(sector));
  const Organization commune = Org(1, "DANG_BO_CO_SO", false, "COMMUNE");
  const Organization agency = Org(1, "DANG_BO_CO_SO", false, "AGENCY");
  EXPECT_TRUE(CheckCommuneMilitaryCell(true, &commune).ok());
  ExpectReason(CheckCommuneMilitaryCell(false, &commune), "MILITARY_CELL_NOT_A_CELL");
  ExpectReason(CheckCommuneMilitaryCell(true, &agency), "MILITARY_CELL_PARENT_NOT_COMMUNE");
  ExpectReason(CheckCommuneMilitaryCell(true, nullptr), "MILITARY_CELL_PARENT_NOT_COMMUNE");
}

TEST(MilitaryCellTest, ChangeIsDatedAndValidated) {
  const Organization commune = Org(1, "DANG_BO_CO_SO", false, "WARD");
  const Organization agency = Org(1, "DANG_BO_CO_SO", false, "AGENCY");
  Organization cell = Cell(4);
  EXPECT_TRUE(CheckMilitaryCellChange(cell, true, &commune, kLastChange).ok());
  ExpectReason(CheckMilitaryCellChange(cell, true, &agency, kLastChange), "MILITARY_CELL_PARENT_NOT_COMMUNE");
  ExpectReason(CheckMilitaryCellChange(cell, true, &commune, kLastChange - 1), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  ExpectField(CheckMilitaryCellChange(cell, false, &commune, kLastChange), "is_commune_military_cell");
  cell.is_commune_military_cell = true;
  // Clearing the flag needs no commune parent.
  EXPECT_TRUE(CheckMilitaryCellChange(cell, false, &agency, kLastChange).ok());
  cell.ended_on = CivilDay(2024, 5, 1);
  ExpectReason(CheckMilitaryCellChange(cell, false, &agency, kLastChange), "ORGANIZATION_ENDED");
}

TEST(SectorChangeTest, DatedDifferentAndNotEnded) {
  Organization org = Org(3, "DANG_BO_CO_SO", false, "COMMUNE");
  EXPECT_TRUE(CheckSectorChange(org, "WARD", kLastChange + 10).ok());
  ExpectField(CheckSectorChange(org, "COMMUNE", kLastChange + 10), "new_sector");
  ExpectReason(CheckSectorChange(org, "WARD", kLastChange - 1), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  org.ended_on = CivilDay(2024, 5, 1);
  ExpectReason(CheckSectorChange(org, "WARD", kLastChange + 10), "ORGANIZATION_ENDED");
}

TEST(SectorChangeTest, AttributeUpdateDoesNotCorrectTheSector) {
  const Organization org = Org(3, "DANG_BO_CO_SO", false, "COMMUNE");
  EXPECT_TRUE(CheckAttributeUpdate(org, std::nullopt).ok());
  EXPECT_TRUE(CheckAttributeUpdate(org, "COMMUNE").ok());
  ExpectField(CheckAttributeUpdate(org, "WARD"), "organization.sector");
}

}  // namespace
}  // namespace grassroots::org::domain
