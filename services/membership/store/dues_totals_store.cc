#include "services/membership/store/dues_totals_store.h"

#include <memory>
#include <string>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/store/dues_store.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;

std::optional<int64_t> IdAfter(const std::vector<absl::string_view>& parts, size_t at) {
  int64_t id = 0;
  if (parts.size() <= at || !absl::SimpleAtoi(parts[at], &id) || id <= 0) return std::nullopt;
  return id;
}

absl::CivilMonth MonthOf(sql::ResultSet& rs, const std::string& column) {
  return absl::CivilMonth(common::db::GetOptionalDay(rs, column).value_or(absl::CivilDay(1970, 1, 1)));
}

std::string CellMonthName(const CellMonth& cell_month) {
  return absl::StrCat("organizations/", cell_month.first, "/duesMonths/", domain::FormatMonth(cell_month.second));
}

}  // namespace

absl::StatusOr<DuesTotalsState> DuesTotalsStore::LockState(Session& session) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT feed_sequence, swept_month, sweep_after_member_id FROM dues_totals_state WHERE id = 1 FOR UPDATE");
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return absl::FailedPreconditionError("dues_totals_state has no row: migrations not applied");
  DuesTotalsState state;
  state.feed_sequence = rs->getInt64("feed_sequence");
  if (std::optional<absl::CivilDay> swept = common::db::GetOptionalDay(*rs, "swept_month")) {
    state.swept_month = absl::CivilMonth(*swept);
  }
  state.sweep_after_member_id = rs->getInt64("sweep_after_member_id");
  return state;
}

absl::Status DuesTotalsStore::SaveState(Session& session, const DuesTotalsState& state) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE dues_totals_state SET feed_sequence = ?, swept_month = ?, sweep_after_member_id = ? WHERE id = 1");
  ps.setInt64(1, state.feed_sequence);
  common::db::SetOptionalString(
      ps, 2, state.swept_month ? std::optional<std::string>(MonthColumn(*state.swept_month)) : std::nullopt);
  ps.setInt64(3, state.sweep_after_member_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> DuesTotalsStore::FeedHead(Session& session) {
  sql::PreparedStatement& ps = session.Prepare("SELECT COALESCE(MAX(sequence), 0) FROM change_feed");
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  return rs->next() ? rs->getInt64(1) : 0;
}

absl::StatusOr<ChangedSince> DuesTotalsStore::ChangesAfter(Session& session, int64_t sequence, int limit,
                                                           size_t member_limit) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT sequence, resource_name FROM change_feed WHERE sequence > ? ORDER BY sequence LIMIT ?");
  ps.setInt64(1, sequence);
  ps.setInt(2, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  ChangedSince out;
  out.last_sequence = sequence;
  while (rs->next()) {
    const int64_t at = rs->getInt64("sequence");
    const std::string name = rs->getString("resource_name");
    const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
    if (parts.size() >= 2 && parts[0] == "members") {
      if (std::optional<int64_t> id = IdAfter(parts, 1)) {
        if (out.members.size() >= member_limit && out.members.count(*id) == 0) break;
        out.members.insert(*id);
      }
    } else if (parts.size() >= 3 && parts[0] == "organizations" &&
               (parts[2] == "wageRegions" || parts[2] == "duesLedgerOpenings")) {
      if (std::optional<int64_t> id = IdAfter(parts, 1)) out.organizations.insert(*id);
    }
    out.last_sequence = at;
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> DuesTotalsStore::MembersUnder(Session& session, int64_t org_id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT DISTINCT p.member_id FROM member_periods p JOIN org_closure c "
      "ON c.descendant_id = p.cell_id OR c.descendant_id = p.host_cell_id WHERE c.ancestor_id = ? "
      "ORDER BY p.member_id");
  ps.setInt64(1, org_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> out;
  while (rs->next()) out.push_back(rs->getInt64(1));
  return out;
}

absl::StatusOr<std::vector<int64_t>> DuesTotalsStore::MembersAfter(Session& session, int64_t after, int limit) {
  sql::PreparedStatement& ps = session.Prepare("SELECT id FROM members WHERE id > ? ORDER BY id LIMIT ?");
  ps.setInt64(1, after);
  ps.setInt(2, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> out;
  while (rs->next()) out.push_back(rs->getInt64(1));
  return out;
}

absl::StatusOr<std::set<CellMonth>> DuesTotalsStore::ReplaceMemberMonths(
    Session& session, std::span<const std::pair<int64_t, std::vector<MemberMonthFigures>>> figures,
    absl::CivilMonth from, absl::CivilMonth to) {
  std::set<CellMonth> touched;
  if (figures.empty()) return touched;
  std::vector<int64_t> ids;
  for (const auto& [member_id, months] : figures) ids.push_back(member_id);
  const std::string id_array = common::db::IdArray(ids);
  sql::PreparedStatement& old_rows = session.Prepare(absl::StrCat(
      "SELECT DISTINCT cell_id, month FROM dues_member_months WHERE member_id IN ", common::db::kIdSet,
      " AND month BETWEEN ? AND ?"));
  old_rows.setString(1, id_array);
  old_rows.setString(2, MonthColumn(from));
  old_rows.setString(3, MonthColumn(to));
  std::unique_ptr<sql::ResultSet> rs = session.Query(old_rows);
  while (rs->next()) touched.emplace(rs->getInt64("cell_id"), MonthOf(*rs, "month"));
  sql::PreparedStatement& remove = session.Prepare(absl::StrCat(
      "DELETE FROM dues_member_months WHERE member_id IN ", common::db::kIdSet, " AND month BETWEEN ? AND ?"));
  remove.setString(1, id_array);
  remove.setString(2, MonthColumn(from));
  remove.setString(3, MonthColumn(to));
  remove.executeUpdate();
  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO dues_member_months (member_id, month, cell_id, due, paid, voluntary, outstanding, unpaid, "
      "in_arrears) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& [member_id, months] : figures) {
    for (const MemberMonthFigures& m : months) {
      insert.setInt64(1, member_id);
      insert.setString(2, MonthColumn(m.month));
      insert.setInt64(3, m.cell_id);
      insert.setInt64(4, m.due);
      insert.setInt64(5, m.paid);
      insert.setInt64(6, m.voluntary);
      insert.setInt64(7, m.outstanding);
      insert.setBoolean(8, m.unpaid);
      insert.setBoolean(9, m.in_arrears);
      insert.executeUpdate();
      touched.emplace(m.cell_id, m.month);
    }
  }
  return touched;
}

absl::StatusOr<v1::DuesCellMonth> DuesTotalsStore::SumCellMonth(Session& session, const CellMonth& cell_month) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT COUNT(*) AS members, COALESCE(SUM(due), 0) AS due, COALESCE(SUM(paid), 0) AS paid, "
      "COALESCE(SUM(voluntary), 0) AS voluntary, COALESCE(SUM(outstanding), 0) AS outstanding, "
      "COALESCE(SUM(unpaid), 0) AS unpaid, COALESCE(SUM(in_arrears), 0) AS in_arrears "
      "FROM dues_member_months WHERE cell_id = ? AND month = ?");
  ps.setInt64(1, cell_month.first);
  ps.setString(2, MonthColumn(cell_month.second));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  v1::DuesCellMonth out;
  out.set_name(CellMonthName(cell_month));
  out.set_cell(absl::StrCat("organizations/", cell_month.first));
  out.set_month(domain::FormatMonth(cell_month.second));
  if (rs->next()) {
    out.set_members_owing(rs->getInt("members"));
    out.set_due(rs->getInt64("due"));
    out.set_paid(rs->getInt64("paid"));
    out.set_voluntary(rs->getInt64("voluntary"));
    out.set_outstanding(rs->getInt64("outstanding"));
    out.set_members_unpaid(rs->getInt("unpaid"));
    out.set_members_in_arrears(rs->getInt("in_arrears"));
  }
  return out;
}

absl::StatusOr<std::optional<v1::DuesCellMonth>> DuesTotalsStore::PublishedCellMonth(Session& session,
                                                                                    const CellMonth& cell_month) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT members_owing, due, paid, voluntary, outstanding, members_unpaid, members_in_arrears "
      "FROM dues_cell_months WHERE cell_id = ? AND month = ?");
  ps.setInt64(1, cell_month.first);
  ps.setString(2, MonthColumn(cell_month.second));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<v1::DuesCellMonth>();
  v1::DuesCellMonth out;
  out.set_name(CellMonthName(cell_month));
  out.set_cell(absl::StrCat("organizations/", cell_month.first));
  out.set_month(domain::FormatMonth(cell_month.second));
  out.set_members_owing(rs->getInt("members_owing"));
  out.set_due(rs->getInt64("due"));
  out.set_paid(rs->getInt64("paid"));
  out.set_voluntary(rs->getInt64("voluntary"));
  out.set_outstanding(rs->getInt64("outstanding"));
  out.set_members_unpaid(rs->getInt("members_unpaid"));
  out.set_members_in_arrears(rs->getInt("members_in_arrears"));
  return std::optional<v1::DuesCellMonth>(std::move(out));
}

absl::Status DuesTotalsStore::PutCellMonth(Session& session, const CellMonth& cell_month,
                                           const v1::DuesCellMonth& totals) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO dues_cell_months (cell_id, month, members_owing, due, paid, voluntary, outstanding, "
      "members_unpaid, members_in_arrears) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
      "members_owing = VALUES(members_owing), due = VALUES(due), paid = VALUES(paid), voluntary = VALUES(voluntary), "
      "outstanding = VALUES(outstanding), members_unpaid = VALUES(members_unpaid), "
      "members_in_arrears = VALUES(members_in_arrears)");
  ps.setInt64(1, cell_month.first);
  ps.setString(2, MonthColumn(cell_month.second));
  ps.setInt(3, totals.members_owing());
  ps.setInt64(4, totals.due());
  ps.setInt64(5, totals.paid());
  ps.setInt64(6, totals.voluntary());
  ps.setInt64(7, totals.outstanding());
  ps.setInt(8, totals.members_unpaid());
  ps.setInt(9, totals.members_in_arrears());
  ps.executeUpdate();
  return absl::OkStatus();
}

}  // namespace grassroots::membership::store
