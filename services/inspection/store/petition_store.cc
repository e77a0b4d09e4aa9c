#include "services/inspection/store/petition_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection::store {
namespace {

namespace v1 = grassroots::inspection::v1;

constexpr char kColumns[] =
    "id, kind, source, org_id, about_org_id, about_member_id, discipline_decision_id, received_on, summary, anonymous, "
    "content_specific, status, assignee_member_id, assigned_on, assign_by, deadline, deadline_rule_id, answer, "
    "answered_on, close_reason, case_id, version";

StoredPetition ReadPetition(sql::ResultSet& rs) {
  StoredPetition stored;
  stored.id = rs.getInt64("id");
  stored.org_id = rs.getInt64("org_id");
  stored.version = rs.getInt64("version");
  v1::Petition& p = stored.record;
  p.set_name(NameOfId("petitions", stored.id));
  p.set_kind(static_cast<v1::PetitionKind>(rs.getInt("kind")));
  p.set_source(static_cast<v1::PetitionSource>(rs.getInt("source")));
  p.set_organization(NameOfId("organizations", stored.org_id));
  if (std::string org = OptionalName(rs, "about_org_id", "organizations"); !org.empty()) {
    p.mutable_about()->set_organization(org);
  } else if (std::string member = OptionalName(rs, "about_member_id", "members"); !member.empty()) {
    p.mutable_about()->set_member(member);
  }
  p.set_discipline_decision(OptionalName(rs, "discipline_decision_id", "discipline_decisions"));
  p.set_received_on(TextOrEmpty(rs, "received_on"));
  p.set_summary(TextOrEmpty(rs, "summary"));
  p.set_anonymous(rs.getBoolean("anonymous"));
  p.set_content_specific(rs.getBoolean("content_specific"));
  p.set_status(static_cast<v1::PetitionStatus>(rs.getInt("status")));
  p.set_assignee(OptionalName(rs, "assignee_member_id", "members"));
  p.set_assigned_on(TextOrEmpty(rs, "assigned_on"));
  p.set_assign_by(TextOrEmpty(rs, "assign_by"));
  p.set_deadline(TextOrEmpty(rs, "deadline"));
  p.set_deadline_rule_id(TextOrEmpty(rs, "deadline_rule_id"));
  p.set_answer(TextOrEmpty(rs, "answer"));
  p.set_answered_on(TextOrEmpty(rs, "answered_on"));
  p.set_close_reason(TextOrEmpty(rs, "close_reason"));
  p.set_case_(OptionalName(rs, "case_id", "cases"));
  p.set_etag(common::api::MakeEtag(stored.version));
  return stored;
}

}  // namespace

absl::StatusOr<int64_t> PetitionStore::Insert(common::db::Session& session, int64_t org_id, const v1::Petition& p,
                                              const v1::PetitionFiler* filer) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO petitions (kind, source, org_id, about_org_id, about_member_id, discipline_decision_id, "
      "received_on, summary, anonymous, content_specific, status, assign_by, deadline, deadline_rule_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int i = 1;
  ps.setInt(i++, p.kind());
  ps.setInt(i++, p.source());
  ps.setInt64(i++, org_id);
  BindOptionalId(ps, i++, p.about().organization(), "organizations");
  BindOptionalId(ps, i++, p.about().member(), "members");
  BindOptionalId(ps, i++, p.discipline_decision(), "discipline_decisions");
  ps.setString(i++, p.received_on());
  ps.setString(i++, p.summary());
  ps.setBoolean(i++, p.anonymous());
  ps.setBoolean(i++, p.content_specific());
  ps.setInt(i++, p.status());
  BindOptionalText(ps, i++, p.assign_by());
  BindOptionalText(ps, i++, p.deadline());
  ps.setString(i++, p.deadline_rule_id());
  ps.executeUpdate();
  const int64_t id = session.LastInsertId();
  if (filer != nullptr) {
    sql::PreparedStatement& f = session.Prepare(
        "INSERT INTO petition_filers (petition_id, full_name, address, phone, email, citizen_id) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    f.setInt64(1, id);
    f.setString(2, filer->full_name());
    f.setString(3, filer->address());
    f.setString(4, filer->phone());
    f.setString(5, filer->email());
    f.setString(6, filer->citizen_id());
    f.executeUpdate();
  }
  return id;
}

absl::StatusOr<std::optional<StoredPetition>> PetitionStore::Get(common::db::Session& session, int64_t id,
                                                                bool for_update) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kColumns, " FROM petitions WHERE id = ?", for_update ? " FOR UPDATE" : ""));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredPetition>();
  return std::optional<StoredPetition>(ReadPetition(*rs));
}

absl::Status PetitionStore::Update(common::db::Session& session, int64_t id, const v1::Petition& p) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE petitions SET status = ?, assignee_member_id = ?, assigned_on = ?, deadline = ?, deadline_rule_id = ?, "
      "answer = ?, answered_on = ?, close_reason = ?, case_id = ?, version = version + 1 WHERE id = ?");
  int i = 1;
  ps.setInt(i++, p.status());
  BindOptionalId(ps, i++, p.assignee(), "members");
  BindOptionalText(ps, i++, p.assigned_on());
  BindOptionalText(ps, i++, p.deadline());
  ps.setString(i++, p.deadline_rule_id());
  ps.setString(i++, p.answer());
  BindOptionalText(ps, i++, p.answered_on());
  ps.setString(i++, p.close_reason());
  BindOptionalId(ps, i++, p.case_(), "cases");
  ps.setInt64(i++, id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredPetition>> PetitionStore::List(common::db::Session& session,
                                                                const PetitionFilter& filter, int64_t after_id,
                                                                int32_t limit) {
  std::vector<StoredPetition> out;
  if (filter.org_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM petitions WHERE org_id IN ", common::db::kIdSet,
      " AND (? = 0 OR kind = ?) AND (? = 0 OR status = ?) AND (? = 0 OR status IN (?, ?))"
      " AND (? = '' OR (deadline IS NOT NULL AND deadline <= ?)) AND id > ? ORDER BY id LIMIT ?"));
  int i = 1;
  ps.setString(i++, common::db::IdArray(filter.org_ids));
  ps.setInt(i++, filter.kind);
  ps.setInt(i++, filter.kind);
  ps.setInt(i++, filter.status);
  ps.setInt(i++, filter.status);
  ps.setInt(i++, filter.open_only ? 1 : 0);
  ps.setInt(i++, v1::PETITION_STATUS_RECEIVED);
  ps.setInt(i++, v1::PETITION_STATUS_ASSIGNED);
  ps.setString(i++, filter.due_by);
  ps.setString(i++, filter.due_by);
  ps.setInt64(i++, after_id);
  ps.setInt(i++, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.push_back(ReadPetition(*rs));
  return out;
}

absl::StatusOr<std::optional<v1::PetitionFiler>> PetitionStore::GetFiler(common::db::Session& session, int64_t id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT full_name, address, phone, email, citizen_id FROM petition_filers WHERE petition_id = ?");
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<v1::PetitionFiler>();
  v1::PetitionFiler filer;
  filer.set_full_name(TextOrEmpty(*rs, "full_name"));
  filer.set_address(TextOrEmpty(*rs, "address"));
  filer.set_phone(TextOrEmpty(*rs, "phone"));
  filer.set_email(TextOrEmpty(*rs, "email"));
  filer.set_citizen_id(TextOrEmpty(*rs, "citizen_id"));
  return std::optional<v1::PetitionFiler>(std::move(filer));
}

}  // namespace grassroots::inspection::store
