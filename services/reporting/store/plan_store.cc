#include "services/reporting/store/plan_store.h"

#include <memory>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"

namespace grassroots::reporting::store {

using common::db::IdArray;
using common::db::kIdSet;

namespace {

StoredPlan ReadPlan(sql::ResultSet& rs) {
  return StoredPlan{rs.getString("plan_id"), rs.getInt64("org_id"), rs.getString("plan_json"),
                    rs.getString("loaded_by")};
}

}  // namespace

absl::StatusOr<std::optional<StoredPlan>> PlanStore::GetPlan(common::db::Session& session,
                                                            const std::string& plan_id) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT plan_id, org_id, plan_json, loaded_by FROM plans WHERE plan_id = ?");
  ps.setString(1, plan_id);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  if (!rs->next()) return std::nullopt;
  return ReadPlan(*rs);
}

absl::Status PlanStore::InsertPlan(common::db::Session& session, const StoredPlan& plan) {
  sql::PreparedStatement& ps =
      session.Prepare("INSERT INTO plans (plan_id, org_id, plan_json, loaded_by) VALUES (?, ?, ?, ?)");
  ps.setString(1, plan.plan_id);
  ps.setInt64(2, plan.org_id);
  ps.setString(3, plan.plan_json);
  ps.setString(4, plan.loaded_by);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredPlan>> PlanStore::PlansAdoptedBy(common::db::Session& session,
                                                                 const std::vector<int64_t>& org_ids) {
  std::vector<StoredPlan> plans;
  if (org_ids.empty()) return plans;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT plan_id, org_id, plan_json, loaded_by FROM plans WHERE org_id IN ", kIdSet, " ORDER BY org_id, plan_id"));
  ps.setString(1, IdArray(org_ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) plans.push_back(ReadPlan(*rs));
  return plans;
}

absl::StatusOr<std::vector<StoredTaskStatus>> PlanStore::Statuses(common::db::Session& session,
                                                                 const std::string& plan_id, int64_t org_id,
                                                                 const std::optional<std::string>& task_id,
                                                                 bool lock) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT task_id, version, state, as_of_date, entry FROM plan_task_statuses"
      " WHERE plan_id = ? AND org_id = ? AND (? = 0 OR task_id = ?) ORDER BY task_id, version",
      lock ? " FOR UPDATE" : ""));
  ps.setString(1, plan_id);
  ps.setInt64(2, org_id);
  ps.setInt(3, task_id ? 1 : 0);
  ps.setString(4, task_id.value_or(""));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  std::vector<StoredTaskStatus> statuses;
  while (rs->next()) {
    StoredTaskStatus status;
    status.task_id = rs->getString("task_id");
    status.version = rs->getInt64("version");
    status.state = rs->getInt("state");
    status.as_of = common::db::GetOptionalDay(*rs, "as_of_date").value_or(absl::CivilDay(1970, 1, 1));
    status.entry = rs->getString("entry");
    statuses.push_back(std::move(status));
  }
  return statuses;
}

absl::Status PlanStore::InsertStatus(common::db::Session& session, const std::string& plan_id, int64_t org_id,
                                     const StoredTaskStatus& status, const std::string& recorded_by) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO plan_task_statuses (plan_id, org_id, task_id, version, state, as_of_date, entry, recorded_by)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  ps.setString(1, plan_id);
  ps.setInt64(2, org_id);
  ps.setString(3, status.task_id);
  ps.setInt64(4, status.version);
  ps.setInt(5, status.state);
  ps.setString(6, absl::FormatCivilTime(status.as_of));
  ps.setString(7, status.entry);
  ps.setString(8, recorded_by);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> PlanStore::FindUnitReport(common::db::Session& session,
                                                                const std::string& plan_id, int64_t org_id,
                                                                int year) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT unit_report_id FROM plan_unit_reports WHERE plan_id = ? AND org_id = ? AND year = ?");
  ps.setString(1, plan_id);
  ps.setInt64(2, org_id);
  ps.setInt(3, year);
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  if (!rs->next()) return std::nullopt;
  return rs->getInt64("unit_report_id");
}

absl::StatusOr<int64_t> PlanStore::InsertUnitReport(common::db::Session& session, const std::string& plan_id,
                                                    int64_t org_id, int year, std::optional<int64_t> closed_report_id,
                                                    const std::string& report, const std::string& submitted_by) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO plan_unit_reports (plan_id, org_id, year, closed_report_id, report, submitted_by)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  ps.setString(1, plan_id);
  ps.setInt64(2, org_id);
  ps.setInt(3, year);
  common::db::SetOptionalInt64(ps, 4, closed_report_id);
  ps.setString(5, report);
  ps.setString(6, submitted_by);
  ps.executeUpdate();
  return session.LastInsertId();
}

absl::StatusOr<std::vector<StoredUnitReport>> PlanStore::UnitReports(common::db::Session& session,
                                                                    const std::string& plan_id,
                                                                    const std::vector<int64_t>& org_ids, int year) {
  std::vector<StoredUnitReport> reports;
  if (org_ids.empty()) return reports;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT unit_report_id, org_id, report FROM plan_unit_reports WHERE plan_id = ? AND year = ? AND org_id IN ",
      kIdSet, " ORDER BY org_id"));
  ps.setString(1, plan_id);
  ps.setInt(2, year);
  ps.setString(3, IdArray(org_ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) {
    reports.push_back(StoredUnitReport{rs->getInt64("unit_report_id"), rs->getInt64("org_id"), rs->getString("report")});
  }
  return reports;
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> PlanStore::ClosedReportsOfPlan(
    common::db::Session& session, const std::string& plan_id, const std::vector<int>& kinds,
    const std::vector<int64_t>& org_ids) {
  std::vector<std::pair<int64_t, int64_t>> reports;
  if (org_ids.empty() || kinds.empty()) return reports;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT org_id, report_id FROM closed_reports WHERE plan_id = ? AND FIND_IN_SET(kind, ?) AND org_id IN ",
      kIdSet, " ORDER BY report_id DESC"));
  ps.setString(1, plan_id);
  ps.setString(2, absl::StrJoin(kinds, ","));
  ps.setString(3, IdArray(org_ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) reports.emplace_back(rs->getInt64("org_id"), rs->getInt64("report_id"));
  return reports;
}

}  // namespace grassroots::reporting::store
