#include "services/inspection/handlers/petition_handlers.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/inspection/domain/petition_rules.h"
#include "services/inspection/handlers/request_support.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection {
namespace {

namespace api = common::api;

constexpr char kResourceType[] = "petition";
constexpr size_t kMaxSummaryChars = 4000;
constexpr size_t kMaxAnswerChars = 4000;
constexpr size_t kMaxReasonChars = 1000;
constexpr size_t kMaxNameChars = 255;
constexpr size_t kMaxAddressChars = 500;
// A handler's own deadline is a date after receipt, within a year.
constexpr int kMaxSetDeadlineDays = 366;

absl::StatusOr<domain::PetitionKind> KindFromProto(v1::PetitionKind kind) {
  switch (kind) {
    case v1::PETITION_KIND_DENUNCIATION: return domain::PetitionKind::kDenunciation;
    case v1::PETITION_KIND_COMPLAINT: return domain::PetitionKind::kComplaint;
    case v1::PETITION_KIND_FEEDBACK: return domain::PetitionKind::kFeedback;
    default: break;
  }
  return common::InvalidField("petition.kind", "must be DENUNCIATION, COMPLAINT or FEEDBACK");
}

domain::PetitionState StateOf(const v1::Petition& p) {
  switch (p.status()) {
    case v1::PETITION_STATUS_ASSIGNED: return domain::PetitionState::kAssigned;
    case v1::PETITION_STATUS_ANSWERED: return domain::PetitionState::kAnswered;
    case v1::PETITION_STATUS_CLOSED: return domain::PetitionState::kClosedWithoutAnswer;
    default: break;
  }
  return domain::PetitionState::kReceived;
}

domain::PetitionTrack TrackOfRecord(const v1::Petition& p) {
  absl::StatusOr<domain::PetitionKind> kind = KindFromProto(p.kind());
  return domain::TrackOf(kind.ok() ? *kind : domain::PetitionKind::kFeedback, p.anonymous());
}

void Decorate(const common::RulesRegistry& rules, v1::Petition& p, absl::CivilDay today) {
  p.set_deadline_citation(CitationOf(rules, p.deadline_rule_id(), p.received_on()));
  absl::CivilDay deadline;
  const bool open = p.status() == v1::PETITION_STATUS_RECEIVED || p.status() == v1::PETITION_STATUS_ASSIGNED;
  p.set_overdue(open && absl::ParseCivilTime(p.deadline(), &deadline) && today > deadline);
  p.set_usable_as_source(domain::UsableAsInspectionSource(TrackOfRecord(p), p.content_specific()));
}

absl::StatusOr<v1::PetitionFiler> NormalizeFiler(const v1::PetitionFiler& in) {
  v1::PetitionFiler filer;
  GR_ASSIGN_OR_RETURN(*filer.mutable_full_name(),
                      api::NormalizeText(in.full_name(), "petition.filer.full_name", true, kMaxNameChars));
  GR_ASSIGN_OR_RETURN(*filer.mutable_address(),
                      api::NormalizeText(in.address(), "petition.filer.address", false, kMaxAddressChars));
  GR_ASSIGN_OR_RETURN(*filer.mutable_phone(), api::NormalizeText(in.phone(), "petition.filer.phone", false, 32));
  GR_ASSIGN_OR_RETURN(*filer.mutable_email(), api::NormalizeText(in.email(), "petition.filer.email", false, 255));
  GR_ASSIGN_OR_RETURN(*filer.mutable_citizen_id(),
                      api::NormalizeText(in.citizen_id(), "petition.filer.citizen_id", false, 32));
  return filer;
}

}  // namespace

PetitionServiceImpl::PetitionServiceImpl(HandlerContext& ctx, store::PetitionStore& petitions,
                                         store::DisciplineStore& decisions)
    : ctx_(ctx),
      petitions_(petitions),
      decisions_(decisions),
      envelope_(v1::PetitionService::service_full_name(), ctx.authorizer) {}

namespace {

// What a change did: the day it happens and the progress facts the workflow checks.
struct PetitionStep {
  absl::CivilDay on;
  domain::PetitionProgress progress;
  // An assigned petition is handled (IN_PROGRESS, a step the stored status does
  // not show) before it is answered: the workflow checks both steps.
  bool through_handling = false;
};

// Lock, scope, etag, change (which validates and says what happened), workflow
// check, write, feed entry (never the filer).
absl::StatusOr<v1::Petition> ChangePetition(HandlerContext& ctx, store::PetitionStore& petitions,
                                            const common::auth::CallContext& call, int64_t id, std::string_view etag,
                                            std::string_view operation, std::string_view action,
                                            const std::function<absl::StatusOr<PetitionStep>(v1::Petition&)>& change) {
  return ctx.pool.Transact<v1::Petition>(operation, [&](common::db::Session& session) -> absl::StatusOr<v1::Petition> {
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredPetition> stored, petitions.Get(session, id, /*for_update=*/true));
    if (!stored) return absl::NotFoundError(absl::StrCat("petitions/", id, " does not exist"));
    GR_RETURN_IF_ERROR(RequireInScope(ctx, call, stored->org_id));
    GR_RETURN_IF_ERROR(api::CheckEtag(etag, stored->version, stored->record.name()));
    v1::Petition updated = stored->record;
    domain::PetitionState from = StateOf(updated);
    GR_ASSIGN_OR_RETURN(const PetitionStep step, change(updated));
    if (step.through_handling && from == domain::PetitionState::kAssigned) {
      GR_RETURN_IF_ERROR(domain::CheckPetitionTransition(from, domain::PetitionState::kInProgress, step.progress,
                                                         step.on, ctx.rules));
      from = domain::PetitionState::kInProgress;
    }
    GR_RETURN_IF_ERROR(domain::CheckPetitionTransition(from, StateOf(updated), step.progress, step.on, ctx.rules));
    GR_RETURN_IF_ERROR(petitions.Update(session, id, updated));
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredPetition> reread, petitions.Get(session, id, false));
    if (!reread) return absl::InternalError("petition vanished inside its transaction");
    GR_RETURN_IF_ERROR(RecordChange(session, call, kResourceType, reread->record.name(), action, reread->record,
                                    {{"petition_id", id},
                                     {"organization_id", reread->org_id},
                                     {"status", v1::PetitionStatus_Name(reread->record.status())}}));
    Decorate(ctx.rules, reread->record, api::Today());
    return reread->record;
  });
}

}  // namespace

grpc::Status PetitionServiceImpl::ReceivePetition(grpc::ServerContext* context,
                                                  const v1::ReceivePetitionRequest* request, v1::Petition* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    const v1::Petition& in = request->petition();
    GR_ASSIGN_OR_RETURN(domain::PetitionKind kind, KindFromProto(in.kind()));
    if (!v1::PetitionSource_IsValid(in.source()) || in.source() == v1::PETITION_SOURCE_UNSPECIFIED) {
      return common::InvalidField("petition.source", "is required");
    }
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(in.organization(), "organizations", "petition.organization"));
    GR_ASSIGN_OR_RETURN(SubjectRef about, ParseSubject(in.about(), "petition.about", false));
    GR_ASSIGN_OR_RETURN(absl::CivilDay received, ParseDay(in.received_on(), "petition.received_on"));
    v1::Petition record;
    record.set_kind(in.kind());
    record.set_source(in.source());
    record.set_organization(store::NameOfId("organizations", org_id));
    if (in.has_about()) *record.mutable_about() = in.about();
    record.set_received_on(api::FormatDate(received));
    GR_ASSIGN_OR_RETURN(*record.mutable_summary(),
                        api::NormalizeText(in.summary(), "petition.summary", true, kMaxSummaryChars));
    record.set_anonymous(in.anonymous());
    record.set_content_specific(in.content_specific());
    record.set_status(v1::PETITION_STATUS_RECEIVED);
    // Only a denunciation may come without its filer's identity.
    std::optional<v1::PetitionFiler> filer;
    if (in.anonymous()) {
      if (kind != domain::PetitionKind::kDenunciation) {
        return common::InvalidField("petition.anonymous", "only a denunciation may be anonymous");
      }
      if (in.has_filer()) return common::InvalidField("petition.filer", "an anonymous petition names no filer");
    } else {
      GR_ASSIGN_OR_RETURN(filer, NormalizeFiler(in.filer()));
    }
    std::optional<int64_t> decision_id;
    if (kind == domain::PetitionKind::kComplaint) {
      GR_ASSIGN_OR_RETURN(decision_id, ParseName(in.discipline_decision(), "discipline_decisions",
                                                 "petition.discipline_decision"));
      record.set_discipline_decision(in.discipline_decision());
    } else if (!in.discipline_decision().empty()) {
      return common::InvalidField("petition.discipline_decision", "only a complaint names a discipline decision");
    }
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    const domain::PetitionTrack track = domain::TrackOf(kind, in.anonymous());
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Petition>(
            ctx_.pool, "petition.receive", common::feed::WriteContextOf(call), envelope_.FullName(__func__),
            request->request_id(), *request, [&](common::db::Session& session) -> absl::StatusOr<v1::Petition> {
              GR_ASSIGN_OR_RETURN(orgtree::ProjectedOrganization handler,
                                  OrganizationActiveOn(ctx_, session, org_id, received, "petition.organization"));
              if (about.organization_id) {
                GR_ASSIGN_OR_RETURN(std::optional<orgtree::ProjectedOrganization> target,
                                    ctx_.organizations.Find(session, *about.organization_id));
                if (!target) return absl::NotFoundError(absl::StrCat(in.about().organization(), " does not exist"));
              }
              if (about.member_id) GR_RETURN_IF_ERROR(ctx_.members.StandingOn(*about.member_id, received).status());
              if (decision_id) {
                GR_ASSIGN_OR_RETURN(std::optional<store::StoredDecision> decision,
                                    decisions_.GetDecision(session, *decision_id, false));
                if (!decision) {
                  return absl::NotFoundError(absl::StrCat(in.discipline_decision(), " does not exist"));
                }
              }
              GR_ASSIGN_OR_RETURN(domain::PetitionDeadlines deadlines,
                                  domain::PetitionDeadlinesFor(track, received, LevelOf(handler), ctx_.rules,
                                                               ctx_.calendar));
              v1::Petition stored_record = record;
              if (deadlines.assign_by) stored_record.set_assign_by(api::FormatDate(deadlines.assign_by->due));
              if (deadlines.answer_by) {
                stored_record.set_deadline(api::FormatDate(deadlines.answer_by->due));
                stored_record.set_deadline_rule_id(deadlines.answer_by->rule_id);
              }
              GR_ASSIGN_OR_RETURN(int64_t id,
                                  petitions_.Insert(session, org_id, stored_record, filer ? &*filer : nullptr));
              GR_ASSIGN_OR_RETURN(std::optional<store::StoredPetition> stored, petitions_.Get(session, id, false));
              if (!stored) return absl::InternalError("petition vanished inside its transaction");
              // The feed and the audit carry the petition without anything about who filed it.
              GR_RETURN_IF_ERROR(RecordChange(session, call, kResourceType, stored->record.name(), "received",
                                              stored->record,
                                              {{"petition_id", id},
                                               {"organization_id", org_id},
                                               {"kind", v1::PetitionKind_Name(in.kind())},
                                               {"anonymous", in.anonymous()}}));
              Decorate(ctx_.rules, stored->record, api::Today());
              return stored->record;
            }));
    return absl::OkStatus();
  });
}

grpc::Status PetitionServiceImpl::GetPetition(grpc::ServerContext* context, const v1::GetPetitionRequest* request,
                                              v1::Petition* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "petitions", "name"));
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredPetition> stored,
                        ctx_.pool.Read<std::optional<store::StoredPetition>>(
                            "petition.get", [&](common::db::Session& session) { return petitions_.Get(session, id, false); }));
    if (!stored) return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, stored->org_id));
    *response = std::move(stored->record);
    Decorate(ctx_.rules, *response, api::Today());
    return absl::OkStatus();
  });
}

grpc::Status PetitionServiceImpl::ListPetitions(grpc::ServerContext* context, const v1::ListPetitionsRequest* request,
                                                v1::ListPetitionsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    if (!v1::PetitionKind_IsValid(request->kind())) return common::InvalidField("kind", "is not a known kind");
    if (!v1::PetitionStatus_IsValid(request->status())) return common::InvalidField("status", "is not a known status");
    if (request->due_within_days() < 0) return common::InvalidField("due_within_days", "must not be negative");
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request->as_of_date(), "as_of_date", api::Today()));
    GR_ASSIGN_OR_RETURN(PageRequest page,
                        DecodePage(ctx_, request->page_size(), request->page_token(),
                                   api::Fingerprint({"petitions", request->organization(), api::FormatDate(as_of),
                                                     std::to_string(request->kind()), std::to_string(request->status()),
                                                     std::to_string(request->due_within_days())})));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    store::PetitionFilter filter{.kind = request->kind(), .status = request->status()};
    if (request->due_within_days() > 0) {
      filter.open_only = true;
      filter.due_by = api::FormatDate(as_of + request->due_within_days());
    }
    GR_ASSIGN_OR_RETURN(std::vector<store::StoredPetition> rows,
                        ctx_.pool.Read<std::vector<store::StoredPetition>>(
                            "petition.list",
                            [&](common::db::Session& session) -> absl::StatusOr<std::vector<store::StoredPetition>> {
                              GR_ASSIGN_OR_RETURN(filter.org_ids, SubtreeOf(ctx_, session, org_id));
                              return petitions_.List(session, filter, page.after_id, page.size);
                            }));
    for (store::StoredPetition& row : rows) {
      Decorate(ctx_.rules, row.record, as_of);
      *response->add_petitions() = std::move(row.record);
    }
    response->set_next_page_token(NextPageToken(ctx_, page, rows.size(), rows.empty() ? 0 : rows.back().id));
    return absl::OkStatus();
  });
}

grpc::Status PetitionServiceImpl::AssignPetition(grpc::ServerContext* context, const v1::AssignPetitionRequest* request,
                                                 v1::Petition* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "petitions", "name"));
    GR_ASSIGN_OR_RETURN(int64_t assignee, ParseName(request->assignee(), "members", "assignee"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay on, ParseDay(request->assigned_on(), "assigned_on"));
    GR_ASSIGN_OR_RETURN(std::optional<absl::CivilDay> answer_by, ParseOptionalDay(request->answer_by(), "answer_by"));
    GR_ASSIGN_OR_RETURN(
        *response,
        ChangePetition(ctx_, petitions_, call, id, request->etag(), "petition.assign", "assigned",
                       [&](v1::Petition& p) -> absl::StatusOr<PetitionStep> {
                         GR_ASSIGN_OR_RETURN(absl::CivilDay received, api::ParseDate(p.received_on(), "received_on"));
                         if (on < received) return common::InvalidField("assigned_on", "must not be before receipt");
                         if (answer_by) {
                           if (TrackOfRecord(p) == domain::PetitionTrack::kAnonymousDenunciation) {
                             return common::InvalidField("answer_by", "an anonymous denunciation is never answered");
                           }
                           if (!p.deadline().empty()) {
                             return common::InvalidField("answer_by", absl::StrCat("the rule ", p.deadline_rule_id(),
                                                                                   " already sets the deadline"));
                           }
                           if (*answer_by < on || *answer_by > received + kMaxSetDeadlineDays) {
                             return common::InvalidField("answer_by", "must fall between assignment and a year after receipt");
                           }
                           p.set_deadline(api::FormatDate(*answer_by));
                         }
                         p.set_status(v1::PETITION_STATUS_ASSIGNED);
                         p.set_assignee(store::NameOfId("members", assignee));
                         p.set_assigned_on(api::FormatDate(on));
                         return PetitionStep{.on = on,
                                             .progress = {.track = TrackOfRecord(p), .has_handler = true}};
                       }));
    return absl::OkStatus();
  });
}

grpc::Status PetitionServiceImpl::AnswerPetition(grpc::ServerContext* context, const v1::AnswerPetitionRequest* request,
                                                 v1::Petition* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "petitions", "name"));
    GR_ASSIGN_OR_RETURN(std::string answer, api::NormalizeText(request->answer(), "answer", true, kMaxAnswerChars));
    GR_ASSIGN_OR_RETURN(absl::CivilDay on, ParseDay(request->answered_on(), "answered_on"));
    if (!request->case_().empty()) GR_RETURN_IF_ERROR(ParseName(request->case_(), "cases", "case").status());
    GR_ASSIGN_OR_RETURN(
        *response,
        ChangePetition(ctx_, petitions_, call, id, request->etag(), "petition.answer", "answered",
                       [&](v1::Petition& p) -> absl::StatusOr<PetitionStep> {
                         const domain::PetitionProgress progress{.track = TrackOfRecord(p),
                                                                 .has_outcome = true,
                                                                 .has_handler = !p.assignee().empty()};
                         absl::CivilDay assigned;
                         if (absl::ParseCivilTime(p.assigned_on(), &assigned) && on < assigned) {
                           return common::InvalidField("answered_on", "must not be before the assignment");
                         }
                         p.set_status(v1::PETITION_STATUS_ANSWERED);
                         p.set_answer(answer);
                         p.set_answered_on(api::FormatDate(on));
                         if (!request->case_().empty()) p.set_case_(request->case_());
                         return PetitionStep{.on = on, .progress = progress, .through_handling = true};
                       }));
    return absl::OkStatus();
  });
}

grpc::Status PetitionServiceImpl::ClosePetition(grpc::ServerContext* context, const v1::ClosePetitionRequest* request,
                                                v1::Petition* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "petitions", "name"));
    GR_ASSIGN_OR_RETURN(std::string reason, api::NormalizeText(request->reason(), "reason", true, kMaxReasonChars));
    GR_ASSIGN_OR_RETURN(absl::CivilDay on, api::ParseDateOr(request->closed_on(), "closed_on", api::Today()));
    if (!request->case_().empty()) GR_RETURN_IF_ERROR(ParseName(request->case_(), "cases", "case").status());
    GR_ASSIGN_OR_RETURN(
        *response,
        ChangePetition(ctx_, petitions_, call, id, request->etag(), "petition.close", "closed",
                       [&](v1::Petition& p) -> absl::StatusOr<PetitionStep> {
                         p.set_status(v1::PETITION_STATUS_CLOSED);
                         p.set_close_reason(reason);
                         if (!request->case_().empty()) p.set_case_(request->case_());
                         return PetitionStep{.on = on,
                                             .progress = {.track = TrackOfRecord(p),
                                                          .withdrawn = request->withdrawn(),
                                                          .forwarded = request->forwarded(),
                                                          .has_handler = !p.assignee().empty()}};
                       }));
    return absl::OkStatus();
  });
}

grpc::Status PetitionServiceImpl::GetPetitionFiler(grpc::ServerContext* context,
                                                   const v1::GetPetitionFilerRequest* request,
                                                   v1::PetitionFiler* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "petitions", "name"));
    GR_ASSIGN_OR_RETURN(
        *response,
        ctx_.pool.Transact<v1::PetitionFiler>("petition.filer", [&](common::db::Session& session)
                                                                      -> absl::StatusOr<v1::PetitionFiler> {
          GR_ASSIGN_OR_RETURN(std::optional<store::StoredPetition> stored, petitions_.Get(session, id, false));
          if (!stored) return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
          // Only the commission that handles it: an inspector scoped to that very
          // organization, not one above it.
          if (call.principal.scope_org_id != stored->org_id) {
            return absl::PermissionDeniedError(
                "only the inspection commission that handles a petition may see who filed it");
          }
          GR_ASSIGN_OR_RETURN(std::optional<v1::PetitionFiler> filer, petitions_.GetFiler(session, id));
          if (!filer) return absl::NotFoundError(absl::StrCat(request->name(), " names no filer (anonymous)"));
          // Every read is on record: who, when, which petition (never what was read).
          GR_RETURN_IF_ERROR(common::feed::RecordAudit(session, common::feed::WriteContextOf(call),
                                                       "petition.filer_read", stored->record.name(),
                                                       {{"petition_id", id}}));
          return *filer;
        }));
    return absl::OkStatus();
  });
}

}  // namespace grassroots::inspection
