// Member alerts on the real rules and calendar: each kind at its due date and
// the day after, the cases that raise nothing, ordering, and the store cut-offs.
#include <optional>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/membership/domain/alerts.h"

namespace grassroots::membership::domain {
namespace {

using D = absl::CivilDay;
using common::WorkingCalendar;
constexpr int64_t kCell = 7;

class AlertsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = new common::RulesRegistry(*std::move(rules));
    auto calendar = WorkingCalendar::LoadFile(WorkingCalendar::DefaultPath());
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = new WorkingCalendar(*std::move(calendar));
  }

  static AlertSubject Member(int64_t id, v1::MemberStatus status) {
    AlertSubject s;
    s.member_id = id;
    s.full_name = "Nguyễn Văn An";
    s.occupation_category = v1::OCCUPATION_CATEGORY_WORKER;
    s.state.status = status;
    s.state.cell_id = kCell;
    s.state.status_since = D(2022, 1, 1);
    s.state.admission_ceremony_date = D(2021, 5, 4);
    return s;
  }

  std::optional<Alert> Eval(v1::AlertKind kind, const AlertSubject& subject, D as_of, int32_t year = 0) const {
    AlertQuery query;
    query.as_of = as_of;
    query.feedback_year = year == 0 ? static_cast<int32_t>(as_of.year()) : year;
    absl::StatusOr<std::optional<Alert>> alert = Evaluate(kind, subject, query, *rules_, *calendar_);
    EXPECT_TRUE(alert.ok()) << alert.status();
    return alert.ok() ? *alert : std::nullopt;
  }

  static inline common::RulesRegistry* rules_ = nullptr;
  static inline WorkingCalendar* calendar_ = nullptr;
};

TEST_F(AlertsTest, ProbationOverdueTheDayAfterTheRecognitionLimit) {
  AlertSubject s = Member(1, v1::MEMBER_STATUS_PROBATIONARY);
  s.state.probation_end_date = D(2025, 5, 16);
  const D due = calendar_->AddWorkingDays(D(2025, 5, 16), 30);
  ASSERT_EQ(due, D(2025, 6, 27));
  EXPECT_FALSE(Eval(v1::ALERT_KIND_PROBATION_OVERDUE, s, due).has_value());
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_PROBATION_OVERDUE, s, due + 1);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->kind, v1::ALERT_KIND_PROBATION_OVERDUE);
  EXPECT_EQ(alert->member_id, 1);
  EXPECT_EQ(alert->cell_id, kCell);
  EXPECT_EQ(alert->due_date, due);
  EXPECT_EQ(alert->days_overdue, 1);
  EXPECT_EQ(alert->rule_id, "membership.recognition.within_working_days");
  EXPECT_FALSE(alert->citation.empty());
  EXPECT_THAT(alert->detail, ::testing::HasSubstr("2025-05-16"));
  EXPECT_EQ(Eval(v1::ALERT_KIND_PROBATION_OVERDUE, s, due + 10)->days_overdue, 10);
  // Recognized or no longer probationary: nothing to do.
  s.state.status = v1::MEMBER_STATUS_OFFICIAL;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_PROBATION_OVERDUE, s, due + 1).has_value());
}

TEST_F(AlertsTest, CeremonyOverdueCountsWorkingDaysFromTheDecision) {
  AlertSubject s = Member(2, v1::MEMBER_STATUS_ADMITTED);
  s.state.admission_decision_date = D(2024, 1, 25);
  EXPECT_FALSE(Eval(v1::ALERT_KIND_CEREMONY_OVERDUE, s, D(2024, 3, 14)).has_value());  // Tết not counted
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_CEREMONY_OVERDUE, s, D(2024, 3, 15));
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->due_date, D(2024, 3, 14));
  EXPECT_EQ(alert->rule_id, "membership.admission.ceremony_within_working_days");
  s.state.status = v1::MEMBER_STATUS_PROBATIONARY;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_CEREMONY_OVERDUE, s, D(2024, 3, 15)).has_value());
}

TEST_F(AlertsTest, TransferNotPresentedWithinThirtyDays) {
  AlertSubject s = Member(3, v1::MEMBER_STATUS_OFFICIAL);
  s.state.transfer_pending = true;
  s.state.pending_transfer_kind = v1::TRANSFER_KIND_OFFICIAL;
  s.state.pending_destination_cell_id = 9;
  s.state.pending_introduced_on = D(2025, 3, 1);
  EXPECT_FALSE(Eval(v1::ALERT_KIND_TRANSFER_NOT_PRESENTED, s, D(2025, 3, 31)).has_value());
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_TRANSFER_NOT_PRESENTED, s, D(2025, 4, 1));
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->due_date, D(2025, 3, 31));
  EXPECT_EQ(alert->rule_id, "membership.transfer.present_within_days");
  s.state.transfer_pending = false;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_TRANSFER_NOT_PRESENTED, s, D(2025, 4, 1)).has_value());
}

TEST_F(AlertsTest, TemporaryTransferPastItsPlannedEnd) {
  AlertSubject s = Member(4, v1::MEMBER_STATUS_OFFICIAL);
  s.state.host_cell_id = 9;
  s.state.temporary_planned_end = D(2025, 12, 31);
  s.temporary_kind = v1::TRANSFER_KIND_TEMPORARY_TRAINING;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED, s, D(2025, 12, 31)).has_value());
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED, s, D(2026, 1, 5));
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->days_overdue, 5);
  EXPECT_EQ(alert->rule_id, "membership.transfer.temporary_training_months");
  // Not presented yet: that is the other alert.
  s.state.transfer_pending = true;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED, s, D(2026, 1, 5)).has_value());
}

TEST_F(AlertsTest, WorkingMemberWithoutResidenceRegistration) {
  AlertSubject s = Member(5, v1::MEMBER_STATUS_OFFICIAL);
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2025, 6, 1));
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->rule_id, "membership.residence.working_categories");
  EXPECT_EQ(alert->due_date, D(2021, 5, 4));  // since the ceremony (after QĐ 213 took effect)
  s.state.admission_ceremony_date = D(2012, 1, 1);
  EXPECT_EQ(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2025, 6, 1))->due_date, D(2020, 1, 2));

  s.residence.registered = true;  // registered, or recorded in an exemption category
  EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2025, 6, 1)).has_value());
  s.residence.registered = false;
  s.occupation_category = v1::OCCUPATION_CATEGORY_FARMER;  // not a working category
  EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2025, 6, 1)).has_value());
  s.occupation_category = v1::OCCUPATION_CATEGORY_CIVIL_SERVICE;
  s.state.status = v1::MEMBER_STATUS_ADMITTED;  // not counted
  EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2025, 6, 1)).has_value());
}

TEST_F(AlertsTest, RegisteredWorkingMemberWithoutTheYearsFeedback) {
  AlertSubject s = Member(6, v1::MEMBER_STATUS_PROBATIONARY);
  s.residence.registered = true;
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, s, D(2026, 2, 10), 2025);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->due_date, D(2025, 12, 31));
  EXPECT_EQ(alert->days_overdue, 41);
  EXPECT_THAT(alert->detail, ::testing::HasSubstr("2025"));
  // This year's feedback is not due yet: listed, not overdue.
  EXPECT_EQ(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, s, D(2026, 2, 10))->days_overdue, 0);

  AlertSubject given = s;
  given.residence.feedback_given = true;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, given, D(2026, 2, 10), 2025).has_value());
  for (v1::ResidenceExemption exemption :
       {v1::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK, v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED}) {
    AlertSubject exempt = s;
    exempt.residence.exemption = exemption;
    EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, exempt, D(2026, 2, 10), 2025).has_value());
    EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, exempt, D(2026, 2, 10)).has_value());
  }
  AlertSubject unregistered = s;
  unregistered.residence = ResidenceSnapshot{};  // owes the feedback as well as the registration
  EXPECT_TRUE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, unregistered, D(2026, 2, 10), 2025).has_value());
  unregistered.occupation_category = v1::OCCUPATION_CATEGORY_RETIRED;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, unregistered, D(2026, 2, 10), 2025).has_value());
  // Before QĐ 213 there was no such duty.
  EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, s, D(2019, 12, 1), 2019).has_value());
}

TEST_F(AlertsTest, AMemberOfAResidentialCellOwesNeitherRegistrationNorFeedback) {
  // DESIGN.md S2a/S2b: working members are those whose own cell is not a
  // residential cell; registered or not, a residential cell's member owes nothing.
  for (bool registered : {false, true}) {
    AlertSubject s = Member(8, v1::MEMBER_STATUS_OFFICIAL);
    s.occupation_category = v1::OCCUPATION_CATEGORY_CIVIL_SERVICE;
    s.residence.registered = registered;
    ASSERT_TRUE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, s, D(2026, 2, 10), 2025).has_value()) << registered;
    ASSERT_EQ(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2026, 2, 10)).has_value(), !registered);
    s.residence.own_cell_residential = true;
    EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, s, D(2026, 2, 10), 2025).has_value()) << registered;
    EXPECT_FALSE(Eval(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, s, D(2026, 2, 10)).has_value()) << registered;
  }
}

TEST_F(AlertsTest, TheResidentialCellIsJudgedOnTheAsOfDateOrTheFeedbackYearsEnd) {
  AlertQuery query;
  query.as_of = D(2026, 2, 10);
  query.feedback_year = 2025;
  EXPECT_EQ(ResidenceDutyDay(v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION, query), D(2026, 2, 10));
  EXPECT_EQ(ResidenceDutyDay(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, query), D(2025, 12, 31));
  query.feedback_year = 2026;  // the year still running: as of today
  EXPECT_EQ(ResidenceDutyDay(v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK, query), D(2026, 2, 10));
}

TEST_F(AlertsTest, ComputeAlertsOrdersByKindThenMember) {
  AlertSubject late_probation = Member(30, v1::MEMBER_STATUS_PROBATIONARY);
  late_probation.state.probation_end_date = D(2024, 1, 2);
  AlertSubject unregistered = Member(10, v1::MEMBER_STATUS_OFFICIAL);
  AlertSubject late_probation_too = Member(20, v1::MEMBER_STATUS_PROBATIONARY);
  late_probation_too.state.probation_end_date = D(2024, 2, 1);
  AlertQuery query;
  query.as_of = D(2025, 6, 1);
  query.feedback_year = 2025;
  auto alerts = ComputeAlerts({late_probation, unregistered, late_probation_too}, AllAlertKinds(), query, *rules_,
                              *calendar_);
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  // Two probation alerts, then for each unregistered worker the feedback (4)
  // and registration (5) alerts.
  ASSERT_EQ(alerts->size(), 8u);
  EXPECT_EQ((*alerts)[0].kind, v1::ALERT_KIND_PROBATION_OVERDUE);
  EXPECT_EQ((*alerts)[0].member_id, 20);
  EXPECT_EQ((*alerts)[1].member_id, 30);
  for (size_t i = 2; i < 5; ++i) EXPECT_EQ((*alerts)[i].kind, v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK);
  for (size_t i = 5; i < 8; ++i) EXPECT_EQ((*alerts)[i].kind, v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION);
  EXPECT_EQ((*alerts)[2].member_id, 10);
  EXPECT_EQ((*alerts)[3].member_id, 20);
  EXPECT_EQ((*alerts)[4].member_id, 30);
  EXPECT_EQ((*alerts)[5].member_id, 10);
}

TEST_F(AlertsTest, AMemberToBePlacedIsListedUnderTheEndedCellFromTheDayItEnded) {
  AlertSubject s = Member(5, v1::MEMBER_STATUS_OFFICIAL);
  s.state.cell_id = 0;
  s.state.awaiting_placement_from = kCell;
  s.awaiting_since = D(2026, 3, 1);
  EXPECT_FALSE(Eval(v1::ALERT_KIND_AWAITING_PLACEMENT, s, D(2026, 2, 28)).has_value());  // scheduled ahead
  const std::optional<Alert> alert = Eval(v1::ALERT_KIND_AWAITING_PLACEMENT, s, D(2026, 3, 11));
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->cell_id, kCell);
  EXPECT_EQ(alert->due_date, D(2026, 3, 1));
  EXPECT_EQ(alert->days_overdue, 10);
  s.state.cell_id = 9;  // placed
  EXPECT_FALSE(Eval(v1::ALERT_KIND_AWAITING_PLACEMENT, s, D(2026, 3, 11)).has_value());
  s.state.cell_id = 0;
  s.state.status = v1::MEMBER_STATUS_DECEASED;
  EXPECT_FALSE(Eval(v1::ALERT_KIND_AWAITING_PLACEMENT, s, D(2026, 3, 11)).has_value());
}

TEST_F(AlertsTest, CutoffsAreTheLatestDatesThatCanBeOverdue) {
  AlertQuery query;
  query.as_of = D(2024, 3, 15);
  query.feedback_year = 2024;
  auto cutoffs = CutoffsFor(query, *rules_, *calendar_);
  ASSERT_TRUE(cutoffs.ok()) << cutoffs.status();
  ASSERT_TRUE(cutoffs->decision_on_or_before.has_value());
  const D decision = *cutoffs->decision_on_or_before;
  EXPECT_LT(calendar_->AddWorkingDays(decision, 30), query.as_of);
  EXPECT_GE(calendar_->AddWorkingDays(decision + 1, 30), query.as_of);
  EXPECT_EQ(decision, D(2024, 1, 25));
  ASSERT_TRUE(cutoffs->probation_end_on_or_before.has_value());
  EXPECT_EQ(*cutoffs->probation_end_on_or_before, D(2024, 1, 25));
  EXPECT_EQ(cutoffs->introduced_on_or_before, D(2024, 2, 13));
  EXPECT_EQ(cutoffs->planned_end_before, query.as_of);
  EXPECT_THAT(cutoffs->working_categories, ::testing::Contains(v1::OCCUPATION_CATEGORY_WORKER));
  EXPECT_THAT(cutoffs->working_categories, ::testing::Not(::testing::Contains(v1::OCCUPATION_CATEGORY_FARMER)));
  // Every subject the evaluation flags lies within the cut-off.
  AlertSubject s = Member(1, v1::MEMBER_STATUS_ADMITTED);
  for (D day = D(2024, 1, 1); day <= D(2024, 3, 1); ++day) {
    s.state.admission_decision_date = day;
    const bool flagged = Eval(v1::ALERT_KIND_CEREMONY_OVERDUE, s, query.as_of).has_value();
    EXPECT_EQ(flagged, day <= decision) << day;
  }
}

}  // namespace
}  // namespace grassroots::membership::domain
