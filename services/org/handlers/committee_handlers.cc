#include "services/org/handlers/committee_handlers.h"

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/org/domain/committee_rules.h"
#include "services/org/handlers/conversions.h"
#include "services/org/handlers/organization_handlers.h"

namespace grassroots::org {
namespace {

using common::db::Session;

absl::Status RequireExistingInScope(HandlerContext& ctx, const common::auth::Principal& principal, int64_t id) {
  GR_RETURN_IF_ERROR(
      ctx.pool.Run("org.exists", [&](Session& s) { return ctx.organizations.GetCurrent(s, id).status(); }));
  return RequireOrgInScope(ctx, principal, id);
}

absl::Status Record(Session& session, const common::feed::WriteContext& write, const char* type,
                    const std::string& name, const char* action, const google::protobuf::Message& resource,
                    nlohmann::json details) {
  common::feed::ChangeRecord record;
  record.resource_type = type;
  record.resource_name = name;
  record.action = action;
  record.resource = &resource;
  record.audit_details = std::move(details);
  return common::feed::RecordChange(session, write, record);
}

v1::FindingSeverity ToProto(domain::FindingSeverity severity) {
  switch (severity) {
    case domain::FindingSeverity::kInfo: return v1::FINDING_SEVERITY_INFO;
    case domain::FindingSeverity::kWarning: return v1::FINDING_SEVERITY_WARNING;
    case domain::FindingSeverity::kViolation: return v1::FINDING_SEVERITY_VIOLATION;
  }
  return v1::FINDING_SEVERITY_UNSPECIFIED;
}

}  // namespace

grpc::Status CommitteeServiceImpl::CreateCommitteeTerm(grpc::ServerContext* context,
                                                       const v1::CreateCommitteeTermRequest* request,
                                                       v1::CommitteeTerm* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request->parent(), "parent"));
    if (!request->has_term()) return common::InvalidField("term", "is required");
    const v1::CommitteeTerm& in = request->term();
    domain::CommitteeTerm term;
    term.organization_id = org_id;
    GR_ASSIGN_OR_RETURN(term.label, common::api::NormalizeText(in.label(), "term.label", true, 100));
    GR_ASSIGN_OR_RETURN(term.starts_on, common::api::ParseDate(in.starts_on(), "term.starts_on"));
    if (!in.ends_on().empty()) {
      GR_ASSIGN_OR_RETURN(term.ends_on, common::api::ParseDate(in.ends_on(), "term.ends_on"));
      if (*term.ends_on <= term.starts_on) return common::InvalidField("term.ends_on", "must be after term.starts_on");
    }
    term.elected_committee = in.elected_committee();
    if (in.seats() < 0) return common::InvalidField("term.seats", "must not be negative");
    if (!in.elected_committee() && in.seats() > 0) {
      return common::InvalidField("term.seats", "only a term with an elected committee has committee seats");
    }
    term.seats = in.seats();
    GR_ASSIGN_OR_RETURN(term.decision, DecisionFromProto(in.decision(), "term.decision"));
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, org_id));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(*response,
                        common::feed::RunIdempotentTyped<v1::CommitteeTerm>(
                            ctx_.pool, "committee.create_term", write, "CreateCommitteeTerm", request->request_id(),
                            *request, [&](Session& session) -> absl::StatusOr<v1::CommitteeTerm> {
                              GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx_, session, call.principal, org_id));
                              GR_ASSIGN_OR_RETURN(int64_t id, committees_.CreateTerm(session, term));
                              GR_ASSIGN_OR_RETURN(domain::CommitteeTerm stored, committees_.GetTerm(session, id));
                              v1::CommitteeTerm proto = ToProto(stored);
                              GR_RETURN_IF_ERROR(Record(session, write, "committee_term", proto.name(), "created",
                                                        proto, {{"organization", org_id}}));
                              return proto;
                            }));
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::GetCommitteeTerm(grpc::ServerContext* context,
                                                    const v1::GetCommitteeTermRequest* request,
                                                    v1::CommitteeTerm* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(TermRef ref, ParseTermName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(domain::CommitteeTerm term, committees_.GetTerm(ref.term_id));
    if (term.organization_id != ref.org_id) return absl::NotFoundError(absl::StrCat(request->name(), " not found"));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, term.organization_id));
    *response = ToProto(term);
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::ListCommitteeTerms(grpc::ServerContext* context,
                                                      const v1::ListCommitteeTermsRequest* request,
                                                      v1::ListCommitteeTermsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request->parent(), "parent"));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, org_id));
    GR_ASSIGN_OR_RETURN(std::vector<domain::CommitteeTerm> terms, committees_.ListTerms(org_id));
    for (const domain::CommitteeTerm& term : terms) *response->add_terms() = ToProto(term);
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::EndCommitteeTerm(grpc::ServerContext* context,
                                                    const v1::EndCommitteeTermRequest* request,
                                                    v1::CommitteeTerm* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(TermRef ref, ParseTermName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay ended_on, common::api::ParseDate(request->ended_on(), "ended_on"));
    GR_ASSIGN_OR_RETURN(domain::CommitteeTerm existing, committees_.GetTerm(ref.term_id));
    if (existing.organization_id != ref.org_id) return absl::NotFoundError(absl::StrCat(request->name(), " not found"));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, ref.org_id));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Transact<v1::CommitteeTerm>(
                                       "committee.end_term", [&](Session& session) -> absl::StatusOr<v1::CommitteeTerm> {
                                         GR_RETURN_IF_ERROR(
                                             RequireOrgInScopeLocked(ctx_, session, call.principal, ref.org_id));
                                         GR_RETURN_IF_ERROR(
                                             committees_.EndTerm(session, ref.term_id, ended_on, request->etag()));
                                         GR_ASSIGN_OR_RETURN(domain::CommitteeTerm term,
                                                             committees_.GetTerm(session, ref.term_id));
                                         v1::CommitteeTerm proto = ToProto(term);
                                         GR_RETURN_IF_ERROR(Record(session, write, "committee_term", proto.name(),
                                                                   "ended", proto, {{"organization", ref.org_id}}));
                                         return proto;
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::AssignPosition(grpc::ServerContext* context,
                                                  const v1::AssignPositionRequest* request, v1::Position* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(TermRef ref, ParseTermName(request->parent(), "parent"));
    if (!request->has_position()) return common::InvalidField("position", "is required");
    const v1::Position& in = request->position();
    domain::CommitteePosition position;
    position.term_id = ref.term_id;
    position.organization_id = ref.org_id;
    GR_ASSIGN_OR_RETURN(position.member_id, common::api::ParseId(in.member(), "members", "position.member"));
    position.kind = PositionKindCode(in.kind());
    if (position.kind.empty()) return common::InvalidField("position.kind", "is required");
    GR_ASSIGN_OR_RETURN(position.starts_on, common::api::ParseDate(in.starts_on(), "position.starts_on"));
    if (!in.ends_on().empty()) {
      GR_ASSIGN_OR_RETURN(position.ends_on, common::api::ParseDate(in.ends_on(), "position.ends_on"));
      if (*position.ends_on <= position.starts_on) {
        return common::InvalidField("position.ends_on", "must be after position.starts_on");
      }
    }
    if (!in.party_group().empty()) {
      GR_ASSIGN_OR_RETURN(position.party_group_id, ParseOrgName(in.party_group(), "position.party_group"));
    }
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, ref.org_id));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(*response, common::feed::RunIdempotentTyped<v1::Position>(
                                       ctx_.pool, "committee.assign", write, "AssignPosition", request->request_id(),
                                       *request, [&](Session& session) -> absl::StatusOr<v1::Position> {
                                         GR_RETURN_IF_ERROR(
                                             RequireOrgInScopeLocked(ctx_, session, call.principal, ref.org_id));
                                         GR_ASSIGN_OR_RETURN(int64_t id, committees_.AssignPosition(session, position));
                                         GR_ASSIGN_OR_RETURN(domain::CommitteePosition stored,
                                                             committees_.GetPosition(session, id));
                                         v1::Position proto = ToProto(stored);
                                         GR_RETURN_IF_ERROR(Record(session, write, "committee_position", proto.name(),
                                                                   "assigned", proto,
                                                                   {{"term", ref.term_id}, {"kind", stored.kind}}));
                                         return proto;
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::EndPosition(grpc::ServerContext* context, const v1::EndPositionRequest* request,
                                               v1::Position* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(PositionRef ref, ParsePositionName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay ended_on, common::api::ParseDate(request->ended_on(), "ended_on"));
    GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireExistingInScope(ctx_, call.principal, ref.org_id));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    // A retry with the same request_id (a dismissal's effect re-applied after a crash) gets the stored answer.
    GR_ASSIGN_OR_RETURN(*response, common::feed::RunIdempotentTyped<v1::Position>(
                                       ctx_.pool, "committee.end_position", write, method, request->request_id(),
                                       *request, [&](Session& session) -> absl::StatusOr<v1::Position> {
                                         GR_RETURN_IF_ERROR(
                                             RequireOrgInScopeLocked(ctx_, session, call.principal, ref.org_id));
                                         GR_ASSIGN_OR_RETURN(domain::CommitteePosition existing,
                                                             committees_.GetPosition(session, ref.position_id));
                                         if (existing.term_id != ref.term_id || existing.organization_id != ref.org_id) {
                                           return absl::NotFoundError(absl::StrCat(request->name(), " not found"));
                                         }
                                         GR_RETURN_IF_ERROR(committees_.EndPosition(session, ref.position_id, ended_on));
                                         GR_ASSIGN_OR_RETURN(domain::CommitteePosition stored,
                                                             committees_.GetPosition(session, ref.position_id));
                                         v1::Position proto = ToProto(stored);
                                         GR_RETURN_IF_ERROR(Record(session, write, "committee_position", proto.name(),
                                                                   "ended", proto, {{"term", ref.term_id}}));
                                         return proto;
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::ListPositions(grpc::ServerContext* context, const v1::ListPositionsRequest* request,
                                                 v1::ListPositionsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(TermRef ref, ParseTermName(request->parent(), "parent"));
    std::optional<absl::CivilDay> as_of;
    if (!request->as_of_date().empty()) {
      GR_ASSIGN_OR_RETURN(as_of, common::api::ParseDate(request->as_of_date(), "as_of_date"));
    }
    GR_ASSIGN_OR_RETURN(domain::CommitteeTerm term, committees_.GetTerm(ref.term_id));
    if (term.organization_id != ref.org_id) return absl::NotFoundError(absl::StrCat(request->parent(), " not found"));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, ref.org_id));
    GR_ASSIGN_OR_RETURN(std::vector<domain::CommitteePosition> positions, committees_.ListPositions(ref.term_id, as_of));
    for (const domain::CommitteePosition& position : positions) *response->add_positions() = ToProto(position);
    return absl::OkStatus();
  });
}

grpc::Status CommitteeServiceImpl::CheckOrganizationRules(grpc::ServerContext* context,
                                                          const v1::CheckOrganizationRulesRequest* request,
                                                          v1::CheckOrganizationRulesResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request->name(), "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, DateOrToday(request->as_of_date(), "as_of_date"));
    if (request->official_members() < 0) return common::InvalidField("official_members", "must not be negative");
    if (request->probationary_members() < 0) {
      return common::InvalidField("probationary_members", "must not be negative");
    }
    struct Facts {
      domain::Organization org;
      std::optional<domain::CommitteeTerm> term;
    };
    GR_ASSIGN_OR_RETURN(Facts facts, ctx_.pool.Read<Facts>("committee.check_rules", [&](Session& session)
                                                                                        -> absl::StatusOr<Facts> {
      GR_ASSIGN_OR_RETURN(domain::Organization org, ctx_.organizations.Get(session, org_id, as_of));
      GR_ASSIGN_OR_RETURN(std::optional<domain::CommitteeTerm> term, committees_.TermInOffice(session, org_id, as_of));
      return Facts{std::move(org), std::move(term)};
    }));
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx_, call.principal, org_id));
    if (facts.org.state != domain::OrgState::kActive) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED",
                              absl::StrCat(request->name(), " is not active on ", common::api::FormatDate(as_of)));
    }
    domain::CommitteeCheckInput input;
    input.type = facts.org.type;
    input.official_members = request->official_members();
    input.probationary_members = request->probationary_members();
    input.elected_committee_in_office = facts.term && facts.term->elected_committee;
    input.committee_seats = facts.term ? facts.term->seats : 0;
    input.as_of = as_of;
    GR_ASSIGN_OR_RETURN(std::vector<domain::RuleFinding> findings, domain::CheckCommitteeRules(input, ctx_.rules));
    for (const domain::RuleFinding& finding : findings) {
      v1::RuleFinding* out = response->add_findings();
      out->set_code(finding.code);
      out->set_severity(ToProto(finding.severity));
      out->set_message(finding.message);
      out->set_rule_id(finding.rule_id);
      out->set_citation(finding.citation);
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::org
