#pragma once
// Rules for changing the organization tree. Pure functions over facts the
// store has already read; no I/O. Each refusal is FAILED_PRECONDITION with a
// machine-readable reason (or INVALID_ARGUMENT naming the request field when
// the request itself is self-contradictory).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::domain {

// Which type may sit under which. Loaded from the org_types / org_type_parents
// tables, so a province can add a type (or allow a new pairing) with data only.
class TypeCompatibility {
 public:
  void AddType(const std::string& type_code, bool may_be_root, bool is_cell = false);
  void AllowParent(const std::string& type_code, const std::string& parent_type_code);
  bool Knows(const std::string& type_code) const;
  // True for a cell type (chi bộ cơ sở, chi bộ trực thuộc); false when unknown.
  bool IsCell(const std::string& type_code) const;
  // OK when a `type_code` organization may sit under a `parent_type_code` one
  // (nullopt: as a root). FAILED_PRECONDITION TYPE_NOT_ALLOWED_UNDER_PARENT or
  // ROOT_NOT_ALLOWED_FOR_TYPE / PARENT_REQUIRED otherwise.
  absl::Status Check(const std::string& type_code, const std::optional<std::string>& parent_type_code) const;

 private:
  struct Entry {
    bool may_be_root = false;
    bool is_cell = false;
    std::set<std::string> parents;
  };
  std::map<std::string, Entry> types_;
};

// ORGANIZATION_ENDED when the organization has ended (dissolved, merged,
// split, handed over) — ending is final, nothing may act on it afterwards.
absl::Status CheckNotEnded(const Organization& org);

// EFFECTIVE_DATE_BEFORE_LAST_CHANGE when `effective` precedes the start of the
// organization's latest recorded period (history is appended, never rewritten).
absl::Status CheckEffectiveDate(const Organization& org, absl::CivilDay effective);

// The parent an organization is created or moved under must exist on the
// effective date and must not have ended: PARENT_NOT_ACTIVE.
absl::Status CheckParentUsable(const Organization& parent, absl::CivilDay effective);

// Creation under `parent` (nullptr: a root).
absl::Status CheckCreate(const std::string& type_code, const Organization* parent, absl::CivilDay effective,
                         const TypeCompatibility& types);

// Rename: not ended, effective date not before the last change, a new name.
absl::Status CheckRename(const Organization& org, const std::string& new_display_name, absl::CivilDay effective);

// Move `org` under `new_parent`. `new_parent_chain` holds the ids from the new
// parent up to its root (new parent included) — as of the effective date and
// as recorded now, merged: if `org` is on it the move would close a cycle
// (MOVE_CREATES_CYCLE).
absl::Status CheckMove(const Organization& org, const Organization& new_parent,
                       const std::vector<int64_t>& new_parent_chain, absl::CivilDay effective,
                       const TypeCompatibility& types);

// Dissolve: not ended, date, and no active children (HAS_ACTIVE_CHILDREN).
absl::Status CheckDissolve(const Organization& org, size_t active_children, absl::CivilDay effective);

// Merge `sources` into `target`. `target_chain`: target and its ancestors;
// `children_types`: the types of the sources' active children, which move
// under the target.
absl::Status CheckMerge(const std::vector<Organization>& sources, const Organization& target,
                        const std::vector<int64_t>& target_chain, const std::vector<std::string>& children_types,
                        absl::CivilDay effective, const TypeCompatibility& types);

// Split `org` into `new_org_count` new organizations. `active_children` are
// the ids of its active children; `assignments` maps child id -> index of the
// new organization that receives it.
absl::Status CheckSplit(const Organization& org, size_t new_org_count, const std::vector<int64_t>& active_children,
                        const std::map<int64_t, int32_t>& assignments, absl::CivilDay effective);

// Hand-over to a vertical committee (QĐ 60-QĐ/TW): the receiving committee must
// be active and not inside the handed-over subtree; the organization's type
// must be allowed under it.
absl::Status CheckHandOver(const Organization& org, const Organization& receiving,
                           const std::vector<int64_t>& receiving_chain, absl::CivilDay effective,
                           const TypeCompatibility& types);

// ---- dated periods -------------------------------------------------------------

// How a dated change lands in an organization's history of periods.
enum class PeriodChange {
  // The open period starts on the effective date: the change amends it
  // (two changes on one day leave no empty period behind).
  kAmendOpenPeriod,
  // The open period ends the day before; a new one opens on the effective date.
  kOpenNewPeriod,
};
// EFFECTIVE_DATE_BEFORE_LAST_CHANGE when `effective` precedes the start of the
// open period `open_from` (history is appended, never rewritten).
absl::StatusOr<PeriodChange> PlanPeriodChange(int64_t org_id, absl::CivilDay open_from, absl::CivilDay effective);

// The active children that a merge or split carries along each take a dated
// change too: none may have a later recorded change than the effective date.
absl::Status CheckChildrenFollow(const std::vector<Organization>& children, absl::CivilDay effective);

// ---- split and successor cells -------------------------------------------------

// One new organization of a split, as the request plans it.
struct SplitResult {
  std::optional<int64_t> parent_id;  // empty: the split organization's parent
  std::string type_code;
};
// What a split creates and where its children go: no new organization under the
// one being split (INVALID_ARGUMENT new_organizations[i].parent), each child's
// type allowed under the new organization it is assigned to, the children can
// take the date, and the member successor (index into `results`) names a cell
// while the split organization is a cell (see CheckMemberSuccessor).
absl::Status CheckSplitPlan(const Organization& org, const std::vector<SplitResult>& results,
                            const std::vector<Organization>& children, const std::map<int64_t, int32_t>& assignments,
                            std::optional<int32_t> member_successor_index, absl::CivilDay effective,
                            const TypeCompatibility& types);

// The cell named as the successor of an ending cell's members (`field` names
// the request field): not the ending organization itself (INVALID_ARGUMENT);
// only a cell has members to hand on (MEMBER_SUCCESSOR_ONLY_FOR_CELLS); the
// successor must be a cell (MEMBER_SUCCESSOR_NOT_A_CELL) active on the
// effective date (MEMBER_SUCCESSOR_NOT_ACTIVE). `successor` is null when it did
// not exist on that date.
absl::Status CheckMemberSuccessor(const Organization& ending, const Organization* successor, int64_t successor_id,
                                  absl::CivilDay effective, std::string_view field);

// A merge hands a source cell's members to the target when the target is a cell;
// otherwise the decision names no successor.
std::optional<int64_t> MergeMemberSuccessor(const Organization& source, const Organization& target);

// The state an event leaves its organization in when it ends it (merged, split,
// dissolved, handed over: from the effective date on, final); nullopt when the
// organization goes on (created, renamed, moved, absorbed, sector changed...).
std::optional<OrgState> EndingStateOf(OrgEventKind kind);

// ---- dated attributes ----------------------------------------------------------

// Sector codes of a commune, ward, township or special zone (V0002 reference data):
// the organizations whose military cell is a commune military cell.
bool IsCommuneLevelSector(std::string_view sector);

// A commune military cell is a cell (MILITARY_CELL_NOT_A_CELL) whose parent on
// the date belongs to a commune-level sector (MILITARY_CELL_PARENT_NOT_COMMUNE).
// `parent` is null for a root.
absl::Status CheckCommuneMilitaryCell(bool is_cell, const Organization* parent);

// ChangeOrganizationSector: not ended, not back-dated, and a different sector
// (INVALID_ARGUMENT new_sector otherwise).
absl::Status CheckSectorChange(const Organization& org, const std::string& new_sector, absl::CivilDay effective);

// Changing the commune-military-cell flag: not ended, not back-dated, a
// different value, and when set, the rules of CheckCommuneMilitaryCell.
absl::Status CheckMilitaryCellChange(const Organization& org, bool is_commune_military_cell,
                                     const Organization* parent_on_date, absl::CivilDay effective);

// UpdateOrganization corrects attributes without history only. A sector sent
// along (the whole organization sent back) must be the one in force:
// INVALID_ARGUMENT organization.sector pointing at ChangeOrganizationSector otherwise.
absl::Status CheckAttributeUpdate(const Organization& org, const std::optional<std::string>& sent_sector);

}  // namespace grassroots::org::domain
