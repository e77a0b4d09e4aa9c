#include "services/inspection/handlers/discipline_handlers.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/inspection/domain/appeal_rules.h"
#include "services/inspection/domain/discipline_effects.h"
#include "services/inspection/domain/discipline_rules.h"
#include "services/inspection/handlers/conversions.h"
#include "services/inspection/handlers/request_support.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection {
namespace {

namespace api = common::api;
using common::auth::Role;

constexpr char kDecisionType[] = "discipline_decision";
constexpr char kAppealType[] = "discipline_appeal";
constexpr size_t kMaxSummaryChars = 4000;
constexpr int kMaxListedDays = 100;

absl::StatusOr<std::vector<absl::CivilDay>> ParseDays(const google::protobuf::RepeatedPtrField<std::string>& days,
                                                      std::string_view field) {
  if (days.size() > kMaxListedDays) return common::InvalidField(field, "lists too many days");
  std::vector<absl::CivilDay> out;
  for (int i = 0; i < days.size(); ++i) {
    GR_ASSIGN_OR_RETURN(absl::CivilDay day, ParseDay(days[i], absl::StrCat(common::ToAbsl(field), "[", i, "]")));
    out.push_back(day);
  }
  return out;
}

absl::StatusOr<std::vector<domain::DayRange>> ParsePeriods(const google::protobuf::RepeatedPtrField<v1::DatePeriod>& in,
                                                           std::string_view field) {
  if (in.size() > kMaxListedDays) return common::InvalidField(field, "lists too many periods");
  std::vector<domain::DayRange> out;
  for (int i = 0; i < in.size(); ++i) {
    const std::string item = absl::StrCat(common::ToAbsl(field), "[", i, "]");
    GR_ASSIGN_OR_RETURN(absl::CivilDay from, ParseDay(in[i].from(), absl::StrCat(item, ".from")));
    GR_ASSIGN_OR_RETURN(absl::CivilDay to, ParseDay(in[i].to(), absl::StrCat(item, ".to")));
    out.push_back({from, to});
  }
  return out;
}

// The years the limitation rule gives the form (0 when it gives none).
int32_t LimitationYears(const common::RulesRegistry& rules, const std::string& rule_id, absl::CivilDay day,
                        domain::DisciplineForm form) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(rule_id, day);
  if (!rule.ok()) return 0;
  const std::string key(domain::DisciplineFormName(form));
  const nlohmann::json& value = (*rule)->value;
  if (!value.is_object() || !value.contains(key) || !value[key].is_number_integer()) return 0;
  return value[key].get<int32_t>();
}

void Decorate(const common::RulesRegistry& rules, v1::DisciplineDecision& d) {
  d.mutable_limitation()->set_citation(CitationOf(rules, d.limitation().rule_id(), d.decision().signed_on()));
}

void Decorate(const common::RulesRegistry& rules, v1::Appeal& a) {
  a.set_deadline_citation(CitationOf(rules, a.deadline_rule_id(), a.filed_on()));
}

// Inspectors and admins read in scope; a member reads the decisions about itself.
absl::Status RequireCanRead(HandlerContext& ctx, const common::auth::CallContext& call,
                            const store::StoredDecision& stored) {
  if (call.principal.HasAnyRole({Role::kInspector, Role::kAdmin})) return RequireInScope(ctx, call, stored.org_id);
  if (call.principal.member_id &&
      stored.record.subject().member() == store::NameOfId("members", *call.principal.member_id)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("the caller may not read ", stored.record.name()));
}

// The effects of `kinds` on the decision's subject, pending, keyed by the
// decision, the appeal (0 for the decision itself) and the kind.
absl::Status AddEffects(store::DisciplineStore& decisions, common::db::Session& session, int64_t decision_id,
                        int64_t appeal_id, const v1::DisciplineDecision& record,
                        const std::vector<domain::EffectKind>& kinds) {
  for (domain::EffectKind kind : kinds) {
    const v1::EffectKind proto_kind = EffectKindToProto(kind);
    std::string target;
    switch (proto_kind) {
      case v1::EFFECT_KIND_EXPEL_MEMBER:
      case v1::EFFECT_KIND_REINSTATE_MEMBER: target = record.subject().member(); break;
      case v1::EFFECT_KIND_END_POSITION: target = record.position(); break;
      case v1::EFFECT_KIND_DISSOLVE_ORGANIZATION: target = record.subject().organization(); break;
      default: break;
    }
    if (target.empty()) continue;
    // [A-Za-z0-9_-], at most 64 characters: it is the other service's request_id.
    const std::string key = absl::StrCat("discipline-", decision_id, "-", appeal_id, "-", static_cast<int>(proto_kind));
    GR_RETURN_IF_ERROR(decisions.AddEffect(session, decision_id, proto_kind, target, key));
  }
  return absl::OkStatus();
}

}  // namespace

DisciplineServiceImpl::DisciplineServiceImpl(HandlerContext& ctx, store::DisciplineStore& decisions,
                                             PositionDirectory& positions, EffectWorker& effects)
    : ctx_(ctx),
      decisions_(decisions),
      positions_(positions),
      effects_(effects),
      envelope_(v1::DisciplineService::service_full_name(), ctx.authorizer) {}

grpc::Status DisciplineServiceImpl::DecideDiscipline(grpc::ServerContext* context,
                                                     const v1::DecideDisciplineRequest* request,
                                                     v1::DisciplineDecision* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    const v1::DisciplineDecision& in = request->decision();
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(in.organization(), "organizations", "decision.organization"));
    GR_RETURN_IF_ERROR(ConductorFromProto(in.deciding_body(), "decision.deciding_body").status());
    GR_ASSIGN_OR_RETURN(SubjectRef subject, ParseSubject(in.subject(), "decision.subject", /*required=*/true));
    GR_ASSIGN_OR_RETURN(domain::DisciplineForm form, DisciplineFormFromProto(in.form(), "decision.form"));
    v1::DisciplineDecision record;
    record.set_organization(store::NameOfId("organizations", org_id));
    record.set_deciding_body(in.deciding_body());
    *record.mutable_subject() = in.subject();
    record.set_form(in.form());
    GR_ASSIGN_OR_RETURN(*record.mutable_decision(),
                        NormalizeDecision(in.decision(), "decision.decision", /*required=*/true));
    GR_ASSIGN_OR_RETURN(absl::CivilDay signed_on, api::ParseDate(record.decision().signed_on(), "decision.decision.signed_on"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay effective, api::ParseDateOr(in.effective_date(), "decision.effective_date", signed_on));
    if (effective < signed_on) {
      return common::InvalidField("decision.effective_date", "must not be before the decision is signed");
    }
    record.set_effective_date(api::FormatDate(effective));
    v1::Violation* violation = record.mutable_violation();
    GR_ASSIGN_OR_RETURN(*violation->mutable_summary(),
                        api::NormalizeText(in.violation().summary(), "decision.violation.summary", true,
                                           kMaxSummaryChars));
    violation->set_category(in.violation().category() == v1::VIOLATION_CATEGORY_UNSPECIFIED
                                ? v1::VIOLATION_CATEGORY_ORDINARY
                                : in.violation().category());
    if (!v1::ViolationCategory_IsValid(violation->category())) {
      return common::InvalidField("decision.violation.category", "is not a known category");
    }
    GR_ASSIGN_OR_RETURN(std::optional<absl::CivilDay> started,
                        ParseOptionalDay(in.violation().started_on(), "decision.violation.started_on"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay ended, ParseDay(in.violation().ended_on(), "decision.violation.ended_on"));
    GR_ASSIGN_OR_RETURN(std::vector<absl::CivilDay> later,
                        ParseDays(in.violation().later_violations_on(), "decision.violation.later_violations_on"));
    GR_ASSIGN_OR_RETURN(std::vector<domain::DayRange> not_considered,
                        ParsePeriods(in.violation().not_considered(), "decision.violation.not_considered"));
    if (started) violation->set_started_on(api::FormatDate(*started));
    violation->set_ended_on(api::FormatDate(ended));
    for (absl::CivilDay day : later) violation->add_later_violations_on(api::FormatDate(day));
    for (const domain::DayRange& range : not_considered) {
      v1::DatePeriod* period = violation->add_not_considered();
      period->set_from(api::FormatDate(range.from));
      period->set_to(api::FormatDate(range.to));
    }
    if ((form == domain::DisciplineForm::kDismissal) == in.position().empty()) {
      return common::InvalidField("decision.position", form == domain::DisciplineForm::kDismissal
                                                           ? "is required for a dismissal (the post held)"
                                                           : "names the post of a dismissal only");
    }
    record.set_position(in.position());
    std::optional<int64_t> case_id;
    if (!in.case_().empty()) {
      GR_ASSIGN_OR_RETURN(case_id, ParseName(in.case_(), "cases", "decision.case"));
      record.set_case_(in.case_());
    }
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));

    // What the subject was when the decision was made (the day before it is
    // signed: an expulsion's own effect starts on that day), and the post held
    // on the violation day.
    domain::DisciplineSubjectKind subject_kind = domain::DisciplineSubjectKind::kOrganization;
    if (subject.member_id) {
      const absl::CivilDay before = signed_on - 1;
      GR_ASSIGN_OR_RETURN(MemberStandingOnDay standing, ctx_.members.StandingOn(*subject.member_id, before));
      if (standing.kind == MemberStandingKind::kNotAMember) {
        return common::Reasoned(absl::StatusCode::kFailedPrecondition, "MEMBER_NOT_IN_PARTY",
                                absl::StrCat("decision.subject.member: ", in.subject().member(),
                                             " was not a party member on ", api::FormatDate(before)));
      }
      subject_kind = standing.kind == MemberStandingKind::kOfficial ? domain::DisciplineSubjectKind::kOfficialMember
                                                                    : domain::DisciplineSubjectKind::kProbationaryMember;
    }
    bool held_post = false;
    if (form == domain::DisciplineForm::kDismissal && subject.member_id) {
      GR_ASSIGN_OR_RETURN(held_post, positions_.HeldOn(in.position(), in.subject().member(), ended, "decision.position"));
    }
    GR_ASSIGN_OR_RETURN(domain::Limitation limitation,
                        domain::CheckDisciplineDecision({.form = form,
                                                         .subject = subject_kind,
                                                         .held_post_on_violation_date = held_post,
                                                         .grave_kind = GraveKindOf(violation->category()),
                                                         .violation_started = started,
                                                         .violation_ended = ended,
                                                         .decided_on = signed_on,
                                                         .later_violations = later,
                                                         .not_considered = not_considered},
                                                        ctx_.rules));
    record.set_subject_kind(SubjectKindToProto(subject_kind));
    v1::Limitation* limit = record.mutable_limitation();
    if (limitation.deadline) limit->set_deadline(api::FormatDate(*limitation.deadline));
    limit->set_runs_from(api::FormatDate(limitation.counted_from));
    limit->set_rule_id(limitation.rule_id);
    if (limitation.deadline) limit->set_years(LimitationYears(ctx_.rules, limitation.rule_id, signed_on, form));

    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::DisciplineDecision>(
            ctx_.pool, "discipline.decide", common::feed::WriteContextOf(call), envelope_.FullName(__func__),
            request->request_id(), *request,
            [&](common::db::Session& session) -> absl::StatusOr<v1::DisciplineDecision> {
              GR_RETURN_IF_ERROR(
                  OrganizationActiveOn(ctx_, session, org_id, signed_on, "decision.organization").status());
              if (subject.organization_id) {
                GR_ASSIGN_OR_RETURN(std::optional<orgtree::ProjectedOrganization> target,
                                    ctx_.organizations.Find(session, *subject.organization_id));
                if (!target) {
                  return absl::NotFoundError(absl::StrCat("decision.subject.organization: ",
                                                          in.subject().organization(), " does not exist"));
                }
              }
              if (case_id) {
                GR_ASSIGN_OR_RETURN(std::optional<store::StoredCase> linked, ctx_.cases.Get(session, *case_id, false));
                if (!linked) return absl::NotFoundError(absl::StrCat("decision.case: ", in.case_(), " does not exist"));
              }
              GR_ASSIGN_OR_RETURN(int64_t id, decisions_.InsertDecision(session, org_id, record));
              GR_RETURN_IF_ERROR(
                  AddEffects(decisions_, session, id, 0, record, domain::EffectsOfDecision(form, subject_kind)));
              GR_ASSIGN_OR_RETURN(std::optional<store::StoredDecision> stored, decisions_.GetDecision(session, id, false));
              if (!stored) return absl::InternalError("decision vanished inside its transaction");
              Decorate(ctx_.rules, stored->record);
              GR_RETURN_IF_ERROR(RecordChange(session, call, kDecisionType, stored->record.name(), "decided",
                                              stored->record,
                                              {{"decision_id", id},
                                               {"organization_id", org_id},
                                               {"form", v1::DisciplineForm_Name(in.form())},
                                               {"subject_kind", v1::SubjectKind_Name(stored->record.subject_kind())}}));
              return stored->record;
            }));
    effects_.Nudge();
    return absl::OkStatus();
  });
}

grpc::Status DisciplineServiceImpl::GetDisciplineDecision(grpc::ServerContext* context,
                                                          const v1::GetDisciplineDecisionRequest* request,
                                                          v1::DisciplineDecision* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "discipline_decisions", "name"));
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredDecision> stored,
                        ctx_.pool.Read<std::optional<store::StoredDecision>>(
                            "discipline.get",
                            [&](common::db::Session& session) { return decisions_.GetDecision(session, id, false); }));
    if (!stored) return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
    GR_RETURN_IF_ERROR(RequireCanRead(ctx_, call, *stored));
    *response = std::move(stored->record);
    Decorate(ctx_.rules, *response);
    return absl::OkStatus();
  });
}

grpc::Status DisciplineServiceImpl::ListDisciplineDecisions(grpc::ServerContext* context,
                                                            const v1::ListDisciplineDecisionsRequest* request,
                                                            v1::ListDisciplineDecisionsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(SubjectRef subject, ParseSubject(request->subject(), "subject", false));
    std::optional<int64_t> org_id;
    if (!request->organization().empty()) {
      GR_ASSIGN_OR_RETURN(org_id, ParseName(request->organization(), "organizations", "organization"));
    }
    if (!org_id && !subject.organization_id && !subject.member_id) {
      return common::InvalidField("organization", "set organization (a subtree) or subject (a history)");
    }
    if (request->form() != 0 && !v1::DisciplineForm_IsValid(request->form())) {
      return common::InvalidField("form", "is not a known form");
    }
    GR_ASSIGN_OR_RETURN(PageRequest page, DecodePage(ctx_, request->page_size(), request->page_token(),
                                                     api::Fingerprint({"decisions", request->SerializeAsString()})));
    const bool reader = call.principal.HasAnyRole({Role::kInspector, Role::kAdmin});
    store::DecisionFilter filter{.subject_org_id = subject.organization_id,
                                 .subject_member_id = subject.member_id,
                                 .form = request->form(),
                                 .year = request->year()};
    if (!reader) {
      // A member: its own history only.
      if (!call.principal.member_id || subject.member_id != call.principal.member_id || org_id) {
        return absl::PermissionDeniedError("a member lists the decisions about itself only (subject.member)");
      }
    } else if (org_id) {
      GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, *org_id));
    }
    GR_ASSIGN_OR_RETURN(std::vector<store::StoredDecision> rows,
                        ctx_.pool.Read<std::vector<store::StoredDecision>>(
                            "discipline.list",
                            [&](common::db::Session& session) -> absl::StatusOr<std::vector<store::StoredDecision>> {
                              if (org_id) {
                                GR_ASSIGN_OR_RETURN(filter.org_ids, SubtreeOf(ctx_, session, *org_id));
                              } else if (reader) {
                                // A subject's history across deciders: only the decisions made in the caller's scope.
                                GR_ASSIGN_OR_RETURN(filter.org_ids,
                                                    SubtreeOf(ctx_, session, call.principal.scope_org_id));
                              }
                              return decisions_.ListDecisions(session, filter, page.after_id, page.size);
                            }));
    for (store::StoredDecision& row : rows) {
      Decorate(ctx_.rules, row.record);
      *response->add_decisions() = std::move(row.record);
    }
    response->set_next_page_token(NextPageToken(ctx_, page, rows.size(), rows.empty() ? 0 : rows.back().id));
    return absl::OkStatus();
  });
}

grpc::Status DisciplineServiceImpl::FileAppeal(grpc::ServerContext* context, const v1::FileAppealRequest* request,
                                               v1::Appeal* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t decision_id, ParseName(request->decision(), "discipline_decisions", "decision"));
    const v1::Appeal& in = request->appeal();
    GR_ASSIGN_OR_RETURN(absl::CivilDay received, ParseDay(in.decision_received_on(), "appeal.decision_received_on"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay filed, ParseDay(in.filed_on(), "appeal.filed_on"));
    GR_ASSIGN_OR_RETURN(int64_t resolving_org_id,
                        ParseName(in.resolving_organization(), "organizations", "appeal.resolving_organization"));
    GR_RETURN_IF_ERROR(ConductorFromProto(in.resolving_body(), "appeal.resolving_body").status());
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(domain::CheckAppealFiling(received, filed, ctx_.rules, ctx_.calendar));
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Appeal>(
            ctx_.pool, "discipline.file_appeal", common::feed::WriteContextOf(call), envelope_.FullName(__func__),
            request->request_id(), *request, [&](common::db::Session& session) -> absl::StatusOr<v1::Appeal> {
              GR_ASSIGN_OR_RETURN(std::optional<store::StoredDecision> decision,
                                  decisions_.GetDecision(session, decision_id, /*for_update=*/true));
              if (!decision) return absl::NotFoundError(absl::StrCat(request->decision(), " does not exist"));
              GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, decision->org_id));
              GR_ASSIGN_OR_RETURN(absl::CivilDay signed_on,
                                  api::ParseDate(decision->record.decision().signed_on(), "signed_on"));
              if (received < signed_on) {
                return common::InvalidField("appeal.decision_received_on",
                                            "must not be before the decision was signed");
              }
              if (decision->record.appeal_outcome() != v1::APPEAL_OUTCOME_UNSPECIFIED) {
                return common::Reasoned(absl::StatusCode::kFailedPrecondition, "APPEAL_ALREADY_RESOLVED",
                                        absl::StrCat(request->decision(), " was already resolved on appeal (",
                                                     v1::AppealOutcome_Name(decision->record.appeal_outcome()), ")"));
              }
              GR_ASSIGN_OR_RETURN(bool open, decisions_.HasOpenAppeal(session, decision_id));
              if (open) {
                return common::Reasoned(absl::StatusCode::kFailedPrecondition, "APPEAL_PENDING",
                                        absl::StrCat(request->decision(), " already has an unresolved appeal"));
              }
              // The appeal goes to a body above the one that decided (or the same committee's higher organ).
              GR_ASSIGN_OR_RETURN(orgtree::ProjectedOrganization resolver,
                                  OrganizationActiveOn(ctx_, session, resolving_org_id, filed,
                                                       "appeal.resolving_organization"));
              GR_ASSIGN_OR_RETURN(bool above, ctx_.organizations.IsWithinSubtree(session, resolving_org_id,
                                                                                 decision->org_id));
              if (!above) {
                return common::InvalidField("appeal.resolving_organization",
                                            "must be the deciding organization or one above it");
              }
              GR_ASSIGN_OR_RETURN(domain::Deadline deadline,
                                  domain::AppealResolutionDeadline(filed, LevelOf(resolver), ctx_.rules, ctx_.calendar));
              v1::Appeal appeal;
              appeal.set_decision_received_on(api::FormatDate(received));
              appeal.set_filed_on(api::FormatDate(filed));
              appeal.set_resolving_body(in.resolving_body());
              appeal.set_resolution_deadline(api::FormatDate(deadline.due));
              appeal.set_deadline_rule_id(deadline.rule_id);
              GR_ASSIGN_OR_RETURN(int64_t id, decisions_.InsertAppeal(session, decision_id, resolving_org_id, appeal));
              GR_ASSIGN_OR_RETURN(std::optional<store::StoredAppeal> stored, decisions_.GetAppeal(session, id, false));
              if (!stored) return absl::InternalError("appeal vanished inside its transaction");
              v1::AppealChange change;
              change.set_decision(request->decision());
              *change.mutable_appeal() = stored->record;
              GR_RETURN_IF_ERROR(RecordChange(session, call, kAppealType, stored->record.name(), "filed", change,
                                              {{"decision_id", decision_id}, {"appeal_id", id}}));
              Decorate(ctx_.rules, stored->record);
              return stored->record;
            }));
    return absl::OkStatus();
  });
}

grpc::Status DisciplineServiceImpl::ResolveAppeal(grpc::ServerContext* context, const v1::ResolveAppealRequest* request,
                                                  v1::Appeal* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(auto ids, ParseChildName(request->name(), "discipline_decisions", "appeals", "name"));
    const int64_t decision_id = ids.first;
    const int64_t appeal_id = ids.second;
    GR_ASSIGN_OR_RETURN(domain::AppealOutcome outcome, AppealOutcomeFromProto(request->outcome(), "outcome"));
    std::optional<domain::DisciplineForm> new_form;
    if (request->new_form() != v1::DISCIPLINE_FORM_UNSPECIFIED) {
      GR_ASSIGN_OR_RETURN(new_form, DisciplineFormFromProto(request->new_form(), "new_form"));
    }
    GR_ASSIGN_OR_RETURN(absl::CivilDay resolved_on, ParseDay(request->resolved_on(), "resolved_on"));
    GR_ASSIGN_OR_RETURN(grassroots::type::v1::Decision resolution,
                        NormalizeDecision(request->resolution(), "resolution", /*required=*/true));
    GR_ASSIGN_OR_RETURN(
        *response,
        ctx_.pool.Transact<v1::Appeal>("discipline.resolve_appeal", [&](common::db::Session& session)
                                                                           -> absl::StatusOr<v1::Appeal> {
          GR_ASSIGN_OR_RETURN(std::optional<store::StoredDecision> decision,
                              decisions_.GetDecision(session, decision_id, /*for_update=*/true));
          GR_ASSIGN_OR_RETURN(std::optional<store::StoredAppeal> appeal,
                              decisions_.GetAppeal(session, appeal_id, /*for_update=*/true));
          if (!decision || !appeal || appeal->decision_id != decision_id) {
            return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
          }
          // The resolving body's inspectors resolve it.
          GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, appeal->resolving_org_id));
          GR_RETURN_IF_ERROR(api::CheckEtag(request->etag(), appeal->version, appeal->record.name()));
          if (appeal->record.outcome() != v1::APPEAL_OUTCOME_UNSPECIFIED) {
            return common::Reasoned(absl::StatusCode::kFailedPrecondition, "APPEAL_ALREADY_RESOLVED",
                                    absl::StrCat(request->name(), " was already resolved"));
          }
          GR_ASSIGN_OR_RETURN(absl::CivilDay filed, api::ParseDate(appeal->record.filed_on(), "filed_on"));
          if (resolved_on < filed) return common::InvalidField("resolved_on", "must not be before the appeal was filed");
          GR_ASSIGN_OR_RETURN(domain::DisciplineForm original,
                              DisciplineFormFromProto(decision->record.form(), "decision.form"));
          const domain::DisciplineSubjectKind subject = SubjectKindFromProto(decision->record.subject_kind());
          // A change to a dismissal needs the post: only when the original was already one.
          const bool held_post = !decision->record.position().empty();
          GR_RETURN_IF_ERROR(domain::CheckAppealResolution({.outcome = outcome,
                                                            .original_form = original,
                                                            .new_form = new_form,
                                                            .subject = subject,
                                                            .held_post_on_violation_date = held_post,
                                                            .resolved_on = resolved_on},
                                                           ctx_.rules));
          v1::Appeal resolved = appeal->record;
          resolved.set_outcome(request->outcome());
          resolved.set_new_form(new_form ? request->new_form() : v1::DISCIPLINE_FORM_UNSPECIFIED);
          resolved.set_resolved_on(api::FormatDate(resolved_on));
          *resolved.mutable_resolution() = resolution;
          GR_RETURN_IF_ERROR(decisions_.ResolveAppeal(session, appeal_id, resolved));
          v1::DisciplineForm in_force = decision->record.form();
          if (outcome == domain::AppealOutcome::kChanged) in_force = request->new_form();
          if (outcome == domain::AppealOutcome::kAnnulled) in_force = v1::DISCIPLINE_FORM_UNSPECIFIED;
          GR_RETURN_IF_ERROR(decisions_.SetAppealOutcome(session, decision_id, request->outcome(), in_force));
          GR_RETURN_IF_ERROR(AddEffects(decisions_, session, decision_id, appeal_id, decision->record,
                                        domain::EffectsOfAppeal(original, subject, outcome, new_form)));
          GR_ASSIGN_OR_RETURN(std::optional<store::StoredAppeal> stored, decisions_.GetAppeal(session, appeal_id, false));
          GR_ASSIGN_OR_RETURN(std::optional<store::StoredDecision> updated,
                              decisions_.GetDecision(session, decision_id, false));
          if (!stored || !updated) return absl::InternalError("appeal vanished inside its transaction");
          v1::AppealChange change;
          change.set_decision(updated->record.name());
          *change.mutable_appeal() = stored->record;
          GR_RETURN_IF_ERROR(RecordChange(session, call, kAppealType, stored->record.name(), "resolved", change,
                                          {{"decision_id", decision_id},
                                           {"appeal_id", appeal_id},
                                           {"outcome", v1::AppealOutcome_Name(request->outcome())}}));
          Decorate(ctx_.rules, updated->record);
          GR_RETURN_IF_ERROR(RecordChange(session, call, kDecisionType, updated->record.name(), "appeal_resolved",
                                          updated->record,
                                          {{"decision_id", decision_id},
                                           {"form_in_force", v1::DisciplineForm_Name(in_force)}}));
          Decorate(ctx_.rules, stored->record);
          return stored->record;
        }));
    effects_.Nudge();
    return absl::OkStatus();
  });
}

grpc::Status DisciplineServiceImpl::ListAppeals(grpc::ServerContext* context, const v1::ListAppealsRequest* request,
                                                v1::ListAppealsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request->as_of_date(), "as_of_date", api::Today()));
    if (request->due_within_days() < 0) return common::InvalidField("due_within_days", "must not be negative");
    GR_ASSIGN_OR_RETURN(PageRequest page,
                        DecodePage(ctx_, request->page_size(), request->page_token(),
                                   api::Fingerprint({"appeals", request->organization(), api::FormatDate(as_of),
                                                     std::to_string(request->due_within_days())})));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    const std::string due_by =
        request->due_within_days() == 0 ? "" : api::FormatDate(as_of + request->due_within_days());
    GR_ASSIGN_OR_RETURN(std::vector<store::StoredAppeal> rows,
                        ctx_.pool.Read<std::vector<store::StoredAppeal>>(
                            "discipline.list_appeals",
                            [&](common::db::Session& session) -> absl::StatusOr<std::vector<store::StoredAppeal>> {
                              GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, SubtreeOf(ctx_, session, org_id));
                              return decisions_.ListOpenAppeals(session, ids, due_by, page.after_id, page.size);
                            }));
    for (store::StoredAppeal& row : rows) {
      Decorate(ctx_.rules, row.record);
      *response->add_appeals() = std::move(row.record);
    }
    response->set_next_page_token(NextPageToken(ctx_, page, rows.size(), rows.empty() ? 0 : rows.back().id));
    return absl::OkStatus();
  });
}

}  // namespace grassroots::inspection
