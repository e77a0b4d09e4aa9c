#include "services/inspection/store/case_store.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection::store {
namespace {

namespace v1 = grassroots::inspection::v1;

constexpr char kCaseColumns[] =
    "id, org_id, conductor, kind, basis, subject_org_id, subject_member_id, topic, opening_issuing_body, "
    "opening_number, opening_signed_on, period_start, period_end, status, started_on, findings, conclusion, "
    "concluded_on, notice_issuing_body, notice_number, notice_signed_on, finance_findings, program_item_id, "
    "cancel_reason, closed_on, version";

constexpr char kRecommendationColumns[] =
    "case_id, seq, text, responsible_org_id, responsible_member_id, deadline, status, followed_up_on, follow_up_note";

void ReadSubject(sql::ResultSet& rs, const std::string& org_column, const std::string& member_column,
                 v1::Subject* subject) {
  if (std::string org = OptionalName(rs, org_column, "organizations"); !org.empty()) {
    subject->set_organization(org);
  } else if (std::string member = OptionalName(rs, member_column, "members"); !member.empty()) {
    subject->set_member(member);
  }
}

StoredCase ReadCase(sql::ResultSet& rs) {
  StoredCase stored;
  stored.id = rs.getInt64("id");
  stored.org_id = rs.getInt64("org_id");
  stored.version = rs.getInt64("version");
  v1::Case& c = stored.record;
  c.set_name(NameOfId("cases", stored.id));
  c.set_organization(NameOfId("organizations", stored.org_id));
  c.set_conductor(static_cast<v1::Conductor>(rs.getInt("conductor")));
  c.set_kind(static_cast<v1::CaseKind>(rs.getInt("kind")));
  c.set_basis(static_cast<v1::CaseBasis>(rs.getInt("basis")));
  ReadSubject(rs, "subject_org_id", "subject_member_id", c.mutable_subject());
  c.set_topic(TextOrEmpty(rs, "topic"));
  c.mutable_opening_decision()->set_issuing_body(TextOrEmpty(rs, "opening_issuing_body"));
  c.mutable_opening_decision()->set_number(TextOrEmpty(rs, "opening_number"));
  c.mutable_opening_decision()->set_signed_on(TextOrEmpty(rs, "opening_signed_on"));
  c.set_period_start(TextOrEmpty(rs, "period_start"));
  c.set_period_end(TextOrEmpty(rs, "period_end"));
  c.set_status(static_cast<v1::CaseStatus>(rs.getInt("status")));
  c.set_started_on(TextOrEmpty(rs, "started_on"));
  c.set_findings(TextOrEmpty(rs, "findings"));
  c.set_conclusion(TextOrEmpty(rs, "conclusion"));
  c.set_concluded_on(TextOrEmpty(rs, "concluded_on"));
  if (std::string number = TextOrEmpty(rs, "notice_number"); !number.empty()) {
    c.mutable_conclusion_notice()->set_issuing_body(TextOrEmpty(rs, "notice_issuing_body"));
    c.mutable_conclusion_notice()->set_number(number);
    c.mutable_conclusion_notice()->set_signed_on(TextOrEmpty(rs, "notice_signed_on"));
  }
  if (std::string finance = TextOrEmpty(rs, "finance_findings"); !finance.empty()) {
    c.mutable_finance_findings()->ParseFromString(finance);
  }
  // Its name needs the item's program: LoadChildren fills it in.
  stored.program_item_id = common::db::GetOptionalInt64(rs, "program_item_id");
  c.set_cancel_reason(TextOrEmpty(rs, "cancel_reason"));
  c.set_closed_on(TextOrEmpty(rs, "closed_on"));
  c.set_etag(common::api::MakeEtag(stored.version));
  return stored;
}

void ReadRecommendation(sql::ResultSet& rs, v1::Recommendation* r) {
  r->set_name(absl::StrCat("cases/", rs.getInt64("case_id"), "/recommendations/", rs.getInt("seq")));
  r->set_text(TextOrEmpty(rs, "text"));
  ReadSubject(rs, "responsible_org_id", "responsible_member_id", r->mutable_responsible());
  if (r->responsible().target_case() == v1::Subject::TARGET_NOT_SET) r->clear_responsible();
  r->set_deadline(TextOrEmpty(rs, "deadline"));
  r->set_status(static_cast<v1::RecommendationStatus>(rs.getInt("status")));
  r->set_followed_up_on(TextOrEmpty(rs, "followed_up_on"));
  r->set_follow_up_note(TextOrEmpty(rs, "follow_up_note"));
}

void BindDecision(sql::PreparedStatement& ps, int index, const grassroots::type::v1::Decision& d) {
  ps.setString(index, d.issuing_body());
  ps.setString(index + 1, d.number());
  BindOptionalText(ps, index + 2, d.signed_on());
}

}  // namespace

absl::StatusOr<StoredCase> CaseStore::Insert(common::db::Session& session, int64_t org_id, const v1::Case& c) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO cases (org_id, conductor, kind, basis, subject_org_id, subject_member_id, topic, "
      "opening_issuing_body, opening_number, opening_signed_on, period_start, period_end, status, program_item_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, org_id);
  ps.setInt(2, c.conductor());
  ps.setInt(3, c.kind());
  ps.setInt(4, c.basis());
  BindOptionalId(ps, 5, c.subject().organization(), "organizations");
  BindOptionalId(ps, 6, c.subject().member(), "members");
  ps.setString(7, c.topic());
  ps.setString(8, c.opening_decision().issuing_body());
  ps.setString(9, c.opening_decision().number());
  ps.setString(10, c.opening_decision().signed_on());
  ps.setString(11, c.period_start());
  BindOptionalText(ps, 12, c.period_end());
  ps.setInt(13, c.status());
  common::db::SetOptionalInt64(ps, 14, ProgramItemIdOf(c.program_item()));
  ps.executeUpdate();
  const int64_t id = session.LastInsertId();
  absl::Status written = Update(session, id, c);
  if (!written.ok()) return written;
  absl::StatusOr<std::optional<StoredCase>> stored = Get(session, id, /*for_update=*/false);
  if (!stored.ok()) return stored.status();
  return **stored;
}

absl::StatusOr<std::optional<StoredCase>> CaseStore::Get(common::db::Session& session, int64_t id, bool for_update) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kCaseColumns, " FROM cases WHERE id = ?", for_update ? " FOR UPDATE" : ""));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredCase>();
  StoredCase stored = ReadCase(*rs);
  absl::Status loaded = LoadChildren(session, stored);
  if (!loaded.ok()) return loaded;
  return std::optional<StoredCase>(std::move(stored));
}

absl::Status CaseStore::LoadChildren(common::db::Session& session, StoredCase& stored) {
  v1::Case& c = stored.record;
  {
    sql::PreparedStatement& ps =
        session.Prepare("SELECT member_id, role FROM case_team WHERE case_id = ? ORDER BY seq");
    ps.setInt64(1, stored.id);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) {
      v1::TeamMember* member = c.add_team();
      member->set_member(NameOfId("members", rs->getInt64("member_id")));
      member->set_role(TextOrEmpty(*rs, "role"));
    }
  }
  {
    sql::PreparedStatement& ps = session.Prepare(
        absl::StrCat("SELECT ", kRecommendationColumns, " FROM recommendations WHERE case_id = ? ORDER BY seq"));
    ps.setInt64(1, stored.id);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) ReadRecommendation(*rs, c.add_recommendations());
  }
  if (stored.program_item_id) {
    sql::PreparedStatement& ps = session.Prepare("SELECT program_id FROM program_items WHERE id = ?");
    ps.setInt64(1, *stored.program_item_id);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    if (rs->next()) c.set_program_item(ProgramItemName(rs->getInt64("program_id"), *stored.program_item_id));
  }
  return absl::OkStatus();
}

absl::Status CaseStore::Update(common::db::Session& session, int64_t id, const v1::Case& c) {
  {
    sql::PreparedStatement& ps = session.Prepare(
        "UPDATE cases SET status = ?, started_on = ?, findings = ?, conclusion = ?, concluded_on = ?, "
        "notice_issuing_body = ?, notice_number = ?, notice_signed_on = ?, finance_findings = ?, cancel_reason = ?, "
        "closed_on = ?, version = version + 1 WHERE id = ?");
    ps.setInt(1, c.status());
    BindOptionalText(ps, 2, c.started_on());
    BindOptionalText(ps, 3, c.findings());
    BindOptionalText(ps, 4, c.conclusion());
    BindOptionalText(ps, 5, c.concluded_on());
    BindDecision(ps, 6, c.conclusion_notice());
    BindOptionalText(ps, 9, c.has_finance_findings() ? c.finance_findings().SerializeAsString() : std::string());
    ps.setString(10, c.cancel_reason());
    BindOptionalText(ps, 11, c.closed_on());
    ps.setInt64(12, id);
    ps.executeUpdate();
  }
  {
    sql::PreparedStatement& ps = session.Prepare("DELETE FROM case_team WHERE case_id = ?");
    ps.setInt64(1, id);
    ps.executeUpdate();
  }
  for (int i = 0; i < c.team_size(); ++i) {
    sql::PreparedStatement& ps =
        session.Prepare("INSERT INTO case_team (case_id, seq, member_id, role) VALUES (?, ?, ?, ?)");
    ps.setInt64(1, id);
    ps.setInt(2, i + 1);
    ps.setInt64(3, IdOfName(c.team(i).member(), "members").value_or(0));
    ps.setString(4, c.team(i).role());
    ps.executeUpdate();
  }
  // Recommendations keep their number (seq = position + 1): they are only ever appended.
  for (int i = 0; i < c.recommendations_size(); ++i) {
    const v1::Recommendation& r = c.recommendations(i);
    sql::PreparedStatement& ps = session.Prepare(
        "INSERT INTO recommendations (case_id, seq, text, responsible_org_id, responsible_member_id, deadline, "
        "status, followed_up_on, follow_up_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE status = VALUES(status), followed_up_on = VALUES(followed_up_on), "
        "follow_up_note = VALUES(follow_up_note)");
    ps.setInt64(1, id);
    ps.setInt(2, i + 1);
    ps.setString(3, r.text());
    BindOptionalId(ps, 4, r.responsible().organization(), "organizations");
    BindOptionalId(ps, 5, r.responsible().member(), "members");
    ps.setString(6, r.deadline());
    ps.setInt(7, r.status());
    BindOptionalText(ps, 8, r.followed_up_on());
    ps.setString(9, r.follow_up_note());
    ps.executeUpdate();
  }
  return absl::OkStatus();
}

absl::Status CaseStore::SetProgramItem(common::db::Session& session, int64_t id, int64_t program_item_id) {
  sql::PreparedStatement& ps =
      session.Prepare("UPDATE cases SET program_item_id = ?, version = version + 1 WHERE id = ?");
  ps.setInt64(1, program_item_id);
  ps.setInt64(2, id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredCase>> CaseStore::List(common::db::Session& session, const CaseFilter& filter,
                                                        int64_t after_id, int32_t limit) {
  std::vector<StoredCase> out;
  if (filter.org_ids.empty() && !filter.any_org) return out;
  std::vector<int32_t> statuses = filter.statuses;
  if (filter.status != 0) statuses.push_back(filter.status);
  std::vector<int64_t> status_ids(statuses.begin(), statuses.end());
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kCaseColumns, " FROM cases WHERE (? OR org_id IN ", common::db::kIdSet, ")",
      " AND (? = 0 OR status IN ", common::db::kIdSet, ") AND (? = 0 OR kind = ?)"
      " AND (? IS NULL OR subject_org_id = ?) AND (? IS NULL OR subject_member_id = ?)"
      " AND (? = 0 OR (period_start <= MAKEDATE(?, 365) AND COALESCE(period_end, period_start) >= MAKEDATE(?, 1)))"
      " AND id > ? ORDER BY id LIMIT ?"));
  int i = 1;
  ps.setBoolean(i++, filter.any_org);
  ps.setString(i++, common::db::IdArray(filter.org_ids));
  ps.setInt(i++, static_cast<int32_t>(status_ids.size()));
  ps.setString(i++, common::db::IdArray(status_ids));
  ps.setInt(i++, filter.kind);
  ps.setInt(i++, filter.kind);
  common::db::SetOptionalInt64(ps, i++, filter.subject_org_id);
  common::db::SetOptionalInt64(ps, i++, filter.subject_org_id);
  common::db::SetOptionalInt64(ps, i++, filter.subject_member_id);
  common::db::SetOptionalInt64(ps, i++, filter.subject_member_id);
  ps.setInt(i++, filter.year);
  ps.setInt(i++, filter.year);
  ps.setInt(i++, filter.year);
  ps.setInt64(i++, after_id);
  ps.setInt(i++, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.push_back(ReadCase(*rs));
  for (StoredCase& stored : out) {
    absl::Status loaded = LoadChildren(session, stored);
    if (!loaded.ok()) return loaded;
  }
  return out;
}

absl::StatusOr<std::vector<OverdueRecommendation>> CaseStore::ListOverdueRecommendations(
    common::db::Session& session, const std::vector<int64_t>& org_ids, const std::string& as_of,
    int64_t after_case_id, int32_t after_seq, int32_t limit) {
  std::vector<OverdueRecommendation> out;
  if (org_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT r.case_id, r.seq, r.text, r.responsible_org_id, r.responsible_member_id, r.deadline, r.status, "
      "r.followed_up_on, r.follow_up_note, c.org_id FROM recommendations r JOIN cases c ON c.id = r.case_id "
      "WHERE c.org_id IN ", common::db::kIdSet, " AND r.status = ? AND r.deadline < ? AND (r.case_id, r.seq) > (?, ?) "
      "ORDER BY r.case_id, r.seq LIMIT ?"));
  ps.setString(1, common::db::IdArray(org_ids));
  ps.setInt(2, v1::RECOMMENDATION_STATUS_OPEN);
  ps.setString(3, as_of);
  ps.setInt64(4, after_case_id);
  ps.setInt(5, after_seq);
  ps.setInt(6, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    OverdueRecommendation item;
    item.case_id = rs->getInt64("case_id");
    item.case_org_id = rs->getInt64("org_id");
    item.seq = rs->getInt("seq");
    ReadRecommendation(*rs, &item.recommendation);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace grassroots::inspection::store
