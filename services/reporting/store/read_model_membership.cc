// The membership service's feed in the read model (read_model.h).
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include <cppconn/prepared_statement.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/db/sql_dates.h"
#include "grassroots/membership/v1/dues.pb.h"
#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/membership/v1/yearly_records.pb.h"
#include "services/memberfacts/member_facts.h"
#include "services/memberfacts/member_facts_projection.h"
#include "services/reporting/store/read_model.h"
#include "services/reporting/store/read_model_decode.h"

namespace grassroots::reporting {
namespace {

using common::db::Session;
using common::db::SetOptionalDay;
using common::db::SetOptionalInt64;
using internal::ParseChangeName;
using internal::ParseOptionalDate;
using internal::ParseOptionalId;
using internal::Unpack;
using internal::UpsertStatement;
namespace feedpb = grassroots::feed::v1;
namespace memberpb = grassroots::membership::v1;
using memberfacts::MemberFactsProjection;

constexpr char kMemberEvent[] = "member_event";
constexpr char kResidenceRegistration[] = "residence_registration";
constexpr char kResidenceFeedback[] = "residence_feedback";
constexpr char kCommitment[] = "commitment";
constexpr char kRating[] = "rating";
constexpr char kTraining[] = "training";

// ---- member: statistical attributes and their dated periods -------------------------------

void StoreMemberRow(Session& session, int64_t member_id, const memberpb::MemberFacts& facts,
                    const std::optional<absl::CivilDay>& admission, const std::optional<absl::CivilDay>& official,
                    int64_t sequence) {
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_member", {"member_id", "sex", "birth_year", "birth_month", "ethnicity_code", "religion_code", "status",
                    "admission_decision_date", "official_date", "occupation_category_at_admission",
                    "source_sequence"}));
  ps.setInt64(1, member_id);
  ps.setInt(2, facts.sex());
  SetOptionalInt64(ps, 3, facts.birth_year() > 0 ? std::optional<int64_t>(facts.birth_year()) : std::nullopt);
  SetOptionalInt64(ps, 4, facts.birth_month() > 0 ? std::optional<int64_t>(facts.birth_month()) : std::nullopt);
  ps.setString(5, facts.ethnicity_code());
  ps.setString(6, facts.religion_code());
  ps.setInt(7, facts.status());
  SetOptionalDay(ps, 8, admission);
  SetOptionalDay(ps, 9, official);
  ps.setInt(10, facts.occupation_category_at_admission());
  ps.setInt64(11, sequence);
  ps.executeUpdate();
}

absl::Status ReplaceAttributePeriods(Session& session, int64_t member_id, const memberpb::MemberFacts& facts) {
  struct Row {
    int32_t attribute;
    absl::CivilDay valid_from;
    std::optional<absl::CivilDay> valid_to;
    int32_t value;
  };
  std::vector<Row> rows;
  std::set<std::pair<int32_t, absl::CivilDay>> starts;
  for (int index = 0; index < facts.attribute_periods_size(); ++index) {
    const memberpb::AttributePeriod& period = facts.attribute_periods(index);
    const std::string field = absl::StrCat("facts.attribute_periods[", index, "]");
    Row row{period.attribute(), {}, std::nullopt, period.value()};
    GR_ASSIGN_OR_RETURN(row.valid_from, common::api::ParseDate(period.valid_from(), field + ".valid_from"));
    GR_ASSIGN_OR_RETURN(row.valid_to, ParseOptionalDate(period.valid_to(), field + ".valid_to"));
    if (row.valid_to && *row.valid_to <= row.valid_from) {
      return common::InvalidField(field + ".valid_to", "must be after valid_from");
    }
    if (!starts.emplace(row.attribute, row.valid_from).second) {
      return common::InvalidField(field, "a second period of the attribute starting the same day");
    }
    rows.push_back(row);
  }
  sql::PreparedStatement& remove = session.Prepare("DELETE FROM rm_member_attribute_period WHERE member_id = ?");
  remove.setInt64(1, member_id);
  remove.executeUpdate();
  sql::PreparedStatement& insert = session.Prepare(
      "INSERT INTO rm_member_attribute_period (member_id, attribute, valid_from, valid_to, value) "
      "VALUES (?, ?, ?, ?, ?)");
  for (const Row& row : rows) {
    insert.setInt64(1, member_id);
    insert.setInt(2, row.attribute);
    SetOptionalDay(insert, 3, row.valid_from);
    SetOptionalDay(insert, 4, row.valid_to);
    insert.setInt(5, row.value);
    insert.executeUpdate();
  }
  return absl::OkStatus();
}

absl::Status ApplyMember(Session& session, const feedpb::Change& change) {
  // The member-facts library checks the entry (names, dates, the member it is about).
  GR_ASSIGN_OR_RETURN(const memberfacts::ProjectedMember projected, memberfacts::DecodeMemberFacts(change));
  GR_ASSIGN_OR_RETURN(const memberpb::MemberFacts facts, Unpack<memberpb::MemberFacts>(change));
  if (facts.birth_month() < 0 || facts.birth_month() > 12) {
    return common::InvalidField("facts.birth_month", "must be 1..12, or 0 when not recorded");
  }
  if (facts.birth_year() != 0) GR_RETURN_IF_ERROR(internal::CheckYear(facts.birth_year(), "facts.birth_year"));
  GR_RETURN_IF_ERROR(ReplaceAttributePeriods(session, projected.member_id, facts));
  StoreMemberRow(session, projected.member_id, facts, projected.admission_decision_date, projected.official_date,
                 change.sequence());
  return MemberFactsProjection::StoreMember(session, projected, change.sequence());
}

absl::Status ApplyMemberPeriods(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberfacts::ProjectedPeriods periods, memberfacts::DecodeMemberPeriods(change));
  return MemberFactsProjection::ReplacePeriods(session, periods, change.sequence());
}

// ---- events -----------------------------------------------------------------------------

// An event is published when recorded and again, voided, when a later event
// voids it: each copy replaces the row.
absl::Status ApplyMemberEvent(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::MemberEvent event, Unpack<memberpb::MemberEvent>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, event.name(), {"members", "events"}, "event.name"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay effective_date,
                      common::api::ParseDate(event.effective_date(), "event.effective_date"));
  GR_ASSIGN_OR_RETURN(const std::optional<int64_t> cell_id, ParseOptionalId(event.cell(), "organizations", "event.cell"));
  GR_ASSIGN_OR_RETURN(const std::optional<int64_t> from_cell_id,
                      ParseOptionalId(event.from_cell(), "organizations", "event.from_cell"));
  const std::string trigger = event.removal_trigger() == memberpb::REMOVAL_TRIGGER_UNSPECIFIED
                                  ? std::string()
                                  : memberpb::RemovalTrigger_Name(event.removal_trigger());
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_member_event", {"event_id", "member_id", "kind", "effective_date", "cell_id", "from_cell_id", "status_after",
                          "voided", "removal_trigger", "discipline_reference", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  ps.setInt(3, event.kind());
  SetOptionalDay(ps, 4, effective_date);
  SetOptionalInt64(ps, 5, cell_id);
  SetOptionalInt64(ps, 6, from_cell_id);
  ps.setInt(7, event.status_after());
  ps.setBoolean(8, event.voided());
  ps.setString(9, trigger);
  ps.setString(10, event.discipline_reference());
  ps.setInt64(11, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

// ---- yearly records -----------------------------------------------------------------------

absl::Status ApplyResidenceRegistration(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::ResidenceRegistration registration,
                      Unpack<memberpb::ResidenceRegistration>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, registration.name(), {"members", "residence-registrations"},
                                      "registration.name"));
  GR_ASSIGN_OR_RETURN(const std::optional<int64_t> cell_id,
                      ParseOptionalId(registration.residence_cell(), "organizations", "registration.residence_cell"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay registered_on,
                      common::api::ParseDate(registration.registered_on(), "registration.registered_on"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> ended_on,
                      ParseOptionalDate(registration.ended_on(), "registration.ended_on"));
  sql::PreparedStatement& ps = session.Prepare(
      UpsertStatement("rm_residence_registration", {"registration_id", "member_id", "residence_cell_id",
                                                    "registered_on", "ended_on", "exemption", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  SetOptionalInt64(ps, 3, cell_id);
  SetOptionalDay(ps, 4, registered_on);
  SetOptionalDay(ps, 5, ended_on);
  ps.setInt(6, registration.exemption());
  ps.setInt64(7, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

// A record a member has once a year ("members/{m}/<collection>/{year}"): the
// member and year its name gives, which the payload's year must repeat.
absl::StatusOr<std::pair<int64_t, int32_t>> MemberYear(const feedpb::Change& change, const std::string& name,
                                                       std::string_view collection, int32_t year,
                                                       std::string_view record) {
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, name, {"members", collection}, absl::StrCat(common::ToAbsl(record), ".name")));
  const std::string year_field = absl::StrCat(common::ToAbsl(record), ".year");
  if (ids[1] != year) return common::InvalidField(year_field, "differs from the year the name gives");
  GR_RETURN_IF_ERROR(internal::CheckYear(year, year_field));
  return std::make_pair(ids[0], year);
}

// Writes (member_id, year, `value` column, source_sequence) of a yearly table.
template <typename BindValue>
void StoreYearly(Session& session, std::string_view table, std::string_view value_column,
                 std::pair<int64_t, int32_t> member_year, int64_t sequence, BindValue bind_value) {
  sql::PreparedStatement& ps =
      session.Prepare(UpsertStatement(table, {"member_id", "year", value_column, "source_sequence"}));
  ps.setInt64(1, member_year.first);
  ps.setInt(2, member_year.second);
  bind_value(ps, 3);
  ps.setInt64(4, sequence);
  ps.executeUpdate();
}

absl::Status ApplyResidenceFeedback(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::ResidenceFeedback feedback, Unpack<memberpb::ResidenceFeedback>(change));
  GR_ASSIGN_OR_RETURN(const auto member_year,
                      MemberYear(change, feedback.name(), "residence-feedback", feedback.year(), "feedback"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> given_on,
                      ParseOptionalDate(feedback.given_on(), "feedback.given_on"));
  StoreYearly(session, "rm_residence_feedback", "given_on", member_year, change.sequence(),
              [&](sql::PreparedStatement& ps, int index) { SetOptionalDay(ps, index, given_on); });
  return absl::OkStatus();
}

absl::Status ApplyCommitment(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::Commitment commitment, Unpack<memberpb::Commitment>(change));
  GR_ASSIGN_OR_RETURN(const auto member_year,
                      MemberYear(change, commitment.name(), "commitments", commitment.year(), "commitment"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> registered_on,
                      ParseOptionalDate(commitment.registered_on(), "commitment.registered_on"));
  StoreYearly(session, "rm_commitment", "registered_on", member_year, change.sequence(),
              [&](sql::PreparedStatement& ps, int index) { SetOptionalDay(ps, index, registered_on); });
  return absl::OkStatus();
}

absl::Status ApplyRating(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::Rating rating, Unpack<memberpb::Rating>(change));
  GR_ASSIGN_OR_RETURN(const auto member_year, MemberYear(change, rating.name(), "ratings", rating.year(), "rating"));
  StoreYearly(session, "rm_member_rating", "level", member_year, change.sequence(),
              [&](sql::PreparedStatement& ps, int index) { ps.setInt(index, rating.level()); });
  return absl::OkStatus();
}

absl::Status ApplyDuesCellMonth(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::DuesCellMonth totals, Unpack<memberpb::DuesCellMonth>(change));
  const std::string& name = totals.name();
  const size_t months_at = name.rfind("/duesMonths/");
  if (months_at == std::string::npos || name != change.resource_name()) {
    return common::InvalidField("dues_cell_month.name", "must be the change's organizations/{cell}/duesMonths/{YYYY-MM}");
  }
  GR_ASSIGN_OR_RETURN(const int64_t cell_id,
                      common::api::ParseId(name.substr(0, months_at), "organizations", "dues_cell_month.name"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay first_day,
                      common::api::ParseDate(absl::StrCat(totals.month(), "-01"), "dues_cell_month.month"));
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_dues_cell_month", {"cell_id", "month", "members_owing", "due", "paid", "voluntary", "outstanding",
                             "members_unpaid", "members_in_arrears", "source_sequence"}));
  ps.setInt64(1, cell_id);
  ps.setString(2, common::api::FormatDate(first_day));
  ps.setInt(3, totals.members_owing());
  ps.setInt64(4, totals.due());
  ps.setInt64(5, totals.paid());
  ps.setInt64(6, totals.voluntary());
  ps.setInt64(7, totals.outstanding());
  ps.setInt(8, totals.members_unpaid());
  ps.setInt(9, totals.members_in_arrears());
  ps.setInt64(10, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyTraining(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const memberpb::Training training, Unpack<memberpb::Training>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, training.name(), {"members", "trainings"}, "training.name"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay start_date,
                      common::api::ParseDate(training.start_date(), "training.start_date"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> end_date,
                      ParseOptionalDate(training.end_date(), "training.end_date"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> term_starts_on,
                      ParseOptionalDate(training.term_starts_on(), "training.term_starts_on"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> term_ends_on,
                      ParseOptionalDate(training.term_ends_on(), "training.term_ends_on"));
  std::optional<int64_t> committee_term_id;
  if (!training.committee_term().empty()) {
    GR_ASSIGN_OR_RETURN(const std::vector<int64_t> term_ids,
                        internal::ParseNestedName(training.committee_term(), {"organizations", "committeeTerms"},
                                                  "training.committee_term"));
    committee_term_id = term_ids[1];
  }
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_member_training", {"training_id", "member_id", "post", "start_date", "end_date", "term_starts_on",
                             "term_ends_on", "committee_term_id", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  ps.setInt(3, training.post());
  SetOptionalDay(ps, 4, start_date);
  SetOptionalDay(ps, 5, end_date);
  SetOptionalDay(ps, 6, term_starts_on);
  SetOptionalDay(ps, 7, term_ends_on);
  SetOptionalInt64(ps, 8, committee_term_id);
  ps.setInt64(9, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyMembershipChange(Session& session, const feedpb::Change& change) {
  const std::string& type = change.resource_type();
  if (type == memberfacts::kMemberResource) return ApplyMember(session, change);
  if (type == memberfacts::kMemberPeriodsResource) return ApplyMemberPeriods(session, change);
  if (type == kMemberEvent) return ApplyMemberEvent(session, change);
  if (type == kResidenceRegistration) return ApplyResidenceRegistration(session, change);
  if (type == kResidenceFeedback) return ApplyResidenceFeedback(session, change);
  if (type == kCommitment) return ApplyCommitment(session, change);
  if (type == kRating) return ApplyRating(session, change);
  if (type == kTraining) return ApplyTraining(session, change);
  if (type == kDuesCellMonthResource) return ApplyDuesCellMonth(session, change);
  return common::InvalidField("resource_type", absl::StrCat(type, " is not kept by the reporting read model"));
}

}  // namespace

common::feed::FeedConsumer MembershipFeedConsumer() {
  common::feed::FeedConsumer consumer;
  consumer.resource_types = {memberfacts::kMemberResource,
                             memberfacts::kMemberPeriodsResource,
                             kMemberEvent,
                             kResidenceRegistration,
                             kResidenceFeedback,
                             kCommitment,
                             kRating,
                             kTraining,
                             kDuesCellMonthResource};
  consumer.apply = &ApplyMembershipChange;
  consumer.reset = [](Session& session) -> absl::Status {
    internal::DeleteAll(session, {"rm_member", "rm_member_attribute_period", "rm_member_event",
                                  "rm_residence_registration", "rm_residence_feedback", "rm_commitment",
                                  "rm_member_rating", "rm_member_training", "rm_dues_cell_month"});
    return MemberFactsProjection::Clear(session);
  };
  return consumer;
}

}  // namespace grassroots::reporting
