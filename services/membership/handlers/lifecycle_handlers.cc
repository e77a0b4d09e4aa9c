#include "services/membership/handlers/lifecycle_handlers.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/membership/handlers/event_conversions.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/member_writer.h"

namespace grassroots::membership {
namespace {

namespace api = common::api;
using common::InvalidField;
using common::auth::CallContext;
using common::auth::Role;
using common::db::Session;
using domain::Event;
using domain::MemberRecord;

constexpr size_t kMaxNumberChars = 64;
constexpr size_t kMaxNameChars = 255;
constexpr size_t kMaxReasonChars = 1000;
constexpr size_t kMaxNoteChars = 2000;
constexpr int32_t kDefaultEventPage = 100;
constexpr int32_t kMaxEventPage = 500;

// ExemptMemberRequest.reason (lifecycle.proto).
constexpr const char* kExemptionReasons[] = {"ADVANCED_AGE", "POOR_HEALTH", "LONG_TREATMENT",
                                             "TRAVEL",       "MOBILE_WORK", "OTHER"};

// ---- field validation ------------------------------------------------------------------
// A decision given in full, or not at all.
absl::StatusOr<std::optional<domain::Decision>> OptionalDecision(const grassroots::type::v1::Decision& in, std::string_view field) {
  GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(in, field, /*required=*/false));
  if (decision.empty()) return std::optional<domain::Decision>();
  GR_ASSIGN_OR_RETURN(decision, DecisionFromProto(in, field, /*required=*/true));
  return std::optional<domain::Decision>(std::move(decision));
}

absl::StatusOr<domain::Vote> VoteFromProto(const v1::Vote& in, bool present) {
  if (!present) return InvalidField("vote", "is required");
  if (in.eligible() <= 0) return InvalidField("vote.eligible", "must be positive (official members entitled to vote)");
  if (in.in_favour() < 0) return InvalidField("vote.in_favour", "must not be negative");
  if (in.in_favour() > in.eligible()) return InvalidField("vote.in_favour", "must not exceed vote.eligible");
  domain::Vote vote;
  vote.in_favour = in.in_favour();
  vote.eligible = in.eligible();
  GR_ASSIGN_OR_RETURN(vote.resolution_number,
                      api::NormalizeText(in.resolution_number(), "vote.resolution_number", false, kMaxNumberChars));
  return vote;
}

// "members/{member}/events/{event}".
absl::StatusOr<std::pair<int64_t, int64_t>> ParseEventName(std::string_view name, std::string_view field) {
  constexpr std::string_view kEvents = "/events/";
  const size_t at = name.find(kEvents);
  if (at == std::string_view::npos) {
    return InvalidField(field, "must be members/{member}/events/{event}");
  }
  GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(name.substr(0, at), field));
  GR_ASSIGN_OR_RETURN(const int64_t event_id, api::ParseId(name.substr(at + 1), "events", field));
  return std::make_pair(member_id, event_id);
}

bool IsStaff(const common::auth::Principal& principal) {
  return principal.HasAnyRole({Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kService});
}

// ---- the common write path ------------------------------------------------------------------
absl::StatusOr<MemberRecord> ReadMember(HandlerContext& ctx, int64_t id) {
  return ctx.pool.Read<MemberRecord>("membership.lifecycle.read",
                                     [&](Session& session) { return ctx.members.Get(session, id); });
}

// The record with its full derived state: the member row does not keep a
// pending transfer's destination, the log does.
absl::StatusOr<MemberRecord> ReadMemberWithLog(HandlerContext& ctx, int64_t id) {
  return ctx.pool.Read<MemberRecord>("membership.lifecycle.read_log",
                                     [&](Session& session) -> absl::StatusOr<MemberRecord> {
                                       GR_ASSIGN_OR_RETURN(MemberRecord member, ctx.members.Get(session, id));
                                       GR_ASSIGN_OR_RETURN(const std::vector<Event> log, ctx.events.Log(session, id));
                                       member.state = domain::Replay(log);
                                       return member;
                                     });
}

// checked: the reading of the member access was decided on (re-checked under the lock).
absl::StatusOr<v1::Member> Append(HandlerContext& ctx, const CallContext& call, const MemberRecord& checked,
                                  Event event, std::string_view etag) {
  GR_ASSIGN_OR_RETURN(const MemberRecord updated,
                      ctx.pool.Transact<MemberRecord>("membership.lifecycle.append", [&](Session& session) {
                        return AppendEvent(ctx, session, common::feed::WriteContextOf(call), checked.id, event, etag,
                                           &checked);
                      }));
  return ToProto(ctx.codes, updated, api::Today(), MaySeeSensitive(call.principal, updated));
}

// What most writes do once the event is validated: read the member, check
// write access in the caller's scope, append.
absl::StatusOr<v1::Member> AppendForMember(HandlerContext& ctx, const CallContext& call, int64_t member_id,
                                           Event event, std::string_view etag) {
  GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kWrite));
  return Append(ctx, call, member, std::move(event), etag);
}

// Write access to the member, or else to `other_cell` (the receiving or host
// cell of a transfer, whose committee records the member's arrival or return).
absl::Status RequireWriteAccessOr(HandlerContext& ctx, const CallContext& call, const MemberRecord& member,
                                  std::optional<int64_t> other_cell) {
  absl::Status home = RequireMemberAccess(ctx, call.principal, member, Access::kWrite);
  if (home.ok() || !IsAccessRefusal(home) || !other_cell || !IsStaff(call.principal)) return home;
  return RequireOrgInScope(ctx, call.principal, *other_cell);
}

// Completing a transfer into a cell of the tree is the receiving side's act
// (the member presents the letter there): the destination cell must lie in the
// caller's scope, which a caller above both cells also satisfies. The sending
// side alone may not push a member into any cell. A destination outside the
// tree leaves the sending side to record the departure.
absl::Status RequireReceivingSide(HandlerContext& ctx, const CallContext& call, const MemberRecord& member,
                                  std::optional<int64_t> destination) {
  if (!destination || !IsStaff(call.principal)) {
    return RequireMemberAccess(ctx, call.principal, member, Access::kWrite);
  }
  if (RequireOrgInScope(ctx, call.principal, *destination).ok()) return absl::OkStatus();
  // Only a caller who may see the member learns why; anyone else gets its NOT_FOUND.
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kRead));
  return common::Reasoned(absl::StatusCode::kPermissionDenied, "RECEIVING_SIDE_REQUIRED",
                          "the receiving cell's committee (or one above both cells) completes a transfer; the "
                          "destination cell is outside the caller's scope");
}

using EventBuilder = std::function<absl::StatusOr<Event>()>;

// Envelope, member name, validation, append: the shape of the simple writes.
// `method` is the RPC's short name (the override's __func__).
grpc::Status SimpleWrite(const common::CallEnvelope& envelope, HandlerContext& ctx, grpc::ServerContext* context,
                         std::string_view method, const std::string& member_name, const std::string& etag,
                         const EventBuilder& build, v1::Member* response) {
  return envelope.Run(context, method, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(member_name, "member"));
    GR_ASSIGN_OR_RETURN(Event event, build());
    GR_ASSIGN_OR_RETURN(*response, AppendForMember(ctx, call, member_id, std::move(event), etag));
    return absl::OkStatus();
  });
}

Event OfKind(v1::EventKind kind) {
  Event event;
  event.kind = kind;
  return event;
}

}  // namespace

grpc::Status LifecycleServiceImpl::RecordAwarenessClass(grpc::ServerContext* context,
                                                        const v1::RecordAwarenessClassRequest* request,
                                                        v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_AWARENESS_CLASS_COMPLETED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->completed_on(), "completed_on"));
                       GR_ASSIGN_OR_RETURN(event.certificate_number,
                                           api::NormalizeText(request->certificate_number(), "certificate_number",
                                                              true, kMaxNumberChars));
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->certificate(), "certificate",
                                                                             /*required=*/false));
                       if (event.decision.issuing_body.empty()) {
                         return InvalidField("certificate.issuing_body", "is required (the centre that issued it)");
                       }
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::RecordDossierCompleted(grpc::ServerContext* context,
                                                          const v1::RecordDossierCompletedRequest* request,
                                                          v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_DOSSIER_COMPLETED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->completed_on(), "completed_on"));
                       GR_ASSIGN_OR_RETURN(event.note,
                                           api::NormalizeText(request->note(), "note", false, kMaxNoteChars));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::RecordCellAdmissionVote(grpc::ServerContext* context,
                                                           const v1::RecordCellAdmissionVoteRequest* request,
                                                           v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_CELL_ADMISSION_VOTE);
                       GR_ASSIGN_OR_RETURN(event.effective_date, EffectiveDate(request->voted_on(), "voted_on"));
                       GR_ASSIGN_OR_RETURN(event.vote, VoteFromProto(request->vote(), request->has_vote()));
                       GR_ASSIGN_OR_RETURN(event.age_exception,
                                           OptionalDecision(request->age_exception(), "age_exception"));
                       GR_ASSIGN_OR_RETURN(event.education_exception,
                                           OptionalDecision(request->education_exception(), "education_exception"));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::DecideAdmission(grpc::ServerContext* context,
                                                   const v1::DecideAdmissionRequest* request, v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_ADMISSION_DECIDED);
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
                       event.effective_date = *event.decision.signed_on;
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::RecordAdmissionCeremony(grpc::ServerContext* context,
                                                           const v1::RecordAdmissionCeremonyRequest* request,
                                                           v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_ADMISSION_CEREMONY);
                       GR_ASSIGN_OR_RETURN(event.effective_date, EffectiveDate(request->held_on(), "held_on"));
                       GR_ASSIGN_OR_RETURN(event.extension, OptionalDecision(request->extension(), "extension"));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::RecognizeOfficial(grpc::ServerContext* context,
                                                     const v1::RecognizeOfficialRequest* request,
                                                     v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_RECOGNIZED_OFFICIAL);
                       GR_ASSIGN_OR_RETURN(event.vote, VoteFromProto(request->vote(), request->has_vote()));
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
                       // The domain dates it back to the end of probation when decided later.
                       event.effective_date = *event.decision.signed_on;
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::AbandonAdmission(grpc::ServerContext* context,
                                                    const v1::AbandonAdmissionRequest* request, v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_ADMISSION_ABANDONED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->effective_date(), "effective_date"));
                       GR_ASSIGN_OR_RETURN(event.reason,
                                           api::NormalizeText(request->reason(), "reason", true, kMaxReasonChars));
                       GR_ASSIGN_OR_RETURN(std::optional<domain::Decision> decision,
                                           OptionalDecision(request->decision(), "decision"));
                       if (decision) event.decision = std::move(*decision);
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::StartTransfer(grpc::ServerContext* context, const v1::StartTransferRequest* request,
                                                 v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    if (!request->has_transfer()) return InvalidField("transfer", "is required");
    const v1::Transfer& in = request->transfer();
    Event event = OfKind(v1::EVENT_KIND_TRANSFER_STARTED);
    domain::TransferDetails transfer;
    if (in.kind() == v1::TRANSFER_KIND_UNSPECIFIED || !v1::TransferKind_IsValid(in.kind())) {
      return InvalidField("transfer.kind", "is required");
    }
    transfer.kind = in.kind();
    if (!in.destination_cell().empty()) {
      GR_ASSIGN_OR_RETURN(transfer.destination_cell_id,
                          ParseOrgName(in.destination_cell(), "transfer.destination_cell"));
    }
    GR_ASSIGN_OR_RETURN(transfer.destination_name,
                        api::NormalizeText(in.destination_name(), "transfer.destination_name",
                                           /*required=*/!transfer.destination_cell_id, kMaxNameChars));
    GR_ASSIGN_OR_RETURN(transfer.introduced_on, EffectiveDate(in.introduced_on(), "transfer.introduced_on"));
    GR_ASSIGN_OR_RETURN(transfer.planned_end, OptionalDate(in.planned_end(), "transfer.planned_end"));
    const bool temporary = transfer.kind != v1::TRANSFER_KIND_OFFICIAL;
    if (temporary && !transfer.planned_end) {
      return InvalidField("transfer.planned_end", "is required for a temporary transfer");
    }
    if (!temporary && transfer.planned_end) {
      return InvalidField("transfer.planned_end", "applies to temporary transfers only");
    }
    GR_ASSIGN_OR_RETURN(transfer.reason, api::NormalizeText(in.reason(), "transfer.reason", false, kMaxReasonChars));
    GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
    event.effective_date = transfer.introduced_on;
    const std::optional<int64_t> destination = transfer.destination_cell_id;
    const absl::CivilDay introduced_on = transfer.introduced_on;
    event.transfer = std::move(transfer);

    GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMember(ctx_, member_id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, call.principal, member, Access::kWrite));
    // The receiving cell may lie outside the caller's scope (a transfer is how a
    // member leaves it); it must be an active cell. Asked before the transaction.
    if (destination) {
      GR_RETURN_IF_ERROR(ctx_.cells.RequireActiveCell(*destination, introduced_on, "transfer.destination_cell"));
    }
    GR_ASSIGN_OR_RETURN(*response, Append(ctx_, call, member, std::move(event), request->etag()));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleServiceImpl::CompleteTransfer(grpc::ServerContext* context,
                                                    const v1::CompleteTransferRequest* request, v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    Event event = OfKind(v1::EVENT_KIND_TRANSFER_COMPLETED);
    GR_ASSIGN_OR_RETURN(event.effective_date, EffectiveDate(request->presented_on(), "presented_on"));

    GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMemberWithLog(ctx_, member_id));
    const std::optional<int64_t> destination =
        member.state.transfer_pending ? member.state.pending_destination_cell_id : std::nullopt;
    GR_RETURN_IF_ERROR(RequireReceivingSide(ctx_, call, member, destination));
    // The receiving (or host) cell must still be active when the letter is presented.
    if (destination) GR_RETURN_IF_ERROR(ctx_.cells.RequireActiveCell(*destination, event.effective_date, "member"));
    GR_ASSIGN_OR_RETURN(*response, Append(ctx_, call, member, std::move(event), request->etag()));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleServiceImpl::EndTemporaryTransfer(grpc::ServerContext* context,
                                                        const v1::EndTemporaryTransferRequest* request,
                                                        v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    Event event = OfKind(v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED);
    GR_ASSIGN_OR_RETURN(event.effective_date, EffectiveDate(request->ended_on(), "ended_on"));
    GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMember(ctx_, member_id));
    GR_RETURN_IF_ERROR(RequireWriteAccessOr(ctx_, call, member, member.state.host_cell_id));
    GR_ASSIGN_OR_RETURN(*response, Append(ctx_, call, member, std::move(event), request->etag()));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleServiceImpl::ExemptMember(grpc::ServerContext* context, const v1::ExemptMemberRequest* request,
                                                v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_EXEMPTED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->effective_date(), "effective_date"));
                       bool known = request->reason().empty();
                       for (const char* reason : kExemptionReasons) known = known || request->reason() == reason;
                       if (!known) {
                         return InvalidField("reason", "must be ADVANCED_AGE, POOR_HEALTH, LONG_TREATMENT, TRAVEL, "
                                                       "MOBILE_WORK or OTHER");
                       }
                       event.reason = request->reason();
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::EndExemption(grpc::ServerContext* context, const v1::EndExemptionRequest* request,
                                                v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_EXEMPTION_ENDED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->effective_date(), "effective_date"));
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::SuspendMember(grpc::ServerContext* context,
                                                 const v1::SuspendMemberRequest* request, v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_SUSPENDED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->effective_date(), "effective_date"));
                       GR_ASSIGN_OR_RETURN(event.reason,
                                           api::NormalizeText(request->reason(), "reason", false, kMaxReasonChars));
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::EndSuspension(grpc::ServerContext* context,
                                                 const v1::EndSuspensionRequest* request, v1::Member* response) {
  return SimpleWrite(envelope_, ctx_, context, __func__, request->member(), request->etag(),
                     [&]() -> absl::StatusOr<Event> {
                       Event event = OfKind(v1::EVENT_KIND_SUSPENSION_ENDED);
                       GR_ASSIGN_OR_RETURN(event.effective_date,
                                           EffectiveDate(request->effective_date(), "effective_date"));
                       GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
                       return event;
                     },
                     response);
}

grpc::Status LifecycleServiceImpl::EndMembership(grpc::ServerContext* context,
                                                 const v1::EndMembershipRequest* request, v1::Member* response) {
  return SimpleWrite(
      envelope_, ctx_, context, __func__, request->member(), request->etag(),
      [&]() -> absl::StatusOr<Event> {
        Event event;
        switch (request->kind()) {
          case v1::END_KIND_REMOVED:
            event.kind = v1::EVENT_KIND_REMOVED;
            break;
          case v1::END_KIND_LEFT:
            event.kind = v1::EVENT_KIND_LEFT;
            break;
          case v1::END_KIND_DECEASED:
            event.kind = v1::EVENT_KIND_DECEASED;
            break;
          default:
            return InvalidField("kind", "must be END_KIND_REMOVED, END_KIND_LEFT or END_KIND_DECEASED");
        }
        GR_ASSIGN_OR_RETURN(event.effective_date, EffectiveDate(request->effective_date(), "effective_date"));
        if (event.kind == v1::EVENT_KIND_REMOVED) {
          if (request->removal_trigger() == v1::REMOVAL_TRIGGER_UNSPECIFIED ||
              !v1::RemovalTrigger_IsValid(request->removal_trigger())) {
            return InvalidField("removal_trigger", "is required for END_KIND_REMOVED");
          }
          event.removal_trigger = request->removal_trigger();
        } else if (request->removal_trigger() != v1::REMOVAL_TRIGGER_UNSPECIFIED) {
          return InvalidField("removal_trigger", "applies to END_KIND_REMOVED only");
        }
        if (event.kind == v1::EVENT_KIND_DECEASED) {
          GR_ASSIGN_OR_RETURN(std::optional<domain::Decision> decision,
                              OptionalDecision(request->decision(), "decision"));
          if (decision) event.decision = std::move(*decision);
        } else {
          GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
        }
        GR_ASSIGN_OR_RETURN(event.note, api::NormalizeText(request->note(), "note", false, kMaxNoteChars));
        return event;
      },
      response);
}

grpc::Status LifecycleServiceImpl::ExpelMember(grpc::ServerContext* context, const v1::ExpelMemberRequest* request,
                                               v1::Member* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    Event event = OfKind(v1::EVENT_KIND_EXPELLED);
    GR_ASSIGN_OR_RETURN(event.effective_date, EffectiveDate(request->effective_date(), "effective_date"));
    GR_ASSIGN_OR_RETURN(event.decision, DecisionFromProto(request->decision(), "decision", true));
    GR_ASSIGN_OR_RETURN(event.discipline_reference,
                        api::NormalizeText(request->discipline_reference(), "discipline_reference", false,
                                           kMaxNameChars));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));

    GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMember(ctx_, member_id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, call.principal, member, Access::kWrite));
    // A retry with the same request_id answers the stored response. It is kept
    // without the sensitive fields so none of them rest in the idempotency table.
    GR_ASSIGN_OR_RETURN(*response, common::feed::RunIdempotentTyped<v1::Member>(
                                       ctx_.pool, "membership.lifecycle.expel", common::feed::WriteContextOf(call), method,
                                       request->request_id(), *request,
                                       [&](Session& session) -> absl::StatusOr<v1::Member> {
                                         GR_ASSIGN_OR_RETURN(const MemberRecord updated,
                                                             AppendEvent(ctx_, session, common::feed::WriteContextOf(call),
                                                                         member_id, event, /*etag=*/"", &member));
                                         return ToProto(ctx_.codes, updated, api::Today(), /*with_sensitive=*/false);
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleServiceImpl::ReinstateMember(grpc::ServerContext* context,
                                                   const v1::ReinstateMemberRequest* request, v1::Member* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    GR_ASSIGN_OR_RETURN(const std::string reference,
                        api::NormalizeText(request->discipline_reference(), "discipline_reference", true,
                                           kMaxNameChars));
    GR_ASSIGN_OR_RETURN(const std::string reason,
                        api::NormalizeText(request->reason(), "reason", true, kMaxReasonChars));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMember(ctx_, member_id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, call.principal, member, Access::kWrite));
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Member>(
            ctx_.pool, "membership.lifecycle.reinstate", common::feed::WriteContextOf(call), method,
            request->request_id(), *request, [&](Session& session) -> absl::StatusOr<v1::Member> {
              GR_ASSIGN_OR_RETURN(std::vector<Event> log, ctx_.events.Log(session, member_id));
              const Event* expulsion = nullptr;
              for (const Event& e : log) {
                if (e.kind == v1::EVENT_KIND_EXPELLED && e.discipline_reference == reference) expulsion = &e;
              }
              if (expulsion == nullptr) {
                return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_SUCH_EXPULSION",
                                        absl::StrCat("member: no expulsion of ", request->member(), " names ",
                                                     reference));
              }
              if (expulsion->voided) {
                // Already undone (by an earlier call under another request id): nothing to do.
                GR_ASSIGN_OR_RETURN(const MemberRecord current, ReadMember(ctx_, member_id));
                return ToProto(ctx_.codes, current, api::Today(), /*with_sensitive=*/false);
              }
              Event event = OfKind(v1::EVENT_KIND_VOIDED);
              event.voids_event_id = expulsion->id;
              event.effective_date = api::Today();
              event.reason = reason;
              GR_ASSIGN_OR_RETURN(const MemberRecord updated,
                                  AppendEvent(ctx_, session, common::feed::WriteContextOf(call), member_id, event,
                                              /*etag=*/"", &member));
              return ToProto(ctx_.codes, updated, api::Today(), /*with_sensitive=*/false);
            }));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleServiceImpl::VoidEvent(grpc::ServerContext* context, const v1::VoidEventRequest* request,
                                             v1::Member* response) {
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const auto ids, ParseEventName(request->event(), "event"));
    Event event = OfKind(v1::EVENT_KIND_VOIDED);
    event.voids_event_id = ids.second;
    event.effective_date = api::Today();
    GR_ASSIGN_OR_RETURN(event.reason, api::NormalizeText(request->reason(), "reason", true, kMaxReasonChars));
    GR_ASSIGN_OR_RETURN(*response, AppendForMember(ctx_, call, ids.first, std::move(event), request->etag()));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleServiceImpl::ListMemberEvents(grpc::ServerContext* context,
                                                    const v1::ListMemberEventsRequest* request,
                                                    v1::ListMemberEventsResponse* response) {
  return envelope_.Run(context, __func__, [&](const CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    GR_ASSIGN_OR_RETURN(const int32_t page_size,
                        api::ClampPageSize(request->page_size(), kDefaultEventPage, kMaxEventPage));
    const uint64_t fingerprint = api::Fingerprint({"ListMemberEvents", request->member(),
                                                   request->include_voided() ? "voided" : "", absl::StrCat(page_size)});
    GR_ASSIGN_OR_RETURN(const std::optional<api::PageCursor> cursor,
                        ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    GR_ASSIGN_OR_RETURN(const MemberRecord member, ReadMember(ctx_, member_id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx_, call.principal, member, Access::kRead));
    const int32_t after = cursor ? static_cast<int32_t>(cursor->last_id) : 0;
    GR_ASSIGN_OR_RETURN(std::vector<Event> events,
                        ctx_.replica_reads.Read<std::vector<Event>>("membership.lifecycle.events", [&](Session& session) {
                          return ctx_.events.Page(session, member_id, request->include_voided(), after, page_size + 1);
                        }));
    const bool more = events.size() > static_cast<size_t>(page_size);
    if (more) events.resize(static_cast<size_t>(page_size));
    // Who recorded an event is staff information; a member reading their own log does not see it.
    const bool with_actor = IsStaff(call.principal);
    for (const Event& event : events) *response->add_events() = ToProto(event, member_id, with_actor);
    if (more) {
      response->set_next_page_token(ctx_.page_tokens.Encode(api::PageCursor{"", events.back().ordinal, fingerprint}));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::membership
