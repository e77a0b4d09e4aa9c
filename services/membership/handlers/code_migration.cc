#include "services/membership/handlers/code_migration.h"

#include <optional>
#include <string>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "common/status/status.h"
#include "services/membership/handlers/member_access.h"

namespace grassroots::membership {
namespace {

using common::db::Session;

constexpr int kBatch = 500;
constexpr char kActor[] = "system:code-migration";

// A legacy value: the text stored and whether it is listed as unmapped already.
struct Legacy {
  std::optional<std::string> text;
  bool listed = false;
};

struct Candidate {
  int64_t member_id = 0;
  Legacy ethnicity;
  Legacy religion;
};

// Rows holding something that is not a two-digit code (codes are "00".."99"),
// after `after_id`. The listed flags say whether the same text is already in
// member_code_unmapped (nothing to do for that field then).
std::vector<Candidate> ReadCandidates(Session& session, int64_t after_id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT s.member_id, s.ethnicity, s.religion, "
      "  (ue.original IS NOT NULL AND ue.original = s.ethnicity) AS ethnicity_listed, "
      "  (ur.original IS NOT NULL AND ur.original = s.religion) AS religion_listed "
      "FROM member_sensitive s "
      "LEFT JOIN member_code_unmapped ue ON ue.member_id = s.member_id AND ue.field = 'ethnicity' "
      "LEFT JOIN member_code_unmapped ur ON ur.member_id = s.member_id AND ur.field = 'religion' "
      "WHERE s.key_version = 0 AND s.member_id > ? "
      "  AND ((s.ethnicity IS NOT NULL AND s.ethnicity NOT REGEXP '^[0-9]{2}$') "
      "    OR (s.religion IS NOT NULL AND s.religion NOT REGEXP '^[0-9]{2}$')) "
      "ORDER BY s.member_id LIMIT ?");
  ps.setInt64(1, after_id);
  ps.setInt(2, kBatch);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<Candidate> out;
  while (rs->next()) {
    Candidate c;
    c.member_id = rs->getInt64("member_id");
    c.ethnicity.text = common::db::GetOptionalString(*rs, "ethnicity");
    c.religion.text = common::db::GetOptionalString(*rs, "religion");
    c.ethnicity.listed = rs->getInt("ethnicity_listed") != 0;
    c.religion.listed = rs->getInt("religion_listed") != 0;
    out.push_back(std::move(c));
  }
  return out;
}

// What to do with one field: its code, or list it (nullopt when it already is a
// code, is empty, or is listed with the same text).
struct FieldOutcome {
  std::optional<std::string> code;
  bool list = false;
};

FieldOutcome Decide(const Legacy& legacy, const domain::CodeList& list) {
  FieldOutcome out;
  if (!legacy.text || legacy.text->empty() || list.Contains(*legacy.text)) return out;
  out.code = list.Match(*legacy.text);
  out.list = !out.code && !legacy.listed;
  return out;
}

// Whether a run against the code lists with this fingerprint completed.
absl::StatusOr<bool> CompletedBefore(HandlerContext& ctx, const std::string& fingerprint) {
  return ctx.pool.Read<bool>("membership.code_migration.completed", [&](Session& session) -> absl::StatusOr<bool> {
    sql::PreparedStatement& ps =
        session.Prepare("SELECT 1 FROM code_migration_runs WHERE code_lists_fingerprint = ?");
    ps.setString(1, fingerprint);
    return session.Query(ps)->next();
  });
}

absl::Status RecordCompletion(HandlerContext& ctx, const std::string& fingerprint,
                              const CodeMigrationResult& result) {
  return ctx.pool.Run("membership.code_migration.complete", [&](Session& session) -> absl::Status {
    // Another replica starting at the same time may have finished first: its row stands.
    sql::PreparedStatement& ps = session.Prepare(
        "INSERT IGNORE INTO code_migration_runs (code_lists_fingerprint, members_mapped, fields_unmapped) "
        "VALUES (?, ?, ?)");
    ps.setString(1, fingerprint);
    ps.setInt64(2, result.members_mapped);
    ps.setInt64(3, result.fields_unmapped);
    ps.executeUpdate();
    return absl::OkStatus();
  });
}

void ListUnmapped(Session& session, int64_t member_id, const char* field, const std::string& original) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO member_code_unmapped (member_id, field, original) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE original = VALUES(original), listed_at = CURRENT_TIMESTAMP(6)");
  ps.setInt64(1, member_id);
  ps.setString(2, field);
  ps.setString(3, original);
  ps.executeUpdate();
}

}  // namespace

absl::StatusOr<CodeMigrationResult> MigrateLegacyCodes(HandlerContext& ctx) {
  CodeMigrationResult result;
  const std::string fingerprint = ctx.codes.Fingerprint();
  GR_ASSIGN_OR_RETURN(result.skipped, CompletedBefore(ctx, fingerprint));
  if (result.skipped) return result;
  const common::feed::WriteContext write{kActor, ""};
  int64_t after_id = 0;
  while (true) {
    GR_ASSIGN_OR_RETURN(const std::vector<Candidate> batch,
                        ctx.pool.Read<std::vector<Candidate>>(
                            "membership.code_migration.read",
                            [&](Session& session) -> absl::StatusOr<std::vector<Candidate>> {
                              return ReadCandidates(session, after_id);
                            }));
    if (batch.empty()) break;
    for (const Candidate& candidate : batch) {
      after_id = candidate.member_id;
      const FieldOutcome ethnicity = Decide(candidate.ethnicity, ctx.codes.ethnicity);
      const FieldOutcome religion = Decide(candidate.religion, ctx.codes.religion);
      if (!ethnicity.code && !religion.code && !ethnicity.list && !religion.list) continue;
      // One member per transaction: its codes, its unmapped rows and its feed entry together.
      GR_RETURN_IF_ERROR(ctx.pool.RunInTransaction("membership.code_migration.write", [&](Session& session)
                                                       -> absl::Status {
        GR_ASSIGN_OR_RETURN(domain::MemberRecord record, ctx.members.GetForUpdate(session, candidate.member_id));
        if (ethnicity.list) ListUnmapped(session, record.id, "ethnicity", *candidate.ethnicity.text);
        if (religion.list) ListUnmapped(session, record.id, "religion", *candidate.religion.text);
        if (!ethnicity.code && !religion.code) return absl::OkStatus();
        if (ethnicity.code) record.sensitive.ethnicity = *ethnicity.code;
        if (religion.code) record.sensitive.religion = *religion.code;
        GR_RETURN_IF_ERROR(ctx.members.UpdateProfile(session, record.id, record.profile, record.sensitive));
        GR_ASSIGN_OR_RETURN(const domain::MemberRecord after, ctx.members.Get(session, record.id));
        return RecordMemberChange(ctx, session, write, after, "codes_mapped",
                                  {{"ethnicity_mapped", ethnicity.code.has_value()},
                                   {"religion_mapped", religion.code.has_value()}});
      }));
      if (ethnicity.code || religion.code) ++result.members_mapped;
      result.fields_unmapped += (ethnicity.list ? 1 : 0) + (religion.list ? 1 : 0);
    }
  }
  GR_RETURN_IF_ERROR(RecordCompletion(ctx, fingerprint, result));
  return result;
}

}  // namespace grassroots::membership
