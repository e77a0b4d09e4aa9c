#pragma once
// The organization as the domain sees it on one date. No I/O here.
#include <cstdint>
#include <optional>
#include <string>

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace grassroots::org::domain {

enum class OrgState { kActive, kDissolved, kMerged, kSplit, kHandedOver };

// Reference data row: what a type code means (types are data, not code).
struct OrgType {
  std::string code;          // e.g. "CHI_BO_CO_SO"
  std::string display_name;  // e.g. "Chi bộ cơ sở"
  std::string level;         // e.g. "GRASSROOTS"
  bool is_grassroots = false;
  bool is_cell = false;
};

// One organization as it stood on `as_of`.
struct Organization {
  int64_t id = 0;
  std::string code;
  std::string display_name;
  std::optional<int64_t> parent_id;
  OrgType type;
  std::string sector;        // sector code in force on as_of, may be empty
  // Recorded as the military cell of a commune, ward or township (on as_of).
  bool is_commune_military_cell = false;
  OrgState state = OrgState::kActive;
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;   // first day it no longer exists
  std::optional<int64_t> successor_id;
  std::string address;
  std::string phone;
  std::string note;
  bool has_elected_committee = false;
  int64_t version = 0;       // etag source
  absl::CivilDay as_of;
  // Start of the latest recorded period (the open version): a restructure may
  // not take effect before it.
  absl::CivilDay last_change_on;
  absl::Time create_time;
  absl::Time update_time;
  bool HasEnded() const { return ended_on.has_value(); }
  bool IsActiveOn(absl::CivilDay day) const {
    return established_on <= day && (!ended_on || day < *ended_on);
  }
};

// The legal decision behind a change.
struct Decision {
  std::string issuing_body;
  std::string number;
  std::optional<absl::CivilDay> signed_on;
};

enum class OrgEventKind {
  kCreated, kRenamed, kMoved, kMerged, kAbsorbed, kSplit, kCreatedBySplit, kDissolved, kHandedOver,
  kSectorChanged, kAttributesUpdated, kMilitaryCellChanged
};

// One entry of an organization's history.
struct OrgEvent {
  int64_t id = 0;
  OrgEventKind kind = OrgEventKind::kCreated;
  int64_t organization_id = 0;
  absl::CivilDay effective_date;
  Decision decision;
  std::vector<int64_t> related_ids;
  std::string previous_display_name;
  std::string new_display_name;
  std::optional<int64_t> previous_parent_id;
  std::optional<int64_t> new_parent_id;
  // For a cell that ends (merged, split, dissolved): the cell its members move
  // to, as the decision names it; empty when none is named.
  std::optional<int64_t> member_successor_id;
  // For SECTOR_CHANGED: the sector codes on either side ("" = none).
  std::string previous_sector;
  std::string new_sector;
  std::string actor;
  absl::Time record_time;
};

}  // namespace grassroots::org::domain
