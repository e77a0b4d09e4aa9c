// AppendEvent (member_writer.h): the one write path of every lifecycle event.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/handlers/event_conversions.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/member_writer.h"

namespace grassroots::membership {
namespace {

// "EVENT_KIND_RECOGNIZED_OFFICIAL" -> "recognized_official": the feed action.
std::string ActionOf(v1::EventKind kind) {
  std::string name = v1::EventKind_Name(kind);
  constexpr std::string_view kPrefix = "EVENT_KIND_";
  if (name.rfind(kPrefix, 0) == 0) name.erase(0, kPrefix.size());
  return absl::AsciiStrToLower(name);
}

}  // namespace

namespace {

// After an event is stored: the derived state and periods replayed from the
// whole log, and the feed entries ("member", "member_periods", "member_event").
absl::StatusOr<domain::MemberRecord> SaveDerived(HandlerContext& ctx, common::db::Session& session,
                                                 const common::feed::WriteContext& write, int64_t member_id,
                                                 const std::vector<domain::Event>& log, const domain::Event& stored,
                                                 const std::optional<domain::Event>& voided) {
  const domain::MemberState state = domain::Replay(log);
  const std::vector<domain::Period> periods = domain::Periods(log);
  GR_RETURN_IF_ERROR(ctx.events.ReplacePeriods(session, member_id, periods));
  GR_RETURN_IF_ERROR(ctx.members.SaveState(session, member_id, state));
  // Read back for the version and update time the write produced.
  GR_ASSIGN_OR_RETURN(domain::MemberRecord updated, ctx.members.Get(session, member_id));

  const std::string action = ActionOf(stored.kind);
  nlohmann::json audit = {{"event_id", stored.id},
                          {"kind", v1::EventKind_Name(stored.kind)},
                          {"status_after", v1::MemberStatus_Name(state.status)},
                          {"cell_id", state.cell_id}};
  if (voided) audit["voids_event_id"] = voided->id;
  if (stored.from_cell_id) audit["from_cell_id"] = *stored.from_cell_id;
  GR_RETURN_IF_ERROR(RecordMemberChange(ctx, session, write, updated, action, std::move(audit)));
  GR_RETURN_IF_ERROR(RecordMemberPeriods(session, write, member_id, periods));
  GR_RETURN_IF_ERROR(RecordEventChange(session, write, stored, member_id, "created"));
  // Consumers that keep the log learn the voided event is no longer in force.
  if (voided) GR_RETURN_IF_ERROR(RecordEventChange(session, write, *voided, member_id, "voided"));
  return updated;
}

}  // namespace

v1::MemberEvent EventFeedView(const domain::Event& event, int64_t member_id) {
  // What a consumer rebuilds history from, and no free text: the note or
  // reason, the transfer's reason, the certificate number and the recording
  // actor stay in this service (the audit log keeps the actor).
  v1::MemberEvent view = ToProto(event, member_id, /*with_actor=*/false);
  view.clear_note();
  view.clear_certificate_number();
  if (view.has_transfer()) view.mutable_transfer()->clear_reason();
  return view;
}

common::feed::ChangeRecord MemberEventChange(const v1::MemberEvent& view, const domain::Event& event,
                                             int64_t member_id, std::string_view action) {
  common::feed::ChangeRecord change;
  change.resource_type = "member_event";
  change.resource_name = view.name();
  change.action = std::string(action);
  change.resource = &view;
  change.audit_details = {{"member_id", member_id},
                          {"event_id", event.id},
                          {"kind", v1::EventKind_Name(event.kind)},
                          {"effective_date", common::api::FormatDate(event.effective_date)}};
  return change;
}

absl::Status RecordEventChange(common::db::Session& session, const common::feed::WriteContext& write,
                               const domain::Event& event, int64_t member_id, std::string_view action) {
  const v1::MemberEvent view = EventFeedView(event, member_id);
  return common::feed::RecordChange(session, write, MemberEventChange(view, event, member_id, action));
}

absl::Status RequirePlacementUnchanged(const domain::MemberRecord& checked, const domain::MemberRecord& locked) {
  // Nothing written since access was decided.
  if (checked.version == locked.version) return absl::OkStatus();
  // Something was, but the member sits where it did. A decision that rested on
  // a pending transfer (its destination is not on the row) is not re-checked
  // field by field: any write since then counts as a change.
  const domain::MemberState& a = checked.state;
  const domain::MemberState& b = locked.state;
  if (!a.transfer_pending && a.cell_id == b.cell_id && a.host_cell_id == b.host_cell_id &&
      a.awaiting_placement_from == b.awaiting_placement_from) {
    return absl::OkStatus();
  }
  return common::Reasoned(absl::StatusCode::kAborted, "PLACEMENT_CHANGED",
                          absl::StrCat("member: ", MemberName(locked.id),
                                       " changed while this call ran; retry so access is decided again"));
}

absl::StatusOr<domain::MemberRecord> AppendEvent(HandlerContext& ctx, common::db::Session& session,
                                                 const common::feed::WriteContext& write, int64_t member_id,
                                                 domain::Event event, std::string_view etag,
                                                 const domain::MemberRecord* access_checked_on) {
  // The row lock serializes writers of one member: the log read below is the
  // log the event is checked against.
  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ctx.members.GetForUpdate(session, member_id));
  // Access was decided before the transaction; a concurrent transfer may have
  // moved the member since. Under the lock nothing can move it any more.
  if (access_checked_on != nullptr) GR_RETURN_IF_ERROR(RequirePlacementUnchanged(*access_checked_on, member));
  GR_RETURN_IF_ERROR(common::api::CheckEtag(etag, member.version, MemberName(member_id)));
  GR_ASSIGN_OR_RETURN(std::vector<domain::Event> log, ctx.events.Log(session, member_id));

  const domain::TransitionContext transition{ctx.rules, ctx.calendar, common::api::Today(),
                                             member.profile.birth_date, member.profile.general_education};
  event.actor = write.actor;
  GR_RETURN_IF_ERROR(domain::CheckAndCompleteOnLog(log, event, transition));
  GR_ASSIGN_OR_RETURN(const domain::Event stored, ctx.events.Append(session, member_id, event, write.request_id));

  std::optional<domain::Event> voided;  // a copy: the log grows below
  if (stored.kind == v1::EVENT_KIND_VOIDED) {
    for (domain::Event& e : log) {
      if (e.id == stored.voids_event_id) {
        e.voided = true;
        voided = e;
      }
    }
  }
  log.push_back(stored);
  return SaveDerived(ctx, session, write, member_id, log, stored, voided);
}

absl::StatusOr<std::optional<domain::MemberRecord>> FollowCellEnding(HandlerContext& ctx, common::db::Session& session,
                                                                     const common::feed::WriteContext& write,
                                                                     int64_t member_id,
                                                                     const domain::CellEnding& ending) {
  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ctx.members.GetForUpdate(session, member_id));
  GR_ASSIGN_OR_RETURN(std::vector<domain::Event> log, ctx.events.Log(session, member_id));
  std::optional<domain::SuccessionStep> step = domain::PlanCellSuccession(log, ending);
  if (!step) return std::optional<domain::MemberRecord>();

  const domain::TransitionContext transition{ctx.rules, ctx.calendar, common::api::Today(),
                                             member.profile.birth_date, member.profile.general_education};
  domain::Event event = std::move(step->event);
  event.actor = write.actor;
  GR_RETURN_IF_ERROR(domain::CheckAndComplete(step->state_before, event, transition));
  const auto at = log.begin() + static_cast<std::ptrdiff_t>(step->position);
  GR_ASSIGN_OR_RETURN(const domain::Event stored,
                      step->position == log.size()
                          ? ctx.events.Append(session, member_id, event, write.request_id)
                          : ctx.events.InsertAt(session, member_id, event, at->ordinal));
  log.insert(at, stored);
  // The member's later events stand as recorded; the derived state and
  // periods are replayed over the log with the ending in its place.
  GR_ASSIGN_OR_RETURN(domain::MemberRecord updated, SaveDerived(ctx, session, write, member_id, log, stored, {}));
  return std::optional<domain::MemberRecord>(std::move(updated));
}

}  // namespace grassroots::membership
