#include "services/inspection/store/report_store.h"

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection::store {
namespace {

namespace v1 = grassroots::inspection::v1;

// Runs a query of (org_id, n) rows whose parameters are the ids and, when
// given, the date after them, and hands each row to `add`.
template <typename Add>
void ForEachCount(common::db::Session& session, const std::string& sql, const std::vector<int64_t>& org_ids,
                  const std::optional<std::string>& as_of, Add add) {
  sql::PreparedStatement& ps = session.Prepare(sql);
  ps.setString(1, common::db::IdArray(org_ids));
  if (as_of) ps.setString(2, *as_of);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) add(rs->getInt64("org_id"), rs->getInt("n"), *rs);
}

}  // namespace

absl::StatusOr<std::map<int64_t, v1::Caseload>> ReportStore::Caseloads(common::db::Session& session,
                                                                       const std::vector<int64_t>& org_ids,
                                                                       const std::string& as_of) {
  std::map<int64_t, v1::Caseload> out;
  if (org_ids.empty()) return out;
  auto at = [&](int64_t org_id) -> v1::Caseload& {
    v1::Caseload& c = out[org_id];
    c.set_organization(NameOfId("organizations", org_id));
    return c;
  };
  ForEachCount(session,
               absl::StrCat("SELECT org_id, status, COUNT(*) AS n FROM cases WHERE org_id IN ", common::db::kIdSet,
                            // OPENED, IN_PROGRESS, CONCLUDED: the cases still open.
                            " AND status IN (1, 2, 3) GROUP BY org_id, status"),
               org_ids, std::nullopt, [&](int64_t org, int n, sql::ResultSet& rs) {
                 switch (rs.getInt("status")) {
                   case v1::CASE_STATUS_OPENED: at(org).set_opened(n); break;
                   case v1::CASE_STATUS_IN_PROGRESS: at(org).set_in_progress(n); break;
                   case v1::CASE_STATUS_CONCLUDED: at(org).set_concluded(n); break;
                   default: break;
                 }
               });
  ForEachCount(session,
               absl::StrCat("SELECT c.org_id, COUNT(*) AS n FROM recommendations r JOIN cases c ON c.id = r.case_id "
                            "WHERE c.org_id IN ", common::db::kIdSet, " AND r.status = 1 AND r.deadline < ? GROUP BY c.org_id"),
               org_ids, as_of, [&](int64_t org, int n, sql::ResultSet&) { at(org).set_overdue_recommendations(n); });
  // The appeals and petitions queries bind the date before the ids.
  {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT a.resolving_org_id AS org_id, COUNT(*) AS n, SUM(a.resolution_deadline < ?) AS late FROM appeals a "
        "WHERE a.resolving_org_id IN ", common::db::kIdSet, " AND a.outcome = 0 GROUP BY a.resolving_org_id"));
    ps.setString(1, as_of);
    ps.setString(2, common::db::IdArray(org_ids));
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) {
      v1::Caseload& c = at(rs->getInt64("org_id"));
      c.set_unresolved_appeals(rs->getInt("n"));
      c.set_overdue_appeals(rs->getInt("late"));
    }
  }
  {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "SELECT org_id, COUNT(*) AS n, SUM(deadline IS NOT NULL AND deadline < ?) AS late FROM petitions "
        "WHERE org_id IN ", common::db::kIdSet, " AND status IN (1, 2) GROUP BY org_id"));
    ps.setString(1, as_of);
    ps.setString(2, common::db::IdArray(org_ids));
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) {
      v1::Caseload& c = at(rs->getInt64("org_id"));
      c.set_open_petitions(rs->getInt("n"));
      c.set_overdue_petitions(rs->getInt("late"));
    }
  }
  return out;
}

absl::StatusOr<v1::CountInspectionWorkResponse> ReportStore::CountWork(common::db::Session& session,
                                                                       const std::vector<int64_t>& org_ids,
                                                                       int32_t year) {
  v1::CountInspectionWorkResponse out;
  if (org_ids.empty()) return out;
  struct Query {
    const char* sql;
    google::protobuf::RepeatedPtrField<v1::CountInspectionWorkResponse::Count>* into;
    std::string (*name)(int);
  };
  const Query queries[] = {
      {"SELECT kind AS k, COUNT(*) AS n FROM cases WHERE org_id IN %s AND YEAR(opening_signed_on) = ? GROUP BY kind",
       out.mutable_cases_by_kind(), [](int k) { return v1::CaseKind_Name(static_cast<v1::CaseKind>(k)); }},
      {"SELECT form AS k, COUNT(*) AS n FROM discipline_decisions WHERE org_id IN %s AND YEAR(signed_on) = ? "
       "GROUP BY form",
       out.mutable_decisions_by_form(), [](int k) { return v1::DisciplineForm_Name(static_cast<v1::DisciplineForm>(k)); }},
      {"SELECT kind AS k, COUNT(*) AS n FROM petitions WHERE org_id IN %s AND YEAR(received_on) = ? GROUP BY kind",
       out.mutable_petitions_by_kind(), [](int k) { return v1::PetitionKind_Name(static_cast<v1::PetitionKind>(k)); }},
  };
  for (const Query& q : queries) {
    std::string sql = q.sql;
    sql.replace(sql.find("%s"), 2, common::db::kIdSet);
    sql::PreparedStatement& ps = session.Prepare(sql);
    ps.setString(1, common::db::IdArray(org_ids));
    ps.setInt(2, year);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) {
      auto* count = q.into->Add();
      count->set_key(q.name(rs->getInt("k")));
      count->set_count(rs->getInt("n"));
    }
  }
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT COUNT(*) AS n FROM programs WHERE org_id IN ", common::db::kIdSet, " AND year = ?"));
  ps.setString(1, common::db::IdArray(org_ids));
  ps.setInt(2, year);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (rs->next()) out.set_programs(rs->getInt("n"));
  return out;
}

}  // namespace grassroots::inspection::store
