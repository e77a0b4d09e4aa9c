#pragma once
// Working regulations (quy chế làm việc): versions of one organization follow each other
// in number and in adoption date, and a new version supersedes the one in force on its
// adoption day. No I/O; the store loads the latest version under lock.
#include <optional>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/org/domain/activity_records.h"

namespace grassroots::org::domain {

// `next` may be adopted after `latest` (the organization's newest version, if any): not in
// the future (INVALID_ARGUMENT regulation.adopted_on), with a higher version number
// (FAILED_PRECONDITION REGULATION_VERSION_NOT_INCREASING), adopted after it
// (REGULATION_ADOPTED_BEFORE_PREVIOUS).
absl::Status CheckAdoption(const std::optional<WorkingRegulation>& latest, const WorkingRegulation& next,
                           absl::CivilDay today);

// The version `next` supersedes on its adoption day: `latest` while it is still in force
// (not superseded yet); nothing otherwise.
std::optional<WorkingRegulation> Superseded(const std::optional<WorkingRegulation>& latest,
                                            const WorkingRegulation& next);

}  // namespace grassroots::org::domain
