// InsertMember (ValidateCreateMember lives in member_validation.cc, AppendEvent in event_writer.cc).
#include "services/membership/handlers/member_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/handlers/member_access.h"

namespace grassroots::membership {
namespace {

constexpr char kFirstCardReason[] = "FIRST";

}  // namespace

absl::StatusOr<NewMember> ValidateCreateMember(const HandlerContext& ctx, const v1::CreateMemberRequest& request) {
  return ValidateCreateMember(MemberValidation{ctx.codes, ctx.rules, ctx.calendar}, request);
}

absl::StatusOr<domain::MemberRecord> InsertMember(HandlerContext& ctx, common::db::Session& session,
                                                  const common::feed::WriteContext& write, const NewMember& fresh) {
  domain::Event first = fresh.first_event;
  first.actor = write.actor;
  // The row needs its state columns at insert; the state is derived again
  // from the stored event (with its id) once the event is appended.
  const domain::MemberState initial = domain::Apply(domain::MemberState{}, first);
  GR_ASSIGN_OR_RETURN(const int64_t id,
                      ctx.members.Insert(session, fresh.profile, fresh.sensitive, initial, fresh.import_fingerprint));
  GR_ASSIGN_OR_RETURN(const domain::Event stored, ctx.events.Append(session, id, first, write.request_id));
  const std::vector<domain::Event> log = {stored};
  const std::vector<domain::Period> periods = domain::Periods(log);
  GR_RETURN_IF_ERROR(ctx.events.ReplacePeriods(session, id, periods));
  // The dated attributes start with the record: from the admission decision
  // of a member admitted before the system, else from the opening event.
  const absl::CivilDay attributes_from =
      std::min(first.opened_admission_decision_date.value_or(first.effective_date), first.effective_date);
  GR_RETURN_IF_ERROR(
      ctx.members.ReplaceAttributePeriods(session, id, domain::InitialAttributePeriods(fresh.profile, attributes_from)));
  GR_RETURN_IF_ERROR(ctx.members.SaveState(session, id, domain::Apply(domain::MemberState{}, stored)));

  if (fresh.party_card_number) {
    // The day the first card was issued is not asked at creation: the day
    // the member became official (cards go to official members), else today.
    const absl::CivilDay issued_on = first.opened_official_date.value_or(common::api::Today());
    GR_RETURN_IF_ERROR(
        ctx.members.IssueCard(session, id, *fresh.party_card_number, issued_on, kFirstCardReason).status());
  }

  GR_ASSIGN_OR_RETURN(domain::MemberRecord record, ctx.members.Get(session, id));
  GR_RETURN_IF_ERROR(RecordMemberChange(ctx, session, write, record, "created",
                                        {{"entry", v1::EventKind_Name(stored.kind)},
                                         {"imported", fresh.import_fingerprint.has_value()}}));
  GR_RETURN_IF_ERROR(RecordMemberPeriods(session, write, id, periods));
  GR_RETURN_IF_ERROR(RecordEventChange(session, write, stored, id, "created"));
  return record;
}

}  // namespace grassroots::membership
