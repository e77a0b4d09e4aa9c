#include "services/membership/store/yearly_store.h"

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::store {
namespace {

namespace api = common::api;
using common::db::GetOptionalString;
using common::db::SetOptionalInt64;
using common::db::SetOptionalString;

std::string MemberName(int64_t member_id) { return api::MakeName("members", member_id); }

// ---- column <-> message text ------------------------------------------------------

// DATE columns come back as "YYYY-MM-DD", which is also the API's date text.
std::string DateColumn(sql::ResultSet& rs, const std::string& column) {
  return GetOptionalString(rs, column).value_or("").substr(0, 10);
}

std::string TextColumn(sql::ResultSet& rs, const std::string& column) {
  return GetOptionalString(rs, column).value_or("");
}

std::string OrgColumn(sql::ResultSet& rs, const std::string& column) {
  std::optional<int64_t> id = common::db::GetOptionalInt64(rs, column);
  return id ? api::MakeName("organizations", *id) : std::string();
}

// The caller validated the message; parsing again keeps a bad value out of the
// table instead of letting the server coerce it.
absl::StatusOr<std::string> RequiredDate(const std::string& text, std::string_view field) {
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, api::ParseDate(text, field));
  return api::FormatDate(day);
}

absl::StatusOr<std::optional<std::string>> OptionalDate(const std::string& text, std::string_view field) {
  if (text.empty()) return std::optional<std::string>();
  GR_ASSIGN_OR_RETURN(std::string date, RequiredDate(text, field));
  return std::optional<std::string>(std::move(date));
}

absl::StatusOr<std::optional<int64_t>> OptionalOrg(const std::string& name, std::string_view field) {
  if (name.empty()) return std::optional<int64_t>();
  GR_ASSIGN_OR_RETURN(int64_t id, api::ParseId(name, "organizations", field));
  return std::optional<int64_t>(id);
}

// Scores are DECIMAL(5,2): written from hundredths so the stored value is exact.
std::string ScoreText(double score) {
  const int64_t hundredths = std::llround(score * 100);
  return absl::StrFormat("%d.%02d", hundredths / 100, hundredths % 100);
}

double ScoreColumn(sql::ResultSet& rs, const std::string& column) {
  double score = 0;
  if (!absl::SimpleAtod(TextColumn(rs, column), &score)) score = static_cast<double>(rs.getDouble(column));
  return score;
}

// ---- rows -> messages ---------------------------------------------------------------

constexpr char kRegistrationColumns[] =
    "r.id, r.member_id, r.residence_cell_id, r.residence_unit_name, r.residence_address, r.registered_on, "
    "r.letter_issued_on, r.exemption, r.exemption_reason, r.ended_on";

v1::ResidenceRegistration ReadRegistration(sql::ResultSet& rs) {
  v1::ResidenceRegistration out;
  const int64_t member_id = rs.getInt64("member_id");
  out.set_name(YearlyRecordName(member_id, kResidenceRegistrations, rs.getInt64("id")));
  out.set_member(MemberName(member_id));
  out.set_residence_cell(OrgColumn(rs, "residence_cell_id"));
  out.set_residence_unit_name(TextColumn(rs, "residence_unit_name"));
  out.set_residence_address(TextColumn(rs, "residence_address"));
  out.set_registered_on(DateColumn(rs, "registered_on"));
  out.set_letter_issued_on(DateColumn(rs, "letter_issued_on"));
  out.set_exemption(static_cast<v1::ResidenceExemption>(rs.getInt("exemption")));
  out.set_exemption_reason(TextColumn(rs, "exemption_reason"));
  out.set_ended_on(DateColumn(rs, "ended_on"));
  return out;
}

constexpr char kFeedbackColumns[] =
    "r.member_id, r.year, r.residence_cell_id, r.assessment, r.opinion, r.signed_by, r.given_on";

v1::ResidenceFeedback ReadFeedback(sql::ResultSet& rs) {
  v1::ResidenceFeedback out;
  const int64_t member_id = rs.getInt64("member_id");
  const int32_t year = rs.getInt("year");
  out.set_name(YearlyRecordName(member_id, kResidenceFeedback, year));
  out.set_member(MemberName(member_id));
  out.set_year(year);
  out.set_residence_cell(OrgColumn(rs, "residence_cell_id"));
  out.set_assessment(static_cast<v1::FeedbackAssessment>(rs.getInt("assessment")));
  out.set_opinion(TextColumn(rs, "opinion"));
  out.set_signed_by(TextColumn(rs, "signed_by"));
  out.set_given_on(DateColumn(rs, "given_on"));
  return out;
}

constexpr char kCommitmentColumns[] = "r.member_id, r.year, r.registered_on, r.content";

v1::Commitment ReadCommitment(sql::ResultSet& rs) {
  v1::Commitment out;
  const int64_t member_id = rs.getInt64("member_id");
  const int32_t year = rs.getInt("year");
  out.set_name(YearlyRecordName(member_id, kCommitments, year));
  out.set_member(MemberName(member_id));
  out.set_year(year);
  out.set_registered_on(DateColumn(rs, "registered_on"));
  out.set_content(TextColumn(rs, "content"));
  return out;
}

constexpr char kRatingColumns[] =
    "r.member_id, r.year, r.score, r.level, r.disqualification, r.cell_id, r.decision_body, r.decision_number, "
    "r.decision_signed_on, r.quota_exception";

v1::Rating ReadRating(sql::ResultSet& rs) {
  v1::Rating out;
  const int64_t member_id = rs.getInt64("member_id");
  const int32_t year = rs.getInt("year");
  out.set_name(YearlyRecordName(member_id, kRatings, year));
  out.set_member(MemberName(member_id));
  out.set_year(year);
  out.set_score(ScoreColumn(rs, "score"));
  out.set_level(static_cast<v1::RatingLevel>(rs.getInt("level")));
  out.set_disqualification(TextColumn(rs, "disqualification"));
  out.set_cell(OrgColumn(rs, "cell_id"));
  grassroots::type::v1::Decision* decision = out.mutable_decision();
  decision->set_issuing_body(TextColumn(rs, "decision_body"));
  decision->set_number(TextColumn(rs, "decision_number"));
  decision->set_signed_on(DateColumn(rs, "decision_signed_on"));
  if (decision->issuing_body().empty() && decision->number().empty() && decision->signed_on().empty()) {
    out.clear_decision();
  }
  out.set_quota_exception(TextColumn(rs, "quota_exception"));
  return out;
}

constexpr char kTrainingColumns[] =
    "r.id, r.member_id, r.course, r.kind, r.start_date, r.end_date, r.certificate_number, r.provider, r.post, "
    "r.term_starts_on, r.term_ends_on, r.committee_term";

// The post is stored as its enum name without the prefix ("CELL_SECRETARY").
constexpr std::string_view kPostPrefix = "TRAINING_POST_";

std::optional<std::string> PostCode(v1::TrainingPost post) {
  if (post == v1::TRAINING_POST_UNSPECIFIED) return std::nullopt;
  return std::string(v1::TrainingPost_Name(post)).substr(kPostPrefix.size());
}

v1::TrainingPost PostFromCode(const std::string& code) {
  v1::TrainingPost post = v1::TRAINING_POST_UNSPECIFIED;
  if (!code.empty()) v1::TrainingPost_Parse(absl::StrCat(common::ToAbsl(kPostPrefix), code), &post);
  return post;
}

v1::Training ReadTraining(sql::ResultSet& rs) {
  v1::Training out;
  const int64_t member_id = rs.getInt64("member_id");
  out.set_name(YearlyRecordName(member_id, kTrainings, rs.getInt64("id")));
  out.set_member(MemberName(member_id));
  out.set_course(TextColumn(rs, "course"));
  out.set_kind(TextColumn(rs, "kind"));
  out.set_start_date(DateColumn(rs, "start_date"));
  out.set_end_date(DateColumn(rs, "end_date"));
  out.set_certificate_number(TextColumn(rs, "certificate_number"));
  out.set_provider(TextColumn(rs, "provider"));
  out.set_post(PostFromCode(TextColumn(rs, "post")));
  out.set_term_starts_on(DateColumn(rs, "term_starts_on"));
  out.set_term_ends_on(DateColumn(rs, "term_ends_on"));
  out.set_committee_term(TextColumn(rs, "committee_term"));
  return out;
}

constexpr char kScreeningColumns[] =
    "r.id, r.member_id, r.criterion, r.listed_on, r.votes_in_favour, r.votes_eligible, r.resolution_number, "
    "r.help_period_end, r.outcome, r.outcome_on, r.note";

v1::Screening ReadScreening(sql::ResultSet& rs) {
  v1::Screening out;
  const int64_t member_id = rs.getInt64("member_id");
  out.set_name(YearlyRecordName(member_id, kScreenings, rs.getInt64("id")));
  out.set_member(MemberName(member_id));
  out.set_criterion(TextColumn(rs, "criterion"));
  out.set_listed_on(DateColumn(rs, "listed_on"));
  v1::Vote* vote = out.mutable_vote();
  vote->set_in_favour(rs.getInt("votes_in_favour"));
  vote->set_eligible(rs.getInt("votes_eligible"));
  vote->set_resolution_number(TextColumn(rs, "resolution_number"));
  out.set_help_period_end(DateColumn(rs, "help_period_end"));
  out.set_outcome(static_cast<v1::ScreeningOutcome>(rs.getInt("outcome")));
  out.set_outcome_on(DateColumn(rs, "outcome_on"));
  out.set_note(TextColumn(rs, "note"));
  return out;
}

// ---- the kinds as tables, for existence checks and lists ----------------------------------

struct KindTable {
  const char* table;
  const char* columns;
  // The per-member key: the year for one-per-year kinds, the row id otherwise.
  const char* key_column;
  // What a year filter applies to: the year column, or the date whose year counts.
  const char* year_column;
  bool year_is_date;
};

std::optional<KindTable> TableOf(v1::YearlyRecordKind kind) {
  switch (kind) {
    case v1::YEARLY_RECORD_KIND_RESIDENCE_REGISTRATION:
      return KindTable{"residence_registrations", kRegistrationColumns, "id", "registered_on", true};
    case v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK:
      return KindTable{"residence_feedback", kFeedbackColumns, "year", "year", false};
    case v1::YEARLY_RECORD_KIND_COMMITMENT:
      return KindTable{"commitments", kCommitmentColumns, "year", "year", false};
    case v1::YEARLY_RECORD_KIND_RATING:
      return KindTable{"ratings", kRatingColumns, "year", "year", false};
    case v1::YEARLY_RECORD_KIND_TRAINING:
      return KindTable{"trainings", kTrainingColumns, "id", "start_date", true};
    case v1::YEARLY_RECORD_KIND_SCREENING:
      return KindTable{"screenings", kScreeningColumns, "id", "listed_on", true};
    default:
      return std::nullopt;
  }
}

void ReadInto(v1::YearlyRecordKind kind, sql::ResultSet& rs, v1::YearlyRecord& record) {
  switch (kind) {
    case v1::YEARLY_RECORD_KIND_RESIDENCE_REGISTRATION:
      *record.mutable_residence_registration() = ReadRegistration(rs);
      break;
    case v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK:
      *record.mutable_residence_feedback() = ReadFeedback(rs);
      break;
    case v1::YEARLY_RECORD_KIND_COMMITMENT:
      *record.mutable_commitment() = ReadCommitment(rs);
      break;
    case v1::YEARLY_RECORD_KIND_RATING:
      *record.mutable_rating() = ReadRating(rs);
      break;
    case v1::YEARLY_RECORD_KIND_TRAINING:
      *record.mutable_training() = ReadTraining(rs);
      break;
    case v1::YEARLY_RECORD_KIND_SCREENING:
      *record.mutable_screening() = ReadScreening(rs);
      break;
    default:
      break;
  }
}

// Reads one row of `table` by (member_id, key) with the kind's columns.
template <typename Message, typename ReadFn>
absl::StatusOr<Message> ReadBack(common::db::Session& session, const char* table, const char* columns,
                                 const char* key_column, int64_t member_id, int64_t key, ReadFn read) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", columns, " FROM ", table, " r WHERE r.member_id = ? AND r.", key_column, " = ?"));
  ps.setInt64(1, member_id);
  ps.setInt64(2, key);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) {
    return absl::InternalError(absl::StrCat("the ", table, " row just written cannot be read back"));
  }
  return read(*rs);
}

}  // namespace

std::string YearlyRecordName(int64_t member_id, std::string_view collection, int64_t key) {
  return absl::StrCat(MemberName(member_id), "/", common::ToAbsl(collection), "/", key);
}

// ---- residence registrations -------------------------------------------------------------

absl::StatusOr<v1::ResidenceRegistration> YearlyStore::InsertResidenceRegistration(
    common::db::Session& session, int64_t member_id, const v1::ResidenceRegistration& in) {
  GR_ASSIGN_OR_RETURN(std::string registered_on, RequiredDate(in.registered_on(), "registration.registered_on"));
  GR_ASSIGN_OR_RETURN(std::optional<std::string> letter_issued_on,
                      OptionalDate(in.letter_issued_on(), "registration.letter_issued_on"));
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> cell_id, OptionalOrg(in.residence_cell(), "registration.residence_cell"));

  // A member keeps one registration in force: the new one ends the open one.
  sql::PreparedStatement& end_open = session.Prepare(
      "UPDATE residence_registrations SET ended_on = ? WHERE member_id = ? AND ended_on IS NULL");
  end_open.setString(1, registered_on);
  end_open.setInt64(2, member_id);
  end_open.executeUpdate();

  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO residence_registrations (member_id, residence_cell_id, residence_unit_name, residence_address, "
      "registered_on, letter_issued_on, exemption, exemption_reason) VALUES (?,?,?,?,?,?,?,?)");
  insert.setInt64(1, member_id);
  SetOptionalInt64(insert, 2, cell_id);
  insert.setString(3, in.residence_unit_name());
  insert.setString(4, in.residence_address());
  insert.setString(5, registered_on);
  SetOptionalString(insert, 6, letter_issued_on);
  insert.setInt(7, static_cast<int>(in.exemption()));
  insert.setString(8, in.exemption_reason());
  insert.executeUpdate();
  const int64_t id = session.LastInsertId();
  return ReadBack<v1::ResidenceRegistration>(session, "residence_registrations", kRegistrationColumns, "id",
                                             member_id, id, ReadRegistration);
}

absl::StatusOr<std::optional<v1::ResidenceRegistration>> YearlyStore::FindOpenResidenceRegistration(
    common::db::Session& session, int64_t member_id) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kRegistrationColumns,
                   " FROM residence_registrations r WHERE r.member_id = ? AND r.ended_on IS NULL "
                   "ORDER BY r.registered_on DESC, r.id DESC LIMIT 1 FOR UPDATE"));
  ps.setInt64(1, member_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<v1::ResidenceRegistration>();
  return std::optional<v1::ResidenceRegistration>(ReadRegistration(*rs));
}

absl::StatusOr<std::optional<v1::ResidenceRegistration>> YearlyStore::FindRegistrationForYear(
    common::db::Session& session, int64_t member_id, int32_t year) {
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT ", kRegistrationColumns,
                   " FROM residence_registrations r WHERE r.member_id = ? AND r.registered_on <= ? "
                   "AND (r.ended_on IS NULL OR r.ended_on > ?) ORDER BY r.registered_on DESC, r.id DESC LIMIT 1"));
  ps.setInt64(1, member_id);
  ps.setString(2, api::FormatDate(absl::CivilDay(year, 12, 31)));
  ps.setString(3, api::FormatDate(absl::CivilDay(year, 1, 1)));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<v1::ResidenceRegistration>();
  return std::optional<v1::ResidenceRegistration>(ReadRegistration(*rs));
}

// ---- one-per-year records (upserts) --------------------------------------------------------

absl::StatusOr<v1::ResidenceFeedback> YearlyStore::PutResidenceFeedback(common::db::Session& session,
                                                                        int64_t member_id,
                                                                        const v1::ResidenceFeedback& in) {
  GR_ASSIGN_OR_RETURN(std::string given_on, RequiredDate(in.given_on(), "feedback.given_on"));
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> cell_id, OptionalOrg(in.residence_cell(), "feedback.residence_cell"));
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO residence_feedback (member_id, year, residence_cell_id, assessment, opinion, signed_by, given_on) "
      "VALUES (?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE residence_cell_id = VALUES(residence_cell_id), "
      "assessment = VALUES(assessment), opinion = VALUES(opinion), signed_by = VALUES(signed_by), "
      "given_on = VALUES(given_on)");
  ps.setInt64(1, member_id);
  ps.setInt(2, in.year());
  SetOptionalInt64(ps, 3, cell_id);
  ps.setInt(4, static_cast<int>(in.assessment()));
  ps.setString(5, in.opinion());
  ps.setString(6, in.signed_by());
  ps.setString(7, given_on);
  ps.executeUpdate();
  return ReadBack<v1::ResidenceFeedback>(session, "residence_feedback", kFeedbackColumns, "year", member_id,
                                         in.year(), ReadFeedback);
}

absl::StatusOr<v1::Commitment> YearlyStore::PutCommitment(common::db::Session& session, int64_t member_id,
                                                          const v1::Commitment& in) {
  GR_ASSIGN_OR_RETURN(std::string registered_on, RequiredDate(in.registered_on(), "commitment.registered_on"));
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO commitments (member_id, year, registered_on, content) VALUES (?,?,?,?) "
      "ON DUPLICATE KEY UPDATE registered_on = VALUES(registered_on), content = VALUES(content)");
  ps.setInt64(1, member_id);
  ps.setInt(2, in.year());
  ps.setString(3, registered_on);
  ps.setString(4, in.content());
  ps.executeUpdate();
  return ReadBack<v1::Commitment>(session, "commitments", kCommitmentColumns, "year", member_id, in.year(),
                                  ReadCommitment);
}

absl::StatusOr<v1::Rating> YearlyStore::PutRating(common::db::Session& session, int64_t member_id, int64_t cell_id,
                                                  const v1::Rating& in) {
  GR_ASSIGN_OR_RETURN(std::optional<std::string> signed_on,
                      OptionalDate(in.decision().signed_on(), "rating.decision.signed_on"));
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO ratings (member_id, year, score, level, disqualification, cell_id, decision_body, "
      "decision_number, decision_signed_on, quota_exception) VALUES (?,?,?,?,?,?,?,?,?,?) "
      "ON DUPLICATE KEY UPDATE score = VALUES(score), level = VALUES(level), "
      "disqualification = VALUES(disqualification), cell_id = VALUES(cell_id), "
      "decision_body = VALUES(decision_body), decision_number = VALUES(decision_number), "
      "decision_signed_on = VALUES(decision_signed_on), quota_exception = VALUES(quota_exception)");
  ps.setInt64(1, member_id);
  ps.setInt(2, in.year());
  ps.setString(3, ScoreText(in.score()));
  ps.setInt(4, static_cast<int>(in.level()));
  ps.setString(5, in.disqualification());
  ps.setInt64(6, cell_id);
  ps.setString(7, in.decision().issuing_body());
  ps.setString(8, in.decision().number());
  SetOptionalString(ps, 9, signed_on);
  ps.setString(10, in.quota_exception());
  ps.executeUpdate();
  return ReadBack<v1::Rating>(session, "ratings", kRatingColumns, "year", member_id, in.year(), ReadRating);
}

absl::StatusOr<bool> YearlyStore::HasYearRecord(common::db::Session& session, v1::YearlyRecordKind kind,
                                                int64_t member_id, int32_t year) {
  std::optional<KindTable> table = TableOf(kind);
  if (!table || std::string_view(table->key_column) != "year") {
    return absl::InternalError("HasYearRecord is for the one-per-year kinds");
  }
  sql::PreparedStatement& ps = session.Prepare(
      absl::StrCat("SELECT 1 FROM ", table->table, " WHERE member_id = ? AND year = ? FOR UPDATE"));
  ps.setInt64(1, member_id);
  ps.setInt(2, year);
  return session.Query(ps)->next();
}

// ---- trainings and screenings ----------------------------------------------------------------

absl::StatusOr<v1::Training> YearlyStore::InsertTraining(common::db::Session& session, int64_t member_id,
                                                         const v1::Training& in) {
  GR_ASSIGN_OR_RETURN(std::string start_date, RequiredDate(in.start_date(), "training.start_date"));
  GR_ASSIGN_OR_RETURN(std::string end_date, RequiredDate(in.end_date(), "training.end_date"));
  GR_ASSIGN_OR_RETURN(std::optional<std::string> term_starts_on,
                      OptionalDate(in.term_starts_on(), "training.term_starts_on"));
  GR_ASSIGN_OR_RETURN(std::optional<std::string> term_ends_on, OptionalDate(in.term_ends_on(), "training.term_ends_on"));
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO trainings (member_id, course, kind, start_date, end_date, certificate_number, provider, post, "
      "term_starts_on, term_ends_on, committee_term) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  ps.setInt64(1, member_id);
  ps.setString(2, in.course());
  ps.setString(3, in.kind());
  ps.setString(4, start_date);
  ps.setString(5, end_date);
  ps.setString(6, in.certificate_number());
  ps.setString(7, in.provider());
  SetOptionalString(ps, 8, PostCode(in.post()));
  SetOptionalString(ps, 9, term_starts_on);
  SetOptionalString(ps, 10, term_ends_on);
  SetOptionalString(ps, 11, in.committee_term().empty() ? std::nullopt : std::optional<std::string>(in.committee_term()));
  ps.executeUpdate();
  return ReadBack<v1::Training>(session, "trainings", kTrainingColumns, "id", member_id, session.LastInsertId(),
                                ReadTraining);
}

absl::StatusOr<v1::Screening> YearlyStore::InsertScreening(common::db::Session& session, int64_t member_id,
                                                           const v1::Screening& in) {
  GR_ASSIGN_OR_RETURN(std::string listed_on, RequiredDate(in.listed_on(), "screening.listed_on"));
  GR_ASSIGN_OR_RETURN(std::string help_period_end, RequiredDate(in.help_period_end(), "screening.help_period_end"));
  GR_ASSIGN_OR_RETURN(std::optional<std::string> outcome_on, OptionalDate(in.outcome_on(), "screening.outcome_on"));
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO screenings (member_id, criterion, listed_on, votes_in_favour, votes_eligible, resolution_number, "
      "help_period_end, outcome, outcome_on, note) VALUES (?,?,?,?,?,?,?,?,?,?)");
  ps.setInt64(1, member_id);
  ps.setString(2, in.criterion());
  ps.setString(3, listed_on);
  ps.setInt(4, in.vote().in_favour());
  ps.setInt(5, in.vote().eligible());
  ps.setString(6, in.vote().resolution_number());
  ps.setString(7, help_period_end);
  ps.setInt(8, static_cast<int>(in.outcome()));
  SetOptionalString(ps, 9, outcome_on);
  ps.setString(10, in.note());
  ps.executeUpdate();
  return ReadBack<v1::Screening>(session, "screenings", kScreeningColumns, "id", member_id, session.LastInsertId(),
                                 ReadScreening);
}

absl::StatusOr<std::optional<v1::Screening>> YearlyStore::FindScreening(common::db::Session& session,
                                                                        int64_t member_id, int64_t screening_id,
                                                                        bool for_update) {
  const std::string base =
      absl::StrCat("SELECT ", kScreeningColumns, " FROM screenings r WHERE r.member_id = ? AND r.id = ?");
  sql::PreparedStatement& ps = session.Prepare(for_update ? absl::StrCat(base, " FOR UPDATE") : base);
  ps.setInt64(1, member_id);
  ps.setInt64(2, screening_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<v1::Screening>();
  return std::optional<v1::Screening>(ReadScreening(*rs));
}

absl::StatusOr<bool> YearlyStore::HasPendingScreening(common::db::Session& session, int64_t member_id) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT 1 FROM screenings WHERE member_id = ? AND outcome = ? LIMIT 1 FOR UPDATE");
  ps.setInt64(1, member_id);
  ps.setInt(2, static_cast<int>(v1::SCREENING_OUTCOME_PENDING));
  return session.Query(ps)->next();
}

absl::StatusOr<v1::Screening> YearlyStore::UpdateScreeningOutcome(common::db::Session& session, int64_t member_id,
                                                                  int64_t screening_id, v1::ScreeningOutcome outcome,
                                                                  absl::CivilDay outcome_on, const std::string& note) {
  // An empty note keeps the one written at the listing.
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE screenings SET outcome = ?, outcome_on = ?, note = IF(? = '', note, ?) WHERE id = ? AND member_id = ?");
  ps.setInt(1, static_cast<int>(outcome));
  ps.setString(2, api::FormatDate(outcome_on));
  ps.setString(3, note);
  ps.setString(4, note);
  ps.setInt64(5, screening_id);
  ps.setInt64(6, member_id);
  ps.executeUpdate();
  GR_ASSIGN_OR_RETURN(std::optional<v1::Screening> stored, FindScreening(session, member_id, screening_id, false));
  if (!stored) {
    return absl::NotFoundError(absl::StrCat(YearlyRecordName(member_id, kScreenings, screening_id), " not found"));
  }
  return *stored;
}

// ---- counts and lists ----------------------------------------------------------------------

absl::StatusOr<YearlyStore::LevelCounts> YearlyStore::CountRatings(common::db::Session& session,
                                                                   const std::vector<int64_t>& cell_ids,
                                                                   int32_t year) {
  LevelCounts counts;
  if (cell_ids.empty()) return counts;
  // The ids travel as one JSON array parameter: one statement text whatever their number.
  sql::PreparedStatement& ps = session.Prepare(
      "SELECT level, COUNT(*) AS n FROM ratings WHERE year = ? AND cell_id IN "
      "(SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS id_set) GROUP BY level");
  ps.setInt(1, year);
  ps.setString(2, absl::StrCat("[", absl::StrJoin(cell_ids, ","), "]"));
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    const int32_t n = static_cast<int32_t>(rs->getInt64("n"));
    switch (static_cast<v1::RatingLevel>(rs->getInt("level"))) {
      case v1::RATING_LEVEL_EXCELLENT: counts.excellent += n; break;
      case v1::RATING_LEVEL_GOOD: counts.good += n; break;
      case v1::RATING_LEVEL_COMPLETED: counts.completed += n; break;
      case v1::RATING_LEVEL_NOT_COMPLETED: counts.not_completed += n; break;
      default: break;
    }
  }
  return counts;
}

absl::StatusOr<std::vector<YearlyStore::ListedRecord>> YearlyStore::List(common::db::Session& session,
                                                                         const ListQuery& query) {
  std::optional<KindTable> table = TableOf(query.kind);
  if (!table) return absl::InternalError("List needs one record kind");
  if (query.member_id.has_value() == query.subtree_root.has_value()) {
    return absl::InternalError("List needs exactly one of member_id / subtree_root");
  }
  // One statement shape per kind and scope: the year range and the keyset are
  // always bound (neutral values when unused), so the prepared-statement cache stays small.
  std::string sql = absl::StrCat("SELECT ", table->columns, ", r.", table->key_column,
                                 " AS list_key, m.occupation_category FROM ", table->table,
                                 " r JOIN members m ON m.id = r.member_id");
  if (query.subtree_root) {
    absl::StrAppend(&sql, " JOIN org_closure c ON c.descendant_id = m.cell_id AND c.ancestor_id = ? WHERE 1 = 1");
  } else {
    absl::StrAppend(&sql, " WHERE r.member_id = ?");
  }
  absl::StrAppend(&sql, " AND r.", table->year_column, " BETWEEN ? AND ?");
  absl::StrAppend(&sql, " AND (r.member_id > ? OR (r.member_id = ? AND r.", table->key_column, " > ?))");
  absl::StrAppend(&sql, " ORDER BY r.member_id, r.", table->key_column, " LIMIT ?");

  sql::PreparedStatement& ps = session.Prepare(sql);
  int index = 1;
  ps.setInt64(index++, query.subtree_root ? *query.subtree_root : *query.member_id);
  if (table->year_is_date) {
    const absl::CivilDay first = query.year == 0 ? absl::CivilDay(1000, 1, 1) : absl::CivilDay(query.year, 1, 1);
    const absl::CivilDay last = query.year == 0 ? absl::CivilDay(9999, 12, 31) : absl::CivilDay(query.year, 12, 31);
    ps.setString(index++, api::FormatDate(first));
    ps.setString(index++, api::FormatDate(last));
  } else {
    ps.setInt(index++, query.year == 0 ? 0 : query.year);
    ps.setInt(index++, query.year == 0 ? 9999 : query.year);
  }
  ps.setInt64(index++, query.after_member_id);
  ps.setInt64(index++, query.after_member_id);
  ps.setInt64(index++, query.after_key);
  ps.setInt(index++, query.limit);

  std::vector<ListedRecord> out;
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  while (rs->next()) {
    ListedRecord row;
    row.member_id = rs->getInt64("member_id");
    row.key = rs->getInt64("list_key");
    row.occupation_category = static_cast<v1::OccupationCategory>(rs->getInt("occupation_category"));
    ReadInto(query.kind, *rs, row.record);
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace grassroots::membership::store
