#include "services/membership/handlers/read_audit.h"

#include "absl/strings/str_cat.h"
#include "common/feed/audit_chain.h"
#include "common/feed/feed.h"
#include "common/status/status.h"

namespace grassroots::membership {

absl::StatusOr<std::string> PurposeOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(kPurposeMetadata);
  if (found == metadata.end()) return std::string(kUnstatedPurpose);
  const std::string purpose(found->second.data(), found->second.size());
  const bool well_formed = !purpose.empty() && purpose.size() <= 64 &&
                           purpose.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  if (!well_formed) return common::InvalidField(kPurposeMetadata, "must be 1-64 characters of [a-z0-9._-]");
  return purpose;
}

nlohmann::json ActorDetails(const common::auth::Principal& principal) {
  std::vector<std::string> roles;
  for (common::auth::Role role : principal.roles) roles.emplace_back(common::auth::RoleName(role));
  return nlohmann::json{{"actor_roles", roles},
                        {"actor_organization",
                         principal.scope_org_id > 0 ? absl::StrCat("organizations/", principal.scope_org_id) : ""}};
}

absl::Status AuditMemberReads(HandlerContext& ctx, const grpc::ServerContext& context,
                              const common::auth::CallContext& call, std::string_view via,
                              const std::vector<int64_t>& member_ids) {
  if (member_ids.empty()) return absl::OkStatus();
  GR_ASSIGN_OR_RETURN(const std::string purpose, PurposeOf(context));
  std::vector<common::feed::AuditFields> entries;
  entries.reserve(member_ids.size());
  nlohmann::json fields = ActorDetails(call.principal);
  fields["via"] = std::string(via);
  const std::string details = fields.dump();
  for (int64_t id : member_ids) {
    entries.push_back(common::feed::AuditFields{call.principal.subject, "member.read", absl::StrCat("members/", id),
                                                call.request_id, details, purpose});
  }
  return ctx.read_audit.Append(std::move(entries));
}

}  // namespace grassroots::membership
