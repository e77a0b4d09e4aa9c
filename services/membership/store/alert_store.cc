#include "services/membership/store/alert_store.h"

#include <memory>
#include <set>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/store/sql_dates.h"
#include "services/orgtree/residential_units.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;

using common::api::FormatDate;

// The member row and the subtree join every alert query starts from; the
// subtree root is the first parameter.
constexpr char kSelectMember[] =
    "SELECT m.id, m.full_name, m.occupation_category, m.status, m.cell_id, m.host_cell_id, m.exempt, m.suspended, "
    "m.transfer_pending, m.status_since, m.admission_decision_date, m.admission_ceremony_date, "
    "m.probation_end_date, m.official_date, m.last_event_date";
constexpr char kFromSubtree[] =
    " FROM members m JOIN org_closure oc ON oc.descendant_id = m.cell_id AND oc.ancestor_id = ?";
// The member's latest TRANSFER_STARTED in force: the pending transfer, or the
// temporary one in force (no other transfer can start while either lasts).
std::string JoinLatestTransfer() {
  const int started = v1::EVENT_KIND_TRANSFER_STARTED;
  return absl::StrCat(" JOIN member_events e ON e.member_id = m.id AND e.kind = ", started,
                      " AND e.voided_by IS NULL AND e.ordinal = (SELECT MAX(x.ordinal) FROM member_events x"
                      " WHERE x.member_id = m.id AND x.kind = ",
                      started, " AND x.voided_by IS NULL)");
}
constexpr char kPage[] = " AND m.id > ? ORDER BY m.id LIMIT ?";

domain::AlertSubject ReadSubject(sql::ResultSet& rs) {
  domain::AlertSubject subject;
  subject.member_id = rs.getInt64("id");
  subject.full_name = rs.getString("full_name");
  subject.occupation_category = static_cast<v1::OccupationCategory>(rs.getInt("occupation_category"));
  domain::MemberState& s = subject.state;
  s.status = static_cast<v1::MemberStatus>(rs.getInt("status"));
  s.cell_id = rs.getInt64("cell_id");
  s.host_cell_id = common::db::GetOptionalInt64(rs, "host_cell_id");
  s.exempt = rs.getBoolean("exempt");
  s.suspended = rs.getBoolean("suspended");
  s.transfer_pending = rs.getBoolean("transfer_pending");
  s.status_since = GetOptionalDate(rs, "status_since").value_or(absl::CivilDay());
  s.admission_decision_date = GetOptionalDate(rs, "admission_decision_date");
  s.admission_ceremony_date = GetOptionalDate(rs, "admission_ceremony_date");
  s.probation_end_date = GetOptionalDate(rs, "probation_end_date");
  s.official_date = GetOptionalDate(rs, "official_date");
  s.last_event_date = GetOptionalDate(rs, "last_event_date").value_or(absl::CivilDay());
  return subject;
}

// Fills the transfer fields of the state from the TRANSFER_STARTED row joined in.
void ReadTransfer(sql::ResultSet& rs, domain::AlertSubject& subject) {
  domain::MemberState& s = subject.state;
  const nlohmann::json details =
      nlohmann::json::parse(std::string(rs.getString("transfer_details")), nullptr, /*allow_exceptions=*/false);
  const nlohmann::json transfer =
      details.is_object() && details.contains("transfer") ? details["transfer"] : nlohmann::json::object();
  v1::TransferKind kind = v1::TRANSFER_KIND_UNSPECIFIED;
  if (transfer.is_object() && transfer.contains("kind") && transfer["kind"].is_string()) {
    v1::TransferKind_Parse(transfer["kind"].get<std::string>(), &kind);
  }
  std::optional<absl::CivilDay> planned_end;
  if (transfer.is_object() && transfer.contains("planned_end") && transfer["planned_end"].is_string()) {
    planned_end = ParseStoredDate(transfer["planned_end"].get<std::string>());
  }
  if (s.transfer_pending) {
    s.pending_transfer_kind = kind;
    s.pending_introduced_on = GetOptionalDate(rs, "introduced_on");
    if (transfer.is_object() && transfer.contains("destination_cell_id") &&
        transfer["destination_cell_id"].is_number_integer()) {
      s.pending_destination_cell_id = transfer["destination_cell_id"].get<int64_t>();
    }
  } else {
    subject.temporary_kind = kind;
  }
  s.temporary_planned_end =
      kind == v1::TRANSFER_KIND_TEMPORARY_WORK || kind == v1::TRANSFER_KIND_TEMPORARY_TRAINING ? planned_end
                                                                                               : std::nullopt;
}

absl::StatusOr<std::vector<domain::AlertSubject>> Collect(Session& session, sql::PreparedStatement& ps,
                                                          v1::AlertKind kind) {
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<domain::AlertSubject> out;
  while (rs->next()) {
    domain::AlertSubject subject = ReadSubject(*rs);
    if (kind == v1::ALERT_KIND_TRANSFER_NOT_PRESENTED || kind == v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED) {
      ReadTransfer(*rs, subject);
    }
    if (kind == v1::ALERT_KIND_AWAITING_PLACEMENT) {
      subject.state.awaiting_placement_from = common::db::GetOptionalInt64(*rs, "awaiting_placement_from_cell_id");
      subject.awaiting_since = GetOptionalDate(*rs, "awaiting_since");
    }
    if (kind == v1::ALERT_KIND_UNMAPPED_CODE) {
      subject.unmapped_fields = absl::StrSplit(std::string(rs->getString("unmapped_fields")), ',', absl::SkipEmpty());
      subject.unmapped_listed_on = GetOptionalDate(*rs, "unmapped_listed_on");
    }
    if (kind == v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION || kind == v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK) {
      domain::ResidenceSnapshot& residence = subject.residence;
      residence.registered = common::db::GetOptionalInt64(*rs, "registration_id").has_value();
      residence.exemption = static_cast<v1::ResidenceExemption>(
          common::db::GetOptionalInt64(*rs, "exemption").value_or(v1::RESIDENCE_EXEMPTION_UNSPECIFIED));
      residence.feedback_given = common::db::GetOptionalInt64(*rs, "feedback_member").has_value();
    }
    out.push_back(std::move(subject));
  }
  return out;
}

std::string JsonIdList(const std::set<int64_t>& ids) { return absl::StrCat("[", absl::StrJoin(ids, ","), "]"); }

}  // namespace

absl::StatusOr<std::vector<domain::AlertSubject>> AlertStore::Candidates(Session& session, v1::AlertKind kind,
                                                                        int64_t root,
                                                                        const domain::AlertCutoffs& cutoffs,
                                                                        const domain::AlertQuery& query,
                                                                        int64_t after_member_id, int32_t limit) {
  if (limit <= 0) return std::vector<domain::AlertSubject>();
  switch (kind) {
    case v1::ALERT_KIND_PROBATION_OVERDUE:
    case v1::ALERT_KIND_CEREMONY_OVERDUE: {
      const bool probation = kind == v1::ALERT_KIND_PROBATION_OVERDUE;
      const std::optional<absl::CivilDay> cutoff =
          probation ? cutoffs.probation_end_on_or_before : cutoffs.decision_on_or_before;
      if (!cutoff) return std::vector<domain::AlertSubject>();
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember, kFromSubtree, " WHERE ",
          probation ? absl::StrCat("m.status = ", v1::MEMBER_STATUS_PROBATIONARY, " AND m.probation_end_date <= ?")
                    : absl::StrCat("m.status = ", v1::MEMBER_STATUS_ADMITTED, " AND m.admission_decision_date <= ?"),
          kPage));
      ps.setInt64(1, root);
      ps.setString(2, FormatDate(*cutoff));
      ps.setInt64(3, after_member_id);
      ps.setInt(4, limit);
      return Collect(session, ps, kind);
    }
    case v1::ALERT_KIND_TRANSFER_NOT_PRESENTED: {
      if (!cutoffs.introduced_on_or_before) return std::vector<domain::AlertSubject>();
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember, ", e.effective_date AS introduced_on, e.details AS transfer_details", kFromSubtree,
          JoinLatestTransfer(), " WHERE m.status IN (", v1::MEMBER_STATUS_PROBATIONARY, ",", v1::MEMBER_STATUS_OFFICIAL,
          ") AND m.transfer_pending = 1 AND e.effective_date <= ?", kPage));
      ps.setInt64(1, root);
      ps.setString(2, FormatDate(*cutoffs.introduced_on_or_before));
      ps.setInt64(3, after_member_id);
      ps.setInt(4, limit);
      return Collect(session, ps, kind);
    }
    case v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED: {
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember, ", e.effective_date AS introduced_on, e.details AS transfer_details", kFromSubtree,
          JoinLatestTransfer(), " WHERE m.status IN (", v1::MEMBER_STATUS_PROBATIONARY, ",", v1::MEMBER_STATUS_OFFICIAL,
          ") AND m.transfer_pending = 0"
          " AND JSON_VALUE(e.details, '$.transfer.kind') IN ('TRANSFER_KIND_TEMPORARY_WORK', "
          "'TRANSFER_KIND_TEMPORARY_TRAINING')"
          " AND JSON_VALUE(e.details, '$.transfer.planned_end') < ?"
          " AND NOT EXISTS (SELECT 1 FROM member_events t WHERE t.member_id = m.id AND t.kind = ",
          v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED, " AND t.voided_by IS NULL AND t.ordinal > e.ordinal)", kPage));
      ps.setInt64(1, root);
      ps.setString(2, FormatDate(cutoffs.planned_end_before));
      ps.setInt64(3, after_member_id);
      ps.setInt(4, limit);
      return Collect(session, ps, kind);
    }
    case v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION:
    case v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK: {
      if (cutoffs.working_categories.empty()) return std::vector<domain::AlertSubject>();
      const bool registration = kind == v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION;
      // Members of residential cells owe no residence liaison: the org-tree
      // library's definition (on the residential units membership's follower
      // projects) names those cells, and the query leaves their members out.
      GR_ASSIGN_OR_RETURN(const std::set<int64_t> residential,
                          orgtree::ResidentialCellsInSubtree(session, root, domain::ResidenceDutyDay(kind, query)));
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember,
          ", r.id AS registration_id, r.exemption, f.member_id AS feedback_member", kFromSubtree,
          // The registration in force on the as-of date (the latest when several overlap).
          " LEFT JOIN residence_registrations r ON r.id = (SELECT r2.id FROM residence_registrations r2"
          " WHERE r2.member_id = m.id AND r2.registered_on <= ? AND (r2.ended_on IS NULL OR r2.ended_on > ?)"
          " ORDER BY r2.registered_on DESC, r2.id DESC LIMIT 1)"
          " LEFT JOIN residence_feedback f ON f.member_id = m.id AND f.year = ?"
          " WHERE m.status IN (",
          v1::MEMBER_STATUS_PROBATIONARY, ",", v1::MEMBER_STATUS_OFFICIAL,
          ") AND m.occupation_category IN "
          "(SELECT c FROM JSON_TABLE(?, '$[*]' COLUMNS (c INT PATH '$')) AS categories)"
          " AND m.cell_id NOT IN (SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS cells)",
          registration ? " AND r.id IS NULL"
                       : absl::StrCat(" AND f.member_id IS NULL AND (r.id IS NULL OR r.exemption = ",
                                      v1::RESIDENCE_EXEMPTION_UNSPECIFIED, ")"),
          kPage));
      std::vector<int> categories;
      for (v1::OccupationCategory c : cutoffs.working_categories) categories.push_back(static_cast<int>(c));
      int index = 1;
      ps.setInt64(index++, root);
      ps.setString(index++, FormatDate(query.as_of));
      ps.setString(index++, FormatDate(query.as_of));
      ps.setInt(index++, query.feedback_year);
      ps.setString(index++, absl::StrCat("[", absl::StrJoin(categories, ","), "]"));
      ps.setString(index++, JsonIdList(residential));
      ps.setInt64(index++, after_member_id);
      ps.setInt(index++, limit);
      GR_ASSIGN_OR_RETURN(std::vector<domain::AlertSubject> subjects, Collect(session, ps, kind));
      for (domain::AlertSubject& subject : subjects) {
        subject.residence.own_cell_residential = residential.contains(subject.state.cell_id);
      }
      return subjects;
    }
    case v1::ALERT_KIND_AWAITING_PLACEMENT: {
      // Placed by the ended cell (kept in the closure under its parent).
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember, ", m.awaiting_placement_from_cell_id,"
          " (SELECT MAX(a.effective_date) FROM member_events a WHERE a.member_id = m.id AND a.kind = ",
          v1::EVENT_KIND_AWAITING_PLACEMENT, " AND a.voided_by IS NULL) AS awaiting_since"
          " FROM members m JOIN org_closure oc ON oc.descendant_id = m.awaiting_placement_from_cell_id"
          " AND oc.ancestor_id = ? WHERE m.cell_id = 0 AND m.status IN (",
          v1::MEMBER_STATUS_PROBATIONARY, ",", v1::MEMBER_STATUS_OFFICIAL, ")", kPage));
      ps.setInt64(1, root);
      ps.setInt64(2, after_member_id);
      ps.setInt(3, limit);
      return Collect(session, ps, kind);
    }
    case v1::ALERT_KIND_UNMAPPED_CODE: {
      // Any status: a closed record still feeds past years' statistics.
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember,
          ", (SELECT GROUP_CONCAT(u.field ORDER BY u.field) FROM member_code_unmapped u WHERE u.member_id = m.id)"
          " AS unmapped_fields,"
          " (SELECT DATE(MIN(u.listed_at)) FROM member_code_unmapped u WHERE u.member_id = m.id) AS unmapped_listed_on",
          kFromSubtree, " WHERE EXISTS (SELECT 1 FROM member_code_unmapped u WHERE u.member_id = m.id)", kPage));
      ps.setInt64(1, root);
      ps.setInt64(2, after_member_id);
      ps.setInt(3, limit);
      return Collect(session, ps, kind);
    }
    case v1::ALERT_KIND_DUES_ARREARS: {
      // Every counted member of the subtree: the ledger decides (dues_book.h).
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          kSelectMember, kFromSubtree, " WHERE m.status IN (", v1::MEMBER_STATUS_PROBATIONARY, ",",
          v1::MEMBER_STATUS_OFFICIAL, ")", kPage));
      ps.setInt64(1, root);
      ps.setInt64(2, after_member_id);
      ps.setInt(3, limit);
      return Collect(session, ps, kind);
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown alert kind ", static_cast<int>(kind)));
  }
}

}  // namespace grassroots::membership::store
