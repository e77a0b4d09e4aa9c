#pragma once
// Helpers shared by the activity handlers (residential units, meetings, recognition,
// regulations): organization checks on a date, subtree ids, years, write context.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/org/domain/organization.h"
#include "services/org/handlers/conversions.h"  // OrgName, DecisionFromProto, ToProto(Decision)
#include "services/org/handlers/handler_context.h"

namespace grassroots::org::activity {

inline absl::Status NotActive(int64_t id, absl::CivilDay day) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
                          absl::StrCat(OrgName(id), " is not active on ", common::api::FormatDate(day)));
}

// The organization, which must exist and be active on `day`.
inline absl::StatusOr<domain::Organization> ActiveOrganization(HandlerContext& ctx, common::db::Session& session,
                                                               int64_t id, absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(domain::Organization org, ctx.organizations.Get(session, id, day));
  if (!org.IsActiveOn(day)) return NotActive(id, day);
  return org;
}

// The organization as it stood at the end of `year` (or today, for the current year),
// which must have been active at some time during that year.
inline absl::StatusOr<domain::Organization> OrganizationInYear(HandlerContext& ctx, common::db::Session& session,
                                                               int64_t id, int32_t year) {
  const absl::CivilDay first(year, 1, 1);
  const absl::CivilDay last = std::min(absl::CivilDay(year, 12, 31), common::api::Today());
  GR_ASSIGN_OR_RETURN(domain::Organization org, ctx.organizations.Get(session, id, last));
  if (org.established_on > last || (org.ended_on && *org.ended_on <= first)) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
                            absl::StrCat(OrgName(id), " was not active in ", year));
  }
  return org;
}

// The organization alone, or with everything active below it on `day`.
inline absl::StatusOr<std::vector<int64_t>> OrganizationIds(HandlerContext& ctx, common::db::Session& session,
                                                            int64_t root, bool include_subtree, absl::CivilDay day) {
  if (!include_subtree) {
    GR_RETURN_IF_ERROR(ctx.organizations.Get(session, root, day).status());
    return std::vector<int64_t>{root};
  }
  GR_ASSIGN_OR_RETURN(auto entries, ctx.organizations.Subtree(session, root, day));
  std::vector<int64_t> ids;
  ids.reserve(entries.size());
  for (const auto& entry : entries) ids.push_back(entry.id);
  return ids;
}

// Year fields of recognition requests: 1900 .. the current year.
inline absl::Status ValidateYear(int32_t year, std::string_view field, bool allow_zero) {
  if (allow_zero && year == 0) return absl::OkStatus();
  const int32_t latest = static_cast<int32_t>(common::api::Today().year());
  if (year < 1900 || year > latest) {
    return common::InvalidField(field, absl::StrCat("must be between 1900 and ", latest));
  }
  return absl::OkStatus();
}

}  // namespace grassroots::org::activity
