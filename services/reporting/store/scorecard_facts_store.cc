#include "services/reporting/store/scorecard_facts_store.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/membership/v1/yearly_records.pb.h"
#include "grassroots/org/v1/committee.pb.h"
#include "grassroots/org/v1/meeting.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "grassroots/org/v1/recognition.pb.h"
#include "grassroots/org/v1/residential_unit.pb.h"
#include "services/orgtree/residential_units.h"

namespace grassroots::reporting::store {
namespace {

namespace membership = grassroots::membership::v1;
namespace org = grassroots::org::v1;
using common::db::GetOptionalDay;
using common::db::IdArray;
using common::db::kIdSet;
using domain::DatedRange;

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::CivilDay RequiredDay(sql::ResultSet& rs, const std::string& column) {
  // Columns read with this are NOT NULL dates.
  return GetOptionalDay(rs, column).value_or(absl::CivilDay(1970, 1, 1));
}

DatedRange RangeOf(sql::ResultSet& rs, const std::string& from, const std::string& to) {
  return DatedRange{RequiredDay(rs, from), GetOptionalDay(rs, to)};
}

domain::OrganizationKind KindOf(const std::string& level, bool is_grassroots, bool is_cell) {
  if (is_grassroots) return is_cell ? domain::OrganizationKind::kGrassrootsCell : domain::OrganizationKind::kGrassrootsCommittee;
  if (is_cell) return domain::OrganizationKind::kSubordinateCell;
  if (level == "PARTIAL") return domain::OrganizationKind::kPartialCommittee;
  return domain::OrganizationKind::kOther;
}

std::optional<domain::RatingLevel> OrgRatingLevel(int level) {
  switch (level) {
    case org::QUALITY_LEVEL_EXCELLENT: return domain::RatingLevel::kExcellent;
    case org::QUALITY_LEVEL_GOOD: return domain::RatingLevel::kGood;
    case org::QUALITY_LEVEL_COMPLETED: return domain::RatingLevel::kCompleted;
    case org::QUALITY_LEVEL_NOT_COMPLETED: return domain::RatingLevel::kNotCompleted;
    default: return std::nullopt;
  }
}

std::optional<domain::RatingLevel> MemberRatingLevel(int level) {
  switch (level) {
    case membership::RATING_LEVEL_EXCELLENT: return domain::RatingLevel::kExcellent;
    case membership::RATING_LEVEL_GOOD: return domain::RatingLevel::kGood;
    case membership::RATING_LEVEL_COMPLETED: return domain::RatingLevel::kCompleted;
    case membership::RATING_LEVEL_NOT_COMPLETED: return domain::RatingLevel::kNotCompleted;
    default: return std::nullopt;
  }
}

std::optional<domain::Post> TrainingPostOf(int post) {
  switch (post) {
    case membership::TRAINING_POST_GRASSROOTS_COMMITTEE_MEMBER: return domain::Post::kGrassrootsCommitteeMember;
    case membership::TRAINING_POST_CELL_SECRETARY: return domain::Post::kCellSecretary;
    case membership::TRAINING_POST_VILLAGE_HEAD: return domain::Post::kVillageHead;
    case membership::TRAINING_POST_RESIDENTIAL_GROUP_HEAD: return domain::Post::kResidentialGroupHead;
    case membership::TRAINING_POST_FRONT_WORK_COMMITTEE_HEAD: return domain::Post::kFrontWorkCommitteeHead;
    default: return std::nullopt;  // deputy secretaries and cell committee members are not S14 posts
  }
}

std::optional<domain::Post> HeadPostOf(int post) {
  switch (post) {
    case org::UNIT_HEAD_POST_VILLAGE_HEAD: return domain::Post::kVillageHead;
    case org::UNIT_HEAD_POST_RESIDENTIAL_GROUP_HEAD: return domain::Post::kResidentialGroupHead;
    case org::UNIT_HEAD_POST_FRONT_WORK_COMMITTEE_HEAD: return domain::Post::kFrontWorkCommitteeHead;
    default: return std::nullopt;
  }
}

// The S14 post a committee position is, by the kind of its organization;
// none for positions S14 does not count (deputies and members of a chi bộ
// trực thuộc's committee, party group leaders).
std::optional<domain::Post> CommitteePostOf(domain::OrganizationKind kind, int position_kind) {
  const bool committee_position = position_kind == org::POSITION_KIND_SECRETARY ||
                                  position_kind == org::POSITION_KIND_DEPUTY_SECRETARY ||
                                  position_kind == org::POSITION_KIND_COMMITTEE_MEMBER ||
                                  position_kind == org::POSITION_KIND_STANDING_COMMITTEE_MEMBER;
  if (!committee_position) return std::nullopt;
  if (domain::IsCell(kind) && position_kind == org::POSITION_KIND_SECRETARY) return domain::Post::kCellSecretary;
  if (domain::IsGrassroots(kind)) return domain::Post::kGrassrootsCommitteeMember;
  return std::nullopt;
}

// The organizations placed in the subtree of `root` on D: walking down, a
// child is found by its period on the placing day, which is D, or the child's
// last day when it ended before (then its own children are placed by that day).
constexpr char kPlacedOrganizations[] =
    "WITH RECURSIVE placed (org_id, parent_id, placing_day) AS ("
    "  SELECT CAST(? AS SIGNED), CAST(NULL AS SIGNED), CAST(? AS DATE)"
    "  UNION ALL"
    "  SELECT c.org_id, placed.org_id, LEAST(placed.placing_day, COALESCE(c.ended_on - INTERVAL 1 DAY, placed.placing_day))"
    "  FROM placed JOIN (SELECT p.org_id, p.parent_id, p.valid_from, p.valid_to,"
    "                    (SELECT MIN(e.valid_from) FROM rm_org_period e WHERE e.org_id = p.org_id AND e.state <> 1)"
    "                      AS ended_on"
    "                    FROM rm_org_period p WHERE p.state = 1) c ON c.parent_id = placed.org_id"
    "  WHERE c.org_id <> placed.org_id"
    "    AND c.valid_from <= LEAST(placed.placing_day, COALESCE(c.ended_on - INTERVAL 1 DAY, placed.placing_day))"
    "    AND (c.valid_to IS NULL OR c.valid_to >"
    "         LEAST(placed.placing_day, COALESCE(c.ended_on - INTERVAL 1 DAY, placed.placing_day))))"
    " SELECT p.org_id, p.parent_id, p.placing_day,"
    "  (SELECT MIN(f.valid_from) FROM rm_org_period f WHERE f.org_id = p.org_id AND f.state = 1) AS established_on,"
    "  (SELECT MIN(e.valid_from) FROM rm_org_period e WHERE e.org_id = p.org_id AND e.state <> 1) AS ended_on"
    " FROM placed p";

using Placed = ScorecardFactsStore::Placed;

// The subtree of `root` placed on `day` (kPlacedOrganizations), in the order found.
std::vector<Placed> PlaceSubtree(common::db::Session& session, int64_t root, absl::CivilDay day) {
  sql::PreparedStatement& ps = session.Prepare(kPlacedOrganizations);
  ps.setInt64(1, root);
  ps.setString(2, Day(day));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  std::vector<Placed> placed;
  std::set<int64_t> seen;
  while (rs->next()) {
    const int64_t id = rs->getInt64("org_id");
    // A child reached through two parents (moved within the subtree on the
    // placing day is impossible, but be exact): the first placement wins.
    if (!seen.insert(id).second) continue;
    placed.push_back(Placed{id, rs->isNull("parent_id") ? std::nullopt : std::optional<int64_t>(rs->getInt64("parent_id")),
                            RequiredDay(*rs, "placing_day"), GetOptionalDay(*rs, "ended_on"),
                            RequiredDay(*rs, "established_on")});
  }
  return placed;
}

absl::Status LoadOrganizations(common::db::Session& session, const std::vector<Placed>& placed,
                               const domain::Evaluation& evaluation, bool with_records, domain::SubtreeFacts& facts) {
  std::map<int64_t, const Placed*> placements;
  for (const Placed& one : placed) placements.emplace(one.id, &one);
  std::vector<int64_t> ids;
  ids.reserve(placements.size());
  for (const auto& entry : placements) ids.push_back(entry.first);
  const std::string id_array = IdArray(ids);

  std::map<int64_t, domain::OrganizationFacts> organizations;
  {
    // Every period, to read the facts on the placing day and on the founding day.
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT p.org_id, p.valid_from, p.valid_to, p.sector_code, p.commune_military_cell, p.state,"
        " t.level_code, t.is_grassroots, t.is_cell"
        " FROM rm_org_period p JOIN rm_org_type t ON t.type_code = p.type_code WHERE p.org_id IN ",
        kIdSet, " ORDER BY p.org_id, p.valid_from"));
    ps.setString(1, id_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      const int64_t id = rs->getInt64("org_id");
      const Placed& placement = *placements.at(id);
      domain::OrganizationFacts& o = organizations[id];
      o.id = id;
      o.parent_id = placement.parent_id;
      o.established_on = placement.established_on;
      o.ended_on = placement.ended_on;
      const DatedRange range = RangeOf(*rs, "valid_from", "valid_to");
      if (rs->getInt("state") != org::ORGANIZATION_STATE_ACTIVE) continue;
      if (range.Covers(placement.established_on)) o.sector_at_founding = rs->getString("sector_code");
      if (range.Covers(placement.placing_day)) {
        o.kind = KindOf(rs->getString("level_code"), rs->getBoolean("is_grassroots"), rs->getBoolean("is_cell"));
        o.sector = rs->getString("sector_code");
        o.commune_military_cell = rs->getBoolean("commune_military_cell");
      }
    }
  }
  if (!with_records) {
    for (auto& [id, o] : organizations) facts.organizations.push_back(std::move(o));
    return absl::OkStatus();
  }
  const std::string year_start = Day(absl::CivilDay(evaluation.year, 1, 1));
  const std::string as_of = Day(evaluation.as_of);
  auto for_each_row = [&](const std::string& sql_text, const std::function<void(sql::PreparedStatement&)>& bind,
                          const std::function<void(sql::ResultSet&, domain::OrganizationFacts&)>& take) {
    sql::PreparedStatement& ps = session.Prepare(sql_text);
    bind(ps);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      auto it = organizations.find(rs->getInt64("org_id"));
      if (it != organizations.end()) take(*rs, it->second);
    }
  };
  for_each_row(absl::StrCat("SELECT org_id, adopted_on, superseded_on FROM rm_working_regulation WHERE org_id IN ",
                            kIdSet),
               [&](sql::PreparedStatement& ps) { ps.setString(1, id_array); },
               [](sql::ResultSet& rs, domain::OrganizationFacts& o) {
                 o.regulations.push_back(RangeOf(rs, "adopted_on", "superseded_on"));
               });
  for_each_row(absl::StrCat("SELECT DISTINCT org_id, year FROM rm_new_model WHERE year = ? AND org_id IN ", kIdSet),
               [&](sql::PreparedStatement& ps) {
                 ps.setInt(1, evaluation.year);
                 ps.setString(2, id_array);
               },
               [](sql::ResultSet& rs, domain::OrganizationFacts& o) { o.new_model_years.insert(rs.getInt("year")); });
  for_each_row(absl::StrCat("SELECT org_id, level FROM rm_org_rating WHERE year = ? AND org_id IN ", kIdSet),
               [&](sql::PreparedStatement& ps) {
                 ps.setInt(1, evaluation.year);
                 ps.setString(2, id_array);
               },
               [](sql::ResultSet& rs, domain::OrganizationFacts& o) { o.rating = OrgRatingLevel(rs.getInt("level")); });
  for_each_row(absl::StrCat("SELECT term_id, org_id, starts_on, ends_on, elected_committee FROM rm_committee_term"
                            " WHERE org_id IN ",
                            kIdSet),
               [&](sql::PreparedStatement& ps) { ps.setString(1, id_array); },
               [](sql::ResultSet& rs, domain::OrganizationFacts& o) {
                 o.committee_terms.push_back(domain::CommitteeTerm{rs.getInt64("term_id"),
                                                                   RangeOf(rs, "starts_on", "ends_on"),
                                                                   rs.getBoolean("elected_committee")});
               });
  for_each_row(absl::StrCat("SELECT org_id, MIN(adopted_on) AS adopted_on FROM rm_inspection_program"
                            " WHERE year = ? AND org_id IN ",
                            kIdSet, " GROUP BY org_id"),
               [&](sql::PreparedStatement& ps) {
                 ps.setInt(1, evaluation.year);
                 ps.setString(2, id_array);
               },
               [](sql::ResultSet& rs, domain::OrganizationFacts& o) {
                 o.inspection_program_adopted_on = GetOptionalDay(rs, "adopted_on");
               });
  for_each_row(absl::StrCat("SELECT org_id, held_on FROM rm_meeting WHERE kind IN (", org::MEETING_KIND_THEMATIC, ",",
                            org::MEETING_KIND_REGULAR_AND_THEMATIC,
                            ") AND held_on BETWEEN ? AND ? AND org_id IN ", kIdSet),
               [&](sql::PreparedStatement& ps) {
                 ps.setString(1, year_start);
                 ps.setString(2, as_of);
                 ps.setString(3, id_array);
               },
               [](sql::ResultSet& rs, domain::OrganizationFacts& o) {
                 o.thematic_meetings.push_back(RequiredDay(rs, "held_on"));
               });
  std::vector<int64_t> cells;
  for (const auto& [id, o] : organizations) {
    if (domain::IsCell(o.kind)) cells.push_back(id);
  }
  GR_ASSIGN_OR_RETURN(const std::set<int64_t> residential,
                      orgtree::ResidentialCells(session, cells, evaluation.as_of));
  facts.organizations.reserve(organizations.size());
  for (auto& [id, o] : organizations) {
    o.residential_on_d = residential.contains(id);
    facts.organizations.push_back(std::move(o));
  }
  return absl::OkStatus();
}

// The committee posts of the subtree's organizations held on D (S14).
absl::Status LoadPosts(common::db::Session& session, const domain::Evaluation& evaluation,
                       domain::SubtreeFacts& facts, std::set<int64_t>& member_ids) {
  std::map<int64_t, domain::OrganizationKind> kinds;
  std::vector<int64_t> ids;
  for (const domain::OrganizationFacts& o : facts.organizations) {
    kinds.emplace(o.id, o.kind);
    ids.push_back(o.id);
  }
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT p.org_id, p.member_id, p.kind, p.starts_on, p.ends_on, p.term_id, t.starts_on AS term_starts_on,"
      " t.ends_on AS term_ends_on"
      " FROM rm_committee_position p JOIN rm_committee_term t ON t.term_id = p.term_id"
      " WHERE p.member_id IS NOT NULL AND p.starts_on <= ? AND (p.ends_on IS NULL OR p.ends_on > ?) AND p.org_id IN ",
      kIdSet));
  ps.setString(1, Day(evaluation.as_of));
  ps.setString(2, Day(evaluation.as_of));
  ps.setString(3, IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) {
    const int64_t org_id = rs->getInt64("org_id");
    const std::optional<domain::Post> post = CommitteePostOf(kinds.at(org_id), rs->getInt("kind"));
    if (!post) continue;
    domain::PostHolding holding;
    holding.post = *post;
    holding.organization_id = org_id;
    holding.member_id = rs->getInt64("member_id");
    holding.range = RangeOf(*rs, "starts_on", "ends_on");
    holding.committee_term_id = rs->getInt64("term_id");
    holding.term_range = RangeOf(*rs, "term_starts_on", "term_ends_on");
    member_ids.insert(*holding.member_id);
    facts.posts.push_back(std::move(holding));
  }
  return absl::OkStatus();
}

// Residential units of the subtree's communes, their coverings and heads.
absl::Status LoadUnits(common::db::Session& session, const domain::Evaluation& evaluation,
                       domain::SubtreeFacts& facts, std::set<int64_t>& member_ids) {
  std::vector<int64_t> ids;
  for (const domain::OrganizationFacts& o : facts.organizations) ids.push_back(o.id);
  std::map<int64_t, domain::ResidentialUnitFacts> units;
  {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT u.unit_id, u.commune_org_id, u.established_on, u.ended_on, d.kind"
        " FROM residential_unit_projection u LEFT JOIN rm_residential_unit d ON d.unit_id = u.unit_id"
        " WHERE u.commune_org_id IN ",
        kIdSet));
    ps.setString(1, IdArray(ids));
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      domain::ResidentialUnitFacts unit;
      unit.id = rs->getInt64("unit_id");
      unit.commune_organization_id = rs->getInt64("commune_org_id");
      unit.life = RangeOf(*rs, "established_on", "ended_on");
      unit.residential_group = !rs->isNull("kind") && rs->getInt("kind") == org::RESIDENTIAL_UNIT_KIND_RESIDENTIAL_GROUP;
      units.emplace(unit.id, std::move(unit));
    }
  }
  if (units.empty()) return absl::OkStatus();
  std::vector<int64_t> unit_ids;
  for (const auto& entry : units) unit_ids.push_back(entry.first);
  const std::string unit_array = IdArray(unit_ids);
  const std::string as_of = Day(evaluation.as_of);
  {
    // Whether the covering cell exists on D is read from its own periods: it
    // may lie outside the subtree.
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT c.unit_id, c.cell_id, c.valid_from, c.valid_to,"
        " EXISTS (SELECT 1 FROM rm_org_period p WHERE p.org_id = c.cell_id AND p.state = 1 AND p.valid_from <= ?"
        "   AND (p.valid_to IS NULL OR p.valid_to > ?)) AS cell_active"
        " FROM unit_covering_projection c WHERE c.unit_id IN ",
        kIdSet));
    ps.setString(1, as_of);
    ps.setString(2, as_of);
    ps.setString(3, unit_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      units.at(rs->getInt64("unit_id"))
          .coverings.push_back({rs->getInt64("cell_id"), RangeOf(*rs, "valid_from", "valid_to"),
                                rs->getBoolean("cell_active")});
    }
  }
  std::map<int64_t, std::pair<int64_t, size_t>> head_slots;  // head id -> (unit id, index in heads)
  {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT head_id, unit_id, post, is_party_member, member_id, valid_from, valid_to FROM rm_unit_head"
        " WHERE unit_id IN ",
        kIdSet, " ORDER BY head_id"));
    ps.setString(1, unit_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      const std::optional<domain::Post> post = HeadPostOf(rs->getInt("post"));
      if (!post) continue;
      domain::ResidentialUnitFacts::Head head;
      head.head_id = rs->getInt64("head_id");
      head.post = *post;
      head.is_party_member = rs->getBoolean("is_party_member");
      if (!rs->isNull("member_id")) {
        head.member_id = rs->getInt64("member_id");
        member_ids.insert(*head.member_id);
      }
      head.range = RangeOf(*rs, "valid_from", "valid_to");
      domain::ResidentialUnitFacts& unit = units.at(rs->getInt64("unit_id"));
      head_slots[head.head_id] = {unit.id, unit.heads.size()};
      unit.heads.push_back(std::move(head));
    }
  }
  if (!head_slots.empty()) {
    std::vector<int64_t> head_ids;
    for (const auto& entry : head_slots) head_ids.push_back(entry.first);
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT head_id, post, start_date, end_date, term_starts_on, term_ends_on FROM rm_head_training"
        " WHERE head_id IN ",
        kIdSet));
    ps.setString(1, IdArray(head_ids));
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      const std::optional<domain::Post> post = HeadPostOf(rs->getInt("post"));
      if (!post) continue;
      const auto& [unit_id, index] = head_slots.at(rs->getInt64("head_id"));
      units.at(unit_id).heads[index].trainings.push_back(
          domain::PostTraining{*post, RequiredDay(*rs, "start_date"), GetOptionalDay(*rs, "end_date"),
                               GetOptionalDay(*rs, "term_starts_on"), GetOptionalDay(*rs, "term_ends_on"),
                               std::nullopt});
    }
  }
  for (auto& entry : units) facts.units.push_back(std::move(entry.second));
  return absl::OkStatus();
}

std::optional<domain::MemberOnDay> MemberOnDayOf(sql::ResultSet& rs, const std::string& prefix) {
  if (rs.isNull(prefix + "status")) return std::nullopt;
  domain::MemberOnDay on_day;
  const int status = rs.getInt(prefix + "status");
  on_day.counted = status == membership::MEMBER_STATUS_PROBATIONARY || status == membership::MEMBER_STATUS_OFFICIAL;
  on_day.probationary = status == membership::MEMBER_STATUS_PROBATIONARY;
  on_day.cell_id = rs.isNull(prefix + "cell") ? 0 : rs.getInt64(prefix + "cell");
  on_day.occupation_category = rs.isNull(prefix + "category") ? 0 : rs.getInt(prefix + "category");
  return on_day;
}

// The period in force on a day (status, own cell) and the occupation category then.
// Six placeholders, all the day asked.
std::string StandingColumns(const std::string& prefix) {
  return absl::StrCat(
      " (SELECT s.status FROM member_period_projection s WHERE s.member_id = m.member_id AND s.valid_from <= ?"
      "   AND (s.valid_to IS NULL OR s.valid_to > ?)) AS ", prefix, "status,",
      " (SELECT s.cell_id FROM member_period_projection s WHERE s.member_id = m.member_id AND s.valid_from <= ?"
      "   AND (s.valid_to IS NULL OR s.valid_to > ?)) AS ", prefix, "cell,",
      " (SELECT a.value FROM rm_member_attribute_period a WHERE a.member_id = m.member_id AND a.attribute = ",
      membership::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY,
      "   AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)) AS ", prefix, "category");
}

// The cell a member was admitted into: the cell of the first status period
// that reaches past the admission decision (a record opened from paper starts
// its periods at the ceremony or at the day it joined the cell).
constexpr char kAdmissionCell[] =
    "(SELECT s.cell_id FROM member_period_projection s WHERE s.member_id = m.member_id AND s.cell_id IS NOT NULL"
    " AND (s.valid_to IS NULL OR s.valid_to > m.admission_decision_date) ORDER BY s.valid_from LIMIT 1)";

absl::Status LoadMembers(common::db::Session& session, const domain::Evaluation& evaluation,
                         domain::SubtreeFacts& facts, std::set<int64_t> member_ids) {
  std::vector<int64_t> org_ids;
  for (const domain::OrganizationFacts& o : facts.organizations) org_ids.push_back(o.id);
  const std::string org_array = IdArray(org_ids);
  const std::string as_of = Day(evaluation.as_of);
  const std::string previous_year_end = Day(absl::CivilDay(evaluation.year - 1, 12, 31));
  const std::string year_start = Day(absl::CivilDay(evaluation.year, 1, 1));
  const std::string term_from = Day(evaluation.term_from);
  auto collect = [&](const std::string& sql_text, const std::vector<std::string>& days) -> absl::Status {
    sql::PreparedStatement& ps = session.Prepare(sql_text);
    int index = 1;
    for (const std::string& day : days) ps.setString(index++, day);
    ps.setString(index, org_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) member_ids.insert(rs->getInt64("member_id"));
    return absl::OkStatus();
  };
  // In a cell of the subtree on D or on 31 December of Y-1.
  const std::string in_cell_on =
      absl::StrCat("SELECT DISTINCT member_id FROM member_period_projection WHERE valid_from <= ?"
                   " AND (valid_to IS NULL OR valid_to > ?) AND cell_id IN ",
                   kIdSet);
  GR_RETURN_IF_ERROR(collect(in_cell_on, {as_of, as_of}));
  GR_RETURN_IF_ERROR(collect(in_cell_on, {previous_year_end, previous_year_end}));
  // Admitted in the term, into a cell of the subtree (the cell of the period then).
  GR_RETURN_IF_ERROR(collect(
      // Driven from the subtree's cells (a superset: any period there after
      // the decision); the admission cell itself is read below and judged by the domain.
      absl::StrCat("SELECT DISTINCT s.member_id FROM member_period_projection s JOIN rm_member m"
                   " ON m.member_id = s.member_id AND m.admission_decision_date BETWEEN ? AND ?"
                   " WHERE (s.valid_to IS NULL OR s.valid_to > m.admission_decision_date) AND s.cell_id IN ",
                   kIdSet),
      {term_from, as_of}));
  // Removed in Y, from a cell of the subtree (the cell of the day before).
  GR_RETURN_IF_ERROR(collect(
      absl::StrCat("SELECT DISTINCT s.member_id FROM member_period_projection s JOIN rm_member_event e"
                   " ON e.member_id = s.member_id AND e.voided = FALSE AND e.kind IN (",
                   membership::EVENT_KIND_REMOVED, ",", membership::EVENT_KIND_LEFT, ",",
                   membership::EVENT_KIND_EXPELLED,
                   ") AND e.effective_date BETWEEN ? AND ?"
                   " WHERE s.valid_from < e.effective_date AND (s.valid_to IS NULL OR s.valid_to >= e.effective_date)"
                   " AND s.cell_id IN ", kIdSet),
      {year_start, as_of}));
  if (member_ids.empty()) return absl::OkStatus();

  std::vector<int64_t> ids(member_ids.begin(), member_ids.end());
  const std::string member_array = IdArray(ids);
  std::map<int64_t, domain::MemberFacts> members;
  {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT m.member_id, m.admission_decision_date, m.occupation_category_at_admission,",
        StandingColumns("d_"), ",", StandingColumns("p_"), ",",
        " ", kAdmissionCell, " AS admission_cell"
        " FROM rm_member m WHERE m.member_id IN ",
        kIdSet));
    int index = 1;
    for (int i = 0; i < 6; ++i) ps.setString(index++, as_of);
    for (int i = 0; i < 6; ++i) ps.setString(index++, previous_year_end);
    ps.setString(index, member_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      domain::MemberFacts m;
      m.id = rs->getInt64("member_id");
      m.on_d = MemberOnDayOf(*rs, "d_");
      m.on_previous_year_end = MemberOnDayOf(*rs, "p_");
      m.admission_decision_date = GetOptionalDay(*rs, "admission_decision_date");
      m.admission_cell_id = rs->isNull("admission_cell") ? 0 : rs->getInt64("admission_cell");
      m.occupation_category_at_admission = rs->getInt("occupation_category_at_admission");
      members.emplace(m.id, std::move(m));
    }
  }
  auto take_rows = [&](const std::string& sql_text, const std::vector<std::string>& params,
                      const std::function<void(sql::ResultSet&, domain::MemberFacts&)>& take) {
    sql::PreparedStatement& ps = session.Prepare(sql_text);
    int index = 1;
    for (const std::string& param : params) ps.setString(index++, param);
    ps.setString(index, member_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    while (rs->next()) {
      auto it = members.find(rs->getInt64("member_id"));
      if (it != members.end()) take(*rs, it->second);
    }
  };
  const std::string year = absl::StrCat(evaluation.year);
  // The registration in force on D (the latest when several overlap).
  take_rows(absl::StrCat("SELECT member_id, exemption FROM rm_residence_registration WHERE registered_on <= ?"
                        " AND (ended_on IS NULL OR ended_on > ?) AND member_id IN ",
                        kIdSet, " ORDER BY member_id, registered_on, registration_id"),
           {as_of, as_of}, [](sql::ResultSet& rs, domain::MemberFacts& m) {
             m.registered_on_d = true;
             m.registration_exempt = rs.getInt("exemption") != membership::RESIDENCE_EXEMPTION_UNSPECIFIED;
           });
  take_rows(absl::StrCat("SELECT member_id, year FROM rm_residence_feedback WHERE year = ?"
                        " AND (given_on IS NULL OR given_on <= ?) AND member_id IN ",
                        kIdSet),
           {year, as_of}, [](sql::ResultSet& rs, domain::MemberFacts& m) { m.feedback_years.insert(rs.getInt("year")); });
  take_rows(absl::StrCat("SELECT member_id, year FROM rm_commitment WHERE year = ?"
                        " AND (registered_on IS NULL OR registered_on <= ?) AND member_id IN ",
                        kIdSet),
           {year, as_of},
           [](sql::ResultSet& rs, domain::MemberFacts& m) { m.commitment_years.insert(rs.getInt("year")); });
  take_rows(absl::StrCat("SELECT member_id, level FROM rm_member_rating WHERE year = ? AND member_id IN ", kIdSet,
                        ""),
           {year}, [](sql::ResultSet& rs, domain::MemberFacts& m) { m.rating = MemberRatingLevel(rs.getInt("level")); });
  take_rows(absl::StrCat("SELECT member_id, post, start_date, end_date, term_starts_on, term_ends_on,"
                        " committee_term_id FROM rm_member_training WHERE post <> 0 AND member_id IN ",
                        kIdSet),
           {}, [](sql::ResultSet& rs, domain::MemberFacts& m) {
             const std::optional<domain::Post> post = TrainingPostOf(rs.getInt("post"));
             if (!post) return;
             m.trainings.push_back(domain::PostTraining{
                 *post, RequiredDay(rs, "start_date"), GetOptionalDay(rs, "end_date"),
                 GetOptionalDay(rs, "term_starts_on"), GetOptionalDay(rs, "term_ends_on"),
                 rs.isNull("committee_term_id") ? std::nullopt
                                                : std::optional<int64_t>(rs.getInt64("committee_term_id"))});
           });
  // Removals in Y by D: the kind, the cell of the day before, the reason
  // (the removal trigger, or the violation category of the expulsion's decision).
  take_rows(absl::StrCat(
               "SELECT e.member_id, e.kind, e.effective_date, e.removal_trigger,"
               " (SELECT s.cell_id FROM member_period_projection s WHERE s.member_id = e.member_id"
               "   AND s.valid_from < e.effective_date AND (s.valid_to IS NULL OR s.valid_to >= e.effective_date)"
               "   ORDER BY s.valid_from DESC LIMIT 1) AS cell,"
               " (SELECT d.violation_kind FROM rm_discipline_decision d WHERE d.member_id = e.member_id"
               "   AND d.form = 'DISCIPLINE_FORM_EXPULSION' ORDER BY d.effective_date DESC, d.decision_id DESC LIMIT 1)"
               "   AS violation"
               " FROM rm_member_event e WHERE e.voided = FALSE AND e.kind IN (",
               membership::EVENT_KIND_REMOVED, ",", membership::EVENT_KIND_LEFT, ",", membership::EVENT_KIND_EXPELLED,
               ") AND e.effective_date BETWEEN ? AND ? AND e.member_id IN ", kIdSet,
               " ORDER BY e.member_id, e.effective_date"),
           {year_start, as_of}, [](sql::ResultSet& rs, domain::MemberFacts& m) {
             domain::MemberFacts::Removal removal;
             const int kind = rs.getInt("kind");
             removal.kind = kind == membership::EVENT_KIND_REMOVED ? domain::RemovalKind::kRemoved
                            : kind == membership::EVENT_KIND_LEFT  ? domain::RemovalKind::kLeft
                                                                   : domain::RemovalKind::kExpelled;
             removal.effective_date = RequiredDay(rs, "effective_date");
             removal.cell_id = rs.isNull("cell") ? 0 : rs.getInt64("cell");
             if (removal.kind == domain::RemovalKind::kRemoved) {
               removal.reason = rs.getString("removal_trigger");
             } else if (removal.kind == domain::RemovalKind::kExpelled && !rs.isNull("violation")) {
               removal.reason = rs.getString("violation");
             }
             m.removal = std::move(removal);
           });
  for (auto& entry : members) facts.members.push_back(std::move(entry.second));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<OrganizationLife>> ScorecardFactsStore::Life(common::db::Session& session,
                                                                         int64_t org_id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT MIN(valid_from) AS established_on,"
      " (SELECT MIN(e.valid_from) FROM rm_org_period e WHERE e.org_id = ? AND e.state <> 1) AS ended_on"
      " FROM rm_org_period WHERE org_id = ? AND state = 1");
  ps.setInt64(1, org_id);
  ps.setInt64(2, org_id);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  if (!rs->next() || rs->isNull("established_on")) return std::nullopt;
  return OrganizationLife{org_id, RequiredDay(*rs, "established_on"), GetOptionalDay(*rs, "ended_on")};
}

absl::StatusOr<domain::SubtreeFacts> ScorecardFactsStore::Load(common::db::Session& session, int64_t root,
                                                              const domain::Evaluation& evaluation,
                                                              const CategoryRules& rules, FactParts parts) {
  domain::SubtreeFacts facts;
  facts.root_id = root;
  facts.commitment_categories = rules.commitment_categories;
  facts.working_categories = rules.working_categories;
  const bool everything = parts == FactParts::kEverything;
  GR_RETURN_IF_ERROR(
      LoadOrganizations(session, PlaceSubtree(session, root, evaluation.as_of), evaluation, everything, facts));
  std::set<int64_t> post_members;
  if (!everything) {
    GR_RETURN_IF_ERROR(LoadUnits(session, evaluation, facts, post_members));
    return facts;
  }
  GR_RETURN_IF_ERROR(LoadPosts(session, evaluation, facts, post_members));
  GR_RETURN_IF_ERROR(LoadUnits(session, evaluation, facts, post_members));
  GR_RETURN_IF_ERROR(LoadMembers(session, evaluation, facts, std::move(post_members)));
  return facts;
}

absl::StatusOr<domain::SubtreeFacts> ScorecardFactsStore::LoadPlaced(common::db::Session& session, int64_t root,
                                                                    const std::vector<Placed>& placed,
                                                                    const domain::Evaluation& evaluation,
                                                                    const CategoryRules& rules) {
  domain::SubtreeFacts facts;
  facts.root_id = root;
  facts.commitment_categories = rules.commitment_categories;
  facts.working_categories = rules.working_categories;
  GR_RETURN_IF_ERROR(LoadOrganizations(session, placed, evaluation, /*with_records=*/true, facts));
  std::set<int64_t> post_members;
  GR_RETURN_IF_ERROR(LoadPosts(session, evaluation, facts, post_members));
  GR_RETURN_IF_ERROR(LoadUnits(session, evaluation, facts, post_members));
  GR_RETURN_IF_ERROR(LoadMembers(session, evaluation, facts, std::move(post_members)));
  return facts;
}

absl::StatusOr<std::map<int64_t, std::string>> ScorecardFactsStore::OrganizationNames(
    common::db::Session& session, const std::vector<int64_t>& ids) {
  std::map<int64_t, std::string> names;
  if (ids.empty()) return names;
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT org_id, display_name FROM org_projection WHERE org_id IN ", kIdSet));
  ps.setString(1, IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) names.emplace(rs->getInt64("org_id"), rs->getString("display_name"));
  return names;
}

absl::StatusOr<std::map<int64_t, std::string>> ScorecardFactsStore::UnitNames(common::db::Session& session,
                                                                              const std::vector<int64_t>& ids) {
  std::map<int64_t, std::string> names;
  if (ids.empty()) return names;
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT u.unit_id, COALESCE(d.display_name, u.code) AS display_name"
                                   " FROM residential_unit_projection u LEFT JOIN rm_residential_unit d"
                                   " ON d.unit_id = u.unit_id WHERE u.unit_id IN ",
                                   kIdSet));
  ps.setString(1, IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) names.emplace(rs->getInt64("unit_id"), rs->getString("display_name"));
  return names;
}

absl::StatusOr<std::vector<FeedPosition>> ScorecardFactsStore::Positions(common::db::Session& session) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT source, last_sequence, COALESCE(epoch, '') AS epoch FROM feed_cursors ORDER BY source");
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  std::vector<FeedPosition> positions;
  while (rs->next()) {
    positions.push_back(FeedPosition{rs->getString("source"), rs->getInt64("last_sequence"), rs->getString("epoch")});
  }
  return positions;
}

absl::StatusOr<std::vector<ScorecardFactsStore::Placed>> ScorecardFactsStore::PlacedOrganizations(
    common::db::Session& session, int64_t root, absl::CivilDay day) {
  return PlaceSubtree(session, root, day);
}

}  // namespace grassroots::reporting::store
