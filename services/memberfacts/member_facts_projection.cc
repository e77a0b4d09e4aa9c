#include "services/memberfacts/member_facts_projection.h"

#include <memory>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/db/sql_dates.h"

namespace grassroots::memberfacts {
namespace {

using common::db::Session;
namespace memberpb = grassroots::membership::v1;

constexpr char kPeriodColumns[] = "status, cell_id, host_cell_id, exempt, suspended, valid_from, valid_to";
// The period in force on a day: [valid_from, valid_to).
constexpr char kInForceOn[] = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)";

ProjectedPeriod MapPeriod(sql::ResultSet& rs) {
  ProjectedPeriod period;
  period.status = static_cast<memberpb::MemberStatus>(rs.getInt("status"));
  period.cell_id = common::db::GetOptionalInt64(rs, "cell_id");
  period.host_cell_id = common::db::GetOptionalInt64(rs, "host_cell_id");
  period.exempt = rs.getBoolean("exempt");
  period.suspended = rs.getBoolean("suspended");
  period.valid_from = common::db::GetOptionalDay(rs, "valid_from").value_or(absl::CivilDay());
  period.valid_to = common::db::GetOptionalDay(rs, "valid_to");
  return period;
}

ProjectedMember MapMember(sql::ResultSet& rs) {
  ProjectedMember member;
  member.member_id = rs.getInt64("member_id");
  member.status = static_cast<memberpb::MemberStatus>(rs.getInt("status"));
  member.cell_id = common::db::GetOptionalInt64(rs, "cell_id");
  member.host_cell_id = common::db::GetOptionalInt64(rs, "host_cell_id");
  member.exempt = rs.getBoolean("exempt");
  member.suspended = rs.getBoolean("suspended");
  member.status_since = common::db::GetOptionalDay(rs, "status_since");
  member.admission_decision_date = common::db::GetOptionalDay(rs, "admission_decision_date");
  member.admission_ceremony_date = common::db::GetOptionalDay(rs, "admission_ceremony_date");
  member.probation_end_date = common::db::GetOptionalDay(rs, "probation_end_date");
  member.official_date = common::db::GetOptionalDay(rs, "official_date");
  member.occupation_category = static_cast<memberpb::OccupationCategory>(rs.getInt("occupation_category"));
  member.occupation_category_at_admission =
      static_cast<memberpb::OccupationCategory>(rs.getInt("occupation_category_at_admission"));
  return member;
}

void BindDayTwice(sql::PreparedStatement& ps, int first_index, absl::CivilDay day) {
  const std::string text = absl::FormatCivilTime(day);
  ps.setString(first_index, text);
  ps.setString(first_index + 1, text);
}

}  // namespace

absl::Status MemberFactsProjection::StoreMember(Session& session, const ProjectedMember& member, int64_t sequence) {
  sql::PreparedStatement& upsert = session.Prepare(
      "INSERT INTO member_fact_projection (member_id, status, cell_id, host_cell_id, exempt, suspended, "
      "status_since, admission_decision_date, admission_ceremony_date, probation_end_date, official_date, "
      "occupation_category, occupation_category_at_admission, source_sequence) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE status = VALUES(status), cell_id = VALUES(cell_id), "
      "host_cell_id = VALUES(host_cell_id), exempt = VALUES(exempt), suspended = VALUES(suspended), "
      "status_since = VALUES(status_since), admission_decision_date = VALUES(admission_decision_date), "
      "admission_ceremony_date = VALUES(admission_ceremony_date), probation_end_date = VALUES(probation_end_date), "
      "official_date = VALUES(official_date), occupation_category = VALUES(occupation_category), "
      "occupation_category_at_admission = VALUES(occupation_category_at_admission), "
      "source_sequence = VALUES(source_sequence)");
  upsert.setInt64(1, member.member_id);
  upsert.setInt(2, member.status);
  common::db::SetOptionalInt64(upsert, 3, member.cell_id);
  common::db::SetOptionalInt64(upsert, 4, member.host_cell_id);
  upsert.setBoolean(5, member.exempt);
  upsert.setBoolean(6, member.suspended);
  common::db::SetOptionalDay(upsert, 7, member.status_since);
  common::db::SetOptionalDay(upsert, 8, member.admission_decision_date);
  common::db::SetOptionalDay(upsert, 9, member.admission_ceremony_date);
  common::db::SetOptionalDay(upsert, 10, member.probation_end_date);
  common::db::SetOptionalDay(upsert, 11, member.official_date);
  upsert.setInt(12, member.occupation_category);
  upsert.setInt(13, member.occupation_category_at_admission);
  upsert.setInt64(14, sequence);
  upsert.executeUpdate();
  return absl::OkStatus();
}

absl::Status MemberFactsProjection::ReplacePeriods(Session& session, const ProjectedPeriods& periods,
                                                   int64_t sequence) {
  sql::PreparedStatement& remove = session.Prepare("DELETE FROM member_period_projection WHERE member_id = ?");
  remove.setInt64(1, periods.member_id);
  remove.executeUpdate();
  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO member_period_projection (member_id, status, cell_id, host_cell_id, exempt, suspended, "
      "valid_from, valid_to, source_sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const ProjectedPeriod& period : periods.periods) {
    insert.setInt64(1, periods.member_id);
    insert.setInt(2, period.status);
    common::db::SetOptionalInt64(insert, 3, period.cell_id);
    common::db::SetOptionalInt64(insert, 4, period.host_cell_id);
    insert.setBoolean(5, period.exempt);
    insert.setBoolean(6, period.suspended);
    common::db::SetOptionalDay(insert, 7, period.valid_from);
    common::db::SetOptionalDay(insert, 8, period.valid_to);
    insert.setInt64(9, sequence);
    insert.executeUpdate();
  }
  return absl::OkStatus();
}

absl::Status MemberFactsProjection::Clear(Session& session) {
  session.Prepare("DELETE FROM member_period_projection").executeUpdate();
  session.Prepare("DELETE FROM member_fact_projection").executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ProjectedMember>> MemberFactsProjection::Find(Session& session, int64_t member_id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT member_id, status, cell_id, host_cell_id, exempt, suspended, status_since, admission_decision_date, "
      "admission_ceremony_date, probation_end_date, official_date, occupation_category, "
      "occupation_category_at_admission FROM member_fact_projection WHERE member_id = ?");
  ps.setInt64(1, member_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<ProjectedMember>();
  return std::optional<ProjectedMember>(MapMember(*rs));
}

absl::StatusOr<ProjectedPeriod> MemberFactsProjection::StatusOn(Session& session, int64_t member_id,
                                                                absl::CivilDay day) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat("SELECT ", kPeriodColumns,
                                                            " FROM member_period_projection WHERE member_id = ? AND ",
                                                            kInForceOn));
  ps.setInt64(1, member_id);
  BindDayTwice(ps, 2, day);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) {
    return absl::NotFoundError(absl::StrCat("member ", member_id, " has no status period on ",
                                            absl::FormatCivilTime(day)));
  }
  return MapPeriod(*rs);
}

absl::StatusOr<std::vector<int64_t>> MemberFactsProjection::CellsOfMemberOn(Session& session, int64_t member_id,
                                                                            absl::CivilDay day) {
  std::vector<int64_t> cells;
  absl::StatusOr<ProjectedPeriod> period = StatusOn(session, member_id, day);
  if (absl::IsNotFound(period.status())) return cells;
  if (!period.ok()) return period.status();
  if (period->cell_id) cells.push_back(*period->cell_id);
  if (period->host_cell_id) cells.push_back(*period->host_cell_id);
  return cells;
}

absl::StatusOr<std::vector<CellMemberOnDay>> MemberFactsProjection::MembersOfCellOn(Session& session, int64_t cell_id,
                                                                                    absl::CivilDay day) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT member_id, status, host_cell_id = ? AS hosted FROM member_period_projection "
      "WHERE (cell_id = ? OR host_cell_id = ?) AND ", kInForceOn, " ORDER BY member_id"));
  ps.setInt64(1, cell_id);
  ps.setInt64(2, cell_id);
  ps.setInt64(3, cell_id);
  BindDayTwice(ps, 4, day);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<CellMemberOnDay> members;
  while (rs->next()) {
    CellMemberOnDay member;
    member.member_id = rs->getInt64("member_id");
    member.status = static_cast<memberpb::MemberStatus>(rs->getInt("status"));
    member.hosted = !rs->isNull("hosted") && rs->getBoolean("hosted");
    members.push_back(member);
  }
  return members;
}

}  // namespace grassroots::memberfacts
