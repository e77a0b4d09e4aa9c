#include "services/membership/handlers/member_handlers.h"

#include "services/membership/handlers/read_audit.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/feed/retention.h"
#include "common/status/status.h"
#include "services/membership/domain/member_attributes.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/domain/name_search.h"
#include "services/membership/handlers/alert_handlers.h"
#include "services/membership/handlers/event_conversions.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/member_writer.h"
#include "services/membership/handlers/profile_update.h"
#include "services/membership/handlers/rights_handlers.h"

namespace grassroots::membership {
namespace {

using common::auth::Role;
using common::db::Session;

constexpr int32_t kDefaultSearchPage = 50;
constexpr int32_t kMaxSearchPage = 500;
constexpr size_t kMaxQueryChars = 255;
constexpr size_t kMaxQueryWords = 8;
constexpr int kMaxAge = 150;
constexpr int kMaxCountedOrganizations = 1000;

// A copy of one updatable Member field from `from` into `to`.
using FieldCopy = std::function<void(const v1::Member& from, v1::Member& to)>;

// UpdateMember's mask paths (the Member fields a caller may change) and how
// each is taken from the request.
const std::map<std::string, FieldCopy>& UpdatableFields() {
  static const auto* const kFields = new std::map<std::string, FieldCopy>{
      {"full_name", [](const v1::Member& f, v1::Member& t) { t.set_full_name(f.full_name()); }},
      {"birth_name", [](const v1::Member& f, v1::Member& t) { t.set_birth_name(f.birth_name()); }},
      {"sex", [](const v1::Member& f, v1::Member& t) { t.set_sex(f.sex()); }},
      {"birth_date", [](const v1::Member& f, v1::Member& t) { t.set_birth_date(f.birth_date()); }},
      {"birth_place", [](const v1::Member& f, v1::Member& t) { t.set_birth_place(f.birth_place()); }},
      {"home_town", [](const v1::Member& f, v1::Member& t) { t.set_home_town(f.home_town()); }},
      {"ethnicity", [](const v1::Member& f, v1::Member& t) { t.set_ethnicity(f.ethnicity()); }},
      {"religion", [](const v1::Member& f, v1::Member& t) { t.set_religion(f.religion()); }},
      {"citizen_id", [](const v1::Member& f, v1::Member& t) { t.set_citizen_id(f.citizen_id()); }},
      {"occupation_category",
       [](const v1::Member& f, v1::Member& t) { t.set_occupation_category(f.occupation_category()); }},
      {"occupation", [](const v1::Member& f, v1::Member& t) { t.set_occupation(f.occupation()); }},
      {"general_education", [](const v1::Member& f, v1::Member& t) { t.set_general_education(f.general_education()); }},
      {"professional_qualification",
       [](const v1::Member& f, v1::Member& t) { t.set_professional_qualification(f.professional_qualification()); }},
      {"professional_qualification_level",
       [](const v1::Member& f, v1::Member& t) {
         t.set_professional_qualification_level(f.professional_qualification_level());
       }},
      {"political_theory_level",
       [](const v1::Member& f, v1::Member& t) { t.set_political_theory_level(f.political_theory_level()); }},
      {"permanent_address", [](const v1::Member& f, v1::Member& t) { t.set_permanent_address(f.permanent_address()); }},
      {"current_address", [](const v1::Member& f, v1::Member& t) { t.set_current_address(f.current_address()); }},
      {"phone", [](const v1::Member& f, v1::Member& t) { t.set_phone(f.phone()); }},
      {"email", [](const v1::Member& f, v1::Member& t) { t.set_email(f.email()); }},
      {"external_id", [](const v1::Member& f, v1::Member& t) { t.set_external_id(f.external_id()); }},
  };
  return *kFields;
}

absl::StatusOr<domain::MemberRecord> ReadMember(HandlerContext& ctx, int64_t id) {
  return ctx.pool.Read<domain::MemberRecord>("membership.get_member",
                                             [&](Session& session) { return ctx.members.Get(session, id); });
}

// The record as it stood on `as_of`: the current row when nothing has
// happened since, else the status period in force then.
absl::StatusOr<domain::MemberRecord> AsOf(HandlerContext& ctx, domain::MemberRecord record, absl::CivilDay as_of) {
  if (as_of >= common::api::Today()) return record;
  if (as_of >= record.state.last_event_date) {
    // The state is today's; the dated attributes may have changed since.
    std::vector<domain::MemberRecord> one;
    one.push_back(std::move(record));
    GR_RETURN_IF_ERROR(ctx.pool.Run("membership.member_attributes_as_of", [&](Session& session) {
      return ctx.members.ApplyAttributesAsOf(session, one, as_of);
    }));
    return std::move(one.front());
  }
  GR_ASSIGN_OR_RETURN(const bool existed,
                      ctx.pool.Read<bool>("membership.member_as_of", [&](Session& session) {
                        return ctx.members.LoadStateAsOf(session, record, as_of);
                      }));
  if (!existed) {
    return absl::NotFoundError(absl::StrCat(MemberName(record.id), " has no record in force on as_of_date"));
  }
  return record;
}

// Enum filters: each value known and not UNSPECIFIED; duplicates dropped.
template <typename Enum>
absl::StatusOr<std::vector<Enum>> EnumFilter(const google::protobuf::RepeatedField<int>& values,
                                             bool (*is_valid)(int), std::string_view field) {
  std::vector<Enum> out;
  for (int i = 0; i < values.size(); ++i) {
    if (!is_valid(values[i]) || values[i] == 0) {
      return common::InvalidField(absl::StrCat(common::ToAbsl(field), "[", i, "]"), "is not a known value");
    }
    const Enum value = static_cast<Enum>(values[i]);
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

absl::Status RequireAge(int age, std::string_view field) {
  if (age < 0 || age > kMaxAge) {
    return common::InvalidField(field, absl::StrCat("must be between 0 and ", kMaxAge));
  }
  return absl::OkStatus();
}

// A past view lists who was in scope then, but the profile is today's row:
// whether the caller may read the member today decides whether it sees
// today's contact data.
absl::StatusOr<bool> SeenToday(HandlerContext& ctx, const common::auth::Principal& principal, int64_t member_id) {
  GR_ASSIGN_OR_RETURN(const domain::MemberRecord today, ReadMember(ctx, member_id));
  const absl::Status access = RequireMemberAccess(ctx, principal, today, Access::kRead);
  if (IsAccessRefusal(access)) return false;
  GR_RETURN_IF_ERROR(access);
  return true;
}

// Today's addresses, phone and e-mail of someone who has left the caller's scope.
void WithoutTodaysContact(v1::Member& member) {
  member.clear_permanent_address();
  member.clear_current_address();
  member.clear_phone();
  member.clear_email();
}

// The scope check of CountMembers: every organization in the caller's scope,
// on one connection (up to 1000 of them).
absl::Status RequireAllInScope(HandlerContext& ctx, const common::auth::Principal& principal,
                               const std::vector<int64_t>& ids) {
  const std::set<int64_t> distinct(ids.begin(), ids.end());
  return ctx.pool.Run("membership.count_scope", [&](Session& session) -> absl::Status {
    for (int64_t id : distinct) {
      // Outside the scope reads as missing (the shared rule of RequireInScope).
      if (principal.scope_org_id <= 0) return common::ResourceNotFound(OrgName(id));
      GR_ASSIGN_OR_RETURN(const bool within, ctx.projection.IsWithinSubtree(session, principal.scope_org_id, id));
      if (!within) return common::ResourceNotFound(OrgName(id));
    }
    return absl::OkStatus();
  });
}

}  // namespace

const std::set<std::string>& UpdatableMemberFields() {
  static const auto* const kAllowed = [] {
    auto* paths = new std::set<std::string>;
    for (const auto& [path, copy] : UpdatableFields()) paths->insert(path);
    return paths;
  }();
  return *kAllowed;
}

absl::StatusOr<ProposedProfile> MergeProfile(HandlerContext& ctx, const domain::MemberRecord& current,
                                             const v1::Member& in, const std::vector<std::string>& paths,
                                             std::string_view field_prefix) {
  const absl::CivilDay today = common::api::Today();
  // The record as it would stand, validated whole: a changed sex or birth
  // date must still agree with the citizen ID on file.
  v1::Member merged = ToProto(ctx.codes, current, today, /*with_sensitive=*/true);
  for (const std::string& path : paths) UpdatableFields().at(path)(in, merged);
  ProposedProfile out;
  GR_ASSIGN_OR_RETURN(out.profile, domain::ProfileFromMember(merged, field_prefix, today));
  GR_ASSIGN_OR_RETURN(out.sensitive, domain::SensitiveFromMember(merged, out.profile, field_prefix, ctx.codes));
  return out;
}

absl::StatusOr<domain::MemberRecord> ApplyProfileUpdate(HandlerContext& ctx, Session& session,
                                                        const common::feed::WriteContext& write,
                                                        const common::auth::Principal& principal, int64_t id,
                                                        const v1::Member& in, const std::vector<std::string>& paths,
                                                        absl::CivilDay effective, std::string_view etag,
                                                        std::string_view field_prefix, nlohmann::json audit_extra) {
  auto in_mask = [&](std::string_view path) { return std::binary_search(paths.begin(), paths.end(), path); };
  GR_ASSIGN_OR_RETURN(const domain::MemberRecord current, ctx.members.GetForUpdate(session, id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, session, principal, current, Access::kWrite));
  GR_RETURN_IF_ERROR(common::api::CheckEtag(std::string(etag), current.version, MemberName(id)));
  GR_ASSIGN_OR_RETURN(const ProposedProfile merged, MergeProfile(ctx, current, in, paths, field_prefix));
  const domain::Profile& profile = merged.profile;
  // Dated attributes: the change takes effect on `effective`; the row keeps
  // the value in force today (the latest period).
  GR_ASSIGN_OR_RETURN(std::vector<domain::AttributePeriod> periods, ctx.members.AttributePeriods(session, id));
  bool dated = false;
  for (v1::MemberAttribute attribute : domain::DatedAttributes()) {
    if (!in_mask(domain::AttributeField(attribute))) continue;
    dated = true;
    GR_ASSIGN_OR_RETURN(periods, domain::ChangeAttribute(std::move(periods), attribute,
                                                         domain::AttributeValue(profile, attribute), effective));
  }
  if (dated) GR_RETURN_IF_ERROR(ctx.members.ReplaceAttributePeriods(session, id, periods));
  GR_RETURN_IF_ERROR(ctx.members.UpdateProfile(session, id, profile, merged.sensitive));
  // A field set through the API is no longer a legacy text to fix.
  for (const char* field : {"ethnicity", "religion"}) {
    if (in_mask(field)) GR_RETURN_IF_ERROR(ctx.members.ClearUnmappedCode(session, id, field));
  }
  GR_ASSIGN_OR_RETURN(domain::MemberRecord after, ctx.members.Get(session, id));
  nlohmann::json audit = audit_extra.is_object() ? std::move(audit_extra) : nlohmann::json::object();
  audit["fields"] = paths;
  if (dated) audit["effective_date"] = common::api::FormatDate(effective);
  GR_RETURN_IF_ERROR(RecordMemberChange(ctx, session, write, after, "updated", std::move(audit)));
  // A correction reaches the stored feed too: the member's earlier entries
  // hold the values it replaced (ethnicity, religion, birth date...), and the
  // new entry carries the whole state (dated attributes with their history).
  GR_RETURN_IF_ERROR(common::feed::ForgetEarlierStates(session, "member", MemberName(id)).status());
  return after;
}

grpc::Status MemberServiceImpl::CreateMember(grpc::ServerContext* context, const v1::CreateMemberRequest* request,
                                             v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(const NewMember fresh, ValidateCreateMember(ctx_, *request));
    const std::string cell_field = request->has_prospect() ? "prospect.cell" : "existing.cell";
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, fresh.cell_id));
    // The organization service is asked before the transaction opens: no
    // remote call while rows are locked, and nothing written when it is down.
    GR_RETURN_IF_ERROR(ctx_.cells.RequireActiveCell(fresh.cell_id, fresh.cell_day, cell_field));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    // The stored idempotent response holds no sensitive field; the answer is
    // read back and shown as this caller may see it.
    GR_ASSIGN_OR_RETURN(const v1::Member created,
                        common::feed::RunIdempotentTyped<v1::Member>(
                            ctx_.pool, "membership.create_member", write, "CreateMember", request->request_id(),
                            *request, [&](Session& session) -> absl::StatusOr<v1::Member> {
                              GR_ASSIGN_OR_RETURN(const domain::MemberRecord record,
                                                  InsertMember(ctx_, session, write, fresh));
                              return ToProto(ctx_.codes, record, common::api::Today(), /*with_sensitive=*/false);
                            }));
    GR_ASSIGN_OR_RETURN(const int64_t id, ParseMemberName(created.name(), "name"));
    GR_ASSIGN_OR_RETURN(const domain::MemberRecord record, ReadMember(ctx_, id));
    *response = ToProto(ctx_.codes, record, common::api::Today(), MaySeeSensitive(call.principal, record));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::GetMember(grpc::ServerContext* context, const v1::GetMemberRequest* request,
                                          v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t id, ParseMemberName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(const absl::CivilDay as_of,
                        common::api::ParseDateOr(request->as_of_date(), "as_of_date", common::api::Today()));
    GR_ASSIGN_OR_RETURN(domain::MemberRecord record, ReadMember(ctx_, id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, call.principal, record, Access::kRead));
    GR_ASSIGN_OR_RETURN(record, AsOf(ctx_, std::move(record), as_of));
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "GetMember", {record.id}));
    *response = ToProto(ctx_.codes, record, as_of, MaySeeSensitive(call.principal, record));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::UpdateMember(grpc::ServerContext* context, const v1::UpdateMemberRequest* request,
                                             v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_member()) return common::InvalidField("member", "is required");
    const v1::Member& in = request->member();
    GR_ASSIGN_OR_RETURN(const int64_t id, ParseMemberName(in.name(), "member.name"));
    if (request->update_mask().paths_size() == 0) {
      return common::InvalidField("update_mask", "is required: name the fields to change");
    }
    GR_RETURN_IF_ERROR(common::api::ValidateUpdateMask(request->update_mask(), UpdatableMemberFields()));
    std::vector<std::string> paths(request->update_mask().paths().begin(), request->update_mask().paths().end());
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());

    const absl::CivilDay today = common::api::Today();
    GR_ASSIGN_OR_RETURN(const absl::CivilDay effective, EffectiveDate(request->effective_date(), "effective_date"));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(const domain::MemberRecord updated,
                        ctx_.pool.Transact<domain::MemberRecord>(
                            "membership.update_member", [&](Session& session) -> absl::StatusOr<domain::MemberRecord> {
                              return ApplyProfileUpdate(ctx_, session, write, call.principal, id, in, paths, effective,
                                                        in.etag(), "member", {});
                            }));
    *response = ToProto(ctx_.codes, updated, today, MaySeeSensitive(call.principal, updated));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::SearchMembers(grpc::ServerContext* context, const v1::SearchMembersRequest* request,
                                              v1::SearchMembersResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    store::MemberStore::SearchFilter filter;
    GR_ASSIGN_OR_RETURN(const std::string query, common::api::NormalizeText(request->query(), "query", false,
                                                                            kMaxQueryChars));
    filter.name_tokens = domain::SearchTokens(query);
    if (filter.name_tokens.size() > kMaxQueryWords) {
      return common::InvalidField("query", absl::StrCat("must have at most ", kMaxQueryWords, " words"));
    }
    int64_t organization = call.principal.scope_org_id;
    if (!request->organization().empty()) {
      GR_ASSIGN_OR_RETURN(organization, ParseOrgName(request->organization(), "organization"));
    }
    GR_ASSIGN_OR_RETURN(filter.statuses, EnumFilter<v1::MemberStatus>(request->statuses(), v1::MemberStatus_IsValid,
                                                                      "statuses"));
    if (filter.statuses.empty()) filter.statuses = {v1::MEMBER_STATUS_PROBATIONARY, v1::MEMBER_STATUS_OFFICIAL};
    GR_ASSIGN_OR_RETURN(filter.categories,
                        EnumFilter<v1::OccupationCategory>(request->occupation_categories(),
                                                           v1::OccupationCategory_IsValid, "occupation_categories"));
    GR_RETURN_IF_ERROR(RequireAge(request->min_age(), "min_age"));
    GR_RETURN_IF_ERROR(RequireAge(request->max_age(), "max_age"));
    if (request->min_age() > 0 && request->max_age() > 0 && request->min_age() > request->max_age()) {
      return common::InvalidField("min_age", "must not be greater than max_age");
    }
    if (!v1::Sex_IsValid(request->sex())) return common::InvalidField("sex", "is not a known value");
    filter.sex = request->sex();
    const absl::CivilDay today = common::api::Today();
    GR_ASSIGN_OR_RETURN(const absl::CivilDay as_of,
                        common::api::ParseDateOr(request->as_of_date(), "as_of_date", today));
    // Events are never later than today, so today's rows are the state on
    // any later date too; only past dates need the periods.
    if (as_of < today) filter.as_of = as_of;
    const domain::BirthDateRange births =
        domain::BirthDatesForAges(as_of, request->min_age(), request->max_age());
    filter.born_on_or_after = births.born_on_or_after;
    filter.born_on_or_before = births.born_on_or_before;
    filter.include_hosted = request->include_hosted();
    GR_ASSIGN_OR_RETURN(const int32_t limit,
                        common::api::ClampPageSize(request->page_size(), kDefaultSearchPage, kMaxSearchPage));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, organization));
    filter.subtree_root = organization;

    std::vector<std::string> statuses;
    for (v1::MemberStatus s : filter.statuses) statuses.push_back(std::to_string(s));
    std::vector<std::string> categories;
    for (v1::OccupationCategory c : filter.categories) categories.push_back(std::to_string(c));
    const uint64_t fingerprint = common::api::Fingerprint(
        {"SearchMembers", absl::StrJoin(filter.name_tokens, " "), std::to_string(organization),
         absl::StrJoin(statuses, ","), absl::StrJoin(categories, ","), std::to_string(request->min_age()),
         std::to_string(request->max_age()), std::to_string(filter.sex), request->as_of_date(),
         filter.include_hosted ? "hosted" : ""});
    GR_ASSIGN_OR_RETURN(const std::optional<common::api::PageCursor> cursor,
                        ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    std::optional<domain::NameMatch> after_match;
    if (cursor) {
      // Tokens issued before results were ranked carry no match.
      after_match = domain::DecodeNameMatch(cursor->last_key);
      if (!after_match) {
        return common::InvalidField("page_token", "is from an earlier order of results; search again without it");
      }
    }

    GR_ASSIGN_OR_RETURN(
        const store::MemberStore::SearchPage page,
        ctx_.replica_reads.Read<store::MemberStore::SearchPage>(
            "membership.search_members", [&](Session& session) -> absl::StatusOr<store::MemberStore::SearchPage> {
              std::optional<store::MemberStore::SearchPosition> after;
              if (cursor) {
                // The token carries the last member's match and id, no folded
                // name; its sort key is read back here.
                GR_ASSIGN_OR_RETURN(std::string key, ctx_.members.StoredSortKey(session, cursor->last_id));
                after = store::MemberStore::SearchPosition{*after_match, std::move(key), cursor->last_id};
              }
              return ctx_.members.Search(session, filter, after, limit);
            }));
    std::vector<int64_t> shown;
    for (const domain::MemberRecord& record : page.members) shown.push_back(record.id);
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "SearchMembers", shown));
    for (const domain::MemberRecord& record : page.members) {
      GR_ASSIGN_OR_RETURN(const bool visible_today,
                          filter.as_of ? SeenToday(ctx_, call.principal, record.id) : absl::StatusOr<bool>(true));
      v1::Member* out = response->add_members();
      *out = ToProto(ctx_.codes, record, as_of, visible_today && MaySeeSensitive(call.principal, record));
      if (!visible_today) WithoutTodaysContact(*out);
    }
    if (page.more && !page.members.empty()) {
      response->set_next_page_token(
          ctx_.page_tokens.Encode(common::api::PageCursor{domain::EncodeNameMatch(page.last_match),
                                                          page.members.back().id, fingerprint}));
    }
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::LookupMember(grpc::ServerContext* context, const v1::LookupMemberRequest* request,
                                             v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    std::function<absl::StatusOr<int64_t>(Session&)> find;
    switch (request->key_case()) {
      case v1::LookupMemberRequest::kCitizenId:
        // Looking a person up by citizen ID reveals that the ID belongs to a
        // member: only for the roles that may see citizen IDs.
        if (!call.principal.HasAnyRole({Role::kAdmin, Role::kService})) {
          return common::Reasoned(absl::StatusCode::kPermissionDenied, "SENSITIVE_FIELD",
                                  "looking members up by citizen_id needs a role that may see citizen IDs");
        }
        GR_RETURN_IF_ERROR(domain::ValidateCitizenIdShape(request->citizen_id(), "citizen_id"));
        find = [&](Session& session) { return ctx_.members.FindByCitizenId(session, request->citizen_id()); };
        break;
      case v1::LookupMemberRequest::kPartyCardNumber:
        GR_RETURN_IF_ERROR(domain::ValidatePartyCardNumber(request->party_card_number(), "party_card_number"));
        find = [&](Session& session) { return ctx_.members.FindByPartyCard(session, request->party_card_number()); };
        break;
      case v1::LookupMemberRequest::KEY_NOT_SET:
        return common::InvalidField("citizen_id", "one of citizen_id or party_card_number is required");
    }
    GR_ASSIGN_OR_RETURN(const domain::MemberRecord record,
                        ctx_.pool.Read<domain::MemberRecord>(
                            "membership.lookup_member", [&](Session& session) -> absl::StatusOr<domain::MemberRecord> {
                              GR_ASSIGN_OR_RETURN(const int64_t id, find(session));
                              return ctx_.members.Get(session, id);
                            }));
    // A record outside the caller's scope answers exactly as a key no member has.
    if (absl::Status access = RequireMemberAccess(ctx_, call.principal, record, Access::kRead); !access.ok()) {
      if (!absl::IsNotFound(access)) return access;
      return store::MemberStore::NoMemberWith(request->key_case() == v1::LookupMemberRequest::kCitizenId
                                           ? "citizen_id"
                                           : "party_card_number");
    }
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "LookupMember", {record.id}));
    *response = ToProto(ctx_.codes, record, common::api::Today(), MaySeeSensitive(call.principal, record));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::CountMembers(grpc::ServerContext* context, const v1::CountMembersRequest* request,
                                             v1::CountMembersResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->organizations().empty()) return common::InvalidField("organizations", "is required");
    if (request->organizations_size() > kMaxCountedOrganizations) {
      return common::InvalidField("organizations",
                                  absl::StrCat("must name at most ", kMaxCountedOrganizations, " organizations"));
    }
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(request->organizations_size()));
    for (int i = 0; i < request->organizations_size(); ++i) {
      GR_ASSIGN_OR_RETURN(const int64_t id,
                          ParseOrgName(request->organizations(i), absl::StrCat("organizations[", i, "]")));
      ids.push_back(id);
    }
    GR_ASSIGN_OR_RETURN(const absl::CivilDay as_of,
                        common::api::ParseDateOr(request->as_of_date(), "as_of_date", common::api::Today()));
    GR_RETURN_IF_ERROR(RequireAllInScope(ctx_, call.principal, ids));
    GR_ASSIGN_OR_RETURN(const std::vector<store::MemberStore::Count> counts,
                        ctx_.replica_reads.Read<std::vector<store::MemberStore::Count>>(
                            "membership.count_members", [&](Session& session) {
                              return ctx_.members.CountByOrganization(session, ids, request->include_subtree(), as_of);
                            }));
    for (const store::MemberStore::Count& count : counts) {
      v1::MemberCount* out = response->add_counts();
      out->set_organization(OrgName(count.organization_id));
      out->set_official(count.official);
      out->set_probationary(count.probationary);
      out->set_total(count.official + count.probationary);
      out->set_hosted_temporarily(count.hosted_temporarily);
      out->set_exempt(count.exempt);
    }
    response->set_as_of_date(common::api::FormatDate(as_of));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::GetMyRecord(grpc::ServerContext* context, const v1::GetMyRecordRequest* request,
                                            v1::MyRecord* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!call.principal.member_id) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_MEMBER_RECORD",
                              "the caller's token names no member record");
    }
    const int64_t id = *call.principal.member_id;
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Read<v1::MyRecord>("membership.my_record", [&](Session& session) {
      return ReadMyRecord(ctx_, session, id, common::api::Today());
    }));
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "GetMyRecord", {id}));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::IssuePartyCard(grpc::ServerContext* context,
                                               const v1::IssuePartyCardRequest* request, v1::PartyCard* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t id, ParseMemberName(request->member(), "member"));
    GR_RETURN_IF_ERROR(domain::ValidatePartyCardNumber(request->number(), "number"));
    if (request->issued_on().empty()) return common::InvalidField("issued_on", "is required");
    GR_ASSIGN_OR_RETURN(const absl::CivilDay issued_on, EffectiveDate(request->issued_on(), "issued_on"));
    GR_RETURN_IF_ERROR(common::api::ValidateCode(request->reason(), "reason"));
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    absl::StatusOr<v1::PartyCard> card = common::feed::RunIdempotentTyped<v1::PartyCard>(
        ctx_.pool, "membership.issue_party_card", write, "IssuePartyCard", request->request_id(), *request,
        [&](Session& session) -> absl::StatusOr<v1::PartyCard> {
          GR_ASSIGN_OR_RETURN(const domain::MemberRecord current, ctx_.members.GetForUpdate(session, id));
          GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, session, call.principal, current, Access::kWrite));
          if (!current.state.IsCounted()) {
            return common::Reasoned(absl::StatusCode::kFailedPrecondition, "MEMBER_NOT_COUNTED",
                                    "party cards are issued only to probationary and official members");
          }
          GR_ASSIGN_OR_RETURN(const store::MemberStore::Card issued,
                              ctx_.members.IssueCard(session, id, request->number(), issued_on, request->reason()));
          GR_ASSIGN_OR_RETURN(const domain::MemberRecord after, ctx_.members.Get(session, id));
          GR_RETURN_IF_ERROR(RecordMemberChange(ctx_, session, write, after, "card_issued",
                                                {{"card_id", issued.id}, {"reason", request->reason()}}));
          return ToProto(id, issued);
        });
    if (!card.ok() && common::ReasonOf(card.status()) == "DUPLICATE_PARTY_CARD") {
      return common::Reasoned(absl::StatusCode::kAlreadyExists, "DUPLICATE_PARTY_CARD",
                              "number is already issued to a member");
    }
    GR_ASSIGN_OR_RETURN(*response, std::move(card));
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::ListPartyCards(grpc::ServerContext* context,
                                               const v1::ListPartyCardsRequest* request,
                                               v1::ListPartyCardsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t id, ParseMemberName(request->member(), "member"));
    GR_ASSIGN_OR_RETURN(const domain::MemberRecord record, ReadMember(ctx_, id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, call.principal, record, Access::kRead));
    GR_ASSIGN_OR_RETURN(const std::vector<store::MemberStore::Card> cards,
                        ctx_.pool.Read<std::vector<store::MemberStore::Card>>(
                            "membership.list_party_cards",
                            [&](Session& session) { return ctx_.members.ListCards(session, id); }));
    for (const store::MemberStore::Card& card : cards) *response->add_cards() = ToProto(id, card);
    return absl::OkStatus();
  });
}

grpc::Status MemberServiceImpl::ListMemberAlerts(grpc::ServerContext* context,
                                                 const v1::ListMemberAlertsRequest* request,
                                                 v1::ListMemberAlertsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    return ::grassroots::membership::ListMemberAlerts(ctx_, call, *request, *response);
  });
}

grpc::Status MemberServiceImpl::ExportMyData(grpc::ServerContext* context, const v1::ExportMyDataRequest*,
                                             v1::MyDataExport* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    return ::grassroots::membership::ExportMyData(ctx_, *context, call, *response);
  });
}

grpc::Status MemberServiceImpl::RequestCorrection(grpc::ServerContext* context,
                                                  const v1::RequestCorrectionRequest* request,
                                                  v1::CorrectionRequest* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    return ::grassroots::membership::RequestCorrection(ctx_, call, *request, *response);
  });
}

grpc::Status MemberServiceImpl::ListMyCorrectionRequests(grpc::ServerContext* context,
                                                         const v1::ListMyCorrectionRequestsRequest*,
                                                         v1::ListCorrectionRequestsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    return ::grassroots::membership::ListMyCorrectionRequests(ctx_, call, *response);
  });
}

grpc::Status MemberServiceImpl::ListCorrectionRequests(grpc::ServerContext* context,
                                                       const v1::ListCorrectionRequestsRequest* request,
                                                       v1::ListCorrectionRequestsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    return ::grassroots::membership::ListCorrectionRequests(ctx_, *context, call, *request, *response);
  });
}

grpc::Status MemberServiceImpl::AnswerCorrectionRequest(grpc::ServerContext* context,
                                                        const v1::AnswerCorrectionRequestRequest* request,
                                                        v1::CorrectionRequest* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    return ::grassroots::membership::AnswerCorrectionRequest(ctx_, call, *request, *response);
  });
}

}  // namespace grassroots::membership
