#include "services/org/domain/tree_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

absl::Status Precondition(std::string_view reason, std::string_view message) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, reason, message);
}

bool Contains(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

void TypeCompatibility::AddType(const std::string& type_code, bool may_be_root, bool is_cell) {
  types_[type_code].may_be_root = may_be_root;
  types_[type_code].is_cell = is_cell;
}

void TypeCompatibility::AllowParent(const std::string& type_code, const std::string& parent_type_code) {
  types_[type_code].parents.insert(parent_type_code);
}

bool TypeCompatibility::Knows(const std::string& type_code) const { return types_.count(type_code) > 0; }

bool TypeCompatibility::IsCell(const std::string& type_code) const {
  auto it = types_.find(type_code);
  return it != types_.end() && it->second.is_cell;
}

absl::Status TypeCompatibility::Check(const std::string& type_code,
                                      const std::optional<std::string>& parent_type_code) const {
  auto it = types_.find(type_code);
  if (it == types_.end()) return common::InvalidField("organization.type", "is not a known organization type");
  if (!parent_type_code) {
    if (it->second.may_be_root) return absl::OkStatus();
    return Precondition("PARENT_REQUIRED", absl::StrCat("a ", type_code, " organization needs a parent"));
  }
  if (it->second.parents.count(*parent_type_code) == 0) {
    return Precondition("TYPE_NOT_ALLOWED_UNDER_PARENT",
                        absl::StrCat("a ", type_code, " organization cannot be placed under a ", *parent_type_code));
  }
  return absl::OkStatus();
}

absl::Status CheckNotEnded(const Organization& org) {
  if (!org.HasEnded()) return absl::OkStatus();
  return Precondition("ORGANIZATION_ENDED", absl::StrCat("organizations/", org.id, " ended on ",
                                                         common::api::FormatDate(*org.ended_on)));
}

absl::Status CheckEffectiveDate(const Organization& org, absl::CivilDay effective) {
  return PlanPeriodChange(org.id, org.last_change_on, effective).status();
}

absl::Status CheckParentUsable(const Organization& parent, absl::CivilDay effective) {
  if (parent.HasEnded() || effective < parent.established_on) {
    return Precondition("PARENT_NOT_ACTIVE", absl::StrCat("organizations/", parent.id, " is not active on ",
                                                          common::api::FormatDate(effective)));
  }
  return absl::OkStatus();
}

absl::Status CheckCreate(const std::string& type_code, const Organization* parent, absl::CivilDay effective,
                         const TypeCompatibility& types) {
  if (parent != nullptr) GR_RETURN_IF_ERROR(CheckParentUsable(*parent, effective));
  std::optional<std::string> parent_type;
  if (parent != nullptr) parent_type = parent->type.code;
  return types.Check(type_code, parent_type);
}

absl::Status CheckRename(const Organization& org, const std::string& new_display_name, absl::CivilDay effective) {
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  if (new_display_name == org.display_name) {
    return common::InvalidField("new_display_name", "is already the organization's name");
  }
  return absl::OkStatus();
}

absl::Status CheckMove(const Organization& org, const Organization& new_parent,
                       const std::vector<int64_t>& new_parent_chain, absl::CivilDay effective,
                       const TypeCompatibility& types) {
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  if (new_parent.id == org.id || Contains(new_parent_chain, org.id)) {
    return Precondition("MOVE_CREATES_CYCLE", absl::StrCat("organizations/", new_parent.id,
                                                           " lies inside the subtree being moved"));
  }
  if (org.parent_id && *org.parent_id == new_parent.id) {
    return common::InvalidField("new_parent", "is already the organization's parent");
  }
  GR_RETURN_IF_ERROR(CheckParentUsable(new_parent, effective));
  return types.Check(org.type.code, new_parent.type.code);
}

absl::Status CheckDissolve(const Organization& org, size_t active_children, absl::CivilDay effective) {
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  if (active_children > 0) {
    return Precondition("HAS_ACTIVE_CHILDREN",
                        absl::StrCat("organizations/", org.id, " still has ", active_children,
                                     " active child organization(s); move, merge or dissolve them first"));
  }
  return absl::OkStatus();
}

absl::Status CheckMerge(const std::vector<Organization>& sources, const Organization& target,
                        const std::vector<int64_t>& target_chain, const std::vector<std::string>& children_types,
                        absl::CivilDay effective, const TypeCompatibility& types) {
  if (sources.empty()) return common::InvalidField("sources", "must name at least one organization");
  GR_RETURN_IF_ERROR(CheckNotEnded(target));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(target, effective));
  for (const Organization& source : sources) {
    if (source.id == target.id) return common::InvalidField("sources", "must not contain the target");
    GR_RETURN_IF_ERROR(CheckNotEnded(source));
    GR_RETURN_IF_ERROR(CheckEffectiveDate(source, effective));
    // Absorbing an ancestor would put the target under itself (its own parent's
    // children move under it).
    if (Contains(target_chain, source.id)) {
      return Precondition("MERGE_TARGET_INSIDE_SOURCE", absl::StrCat("organizations/", target.id,
                                                                     " lies inside organizations/", source.id));
    }
  }
  for (const std::string& child_type : children_types) {
    GR_RETURN_IF_ERROR(types.Check(child_type, target.type.code));
  }
  return absl::OkStatus();
}

absl::Status CheckSplit(const Organization& org, size_t new_org_count, const std::vector<int64_t>& active_children,
                        const std::map<int64_t, int32_t>& assignments, absl::CivilDay effective) {
  if (new_org_count < 2) return common::InvalidField("new_organizations", "a split needs at least two new organizations");
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  for (const auto& [child, index] : assignments) {
    if (!Contains(active_children, child)) {
      return common::InvalidField("child_assignments",
                                  absl::StrCat("organizations/", child, " is not an active child of the split organization"));
    }
    if (index < 0 || static_cast<size_t>(index) >= new_org_count) {
      return common::InvalidField("child_assignments",
                                  absl::StrCat("index ", index, " is outside new_organizations"));
    }
  }
  for (int64_t child : active_children) {
    if (assignments.count(child) == 0) {
      return Precondition("UNASSIGNED_CHILDREN",
                          absl::StrCat("organizations/", child, " is not assigned to any new organization"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHandOver(const Organization& org, const Organization& receiving,
                           const std::vector<int64_t>& receiving_chain, absl::CivilDay effective,
                           const TypeCompatibility& types) {
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  if (receiving.id == org.id || Contains(receiving_chain, org.id)) {
    return Precondition("MOVE_CREATES_CYCLE", absl::StrCat("organizations/", receiving.id,
                                                           " lies inside the subtree being handed over"));
  }
  GR_RETURN_IF_ERROR(CheckParentUsable(receiving, effective));
  return types.Check(org.type.code, receiving.type.code);
}

// ---- dated periods -------------------------------------------------------------

absl::StatusOr<PeriodChange> PlanPeriodChange(int64_t org_id, absl::CivilDay open_from, absl::CivilDay effective) {
  if (effective < open_from) {
    return Precondition("EFFECTIVE_DATE_BEFORE_LAST_CHANGE",
                        absl::StrCat("effective_date must not be before ", common::api::FormatDate(open_from),
                                     ", the date of organizations/", org_id, "'s last recorded change"));
  }
  return effective == open_from ? PeriodChange::kAmendOpenPeriod : PeriodChange::kOpenNewPeriod;
}

absl::Status CheckChildrenFollow(const std::vector<Organization>& children, absl::CivilDay effective) {
  for (const Organization& child : children) GR_RETURN_IF_ERROR(CheckEffectiveDate(child, effective));
  return absl::OkStatus();
}

// ---- split and successor cells -------------------------------------------------

absl::Status CheckSplitPlan(const Organization& org, const std::vector<SplitResult>& results,
                            const std::vector<Organization>& children, const std::map<int64_t, int32_t>& assignments,
                            std::optional<int32_t> member_successor_index, absl::CivilDay effective,
                            const TypeCompatibility& types) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].parent_id && *results[i].parent_id == org.id) {
      return common::InvalidField(absl::StrCat("new_organizations[", i, "].parent"),
                                  "must not be the organization being split");
    }
  }
  GR_RETURN_IF_ERROR(CheckChildrenFollow(children, effective));
  for (const Organization& child : children) {
    auto assigned = assignments.find(child.id);
    if (assigned == assignments.end() || assigned->second < 0 ||
        static_cast<size_t>(assigned->second) >= results.size()) {
      return Precondition("UNASSIGNED_CHILDREN",
                          absl::StrCat("organizations/", child.id, " is not assigned to any new organization"));
    }
    GR_RETURN_IF_ERROR(types.Check(child.type.code, results[static_cast<size_t>(assigned->second)].type_code));
  }
  if (!member_successor_index) return absl::OkStatus();
  if (*member_successor_index < 0 || static_cast<size_t>(*member_successor_index) >= results.size()) {
    return common::InvalidField("member_successor_index", "must index new_organizations");
  }
  if (!org.type.is_cell) {
    return Precondition("MEMBER_SUCCESSOR_ONLY_FOR_CELLS",
                        absl::StrCat("organizations/", org.id, " is not a cell; only a cell's members follow it"));
  }
  if (!types.IsCell(results[static_cast<size_t>(*member_successor_index)].type_code)) {
    return Precondition("MEMBER_SUCCESSOR_NOT_A_CELL",
                        absl::StrCat("new_organizations[", *member_successor_index,
                                     "] is not a cell and cannot receive the members"));
  }
  return absl::OkStatus();
}

absl::Status CheckMemberSuccessor(const Organization& ending, const Organization* successor, int64_t successor_id,
                                  absl::CivilDay effective, std::string_view field) {
  if (successor_id == ending.id) return common::InvalidField(field, "must not be the organization that ends");
  if (!ending.type.is_cell) {
    return Precondition("MEMBER_SUCCESSOR_ONLY_FOR_CELLS",
                        absl::StrCat("organizations/", ending.id, " is not a cell; only a cell's members follow it"));
  }
  if (successor == nullptr || !successor->IsActiveOn(effective) || successor->state != OrgState::kActive) {
    return Precondition("MEMBER_SUCCESSOR_NOT_ACTIVE", absl::StrCat("organizations/", successor_id,
                                                                    " is not active on ",
                                                                    common::api::FormatDate(effective)));
  }
  if (!successor->type.is_cell) {
    return Precondition("MEMBER_SUCCESSOR_NOT_A_CELL",
                        absl::StrCat("organizations/", successor_id, " is not a cell and cannot receive the members"));
  }
  return absl::OkStatus();
}

std::optional<int64_t> MergeMemberSuccessor(const Organization& source, const Organization& target) {
  if (source.type.is_cell && target.type.is_cell) return target.id;
  return std::nullopt;
}

std::optional<OrgState> EndingStateOf(OrgEventKind kind) {
  switch (kind) {
    case OrgEventKind::kMerged: return OrgState::kMerged;
    case OrgEventKind::kSplit: return OrgState::kSplit;
    case OrgEventKind::kDissolved: return OrgState::kDissolved;
    case OrgEventKind::kHandedOver: return OrgState::kHandedOver;
    default: return std::nullopt;
  }
}

// ---- dated attributes ----------------------------------------------------------

bool IsCommuneLevelSector(std::string_view sector) {
  return sector == "COMMUNE" || sector == "WARD" || sector == "TOWNSHIP" || sector == "SPECIAL_ZONE";
}

absl::Status CheckCommuneMilitaryCell(bool is_cell, const Organization* parent) {
  if (!is_cell) return Precondition("MILITARY_CELL_NOT_A_CELL", "only a cell can be a commune military cell");
  if (parent == nullptr || !IsCommuneLevelSector(parent->sector)) {
    return Precondition("MILITARY_CELL_PARENT_NOT_COMMUNE",
                        "a commune military cell sits under an organization of a commune, ward, township or "
                        "special zone sector on the effective date");
  }
  return absl::OkStatus();
}

absl::Status CheckSectorChange(const Organization& org, const std::string& new_sector, absl::CivilDay effective) {
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  if (new_sector == org.sector) return common::InvalidField("new_sector", "is already the organization's sector");
  return absl::OkStatus();
}

absl::Status CheckMilitaryCellChange(const Organization& org, bool is_commune_military_cell,
                                     const Organization* parent_on_date, absl::CivilDay effective) {
  GR_RETURN_IF_ERROR(CheckNotEnded(org));
  GR_RETURN_IF_ERROR(CheckEffectiveDate(org, effective));
  if (is_commune_military_cell == org.is_commune_military_cell) {
    return common::InvalidField("is_commune_military_cell", "already has this value");
  }
  if (!is_commune_military_cell) return absl::OkStatus();
  return CheckCommuneMilitaryCell(org.type.is_cell, parent_on_date);
}

absl::Status CheckAttributeUpdate(const Organization& org, const std::optional<std::string>& sent_sector) {
  if (sent_sector && *sent_sector != org.sector) {
    return common::InvalidField("organization.sector",
                                "the sector has history and is not corrected here; use ChangeOrganizationSector");
  }
  return absl::OkStatus();
}

}  // namespace grassroots::org::domain
