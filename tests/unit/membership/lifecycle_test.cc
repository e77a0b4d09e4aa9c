// The member lifecycle state machine on the real rules (data/rules/rules.json)
// and the real working-day calendar: every transition, legal and illegal, and
// every rule at its boundaries.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/rules/rules_registry.h"
#include "common/status/status.h"
#include "services/membership/domain/lifecycle.h"
#include "common/calendar/working_calendar.h"

namespace grassroots::membership::domain {
namespace {

using ::testing::HasSubstr;
using D = absl::CivilDay;
using common::WorkingCalendar;

// Every date below is before this "today".
const D kToday(2026, 6, 30);
constexpr int64_t kCell = 7;
constexpr int64_t kOtherCell = 9;

class LifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = new common::RulesRegistry(*std::move(rules));
    auto calendar = WorkingCalendar::LoadFile(WorkingCalendar::DefaultPath());
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = new WorkingCalendar(*std::move(calendar));
  }

  TransitionContext Context() const {
    return TransitionContext{*rules_, *calendar_, today_, birth_, education_};
  }

  // Checks `event` against the log and, when legal, stores it as the store would.
  absl::Status Add(Event event) {
    const TransitionContext context = Context();
    absl::Status status = CheckAndCompleteOnLog(log_, event, context);
    if (!status.ok()) return status;
    event.id = next_id_++;
    event.ordinal = static_cast<int32_t>(log_.size()) + 1;
    if (event.kind == v1::EVENT_KIND_VOIDED) {
      for (Event& e : log_) {
        if (e.id == event.voids_event_id) e.voided = true;
      }
    }
    log_.push_back(event);
    return absl::OkStatus();
  }
  MemberState State() const { return Replay(log_); }
  const Event& Last() const { return log_.back(); }

  static Decision Dec(D signed_on) { return Decision{"Đảng ủy xã Bảo Nguyên", "12-QĐ/ĐU", signed_on}; }
  static Event Of(v1::EventKind kind, D day) {
    Event e;
    e.kind = kind;
    e.effective_date = day;
    return e;
  }
  static Event Prospect(D day, int64_t cell = kCell) {
    Event e = Of(v1::EVENT_KIND_PROSPECT_INTRODUCED, day);
    e.cell_id = cell;
    e.introduced_by = "Đoàn TNCS Hồ Chí Minh xã Bảo Nguyên";
    return e;
  }
  static Event Awareness(D day) {
    Event e = Of(v1::EVENT_KIND_AWARENESS_CLASS_COMPLETED, day);
    e.certificate_number = "NT-2024-15";
    e.decision.issuing_body = "Trung tâm Chính trị huyện";
    return e;
  }
  static Event Dossier(D day) { return Of(v1::EVENT_KIND_DOSSIER_COMPLETED, day); }
  static Event CellVote(D day, int in_favour = 3, int eligible = 3) {
    Event e = Of(v1::EVENT_KIND_CELL_ADMISSION_VOTE, day);
    e.vote = Vote{in_favour, eligible, "05-NQ/CB"};
    return e;
  }
  static Event Decided(D signed_on) {
    Event e = Of(v1::EVENT_KIND_ADMISSION_DECIDED, signed_on);
    e.decision = Dec(signed_on);
    return e;
  }
  static Event Ceremony(D day) { return Of(v1::EVENT_KIND_ADMISSION_CEREMONY, day); }
  static Event Recognize(D decided, int in_favour = 3, int eligible = 3) {
    Event e = Of(v1::EVENT_KIND_RECOGNIZED_OFFICIAL, decided);
    e.decision = Dec(decided);
    e.vote = Vote{in_favour, eligible, ""};
    return e;
  }
  static Event WithDecision(v1::EventKind kind, D day) {
    Event e = Of(kind, day);
    e.decision = Dec(day);
    return e;
  }
  static Event Exempt(D day) {
    Event e = WithDecision(v1::EVENT_KIND_EXEMPTED, day);
    e.reason = "POOR_HEALTH";
    return e;
  }
  static Event Suspend(D day) {
    Event e = WithDecision(v1::EVENT_KIND_SUSPENDED, day);
    e.reason = "under investigation";
    return e;
  }
  static Event Removed(D day, v1::RemovalTrigger trigger) {
    Event e = WithDecision(v1::EVENT_KIND_REMOVED, day);
    e.removal_trigger = trigger;
    return e;
  }
  static Event StartTransfer(D day, v1::TransferKind kind, std::optional<int64_t> destination,
                             std::optional<D> planned_end = std::nullopt) {
    Event e = WithDecision(v1::EVENT_KIND_TRANSFER_STARTED, day);
    TransferDetails t;
    t.kind = kind;
    t.destination_cell_id = destination;
    if (!destination) t.destination_name = "Đảng bộ Công ty X, tỉnh khác";
    t.introduced_on = day;
    t.planned_end = planned_end;
    e.transfer = t;
    return e;
  }
  static Event Void(int64_t id, D day = kToday) {
    Event e = Of(v1::EVENT_KIND_VOIDED, day);
    e.voids_event_id = id;
    e.reason = "recorded in error";
    return e;
  }

  // The prospect through to the admission decision of 2024-04-01 (a Monday).
  void AdmitUntilDecision() {
    ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
    ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
    ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
    ASSERT_TRUE(Add(CellVote(D(2024, 3, 15))).ok());
    ASSERT_TRUE(Add(Decided(D(2024, 4, 1))).ok());
  }
  // ... and the ceremony on the last day allowed (probation ends 2025-05-16).
  void AdmitToProbation() {
    AdmitUntilDecision();
    ASSERT_TRUE(Add(Ceremony(D(2024, 5, 16))).ok());
  }
  void AdmitToOfficial() {
    AdmitToProbation();
    ASSERT_TRUE(Add(Recognize(D(2025, 5, 16))).ok());
  }
  void OpenOfficial(D joined = D(2020, 3, 1), int64_t cell = kCell) {
    Event e = Of(v1::EVENT_KIND_RECORD_OPENED, joined);
    e.cell_id = cell;
    e.opened_status = v1::MEMBER_STATUS_OFFICIAL;
    e.opened_admission_decision_date = D(2015, 1, 5);
    e.opened_ceremony_date = D(2015, 2, 3);
    e.opened_official_date = D(2016, 2, 3);
    ASSERT_TRUE(Add(e).ok());
  }

  static inline common::RulesRegistry* rules_ = nullptr;
  static inline WorkingCalendar* calendar_ = nullptr;
  D today_ = kToday;
  D birth_ = D(1995, 5, 10);
  v1::GeneralEducation education_ = v1::GENERAL_EDUCATION_UPPER_SECONDARY;
  std::vector<Event> log_;
  int64_t next_id_ = 100;
};

// A refusal with the given reason (every FAILED_PRECONDITION carries one).
void ExpectRefused(const absl::Status& status, const std::string& reason) {
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(common::ReasonOf(status), reason) << status;
}
void ExpectInvalid(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(common::FieldOf(status), field) << status;
}

// ---- the admission pipeline -------------------------------------------------------------

TEST_F(LifecycleTest, AdmissionPipelineRunsFromProspectToOfficial) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(State().cell_id, kCell);
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  EXPECT_EQ(Last().certificate_valid_until, D(2029, 2, 1));  // 5 years
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  EXPECT_TRUE(State().dossier_completed);
  ASSERT_TRUE(Add(CellVote(D(2024, 3, 15), 2, 3)).ok());
  EXPECT_TRUE(State().cell_vote_passed);
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROSPECT);
  ASSERT_TRUE(Add(Decided(D(2024, 4, 1))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_ADMITTED);
  EXPECT_EQ(State().admission_decision_date, D(2024, 4, 1));
  ASSERT_TRUE(Add(Ceremony(D(2024, 4, 20))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(State().admission_ceremony_date, D(2024, 4, 20));
  EXPECT_EQ(State().probation_end_date, D(2025, 4, 20));  // 12 months
  EXPECT_EQ(Last().status_after, v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(Last().cell_id, kCell);
  ASSERT_TRUE(Add(Recognize(D(2025, 4, 20))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(State().official_date, D(2025, 4, 20));
  EXPECT_FALSE(Last().recorded_on.has_value());  // decided on the day probation ended
  EXPECT_TRUE(State().IsCounted());
  EXPECT_FALSE(State().IsTerminal());
}

TEST_F(LifecycleTest, VoteAtExactlyTwoThirdsPassesAndJustBelowIsRefused) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  for (auto [in_favour, eligible] : {std::pair{5, 8}, std::pair{1, 2}, std::pair{13, 20}, std::pair{0, 1}}) {
    const absl::Status status = Add(CellVote(D(2024, 3, 15), in_favour, eligible));
    ExpectRefused(status, "VOTE_BELOW_TWO_THIRDS");
    EXPECT_THAT(status.message(), HasSubstr("membership.admission.vote_min_share"));
  }
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 15), 6, 9)).ok());  // 6/9 == 2/3
}

TEST_F(LifecycleTest, VoteOfTwoOutOfThreePasses) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 15), 2, 3)).ok());
  ExpectRefused(Add(CellVote(D(2024, 3, 16), 3, 3)), "ADMISSION_VOTE_ALREADY_PASSED");
}

TEST_F(LifecycleTest, VoteNumbersMustBeConsistent) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  ExpectInvalid(Add(CellVote(D(2024, 3, 15), 0, 0)), "vote.eligible");
  ExpectInvalid(Add(CellVote(D(2024, 3, 15), 4, 3)), "vote.in_favour");
  ExpectInvalid(Add(CellVote(D(2024, 3, 15), -1, 3)), "vote.in_favour");
  Event no_vote = Of(v1::EVENT_KIND_CELL_ADMISSION_VOTE, D(2024, 3, 15));
  ExpectInvalid(Add(no_vote), "vote");
}

TEST_F(LifecycleTest, VoteNeedsTheDossierAndAValidCertificate) {
  ASSERT_TRUE(Add(Prospect(D(2019, 2, 1))).ok());
  ExpectRefused(Add(CellVote(D(2019, 2, 10))), "DOSSIER_NOT_COMPLETED");
  ASSERT_TRUE(Add(Dossier(D(2019, 2, 20))).ok());
  ExpectRefused(Add(CellVote(D(2019, 2, 25))), "AWARENESS_CERTIFICATE_MISSING");
  ASSERT_TRUE(Add(Awareness(D(2019, 3, 1))).ok());
  EXPECT_EQ(State().awareness_certificate_valid_until, D(2024, 3, 1));
  const absl::Status expired = Add(CellVote(D(2024, 3, 2)));
  ExpectRefused(expired, "AWARENESS_CERTIFICATE_EXPIRED");
  EXPECT_THAT(expired.message(), HasSubstr("membership.admission.awareness_certificate_valid_years"));
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 1))).ok());  // the last day of validity
}

TEST_F(LifecycleTest, RenewedCertificateReplacesTheExpiredOne) {
  ASSERT_TRUE(Add(Prospect(D(2019, 2, 1))).ok());
  ASSERT_TRUE(Add(Awareness(D(2019, 3, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2019, 4, 1))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 6, 1))).ok());
  EXPECT_TRUE(Add(CellVote(D(2024, 6, 10))).ok());
}

TEST_F(LifecycleTest, AgeIsCountedInMonthsOnTheVoteDate) {
  // 18 years and 0 months on the vote date: eligible.
  birth_ = D(2006, 3, 15);
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  // 17 years and 11 months: one day short.
  birth_ = D(2006, 3, 16);
  const absl::Status young = Add(CellVote(D(2024, 3, 15)));
  ExpectRefused(young, "AGE_NOT_ELIGIBLE");
  EXPECT_THAT(young.message(), HasSubstr("membership.admission.min_age_years"));
  birth_ = D(2006, 3, 15);
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 15))).ok());
}

TEST_F(LifecycleTest, SixtyYearsAndZeroMonthsIsTheLastEligibleMonth) {
  // "Từ đủ 18 tuổi đến đủ 60 tuổi (tính theo tháng)": up to 720 months.
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  for (const D birth : {D(1964, 2, 15), D(1963, 4, 15), D(1963, 3, 15)}) {  // 60y1m, 60y11m, 61y0m
    birth_ = birth;
    const absl::Status old = Add(CellVote(D(2024, 3, 15)));
    ExpectRefused(old, "AGE_NOT_ELIGIBLE");
    EXPECT_THAT(old.message(), HasSubstr("membership.admission.max_age_years"));
  }
  birth_ = D(1964, 2, 16);  // 60 years, 0 months and 28 days
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 15))).ok());
}

TEST_F(LifecycleTest, ExactlySixtyOnTheVoteDateIsEligible) {
  birth_ = D(1964, 3, 15);
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 15))).ok());
}

TEST_F(LifecycleTest, AdmissionPastSixtyNeedsTheAgeException) {
  birth_ = D(1950, 1, 1);
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  ExpectRefused(Add(CellVote(D(2024, 3, 15))), "AGE_NOT_ELIGIBLE");
  Event incomplete = CellVote(D(2024, 3, 15));
  incomplete.age_exception = Decision{"Tỉnh ủy", "", D(2024, 3, 1)};
  ExpectInvalid(Add(incomplete), "age_exception.number");
  Event vote = CellVote(D(2024, 3, 15));
  vote.age_exception = Decision{"Tỉnh ủy", "88-QĐ/TU", D(2024, 3, 1)};
  EXPECT_TRUE(Add(vote).ok());
}

TEST_F(LifecycleTest, MinimumAgeAppliesUnderTheEarlierRuleVersionToo) {
  // QĐ 29 (2016) carries the same age range before QĐ 24 (2021-07-30).
  birth_ = D(2003, 1, 1);  // 17 on the vote date
  ASSERT_TRUE(Add(Prospect(D(2020, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2020, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2020, 3, 1))).ok());
  ExpectRefused(Add(CellVote(D(2020, 3, 15))), "AGE_NOT_ELIGIBLE");
}

TEST_F(LifecycleTest, EducationBelowLowerSecondaryNeedsAnException) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  education_ = v1::GENERAL_EDUCATION_PRIMARY;
  const absl::Status primary = Add(CellVote(D(2024, 3, 15)));
  ExpectRefused(primary, "EDUCATION_NOT_ELIGIBLE");
  EXPECT_THAT(primary.message(), HasSubstr("membership.admission.min_general_education"));
  education_ = v1::GENERAL_EDUCATION_UNSPECIFIED;
  ExpectRefused(Add(CellVote(D(2024, 3, 15))), "EDUCATION_NOT_ELIGIBLE");
  education_ = v1::GENERAL_EDUCATION_PRIMARY;
  Event vote = CellVote(D(2024, 3, 15));
  vote.education_exception = Decision{"Ban Bí thư", "09-HD/TW", D(2024, 1, 2)};
  EXPECT_TRUE(Add(vote).ok());
}

TEST_F(LifecycleTest, LowerSecondaryEducationIsEnough) {
  education_ = v1::GENERAL_EDUCATION_LOWER_SECONDARY;
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  EXPECT_TRUE(Add(CellVote(D(2024, 3, 15))).ok());
}

TEST_F(LifecycleTest, AdmissionDecisionNeedsAPassedVoteAndAFullDecision) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ExpectRefused(Add(Decided(D(2024, 2, 1))), "CELL_VOTE_NOT_PASSED");
  ASSERT_TRUE(Add(Awareness(D(2024, 2, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2024, 3, 1))).ok());
  ASSERT_TRUE(Add(CellVote(D(2024, 3, 15))).ok());
  Event no_number = Decided(D(2024, 4, 1));
  no_number.decision.number.clear();
  ExpectInvalid(Add(no_number), "decision.number");
  Event no_body = Decided(D(2024, 4, 1));
  no_body.decision.issuing_body.clear();
  ExpectInvalid(Add(no_body), "decision.issuing_body");
  Event no_date = Of(v1::EVENT_KIND_ADMISSION_DECIDED, D(2024, 4, 1));
  no_date.decision = Decision{"Huyện ủy", "1-QĐ/HU", std::nullopt};
  ExpectInvalid(Add(no_date), "decision.signed_on");
  // The decision's date is the event's date.
  Event decided = Decided(D(2024, 4, 1));
  decided.effective_date = D(2024, 4, 5);
  ASSERT_TRUE(Add(decided).ok());
  EXPECT_EQ(Last().effective_date, D(2024, 4, 1));
  ExpectRefused(Add(Decided(D(2024, 4, 2))), "ILLEGAL_TRANSITION");
}

TEST_F(LifecycleTest, CeremonyOnTheLastWorkingDayPassesAndTheNextIsLate) {
  AdmitUntilDecision();
  // 30 working days from Monday 2024-04-01 skip Giỗ Tổ (18/4), 29/4-1/5 and count Saturday 4/5.
  EXPECT_EQ(calendar_->AddWorkingDays(D(2024, 4, 1), 30), D(2024, 5, 16));
  const absl::Status late = Add(Ceremony(D(2024, 5, 17)));
  ExpectRefused(late, "CEREMONY_DEADLINE_PASSED");
  EXPECT_THAT(late.message(), HasSubstr("membership.admission.ceremony_within_working_days"));
  EXPECT_THAT(late.message(), HasSubstr("2024-05-16"));
  EXPECT_TRUE(Add(Ceremony(D(2024, 5, 16))).ok());
  EXPECT_EQ(State().probation_end_date, D(2025, 5, 16));
}

TEST_F(LifecycleTest, TetDaysAreNotCountedInTheCeremonyLimit) {
  ASSERT_TRUE(Add(Prospect(D(2023, 10, 10))).ok());
  ASSERT_TRUE(Add(Awareness(D(2023, 11, 1))).ok());
  ASSERT_TRUE(Add(Dossier(D(2023, 12, 1))).ok());
  ASSERT_TRUE(Add(CellVote(D(2024, 1, 5))).ok());
  ASSERT_TRUE(Add(Decided(D(2024, 1, 25))).ok());
  // Without the five Tết days (8-14/2/2024) the limit would fall on 2024-03-07.
  ExpectRefused(Add(Ceremony(D(2024, 3, 15))), "CEREMONY_DEADLINE_PASSED");
  EXPECT_TRUE(Add(Ceremony(D(2024, 3, 14))).ok());
}

TEST_F(LifecycleTest, LateCeremonyWithTheHigherCommitteesConsent) {
  AdmitUntilDecision();
  Event ceremony = Ceremony(D(2024, 7, 1));
  ceremony.extension = Decision{"Huyện ủy", "", D(2024, 5, 10)};
  ExpectInvalid(Add(ceremony), "extension.number");
  ceremony.extension = Decision{"Huyện ủy", "45-CV/HU", D(2024, 5, 10)};
  ASSERT_TRUE(Add(ceremony).ok());
  EXPECT_EQ(State().probation_end_date, D(2025, 7, 1));
}

TEST_F(LifecycleTest, CeremonyCannotPrecedeTheDecision) {
  AdmitUntilDecision();
  ExpectRefused(Add(Ceremony(D(2024, 3, 30))), "EVENT_OUT_OF_ORDER");
}

TEST_F(LifecycleTest, RecognitionBeforeProbationEndsIsRefused) {
  AdmitToProbation();
  const absl::Status early = Add(Recognize(D(2025, 5, 15)));
  ExpectRefused(early, "PROBATION_NOT_ENDED");
  EXPECT_THAT(early.message(), HasSubstr("membership.probation_months"));
}

TEST_F(LifecycleTest, LateRecognitionIsEffectiveWhenProbationEnded) {
  AdmitToProbation();
  ASSERT_TRUE(Add(Recognize(D(2025, 9, 3))).ok());
  EXPECT_EQ(Last().effective_date, D(2025, 5, 16));
  EXPECT_EQ(Last().recorded_on, D(2025, 9, 3));
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(State().official_date, D(2025, 5, 16));
  EXPECT_EQ(State().status_since, D(2025, 5, 16));
  // Later events are ordered after the day it was decided.
  ExpectRefused(Add(Exempt(D(2025, 9, 1))), "EVENT_OUT_OF_ORDER");
  EXPECT_TRUE(Add(Exempt(D(2025, 9, 3))).ok());
}

TEST_F(LifecycleTest, LateRecognitionAfterOtherEventsMakesTheMemberOfficialFromProbationEnd) {
  AdmitToProbation();
  ASSERT_TRUE(Add(Exempt(D(2025, 6, 10))).ok());
  ASSERT_TRUE(Add(Recognize(D(2025, 7, 1))).ok());
  EXPECT_EQ(Last().effective_date, D(2025, 5, 16));
  const std::vector<Period> periods = Periods(log_);
  ASSERT_GE(periods.size(), 3u);
  const Period& probation = periods[periods.size() - 3];
  const Period& official = periods[periods.size() - 2];
  const Period& exempt = periods.back();
  EXPECT_EQ(probation.status, v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(probation.valid_to, D(2025, 5, 16));
  EXPECT_EQ(official.status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(official.valid_from, D(2025, 5, 16));
  EXPECT_EQ(official.valid_to, D(2025, 6, 10));
  EXPECT_FALSE(official.exempt);
  EXPECT_EQ(exempt.status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_TRUE(exempt.exempt);
  EXPECT_FALSE(exempt.valid_to.has_value());
}

TEST_F(LifecycleTest, RecognitionNeedsTwoThirdsAndAProbationaryMember) {
  AdmitToProbation();
  const absl::Status low = Add(Recognize(D(2025, 5, 20), 5, 8));
  ExpectRefused(low, "VOTE_BELOW_TWO_THIRDS");
  EXPECT_THAT(low.message(), HasSubstr("membership.recognition.vote_min_share"));
  ExpectInvalid(Add(Recognize(D(2025, 5, 20), 0, 0)), "vote.eligible");
  ASSERT_TRUE(Add(Recognize(D(2025, 5, 20), 2, 3)).ok());
  ExpectRefused(Add(Recognize(D(2025, 5, 21))), "ILLEGAL_TRANSITION");
}

TEST_F(LifecycleTest, ProbationaryMemberNotRecognizedIsRemoved) {
  AdmitToProbation();
  ExpectRefused(Add(Removed(D(2025, 5, 10), v1::REMOVAL_TRIGGER_PROBATION_NOT_RECOGNIZED)), "PROBATION_NOT_ENDED");
  ASSERT_TRUE(Add(Removed(D(2025, 5, 20), v1::REMOVAL_TRIGGER_PROBATION_NOT_RECOGNIZED)).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_REMOVED);
  EXPECT_TRUE(State().IsTerminal());
}

TEST_F(LifecycleTest, NotRecognizedDoesNotApplyToOfficialMembers) {
  AdmitToOfficial();
  ExpectRefused(Add(Removed(D(2025, 6, 1), v1::REMOVAL_TRIGGER_PROBATION_NOT_RECOGNIZED)),
                "REMOVAL_TRIGGER_NOT_APPLICABLE");
  ExpectInvalid(Add(Removed(D(2025, 6, 1), v1::REMOVAL_TRIGGER_UNSPECIFIED)), "removal_trigger");
  Event no_decision = Removed(D(2025, 6, 1), v1::REMOVAL_TRIGGER_CARD_RETURNED);
  no_decision.decision = Decision{};
  ExpectInvalid(Add(no_decision), "decision.issuing_body");
  ASSERT_TRUE(Add(Removed(D(2025, 6, 1), v1::REMOVAL_TRIGGER_QUIT_OR_UNPAID_DUES)).ok());
  EXPECT_EQ(Last().status_after, v1::MEMBER_STATUS_REMOVED);
}

TEST_F(LifecycleTest, AbandonmentEndsAProspectOrAnAdmittedPerson) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  Event abandon = Of(v1::EVENT_KIND_ADMISSION_ABANDONED, D(2024, 2, 1));
  ExpectInvalid(Add(abandon), "reason");
  abandon.reason = "withdrew the application";
  ASSERT_TRUE(Add(abandon).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_NOT_ADMITTED);

  log_.clear();
  AdmitUntilDecision();
  abandon.effective_date = D(2024, 4, 10);
  ASSERT_TRUE(Add(abandon).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_NOT_ADMITTED);

  log_.clear();
  AdmitToProbation();
  abandon.effective_date = D(2024, 6, 10);
  ExpectRefused(Add(abandon), "ILLEGAL_TRANSITION");
}

// ---- illegal transitions and ordering ---------------------------------------------------

TEST_F(LifecycleTest, PipelineStepsNeedTheRightStatus) {
  AdmitToProbation();
  for (Event e : {Awareness(D(2024, 6, 1)), Dossier(D(2024, 6, 1)), CellVote(D(2024, 6, 1)), Decided(D(2024, 6, 1)),
                  Ceremony(D(2024, 6, 1))}) {
    ExpectRefused(Add(e), "ILLEGAL_TRANSITION");
  }
  ExpectRefused(Add(Prospect(D(2024, 6, 1))), "ILLEGAL_TRANSITION");
}

TEST_F(LifecycleTest, MemberOnlyStepsAreRefusedForAProspect) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  for (Event e : {Recognize(D(2024, 2, 1)), Ceremony(D(2024, 2, 1)), Exempt(D(2024, 2, 1)), Suspend(D(2024, 2, 1)),
                  StartTransfer(D(2024, 2, 1), v1::TRANSFER_KIND_OFFICIAL, kOtherCell),
                  WithDecision(v1::EVENT_KIND_LEFT, D(2024, 2, 1)),
                  WithDecision(v1::EVENT_KIND_EXPELLED, D(2024, 2, 1)),
                  Removed(D(2024, 2, 1), v1::REMOVAL_TRIGGER_CARD_RETURNED)}) {
    ExpectRefused(Add(e), "ILLEGAL_TRANSITION");
  }
}

TEST_F(LifecycleTest, OnlyAnOpeningEventStartsARecord) {
  ExpectRefused(Add(Awareness(D(2024, 2, 1))), "ILLEGAL_TRANSITION");
  Event no_cell = Prospect(D(2024, 1, 10));
  no_cell.cell_id.reset();
  ExpectInvalid(Add(no_cell), "cell");
  Event no_introducer = Prospect(D(2024, 1, 10));
  no_introducer.introduced_by.clear();
  ExpectInvalid(Add(no_introducer), "prospect.introduced_by");
}

TEST_F(LifecycleTest, DatesAreNeverInTheFutureNorBeforeTheLatestEvent) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ExpectInvalid(Add(Awareness(kToday + 1)), "effective_date");
  const absl::Status before = Add(Awareness(D(2024, 1, 9)));
  ExpectRefused(before, "EVENT_OUT_OF_ORDER");
  EXPECT_TRUE(Add(Awareness(D(2024, 1, 10))).ok());  // the same day is fine
  Event future_decision = Decided(kToday);
  future_decision.decision.signed_on = kToday + 3;
  ExpectInvalid(Add(future_decision), "decision.signed_on");
}

TEST_F(LifecycleTest, ClosedRecordsAcceptOnlyAVoid) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(WithDecision(v1::EVENT_KIND_LEFT, D(2025, 8, 1))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_LEFT);
  ExpectRefused(Add(Exempt(D(2025, 8, 2))), "ILLEGAL_TRANSITION");
  ExpectRefused(Add(Of(v1::EVENT_KIND_DECEASED, D(2025, 8, 2))), "ILLEGAL_TRANSITION");
  ASSERT_TRUE(Add(Void(Last().id)).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
}

// ---- ends ------------------------------------------------------------------------------------

TEST_F(LifecycleTest, EndsOfAMember) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(WithDecision(v1::EVENT_KIND_EXPELLED, D(2025, 8, 1))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_EXPELLED);
  log_.clear();
  AdmitToOfficial();
  Event left = Of(v1::EVENT_KIND_LEFT, D(2025, 8, 1));
  ExpectInvalid(Add(left), "decision.issuing_body");
  log_.clear();
  AdmitToProbation();
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_DECEASED, D(2024, 9, 1))).ok());  // no decision needed
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_DECEASED);
}

TEST_F(LifecycleTest, AProspectWhoDiesWasNeverAMember) {
  AdmitUntilDecision();
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_DECEASED, D(2024, 4, 10))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_NOT_ADMITTED);
  EXPECT_EQ(Last().kind, v1::EVENT_KIND_DECEASED);
}

TEST_F(LifecycleTest, EndsClearTransfersAndFlags) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(Exempt(D(2025, 6, 1))).ok());
  ASSERT_TRUE(Add(StartTransfer(D(2025, 6, 2), v1::TRANSFER_KIND_OFFICIAL, kOtherCell)).ok());
  ASSERT_TRUE(Add(WithDecision(v1::EVENT_KIND_EXPELLED, D(2025, 6, 3))).ok());
  EXPECT_FALSE(State().transfer_pending);
  EXPECT_FALSE(State().exempt);
  EXPECT_EQ(State().cell_id, kCell);
}

// ---- records opened for existing members ----------------------------------------------------

TEST_F(LifecycleTest, RecordOpenedForAnOfficialMember) {
  OpenOfficial();
  const MemberState state = State();
  EXPECT_EQ(state.status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(state.cell_id, kCell);
  EXPECT_EQ(state.official_date, D(2016, 2, 3));
  EXPECT_EQ(state.probation_end_date, D(2016, 2, 3));
  EXPECT_EQ(Last().status_after, v1::MEMBER_STATUS_OFFICIAL);
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 1u);
  EXPECT_EQ(periods[0].valid_from, D(2020, 3, 1));
  EXPECT_FALSE(periods[0].valid_to.has_value());
}

TEST_F(LifecycleTest, RecordOpenedForAMemberAdmittedBeforeTheProbationRuleVersion) {
  // The rules file starts the probation rule with the 2011 Điều lệ: an official
  // member admitted earlier keeps no computed probation end.
  Event e = Of(v1::EVENT_KIND_RECORD_OPENED, D(2020, 3, 1));
  e.cell_id = kCell;
  e.opened_status = v1::MEMBER_STATUS_OFFICIAL;
  e.opened_admission_decision_date = D(1990, 1, 5);
  e.opened_ceremony_date = D(1990, 2, 3);
  e.opened_official_date = D(1991, 2, 3);
  ASSERT_TRUE(Add(e).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_FALSE(State().probation_end_date.has_value());
  // A probationary member's probation end cannot be computed then.
  log_.clear();
  e.opened_status = v1::MEMBER_STATUS_PROBATIONARY;
  e.opened_official_date.reset();
  ExpectRefused(Add(e), "RULE_NOT_IN_FORCE");
}

TEST_F(LifecycleTest, RecordOpenedBeforeTheOfficialDateStartsProbationary) {
  Event e = Of(v1::EVENT_KIND_RECORD_OPENED, D(2024, 6, 1));
  e.cell_id = kCell;
  e.opened_status = v1::MEMBER_STATUS_OFFICIAL;
  e.opened_admission_decision_date = D(2024, 5, 2);
  e.opened_ceremony_date = D(2024, 5, 20);
  e.opened_official_date = D(2025, 5, 20);
  ASSERT_TRUE(Add(e).ok());
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0].status, v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(periods[0].valid_to, D(2025, 5, 20));
  EXPECT_EQ(periods[1].status, v1::MEMBER_STATUS_OFFICIAL);
  // Nothing can be recorded before the official date the record gives.
  ExpectRefused(Add(Exempt(D(2025, 1, 1))), "EVENT_OUT_OF_ORDER");
}

TEST_F(LifecycleTest, RecordOpenedDatesMustAgree) {
  auto opened = [](v1::MemberStatus status) {
    Event e = Of(v1::EVENT_KIND_RECORD_OPENED, D(2024, 1, 1));
    e.cell_id = kCell;
    e.opened_status = status;
    e.opened_admission_decision_date = D(2022, 3, 1);
    e.opened_ceremony_date = D(2022, 3, 20);
    return e;
  };
  Event e = opened(v1::MEMBER_STATUS_PROSPECT);
  ExpectInvalid(Add(e), "existing.status");
  e = opened(v1::MEMBER_STATUS_OFFICIAL);
  ExpectInvalid(Add(e), "existing.official_date");  // missing
  e = opened(v1::MEMBER_STATUS_PROBATIONARY);
  e.opened_official_date = D(2023, 3, 20);
  ExpectInvalid(Add(e), "existing.official_date");  // only for official members
  e = opened(v1::MEMBER_STATUS_OFFICIAL);
  e.opened_official_date = D(2022, 3, 19);
  ExpectInvalid(Add(e), "existing.official_date");  // before the ceremony
  e = opened(v1::MEMBER_STATUS_PROBATIONARY);
  e.opened_ceremony_date = D(2022, 2, 28);
  ExpectInvalid(Add(e), "existing.admission_ceremony_date");  // before the decision
  e = opened(v1::MEMBER_STATUS_PROBATIONARY);
  e.effective_date = D(2022, 3, 19);
  ExpectInvalid(Add(e), "existing.joined_cell_on");  // in the cell before the ceremony
  e = opened(v1::MEMBER_STATUS_PROBATIONARY);
  e.opened_admission_decision_date.reset();
  ExpectInvalid(Add(e), "existing.admission_decision_date");
  e = opened(v1::MEMBER_STATUS_PROBATIONARY);
  ASSERT_TRUE(Add(e).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(State().probation_end_date, D(2023, 3, 20));
}

TEST_F(LifecycleTest, ApplyOnAnEmptyStateOpensTheRecord) {
  Event e = Prospect(D(2024, 1, 10));
  ASSERT_TRUE(CheckAndComplete(MemberState{}, e, Context()).ok());
  EXPECT_EQ(e.status_after, v1::MEMBER_STATUS_PROSPECT);
  e.id = 5;
  const MemberState state = Apply(MemberState{}, e);
  EXPECT_EQ(state.status, v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(state.cell_id, kCell);
  EXPECT_EQ(state.last_event_id, 5);
  EXPECT_EQ(state.last_event_date, D(2024, 1, 10));
  EXPECT_EQ(state.status_since, D(2024, 1, 10));
}

// ---- transfers ----------------------------------------------------------------------------

TEST_F(LifecycleTest, OfficialTransferWithinTheTreeMovesTheCellWhenPresented) {
  AdmitToOfficial();
  ExpectInvalid(Add(StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_OFFICIAL, kCell)), "transfer.destination_cell");
  ExpectRefused(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2025, 6, 1))), "NO_TRANSFER_PENDING");
  ASSERT_TRUE(Add(StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_OFFICIAL, kOtherCell)).ok());
  EXPECT_TRUE(State().transfer_pending);
  EXPECT_EQ(State().pending_destination_cell_id, kOtherCell);
  EXPECT_EQ(State().pending_introduced_on, D(2025, 6, 1));
  EXPECT_EQ(State().cell_id, kCell);
  ExpectRefused(Add(StartTransfer(D(2025, 6, 2), v1::TRANSFER_KIND_OFFICIAL, 11)), "TRANSFER_PENDING");
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2025, 6, 20))).ok());
  EXPECT_FALSE(State().transfer_pending);
  EXPECT_EQ(State().cell_id, kOtherCell);
  EXPECT_EQ(Last().cell_id, kOtherCell);
  const std::vector<Period> periods = Periods(log_);
  EXPECT_EQ(periods.back().cell_id, kOtherCell);
  EXPECT_EQ(periods.back().valid_from, D(2025, 6, 20));
  EXPECT_EQ(periods[periods.size() - 2].cell_id, kCell);
  EXPECT_EQ(periods[periods.size() - 2].valid_to, D(2025, 6, 20));
}

TEST_F(LifecycleTest, OfficialTransferOutOfTheTreeEndsTheRecordWhenPresented) {
  AdmitToOfficial();
  Event nameless = StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_OFFICIAL, std::nullopt);
  nameless.transfer->destination_name.clear();
  ExpectInvalid(Add(nameless), "transfer.destination_name");
  ASSERT_TRUE(Add(StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_OFFICIAL, std::nullopt)).ok());
  EXPECT_TRUE(State().transfer_pending);
  EXPECT_FALSE(State().pending_destination_cell_id.has_value());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);  // still counted here until presented
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2025, 6, 20))).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(State().status_since, D(2025, 6, 20));
  EXPECT_TRUE(State().IsTerminal());
  EXPECT_FALSE(State().transfer_pending);
  EXPECT_EQ(Last().status_after, v1::MEMBER_STATUS_TRANSFERRED_OUT);
  const std::vector<Period> periods = Periods(log_);
  ASSERT_FALSE(periods.empty());
  EXPECT_EQ(periods.back().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(periods.back().valid_to, D(2025, 6, 20));  // no period in the tree afterwards
  ExpectRefused(Add(Exempt(D(2025, 6, 21))), "ILLEGAL_TRANSITION");
  // Voiding the presentation brings the member back, the transfer pending again.
  ASSERT_TRUE(Add(Void(Last().id)).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_TRUE(State().transfer_pending);
  EXPECT_FALSE(Periods(log_).back().valid_to.has_value());
}

TEST_F(LifecycleTest, TransferNeedsItsDetailsAndDecision) {
  AdmitToOfficial();
  Event no_transfer = WithDecision(v1::EVENT_KIND_TRANSFER_STARTED, D(2025, 6, 1));
  ExpectInvalid(Add(no_transfer), "transfer");
  Event no_kind = StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_UNSPECIFIED, kOtherCell);
  ExpectInvalid(Add(no_kind), "transfer.kind");
  Event no_decision = StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_OFFICIAL, kOtherCell);
  no_decision.decision = Decision{};
  ExpectInvalid(Add(no_decision), "decision.issuing_body");
  ExpectInvalid(Add(StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_OFFICIAL, kOtherCell, D(2025, 12, 1))),
                "transfer.planned_end");
  ExpectInvalid(Add(StartTransfer(D(2025, 6, 1), v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell)),
                "transfer.planned_end");
}

TEST_F(LifecycleTest, TemporaryWorkTransferLastsThreeToUnderTwelveMonths) {
  AdmitToOfficial();
  const D introduced(2025, 7, 10);
  const absl::Status short_one =
      Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell, D(2025, 10, 9)));
  ExpectInvalid(short_one, "transfer.planned_end");
  EXPECT_THAT(short_one.message(), HasSubstr("membership.transfer.temporary_work_months"));
  ExpectInvalid(Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell, D(2026, 7, 10))),
                "transfer.planned_end");  // a full year is not "under one year"
  EXPECT_TRUE(Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell, D(2025, 10, 10))).ok());
  log_.clear();
  AdmitToOfficial();
  EXPECT_TRUE(Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell, D(2026, 7, 9))).ok());
}

TEST_F(LifecycleTest, TemporaryTrainingTransferLastsThreeToTwentyFourMonths) {
  AdmitToOfficial();
  const D introduced(2025, 7, 10);
  const absl::Status long_one =
      Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_TRAINING, kOtherCell, D(2027, 7, 11)));
  ExpectInvalid(long_one, "transfer.planned_end");
  EXPECT_THAT(long_one.message(), HasSubstr("membership.transfer.temporary_training_months"));
  ExpectInvalid(Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_TRAINING, kOtherCell, D(2025, 10, 9))),
                "transfer.planned_end");
  EXPECT_TRUE(Add(StartTransfer(introduced, v1::TRANSFER_KIND_TEMPORARY_TRAINING, kOtherCell, D(2027, 7, 10))).ok());
}

TEST_F(LifecycleTest, TemporaryTransferHostsTheMemberWhoStaysCountedAtHome) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(StartTransfer(D(2025, 7, 10), v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell, D(2026, 1, 10))).ok());
  EXPECT_TRUE(State().transfer_pending);
  ExpectRefused(Add(Of(v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED, D(2025, 7, 11))), "NO_TEMPORARY_TRANSFER");
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2025, 7, 15))).ok());
  MemberState state = State();
  EXPECT_EQ(state.cell_id, kCell);
  EXPECT_EQ(state.host_cell_id, kOtherCell);
  EXPECT_EQ(state.temporary_planned_end, D(2026, 1, 10));
  EXPECT_EQ(Last().cell_id, kCell);
  ExpectRefused(Add(StartTransfer(D(2025, 8, 1), v1::TRANSFER_KIND_OFFICIAL, 11)), "TEMPORARY_TRANSFER_IN_FORCE");
  std::vector<Period> periods = Periods(log_);
  EXPECT_EQ(periods.back().cell_id, kCell);
  EXPECT_EQ(periods.back().host_cell_id, kOtherCell);
  EXPECT_EQ(periods.back().valid_from, D(2025, 7, 15));
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED, D(2026, 1, 10))).ok());
  state = State();
  EXPECT_FALSE(state.host_cell_id.has_value());
  EXPECT_FALSE(state.temporary_planned_end.has_value());
  periods = Periods(log_);
  EXPECT_FALSE(periods.back().host_cell_id.has_value());
  EXPECT_EQ(periods.back().valid_from, D(2026, 1, 10));
}

TEST_F(LifecycleTest, TemporaryTransferOutsideTheTreeHasNoHostCellHere) {
  AdmitToOfficial();
  ASSERT_TRUE(
      Add(StartTransfer(D(2025, 7, 10), v1::TRANSFER_KIND_TEMPORARY_TRAINING, std::nullopt, D(2026, 7, 10))).ok());
  EXPECT_TRUE(State().transfer_pending);
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2025, 7, 20))).ok());
  EXPECT_FALSE(State().transfer_pending);
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(State().cell_id, kCell);
  EXPECT_FALSE(State().host_cell_id.has_value());
  EXPECT_EQ(State().temporary_planned_end, D(2026, 7, 10));
  EXPECT_TRUE(Add(Of(v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED, D(2026, 2, 1))).ok());
  EXPECT_FALSE(State().temporary_planned_end.has_value());
}

// ---- exemption and suspension --------------------------------------------------------------

TEST_F(LifecycleTest, ExemptionAndSuspensionAreFlagsThatCannotBeSetTwice) {
  AdmitToProbation();
  ExpectRefused(Add(WithDecision(v1::EVENT_KIND_EXEMPTION_ENDED, D(2024, 6, 1))), "NOT_EXEMPT");
  ExpectRefused(Add(WithDecision(v1::EVENT_KIND_SUSPENSION_ENDED, D(2024, 6, 1))), "NOT_SUSPENDED");
  Event no_decision = Exempt(D(2024, 6, 1));
  no_decision.decision = Decision{};
  ExpectInvalid(Add(no_decision), "decision.issuing_body");
  ASSERT_TRUE(Add(Exempt(D(2024, 6, 1))).ok());
  EXPECT_TRUE(State().exempt);
  ExpectRefused(Add(Exempt(D(2024, 6, 2))), "ALREADY_EXEMPT");
  ASSERT_TRUE(Add(Suspend(D(2024, 6, 3))).ok());
  EXPECT_TRUE(State().suspended);
  ExpectRefused(Add(Suspend(D(2024, 6, 4))), "ALREADY_SUSPENDED");
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROBATIONARY);
  ASSERT_TRUE(Add(WithDecision(v1::EVENT_KIND_SUSPENSION_ENDED, D(2024, 7, 1))).ok());
  ASSERT_TRUE(Add(WithDecision(v1::EVENT_KIND_EXEMPTION_ENDED, D(2024, 7, 2))).ok());
  EXPECT_FALSE(State().exempt);
  EXPECT_FALSE(State().suspended);
  const std::vector<Period> periods = Periods(log_);
  ASSERT_GE(periods.size(), 4u);
  const Period& both = periods[periods.size() - 3];
  EXPECT_TRUE(both.exempt);
  EXPECT_TRUE(both.suspended);
  EXPECT_EQ(both.valid_from, D(2024, 6, 3));
  EXPECT_EQ(both.valid_to, D(2024, 7, 1));
}

// ---- voiding -------------------------------------------------------------------------------

TEST_F(LifecycleTest, VoidingTheLatestEventRestoresThePreviousState) {
  AdmitToProbation();
  const int64_t ceremony_id = Last().id;
  ASSERT_TRUE(Add(Void(ceremony_id)).ok());
  EXPECT_EQ(Last().status_after, v1::MEMBER_STATUS_ADMITTED);
  EXPECT_EQ(Last().effective_date, kToday);
  const MemberState state = State();
  EXPECT_EQ(state.status, v1::MEMBER_STATUS_ADMITTED);
  EXPECT_FALSE(state.admission_ceremony_date.has_value());
  EXPECT_EQ(state.last_event_date, D(2024, 4, 1));
  // The right ceremony can be recorded again, dated before the correction.
  EXPECT_TRUE(Add(Ceremony(D(2024, 5, 10))).ok());
  EXPECT_EQ(State().admission_ceremony_date, D(2024, 5, 10));
  EXPECT_EQ(Periods(log_).back().valid_from, D(2024, 5, 10));
}

TEST_F(LifecycleTest, OnlyTheLatestEventInForceMayBeVoided) {
  AdmitToProbation();
  const int64_t decision_id = log_[4].id;
  const int64_t ceremony_id = log_[5].id;
  const absl::Status not_latest = Add(Void(decision_id));
  ExpectRefused(not_latest, "NOT_LATEST_EVENT");
  ExpectRefused(Add(Void(log_[0].id)), "NOT_LATEST_EVENT");  // the opening event, not the latest either
  ASSERT_TRUE(Add(Void(ceremony_id)).ok());
  const int64_t marker_id = Last().id;
  ExpectRefused(Add(Void(marker_id)), "NOT_LATEST_EVENT");
  ExpectRefused(Add(Void(ceremony_id)), "EVENT_ALREADY_VOIDED");
  // After a void the previous event is the latest in force and may be voided too.
  ASSERT_TRUE(Add(Void(decision_id)).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(absl::NotFoundError("").code(), Add(Void(999999)).code());
  Event no_reason = Void(log_[3].id);
  no_reason.reason.clear();
  ExpectInvalid(Add(no_reason), "reason");
}

TEST_F(LifecycleTest, TheOpeningEventCannotBeVoided) {
  ASSERT_TRUE(Add(Prospect(D(2024, 1, 10))).ok());
  ExpectRefused(Add(Void(log_[0].id)), "FIRST_EVENT_NOT_VOIDABLE");
}

TEST_F(LifecycleTest, VoidingAnEndReopensTheRecord) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(Removed(D(2025, 8, 1), v1::REMOVAL_TRIGGER_CARD_RETURNED)).ok());
  ASSERT_TRUE(Add(Void(Last().id)).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_FALSE(Periods(log_).back().valid_to.has_value());
  EXPECT_EQ(Periods(log_).back().status, v1::MEMBER_STATUS_OFFICIAL);
}

TEST_F(LifecycleTest, StateOnlyCheckRefusesVoidingAnOlderEvent) {
  AdmitToProbation();
  Event e = Void(log_[2].id);
  ExpectRefused(CheckAndComplete(State(), e, Context()), "NOT_LATEST_EVENT");
}

// ---- periods -------------------------------------------------------------------------------

TEST_F(LifecycleTest, PeriodsCoverEveryStatusFromTheFirstEvent) {
  AdmitToOfficial();
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 4u);
  EXPECT_EQ(periods[0].status, v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(periods[0].valid_from, D(2024, 1, 10));
  EXPECT_EQ(periods[0].valid_to, D(2024, 4, 1));
  EXPECT_EQ(periods[1].status, v1::MEMBER_STATUS_ADMITTED);
  EXPECT_EQ(periods[1].valid_to, D(2024, 5, 16));
  EXPECT_EQ(periods[2].status, v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(periods[2].valid_to, D(2025, 5, 16));
  EXPECT_EQ(periods[3].status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_FALSE(periods[3].valid_to.has_value());
  for (const Period& p : periods) EXPECT_EQ(p.cell_id, kCell);
}

TEST_F(LifecycleTest, EventsOnOneDayMakeOnePeriod) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(Exempt(D(2025, 6, 1))).ok());
  ASSERT_TRUE(Add(WithDecision(v1::EVENT_KIND_EXEMPTION_ENDED, D(2025, 6, 1))).ok());
  ASSERT_TRUE(Add(Suspend(D(2025, 6, 1))).ok());
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 5u);
  EXPECT_EQ(periods[4].valid_from, D(2025, 6, 1));
  EXPECT_TRUE(periods[4].suspended);
  EXPECT_FALSE(periods[4].exempt);
  EXPECT_EQ(periods[3].valid_to, D(2025, 6, 1));
}

TEST_F(LifecycleTest, TerminalStatusHasAnOpenPeriod) {
  AdmitToOfficial();
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_DECEASED, D(2025, 10, 1))).ok());
  const std::vector<Period> periods = Periods(log_);
  EXPECT_EQ(periods.back().status, v1::MEMBER_STATUS_DECEASED);
  EXPECT_EQ(periods.back().valid_from, D(2025, 10, 1));
  EXPECT_FALSE(periods.back().valid_to.has_value());
}

// ---- ages and months -------------------------------------------------------------------------

TEST(AgeTest, MonthsCompleteOnTheSameDayOfTheMonth) {
  EXPECT_EQ(AgeInMonths(D(2006, 3, 15), D(2024, 3, 15)), 18 * 12);
  EXPECT_EQ(AgeInMonths(D(2006, 3, 16), D(2024, 3, 15)), 18 * 12 - 1);
  EXPECT_EQ(AgeInYears(D(2006, 3, 16), D(2024, 3, 15)), 17);
  EXPECT_EQ(AgeInYears(D(2006, 3, 15), D(2024, 3, 15)), 18);
  EXPECT_EQ(AgeInMonths(D(1963, 3, 16), D(2024, 3, 15)), 60 * 12 + 11);
  EXPECT_EQ(AgeInYears(D(1963, 3, 16), D(2024, 3, 15)), 60);
  EXPECT_EQ(AgeInMonths(D(2024, 1, 1), D(2024, 1, 1)), 0);
}

TEST(AgeTest, AShortMonthCompletesOnItsLastDay) {
  // Born on 31 January: one month old on 29 February (leap year), not 1 March.
  EXPECT_EQ(AgeInMonths(D(2024, 1, 31), D(2024, 2, 28)), 0);
  EXPECT_EQ(AgeInMonths(D(2024, 1, 31), D(2024, 2, 29)), 1);
  // Born on 29 February: 18 on 28 February of a common year.
  EXPECT_EQ(AgeInYears(D(2004, 2, 29), D(2022, 2, 27)), 17);
  EXPECT_EQ(AgeInYears(D(2004, 2, 29), D(2022, 2, 28)), 18);
}

TEST(AgeTest, AddMonthsKeepsTheDayOrTheMonthsLastDay) {
  EXPECT_EQ(AddMonths(D(2024, 5, 16), 12), D(2025, 5, 16));
  EXPECT_EQ(AddMonths(D(2024, 2, 29), 12), D(2025, 2, 28));
  EXPECT_EQ(AddMonths(D(2025, 1, 31), 1), D(2025, 2, 28));
  EXPECT_EQ(AddMonths(D(2025, 8, 31), 3), D(2025, 11, 30));
  EXPECT_EQ(AddMonths(D(2025, 11, 15), 3), D(2026, 2, 15));
}

}  // namespace
}  // namespace grassroots::membership::domain

namespace grassroots::membership::domain {
namespace {

// A transfer in from outside the tree opens the record like RECORD_OPENED,
// as an event kind of its own that names the sending organization.
class TransferInTest : public LifecycleTest {
 protected:
  Event TransferIn(const std::string& from) {
    Event e = Of(v1::EVENT_KIND_TRANSFERRED_IN, D(2024, 9, 2));
    e.cell_id = kCell;
    e.opened_status = v1::MEMBER_STATUS_OFFICIAL;
    e.opened_admission_decision_date = D(2012, 1, 5);
    e.opened_ceremony_date = D(2012, 2, 3);
    e.opened_official_date = D(2013, 2, 3);
    e.transferred_from = from;
    return e;
  }
};

TEST_F(TransferInTest, OpensAnOfficialRecordInTheCell) {
  ASSERT_TRUE(Add(TransferIn("Đảng ủy xã Lộc Phát")).ok());
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(State().cell_id, kCell);
  EXPECT_EQ(State().official_date, D(2013, 2, 3));
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 1u);
  EXPECT_EQ(periods[0].valid_from, D(2024, 9, 2));
  EXPECT_EQ(periods[0].status, v1::MEMBER_STATUS_OFFICIAL);
}

TEST_F(TransferInTest, NeedsTheSendingOrganization) {
  const absl::Status status = Add(TransferIn(""));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(status), "existing.transferred_from");
}

TEST_F(TransferInTest, OnlyOpensARecord) {
  OpenOfficial();
  ExpectRefused(Add(TransferIn("Đảng ủy xã Lộc Phát")), "ILLEGAL_TRANSITION");
}

TEST_F(TransferInTest, ARecordOpenedByHandNamesNoSendingOrganization) {
  Event e = TransferIn("Đảng ủy xã Lộc Phát");
  e.kind = v1::EVENT_KIND_RECORD_OPENED;
  EXPECT_EQ(common::FieldOf(Add(e)), "existing.transferred_from");
}

// ---- members follow their cell --------------------------------------------------------------

class CellSuccessionTest : public LifecycleTest {
 protected:
  static constexpr int64_t kSuccessor = 11;
  static CellEnding Ending(D day, std::optional<int64_t> successor, bool handed_over = false) {
    CellEnding ending;
    ending.cell_id = kCell;
    ending.effective_date = day;
    ending.successor_cell_id = successor;
    ending.handed_over = handed_over;
    ending.decision = Dec(D(2026, 2, 20));
    return ending;
  }
  // Plans the ending for the member, checks the event against the log before
  // its place and inserts it there, as FollowCellEnding does. false: nothing to do.
  absl::StatusOr<bool> Follow(const CellEnding& ending) {
    std::optional<SuccessionStep> step = PlanCellSuccession(log_, ending);
    if (!step) return false;
    Event event = step->event;
    GR_RETURN_IF_ERROR(CheckAndComplete(step->state_before, event, Context()));
    event.id = next_id_++;
    log_.insert(log_.begin() + static_cast<std::ptrdiff_t>(step->position), event);
    return true;
  }
  // A member of kOtherCell hosted by kCell from 2026-01-10 (temporary work).
  void HostedInEndingCell() {
    OpenOfficial(D(2020, 3, 1), kOtherCell);
    ASSERT_TRUE(Add(StartTransfer(D(2026, 1, 5), v1::TRANSFER_KIND_TEMPORARY_WORK, kCell, D(2026, 7, 5))).ok());
    ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2026, 1, 10))).ok());
    ASSERT_EQ(State().host_cell_id, kCell);
  }
};

TEST_F(CellSuccessionTest, MergeMovesTheMemberToTheSuccessorOnTheEffectiveDate) {
  OpenOfficial();
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(false), true);
  EXPECT_EQ(Last().kind, v1::EVENT_KIND_MOVED_WITH_CELL);
  EXPECT_EQ(Last().from_cell_id, kCell);
  EXPECT_EQ(Last().cell_id, kSuccessor);
  EXPECT_EQ(Last().status_after, v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(State().cell_id, kSuccessor);
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0].cell_id, kCell);
  EXPECT_EQ(periods[0].valid_to, D(2026, 3, 1));
  EXPECT_EQ(periods[1].cell_id, kSuccessor);
  EXPECT_EQ(periods[1].valid_from, D(2026, 3, 1));
  EXPECT_EQ(periods[1].status, v1::MEMBER_STATUS_OFFICIAL);
}

TEST_F(CellSuccessionTest, AnEndingAlreadyFollowedMovesNobodyTwice) {
  OpenOfficial();
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(false), true);
  EXPECT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(true), false);
  EXPECT_EQ(log_.size(), 2u);
}

TEST_F(CellSuccessionTest, AnEndingRecordedLateGoesBeforeTheMembersLaterEvents) {
  OpenOfficial();
  ASSERT_TRUE(Add(Exempt(D(2026, 4, 1))).ok());
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(false), true);
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_EQ(log_[1].kind, v1::EVENT_KIND_MOVED_WITH_CELL);
  EXPECT_EQ(State().cell_id, kSuccessor);
  EXPECT_TRUE(State().exempt);
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 3u);
  EXPECT_EQ(periods[1].cell_id, kSuccessor);
  EXPECT_FALSE(periods[1].exempt);
  EXPECT_EQ(periods[2].cell_id, kSuccessor);
  EXPECT_TRUE(periods[2].exempt);
}

TEST_F(CellSuccessionTest, MembersWhoJoinedOrLeftOutsideTheEndingAreNotMoved) {
  OpenOfficial(D(2026, 5, 1));  // joined the cell's id after it ended
  EXPECT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(true), false);
  log_.clear();
  OpenOfficial();
  ASSERT_TRUE(Add(Removed(D(2026, 2, 1), v1::REMOVAL_TRIGGER_QUIT_OR_UNPAID_DUES)).ok());
  EXPECT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(true), false);
}

TEST_F(CellSuccessionTest, ProspectsMoveWithTheirCellToo) {
  ASSERT_TRUE(Add(Prospect(D(2026, 1, 10))).ok());
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(false), true);
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(State().cell_id, kSuccessor);
}

TEST_F(CellSuccessionTest, NoSuccessorLeavesTheMemberToBePlacedUntilAnOfficialTransfer) {
  OpenOfficial();
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), std::nullopt)).value_or(false), true);
  EXPECT_EQ(Last().kind, v1::EVENT_KIND_AWAITING_PLACEMENT);
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_OFFICIAL);  // still a party member
  EXPECT_EQ(State().cell_id, 0);                          // counted in no cell
  EXPECT_EQ(State().awaiting_placement_from, kCell);
  EXPECT_EQ(Periods(log_).back().cell_id, 0);
  // No cell to be hosted from.
  ExpectRefused(Add(StartTransfer(D(2026, 3, 5), v1::TRANSFER_KIND_TEMPORARY_WORK, kOtherCell, D(2026, 9, 5))),
                "AWAITING_PLACEMENT");
  ASSERT_TRUE(Add(StartTransfer(D(2026, 3, 5), v1::TRANSFER_KIND_OFFICIAL, kOtherCell)).ok());
  EXPECT_TRUE(State().awaiting_placement_from.has_value());
  ASSERT_TRUE(Add(Of(v1::EVENT_KIND_TRANSFER_COMPLETED, D(2026, 3, 10))).ok());
  EXPECT_EQ(State().cell_id, kOtherCell);
  EXPECT_FALSE(State().awaiting_placement_from.has_value());
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 3u);
  EXPECT_EQ(periods[1].cell_id, 0);
  EXPECT_EQ(periods[1].valid_to, D(2026, 3, 10));
  EXPECT_EQ(periods[2].cell_id, kOtherCell);
}

TEST_F(CellSuccessionTest, AHandedOverCellTakesItsMembersOutOfTheTree) {
  OpenOfficial();
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor, /*handed_over=*/true)).value_or(false), true);
  EXPECT_EQ(Last().kind, v1::EVENT_KIND_LEFT_WITH_CELL);
  EXPECT_EQ(State().status, v1::MEMBER_STATUS_TRANSFERRED_OUT);
  const std::vector<Period> periods = Periods(log_);
  ASSERT_EQ(periods.size(), 1u);
  EXPECT_EQ(periods[0].valid_to, D(2026, 3, 1));
}

TEST_F(CellSuccessionTest, AHostedMemberIsHostedByTheSuccessorOrGoesHome) {
  HostedInEndingCell();
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), kSuccessor)).value_or(false), true);
  EXPECT_EQ(Last().kind, v1::EVENT_KIND_MOVED_WITH_CELL);
  EXPECT_EQ(State().cell_id, kOtherCell);
  EXPECT_EQ(State().host_cell_id, kSuccessor);
  EXPECT_EQ(Periods(log_).back().host_cell_id, kSuccessor);

  log_.clear();
  HostedInEndingCell();
  ASSERT_EQ(Follow(Ending(D(2026, 3, 1), std::nullopt)).value_or(false), true);
  EXPECT_EQ(Last().kind, v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED);
  EXPECT_EQ(Last().from_cell_id, kCell);
  EXPECT_EQ(State().cell_id, kOtherCell);
  EXPECT_FALSE(State().host_cell_id.has_value());
}

TEST_F(CellSuccessionTest, AScheduledEndingIsRecordedAheadAndLaterEventsWaitForIt) {
  OpenOfficial();
  ASSERT_EQ(Follow(Ending(kToday + 10, kSuccessor)).value_or(false), true);
  EXPECT_EQ(State().cell_id, kSuccessor);
  ExpectRefused(Add(Exempt(kToday)), "EVENT_OUT_OF_ORDER");
}

TEST_F(CellSuccessionTest, TheEndedCellMustBeTheMembersOwn) {
  OpenOfficial();
  Event moved = Of(v1::EVENT_KIND_MOVED_WITH_CELL, D(2026, 3, 1));
  moved.from_cell_id = kOtherCell;
  moved.successor_cell_id = kSuccessor;
  ExpectRefused(Add(moved), "NOT_IN_ENDED_CELL");
  moved.from_cell_id = kCell;
  moved.successor_cell_id.reset();
  ExpectInvalid(Add(moved), "cell");
}

}  // namespace
}  // namespace grassroots::membership::domain
