#include "services/org/domain/regulation_rules.h"

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::org::domain {

absl::Status CheckAdoption(const std::optional<WorkingRegulation>& latest, const WorkingRegulation& next,
                           absl::CivilDay today) {
  if (next.adopted_on > today) return common::InvalidField("regulation.adopted_on", "must not be in the future");
  if (!latest) return absl::OkStatus();
  if (next.version <= latest->version) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "REGULATION_VERSION_NOT_INCREASING",
                            absl::StrCat("version ", next.version, " is not higher than the latest version ",
                                         latest->version));
  }
  if (next.adopted_on <= latest->adopted_on) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "REGULATION_ADOPTED_BEFORE_PREVIOUS",
                            absl::StrCat("version ", next.version, " must be adopted after ",
                                         common::api::FormatDate(latest->adopted_on), ", when version ",
                                         latest->version, " was adopted"));
  }
  return absl::OkStatus();
}

std::optional<WorkingRegulation> Superseded(const std::optional<WorkingRegulation>& latest,
                                            const WorkingRegulation& next) {
  if (!latest || latest->superseded_on) return std::nullopt;
  WorkingRegulation superseded = *latest;
  superseded.superseded_on = next.adopted_on;
  return superseded;
}

}  // namespace grassroots::org::domain
