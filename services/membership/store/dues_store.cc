#include "services/membership/store/dues_store.h"

#include <memory>
#include <utility>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"
#include "common/status/status.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;

std::vector<int64_t> Ids(std::span<const int64_t> ids) { return {ids.begin(), ids.end()}; }

absl::CivilDay DayColumn(sql::ResultSet& rs, const std::string& column) {
  return common::db::GetOptionalDay(rs, column).value_or(absl::CivilDay(1970, 1, 1));
}

absl::CivilMonth MonthOf(sql::ResultSet& rs, const std::string& column) {
  return absl::CivilMonth(DayColumn(rs, column));
}

constexpr char kEntryColumns[] =
    "e.id, e.member_id, e.month, e.amount, e.channel, e.paid_on, e.reference, e.note, e.corrects_entry_id, "
    "UNIX_TIMESTAMP(e.recorded_at) * 1000000 AS recorded_micros, c.id AS corrected_by";

StoredEntry ReadEntry(sql::ResultSet& rs) {
  StoredEntry e;
  e.id = rs.getInt64("id");
  e.member_id = rs.getInt64("member_id");
  e.month = MonthOf(rs, "month");
  e.amount = rs.getInt64("amount");
  e.channel = static_cast<v1::DuesChannel>(rs.getInt("channel"));
  e.paid_on = DayColumn(rs, "paid_on");
  e.reference = rs.getString("reference");
  e.note = rs.getString("note");
  e.corrects = common::db::GetOptionalInt64(rs, "corrects_entry_id");
  e.corrected_by = common::db::GetOptionalInt64(rs, "corrected_by");
  e.recorded_at = absl::FromUnixMicros(static_cast<int64_t>(rs.getDouble("recorded_micros")));
  return e;
}

}  // namespace

std::string MonthColumn(absl::CivilMonth month) { return common::api::FormatDate(absl::CivilDay(month)); }

absl::StatusOr<DuesStore::PutBaseResult> DuesStore::PutBase(Session& session, int64_t member_id,
                                                            const domain::DuesBaseRecord& base,
                                                            const std::string& note) {
  StoredBase stored{.member_id = member_id, .base = base, .note = note};
  sql::PreparedStatement& read = session.Prepare(
      "SELECT id, kind, amount, note FROM dues_bases WHERE member_id = ? AND effective_month = ? FOR UPDATE");
  read.setInt64(1, member_id);
  read.setString(2, MonthColumn(base.effective_month));
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (rs->next()) {
    stored.id = rs->getInt64("id");
    if (rs->getInt("kind") == base.kind && rs->getInt64("amount") == base.amount_dong &&
        std::string(rs->getString("note")) == note) {
      return PutBaseResult{.base = stored, .changed = false};
    }
    sql::PreparedStatement& update = session.Prepare(
        "UPDATE dues_bases SET kind = ?, amount = ?, note = ?, recorded_at = CURRENT_TIMESTAMP(6) WHERE id = ?");
    update.setInt(1, base.kind);
    update.setInt64(2, base.amount_dong);
    update.setString(3, note);
    update.setInt64(4, stored.id);
    update.executeUpdate();
    return PutBaseResult{.base = stored, .changed = true};
  }
  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO dues_bases (member_id, kind, amount, effective_month, note) VALUES (?, ?, ?, ?, ?)");
  insert.setInt64(1, member_id);
  insert.setInt(2, base.kind);
  insert.setInt64(3, base.amount_dong);
  insert.setString(4, MonthColumn(base.effective_month));
  insert.setString(5, note);
  insert.executeUpdate();
  stored.id = session.LastInsertId();
  return PutBaseResult{.base = stored, .changed = true};
}

absl::StatusOr<std::map<int64_t, std::vector<StoredBase>>> DuesStore::Bases(Session& session,
                                                                           std::span<const int64_t> member_ids) {
  std::map<int64_t, std::vector<StoredBase>> out;
  if (member_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT id, member_id, kind, amount, effective_month, note FROM dues_bases WHERE member_id IN ",
      common::db::kIdSet, " ORDER BY member_id, effective_month"));
  ps.setString(1, common::db::IdArray(Ids(member_ids)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    StoredBase b;
    b.id = rs->getInt64("id");
    b.member_id = rs->getInt64("member_id");
    b.base.kind = static_cast<v1::DuesBaseKind>(rs->getInt("kind"));
    b.base.amount_dong = rs->getInt64("amount");
    b.base.effective_month = MonthOf(*rs, "effective_month");
    b.note = rs->getString("note");
    out[b.member_id].push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<StoredRelief> DuesStore::InsertRelief(Session& session, const StoredRelief& relief) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO dues_reliefs (member_id, kind, reason, reduction_percent, from_month, to_month, "
      "decision_issuing_body, decision_number, decision_signed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, relief.member_id);
  ps.setInt(2, relief.relief.kind);
  ps.setInt(3, relief.relief.reason);
  ps.setInt(4, relief.relief.reduction_percent);
  ps.setString(5, MonthColumn(relief.relief.from_month));
  ps.setString(6, MonthColumn(relief.relief.to_month));
  ps.setString(7, relief.decision_issuing_body);
  ps.setString(8, relief.decision_number);
  ps.setString(9, common::api::FormatDate(relief.decision_signed_on));
  ps.executeUpdate();
  StoredRelief out = relief;
  out.id = session.LastInsertId();
  return out;
}

absl::StatusOr<std::map<int64_t, std::vector<StoredRelief>>> DuesStore::Reliefs(Session& session,
                                                                               std::span<const int64_t> member_ids) {
  std::map<int64_t, std::vector<StoredRelief>> out;
  if (member_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT id, member_id, kind, reason, reduction_percent, from_month, to_month, decision_issuing_body, "
      "decision_number, decision_signed_on FROM dues_reliefs WHERE member_id IN ",
      common::db::kIdSet, " ORDER BY member_id, from_month, id"));
  ps.setString(1, common::db::IdArray(Ids(member_ids)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    StoredRelief r;
    r.id = rs->getInt64("id");
    r.member_id = rs->getInt64("member_id");
    r.relief.kind = static_cast<v1::DuesReliefKind>(rs->getInt("kind"));
    r.relief.reason = static_cast<v1::DuesReliefReason>(rs->getInt("reason"));
    r.relief.reduction_percent = rs->getInt("reduction_percent");
    r.relief.from_month = MonthOf(*rs, "from_month");
    r.relief.to_month = MonthOf(*rs, "to_month");
    r.decision_issuing_body = rs->getString("decision_issuing_body");
    r.decision_number = rs->getString("decision_number");
    r.decision_signed_on = DayColumn(*rs, "decision_signed_on");
    out[r.member_id].push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<StoredEntry> DuesStore::InsertEntry(Session& session, const StoredEntry& entry) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO dues_entries (member_id, month, amount, channel, paid_on, reference, note, corrects_entry_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, entry.member_id);
  ps.setString(2, MonthColumn(entry.month));
  ps.setInt64(3, entry.amount);
  ps.setInt(4, entry.channel);
  ps.setString(5, common::api::FormatDate(entry.paid_on));
  ps.setString(6, entry.reference);
  ps.setString(7, entry.note);
  common::db::SetOptionalInt64(ps, 8, entry.corrects);
  ps.executeUpdate();
  const int64_t id = session.LastInsertId();
  sql::PreparedStatement& read = session.Prepare(absl::StrCat(
      "SELECT ", kEntryColumns, " FROM dues_entries e LEFT JOIN dues_entries c ON c.corrects_entry_id = e.id "
      "WHERE e.id = ?"));
  read.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (!rs->next()) return absl::InternalError("the dues entry just written cannot be read back");
  return ReadEntry(*rs);
}

absl::StatusOr<std::optional<StoredEntry>> DuesStore::EntryForUpdate(Session& session, int64_t member_id,
                                                                     int64_t entry_id) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kEntryColumns, " FROM dues_entries e LEFT JOIN dues_entries c ON c.corrects_entry_id = e.id "
      "WHERE e.id = ? AND e.member_id = ? FOR UPDATE"));
  ps.setInt64(1, entry_id);
  ps.setInt64(2, member_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredEntry>();
  return std::optional<StoredEntry>(ReadEntry(*rs));
}

absl::StatusOr<std::map<int64_t, std::vector<StoredEntry>>> DuesStore::Entries(Session& session,
                                                                              std::span<const int64_t> member_ids,
                                                                              absl::CivilMonth from,
                                                                              absl::CivilMonth to) {
  std::map<int64_t, std::vector<StoredEntry>> out;
  if (member_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kEntryColumns, " FROM dues_entries e LEFT JOIN dues_entries c ON c.corrects_entry_id = e.id "
      "WHERE e.member_id IN ", common::db::kIdSet, " AND e.month BETWEEN ? AND ? ORDER BY e.member_id, e.id"));
  ps.setString(1, common::db::IdArray(Ids(member_ids)));
  ps.setString(2, MonthColumn(from));
  ps.setString(3, MonthColumn(to));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    StoredEntry e = ReadEntry(*rs);
    out[e.member_id].push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::map<int64_t, std::vector<domain::Period>>> DuesStore::Periods(
    Session& session, std::span<const int64_t> member_ids) {
  std::map<int64_t, std::vector<domain::Period>> out;
  if (member_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT member_id, valid_from, valid_to, status, cell_id, host_cell_id, exempt, suspended "
      "FROM member_periods WHERE member_id IN ",
      common::db::kIdSet, " ORDER BY member_id, valid_from"));
  ps.setString(1, common::db::IdArray(Ids(member_ids)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    domain::Period p;
    p.valid_from = DayColumn(*rs, "valid_from");
    p.valid_to = common::db::GetOptionalDay(*rs, "valid_to");
    p.status = static_cast<v1::MemberStatus>(rs->getInt("status"));
    p.cell_id = rs->getInt64("cell_id");
    p.host_cell_id = common::db::GetOptionalInt64(*rs, "host_cell_id");
    p.exempt = rs->getBoolean("exempt");
    p.suspended = rs->getBoolean("suspended");
    out[rs->getInt64("member_id")].push_back(p);
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> DuesStore::MembersOwingTo(Session& session, int64_t cell_id, absl::CivilDay day) {
  // Through idx_member_periods_cell and idx_member_periods_host.
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT member_id FROM member_periods WHERE cell_id = ? AND host_cell_id IS NULL AND valid_from <= ? "
      "AND (valid_to IS NULL OR valid_to > ?) AND status IN (?, ?) "
      "UNION SELECT member_id FROM member_periods WHERE host_cell_id = ? AND valid_from <= ? "
      "AND (valid_to IS NULL OR valid_to > ?) AND status IN (?, ?) ORDER BY member_id");
  const std::string day_text = common::api::FormatDate(day);
  int index = 1;
  for (int part = 0; part < 2; ++part) {
    ps.setInt64(index++, cell_id);
    ps.setString(index++, day_text);
    ps.setString(index++, day_text);
    ps.setInt(index++, v1::MEMBER_STATUS_PROBATIONARY);
    ps.setInt(index++, v1::MEMBER_STATUS_OFFICIAL);
  }
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<int64_t> out;
  while (rs->next()) out.push_back(rs->getInt64(1));
  return out;
}

absl::StatusOr<DuesStore::PutResult> DuesStore::PutLedgerOpening(Session& session, int64_t org_id,
                                                                 absl::CivilMonth first_month) {
  sql::PreparedStatement& read =
      session.Prepare("SELECT id, first_month FROM dues_ledger_openings WHERE org_id = ? FOR UPDATE");
  read.setInt64(1, org_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (rs->next()) {
    const int64_t id = rs->getInt64("id");
    if (MonthOf(*rs, "first_month") == first_month) return PutResult{.id = id, .changed = false};
    sql::PreparedStatement& update = session.Prepare("UPDATE dues_ledger_openings SET first_month = ? WHERE id = ?");
    update.setString(1, MonthColumn(first_month));
    update.setInt64(2, id);
    update.executeUpdate();
    return PutResult{.id = id, .changed = true};
  }
  sql::PreparedStatement& insert =
      session.Prepare("INSERT INTO dues_ledger_openings (org_id, first_month) VALUES (?, ?)");
  insert.setInt64(1, org_id);
  insert.setString(2, MonthColumn(first_month));
  insert.executeUpdate();
  return PutResult{.id = session.LastInsertId(), .changed = true};
}

absl::StatusOr<std::map<int64_t, std::vector<domain::LedgerOpeningRecord>>> DuesStore::OpeningsReaching(
    Session& session, std::span<const int64_t> cell_ids) {
  std::map<int64_t, std::vector<domain::LedgerOpeningRecord>> out;
  if (cell_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT c.descendant_id, c.depth, o.first_month FROM org_closure c "
      "JOIN dues_ledger_openings o ON o.org_id = c.ancestor_id WHERE c.descendant_id IN ",
      common::db::kIdSet));
  ps.setString(1, common::db::IdArray(Ids(cell_ids)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    out[rs->getInt64(1)].push_back(
        domain::LedgerOpeningRecord{.depth = rs->getInt(2), .first_month = MonthOf(*rs, "first_month")});
  }
  return out;
}

absl::StatusOr<DuesStore::PutResult> DuesStore::PutWageRegion(Session& session, int64_t org_id, int32_t region,
                                                              absl::CivilDay effective_from,
                                                              const std::string& citation) {
  const std::string from = common::api::FormatDate(effective_from);
  sql::PreparedStatement& read = session.Prepare(
      "SELECT id, region, citation FROM wage_regions WHERE org_id = ? AND effective_from = ? FOR UPDATE");
  read.setInt64(1, org_id);
  read.setString(2, from);
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (rs->next()) {
    const int64_t id = rs->getInt64("id");
    if (rs->getInt("region") == region && std::string(rs->getString("citation")) == citation) {
      return PutResult{.id = id, .changed = false};
    }
    sql::PreparedStatement& update = session.Prepare("UPDATE wage_regions SET region = ?, citation = ? WHERE id = ?");
    update.setInt(1, region);
    update.setString(2, citation);
    update.setInt64(3, id);
    update.executeUpdate();
    return PutResult{.id = id, .changed = true};
  }
  sql::PreparedStatement& insert =
      session.Prepare("INSERT INTO wage_regions (org_id, region, effective_from, citation) VALUES (?, ?, ?, ?)");
  insert.setInt64(1, org_id);
  insert.setInt(2, region);
  insert.setString(3, from);
  insert.setString(4, citation);
  insert.executeUpdate();
  return PutResult{.id = session.LastInsertId(), .changed = true};
}

absl::StatusOr<std::map<int64_t, std::vector<domain::WageRegionRecord>>> DuesStore::RegionsReaching(
    Session& session, std::span<const int64_t> cell_ids) {
  std::map<int64_t, std::vector<domain::WageRegionRecord>> out;
  if (cell_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT c.descendant_id, c.depth, w.region, w.effective_from FROM org_closure c "
      "JOIN wage_regions w ON w.org_id = c.ancestor_id WHERE c.descendant_id IN ",
      common::db::kIdSet));
  ps.setString(1, common::db::IdArray(Ids(cell_ids)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    out[rs->getInt64(1)].push_back(domain::WageRegionRecord{.depth = rs->getInt(2),
                                                            .region = rs->getInt(3),
                                                            .effective_from = DayColumn(*rs, "effective_from")});
  }
  return out;
}

}  // namespace grassroots::membership::store
