#include "services/membership/handlers/sync_handlers.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/domain/sync_position.h"
#include "services/membership/domain/yearly_rules.h"
#include "services/membership/handlers/dues_book.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/read_audit.h"
#include "services/membership/store/sync_store.h"

namespace grassroots::membership {
namespace {

using common::db::Session;

constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 500;

// Feed resource types of the member's record as GetMyRecord shows it.
constexpr std::array<std::string_view, 2> kRecordTypes = {"member", "member_event"};

// Feed resource types of the member's dues.
constexpr std::array<std::string_view, 3> kDuesTypes = {"dues_entry", "dues_base", "dues_relief"};

// Feed resource types of the yearly records a member sees (screenings are the
// cell's business, see SeesScreenings) and the kind each lists as.
struct YearlyType {
  std::string_view resource_type;
  v1::YearlyRecordKind kind;
};
constexpr std::array<YearlyType, 5> kYearlyTypes = {{
    {"residence_registration", v1::YEARLY_RECORD_KIND_RESIDENCE_REGISTRATION},
    {"residence_feedback", v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK},
    {"commitment", v1::YEARLY_RECORD_KIND_COMMITMENT},
    {"rating", v1::YEARLY_RECORD_KIND_RATING},
    {"training", v1::YEARLY_RECORD_KIND_TRAINING},
}};

std::optional<v1::YearlyRecordKind> KindOfType(std::string_view resource_type) {
  for (const YearlyType& type : kYearlyTypes) {
    if (type.resource_type == resource_type) return type.kind;
  }
  return std::nullopt;
}

const std::string& NameOf(const v1::YearlyRecord& record) {
  switch (record.record_case()) {
    case v1::YearlyRecord::kResidenceRegistration: return record.residence_registration().name();
    case v1::YearlyRecord::kResidenceFeedback: return record.residence_feedback().name();
    case v1::YearlyRecord::kCommitment: return record.commitment().name();
    case v1::YearlyRecord::kRating: return record.rating().name();
    case v1::YearlyRecord::kTraining: return record.training().name();
    case v1::YearlyRecord::kScreening: return record.screening().name();
    case v1::YearlyRecord::RECORD_NOT_SET: break;
  }
  static const std::string kNone;
  return kNone;
}

int32_t YearOf(const v1::YearlyRecord& record) {
  switch (record.record_case()) {
    case v1::YearlyRecord::kResidenceFeedback: return record.residence_feedback().year();
    case v1::YearlyRecord::kCommitment: return record.commitment().year();
    case v1::YearlyRecord::kRating: return record.rating().year();
    default: return 0;
  }
}

// The member's yearly records of each kind, each kind read once per sync.
class MemberYearlyRecords {
 public:
  MemberYearlyRecords(store::YearlyStore& yearly, Session& session, int64_t member_id)
      : yearly_(yearly), session_(session), member_id_(member_id) {}

  absl::StatusOr<const std::vector<v1::YearlyRecord>*> OfKind(v1::YearlyRecordKind kind) {
    auto found = by_kind_.find(kind);
    if (found != by_kind_.end()) return &found->second;
    std::vector<v1::YearlyRecord> records;
    store::YearlyStore::ListQuery query{.kind = kind, .member_id = member_id_};
    // A member's records of one kind are few (one a year, or a training or
    // registration now and then): read them all, a page at a time.
    query.limit = 200;
    for (;;) {
      GR_ASSIGN_OR_RETURN(const std::vector<store::YearlyStore::ListedRecord> page,
                          yearly_.List(session_, query));
      for (const store::YearlyStore::ListedRecord& listed : page) {
        records.push_back(listed.record);
        query.after_member_id = listed.member_id;
        query.after_key = listed.key;
      }
      if (static_cast<int32_t>(page.size()) < query.limit) break;
    }
    return &by_kind_.emplace(kind, std::move(records)).first->second;
  }

  // The one record of a one-per-year kind for `year`, or null.
  absl::StatusOr<const v1::YearlyRecord*> ForYear(v1::YearlyRecordKind kind, int32_t year) {
    GR_ASSIGN_OR_RETURN(const std::vector<v1::YearlyRecord>* records, OfKind(kind));
    for (const v1::YearlyRecord& record : *records) {
      if (YearOf(record) == year) return &record;
    }
    return static_cast<const v1::YearlyRecord*>(nullptr);
  }

 private:
  store::YearlyStore& yearly_;
  Session& session_;
  int64_t member_id_;
  std::map<v1::YearlyRecordKind, std::vector<v1::YearlyRecord>> by_kind_;
};

// A commitment's `required` follows from the member's occupation category and
// the rule in force on 1 January of its year (as ListYearlyRecords computes it).
absl::Status FillCommitmentRequired(const common::RulesRegistry& rules, const domain::MemberRecord& member,
                                    v1::Commitment& commitment) {
  GR_ASSIGN_OR_RETURN(const bool required,
                      domain::CommitmentRequired(member.profile.occupation_category, commitment.year(), rules));
  commitment.set_required(required);
  return absl::OkStatus();
}

absl::StatusOr<v1::YearlyDuties> DutiesOf(HandlerContext& ctx, Session& session, MemberYearlyRecords& records,
                                          const domain::MemberRecord& member, int32_t year) {
  v1::YearlyDuties duties;
  duties.set_year(year);
  if (member.state.IsCounted()) {
    GR_ASSIGN_OR_RETURN(const bool required,
                        domain::CommitmentRequired(member.profile.occupation_category, year, ctx.rules));
    duties.set_commitment_required(required);
  }
  GR_ASSIGN_OR_RETURN(const v1::YearlyRecord* commitment, records.ForYear(v1::YEARLY_RECORD_KIND_COMMITMENT, year));
  if (commitment != nullptr) {
    *duties.mutable_commitment() = commitment->commitment();
    GR_RETURN_IF_ERROR(FillCommitmentRequired(ctx.rules, member, *duties.mutable_commitment()));
  }
  GR_ASSIGN_OR_RETURN(const v1::YearlyRecord* rating, records.ForYear(v1::YEARLY_RECORD_KIND_RATING, year));
  if (rating != nullptr) *duties.mutable_rating() = rating->rating();
  GR_ASSIGN_OR_RETURN(const std::optional<v1::ResidenceRegistration> registration,
                      ctx.yearly.FindRegistrationForYear(session, member.id, year));
  duties.set_residence_feedback_expected(registration.has_value() &&
                                         domain::ExpectsYearlyFeedback(registration->exemption()));
  GR_ASSIGN_OR_RETURN(const v1::YearlyRecord* feedback,
                      records.ForYear(v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK, year));
  if (feedback != nullptr) *duties.mutable_residence_feedback() = feedback->residence_feedback();
  return duties;
}

// The cell whose meetings the member attends: the host cell of a temporary
// transfer in force, else their own (0 while awaiting placement).
int64_t AttendingCell(const store::SyncStart& start) {
  return start.host_cell_id != 0 ? start.host_cell_id : start.cell_id;
}

struct SyncPage {
  v1::SyncMyRecordResponse response;
  domain::SyncPosition next;
  bool changed = false;  // anything in the page, or the position moved
};

// Reads in autocommit, statement by statement, with no snapshot (an idle
// sync stays a handful of indexed reads). That is safe because every position
// kept is the newest change actually sent, and what is sent is read after the
// change was found (as new or newer); a change committed meanwhile has a
// higher sequence and comes with the next sync. The heads serve only to
// detect a restored database, and they only grow.
absl::StatusOr<SyncPage> ReadSyncPage(HandlerContext& ctx, Session& session, int64_t member_id,
                                      const std::optional<domain::SyncPosition>& from, int32_t page_size,
                                      absl::CivilDay today) {
  SyncPage page;
  v1::SyncMyRecordResponse& out = page.response;
  GR_ASSIGN_OR_RETURN(const store::SyncStart heads, store::ReadSyncStart(session, member_id));
  const domain::SyncState now{.member_feed_epoch = heads.member_feed_epoch,
                              .member_feed_head = heads.member_feed_head,
                              .meetings_epoch = heads.meetings_epoch,
                              .meetings_handled = heads.meetings_handled,
                              .cell_id = AttendingCell(heads)};
  const bool reset = from.has_value() && domain::NeedsReset(*from, now);
  const bool fresh = !from.has_value() || reset;
  domain::SyncPosition start = fresh ? domain::SyncPosition{} : *from;
  const domain::DutyYears years = domain::DutyYearsOn(today);
  out.set_reset(reset);

  // The member's own resources changed since the position, in one statement:
  // any part of the record (sent whole), and the page's share of yearly records.
  std::vector<std::string_view> yearly_types;
  for (const YearlyType& type : kYearlyTypes) yearly_types.push_back(type.resource_type);
  const store::MemberChangeQuery change_queries[] = {
      {.types = kRecordTypes, .after_sequence = start.record_sequence, .limit = 1000},
      {.types = yearly_types, .after_sequence = start.yearly_sequence, .limit = page_size + 1},
      {.types = kDuesTypes, .after_sequence = start.dues_sequence, .limit = 1000}};
  GR_ASSIGN_OR_RETURN(std::vector<std::vector<store::ChangedResource>> changes,
                      store::MemberChangesAfter(session, member_id, change_queries));
  const std::vector<store::ChangedResource>& record_changes = changes[0];
  std::vector<store::ChangedResource>& yearly_changes = changes[1];
  const std::vector<store::ChangedResource>& dues_changes = changes[2];

  // Dues: the year's ledger, when anything of it changed or the month turned
  // (a month ending unpaid changes the arrears without any write).
  int64_t dues_sequence = start.dues_sequence;
  for (const store::ChangedResource& change : dues_changes) dues_sequence = std::max(dues_sequence, change.sequence);
  const int32_t dues_month = domain::DuesMonthKey(today);
  const bool send_dues = fresh || !dues_changes.empty() || from->dues_month != dues_month;
  if (send_dues) {
    GR_ASSIGN_OR_RETURN(*out.mutable_dues(),
                        BuildDuesLedger(ctx, session, member_id, static_cast<int32_t>(today.year()), today));
  }

  int64_t record_sequence = start.record_sequence;
  for (const store::ChangedResource& change : record_changes) {
    record_sequence = std::max(record_sequence, change.sequence);
  }
  const bool send_record = fresh || !record_changes.empty();
  if (send_record) {
    GR_ASSIGN_OR_RETURN(*out.mutable_record(), ReadMyRecord(ctx, session, member_id, today));
  }
  // The whole member row, only when something computed from it is sent.
  std::optional<domain::MemberRecord> member;
  auto whole_member = [&]() -> absl::StatusOr<const domain::MemberRecord*> {
    if (!member) {
      GR_ASSIGN_OR_RETURN(member, ctx.members.Get(session, member_id));
    }
    return &*member;
  };

  // Yearly records: the page's share, oldest change first.
  const bool yearly_cut = static_cast<int32_t>(yearly_changes.size()) > page_size;
  if (yearly_cut) yearly_changes.resize(static_cast<size_t>(page_size));
  MemberYearlyRecords records(ctx.yearly, session, member_id);
  int64_t yearly_sequence = start.yearly_sequence;
  for (const store::ChangedResource& change : yearly_changes) {
    yearly_sequence = std::max(yearly_sequence, change.sequence);
    const std::optional<v1::YearlyRecordKind> kind = KindOfType(change.resource_type);
    if (!kind) continue;
    GR_ASSIGN_OR_RETURN(const std::vector<v1::YearlyRecord>* of_kind, records.OfKind(*kind));
    for (const v1::YearlyRecord& record : *of_kind) {
      if (NameOf(record) != change.resource_name) continue;
      v1::YearlyRecord* sent = out.add_yearly_records();
      *sent = record;
      if (sent->has_commitment()) {
        GR_ASSIGN_OR_RETURN(const domain::MemberRecord* whole, whole_member());
        GR_RETURN_IF_ERROR(FillCommitmentRequired(ctx.rules, *whole, *sent->mutable_commitment()));
      }
      break;
    }
  }

  // Meetings of the cell with what room the page has left.
  int64_t meetings_sequence = start.meetings_sequence;
  bool meetings_cut = false;
  const int32_t room = page_size - static_cast<int32_t>(yearly_changes.size());
  if (!yearly_cut && room > 0 && now.cell_id != 0) {
    GR_ASSIGN_OR_RETURN(std::vector<store::ProjectedMeeting> meetings,
                        store::MeetingsChangedAfter(session, now.cell_id, member_id,
                                                    domain::MeetingWindowStart(today), start.meetings_sequence,
                                                    room + 1));
    meetings_cut = static_cast<int32_t>(meetings.size()) > room;
    if (meetings_cut) meetings.resize(static_cast<size_t>(room));
    for (store::ProjectedMeeting& meeting : meetings) {
      meetings_sequence = std::max(meetings_sequence, meeting.sequence);
      *out.add_meetings() = std::move(meeting.meeting);
    }
  }

  // Duties: whenever what they are computed from changed, or the year turned.
  const bool send_duties = fresh || send_record || !yearly_changes.empty() || from->duties_year != years.current;
  if (send_duties) {
    GR_ASSIGN_OR_RETURN(const domain::MemberRecord* whole, whole_member());
    for (int32_t year : {years.previous, years.current}) {
      GR_ASSIGN_OR_RETURN(*out.add_duties(), DutiesOf(ctx, session, records, *whole, year));
    }
  }

  out.set_has_more(yearly_cut || meetings_cut);
  page.next = domain::SyncPosition{.member_feed_epoch = heads.member_feed_epoch,
                                   .record_sequence = record_sequence,
                                   .yearly_sequence = yearly_sequence,
                                   .meetings_epoch = heads.meetings_epoch,
                                   .meetings_sequence = meetings_sequence,
                                   .cell_id = now.cell_id,
                                   .duties_year = years.current,
                                   .dues_month = dues_month,
                                   .dues_sequence = dues_sequence};
  page.changed = fresh || send_record || send_duties || send_dues || !yearly_changes.empty() ||
                 out.meetings_size() > 0 || page.next != *from;
  return page;
}

}  // namespace

grpc::Status MemberSyncServiceImpl::SyncMyRecord(grpc::ServerContext* context,
                                                 const v1::SyncMyRecordRequest* request,
                                                 v1::SyncMyRecordResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!call.principal.member_id) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_MEMBER_RECORD",
                              "the caller's token names no member record");
    }
    const int64_t member_id = *call.principal.member_id;
    GR_ASSIGN_OR_RETURN(const int32_t page_size,
                        common::api::ClampPageSize(request->page_size(), kDefaultPageSize, kMaxPageSize));
    // Bound to the member: another member's cursor is refused like a forged one.
    const uint64_t fingerprint = common::api::Fingerprint({"SyncMyRecord", MemberName(member_id)});
    absl::StatusOr<std::optional<common::api::PageCursor>> token =
        ctx_.page_tokens.Decode(request->cursor(), fingerprint);
    if (!token.ok()) return common::InvalidField("cursor", "is not a cursor issued to this member");
    std::optional<domain::SyncPosition> from;
    if (token->has_value()) {
      GR_ASSIGN_OR_RETURN(from, domain::ParseSyncPosition((*token)->last_key, "cursor"));
    }

    const absl::CivilDay today = common::api::Today();
    GR_ASSIGN_OR_RETURN(SyncPage page, ctx_.pool.Read<SyncPage>("membership.sync_my_record", [&](Session& session) {
      return ReadSyncPage(ctx_, session, member_id, from, page_size, today);
    }));
    if (page.response.has_record()) {
      GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "SyncMyRecord", {member_id}));
    }
    *response = std::move(page.response);
    // Nothing new: the same cursor back, so an idle sync's answer is
    // byte-identical (over HTTP the same ETag, hence 304 Not Modified).
    if (!page.changed) {
      response->set_next_cursor(request->cursor());
    } else {
      response->set_next_cursor(ctx_.page_tokens.Encode(
          common::api::PageCursor{.last_key = domain::FormatSyncPosition(page.next), .query_fingerprint = fingerprint}));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::membership
