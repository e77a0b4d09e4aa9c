#include "services/membership/handlers/event_conversions.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/api/api.h"
#include "services/membership/handlers/member_access.h"

namespace grassroots::membership {
namespace {

std::string EventName(int64_t member_id, int64_t event_id) {
  return absl::StrCat(MemberName(member_id), "/events/", event_id);
}

}  // namespace

v1::MemberEvent ToProto(const domain::Event& event, int64_t member_id, bool with_actor) {
  namespace api = common::api;
  v1::MemberEvent out;
  out.set_name(EventName(member_id, event.id));
  out.set_kind(event.kind);
  out.set_effective_date(api::FormatDate(event.effective_date));
  if (!event.decision.empty()) *out.mutable_decision() = ToProto(event.decision);
  if (event.cell_id && *event.cell_id > 0) out.set_cell(OrgName(*event.cell_id));
  out.set_introduced_by(event.introduced_by);
  out.set_certificate_number(event.certificate_number);
  if (event.certificate_valid_until) out.set_certificate_valid_until(api::FormatDate(*event.certificate_valid_until));
  if (event.vote) {
    v1::Vote* vote = out.mutable_vote();
    vote->set_in_favour(event.vote->in_favour);
    vote->set_eligible(event.vote->eligible);
    vote->set_resolution_number(event.vote->resolution_number);
  }
  if (event.transfer) {
    const domain::TransferDetails& t = *event.transfer;
    v1::Transfer* transfer = out.mutable_transfer();
    transfer->set_kind(t.kind);
    if (t.destination_cell_id) transfer->set_destination_cell(OrgName(*t.destination_cell_id));
    transfer->set_destination_name(t.destination_name);
    transfer->set_introduced_on(api::FormatDate(t.introduced_on));
    if (t.planned_end) transfer->set_planned_end(api::FormatDate(*t.planned_end));
    transfer->set_reason(t.reason);
  }
  out.set_removal_trigger(event.removal_trigger);
  if (event.voids_event_id != 0) out.set_voids(EventName(member_id, event.voids_event_id));
  out.set_voided(event.voided);
  // The message has one free-text field: the note, else the reason given.
  out.set_note(!event.note.empty() ? event.note : event.reason);
  out.set_status_after(event.status_after);
  if (event.recorded_on) out.set_recorded_on(api::FormatDate(*event.recorded_on));
  if (event.opened_admission_decision_date) {
    out.set_opened_admission_decision_date(api::FormatDate(*event.opened_admission_decision_date));
  }
  if (event.opened_ceremony_date) out.set_opened_admission_ceremony_date(api::FormatDate(*event.opened_ceremony_date));
  if (event.opened_official_date) out.set_opened_official_date(api::FormatDate(*event.opened_official_date));
  out.set_discipline_reference(event.discipline_reference);
  out.set_transferred_from(event.transferred_from);
  if (event.from_cell_id) out.set_from_cell(OrgName(*event.from_cell_id));
  if (event.successor_cell_id) out.set_successor_cell(OrgName(*event.successor_cell_id));
  if (with_actor) out.set_actor(event.actor);
  if (event.record_time) {
    *out.mutable_record_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*event.record_time));
  }
  return out;
}

}  // namespace grassroots::membership
