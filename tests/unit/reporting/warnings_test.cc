// Reporting's warnings (domain/warnings.h) on hand-built facts, with hand-made
// rules, calendar and plan so every due date and delay is computed by hand in
// the comments.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/reporting/domain/warnings.h"
#include "tests/unit/reporting/scorecard_test_support.h"

namespace grassroots::reporting::domain {
namespace {

using testing::Day;
using testing::Org;
using testing::Standing;

// Four rules as the registry has them, with short windows so the arithmetic stays readable.
constexpr char kRules[] = R"({"rules": [
  {"id": "membership.recognition.within_working_days", "value": 5, "effective_from": "2016-07-25",
   "citation": "QĐ 29-QĐ/TW mục 4", "description": "recognition window"},
  {"id": "meeting.thematic.per_quarter_min", "value": 1, "effective_from": "2011-01-19",
   "citation": "sinh hoạt chuyên đề", "description": "one a quarter"},
  {"id": "org.cell.committee_required_min_official", "value": 9, "effective_from": "2011-01-19",
   "citation": "Điều lệ Điều 24.4", "description": "committee from nine"},
  {"id": "membership.residence.working_categories", "value": ["CIVIL_SERVICE"], "effective_from": "2020-01-02",
   "citation": "QĐ 213-QĐ/TW", "description": "working members"}
]})";

// Weekends and one day off: Wednesday 2025-06-04.
constexpr char kCalendar[] = R"({"years": {"2025": {"citation": "test", "days_off": ["2025-06-04"]}}})";

constexpr int32_t kCivilService = 1;  // a working category of kRules (its enum number is irrelevant here)

class WarningsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = common::RulesRegistry::FromJsonText(kRules);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::move(*rules);
    auto calendar = common::WorkingCalendar::FromJsonText(kCalendar);
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = std::move(*calendar);
    plan_.id = "p";
    Target s9;
    s9.paragraph = "II.3.1/7";
    s9.text = "Duy trì 100% thôn, tổ dân phố có chi bộ";
    plan_.targets[Indicator::kS9] = s9;
    Target s12;
    s12.paragraph = "II.3.1/8";
    s12.text = "chương trình kiểm tra, giám sát";
    plan_.targets[Indicator::kS12] = s12;
    // The root G (đảng bộ cơ sở) of every test.
    facts_.root_id = 1;
    facts_.organizations.push_back(Org(1, std::nullopt, OrganizationKind::kGrassrootsCommittee));
  }

  std::vector<Warning> Compute(absl::CivilDay as_of, WarningKind kind, const SubtreeFacts* previous = nullptr) {
    WarningFacts inputs{&facts_, previous, probation_ends_, task_states_};
    const Evaluation evaluation{static_cast<int>(as_of.year()), as_of, Day(2020, 1, 1)};
    absl::StatusOr<std::vector<Warning>> warnings =
        ComputeWarnings(inputs, evaluation, plan_, rules_, calendar_, {kind});
    EXPECT_TRUE(warnings.ok()) << warnings.status();
    return warnings.ok() ? *warnings : std::vector<Warning>{};
  }

  static MemberFacts Member(int64_t id, int64_t cell, bool probationary = false) {
    MemberFacts member;
    member.id = id;
    member.on_d = Standing(cell);
    member.on_d->probationary = probationary;
    return member;
  }

  common::RulesRegistry rules_;
  common::WorkingCalendar calendar_;
  Plan plan_;
  SubtreeFacts facts_;
  std::map<int64_t, absl::CivilDay> probation_ends_;
  std::map<std::string, TaskState> task_states_;
};

std::string DueOf(const Warning& warning) {
  return warning.due_date ? absl::FormatCivilTime(*warning.due_date) : "";
}

TEST_F(WarningsTest, ProbationPastTheRecognitionWindow) {
  facts_.organizations.push_back(Org(2, 1, OrganizationKind::kSubordinateCell));
  facts_.members.push_back(Member(10, 2, /*probationary=*/true));
  facts_.members.push_back(Member(11, 2, /*probationary=*/false));  // already official
  facts_.members.push_back(Member(12, 99, /*probationary=*/true));  // a cell outside the subtree
  facts_.members.push_back(Member(13, 2, /*probationary=*/true));  // probation ends later
  for (int64_t id : {10, 11, 12}) probation_ends_[id] = Day(2025, 6, 2);
  probation_ends_[13] = Day(2025, 6, 9);
  // Probation ended Monday 2025-06-02; five working days after: Tue 3, (Wed 4 off), Thu 5, Fri 6,
  // Mon 9, Tue 10: due 2025-06-10. On the 10th it is not late yet; on the 11th, one day.
  EXPECT_TRUE(Compute(Day(2025, 6, 10), WarningKind::kProbationNotRecognized).empty());
  const std::vector<Warning> warnings = Compute(Day(2025, 6, 11), WarningKind::kProbationNotRecognized);
  ASSERT_EQ(warnings.size(), 1u);
  const Warning& w = warnings[0];
  EXPECT_EQ(w.subject, Warning::Subject::kMember);
  EXPECT_EQ(w.subject_id, 10);
  EXPECT_EQ(w.organization_id, 2);
  EXPECT_EQ(w.rule, "membership.recognition.within_working_days");
  EXPECT_EQ(w.citation, "QĐ 29-QĐ/TW mục 4");
  EXPECT_EQ(DueOf(w), "2025-06-10");
  EXPECT_EQ(w.days_overdue, 1);
}

TEST_F(WarningsTest, ProbationEndedBeforeTheRuleExistedRaisesNothing) {
  facts_.organizations.push_back(Org(2, 1, OrganizationKind::kSubordinateCell));
  facts_.members.push_back(Member(10, 2, /*probationary=*/true));
  probation_ends_[10] = Day(2016, 7, 1);  // the rule is in force from 2016-07-25
  EXPECT_TRUE(Compute(Day(2025, 6, 11), WarningKind::kProbationNotRecognized).empty());
}

TEST_F(WarningsTest, ThematicMeetingMissingInAnEndedQuarterTheCellExistedThrough) {
  OrganizationFacts a = Org(2, 1, OrganizationKind::kSubordinateCell);
  a.thematic_meetings = {Day(2025, 2, 10)};  // Q1 only
  OrganizationFacts founded = Org(3, 1, OrganizationKind::kSubordinateCell, Day(2025, 2, 1));
  founded.thematic_meetings = {Day(2025, 5, 12)};  // Q2; Q1 it did not exist through
  OrganizationFacts dissolved = Org(4, 1, OrganizationKind::kSubordinateCell, Day(2010, 1, 1), Day(2025, 5, 10));
  facts_.organizations.insert(facts_.organizations.end(), {a, founded, dissolved});
  // As of 2025-08-15 Q1 and Q2 have ended (Q3 has not). G is not a cell.
  const std::vector<Warning> warnings = Compute(Day(2025, 8, 15), WarningKind::kNoThematicMeeting);
  ASSERT_EQ(warnings.size(), 2u);
  // A missed Q2 (due 2025-06-30: 31 + 15 days late); the dissolved cell missed Q1, the only
  // quarter it existed through (due 2025-03-31: 30 + 31 + 30 + 31 + 15 = 137 days late).
  EXPECT_EQ(warnings[0].subject_id, 2);
  EXPECT_EQ(warnings[0].period, "2025-Q2");
  EXPECT_EQ(DueOf(warnings[0]), "2025-06-30");
  EXPECT_EQ(warnings[0].days_overdue, 46);
  EXPECT_EQ(warnings[0].rule, "meeting.thematic.per_quarter_min");
  EXPECT_EQ(warnings[1].subject_id, 4);
  EXPECT_EQ(warnings[1].period, "2025-Q1");
  EXPECT_EQ(DueOf(warnings[1]), "2025-03-31");
  EXPECT_EQ(warnings[1].days_overdue, 137);
  // Before any quarter has ended there is nothing to miss.
  EXPECT_TRUE(Compute(Day(2025, 3, 30), WarningKind::kNoThematicMeeting).empty());
}

TEST_F(WarningsTest, CommitteeWithoutAnInspectionProgramAdoptedByTheDay) {
  facts_.organizations[0].inspection_program_adopted_on = Day(2025, 5, 1);  // after D
  OrganizationFacts with_program = Org(2, 1, OrganizationKind::kSubordinateCell);
  with_program.inspection_program_adopted_on = Day(2025, 1, 20);
  OrganizationFacts founded = Org(3, 1, OrganizationKind::kSubordinateCell, Day(2025, 3, 1));
  OrganizationFacts partial = Org(4, 1, OrganizationKind::kPartialCommittee);  // owes none
  OrganizationFacts ended = Org(5, 1, OrganizationKind::kSubordinateCell, Day(2010, 1, 1), Day(2025, 2, 1));
  facts_.organizations.insert(facts_.organizations.end(), {with_program, founded, partial, ended});
  const std::vector<Warning> warnings = Compute(Day(2025, 4, 1), WarningKind::kNoInspectionProgram);
  ASSERT_EQ(warnings.size(), 2u);
  // G: due 2025-01-01, 31 + 28 + 31 = 90 days late; the cell founded 2025-03-01: 31 days.
  EXPECT_EQ(warnings[0].subject_id, 1);
  EXPECT_EQ(DueOf(warnings[0]), "2025-01-01");
  EXPECT_EQ(warnings[0].days_overdue, 90);
  EXPECT_EQ(warnings[0].period, "2025");
  EXPECT_EQ(warnings[0].rule, "plans/p/paragraphs/II.3.1/8");
  EXPECT_EQ(warnings[0].citation, "chương trình kiểm tra, giám sát");
  EXPECT_EQ(warnings[1].subject_id, 3);
  EXPECT_EQ(DueOf(warnings[1]), "2025-03-01");
  EXPECT_EQ(warnings[1].days_overdue, 31);
}

TEST_F(WarningsTest, ResidentialUnitWithNoCoveringCellOnTheDay) {
  auto unit = [](int64_t id, int64_t commune) {
    ResidentialUnitFacts u;
    u.id = id;
    u.commune_organization_id = commune;
    u.life = DatedRange{Day(2015, 1, 1), std::nullopt};
    return u;
  };
  ResidentialUnitFacts lost = unit(10, 1);  // covered until 2025-03-01
  lost.coverings.push_back({2, DatedRange{Day(2015, 1, 1), Day(2025, 3, 1)}, true});
  ResidentialUnitFacts covered = unit(11, 1);
  covered.coverings.push_back({2, DatedRange{Day(2015, 1, 1), std::nullopt}, true});
  ResidentialUnitFacts never = unit(12, 1);  // never covered: uncovered since it exists
  ResidentialUnitFacts ended = unit(13, 1);
  ended.life.to = Day(2025, 1, 1);
  ResidentialUnitFacts elsewhere = unit(14, 99);  // another commune
  facts_.units = {lost, covered, never, ended, elsewhere};
  const std::vector<Warning> warnings = Compute(Day(2025, 4, 1), WarningKind::kUnitWithoutCell);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].subject, Warning::Subject::kResidentialUnit);
  EXPECT_EQ(warnings[0].subject_id, 10);
  EXPECT_EQ(warnings[0].organization_id, 1);
  EXPECT_EQ(DueOf(warnings[0]), "2025-03-01");
  EXPECT_EQ(warnings[0].days_overdue, 31);
  EXPECT_EQ(warnings[0].rule, "plans/p/paragraphs/II.3.1/7");
  EXPECT_EQ(warnings[1].subject_id, 12);
  EXPECT_EQ(DueOf(warnings[1]), "2015-01-01");
}

TEST_F(WarningsTest, CellWithNineOfficialMembersAndNoElectedCommittee) {
  OrganizationFacts nine = Org(2, 1, OrganizationKind::kSubordinateCell);
  OrganizationFacts eight = Org(3, 1, OrganizationKind::kSubordinateCell);
  OrganizationFacts elected = Org(4, 1, OrganizationKind::kSubordinateCell);
  elected.committee_terms.push_back(CommitteeTerm{40, DatedRange{Day(2025, 1, 1), Day(2030, 1, 1)}, true});
  OrganizationFacts not_elected = Org(5, 1, OrganizationKind::kSubordinateCell);
  not_elected.committee_terms.push_back(CommitteeTerm{50, DatedRange{Day(2025, 1, 1), Day(2030, 1, 1)}, false});
  facts_.organizations.insert(facts_.organizations.end(), {nine, eight, elected, not_elected});
  int64_t id = 100;
  auto add = [&](int64_t cell, int official, int probationary) {
    for (int i = 0; i < official; ++i) facts_.members.push_back(Member(id++, cell));
    for (int i = 0; i < probationary; ++i) facts_.members.push_back(Member(id++, cell, true));
  };
  add(2, 9, 1);
  add(3, 8, 2);  // ten members, eight official: no duty
  add(4, 10, 0);
  add(5, 9, 0);
  const std::vector<Warning> warnings = Compute(Day(2025, 6, 1), WarningKind::kCellWithoutCommittee);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].subject_id, 2);
  EXPECT_EQ(warnings[1].subject_id, 5);
  EXPECT_EQ(warnings[0].rule, "org.cell.committee_required_min_official");
  EXPECT_EQ(warnings[0].citation, "Điều lệ Điều 24.4");
  EXPECT_FALSE(warnings[0].due_date.has_value());
  EXPECT_EQ(warnings[0].days_overdue, 0);
}

TEST_F(WarningsTest, WorkingMembersWithoutLastYearsResidenceFeedback) {
  // The subtree on 31 December 2024: a workplace cell 2 and a residential cell 3.
  SubtreeFacts previous;
  previous.root_id = 1;
  previous.working_categories = {kCivilService};
  previous.organizations.push_back(Org(1, std::nullopt, OrganizationKind::kGrassrootsCommittee));
  previous.organizations.push_back(Org(2, 1, OrganizationKind::kSubordinateCell));
  OrganizationFacts residential = Org(3, 1, OrganizationKind::kSubordinateCell);
  residential.residential_on_d = true;
  previous.organizations.push_back(residential);
  auto working = [](int64_t id, int64_t cell) {
    MemberFacts m;
    m.id = id;
    m.on_d = Standing(cell, true, kCivilService);
    return m;
  };
  MemberFacts with_feedback = working(10, 2);
  with_feedback.feedback_years = {2024};
  MemberFacts without = working(11, 2);
  MemberFacts exempt = working(12, 2);
  exempt.registration_exempt = true;
  MemberFacts in_residential_cell = working(13, 3);
  MemberFacts retired = working(14, 2);
  retired.on_d->occupation_category = 9;  // not a working category
  previous.members = {with_feedback, without, exempt, in_residential_cell, retired};
  // Judged on 2025-03-01: due 2024-12-31, 31 + 28 + 1 = 60 days late.
  const std::vector<Warning> warnings = Compute(Day(2025, 3, 1), WarningKind::kNoResidenceFeedback, &previous);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].subject, Warning::Subject::kMember);
  EXPECT_EQ(warnings[0].subject_id, 11);
  EXPECT_EQ(warnings[0].organization_id, 2);
  EXPECT_EQ(warnings[0].period, "2024");
  EXPECT_EQ(DueOf(warnings[0]), "2024-12-31");
  EXPECT_EQ(warnings[0].days_overdue, 60);
  EXPECT_EQ(warnings[0].rule, "membership.residence.working_categories");
  // No subtree last year (the root did not exist): nothing is owed.
  EXPECT_TRUE(Compute(Day(2025, 3, 1), WarningKind::kNoResidenceFeedback, nullptr).empty());
}

TEST_F(WarningsTest, PlanTasksPastTheirDate) {
  auto task = [](std::string id, std::string paragraph, std::string kind, std::optional<absl::CivilDay> date) {
    PlanTask t;
    t.id = std::move(id);
    t.paragraph = std::move(paragraph);
    t.text = "Triển khai " + t.id;
    t.deadline.kind = std::move(kind);
    t.deadline.as_written = "hoàn thành";
    t.deadline.date = date;
    return t;
  };
  plan_.tasks = {task("II.1/2", "II.1/2", "by_date", Day(2025, 3, 31)),
                 task("II.1/3", "II.1/3", "by_date", Day(2025, 6, 30)),  // due on D: not late yet
                 task("II.2", "II.2", "ongoing", std::nullopt),
                 task("II.3", "II.3", "done", Day(2024, 1, 1)),
                 task("II.3.1/11", "II.3.1/11", "by_date", Day(2023, 12, 31))};
  const std::vector<Warning> warnings = Compute(Day(2025, 6, 30), WarningKind::kPlanTaskOverdue);
  ASSERT_EQ(warnings.size(), 2u);
  // In the plan's order; 2025-03-31 is 30 + 31 + 30 = 91 days before D.
  EXPECT_EQ(warnings[0].task_id, "II.1/2");
  EXPECT_EQ(warnings[0].subject, Warning::Subject::kPlanTask);
  EXPECT_EQ(warnings[0].organization_id, 1);
  EXPECT_EQ(warnings[0].rule, "plans/p/paragraphs/II.1/2");
  EXPECT_EQ(warnings[0].citation, "Triển khai II.1/2");
  EXPECT_EQ(warnings[0].days_overdue, 91);
  EXPECT_EQ(warnings[1].task_id, "II.3.1/11");
  EXPECT_EQ(DueOf(warnings[1]), "2023-12-31");
  EXPECT_EQ(warnings[1].days_overdue, 547);  // 366 (2024) + 181 (to 2025-06-30)
}

TEST_F(WarningsTest, PlanTasksDoneOrNotApplicableOnTheDayAreNotLate) {
  PlanTask due;
  due.deadline.kind = "by_date";
  due.deadline.as_written = "hoàn thành trong năm 2024";
  due.deadline.date = Day(2024, 12, 31);
  plan_.tasks = {due, due, due, due};
  plan_.tasks[0].id = plan_.tasks[0].paragraph = "II.1/1";  // DONE on D: not late
  plan_.tasks[1].id = plan_.tasks[1].paragraph = "II.1/2";  // NOT_APPLICABLE on D: not late
  plan_.tasks[2].id = plan_.tasks[2].paragraph = "II.1/3";  // IN_PROGRESS: late
  plan_.tasks[3].id = plan_.tasks[3].paragraph = "II.1/4";  // nothing recorded: late
  task_states_ = {{"II.1/1", TaskState::kDone}, {"II.1/2", TaskState::kNotApplicable},
                  {"II.1/3", TaskState::kInProgress}};
  const std::vector<Warning> warnings = Compute(Day(2025, 6, 30), WarningKind::kPlanTaskOverdue);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].task_id, "II.1/3");
  EXPECT_EQ(warnings[1].task_id, "II.1/4");
}

TEST_F(WarningsTest, KindsFilterAndOrderByKind) {
  OrganizationFacts cell = Org(2, 1, OrganizationKind::kSubordinateCell);  // no meeting, no program
  facts_.organizations.push_back(cell);
  const Evaluation evaluation{2025, Day(2025, 4, 1), Day(2020, 1, 1)};
  WarningFacts inputs{&facts_, nullptr, {}};
  absl::StatusOr<std::vector<Warning>> all = ComputeWarnings(inputs, evaluation, plan_, rules_, calendar_);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::pair<WarningKind, int64_t>> listed;
  for (const Warning& w : *all) listed.emplace_back(w.kind, w.subject_id);
  const std::vector<std::pair<WarningKind, int64_t>> expected = {
      {WarningKind::kNoThematicMeeting, 2}, {WarningKind::kNoInspectionProgram, 1},
      {WarningKind::kNoInspectionProgram, 2}};
  EXPECT_EQ(listed, expected);
  EXPECT_TRUE(IsAboutMembers(WarningKind::kNoResidenceFeedback));
  EXPECT_FALSE(IsAboutMembers(WarningKind::kPlanTaskOverdue));
}

}  // namespace
}  // namespace grassroots::reporting::domain
