#include "services/membership/store/rights_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;

constexpr char kMicros[] = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ";

// Bound to the row and column: a sealed proposal copied to another row does not open.
std::string ProposalAssociatedData(int64_t id) {
  return absl::StrCat("member_correction_requests/", id, "/proposed_sealed");
}

// The proposal split: the sensitive fields go sealed, the rest in the clear
// (like the record's own columns).
void SplitProposal(const v1::Member& proposed, v1::Member& plain, v1::Member& sensitive) {
  plain = proposed;
  plain.clear_citizen_id();
  plain.clear_ethnicity();
  plain.clear_religion();
  sensitive.Clear();
  sensitive.set_citizen_id(proposed.citizen_id());
  sensitive.set_ethnicity(proposed.ethnicity());
  sensitive.set_religion(proposed.religion());
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string CorrectionRequestName(int64_t member_id, int64_t id) {
  return absl::StrCat("members/", member_id, "/correction-requests/", id);
}

absl::StatusOr<int64_t> RightsStore::InsertCorrection(Session& session, int64_t member_id,
                                                      const std::vector<std::string>& fields,
                                                      const v1::Member& proposed, std::string_view reason) {
  v1::Member plain;
  v1::Member sensitive;
  SplitProposal(proposed, plain, sensitive);
  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO member_correction_requests (member_id, fields, proposed, reason, state, answer_reason, created_at)"
      " VALUES (?, ?, UNHEX(?), ?, ?, '', UTC_TIMESTAMP(6)) RETURNING id");
  insert.setInt64(1, member_id);
  insert.setString(2, absl::StrJoin(fields, ","));
  insert.setString(3, absl::BytesToHexString(plain.SerializeAsString()));
  insert.setString(4, std::string(reason));
  insert.setInt(5, v1::CORRECTION_STATE_OPEN);
  std::unique_ptr<sql::ResultSet> rs = session.Query(insert);
  if (!rs->next()) return absl::InternalError("member_correction_requests insert returned no id");
  const int64_t id = rs->getInt64(1);
  if (sensitive.ByteSizeLong() > 0) {
    const std::shared_ptr<const common::crypto::Keyring> keys = members_.keys();
    GR_ASSIGN_OR_RETURN(const std::string sealed,
                        keys->Seal(keys->current_id(), sensitive.SerializeAsString(), ProposalAssociatedData(id)));
    sql::PreparedStatement& seal = session.Prepare(
        "UPDATE member_correction_requests SET proposed_sealed = UNHEX(?), key_version = ? WHERE id = ?");
    seal.setString(1, absl::BytesToHexString(sealed));
    seal.setInt64(2, static_cast<int64_t>(keys->current_id()));
    seal.setInt64(3, id);
    seal.executeUpdate();
  }
  return id;
}

absl::StatusOr<std::vector<CorrectionRow>> RightsStore::ReadRows(
    Session& session, const std::string& where, const std::function<void(sql::PreparedStatement&)>& bind) {
  sql::PreparedStatement& select = session.Prepare(absl::StrCat(
      "SELECT r.id, r.member_id, r.fields, HEX(r.proposed) AS proposed_hex, HEX(r.proposed_sealed) AS sealed_hex, "
      "r.key_version, r.reason, r.state, r.answer_reason, r.answered_by_roles, ",
      kMicros, "r.created_at) AS created_micros, ", kMicros, "r.answered_at) AS answered_micros ",
      "FROM member_correction_requests r ", where));
  bind(select);
  std::unique_ptr<sql::ResultSet> rs = session.Query(select);
  std::vector<CorrectionRow> out;
  const std::shared_ptr<const common::crypto::Keyring> keys = members_.keys();
  while (rs->next()) {
    CorrectionRow& row = out.emplace_back();
    row.id = rs->getInt64("id");
    row.member_id = rs->getInt64("member_id");
    row.fields = SplitList(std::string(rs->getString("fields")));
    if (!row.proposed.ParseFromString(absl::HexStringToBytes(std::string(rs->getString("proposed_hex"))))) {
      return absl::InternalError(absl::StrCat("correction request ", row.id, ": stored proposal is unreadable"));
    }
    const std::optional<std::string> sealed_hex = common::db::GetOptionalString(*rs, "sealed_hex");
    if (sealed_hex && !sealed_hex->empty()) {
      absl::StatusOr<std::string> opened =
          keys->Open(static_cast<uint32_t>(rs->getInt64("key_version")), absl::HexStringToBytes(*sealed_hex),
                     ProposalAssociatedData(row.id));
      if (!opened.ok()) {
        return absl::InternalError(
            absl::StrCat("correction request ", row.id, ": sealed proposal: ", opened.status().message()));
      }
      v1::Member sensitive;
      if (!sensitive.ParseFromString(*opened)) {
        return absl::InternalError(absl::StrCat("correction request ", row.id, ": sealed proposal is unreadable"));
      }
      row.proposed.MergeFrom(sensitive);
    }
    row.reason = std::string(rs->getString("reason"));
    row.state = static_cast<v1::CorrectionState>(rs->getInt("state"));
    row.answer_reason = std::string(rs->getString("answer_reason"));
    row.answered_by_roles = SplitList(std::string(rs->getString("answered_by_roles")));
    row.created_micros = rs->getInt64("created_micros");
    row.answered_micros = common::db::GetOptionalInt64(*rs, "answered_micros");
  }
  return out;
}

absl::StatusOr<CorrectionRow> RightsStore::GetCorrection(Session& session, int64_t member_id, int64_t id,
                                                         bool for_update) {
  GR_ASSIGN_OR_RETURN(std::vector<CorrectionRow> rows,
                      ReadRows(session, for_update ? "WHERE r.id = ? AND r.member_id = ? FOR UPDATE"
                                                   : "WHERE r.id = ? AND r.member_id = ?",
                               [&](sql::PreparedStatement& s) {
                                 s.setInt64(1, id);
                                 s.setInt64(2, member_id);
                               }));
  if (rows.empty()) return common::ResourceNotFound(CorrectionRequestName(member_id, id));
  return std::move(rows.front());
}

absl::StatusOr<std::vector<CorrectionRow>> RightsStore::MemberCorrections(Session& session, int64_t member_id) {
  return ReadRows(session, "WHERE r.member_id = ? ORDER BY r.id",
                  [&](sql::PreparedStatement& s) { s.setInt64(1, member_id); });
}

absl::StatusOr<std::vector<CorrectionRow>> RightsStore::ListCorrections(Session& session,
                                                                        const CorrectionQuery& query) {
  std::string where =
      "JOIN members m ON m.id = r.member_id "
      "JOIN org_closure oc ON oc.descendant_id = m.cell_id AND oc.ancestor_id = ? WHERE r.id > ?";
  if (query.state != v1::CORRECTION_STATE_UNSPECIFIED) where += " AND r.state = ?";
  where += " ORDER BY r.id LIMIT ?";
  return ReadRows(session, where, [&](sql::PreparedStatement& s) {
    int index = 1;
    s.setInt64(index++, query.subtree_root);
    s.setInt64(index++, query.after_id);
    if (query.state != v1::CORRECTION_STATE_UNSPECIFIED) s.setInt(index++, query.state);
    s.setInt(index, query.limit);
  });
}

absl::Status RightsStore::AnswerCorrection(Session& session, int64_t id, v1::CorrectionState state,
                                           std::string_view answer_reason, std::string_view answered_by,
                                           const std::vector<std::string>& answered_by_roles) {
  sql::PreparedStatement& update = session.Prepare(
      "UPDATE member_correction_requests SET state = ?, answer_reason = ?, answered_by = ?, answered_by_roles = ?, "
      "answered_at = UTC_TIMESTAMP(6) WHERE id = ? AND state = ?");
  update.setInt(1, state);
  update.setString(2, std::string(answer_reason));
  update.setString(3, std::string(answered_by));
  update.setString(4, absl::StrJoin(answered_by_roles, ","));
  update.setInt64(5, id);
  update.setInt(6, v1::CORRECTION_STATE_OPEN);
  if (update.executeUpdate() != 1) return absl::InternalError("correction request was not OPEN when answered");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReadAuditRow>> RightsStore::AuditAbout(Session& session, int64_t member_id,
                                                                  const std::vector<std::string>& actions,
                                                                  int limit) {
  std::string sql = absl::StrCat("SELECT id, ", kMicros,
                                 "occurred_at) AS occurred_micros, actor, action, details, purpose FROM audit_log "
                                 "WHERE resource_name = ? AND action IN (?");
  for (size_t i = 1; i < actions.size(); ++i) sql += ", ?";
  sql += ") ORDER BY id DESC LIMIT ?";
  sql::PreparedStatement& select = session.Prepare(sql);
  int index = 1;
  select.setString(index++, absl::StrCat("members/", member_id));
  for (const std::string& action : actions) select.setString(index++, action);
  select.setInt(index, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(select);
  std::vector<ReadAuditRow> out;
  while (rs->next()) {
    ReadAuditRow& row = out.emplace_back();
    row.id = rs->getInt64("id");
    row.occurred_micros = rs->getInt64("occurred_micros");
    row.actor = std::string(rs->getString("actor"));
    row.action = std::string(rs->getString("action"));
    row.details = std::string(rs->getString("details"));
    row.purpose = std::string(rs->getString("purpose"));
  }
  return out;
}

absl::StatusOr<std::vector<DisclosureRow>> RightsStore::DisclosuresAbout(Session& session, int64_t member_id) {
  // The member's own resource and those under it ("members/7/events/3", ...);
  // the LIKE prefix has no wildcard of its own (digits only).
  sql::PreparedStatement& select = session.Prepare(absl::StrCat(
      "SELECT d.id, d.consumer, d.after_sequence, d.to_sequence, ", kMicros, "d.started_at) AS started_micros, ",
      kMicros,
      "d.last_sent_at) AS last_sent_micros, "
      "(SELECT COUNT(*) FROM change_feed c WHERE (c.resource_name = ? OR c.resource_name LIKE ?) "
      "   AND c.sequence > d.after_sequence AND c.sequence <= d.to_sequence "
      "   AND (d.resource_types = '' OR FIND_IN_SET(c.resource_type, d.resource_types) > 0)) AS about "
      "FROM feed_disclosures d WHERE d.to_sequence > d.after_sequence HAVING about > 0 ORDER BY d.id"));
  const std::string name = absl::StrCat("members/", member_id);
  select.setString(1, name);
  select.setString(2, absl::StrCat(name, "/%"));
  std::unique_ptr<sql::ResultSet> rs = session.Query(select);
  std::vector<DisclosureRow> out;
  while (rs->next()) {
    DisclosureRow& row = out.emplace_back();
    row.id = rs->getInt64("id");
    row.consumer = std::string(rs->getString("consumer"));
    row.after_sequence = rs->getInt64("after_sequence");
    row.to_sequence = rs->getInt64("to_sequence");
    row.started_micros = rs->getInt64("started_micros");
    row.last_sent_micros = common::db::GetOptionalInt64(*rs, "last_sent_micros");
    row.changes_about_member = rs->getInt64("about");
  }
  return out;
}

absl::StatusOr<int64_t> FeedDisclosureLog::Open(std::string_view consumer, int64_t after_sequence,
                                                const std::vector<std::string>& resource_types) {
  return pool_.Transact<int64_t>("membership.feed_disclosure_open", [&](Session& session) -> absl::StatusOr<int64_t> {
    sql::PreparedStatement& insert = session.Prepare(
        "INSERT INTO feed_disclosures (consumer, resource_types, after_sequence, to_sequence, started_at) "
        "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6)) RETURNING id");
    insert.setString(1, std::string(consumer));
    insert.setString(2, absl::StrJoin(resource_types, ","));
    insert.setInt64(3, after_sequence);
    insert.setInt64(4, after_sequence);
    std::unique_ptr<sql::ResultSet> rs = session.Query(insert);
    if (!rs->next()) return absl::InternalError("feed_disclosures insert returned no id");
    return static_cast<int64_t>(rs->getInt64(1));
  });
}

absl::Status FeedDisclosureLog::Extend(int64_t entry_id, int64_t to_sequence, int64_t changes) {
  return pool_.RunInTransaction("membership.feed_disclosure_extend", [&](Session& session) -> absl::Status {
    sql::PreparedStatement& update = session.Prepare(
        "UPDATE feed_disclosures SET to_sequence = GREATEST(to_sequence, ?), changes_sent = changes_sent + ?, "
        "last_sent_at = UTC_TIMESTAMP(6) WHERE id = ?");
    update.setInt64(1, to_sequence);
    update.setInt64(2, changes);
    update.setInt64(3, entry_id);
    update.executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace grassroots::membership::store
