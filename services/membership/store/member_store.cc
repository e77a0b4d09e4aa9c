#include "services/membership/store/member_store.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/db/multi_row.h"
#include "common/db/sql_ids.h"
#include "common/status/status.h"
#include "services/membership/domain/lifecycle.h"
#include "services/membership/domain/member_attributes.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/store/sql_dates.h"

namespace grassroots::membership::store {
namespace {

using common::db::Session;

constexpr int kErDupEntry = 1062;
constexpr int kErDupEntryWithKeyName = 1586;

// Every read of a record: the members row and its sensitive row.
constexpr char kRecordColumns[] = R"(m.id, m.full_name, m.birth_name, m.sex, m.birth_date, m.birth_place,
  m.home_town, m.occupation_category, m.occupation, m.general_education, m.professional_qualification,
  m.professional_qualification_level, m.political_theory_level, m.permanent_address, m.current_address, m.phone, m.email, m.external_id,
  m.party_card_number, m.status, m.cell_id, m.host_cell_id, m.awaiting_placement_from_cell_id, m.exempt, m.suspended, m.transfer_pending,
  m.status_since, m.admission_decision_date, m.admission_ceremony_date, m.probation_end_date, m.official_date,
  m.last_event_date, m.version, m.created_at, m.updated_at,
  s.key_version, HEX(s.citizen_id) AS citizen_id_hex, HEX(s.ethnicity) AS ethnicity_hex,
  HEX(s.religion) AS religion_hex)";
constexpr char kRecordFrom[] = " FROM members m LEFT JOIN member_sensitive s ON s.member_id = m.id ";

using common::db::IdArray;
using common::db::kIdSet;

using common::api::FormatDate;

// A NOT NULL DATE column; anything but a date there is a schema bug.
absl::CivilDay DateColumn(const std::string& text) { return ParseStoredDate(text).value_or(absl::CivilDay()); }

absl::Time TimeColumn(const std::string& text) { return ParseStoredTime(text).value_or(absl::UnixEpoch()); }

// The columns of member_sensitive, each sealed with its own associated data.
constexpr std::array<std::string_view, 3> kSensitiveColumns = {"citizen_id", "ethnicity", "religion"};

std::string* SensitiveField(domain::SensitiveFields& fields, std::string_view column) {
  if (column == "citizen_id") return &fields.citizen_id;
  if (column == "ethnicity") return &fields.ethnicity;
  return &fields.religion;
}

// What a sealed value is bound to besides its key id: its row and column, so
// a value copied to another member or column does not open.
std::string SensitiveAssociatedData(int64_t member_id, std::string_view column) {
  return absl::StrCat("member_sensitive/", member_id, "/", common::ToAbsl(column));
}

// The three values of a row from their hex columns (HEX() keeps binary bytes
// clear of the connection's character set). key_version 0 holds the UTF-8
// plaintext of rows written before encryption (sealed at start-up); any other
// version names the keyring key that sealed them. A value that does not open
// is an internal error naming the member and the key, never the bytes.
absl::Status OpenSensitive(const common::crypto::Keyring& keys, int64_t member_id, int64_t key_version,
                           const std::array<std::optional<std::string>, 3>& hex_values,
                           domain::SensitiveFields& out) {
  for (size_t i = 0; i < kSensitiveColumns.size(); ++i) {
    std::string* field = SensitiveField(out, kSensitiveColumns[i]);
    field->clear();
    if (!hex_values[i]) continue;
    const std::string stored = absl::HexStringToBytes(*hex_values[i]);
    if (key_version == 0) {
      *field = stored;
      continue;
    }
    absl::StatusOr<std::string> opened = keys.Open(static_cast<uint32_t>(key_version), stored,
                                                   SensitiveAssociatedData(member_id, kSensitiveColumns[i]));
    if (!opened.ok()) {
      return absl::InternalError(absl::StrCat("member_sensitive of members/", member_id, ", column ",
                                              common::ToAbsl(kSensitiveColumns[i]), ": ", opened.status().message()));
    }
    *field = std::move(*opened);
  }
  return absl::OkStatus();
}

std::array<std::optional<std::string>, 3> SensitiveHexColumns(sql::ResultSet& rs) {
  std::array<std::optional<std::string>, 3> out;
  for (size_t i = 0; i < kSensitiveColumns.size(); ++i) {
    out[i] = common::db::GetOptionalString(rs, absl::StrCat(common::ToAbsl(kSensitiveColumns[i]), "_hex"));
  }
  return out;
}

absl::Status ReadSensitive(sql::ResultSet& rs, const common::crypto::Keyring& keys, int64_t member_id,
                           domain::SensitiveFields& out) {
  const std::optional<int64_t> key_version = common::db::GetOptionalInt64(rs, "key_version");
  if (!key_version) return absl::OkStatus();  // no sensitive row
  return OpenSensitive(keys, member_id, *key_version, SensitiveHexColumns(rs), out);
}

// The sealed hex of each column of `fields` (nullopt for an empty value) under the current key.
absl::StatusOr<std::array<std::optional<std::string>, 3>> SealSensitive(const common::crypto::Keyring& keys,
                                                                        int64_t member_id,
                                                                        const domain::SensitiveFields& fields) {
  std::array<std::optional<std::string>, 3> out;
  domain::SensitiveFields copy = fields;
  for (size_t i = 0; i < kSensitiveColumns.size(); ++i) {
    const std::string& value = *SensitiveField(copy, kSensitiveColumns[i]);
    if (value.empty()) continue;
    GR_ASSIGN_OR_RETURN(std::string sealed, keys.Seal(keys.current_id(), value,
                                                      SensitiveAssociatedData(member_id, kSensitiveColumns[i])));
    out[i] = absl::BytesToHexString(sealed);
  }
  return out;
}

// Rewrites a member's sealed row (the lookup index beside it) under the current
// key. New members' rows are written by InsertMany.
absl::Status RewriteSealedRow(Session& session, const common::crypto::Keyring& keys, int64_t member_id,
                              const domain::SensitiveFields& fields, const std::optional<std::string>& lookup_hex) {
  GR_ASSIGN_OR_RETURN(const auto sealed, SealSensitive(keys, member_id, fields));
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE member_sensitive SET key_version = ?, citizen_id = UNHEX(?), citizen_id_lookup = UNHEX(?), "
      "ethnicity = UNHEX(?), religion = UNHEX(?) WHERE member_id = ?");
  ps.setInt64(1, keys.current_id());
  common::db::SetOptionalString(ps, 2, sealed[0]);
  common::db::SetOptionalString(ps, 3, lookup_hex);
  common::db::SetOptionalString(ps, 4, sealed[1]);
  common::db::SetOptionalString(ps, 5, sealed[2]);
  ps.setInt64(6, member_id);
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<domain::MemberRecord> MapRecord(sql::ResultSet& rs, const common::crypto::Keyring& keys) {
  domain::MemberRecord r;
  r.id = rs.getInt64("id");
  domain::Profile& p = r.profile;
  p.full_name = rs.getString("full_name");
  p.birth_name = rs.getString("birth_name");
  p.sex = static_cast<v1::Sex>(rs.getInt("sex"));
  p.birth_date = DateColumn(rs.getString("birth_date"));
  p.birth_place = rs.getString("birth_place");
  p.home_town = rs.getString("home_town");
  p.occupation_category = static_cast<v1::OccupationCategory>(rs.getInt("occupation_category"));
  p.occupation = rs.getString("occupation");
  p.general_education = static_cast<v1::GeneralEducation>(rs.getInt("general_education"));
  p.professional_qualification = rs.getString("professional_qualification");
  p.professional_qualification_level =
      static_cast<v1::ProfessionalQualificationLevel>(rs.getInt("professional_qualification_level"));
  p.political_theory_level = static_cast<v1::PoliticalTheoryLevel>(rs.getInt("political_theory_level"));
  p.permanent_address = rs.getString("permanent_address");
  p.current_address = rs.getString("current_address");
  p.phone = rs.getString("phone");
  p.email = rs.getString("email");
  p.external_id = common::db::GetOptionalString(rs, "external_id");
  r.party_card_number = common::db::GetOptionalString(rs, "party_card_number");

  domain::MemberState& s = r.state;
  s.status = static_cast<v1::MemberStatus>(rs.getInt("status"));
  s.cell_id = rs.getInt64("cell_id");
  s.host_cell_id = common::db::GetOptionalInt64(rs, "host_cell_id");
  s.awaiting_placement_from = common::db::GetOptionalInt64(rs, "awaiting_placement_from_cell_id");
  s.exempt = rs.getBoolean("exempt");
  s.suspended = rs.getBoolean("suspended");
  s.transfer_pending = rs.getBoolean("transfer_pending");
  s.status_since = DateColumn(rs.getString("status_since"));
  s.admission_decision_date = GetOptionalDate(rs, "admission_decision_date");
  s.admission_ceremony_date = GetOptionalDate(rs, "admission_ceremony_date");
  s.probation_end_date = GetOptionalDate(rs, "probation_end_date");
  s.official_date = GetOptionalDate(rs, "official_date");
  s.last_event_date = DateColumn(rs.getString("last_event_date"));

  r.version = rs.getInt64("version");
  r.create_time = TimeColumn(rs.getString("created_at"));
  r.update_time = TimeColumn(rs.getString("updated_at"));
  GR_RETURN_IF_ERROR(ReadSensitive(rs, keys, r.id, r.sensitive));
  return r;
}

// The unique key a duplicate-entry error names: "... for key 'uq_x'" (some
// servers qualify it as 'table.uq_x'). The rest of the message quotes the
// value, which may be personal data: it is never logged or returned.
std::string DuplicateKeyName(const sql::SQLException& e) {
  const std::string message = e.what();
  const std::string marker = "for key '";
  const size_t start = message.rfind(marker);
  if (start == std::string::npos) return "";
  const size_t from = start + marker.size();
  const size_t end = message.find('\'', from);
  if (end == std::string::npos) return "";
  std::string key = message.substr(from, end - from);
  if (const size_t dot = key.rfind('.'); dot != std::string::npos) key = key.substr(dot + 1);
  return key;
}

// Maps a duplicate on one of the member's unique keys to ALREADY_EXISTS naming
// the request field; anything else through the shared mapping.
absl::Status DuplicateOrMapped(const sql::SQLException& e, Session& session) {
  if (e.getErrorCode() == kErDupEntry || e.getErrorCode() == kErDupEntryWithKeyName) {
    const std::string key = DuplicateKeyName(e);
    if (key == "uq_member_sensitive_lookup") {
      return common::Reasoned(absl::StatusCode::kAlreadyExists, "DUPLICATE_CITIZEN_ID",
                              "member.citizen_id is already recorded for another member");
    }
    if (key == "uq_members_external_id") {
      return common::Reasoned(absl::StatusCode::kAlreadyExists, "DUPLICATE_EXTERNAL_ID",
                              "member.external_id is already recorded for another member");
    }
    if (key == "uq_party_cards_number" || key == "uq_members_party_card") {
      return common::Reasoned(absl::StatusCode::kAlreadyExists, "DUPLICATE_PARTY_CARD",
                              "party_card_number is already issued to a member");
    }
  }
  return common::db::FromSqlException(e, session.operation());
}

// Runs a write whose unique keys may collide, mapping the collision.
template <typename Fn>
absl::Status Guarded(Session& session, Fn&& fn) {
  try {
    fn();
  } catch (const sql::SQLException& e) {
    return DuplicateOrMapped(e, session);
  }
  return absl::OkStatus();
}

// Binds the profile columns in the order of kProfileAssignments, from `index`.
constexpr char kProfileAssignments[] = R"(full_name = ?, birth_name = ?, search_name = ?, sex = ?, birth_date = ?,
  birth_place = ?, home_town = ?, occupation_category = ?, occupation = ?, general_education = ?,
  professional_qualification = ?, professional_qualification_level = ?, political_theory_level = ?, permanent_address = ?, current_address = ?,
  phone = ?, email = ?, external_id = ?)";
int BindProfile(sql::PreparedStatement& ps, int index, const domain::Profile& p) {
  ps.setString(index++, p.full_name);
  ps.setString(index++, p.birth_name);
  ps.setString(index++, domain::SearchName(p.full_name));
  ps.setInt(index++, static_cast<int>(p.sex));
  ps.setString(index++, FormatDate(p.birth_date));
  ps.setString(index++, p.birth_place);
  ps.setString(index++, p.home_town);
  ps.setInt(index++, static_cast<int>(p.occupation_category));
  ps.setString(index++, p.occupation);
  ps.setInt(index++, static_cast<int>(p.general_education));
  ps.setString(index++, p.professional_qualification);
  ps.setInt(index++, static_cast<int>(p.professional_qualification_level));
  ps.setInt(index++, static_cast<int>(p.political_theory_level));
  ps.setString(index++, p.permanent_address);
  ps.setString(index++, p.current_address);
  ps.setString(index++, p.phone);
  ps.setString(index++, p.email);
  common::db::SetOptionalString(ps, index++, p.external_id);
  return index;
}

constexpr char kStateAssignments[] = R"(status = ?, cell_id = ?, host_cell_id = ?, exempt = ?, suspended = ?,
  transfer_pending = ?, status_since = ?, admission_decision_date = ?, admission_ceremony_date = ?,
  probation_end_date = ?, official_date = ?, last_event_date = ?, awaiting_placement_from_cell_id = ?)";
int BindState(sql::PreparedStatement& ps, int index, const domain::MemberState& s) {
  ps.setInt(index++, static_cast<int>(s.status));
  ps.setInt64(index++, s.cell_id);
  common::db::SetOptionalInt64(ps, index++, s.host_cell_id);
  ps.setBoolean(index++, s.exempt);
  ps.setBoolean(index++, s.suspended);
  ps.setBoolean(index++, s.transfer_pending);
  ps.setString(index++, FormatDate(s.status_since));
  SetOptionalDate(ps, index++, s.admission_decision_date);
  SetOptionalDate(ps, index++, s.admission_ceremony_date);
  SetOptionalDate(ps, index++, s.probation_end_date);
  SetOptionalDate(ps, index++, s.official_date);
  ps.setString(index++, FormatDate(s.last_event_date));
  common::db::SetOptionalInt64(ps, index++, s.awaiting_placement_from);
  return index;
}

// Brings the member's name tokens in line with the profile, new rows in the
// member's home cell `cell_id`. Rows are deleted and inserted by their exact
// keys: a DELETE by member_id would take gap locks on the member_id index, and
// concurrent renames of neighbouring members would then deadlock on each
// other's gaps. The members row lock held by every writer of a member
// serializes writers of these rows.
void RewriteTokens(Session& session, int64_t member_id, int64_t cell_id, const domain::Profile& profile) {
  const std::vector<std::string> wanted = domain::NameTokens(profile);
  std::set<std::string> stored;
  sql::PreparedStatement& read = session.Prepare("SELECT token FROM member_name_tokens WHERE member_id = ?");
  read.setInt64(1, member_id);
  for (std::unique_ptr<sql::ResultSet> rs = session.Query(read); rs->next();) stored.insert(rs->getString("token"));
  const std::set<std::string> keep(wanted.begin(), wanted.end());
  for (const std::string& token : stored) {
    if (keep.count(token) > 0) continue;
    sql::PreparedStatement& del = session.Prepare("DELETE FROM member_name_tokens WHERE token = ? AND member_id = ?");
    del.setString(1, token);
    del.setInt64(2, member_id);
    del.executeUpdate();
  }
  std::vector<std::string> fresh;
  for (const std::string& token : wanted) {
    if (stored.count(token) == 0) fresh.push_back(token);
  }
  if (fresh.empty()) return;
  std::vector<std::string> rows(fresh.size(), "(?, ?, ?)");
  sql::PreparedStatement& ins = session.Prepare(absl::StrCat(
      "INSERT INTO member_name_tokens (token, member_id, cell_id) VALUES ", absl::StrJoin(rows, ", ")));
  int index = 1;
  for (const std::string& token : fresh) {
    ins.setString(index++, token);
    ins.setInt64(index++, member_id);
    ins.setInt64(index++, cell_id);
  }
  ins.executeUpdate();
}

// Moves the member's name tokens to its new home cell (search in a subtree
// finds names through (cell_id, token)). The tokens are those RewriteTokens keeps
// for `profile`, updated by their exact keys for the reason given there.
void MoveTokens(Session& session, int64_t member_id, int64_t cell_id, const domain::Profile& profile) {
  for (const std::string& token : domain::NameTokens(profile)) {
    sql::PreparedStatement& move =
        session.Prepare("UPDATE member_name_tokens SET cell_id = ? WHERE token = ? AND member_id = ?");
    move.setInt64(1, cell_id);
    move.setString(2, token);
    move.setInt64(3, member_id);
    move.executeUpdate();
  }
}

// LIKE pattern matching `token` as a prefix, with the wildcards escaped.
std::string PrefixPattern(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

// Overrides the state of `records` with the status periods in force on `day`,
// and hides what had not happened yet on that day. Returns the ids that had a
// period in force.
absl::StatusOr<std::set<int64_t>> ApplyPeriods(Session& session, std::vector<domain::MemberRecord>& records,
                                               absl::CivilDay day) {
  std::set<int64_t> found;
  if (records.empty()) return found;
  std::vector<int64_t> ids;
  ids.reserve(records.size());
  for (const auto& r : records) ids.push_back(r.id);
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT member_id, valid_from, valid_to, status, cell_id, host_cell_id, exempt, suspended "
      "FROM member_periods WHERE member_id IN ",
      kIdSet, " AND valid_from <= ? ORDER BY member_id, valid_from"));
  ps.setString(1, IdArray(ids));
  ps.setString(2, FormatDate(day));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  struct InForce {
    domain::Period period;
    absl::CivilDay status_since;
  };
  std::map<int64_t, InForce> in_force;
  // Walking each member's periods oldest first: the status began where the
  // current run of periods with that status (no gap) began.
  std::map<int64_t, std::pair<domain::Period, absl::CivilDay>> running;
  while (rs->next()) {
    const int64_t member_id = rs->getInt64("member_id");
    domain::Period p;
    p.valid_from = DateColumn(rs->getString("valid_from"));
    p.valid_to = GetOptionalDate(*rs, "valid_to");
    p.status = static_cast<v1::MemberStatus>(rs->getInt("status"));
    p.cell_id = rs->getInt64("cell_id");
    p.host_cell_id = common::db::GetOptionalInt64(*rs, "host_cell_id");
    p.exempt = rs->getBoolean("exempt");
    p.suspended = rs->getBoolean("suspended");
    absl::CivilDay since = p.valid_from;
    auto prev = running.find(member_id);
    if (prev != running.end() && prev->second.first.status == p.status && prev->second.first.valid_to &&
        *prev->second.first.valid_to == p.valid_from) {
      since = prev->second.second;
    }
    running[member_id] = {p, since};
    if (!p.valid_to || *p.valid_to > day) in_force[member_id] = InForce{p, since};
  }
  for (domain::MemberRecord& r : records) {
    auto it = in_force.find(r.id);
    if (it == in_force.end()) continue;
    found.insert(r.id);
    domain::MemberState& s = r.state;
    const domain::Period& p = it->second.period;
    // Periods split on every change of placement and may start only when the
    // record was opened; the record's own dates say when a status began.
    std::optional<absl::CivilDay> began;
    switch (p.status) {
      case v1::MEMBER_STATUS_ADMITTED: began = s.admission_decision_date; break;
      case v1::MEMBER_STATUS_PROBATIONARY: began = s.admission_ceremony_date; break;
      case v1::MEMBER_STATUS_OFFICIAL: began = s.official_date; break;
      default:
        if (p.status == s.status) began = s.status_since;
        break;
    }
    s.status_since = began && *began <= day ? *began : it->second.status_since;
    s.status = p.status;
    s.cell_id = p.cell_id;
    s.host_cell_id = p.host_cell_id;
    s.exempt = p.exempt;
    s.suspended = p.suspended;
    // The log does not keep when a transfer was pending; a past view shows none.
    s.transfer_pending = false;
    auto hide_after = [day](std::optional<absl::CivilDay>& date) {
      if (date && *date > day) date.reset();
    };
    hide_after(s.admission_decision_date);
    hide_after(s.official_date);
    if (s.admission_ceremony_date && *s.admission_ceremony_date > day) {
      s.admission_ceremony_date.reset();
      s.probation_end_date.reset();
    }
  }
  return found;
}

// A bound parameter of a statement assembled from optional parts.
struct Param {
  bool is_text = false;
  int64_t number = 0;
  std::string text;
  static Param Int(int64_t value) { return Param{false, value, {}}; }
  static Param Text(std::string value) { return Param{true, 0, std::move(value)}; }
  void Bind(sql::PreparedStatement& ps, int index) const {
    if (is_text) {
      ps.setString(index, text);
    } else {
      ps.setInt64(index, number);
    }
  }
};

absl::StatusOr<domain::MemberRecord> GetOne(Session& session, const common::crypto::Keyring& keys, int64_t id,
                                            bool for_update) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kRecordColumns, kRecordFrom, "WHERE m.id = ?", for_update ? " FOR UPDATE" : ""));
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return common::ResourceNotFound(common::api::MakeName("members", id));
  return MapRecord(*rs, keys);
}

absl::StatusOr<int64_t> FindId(Session& session, const char* sql_text, const std::string& value,
                               std::string_view what) {
  sql::PreparedStatement& ps = session.Prepare(sql_text);
  ps.setString(1, value);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return MemberStore::NoMemberWith(what);
  return rs->getInt64(1);
}

}  // namespace

MemberStore::MemberStore(common::db::ConnectionPool& pool, std::string lookup_key,
                         std::shared_ptr<const common::crypto::Keyring> keys)
    : pool_(pool), lookup_key_(std::move(lookup_key)), keys_(std::move(keys)) {}

std::shared_ptr<const common::crypto::Keyring> MemberStore::keys() const {
  absl::MutexLock lock(&keys_mutex_);
  return keys_;
}

void MemberStore::ReplaceKeys(std::shared_ptr<const common::crypto::Keyring> keys) {
  absl::MutexLock lock(&keys_mutex_);
  keys_ = std::move(keys);
}

std::optional<std::string> MemberStore::CitizenIdLookupHex(const std::string& citizen_id) const {
  if (citizen_id.empty()) return std::nullopt;
  return absl::BytesToHexString(CitizenIdLookup(citizen_id));
}

std::string MemberStore::CitizenIdLookup(std::string_view citizen_id) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), lookup_key_.data(), static_cast<int>(lookup_key_.size()),
       reinterpret_cast<const unsigned char*>(citizen_id.data()), citizen_id.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

absl::StatusOr<std::vector<MemberStore::InsertedRow>> MemberStore::InsertMany(Session& session,
                                                                               const std::vector<NewRow>& rows) {
  std::vector<InsertedRow> inserted;
  inserted.reserve(rows.size());
  // The same columns as Insert's assignments, with the first card and the fingerprint.
  constexpr char kColumns[] = R"(full_name, birth_name, search_name, sex, birth_date, birth_place, home_town,
  occupation_category, occupation, general_education, professional_qualification, professional_qualification_level,
  political_theory_level, permanent_address, current_address, phone, email, external_id, status, cell_id,
  host_cell_id, exempt, suspended, transfer_pending, status_since, admission_decision_date, admission_ceremony_date,
  probation_end_date, official_date, last_event_date, awaiting_placement_from_cell_id, party_card_number,
  import_fingerprint)";
  constexpr char kRow[] = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  GR_RETURN_IF_ERROR(Guarded(session, [&] {
    common::db::ForEachRowChunk(rows.size(), [&](size_t first, int count) {
      sql::PreparedStatement& ps =
          session.Prepare(absl::StrCat("INSERT INTO members (", kColumns, ") VALUES ",
                                       common::db::RepeatRow(kRow, count), " RETURNING id, created_at"));
      int index = 1;
      for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
        index = BindProfile(ps, index, *rows[i].profile);
        index = BindState(ps, index, rows[i].state);
        common::db::SetOptionalString(ps, index++, rows[i].party_card_number);
        common::db::SetOptionalString(ps, index++, rows[i].import_fingerprint);
      }
      // RETURNING gives the rows in the order they were inserted: the VALUES order.
      std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
      while (rs->next()) inserted.push_back({rs->getInt64("id"), TimeColumn(rs->getString("created_at"))});
    });
  }));
  if (inserted.size() != rows.size()) {
    return absl::InternalError(absl::StrCat("inserted ", inserted.size(), " member rows for ", rows.size()));
  }

  const std::shared_ptr<const common::crypto::Keyring> ring = keys();
  std::vector<std::array<std::optional<std::string>, 3>> sealed;
  sealed.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    GR_ASSIGN_OR_RETURN(auto values, SealSensitive(*ring, inserted[i].id, *rows[i].sensitive));
    sealed.push_back(std::move(values));
  }
  GR_RETURN_IF_ERROR(Guarded(session, [&] {
    common::db::ForEachRowChunk(rows.size(), [&](size_t first, int count) {
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          "INSERT INTO member_sensitive (key_version, citizen_id, citizen_id_lookup, ethnicity, religion, member_id) "
          "VALUES ",
          common::db::RepeatRow("(?, UNHEX(?), UNHEX(?), UNHEX(?), UNHEX(?), ?)", count)));
      int index = 1;
      for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
        ps.setInt64(index++, ring->current_id());
        common::db::SetOptionalString(ps, index++, sealed[i][0]);
        common::db::SetOptionalString(ps, index++, CitizenIdLookupHex(rows[i].sensitive->citizen_id));
        common::db::SetOptionalString(ps, index++, sealed[i][1]);
        common::db::SetOptionalString(ps, index++, sealed[i][2]);
        ps.setInt64(index++, inserted[i].id);
      }
      ps.executeUpdate();
    });
  }));

  // (token, row index): each token carries its member's home cell (name search by subtree).
  std::vector<std::pair<std::string, size_t>> tokens;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (std::string& token : domain::NameTokens(*rows[i].profile)) tokens.emplace_back(std::move(token), i);
  }
  common::db::ForEachRowChunk(tokens.size(), [&](size_t first, int count) {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "INSERT INTO member_name_tokens (token, member_id, cell_id) VALUES ", common::db::RepeatRow("(?, ?, ?)", count)));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      const size_t row = tokens[i].second;
      ps.setString(index++, tokens[i].first);
      ps.setInt64(index++, inserted[row].id);
      ps.setInt64(index++, rows[row].state.cell_id);
    }
    ps.executeUpdate();
  });

  std::vector<size_t> with_card;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].party_card_number) with_card.push_back(i);
  }
  GR_RETURN_IF_ERROR(Guarded(session, [&] {
    common::db::ForEachRowChunk(with_card.size(), [&](size_t first, int count) {
      sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
          "INSERT INTO party_cards (member_id, number, issued_on, reason) VALUES ", common::db::RepeatRow("(?, ?, ?, ?)", count)));
      int index = 1;
      for (size_t k = first; k < first + static_cast<size_t>(count); ++k) {
        const size_t i = with_card[k];
        ps.setInt64(index++, inserted[i].id);
        ps.setString(index++, *rows[i].party_card_number);
        ps.setString(index++, FormatDate(rows[i].card_issued_on));
        ps.setString(index++, rows[i].card_reason);
      }
      ps.executeUpdate();
    });
  }));
  return inserted;
}

absl::Status MemberStore::InsertAttributePeriodsOfNew(
    Session& session, const std::vector<std::pair<int64_t, std::vector<domain::AttributePeriod>>>& periods_by_member) {
  std::vector<std::pair<int64_t, const domain::AttributePeriod*>> rows;
  for (const auto& [member_id, periods] : periods_by_member) {
    for (const domain::AttributePeriod& period : periods) rows.emplace_back(member_id, &period);
  }
  common::db::ForEachRowChunk(rows.size(), [&](size_t first, int count) {
    sql::PreparedStatement& ps = session.Prepare(
        absl::StrCat("INSERT INTO member_attribute_periods (member_id, attribute, value, valid_from, valid_to) VALUES ",
                     common::db::RepeatRow("(?, ?, ?, ?, ?)", count)));
    int index = 1;
    for (size_t i = first; i < first + static_cast<size_t>(count); ++i) {
      const domain::AttributePeriod& period = *rows[i].second;
      ps.setInt64(index++, rows[i].first);
      ps.setInt(index++, static_cast<int>(period.attribute));
      ps.setInt(index++, period.value);
      ps.setString(index++, FormatDate(period.valid_from));
      SetOptionalDate(ps, index++, period.valid_to);
    }
    ps.executeUpdate();
  });
  return absl::OkStatus();
}

absl::StatusOr<domain::MemberRecord> MemberStore::Get(Session& session, int64_t id) {
  return GetOne(session, *keys(), id, /*for_update=*/false);
}

absl::StatusOr<domain::MemberRecord> MemberStore::GetForUpdate(Session& session, int64_t id) {
  return GetOne(session, *keys(), id, /*for_update=*/true);
}

absl::StatusOr<std::vector<domain::MemberRecord>> MemberStore::GetMany(Session& session,
                                                                       const std::vector<int64_t>& ids) {
  std::vector<domain::MemberRecord> out;
  if (ids.empty()) return out;
  sql::PreparedStatement& ps =
      session.Prepare(absl::StrCat("SELECT ", kRecordColumns, kRecordFrom, "WHERE m.id IN ", kIdSet));
  ps.setString(1, IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  const std::shared_ptr<const common::crypto::Keyring> ring = keys();
  std::map<int64_t, domain::MemberRecord> by_id;
  while (rs->next()) {
    GR_ASSIGN_OR_RETURN(domain::MemberRecord record, MapRecord(*rs, *ring));
    by_id.emplace(record.id, std::move(record));
  }
  out.reserve(ids.size());
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<bool> MemberStore::LoadStateAsOf(Session& session, domain::MemberRecord& record,
                                                absl::CivilDay day) {
  // Moved in and back out rather than copied: ApplyPeriods changes a record
  // only when it had a period in force.
  std::vector<domain::MemberRecord> one;
  one.push_back(std::move(record));
  absl::StatusOr<std::set<int64_t>> found = ApplyPeriods(session, one, day);
  GR_RETURN_IF_ERROR(found.status());
  GR_RETURN_IF_ERROR(ApplyAttributesAsOf(session, one, day));
  record = std::move(one.front());
  return !found->empty();
}

absl::Status MemberStore::ClearUnmappedCode(Session& session, int64_t member_id, std::string_view field) {
  sql::PreparedStatement& ps = session.Prepare("DELETE FROM member_code_unmapped WHERE member_id = ? AND field = ?");
  ps.setInt64(1, member_id);
  ps.setString(2, std::string(field));
  ps.executeUpdate();
  return absl::OkStatus();
}

// ---- dated attributes ----

absl::StatusOr<std::vector<domain::AttributePeriod>> MemberStore::AttributePeriods(Session& session,
                                                                                  int64_t member_id) {
  GR_ASSIGN_OR_RETURN(auto by_member, AttributePeriodsOf(session, {member_id}));
  return std::move(by_member[member_id]);
}

absl::StatusOr<std::map<int64_t, std::vector<domain::AttributePeriod>>> MemberStore::AttributePeriodsOf(
    Session& session, const std::vector<int64_t>& member_ids) {
  std::map<int64_t, std::vector<domain::AttributePeriod>> out;
  if (member_ids.empty()) return out;
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT member_id, attribute, value, valid_from, valid_to FROM member_attribute_periods WHERE member_id IN ",
      kIdSet, " ORDER BY member_id, attribute, valid_from"));
  ps.setString(1, IdArray(member_ids));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    domain::AttributePeriod period;
    period.attribute = static_cast<v1::MemberAttribute>(rs->getInt("attribute"));
    period.value = rs->getInt("value");
    period.valid_from = DateColumn(rs->getString("valid_from"));
    period.valid_to = GetOptionalDate(*rs, "valid_to");
    out[rs->getInt64("member_id")].push_back(period);
  }
  return out;
}

absl::Status MemberStore::ReplaceAttributePeriods(Session& session, int64_t member_id,
                                                  const std::vector<domain::AttributePeriod>& periods) {
  // Rows are deleted, updated and inserted by their exact keys (as the name
  // tokens are): a DELETE by member_id would take gap locks on the key range,
  // and concurrent writes of neighbouring members would deadlock on them.
  GR_ASSIGN_OR_RETURN(const std::vector<domain::AttributePeriod> stored, AttributePeriods(session, member_id));
  using Key = std::pair<int, absl::CivilDay>;
  std::map<Key, const domain::AttributePeriod*> wanted;
  for (const domain::AttributePeriod& period : periods) wanted[{period.attribute, period.valid_from}] = &period;
  std::map<Key, const domain::AttributePeriod*> existing;
  for (const domain::AttributePeriod& period : stored) existing[{period.attribute, period.valid_from}] = &period;
  for (const auto& [key, period] : existing) {
    if (wanted.count(key) > 0) continue;
    sql::PreparedStatement& del = session.Prepare(
        "DELETE FROM member_attribute_periods WHERE member_id = ? AND attribute = ? AND valid_from = ?");
    del.setInt64(1, member_id);
    del.setInt(2, key.first);
    del.setString(3, FormatDate(key.second));
    del.executeUpdate();
  }
  std::vector<const domain::AttributePeriod*> fresh;
  for (const auto& [key, period] : wanted) {
    auto old = existing.find(key);
    if (old == existing.end()) {
      fresh.push_back(period);
      continue;
    }
    if (old->second->value == period->value && old->second->valid_to == period->valid_to) continue;
    sql::PreparedStatement& upd = session.Prepare(
        "UPDATE member_attribute_periods SET value = ?, valid_to = ? "
        "WHERE member_id = ? AND attribute = ? AND valid_from = ?");
    upd.setInt(1, period->value);
    SetOptionalDate(upd, 2, period->valid_to);
    upd.setInt64(3, member_id);
    upd.setInt(4, key.first);
    upd.setString(5, FormatDate(key.second));
    upd.executeUpdate();
  }
  std::vector<domain::AttributePeriod> added;
  for (const domain::AttributePeriod* period : fresh) added.push_back(*period);
  return InsertAttributePeriodsOfNew(session, {{member_id, std::move(added)}});
}

absl::Status MemberStore::ApplyAttributesAsOf(Session& session, std::vector<domain::MemberRecord>& records,
                                              absl::CivilDay day) {
  std::vector<int64_t> ids;
  for (const domain::MemberRecord& record : records) ids.push_back(record.id);
  GR_ASSIGN_OR_RETURN(const auto by_member, AttributePeriodsOf(session, ids));
  for (domain::MemberRecord& record : records) {
    auto it = by_member.find(record.id);
    if (it != by_member.end()) domain::ApplyAttributesOn(it->second, day, record.profile);
  }
  return absl::OkStatus();
}

absl::Status MemberStore::UpdateProfile(Session& session, int64_t id, const domain::Profile& profile,
                                        const domain::SensitiveFields& sensitive) {
  int updated = 0;
  GR_RETURN_IF_ERROR(Guarded(session, [&] {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
        "UPDATE members SET ", kProfileAssignments,
        ", version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?"));
    const int index = BindProfile(ps, 1, profile);
    ps.setInt64(index, id);
    updated = ps.executeUpdate();
  }));
  if (updated == 0) return common::ResourceNotFound(common::api::MakeName("members", id));
  // A plain UPDATE of the member's own row: INSERT ... ON DUPLICATE KEY UPDATE
  // would rewrite another member's row when the new citizen ID collides.
  absl::Status sealed;
  GR_RETURN_IF_ERROR(Guarded(session, [&] {
    sealed = RewriteSealedRow(session, *keys(), id, sensitive, CitizenIdLookupHex(sensitive.citizen_id));
  }));
  GR_RETURN_IF_ERROR(sealed);
  // The row as this transaction just wrote it: its cell is current.
  sql::PreparedStatement& cell = session.Prepare("SELECT cell_id FROM members WHERE id = ?");
  cell.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(cell);
  if (!rs->next()) return common::ResourceNotFound(common::api::MakeName("members", id));
  const int64_t cell_id = rs->getInt64("cell_id");
  rs.reset();
  RewriteTokens(session, id, cell_id, profile);
  return absl::OkStatus();
}

absl::Status MemberStore::SaveState(Session& session, int64_t id, const domain::MemberState& state) {
  // The cell before this change (locked: every writer of the member holds
  // this row), so the name tokens follow a move.
  sql::PreparedStatement& before =
      session.Prepare("SELECT cell_id, full_name, birth_name FROM members WHERE id = ? FOR UPDATE");
  before.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(before);
  if (!rs->next()) return common::ResourceNotFound(common::api::MakeName("members", id));
  const bool moved = rs->getInt64("cell_id") != state.cell_id;
  domain::Profile names;
  names.full_name = rs->getString("full_name");
  names.birth_name = rs->getString("birth_name");
  rs.reset();
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "UPDATE members SET ", kStateAssignments,
      ", version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?"));
  const int index = BindState(ps, 1, state);
  ps.setInt64(index, id);
  if (ps.executeUpdate() == 0) return common::ResourceNotFound(common::api::MakeName("members", id));
  if (moved) MoveTokens(session, id, state.cell_id, names);
  return absl::OkStatus();
}

absl::Status MemberStore::NoMemberWith(std::string_view key_field) {
  return absl::NotFoundError(absl::StrCat("no member has this ", common::ToAbsl(key_field)));
}

absl::StatusOr<int64_t> MemberStore::FindByCitizenId(Session& session, const std::string& citizen_id) {
  return FindId(session, "SELECT member_id FROM member_sensitive WHERE citizen_id_lookup = UNHEX(?)",
                absl::BytesToHexString(CitizenIdLookup(citizen_id)), "citizen_id");
}

absl::StatusOr<int64_t> MemberStore::FindByPartyCard(Session& session, const std::string& number) {
  // Any card the member has held, not only the current one.
  return FindId(session, "SELECT member_id FROM party_cards WHERE number = ?", number, "party_card_number");
}

absl::StatusOr<int64_t> MemberStore::FindByExternalId(Session& session, const std::string& external_id) {
  return FindId(session, "SELECT id FROM members WHERE external_id = ?", external_id, "external_id");
}

absl::StatusOr<std::map<std::string, int64_t>> MemberStore::FindManyByCitizenId(
    Session& session, const std::vector<std::string>& citizen_ids) {
  // By the lookup index: hex of the HMAC -> the citizen ID it was made from.
  std::map<std::string, std::string> by_lookup;
  for (const std::string& citizen_id : citizen_ids) {
    by_lookup.emplace(absl::BytesToHexString(CitizenIdLookup(citizen_id)), citizen_id);
  }
  std::vector<const std::string*> lookups;
  for (const auto& [lookup, citizen_id] : by_lookup) lookups.push_back(&lookup);
  std::map<std::string, int64_t> found;
  common::db::ForEachRowChunk(lookups.size(), [&](size_t first, int count) {
    sql::PreparedStatement& ps = session.Prepare(
        absl::StrCat("SELECT member_id, LOWER(HEX(citizen_id_lookup)) AS lookup FROM member_sensitive "
                     "WHERE citizen_id_lookup IN (",
                     common::db::RepeatRow("UNHEX(?)", count), ")"));
    for (int i = 0; i < count; ++i) ps.setString(i + 1, *lookups[first + static_cast<size_t>(i)]);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    while (rs->next()) {
      auto it = by_lookup.find(rs->getString("lookup"));
      if (it != by_lookup.end()) found.emplace(it->second, rs->getInt64("member_id"));
    }
  });
  return found;
}

absl::StatusOr<std::map<std::string, int64_t>> MemberStore::FindManyByExternalId(
    Session& session, const std::vector<std::string>& external_ids) {
  const std::set<std::string> wanted(external_ids.begin(), external_ids.end());
  const std::vector<std::string> keys(wanted.begin(), wanted.end());
  std::map<std::string, int64_t> found;
  common::db::ForEachRowChunk(keys.size(), [&](size_t first, int count) {
    sql::PreparedStatement& ps = session.Prepare(absl::StrCat("SELECT id, external_id FROM members WHERE external_id IN (",
                                                              common::db::RepeatRow("?", count), ")"));
    for (int i = 0; i < count; ++i) ps.setString(i + 1, keys[first + static_cast<size_t>(i)]);
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    // The collation may match a key spelled differently: the row is reported under the key asked for.
    while (rs->next()) {
      const std::string stored = rs->getString("external_id");
      if (wanted.count(stored) > 0) {
        found.emplace(stored, rs->getInt64("id"));
      } else {
        for (const std::string& key : keys) {
          if (absl::EqualsIgnoreCase(key, stored)) found.emplace(key, rs->getInt64("id"));
        }
      }
    }
  });
  return found;
}

absl::StatusOr<std::string> MemberStore::ImportFingerprint(Session& session, int64_t id) {
  sql::PreparedStatement& ps = session.Prepare("SELECT import_fingerprint FROM members WHERE id = ?");
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return common::ResourceNotFound(common::api::MakeName("members", id));
  return common::db::GetOptionalString(*rs, "import_fingerprint").value_or("");
}

// ---- cards ----

absl::StatusOr<MemberStore::Card> MemberStore::IssueCard(Session& session, int64_t member_id,
                                                         const std::string& number, absl::CivilDay issued_on,
                                                         const std::string& reason) {
  Card card;
  GR_RETURN_IF_ERROR(Guarded(session, [&] {
    sql::PreparedStatement& ins = session.Prepare(
        "INSERT INTO party_cards (member_id, number, issued_on, reason) VALUES (?, ?, ?, ?)");
    ins.setInt64(1, member_id);
    ins.setString(2, number);
    ins.setString(3, FormatDate(issued_on));
    ins.setString(4, reason);
    ins.executeUpdate();
    card.id = session.LastInsertId();
    sql::PreparedStatement& upd = session.Prepare(
        "UPDATE members SET party_card_number = ?, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) "
        "WHERE id = ?");
    upd.setString(1, number);
    upd.setInt64(2, member_id);
    upd.executeUpdate();
  }));
  card.number = number;
  card.issued_on = issued_on;
  card.reason = reason;
  card.current = true;
  return card;
}

absl::StatusOr<std::vector<MemberStore::Card>> MemberStore::ListCards(Session& session, int64_t member_id) {
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT c.id, c.number, c.issued_on, c.reason, (m.party_card_number <=> c.number) AS is_current "
      "FROM party_cards c JOIN members m ON m.id = c.member_id WHERE c.member_id = ? "
      "ORDER BY c.issued_on DESC, c.id DESC");
  ps.setInt64(1, member_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::vector<Card> out;
  while (rs->next()) {
    Card card;
    card.id = rs->getInt64("id");
    card.number = rs->getString("number");
    card.issued_on = DateColumn(rs->getString("issued_on"));
    card.reason = rs->getString("reason");
    card.current = rs->getInt("is_current") != 0;
    out.push_back(std::move(card));
  }
  return out;
}

// ---- search ----

std::string MemberStore::SortKey(const domain::MemberRecord& record) {
  return domain::SearchName(record.profile.full_name);
}

absl::StatusOr<std::string> MemberStore::StoredSortKey(Session& session, int64_t id) {
  sql::PreparedStatement& ps = session.Prepare("SELECT search_name FROM members WHERE id = ?");
  ps.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return common::ResourceNotFound(common::api::MakeName("members", id));
  return rs->getString("search_name");
}

namespace {

// A statement assembled from parts, with the parameters of its placeholders in
// their order. Request values only ever travel as parameters.
struct BoundSql {
  std::string text;
  std::vector<Param> params;
  void Add(const std::string& piece, const std::vector<Param>& bound = {}) {
    text += piece;
    params.insert(params.end(), bound.begin(), bound.end());
  }
  void Add(const BoundSql& part) {
    text += part.text;
    params.insert(params.end(), part.params.begin(), part.params.end());
  }
};

std::string MatchLiteral(domain::NameMatch match) { return std::to_string(static_cast<int>(match)); }

// The domain::NameMatch of the members row `m` for the query words, as an SQL
// expression. Evaluated only for rows that already match every word.
BoundSql NameMatchOf(const std::vector<std::string>& words) {
  BoundSql rank;
  if (words.empty()) {
    rank.Add(MatchLiteral(domain::NameMatch::kExact));
    return rank;
  }
  const std::string phrase = domain::QueryPhrase(words);
  rank.Add("CASE WHEN m.search_name = ? THEN " + MatchLiteral(domain::NameMatch::kExact), {Param::Text(phrase)});
  rank.Add(" WHEN m.search_name LIKE ? THEN " + MatchLiteral(domain::NameMatch::kFullNamePrefix),
           {Param::Text(PrefixPattern(phrase))});
  rank.Add(" WHEN TRUE");
  for (const std::string& word : words) {
    rank.Add(" AND EXISTS (SELECT 1 FROM member_name_tokens whole WHERE whole.token = ? AND whole.member_id = m.id)",
             {Param::Text(word)});
  }
  rank.Add(" THEN " + MatchLiteral(domain::NameMatch::kWholeWords) + " ELSE " +
           MatchLiteral(domain::NameMatch::kWordPrefixes) + " END");
  return rank;
}

// Each word must start one of the name tokens of the member whose id is the
// column `member_id`.
void AddWordFilters(BoundSql& sql, const std::vector<std::string>& words, const std::string& member_id) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string t = absl::StrCat("t", i);
    sql.Add(absl::StrCat(" AND ", member_id, " IN (SELECT ", t, ".member_id FROM member_name_tokens ", t, " WHERE ", t,
                         ".token LIKE ?)"),
            {Param::Text(PrefixPattern(words[i]))});
  }
}

// Each word but the one at `skip` must start one of the name tokens of the
// member `d.member_id` within the subtree of `root`: one indexed set per word
// ((cell_id, token) as in the driving lookup), which the optimizer may build
// once and probe, instead of reading every candidate's tokens.
void AddSubtreeWordFilters(BoundSql& sql, const std::vector<std::string>& words, int64_t root, size_t skip) {
  for (size_t i = 0; i < words.size(); ++i) {
    if (i == skip) continue;
    const std::string w = absl::StrCat("w", i), c = absl::StrCat("c", i), d = absl::StrCat("d", i);
    sql.Add(absl::StrCat(" AND d.member_id IN (SELECT ", d, ".member_id FROM (SELECT DISTINCT token FROM "
                         "member_name_tokens WHERE token LIKE ?) ", w),
            {Param::Text(PrefixPattern(words[i]))});
    sql.Add(absl::StrCat(" JOIN org_closure ", c, " ON ", c, ".ancestor_id = ? JOIN member_name_tokens ", d, " ON ", d,
                         ".cell_id = ", c, ".descendant_id AND ", d, ".token = ", w, ".token)"),
            {Param::Int(root)});
  }
}

}  // namespace

absl::StatusOr<MemberStore::SearchPage> MemberStore::Search(Session& session, const SearchFilter& filter,
                                                            const std::optional<SearchPosition>& after,
                                                            int32_t limit) {
  // Each branch below selects (id, sort_key, match_rank) of one placement, in
  // the page's order and at most limit + 1 of them; the page is the first of
  // their union, joined with the rest of the record only for those rows.
  const std::vector<std::string>& words = filter.name_tokens;
  // Placement and status come from the members row (today) or from the period
  // in force on the as-of date.
  const char* placed = filter.as_of ? "p" : "m";
  // The conditions other than placement and name.
  BoundSql rest;
  if (!filter.statuses.empty()) {
    rest.Add(absl::StrCat(" AND ", placed, ".status IN (",
                          absl::StrJoin(std::vector<std::string>(filter.statuses.size(), "?"), ", "), ")"));
    for (v1::MemberStatus status : filter.statuses) rest.params.push_back(Param::Int(status));
  }
  if (!filter.categories.empty()) {
    const std::string in_list =
        absl::StrCat("(", absl::StrJoin(std::vector<std::string>(filter.categories.size(), "?"), ", "), ")");
    if (filter.as_of) {
      // The category in force on the date (dated attribute history).
      rest.Add(absl::StrCat(" AND EXISTS (SELECT 1 FROM member_attribute_periods ap WHERE ap.member_id = m.id"
                            " AND ap.attribute = ? AND ap.valid_from <= ? AND (ap.valid_to IS NULL OR ap.valid_to > ?)"
                            " AND ap.value IN ",
                            in_list, ")"),
               {Param::Int(v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY), Param::Text(FormatDate(*filter.as_of)),
                Param::Text(FormatDate(*filter.as_of))});
    } else {
      rest.Add(" AND m.occupation_category IN " + in_list);
    }
    for (v1::OccupationCategory category : filter.categories) rest.params.push_back(Param::Int(category));
  }
  if (filter.sex != v1::SEX_UNSPECIFIED) rest.Add(" AND m.sex = ?", {Param::Int(filter.sex)});
  if (filter.born_on_or_after) {
    rest.Add(" AND m.birth_date >= ?", {Param::Text(FormatDate(*filter.born_on_or_after))});
  }
  if (filter.born_on_or_before) {
    rest.Add(" AND m.birth_date <= ?", {Param::Text(FormatDate(*filter.born_on_or_before))});
  }

  auto select_list = [&] {
    BoundSql head;
    head.Add("SELECT m.id AS id, m.search_name AS sort_key, ");
    head.Add(NameMatchOf(words));
    head.Add(" AS match_rank");
    return head;
  };
  // Position and order, after the branch's WHERE conditions.
  auto order_and_limit = [&](BoundSql& branch) {
    if (words.empty()) {
      // One rank for all: rows come in the order of idx_members_search_name,
      // so with unselective filters a page stops after `limit` matches.
      if (after) {
        branch.Add(" AND (m.search_name > ? OR (m.search_name = ? AND m.id > ?))",
                   {Param::Text(after->sort_key), Param::Text(after->sort_key), Param::Int(after->id)});
      }
      branch.Add(" ORDER BY m.search_name, m.id LIMIT ?", {Param::Int(limit + 1)});
      return;
    }
    if (after) {
      // On the select list's names: the rank is computed once per row.
      const int64_t match = static_cast<int64_t>(after->match);
      branch.Add(" HAVING (match_rank > ? OR (match_rank = ? AND (sort_key > ? OR (sort_key = ? AND id > ?))))",
                 {Param::Int(match), Param::Int(match), Param::Text(after->sort_key), Param::Text(after->sort_key),
                  Param::Int(after->id)});
    }
    branch.Add(" ORDER BY match_rank, sort_key, id LIMIT ?", {Param::Int(limit + 1)});
  };

  enum class Placement { kAnywhere, kHome, kHost };
  // A branch that starts from the placement: anywhere, home cell in the
  // subtree, or host cell of a temporary transfer in the subtree.
  auto placed_branch = [&](Placement placement) {
    BoundSql branch = select_list();
    const std::string dates = "p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to > ?)";
    auto add_dates = [&](const std::string& text) {
      branch.Add(text, {Param::Text(FormatDate(*filter.as_of)), Param::Text(FormatDate(*filter.as_of))});
    };
    if (placement == Placement::kHost) {
      // Few members are hosted anywhere, so the host index always leads. Its
      // statistics are dominated by NULLs (everyone not hosted), which makes
      // the optimizer scan every member instead: the order is fixed here.
      branch.Add(" FROM org_closure h ");
      if (filter.as_of) {
        add_dates(absl::StrCat("STRAIGHT_JOIN member_periods p FORCE INDEX (idx_member_periods_host) "
                               "ON p.host_cell_id = h.descendant_id AND ",
                               dates, " STRAIGHT_JOIN members m ON m.id = p.member_id "));
      } else {
        branch.Add("STRAIGHT_JOIN members m FORCE INDEX (idx_members_host_cell) ON m.host_cell_id = h.descendant_id ");
      }
      branch.Add("WHERE h.ancestor_id = ?", {Param::Int(*filter.subtree_root)});
    } else {
      branch.Add(" FROM members m ");
      if (filter.as_of) add_dates(absl::StrCat("JOIN member_periods p ON p.member_id = m.id AND ", dates, " "));
      branch.Add("WHERE TRUE");
      if (placement == Placement::kHome) {
        branch.Add(absl::StrCat(" AND ", placed,
                                ".cell_id IN (SELECT c.descendant_id FROM org_closure c WHERE c.ancestor_id = ?)"),
                   {Param::Int(*filter.subtree_root)});
      }
    }
    branch.Add(rest);
    AddWordFilters(branch, words, "m.id");
    order_and_limit(branch);
    return branch;
  };
  // Names in a subtree today: from the most selective word's tokens in the
  // subtree's cells ((cell_id, token), each prefix expanded first to the
  // distinct tokens it covers so both key parts are equalities), kept when the
  // other words' tokens in the subtree name them too; then their rows. The
  // row's own cell is checked again, so a token whose cell lagged behind could
  // only hide a member, never show one from elsewhere.
  auto home_by_name = [&] {
    const size_t driver = domain::MostSelectiveWord(words);
    BoundSql branch = select_list();
    branch.Add(" FROM (SELECT DISTINCT d.member_id, d.cell_id"
               " FROM (SELECT DISTINCT token FROM member_name_tokens WHERE token LIKE ?) w",
               {Param::Text(PrefixPattern(words[driver]))});
    branch.Add(" STRAIGHT_JOIN org_closure c ON c.ancestor_id = ?", {Param::Int(*filter.subtree_root)});
    branch.Add(" STRAIGHT_JOIN member_name_tokens d ON d.cell_id = c.descendant_id AND d.token = w.token WHERE TRUE");
    AddSubtreeWordFilters(branch, words, *filter.subtree_root, driver);
    branch.Add(") hit STRAIGHT_JOIN members m ON m.id = hit.member_id WHERE m.cell_id = hit.cell_id");
    branch.Add(rest);
    order_and_limit(branch);
    return branch;
  };

  std::vector<BoundSql> branches;
  if (!filter.subtree_root) {
    branches.push_back(placed_branch(Placement::kAnywhere));
  } else {
    const bool by_name = !words.empty() && !filter.as_of;
    branches.push_back(by_name ? home_by_name() : placed_branch(Placement::kHome));
    // Home cell or host cell in the subtree: an OR across two columns would
    // defeat both indexes, so each is its own ordered, limited branch.
    if (filter.include_hosted) branches.push_back(placed_branch(Placement::kHost));
  }
  BoundSql statement;
  statement.Add(absl::StrCat("SELECT page.match_rank, ", kRecordColumns, " FROM ("));
  for (size_t i = 0; i < branches.size(); ++i) {
    if (branches.size() == 1) {
      statement.Add(branches[i]);
      break;
    }
    if (i > 0) statement.Add(" UNION ");
    statement.Add("(");
    statement.Add(branches[i]);
    statement.Add(")");
  }
  statement.Add(") page JOIN members m ON m.id = page.id LEFT JOIN member_sensitive s ON s.member_id = m.id "
                "ORDER BY page.match_rank, page.sort_key, page.id LIMIT ?",
                {Param::Int(limit + 1)});

  sql::PreparedStatement& ps = session.Prepare(statement.text);
  for (size_t i = 0; i < statement.params.size(); ++i) statement.params[i].Bind(ps, static_cast<int>(i + 1));

  SearchPage page;
  std::vector<int> ranks;
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  const std::shared_ptr<const common::crypto::Keyring> ring = keys();
  while (rs->next()) {
    GR_ASSIGN_OR_RETURN(domain::MemberRecord record, MapRecord(*rs, *ring));
    page.members.push_back(std::move(record));
    ranks.push_back(rs->getInt("match_rank"));
  }
  if (static_cast<int32_t>(page.members.size()) > limit) {
    page.more = true;
    page.members.resize(static_cast<size_t>(limit));
  }
  if (!page.members.empty()) page.last_match = static_cast<domain::NameMatch>(ranks[page.members.size() - 1]);
  if (filter.as_of) {
    GR_RETURN_IF_ERROR(ApplyPeriods(session, page.members, *filter.as_of).status());
    GR_RETURN_IF_ERROR(ApplyAttributesAsOf(session, page.members, *filter.as_of));
  }
  return page;
}

// ---- counts ----

absl::StatusOr<std::vector<MemberStore::Count>> MemberStore::CountByOrganization(
    Session& session, const std::vector<int64_t>& organization_ids, bool include_subtree, absl::CivilDay as_of) {
  std::map<int64_t, Count> by_org;
  for (int64_t id : organization_ids) by_org[id].organization_id = id;
  if (by_org.empty()) return std::vector<Count>{};
  std::vector<int64_t> ids;
  for (const auto& [id, count] : by_org) ids.push_back(id);

  // The period in force on the date: counted statuses only. Home cell counts
  // the member (exempt members included); the host cell of a temporary
  // transfer only reports them as present.
  const std::string in_force =
      "p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to > ?) AND p.status IN (?, ?)";
  for (const char* placement : {"cell_id", "host_cell_id"}) {
    std::string sql_text;
    if (include_subtree) {
      sql_text = absl::StrCat("SELECT c.ancestor_id AS org_id, p.status, p.exempt, COUNT(*) AS n ",
                              "FROM org_closure c JOIN member_periods p ON p.", placement, " = c.descendant_id AND ",
                              in_force, " WHERE c.ancestor_id IN ", kIdSet, " GROUP BY c.ancestor_id, p.status, p.exempt");
    } else {
      sql_text = absl::StrCat("SELECT p.", placement, " AS org_id, p.status, p.exempt, COUNT(*) AS n ",
                              "FROM member_periods p WHERE p.", placement, " IN ", kIdSet, " AND ", in_force,
                              " GROUP BY p.", placement, ", p.status, p.exempt");
    }
    sql::PreparedStatement& ps = session.Prepare(sql_text);
    int index = 1;
    if (include_subtree) {
      ps.setString(index++, FormatDate(as_of));
      ps.setString(index++, FormatDate(as_of));
      ps.setInt(index++, v1::MEMBER_STATUS_PROBATIONARY);
      ps.setInt(index++, v1::MEMBER_STATUS_OFFICIAL);
      ps.setString(index++, IdArray(ids));
    } else {
      ps.setString(index++, IdArray(ids));
      ps.setString(index++, FormatDate(as_of));
      ps.setString(index++, FormatDate(as_of));
      ps.setInt(index++, v1::MEMBER_STATUS_PROBATIONARY);
      ps.setInt(index++, v1::MEMBER_STATUS_OFFICIAL);
    }
    std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
    const bool hosted = std::string_view(placement) == "host_cell_id";
    while (rs->next()) {
      Count& count = by_org[rs->getInt64("org_id")];
      const int32_t n = rs->getInt("n");
      if (hosted) {
        count.hosted_temporarily += n;
        continue;
      }
      if (rs->getInt("status") == v1::MEMBER_STATUS_OFFICIAL) {
        count.official += n;
      } else {
        count.probationary += n;
      }
      if (rs->getBoolean("exempt")) count.exempt += n;
    }
  }
  std::vector<Count> out;
  out.reserve(organization_ids.size());
  for (int64_t id : organization_ids) out.push_back(by_org[id]);
  return out;
}

// ---- sealing at rest ----

absl::StatusOr<MemberStore::ResealBatch> MemberStore::Reseal(Session& session, int64_t key_version, int64_t after_id,
                                                            int limit) {
  const std::shared_ptr<const common::crypto::Keyring> ring = keys();
  ResealBatch batch;
  batch.last_member_id = after_id;
  if (key_version == ring->current_id()) return batch;
  sql::PreparedStatement& select = session.Prepare(
      "SELECT member_id, key_version, HEX(citizen_id) AS citizen_id_hex, HEX(ethnicity) AS ethnicity_hex, "
      "HEX(religion) AS religion_hex FROM member_sensitive WHERE key_version = ? AND member_id > ? "
      "ORDER BY member_id LIMIT ? FOR UPDATE");
  select.setInt64(1, key_version);
  select.setInt64(2, after_id);
  select.setInt(3, limit);
  struct Row {
    int64_t member_id;
    std::array<std::optional<std::string>, 3> hex_values;
  };
  std::vector<Row> rows;
  {
    std::unique_ptr<sql::ResultSet> rs = session.Query(select);
    while (rs->next()) rows.push_back(Row{rs->getInt64("member_id"), SensitiveHexColumns(*rs)});
  }
  for (const Row& row : rows) {
    batch.last_member_id = row.member_id;
    domain::SensitiveFields fields;
    if (!OpenSensitive(*ring, row.member_id, key_version, row.hex_values, fields).ok()) {
      batch.failed.push_back(row.member_id);
      continue;
    }
    GR_ASSIGN_OR_RETURN(const auto sealed, SealSensitive(*ring, row.member_id, fields));
    // The lookup index does not depend on the keyring: left as it is.
    sql::PreparedStatement& update = session.Prepare(
        "UPDATE member_sensitive SET key_version = ?, citizen_id = UNHEX(?), ethnicity = UNHEX(?), "
        "religion = UNHEX(?) WHERE member_id = ? AND key_version = ?");
    update.setInt64(1, ring->current_id());
    common::db::SetOptionalString(update, 2, sealed[0]);
    common::db::SetOptionalString(update, 3, sealed[1]);
    common::db::SetOptionalString(update, 4, sealed[2]);
    update.setInt64(5, row.member_id);
    update.setInt64(6, key_version);
    batch.resealed += update.executeUpdate();
  }
  return batch;
}

absl::StatusOr<std::map<int64_t, int64_t>> MemberStore::RowsPerKey(Session& session) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT key_version, COUNT(*) AS n FROM member_sensitive GROUP BY key_version");
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  std::map<int64_t, int64_t> out;
  while (rs->next()) out[rs->getInt64("key_version")] = rs->getInt64("n");
  return out;
}

}  // namespace grassroots::membership::store
