#include "services/reporting/store/statistics_store.h"

#include <memory>
#include <optional>
#include <set>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"
#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/org/v1/organization.pb.h"

namespace grassroots::reporting::store {
namespace {

namespace membership = grassroots::membership::v1;
using common::db::GetOptionalDay;
using common::db::IdArray;
using common::db::kIdSet;

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The value of a dated attribute in force on the day (two placeholders: the day twice).
std::string AttributeOnDay(membership::MemberAttribute attribute, const char* alias) {
  return absl::StrCat("(SELECT a.value FROM rm_member_attribute_period a WHERE a.member_id = s.member_id"
                      " AND a.attribute = ", attribute, " AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)"
                      " ORDER BY a.valid_from DESC LIMIT 1) AS ", alias);
}

int32_t IntOrZero(sql::ResultSet& rs, const char* column) { return rs.isNull(column) ? 0 : rs.getInt(column); }

std::optional<int> OptionalInt(sql::ResultSet& rs, const char* column) {
  if (rs.isNull(column)) return std::nullopt;
  return rs.getInt(column);
}

}  // namespace

absl::StatusOr<std::vector<domain::CountedMember>> StatisticsStore::CountedMembers(common::db::Session& session,
                                                                                  const std::vector<int64_t>& cells,
                                                                                  absl::CivilDay day) {
  std::vector<domain::CountedMember> members;
  if (cells.empty()) return members;
  // A member without a published record still counts (attributes unknown).
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT s.status, m.sex, m.birth_year, m.birth_month, m.ethnicity_code, m.religion_code,"
      " m.admission_decision_date, ",
      AttributeOnDay(membership::MEMBER_ATTRIBUTE_GENERAL_EDUCATION, "general_education"), ", ",
      AttributeOnDay(membership::MEMBER_ATTRIBUTE_PROFESSIONAL_QUALIFICATION_LEVEL, "professional"), ", ",
      AttributeOnDay(membership::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL, "theory"), ", ",
      AttributeOnDay(membership::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, "occupation"),
      " FROM member_period_projection s LEFT JOIN rm_member m ON m.member_id = s.member_id"
      " WHERE s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to > ?) AND s.status IN (",
      membership::MEMBER_STATUS_PROBATIONARY, ",", membership::MEMBER_STATUS_OFFICIAL, ") AND s.cell_id IN ", kIdSet));
  const std::string on = Day(day);
  for (int index = 1; index <= 10; ++index) ps.setString(index, on);
  ps.setString(11, IdArray(cells));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) {
    domain::CountedMember m;
    m.status = rs->getInt("status");
    m.sex = IntOrZero(*rs, "sex");
    m.birth_year = OptionalInt(*rs, "birth_year");
    m.birth_month = OptionalInt(*rs, "birth_month");
    m.ethnicity_code = rs->isNull("ethnicity_code") ? "" : rs->getString("ethnicity_code");
    m.religion_code = rs->isNull("religion_code") ? "" : rs->getString("religion_code");
    m.admission_decision_date = GetOptionalDay(*rs, "admission_decision_date");
    m.general_education = IntOrZero(*rs, "general_education");
    m.professional_qualification = IntOrZero(*rs, "professional");
    m.political_theory = IntOrZero(*rs, "theory");
    m.occupation_category = IntOrZero(*rs, "occupation");
    members.push_back(std::move(m));
  }
  return members;
}

absl::StatusOr<std::vector<domain::CountedOrganization>> StatisticsStore::ActiveOrganizations(
    common::db::Session& session, const std::vector<int64_t>& organizations, absl::CivilDay day) {
  std::vector<domain::CountedOrganization> active;
  if (organizations.empty()) return active;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT p.type_code, p.sector_code, t.is_cell,"
      " EXISTS (SELECT 1 FROM rm_committee_term c WHERE c.org_id = p.org_id AND c.elected_committee"
      "   AND c.starts_on <= ? AND (c.ends_on IS NULL OR c.ends_on > ?)) AS elected"
      " FROM rm_org_period p JOIN rm_org_type t ON t.type_code = p.type_code"
      " WHERE p.state = ", grassroots::org::v1::ORGANIZATION_STATE_ACTIVE,
      " AND p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to > ?) AND p.org_id IN ", kIdSet));
  const std::string on = Day(day);
  for (int index = 1; index <= 4; ++index) ps.setString(index, on);
  ps.setString(5, IdArray(organizations));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) {
    active.push_back(domain::CountedOrganization{rs->getString("type_code"), rs->getString("sector_code"),
                                                 rs->getBoolean("is_cell"), rs->getBoolean("elected")});
  }
  return active;
}

absl::StatusOr<domain::MovementCounts> StatisticsStore::Movements(common::db::Session& session,
                                                                  const std::vector<int64_t>& cells,
                                                                  absl::CivilDay from, absl::CivilDay to) {
  domain::MovementCounts counts;
  if (cells.empty()) return counts;
  const std::string id_array = IdArray(cells);
  const std::string first = Day(from);
  const std::string last = Day(to);
  {
    // Admitted into the cell of the first status period reaching past the decision (as the scorecard's S6).
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT COUNT(*) AS admitted FROM rm_member m WHERE m.admission_decision_date BETWEEN ? AND ?"
        " AND (SELECT s.cell_id FROM member_period_projection s WHERE s.member_id = m.member_id"
        "      AND s.cell_id IS NOT NULL AND (s.valid_to IS NULL OR s.valid_to > m.admission_decision_date)"
        "      ORDER BY s.valid_from LIMIT 1) IN ",
        kIdSet));
    ps.setString(1, first);
    ps.setString(2, last);
    ps.setString(3, id_array);
    std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
    if (rs->next()) counts.admitted = rs->getInt64("admitted");
  }
  // Every other movement: the member's own cell the day before (from the
  // periods) and after the event (none once outside the tree).
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT e.kind, e.cell_id, e.status_after,"
      " (SELECT s.cell_id FROM member_period_projection s WHERE s.member_id = e.member_id"
      "   AND s.valid_from < e.effective_date AND (s.valid_to IS NULL OR s.valid_to >= e.effective_date)"
      "   ORDER BY s.valid_from DESC LIMIT 1) AS cell_before"
      " FROM rm_member_event e WHERE e.voided = FALSE AND e.effective_date BETWEEN ? AND ? AND e.kind IN (",
      membership::EVENT_KIND_TRANSFERRED_IN, ",", membership::EVENT_KIND_TRANSFER_COMPLETED, ",",
      membership::EVENT_KIND_MOVED_WITH_CELL, ",", membership::EVENT_KIND_LEFT_WITH_CELL, ",",
      membership::EVENT_KIND_REMOVED, ",", membership::EVENT_KIND_LEFT, ",", membership::EVENT_KIND_EXPELLED, ",",
      membership::EVENT_KIND_DECEASED, ")"));
  ps.setString(1, first);
  ps.setString(2, last);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  const std::set<int64_t> in_set(cells.begin(), cells.end());
  auto inside = [&](sql::ResultSet& row, const char* column) {
    return !row.isNull(column) && in_set.contains(row.getInt64(column));
  };
  while (rs->next()) {
    const int kind = rs->getInt("kind");
    const bool before_inside = inside(*rs, "cell_before");
    switch (kind) {
      case membership::EVENT_KIND_REMOVED: counts.removed += before_inside; break;
      case membership::EVENT_KIND_LEFT: counts.left += before_inside; break;
      case membership::EVENT_KIND_EXPELLED: counts.expelled += before_inside; break;
      case membership::EVENT_KIND_DECEASED: counts.deceased += before_inside; break;
      default: {
        // Transfers count where they cross the edge of the set; a move inside it is neither.
        const bool after_inside = rs->getInt("status_after") != membership::MEMBER_STATUS_TRANSFERRED_OUT &&
                                  inside(*rs, "cell_id");
        if (after_inside && !before_inside) ++counts.transferred_in;
        if (before_inside && !after_inside) ++counts.transferred_out;
      }
    }
  }
  return counts;
}

absl::StatusOr<std::vector<StatisticsStore::DuesCellMonth>> StatisticsStore::DuesOfYear(
    common::db::Session& session, const std::vector<int64_t>& organizations, int year) {
  std::vector<DuesCellMonth> out;
  if (organizations.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT cell_id, month, members_owing, due, paid, voluntary, outstanding, members_unpaid, members_in_arrears "
      "FROM rm_dues_cell_month WHERE cell_id IN ",
      common::db::kIdSet, " AND month BETWEEN ? AND ? ORDER BY month, cell_id"));
  ps.setString(1, common::db::IdArray(organizations));
  ps.setString(2, absl::StrCat(year, "-01-01"));
  ps.setString(3, absl::StrCat(year, "-12-01"));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    DuesCellMonth row;
    row.cell_id = rs->getInt64("cell_id");
    row.month = absl::CivilMonth(common::db::GetOptionalDay(*rs, "month").value_or(absl::CivilDay(year, 1, 1)));
    row.members_owing = rs->getInt64("members_owing");
    row.due = rs->getInt64("due");
    row.paid = rs->getInt64("paid");
    row.voluntary = rs->getInt64("voluntary");
    row.outstanding = rs->getInt64("outstanding");
    row.members_unpaid = rs->getInt64("members_unpaid");
    row.members_in_arrears = rs->getInt64("members_in_arrears");
    out.push_back(row);
  }
  return out;
}

}  // namespace grassroots::reporting::store
