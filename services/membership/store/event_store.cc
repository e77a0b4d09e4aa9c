#include "services/membership/store/event_store.h"

#include <memory>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/db/db.h"
#include "common/db/multi_row.h"
#include "common/status/status.h"
#include "services/membership/store/sql_dates.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;
using domain::Decision;
using domain::Event;
using nlohmann::json;

using common::api::FormatDate;

// DATE columns and the dates inside details are what this store wrote; one
// that is not a date is a bug here, reported rather than guessed.
absl::StatusOr<absl::CivilDay> RequireStoredDate(const std::string& text, std::string_view what) {
  std::optional<absl::CivilDay> day = ParseStoredDate(text);
  if (!day) return absl::InternalError(absl::StrCat("stored ", common::ToAbsl(what), " is not a date"));
  return *day;
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDateColumn(sql::ResultSet& rs, const std::string& column) {
  std::optional<std::string> text = common::db::GetOptionalString(rs, column);
  if (!text) return std::nullopt;
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, RequireStoredDate(*text, column));
  return day;
}

// ---- details JSON: the kind-specific fields, enums by name -------------------------
void PutDate(json& out, const char* key, const std::optional<absl::CivilDay>& day) {
  if (day) out[key] = FormatDate(*day);
}
void PutText(json& out, const char* key, const std::string& text) {
  if (!text.empty()) out[key] = text;
}

json DecisionJson(const Decision& decision) {
  json out = json::object();
  PutText(out, "issuing_body", decision.issuing_body);
  PutText(out, "number", decision.number);
  PutDate(out, "signed_on", decision.signed_on);
  return out;
}

json DetailsOf(const Event& event) {
  json out = json::object();
  PutText(out, "introduced_by", event.introduced_by);
  if (event.opened_status != domain::v1::MEMBER_STATUS_UNSPECIFIED) {
    json opened = json::object();
    opened["status"] = domain::v1::MemberStatus_Name(event.opened_status);
    PutDate(opened, "admission_decision_date", event.opened_admission_decision_date);
    PutDate(opened, "ceremony_date", event.opened_ceremony_date);
    PutDate(opened, "official_date", event.opened_official_date);
    out["opened"] = std::move(opened);
  }
  PutDate(out, "probation_end_date", event.probation_end_date);
  if (!event.certificate_number.empty() || event.certificate_valid_until) {
    json certificate = json::object();
    PutText(certificate, "number", event.certificate_number);
    PutDate(certificate, "valid_until", event.certificate_valid_until);
    out["certificate"] = std::move(certificate);
  }
  if (event.vote) {
    json vote = {{"in_favour", event.vote->in_favour}, {"eligible", event.vote->eligible}};
    PutText(vote, "resolution_number", event.vote->resolution_number);
    out["vote"] = std::move(vote);
  }
  if (event.age_exception) out["age_exception"] = DecisionJson(*event.age_exception);
  if (event.education_exception) out["education_exception"] = DecisionJson(*event.education_exception);
  if (event.extension) out["extension"] = DecisionJson(*event.extension);
  if (event.transfer) {
    const domain::TransferDetails& t = *event.transfer;
    json transfer = json::object();
    transfer["kind"] = domain::v1::TransferKind_Name(t.kind);
    if (t.destination_cell_id) transfer["destination_cell_id"] = *t.destination_cell_id;
    PutText(transfer, "destination_name", t.destination_name);
    transfer["introduced_on"] = FormatDate(t.introduced_on);
    PutDate(transfer, "planned_end", t.planned_end);
    PutText(transfer, "reason", t.reason);
    out["transfer"] = std::move(transfer);
  }
  if (event.removal_trigger != domain::v1::REMOVAL_TRIGGER_UNSPECIFIED) {
    out["removal_trigger"] = domain::v1::RemovalTrigger_Name(event.removal_trigger);
  }
  if (event.voids_event_id != 0) out["voids_event_id"] = event.voids_event_id;
  PutText(out, "reason", event.reason);
  PutText(out, "note", event.note);
  PutText(out, "discipline_reference", event.discipline_reference);
  PutText(out, "transferred_from", event.transferred_from);
  if (event.from_cell_id) out["from_cell_id"] = *event.from_cell_id;
  if (event.successor_cell_id) out["successor_cell_id"] = *event.successor_cell_id;
  return out;
}

std::string TextAt(const json& in, const char* key) {
  auto it = in.find(key);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

absl::StatusOr<std::optional<absl::CivilDay>> DateAt(const json& in, const char* key) {
  auto it = in.find(key);
  if (it == in.end() || !it->is_string()) return std::nullopt;
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, RequireStoredDate(it->get<std::string>(), key));
  return day;
}

absl::StatusOr<Decision> DecisionAt(const json& in) {
  Decision decision;
  decision.issuing_body = TextAt(in, "issuing_body");
  decision.number = TextAt(in, "number");
  GR_ASSIGN_OR_RETURN(decision.signed_on, DateAt(in, "signed_on"));
  return decision;
}

template <typename Enum>
Enum EnumAt(const json& in, const char* key, bool (*parse)(const std::string&, Enum*)) {
  Enum value{};
  const std::string name = TextAt(in, key);
  if (!name.empty()) parse(name, &value);
  return value;
}

absl::Status ReadDetails(const std::string& text, Event& event) {
  const json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) return absl::InternalError("stored event details are not a JSON object");
  event.introduced_by = TextAt(in, "introduced_by");
  if (auto opened = in.find("opened"); opened != in.end() && opened->is_object()) {
    event.opened_status = EnumAt<domain::v1::MemberStatus>(*opened, "status", &domain::v1::MemberStatus_Parse);
    GR_ASSIGN_OR_RETURN(event.opened_admission_decision_date, DateAt(*opened, "admission_decision_date"));
    GR_ASSIGN_OR_RETURN(event.opened_ceremony_date, DateAt(*opened, "ceremony_date"));
    GR_ASSIGN_OR_RETURN(event.opened_official_date, DateAt(*opened, "official_date"));
  }
  GR_ASSIGN_OR_RETURN(event.probation_end_date, DateAt(in, "probation_end_date"));
  if (auto certificate = in.find("certificate"); certificate != in.end() && certificate->is_object()) {
    event.certificate_number = TextAt(*certificate, "number");
    GR_ASSIGN_OR_RETURN(event.certificate_valid_until, DateAt(*certificate, "valid_until"));
  }
  if (auto vote = in.find("vote"); vote != in.end() && vote->is_object()) {
    domain::Vote v;
    v.in_favour = vote->value("in_favour", 0);
    v.eligible = vote->value("eligible", 0);
    v.resolution_number = TextAt(*vote, "resolution_number");
    event.vote = v;
  }
  for (auto [key, target] : {std::pair{"age_exception", &event.age_exception},
                             std::pair{"education_exception", &event.education_exception},
                             std::pair{"extension", &event.extension}}) {
    if (auto it = in.find(key); it != in.end() && it->is_object()) {
      GR_ASSIGN_OR_RETURN(Decision decision, DecisionAt(*it));
      *target = std::move(decision);
    }
  }
  if (auto transfer = in.find("transfer"); transfer != in.end() && transfer->is_object()) {
    domain::TransferDetails t;
    t.kind = EnumAt<domain::v1::TransferKind>(*transfer, "kind", &domain::v1::TransferKind_Parse);
    if (auto cell = transfer->find("destination_cell_id"); cell != transfer->end() && cell->is_number_integer()) {
      t.destination_cell_id = cell->get<int64_t>();
    }
    t.destination_name = TextAt(*transfer, "destination_name");
    GR_ASSIGN_OR_RETURN(std::optional<absl::CivilDay> introduced, DateAt(*transfer, "introduced_on"));
    t.introduced_on = introduced.value_or(event.effective_date);
    GR_ASSIGN_OR_RETURN(t.planned_end, DateAt(*transfer, "planned_end"));
    t.reason = TextAt(*transfer, "reason");
    event.transfer = std::move(t);
  }
  event.removal_trigger =
      EnumAt<domain::v1::RemovalTrigger>(in, "removal_trigger", &domain::v1::RemovalTrigger_Parse);
  if (auto voids = in.find("voids_event_id"); voids != in.end() && voids->is_number_integer()) {
    event.voids_event_id = voids->get<int64_t>();
  }
  event.reason = TextAt(in, "reason");
  event.note = TextAt(in, "note");
  event.discipline_reference = TextAt(in, "discipline_reference");
  event.transferred_from = TextAt(in, "transferred_from");
  for (auto [key, target] : {std::pair{"from_cell_id", &event.from_cell_id},
                             std::pair{"successor_cell_id", &event.successor_cell_id}}) {
    if (auto it = in.find(key); it != in.end() && it->is_number_integer()) *target = it->get<int64_t>();
  }
  return absl::OkStatus();
}

constexpr char kEventColumns[] =
    "id, ordinal, kind, effective_date, recorded_on, decision_body, decision_number, decision_signed_on, cell_id, "
    "status_after, details, voided_by, actor, created_at";

absl::StatusOr<Event> ReadEvent(sql::ResultSet& rs) {
  Event event;
  event.id = rs.getInt64("id");
  event.ordinal = rs.getInt("ordinal");
  event.kind = static_cast<domain::v1::EventKind>(rs.getInt("kind"));
  GR_ASSIGN_OR_RETURN(event.effective_date, RequireStoredDate(rs.getString("effective_date"), "effective_date"));
  GR_ASSIGN_OR_RETURN(event.recorded_on, OptionalDateColumn(rs, "recorded_on"));
  event.decision.issuing_body = rs.getString("decision_body");
  event.decision.number = rs.getString("decision_number");
  GR_ASSIGN_OR_RETURN(event.decision.signed_on, OptionalDateColumn(rs, "decision_signed_on"));
  event.cell_id = common::db::GetOptionalInt64(rs, "cell_id");
  event.status_after = static_cast<domain::v1::MemberStatus>(rs.getInt("status_after"));
  event.voided = common::db::GetOptionalInt64(rs, "voided_by").has_value();
  event.actor = rs.getString("actor");
  if (std::optional<absl::Time> created = ParseStoredTime(rs.getString("created_at"))) event.record_time = created;
  GR_RETURN_IF_ERROR(ReadDetails(rs.getString("details"), event));
  return event;
}

absl::StatusOr<std::vector<Event>> ReadAll(Session& session, sql::PreparedStatement& ps) {
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<Event> out;
  while (rs->next()) {
    GR_ASSIGN_OR_RETURN(Event event, ReadEvent(*rs));
    out.push_back(std::move(event));
  }
  return out;
}

}  // namespace

namespace {

constexpr char kInsertEvents[] =
    "INSERT INTO member_events (member_id, ordinal, kind, effective_date, recorded_on, decision_body, "
    "decision_number, decision_signed_on, cell_id, status_after, details, actor, request_id) VALUES ";
constexpr char kEventRow[] = "(?,?,?,?,?,?,?,?,?,?,?,?,?)";

// Binds one row of kEventRow from `index`; returns the next index.
int BindEvent(sql::PreparedStatement& insert, int index, int64_t member_id, int32_t ordinal, const Event& event,
              const std::string& request_id) {
  insert.setInt64(index++, member_id);
  insert.setInt(index++, ordinal);
  insert.setInt(index++, static_cast<int>(event.kind));
  insert.setString(index++, FormatDate(event.effective_date));
  SetOptionalDate(insert, index++, event.recorded_on);
  insert.setString(index++, event.decision.issuing_body);
  insert.setString(index++, event.decision.number);
  SetOptionalDate(insert, index++, event.decision.signed_on);
  common::db::SetOptionalInt64(insert, index++, event.cell_id);
  insert.setInt(index++, static_cast<int>(event.status_after));
  insert.setString(index++, DetailsOf(event).dump());
  insert.setString(index++, event.actor);
  insert.setString(index++, request_id);
  return index;
}

// The id and record time of an inserted event, from its RETURNING row.
void ReadInserted(sql::ResultSet& rs, Event& event) {
  event.id = rs.getInt64("id");
  event.voided = false;
  if (std::optional<absl::Time> at = ParseStoredTime(rs.getString("created_at"))) event.record_time = at;
}

}  // namespace

absl::StatusOr<std::vector<Event>> EventStore::Log(Session& session, int64_t member_id) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kEventColumns, " FROM member_events WHERE member_id = ? ORDER BY ordinal"));
  ps.setInt64(1, member_id);
  return ReadAll(session, ps);
}

absl::StatusOr<Event> EventStore::Append(Session& session, int64_t member_id, Event event,
                                         const std::string& request_id) {
  // The member row is locked by the caller (GetForUpdate), so the next ordinal
  // cannot be taken concurrently; the unique key catches a caller that forgot.
  sql::PreparedStatement& next = session.Prepare(
      "SELECT COALESCE(MAX(ordinal), 0) + 1 AS next_ordinal FROM member_events WHERE member_id = ?");
  next.setInt64(1, member_id);
  {
    std::unique_ptr<sql::ResultSet> rs = session.Query(next);
    if (!rs->next()) return absl::InternalError("no next ordinal");
    event.ordinal = rs->getInt("next_ordinal");
  }
  return Insert(session, member_id, std::move(event), request_id);
}

absl::StatusOr<Event> EventStore::InsertAt(Session& session, int64_t member_id, Event event, int32_t ordinal) {
  // Highest first, so the unique (member_id, ordinal) key holds row by row.
  sql::PreparedStatement& shift = session.Prepare(
      "UPDATE member_events SET ordinal = ordinal + 1 WHERE member_id = ? AND ordinal >= ? ORDER BY ordinal DESC");
  shift.setInt64(1, member_id);
  shift.setInt(2, ordinal);
  shift.executeUpdate();
  event.ordinal = ordinal;
  return Insert(session, member_id, std::move(event), /*request_id=*/"");
}

absl::StatusOr<Event> EventStore::Insert(Session& session, int64_t member_id, Event event,
                                         const std::string& request_id) {
  sql::PreparedStatement& insert = session.Prepare(absl::StrCat(kInsertEvents, kEventRow, " RETURNING id, created_at"));
  BindEvent(insert, 1, member_id, event.ordinal, event, request_id);
  {
    std::unique_ptr<sql::ResultSet> rs = session.Query(insert);
    if (!rs->next()) return absl::InternalError("the event insert returned no row");
    ReadInserted(*rs, event);
  }

  if (event.kind == domain::v1::EVENT_KIND_VOIDED) {
    sql::PreparedStatement& mark = session.Prepare(
        "UPDATE member_events SET voided_by = ? WHERE id = ? AND member_id = ? AND voided_by IS NULL");
    mark.setInt64(1, event.id);
    mark.setInt64(2, event.voids_event_id);
    mark.setInt64(3, member_id);
    if (mark.executeUpdate() != 1) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "EVENT_ALREADY_VOIDED",
                              "the event to void is not in force in this member's log");
    }
  }
  return event;
}

absl::StatusOr<std::vector<Event>> EventStore::InsertFirstEvents(
    Session& session, const std::vector<std::pair<int64_t, Event>>& events, const std::string& request_id) {
  std::vector<Event> out;
  out.reserve(events.size());
  for (const auto& [member_id, event] : events) {
    if (event.kind == domain::v1::EVENT_KIND_VOIDED) return absl::InternalError("a first event cannot void another");
  }
  common::db::ForEachRowChunk(events.size(), [&](size_t first, int count) {
    sql::PreparedStatement& insert = session.Prepare(
        absl::StrCat(kInsertEvents, common::db::RepeatRow(kEventRow, count), " RETURNING id, created_at"));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      index = BindEvent(insert, index, events[i].first, /*ordinal=*/1, events[i].second, request_id);
    }
    // In the order of VALUES, as inserted.
    std::unique_ptr<sql::ResultSet> rs = session.Query(insert);
    for (size_t i = first; rs->next(); ++i) {
      Event stored = events[i].second;
      stored.ordinal = 1;
      ReadInserted(*rs, stored);
      out.push_back(std::move(stored));
    }
  });
  if (out.size() != events.size()) {
    return absl::InternalError(absl::StrCat("inserted ", out.size(), " first events for ", events.size()));
  }
  return out;
}

absl::Status EventStore::InsertPeriodsOfNew(
    Session& session, const std::vector<std::pair<int64_t, std::vector<domain::Period>>>& periods_by_member) {
  std::vector<std::pair<int64_t, const domain::Period*>> rows;
  for (const auto& [member_id, periods] : periods_by_member) {
    for (const domain::Period& period : periods) rows.emplace_back(member_id, &period);
  }
  common::db::ForEachRowChunk(rows.size(), [&](size_t first, int count) {
    sql::PreparedStatement& insert = session.Prepare(absl::StrCat(
        "INSERT INTO member_periods (member_id, valid_from, valid_to, status, cell_id, host_cell_id, exempt, "
        "suspended) VALUES ",
        common::db::RepeatRow("(?,?,?,?,?,?,?,?)", count)));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      const domain::Period& p = *rows[i].second;
      insert.setInt64(index++, rows[i].first);
      insert.setString(index++, FormatDate(p.valid_from));
      SetOptionalDate(insert, index++, p.valid_to);
      insert.setInt(index++, static_cast<int>(p.status));
      insert.setInt64(index++, p.cell_id);
      common::db::SetOptionalInt64(insert, index++, p.host_cell_id);
      insert.setBoolean(index++, p.exempt);
      insert.setBoolean(index++, p.suspended);
    }
    insert.executeUpdate();
  });
  return absl::OkStatus();
}

absl::Status EventStore::ReplacePeriods(Session& session, int64_t member_id,
                                        const std::vector<domain::Period>& periods) {
  // Delete row by row on the exact primary key: a range DELETE by member_id
  // takes next-key (gap) locks, and two writers of adjacent members (or two
  // new members, whose range is empty) then deadlock on each other's INSERT.
  // Writers of one member are already serialized by the members row lock.
  sql::PreparedStatement& existing =
      session.Prepare("SELECT valid_from FROM member_periods WHERE member_id = ?");
  existing.setInt64(1, member_id);
  std::vector<std::string> starts;
  for (std::unique_ptr<sql::ResultSet> rs = session.Query(existing); rs->next();) {
    starts.push_back(std::string(rs->getString("valid_from")));
  }
  sql::PreparedStatement& remove =
      session.Prepare("DELETE FROM member_periods WHERE member_id = ? AND valid_from = ?");
  for (const std::string& start : starts) {
    remove.setInt64(1, member_id);
    remove.setString(2, start);
    remove.executeUpdate();
  }
  return InsertPeriodsOfNew(session, {{member_id, periods}});
}

absl::StatusOr<std::vector<Event>> EventStore::Page(Session& session, int64_t member_id, bool include_voided,
                                                    int32_t after_ordinal, int32_t limit) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kEventColumns, " FROM member_events WHERE member_id = ? AND ordinal > ?",
      include_voided ? "" : absl::StrCat(" AND voided_by IS NULL AND kind <> ", domain::v1::EVENT_KIND_VOIDED),
      " ORDER BY ordinal LIMIT ?"));
  ps.setInt64(1, member_id);
  ps.setInt(2, after_ordinal);
  ps.setInt(3, limit);
  return ReadAll(session, ps);
}

absl::StatusOr<std::vector<int64_t>> EventStore::MembersPlacedIn(Session& session, int64_t cell_id,
                                                                 absl::CivilDay day) {
  // The two indexes by placement (cell_id, valid_from) and (host_cell_id, valid_from).
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT member_id FROM member_periods WHERE cell_id = ? AND valid_from <= ? "
      "AND (valid_to IS NULL OR valid_to > ?) "
      "UNION SELECT member_id FROM member_periods WHERE host_cell_id = ? AND valid_from <= ? "
      "AND (valid_to IS NULL OR valid_to > ?) ORDER BY member_id");
  const std::string date = FormatDate(day);
  for (int half = 0; half < 2; ++half) {
    ps.setInt64(half * 3 + 1, cell_id);
    ps.setString(half * 3 + 2, date);
    ps.setString(half * 3 + 3, date);
  }
  std::vector<int64_t> ids;
  for (std::unique_ptr<sql::ResultSet> rs = session.Query(ps); rs->next();) ids.push_back(rs->getInt64("member_id"));
  return ids;
}

}  // namespace grassroots::membership::store
