#include "services/org/store/meeting_store.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/org/store/activity_sql.h"

namespace grassroots::org::store {
namespace {

using common::db::GetOptionalInt64;
using common::db::SetOptionalInt64;
using common::db::SetOptionalString;
namespace su = sql_util;

constexpr char kColumns[] =
    "id, organization_id, kind, mode, online_reason, party_group_id, topic, planned_start, planned_end, "
    "actual_start, actual_end, invited_count, present_count, excused_count, version";

std::string MeetingName(int64_t organization_id, int64_t id) {
  return absl::StrCat(common::api::MakeName("organizations", organization_id), "/meetings/", id);
}

domain::Meeting ReadMeeting(sql::ResultSet& rs) {
  domain::Meeting m;
  m.id = rs.getInt64("id");
  m.organization_id = rs.getInt64("organization_id");
  m.kind = static_cast<domain::MeetingKind>(rs.getInt("kind"));
  m.mode = static_cast<domain::MeetingMode>(rs.getInt("mode"));
  m.online_reason = su::EmptyIfNull(rs, "online_reason");
  m.party_group_id = GetOptionalInt64(rs, "party_group_id");
  m.topic = rs.getString("topic");
  m.planned_start = su::ParseTimeColumn(rs.getString("planned_start"));
  m.planned_end = su::ParseTimeColumn(rs.getString("planned_end"));
  m.actual_start = su::OptionalTime(rs, "actual_start");
  m.actual_end = su::OptionalTime(rs, "actual_end");
  m.invited_count = rs.getInt("invited_count");
  m.present_count = rs.getInt("present_count");
  m.excused_count = rs.getInt("excused_count");
  m.version = rs.getInt64("version");
  return m;
}

// Binds the columns an update may change, in this order; returns the next index.
int BindMutable(sql::PreparedStatement& ps, int index, const domain::Meeting& m) {
  ps.setInt(index++, static_cast<int>(m.mode));
  SetOptionalString(ps, index++, su::NullIfEmpty(m.online_reason));
  ps.setString(index++, m.topic);
  ps.setString(index++, su::TimeText(m.planned_start));
  ps.setString(index++, su::TimeText(m.planned_end));
  su::SetOptionalTime(ps, index++, m.actual_start);
  su::SetOptionalTime(ps, index++, m.actual_end);
  ps.setInt(index++, m.invited_count);
  ps.setInt(index++, m.present_count);
  ps.setInt(index++, m.excused_count);
  ps.setString(index++, su::DateText(domain::MeetingDate(m)));
  su::SetOptionalDate(ps, index++, domain::HeldOn(m));
  return index;
}

void WriteAttendees(common::db::Session& session, const domain::Meeting& m, bool replace) {
  if (replace) {
    sql::PreparedStatement& del = session.Prepare("DELETE FROM meeting_attendees WHERE meeting_id = ?");
    del.setInt64(1, m.id);
    del.executeUpdate();
  }
  sql::PreparedStatement& ins = session.Prepare("INSERT INTO meeting_attendees (meeting_id, member_id) VALUES (?, ?)");
  for (int64_t member_id : m.attendee_member_ids) {
    ins.setInt64(1, m.id);
    ins.setInt64(2, member_id);
    ins.executeUpdate();
  }
}

// Loads attendees for the given meetings (by id) in one query.
void LoadAttendees(common::db::Session& session, std::vector<domain::Meeting>& meetings) {
  if (meetings.empty()) return;
  std::map<int64_t, domain::Meeting*> by_id;
  std::vector<int64_t> ids;
  for (domain::Meeting& m : meetings) {
    by_id[m.id] = &m;
    ids.push_back(m.id);
  }
  static const std::string kSql = absl::StrCat("SELECT meeting_id, member_id FROM meeting_attendees WHERE meeting_id IN ",
                                               common::db::kIdSet, " ORDER BY meeting_id, member_id");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setString(1, common::db::IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) by_id[rs->getInt64("meeting_id")]->attendee_member_ids.push_back(rs->getInt64("member_id"));
}

}  // namespace

absl::StatusOr<domain::Meeting> MeetingStore::Insert(common::db::Session& session, domain::Meeting meeting) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO meetings (mode, online_reason, topic, planned_start, planned_end, actual_start, actual_end, "
      "invited_count, present_count, excused_count, meeting_date, held_on, organization_id, kind, party_group_id, "
      "version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)");
  int index = BindMutable(ps, 1, meeting);
  ps.setInt64(index++, meeting.organization_id);
  ps.setInt(index++, static_cast<int>(meeting.kind));
  SetOptionalInt64(ps, index++, meeting.party_group_id);
  ps.executeUpdate();
  meeting.id = session.LastInsertId();
  meeting.version = 1;
  WriteAttendees(session, meeting, /*replace=*/false);
  return meeting;
}

absl::StatusOr<domain::Meeting> MeetingStore::Get(common::db::Session& session, int64_t organization_id, int64_t id,
                                                  bool for_update) {
  sql::PreparedStatement& ps =
      for_update ? session.Prepare(absl::StrCat("SELECT ", kColumns,
                                                " FROM meetings WHERE id = ? AND organization_id = ? FOR UPDATE"))
                 : session.Prepare(absl::StrCat("SELECT ", kColumns, " FROM meetings WHERE id = ? AND organization_id = ?"));
  ps.setInt64(1, id);
  ps.setInt64(2, organization_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat(MeetingName(organization_id, id), " not found"));
  std::vector<domain::Meeting> one{ReadMeeting(*rs)};
  rs.reset();
  LoadAttendees(session, one);
  return std::move(one.front());
}

absl::StatusOr<domain::Meeting> MeetingStore::Update(common::db::Session& session, domain::Meeting meeting) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE meetings SET mode = ?, online_reason = ?, topic = ?, planned_start = ?, planned_end = ?, "
      "actual_start = ?, actual_end = ?, invited_count = ?, present_count = ?, excused_count = ?, meeting_date = ?, "
      "held_on = ?, version = version + 1, update_time = CURRENT_TIMESTAMP(6) "
      "WHERE id = ? AND organization_id = ? AND version = ?");
  int index = BindMutable(ps, 1, meeting);
  ps.setInt64(index++, meeting.id);
  ps.setInt64(index++, meeting.organization_id);
  ps.setInt64(index++, meeting.version);
  if (ps.executeUpdate() != 1) {
    return common::Reasoned(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                            absl::StrCat(MeetingName(meeting.organization_id, meeting.id),
                                         " was changed by another request; read it again"));
  }
  meeting.version += 1;
  WriteAttendees(session, meeting, /*replace=*/true);
  return meeting;
}

absl::StatusOr<std::vector<domain::Meeting>> MeetingStore::List(common::db::Session& session, const ListQuery& query) {
  if (query.organization_ids.empty()) return std::vector<domain::Meeting>{};
  std::string sql = absl::StrCat("SELECT ", kColumns, " FROM meetings WHERE organization_id IN ", common::db::kIdSet);
  if (query.kind) absl::StrAppend(&sql, " AND kind = ?");
  if (query.from_date) absl::StrAppend(&sql, " AND meeting_date >= ?");
  if (query.to_date) absl::StrAppend(&sql, " AND meeting_date <= ?");
  if (query.after_date) absl::StrAppend(&sql, " AND (meeting_date > ? OR (meeting_date = ? AND id > ?))");
  absl::StrAppend(&sql, " ORDER BY meeting_date, id LIMIT ?");

  sql::PreparedStatement& ps = session.Prepare(sql);
  int index = 1;
  ps.setString(index++, common::db::IdArray(query.organization_ids));
  if (query.kind) ps.setInt(index++, static_cast<int>(*query.kind));
  if (query.from_date) ps.setString(index++, su::DateText(*query.from_date));
  if (query.to_date) ps.setString(index++, su::DateText(*query.to_date));
  if (query.after_date) {
    ps.setString(index++, su::DateText(*query.after_date));
    ps.setString(index++, su::DateText(*query.after_date));
    ps.setInt64(index++, query.after_id);
  }
  ps.setInt(index++, query.limit);
  std::vector<domain::Meeting> out;
  {
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) out.push_back(ReadMeeting(*rs));
  }
  LoadAttendees(session, out);
  return out;
}

absl::StatusOr<std::map<int64_t, int64_t>> MeetingStore::CountThematicMeetings(
    common::db::Session& session, const std::vector<int64_t>& organization_ids, absl::CivilDay first,
    absl::CivilDay last) {
  std::map<int64_t, int64_t> out;
  if (organization_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT organization_id, COUNT(*) AS held FROM meetings WHERE kind IN (?, ?) AND held_on BETWEEN ? AND ? "
      "AND organization_id IN ",
      common::db::kIdSet, " GROUP BY organization_id");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setInt(1, static_cast<int>(domain::MeetingKind::kThematic));
  ps.setInt(2, static_cast<int>(domain::MeetingKind::kRegularAndThematic));
  ps.setString(3, su::DateText(first));
  ps.setString(4, su::DateText(last));
  ps.setString(5, common::db::IdArray(organization_ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out[rs->getInt64("organization_id")] = rs->getInt64("held");
  return out;
}

}  // namespace grassroots::org::store
