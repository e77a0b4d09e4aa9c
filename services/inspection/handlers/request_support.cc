#include "services/inspection/handlers/request_support.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::inspection {
namespace {

namespace api = common::api;
namespace v1 = grassroots::inspection::v1;

constexpr int32_t kDefaultPageSize = 50;
constexpr int32_t kMaxPageSize = 500;
constexpr size_t kMaxIssuingBodyChars = 255;
constexpr size_t kMaxDocumentNumberChars = 64;

}  // namespace

absl::StatusOr<int64_t> ParseName(std::string_view name, std::string_view collection, std::string_view field) {
  return api::ParseId(name, collection, field);
}

absl::StatusOr<std::pair<int64_t, int64_t>> ParseChildName(std::string_view name, std::string_view parent_collection,
                                                           std::string_view collection, std::string_view field) {
  return api::ParseChildId(name, parent_collection, collection, field);
}

absl::StatusOr<orgtree::ProjectedOrganization> OrganizationActiveOn(HandlerContext& ctx, common::db::Session& session,
                                                                    int64_t org_id, absl::CivilDay day,
                                                                    std::string_view field) {
  GR_ASSIGN_OR_RETURN(std::optional<orgtree::ProjectedOrganization> org, ctx.organizations.Find(session, org_id));
  if (!org) {
    return absl::NotFoundError(absl::StrCat(common::ToAbsl(field), ": organizations/", org_id, " does not exist"));
  }
  if (org->established_on > day || (org->ended_on && *org->ended_on <= day)) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
                            absl::StrCat(common::ToAbsl(field), ": organizations/", org_id, " was not active on ",
                                         api::FormatDate(day)));
  }
  return *org;
}

absl::Status RequireInScope(HandlerContext& ctx, const common::auth::CallContext& call, int64_t org_id) {
  return ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations);
}

absl::StatusOr<SubjectRef> ParseSubject(const v1::Subject& subject, std::string_view field, bool required) {
  SubjectRef ref;
  switch (subject.target_case()) {
    case v1::Subject::kOrganization: {
      GR_ASSIGN_OR_RETURN(ref.organization_id,
                          api::ParseId(subject.organization(), "organizations", absl::StrCat(common::ToAbsl(field), ".organization")));
      break;
    }
    case v1::Subject::kMember: {
      GR_ASSIGN_OR_RETURN(ref.member_id, api::ParseId(subject.member(), "members", absl::StrCat(common::ToAbsl(field), ".member")));
      break;
    }
    case v1::Subject::TARGET_NOT_SET:
      if (required) return common::InvalidField(field, "must name an organization or a member");
      break;
  }
  return ref;
}

absl::Status CheckSubjectOn(HandlerContext& ctx, common::db::Session& session, const SubjectRef& subject,
                            absl::CivilDay day, std::string_view field) {
  if (subject.organization_id) {
    return OrganizationActiveOn(ctx, session, *subject.organization_id, day, absl::StrCat(common::ToAbsl(field), ".organization"))
        .status();
  }
  if (subject.member_id) {
    GR_ASSIGN_OR_RETURN(MemberStandingOnDay standing, ctx.members.StandingOn(*subject.member_id, day));
    if (standing.kind == MemberStandingKind::kNotAMember) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "MEMBER_NOT_IN_PARTY",
                              absl::StrCat(common::ToAbsl(field), ".member: members/", *subject.member_id,
                                           " was not a party member on ", api::FormatDate(day)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<grassroots::type::v1::Decision> NormalizeDecision(const grassroots::type::v1::Decision& decision,
                                                                 std::string_view field, bool required) {
  grassroots::type::v1::Decision out;
  const bool empty = decision.issuing_body().empty() && decision.number().empty() && decision.signed_on().empty();
  if (empty && !required) return out;
  GR_ASSIGN_OR_RETURN(*out.mutable_issuing_body(), api::NormalizeText(decision.issuing_body(),
                                                                      absl::StrCat(common::ToAbsl(field), ".issuing_body"), true,
                                                                      kMaxIssuingBodyChars));
  GR_ASSIGN_OR_RETURN(*out.mutable_number(), api::NormalizeText(decision.number(), absl::StrCat(common::ToAbsl(field), ".number"),
                                                                true, kMaxDocumentNumberChars));
  GR_ASSIGN_OR_RETURN(absl::CivilDay signed_on, ParseDay(decision.signed_on(), absl::StrCat(common::ToAbsl(field), ".signed_on")));
  out.set_signed_on(api::FormatDate(signed_on));
  return out;
}

absl::StatusOr<absl::CivilDay> ParseDay(std::string_view text, std::string_view field) {
  if (text.empty()) return common::InvalidField(field, "is required (YYYY-MM-DD)");
  return api::ParseDate(text, field);
}

absl::StatusOr<std::optional<absl::CivilDay>> ParseOptionalDay(std::string_view text, std::string_view field) {
  if (text.empty()) return std::optional<absl::CivilDay>();
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, api::ParseDate(text, field));
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<PageRequest> DecodePage(HandlerContext& ctx, int32_t page_size, std::string_view page_token,
                                       uint64_t fingerprint) {
  PageRequest page;
  page.fingerprint = fingerprint;
  GR_ASSIGN_OR_RETURN(page.size, api::ClampPageSize(page_size, kDefaultPageSize, kMaxPageSize));
  GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx.page_tokens.Decode(page_token, fingerprint));
  if (cursor) page.after_id = cursor->last_id;
  return page;
}

std::string NextPageToken(HandlerContext& ctx, const PageRequest& page, size_t returned, int64_t last_id) {
  if (returned < static_cast<size_t>(page.size)) return "";
  return ctx.page_tokens.Encode(api::PageCursor{.last_key = "", .last_id = last_id,
                                                .query_fingerprint = page.fingerprint});
}

absl::Status RecordChange(common::db::Session& session, const common::auth::CallContext& call,
                          std::string_view resource_type, const std::string& resource_name, std::string_view action,
                          const google::protobuf::Message& resource, nlohmann::json audit) {
  common::feed::ChangeRecord change;
  change.resource_type = std::string(resource_type);
  change.resource_name = resource_name;
  change.action = std::string(action);
  change.resource = &resource;
  change.audit_details = std::move(audit);
  return common::feed::RecordChange(session, common::feed::WriteContextOf(call), change);
}

std::string CitationOf(const common::RulesRegistry& rules, const std::string& rule_id, const std::string& day_text) {
  absl::CivilDay day;
  if (rule_id.empty() || !absl::ParseCivilTime(day_text, &day)) return "";
  absl::StatusOr<const common::Rule*> rule = rules.Find(rule_id, day);
  return rule.ok() ? (*rule)->citation : "";
}

domain::ResolvingLevel LevelOf(const orgtree::ProjectedOrganization& organization) {
  if (organization.is_cell || organization.is_grassroots) return domain::ResolvingLevel::kGrassroots;
  return domain::ResolvingLevel::kProvince;
}

absl::StatusOr<std::vector<int64_t>> SubtreeOf(HandlerContext& ctx, common::db::Session& session, int64_t org_id) {
  return ctx.organizations.SubtreeIds(session, org_id);
}

}  // namespace grassroots::inspection
