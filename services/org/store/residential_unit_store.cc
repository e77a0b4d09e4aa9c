#include "services/org/store/residential_unit_store.h"

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
    "id, code, display_name, kind, commune_organization_id, established_on, ended_on, households, version";
constexpr char kDecisionColumns[] =
    "decision_issuing_body, decision_number, decision_signed_on, end_decision_issuing_body, end_decision_number, "
    "end_decision_signed_on";
constexpr char kCoveringColumns[] = "id, unit_id, cell_id, valid_from, valid_to";
constexpr char kHeadColumns[] = "id, unit_id, post, display_name, is_party_member, member_id, valid_from, valid_to";
constexpr char kTrainingColumns[] =
    "t.id, t.head_id, h.unit_id, t.post, t.course, t.start_date, t.end_date, t.term_starts_on, t.term_ends_on, "
    "t.certificate_number, t.provider";
// Rows of a period table in force on a day (two date parameters).
constexpr char kInForce[] = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)";

domain::ResidentialUnit ReadUnit(sql::ResultSet& rs) {
  domain::ResidentialUnit u;
  u.id = rs.getInt64("id");
  u.code = rs.getString("code");
  u.display_name = rs.getString("display_name");
  u.kind = static_cast<domain::ResidentialUnitKind>(rs.getInt("kind"));
  u.commune_organization_id = rs.getInt64("commune_organization_id");
  u.established_on = su::ParseDateColumn(rs.getString("established_on"));
  u.ended_on = su::OptionalDate(rs, "ended_on");
  u.households = rs.getInt("households");
  u.version = rs.getInt64("version");
  return u;
}

domain::Decision ReadDecision(sql::ResultSet& rs, const std::string& prefix) {
  domain::Decision d;
  d.issuing_body = rs.getString(prefix + "issuing_body");
  d.number = rs.getString(prefix + "number");
  d.signed_on = su::OptionalDate(rs, prefix + "signed_on");
  return d;
}

void BindDecision(sql::PreparedStatement& ps, int index, const domain::Decision& decision) {
  ps.setString(index, decision.issuing_body);
  ps.setString(index + 1, decision.number);
  su::SetOptionalDate(ps, index + 2, decision.signed_on);
}

domain::CoveringPeriod ReadCovering(sql::ResultSet& rs) {
  domain::CoveringPeriod p;
  p.id = rs.getInt64("id");
  p.unit_id = rs.getInt64("unit_id");
  p.cell_id = rs.getInt64("cell_id");
  p.valid_from = su::ParseDateColumn(rs.getString("valid_from"));
  p.valid_to = su::OptionalDate(rs, "valid_to");
  p.decision = ReadDecision(rs, "decision_");
  p.end_decision = ReadDecision(rs, "end_decision_");
  return p;
}

domain::HeadPeriod ReadHead(sql::ResultSet& rs) {
  domain::HeadPeriod h;
  h.id = rs.getInt64("id");
  h.unit_id = rs.getInt64("unit_id");
  h.post = domain::HeadPostFromCode(rs.getString("post").asStdString()).value_or(domain::HeadPost::kVillageHead);
  h.display_name = rs.getString("display_name");
  h.is_party_member = rs.getBoolean("is_party_member");
  h.member_id = GetOptionalInt64(rs, "member_id");
  h.valid_from = su::ParseDateColumn(rs.getString("valid_from"));
  h.valid_to = su::OptionalDate(rs, "valid_to");
  h.decision = ReadDecision(rs, "decision_");
  h.end_decision = ReadDecision(rs, "end_decision_");
  return h;
}

domain::HeadTraining ReadTraining(sql::ResultSet& rs) {
  domain::HeadTraining t;
  t.id = rs.getInt64("id");
  t.head_id = rs.getInt64("head_id");
  t.unit_id = rs.getInt64("unit_id");
  t.post = domain::HeadPostFromCode(rs.getString("post").asStdString()).value_or(domain::HeadPost::kVillageHead);
  t.course = rs.getString("course");
  t.start_date = su::ParseDateColumn(rs.getString("start_date"));
  t.end_date = su::ParseDateColumn(rs.getString("end_date"));
  t.term_starts_on = su::ParseDateColumn(rs.getString("term_starts_on"));
  t.term_ends_on = su::OptionalDate(rs, "term_ends_on");
  t.certificate_number = rs.getString("certificate_number");
  t.provider = rs.getString("provider");
  return t;
}

// Fills the covering and heads of `units` on `day`: two queries for the whole page.
absl::Status AttachFactsOn(common::db::Session& session, std::vector<domain::ResidentialUnit>& units,
                           absl::CivilDay day) {
  if (units.empty()) return absl::OkStatus();
  std::map<int64_t, domain::ResidentialUnit*> by_id;
  std::vector<int64_t> ids;
  for (domain::ResidentialUnit& unit : units) {
    by_id[unit.id] = &unit;
    ids.push_back(unit.id);
  }
  const std::string day_text = su::DateText(day);
  sql::PreparedStatement& coverings = session.Prepare(
      absl::StrCat("SELECT ", kCoveringColumns, ", ", kDecisionColumns, " FROM residential_unit_coverings WHERE unit_id IN ",
                   common::db::kIdSet, " AND ", kInForce));
  coverings.setString(1, common::db::IdArray(ids));
  coverings.setString(2, day_text);
  coverings.setString(3, day_text);
  std::unique_ptr<sql::ResultSet> rs = session.Query(coverings);
  while (rs->next()) {
    domain::CoveringPeriod period = ReadCovering(*rs);
    by_id[period.unit_id]->covering = std::move(period);
  }
  rs.reset();
  sql::PreparedStatement& heads = session.Prepare(
      absl::StrCat("SELECT ", kHeadColumns, ", ", kDecisionColumns, " FROM residential_unit_heads WHERE unit_id IN ",
                   common::db::kIdSet, " AND ", kInForce));
  heads.setString(1, common::db::IdArray(ids));
  heads.setString(2, day_text);
  heads.setString(3, day_text);
  rs = session.Query(heads);
  while (rs->next()) {
    domain::HeadPeriod head = ReadHead(*rs);
    domain::ResidentialUnit& unit = *by_id[head.unit_id];
    if (head.post == domain::HeadPost::kFrontWorkCommitteeHead) {
      unit.front_work_committee_head = std::move(head);
    } else {
      unit.head = std::move(head);
    }
  }
  return absl::OkStatus();
}

absl::Status SetEnd(common::db::Session& session, const char* table, int64_t id, absl::CivilDay on,
                    const domain::Decision& decision) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "UPDATE ", table,
      " SET valid_to = ?, end_decision_issuing_body = ?, end_decision_number = ?, end_decision_signed_on = ?"
      " WHERE id = ? AND valid_to IS NULL"));
  ps.setString(1, su::DateText(on));
  BindDecision(ps, 2, decision);
  ps.setInt64(5, id);
  if (ps.executeUpdate() != 1) return absl::InternalError(absl::StrCat("period ", id, " of ", table, " was not open"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<domain::ResidentialUnit> ResidentialUnitStore::Insert(common::db::Session& session,
                                                                     domain::ResidentialUnit unit) {
  sql::PreparedStatement& exists = session.Prepare("SELECT id FROM residential_units WHERE code = ?");
  exists.setString(1, unit.code);
  if (session.Query(exists)->next()) {
    return common::Reasoned(absl::StatusCode::kAlreadyExists, "RESIDENTIAL_UNIT_CODE_TAKEN",
                            absl::StrCat("a residential unit with code ", unit.code, " exists"));
  }
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO residential_units (display_name, ended_on, households, code, kind, commune_organization_id, "
      "established_on, version) VALUES (?,?,?,?,?,?,?,1)");
  ps.setString(1, unit.display_name);
  su::SetOptionalDate(ps, 2, unit.ended_on);
  ps.setInt(3, unit.households);
  ps.setString(4, unit.code);
  ps.setInt(5, static_cast<int>(unit.kind));
  ps.setInt64(6, unit.commune_organization_id);
  ps.setString(7, su::DateText(unit.established_on));
  ps.executeUpdate();
  unit.id = session.LastInsertId();
  unit.version = 1;
  return unit;
}

absl::StatusOr<domain::ResidentialUnit> ResidentialUnitStore::Get(common::db::Session& session, int64_t id,
                                                                  absl::CivilDay as_of, bool for_update) {
  sql::PreparedStatement& ps =
      for_update ? session.Prepare(absl::StrCat("SELECT ", kColumns, " FROM residential_units WHERE id = ? FOR UPDATE"))
                 : session.Prepare(absl::StrCat("SELECT ", kColumns, " FROM residential_units WHERE id = ?"));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat(common::api::MakeName("residentialUnits", id), " not found"));
  }
  std::vector<domain::ResidentialUnit> one{ReadUnit(*rs)};
  rs.reset();
  GR_RETURN_IF_ERROR(AttachFactsOn(session, one, as_of));
  return std::move(one.front());
}

absl::StatusOr<domain::ResidentialUnit> ResidentialUnitStore::Update(common::db::Session& session,
                                                                     domain::ResidentialUnit unit) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE residential_units SET display_name = ?, ended_on = ?, households = ?, version = version + 1, "
      "update_time = CURRENT_TIMESTAMP(6) WHERE id = ? AND version = ?");
  ps.setString(1, unit.display_name);
  su::SetOptionalDate(ps, 2, unit.ended_on);
  ps.setInt(3, unit.households);
  ps.setInt64(4, unit.id);
  ps.setInt64(5, unit.version);
  if (ps.executeUpdate() != 1) {
    return common::Reasoned(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                            absl::StrCat(common::api::MakeName("residentialUnits", unit.id),
                                         " was changed by another request; read it again"));
  }
  unit.version += 1;
  return unit;
}

absl::StatusOr<std::vector<domain::ResidentialUnit>> ResidentialUnitStore::List(common::db::Session& session,
                                                                               const ListQuery& query) {
  if (query.commune_organization_ids && query.commune_organization_ids->empty()) {
    return std::vector<domain::ResidentialUnit>{};
  }
  const std::string covered = absl::StrCat(
      "EXISTS (SELECT 1 FROM residential_unit_coverings c WHERE c.unit_id = u.id",
      query.covering_cell_id ? " AND c.cell_id = ?" : "", " AND c.", "valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to > ?))");
  std::string sql = absl::StrCat("SELECT ", kColumns, " FROM residential_units u WHERE id > ?");
  if (query.commune_organization_ids) absl::StrAppend(&sql, " AND commune_organization_id IN ", common::db::kIdSet);
  if (query.covering_cell_id) absl::StrAppend(&sql, " AND ", covered);
  if (query.uncovered_only) absl::StrAppend(&sql, " AND NOT ", covered);
  absl::StrAppend(&sql, " AND established_on <= ? AND (ended_on IS NULL OR ended_on > ?) ORDER BY id LIMIT ?");

  const std::string day = su::DateText(query.as_of);
  sql::PreparedStatement& ps = session.Prepare(sql);
  int index = 1;
  ps.setInt64(index++, query.after_id);
  if (query.commune_organization_ids) ps.setString(index++, common::db::IdArray(*query.commune_organization_ids));
  if (query.covering_cell_id || query.uncovered_only) {
    if (query.covering_cell_id) ps.setInt64(index++, *query.covering_cell_id);
    ps.setString(index++, day);
    ps.setString(index++, day);
  }
  ps.setString(index++, day);
  ps.setString(index++, day);
  ps.setInt(index++, query.limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::ResidentialUnit> out;
  while (rs->next()) out.push_back(ReadUnit(*rs));
  rs.reset();
  GR_RETURN_IF_ERROR(AttachFactsOn(session, out, query.as_of));
  return out;
}

// ---- covering periods ----

absl::StatusOr<std::vector<domain::CoveringPeriod>> ResidentialUnitStore::Coverings(common::db::Session& session,
                                                                                   int64_t unit_id) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat("SELECT ", kCoveringColumns, ", ", kDecisionColumns,
                                                            " FROM residential_unit_coverings WHERE unit_id = ?"
                                                            " ORDER BY valid_from, id"));
  ps.setInt64(1, unit_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::CoveringPeriod> out;
  while (rs->next()) out.push_back(ReadCovering(*rs));
  return out;
}

absl::StatusOr<domain::CoveringPeriod> ResidentialUnitStore::InsertCovering(common::db::Session& session,
                                                                           domain::CoveringPeriod period) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO residential_unit_coverings (unit_id, cell_id, valid_from, valid_to, decision_issuing_body, "
      "decision_number, decision_signed_on) VALUES (?,?,?,?,?,?,?)");
  ps.setInt64(1, period.unit_id);
  ps.setInt64(2, period.cell_id);
  ps.setString(3, su::DateText(period.valid_from));
  su::SetOptionalDate(ps, 4, period.valid_to);
  BindDecision(ps, 5, period.decision);
  ps.executeUpdate();
  period.id = session.LastInsertId();
  return period;
}

absl::Status ResidentialUnitStore::EndCovering(common::db::Session& session, int64_t id, absl::CivilDay on,
                                               const domain::Decision& decision) {
  return SetEnd(session, "residential_unit_coverings", id, on, decision);
}

// ---- head periods ----

absl::StatusOr<std::vector<domain::HeadPeriod>> ResidentialUnitStore::Heads(common::db::Session& session,
                                                                           int64_t unit_id,
                                                                           std::optional<domain::HeadPost> post) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kHeadColumns, ", ", kDecisionColumns, " FROM residential_unit_heads WHERE unit_id = ?",
      post ? " AND post = ?" : "", " ORDER BY post, valid_from, id"));
  ps.setInt64(1, unit_id);
  if (post) ps.setString(2, std::string(domain::HeadPostCode(*post)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::HeadPeriod> out;
  while (rs->next()) out.push_back(ReadHead(*rs));
  return out;
}

absl::StatusOr<domain::HeadPeriod> ResidentialUnitStore::GetHead(common::db::Session& session, int64_t unit_id,
                                                                int64_t head_id) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat("SELECT ", kHeadColumns, ", ", kDecisionColumns,
                                                            " FROM residential_unit_heads WHERE id = ? AND unit_id = ?"));
  ps.setInt64(1, head_id);
  ps.setInt64(2, unit_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat(common::api::MakeName("residentialUnits", unit_id), "/heads/", head_id,
                                            " not found"));
  }
  return ReadHead(*rs);
}

absl::StatusOr<domain::HeadPeriod> ResidentialUnitStore::InsertHead(common::db::Session& session,
                                                                   domain::HeadPeriod head) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO residential_unit_heads (unit_id, post, display_name, is_party_member, member_id, valid_from, "
      "valid_to, decision_issuing_body, decision_number, decision_signed_on) VALUES (?,?,?,?,?,?,?,?,?,?)");
  ps.setInt64(1, head.unit_id);
  ps.setString(2, std::string(domain::HeadPostCode(head.post)));
  ps.setString(3, head.display_name);
  ps.setBoolean(4, head.is_party_member);
  SetOptionalInt64(ps, 5, head.member_id);
  ps.setString(6, su::DateText(head.valid_from));
  su::SetOptionalDate(ps, 7, head.valid_to);
  BindDecision(ps, 8, head.decision);
  ps.executeUpdate();
  head.id = session.LastInsertId();
  return head;
}

absl::Status ResidentialUnitStore::EndHead(common::db::Session& session, int64_t id, absl::CivilDay on,
                                           const domain::Decision& decision) {
  return SetEnd(session, "residential_unit_heads", id, on, decision);
}

// ---- head trainings ----

absl::StatusOr<domain::HeadTraining> ResidentialUnitStore::InsertHeadTraining(common::db::Session& session,
                                                                             domain::HeadTraining training) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO residential_unit_head_trainings (head_id, post, course, start_date, end_date, term_starts_on, "
      "term_ends_on, certificate_number, provider) VALUES (?,?,?,?,?,?,?,?,?)");
  ps.setInt64(1, training.head_id);
  ps.setString(2, std::string(domain::HeadPostCode(training.post)));
  ps.setString(3, training.course);
  ps.setString(4, su::DateText(training.start_date));
  ps.setString(5, su::DateText(training.end_date));
  ps.setString(6, su::DateText(training.term_starts_on));
  su::SetOptionalDate(ps, 7, training.term_ends_on);
  ps.setString(8, training.certificate_number);
  ps.setString(9, training.provider);
  ps.executeUpdate();
  training.id = session.LastInsertId();
  return training;
}

absl::StatusOr<std::vector<domain::HeadTraining>> ResidentialUnitStore::HeadTrainings(common::db::Session& session,
                                                                                     int64_t head_id) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kTrainingColumns,
      " FROM residential_unit_head_trainings t JOIN residential_unit_heads h ON h.id = t.head_id"
      " WHERE t.head_id = ? ORDER BY t.start_date, t.id"));
  ps.setInt64(1, head_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::HeadTraining> out;
  while (rs->next()) out.push_back(ReadTraining(*rs));
  return out;
}

}  // namespace grassroots::org::store
