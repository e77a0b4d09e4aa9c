// A plan task's status rules (domain/plan_tracking.h): the transitions, the
// evidence DONE needs and the dates' order, read from the repository's rules
// file as the service reads them; the state on a day from a dated history.
#include <gtest/gtest.h>

#include "common/status/status.h"
#include "services/reporting/domain/plan_tracking.h"

namespace grassroots::reporting::domain {
namespace {

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

class PlanTrackingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto registry = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = new common::RulesRegistry(std::move(*registry));
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }
  void SetUp() override {
    auto rules = TaskStatusRulesOn(*registry_, Day(2025, 6, 30));
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = *rules;
  }
  absl::Status Check(std::optional<TaskStatusEntry> latest, TaskState state, absl::CivilDay as_of, int64_t evidence) {
    return CheckTaskStatusUpdate(rules_, latest, {state, as_of, evidence});
  }

  static common::RulesRegistry* registry_;
  TaskStatusRules rules_;
};
common::RulesRegistry* PlanTrackingTest::registry_ = nullptr;

TEST_F(PlanTrackingTest, TheRepositoryRulesAreReadAsTheirIdsPromise) {
  EXPECT_EQ(rules_.min_evidence_for_done, 1);
  EXPECT_EQ(rules_.evidence_rule->id, kRuleDoneRequiresEvidence);
  EXPECT_TRUE(rules_.transitions.at(TaskState::kNotStarted).contains(TaskState::kDone));
  EXPECT_FALSE(rules_.transitions.at(TaskState::kDone).contains(TaskState::kNotStarted));
}

TEST_F(PlanTrackingTest, DoneNeedsEvidenceNamingTheRule) {
  const absl::Status refused = Check(std::nullopt, TaskState::kDone, Day(2025, 3, 1), 0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(refused), "DONE_REQUIRES_EVIDENCE");
  EXPECT_NE(refused.message().find(kRuleDoneRequiresEvidence), std::string_view::npos) << refused.message();
  EXPECT_TRUE(Check(std::nullopt, TaskState::kDone, Day(2025, 3, 1), 1).ok());
  // Other states need none.
  EXPECT_TRUE(Check(std::nullopt, TaskState::kInProgress, Day(2025, 3, 1), 0).ok());
  EXPECT_TRUE(Check(std::nullopt, TaskState::kNotApplicable, Day(2025, 3, 1), 0).ok());
}

TEST_F(PlanTrackingTest, TransitionsFollowTheRule) {
  const TaskStatusEntry in_progress{1, TaskState::kInProgress, Day(2025, 1, 10)};
  const TaskStatusEntry done{2, TaskState::kDone, Day(2025, 2, 10)};
  const absl::Status back = Check(in_progress, TaskState::kNotStarted, Day(2025, 2, 1), 0);
  EXPECT_EQ(common::ReasonOf(back), "TASK_STATUS_TRANSITION_NOT_ALLOWED");
  EXPECT_NE(back.message().find(kRuleStatusTransitions), std::string_view::npos) << back.message();
  EXPECT_EQ(common::ReasonOf(Check(done, TaskState::kNotApplicable, Day(2025, 3, 1), 0)),
            "TASK_STATUS_TRANSITION_NOT_ALLOWED");
  EXPECT_TRUE(Check(done, TaskState::kInProgress, Day(2025, 3, 1), 0).ok()) << "a done task may be reopened";
  EXPECT_TRUE(Check(in_progress, TaskState::kInProgress, Day(2025, 1, 10), 0).ok()) << "same state, same day";
}

TEST_F(PlanTrackingTest, AnEntryIsNotDatedBeforeTheCurrentOne) {
  const TaskStatusEntry in_progress{1, TaskState::kInProgress, Day(2025, 1, 10)};
  const absl::Status earlier = Check(in_progress, TaskState::kDone, Day(2025, 1, 9), 1);
  EXPECT_EQ(common::ReasonOf(earlier), "TASK_STATUS_DATE_BEFORE_PREVIOUS");
  EXPECT_NE(earlier.message().find(kRuleStatusDatesInOrder), std::string_view::npos) << earlier.message();
}

TEST_F(PlanTrackingTest, RulesWithoutAVersionInForceAreRefused) {
  auto none = TaskStatusRulesOn(*registry_, Day(2000, 1, 1));
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(none.status()), "RULE_NOT_IN_FORCE");
}

TEST_F(PlanTrackingTest, MalformedRuleValuesAreInternalErrors) {
  auto registry = common::RulesRegistry::FromJsonText(R"({"rules": [
    {"id": "reporting.plan.done_requires_evidence", "value": 1, "effective_from": "2020-01-01", "citation": "c", "description": "d"},
    {"id": "reporting.plan.task_status_transitions", "value": {"DONE": ["FINISHED"]}, "effective_from": "2020-01-01", "citation": "c", "description": "d"},
    {"id": "reporting.plan.status_dates_in_order", "value": true, "effective_from": "2020-01-01", "citation": "c", "description": "d"}
  ]})");
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ(TaskStatusRulesOn(*registry, Day(2025, 1, 1)).status().code(), absl::StatusCode::kInternal);
}

TEST(TaskStateOnADay, TheLatestDatedEntryOnOrBeforeTheDayHolds) {
  const std::vector<TaskStatusEntry> history = {
      {1, TaskState::kInProgress, Day(2025, 1, 10)},
      {2, TaskState::kDone, Day(2025, 3, 1)},
      {3, TaskState::kInProgress, Day(2025, 3, 1)},  // reopened the same day: recorded later, it holds
  };
  EXPECT_FALSE(EntryOn(history, Day(2025, 1, 9)).has_value()) << "NOT_STARTED before the first entry";
  EXPECT_EQ(EntryOn(history, Day(2025, 2, 28))->state, TaskState::kInProgress);
  EXPECT_EQ(EntryOn(history, Day(2025, 3, 1))->version, 3);
  EXPECT_TRUE(IsSettled(TaskState::kDone));
  EXPECT_TRUE(IsSettled(TaskState::kNotApplicable));
  EXPECT_FALSE(IsSettled(TaskState::kInProgress));
  EXPECT_EQ(TaskStateFromName("NOT_APPLICABLE"), TaskState::kNotApplicable);
  EXPECT_EQ(TaskStateName(TaskState::kDone), "DONE");
}

}  // namespace
}  // namespace grassroots::reporting::domain
