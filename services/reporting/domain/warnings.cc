#include "services/reporting/domain/warnings.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace grassroots::reporting::domain {
namespace {

constexpr char kRuleRecognitionDays[] = "membership.recognition.within_working_days";
constexpr char kRuleThematicPerQuarter[] = "meeting.thematic.per_quarter_min";
constexpr char kRuleCommitteeMinOfficial[] = "org.cell.committee_required_min_official";
constexpr char kRuleWorkingCategories[] = "membership.residence.working_categories";
constexpr char kDeadlineByDate[] = "by_date";

std::string Date(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// An integer rule in force on a day, with its record.
struct IntRule {
  const common::Rule* rule = nullptr;
  int64_t value = 0;
};

// None when no version is in force on `day` (the duty did not exist then).
absl::StatusOr<std::optional<IntRule>> IntRuleOn(const common::RulesRegistry& rules, std::string_view id,
                                                 absl::CivilDay day) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(id, day);
  if (absl::IsNotFound(rule.status())) return std::nullopt;
  GR_RETURN_IF_ERROR(rule.status());
  if (!(*rule)->value.is_number_integer() || (*rule)->value.get<int64_t>() < 0) {
    return absl::InternalError(absl::StrCat("rule ", std::string(id), " is not a non-negative integer"));
  }
  return IntRule{*rule, (*rule)->value.get<int64_t>()};
}

DatedRange Life(const OrganizationFacts& organization) {
  return DatedRange{organization.established_on, organization.ended_on};
}

absl::CivilDay QuarterStart(int year, int quarter) { return absl::CivilDay(year, 3 * quarter - 2, 1); }
absl::CivilDay QuarterEnd(int year, int quarter) {
  return absl::CivilDay(absl::CivilMonth(year, 3 * quarter) + 1) - 1;
}

// The warnings of one evaluation, collected kind by kind.
class WarningBuilder {
 public:
  WarningBuilder(const WarningFacts& facts, const Evaluation& evaluation, const Plan& plan,
                 const common::RulesRegistry& rules, const common::WorkingCalendar& calendar)
      : facts_(*facts.on_day), inputs_(facts), evaluation_(evaluation), plan_(plan), rules_(rules),
        calendar_(calendar) {
    for (const OrganizationFacts& organization : facts_.organizations) in_subtree_.insert(organization.id);
  }

  absl::Status Add(WarningKind kind) {
    switch (kind) {
      case WarningKind::kProbationNotRecognized: return AddProbations();
      case WarningKind::kNoThematicMeeting: return AddThematicMeetings();
      case WarningKind::kNoInspectionProgram: AddInspectionPrograms(); return absl::OkStatus();
      case WarningKind::kUnitWithoutCell: AddUncoveredUnits(); return absl::OkStatus();
      case WarningKind::kCellWithoutCommittee: return AddCellsWithoutCommittee();
      case WarningKind::kNoResidenceFeedback: return AddMissingFeedback();
      case WarningKind::kPlanTaskOverdue: AddOverdueTasks(); return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  std::vector<Warning> Take() && {
    std::sort(warnings_.begin(), warnings_.end(), [](const Warning& a, const Warning& b) {
      auto key = [](const Warning& w) {
        return std::tie(w.kind, w.organization_id, w.subject_id, w.position, w.task_id);
      };
      return key(a) < key(b);
    });
    return std::move(warnings_);
  }

 private:
  absl::CivilDay as_of() const { return evaluation_.as_of; }

  Warning& New(WarningKind kind, Warning::Subject subject, int64_t subject_id, int64_t organization_id) {
    Warning& warning = warnings_.emplace_back();
    warning.kind = kind;
    warning.subject = subject;
    warning.subject_id = subject_id;
    warning.organization_id = organization_id;
    return warning;
  }

  void SetDue(Warning& warning, absl::CivilDay due) const {
    warning.due_date = due;
    warning.days_overdue = std::max<int64_t>(0, as_of() - due);
  }

  static void CiteRule(Warning& warning, const common::Rule& rule) {
    warning.rule = rule.id;
    warning.citation = rule.citation;
  }

  // The plan's paragraph that sets the target of `indicator` (S9, S12): the
  // duty the warning cites when the registry has no rule for it.
  void CiteTarget(Warning& warning, Indicator indicator) const {
    const Target* target = plan_.FindTarget(indicator);
    if (target == nullptr) return;
    warning.rule = PlanParagraphRule(plan_, target->paragraph);
    warning.citation = target->text;
  }

  absl::Status AddProbations() {
    for (const MemberFacts& member : facts_.members) {
      if (!member.on_d || !member.on_d->counted || !member.on_d->probationary ||
          !in_subtree_.contains(member.on_d->cell_id))
        continue;
      auto end = inputs_.probation_end_dates.find(member.id);
      if (end == inputs_.probation_end_dates.end()) continue;
      // The rule in force when the probation ended sets the window.
      GR_ASSIGN_OR_RETURN(const std::optional<IntRule> window, IntRuleOn(rules_, kRuleRecognitionDays, end->second));
      if (!window) continue;
      const absl::CivilDay due = calendar_.AddWorkingDays(end->second, static_cast<int>(window->value));
      if (as_of() <= due) continue;
      Warning& warning = New(WarningKind::kProbationNotRecognized, Warning::Subject::kMember, member.id,
                             member.on_d->cell_id);
      CiteRule(warning, *window->rule);
      SetDue(warning, due);
      warning.detail = absl::StrCat("hết thời gian dự bị ngày ", Date(end->second),
                                    ", chưa được xét công nhận đảng viên chính thức trong ", window->value,
                                    " ngày làm việc (hạn ", Date(due), ")");
    }
    return absl::OkStatus();
  }

  absl::Status AddThematicMeetings() {
    const int year = evaluation_.year;
    for (int quarter = 1; quarter <= 4 && QuarterEnd(year, quarter) <= as_of(); ++quarter) {
      const absl::CivilDay first = QuarterStart(year, quarter);
      const absl::CivilDay last = QuarterEnd(year, quarter);
      GR_ASSIGN_OR_RETURN(const std::optional<IntRule> minimum, IntRuleOn(rules_, kRuleThematicPerQuarter, last));
      if (!minimum) continue;
      for (const OrganizationFacts& cell : facts_.organizations) {
        // Only quarters the cell existed through: a cell founded or dissolved
        // within a quarter owes no meeting for it.
        if (!IsCell(cell.kind) || !Life(cell).Covers(first) || !Life(cell).Covers(last)) continue;
        const int64_t held = std::count_if(cell.thematic_meetings.begin(), cell.thematic_meetings.end(),
                                           [&](absl::CivilDay day) { return first <= day && day <= last; });
        if (held >= minimum->value) continue;
        Warning& warning = New(WarningKind::kNoThematicMeeting, Warning::Subject::kOrganization, cell.id, cell.id);
        CiteRule(warning, *minimum->rule);
        SetDue(warning, last);
        warning.period = absl::StrCat(year, "-Q", quarter);
        warning.position = quarter;
        warning.detail = absl::StrCat("quý ", quarter, "/", year, " có ", held, " buổi sinh hoạt chuyên đề, tối thiểu ",
                                      minimum->value);
      }
    }
    return absl::OkStatus();
  }

  void AddInspectionPrograms() {
    const absl::CivilDay year_start(evaluation_.year, 1, 1);
    for (const OrganizationFacts& organization : facts_.organizations) {
      const bool owes_program = organization.kind == OrganizationKind::kGrassrootsCommittee ||
                                organization.kind == OrganizationKind::kGrassrootsCell ||
                                organization.kind == OrganizationKind::kSubordinateCell;
      if (!owes_program || !Life(organization).Covers(as_of())) continue;
      if (organization.inspection_program_adopted_on && *organization.inspection_program_adopted_on <= as_of())
        continue;
      Warning& warning = New(WarningKind::kNoInspectionProgram, Warning::Subject::kOrganization, organization.id,
                             organization.id);
      CiteTarget(warning, Indicator::kS12);
      // The program is for the whole year: due from its first day, or from
      // the founding of an organization founded during it.
      SetDue(warning, std::max(year_start, organization.established_on));
      warning.period = absl::StrCat(evaluation_.year);
      warning.detail = absl::StrCat("chưa có chương trình kiểm tra, giám sát năm ", evaluation_.year);
    }
  }

  void AddUncoveredUnits() {
    for (const ResidentialUnitFacts& unit : facts_.units) {
      if (!unit.life.Covers(as_of()) || !in_subtree_.contains(unit.commune_organization_id)) continue;
      bool covered = false;
      absl::CivilDay uncovered_since = unit.life.from;
      for (const ResidentialUnitFacts::Covering& covering : unit.coverings) {
        if (covering.range.Covers(as_of()) && covering.cell_active_on_d) covered = true;
        if (covering.range.to && *covering.range.to <= as_of())
          uncovered_since = std::max(uncovered_since, *covering.range.to);
      }
      if (covered) continue;
      Warning& warning = New(WarningKind::kUnitWithoutCell, Warning::Subject::kResidentialUnit, unit.id,
                             unit.commune_organization_id);
      CiteTarget(warning, Indicator::kS9);
      SetDue(warning, uncovered_since);
      warning.detail = absl::StrCat("không có chi bộ phụ trách đang hoạt động (từ ", Date(uncovered_since), ")");
    }
  }

  absl::Status AddCellsWithoutCommittee() {
    GR_ASSIGN_OR_RETURN(const std::optional<IntRule> minimum, IntRuleOn(rules_, kRuleCommitteeMinOfficial, as_of()));
    if (!minimum) return absl::OkStatus();
    std::map<int64_t, int64_t> official_by_cell;
    for (const MemberFacts& member : facts_.members) {
      if (member.on_d && member.on_d->counted && !member.on_d->probationary) ++official_by_cell[member.on_d->cell_id];
    }
    for (const OrganizationFacts& cell : facts_.organizations) {
      if (!IsCell(cell.kind) || !Life(cell).Covers(as_of())) continue;
      const int64_t official = official_by_cell[cell.id];
      if (official < minimum->value) continue;
      const bool has_committee = std::any_of(cell.committee_terms.begin(), cell.committee_terms.end(),
                                             [&](const CommitteeTerm& term) {
                                               return term.elected_committee && term.range.Covers(as_of());
                                             });
      if (has_committee) continue;
      Warning& warning = New(WarningKind::kCellWithoutCommittee, Warning::Subject::kOrganization, cell.id, cell.id);
      CiteRule(warning, *minimum->rule);
      warning.detail = absl::StrCat("có ", official, " đảng viên chính thức (từ ", minimum->value,
                                    " phải bầu chi ủy), chưa có cấp ủy");
    }
    return absl::OkStatus();
  }

  // The scorecard's S2b of Y-1 decides who owed feedback: its shortfalls.
  absl::Status AddMissingFeedback() {
    if (inputs_.previous_year_end == nullptr) return absl::OkStatus();
    const int year = evaluation_.year - 1;
    const absl::CivilDay year_end(year, 12, 31);
    const Evaluation previous{year, year_end, evaluation_.term_from};
    // Who works where is the rule's; without it in force S2b counts nobody.
    const absl::StatusOr<const common::Rule*> rule = rules_.Find(kRuleWorkingCategories, year_end);
    if (absl::IsNotFound(rule.status())) return absl::OkStatus();
    GR_RETURN_IF_ERROR(rule.status());
    for (const IndicatorCount& count : ComputeIndicators(*inputs_.previous_year_end, previous)) {
      if (count.indicator != Indicator::kS2b) continue;
      for (const Contribution& contribution : count.contributions) {
        if (contribution.in_numerator) continue;
        Warning& warning = New(WarningKind::kNoResidenceFeedback, Warning::Subject::kMember, contribution.id,
                               contribution.organization_id);
        CiteRule(warning, **rule);
        SetDue(warning, year_end);
        warning.period = absl::StrCat(year);
        warning.detail = absl::StrCat("chưa có nhận xét của chi bộ, chi ủy nơi cư trú năm ", year);
      }
    }
    return absl::OkStatus();
  }

  void AddOverdueTasks() {
    for (size_t index = 0; index < plan_.tasks.size(); ++index) {
      const PlanTask& task = plan_.tasks[index];
      if (task.deadline.kind != kDeadlineByDate || !task.deadline.date || *task.deadline.date >= as_of()) continue;
      // Done or not applicable for the organization on D (its recorded status): nothing is late.
      auto state = inputs_.task_states.find(task.id);
      if (state != inputs_.task_states.end() && IsSettled(state->second)) continue;
      Warning& warning = New(WarningKind::kPlanTaskOverdue, Warning::Subject::kPlanTask, 0, facts_.root_id);
      warning.task_id = task.id;
      warning.position = static_cast<int>(index);
      warning.rule = PlanParagraphRule(plan_, task.paragraph);
      warning.citation = task.text;
      SetDue(warning, *task.deadline.date);
      warning.detail = absl::StrCat("nhiệm vụ quá hạn (", task.deadline.as_written, ")");
    }
  }

  const SubtreeFacts& facts_;
  const WarningFacts& inputs_;
  const Evaluation& evaluation_;
  const Plan& plan_;
  const common::RulesRegistry& rules_;
  const common::WorkingCalendar& calendar_;
  absl::flat_hash_set<int64_t> in_subtree_;
  std::vector<Warning> warnings_;
};

}  // namespace

const std::vector<WarningKind>& AllWarningKinds() {
  static const std::vector<WarningKind> all = {
      WarningKind::kProbationNotRecognized, WarningKind::kNoThematicMeeting,   WarningKind::kNoInspectionProgram,
      WarningKind::kUnitWithoutCell,        WarningKind::kCellWithoutCommittee, WarningKind::kNoResidenceFeedback,
      WarningKind::kPlanTaskOverdue,
  };
  return all;
}

bool IsAboutMembers(WarningKind kind) {
  return kind == WarningKind::kProbationNotRecognized || kind == WarningKind::kNoResidenceFeedback;
}

std::string PlanParagraphRule(const Plan& plan, std::string_view paragraph) {
  return absl::StrCat("plans/", plan.id, "/paragraphs/", std::string(paragraph));
}

absl::StatusOr<std::vector<Warning>> ComputeWarnings(const WarningFacts& facts, const Evaluation& evaluation,
                                                     const Plan& plan, const common::RulesRegistry& rules,
                                                     const common::WorkingCalendar& calendar,
                                                     const std::set<WarningKind>& kinds) {
  if (facts.on_day == nullptr) return absl::InvalidArgumentError("the subtree's facts on the day are required");
  WarningBuilder builder(facts, evaluation, plan, rules, calendar);
  for (WarningKind kind : AllWarningKinds()) {
    if (kinds.empty() || kinds.contains(kind)) GR_RETURN_IF_ERROR(builder.Add(kind));
  }
  return std::move(builder).Take();
}

}  // namespace grassroots::reporting::domain
