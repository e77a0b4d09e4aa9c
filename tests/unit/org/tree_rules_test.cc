// Tree restructuring rules: cycles, ended organizations, effective dates,
// children on dissolve, merge and split preconditions, type compatibility.
#include "services/org/domain/tree_rules.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

using absl::CivilDay;

TypeCompatibility Types() {
  // The same pairs the seed migration loads (V0002), enough for these tests.
  TypeCompatibility t;
  t.AddType("DANG_BO_TINH", true);
  for (const char* type : {"DANG_BO_XA", "DANG_BO_CO_SO", "CHI_BO_CO_SO", "DANG_BO_BO_PHAN", "CHI_BO_TRUC_THUOC",
                           "TO_DANG", "DANG_BO_QUAN_SU"}) {
    t.AddType(type, false);
  }
  t.AllowParent("DANG_BO_XA", "DANG_BO_TINH");
  t.AllowParent("DANG_BO_QUAN_SU", "DANG_BO_TINH");
  t.AllowParent("DANG_BO_CO_SO", "DANG_BO_XA");
  t.AllowParent("DANG_BO_CO_SO", "DANG_BO_QUAN_SU");
  t.AllowParent("CHI_BO_CO_SO", "DANG_BO_XA");
  t.AllowParent("CHI_BO_CO_SO", "DANG_BO_QUAN_SU");
  t.AllowParent("DANG_BO_BO_PHAN", "DANG_BO_CO_SO");
  t.AllowParent("CHI_BO_TRUC_THUOC", "DANG_BO_CO_SO");
  t.AllowParent("CHI_BO_TRUC_THUOC", "DANG_BO_BO_PHAN");
  t.AllowParent("TO_DANG", "CHI_BO_CO_SO");
  t.AllowParent("TO_DANG", "CHI_BO_TRUC_THUOC");
  return t;
}

Organization Org(int64_t id, const std::string& type, std::optional<int64_t> parent = std::nullopt) {
  Organization org;
  org.id = id;
  org.type.code = type;
  org.parent_id = parent;
  org.display_name = "Org " + std::to_string(id);
  org.established_on = CivilDay(2020, 1, 1);
  org.last_change_on = CivilDay(2024, 3, 1);
  return org;
}

Organization Ended(Organization org, CivilDay on) {
  org.ended_on = on;
  org.state = OrgState::kDissolved;
  return org;
}

void ExpectReason(const absl::Status& status, absl::StatusCode code, const std::string& reason) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(common::ReasonOf(status), reason) << status;
}

void ExpectField(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(common::FieldOf(status), field) << status;
}

// ---- type compatibility ----

TEST(TypeCompatibility, RootTypeOnlyWithoutParent) {
  const TypeCompatibility t = Types();
  EXPECT_TRUE(t.Check("DANG_BO_TINH", std::nullopt).ok());
  ExpectReason(t.Check("DANG_BO_TINH", std::string("DANG_BO_XA")), absl::StatusCode::kFailedPrecondition,
               "TYPE_NOT_ALLOWED_UNDER_PARENT");
  ExpectReason(t.Check("CHI_BO_CO_SO", std::nullopt), absl::StatusCode::kFailedPrecondition, "PARENT_REQUIRED");
}

TEST(TypeCompatibility, PartyGroupOnlyUnderACell) {
  const TypeCompatibility t = Types();
  EXPECT_TRUE(t.Check("TO_DANG", std::string("CHI_BO_CO_SO")).ok());
  EXPECT_TRUE(t.Check("TO_DANG", std::string("CHI_BO_TRUC_THUOC")).ok());
  ExpectReason(t.Check("TO_DANG", std::string("DANG_BO_CO_SO")), absl::StatusCode::kFailedPrecondition,
               "TYPE_NOT_ALLOWED_UNDER_PARENT");
}

TEST(TypeCompatibility, SubordinateCellOnlyUnderDangBoCoSoOrPartialCommittee) {
  const TypeCompatibility t = Types();
  EXPECT_TRUE(t.Check("CHI_BO_TRUC_THUOC", std::string("DANG_BO_CO_SO")).ok());
  EXPECT_TRUE(t.Check("CHI_BO_TRUC_THUOC", std::string("DANG_BO_BO_PHAN")).ok());
  ExpectReason(t.Check("CHI_BO_TRUC_THUOC", std::string("CHI_BO_CO_SO")), absl::StatusCode::kFailedPrecondition,
               "TYPE_NOT_ALLOWED_UNDER_PARENT");
}

TEST(TypeCompatibility, UnknownTypeNamesTheField) {
  ExpectField(Types().Check("NO_SUCH_TYPE", std::nullopt), "organization.type");
}

// ---- create ----

TEST(CheckCreate, ParentMustBeActiveOnTheDate) {
  const TypeCompatibility t = Types();
  Organization parent = Org(1, "DANG_BO_XA");
  EXPECT_TRUE(CheckCreate("CHI_BO_CO_SO", &parent, CivilDay(2020, 1, 1), t).ok());
  ExpectReason(CheckCreate("CHI_BO_CO_SO", &parent, CivilDay(2019, 12, 31), t), absl::StatusCode::kFailedPrecondition,
               "PARENT_NOT_ACTIVE");
  Organization ended = Ended(parent, CivilDay(2025, 7, 1));
  ExpectReason(CheckCreate("CHI_BO_CO_SO", &ended, CivilDay(2024, 1, 1), t), absl::StatusCode::kFailedPrecondition,
               "PARENT_NOT_ACTIVE");
  EXPECT_TRUE(CheckCreate("DANG_BO_TINH", nullptr, CivilDay(2020, 1, 1), t).ok());
}

// ---- move ----

TEST(CheckMove, UnderItselfIsACycle) {
  Organization org = Org(5, "CHI_BO_TRUC_THUOC", 2);
  ExpectReason(CheckMove(org, org, {5, 2, 1}, CivilDay(2025, 1, 1), Types()), absl::StatusCode::kFailedPrecondition,
               "MOVE_CREATES_CYCLE");
}

TEST(CheckMove, UnderOwnDescendantIsACycle) {
  // 3 (DANG_BO_CO_SO) has a partial committee 7 below it; moving 3 under 7.
  Organization org = Org(3, "DANG_BO_CO_SO", 2);
  Organization descendant = Org(7, "DANG_BO_XA", 3);
  ExpectReason(CheckMove(org, descendant, {7, 3, 2, 1}, CivilDay(2025, 1, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "MOVE_CREATES_CYCLE");
}

TEST(CheckMove, ValidMoveAndTypeCheck) {
  Organization cell = Org(9, "CHI_BO_TRUC_THUOC", 3);
  Organization other_dbcs = Org(4, "DANG_BO_CO_SO", 2);
  EXPECT_TRUE(CheckMove(cell, other_dbcs, {4, 2, 1}, CivilDay(2025, 1, 1), Types()).ok());
  Organization province = Org(1, "DANG_BO_TINH");
  ExpectReason(CheckMove(cell, province, {1}, CivilDay(2025, 1, 1), Types()), absl::StatusCode::kFailedPrecondition,
               "TYPE_NOT_ALLOWED_UNDER_PARENT");
}

TEST(CheckMove, SameParentNamesTheField) {
  Organization cell = Org(9, "CHI_BO_TRUC_THUOC", 4);
  ExpectField(CheckMove(cell, Org(4, "DANG_BO_CO_SO", 2), {4, 2, 1}, CivilDay(2025, 1, 1), Types()), "new_parent");
}

TEST(CheckMove, EndedOrganizationIsRefused) {
  Organization cell = Ended(Org(9, "CHI_BO_TRUC_THUOC", 3), CivilDay(2024, 6, 1));
  ExpectReason(CheckMove(cell, Org(4, "DANG_BO_CO_SO", 2), {4, 2, 1}, CivilDay(2025, 1, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED");
}

TEST(CheckMove, EndedNewParentIsRefused) {
  Organization cell = Org(9, "CHI_BO_TRUC_THUOC", 3);
  Organization parent = Ended(Org(4, "DANG_BO_CO_SO", 2), CivilDay(2024, 6, 1));
  ExpectReason(CheckMove(cell, parent, {4, 2, 1}, CivilDay(2025, 1, 1), Types()), absl::StatusCode::kFailedPrecondition,
               "PARENT_NOT_ACTIVE");
}

// ---- effective dates (boundary: the day of the last change is allowed) ----

TEST(CheckEffectiveDate, BoundaryAtLastChange) {
  Organization org = Org(9, "CHI_BO_TRUC_THUOC", 3);  // last change 2024-03-01
  EXPECT_TRUE(CheckEffectiveDate(org, CivilDay(2024, 3, 1)).ok());
  EXPECT_TRUE(CheckEffectiveDate(org, CivilDay(2024, 3, 2)).ok());
  ExpectReason(CheckEffectiveDate(org, CivilDay(2024, 2, 29)), absl::StatusCode::kFailedPrecondition,
               "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
}

TEST(CheckRename, DateAndSameName) {
  Organization org = Org(9, "CHI_BO_TRUC_THUOC", 3);
  EXPECT_TRUE(CheckRename(org, "Chi bộ mới", CivilDay(2025, 1, 1)).ok());
  ExpectField(CheckRename(org, org.display_name, CivilDay(2025, 1, 1)), "new_display_name");
  ExpectReason(CheckRename(org, "Chi bộ mới", CivilDay(2024, 1, 1)), absl::StatusCode::kFailedPrecondition,
               "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  ExpectReason(CheckRename(Ended(org, CivilDay(2024, 6, 1)), "Chi bộ mới", CivilDay(2025, 1, 1)),
               absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED");
}

// ---- dissolve ----

TEST(CheckDissolve, ActiveChildrenBlock) {
  Organization org = Org(3, "DANG_BO_CO_SO", 2);
  ExpectReason(CheckDissolve(org, 1, CivilDay(2025, 1, 1)), absl::StatusCode::kFailedPrecondition,
               "HAS_ACTIVE_CHILDREN");
  EXPECT_TRUE(CheckDissolve(org, 0, CivilDay(2025, 1, 1)).ok());
  ExpectReason(CheckDissolve(Ended(org, CivilDay(2024, 6, 1)), 0, CivilDay(2025, 1, 1)),
               absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED");
}

// ---- merge ----

TEST(CheckMerge, IntoItselfNamesSources) {
  Organization target = Org(4, "DANG_BO_CO_SO", 2);
  ExpectField(CheckMerge({target}, target, {4, 2, 1}, {}, CivilDay(2025, 1, 1), Types()), "sources");
  ExpectField(CheckMerge({}, target, {4, 2, 1}, {}, CivilDay(2025, 1, 1), Types()), "sources");
}

TEST(CheckMerge, IntoEndedTargetOrFromEndedSource) {
  Organization target = Org(4, "DANG_BO_CO_SO", 2);
  Organization source = Org(5, "DANG_BO_CO_SO", 2);
  ExpectReason(CheckMerge({source}, Ended(target, CivilDay(2024, 6, 1)), {4, 2, 1}, {}, CivilDay(2025, 1, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED");
  ExpectReason(CheckMerge({Ended(source, CivilDay(2024, 6, 1))}, target, {4, 2, 1}, {}, CivilDay(2025, 1, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED");
}

TEST(CheckMerge, TargetInsideSourceAndChildTypes) {
  Organization source = Org(2, "DANG_BO_XA", 1);
  Organization target = Org(4, "DANG_BO_CO_SO", 2);
  ExpectReason(CheckMerge({source}, target, {4, 2, 1}, {}, CivilDay(2025, 1, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "MERGE_TARGET_INSIDE_SOURCE");
  Organization sibling = Org(5, "DANG_BO_CO_SO", 2);
  EXPECT_TRUE(CheckMerge({sibling}, target, {4, 2, 1}, {"CHI_BO_TRUC_THUOC", "DANG_BO_BO_PHAN"}, CivilDay(2025, 1, 1),
                         Types())
                  .ok());
  ExpectReason(CheckMerge({sibling}, target, {4, 2, 1}, {"TO_DANG"}, CivilDay(2025, 1, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "TYPE_NOT_ALLOWED_UNDER_PARENT");
}

// ---- split ----

TEST(CheckSplit, NeedsTwoNewOrganizations) {
  Organization org = Org(4, "DANG_BO_CO_SO", 2);
  ExpectField(CheckSplit(org, 1, {}, {}, CivilDay(2025, 1, 1)), "new_organizations");
  EXPECT_TRUE(CheckSplit(org, 2, {}, {}, CivilDay(2025, 1, 1)).ok());
}

TEST(CheckSplit, EveryChildAssignedToAValidIndex) {
  Organization org = Org(4, "DANG_BO_CO_SO", 2);
  EXPECT_TRUE(CheckSplit(org, 2, {10, 11}, {{10, 0}, {11, 1}}, CivilDay(2025, 1, 1)).ok());
  ExpectReason(CheckSplit(org, 2, {10, 11}, {{10, 0}}, CivilDay(2025, 1, 1)), absl::StatusCode::kFailedPrecondition,
               "UNASSIGNED_CHILDREN");
  ExpectField(CheckSplit(org, 2, {10, 11}, {{10, 0}, {11, 2}}, CivilDay(2025, 1, 1)), "child_assignments");
  ExpectField(CheckSplit(org, 2, {10, 11}, {{10, 0}, {11, -1}}, CivilDay(2025, 1, 1)), "child_assignments");
  ExpectField(CheckSplit(org, 2, {10}, {{10, 0}, {99, 1}}, CivilDay(2025, 1, 1)), "child_assignments");
}

// ---- hand-over ----

TEST(CheckHandOver, ReceivingCommitteeRules) {
  Organization cell = Org(9, "CHI_BO_CO_SO", 2);
  Organization military = Org(6, "DANG_BO_QUAN_SU", 1);
  EXPECT_TRUE(CheckHandOver(cell, military, {6, 1}, CivilDay(2025, 7, 1), Types()).ok());
  ExpectReason(CheckHandOver(cell, Org(12, "TO_DANG", 9), {12, 9, 2, 1}, CivilDay(2025, 7, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "MOVE_CREATES_CYCLE");
  ExpectReason(CheckHandOver(cell, Ended(military, CivilDay(2025, 1, 1)), {6, 1}, CivilDay(2025, 7, 1), Types()),
               absl::StatusCode::kFailedPrecondition, "PARENT_NOT_ACTIVE");
}

}  // namespace
}  // namespace grassroots::org::domain
