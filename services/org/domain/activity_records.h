#pragma once
// Plain records of an organization's activity: residential units, working regulations,
// new models, four-good designations and ratings. No I/O, no rules.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "services/org/domain/organization.h"  // Decision
#include "services/org/domain/rating_rules.h"

namespace grassroots::org::domain {

// Values match grassroots.org.v1.ResidentialUnitKind.
enum class ResidentialUnitKind { kVillage = 1, kResidentialGroup = 2 };

struct UnitHead {
  std::string display_name;
  bool is_party_member = false;
  std::optional<int64_t> member_id;
};

struct ResidentialUnit {
  int64_t id = 0;
  std::string code;
  std::string display_name;
  ResidentialUnitKind kind = ResidentialUnitKind::kVillage;
  int64_t commune_organization_id = 0;
  std::optional<int64_t> covering_cell_id;
  UnitHead head;
  UnitHead front_work_committee_head;
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;  // first day it no longer exists
  int32_t households = 0;
  int64_t version = 0;
  bool IsActiveOn(absl::CivilDay day) const { return established_on <= day && (!ended_on || day < *ended_on); }
};

struct WorkingRegulation {
  int64_t id = 0;
  int64_t organization_id = 0;
  int32_t version = 0;
  std::string title;
  absl::CivilDay adopted_on;
  std::optional<absl::CivilDay> superseded_on;  // exclusive: the next version's adoption day
  Decision decision;
  bool InForceOn(absl::CivilDay day) const {
    return adopted_on <= day && (!superseded_on || day < *superseded_on);
  }
};

struct NewModel {
  int64_t id = 0;
  int64_t organization_id = 0;
  int32_t year = 0;
  std::string title;
  std::string description;
  Decision recognition;
};

struct FourGoodDesignation {
  int64_t id = 0;
  int64_t organization_id = 0;
  int32_t year = 0;
  FourGoodKind kind = FourGoodKind::kCell;
  Decision decision;
};

struct OrganizationRating {
  int64_t id = 0;
  int64_t organization_id = 0;
  int32_t year = 0;
  double score = 0;
  QualityLevel level = QualityLevel::kNotCompleted;
  bool disqualified = false;
  std::string disqualification_reason;
  Decision decision;
  std::string rule_id;
  std::string rule_citation;
  int64_t version = 0;
};

}  // namespace grassroots::org::domain
