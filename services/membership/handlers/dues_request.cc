#include "services/membership/handlers/dues_request.h"

#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/request_fields.h"

namespace grassroots::membership::dues_request {

absl::StatusOr<absl::CivilMonth> DuesMonth(std::string_view text, std::string_view field) {
  if (text.empty()) return common::InvalidField(field, "is required");
  GR_ASSIGN_OR_RETURN(const absl::CivilMonth month, domain::ParseMonth(text, field));
  if (month < kFirstDuesMonth) return common::InvalidField(field, "must be 2011-04 or later (QĐ 342-QĐ/TW)");
  return month;
}

absl::Status RecordDuesChange(common::db::Session& session, const common::auth::CallContext& call,
                              std::string_view type, const std::string& name, std::string_view action,
                              const google::protobuf::Message& resource, nlohmann::json audit) {
  common::feed::ChangeRecord change;
  change.resource_type = std::string(type);
  change.resource_name = name;
  change.action = std::string(action);
  change.resource = &resource;
  change.audit_details = std::move(audit);
  return common::feed::RecordChange(session, common::feed::WriteContextOf(call), change);
}

absl::StatusOr<orgtree::ProjectedOrganization> ReadOrganization(HandlerContext& ctx,
                                                                 const common::auth::Principal& principal,
                                                                 int64_t org_id) {
  GR_ASSIGN_OR_RETURN(const std::optional<orgtree::ProjectedOrganization> org,
                      ctx.pool.Read<std::optional<orgtree::ProjectedOrganization>>(
                          "membership.dues.organization",
                          [&](common::db::Session& session) { return ctx.projection.Find(session, org_id); }));
  if (!org) return common::ResourceNotFound(OrgName(org_id));
  GR_RETURN_IF_ERROR(RequireOrgInScope(ctx, principal, org_id));
  return *org;
}

}  // namespace grassroots::membership::dues_request
