#include "services/orgtree/residential_units.h"

#include <memory>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "grassroots/org/v1/residential_unit.pb.h"

namespace grassroots::orgtree {
namespace {

using common::db::Session;
namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;

constexpr char kUnits[] = "residentialUnits";
constexpr char kCoveringsSegment[] = "/coverings/";

// The definition of a residential cell, as SQL over a covering c and its unit
// u: both in force on the day (bound four times). Every query form below
// starts from it, so the rule is written once.
constexpr char kResidentialCellsOn[] =
    "SELECT DISTINCT c.cell_id FROM unit_covering_projection c "
    "JOIN residential_unit_projection u ON u.unit_id = c.unit_id "
    "WHERE c.valid_from <= ? AND (c.valid_to IS NULL OR ? < c.valid_to) "
    "AND u.established_on <= ? AND (u.ended_on IS NULL OR ? < u.ended_on)";

template <typename Payload>
absl::StatusOr<Payload> Unpack(const feedpb::Change& change) {
  Payload payload;
  if (!change.resource().Is<Payload>() || !change.resource().UnpackTo(&payload)) {
    return common::InvalidField("resource", absl::StrCat("is ", change.resource().type_url(), ", not a readable ",
                                                         Payload::descriptor()->full_name()));
  }
  return payload;
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(const std::string& text, std::string_view field) {
  if (text.empty()) return std::optional<absl::CivilDay>();
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, common::api::ParseDate(text, field));
  return std::optional<absl::CivilDay>(day);
}

std::optional<std::string> OptionalDateText(const std::optional<absl::CivilDay>& day) {
  return day ? std::optional<std::string>(common::api::FormatDate(*day)) : std::nullopt;
}

// Runs a query of kResidentialCellsOn plus `filter`, whose own parameters
// `bind_filter` sets from index 5.
template <typename BindFilter>
absl::StatusOr<std::set<int64_t>> SelectResidentialCells(Session& session, absl::CivilDay day,
                                                         std::string_view filter, BindFilter bind_filter) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(kResidentialCellsOn, common::ToAbsl(filter)));
  const std::string text = common::api::FormatDate(day);
  for (int index = 1; index <= 4; ++index) ps.setString(index, text);
  bind_filter(ps, 5);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::set<int64_t> cells;
  while (rs->next()) cells.insert(rs->getInt64(1));
  return cells;
}

}  // namespace

absl::StatusOr<ProjectedResidentialUnit> DecodeResidentialUnit(const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::ResidentialUnit in, Unpack<orgpb::ResidentialUnit>(change));
  ProjectedResidentialUnit unit;
  GR_ASSIGN_OR_RETURN(unit.id, common::api::ParseId(in.name(), kUnits, "unit.name"));
  if (in.code().empty()) return common::InvalidField("unit.code", "is required");
  unit.code = in.code();
  GR_ASSIGN_OR_RETURN(unit.commune_organization_id, common::api::ParseId(in.commune_organization(), "organizations",
                                                                         "unit.commune_organization"));
  GR_ASSIGN_OR_RETURN(unit.established_on, common::api::ParseDate(in.established_on(), "unit.established_on"));
  GR_ASSIGN_OR_RETURN(unit.ended_on, OptionalDate(in.ended_on(), "unit.ended_on"));
  if (unit.ended_on && *unit.ended_on <= unit.established_on) {
    return common::InvalidField("unit.ended_on", "must be after unit.established_on");
  }
  return unit;
}

absl::StatusOr<ProjectedCovering> DecodeCovering(const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::CoveringPeriod in, Unpack<orgpb::CoveringPeriod>(change));
  ProjectedCovering covering;
  // "residentialUnits/{unit}/coverings/{covering}"
  const std::string_view name = in.name();
  const size_t segment = name.find(kCoveringsSegment);
  if (segment == std::string_view::npos) {
    return common::InvalidField("covering.name", "must be residentialUnits/{unit}/coverings/{covering}");
  }
  GR_ASSIGN_OR_RETURN(const int64_t named_unit, common::api::ParseId(name.substr(0, segment), kUnits, "covering.name"));
  GR_ASSIGN_OR_RETURN(covering.id, common::api::ParseId(name.substr(segment + 1), "coverings", "covering.name"));
  GR_ASSIGN_OR_RETURN(covering.unit_id, common::api::ParseId(in.unit(), kUnits, "covering.unit"));
  if (covering.unit_id != named_unit) return common::InvalidField("covering.unit", "disagrees with covering.name");
  GR_ASSIGN_OR_RETURN(covering.cell_id, common::api::ParseId(in.cell(), "organizations", "covering.cell"));
  GR_ASSIGN_OR_RETURN(covering.valid_from, common::api::ParseDate(in.valid_from(), "covering.valid_from"));
  GR_ASSIGN_OR_RETURN(covering.valid_to, OptionalDate(in.valid_to(), "covering.valid_to"));
  if (covering.valid_to && *covering.valid_to < covering.valid_from) {
    return common::InvalidField("covering.valid_to", "must not precede covering.valid_from");
  }
  return covering;
}

absl::Status StoreResidentialUnit(Session& session, const ProjectedResidentialUnit& unit, int64_t sequence) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO residential_unit_projection (unit_id, code, commune_org_id, established_on, ended_on, "
      "source_sequence) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE code = VALUES(code), "
      "commune_org_id = VALUES(commune_org_id), established_on = VALUES(established_on), "
      "ended_on = VALUES(ended_on), source_sequence = VALUES(source_sequence)");
  ps.setInt64(1, unit.id);
  ps.setString(2, unit.code);
  ps.setInt64(3, unit.commune_organization_id);
  ps.setString(4, common::api::FormatDate(unit.established_on));
  common::db::SetOptionalString(ps, 5, OptionalDateText(unit.ended_on));
  ps.setInt64(6, sequence);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status StoreCovering(Session& session, const ProjectedCovering& covering, int64_t sequence) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO unit_covering_projection (covering_id, unit_id, cell_id, valid_from, valid_to, source_sequence) "
      "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE unit_id = VALUES(unit_id), cell_id = VALUES(cell_id), "
      "valid_from = VALUES(valid_from), valid_to = VALUES(valid_to), source_sequence = VALUES(source_sequence)");
  ps.setInt64(1, covering.id);
  ps.setInt64(2, covering.unit_id);
  ps.setInt64(3, covering.cell_id);
  ps.setString(4, common::api::FormatDate(covering.valid_from));
  common::db::SetOptionalString(ps, 5, OptionalDateText(covering.valid_to));
  ps.setInt64(6, sequence);
  ps.executeUpdate();
  return absl::OkStatus();
}

void ClearResidentialUnits(Session& session) {
  session.Prepare("DELETE FROM unit_covering_projection").executeUpdate();
  session.Prepare("DELETE FROM residential_unit_projection").executeUpdate();
}

absl::StatusOr<bool> IsResidentialCell(Session& session, int64_t cell_id, absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(const std::set<int64_t> cells, ResidentialCells(session, {cell_id}, day));
  return cells.contains(cell_id);
}

absl::StatusOr<std::set<int64_t>> ResidentialCells(Session& session, const std::vector<int64_t>& cell_ids,
                                                   absl::CivilDay day) {
  if (cell_ids.empty()) return std::set<int64_t>();
  return SelectResidentialCells(
      session, day, " AND c.cell_id IN (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS ids)",
      [&](sql::PreparedStatement& ps, int index) {
        ps.setString(index, absl::StrCat("[", absl::StrJoin(cell_ids, ","), "]"));
      });
}

absl::StatusOr<std::set<int64_t>> ResidentialCellsInSubtree(Session& session, int64_t root, absl::CivilDay day) {
  return SelectResidentialCells(
      session, day, " AND (c.cell_id = ? OR c.cell_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))",
      [&](sql::PreparedStatement& ps, int index) {
        ps.setInt64(index, root);
        ps.setInt64(index + 1, root);
      });
}

}  // namespace grassroots::orgtree
