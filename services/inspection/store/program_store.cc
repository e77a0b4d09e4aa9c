#include "services/inspection/store/program_store.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection::store {
namespace {

namespace v1 = grassroots::inspection::v1;

constexpr char kProgramColumns[] =
    "id, org_id, year, adopted_on, decision_issuing_body, decision_number, decision_signed_on, version";
constexpr char kItemColumns[] =
    "id, program_id, topic, kind, basis, quarter, lead, lead_member_id, subject_org_id, subject_member_id, status, "
    "case_id, drop_reason";

StoredProgram ReadProgram(sql::ResultSet& rs) {
  StoredProgram stored;
  stored.id = rs.getInt64("id");
  stored.org_id = rs.getInt64("org_id");
  stored.version = rs.getInt64("version");
  v1::Program& p = stored.program;
  p.set_name(NameOfId("programs", stored.id));
  p.set_organization(NameOfId("organizations", stored.org_id));
  p.set_year(rs.getInt("year"));
  p.set_adopted_on(TextOrEmpty(rs, "adopted_on"));
  p.mutable_decision()->set_issuing_body(TextOrEmpty(rs, "decision_issuing_body"));
  p.mutable_decision()->set_number(TextOrEmpty(rs, "decision_number"));
  p.mutable_decision()->set_signed_on(TextOrEmpty(rs, "decision_signed_on"));
  if (p.decision().issuing_body().empty() && p.decision().number().empty() && p.decision().signed_on().empty()) {
    p.clear_decision();
  }
  p.set_etag(common::api::MakeEtag(stored.version));
  return stored;
}

void ReadItem(sql::ResultSet& rs, v1::ProgramItem* item) {
  item->set_name(ProgramItemName(rs.getInt64("program_id"), rs.getInt64("id")));
  item->set_topic(TextOrEmpty(rs, "topic"));
  item->set_kind(static_cast<v1::CaseKind>(rs.getInt("kind")));
  item->set_basis(static_cast<v1::CaseBasis>(rs.getInt("basis")));
  item->set_quarter(rs.getInt("quarter"));
  item->set_lead(static_cast<v1::Conductor>(rs.getInt("lead")));
  item->set_lead_member(OptionalName(rs, "lead_member_id", "members"));
  if (std::string org = OptionalName(rs, "subject_org_id", "organizations"); !org.empty()) {
    item->mutable_subject()->set_organization(org);
  } else if (std::string member = OptionalName(rs, "subject_member_id", "members"); !member.empty()) {
    item->mutable_subject()->set_member(member);
  }
  item->set_status(static_cast<v1::ProgramItemStatus>(rs.getInt("status")));
  item->set_case_(OptionalName(rs, "case_id", "cases"));
  item->set_drop_reason(TextOrEmpty(rs, "drop_reason"));
}

// Binds the item's mutable and immutable columns from topic on; returns the next index.
int BindItem(sql::PreparedStatement& ps, int index, const v1::ProgramItem& item) {
  ps.setString(index++, item.topic());
  ps.setInt(index++, item.kind());
  ps.setInt(index++, item.basis());
  ps.setInt(index++, item.quarter());
  ps.setInt(index++, item.lead());
  BindOptionalId(ps, index++, item.lead_member(), "members");
  BindOptionalId(ps, index++, item.subject().organization(), "organizations");
  BindOptionalId(ps, index++, item.subject().member(), "members");
  ps.setInt(index++, item.status());
  BindOptionalId(ps, index++, item.case_(), "cases");
  ps.setString(index++, item.drop_reason());
  return index;
}

}  // namespace

absl::StatusOr<StoredProgram> ProgramStore::Insert(common::db::Session& session, int64_t org_id,
                                                   const v1::Program& program) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO programs (org_id, year, adopted_on, decision_issuing_body, decision_number, decision_signed_on) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, org_id);
  ps.setInt(2, program.year());
  ps.setString(3, program.adopted_on());
  ps.setString(4, program.decision().issuing_body());
  ps.setString(5, program.decision().number());
  BindOptionalText(ps, 6, program.decision().signed_on());
  ps.executeUpdate();
  const int64_t id = session.LastInsertId();
  for (const v1::ProgramItem& item : program.items()) {
    absl::StatusOr<int64_t> item_id = AddItem(session, id, item);
    if (!item_id.ok()) return item_id.status();
  }
  absl::StatusOr<std::optional<StoredProgram>> stored = Get(session, id, /*for_update=*/false);
  if (!stored.ok()) return stored.status();
  return **stored;
}

absl::StatusOr<std::optional<StoredProgram>> ProgramStore::Get(common::db::Session& session, int64_t id,
                                                              bool for_update) {
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat("SELECT ", kProgramColumns, " FROM programs WHERE id = ?",
                                                            for_update ? " FOR UPDATE" : ""));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<StoredProgram>();
  StoredProgram stored = ReadProgram(*rs);
  absl::Status loaded = LoadItems(session, stored);
  if (!loaded.ok()) return loaded;
  return std::optional<StoredProgram>(std::move(stored));
}

absl::Status ProgramStore::LoadItems(common::db::Session& session, StoredProgram& stored) {
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT ", kItemColumns, " FROM program_items WHERE program_id = ? ORDER BY id"));
  ps.setInt64(1, stored.id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) ReadItem(*rs, stored.program.add_items());
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ProgramStore::AddItem(common::db::Session& session, int64_t program_id,
                                              const v1::ProgramItem& item) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO program_items (program_id, topic, kind, basis, quarter, lead, lead_member_id, subject_org_id, "
      "subject_member_id, status, case_id, drop_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, program_id);
  BindItem(ps, 2, item);
  ps.executeUpdate();
  return session.LastInsertId();
}

absl::Status ProgramStore::UpdateItem(common::db::Session& session, int64_t item_id, const v1::ProgramItem& item) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE program_items SET topic = ?, kind = ?, basis = ?, quarter = ?, lead = ?, lead_member_id = ?, "
      "subject_org_id = ?, subject_member_id = ?, status = ?, case_id = ?, drop_reason = ? WHERE id = ?");
  const int next = BindItem(ps, 1, item);
  ps.setInt64(next, item_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ProgramStore::BumpVersion(common::db::Session& session, int64_t program_id) {
  sql::PreparedStatement& ps = session.Prepare("UPDATE programs SET version = version + 1 WHERE id = ?");
  ps.setInt64(1, program_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredProgram>> ProgramStore::List(common::db::Session& session,
                                                              const std::vector<int64_t>& org_ids, int32_t year,
                                                              int64_t after_id, int32_t limit) {
  std::vector<StoredProgram> out;
  if (org_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kProgramColumns, " FROM programs WHERE org_id IN ", common::db::kIdSet,
                   " AND (? = 0 OR year = ?) AND id > ? ORDER BY id LIMIT ?"));
  ps.setString(1, common::db::IdArray(org_ids));
  ps.setInt(2, year);
  ps.setInt(3, year);
  ps.setInt64(4, after_id);
  ps.setInt(5, limit);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.push_back(ReadProgram(*rs));
  for (StoredProgram& stored : out) {
    absl::Status loaded = LoadItems(session, stored);
    if (!loaded.ok()) return loaded;
  }
  return out;
}

absl::StatusOr<std::set<int64_t>> ProgramStore::OrganizationsWithProgram(common::db::Session& session,
                                                                         const std::vector<int64_t>& org_ids,
                                                                         int32_t year, const std::string& adopted_by) {
  std::set<int64_t> out;
  if (org_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT org_id FROM programs WHERE org_id IN ", common::db::kIdSet, " AND year = ? AND adopted_on <= ?"));
  ps.setString(1, common::db::IdArray(org_ids));
  ps.setInt(2, year);
  ps.setString(3, adopted_by);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) out.insert(rs->getInt64("org_id"));
  return out;
}

absl::StatusOr<std::optional<int64_t>> ProgramStore::ProgramOfItem(common::db::Session& session, int64_t item_id) {
  sql::PreparedStatement& ps = session.Prepare("SELECT program_id FROM program_items WHERE id = ?");
  ps.setInt64(1, item_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<int64_t>();
  return std::optional<int64_t>(rs->getInt64("program_id"));
}

}  // namespace grassroots::inspection::store
