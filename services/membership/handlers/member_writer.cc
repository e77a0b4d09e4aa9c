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
  GR_ASSIGN_OR_RETURN(std::vector<domain::MemberRecord> records, InsertMembers(ctx, session, write, {&fresh}));
  return std::move(records.front());
}

absl::StatusOr<std::vector<domain::MemberRecord>> InsertMembers(HandlerContext& ctx, common::db::Session& session,
                                                                const common::feed::WriteContext& write,
                                                                const std::vector<const NewMember*>& fresh) {
  const size_t n = fresh.size();
  std::vector<domain::Event> firsts;
  std::vector<store::MemberStore::NewRow> rows;
  firsts.reserve(n);
  rows.reserve(n);
  for (const NewMember* member : fresh) {
    domain::Event first = member->first_event;
    first.actor = write.actor;
    store::MemberStore::NewRow row;
    row.profile = &member->profile;
    row.sensitive = &member->sensitive;
    // The state after the first event; its stored columns do not depend on
    // the event's id, so the row is written once, with it.
    row.state = domain::Apply(domain::MemberState{}, first);
    row.party_card_number = member->party_card_number;
    row.card_issued_on = first.opened_official_date.value_or(common::api::Today());
    row.card_reason = kFirstCardReason;
    row.import_fingerprint = member->import_fingerprint;
    rows.push_back(std::move(row));
    firsts.push_back(std::move(first));
  }
  GR_ASSIGN_OR_RETURN(const std::vector<store::MemberStore::InsertedRow> inserted, ctx.members.InsertMany(session, rows));

  std::vector<std::pair<int64_t, domain::Event>> events;
  events.reserve(n);
  for (size_t i = 0; i < n; ++i) events.emplace_back(inserted[i].id, firsts[i]);
  GR_ASSIGN_OR_RETURN(const std::vector<domain::Event> stored, ctx.events.InsertFirstEvents(session, events, write.request_id));

  std::vector<std::pair<int64_t, std::vector<domain::Period>>> periods;
  std::vector<std::pair<int64_t, std::vector<domain::AttributePeriod>>> attributes;
  periods.reserve(n);
  attributes.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    periods.emplace_back(inserted[i].id, domain::Periods({stored[i]}));
    const domain::Event& first = firsts[i];
    const absl::CivilDay attributes_from =
        std::min(first.opened_admission_decision_date.value_or(first.effective_date), first.effective_date);
    attributes.emplace_back(inserted[i].id, domain::InitialAttributePeriods(fresh[i]->profile, attributes_from));
  }
  GR_RETURN_IF_ERROR(ctx.events.InsertPeriodsOfNew(session, periods));
  GR_RETURN_IF_ERROR(ctx.members.InsertAttributePeriodsOfNew(session, attributes));

  // The records as a read after the insert returns them.
  std::vector<domain::MemberRecord> records(n);
  std::vector<v1::MemberFacts> facts(n);
  std::vector<v1::MemberPeriods> period_views(n);
  std::vector<v1::MemberEvent> event_views(n);
  std::vector<common::feed::ChangeRecord> changes;
  changes.reserve(3 * n);
  for (size_t i = 0; i < n; ++i) {
    domain::MemberRecord& record = records[i];
    record.id = inserted[i].id;
    record.profile = fresh[i]->profile;
    record.sensitive = fresh[i]->sensitive;
    record.party_card_number = fresh[i]->party_card_number;
    record.state = rows[i].state;
    record.version = 1;
    record.create_time = inserted[i].created_at;
    record.update_time = inserted[i].created_at;
    facts[i] = ToFacts(ctx.codes, record, attributes[i].second);
    period_views[i] = ToPeriodsProto(record.id, periods[i].second);
    event_views[i] = EventFeedView(stored[i], record.id);
    // Each member's entries in InsertMember's order.
    changes.push_back(MemberChange(facts[i], record, "created",
                                   {{"entry", v1::EventKind_Name(stored[i].kind)},
                                    {"imported", fresh[i]->import_fingerprint.has_value()}}));
    changes.push_back(MemberPeriodsChange(period_views[i], record.id));
    changes.push_back(MemberEventChange(event_views[i], stored[i], record.id, "created"));
  }
  GR_RETURN_IF_ERROR(common::feed::RecordChanges(session, write, changes));
  return records;
}

}  // namespace grassroots::membership
