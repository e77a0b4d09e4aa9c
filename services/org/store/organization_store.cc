#include "services/org/store/organization_store.h"

#include <algorithm>
#include <set>

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/org/store/activity_sql.h"

namespace grassroots::org::store {
namespace {

using common::db::Session;
using domain::OrgState;

// Deep enough for any real tree (province -> ... -> tổ đảng is 6); a guard
// against a corrupt cycle making a recursive query run forever.
constexpr int kMaxDepth = 64;

// Every read of an organization joins its period in effect (alias v) and its
// type. The first two parameters are the as-of date for the committee check.
constexpr char kColumns[] = R"(o.id, o.code, o.address, o.phone, o.note,
  o.established_on, o.ended_on, o.version, o.create_time, o.update_time,
  v.display_name, v.parent_id, v.type_code, v.sector_code, v.is_commune_military_cell, v.state, v.successor_id,
  t.display_name AS type_display_name, t.level_code, t.is_grassroots, t.is_cell,
  (SELECT MAX(lv.valid_from) FROM organization_versions lv WHERE lv.organization_id = o.id) AS last_change_on,
  EXISTS (SELECT 1 FROM committee_terms ct WHERE ct.organization_id = o.id AND ct.elected_committee = 1
          AND ct.starts_on <= ? AND (ct.ends_on IS NULL OR ct.ends_on > ?)) AS has_committee)";

constexpr char kAsOfJoin[] = R"( FROM organizations o
  JOIN organization_versions v ON v.organization_id = o.id AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
  JOIN org_types t ON t.code = v.type_code )";

constexpr char kOpenJoin[] = R"( FROM organizations o
  JOIN organization_versions v ON v.organization_id = o.id AND v.valid_to IS NULL
  JOIN org_types t ON t.code = v.type_code )";

std::string Day(absl::CivilDay day) { return common::api::FormatDate(day); }

absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return absl::CivilDay(1970, 1, 1);
  return day;
}

absl::Time ParseTimestamp(const std::string& text) {
  absl::Time time;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &time, &err)) return absl::UnixEpoch();
  return time;
}

std::optional<OrgState> ParseState(std::string_view code) {
  if (code == "ACTIVE") return OrgState::kActive;
  if (code == "DISSOLVED") return OrgState::kDissolved;
  if (code == "MERGED") return OrgState::kMerged;
  if (code == "SPLIT") return OrgState::kSplit;
  if (code == "HANDED_OVER") return OrgState::kHandedOver;
  return std::nullopt;
}

std::optional<domain::OrgEventKind> ParseEventKind(std::string_view code) {
  using K = domain::OrgEventKind;
  for (K kind : {K::kCreated, K::kRenamed, K::kMoved, K::kMerged, K::kAbsorbed, K::kSplit, K::kCreatedBySplit,
                 K::kDissolved, K::kHandedOver, K::kSectorChanged, K::kAttributesUpdated, K::kMilitaryCellChanged}) {
    if (EventKindCode(kind) == code) return kind;
  }
  return std::nullopt;
}

domain::Organization MapRow(sql::ResultSet& rs, absl::CivilDay as_of) {
  domain::Organization org;
  org.id = rs.getInt64("id");
  org.code = rs.getString("code");
  org.sector = common::db::GetOptionalString(rs, "sector_code").value_or("");
  org.is_commune_military_cell = rs.getBoolean("is_commune_military_cell");
  org.address = rs.getString("address");
  org.phone = rs.getString("phone");
  org.note = rs.getString("note");
  org.established_on = ParseDay(rs.getString("established_on"));
  if (auto ended = common::db::GetOptionalString(rs, "ended_on")) org.ended_on = ParseDay(*ended);
  org.version = rs.getInt64("version");
  org.create_time = ParseTimestamp(rs.getString("create_time"));
  org.update_time = ParseTimestamp(rs.getString("update_time"));
  org.display_name = rs.getString("display_name");
  org.parent_id = common::db::GetOptionalInt64(rs, "parent_id");
  org.type.code = rs.getString("type_code");
  org.type.display_name = rs.getString("type_display_name");
  org.type.level = rs.getString("level_code");
  org.type.is_grassroots = rs.getBoolean("is_grassroots");
  org.type.is_cell = rs.getBoolean("is_cell");
  org.state = ParseState(std::string(rs.getString("state"))).value_or(OrgState::kActive);
  org.successor_id = common::db::GetOptionalInt64(rs, "successor_id");
  org.last_change_on = ParseDay(rs.getString("last_change_on"));
  org.has_elected_committee = rs.getBoolean("has_committee");
  org.as_of = as_of;
  return org;
}

std::string_view ResourceName() { return "organizations"; }

absl::Status NotFound(int64_t id) {
  return common::ResourceNotFound(common::api::MakeName(ResourceName(), id));
}

std::vector<int64_t> Union(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  for (int64_t id : b) {
    if (std::find(a.begin(), a.end(), id) == a.end()) a.push_back(id);
  }
  return a;
}

void SetDecision(sql::PreparedStatement& ps, int first, const domain::Decision& decision) {
  ps.setString(first, decision.issuing_body);
  ps.setString(first + 1, decision.number);
  common::db::SetOptionalString(ps, first + 2,
                                decision.signed_on ? std::optional<std::string>(Day(*decision.signed_on))
                                                   : std::nullopt);
}

// The change-feed action of an event kind.
std::string ActionOf(domain::OrgEventKind kind) {
  using K = domain::OrgEventKind;
  switch (kind) {
    case K::kCreated:
    case K::kCreatedBySplit: return "created";
    case K::kRenamed: return "renamed";
    case K::kMoved: return "moved";
    case K::kMerged: return "merged";
    case K::kAbsorbed: return "absorbed";
    case K::kSplit: return "split";
    case K::kDissolved: return "dissolved";
    case K::kHandedOver: return "handed_over";
    case K::kSectorChanged: return "sector_changed";
    case K::kAttributesUpdated: return "updated";
    case K::kMilitaryCellChanged: return "military_cell_changed";
  }
  return "updated";
}

// An event of `kind` for organization `id`; the caller adds what is specific to it.
domain::OrgEvent EventOf(domain::OrgEventKind kind, int64_t id, absl::CivilDay effective,
                         const domain::Decision& decision) {
  domain::OrgEvent event;
  event.kind = kind;
  event.organization_id = id;
  event.effective_date = effective;
  event.decision = decision;
  return event;
}

// `rows` (any order) arranged in the order of `ids`; NOT_FOUND names the first id
// without a row.
absl::StatusOr<std::vector<domain::Organization>> InOrderOf(const std::vector<int64_t>& ids,
                                                           std::vector<domain::Organization> rows,
                                                           const std::string& missing_suffix) {
  std::map<int64_t, domain::Organization*> by_id;
  for (domain::Organization& row : rows) by_id[row.id] = &row;
  std::vector<domain::Organization> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      return absl::NotFoundError(absl::StrCat(common::api::MakeName(ResourceName(), id), " not found", missing_suffix));
    }
    out.push_back(*it->second);
  }
  return out;
}

}  // namespace

std::string_view StateCode(OrgState state) {
  switch (state) {
    case OrgState::kActive: return "ACTIVE";
    case OrgState::kDissolved: return "DISSOLVED";
    case OrgState::kMerged: return "MERGED";
    case OrgState::kSplit: return "SPLIT";
    case OrgState::kHandedOver: return "HANDED_OVER";
  }
  return "ACTIVE";
}

std::string_view EventKindCode(domain::OrgEventKind kind) {
  using K = domain::OrgEventKind;
  switch (kind) {
    case K::kCreated: return "CREATED";
    case K::kRenamed: return "RENAMED";
    case K::kMoved: return "MOVED";
    case K::kMerged: return "MERGED";
    case K::kAbsorbed: return "ABSORBED";
    case K::kSplit: return "SPLIT";
    case K::kCreatedBySplit: return "CREATED_BY_SPLIT";
    case K::kDissolved: return "DISSOLVED";
    case K::kHandedOver: return "HANDED_OVER";
    case K::kSectorChanged: return "SECTOR_CHANGED";
    case K::kAttributesUpdated: return "ATTRIBUTES_UPDATED";
    case K::kMilitaryCellChanged: return "COMMUNE_MILITARY_CELL_CHANGED";
  }
  return "CREATED";
}

// ---- reads ---------------------------------------------------------------------

absl::StatusOr<domain::Organization> OrganizationStore::Get(Session& session, int64_t id, absl::CivilDay as_of) {
  static const std::string kSql = absl::StrCat("SELECT ", kColumns, kAsOfJoin, "WHERE o.id = ?");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  const std::string day = Day(as_of);
  ps.setString(1, day);
  ps.setString(2, day);
  ps.setString(3, day);
  ps.setString(4, day);
  ps.setInt64(5, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat(common::api::MakeName(ResourceName(), id), " not found on ", day));
  }
  return MapRow(*rs, as_of);
}

absl::StatusOr<domain::Organization> OrganizationStore::Get(int64_t id, absl::CivilDay as_of) {
  return pool_.Read<domain::Organization>(
      "org.get", [&](Session& session) { return Get(session, id, as_of); });
}

absl::StatusOr<std::vector<domain::Organization>> OrganizationStore::GetMany(Session& session,
                                                                            const std::vector<int64_t>& ids,
                                                                            absl::CivilDay as_of) {
  if (ids.empty()) return std::vector<domain::Organization>{};
  static const std::string kSql =
      absl::StrCat("SELECT ", kColumns, kAsOfJoin, "WHERE o.id IN ", common::db::kIdSet);
  sql::PreparedStatement& ps = session.Prepare(kSql);
  const std::string day = Day(as_of);
  for (int i = 1; i <= 4; ++i) ps.setString(i, day);
  ps.setString(5, common::db::IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::Organization> rows;
  while (rs->next()) rows.push_back(MapRow(*rs, as_of));
  return InOrderOf(ids, std::move(rows), absl::StrCat(" on ", day));
}

absl::StatusOr<domain::Organization> OrganizationStore::GetCurrent(Session& session, int64_t id) {
  return ReadCurrent(session, id, /*locking=*/false);
}

absl::StatusOr<domain::Organization> OrganizationStore::ReadCurrent(Session& session, int64_t id, bool locking) {
  static const std::string kSql = absl::StrCat("SELECT ", kColumns, kOpenJoin, "WHERE o.id = ?");
  // Shared locks on the organization, its open period and its type row: writers of
  // the organization wait for us, other readers do not.
  static const std::string kLockingSql = absl::StrCat(kSql, " LOCK IN SHARE MODE");
  sql::PreparedStatement& ps = session.Prepare(locking ? kLockingSql : kSql);
  const absl::CivilDay today = common::api::Today();
  ps.setString(1, Day(today));
  ps.setString(2, Day(today));
  ps.setInt64(3, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return NotFound(id);
  domain::Organization org = MapRow(*rs, today);
  org.as_of = std::max(today, org.last_change_on);
  return org;
}

absl::StatusOr<std::vector<domain::Organization>> OrganizationStore::GetManyCurrent(Session& session,
                                                                                   const std::vector<int64_t>& ids) {
  if (ids.empty()) return std::vector<domain::Organization>{};
  static const std::string kSql = absl::StrCat("SELECT ", kColumns, kOpenJoin, "WHERE o.id IN ", common::db::kIdSet);
  sql::PreparedStatement& ps = session.Prepare(kSql);
  const absl::CivilDay today = common::api::Today();
  ps.setString(1, Day(today));
  ps.setString(2, Day(today));
  ps.setString(3, common::db::IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::Organization> rows;
  while (rs->next()) {
    rows.push_back(MapRow(*rs, today));
    rows.back().as_of = std::max(today, rows.back().last_change_on);
  }
  return InOrderOf(ids, std::move(rows), "");
}

absl::StatusOr<std::vector<OrganizationStore::SubtreeEntry>> OrganizationStore::Subtree(Session& session,
                                                                                         int64_t root,
                                                                                         absl::CivilDay as_of) {
  static const std::string kSql = absl::StrCat(R"(WITH RECURSIVE sub (id, depth, path) AS (
      SELECT v.organization_id, 0, CAST(LPAD(v.organization_id, 20, '0') AS CHAR(1400))
        FROM organization_versions v
       WHERE v.organization_id = ? AND v.state = 'ACTIVE' AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
      UNION ALL
      SELECT c.organization_id, s.depth + 1, CONCAT(s.path, '/', LPAD(c.organization_id, 20, '0'))
        FROM sub s JOIN organization_versions c
          ON c.parent_id = s.id AND c.state = 'ACTIVE' AND c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to > ?)
       WHERE s.depth < )", kMaxDepth, R"()
    SELECT id, depth FROM sub ORDER BY path)");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  const std::string day = Day(as_of);
  ps.setInt64(1, root);
  ps.setString(2, day);
  ps.setString(3, day);
  ps.setString(4, day);
  ps.setString(5, day);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<SubtreeEntry> out;
  while (rs->next()) out.push_back(SubtreeEntry{rs->getInt64("id"), rs->getInt("depth")});
  return out;
}

absl::StatusOr<std::vector<int64_t>> OrganizationStore::Chain(Session& session, int64_t id, absl::CivilDay as_of) {
  static const std::string kSql = absl::StrCat(R"(WITH RECURSIVE chain (id, parent_id, depth) AS (
      SELECT v.organization_id, v.parent_id, 0 FROM organization_versions v
       WHERE v.organization_id = ? AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
      UNION ALL
      SELECT v.organization_id, v.parent_id, c.depth + 1
        FROM chain c JOIN organization_versions v
          ON v.organization_id = c.parent_id AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
       WHERE c.depth < )", kMaxDepth, R"()
    SELECT id FROM chain ORDER BY depth)");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  const std::string day = Day(as_of);
  ps.setInt64(1, id);
  ps.setString(2, day);
  ps.setString(3, day);
  ps.setString(4, day);
  ps.setString(5, day);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> out;
  while (rs->next()) out.push_back(rs->getInt64("id"));
  return out;
}

absl::StatusOr<bool> OrganizationStore::IsWithinSubtree(Session& session, int64_t ancestor, int64_t descendant,
                                                        absl::CivilDay as_of) {
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> chain, Chain(session, descendant, as_of));
  return std::find(chain.begin(), chain.end(), ancestor) != chain.end();
}

absl::StatusOr<bool> OrganizationStore::IsWithinSubtreeLocked(Session& session, int64_t ancestor,
                                                              int64_t descendant) {
  // Per organization: the period covering today (whose parent the scope
  // answer uses) and the open period (where every restructure writes), both
  // share-locked. An organization founded with a future date has only the
  // open one, and is judged by it, as IsWithinSubtree does.
  sql::PreparedStatement& ps = session.Prepare(
      R"(SELECT parent_id FROM organization_versions
          WHERE organization_id = ? AND (valid_to IS NULL OR (valid_from <= ? AND valid_to > ?))
          ORDER BY valid_from LOCK IN SHARE MODE)");
  const std::string today = Day(common::api::Today());
  std::vector<int64_t> chain;
  std::optional<int64_t> current = descendant;
  while (current && static_cast<int>(chain.size()) < kMaxDepth) {
    if (*current == ancestor) return true;
    chain.push_back(*current);
    ps.setInt64(1, *current);
    ps.setString(2, today);
    ps.setString(3, today);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    if (!rs->next()) return false;
    // Rows come oldest first: the first is today's period when there is one.
    current = common::db::GetOptionalInt64(*rs, "parent_id");
    if (current && std::find(chain.begin(), chain.end(), *current) != chain.end()) {
      return absl::InternalError("organization tree contains a cycle");
    }
  }
  return false;
}

std::string OrganizationStore::ScopeNodeName(int64_t id) const { return common::api::MakeName(ResourceName(), id); }

absl::StatusOr<bool> OrganizationStore::IsWithinSubtree(int64_t ancestor, int64_t descendant) {
  bool asked_database = false;
  absl::StatusOr<bool> within = pool_.Read<bool>("org.scope", [&](Session& session) -> absl::StatusOr<bool> {
    if (std::optional<bool> cached = scope_cache_.IsWithinSubtree(session, ancestor, descendant)) return *cached;
    asked_database = true;
    GR_ASSIGN_OR_RETURN(std::vector<int64_t> chain, Chain(session, descendant, common::api::Today()));
    if (chain.empty()) {
      // Founded with a future date: judge by the period it will start with.
      sql::PreparedStatement& ps =
          session.Prepare("SELECT MAX(valid_from) AS d FROM organization_versions WHERE organization_id = ?");
      ps.setInt64(1, descendant);
      std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
      if (!rs->next() || rs->isNull("d")) return false;
      const absl::CivilDay latest = ParseDay(rs->getString("d"));
      rs.reset();
      GR_ASSIGN_OR_RETURN(chain, Chain(session, descendant, latest));
    }
    return std::find(chain.begin(), chain.end(), ancestor) != chain.end();
  });
  if (asked_database && within.ok()) scope_cache_.Reload(pool_);
  return within;
}

absl::StatusOr<std::vector<domain::Organization>> OrganizationStore::List(const ListQuery& query) {
  // Only fixed fragments are concatenated; every value is a bound parameter.
  std::string sql = absl::StrCat("SELECT ", kColumns, kAsOfJoin, "WHERE o.id > ?");
  if (query.parent_id) absl::StrAppend(&sql, " AND v.parent_id = ?");
  if (!query.level.empty()) absl::StrAppend(&sql, " AND t.level_code = ?");
  if (!query.type.empty()) absl::StrAppend(&sql, " AND v.type_code = ?");
  if (!query.sector.empty()) absl::StrAppend(&sql, " AND v.sector_code = ?");
  if (query.state) {
    absl::StrAppend(&sql, " AND v.state = ?");
  } else if (!query.include_ended) {
    absl::StrAppend(&sql, " AND v.state = 'ACTIVE'");
  }
  if (query.subtree_root) {
    // Ended organizations keep the parent they had when they ended, so the walk
    // reaches them when they are asked for.
    absl::StrAppend(&sql, query.include_subtree_root ? " AND (o.id = ? OR" : " AND (", R"( o.id IN (WITH RECURSIVE sub (id, depth) AS (
        SELECT c.organization_id, 1 FROM organization_versions c
         WHERE c.parent_id = ? AND c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to > ?))",
                    query.include_ended || query.state ? "" : " AND c.state = 'ACTIVE'",
                    R"( UNION ALL
        SELECT c.organization_id, s.depth + 1 FROM sub s JOIN organization_versions c
            ON c.parent_id = s.id AND c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to > ?))",
                    query.include_ended || query.state ? "" : " AND c.state = 'ACTIVE'", " WHERE s.depth < ",
                    kMaxDepth, ") SELECT id FROM sub))");
  }
  absl::StrAppend(&sql, " ORDER BY o.id LIMIT ?");
  return pool_.Read<std::vector<domain::Organization>>(
      "org.list", [&](Session& session) -> absl::StatusOr<std::vector<domain::Organization>> {
        sql::PreparedStatement& ps = session.Prepare(sql);
        const std::string day = Day(query.as_of);
        int i = 1;
        for (int k = 0; k < 4; ++k) ps.setString(i++, day);
        ps.setInt64(i++, query.after_id);
        if (query.parent_id) ps.setInt64(i++, *query.parent_id);
        if (!query.level.empty()) ps.setString(i++, query.level);
        if (!query.type.empty()) ps.setString(i++, query.type);
        if (!query.sector.empty()) ps.setString(i++, query.sector);
        if (query.state) ps.setString(i++, std::string(StateCode(*query.state)));
        if (query.subtree_root) {
          if (query.include_subtree_root) ps.setInt64(i++, *query.subtree_root);
          ps.setInt64(i++, *query.subtree_root);
          for (int k = 0; k < 4; ++k) ps.setString(i++, day);
        }
        ps.setInt(i++, query.limit + 1);
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<domain::Organization> out;
        while (rs->next()) out.push_back(MapRow(*rs, query.as_of));
        return out;
      });
}

absl::StatusOr<OrganizationStore::SubtreePage> OrganizationStore::SubtreeRows(Session& session, int64_t root,
                                                                              absl::CivilDay as_of, int32_t max_depth,
                                                                              const std::string& after_path,
                                                                              int32_t limit) {
  static const std::string kSql = absl::StrCat(R"(WITH RECURSIVE sub (id, depth, path) AS (
      SELECT v.organization_id, 0, CAST(LPAD(v.organization_id, 20, '0') AS CHAR(1400))
        FROM organization_versions v
       WHERE v.organization_id = ? AND v.state = 'ACTIVE' AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
      UNION ALL
      SELECT c.organization_id, s.depth + 1, CONCAT(s.path, '/', LPAD(c.organization_id, 20, '0'))
        FROM sub s JOIN organization_versions c
          ON c.parent_id = s.id AND c.state = 'ACTIVE' AND c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to > ?)
       WHERE s.depth < ? )
    SELECT sub.depth, sub.path, )",
                                               kColumns, kAsOfJoin, R"( JOIN sub ON sub.id = o.id
     WHERE sub.path > ? ORDER BY sub.path LIMIT ?)");
  sql::PreparedStatement& ps = session.Prepare(kSql);
  const std::string day = Day(as_of);
  int i = 1;
  ps.setInt64(i++, root);
  for (int k = 0; k < 4; ++k) ps.setString(i++, day);
  ps.setInt(i++, max_depth > 0 ? std::min(max_depth, kMaxDepth) : kMaxDepth);
  for (int k = 0; k < 4; ++k) ps.setString(i++, day);
  ps.setString(i++, after_path);
  ps.setInt(i++, limit + 1);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  SubtreePage page;
  while (rs->next()) {
    if (static_cast<int32_t>(page.nodes.size()) == limit) {
      page.has_more = true;
      break;
    }
    page.last_path = rs->getString("path");
    page.nodes.emplace_back(MapRow(*rs, as_of), rs->getInt("depth"));
  }
  return page;
}

absl::StatusOr<OrganizationStore::SubtreePage> OrganizationStore::SubtreePageOf(int64_t root, absl::CivilDay as_of,
                                                                                int32_t max_depth,
                                                                                const std::string& after_path,
                                                                                int32_t limit) {
  return pool_.Read<SubtreePage>("org.subtree", [&](Session& session) -> absl::StatusOr<SubtreePage> {
    GR_ASSIGN_OR_RETURN(domain::Organization root_org, Get(session, root, as_of));
    if (root_org.state != OrgState::kActive) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED",
                              absl::StrCat(common::api::MakeName(ResourceName(), root), " is not active on ",
                                           Day(as_of)));
    }
    return SubtreeRows(session, root, as_of, max_depth, after_path, limit);
  });
}

absl::StatusOr<std::vector<domain::Organization>> OrganizationStore::SubtreeOrganizations(Session& session,
                                                                                         int64_t root,
                                                                                         absl::CivilDay as_of) {
  // Far more than any tree holds; LIMIT needs a number.
  constexpr int32_t kAll = 1 << 30;
  GR_ASSIGN_OR_RETURN(SubtreePage page, SubtreeRows(session, root, as_of, 0, "", kAll));
  std::vector<domain::Organization> out;
  out.reserve(page.nodes.size());
  for (auto& [org, depth] : page.nodes) out.push_back(std::move(org));
  return out;
}

absl::StatusOr<std::vector<domain::Organization>> OrganizationStore::Ancestors(int64_t id, absl::CivilDay as_of) {
  return pool_.Read<std::vector<domain::Organization>>(
      "org.ancestors", [&](Session& session) -> absl::StatusOr<std::vector<domain::Organization>> {
        GR_ASSIGN_OR_RETURN(std::vector<int64_t> chain, Chain(session, id, as_of));
        if (chain.empty()) {
          return absl::NotFoundError(absl::StrCat(common::api::MakeName(ResourceName(), id), " not found on ",
                                                  Day(as_of)));
        }
        // The chain starts at `id` itself; ancestors are wanted root first.
        std::vector<int64_t> above(chain.rbegin(), chain.rend() - 1);
        return GetMany(session, above, as_of);
      });
}

absl::StatusOr<std::vector<domain::OrgEvent>> OrganizationStore::Events(int64_t id, int64_t after_event_id,
                                                                        int32_t limit) {
  return pool_.Read<std::vector<domain::OrgEvent>>(
      "org.events", [&](Session& session) -> absl::StatusOr<std::vector<domain::OrgEvent>> {
        sql::PreparedStatement& exists = session.Prepare("SELECT 1 FROM organizations WHERE id = ?");
        exists.setInt64(1, id);
        if (!session.Query(exists)->next()) return NotFound(id);
        sql::PreparedStatement& ps = session.Prepare(
            R"(SELECT id, kind, effective_date, decision_issuing_body, decision_number, decision_signed_on,
                      related_ids, previous_display_name, new_display_name, previous_parent_id, new_parent_id,
                      member_successor_id, previous_sector_code, new_sector_code, actor, record_time
                 FROM organization_events WHERE organization_id = ? AND id > ? ORDER BY id LIMIT ?)");
        ps.setInt64(1, id);
        ps.setInt64(2, after_event_id);
        ps.setInt(3, limit + 1);
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<domain::OrgEvent> out;
        while (rs->next()) {
          domain::OrgEvent e;
          e.id = rs->getInt64("id");
          e.kind = ParseEventKind(std::string(rs->getString("kind"))).value_or(domain::OrgEventKind::kCreated);
          e.organization_id = id;
          e.effective_date = ParseDay(rs->getString("effective_date"));
          e.decision.issuing_body = rs->getString("decision_issuing_body");
          e.decision.number = rs->getString("decision_number");
          if (auto signed_on = common::db::GetOptionalString(*rs, "decision_signed_on")) {
            e.decision.signed_on = ParseDay(*signed_on);
          }
          nlohmann::json related = nlohmann::json::parse(std::string(rs->getString("related_ids")), nullptr, false);
          if (related.is_array()) {
            for (const auto& r : related) {
              if (r.is_number_integer()) e.related_ids.push_back(r.get<int64_t>());
            }
          }
          e.previous_display_name = rs->getString("previous_display_name");
          e.new_display_name = rs->getString("new_display_name");
          e.previous_parent_id = common::db::GetOptionalInt64(*rs, "previous_parent_id");
          e.new_parent_id = common::db::GetOptionalInt64(*rs, "new_parent_id");
          e.member_successor_id = common::db::GetOptionalInt64(*rs, "member_successor_id");
          e.previous_sector = rs->getString("previous_sector_code");
          e.new_sector = rs->getString("new_sector_code");
          e.actor = rs->getString("actor");
          e.record_time = ParseTimestamp(rs->getString("record_time"));
          out.push_back(std::move(e));
        }
        return out;
      });
}

absl::StatusOr<std::vector<domain::OrgType>> OrganizationStore::ListTypes() {
  return pool_.Read<std::vector<domain::OrgType>>(
      "org.types", [&](Session& session) -> absl::StatusOr<std::vector<domain::OrgType>> {
        sql::PreparedStatement& ps = session.Prepare(
            "SELECT code, display_name, level_code, is_grassroots, is_cell FROM org_types ORDER BY sort_order, code");
        std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
        std::vector<domain::OrgType> out;
        while (rs->next()) {
          out.push_back(domain::OrgType{rs->getString("code"), rs->getString("display_name"),
                                        rs->getString("level_code"), rs->getBoolean("is_grassroots"),
                                        rs->getBoolean("is_cell")});
        }
        return out;
      });
}

absl::StatusOr<std::vector<OrganizationStore::SectorRow>> OrganizationStore::ListSectors() {
  return pool_.Read<std::vector<SectorRow>>("org.sectors", [&](Session& session) -> absl::StatusOr<std::vector<SectorRow>> {
    sql::PreparedStatement& ps = session.Prepare("SELECT code, display_name FROM sectors ORDER BY sort_order, code");
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    std::vector<SectorRow> out;
    while (rs->next()) out.push_back(SectorRow{rs->getString("code"), rs->getString("display_name")});
    return out;
  });
}

absl::StatusOr<domain::TypeCompatibility> OrganizationStore::LoadTypeCompatibility(Session& session) {
  domain::TypeCompatibility types;
  {
    std::unique_ptr<sql::ResultSet> rs =
        session.Query(session.Prepare("SELECT code, may_be_root, is_cell FROM org_types"));
    while (rs->next()) types.AddType(rs->getString("code"), rs->getBoolean("may_be_root"), rs->getBoolean("is_cell"));
  }
  std::unique_ptr<sql::ResultSet> rs =
      session.Query(session.Prepare("SELECT type_code, parent_type_code FROM org_type_parents"));
  while (rs->next()) types.AllowParent(rs->getString("type_code"), rs->getString("parent_type_code"));
  return types;
}

void OrganizationStore::ForgetTypeCompatibility() {
  absl::MutexLock lock(&types_mutex_);
  types_.reset();
}

absl::StatusOr<std::shared_ptr<const domain::TypeCompatibility>> OrganizationStore::TypeRules(Session& session) {
  {
    absl::MutexLock lock(&types_mutex_);
    if (types_) return types_;
  }
  // Loaded outside the lock: two first writes may both read, and either result is
  // the same table. A failed read is not kept.
  GR_ASSIGN_OR_RETURN(domain::TypeCompatibility loaded, LoadTypeCompatibility(session));
  auto shared = std::make_shared<const domain::TypeCompatibility>(std::move(loaded));
  absl::MutexLock lock(&types_mutex_);
  if (!types_) types_ = shared;
  return types_;
}

// ---- write primitives ----------------------------------------------------------

absl::Status OrganizationStore::LockOrganizations(Session& session, std::vector<int64_t> ids) {
  // Ascending id order: two restructures touching the same rows queue up
  // instead of deadlocking.
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  sql::PreparedStatement& ps = session.Prepare("SELECT id FROM organizations WHERE id = ? FOR UPDATE");
  for (int64_t id : ids) {
    ps.setInt64(1, id);
    if (!session.Query(ps)->next()) return NotFound(id);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> OrganizationStore::LockChain(Session& session, int64_t id) {
  // Locks the open period of every organization from `id` to its root. A
  // concurrent restructure that would change this chain must update one of
  // these rows, so it waits for us (or deadlocks and is retried), and the chain
  // we check cannot change before we commit.
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT parent_id FROM organization_versions WHERE organization_id = ? AND valid_to IS NULL FOR UPDATE");
  std::vector<int64_t> chain;
  std::optional<int64_t> current = id;
  while (current && static_cast<int>(chain.size()) < kMaxDepth) {
    chain.push_back(*current);
    ps.setInt64(1, *current);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    if (!rs->next()) break;
    current = common::db::GetOptionalInt64(*rs, "parent_id");
    if (current && std::find(chain.begin(), chain.end(), *current) != chain.end()) {
      return absl::InternalError("organization tree contains a cycle");
    }
  }
  return chain;
}

absl::Status OrganizationStore::AppendVersion(Session& session, int64_t id, absl::CivilDay effective,
                                              const VersionChange& change) {
  sql::PreparedStatement& read = session.Prepare(
      R"(SELECT id, valid_from, display_name, parent_id, type_code, sector_code, is_commune_military_cell, state,
                successor_id
           FROM organization_versions WHERE organization_id = ? AND valid_to IS NULL FOR UPDATE)");
  read.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (!rs->next()) return NotFound(id);
  const int64_t version_id = rs->getInt64("id");
  const absl::CivilDay valid_from = ParseDay(rs->getString("valid_from"));
  std::string display_name = change.display_name.value_or(std::string(rs->getString("display_name")));
  std::optional<int64_t> parent_id =
      change.parent_id ? *change.parent_id : common::db::GetOptionalInt64(*rs, "parent_id");
  const std::string type_code = rs->getString("type_code");
  const std::optional<std::string> sector =
      change.sector ? *change.sector : common::db::GetOptionalString(*rs, "sector_code");
  const bool military_cell = change.is_commune_military_cell.value_or(rs->getBoolean("is_commune_military_cell"));
  std::string state = change.state ? std::string(StateCode(*change.state)) : std::string(rs->getString("state"));
  std::optional<int64_t> successor =
      change.successor_id ? change.successor_id : common::db::GetOptionalInt64(*rs, "successor_id");
  rs.reset();
  GR_ASSIGN_OR_RETURN(domain::PeriodChange plan, domain::PlanPeriodChange(id, valid_from, effective));
  if (plan == domain::PeriodChange::kAmendOpenPeriod) {
    sql::PreparedStatement& update = session.Prepare(
        R"(UPDATE organization_versions SET display_name = ?, parent_id = ?, state = ?, successor_id = ?,
                  sector_code = ?, is_commune_military_cell = ?
            WHERE id = ?)");
    update.setString(1, display_name);
    common::db::SetOptionalInt64(update, 2, parent_id);
    update.setString(3, state);
    common::db::SetOptionalInt64(update, 4, successor);
    common::db::SetOptionalString(update, 5, sector);
    update.setBoolean(6, military_cell);
    update.setInt64(7, version_id);
    update.executeUpdate();
    return absl::OkStatus();
  }
  sql::PreparedStatement& close = session.Prepare("UPDATE organization_versions SET valid_to = ? WHERE id = ?");
  close.setString(1, Day(effective));
  close.setInt64(2, version_id);
  close.executeUpdate();
  sql::PreparedStatement& insert = session.Prepare(
      R"(INSERT INTO organization_versions (organization_id, valid_from, valid_to, display_name, parent_id, type_code,
                                          sector_code, is_commune_military_cell, state, successor_id)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?))");
  insert.setInt64(1, id);
  insert.setString(2, Day(effective));
  insert.setString(3, display_name);
  common::db::SetOptionalInt64(insert, 4, parent_id);
  insert.setString(5, type_code);
  common::db::SetOptionalString(insert, 6, sector);
  insert.setBoolean(7, military_cell);
  insert.setString(8, state);
  common::db::SetOptionalInt64(insert, 9, successor);
  insert.executeUpdate();
  return absl::OkStatus();
}

absl::Status OrganizationStore::Touch(Session& session, int64_t id, std::optional<absl::CivilDay> ended_on) {
  sql::PreparedStatement& ps = session.Prepare(
      R"(UPDATE organizations SET version = version + 1, update_time = UTC_TIMESTAMP(6),
                ended_on = COALESCE(?, ended_on) WHERE id = ?)");
  common::db::SetOptionalString(ps, 1, ended_on ? std::optional<std::string>(Day(*ended_on)) : std::nullopt);
  ps.setInt64(2, id);
  if (ps.executeUpdate() == 0) return NotFound(id);
  return absl::OkStatus();
}

absl::Status OrganizationStore::AppendEvent(Session& session, const domain::OrgEvent& event, const Actor& actor) {
  sql::PreparedStatement& ps = session.Prepare(
      R"(INSERT INTO organization_events (organization_id, kind, effective_date, decision_issuing_body,
           decision_number, decision_signed_on, related_ids, previous_display_name, new_display_name,
           previous_parent_id, new_parent_id, member_successor_id, previous_sector_code, new_sector_code,
           actor, request_id, record_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6)))");
  ps.setInt64(1, event.organization_id);
  ps.setString(2, std::string(EventKindCode(event.kind)));
  ps.setString(3, Day(event.effective_date));
  SetDecision(ps, 4, event.decision);
  ps.setString(7, nlohmann::json(event.related_ids).dump());
  ps.setString(8, event.previous_display_name);
  ps.setString(9, event.new_display_name);
  common::db::SetOptionalInt64(ps, 10, event.previous_parent_id);
  common::db::SetOptionalInt64(ps, 11, event.new_parent_id);
  common::db::SetOptionalInt64(ps, 12, event.member_successor_id);
  ps.setString(13, event.previous_sector);
  ps.setString(14, event.new_sector);
  ps.setString(15, actor.subject);
  ps.setString(16, actor.request_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> OrganizationStore::ActiveChildren(Session& session, int64_t id) {
  sql::PreparedStatement& ps = session.Prepare(
      R"(SELECT organization_id FROM organization_versions
          WHERE parent_id = ? AND valid_to IS NULL AND state = 'ACTIVE' ORDER BY organization_id FOR UPDATE)");
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> out;
  while (rs->next()) out.push_back(rs->getInt64("organization_id"));
  return out;
}

absl::StatusOr<std::vector<int64_t>> OrganizationStore::ActiveDescendants(Session& session, int64_t id) {
  std::vector<int64_t> out;
  std::vector<int64_t> frontier = {id};
  for (int depth = 0; depth < kMaxDepth && !frontier.empty(); ++depth) {
    std::vector<int64_t> next;
    for (int64_t parent : frontier) {
      GR_ASSIGN_OR_RETURN(std::vector<int64_t> children, ActiveChildren(session, parent));
      next.insert(next.end(), children.begin(), children.end());
    }
    out.insert(out.end(), next.begin(), next.end());
    frontier = std::move(next);
  }
  return out;
}

// ---- write helpers -------------------------------------------------------------

absl::StatusOr<domain::Organization> OrganizationStore::LockCurrent(Session& session, int64_t id,
                                                                    const std::string& etag) {
  GR_RETURN_IF_ERROR(LockOrganizations(session, {id}));
  GR_ASSIGN_OR_RETURN(domain::Organization org, GetCurrent(session, id));
  GR_RETURN_IF_ERROR(common::api::CheckEtag(etag, org.version, common::api::MakeName(ResourceName(), id)));
  return org;
}

absl::StatusOr<OrganizationStore::Relocation> OrganizationStore::BeginRelocation(Session& session, int64_t id,
                                                                                 int64_t destination,
                                                                                 absl::CivilDay effective,
                                                                                 const std::string& etag) {
  // Every lock is taken before the first plain read, so the transaction's snapshot
  // is no older than the locks.
  GR_RETURN_IF_ERROR(LockOrganizations(session, {id, destination}));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> locked_chain, LockChain(session, destination));
  Relocation relocation;
  GR_ASSIGN_OR_RETURN(relocation.org, GetCurrent(session, id));
  GR_RETURN_IF_ERROR(common::api::CheckEtag(etag, relocation.org.version, common::api::MakeName(ResourceName(), id)));
  GR_ASSIGN_OR_RETURN(relocation.destination, GetCurrent(session, destination));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> dated_chain, Chain(session, destination, effective));
  relocation.destination_chain = Union(std::move(locked_chain), dated_chain);
  GR_ASSIGN_OR_RETURN(relocation.types, TypeRules(session));
  return relocation;
}

absl::StatusOr<OrganizationStore::Changed> OrganizationStore::ApplyChange(Session& session,
                                                                         const domain::OrgEvent& event,
                                                                         VersionChange change, const Actor& actor) {
  // The domain tells which events end the organization, and in which state.
  std::optional<absl::CivilDay> ended_on;
  if (std::optional<OrgState> ending = domain::EndingStateOf(event.kind)) {
    change.state = *ending;
    ended_on = event.effective_date;
  }
  GR_RETURN_IF_ERROR(AppendVersion(session, event.organization_id, event.effective_date, change));
  GR_RETURN_IF_ERROR(Touch(session, event.organization_id, ended_on));
  GR_RETURN_IF_ERROR(AppendEvent(session, event, actor));
  return Changed{event.organization_id, ActionOf(event.kind), event};
}

absl::Status OrganizationStore::RequireKnownSector(Session& session, const std::string& sector,
                                                   std::string_view field) {
  sql::PreparedStatement& ps = session.Prepare("SELECT 1 FROM sectors WHERE code = ?");
  ps.setString(1, sector);
  if (!session.Query(ps)->next()) return common::InvalidField(field, "is not a known sector");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<domain::Organization>> OrganizationStore::FindOn(Session& session, int64_t id,
                                                                             absl::CivilDay day) {
  absl::StatusOr<domain::Organization> org = Get(session, id, day);
  if (absl::IsNotFound(org.status())) return std::optional<domain::Organization>();
  if (!org.ok()) return org.status();
  return std::optional<domain::Organization>(*std::move(org));
}

// ---- writes --------------------------------------------------------------------

absl::StatusOr<OrganizationStore::Changed> OrganizationStore::Create(Session& session, const NewOrganization& org,
                                                                    const domain::Decision& decision,
                                                                    const Actor& actor, domain::OrgEventKind kind,
                                                                    std::vector<int64_t> related) {
  std::optional<domain::Organization> parent;
  if (org.parent_id) {
    // A locking read: the parent as last committed, held until we commit, so a
    // concurrent dissolve (which locks it exclusively) cannot end it unseen, even
    // when this transaction's snapshot is older (a split creating several).
    GR_ASSIGN_OR_RETURN(parent, ReadCurrent(session, *org.parent_id, /*locking=*/true));
  }
  GR_ASSIGN_OR_RETURN(std::shared_ptr<const domain::TypeCompatibility> types, TypeRules(session));
  if (!types->Knows(org.type)) return common::InvalidField("organization.type", "is not a known organization type");
  GR_RETURN_IF_ERROR(domain::CheckCreate(org.type, parent ? &*parent : nullptr, org.established_on, *types));
  if (!org.sector.empty()) GR_RETURN_IF_ERROR(RequireKnownSector(session, org.sector, "organization.sector"));
  if (org.is_commune_military_cell) {
    std::optional<domain::Organization> parent_on_date;
    if (org.parent_id) {
      GR_ASSIGN_OR_RETURN(parent_on_date, FindOn(session, *org.parent_id, org.established_on));
    }
    GR_RETURN_IF_ERROR(domain::CheckCommuneMilitaryCell(types->IsCell(org.type),
                                                        parent_on_date ? &*parent_on_date : nullptr));
  }
  sql::PreparedStatement& taken = session.Prepare("SELECT id FROM organizations WHERE code = ?");
  taken.setString(1, org.code);
  if (session.Query(taken)->next()) {
    return absl::AlreadyExistsError(absl::StrCat("an organization with code ", org.code, " already exists"));
  }
  sql::PreparedStatement& insert = session.Prepare(
      R"(INSERT INTO organizations (code, address, phone, note, established_on, version, create_time, update_time)
         VALUES (?, ?, ?, ?, ?, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)))");
  insert.setString(1, org.code);
  insert.setString(2, org.address);
  insert.setString(3, org.phone);
  insert.setString(4, org.note);
  insert.setString(5, Day(org.established_on));
  insert.executeUpdate();
  const int64_t id = session.LastInsertId();
  sql::PreparedStatement& version = session.Prepare(
      R"(INSERT INTO organization_versions (organization_id, valid_from, valid_to, display_name, parent_id, type_code,
                                          sector_code, is_commune_military_cell, state)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'ACTIVE'))");
  version.setInt64(1, id);
  version.setString(2, Day(org.established_on));
  version.setString(3, org.display_name);
  common::db::SetOptionalInt64(version, 4, org.parent_id);
  version.setString(5, org.type);
  common::db::SetOptionalString(version, 6,
                                org.sector.empty() ? std::nullopt : std::optional<std::string>(org.sector));
  version.setBoolean(7, org.is_commune_military_cell);
  version.executeUpdate();
  domain::OrgEvent event = EventOf(kind, id, org.established_on, decision);
  event.related_ids = std::move(related);
  event.new_display_name = org.display_name;
  event.new_parent_id = org.parent_id;
  event.new_sector = org.sector;
  GR_RETURN_IF_ERROR(AppendEvent(session, event, actor));
  return Changed{id, ActionOf(kind), event};
}

absl::StatusOr<OrganizationStore::Changed> OrganizationStore::UpdateAttributes(Session& session, int64_t id,
                                                                              const AttributeUpdate& update,
                                                                              const std::string& etag,
                                                                              const Actor& actor) {
  GR_ASSIGN_OR_RETURN(domain::Organization current, LockCurrent(session, id, etag));
  GR_RETURN_IF_ERROR(domain::CheckAttributeUpdate(current, update.unchanged_sector));
  sql::PreparedStatement& ps = session.Prepare(
      R"(UPDATE organizations SET address = ?, phone = ?, note = ? WHERE id = ?)");
  ps.setString(1, update.address.value_or(current.address));
  ps.setString(2, update.phone.value_or(current.phone));
  ps.setString(3, update.note.value_or(current.note));
  ps.setInt64(4, id);
  ps.executeUpdate();
  GR_RETURN_IF_ERROR(Touch(session, id, std::nullopt));
  // No dated fact changes: the event stands on the day the current view shows.
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kAttributesUpdated, id, current.as_of, domain::Decision{});
  GR_RETURN_IF_ERROR(AppendEvent(session, event, actor));
  return Changed{id, ActionOf(event.kind), event};
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::ChangeSector(
    Session& session, int64_t id, const std::string& new_sector, absl::CivilDay effective,
    const domain::Decision& decision, const std::string& etag, const Actor& actor) {
  GR_ASSIGN_OR_RETURN(domain::Organization org, LockCurrent(session, id, etag));
  GR_RETURN_IF_ERROR(RequireKnownSector(session, new_sector, "new_sector"));
  GR_RETURN_IF_ERROR(domain::CheckSectorChange(org, new_sector, effective));
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kSectorChanged, id, effective, decision);
  event.previous_sector = org.sector;
  event.new_sector = new_sector;
  GR_ASSIGN_OR_RETURN(Changed changed,
                      ApplyChange(session, event, VersionChange{.sector = std::optional<std::string>(new_sector)},
                                  actor));
  return std::vector<Changed>{changed};
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::ChangeMilitaryCell(
    Session& session, int64_t id, bool is_commune_military_cell, absl::CivilDay effective,
    const domain::Decision& decision, const std::string& etag, const Actor& actor) {
  GR_ASSIGN_OR_RETURN(domain::Organization org, LockCurrent(session, id, etag));
  std::optional<domain::Organization> parent_on_date;
  if (org.parent_id) {
    GR_RETURN_IF_ERROR(LockOrganizations(session, {*org.parent_id}));
    GR_ASSIGN_OR_RETURN(parent_on_date, FindOn(session, *org.parent_id, effective));
  }
  GR_RETURN_IF_ERROR(domain::CheckMilitaryCellChange(org, is_commune_military_cell,
                                                     parent_on_date ? &*parent_on_date : nullptr, effective));
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kMilitaryCellChanged, id, effective, decision);
  GR_ASSIGN_OR_RETURN(Changed changed,
                      ApplyChange(session, event,
                                  VersionChange{.is_commune_military_cell = is_commune_military_cell}, actor));
  return std::vector<Changed>{changed};
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::Rename(
    Session& session, int64_t id, const std::string& new_display_name, absl::CivilDay effective,
    const domain::Decision& decision, const std::string& etag, const Actor& actor) {
  GR_ASSIGN_OR_RETURN(domain::Organization org, LockCurrent(session, id, etag));
  GR_RETURN_IF_ERROR(domain::CheckRename(org, new_display_name, effective));
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kRenamed, id, effective, decision);
  event.previous_display_name = org.display_name;
  event.new_display_name = new_display_name;
  GR_ASSIGN_OR_RETURN(Changed changed,
                      ApplyChange(session, event, VersionChange{.display_name = new_display_name}, actor));
  return std::vector<Changed>{changed};
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::Move(
    Session& session, int64_t id, int64_t new_parent_id, absl::CivilDay effective, const domain::Decision& decision,
    const std::string& etag, const Actor& actor) {
  GR_ASSIGN_OR_RETURN(Relocation move, BeginRelocation(session, id, new_parent_id, effective, etag));
  GR_RETURN_IF_ERROR(domain::CheckMove(move.org, move.destination, move.destination_chain, effective, *move.types));
  if (move.org.is_commune_military_cell) {
    // A commune military cell stays under a commune-level organization.
    GR_ASSIGN_OR_RETURN(std::optional<domain::Organization> parent_on_date, FindOn(session, new_parent_id, effective));
    GR_RETURN_IF_ERROR(domain::CheckCommuneMilitaryCell(move.org.type.is_cell,
                                                        parent_on_date ? &*parent_on_date : nullptr));
  }
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kMoved, id, effective, decision);
  event.related_ids = {new_parent_id};
  event.previous_parent_id = move.org.parent_id;
  event.new_parent_id = new_parent_id;
  GR_ASSIGN_OR_RETURN(Changed changed,
                      ApplyChange(session, event, VersionChange{.parent_id = std::optional<int64_t>(new_parent_id)},
                                  actor));
  return std::vector<Changed>{changed};
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::MoveChildren(
    Session& session, const std::vector<domain::Organization>& children, int64_t from, int64_t to,
    absl::CivilDay effective, const domain::Decision& decision, const Actor& actor) {
  std::vector<Changed> changed;
  for (const domain::Organization& child : children) {
    domain::OrgEvent moved = EventOf(domain::OrgEventKind::kMoved, child.id, effective, decision);
    moved.related_ids = {from, to};
    moved.previous_parent_id = from;
    moved.new_parent_id = to;
    GR_ASSIGN_OR_RETURN(Changed one,
                        ApplyChange(session, moved, VersionChange{.parent_id = std::optional<int64_t>(to)}, actor));
    changed.push_back(std::move(one));
  }
  return changed;
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::Merge(
    Session& session, const std::vector<int64_t>& sources, int64_t target, absl::CivilDay effective,
    const domain::Decision& decision, const Actor& actor) {
  std::vector<int64_t> lock_ids = sources;
  lock_ids.push_back(target);
  GR_RETURN_IF_ERROR(LockOrganizations(session, lock_ids));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> locked_chain, LockChain(session, target));
  GR_ASSIGN_OR_RETURN(domain::Organization target_org, GetCurrent(session, target));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> dated_chain, Chain(session, target, effective));
  GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> source_orgs, GetManyCurrent(session, sources));
  std::vector<std::pair<int64_t, std::vector<domain::Organization>>> children_of;
  std::vector<domain::Organization> all_children;
  std::vector<std::string> children_types;
  for (int64_t source : sources) {
    GR_ASSIGN_OR_RETURN(std::vector<int64_t> child_ids, ActiveChildren(session, source));
    GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> children, GetManyCurrent(session, child_ids));
    for (const domain::Organization& child : children) {
      children_types.push_back(child.type.code);
      all_children.push_back(child);
    }
    children_of.emplace_back(source, std::move(children));
  }
  GR_ASSIGN_OR_RETURN(std::shared_ptr<const domain::TypeCompatibility> types, TypeRules(session));
  GR_RETURN_IF_ERROR(domain::CheckMerge(source_orgs, target_org, Union(locked_chain, dated_chain), children_types,
                                        effective, *types));
  GR_RETURN_IF_ERROR(domain::CheckChildrenFollow(all_children, effective));
  std::vector<Changed> changed;
  for (const auto& [source, children] : children_of) {
    GR_ASSIGN_OR_RETURN(std::vector<Changed> moved,
                        MoveChildren(session, children, source, target, effective, decision, actor));
    changed.insert(changed.end(), moved.begin(), moved.end());
  }
  for (const domain::Organization& source : source_orgs) {
    domain::OrgEvent merged = EventOf(domain::OrgEventKind::kMerged, source.id, effective, decision);
    merged.related_ids = {target};
    merged.member_successor_id = domain::MergeMemberSuccessor(source, target_org);
    GR_ASSIGN_OR_RETURN(Changed one, ApplyChange(session, merged, VersionChange{.successor_id = target}, actor));
    changed.push_back(std::move(one));
  }
  // The target keeps its period; only its version and history change.
  GR_RETURN_IF_ERROR(Touch(session, target, std::nullopt));
  domain::OrgEvent absorbed = EventOf(domain::OrgEventKind::kAbsorbed, target, effective, decision);
  absorbed.related_ids = sources;
  GR_RETURN_IF_ERROR(AppendEvent(session, absorbed, actor));
  changed.push_back({target, ActionOf(absorbed.kind), absorbed});
  return changed;
}

absl::StatusOr<OrganizationStore::SplitResult> OrganizationStore::Split(
    Session& session, int64_t id, std::vector<NewOrganization> new_orgs, const std::map<int64_t, int32_t>& assignments,
    std::optional<int32_t> member_successor_index, absl::CivilDay effective, const domain::Decision& decision,
    const std::string& etag, const Actor& actor) {
  GR_ASSIGN_OR_RETURN(domain::Organization org, LockCurrent(session, id, etag));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> children, ActiveChildren(session, id));
  GR_RETURN_IF_ERROR(domain::CheckSplit(org, new_orgs.size(), children, assignments, effective));
  GR_ASSIGN_OR_RETURN(std::shared_ptr<const domain::TypeCompatibility> types, TypeRules(session));
  GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> child_orgs, GetManyCurrent(session, children));
  std::vector<domain::SplitResult> plan;
  for (const NewOrganization& fresh : new_orgs) plan.push_back({fresh.parent_id, fresh.type});
  GR_RETURN_IF_ERROR(
      domain::CheckSplitPlan(org, plan, child_orgs, assignments, member_successor_index, effective, *types));
  SplitResult result;
  for (NewOrganization& fresh : new_orgs) {
    if (!fresh.parent_id) fresh.parent_id = org.parent_id;
    fresh.established_on = effective;
    GR_ASSIGN_OR_RETURN(Changed created,
                        Create(session, fresh, decision, actor, domain::OrgEventKind::kCreatedBySplit, {id}));
    result.created.push_back(created.id);
    result.changed.push_back(std::move(created));
  }
  for (const domain::Organization& child : child_orgs) {
    const int64_t receiver = result.created[static_cast<size_t>(assignments.at(child.id))];
    GR_ASSIGN_OR_RETURN(std::vector<Changed> moved,
                        MoveChildren(session, {child}, id, receiver, effective, decision, actor));
    result.changed.insert(result.changed.end(), moved.begin(), moved.end());
  }
  domain::OrgEvent split = EventOf(domain::OrgEventKind::kSplit, id, effective, decision);
  split.related_ids = result.created;
  if (member_successor_index) split.member_successor_id = result.created[static_cast<size_t>(*member_successor_index)];
  GR_ASSIGN_OR_RETURN(Changed changed,
                      ApplyChange(session, split, VersionChange{}, actor));
  result.changed.push_back(std::move(changed));
  return result;
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::Dissolve(
    Session& session, int64_t id, std::optional<int64_t> member_successor, absl::CivilDay effective,
    const domain::Decision& decision, const std::string& etag, const Actor& actor) {
  std::vector<int64_t> lock_ids = {id};
  if (member_successor) lock_ids.push_back(*member_successor);
  // The successor is locked too, so it cannot end unseen before we commit.
  GR_RETURN_IF_ERROR(LockOrganizations(session, lock_ids));
  GR_ASSIGN_OR_RETURN(domain::Organization org, LockCurrent(session, id, etag));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> children, ActiveChildren(session, id));
  GR_RETURN_IF_ERROR(domain::CheckDissolve(org, children.size(), effective));
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kDissolved, id, effective, decision);
  if (member_successor) {
    GR_ASSIGN_OR_RETURN(std::optional<domain::Organization> successor, FindOn(session, *member_successor, effective));
    GR_RETURN_IF_ERROR(domain::CheckMemberSuccessor(org, successor ? &*successor : nullptr, *member_successor,
                                                    effective, "member_successor"));
    event.member_successor_id = member_successor;
  }
  GR_ASSIGN_OR_RETURN(Changed changed,
                      ApplyChange(session, event, VersionChange{}, actor));
  return std::vector<Changed>{changed};
}

absl::StatusOr<std::vector<OrganizationStore::Changed>> OrganizationStore::HandOver(
    Session& session, int64_t id, int64_t receiving, absl::CivilDay effective, const domain::Decision& decision,
    const std::string& etag, const Actor& actor) {
  GR_ASSIGN_OR_RETURN(Relocation handover, BeginRelocation(session, id, receiving, effective, etag));
  GR_RETURN_IF_ERROR(
      domain::CheckHandOver(handover.org, handover.destination, handover.destination_chain, effective, *handover.types));
  GR_ASSIGN_OR_RETURN(std::vector<int64_t> descendants, ActiveDescendants(session, id));
  GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> below, GetManyCurrent(session, descendants));
  GR_RETURN_IF_ERROR(domain::CheckChildrenFollow(below, effective));
  std::vector<Changed> changed;
  domain::OrgEvent event = EventOf(domain::OrgEventKind::kHandedOver, id, effective, decision);
  event.related_ids = {receiving};
  event.previous_parent_id = handover.org.parent_id;
  event.new_parent_id = receiving;
  GR_ASSIGN_OR_RETURN(Changed top, ApplyChange(session, event,
                                               VersionChange{.parent_id = std::optional<int64_t>(receiving),
                                                             .successor_id = receiving},
                                               actor));
  changed.push_back(std::move(top));
  // The units below go with it; they keep their parents inside the subtree.
  for (const domain::Organization& unit : below) {
    domain::OrgEvent cascaded = EventOf(domain::OrgEventKind::kHandedOver, unit.id, effective, decision);
    cascaded.related_ids = {id, receiving};
    GR_ASSIGN_OR_RETURN(Changed one, ApplyChange(session, cascaded, VersionChange{}, actor));
    changed.push_back(std::move(one));
  }
  return changed;
}

}  // namespace grassroots::org::store
