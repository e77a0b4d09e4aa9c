#include "services/org/handlers/organization_handlers.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/org/handlers/conversions.h"

namespace grassroots::org {
namespace {

using common::db::Session;

constexpr int32_t kDefaultPage = 100;
constexpr int32_t kMaxPage = 1000;
constexpr int32_t kDefaultSubtreePage = 500;
constexpr int32_t kMaxSubtreePage = 5000;
constexpr int32_t kDefaultEventPage = 100;
constexpr int32_t kMaxEventPage = 1000;

store::OrganizationStore::Actor ActorOf(const common::auth::CallContext& call) {
  return store::OrganizationStore::Actor{call.principal.subject, call.request_id};
}

// The view a write answers with: today's, or the effective date's when the
// change lies in the future.
absl::CivilDay ViewDay(absl::CivilDay effective) { return std::max(common::api::Today(), effective); }

// The change-feed payload of one organization's dated event: the facts in force
// the day before and from the effective date, and the organization as of it.
absl::StatusOr<v1::OrganizationChange> ChangePayload(HandlerContext& ctx, Session& session,
                                                     const common::feed::WriteContext& write,
                                                     const domain::OrgEvent& event) {
  const absl::CivilDay effective = event.effective_date;
  GR_ASSIGN_OR_RETURN(domain::Organization after, ctx.organizations.Get(session, event.organization_id, effective));
  v1::OrganizationChange change;
  *change.mutable_event() = ToProto(event);
  change.mutable_event()->set_actor(write.actor);
  change.mutable_event()->clear_record_time();  // the feed entry carries the time it was recorded
  const bool creation =
      event.kind == domain::OrgEventKind::kCreated || event.kind == domain::OrgEventKind::kCreatedBySplit;
  if (!creation) {
    GR_ASSIGN_OR_RETURN(std::optional<domain::Organization> before,
                        ctx.organizations.FindOn(session, event.organization_id, effective - 1));
    if (before) *change.mutable_before() = FactsOf(*before);
  }
  *change.mutable_after() = FactsOf(after);
  *change.mutable_organization() = ToProto(after);
  if (event.member_successor_id) change.set_member_successor(OrgName(*event.member_successor_id));
  return change;
}

// Feed (and audit) entries for every organization a write changed, in the same
// transaction as the change, each with its dated event.
absl::Status RecordOrganizationChanges(HandlerContext& ctx, Session& session, const common::feed::WriteContext& write,
                                       const std::vector<store::OrganizationStore::Changed>& changed) {
  for (const store::OrganizationStore::Changed& one : changed) {
    GR_ASSIGN_OR_RETURN(v1::OrganizationChange payload, ChangePayload(ctx, session, write, one.event));
    common::feed::ChangeRecord record;
    record.resource_type = "organization";
    record.resource_name = OrgName(one.id);
    record.action = one.action;
    record.resource = &payload;
    record.audit_details = {{"kind", v1::OrganizationEventKind_Name(payload.event().kind())},
                            {"code", payload.organization().code()},
                            {"effective_date", common::api::FormatDate(one.event.effective_date)},
                            {"decision_number", one.event.decision.number},
                            {"type", payload.after().type()}};
    GR_RETURN_IF_ERROR(common::feed::RecordChange(session, write, record));
  }
  return absl::OkStatus();
}

using Restructure = std::function<absl::StatusOr<std::vector<store::OrganizationStore::Changed>>(
    Session&, const store::OrganizationStore::Actor&)>;

// Runs a restructure of one organization in one transaction together with the feed
// and audit entries of everything it changed, and answers with that organization
// as it stands afterwards.
// One restructuring inside the caller's transaction: the store's change, its
// feed entries, and the organization as of the effective date.
absl::StatusOr<v1::Organization> ApplyRestructure(HandlerContext& ctx, Session& session, const common::auth::CallContext& call,
                                                  int64_t id, absl::CivilDay effective,
                                                  const Restructure& restructure) {
  GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, id));
  GR_ASSIGN_OR_RETURN(std::vector<store::OrganizationStore::Changed> changed, restructure(session, ActorOf(call)));
  GR_RETURN_IF_ERROR(RecordOrganizationChanges(ctx, session, common::feed::WriteContextOf(call), changed));
  GR_ASSIGN_OR_RETURN(domain::Organization org, ctx.organizations.Get(session, id, ViewDay(effective)));
  return ToProto(org);
}

absl::StatusOr<v1::Organization> RunRestructure(HandlerContext& ctx, std::string_view operation,
                                                const common::auth::CallContext& call, int64_t id,
                                                absl::CivilDay effective, const Restructure& restructure) {
  return ctx.pool.Transact<v1::Organization>(operation, [&](Session& session) {
    return ApplyRestructure(ctx, session, call, id, effective, restructure);
  });
}

// Fields of a new organization (create and split), named under `prefix`.
absl::StatusOr<store::OrganizationStore::NewOrganization> NewOrganizationFromProto(const v1::Organization& org,
                                                                                   const std::string& prefix) {
  store::OrganizationStore::NewOrganization out;
  GR_RETURN_IF_ERROR(common::api::ValidateCode(org.code(), prefix + ".code"));
  out.code = org.code();
  GR_ASSIGN_OR_RETURN(out.display_name, common::api::NormalizeText(org.display_name(), prefix + ".display_name",
                                                                    true, 255));
  if (org.type().empty()) return common::InvalidField(prefix + ".type", "is required");
  GR_RETURN_IF_ERROR(common::api::ValidateCode(org.type(), prefix + ".type"));
  out.type = org.type();
  if (!org.parent().empty()) {
    GR_ASSIGN_OR_RETURN(int64_t parent, ParseOrgName(org.parent(), prefix + ".parent"));
    out.parent_id = parent;
  }
  if (!org.sector().empty()) GR_RETURN_IF_ERROR(common::api::ValidateCode(org.sector(), prefix + ".sector"));
  out.sector = org.sector();
  out.is_commune_military_cell = org.is_commune_military_cell();
  GR_ASSIGN_OR_RETURN(out.address, common::api::NormalizeText(org.address(), prefix + ".address", false, 500));
  GR_ASSIGN_OR_RETURN(out.phone, common::api::NormalizeText(org.phone(), prefix + ".phone", false, 50));
  if (!std::all_of(out.phone.begin(), out.phone.end(),
                   [](char c) { return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')' || c == '.'; })) {
    return common::InvalidField(prefix + ".phone", "may hold only digits, spaces and + - ( ) .");
  }
  GR_ASSIGN_OR_RETURN(out.note, common::api::NormalizeText(org.note(), prefix + ".note", false, 2000));
  return out;
}

// NOT_FOUND when the organization does not exist at all (the scope check
// answers the same for one outside the caller's scope).
absl::Status RequireExists(HandlerContext& ctx, int64_t id) {
  return ctx.pool.Run("org.exists", [&](Session& session) { return ctx.organizations.GetCurrent(session, id).status(); });
}

absl::Status RequireExistingInScope(HandlerContext& ctx, const common::auth::Principal& principal, int64_t id) {
  GR_RETURN_IF_ERROR(RequireExists(ctx, id));
  return RequireOrgInScope(ctx, principal, id);
}

// A committee does not end or give away itself: dissolving or handing over the
// caller's own scope root is for the level above it.
absl::Status RequireNotScopeRoot(const common::auth::Principal& principal, int64_t id, std::string_view what) {
  if (id != principal.scope_org_id) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kPermissionDenied, "SCOPE_ROOT",
                          absl::StrCat("the caller may not ", common::ToAbsl(what),
                                       " the root of its own scope: the committee above it decides"));
}

// Root creation: only an administrator whose own scope is a root may add
// another root (a province-level deployment creating a merged province), or
// any administrator while the tree is still empty (bootstrap).
absl::Status RequireRootCreator(HandlerContext& ctx, const common::auth::Principal& principal) {
  GR_ASSIGN_OR_RETURN(bool scope_is_root,
                      ctx.pool.Read<bool>("org.scope_root", [&](Session& session) -> absl::StatusOr<bool> {
                        // Bootstrap: the very first organization of an empty tree.
                        sql::PreparedStatement& any = session.Prepare("SELECT id FROM organizations LIMIT 1");
                        if (!session.Query(any)->next()) return true;
                        absl::StatusOr<domain::Organization> scope =
                            ctx.organizations.GetCurrent(session, principal.scope_org_id);
                        if (absl::IsNotFound(scope.status())) return false;
                        if (!scope.ok()) return scope.status();
                        return !scope->parent_id.has_value();
                      }));
  if (!scope_is_root) {
    return absl::PermissionDeniedError("only an administrator of a root organization may create a root organization");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RequireOrgInScope(HandlerContext& ctx, const common::auth::Principal& principal, int64_t org_id) {
  return ctx.authorizer.RequireInScope(principal, org_id, ctx.organizations);
}

namespace {
// The store's locked scope answer inside one session, as a ScopeResolver so the
// authorizer's one NOT_FOUND rule applies.
class LockedScope final : public common::auth::ScopeResolver {
 public:
  LockedScope(store::OrganizationStore& organizations, common::db::Session& session)
      : organizations_(organizations), session_(session) {}
  absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) override {
    return organizations_.IsWithinSubtreeLocked(session_, ancestor, descendant);
  }
  std::string ScopeNodeName(int64_t id) const override { return organizations_.ScopeNodeName(id); }
 private:
  store::OrganizationStore& organizations_;
  common::db::Session& session_;
};
}  // namespace

absl::Status RequireOrgInScopeLocked(HandlerContext& ctx, common::db::Session& session, const common::auth::Principal& principal,
                                     int64_t org_id) {
  return RequireOrgInScopeLocked(ctx, session, principal, org_id, ctx.organizations.ScopeNodeName(org_id));
}

absl::Status RequireOrgInScopeLocked(HandlerContext& ctx, common::db::Session& session,
                                     const common::auth::Principal& principal, int64_t org_id,
                                     std::string_view resource_name) {
  LockedScope scope(ctx.organizations, session);
  return ctx.authorizer.RequireInScope(principal, org_id, scope, resource_name);
}

grpc::Status OrganizationServiceImpl::CreateOrganization(grpc::ServerContext* context,
                                                         const v1::CreateOrganizationRequest* request,
                                                         v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_organization()) return common::InvalidField("organization", "is required");
    GR_ASSIGN_OR_RETURN(store::OrganizationStore::NewOrganization fresh,
                        NewOrganizationFromProto(request->organization(), "organization"));
    std::optional<absl::CivilDay> established;
    if (!request->organization().established_on().empty()) {
      GR_ASSIGN_OR_RETURN(established,
                          common::api::ParseDate(request->organization().established_on(), "organization.established_on"));
    }
    std::optional<absl::CivilDay> effective;
    if (!request->effective_date().empty()) {
      GR_ASSIGN_OR_RETURN(effective, common::api::ParseDate(request->effective_date(), "effective_date"));
    }
    if (effective && established && *effective != *established) {
      return common::InvalidField("effective_date", "must equal organization.established_on when both are set");
    }
    fresh.established_on = effective ? *effective : established ? *established : common::api::Today();
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    if (fresh.parent_id) {
      GR_RETURN_IF_ERROR(RequireExists(ctx_, *fresh.parent_id));
      GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, *fresh.parent_id));
    } else {
      GR_RETURN_IF_ERROR(RequireRootCreator(ctx_, call.principal));
    }
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Organization>(
            ctx_.pool, "org.create", write, "CreateOrganization", request->request_id(), *request,
            [&](Session& session) -> absl::StatusOr<v1::Organization> {
              if (fresh.parent_id) {
                GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, *fresh.parent_id));
              }
              GR_ASSIGN_OR_RETURN(store::OrganizationStore::Changed created,
                                  ctx_.organizations.Create(session, fresh, decision, ActorOf(call)));
              GR_RETURN_IF_ERROR(RecordOrganizationChanges(ctx_, session, write, {created}));
              GR_ASSIGN_OR_RETURN(domain::Organization org,
                                  ctx_.organizations.Get(session, created.id, ViewDay(fresh.established_on)));
              return ToProto(org);
            }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::GetOrganization(grpc::ServerContext* context,
                                                      const v1::GetOrganizationRequest* request,
                                                      v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, DateOrToday(request->as_of_date(), "as_of_date"));
    // Scope first: outside it the answer is the NOT_FOUND of a missing id.
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, id));
    GR_ASSIGN_OR_RETURN(domain::Organization org, ctx_.organizations.Get(id, as_of));
    *response = ToProto(org);
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::UpdateOrganization(grpc::ServerContext* context,
                                                         const v1::UpdateOrganizationRequest* request,
                                                         v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_organization()) return common::InvalidField("organization", "is required");
    const v1::Organization& in = request->organization();
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(in.name(), "organization.name"));
    if (common::api::MaskContains(request->update_mask(), "sector")) {
      return common::InvalidField("update_mask",
                                  "sector has history and is not corrected here; use ChangeOrganizationSector");
    }
    static const std::set<std::string> kAllowed = {"address", "phone", "note"};
    GR_RETURN_IF_ERROR(common::api::ValidateUpdateMask(request->update_mask(), kAllowed));
    const bool all_set = request->update_mask().paths_size() == 0;
    auto wants = [&](std::string_view path, const std::string& value) {
      return all_set ? !value.empty() : common::api::MaskContains(request->update_mask(), path);
    };
    store::OrganizationStore::AttributeUpdate update;
    if (wants("address", in.address())) {
      GR_ASSIGN_OR_RETURN(update.address, common::api::NormalizeText(in.address(), "organization.address", false, 500));
    }
    if (wants("phone", in.phone())) {
      GR_ASSIGN_OR_RETURN(update.phone, common::api::NormalizeText(in.phone(), "organization.phone", false, 50));
      if (!std::all_of(update.phone->begin(), update.phone->end(), [](char c) {
            return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')' || c == '.';
          })) {
        return common::InvalidField("organization.phone", "may hold only digits, spaces and + - ( ) .");
      }
    }
    if (wants("note", in.note())) {
      GR_ASSIGN_OR_RETURN(update.note, common::api::NormalizeText(in.note(), "organization.note", false, 2000));
    }
    // A whole organization sent back with an empty mask carries its sector: accepted
    // when unchanged, refused when it would change it (domain::CheckAttributeUpdate).
    if (all_set && !in.sector().empty()) update.unchanged_sector = in.sector();
    if (!update.address && !update.phone && !update.note) {
      return common::InvalidField("update_mask", "names no field to update");
    }
    GR_RETURN_IF_ERROR(RequireExists(ctx_, id));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, id));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        ctx_.pool.Transact<v1::Organization>("org.update", [&](Session& session) -> absl::StatusOr<v1::Organization> {
          GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, id));
          GR_ASSIGN_OR_RETURN(store::OrganizationStore::Changed updated,
                              ctx_.organizations.UpdateAttributes(session, id, update, in.etag(), ActorOf(call)));
          GR_RETURN_IF_ERROR(RecordOrganizationChanges(ctx_, session, write, {updated}));
          GR_ASSIGN_OR_RETURN(domain::Organization org,
                              ctx_.organizations.Get(session, id, updated.event.effective_date));
          return ToProto(org);
        }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ListOrganizations(grpc::ServerContext* context,
                                                        const v1::ListOrganizationsRequest* request,
                                                        v1::ListOrganizationsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    store::OrganizationStore::ListQuery query;
    if (!request->parent().empty()) {
      GR_ASSIGN_OR_RETURN(query.parent_id, ParseOrgName(request->parent(), "parent"));
    }
    if (!request->subtree_root().empty()) {
      GR_ASSIGN_OR_RETURN(query.subtree_root, ParseOrgName(request->subtree_root(), "subtree_root"));
    }
    if (!request->level().empty()) GR_RETURN_IF_ERROR(common::api::ValidateCode(request->level(), "level"));
    if (!request->type().empty()) GR_RETURN_IF_ERROR(common::api::ValidateCode(request->type(), "type"));
    if (!request->sector().empty()) GR_RETURN_IF_ERROR(common::api::ValidateCode(request->sector(), "sector"));
    query.level = request->level();
    query.type = request->type();
    query.sector = request->sector();
    if (!v1::OrganizationState_IsValid(request->state())) return common::InvalidField("state", "is not a known state");
    query.state = FromProto(request->state());
    GR_ASSIGN_OR_RETURN(query.as_of, DateOrToday(request->as_of_date(), "as_of_date"));
    query.include_ended = request->include_ended();
    GR_ASSIGN_OR_RETURN(query.limit, common::api::ClampPageSize(request->page_size(), kDefaultPage, kMaxPage));
    // Whatever the filters, results stay inside the caller's scope subtree.
    if (query.parent_id) GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, *query.parent_id));
    if (query.subtree_root) GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, *query.subtree_root));
    if (!query.parent_id && !query.subtree_root) {
      query.subtree_root = call.principal.scope_org_id;
      query.include_subtree_root = true;
    }
    const uint64_t fingerprint = common::api::Fingerprint(
        {request->parent(), request->subtree_root(), query.level, query.type, query.sector,
         std::to_string(request->state()), common::api::FormatDate(query.as_of), query.include_ended ? "1" : "0",
         std::to_string(call.principal.scope_org_id), std::to_string(query.limit)});
    GR_ASSIGN_OR_RETURN(std::optional<common::api::PageCursor> cursor,
                        ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    if (cursor) query.after_id = cursor->last_id;
    GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> rows, ctx_.organizations.List(query));
    const bool more = static_cast<int32_t>(rows.size()) > query.limit;
    if (more) rows.resize(static_cast<size_t>(query.limit));
    for (const domain::Organization& org : rows) *response->add_organizations() = ToProto(org);
    if (more) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          common::api::PageCursor{"", rows.back().id, fingerprint}));
    }
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ListAncestors(grpc::ServerContext* context,
                                                    const v1::ListAncestorsRequest* request,
                                                    v1::ListAncestorsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, DateOrToday(request->as_of_date(), "as_of_date"));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, id));
    GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> ancestors, ctx_.organizations.Ancestors(id, as_of));
    // Ancestors above the caller's scope are outside what it may read.
    bool visible = false;
    for (const domain::Organization& org : ancestors) {
      if (org.id == call.principal.scope_org_id) visible = true;
      if (visible) *response->add_ancestors() = ToProto(org);
    }
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::GetSubtree(grpc::ServerContext* context, const v1::GetSubtreeRequest* request,
                                                 v1::GetSubtreeResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, DateOrToday(request->as_of_date(), "as_of_date"));
    if (request->max_depth() < 0) return common::InvalidField("max_depth", "must not be negative");
    GR_ASSIGN_OR_RETURN(int32_t limit,
                        common::api::ClampPageSize(request->page_size(), kDefaultSubtreePage, kMaxSubtreePage));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, id));
    GR_RETURN_IF_ERROR(ctx_.organizations.Get(id, as_of).status());
    const uint64_t fingerprint = common::api::Fingerprint(
        {request->name(), common::api::FormatDate(as_of), std::to_string(request->max_depth()), std::to_string(limit)});
    GR_ASSIGN_OR_RETURN(std::optional<common::api::PageCursor> cursor,
                        ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    GR_ASSIGN_OR_RETURN(store::OrganizationStore::SubtreePage page,
                        ctx_.organizations.SubtreePageOf(id, as_of, request->max_depth(),
                                                         cursor ? cursor->last_key : "", limit));
    for (const auto& [org, depth] : page.nodes) {
      v1::SubtreeNode* node = response->add_nodes();
      *node->mutable_organization() = ToProto(org);
      node->set_depth(depth);
    }
    if (page.has_more) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          common::api::PageCursor{page.last_path, page.nodes.back().first.id, fingerprint}));
    }
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::RenameOrganization(grpc::ServerContext* context,
                                                         const v1::RenameOrganizationRequest* request,
                                                         v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(std::string new_name,
                        common::api::NormalizeText(request->new_display_name(), "new_display_name", true, 255));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    GR_ASSIGN_OR_RETURN(*response, RunRestructure(ctx_, "org.rename", call, id, effective,
                                                  [&](Session& session, const store::OrganizationStore::Actor& actor) {
                                                    return ctx_.organizations.Rename(session, id, new_name, effective,
                                                                                     decision, request->etag(), actor);
                                                  }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::MoveOrganization(grpc::ServerContext* context,
                                                       const v1::MoveOrganizationRequest* request,
                                                       v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(int64_t new_parent, ParseOrgName(request->new_parent(), "new_parent"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, new_parent));
    GR_ASSIGN_OR_RETURN(*response, RunRestructure(ctx_, "org.move", call, id, effective,
                                                  [&](Session& session, const store::OrganizationStore::Actor& actor)
                                                      -> absl::StatusOr<std::vector<store::OrganizationStore::Changed>> {
                                                    GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session,
                                                                                               call.principal, new_parent));
                                                    return ctx_.organizations.Move(session, id, new_parent, effective,
                                                                                   decision, request->etag(), actor);
                                                  }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::MergeOrganizations(grpc::ServerContext* context,
                                                         const v1::MergeOrganizationsRequest* request,
                                                         v1::MergeOrganizationsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->sources().empty()) return common::InvalidField("sources", "must name at least one organization");
    std::vector<int64_t> sources;
    for (int i = 0; i < request->sources_size(); ++i) {
      GR_ASSIGN_OR_RETURN(int64_t source, ParseOrgName(request->sources(i), absl::StrCat("sources[", i, "]")));
      if (std::find(sources.begin(), sources.end(), source) != sources.end()) {
        return common::InvalidField(absl::StrCat("sources[", i, "]"), "is listed twice");
      }
      sources.push_back(source);
    }
    GR_ASSIGN_OR_RETURN(int64_t target, ParseOrgName(request->target(), "target"));
    if (std::find(sources.begin(), sources.end(), target) != sources.end()) {
      return common::InvalidField("sources", "must not contain the target");
    }
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    for (int64_t source : sources) GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, source));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, target));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response, ctx_.pool.Transact<v1::MergeOrganizationsResponse>(
                       "org.merge", [&](Session& session) -> absl::StatusOr<v1::MergeOrganizationsResponse> {
                         for (int64_t source : sources) {
                           GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, source));
                         }
                         GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, target));
                         GR_ASSIGN_OR_RETURN(auto changed, ctx_.organizations.Merge(session, sources, target, effective,
                                                                                    decision, ActorOf(call)));
                         GR_RETURN_IF_ERROR(RecordOrganizationChanges(ctx_, session, write, changed));
                         v1::MergeOrganizationsResponse out;
                         GR_ASSIGN_OR_RETURN(domain::Organization target_org,
                                             ctx_.organizations.Get(session, target, ViewDay(effective)));
                         *out.mutable_target() = ToProto(target_org);
                         GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> merged,
                                             ctx_.organizations.GetMany(session, sources, ViewDay(effective)));
                         for (const domain::Organization& org : merged) *out.add_merged() = ToProto(org);
                         return out;
                       }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::SplitOrganization(grpc::ServerContext* context,
                                                        const v1::SplitOrganizationRequest* request,
                                                        v1::SplitOrganizationResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    if (request->new_organizations_size() < 2) {
      return common::InvalidField("new_organizations", "a split needs at least two new organizations");
    }
    std::vector<store::OrganizationStore::NewOrganization> fresh;
    std::set<std::string> codes;
    for (int i = 0; i < request->new_organizations_size(); ++i) {
      const std::string prefix = absl::StrCat("new_organizations[", i, "]");
      GR_ASSIGN_OR_RETURN(store::OrganizationStore::NewOrganization org,
                          NewOrganizationFromProto(request->new_organizations(i), prefix));
      if (!codes.insert(org.code).second) return common::InvalidField(prefix + ".code", "is used twice");
      fresh.push_back(std::move(org));
    }
    std::map<int64_t, int32_t> assignments;
    for (const auto& [child_name, index] : request->child_assignments()) {
      GR_ASSIGN_OR_RETURN(int64_t child, ParseOrgName(child_name, "child_assignments"));
      assignments[child] = index;
    }
    std::optional<int32_t> member_successor_index;
    if (request->has_member_successor_index()) {
      if (request->member_successor_index() < 0 ||
          request->member_successor_index() >= request->new_organizations_size()) {
        return common::InvalidField("member_successor_index", "must index new_organizations");
      }
      member_successor_index = request->member_successor_index();
    }
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    for (const auto& org : fresh) {
      if (org.parent_id) GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, *org.parent_id));
    }
    // New organizations without a parent go under the split one's parent (or become
    // roots): creating them there needs the same right as CreateOrganization.
    if (std::any_of(fresh.begin(), fresh.end(), [](const auto& org) { return !org.parent_id; })) {
      GR_ASSIGN_OR_RETURN(domain::Organization split,
                          ctx_.pool.Read<domain::Organization>("org.get_current", [&](Session& session) {
                            return ctx_.organizations.GetCurrent(session, id);
                          }));
      if (split.parent_id) {
        GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, *split.parent_id));
      } else {
        GR_RETURN_IF_ERROR(RequireRootCreator(ctx_, call.principal));
      }
    }
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::SplitOrganizationResponse>(
            ctx_.pool, "org.split", write, "SplitOrganization", request->request_id(), *request,
            [&](Session& session) -> absl::StatusOr<v1::SplitOrganizationResponse> {
              GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, id));
              for (const auto& org : fresh) {
                if (org.parent_id) {
                  GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, *org.parent_id));
                }
              }
              if (std::any_of(fresh.begin(), fresh.end(), [](const auto& org) { return !org.parent_id; })) {
                GR_ASSIGN_OR_RETURN(domain::Organization split, ctx_.organizations.GetCurrent(session, id));
                if (split.parent_id) {
                  GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, *split.parent_id));
                }
              }
              GR_ASSIGN_OR_RETURN(store::OrganizationStore::SplitResult result,
                                  ctx_.organizations.Split(session, id, fresh, assignments, member_successor_index,
                                                           effective, decision, request->etag(), ActorOf(call)));
              GR_RETURN_IF_ERROR(RecordOrganizationChanges(ctx_, session, write, result.changed));
              v1::SplitOrganizationResponse out;
              GR_ASSIGN_OR_RETURN(domain::Organization split, ctx_.organizations.Get(session, id, ViewDay(effective)));
              *out.mutable_split() = ToProto(split);
              GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> created,
                                  ctx_.organizations.GetMany(session, result.created, ViewDay(effective)));
              for (const domain::Organization& org : created) *out.add_created() = ToProto(org);
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::DissolveOrganization(grpc::ServerContext* context,
                                                           const v1::DissolveOrganizationRequest* request,
                                                           v1::Organization* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    std::optional<int64_t> member_successor;
    if (!request->member_successor().empty()) {
      GR_ASSIGN_OR_RETURN(member_successor, ParseOrgName(request->member_successor(), "member_successor"));
      if (*member_successor == id) {
        return common::InvalidField("member_successor", "must not be the organization that ends");
      }
    }
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    GR_RETURN_IF_ERROR(RequireNotScopeRoot(call.principal, id, "dissolve"));
    if (member_successor) GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, *member_successor));
    // A retry with the same request_id (a discipline effect re-applied after a crash) gets the stored answer.
    GR_ASSIGN_OR_RETURN(*response,
                        common::feed::RunIdempotentTyped<v1::Organization>(
                            ctx_.pool, "org.dissolve", common::feed::WriteContextOf(call), method,
                            request->request_id(), *request, [&](Session& session) {
                              return ApplyRestructure(ctx_, session, call, id, effective,
                                                 [&](Session& s, const store::OrganizationStore::Actor& actor)
                                                     -> absl::StatusOr<std::vector<store::OrganizationStore::Changed>> {
                                                   if (member_successor) {
                                                     GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(
                                                         ctx_, s, call.principal, *member_successor));
                                                   }
                                                   return ctx_.organizations.Dissolve(s, id, member_successor,
                                                                                      effective, decision,
                                                                                      request->etag(), actor);
                                                 });
                            }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::HandOverOrganization(grpc::ServerContext* context,
                                                           const v1::HandOverOrganizationRequest* request,
                                                           v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(int64_t receiving, ParseOrgName(request->receiving_committee(), "receiving_committee"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    GR_RETURN_IF_ERROR(RequireNotScopeRoot(call.principal, id, "hand over"));
    // Handing over moves the unit out from under its committee: the receiving
    // committee must lie in the caller's scope too, so only a committee above
    // both sides (or the receiving one itself) decides it (QĐ 60-QĐ/TW).
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, receiving));
    GR_ASSIGN_OR_RETURN(*response, RunRestructure(ctx_, "org.hand_over", call, id, effective,
                                                  [&](Session& session, const store::OrganizationStore::Actor& actor)
                                                      -> absl::StatusOr<std::vector<store::OrganizationStore::Changed>> {
                                                    GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session,
                                                                                               call.principal, receiving));
                                                    return ctx_.organizations.HandOver(session, id, receiving, effective,
                                                                                       decision, request->etag(), actor);
                                                  }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ChangeOrganizationSector(grpc::ServerContext* context,
                                                               const v1::ChangeOrganizationSectorRequest* request,
                                                               v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    if (request->new_sector().empty()) return common::InvalidField("new_sector", "is required");
    GR_RETURN_IF_ERROR(common::api::ValidateCode(request->new_sector(), "new_sector"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    GR_ASSIGN_OR_RETURN(*response, RunRestructure(ctx_, "org.change_sector", call, id, effective,
                                                  [&](Session& session, const store::OrganizationStore::Actor& actor) {
                                                    return ctx_.organizations.ChangeSector(
                                                        session, id, request->new_sector(), effective, decision,
                                                        request->etag(), actor);
                                                  }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ChangeCommuneMilitaryCell(grpc::ServerContext* context,
                                                                const v1::ChangeCommuneMilitaryCellRequest* request,
                                                                v1::Organization* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, DateOrToday(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(request->decision(), "decision"));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, id));
    GR_ASSIGN_OR_RETURN(*response, RunRestructure(ctx_, "org.change_military_cell", call, id, effective,
                                                  [&](Session& session, const store::OrganizationStore::Actor& actor) {
                                                    return ctx_.organizations.ChangeMilitaryCell(
                                                        session, id, request->is_commune_military_cell(), effective,
                                                        decision, request->etag(), actor);
                                                  }));
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ListOrganizationEvents(grpc::ServerContext* context,
                                                             const v1::ListOrganizationEventsRequest* request,
                                                             v1::ListOrganizationEventsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(int32_t limit,
                        common::api::ClampPageSize(request->page_size(), kDefaultEventPage, kMaxEventPage));
    const uint64_t fingerprint = common::api::Fingerprint({request->name(), std::to_string(limit)});
    GR_ASSIGN_OR_RETURN(std::optional<common::api::PageCursor> cursor,
                        ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, id));
    GR_ASSIGN_OR_RETURN(std::vector<domain::OrgEvent> events,
                        ctx_.organizations.Events(id, cursor ? cursor->last_id : 0, limit));
    const bool more = static_cast<int32_t>(events.size()) > limit;
    if (more) events.resize(static_cast<size_t>(limit));
    for (const domain::OrgEvent& event : events) *response->add_events() = ToProto(event);
    if (more) {
      response->set_next_page_token(
          ctx_.page_tokens.Encode(common::api::PageCursor{"", events.back().id, fingerprint}));
    }
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ListOrganizationTypes(grpc::ServerContext* context,
                                                            const v1::ListOrganizationTypesRequest* request,
                                                            v1::ListOrganizationTypesResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext&) -> absl::Status {
    GR_ASSIGN_OR_RETURN(std::vector<domain::OrgType> types, ctx_.organizations.ListTypes());
    for (const domain::OrgType& type : types) *response->add_types() = ToProto(type);
    return absl::OkStatus();
  });
}

grpc::Status OrganizationServiceImpl::ListSectors(grpc::ServerContext* context, const v1::ListSectorsRequest* request,
                                                  v1::ListSectorsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext&) -> absl::Status {
    GR_ASSIGN_OR_RETURN(std::vector<store::OrganizationStore::SectorRow> sectors, ctx_.organizations.ListSectors());
    for (const auto& sector : sectors) {
      v1::Sector* out = response->add_sectors();
      out->set_code(sector.code);
      out->set_display_name(sector.display_name);
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::org
