// The reporting read model's feed consumers over a real schema (common,
// reporting, org-tree and member-facts migrations, in the service's order):
// hand-made feed changes applied as the follower applies them, each in its
// own transaction, and the rows they leave.
#include "services/reporting/store/read_model.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "common/status/status.h"
#include "grassroots/inspection/v1/inspection.pb.h"
#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/membership/v1/yearly_records.pb.h"
#include "grassroots/org/v1/committee.pb.h"
#include "grassroots/org/v1/meeting.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "grassroots/org/v1/recognition.pb.h"
#include "grassroots/org/v1/residential_unit.pb.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/reporting/store/reporting_migrations.h"
#include "tests/support/test_db.h"

namespace grassroots::reporting {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;
namespace memberpb = grassroots::membership::v1;
namespace inspectionpb = grassroots::inspection::v1;

class ReadModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = grassroots::testing::TestDatabase::Create(
        "reporting_rm", {&common::db::CommonMigrations(), &migrations::ReportingMigrations(),
                         &migrations::OrgTreeMigrations(), &migrations::MemberFactsMigrations()},
        4);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    projection_ = std::make_unique<orgtree::OrgProjection>(db_->pool());
    org_ = OrgFeedConsumer(*projection_);
    membership_ = MembershipFeedConsumer();
    inspection_ = InspectionFeedConsumer();
  }

  // One change as the follower applies it: its own transaction, rolled back on error.
  absl::Status Apply(const common::feed::FeedConsumer& consumer, const std::string& type, const std::string& name,
                     const google::protobuf::Message& payload) {
    feedpb::Change change;
    change.set_sequence(++sequence_);
    change.set_resource_type(type);
    change.set_resource_name(name);
    change.set_action("test");
    change.mutable_resource()->PackFrom(payload);
    EXPECT_TRUE(consumer.resource_types.contains(type)) << type;
    return db_->pool().RunInTransaction("test.apply", [&](common::db::Session& s) { return consumer.apply(s, change); });
  }
  void ApplyOk(const common::feed::FeedConsumer& consumer, const std::string& type, const std::string& name,
               const google::protobuf::Message& payload) {
    const absl::Status status = Apply(consumer, type, name, payload);
    ASSERT_TRUE(status.ok()) << type << " " << name << ": " << status;
  }
  absl::Status Reset(const common::feed::FeedConsumer& consumer) {
    return db_->pool().RunInTransaction("test.reset", [&](common::db::Session& s) { return consumer.reset(s); });
  }

  int64_t Int(const std::string& sql) {
    absl::StatusOr<int64_t> value = db_->QueryInt(sql);
    EXPECT_TRUE(value.ok()) << sql << ": " << value.status();
    return value.value_or(-1);
  }
  // The rows of a query as "a|b|c" lines (NULL as "-"), in the query's order.
  std::string Rows(const std::string& sql) {
    auto rows = db_->pool().Read<std::string>("test.rows", [&](common::db::Session& s) -> absl::StatusOr<std::string> {
      std::unique_ptr<sql::ResultSet> rs = s.Query(s.Prepare(sql));
      const int columns = static_cast<int>(rs->getMetaData()->getColumnCount());
      std::string out;
      while (rs->next()) {
        for (int column = 1; column <= columns; ++column) {
          if (column > 1) out += "|";
          out += rs->isNull(column) ? std::string("-") : std::string(rs->getString(column));
        }
        out += "\n";
      }
      return out;
    });
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status();
    return rows.value_or("");
  }

  // An OrganizationChange as org publishes it: the dated event, the facts after it and the organization.
  static orgpb::OrganizationChange OrgChange(int64_t id, orgpb::OrganizationEventKind kind, const std::string& date,
                                             int64_t parent, const std::string& type, orgpb::OrganizationState state,
                                             const std::string& display_name = "Chi bộ") {
    orgpb::OrganizationChange change;
    const std::string name = absl::StrCat("organizations/", id);
    change.mutable_event()->set_kind(kind);
    change.mutable_event()->set_organization(name);
    change.mutable_event()->set_effective_date(date);
    orgpb::OrganizationFacts* after = change.mutable_after();
    if (parent != 0) after->set_parent(absl::StrCat("organizations/", parent));
    after->set_display_name(display_name);
    after->set_type(type);
    after->set_sector("VILLAGE");
    after->set_state(state);
    orgpb::Organization* org = change.mutable_organization();
    org->set_name(name);
    org->set_code(absl::StrCat("C", id));
    org->set_display_name(display_name);
    org->set_parent(after->parent());
    org->set_type(type);
    org->set_level("CO_SO");
    org->set_is_cell(type == "CHI_BO_CO_SO");
    org->set_is_grassroots(true);
    org->set_state(state);
    org->set_established_on("2020-01-01");
    return change;
  }
  void Org(const orgpb::OrganizationChange& change) {
    ApplyOk(org_, "organization", change.organization().name(), change);
  }
  std::string Periods(int64_t org_id) {
    return Rows(absl::StrCat("SELECT valid_from, valid_to, parent_id, type_code, state FROM rm_org_period "
                             "WHERE org_id = ", org_id, " ORDER BY valid_from"));
  }

  std::unique_ptr<grassroots::testing::TestDatabase> db_;
  std::unique_ptr<orgtree::OrgProjection> projection_;
  common::feed::FeedConsumer org_;
  common::feed::FeedConsumer membership_;
  common::feed::FeedConsumer inspection_;
  int64_t sequence_ = 0;
};

constexpr auto kActive = orgpb::ORGANIZATION_STATE_ACTIVE;

TEST_F(ReadModelTest, OrganizationPeriodsAcrossCreateMoveRenameAndDissolve) {
  Org(OrgChange(1, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2020-01-01", 0, "DANG_BO_XA", kActive));
  Org(OrgChange(2, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2020-01-01", 0, "DANG_BO_XA", kActive));
  Org(OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2021-03-01", 1, "CHI_BO_CO_SO", kActive));
  Org(OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_MOVED, "2023-06-15", 2, "CHI_BO_CO_SO", kActive));
  // Renamed the day it moved: the same period, amended.
  Org(OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_RENAMED, "2023-06-15", 2, "CHI_BO_CO_SO", kActive, "Chi bộ mới"));
  Org(OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_DISSOLVED, "2025-12-31", 2, "CHI_BO_CO_SO",
                orgpb::ORGANIZATION_STATE_DISSOLVED));

  EXPECT_EQ(Periods(10),
            "2021-03-01|2023-06-15|1|CHI_BO_CO_SO|1\n"
            "2023-06-15|2025-12-31|2|CHI_BO_CO_SO|1\n"
            "2025-12-31|-|2|CHI_BO_CO_SO|2\n");
  EXPECT_EQ(Int("SELECT source_sequence FROM rm_org_period WHERE org_id = 10 AND valid_from = '2023-06-15'"), 5);
  EXPECT_EQ(Rows("SELECT type_code, level_code, is_grassroots, is_cell FROM rm_org_type ORDER BY type_code"),
            "CHI_BO_CO_SO|CO_SO|1|1\nDANG_BO_XA|CO_SO|1|0\n");
  // The org-tree projection follows the current tree.
  EXPECT_EQ(Int("SELECT parent_id FROM org_projection WHERE org_id = 10"), 2);
}

TEST_F(ReadModelTest, ChangeBeforeTheOpenPeriodIsRefusedAndWritesNothing) {
  Org(OrgChange(1, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2020-01-01", 0, "DANG_BO_XA", kActive));
  Org(OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2021-03-01", 1, "CHI_BO_CO_SO", kActive));
  Org(OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_RENAMED, "2022-01-01", 1, "CHI_BO_CO_SO", kActive));

  const orgpb::OrganizationChange late =
      OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_DISSOLVED, "2021-12-31", 1, "CHI_BO_CO_SO",
                orgpb::ORGANIZATION_STATE_DISSOLVED);
  const absl::Status status = Apply(org_, "organization", "organizations/10", late);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(common::ReasonOf(status), kOrgChangeBeforeOpenPeriod);
  EXPECT_EQ(Periods(10), "2021-03-01|2022-01-01|1|CHI_BO_CO_SO|1\n2022-01-01|-|1|CHI_BO_CO_SO|1\n");
  EXPECT_EQ(Int("SELECT state FROM org_projection WHERE org_id = 10"), 1);
}

TEST_F(ReadModelTest, LegacyOrganizationPayloadOpensAtTheFoundingThenAmends) {
  orgpb::Organization legacy = OrgChange(7, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "", 0, "DANG_BO_XA", kActive)
                                   .organization();
  legacy.set_established_on("2019-05-01");
  ApplyOk(org_, "organization", legacy.name(), legacy);
  legacy.set_sector("WARD");
  ApplyOk(org_, "organization", legacy.name(), legacy);
  EXPECT_EQ(Rows("SELECT valid_from, valid_to, sector_code FROM rm_org_period WHERE org_id = 7"), "2019-05-01|-|WARD\n");
}

TEST_F(ReadModelTest, MalformedNamesAndDatesAreInvalidArgumentNamingTheField) {
  orgpb::OrganizationChange change =
      OrgChange(10, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2021-02-30", 0, "CHI_BO_CO_SO", kActive);
  absl::Status status = Apply(org_, "organization", "organizations/10", change);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(common::FieldOf(status), "event.effective_date");

  change.mutable_event()->set_effective_date("2021-02-01");
  change.mutable_after()->set_parent("organizations/x");
  status = Apply(org_, "organization", "organizations/10", change);
  EXPECT_EQ(common::FieldOf(status), "after.parent") << status;

  memberpb::MemberEvent event;
  event.set_name("members/3/events/");
  event.set_effective_date("2024-01-01");
  status = Apply(membership_, "member_event", event.name(), event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(common::FieldOf(status), "event.name");

  orgpb::Meeting meeting;
  meeting.set_name("organizations/4/meetings/9/extra");
  status = Apply(org_, "meeting", meeting.name(), meeting);
  EXPECT_EQ(common::FieldOf(status), "meeting.name") << status;

  // Another payload than the resource type's.
  status = Apply(org_, "committee_term", "organizations/4/committeeTerms/1", meeting);
  EXPECT_EQ(common::FieldOf(status), "resource") << status;
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rm_org_period") + Int("SELECT COUNT(*) FROM rm_member_event") +
                Int("SELECT COUNT(*) FROM rm_meeting"),
            0);
}

TEST_F(ReadModelTest, OrganizationRecords) {
  orgpb::CommitteeTerm term;
  term.set_name("organizations/4/committeeTerms/11");
  term.set_starts_on("2025-01-10");
  term.set_elected_committee(true);
  ApplyOk(org_, "committee_term", term.name(), term);
  term.set_ends_on("2030-01-10");
  ApplyOk(org_, "committee_term", term.name(), term);
  EXPECT_EQ(Rows("SELECT term_id, org_id, starts_on, ends_on, elected_committee FROM rm_committee_term"),
            "11|4|2025-01-10|2030-01-10|1\n");

  orgpb::Position position;
  position.set_name("organizations/4/committeeTerms/11/positions/21");
  position.set_member("members/77");
  position.set_kind(orgpb::POSITION_KIND_SECRETARY);
  position.set_starts_on("2025-01-10");
  ApplyOk(org_, "committee_position", position.name(), position);
  EXPECT_EQ(Rows("SELECT position_id, term_id, org_id, member_id, kind, starts_on, ends_on FROM rm_committee_position"),
            "21|11|4|77|1|2025-01-10|-\n");

  // 18:30 UTC is 01:30 the next day in Hà Nội.
  orgpb::Meeting meeting;
  meeting.set_name("organizations/4/meetings/31");
  meeting.set_kind(orgpb::MEETING_KIND_THEMATIC);
  ApplyOk(org_, "meeting", meeting.name(), meeting);
  EXPECT_EQ(Rows("SELECT meeting_id, org_id, kind, held_on FROM rm_meeting"), "31|4|2|-\n");
  meeting.mutable_actual_start()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(2026, 3, 1, 18, 30, 0), absl::UTCTimeZone())));
  ApplyOk(org_, "meeting", meeting.name(), meeting);
  EXPECT_EQ(Rows("SELECT meeting_id, org_id, kind, held_on FROM rm_meeting"), "31|4|2|2026-03-02\n");

  orgpb::WorkingRegulation regulation;
  regulation.set_name("organizations/4/regulations/2");
  regulation.set_adopted_on("2024-02-01");
  regulation.set_superseded_on("2025-02-01");
  ApplyOk(org_, "working_regulation", regulation.name(), regulation);
  EXPECT_EQ(Rows("SELECT org_id, version, adopted_on, superseded_on FROM rm_working_regulation"),
            "4|2|2024-02-01|2025-02-01\n");

  orgpb::NewModel model;
  model.set_name("organizations/4/newModels/5");
  model.set_year(2026);
  ApplyOk(org_, "new_model", model.name(), model);
  EXPECT_EQ(Rows("SELECT model_id, org_id, year FROM rm_new_model"), "5|4|2026\n");

  orgpb::OrganizationRating rating;
  rating.set_name("organizations/4/ratings/2025");
  rating.set_year(2025);
  rating.set_level(orgpb::QUALITY_LEVEL_GOOD);
  ApplyOk(org_, "organization_rating", rating.name(), rating);
  rating.set_year(2024);
  EXPECT_EQ(common::FieldOf(Apply(org_, "organization_rating", rating.name(), rating)), "rating.year");
  EXPECT_EQ(Rows("SELECT org_id, year, level FROM rm_org_rating"), "4|2025|2\n");

  orgpb::ResidentialUnit unit;
  unit.set_name("residentialUnits/8");
  unit.set_code("THON-1");
  unit.set_commune_organization("organizations/1");
  unit.set_established_on("2010-01-01");
  ApplyOk(org_, "residential_unit", unit.name(), unit);
  orgpb::CoveringPeriod covering;
  covering.set_name("residentialUnits/8/coverings/3");
  covering.set_unit(unit.name());
  covering.set_cell("organizations/4");
  covering.set_valid_from("2020-01-01");
  ApplyOk(org_, "residential_unit_covering", covering.name(), covering);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM residential_unit_projection"), 1);

  orgpb::UnitHead head;
  head.set_name("residentialUnits/8/heads/6");
  head.set_post(orgpb::UNIT_HEAD_POST_VILLAGE_HEAD);
  head.set_is_party_member(true);
  head.set_member("members/77");
  head.set_valid_from("2024-01-01");
  ApplyOk(org_, "residential_unit_head", head.name(), head);
  head.set_valid_to("2026-01-01");
  ApplyOk(org_, "residential_unit_head", head.name(), head);
  EXPECT_EQ(Rows("SELECT head_id, unit_id, post, is_party_member, member_id, valid_from, valid_to FROM rm_unit_head"),
            "6|8|1|1|77|2024-01-01|2026-01-01\n");

  orgpb::HeadTraining training;
  training.set_name("residentialUnits/8/heads/6/trainings/4");
  training.set_post(orgpb::UNIT_HEAD_POST_VILLAGE_HEAD);
  training.set_start_date("2024-03-01");
  training.set_end_date("2024-03-05");
  training.set_term_starts_on("2024-01-01");
  ApplyOk(org_, "residential_unit_head_training", training.name(), training);
  EXPECT_EQ(Rows("SELECT training_id, head_id, post, start_date, end_date, term_starts_on, term_ends_on "
                 "FROM rm_head_training"),
            "4|6|1|2024-03-01|2024-03-05|2024-01-01|-\n");
}

TEST_F(ReadModelTest, MemberEventsKeepVoiding) {
  memberpb::MemberEvent removal;
  removal.set_name("members/3/events/40");
  removal.set_kind(memberpb::EVENT_KIND_REMOVED);
  removal.set_effective_date("2026-05-04");
  removal.set_status_after(memberpb::MEMBER_STATUS_REMOVED);
  removal.set_removal_trigger(memberpb::REMOVAL_TRIGGER_CARD_RETURNED);
  ApplyOk(membership_, "member_event", removal.name(), removal);
  memberpb::MemberEvent moved;
  moved.set_name("members/3/events/41");
  moved.set_kind(memberpb::EVENT_KIND_MOVED_WITH_CELL);
  moved.set_effective_date("2026-01-02");
  moved.set_cell("organizations/12");
  moved.set_from_cell("organizations/11");
  moved.set_status_after(memberpb::MEMBER_STATUS_OFFICIAL);
  ApplyOk(membership_, "member_event", moved.name(), moved);
  // The removal is voided: published again with voided = true.
  removal.set_voided(true);
  ApplyOk(membership_, "member_event", removal.name(), removal);

  EXPECT_EQ(Rows("SELECT event_id, member_id, kind, effective_date, cell_id, from_cell_id, voided, removal_trigger "
                 "FROM rm_member_event ORDER BY event_id"),
            absl::StrCat("40|3|", memberpb::EVENT_KIND_REMOVED, "|2026-05-04|-|-|1|REMOVAL_TRIGGER_CARD_RETURNED\n",
                         "41|3|", memberpb::EVENT_KIND_MOVED_WITH_CELL, "|2026-01-02|12|11|0|\n"));
  EXPECT_EQ(Int("SELECT source_sequence FROM rm_member_event WHERE event_id = 40"), 3);
}

TEST_F(ReadModelTest, MemberFactsAndYearlyRecords) {
  memberpb::MemberFacts facts;
  facts.set_member("members/3");
  facts.set_sex(memberpb::SEX_FEMALE);
  facts.set_birth_year(1990);
  facts.set_birth_month(7);
  facts.set_ethnicity_code("01");
  facts.set_status(memberpb::MEMBER_STATUS_OFFICIAL);
  facts.set_cell("organizations/12");
  facts.set_admission_decision_date("2015-03-02");
  facts.set_official_date("2016-03-02");
  facts.set_occupation_category_at_admission(memberpb::OCCUPATION_CATEGORY_FARMER);
  memberpb::AttributePeriod* first = facts.add_attribute_periods();
  first->set_attribute(memberpb::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY);
  first->set_value(memberpb::OCCUPATION_CATEGORY_FARMER);
  first->set_valid_from("2015-03-02");
  first->set_valid_to("2020-01-01");
  memberpb::AttributePeriod* second = facts.add_attribute_periods();
  *second = *first;
  second->set_value(memberpb::OCCUPATION_CATEGORY_WORKER);
  second->set_valid_from("2020-01-01");
  second->clear_valid_to();
  ApplyOk(membership_, "member", "members/3", facts);
  EXPECT_EQ(Rows("SELECT member_id, sex, birth_year, birth_month, ethnicity_code, religion_code, status, "
                 "admission_decision_date, official_date, occupation_category_at_admission FROM rm_member"),
            absl::StrCat("3|", memberpb::SEX_FEMALE, "|1990|7|01||", memberpb::MEMBER_STATUS_OFFICIAL,
                         "|2015-03-02|2016-03-02|", memberpb::OCCUPATION_CATEGORY_FARMER, "\n"));
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rm_member_attribute_period WHERE member_id = 3"), 2);
  EXPECT_EQ(Int("SELECT cell_id FROM member_fact_projection WHERE member_id = 3"), 12);
  // Replaced as a whole.
  facts.mutable_attribute_periods()->RemoveLast();
  ApplyOk(membership_, "member", "members/3", facts);
  EXPECT_EQ(Rows("SELECT valid_from, valid_to, value FROM rm_member_attribute_period"),
            absl::StrCat("2015-03-02|2020-01-01|", memberpb::OCCUPATION_CATEGORY_FARMER, "\n"));

  memberpb::MemberPeriods periods;
  periods.set_member("members/3");
  memberpb::StatusPeriod* period = periods.add_periods();
  period->set_status(memberpb::MEMBER_STATUS_OFFICIAL);
  period->set_cell("organizations/12");
  period->set_valid_from("2016-03-02");
  ApplyOk(membership_, "member_periods", "members/3", periods);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM member_period_projection WHERE member_id = 3"), 1);

  memberpb::ResidenceRegistration registration;
  registration.set_name("members/3/residence-registrations/9");
  registration.set_member("members/3");
  registration.set_residence_cell("organizations/15");
  registration.set_registered_on("2024-04-01");
  registration.set_exemption(memberpb::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK);
  ApplyOk(membership_, "residence_registration", registration.name(), registration);
  EXPECT_EQ(Rows("SELECT registration_id, member_id, residence_cell_id, registered_on, ended_on, exemption "
                 "FROM rm_residence_registration"),
            "9|3|15|2024-04-01|-|1\n");

  memberpb::ResidenceFeedback feedback;
  feedback.set_name("members/3/residence-feedback/2025");
  feedback.set_year(2025);
  feedback.set_given_on("2025-12-01");
  ApplyOk(membership_, "residence_feedback", feedback.name(), feedback);
  EXPECT_EQ(Rows("SELECT member_id, year, given_on FROM rm_residence_feedback"), "3|2025|2025-12-01\n");

  memberpb::Commitment commitment;
  commitment.set_name("members/3/commitments/2026");
  commitment.set_year(2026);
  commitment.set_registered_on("2026-01-15");
  ApplyOk(membership_, "commitment", commitment.name(), commitment);
  EXPECT_EQ(Rows("SELECT member_id, year, registered_on FROM rm_commitment"), "3|2026|2026-01-15\n");

  memberpb::Rating rating;
  rating.set_name("members/3/ratings/2025");
  rating.set_year(2025);
  rating.set_level(memberpb::RATING_LEVEL_EXCELLENT);
  ApplyOk(membership_, "rating", rating.name(), rating);
  rating.set_level(memberpb::RATING_LEVEL_GOOD);  // re-rated: replaces
  ApplyOk(membership_, "rating", rating.name(), rating);
  EXPECT_EQ(Rows("SELECT member_id, year, level FROM rm_member_rating"), "3|2025|2\n");

  memberpb::Training training;
  training.set_name("members/3/trainings/5");
  training.set_kind("POST_TRAINING");
  training.set_start_date("2025-04-01");
  training.set_end_date("2025-04-10");
  training.set_post(memberpb::TRAINING_POST_CELL_SECRETARY);
  training.set_term_starts_on("2025-01-10");
  training.set_committee_term("organizations/12/committeeTerms/11");
  ApplyOk(membership_, "training", training.name(), training);
  EXPECT_EQ(Rows("SELECT training_id, member_id, post, start_date, end_date, term_starts_on, term_ends_on, "
                 "committee_term_id FROM rm_member_training"),
            "5|3|2|2025-04-01|2025-04-10|2025-01-10|-|11\n");
}

TEST_F(ReadModelTest, InspectionProgramAndDisciplineDecision) {
  inspectionpb::Program program;
  program.set_name("programs/6");
  program.set_organization("organizations/4");
  program.set_year(2026);
  program.set_adopted_on("2026-01-20");
  ApplyOk(inspection_, "inspection_program", program.name(), program);
  EXPECT_EQ(Rows("SELECT program_id, org_id, year, adopted_on FROM rm_inspection_program"), "6|4|2026|2026-01-20\n");

  inspectionpb::DisciplineDecision decision;
  decision.set_name("discipline_decisions/8");
  decision.set_organization("organizations/4");
  decision.mutable_subject()->set_member("members/3");
  decision.set_form(inspectionpb::DISCIPLINE_FORM_EXPULSION);
  decision.set_form_in_force(inspectionpb::DISCIPLINE_FORM_EXPULSION);
  decision.mutable_violation()->set_category(inspectionpb::VIOLATION_CATEGORY_ORDINARY);
  decision.set_effective_date("2026-06-01");
  ApplyOk(inspection_, "discipline_decision", decision.name(), decision);
  // An appeal changed the form.
  decision.set_form_in_force(inspectionpb::DISCIPLINE_FORM_WARNING);
  ApplyOk(inspection_, "discipline_decision", decision.name(), decision);
  EXPECT_EQ(Rows("SELECT decision_id, member_id, org_id, form, form_in_force, violation_kind, effective_date "
                 "FROM rm_discipline_decision"),
            "8|3|-|DISCIPLINE_FORM_EXPULSION|DISCIPLINE_FORM_WARNING|VIOLATION_CATEGORY_ORDINARY|2026-06-01\n");

  decision.clear_subject();
  const absl::Status status = Apply(inspection_, "discipline_decision", decision.name(), decision);
  EXPECT_EQ(common::FieldOf(status), "decision.subject") << status;
}

TEST_F(ReadModelTest, ResetClearsEachSourceAndOnlyIt) {
  Org(OrgChange(1, orgpb::ORGANIZATION_EVENT_KIND_CREATED, "2020-01-01", 0, "DANG_BO_XA", kActive));
  orgpb::Meeting meeting;
  meeting.set_name("organizations/1/meetings/2");
  ApplyOk(org_, "meeting", meeting.name(), meeting);
  memberpb::MemberEvent event;
  event.set_name("members/3/events/4");
  event.set_effective_date("2024-01-01");
  ApplyOk(membership_, "member_event", event.name(), event);
  memberpb::MemberPeriods periods;
  periods.set_member("members/3");
  periods.add_periods()->set_valid_from("2020-01-01");
  periods.mutable_periods(0)->set_status(memberpb::MEMBER_STATUS_OFFICIAL);
  ApplyOk(membership_, "member_periods", "members/3", periods);
  inspectionpb::Program program;
  program.set_name("programs/6");
  program.set_organization("organizations/1");
  program.set_year(2026);
  program.set_adopted_on("2026-01-20");
  ApplyOk(inspection_, "inspection_program", program.name(), program);
  const auto counts = [&] {
    return absl::StrCat(Int("SELECT COUNT(*) FROM rm_org_period"), Int("SELECT COUNT(*) FROM rm_org_type"),
                        Int("SELECT COUNT(*) FROM rm_meeting"), Int("SELECT COUNT(*) FROM org_projection"), "/",
                        Int("SELECT COUNT(*) FROM rm_member_event"),
                        Int("SELECT COUNT(*) FROM member_period_projection"), "/",
                        Int("SELECT COUNT(*) FROM rm_inspection_program"));
  };
  ASSERT_EQ(counts(), "1111/11/1");

  ASSERT_TRUE(Reset(org_).ok());
  EXPECT_EQ(counts(), "0000/11/1");
  ASSERT_TRUE(Reset(membership_).ok());
  EXPECT_EQ(counts(), "0000/00/1");
  ASSERT_TRUE(Reset(inspection_).ok());
  EXPECT_EQ(counts(), "0000/00/0");
}

}  // namespace
}  // namespace grassroots::reporting
