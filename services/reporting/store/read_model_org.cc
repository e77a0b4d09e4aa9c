// The organization service's feed in the read model (read_model.h).
#include <memory>
#include <optional>
#include <string>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/api/api.h"
#include "common/db/sql_dates.h"
#include "grassroots/org/v1/committee.pb.h"
#include "grassroots/org/v1/meeting.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "grassroots/org/v1/recognition.pb.h"
#include "grassroots/org/v1/residential_unit.pb.h"
#include "services/orgtree/org_feed_follower.h"
#include "services/orgtree/residential_units.h"
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
namespace orgpb = grassroots::org::v1;

constexpr char kOrganization[] = "organization";
constexpr char kCommitteeTerm[] = "committee_term";
constexpr char kCommitteePosition[] = "committee_position";
constexpr char kMeeting[] = "meeting";
constexpr char kWorkingRegulation[] = "working_regulation";
constexpr char kNewModel[] = "new_model";
constexpr char kOrganizationRating[] = "organization_rating";
constexpr char kUnitHead[] = "residential_unit_head";
constexpr char kHeadTraining[] = "residential_unit_head_training";

// The committee's calendar: Asia/Ho_Chi_Minh is UTC+7 with no daylight saving.
absl::TimeZone CommitteeTimeZone() { return absl::FixedTimeZone(7 * 60 * 60); }

// ---- organization: dated periods -----------------------------------------------------------

// The facts of one period of rm_org_period.
struct PeriodFacts {
  std::optional<int64_t> parent_id;
  std::string type_code;
  std::string sector_code;
  int32_t state = 0;
  bool commune_military_cell = false;
};

absl::StatusOr<PeriodFacts> FactsOf(const orgpb::OrganizationFacts& after) {
  PeriodFacts facts;
  GR_ASSIGN_OR_RETURN(facts.parent_id, ParseOptionalId(after.parent(), "organizations", "after.parent"));
  if (after.type().empty()) return common::InvalidField("after.type", "must not be empty");
  facts.type_code = after.type();
  facts.sector_code = after.sector();
  facts.state = after.state();
  facts.commune_military_cell = after.is_commune_military_cell();
  return facts;
}

std::optional<absl::CivilDay> OpenPeriodStart(Session& session, int64_t org_id) {
  sql::PreparedStatement& ps =
      session.Prepare("SELECT valid_from FROM rm_org_period WHERE org_id = ? AND valid_to IS NULL FOR UPDATE");
  ps.setInt64(1, org_id);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::nullopt;
  return common::db::GetOptionalDay(*rs, "valid_from");
}

void OpenPeriod(Session& session, int64_t org_id, absl::CivilDay from, const PeriodFacts& facts, int64_t sequence) {
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO rm_org_period (org_id, valid_from, valid_to, parent_id, type_code, sector_code, state, "
      "commune_military_cell, source_sequence) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)");
  ps.setInt64(1, org_id);
  SetOptionalDay(ps, 2, from);
  SetOptionalInt64(ps, 3, facts.parent_id);
  ps.setString(4, facts.type_code);
  ps.setString(5, facts.sector_code);
  ps.setInt(6, facts.state);
  ps.setBoolean(7, facts.commune_military_cell);
  ps.setInt64(8, sequence);
  ps.executeUpdate();
}

void AmendPeriod(Session& session, int64_t org_id, absl::CivilDay from, const PeriodFacts& facts, int64_t sequence) {
  sql::PreparedStatement& ps = session.Prepare(
      "UPDATE rm_org_period SET parent_id = ?, type_code = ?, sector_code = ?, state = ?, commune_military_cell = ?, "
      "source_sequence = ? WHERE org_id = ? AND valid_from = ?");
  SetOptionalInt64(ps, 1, facts.parent_id);
  ps.setString(2, facts.type_code);
  ps.setString(3, facts.sector_code);
  ps.setInt(4, facts.state);
  ps.setBoolean(5, facts.commune_military_cell);
  ps.setInt64(6, sequence);
  ps.setInt64(7, org_id);
  SetOptionalDay(ps, 8, from);
  ps.executeUpdate();
}

void ClosePeriod(Session& session, int64_t org_id, absl::CivilDay from, absl::CivilDay to) {
  sql::PreparedStatement& ps =
      session.Prepare("UPDATE rm_org_period SET valid_to = ? WHERE org_id = ? AND valid_from = ?");
  SetOptionalDay(ps, 1, to);
  ps.setInt64(2, org_id);
  SetOptionalDay(ps, 3, from);
  ps.executeUpdate();
}

// History is appended: a change closes the open period at its effective date
// and opens the next; one on the open period's first day amends it. A legacy
// entry (no dated event) opens the first period at the founding, else amends.
absl::Status StorePeriod(Session& session, int64_t org_id, const orgpb::OrganizationChange& change,
                         int64_t sequence) {
  GR_ASSIGN_OR_RETURN(const PeriodFacts facts, FactsOf(change.after()));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> effective,
                      ParseOptionalDate(change.event().effective_date(), "event.effective_date"));
  const std::optional<absl::CivilDay> open = OpenPeriodStart(session, org_id);
  if (!effective) {
    if (open) {
      AmendPeriod(session, org_id, *open, facts, sequence);
      return absl::OkStatus();
    }
    GR_ASSIGN_OR_RETURN(const absl::CivilDay founded, common::api::ParseDate(change.organization().established_on(),
                                                                             "organization.established_on"));
    OpenPeriod(session, org_id, founded, facts, sequence);
    return absl::OkStatus();
  }
  if (!open) {
    OpenPeriod(session, org_id, *effective, facts, sequence);
  } else if (*effective == *open) {
    AmendPeriod(session, org_id, *open, facts, sequence);
  } else if (*effective > *open) {
    ClosePeriod(session, org_id, *open, *effective);
    OpenPeriod(session, org_id, *effective, facts, sequence);
  } else {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, kOrgChangeBeforeOpenPeriod,
                            absl::StrCat("organizations/", org_id, ": a change effective ",
                                         common::api::FormatDate(*effective), " precedes its open period (from ",
                                         common::api::FormatDate(*open), ")"));
  }
  return absl::OkStatus();
}

void StoreType(Session& session, const orgpb::Organization& organization) {
  if (organization.type().empty()) return;
  sql::PreparedStatement& ps =
      session.Prepare(UpsertStatement("rm_org_type", {"type_code", "level_code", "is_grassroots", "is_cell"}));
  ps.setString(1, organization.type());
  ps.setString(2, organization.level());
  ps.setBoolean(3, organization.is_grassroots());
  ps.setBoolean(4, organization.is_cell());
  ps.executeUpdate();
}

absl::Status ApplyOrganization(Session& session, orgtree::OrgProjection& projection, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::OrganizationChange decoded, orgtree::DecodeOrganizationChange(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids, ParseChangeName(change, decoded.organization().name(),
                                                                      {"organizations"}, "organization.name"));
  GR_RETURN_IF_ERROR(StorePeriod(session, ids[0], decoded, change.sequence()));
  StoreType(session, decoded.organization());
  return projection.ApplyOrganization(session, change.sequence(), decoded.organization());
}

// ---- committees, meetings, regulations, recognition ---------------------------------------

absl::Status ApplyCommitteeTerm(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::CommitteeTerm term, Unpack<orgpb::CommitteeTerm>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, term.name(), {"organizations", "committeeTerms"}, "term.name"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay starts_on, common::api::ParseDate(term.starts_on(), "term.starts_on"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> ends_on, ParseOptionalDate(term.ends_on(), "term.ends_on"));
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_committee_term", {"term_id", "org_id", "starts_on", "ends_on", "elected_committee", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  SetOptionalDay(ps, 3, starts_on);
  SetOptionalDay(ps, 4, ends_on);
  ps.setBoolean(5, term.elected_committee());
  ps.setInt64(6, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyPosition(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::Position position, Unpack<orgpb::Position>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, position.name(), {"organizations", "committeeTerms", "positions"},
                                      "position.name"));
  GR_ASSIGN_OR_RETURN(const std::optional<int64_t> member_id,
                      ParseOptionalId(position.member(), "members", "position.member"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay starts_on,
                      common::api::ParseDate(position.starts_on(), "position.starts_on"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> ends_on,
                      ParseOptionalDate(position.ends_on(), "position.ends_on"));
  sql::PreparedStatement& ps =
      session.Prepare(UpsertStatement("rm_committee_position", {"position_id", "term_id", "org_id", "member_id", "kind",
                                                                "starts_on", "ends_on", "source_sequence"}));
  ps.setInt64(1, ids[2]);
  ps.setInt64(2, ids[1]);
  ps.setInt64(3, ids[0]);
  SetOptionalInt64(ps, 4, member_id);
  ps.setInt(5, position.kind());
  SetOptionalDay(ps, 6, starts_on);
  SetOptionalDay(ps, 7, ends_on);
  ps.setInt64(8, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

// held_on: the committee's local date of the actual start; none while only planned.
absl::Status ApplyMeeting(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::Meeting meeting, Unpack<orgpb::Meeting>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, meeting.name(), {"organizations", "meetings"}, "meeting.name"));
  std::optional<absl::CivilDay> held_on;
  if (meeting.has_actual_start()) {
    const absl::Time start = absl::FromUnixSeconds(meeting.actual_start().seconds()) +
                             absl::Nanoseconds(meeting.actual_start().nanos());
    held_on = absl::ToCivilDay(start, CommitteeTimeZone());
  }
  sql::PreparedStatement& ps =
      session.Prepare(UpsertStatement("rm_meeting", {"meeting_id", "org_id", "kind", "held_on", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  ps.setInt(3, meeting.kind());
  SetOptionalDay(ps, 4, held_on);
  ps.setInt64(5, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyRegulation(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::WorkingRegulation regulation, Unpack<orgpb::WorkingRegulation>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, regulation.name(), {"organizations", "regulations"}, "regulation.name"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay adopted_on,
                      common::api::ParseDate(regulation.adopted_on(), "regulation.adopted_on"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> superseded_on,
                      ParseOptionalDate(regulation.superseded_on(), "regulation.superseded_on"));
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_working_regulation", {"org_id", "version", "adopted_on", "superseded_on", "source_sequence"}));
  ps.setInt64(1, ids[0]);
  ps.setInt64(2, ids[1]);
  SetOptionalDay(ps, 3, adopted_on);
  SetOptionalDay(ps, 4, superseded_on);
  ps.setInt64(5, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyNewModel(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::NewModel model, Unpack<orgpb::NewModel>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, model.name(), {"organizations", "newModels"}, "model.name"));
  GR_RETURN_IF_ERROR(internal::CheckYear(model.year(), "model.year"));
  sql::PreparedStatement& ps =
      session.Prepare(UpsertStatement("rm_new_model", {"model_id", "org_id", "year", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  ps.setInt(3, model.year());
  ps.setInt64(4, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyOrganizationRating(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::OrganizationRating rating, Unpack<orgpb::OrganizationRating>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, rating.name(), {"organizations", "ratings"}, "rating.name"));
  if (ids[1] != rating.year()) return common::InvalidField("rating.year", "differs from the year rating.name names");
  GR_RETURN_IF_ERROR(internal::CheckYear(rating.year(), "rating.year"));
  sql::PreparedStatement& ps =
      session.Prepare(UpsertStatement("rm_org_rating", {"org_id", "year", "level", "source_sequence"}));
  ps.setInt64(1, ids[0]);
  ps.setInt(2, rating.year());
  ps.setInt(3, rating.level());
  ps.setInt64(4, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

// ---- residential units ------------------------------------------------------------------

absl::Status ApplyUnitHead(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::UnitHead head, Unpack<orgpb::UnitHead>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, head.name(), {"residentialUnits", "heads"}, "head.name"));
  GR_ASSIGN_OR_RETURN(const std::optional<int64_t> member_id, ParseOptionalId(head.member(), "members", "head.member"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay valid_from, common::api::ParseDate(head.valid_from(), "head.valid_from"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> valid_to, ParseOptionalDate(head.valid_to(), "head.valid_to"));
  sql::PreparedStatement& ps = session.Prepare(UpsertStatement(
      "rm_unit_head",
      {"head_id", "unit_id", "post", "is_party_member", "member_id", "valid_from", "valid_to", "source_sequence"}));
  ps.setInt64(1, ids[1]);
  ps.setInt64(2, ids[0]);
  ps.setInt(3, head.post());
  ps.setBoolean(4, head.is_party_member());
  SetOptionalInt64(ps, 5, member_id);
  SetOptionalDay(ps, 6, valid_from);
  SetOptionalDay(ps, 7, valid_to);
  ps.setInt64(8, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyHeadTraining(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::HeadTraining training, Unpack<orgpb::HeadTraining>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, training.name(), {"residentialUnits", "heads", "trainings"},
                                      "training.name"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay start_date,
                      common::api::ParseDate(training.start_date(), "training.start_date"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> end_date,
                      ParseOptionalDate(training.end_date(), "training.end_date"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> term_starts_on,
                      ParseOptionalDate(training.term_starts_on(), "training.term_starts_on"));
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> term_ends_on,
                      ParseOptionalDate(training.term_ends_on(), "training.term_ends_on"));
  sql::PreparedStatement& ps = session.Prepare(
      UpsertStatement("rm_head_training", {"training_id", "head_id", "post", "start_date", "end_date", "term_starts_on",
                                           "term_ends_on", "source_sequence"}));
  ps.setInt64(1, ids[2]);
  ps.setInt64(2, ids[1]);
  ps.setInt(3, training.post());
  SetOptionalDay(ps, 4, start_date);
  SetOptionalDay(ps, 5, end_date);
  SetOptionalDay(ps, 6, term_starts_on);
  SetOptionalDay(ps, 7, term_ends_on);
  ps.setInt64(8, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

// The unit's name and kind (rm_residential_unit), beside the library's row.
absl::Status StoreUnitDetail(Session& session, int64_t unit_id, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const orgpb::ResidentialUnit unit, Unpack<orgpb::ResidentialUnit>(change));
  sql::PreparedStatement& ps = session.Prepare(
      "INSERT INTO rm_residential_unit (unit_id, display_name, kind, source_sequence) VALUES (?, ?, ?, ?)"
      " ON DUPLICATE KEY UPDATE display_name = VALUES(display_name), kind = VALUES(kind),"
      " source_sequence = VALUES(source_sequence)");
  ps.setInt64(1, unit_id);
  ps.setString(2, unit.display_name());
  ps.setInt(3, unit.kind());
  ps.setInt64(4, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyOrgChange(Session& session, orgtree::OrgProjection& projection, const feedpb::Change& change) {
  const std::string& type = change.resource_type();
  if (type == kOrganization) return ApplyOrganization(session, projection, change);
  if (type == kCommitteeTerm) return ApplyCommitteeTerm(session, change);
  if (type == kCommitteePosition) return ApplyPosition(session, change);
  if (type == kMeeting) return ApplyMeeting(session, change);
  if (type == kWorkingRegulation) return ApplyRegulation(session, change);
  if (type == kNewModel) return ApplyNewModel(session, change);
  if (type == kOrganizationRating) return ApplyOrganizationRating(session, change);
  if (type == kUnitHead) return ApplyUnitHead(session, change);
  if (type == kHeadTraining) return ApplyHeadTraining(session, change);
  if (type == orgtree::kResidentialUnitResource) {
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedResidentialUnit unit, orgtree::DecodeResidentialUnit(change));
    GR_RETURN_IF_ERROR(orgtree::StoreResidentialUnit(session, unit, change.sequence()));
    return StoreUnitDetail(session, unit.id, change);
  }
  if (type == orgtree::kUnitCoveringResource) {
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedCovering covering, orgtree::DecodeCovering(change));
    return orgtree::StoreCovering(session, covering, change.sequence());
  }
  return common::InvalidField("resource_type", absl::StrCat(type, " is not kept by the reporting read model"));
}

}  // namespace

common::feed::FeedConsumer OrgFeedConsumer(orgtree::OrgProjection& projection) {
  common::feed::FeedConsumer consumer;
  consumer.resource_types = {kOrganization,
                             kCommitteeTerm,
                             kCommitteePosition,
                             kMeeting,
                             kWorkingRegulation,
                             kNewModel,
                             kOrganizationRating,
                             orgtree::kResidentialUnitResource,
                             orgtree::kUnitCoveringResource,
                             kUnitHead,
                             kHeadTraining};
  consumer.apply = [&projection](Session& session, const feedpb::Change& change) {
    return ApplyOrgChange(session, projection, change);
  };
  consumer.reset = [](Session& session) -> absl::Status {
    internal::DeleteAll(session, {"rm_org_period", "rm_org_type", "rm_committee_term", "rm_committee_position",
                                  "rm_meeting", "rm_working_regulation", "rm_new_model", "rm_org_rating",
                                  "rm_unit_head", "rm_head_training", "rm_residential_unit"});
    return orgtree::OrgProjection::Clear(session);
  };
  return consumer;
}

}  // namespace grassroots::reporting
