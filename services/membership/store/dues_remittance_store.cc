#include "services/membership/store/dues_remittance_store.h"

#include <memory>
#include <utility>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"
#include "common/status/status.h"
#include "services/membership/store/dues_store.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;

constexpr char kColumns[] =
    "r.id, r.org_id, r.to_org_id, r.month, r.amount, r.channel, r.remitted_on, r.reference, r.note, "
    "r.corrects_remittance_id, UNIX_TIMESTAMP(r.recorded_at) * 1000000 AS recorded_micros, c.id AS corrected_by";
constexpr char kFrom[] =
    " FROM dues_remittances r LEFT JOIN dues_remittances c ON c.corrects_remittance_id = r.id ";
// A remittance counts unless a later one corrects it.
constexpr char kCounts[] =
    " NOT EXISTS (SELECT 1 FROM dues_remittances c WHERE c.corrects_remittance_id = r.id) ";

absl::CivilDay DayOf(sql::ResultSet& rs, const std::string& column) {
  return common::db::GetOptionalDay(rs, column).value_or(absl::CivilDay(1970, 1, 1));
}

StoredRemittance Read(sql::ResultSet& rs) {
  StoredRemittance r;
  r.id = rs.getInt64("id");
  r.org_id = rs.getInt64("org_id");
  r.to_org_id = common::db::GetOptionalInt64(rs, "to_org_id");
  r.month = absl::CivilMonth(DayOf(rs, "month"));
  r.amount = rs.getInt64("amount");
  r.channel = static_cast<v1::RemittanceChannel>(rs.getInt("channel"));
  r.remitted_on = DayOf(rs, "remitted_on");
  r.reference = rs.getString("reference");
  r.note = rs.getString("note");
  r.corrects = common::db::GetOptionalInt64(rs, "corrects_remittance_id");
  r.corrected_by = common::db::GetOptionalInt64(rs, "corrected_by");
  r.recorded_at = absl::FromUnixMicros(static_cast<int64_t>(rs.getDouble("recorded_micros")));
  return r;
}

// Any number of short texts bound as ONE parameter, as common/db/sql_ids.h
// binds ids; transaction ids compare byte for byte (ascii_bin).
constexpr char kTransactionIdSet[] =
    "(SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) "
    "AS text_set)";
std::string TextArray(std::span<const std::string> texts) {
  return nlohmann::json(std::vector<std::string>(texts.begin(), texts.end())).dump();
}

// Sums of the remittances that count, grouped by `column` (org_id or to_org_id).
absl::StatusOr<std::map<int64_t, int64_t>> SumsBy(Session& session, const char* column,
                                                  std::span<const int64_t> org_ids, absl::CivilMonth from,
                                                  absl::CivilMonth to) {
  std::map<int64_t, int64_t> out;
  if (org_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT r.", column, " AS org, SUM(r.amount) AS total FROM dues_remittances r WHERE r.", column, " IN ",
      common::db::kIdSet, " AND r.month BETWEEN ? AND ? AND", kCounts, "GROUP BY r.", column));
  ps.setString(1, common::db::IdArray({org_ids.begin(), org_ids.end()}));
  ps.setString(2, MonthColumn(from));
  ps.setString(3, MonthColumn(to));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out[rs->getInt64("org")] = rs->getInt64("total");
  return out;
}

}  // namespace

absl::StatusOr<StoredRemittance> DuesRemittanceStore::Insert(Session& session, const StoredRemittance& remittance) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO dues_remittances (org_id, to_org_id, month, amount, channel, remitted_on, reference, note, "
      "corrects_remittance_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, remittance.org_id);
  common::db::SetOptionalInt64(ps, 2, remittance.to_org_id);
  ps.setString(3, MonthColumn(remittance.month));
  ps.setInt64(4, remittance.amount);
  ps.setInt(5, remittance.channel);
  ps.setString(6, common::api::FormatDate(remittance.remitted_on));
  ps.setString(7, remittance.reference);
  ps.setString(8, remittance.note);
  common::db::SetOptionalInt64(ps, 9, remittance.corrects);
  ps.executeUpdate();
  const int64_t id = session.LastInsertId();
  sql::PreparedStatement& read = session.Prepare(absl::StrCat("SELECT ", kColumns, kFrom, "WHERE r.id = ?"));
  read.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(read);
  if (!rs->next()) return absl::InternalError("the remittance just written cannot be read back");
  return Read(*rs);
}

absl::StatusOr<std::optional<StoredRemittance>> DuesRemittanceStore::ForUpdate(Session& session, int64_t org_id,
                                                                              int64_t remittance_id) {
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT ", kColumns, kFrom, "WHERE r.id = ? AND r.org_id = ? FOR UPDATE"));
  ps.setInt64(1, remittance_id);
  ps.setInt64(2, org_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredRemittance>();
  return std::optional<StoredRemittance>(Read(*rs));
}

absl::StatusOr<std::vector<StoredRemittance>> DuesRemittanceStore::RemittancesOf(Session& session, int64_t org_id,
                                                                                absl::CivilMonth from,
                                                                                absl::CivilMonth to) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kColumns, kFrom, "WHERE r.org_id = ? AND r.month BETWEEN ? AND ? ORDER BY r.id"));
  ps.setInt64(1, org_id);
  ps.setString(2, MonthColumn(from));
  ps.setString(3, MonthColumn(to));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<StoredRemittance> out;
  while (rs->next()) out.push_back(Read(*rs));
  return out;
}

absl::StatusOr<std::map<int64_t, int64_t>> DuesRemittanceStore::RemittedBy(Session& session,
                                                                          std::span<const int64_t> org_ids,
                                                                          absl::CivilMonth from, absl::CivilMonth to) {
  return SumsBy(session, "org_id", org_ids, from, to);
}

absl::StatusOr<std::map<int64_t, int64_t>> DuesRemittanceStore::ReceivedBy(Session& session,
                                                                          std::span<const int64_t> org_ids,
                                                                          absl::CivilMonth from, absl::CivilMonth to) {
  return SumsBy(session, "to_org_id", org_ids, from, to);
}

absl::StatusOr<Collected> DuesRemittanceStore::CollectedFor(Session& session, int64_t cell_id,
                                                            absl::CivilMonth month) {
  // Who owed the cell on the month's first day, then their entries for the
  // month through (member_id, month): one statement with the members as a
  // subquery scans every entry of the month instead.
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> owing,
                      DuesStore().MembersOwingTo(session, cell_id, absl::CivilDay(month)));
  Collected out;
  if (owing.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT e.channel, SUM(e.amount) AS total FROM dues_entries e WHERE e.member_id IN ", common::db::kIdSet,
      " AND e.month = ? AND NOT EXISTS (SELECT 1 FROM dues_entries c WHERE c.corrects_entry_id = e.id) "
      "GROUP BY e.channel"));
  ps.setString(1, common::db::IdArray(owing));
  ps.setString(2, MonthColumn(month));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    const int64_t total = rs->getInt64("total");
    if (rs->getInt("channel") == v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL) {
      out.portal += total;
    } else {
      out.cash += total;
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, DuesRemittanceStore::PortalRecord>> DuesRemittanceStore::PortalTransactions(
    Session& session, std::span<const std::string> transaction_ids) {
  std::map<std::string, PortalRecord> out;
  if (transaction_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT t.transaction_id, e.id, e.member_id, e.month, e.amount, e.paid_on FROM dues_portal_transactions t "
      "JOIN dues_entries e ON e.id = t.entry_id WHERE t.transaction_id IN ",
      kTransactionIdSet));
  ps.setString(1, TextArray(transaction_ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    out[rs->getString("transaction_id")] = PortalRecord{.entry_id = rs->getInt64("id"),
                                                        .member_id = rs->getInt64("member_id"),
                                                        .month = absl::CivilMonth(DayOf(*rs, "month")),
                                                        .amount = rs->getInt64("amount"),
                                                        .paid_on = DayOf(*rs, "paid_on")};
  }
  return out;
}

absl::StatusOr<std::map<std::string, int64_t>> DuesRemittanceStore::MembersByCards(
    Session& session, std::span<const std::string> numbers) {
  std::map<std::string, int64_t> out;
  if (numbers.empty()) return out;
  // Keyed by the number as asked: the comparison follows the column's collation (case aside).
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT asked.id AS number, p.member_id FROM JSON_TABLE(?, '$[*]' COLUMNS (id VARCHAR(64) PATH '$')) AS asked "
      "JOIN party_cards p ON p.number = asked.id");
  ps.setString(1, TextArray(numbers));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out[rs->getString("number")] = rs->getInt64("member_id");
  return out;
}

absl::Status DuesRemittanceStore::InsertPortalTransaction(Session& session, const std::string& transaction_id,
                                                          int64_t entry_id) {
  sql::PreparedStatement& ps =
      session.Prepare("INSERT INTO dues_portal_transactions (transaction_id, entry_id) VALUES (?, ?)");
  ps.setString(1, transaction_id);
  ps.setInt64(2, entry_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

}  // namespace grassroots::membership::store
