#include "services/membership/store/sync_store.h"

#include <memory>
#include <sstream>
#include <utility>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/db/multi_row.h"
#include "common/status/status.h"
#include "grassroots/org/v1/meeting.pb.h"

namespace grassroots::membership::store {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;

constexpr char kMeetingType[] = "meeting";

// LIKE pattern of the names under "members/{id}/": '_' and '%' cannot occur in it.
std::string ChildNamePattern(int64_t member_id) { return absl::StrCat("members/", member_id, "/%"); }

int64_t UnixSeconds(const google::protobuf::Timestamp& t) { return t.seconds(); }

absl::Status PutMeeting(common::db::Session& session, const feedpb::Change& change) {
  orgpb::Meeting meeting;
  if (!change.resource().UnpackTo(&meeting)) {
    return absl::InvalidArgumentError(
        absl::StrCat("meeting change ", change.sequence(), " carries ", change.resource().type_url(),
                     ", not grassroots.org.v1.Meeting"));
  }
  GR_ASSIGN_OR_RETURN(const auto ids,
                      common::api::ParseChildId(meeting.name(), "organizations", "meetings", "meeting.name"));
  const auto [org_id, meeting_id] = ids;
  v1::SyncedMeeting view;
  view.set_name(meeting.name());
  view.set_kind(meeting.kind());
  view.set_mode(meeting.mode());
  view.set_topic(meeting.topic());
  if (meeting.has_planned_start()) *view.mutable_planned_start() = meeting.planned_start();
  if (meeting.has_planned_end()) *view.mutable_planned_end() = meeting.planned_end();
  if (meeting.has_actual_start()) *view.mutable_actual_start() = meeting.actual_start();
  if (meeting.has_actual_end()) *view.mutable_actual_end() = meeting.actual_end();
  const int64_t starts_at =
      meeting.has_actual_start() ? UnixSeconds(meeting.actual_start()) : UnixSeconds(meeting.planned_start());
  std::vector<int64_t> attendees;
  attendees.reserve(static_cast<size_t>(meeting.attendees_size()));
  for (const std::string& attendee : meeting.attendees()) {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, common::api::ParseId(attendee, "members", "meeting.attendees"));
    attendees.push_back(member_id);
  }

  sql::PreparedStatement& upsert = session.Prepare(
      "INSERT INTO cell_meetings (meeting_id, org_id, starts_at, source_sequence, view) VALUES (?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE org_id = VALUES(org_id), starts_at = VALUES(starts_at), "
      "source_sequence = VALUES(source_sequence), view = VALUES(view)");
  upsert.setInt64(1, meeting_id);
  upsert.setInt64(2, org_id);
  upsert.setInt64(3, starts_at);
  upsert.setInt64(4, change.sequence());
  std::istringstream blob(view.SerializeAsString());
  upsert.setBlob(5, &blob);
  upsert.executeUpdate();

  sql::PreparedStatement& forget = session.Prepare("DELETE FROM cell_meeting_attendees WHERE meeting_id = ?");
  forget.setInt64(1, meeting_id);
  forget.executeUpdate();
  common::db::ForEachRowChunk(attendees.size(), [&](size_t first, int count) {
    sql::PreparedStatement& add = session.Prepare(absl::StrCat(
        "INSERT INTO cell_meeting_attendees (meeting_id, member_id) VALUES ", common::db::RepeatRow("(?, ?)", count)));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      add.setInt64(index++, meeting_id);
      add.setInt64(index++, attendees[i]);
    }
    add.executeUpdate();
  });
  return absl::OkStatus();
}

absl::Status ClearMeetings(common::db::Session& session) {
  session.Prepare("DELETE FROM cell_meeting_attendees").executeUpdate();
  session.Prepare("DELETE FROM cell_meetings").executeUpdate();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SyncStart> ReadSyncStart(common::db::Session& session, int64_t member_id) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT m.cell_id, COALESCE(m.host_cell_id, 0), h.epoch, h.last_sequence, COALESCE(c.epoch, ''), "
      "COALESCE(c.last_sequence, 0) FROM feed_head h LEFT JOIN feed_cursors c ON c.source = '",
      kMeetingsSource, "' LEFT JOIN members m ON m.id = ? WHERE h.id = 1"));
  ps.setInt64(1, member_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::InternalError("feed_head has no row: the migrations did not run");
  if (rs->isNull(1)) return common::ResourceNotFound(common::api::MakeName("members", member_id));
  return SyncStart{.cell_id = rs->getInt64(1),
                   .host_cell_id = rs->getInt64(2),
                   .member_feed_epoch = std::string(rs->getString(3)),
                   .member_feed_head = rs->getInt64(4),
                   .meetings_epoch = std::string(rs->getString(5)),
                   .meetings_handled = rs->getInt64(6)};
}

absl::StatusOr<std::vector<std::vector<ChangedResource>>> MemberChangesAfter(
    common::db::Session& session, int64_t member_id, std::span<const MemberChangeQuery> queries) {
  std::vector<std::vector<ChangedResource>> out(queries.size());
  // One parenthesized part per query, each over the ranges of
  // change_feed_by_resource (resource_type, resource_name, sequence) of its types.
  std::string sql;
  for (size_t q = 0; q < queries.size(); ++q) {
    if (queries[q].types.empty() || queries[q].limit <= 0) continue;
    if (!sql.empty()) sql += " UNION ALL ";
    absl::StrAppend(&sql, "(SELECT ", q,
                    " AS part, resource_type, resource_name, MAX(sequence) AS newest FROM change_feed "
                    "WHERE resource_type IN (",
                    common::db::RepeatRow("?", static_cast<int>(queries[q].types.size())),
                    ") AND (resource_name = ? OR resource_name LIKE ?) AND sequence > ? "
                    "GROUP BY resource_type, resource_name ORDER BY newest LIMIT ?)");
  }
  if (sql.empty()) return out;
  absl::StrAppend(&sql, " ORDER BY part, newest");
  sql::PreparedStatement& ps = session.Prepare(sql);
  int index = 1;
  for (const MemberChangeQuery& query : queries) {
    if (query.types.empty() || query.limit <= 0) continue;
    for (std::string_view type : query.types) ps.setString(index++, std::string(type));
    ps.setString(index++, absl::StrCat("members/", member_id));
    ps.setString(index++, ChildNamePattern(member_id));
    ps.setInt64(index++, query.after_sequence);
    ps.setInt(index++, query.limit);
  }
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    const auto part = static_cast<size_t>(rs->getInt(1));
    if (part >= out.size()) return absl::InternalError("a change query answered for a part it did not ask");
    out[part].push_back(ChangedResource{.resource_type = std::string(rs->getString(2)),
                                        .resource_name = std::string(rs->getString(3)),
                                        .sequence = rs->getInt64(4)});
  }
  return out;
}

common::feed::FeedConsumer MeetingsConsumer() {
  common::feed::FeedConsumer consumer;
  consumer.resource_types = {kMeetingType};
  consumer.apply = &PutMeeting;
  consumer.reset = &ClearMeetings;
  return consumer;
}

absl::StatusOr<std::vector<ProjectedMeeting>> MeetingsChangedAfter(common::db::Session& session, int64_t org_id,
                                                                   int64_t member_id, absl::Time starts_from,
                                                                   int64_t after_sequence, int limit) {
  std::vector<ProjectedMeeting> out;
  if (limit <= 0) return out;
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT m.view, m.source_sequence, a.member_id IS NOT NULL AS attended FROM cell_meetings m "
      "LEFT JOIN cell_meeting_attendees a ON a.meeting_id = m.meeting_id AND a.member_id = ? "
      "WHERE m.org_id = ? AND m.source_sequence > ? AND m.starts_at >= ? ORDER BY m.source_sequence LIMIT ?");
  ps.setInt64(1, member_id);
  ps.setInt64(2, org_id);
  ps.setInt64(3, after_sequence);
  ps.setInt64(4, absl::ToUnixSeconds(starts_from));
  ps.setInt(5, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    ProjectedMeeting row;
    if (!row.meeting.ParseFromString(std::string(rs->getString(1)))) {
      return absl::InternalError("a cell_meetings row is unreadable");
    }
    row.sequence = rs->getInt64(2);
    row.meeting.set_attended(rs->getBoolean(3));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace grassroots::membership::store
