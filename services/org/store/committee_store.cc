#include "services/org/store/committee_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::org::store {
namespace {

using common::db::Session;

constexpr char kTermColumns[] = R"(id, organization_id, label, starts_on, ends_on, elected_committee, seats,
  decision_issuing_body, decision_number, decision_signed_on, version)";
constexpr char kPositionColumns[] = R"(p.id, p.term_id, t.organization_id, p.member_id, p.kind, p.starts_on,
  p.ends_on, p.party_group_id)";

// Positions that take a committee seat.
constexpr char kSeatKinds[] = "('SECRETARY', 'DEPUTY_SECRETARY', 'COMMITTEE_MEMBER', 'STANDING_COMMITTEE_MEMBER')";

std::string Day(absl::CivilDay day) { return common::api::FormatDate(day); }

absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return absl::CivilDay(1970, 1, 1);
  return day;
}

std::optional<absl::CivilDay> OptionalDay(sql::ResultSet& rs, const std::string& column) {
  std::optional<std::string> text = common::db::GetOptionalString(rs, column);
  if (!text) return std::nullopt;
  return ParseDay(*text);
}

std::optional<std::string> OptionalText(const std::optional<absl::CivilDay>& day) {
  if (!day) return std::nullopt;
  return Day(*day);
}

CommitteeTerm MapTerm(sql::ResultSet& rs) {
  CommitteeTerm term;
  term.id = rs.getInt64("id");
  term.organization_id = rs.getInt64("organization_id");
  term.label = rs.getString("label");
  term.starts_on = ParseDay(rs.getString("starts_on"));
  term.ends_on = OptionalDay(rs, "ends_on");
  term.elected_committee = rs.getBoolean("elected_committee");
  term.seats = rs.getInt("seats");
  term.decision.issuing_body = rs.getString("decision_issuing_body");
  term.decision.number = rs.getString("decision_number");
  term.decision.signed_on = OptionalDay(rs, "decision_signed_on");
  term.version = rs.getInt64("version");
  return term;
}

CommitteePosition MapPosition(sql::ResultSet& rs) {
  CommitteePosition p;
  p.id = rs.getInt64("id");
  p.term_id = rs.getInt64("term_id");
  p.organization_id = rs.getInt64("organization_id");
  p.member_id = rs.getInt64("member_id");
  p.kind = rs.getString("kind");
  p.starts_on = ParseDay(rs.getString("starts_on"));
  p.ends_on = OptionalDay(rs, "ends_on");
  p.party_group_id = common::db::GetOptionalInt64(rs, "party_group_id");
  return p;
}

absl::Status Precondition(std::string_view reason, std::string_view message) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, reason, message);
}

// Binds [start, end) for an overlap test "starts_on < end AND (ends_on IS NULL OR ends_on > start)".
void BindPeriod(sql::PreparedStatement& ps, int first, absl::CivilDay start, std::optional<absl::CivilDay> end) {
  common::db::SetOptionalString(ps, first, OptionalText(end));
  common::db::SetOptionalString(ps, first + 1, OptionalText(end));
  ps.setString(first + 2, Day(start));
}

}  // namespace

absl::StatusOr<int64_t> CommitteeStore::CreateTerm(Session& session, const CommitteeTerm& term) {
  sql::PreparedStatement& org = session.Prepare("SELECT ended_on FROM organizations WHERE id = ? FOR UPDATE");
  org.setInt64(1, term.organization_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(org);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat(common::api::MakeName("organizations", term.organization_id), " not found"));
  }
  if (std::optional<absl::CivilDay> ended = OptionalDay(*rs, "ended_on")) {
    if (term.starts_on >= *ended) {
      return Precondition("ORGANIZATION_ENDED", absl::StrCat("the organization ended on ", Day(*ended)));
    }
  }
  rs.reset();
  sql::PreparedStatement& overlap = session.Prepare(
      R"(SELECT id FROM committee_terms WHERE organization_id = ?
          AND (? IS NULL OR starts_on < ?) AND (ends_on IS NULL OR ends_on > ?) LIMIT 1)");
  overlap.setInt64(1, term.organization_id);
  BindPeriod(overlap, 2, term.starts_on, term.ends_on);
  if (std::unique_ptr<sql::ResultSet> clash = session.Query(overlap); clash->next()) {
    return Precondition("TERM_OVERLAPS",
                        absl::StrCat("the period overlaps committee term ", clash->getInt64("id"),
                                     " of the organization"));
  }
  sql::PreparedStatement& insert = session.Prepare(
      R"(INSERT INTO committee_terms (organization_id, label, starts_on, ends_on, elected_committee, seats,
           decision_issuing_body, decision_number, decision_signed_on, version, create_time, update_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)))");
  insert.setInt64(1, term.organization_id);
  insert.setString(2, term.label);
  insert.setString(3, Day(term.starts_on));
  common::db::SetOptionalString(insert, 4, OptionalText(term.ends_on));
  insert.setBoolean(5, term.elected_committee);
  insert.setInt(6, term.seats);
  insert.setString(7, term.decision.issuing_body);
  insert.setString(8, term.decision.number);
  common::db::SetOptionalString(insert, 9, OptionalText(term.decision.signed_on));
  insert.executeUpdate();
  return session.LastInsertId();
}

absl::StatusOr<CommitteeTerm> CommitteeStore::GetTerm(Session& session, int64_t id) {
  static const std::string kSql = absl::StrCat("SELECT ", kTermColumns, " FROM committee_terms WHERE id = ?");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat("committee term ", id, " not found"));
  return MapTerm(*rs);
}

absl::StatusOr<CommitteeTerm> CommitteeStore::GetTerm(int64_t id) {
  return pool_.Read<CommitteeTerm>("committee.get_term", [&](Session& s) { return GetTerm(s, id); });
}

absl::StatusOr<std::vector<CommitteeTerm>> CommitteeStore::ListTerms(int64_t organization_id) {
  static const std::string kSql = absl::StrCat("SELECT ", kTermColumns,
                                               " FROM committee_terms WHERE organization_id = ? ORDER BY starts_on, id");
  return pool_.Read<std::vector<CommitteeTerm>>(
      "committee.list_terms", [&](Session& session) -> absl::StatusOr<std::vector<CommitteeTerm>> {
        sql::PreparedStatement& ps = session.Prepare(kSql);
        ps.setInt64(1, organization_id);
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<CommitteeTerm> out;
        while (rs->next()) out.push_back(MapTerm(*rs));
        return out;
      });
}

absl::Status CommitteeStore::EndTerm(Session& session, int64_t id, absl::CivilDay ended_on, const std::string& etag) {
  static const std::string kSql =
      absl::StrCat("SELECT ", kTermColumns, " FROM committee_terms WHERE id = ? FOR UPDATE");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat("committee term ", id, " not found"));
  CommitteeTerm term = MapTerm(*rs);
  rs.reset();
  GR_RETURN_IF_ERROR(common::api::CheckEtag(
      etag, term.version,
      absl::StrCat(common::api::MakeName("organizations", term.organization_id), "/committeeTerms/", id)));
  if (ended_on <= term.starts_on) return common::InvalidField("ended_on", "must be after the term's start");
  // A planned end in the future may be brought forward; a past actual end is final.
  if (term.ends_on && *term.ends_on <= common::api::Today() && *term.ends_on < ended_on) {
    return Precondition("TERM_ALREADY_ENDED", absl::StrCat("the term ended on ", Day(*term.ends_on)));
  }
  sql::PreparedStatement& update = session.Prepare(
      "UPDATE committee_terms SET ends_on = ?, version = version + 1, update_time = UTC_TIMESTAMP(6) WHERE id = ?");
  update.setString(1, Day(ended_on));
  update.setInt64(2, id);
  update.executeUpdate();
  // Positions cannot outlast their term.
  sql::PreparedStatement& positions = session.Prepare(
      "UPDATE committee_positions SET ends_on = ? WHERE term_id = ? AND (ends_on IS NULL OR ends_on > ?) AND starts_on < ?");
  positions.setString(1, Day(ended_on));
  positions.setInt64(2, id);
  positions.setString(3, Day(ended_on));
  positions.setString(4, Day(ended_on));
  positions.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<CommitteeTerm>> CommitteeStore::TermInOffice(Session& session, int64_t organization_id,
                                                                          absl::CivilDay day) {
  static const std::string kSql = absl::StrCat(
      "SELECT ", kTermColumns,
      " FROM committee_terms WHERE organization_id = ? AND starts_on <= ? AND (ends_on IS NULL OR ends_on > ?)"
      " ORDER BY starts_on DESC LIMIT 1");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setInt64(1, organization_id);
  ps.setString(2, Day(day));
  ps.setString(3, Day(day));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<CommitteeTerm>();
  return std::optional<CommitteeTerm>(MapTerm(*rs));
}

absl::StatusOr<int64_t> CommitteeStore::AssignPosition(Session& session, const CommitteePosition& position) {
  // Lock the term: concurrent assignments in one term are checked one at a time.
  static const std::string kTermSql =
      absl::StrCat("SELECT ", kTermColumns, " FROM committee_terms WHERE id = ? FOR UPDATE");
  sql::PreparedStatement& term_ps = session.Prepare(kTermSql);
  term_ps.setInt64(1, position.term_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(term_ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat("committee term ", position.term_id, " not found"));
  CommitteeTerm term = MapTerm(*rs);
  rs.reset();
  if (term.organization_id != position.organization_id) {
    return absl::NotFoundError(absl::StrCat("committee term ", position.term_id, " not found"));
  }
  if (position.starts_on < term.starts_on || (term.ends_on && position.starts_on >= *term.ends_on) ||
      (term.ends_on && position.ends_on && *position.ends_on > *term.ends_on)) {
    return Precondition("POSITION_OUTSIDE_TERM", "the position's period lies outside the committee term");
  }
  const std::optional<absl::CivilDay> end = position.ends_on ? position.ends_on : term.ends_on;
  const bool committee_kind = position.kind == "COMMITTEE_MEMBER" || position.kind == "STANDING_COMMITTEE_MEMBER";
  if (committee_kind && !term.elected_committee) {
    return Precondition("NO_ELECTED_COMMITTEE", "the term elected no committee, so it has no committee members");
  }
  const bool group_kind = position.kind == "PARTY_GROUP_LEADER" || position.kind == "PARTY_GROUP_DEPUTY";
  if (group_kind) {
    if (!position.party_group_id) return common::InvalidField("position.party_group", "is required for a party group position");
    sql::PreparedStatement& group = session.Prepare(
        R"(SELECT 1 FROM organization_versions WHERE organization_id = ? AND parent_id = ? AND type_code = 'TO_DANG'
             AND state = 'ACTIVE' AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?))");
    group.setInt64(1, *position.party_group_id);
    group.setInt64(2, term.organization_id);
    group.setString(3, Day(position.starts_on));
    group.setString(4, Day(position.starts_on));
    if (!session.Query(group)->next()) {
      return common::InvalidField("position.party_group", "is not an active party group (tổ đảng) of the organization");
    }
  } else if (position.party_group_id) {
    return common::InvalidField("position.party_group", "is only for party group positions");
  }
  // One position per member at a time, and one secretary at a time.
  sql::PreparedStatement& clash = session.Prepare(
      R"(SELECT kind, member_id FROM committee_positions WHERE term_id = ?
          AND (? IS NULL OR starts_on < ?) AND (ends_on IS NULL OR ends_on > ?)
          AND (member_id = ? OR (kind = 'SECRETARY' AND ? = 'SECRETARY')) LIMIT 1)");
  clash.setInt64(1, position.term_id);
  BindPeriod(clash, 2, position.starts_on, end);
  clash.setInt64(5, position.member_id);
  clash.setString(6, position.kind);
  if (std::unique_ptr<sql::ResultSet> hit = session.Query(clash); hit->next()) {
    return Precondition("POSITION_ALREADY_HELD", hit->getInt64("member_id") == position.member_id
                                                     ? "the member already holds a position in this period"
                                                     : "the term already has a secretary in this period");
  }
  const bool seat_kind = committee_kind || position.kind == "SECRETARY" || position.kind == "DEPUTY_SECRETARY";
  if (seat_kind && term.elected_committee && term.seats > 0) {
    static const std::string kSeatsSql = absl::StrCat(
        "SELECT COUNT(*) AS n FROM committee_positions WHERE term_id = ? AND kind IN ", kSeatKinds,
        " AND starts_on <= ? AND (ends_on IS NULL OR ends_on > ?)");
    sql::PreparedStatement& seats = session.Prepare(kSeatsSql);
    seats.setInt64(1, position.term_id);
    seats.setString(2, Day(position.starts_on));
    seats.setString(3, Day(position.starts_on));
    std::unique_ptr<sql::ResultSet> count = session.Query(seats);
    count->next();
    if (count->getInt64("n") >= term.seats) {
      return Precondition("COMMITTEE_SEATS_FULL", absl::StrCat("all ", term.seats, " committee seats are taken"));
    }
  }
  sql::PreparedStatement& insert = session.Prepare(
      R"(INSERT INTO committee_positions (term_id, member_id, kind, starts_on, ends_on, party_group_id, create_time)
         VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6)))");
  insert.setInt64(1, position.term_id);
  insert.setInt64(2, position.member_id);
  insert.setString(3, position.kind);
  insert.setString(4, Day(position.starts_on));
  common::db::SetOptionalString(insert, 5, OptionalText(position.ends_on));
  common::db::SetOptionalInt64(insert, 6, position.party_group_id);
  insert.executeUpdate();
  return session.LastInsertId();
}

absl::StatusOr<CommitteePosition> CommitteeStore::GetPosition(Session& session, int64_t id) {
  static const std::string kSql = absl::StrCat(
      "SELECT ", kPositionColumns, " FROM committee_positions p JOIN committee_terms t ON t.id = p.term_id WHERE p.id = ?");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat("position ", id, " not found"));
  return MapPosition(*rs);
}

absl::Status CommitteeStore::EndPosition(Session& session, int64_t id, absl::CivilDay ended_on) {
  sql::PreparedStatement& lock = session.Prepare("SELECT id FROM committee_positions WHERE id = ? FOR UPDATE");
  lock.setInt64(1, id);
  if (!session.Query(lock)->next()) return absl::NotFoundError(absl::StrCat("position ", id, " not found"));
  GR_ASSIGN_OR_RETURN(CommitteePosition position, GetPosition(session, id));
  if (ended_on <= position.starts_on) return common::InvalidField("ended_on", "must be after the position's start");
  if (position.ends_on && *position.ends_on <= common::api::Today() && *position.ends_on < ended_on) {
    return Precondition("POSITION_ALREADY_ENDED", absl::StrCat("the position ended on ", Day(*position.ends_on)));
  }
  sql::PreparedStatement& update = session.Prepare("UPDATE committee_positions SET ends_on = ? WHERE id = ?");
  update.setString(1, Day(ended_on));
  update.setInt64(2, id);
  update.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CommitteePosition>> CommitteeStore::ListPositions(int64_t term_id,
                                                                             std::optional<absl::CivilDay> as_of) {
  static const std::string kAll = absl::StrCat("SELECT ", kPositionColumns,
                                               " FROM committee_positions p JOIN committee_terms t ON t.id = p.term_id"
                                               " WHERE p.term_id = ? ORDER BY p.starts_on, p.id");
  static const std::string kOn = absl::StrCat("SELECT ", kPositionColumns,
                                              " FROM committee_positions p JOIN committee_terms t ON t.id = p.term_id"
                                              " WHERE p.term_id = ? AND p.starts_on <= ? AND (p.ends_on IS NULL OR p.ends_on > ?)"
                                              " ORDER BY p.starts_on, p.id");
  return pool_.Read<std::vector<CommitteePosition>>(
      "committee.list_positions", [&](Session& session) -> absl::StatusOr<std::vector<CommitteePosition>> {
        sql::PreparedStatement& ps = session.Prepare(as_of ? kOn : kAll);
        ps.setInt64(1, term_id);
        if (as_of) {
          ps.setString(2, Day(*as_of));
          ps.setString(3, Day(*as_of));
        }
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<CommitteePosition> out;
        while (rs->next()) out.push_back(MapPosition(*rs));
        return out;
      });
}

}  // namespace grassroots::org::store
