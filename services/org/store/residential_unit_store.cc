#include "services/org/store/residential_unit_store.h"

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
    "id, code, display_name, kind, commune_organization_id, covering_cell_id, head_name, head_is_member, "
    "head_member_id, front_head_name, front_head_is_member, front_head_member_id, established_on, ended_on, "
    "households, version";

domain::ResidentialUnit ReadUnit(sql::ResultSet& rs) {
  domain::ResidentialUnit u;
  u.id = rs.getInt64("id");
  u.code = rs.getString("code");
  u.display_name = rs.getString("display_name");
  u.kind = static_cast<domain::ResidentialUnitKind>(rs.getInt("kind"));
  u.commune_organization_id = rs.getInt64("commune_organization_id");
  u.covering_cell_id = GetOptionalInt64(rs, "covering_cell_id");
  u.head.display_name = su::EmptyIfNull(rs, "head_name");
  u.head.is_party_member = rs.getBoolean("head_is_member");
  u.head.member_id = GetOptionalInt64(rs, "head_member_id");
  u.front_work_committee_head.display_name = su::EmptyIfNull(rs, "front_head_name");
  u.front_work_committee_head.is_party_member = rs.getBoolean("front_head_is_member");
  u.front_work_committee_head.member_id = GetOptionalInt64(rs, "front_head_member_id");
  u.established_on = su::ParseDateColumn(rs.getString("established_on"));
  u.ended_on = su::OptionalDate(rs, "ended_on");
  u.households = rs.getInt("households");
  u.version = rs.getInt64("version");
  return u;
}

// Binds the mutable columns in this order starting at `index`; returns the next index.
int BindMutable(sql::PreparedStatement& ps, int index, const domain::ResidentialUnit& u) {
  ps.setString(index++, u.display_name);
  SetOptionalInt64(ps, index++, u.covering_cell_id);
  SetOptionalString(ps, index++, su::NullIfEmpty(u.head.display_name));
  ps.setBoolean(index++, u.head.is_party_member);
  SetOptionalInt64(ps, index++, u.head.member_id);
  SetOptionalString(ps, index++, su::NullIfEmpty(u.front_work_committee_head.display_name));
  ps.setBoolean(index++, u.front_work_committee_head.is_party_member);
  SetOptionalInt64(ps, index++, u.front_work_committee_head.member_id);
  su::SetOptionalDate(ps, index++, u.ended_on);
  ps.setInt(index++, u.households);
  return index;
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
      "INSERT INTO residential_units (display_name, covering_cell_id, head_name, head_is_member, head_member_id, "
      "front_head_name, front_head_is_member, front_head_member_id, ended_on, households, code, kind, "
      "commune_organization_id, established_on, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)");
  int index = BindMutable(ps, 1, unit);
  ps.setString(index++, unit.code);
  ps.setInt(index++, static_cast<int>(unit.kind));
  ps.setInt64(index++, unit.commune_organization_id);
  ps.setString(index++, su::DateText(unit.established_on));
  ps.executeUpdate();
  unit.id = session.LastInsertId();
  unit.version = 1;
  return unit;
}

absl::StatusOr<domain::ResidentialUnit> ResidentialUnitStore::Get(common::db::Session& session, int64_t id,
                                                                  bool for_update) {
  sql::PreparedStatement& ps =
      for_update ? session.Prepare(absl::StrCat("SELECT ", kColumns, " FROM residential_units WHERE id = ? FOR UPDATE"))
                 : session.Prepare(absl::StrCat("SELECT ", kColumns, " FROM residential_units WHERE id = ?"));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat(common::api::MakeName("residentialUnits", id), " not found"));
  }
  return ReadUnit(*rs);
}

absl::StatusOr<domain::ResidentialUnit> ResidentialUnitStore::Update(common::db::Session& session,
                                                                     domain::ResidentialUnit unit) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE residential_units SET display_name = ?, covering_cell_id = ?, head_name = ?, head_is_member = ?, "
      "head_member_id = ?, front_head_name = ?, front_head_is_member = ?, front_head_member_id = ?, ended_on = ?, "
      "households = ?, version = version + 1, update_time = CURRENT_TIMESTAMP(6) WHERE id = ? AND version = ?");
  int index = BindMutable(ps, 1, unit);
  ps.setInt64(index++, unit.id);
  ps.setInt64(index++, unit.version);
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
  std::string sql = absl::StrCat("SELECT ", kColumns, " FROM residential_units WHERE id > ?");
  if (query.commune_organization_ids) absl::StrAppend(&sql, " AND commune_organization_id IN ", su::kIdSet);
  if (query.covering_cell_id) absl::StrAppend(&sql, " AND covering_cell_id = ?");
  if (query.uncovered_only) absl::StrAppend(&sql, " AND covering_cell_id IS NULL");
  if (query.active_on) absl::StrAppend(&sql, " AND established_on <= ? AND (ended_on IS NULL OR ended_on > ?)");
  absl::StrAppend(&sql, " ORDER BY id LIMIT ?");

  sql::PreparedStatement& ps = session.Prepare(sql);
  int index = 1;
  ps.setInt64(index++, query.after_id);
  if (query.commune_organization_ids) ps.setString(index++, su::IdArray(*query.commune_organization_ids));
  if (query.covering_cell_id) ps.setInt64(index++, *query.covering_cell_id);
  if (query.active_on) {
    ps.setString(index++, su::DateText(*query.active_on));
    ps.setString(index++, su::DateText(*query.active_on));
  }
  ps.setInt(index++, query.limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::ResidentialUnit> out;
  while (rs->next()) out.push_back(ReadUnit(*rs));
  return out;
}

}  // namespace grassroots::org::store
