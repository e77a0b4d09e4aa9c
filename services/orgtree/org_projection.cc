#include "services/orgtree/org_projection.h"

#include <algorithm>

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/orgtree/residential_units.h"

namespace grassroots::orgtree {
namespace {

using common::db::Session;
namespace orgpb = grassroots::org::v1;

constexpr char kCollection[] = "organizations";

// A change carries the organization's state after it; this is the part the
// projection keeps. Malformed names or dates are INVALID_ARGUMENT.
absl::StatusOr<ProjectedOrganization> FromMessage(const orgpb::Organization& in) {
  ProjectedOrganization org;
  GR_ASSIGN_OR_RETURN(org.id, common::api::ParseId(in.name(), kCollection, "organization.name"));
  if (!in.parent().empty()) {
    GR_ASSIGN_OR_RETURN(int64_t parent, common::api::ParseId(in.parent(), kCollection, "organization.parent"));
    if (parent == org.id) return common::InvalidField("organization.parent", "names the organization itself");
    org.parent_id = parent;
  }
  org.code = in.code();
  org.display_name = in.display_name();
  org.type_code = in.type();
  org.is_cell = in.is_cell();
  org.is_grassroots = in.is_grassroots();
  org.state = static_cast<int32_t>(in.state());
  GR_ASSIGN_OR_RETURN(org.established_on, common::api::ParseDate(in.established_on(), "organization.established_on"));
  if (!in.ended_on().empty()) {
    GR_ASSIGN_OR_RETURN(org.ended_on, common::api::ParseDate(in.ended_on(), "organization.ended_on"));
  }
  return org;
}

// A DATE column as the server returns it ("YYYY-MM-DD").
absl::CivilDay ParseStoredDay(const std::string& text) {
  absl::CivilDay day;
  if (text.size() < 10 || !absl::ParseCivilTime(text.substr(0, 10), &day)) return absl::CivilDay();
  return day;
}

ProjectedOrganization MapRow(sql::ResultSet& rs) {
  ProjectedOrganization org;
  org.id = rs.getInt64("org_id");
  org.parent_id = common::db::GetOptionalInt64(rs, "parent_id");
  org.code = rs.getString("code");
  org.display_name = rs.getString("display_name");
  org.type_code = rs.getString("type_code");
  org.is_cell = rs.getBoolean("is_cell");
  org.is_grassroots = rs.getBoolean("is_grassroots");
  org.state = rs.getInt("state");
  org.established_on = ParseStoredDay(rs.getString("established_on"));
  if (auto ended = common::db::GetOptionalString(rs, "ended_on")) org.ended_on = ParseStoredDay(*ended);
  return org;
}

// Links every node of root's subtree under `parent` and all of parent's
// ancestors. parent's own links must be complete; root's subtree links too.
void LinkSubtreeUnder(Session& session, int64_t root, int64_t parent) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
      "SELECT above.ancestor_id, below.descendant_id, above.depth + below.depth + 1 "
      "FROM org_closure above JOIN org_closure below "
      "WHERE above.descendant_id = ? AND below.ancestor_id = ? "
      "ON DUPLICATE KEY UPDATE depth = VALUES(depth)");
  ps.setInt64(1, parent);
  ps.setInt64(2, root);
  ps.executeUpdate();
}

// Removes the links from root's subtree to everything outside it (root's old
// ancestors); the links inside the subtree stay.
void UnlinkSubtreeFromAncestors(Session& session, int64_t root) {
  sql::PreparedStatement& ps = session.Prepare(
      "DELETE link FROM org_closure link "
      "JOIN org_closure member ON member.descendant_id = link.descendant_id AND member.ancestor_id = ? "
      "LEFT JOIN org_closure inside ON inside.ancestor_id = ? AND inside.descendant_id = link.ancestor_id "
      "WHERE inside.ancestor_id IS NULL");
  ps.setInt64(1, root);
  ps.setInt64(2, root);
  ps.executeUpdate();
}

absl::StatusOr<bool> HasLink(Session& session, int64_t ancestor, int64_t descendant) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT 1 FROM org_closure WHERE ancestor_id = ? AND descendant_id = ?");
  ps.setInt64(1, ancestor);
  ps.setInt64(2, descendant);
  return session.Query(ps)->next();
}

// Children already projected whose subtree is not linked under `id`: they
// arrived before their parent did (possible when one restructuring records a
// new organization after the children it receives). Returns their ids.
std::vector<int64_t> UnlinkedChildren(Session& session, int64_t id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT child.org_id FROM org_projection child "
      "LEFT JOIN org_closure link ON link.ancestor_id = child.parent_id AND link.descendant_id = child.org_id "
      "WHERE child.parent_id = ? AND child.org_id <> ? AND link.ancestor_id IS NULL");
  ps.setInt64(1, id);
  ps.setInt64(2, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> ids;
  while (rs->next()) ids.push_back(rs->getInt64(1));
  return ids;
}

}  // namespace

absl::Status OrgProjection::Clear(Session& session) {
  ClearResidentialUnits(session);
  session.Prepare("DELETE FROM org_closure").executeUpdate();
  session.Prepare("DELETE FROM org_projection").executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<FeedPosition> OrgProjection::Position(Session& session, const std::string& source) {
  return common::feed::ReadCursor(session, source);
}

absl::Status OrgProjection::Reset(Session& session, const std::string& source) {
  return common::feed::RewindCursor(session, source, &OrgProjection::Clear);
}

absl::StatusOr<EpochBinding> OrgProjection::BindEpoch(Session& session, const std::string& source,
                                                      const std::string& epoch) {
  return common::feed::BindCursorEpoch(session, source, epoch, &OrgProjection::Clear);
}

absl::StatusOr<bool> OrgProjection::ApplyAt(Session& session, const std::string& source, const std::string& epoch,
                                            int64_t sequence, absl::FunctionRef<absl::Status(Session&)> apply) {
  return common::feed::ApplyAtCursor(session, source, epoch, sequence, apply);
}

absl::StatusOr<bool> OrgProjection::Apply(Session& session, const std::string& source, const std::string& epoch,
                                          int64_t sequence, const orgpb::Organization& organization) {
  return ApplyAt(session, source, epoch, sequence,
                 [&](Session& s) { return ApplyOrganization(s, sequence, organization); });
}

absl::Status OrgProjection::ApplyOrganization(Session& session, int64_t sequence,
                                              const orgpb::Organization& organization) {
  GR_ASSIGN_OR_RETURN(const ProjectedOrganization org, FromMessage(organization));

  // The row as it stands, locked: its parent decides whether the closure changes.
  sql::PreparedStatement& current =
      session.Prepare("SELECT parent_id FROM org_projection WHERE org_id = ? FOR UPDATE");
  current.setInt64(1, org.id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(current);
  const bool known = rs->next();
  const std::optional<int64_t> old_parent = known ? common::db::GetOptionalInt64(*rs, "parent_id") : std::nullopt;
  rs.reset();

  if (org.parent_id && known && old_parent != org.parent_id) {
    GR_ASSIGN_OR_RETURN(bool parent_inside, HasLink(session, org.id, *org.parent_id));
    if (parent_inside) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "PROJECTION_CYCLE",
                              absl::StrCat("change ", sequence, " moves organization ", org.id,
                                           " under its own descendant ", *org.parent_id));
    }
  }

  sql::PreparedStatement& upsert = session.Prepare(
      "INSERT INTO org_projection (org_id, parent_id, code, display_name, type_code, is_cell, is_grassroots, "
      "state, established_on, ended_on, source_sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE parent_id = VALUES(parent_id), code = VALUES(code), "
      "display_name = VALUES(display_name), type_code = VALUES(type_code), is_cell = VALUES(is_cell), "
      "is_grassroots = VALUES(is_grassroots), state = VALUES(state), established_on = VALUES(established_on), "
      "ended_on = VALUES(ended_on), source_sequence = VALUES(source_sequence)");
  upsert.setInt64(1, org.id);
  common::db::SetOptionalInt64(upsert, 2, org.parent_id);
  upsert.setString(3, org.code);
  upsert.setString(4, org.display_name);
  upsert.setString(5, org.type_code);
  upsert.setBoolean(6, org.is_cell);
  upsert.setBoolean(7, org.is_grassroots);
  upsert.setInt(8, org.state);
  upsert.setString(9, common::api::FormatDate(org.established_on));
  common::db::SetOptionalString(
      upsert, 10, org.ended_on ? std::optional<std::string>(common::api::FormatDate(*org.ended_on)) : std::nullopt);
  upsert.setInt64(11, sequence);
  upsert.executeUpdate();

  sql::PreparedStatement& self = session.Prepare(
      "INSERT IGNORE INTO org_closure (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)");
  self.setInt64(1, org.id);
  self.setInt64(2, org.id);
  self.executeUpdate();

  if (!known || old_parent != org.parent_id) {
    // New, moved, or made a root: the subtree keeps its inner links and trades
    // the old ancestors for the new ones.
    UnlinkSubtreeFromAncestors(session, org.id);
    if (org.parent_id) LinkSubtreeUnder(session, org.id, *org.parent_id);
  }
  for (int64_t child : UnlinkedChildren(session, org.id)) LinkSubtreeUnder(session, child, org.id);
  return absl::OkStatus();
}

absl::Status OrgProjection::Skip(Session& session, const std::string& source, const std::string& epoch,
                                 int64_t sequence) {
  return common::feed::AdvanceCursor(session, source, epoch, sequence);
}

absl::StatusOr<std::optional<ProjectedOrganization>> OrgProjection::Find(Session& session, int64_t id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT org_id, parent_id, code, display_name, type_code, is_cell, is_grassroots, state, "
      "established_on, ended_on FROM org_projection WHERE org_id = ?");
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<ProjectedOrganization>();
  return std::optional<ProjectedOrganization>(MapRow(*rs));
}

absl::StatusOr<bool> OrgProjection::IsWithinSubtree(Session& session, int64_t ancestor, int64_t descendant) {
  if (ancestor == descendant) return true;
  return HasLink(session, ancestor, descendant);
}

std::string OrgProjection::ScopeNodeName(int64_t id) const { return common::api::MakeName("organizations", id); }

absl::StatusOr<bool> OrgProjection::IsWithinSubtree(int64_t ancestor, int64_t descendant) {
  if (ancestor == descendant) return true;
  return pool_.Read<bool>("orgtree.projection.within",
                          [&](Session& session) { return IsWithinSubtree(session, ancestor, descendant); });
}

absl::StatusOr<std::vector<ProjectedOrganization>> OrgProjection::SubtreeOrganizations(Session& session,
                                                                                      int64_t root) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT p.org_id, p.parent_id, p.code, p.display_name, p.type_code, p.is_cell, p.is_grassroots, p.state, "
      "p.established_on, p.ended_on FROM org_projection p WHERE p.org_id = ? OR p.org_id IN "
      "(SELECT descendant_id FROM org_closure WHERE ancestor_id = ?) ORDER BY p.org_id");
  ps.setInt64(1, root);
  ps.setInt64(2, root);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<ProjectedOrganization> out;
  while (rs->next()) out.push_back(MapRow(*rs));
  return out;
}

absl::StatusOr<std::vector<int64_t>> OrgProjection::SubtreeIds(Session& session, int64_t root) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT descendant_id FROM org_closure WHERE ancestor_id = ? ORDER BY descendant_id");
  ps.setInt64(1, root);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> ids;
  bool has_root = false;
  while (rs->next()) {
    const int64_t id = rs->getInt64(1);
    has_root = has_root || id == root;
    ids.push_back(id);
  }
  // An organization the projection has not received yet is still its own subtree.
  if (!has_root) ids.insert(std::lower_bound(ids.begin(), ids.end(), root), root);
  return ids;
}

}  // namespace grassroots::orgtree
