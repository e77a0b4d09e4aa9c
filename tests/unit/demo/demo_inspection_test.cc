// The demo's inspection caseload as data: its shape (programs with gaps, cases in every
// status, one expulsion and its appeal, petitions) and the dates the service's rules need.
#include "services/demo/demo_inspection.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace grassroots::demo {
namespace {

struct Plans {
  Plan org = BuildPlan();
  MembersPlan members = BuildMembersPlan(org);
  FactsPlan facts = BuildFactsPlan(org, members);
  InspectionPlan inspection = BuildInspectionPlan(org, members, facts);
};

const Plans& ThePlans() {
  static const Plans plans;
  return plans;
}
const InspectionPlan& TheCaseload() { return ThePlans().inspection; }

absl::CivilDay DayOf(const std::string& text) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(text, &day)) << "not a date: '" << text << "'";
  return day;
}

// The day the demo is shown: nothing in it may lie after it.
constexpr char kToday[] = "2026-12-04";

TEST(DemoInspection, IsDeterministic) {
  const Plans again;
  const InspectionPlan& plan = TheCaseload();
  ASSERT_EQ(plan.programs.size(), again.inspection.programs.size());
  for (size_t i = 0; i < plan.programs.size(); ++i) {
    EXPECT_EQ(plan.programs[i].org_code, again.inspection.programs[i].org_code);
    EXPECT_EQ(plan.programs[i].items.size(), again.inspection.programs[i].items.size());
  }
  ASSERT_EQ(plan.cases.size(), again.inspection.cases.size());
  for (size_t i = 0; i < plan.cases.size(); ++i) {
    EXPECT_EQ(plan.cases[i].opening.number, again.inspection.cases[i].opening.number);
    EXPECT_EQ(plan.cases[i].subject_org_code, again.inspection.cases[i].subject_org_code);
    EXPECT_EQ(plan.cases[i].subject_member.external_id, again.inspection.cases[i].subject_member.external_id);
  }
  ASSERT_EQ(plan.decisions.size(), again.inspection.decisions.size());
  for (size_t i = 0; i < plan.decisions.size(); ++i) {
    EXPECT_EQ(plan.decisions[i].member.external_id, again.inspection.decisions[i].member.external_id);
  }
}

TEST(DemoInspection, MostOrganizationsThatMustPlanHaveAProgramEachYearAndAFewDoNot) {
  const Plans& plans = ThePlans();
  const InspectionPlan& plan = plans.inspection;
  std::map<std::string, const Org*> orgs;
  for (const Org& org : plans.org.organizations) orgs[org.code] = &org;
  std::set<std::pair<std::string, int>> with;
  for (const PlannedProgram& program : plan.programs) {
    EXPECT_TRUE(with.insert({program.org_code, program.year}).second) << program.org_code << " " << program.year;
    const Org& org = *orgs.at(program.org_code);
    EXPECT_TRUE(MustHaveProgram(org)) << org.code;
    EXPECT_GE(program.items.size(), 2u);
    EXPECT_LE(program.items.size(), 6u);
    // Adopted late in the year before or during the year, while the organization is active.
    const absl::CivilDay adopted = DayOf(program.adopted_on);
    EXPECT_GE(adopted.year(), program.year - 1);
    EXPECT_LE(adopted.year(), program.year);
    EXPECT_GE(program.adopted_on, org.established_on) << org.code;
    if (!org.active_until.empty()) {
      EXPECT_LT(program.adopted_on, org.active_until) << org.code;
    }
    for (const PlannedProgramItem& item : program.items) {
      EXPECT_GE(item.quarter, 1);
      EXPECT_LE(item.quarter, 4);
      // A chi bộ acts only as itself; supervision is never "on signs of violation".
      if (IsCellType(org.type)) {
        EXPECT_EQ(item.lead, iv1::CONDUCTOR_COMMITTEE) << org.code;
      }
      EXPECT_FALSE(item.kind == iv1::CASE_KIND_SUPERVISION && item.basis == iv1::CASE_BASIS_SIGNS_OF_VIOLATION);
    }
  }
  std::map<int, int> gaps;
  for (const auto& [code, year] : plan.without_program) {
    EXPECT_EQ(with.count({code, year}), 0u) << code << " " << year;
    EXPECT_TRUE(MustHaveProgram(*orgs.at(code)));
    ++gaps[year];
  }
  for (int year = kInspectionFirstYear; year <= kInspectionLastYear; ++year) {
    const int planned = static_cast<int>(std::count_if(plan.programs.begin(), plan.programs.end(),
                                                       [&](const PlannedProgram& p) { return p.year == year; }));
    EXPECT_GT(gaps[year], 0) << year;
    EXPECT_LT(gaps[year] * 8, planned) << year << ": most organizations plan";
  }
}

TEST(DemoInspection, CasesRunInEveryStatusWithDatesInTheirOrder) {
  const InspectionPlan& plan = TheCaseload();
  EXPECT_GE(plan.cases.size(), 30u);
  std::set<std::string> keys, numbers;
  std::map<iv1::CaseStatus, int> by_status;
  int finance = 0, linked = 0;
  for (const PlannedCase& c : plan.cases) {
    SCOPED_TRACE(c.key);
    EXPECT_TRUE(keys.insert(c.key).second);
    EXPECT_TRUE(numbers.insert(c.opening.number).second);
    ++by_status[c.final_status];
    finance += c.kind == iv1::CASE_KIND_FINANCE_INSPECTION ? 1 : 0;
    linked += c.program_item >= 0 ? 1 : 0;
    EXPECT_NE(c.subject_org_code.empty(), c.subject_member.empty()) << "exactly one subject";
    if (c.basis == iv1::CASE_BASIS_SIGNS_OF_VIOLATION || c.finance) {
      EXPECT_EQ(c.conductor, iv1::CONDUCTOR_INSPECTION_COMMISSION);
    }
    EXPECT_EQ(c.finance, c.kind == iv1::CASE_KIND_FINANCE_INSPECTION);
    EXPECT_LE(c.opening.signed_on, c.period_start);
    EXPECT_LE(c.period_start, c.period_end);
    if (c.final_status != iv1::CASE_STATUS_OPENED) {
      EXPECT_GE(c.started_on, c.opening.signed_on);
    }
    if (c.final_status == iv1::CASE_STATUS_CANCELLED) {
      EXPECT_FALSE(c.cancel_reason.empty());
    }
    const bool concluded = c.final_status == iv1::CASE_STATUS_CONCLUDED || c.final_status == iv1::CASE_STATUS_CLOSED;
    if (!concluded) continue;
    EXPECT_GE(c.concluded_on, c.period_start);
    EXPECT_LE(c.concluded_on, kToday);
    EXPECT_FALSE(c.findings.empty());
    EXPECT_FALSE(c.conclusion.empty());
    for (const PlannedRecommendation& r : c.recommendations) {
      EXPECT_GE(r.deadline, c.concluded_on);
      if (r.outcome == iv1::RECOMMENDATION_STATUS_OPEN) {
        EXPECT_EQ(c.final_status, iv1::CASE_STATUS_CONCLUDED) << "a closed case has no open recommendation";
        continue;
      }
      EXPECT_GE(r.settled_on, c.concluded_on);
      EXPECT_LE(r.settled_on, kToday);
      if (r.outcome == iv1::RECOMMENDATION_STATUS_DROPPED) {
        EXPECT_FALSE(r.note.empty());
      }
      if (c.final_status == iv1::CASE_STATUS_CLOSED) {
        EXPECT_GE(c.closed_on, r.settled_on);
      }
    }
  }
  for (auto status : {iv1::CASE_STATUS_OPENED, iv1::CASE_STATUS_IN_PROGRESS, iv1::CASE_STATUS_CONCLUDED,
                      iv1::CASE_STATUS_CLOSED}) {
    EXPECT_GT(by_status[status], 0) << iv1::CaseStatus_Name(status);
  }
  EXPECT_EQ(by_status[iv1::CASE_STATUS_CANCELLED], 1);
  EXPECT_EQ(finance, 2);
  EXPECT_GT(linked, 5);
}

TEST(DemoInspection, OneSteadyOfficialMemberIsExpelledAfterHisHistoryAndAppealsInTime) {
  const Plans& plans = ThePlans();
  const InspectionPlan& plan = plans.inspection;
  int expulsions = 0;
  std::set<std::string> numbers;
  for (const PlannedDiscipline& d : plan.decisions) {
    SCOPED_TRACE(d.key);
    EXPECT_TRUE(numbers.insert(d.decision.number).second);
    EXPECT_FALSE(d.member.empty());
    expulsions += d.form == iv1::DISCIPLINE_FORM_EXPULSION ? 1 : 0;
    // Within the shortest limitation period (5 years from the end of the violation).
    EXPECT_LT(d.violation_ended_on, d.decision.signed_on);
    EXPECT_LT(DayOf(d.decision.signed_on) - DayOf(d.violation_ended_on), 5 * 365);
    if (!d.case_key.empty()) {
      const auto c = std::find_if(plan.cases.begin(), plan.cases.end(),
                                  [&](const PlannedCase& pc) { return pc.key == d.case_key; });
      ASSERT_NE(c, plan.cases.end());
      EXPECT_GT(d.decision.signed_on, c->concluded_on);
      EXPECT_EQ(c->subject_member.external_id, d.member.external_id);
    }
  }
  EXPECT_EQ(expulsions, 1);
  ASSERT_LT(plan.expulsion, plan.decisions.size());
  const PlannedDiscipline& expulsion = plan.decisions[plan.expulsion];
  EXPECT_EQ(expulsion.form, iv1::DISCIPLINE_FORM_EXPULSION);
  // The only appeal: filed within a month of receipt, upheld (the expulsion stands).
  EXPECT_EQ(std::count_if(plan.decisions.begin(), plan.decisions.end(), [](const PlannedDiscipline& d) { return d.appealed; }),
            1);
  ASSERT_TRUE(expulsion.appealed);
  EXPECT_GE(expulsion.appeal.decision_received_on, expulsion.decision.signed_on);
  EXPECT_LE(DayOf(expulsion.appeal.filed_on), DayOf(expulsion.appeal.decision_received_on) + 28);
  EXPECT_EQ(expulsion.appeal.outcome, iv1::APPEAL_OUTCOME_UPHELD);
  EXPECT_GT(expulsion.appeal.resolved_on, expulsion.appeal.filed_on);
  EXPECT_LE(expulsion.appeal.resolved_on, kToday);
  // An official member on file since 2020, with nothing in the history after the decision
  // (membership refuses an ending dated before a member's latest event).
  const auto member = std::find_if(plans.members.members.begin(), plans.members.members.end(), [&](const PlannedMember& m) {
    return m.person.external_id == expulsion.member.external_id;
  });
  ASSERT_NE(member, plans.members.members.end());
  EXPECT_EQ(member->status, mv1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(member->person.citizen_id, expulsion.member.citizen_id);
  EXPECT_NE(member->cell_code, plans.facts.merge.source_code);
  for (const Action& action : member->actions) {
    EXPECT_FALSE(action.IsLifecycle()) << action.date;
    EXPECT_LT(action.date, expulsion.decision.signed_on);
  }
}

TEST(DemoInspection, PetitionsCoverFeedbackADenunciationAndAnAnonymousOne) {
  const InspectionPlan& plan = TheCaseload();
  std::set<std::string> summaries;
  int anonymous = 0, denunciations = 0, answered = 0, open = 0;
  for (const PlannedPetition& p : plan.petitions) {
    SCOPED_TRACE(p.key);
    EXPECT_TRUE(summaries.insert(p.summary).second);
    EXPECT_EQ(p.anonymous, p.filer_name.empty());
    if (p.anonymous) {
      ++anonymous;
      EXPECT_EQ(p.kind, iv1::PETITION_KIND_DENUNCIATION);
      EXPECT_EQ(p.final_status, iv1::PETITION_STATUS_CLOSED);
      EXPECT_TRUE(p.answer.empty());
      continue;
    }
    denunciations += p.kind == iv1::PETITION_KIND_DENUNCIATION ? 1 : 0;
    EXPECT_FALSE(p.assignee.empty());
    EXPECT_GE(p.assigned_on, p.received_on);
    // Feedback gets the deadline the commission sets; a denunciation's comes from the rules.
    EXPECT_EQ(p.answer_by.empty(), p.kind != iv1::PETITION_KIND_FEEDBACK);
    if (p.final_status == iv1::PETITION_STATUS_ANSWERED) {
      ++answered;
      EXPECT_GE(p.answered_on, p.assigned_on);
      if (!p.answer_by.empty()) {
        EXPECT_LE(p.answered_on, p.answer_by);
      }
    } else {
      ++open;
      // Open at the end of 2025, due within two weeks.
      EXPECT_EQ(p.final_status, iv1::PETITION_STATUS_ASSIGNED);
      EXPECT_GT(p.answer_by, "2025-12-31");
      EXPECT_LE(DayOf(p.answer_by) - DayOf("2025-12-31"), 14);
    }
  }
  EXPECT_EQ(anonymous, 1);
  EXPECT_EQ(denunciations, 1);
  EXPECT_EQ(open, 1);
  EXPECT_GE(answered, 4);
}

}  // namespace
}  // namespace grassroots::demo
