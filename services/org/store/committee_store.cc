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

domain::CommitteeTerm MapTerm(sql::ResultSet& rs) {
  domain::CommitteeTerm term;
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

domain::CommitteePosition MapPosition(sql::ResultSet& rs) {
  domain::CommitteePosition p;
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

}  // namespace

absl::StatusOr<int64_t> CommitteeStore::CreateTerm(Session& session, const domain::CommitteeTerm& term) {
  // The organization row is locked: terms of one organization are created one at a time.
  sql::PreparedStatement& org = session.Prepare("SELECT ended_on FROM organizations WHERE id = ? FOR UPDATE");
  org.setInt64(1, term.organization_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(org);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat(common::api::MakeName("organizations", term.organization_id), " not found"));
  }
  const std::optional<absl::CivilDay> organization_ended_on = OptionalDay(*rs, "ended_on");
  rs.reset();
  static const std::string kTermsSql =
      absl::StrCat("SELECT ", kTermColumns, " FROM committee_terms WHERE organization_id = ? ORDER BY starts_on, id");
  sql::PreparedStatement& terms = session.Prepare(kTermsSql);
  terms.setInt64(1, term.organization_id);
  std::vector<domain::CommitteeTerm> other_terms;
  for (rs = session.Query(terms); rs->next();) other_terms.push_back(MapTerm(*rs));
  rs.reset();
  GR_RETURN_IF_ERROR(domain::CheckNewTerm(term, organization_ended_on, other_terms));
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

absl::StatusOr<domain::CommitteeTerm> CommitteeStore::GetTerm(Session& session, int64_t id) {
  static const std::string kSql = absl::StrCat("SELECT ", kTermColumns, " FROM committee_terms WHERE id = ?");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat("committee term ", id, " not found"));
  return MapTerm(*rs);
}

absl::StatusOr<domain::CommitteeTerm> CommitteeStore::GetTerm(int64_t id) {
  return pool_.Read<domain::CommitteeTerm>("committee.get_term", [&](Session& s) { return GetTerm(s, id); });
}

absl::StatusOr<std::vector<domain::CommitteeTerm>> CommitteeStore::ListTerms(int64_t organization_id) {
  static const std::string kSql = absl::StrCat("SELECT ", kTermColumns,
                                               " FROM committee_terms WHERE organization_id = ? ORDER BY starts_on, id");
  return pool_.Read<std::vector<domain::CommitteeTerm>>(
      "committee.list_terms", [&](Session& session) -> absl::StatusOr<std::vector<domain::CommitteeTerm>> {
        sql::PreparedStatement& ps = session.Prepare(kSql);
        ps.setInt64(1, organization_id);
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<domain::CommitteeTerm> out;
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
  domain::CommitteeTerm term = MapTerm(*rs);
  rs.reset();
  GR_RETURN_IF_ERROR(common::api::CheckEtag(
      etag, term.version,
      absl::StrCat(common::api::MakeName("organizations", term.organization_id), "/committeeTerms/", id)));
  GR_RETURN_IF_ERROR(domain::CheckTermEnd(term, ended_on, common::api::Today()));
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

absl::StatusOr<std::optional<domain::CommitteeTerm>> CommitteeStore::TermInOffice(Session& session, int64_t organization_id,
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
  if (!rs->next()) return std::optional<domain::CommitteeTerm>();
  return std::optional<domain::CommitteeTerm>(MapTerm(*rs));
}

absl::StatusOr<int64_t> CommitteeStore::AssignPosition(Session& session, const domain::CommitteePosition& position) {
  // Lock the term: concurrent assignments in one term are checked one at a time.
  static const std::string kTermSql =
      absl::StrCat("SELECT ", kTermColumns, " FROM committee_terms WHERE id = ? FOR UPDATE");
  sql::PreparedStatement& term_ps = session.Prepare(kTermSql);
  term_ps.setInt64(1, position.term_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(term_ps);
  if (!rs->next()) return absl::NotFoundError(absl::StrCat("committee term ", position.term_id, " not found"));
  domain::CommitteeTerm term = MapTerm(*rs);
  rs.reset();
  if (term.organization_id != position.organization_id) {
    return absl::NotFoundError(absl::StrCat("committee term ", position.term_id, " not found"));
  }
  domain::PositionFacts facts;
  facts.term = term;
  static const std::string kPositionsSql =
      absl::StrCat("SELECT ", kPositionColumns,
                   " FROM committee_positions p JOIN committee_terms t ON t.id = p.term_id WHERE p.term_id = ?");
  sql::PreparedStatement& positions = session.Prepare(kPositionsSql);
  positions.setInt64(1, position.term_id);
  for (rs = session.Query(positions); rs->next();) facts.term_positions.push_back(MapPosition(*rs));
  rs.reset();
  if (domain::IsPartyGroupKind(position.kind) && position.party_group_id) {
    sql::PreparedStatement& group = session.Prepare(
        R"(SELECT 1 FROM organization_versions WHERE organization_id = ? AND parent_id = ? AND type_code = 'TO_DANG'
             AND state = 'ACTIVE' AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?))");
    group.setInt64(1, *position.party_group_id);
    group.setInt64(2, term.organization_id);
    group.setString(3, Day(position.starts_on));
    group.setString(4, Day(position.starts_on));
    facts.party_group_active = session.Query(group)->next();
  }
  GR_RETURN_IF_ERROR(domain::CheckPositionAssignment(position, facts));
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

absl::StatusOr<domain::CommitteePosition> CommitteeStore::GetPosition(Session& session, int64_t id) {
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
  GR_ASSIGN_OR_RETURN(domain::CommitteePosition position, GetPosition(session, id));
  GR_RETURN_IF_ERROR(domain::CheckPositionEnd(position, ended_on, common::api::Today()));
  sql::PreparedStatement& update = session.Prepare("UPDATE committee_positions SET ends_on = ? WHERE id = ?");
  update.setString(1, Day(ended_on));
  update.setInt64(2, id);
  update.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<domain::CommitteePosition>> CommitteeStore::ListPositions(int64_t term_id,
                                                                             std::optional<absl::CivilDay> as_of) {
  static const std::string kAll = absl::StrCat("SELECT ", kPositionColumns,
                                               " FROM committee_positions p JOIN committee_terms t ON t.id = p.term_id"
                                               " WHERE p.term_id = ? ORDER BY p.starts_on, p.id");
  static const std::string kOn = absl::StrCat("SELECT ", kPositionColumns,
                                              " FROM committee_positions p JOIN committee_terms t ON t.id = p.term_id"
                                              " WHERE p.term_id = ? AND p.starts_on <= ? AND (p.ends_on IS NULL OR p.ends_on > ?)"
                                              " ORDER BY p.starts_on, p.id");
  return pool_.Read<std::vector<domain::CommitteePosition>>(
      "committee.list_positions", [&](Session& session) -> absl::StatusOr<std::vector<domain::CommitteePosition>> {
        sql::PreparedStatement& ps = session.Prepare(as_of ? kOn : kAll);
        ps.setInt64(1, term_id);
        if (as_of) {
          ps.setString(2, Day(*as_of));
          ps.setString(3, Day(*as_of));
        }
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<domain::CommitteePosition> out;
        while (rs->next()) out.push_back(MapPosition(*rs));
        return out;
      });
}

}  // namespace grassroots::org::store
