#include "services/org/store/regulation_store.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/org/domain/regulation_rules.h"
#include "services/org/store/activity_sql.h"

namespace grassroots::org::store {
namespace {

using common::db::SetOptionalString;
namespace su = sql_util;

constexpr char kColumns[] =
    "id, organization_id, version, title, adopted_on, superseded_on, decision_issuing_body, decision_number, "
    "decision_signed_on";

domain::WorkingRegulation ReadRegulation(sql::ResultSet& rs) {
  domain::WorkingRegulation r;
  r.id = rs.getInt64("id");
  r.organization_id = rs.getInt64("organization_id");
  r.version = rs.getInt("version");
  r.title = rs.getString("title");
  r.adopted_on = su::ParseDateColumn(rs.getString("adopted_on"));
  r.superseded_on = su::OptionalDate(rs, "superseded_on");
  r.decision.issuing_body = su::EmptyIfNull(rs, "decision_issuing_body");
  r.decision.number = su::EmptyIfNull(rs, "decision_number");
  r.decision.signed_on = su::OptionalDate(rs, "decision_signed_on");
  return r;
}

}  // namespace

absl::StatusOr<RegulationStore::Adopted> RegulationStore::Adopt(common::db::Session& session,
                                                                domain::WorkingRegulation regulation) {
  // The newest version, locked so two adoptions for one organization serialize.
  sql::PreparedStatement& latest = session.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM working_regulations WHERE organization_id = ? ORDER BY version DESC LIMIT 1 FOR UPDATE"));
  latest.setInt64(1, regulation.organization_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(latest);
  std::optional<domain::WorkingRegulation> previous;
  if (rs->next()) previous = ReadRegulation(*rs);
  rs.reset();

  GR_RETURN_IF_ERROR(domain::CheckAdoption(previous, regulation, common::api::Today()));
  Adopted out;
  out.superseded = domain::Superseded(previous, regulation);
  if (out.superseded) {
    sql::PreparedStatement& supersede =
        session.Prepare("UPDATE working_regulations SET superseded_on = ? WHERE id = ? AND superseded_on IS NULL");
    supersede.setString(1, su::DateText(regulation.adopted_on));
    supersede.setInt64(2, out.superseded->id);
    supersede.executeUpdate();
  }

  sql::PreparedStatement& ins = session.Prepare(
      "INSERT INTO working_regulations (organization_id, version, title, adopted_on, decision_issuing_body, "
      "decision_number, decision_signed_on) VALUES (?,?,?,?,?,?,?)");
  ins.setInt64(1, regulation.organization_id);
  ins.setInt(2, regulation.version);
  ins.setString(3, regulation.title);
  ins.setString(4, su::DateText(regulation.adopted_on));
  SetOptionalString(ins, 5, su::NullIfEmpty(regulation.decision.issuing_body));
  SetOptionalString(ins, 6, su::NullIfEmpty(regulation.decision.number));
  su::SetOptionalDate(ins, 7, regulation.decision.signed_on);
  ins.executeUpdate();
  regulation.id = session.LastInsertId();
  regulation.superseded_on.reset();
  out.regulation = std::move(regulation);
  return out;
}

absl::StatusOr<std::vector<domain::WorkingRegulation>> RegulationStore::List(common::db::Session& session,
                                                                             int64_t organization_id) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kColumns, " FROM working_regulations WHERE organization_id = ? ORDER BY version"));
  ps.setInt64(1, organization_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::WorkingRegulation> out;
  while (rs->next()) out.push_back(ReadRegulation(*rs));
  return out;
}

}  // namespace grassroots::org::store
