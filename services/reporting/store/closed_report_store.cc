#include "services/reporting/store/closed_report_store.h"

#include <memory>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/db/sql_dates.h"

namespace grassroots::reporting::store {
namespace {

// Rows per multi-row INSERT of units: one round trip for many, under the packet limit.
constexpr size_t kUnitsPerInsert = 500;

constexpr char kReportColumns[] =
    "report_id, org_id, year, kind, as_of_date, plan_id, scorecard, closed_by,"
    " UNIX_TIMESTAMP(closed_at) AS closed_at_seconds, note";

StoredReport ReadReport(sql::ResultSet& rs) {
  StoredReport report;
  report.id = rs.getInt64("report_id");
  report.org_id = rs.getInt64("org_id");
  report.year = rs.getInt("year");
  report.kind = rs.getInt("kind");
  report.as_of = common::db::GetOptionalDay(rs, "as_of_date").value_or(absl::CivilDay(1970, 1, 1));
  report.plan_id = rs.getString("plan_id");
  report.scorecard = rs.getString("scorecard");
  report.closed_by = rs.getString("closed_by");
  report.closed_at = absl::FromUnixMicros(static_cast<int64_t>(rs.getDouble("closed_at_seconds") * 1e6));
  report.note = rs.getString("note");
  return report;
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> ClosedReportStore::Find(common::db::Session& session, int64_t org_id, int year,
                                                               int kind) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT report_id FROM closed_reports WHERE org_id = ? AND year = ? AND kind = ?");
  ps.setInt64(1, org_id);
  ps.setInt(2, year);
  ps.setInt(3, kind);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  if (!rs->next()) return std::nullopt;
  return rs->getInt64("report_id");
}

absl::StatusOr<int64_t> ClosedReportStore::Insert(common::db::Session& session, const StoredReport& report,
                                                  const std::vector<CountedUnit>& units) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO closed_reports (org_id, year, kind, as_of_date, plan_id, scorecard, closed_by, note, closed_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?))");
  ps.setInt64(1, report.org_id);
  ps.setInt(2, report.year);
  ps.setInt(3, report.kind);
  ps.setString(4, absl::FormatCivilTime(report.as_of));
  ps.setString(5, report.plan_id);
  ps.setString(6, report.scorecard);
  ps.setString(7, report.closed_by);
  ps.setString(8, report.note);
  ps.setString(9, absl::StrFormat("%.6f", absl::ToDoubleSeconds(report.closed_at - absl::UnixEpoch())));
  ps.executeUpdate();
  const int64_t report_id = session.LastInsertId();
  for (size_t begin = 0; begin < units.size(); begin += kUnitsPerInsert) {
    const size_t end = std::min(units.size(), begin + kUnitsPerInsert);
    std::vector<std::string> rows(end - begin, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // One statement text per batch size; a full batch reuses the cached statement.
    sql::PreparedStatement& insert = session.Prepare(absl::StrCat(
        "INSERT INTO closed_report_units (report_id, indicator, ordinal, subject, subject_id, unit_id,"
        " organization_id, post, in_numerator, reason, display_name) VALUES ",
        absl::StrJoin(rows, ", ")));
    int index = 1;
    for (size_t i = begin; i < end; ++i) {
      const CountedUnit& unit = units[i];
      insert.setInt64(index++, report_id);
      insert.setString(index++, unit.indicator);
      insert.setInt(index++, static_cast<int>(i));
      insert.setInt(index++, unit.subject);
      insert.setInt64(index++, unit.subject_id);
      insert.setInt64(index++, unit.unit_id);
      insert.setInt64(index++, unit.organization_id);
      insert.setString(index++, unit.post);
      insert.setBoolean(index++, unit.in_numerator);
      insert.setString(index++, unit.reason);
      insert.setString(index++, unit.display_name);
    }
    insert.executeUpdate();
  }
  return report_id;
}

absl::StatusOr<std::optional<StoredReport>> ClosedReportStore::Get(common::db::Session& session, int64_t org_id,
                                                                  int64_t report_id) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kReportColumns, " FROM closed_reports WHERE report_id = ? AND org_id = ?"));
  ps.setInt64(1, report_id);
  ps.setInt64(2, org_id);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  if (!rs->next()) return std::nullopt;
  return ReadReport(*rs);
}

absl::StatusOr<std::vector<StoredReport>> ClosedReportStore::List(common::db::Session& session, int64_t org_id,
                                                                  int year, int64_t before_id, int limit) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kReportColumns,
      " FROM closed_reports WHERE org_id = ? AND (? = 0 OR year = ?) AND (? = 0 OR report_id < ?)"
      " ORDER BY report_id DESC LIMIT ?"));
  ps.setInt64(1, org_id);
  ps.setInt(2, year);
  ps.setInt(3, year);
  ps.setInt64(4, before_id);
  ps.setInt64(5, before_id);
  ps.setInt(6, limit);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  std::vector<StoredReport> reports;
  while (rs->next()) reports.push_back(ReadReport(*rs));
  return reports;
}

absl::StatusOr<std::vector<CountedUnit>> ClosedReportStore::Units(common::db::Session& session, int64_t report_id,
                                                                 const std::string& indicator) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT indicator, subject, subject_id, unit_id, organization_id, post, in_numerator, reason, display_name"
      " FROM closed_report_units WHERE report_id = ? AND (? = '' OR indicator = ?) ORDER BY indicator, ordinal");
  ps.setInt64(1, report_id);
  ps.setString(2, indicator);
  ps.setString(3, indicator);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  std::vector<CountedUnit> units;
  while (rs->next()) {
    units.push_back(CountedUnit{rs->getString("indicator"), rs->getInt("subject"), rs->getInt64("subject_id"),
                               rs->getInt64("unit_id"), rs->getInt64("organization_id"), rs->getString("post"),
                               rs->getBoolean("in_numerator"), rs->getString("reason"),
                               rs->getString("display_name")});
  }
  return units;
}

}  // namespace grassroots::reporting::store
