#pragma once
// Plain records of an organization's activity: working regulations, new models,
// four-good designations and ratings (residential units: residential_units.h). No I/O, no rules.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "services/org/domain/organization.h"  // Decision
#include "services/org/domain/rating_rules.h"

namespace grassroots::org::domain {

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
