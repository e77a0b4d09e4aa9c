#include "services/reporting/store/rollup_store.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"
#include "services/reporting/store/read_model.h"
#include "services/reporting/store/read_model_decode.h"

namespace grassroots::reporting::store {
namespace {

using common::db::GetOptionalDay;
using common::db::IdArray;
using common::db::kIdSet;

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::CivilDay RequiredDay(sql::ResultSet& rs, const std::string& column) {
  return GetOptionalDay(rs, column).value_or(absl::CivilDay(1970, 1, 1));
}

// The placing day of a child (c) under a placed parent: the parent's, or the
// child's last day when it ended before.
constexpr char kChildPlacingDay[] =
    "LEAST(placed.placing_day, COALESCE(c.ended_on - INTERVAL 1 DAY, placed.placing_day))";

// As kPlacedOrganizations (scorecard_facts_store.cc), but a child with a fresh
// row is marked summarized and not walked below. Placeholders: root, as_of,
// then (as_of, term_from, rules_key) for the freshness test, then the same
// three for the totals read.
const std::string& PlaceStatement() {
  static const std::string statement = absl::StrCat(
      "WITH RECURSIVE placed (org_id, parent_id, placing_day, summarized) AS ("
      "  SELECT CAST(? AS SIGNED), CAST(NULL AS SIGNED), CAST(? AS DATE), 0"
      "  UNION ALL"
      "  SELECT c.org_id, placed.org_id, ", kChildPlacingDay, ","
      "   EXISTS (SELECT 1 FROM rm_rollup r LEFT JOIN rm_rollup_version v ON v.org_id = r.org_id"
      "           WHERE r.org_id = c.org_id AND r.as_of = ? AND r.term_from = ? AND r.rules_key = ?"
      "             AND r.placing_day = ", kChildPlacingDay, " AND r.version = COALESCE(v.version, 0))"
      "  FROM placed JOIN (SELECT p.org_id, p.parent_id, p.valid_from, p.valid_to,"
      "                    (SELECT MIN(e.valid_from) FROM rm_org_period e WHERE e.org_id = p.org_id AND e.state <> 1)"
      "                      AS ended_on"
      "                    FROM rm_org_period p WHERE p.state = 1) c ON c.parent_id = placed.org_id"
      "  WHERE placed.summarized = 0 AND c.org_id <> placed.org_id"
      "    AND c.valid_from <= ", kChildPlacingDay,
      "    AND (c.valid_to IS NULL OR c.valid_to > ", kChildPlacingDay, "))"
      " SELECT p.org_id, p.parent_id, p.placing_day, p.summarized, r.new_model, r.totals,"
      "  (SELECT MIN(f.valid_from) FROM rm_org_period f WHERE f.org_id = p.org_id AND f.state = 1) AS established_on,"
      "  (SELECT MIN(e.valid_from) FROM rm_org_period e WHERE e.org_id = p.org_id AND e.state <> 1) AS ended_on"
      " FROM placed p LEFT JOIN rm_rollup r ON p.summarized = 1 AND r.org_id = p.org_id AND r.as_of = ?"
      "  AND r.term_from = ? AND r.rules_key = ? AND r.placing_day = p.placing_day");
  return statement;
}

void BindKey(sql::PreparedStatement& ps, int first, const RollupKey& key) {
  ps.setString(first, Day(key.as_of));
  ps.setString(first + 1, Day(key.term_from));
  ps.setInt64(first + 2, key.rules_key);
}

// The ids following `collection` in a resource name ("members/7/events/3": members -> 7).
std::optional<int64_t> IdAfter(std::string_view name, std::string_view collection) {
  std::vector<std::string_view> parts;
  for (size_t start = 0; start <= name.size();) {
    const size_t slash = std::min(name.find('/', start), name.size());
    parts.push_back(name.substr(start, slash - start));
    start = slash + 1;
  }
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    if (parts[i] != collection) continue;
    int64_t id = 0;
    const std::string_view text = parts[i + 1];
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error == std::errc() && end == text.data() + text.size() && id > 0) return id;
  }
  return std::nullopt;
}

// Runs `sql_text` with `id` at its placeholders and adds the first column of every row.
void CollectIds(common::db::Session& session, const char* sql_text, int64_t id, int placeholders,
                std::set<int64_t>& into) {
  sql::PreparedStatement& ps = session.Prepare(sql_text);
  for (int i = 1; i <= placeholders; ++i) ps.setInt64(i, id);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) {
    if (!rs->isNull(1)) into.insert(rs->getInt64(1));
  }
}

// A member's contributions count in the cells of their periods (S2, S4, S5b,
// S6, S7, S16), the committees they hold posts on and the communes of the
// units they head (S14's trainings, S15).
void AddMember(common::db::Session& session, int64_t member_id, std::set<int64_t>& into) {
  CollectIds(session,
             "SELECT DISTINCT cell_id FROM member_period_projection WHERE member_id = ? AND cell_id IS NOT NULL"
             " UNION SELECT org_id FROM rm_committee_position WHERE member_id = ?"
             " UNION SELECT u.commune_org_id FROM rm_unit_head h JOIN residential_unit_projection u"
             "   ON u.unit_id = h.unit_id WHERE h.member_id = ?",
             member_id, 3, into);
}

// Every known organization's version up (rows included), so that no row
// written before, nor one a computation still running from an older snapshot
// writes afterwards, is fresh.
void BumpEveryOrganization(common::db::Session& session) {
  session
      .Prepare("INSERT INTO rm_rollup_version (org_id, version)"
               " SELECT org_id, 1 FROM (SELECT org_id FROM rm_org_period UNION SELECT org_id FROM rm_rollup) known"
               " ON DUPLICATE KEY UPDATE version = version + 1")
      .executeUpdate();
}

}  // namespace

std::string EncodeTotals(const domain::SubtreeTotals& totals) {
  nlohmann::json numerators = nlohmann::json::array();
  nlohmann::json denominators = nlohmann::json::array();
  nlohmann::json removals = nlohmann::json::array();
  for (size_t i = 0; i < totals.indicators.size(); ++i) {
    const domain::IndicatorTotals& part = totals.indicators[i];
    numerators.push_back(part.numerator);
    denominators.push_back(part.denominator);
    for (const auto& [key, count] : part.removals) removals.push_back({i, key.first, key.second, count});
  }
  return nlohmann::json{{"n", numerators}, {"d", denominators}, {"r", removals}}.dump();
}

absl::StatusOr<domain::SubtreeTotals> DecodeTotals(const std::string& text, bool new_model) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  domain::SubtreeTotals totals;
  totals.new_model = new_model;
  const size_t indicators = totals.indicators.size();
  if (!json.is_object() || !json.contains("n") || !json.contains("d") || !json["n"].is_array() ||
      !json["d"].is_array() || json["n"].size() != indicators || json["d"].size() != indicators) {
    return absl::DataLossError("rm_rollup.totals is not the encoding EncodeTotals writes");
  }
  try {
    for (size_t i = 0; i < indicators; ++i) {
      totals.indicators[i].numerator = json["n"][i].get<int64_t>();
      totals.indicators[i].denominator = json["d"][i].get<int64_t>();
    }
    if (json.contains("r")) {
      for (const nlohmann::json& removal : json["r"]) {
        const size_t i = removal.at(0).get<size_t>();
        if (i >= indicators) return absl::DataLossError("rm_rollup.totals names an indicator out of range");
        totals.indicators[i].removals[{removal.at(1).get<std::string>(), removal.at(2).get<std::string>()}] =
            removal.at(3).get<int64_t>();
      }
    }
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError("rm_rollup.totals is not the encoding EncodeTotals writes");
  }
  return totals;
}

absl::StatusOr<std::optional<domain::SubtreeTotals>> RollupStore::Find(common::db::Session& session, int64_t org_id,
                                                                       absl::CivilDay placing_day,
                                                                       const RollupKey& key) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT r.new_model, r.totals FROM rm_rollup r LEFT JOIN rm_rollup_version v ON v.org_id = r.org_id"
      " WHERE r.org_id = ? AND r.placing_day = ? AND r.as_of = ? AND r.term_from = ? AND r.rules_key = ?"
      " AND r.version = COALESCE(v.version, 0)");
  ps.setInt64(1, org_id);
  ps.setString(2, Day(placing_day));
  BindKey(ps, 3, key);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  if (!rs->next()) return std::nullopt;
  GR_ASSIGN_OR_RETURN(domain::SubtreeTotals totals,
                      DecodeTotals(rs->getString("totals"), rs->getBoolean("new_model")));
  return totals;
}

absl::StatusOr<std::vector<RollupPlacement>> RollupStore::Place(common::db::Session& session, int64_t root,
                                                                absl::CivilDay placing_day, const RollupKey& key) {
  sql::PreparedStatement& ps = session.Prepare(PlaceStatement());
  ps.setInt64(1, root);
  ps.setString(2, Day(placing_day));
  BindKey(ps, 3, key);
  BindKey(ps, 6, key);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  std::vector<RollupPlacement> placements;
  std::set<int64_t> seen;
  while (rs->next()) {
    const int64_t id = rs->getInt64("org_id");
    if (!seen.insert(id).second) continue;  // the first placement wins, as in ScorecardFactsStore
    RollupPlacement placement;
    placement.placed = ScorecardFactsStore::Placed{
        id, rs->isNull("parent_id") ? std::nullopt : std::optional<int64_t>(rs->getInt64("parent_id")),
        RequiredDay(*rs, "placing_day"), GetOptionalDay(*rs, "ended_on"), RequiredDay(*rs, "established_on")};
    if (rs->getBoolean("summarized") && !rs->isNull("totals")) {
      GR_ASSIGN_OR_RETURN(placement.totals, DecodeTotals(rs->getString("totals"), rs->getBoolean("new_model")));
    }
    placements.push_back(std::move(placement));
  }
  return placements;
}

absl::StatusOr<std::map<int64_t, int64_t>> RollupStore::Versions(common::db::Session& session,
                                                                 const std::vector<int64_t>& ids) {
  std::map<int64_t, int64_t> versions;
  for (int64_t id : ids) versions[id] = 0;
  if (ids.empty()) return versions;
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT org_id, version FROM rm_rollup_version WHERE org_id IN ", kIdSet));
  ps.setString(1, IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) versions[rs->getInt64("org_id")] = rs->getInt64("version");
  return versions;
}

absl::Status RollupStore::Save(common::db::Session& session, const RollupKey& key, const std::vector<RollupRow>& rows) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO rm_rollup (org_id, as_of, placing_day, term_from, rules_key, version, new_model, totals)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE version = VALUES(version),"
      " new_model = VALUES(new_model), totals = VALUES(totals), computed_at = CURRENT_TIMESTAMP(6)");
  for (const RollupRow& row : rows) {
    ps.setInt64(1, row.org_id);
    ps.setString(2, Day(key.as_of));
    ps.setString(3, Day(row.placing_day));
    ps.setString(4, Day(key.term_from));
    ps.setInt64(5, key.rules_key);
    ps.setInt64(6, row.version);
    ps.setBoolean(7, row.totals.new_model);
    ps.setString(8, EncodeTotals(row.totals));
    ps.executeUpdate();
  }
  return absl::OkStatus();
}

absl::StatusOr<AffectedOrganizations> RollupStore::AffectedBy(common::db::Session& session,
                                                              const grassroots::feed::v1::Change& change) {
  AffectedOrganizations affected;
  // The scorecard counts no money: dues totals leave its pre-aggregates fresh.
  if (change.resource_type() == kDuesCellMonthResource) return affected;
  const std::string& name = change.resource_name();
  if (const std::optional<int64_t> unit = IdAfter(name, "residentialUnits")) {
    // S9 and S15 count the unit in its commune; S2a's residential cells are its covering cells.
    CollectIds(session,
               "SELECT commune_org_id FROM residential_unit_projection WHERE unit_id = ?"
               " UNION SELECT cell_id FROM unit_covering_projection WHERE unit_id = ?",
               *unit, 2, affected.organizations);
  } else if (const std::optional<int64_t> org = IdAfter(name, "organizations")) {
    affected.organizations.insert(*org);
    // S9 asks whether a unit's covering cell exists on D, wherever the cell is.
    CollectIds(session,
               "SELECT u.commune_org_id FROM unit_covering_projection c JOIN residential_unit_projection u"
               " ON u.unit_id = c.unit_id WHERE c.cell_id = ?",
               *org, 1, affected.organizations);
  } else if (const std::optional<int64_t> member = IdAfter(name, "members")) {
    AddMember(session, *member, affected.organizations);
  } else if (const std::optional<int64_t> program = IdAfter(name, "programs")) {
    CollectIds(session, "SELECT org_id FROM rm_inspection_program WHERE program_id = ?", *program, 1,
               affected.organizations);
  } else if (const std::optional<int64_t> decision = IdAfter(name, "discipline_decisions")) {
    std::set<int64_t> subjects;
    CollectIds(session, "SELECT member_id FROM rm_discipline_decision WHERE decision_id = ?", *decision, 1, subjects);
    for (int64_t member_id : subjects) AddMember(session, member_id, affected.organizations);
    CollectIds(session, "SELECT org_id FROM rm_discipline_decision WHERE decision_id = ?", *decision, 1,
               affected.organizations);
  } else {
    affected.everything = true;
  }
  return affected;
}

absl::Status RollupStore::Invalidate(common::db::Session& session, const AffectedOrganizations& affected) {
  if (affected.everything) {
    BumpEveryOrganization(session);
    return absl::OkStatus();
  }
  if (affected.organizations.empty()) return absl::OkStatus();
  // Everything above, in any period (a row placed by any day may include
  // them), bumped in one statement, in id order so that concurrent consumers
  // lock the version rows in the same order.
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO rm_rollup_version (org_id, version)"
      " WITH RECURSIVE up (org_id) AS (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS ids"
      "   UNION SELECT p.parent_id FROM rm_org_period p JOIN up ON p.org_id = up.org_id WHERE p.parent_id IS NOT NULL)"
      " SELECT org_id, 1 FROM up ORDER BY org_id"
      " ON DUPLICATE KEY UPDATE version = rm_rollup_version.version + 1");
  ps.setString(1, IdArray(std::vector<int64_t>(affected.organizations.begin(), affected.organizations.end())));
  ps.executeUpdate();
  return absl::OkStatus();
}

void RollupStore::Clear(common::db::Session& session) {
  internal::DeleteAll(session, {"rm_rollup"});
  BumpEveryOrganization(session);
}

}  // namespace grassroots::reporting::store

namespace grassroots::reporting::store {

common::feed::FeedConsumer InvalidatingRollups(common::feed::FeedConsumer consumer) {
  auto apply = std::move(consumer.apply);
  consumer.apply = [apply = std::move(apply)](common::db::Session& session,
                                              const grassroots::feed::v1::Change& change) -> absl::Status {
    GR_ASSIGN_OR_RETURN(AffectedOrganizations affected, RollupStore::AffectedBy(session, change));
    GR_RETURN_IF_ERROR(apply(session, change));
    GR_ASSIGN_OR_RETURN(const AffectedOrganizations after, RollupStore::AffectedBy(session, change));
    affected.organizations.insert(after.organizations.begin(), after.organizations.end());
    affected.everything = affected.everything || after.everything;
    return RollupStore::Invalidate(session, affected);
  };
  auto reset = std::move(consumer.reset);
  consumer.reset = [reset = std::move(reset)](common::db::Session& session) -> absl::Status {
    if (reset) GR_RETURN_IF_ERROR(reset(session));
    RollupStore::Clear(session);
    return absl::OkStatus();
  };
  return consumer;
}

}  // namespace grassroots::reporting::store
