#include "services/org/store/recognition_store.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/org/store/activity_sql.h"

namespace grassroots::org::store {
namespace {

using common::db::SetOptionalString;
namespace su = sql_util;

constexpr char kDecisionColumns[] = "decision_issuing_body, decision_number, decision_signed_on";

domain::Decision ReadDecision(sql::ResultSet& rs) {
  domain::Decision d;
  d.issuing_body = su::EmptyIfNull(rs, "decision_issuing_body");
  d.number = su::EmptyIfNull(rs, "decision_number");
  d.signed_on = su::OptionalDate(rs, "decision_signed_on");
  return d;
}

int BindDecision(sql::PreparedStatement& ps, int index, const domain::Decision& d) {
  SetOptionalString(ps, index++, su::NullIfEmpty(d.issuing_body));
  SetOptionalString(ps, index++, su::NullIfEmpty(d.number));
  su::SetOptionalDate(ps, index++, d.signed_on);
  return index;
}

// Runs `base_sql` restricted to the given organizations (and one year unless 0) in one
// query, rows ordered by organization, year and id, one page of them.
template <typename Row, typename ReadFn>
std::vector<Row> QueryByOrganizations(common::db::Session& session, const std::string& base_sql,
                                      const std::vector<int64_t>& organization_ids, int32_t year,
                                      const RecognitionStore::ListPage& page, ReadFn read) {
  std::vector<Row> out;
  if (organization_ids.empty()) return out;
  std::string sql = absl::StrCat(base_sql, " WHERE organization_id IN ", common::db::kIdSet);
  if (year != 0) absl::StrAppend(&sql, " AND year = ?");
  if (page.after) absl::StrAppend(&sql, " AND (organization_id, year, id) > (?, ?, ?)");
  absl::StrAppend(&sql, " ORDER BY organization_id, year, id LIMIT ?");
  sql::PreparedStatement& ps = session.Prepare(sql);
  int index = 1;
  ps.setString(index++, common::db::IdArray(organization_ids));
  if (year != 0) ps.setInt(index++, year);
  if (page.after) {
    ps.setInt64(index++, page.after->organization_id);
    ps.setInt(index++, page.after->year);
    ps.setInt64(index++, page.after->id);
  }
  ps.setInt(index++, page.limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.push_back(read(*rs));
  return out;
}

domain::NewModel ReadNewModel(sql::ResultSet& rs) {
  domain::NewModel m;
  m.id = rs.getInt64("id");
  m.organization_id = rs.getInt64("organization_id");
  m.year = rs.getInt("year");
  m.title = rs.getString("title");
  m.description = rs.getString("description");
  m.recognition = ReadDecision(rs);
  return m;
}

domain::FourGoodDesignation ReadFourGood(sql::ResultSet& rs) {
  domain::FourGoodDesignation d;
  d.id = rs.getInt64("id");
  d.organization_id = rs.getInt64("organization_id");
  d.year = rs.getInt("year");
  d.kind = static_cast<domain::FourGoodKind>(rs.getInt("kind"));
  d.decision = ReadDecision(rs);
  return d;
}

constexpr char kRatingColumns[] =
    "id, organization_id, year, score, level, disqualified, disqualification_reason, decision_issuing_body, "
    "decision_number, decision_signed_on, rule_id, rule_citation, version";

domain::OrganizationRating ReadRating(sql::ResultSet& rs) {
  domain::OrganizationRating r;
  r.id = rs.getInt64("id");
  r.organization_id = rs.getInt64("organization_id");
  r.year = rs.getInt("year");
  r.score = static_cast<double>(rs.getDouble("score"));
  r.level = static_cast<domain::QualityLevel>(rs.getInt("level"));
  r.disqualified = rs.getBoolean("disqualified");
  r.disqualification_reason = su::EmptyIfNull(rs, "disqualification_reason");
  r.decision = ReadDecision(rs);
  r.rule_id = rs.getString("rule_id");
  r.rule_citation = rs.getString("rule_citation");
  r.version = rs.getInt64("version");
  return r;
}

// score, level, disqualified, reason, decision (3), rule_id, rule_citation.
int BindRatingValues(sql::PreparedStatement& ps, int index, const domain::OrganizationRating& r) {
  ps.setDouble(index++, r.score);
  ps.setInt(index++, static_cast<int>(r.level));
  ps.setBoolean(index++, r.disqualified);
  SetOptionalString(ps, index++, su::NullIfEmpty(r.disqualification_reason));
  index = BindDecision(ps, index, r.decision);
  ps.setString(index++, r.rule_id);
  ps.setString(index++, r.rule_citation);
  return index;
}

}  // namespace

absl::StatusOr<domain::NewModel> RecognitionStore::InsertNewModel(common::db::Session& session,
                                                                  domain::NewModel model) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO new_models (organization_id, year, title, description, decision_issuing_body, decision_number, "
      "decision_signed_on) VALUES (?,?,?,?,?,?,?)");
  ps.setInt64(1, model.organization_id);
  ps.setInt(2, model.year);
  ps.setString(3, model.title);
  ps.setString(4, model.description);
  BindDecision(ps, 5, model.recognition);
  ps.executeUpdate();
  model.id = session.LastInsertId();
  return model;
}

absl::StatusOr<std::vector<domain::NewModel>> RecognitionStore::ListNewModels(
    common::db::Session& session, const std::vector<int64_t>& organization_ids, int32_t year, const ListPage& page) {
  return QueryByOrganizations<domain::NewModel>(
      session,
      absl::StrCat("SELECT id, organization_id, year, title, description, ", kDecisionColumns, " FROM new_models"),
      organization_ids, year, page, ReadNewModel);
}

absl::StatusOr<domain::FourGoodDesignation> RecognitionStore::InsertFourGood(common::db::Session& session,
                                                                             domain::FourGoodDesignation designation) {
  sql::PreparedStatement& exists =
      session.Prepare("SELECT id FROM four_good_designations WHERE organization_id = ? AND year = ?");
  exists.setInt64(1, designation.organization_id);
  exists.setInt(2, designation.year);
  if (session.Query(exists)->next()) {
    return common::Reasoned(absl::StatusCode::kAlreadyExists, "FOUR_GOOD_ALREADY_DESIGNATED",
                            absl::StrCat(common::api::MakeName("organizations", designation.organization_id),
                                         " already has a four-good designation for ", designation.year));
  }
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO four_good_designations (organization_id, year, kind, decision_issuing_body, decision_number, "
      "decision_signed_on) VALUES (?,?,?,?,?,?)");
  ps.setInt64(1, designation.organization_id);
  ps.setInt(2, designation.year);
  ps.setInt(3, static_cast<int>(designation.kind));
  BindDecision(ps, 4, designation.decision);
  ps.executeUpdate();
  designation.id = session.LastInsertId();
  return designation;
}

absl::StatusOr<std::vector<domain::FourGoodDesignation>> RecognitionStore::ListFourGood(
    common::db::Session& session, const std::vector<int64_t>& organization_ids, int32_t year, const ListPage& page) {
  return QueryByOrganizations<domain::FourGoodDesignation>(
      session, absl::StrCat("SELECT id, organization_id, year, kind, ", kDecisionColumns, " FROM four_good_designations"),
      organization_ids, year, page, ReadFourGood);
}

absl::StatusOr<std::optional<domain::OrganizationRating>> RecognitionStore::FindRatingForUpdate(
    common::db::Session& session, int64_t organization_id, int32_t year) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kRatingColumns, " FROM organization_ratings WHERE organization_id = ? AND year = ? FOR UPDATE"));
  ps.setInt64(1, organization_id);
  ps.setInt(2, year);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<domain::OrganizationRating>();
  return std::optional<domain::OrganizationRating>(ReadRating(*rs));
}

absl::StatusOr<domain::OrganizationRating> RecognitionStore::InsertRating(common::db::Session& session,
                                                                          domain::OrganizationRating rating) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO organization_ratings (score, level, disqualified, disqualification_reason, decision_issuing_body, "
      "decision_number, decision_signed_on, rule_id, rule_citation, organization_id, year, version) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,1)");
  int index = BindRatingValues(ps, 1, rating);
  ps.setInt64(index++, rating.organization_id);
  ps.setInt(index++, rating.year);
  ps.executeUpdate();
  rating.id = session.LastInsertId();
  rating.version = 1;
  return rating;
}

absl::StatusOr<domain::OrganizationRating> RecognitionStore::ReplaceRating(common::db::Session& session,
                                                                           domain::OrganizationRating rating) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE organization_ratings SET score = ?, level = ?, disqualified = ?, disqualification_reason = ?, "
      "decision_issuing_body = ?, decision_number = ?, decision_signed_on = ?, rule_id = ?, rule_citation = ?, "
      "version = version + 1, update_time = CURRENT_TIMESTAMP(6) WHERE id = ? AND version = ?");
  int index = BindRatingValues(ps, 1, rating);
  ps.setInt64(index++, rating.id);
  ps.setInt64(index++, rating.version);
  if (ps.executeUpdate() != 1) {
    return common::Reasoned(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                            "the rating was changed by another request; read it again");
  }
  rating.version += 1;
  return rating;
}

absl::StatusOr<std::vector<domain::OrganizationRating>> RecognitionStore::ListRatings(
    common::db::Session& session, const std::vector<int64_t>& organization_ids, int32_t year, const ListPage& page) {
  return QueryByOrganizations<domain::OrganizationRating>(
      session, absl::StrCat("SELECT ", kRatingColumns, " FROM organization_ratings"), organization_ids, year, page,
      ReadRating);
}

}  // namespace grassroots::org::store
