#include "services/inspection/store/discipline_store.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection::store {
namespace {

namespace v1 = grassroots::inspection::v1;

constexpr char kDecisionColumns[] =
    "id, org_id, deciding_body, subject_org_id, subject_member_id, subject_kind, form, issuing_body, number, "
    "signed_on, effective_date, violation_summary, violation_category, violation_started_on, violation_ended_on, "
    "violation_detail, position_name, case_id, limitation_deadline, limitation_runs_from, limitation_years, "
    "limitation_rule_id, form_in_force, appeal_outcome, version";

constexpr char kAppealColumns[] =
    "a.id, a.decision_id, a.decision_received_on, a.filed_on, a.resolving_org_id, a.resolving_body, "
    "a.resolution_deadline, a.deadline_rule_id, a.outcome, a.new_form, a.resolved_on, a.resolution_issuing_body, "
    "a.resolution_number, a.resolution_signed_on, a.version";

// The limitation citation is not stored: it is the rule's, looked up on read by the handler.
StoredDecision ReadDecision(sql::ResultSet& rs) {
  StoredDecision stored;
  stored.id = rs.getInt64("id");
  stored.org_id = rs.getInt64("org_id");
  stored.version = rs.getInt64("version");
  v1::DisciplineDecision& d = stored.record;
  d.set_name(NameOfId("discipline_decisions", stored.id));
  d.set_organization(NameOfId("organizations", stored.org_id));
  d.set_deciding_body(static_cast<v1::Conductor>(rs.getInt("deciding_body")));
  if (std::string org = OptionalName(rs, "subject_org_id", "organizations"); !org.empty()) {
    d.mutable_subject()->set_organization(org);
  } else {
    d.mutable_subject()->set_member(OptionalName(rs, "subject_member_id", "members"));
  }
  d.set_subject_kind(static_cast<v1::SubjectKind>(rs.getInt("subject_kind")));
  d.set_form(static_cast<v1::DisciplineForm>(rs.getInt("form")));
  d.mutable_decision()->set_issuing_body(TextOrEmpty(rs, "issuing_body"));
  d.mutable_decision()->set_number(TextOrEmpty(rs, "number"));
  d.mutable_decision()->set_signed_on(TextOrEmpty(rs, "signed_on"));
  d.set_effective_date(TextOrEmpty(rs, "effective_date"));
  v1::Violation* violation = d.mutable_violation();
  if (std::string detail = TextOrEmpty(rs, "violation_detail"); !detail.empty()) violation->ParseFromString(detail);
  violation->set_summary(TextOrEmpty(rs, "violation_summary"));
  violation->set_category(static_cast<v1::ViolationCategory>(rs.getInt("violation_category")));
  violation->set_started_on(TextOrEmpty(rs, "violation_started_on"));
  violation->set_ended_on(TextOrEmpty(rs, "violation_ended_on"));
  d.set_position(TextOrEmpty(rs, "position_name"));
  d.set_case_(OptionalName(rs, "case_id", "cases"));
  v1::Limitation* limitation = d.mutable_limitation();
  limitation->set_deadline(TextOrEmpty(rs, "limitation_deadline"));
  limitation->set_runs_from(TextOrEmpty(rs, "limitation_runs_from"));
  limitation->set_years(rs.getInt("limitation_years"));
  limitation->set_rule_id(TextOrEmpty(rs, "limitation_rule_id"));
  d.set_form_in_force(static_cast<v1::DisciplineForm>(rs.getInt("form_in_force")));
  d.set_appeal_outcome(static_cast<v1::AppealOutcome>(rs.getInt("appeal_outcome")));
  d.set_etag(common::api::MakeEtag(stored.version));
  return stored;
}

StoredAppeal ReadAppeal(sql::ResultSet& rs) {
  StoredAppeal stored;
  stored.id = rs.getInt64("id");
  stored.decision_id = rs.getInt64("decision_id");
  stored.resolving_org_id = rs.getInt64("resolving_org_id");
  stored.version = rs.getInt64("version");
  v1::Appeal& a = stored.record;
  a.set_name(absl::StrCat("discipline_decisions/", stored.decision_id, "/appeals/", stored.id));
  a.set_decision_received_on(TextOrEmpty(rs, "decision_received_on"));
  a.set_filed_on(TextOrEmpty(rs, "filed_on"));
  a.set_resolving_organization(NameOfId("organizations", stored.resolving_org_id));
  a.set_resolving_body(static_cast<v1::Conductor>(rs.getInt("resolving_body")));
  a.set_resolution_deadline(TextOrEmpty(rs, "resolution_deadline"));
  a.set_deadline_rule_id(TextOrEmpty(rs, "deadline_rule_id"));
  a.set_outcome(static_cast<v1::AppealOutcome>(rs.getInt("outcome")));
  a.set_new_form(static_cast<v1::DisciplineForm>(rs.getInt("new_form")));
  a.set_resolved_on(TextOrEmpty(rs, "resolved_on"));
  if (std::string number = TextOrEmpty(rs, "resolution_number"); !number.empty()) {
    a.mutable_resolution()->set_issuing_body(TextOrEmpty(rs, "resolution_issuing_body"));
    a.mutable_resolution()->set_number(number);
    a.mutable_resolution()->set_signed_on(TextOrEmpty(rs, "resolution_signed_on"));
  }
  a.set_etag(common::api::MakeEtag(stored.version));
  return stored;
}

}  // namespace

absl::StatusOr<int64_t> DisciplineStore::InsertDecision(common::db::Session& session, int64_t org_id,
                                                        const v1::DisciplineDecision& d) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO discipline_decisions (org_id, deciding_body, subject_org_id, subject_member_id, subject_kind, form, "
      "issuing_body, number, signed_on, effective_date, violation_summary, violation_category, violation_started_on, "
      "violation_ended_on, violation_detail, position_name, case_id, limitation_deadline, limitation_runs_from, "
      "limitation_years, limitation_rule_id, form_in_force) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  // The detail blob keeps what has no column: later violations and periods not considered.
  v1::Violation detail;
  *detail.mutable_later_violations_on() = d.violation().later_violations_on();
  *detail.mutable_not_considered() = d.violation().not_considered();
  int i = 1;
  ps.setInt64(i++, org_id);
  ps.setInt(i++, d.deciding_body());
  BindOptionalId(ps, i++, d.subject().organization(), "organizations");
  BindOptionalId(ps, i++, d.subject().member(), "members");
  ps.setInt(i++, d.subject_kind());
  ps.setInt(i++, d.form());
  ps.setString(i++, d.decision().issuing_body());
  ps.setString(i++, d.decision().number());
  ps.setString(i++, d.decision().signed_on());
  ps.setString(i++, d.effective_date());
  ps.setString(i++, d.violation().summary());
  ps.setInt(i++, d.violation().category());
  BindOptionalText(ps, i++, d.violation().started_on());
  ps.setString(i++, d.violation().ended_on());
  BindOptionalText(ps, i++, detail.ByteSizeLong() == 0 ? std::string() : detail.SerializeAsString());
  ps.setString(i++, d.position());
  BindOptionalId(ps, i++, d.case_(), "cases");
  BindOptionalText(ps, i++, d.limitation().deadline());
  BindOptionalText(ps, i++, d.limitation().runs_from());
  ps.setInt(i++, d.limitation().years());
  ps.setString(i++, d.limitation().rule_id());
  ps.setInt(i++, d.form());
  ps.executeUpdate();
  return session.LastInsertId();
}

absl::StatusOr<std::optional<StoredDecision>> DisciplineStore::GetDecision(common::db::Session& session, int64_t id,
                                                                          bool for_update) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat("SELECT ", kDecisionColumns,
                                                            " FROM discipline_decisions WHERE id = ?",
                                                            for_update ? " FOR UPDATE" : ""));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredDecision>();
  StoredDecision stored = ReadDecision(*rs);
  absl::Status loaded = LoadEffects(session, stored);
  if (!loaded.ok()) return loaded;
  return std::optional<StoredDecision>(std::move(stored));
}

absl::Status DisciplineStore::LoadEffects(common::db::Session& session, StoredDecision& stored) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT kind, target, state, attempts, last_error, applied_at FROM discipline_effects WHERE decision_id = ? "
      "ORDER BY id");
  ps.setInt64(1, stored.id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    v1::Effect* effect = stored.record.add_effects();
    effect->set_kind(static_cast<v1::EffectKind>(rs->getInt("kind")));
    effect->set_target(TextOrEmpty(*rs, "target"));
    effect->set_state(static_cast<v1::EffectState>(rs->getInt("state")));
    effect->set_attempts(rs->getInt("attempts"));
    effect->set_last_error(TextOrEmpty(*rs, "last_error"));
    effect->set_applied_at(TextOrEmpty(*rs, "applied_at"));
  }
  return absl::OkStatus();
}

absl::Status DisciplineStore::SetAppealOutcome(common::db::Session& session, int64_t id, v1::AppealOutcome outcome,
                                               v1::DisciplineForm form_in_force) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE discipline_decisions SET appeal_outcome = ?, form_in_force = ?, version = version + 1 WHERE id = ?");
  ps.setInt(1, outcome);
  ps.setInt(2, form_in_force);
  ps.setInt64(3, id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredDecision>> DisciplineStore::ListDecisions(common::db::Session& session,
                                                                           const DecisionFilter& filter,
                                                                           int64_t after_id, int32_t limit) {
  std::vector<StoredDecision> out;
  const bool any_org = filter.org_ids.empty();
  if (any_org && !filter.subject_org_id && !filter.subject_member_id) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kDecisionColumns, " FROM discipline_decisions WHERE (? OR org_id IN ", common::db::kIdSet, ")",
      " AND (? IS NULL OR subject_org_id = ?) AND (? IS NULL OR subject_member_id = ?)",
      " AND (? = 0 OR form = ?) AND (? = 0 OR YEAR(signed_on) = ?) AND id > ? ORDER BY id LIMIT ?"));
  int i = 1;
  ps.setBoolean(i++, any_org);
  ps.setString(i++, common::db::IdArray(filter.org_ids));
  common::db::SetOptionalInt64(ps, i++, filter.subject_org_id);
  common::db::SetOptionalInt64(ps, i++, filter.subject_org_id);
  common::db::SetOptionalInt64(ps, i++, filter.subject_member_id);
  common::db::SetOptionalInt64(ps, i++, filter.subject_member_id);
  ps.setInt(i++, filter.form);
  ps.setInt(i++, filter.form);
  ps.setInt(i++, filter.year);
  ps.setInt(i++, filter.year);
  ps.setInt64(i++, after_id);
  ps.setInt(i++, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.push_back(ReadDecision(*rs));
  for (StoredDecision& stored : out) {
    absl::Status loaded = LoadEffects(session, stored);
    if (!loaded.ok()) return loaded;
  }
  return out;
}

absl::Status DisciplineStore::AddEffect(common::db::Session& session, int64_t decision_id, v1::EffectKind kind,
                                        const std::string& target, const std::string& idempotency_key) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO discipline_effects (decision_id, kind, target, idempotency_key, state) VALUES (?, ?, ?, ?, ?)");
  ps.setInt64(1, decision_id);
  ps.setInt(2, kind);
  ps.setString(3, target);
  ps.setString(4, idempotency_key);
  ps.setInt(5, v1::EFFECT_STATE_PENDING);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PendingEffect>> DisciplineStore::ClaimDueEffects(common::db::Session& session,
                                                                            int32_t limit, absl::Duration lease) {
  std::vector<PendingEffect> out;
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT id, decision_id, kind, target, idempotency_key, attempts FROM discipline_effects "
      "WHERE state = ? AND next_attempt_at <= UTC_TIMESTAMP(6) ORDER BY next_attempt_at, id LIMIT ? "
      "FOR UPDATE SKIP LOCKED");
  ps.setInt(1, v1::EFFECT_STATE_PENDING);
  ps.setInt(2, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    PendingEffect effect;
    effect.id = rs->getInt64("id");
    effect.decision_id = rs->getInt64("decision_id");
    effect.kind = static_cast<v1::EffectKind>(rs->getInt("kind"));
    effect.target = TextOrEmpty(*rs, "target");
    effect.idempotency_key = TextOrEmpty(*rs, "idempotency_key");
    effect.attempts = rs->getInt("attempts");
    out.push_back(std::move(effect));
  }
  for (const PendingEffect& effect : out) {
    sql::PreparedStatement& lease_ps = session.Prepare(
        "UPDATE discipline_effects SET attempts = attempts + 1, "
        "next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE id = ?");
    lease_ps.setInt64(1, absl::ToInt64Microseconds(lease));
    lease_ps.setInt64(2, effect.id);
    lease_ps.executeUpdate();
  }
  return out;
}

absl::Status DisciplineStore::MarkApplied(common::db::Session& session, int64_t effect_id) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE discipline_effects SET state = ?, applied_at = UTC_TIMESTAMP(6), last_error = '' WHERE id = ?");
  ps.setInt(1, v1::EFFECT_STATE_APPLIED);
  ps.setInt64(2, effect_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status DisciplineStore::MarkRetry(common::db::Session& session, int64_t effect_id, const std::string& error,
                                        absl::Duration delay) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE discipline_effects SET last_error = ?, next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND "
      "WHERE id = ? AND state = ?");
  ps.setString(1, error.substr(0, 1000));
  ps.setInt64(2, absl::ToInt64Microseconds(delay));
  ps.setInt64(3, effect_id);
  ps.setInt(4, v1::EFFECT_STATE_PENDING);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status DisciplineStore::MarkRefused(common::db::Session& session, int64_t effect_id, const std::string& error) {
  sql::PreparedStatement& ps =
      session.Prepare("UPDATE discipline_effects SET state = ?, last_error = ? WHERE id = ?");
  ps.setInt(1, v1::EFFECT_STATE_REFUSED);
  ps.setString(2, error.substr(0, 1000));
  ps.setInt64(3, effect_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> DisciplineStore::CountPendingEffects(common::db::Session& session) {
  sql::PreparedStatement& ps = session.Prepare("SELECT COUNT(*) AS n FROM discipline_effects WHERE state = ?");
  ps.setInt(1, v1::EFFECT_STATE_PENDING);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  return rs->next() ? rs->getInt64("n") : 0;
}

absl::StatusOr<int64_t> DisciplineStore::InsertAppeal(common::db::Session& session, int64_t decision_id,
                                                      int64_t resolving_org_id, const v1::Appeal& a) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO appeals (decision_id, decision_received_on, filed_on, resolving_org_id, resolving_body, "
      "resolution_deadline, deadline_rule_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, decision_id);
  ps.setString(2, a.decision_received_on());
  ps.setString(3, a.filed_on());
  ps.setInt64(4, resolving_org_id);
  ps.setInt(5, a.resolving_body());
  ps.setString(6, a.resolution_deadline());
  ps.setString(7, a.deadline_rule_id());
  ps.executeUpdate();
  return session.LastInsertId();
}

absl::StatusOr<std::optional<StoredAppeal>> DisciplineStore::GetAppeal(common::db::Session& session, int64_t id,
                                                                      bool for_update) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kAppealColumns, " FROM appeals a WHERE a.id = ?", for_update ? " FOR UPDATE" : ""));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredAppeal>();
  return std::optional<StoredAppeal>(ReadAppeal(*rs));
}

absl::Status DisciplineStore::ResolveAppeal(common::db::Session& session, int64_t id, const v1::Appeal& a) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE appeals SET outcome = ?, new_form = ?, resolved_on = ?, resolution_issuing_body = ?, "
      "resolution_number = ?, resolution_signed_on = ?, version = version + 1 WHERE id = ?");
  ps.setInt(1, a.outcome());
  ps.setInt(2, a.new_form());
  ps.setString(3, a.resolved_on());
  ps.setString(4, a.resolution().issuing_body());
  ps.setString(5, a.resolution().number());
  BindOptionalText(ps, 6, a.resolution().signed_on());
  ps.setInt64(7, id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredAppeal>> DisciplineStore::ListOpenAppeals(common::db::Session& session,
                                                                           const std::vector<int64_t>& org_ids,
                                                                           const std::string& due_by, int64_t after_id,
                                                                           int32_t limit) {
  std::vector<StoredAppeal> out;
  if (org_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kAppealColumns, " FROM appeals a JOIN discipline_decisions d ON d.id = a.decision_id "
      "WHERE a.outcome = 0 AND (d.org_id IN ", common::db::kIdSet, " OR a.resolving_org_id IN ", common::db::kIdSet, ")",
      " AND (? = '' OR a.resolution_deadline <= ?) AND a.id > ? ORDER BY a.id LIMIT ?"));
  const std::string ids = common::db::IdArray(org_ids);
  ps.setString(1, ids);
  ps.setString(2, ids);
  ps.setString(3, due_by);
  ps.setString(4, due_by);
  ps.setInt64(5, after_id);
  ps.setInt(6, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.push_back(ReadAppeal(*rs));
  return out;
}

absl::StatusOr<bool> DisciplineStore::HasOpenAppeal(common::db::Session& session, int64_t decision_id) {
  sql::PreparedStatement& ps = session.Prepare("SELECT 1 FROM appeals WHERE decision_id = ? AND outcome = 0 LIMIT 1");
  ps.setInt64(1, decision_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  return rs->next();
}

}  // namespace grassroots::inspection::store
