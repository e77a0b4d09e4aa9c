#include "services/membership/domain/alerts.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

using common::api::FormatDate;

constexpr char kRuleRecognitionDays[] = "membership.recognition.within_working_days";
constexpr char kRuleCeremonyDays[] = "membership.admission.ceremony_within_working_days";
constexpr char kRulePresentDays[] = "membership.transfer.present_within_days";
constexpr char kRuleTemporaryWorkMonths[] = "membership.transfer.temporary_work_months";
constexpr char kRuleTemporaryTrainingMonths[] = "membership.transfer.temporary_training_months";
constexpr char kRuleWorkingCategories[] = "membership.residence.working_categories";
constexpr char kCategoryPrefix[] = "OCCUPATION_CATEGORY_";

absl::StatusOr<const common::Rule*> RuleInForce(const common::RulesRegistry& rules, const char* id,
                                                absl::CivilDay day) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(id, day);
  if (rule.ok()) return *rule;
  if (absl::IsNotFound(rule.status())) return nullptr;
  return rule.status();
}

absl::StatusOr<int64_t> IntOf(const common::Rule& rule) {
  if (!rule.value.is_number_integer() || rule.value.get<int64_t>() < 0) {
    return absl::InternalError(absl::StrCat("rule ", rule.id, " is not a non-negative integer"));
  }
  return rule.value.get<int64_t>();
}

// The smallest value any version of an integer rule has (nullopt: no version):
// the widest net for the store's candidate query.
absl::StatusOr<std::optional<int64_t>> SmallestValue(const common::RulesRegistry& rules, std::string_view id) {
  std::optional<int64_t> smallest;
  for (const common::Rule& rule : rules.all()) {
    if (rule.id != id) continue;
    GR_ASSIGN_OR_RETURN(const int64_t value, IntOf(rule));
    smallest = smallest ? std::min(*smallest, value) : value;
  }
  return smallest;
}

// The latest start day whose `n`-th working day after is before `as_of`.
absl::CivilDay LatestOverdueStart(const common::WorkingCalendar& calendar, absl::CivilDay as_of, int n) {
  absl::CivilDay start = as_of - 1;
  while (calendar.AddWorkingDays(start, n) >= as_of) --start;
  return start;
}

std::string CategoryName(v1::OccupationCategory category) {
  std::string name = v1::OccupationCategory_Name(category);
  if (name.rfind(kCategoryPrefix, 0) == 0) name.erase(0, sizeof(kCategoryPrefix) - 1);
  return name;
}

// The working-category rule in force on `day`, when it covers the subject's category.
absl::StatusOr<const common::Rule*> WorkingRule(const common::RulesRegistry& rules, absl::CivilDay day,
                                                v1::OccupationCategory category) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, kRuleWorkingCategories, day));
  if (rule == nullptr) return nullptr;
  GR_ASSIGN_OR_RETURN(const std::vector<std::string> names, rules.GetStringList(kRuleWorkingCategories, day));
  const std::string name = CategoryName(category);
  return std::find(names.begin(), names.end(), name) != names.end() ? rule : nullptr;
}

Alert Base(v1::AlertKind kind, const AlertSubject& subject) {
  Alert alert;
  alert.kind = kind;
  alert.member_id = subject.member_id;
  alert.full_name = subject.full_name;
  alert.cell_id = subject.state.cell_id;
  return alert;
}

void Finish(Alert& alert, absl::CivilDay due, const AlertQuery& query, const common::Rule* rule) {
  alert.due_date = due;
  alert.days_overdue = static_cast<int32_t>(std::max<absl::civil_diff_t>(0, query.as_of - due));
  if (rule != nullptr) {
    alert.rule_id = rule->id;
    alert.citation = rule->citation;
  }
}

}  // namespace

Alert DuesArrearsAlert(const AlertSubject& subject, const Arrears& arrears, const AlertQuery& query) {
  Alert alert = Base(v1::ALERT_KIND_DUES_ARREARS, subject);
  std::vector<std::string> months;
  for (absl::CivilMonth month : arrears.months) months.push_back(FormatMonth(month));
  alert.detail = absl::StrCat("dues unpaid for ", absl::StrJoin(months, ", "), " with no recorded reason");
  alert.due_date = arrears.reached_on;
  alert.days_overdue = static_cast<int32_t>(std::max<absl::civil_diff_t>(0, query.as_of - arrears.reached_on));
  alert.rule_id = arrears.rule_id;
  alert.citation = arrears.citation;
  return alert;
}

std::vector<v1::AlertKind> AllAlertKinds() {
  return {v1::ALERT_KIND_PROBATION_OVERDUE,          v1::ALERT_KIND_CEREMONY_OVERDUE,
          v1::ALERT_KIND_TRANSFER_NOT_PRESENTED,     v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK,
          v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION,  v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED,
          v1::ALERT_KIND_UNMAPPED_CODE,            v1::ALERT_KIND_AWAITING_PLACEMENT,
          v1::ALERT_KIND_DUES_ARREARS};
}

absl::StatusOr<AlertCutoffs> CutoffsFor(const AlertQuery& query, const common::RulesRegistry& rules,
                                        const common::WorkingCalendar& calendar) {
  AlertCutoffs cutoffs;
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> recognition_days, SmallestValue(rules, kRuleRecognitionDays));
  if (recognition_days) {
    cutoffs.probation_end_on_or_before =
        LatestOverdueStart(calendar, query.as_of, static_cast<int>(*recognition_days));
  }
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> ceremony_days, SmallestValue(rules, kRuleCeremonyDays));
  if (ceremony_days) {
    cutoffs.decision_on_or_before = LatestOverdueStart(calendar, query.as_of, static_cast<int>(*ceremony_days));
  }
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> present_days, SmallestValue(rules, kRulePresentDays));
  // Overdue when as_of > introduced + days, i.e. introduced <= as_of - days - 1.
  if (present_days) cutoffs.introduced_on_or_before = query.as_of - (*present_days + 1);
  cutoffs.planned_end_before = query.as_of;
  std::set<v1::OccupationCategory> categories;
  for (const common::Rule& rule : rules.all()) {
    if (rule.id != kRuleWorkingCategories || !rule.value.is_array()) continue;
    for (const auto& name : rule.value) {
      v1::OccupationCategory category = v1::OCCUPATION_CATEGORY_UNSPECIFIED;
      if (name.is_string() &&
          v1::OccupationCategory_Parse(absl::StrCat(kCategoryPrefix, name.get<std::string>()), &category)) {
        categories.insert(category);
      }
    }
  }
  cutoffs.working_categories.assign(categories.begin(), categories.end());
  return cutoffs;
}

absl::CivilDay ResidenceDutyDay(v1::AlertKind kind, const AlertQuery& query) {
  if (kind != v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK) return query.as_of;
  return std::min(query.as_of, absl::CivilDay(query.feedback_year, 12, 31));
}

absl::StatusOr<std::optional<Alert>> Evaluate(v1::AlertKind kind, const AlertSubject& subject,
                                              const AlertQuery& query, const common::RulesRegistry& rules,
                                              const common::WorkingCalendar& calendar) {
  const MemberState& s = subject.state;
  Alert alert = Base(kind, subject);
  switch (kind) {
    case v1::ALERT_KIND_PROBATION_OVERDUE: {
      if (s.status != v1::MEMBER_STATUS_PROBATIONARY || !s.probation_end_date) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, kRuleRecognitionDays, *s.probation_end_date));
      if (rule == nullptr) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const int64_t days, IntOf(*rule));
      const absl::CivilDay due = calendar.AddWorkingDays(*s.probation_end_date, static_cast<int>(days));
      if (query.as_of <= due) return std::nullopt;
      alert.detail = absl::StrCat("probation ended on ", FormatDate(*s.probation_end_date),
                                  "; recognition was to be considered within ", days, " working days, by ",
                                  FormatDate(due));
      Finish(alert, due, query, rule);
      return alert;
    }
    case v1::ALERT_KIND_CEREMONY_OVERDUE: {
      if (s.status != v1::MEMBER_STATUS_ADMITTED || !s.admission_decision_date) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, kRuleCeremonyDays, *s.admission_decision_date));
      if (rule == nullptr) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const int64_t days, IntOf(*rule));
      const absl::CivilDay due = calendar.AddWorkingDays(*s.admission_decision_date, static_cast<int>(days));
      if (query.as_of <= due) return std::nullopt;
      alert.detail = absl::StrCat("admission decided on ", FormatDate(*s.admission_decision_date),
                                  "; the ceremony was due within ", days, " working days, by ", FormatDate(due));
      Finish(alert, due, query, rule);
      return alert;
    }
    case v1::ALERT_KIND_TRANSFER_NOT_PRESENTED: {
      if (!s.IsCounted() || !s.transfer_pending || !s.pending_introduced_on) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, kRulePresentDays, *s.pending_introduced_on));
      if (rule == nullptr) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const int64_t days, IntOf(*rule));
      const absl::CivilDay due = *s.pending_introduced_on + days;
      if (query.as_of <= due) return std::nullopt;
      alert.detail = absl::StrCat("introduced on ", FormatDate(*s.pending_introduced_on),
                                  "; the letter was to be presented within ", days, " days, by ", FormatDate(due));
      Finish(alert, due, query, rule);
      return alert;
    }
    case v1::ALERT_KIND_TEMPORARY_TRANSFER_EXPIRED: {
      if (!s.IsCounted() || s.transfer_pending || !s.temporary_planned_end) return std::nullopt;
      const absl::CivilDay due = *s.temporary_planned_end;
      if (query.as_of <= due) return std::nullopt;
      const char* rule_id = subject.temporary_kind == v1::TRANSFER_KIND_TEMPORARY_TRAINING
                                ? kRuleTemporaryTrainingMonths
                                : kRuleTemporaryWorkMonths;
      GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, rule_id, due));
      alert.detail = absl::StrCat("the temporary transfer was planned to end on ", FormatDate(due),
                                  "; end it or record the return to the home cell");
      Finish(alert, due, query, rule);
      return alert;
    }
    case v1::ALERT_KIND_UNMAPPED_CODE: {
      if (subject.unmapped_fields.empty() || !subject.unmapped_listed_on) return std::nullopt;
      // Names the fields only: the stored text is personal data.
      std::vector<std::string> fields;
      for (const std::string& field : subject.unmapped_fields) fields.push_back(absl::StrCat("member.", field));
      alert.detail = absl::StrCat(absl::StrJoin(fields, ", "),
                                  " held text the code migration could not map to a code of data/codes; "
                                  "set the code with UpdateMember");
      Finish(alert, *subject.unmapped_listed_on, query, nullptr);
      return alert;
    }
    case v1::ALERT_KIND_AWAITING_PLACEMENT: {
      if (!s.IsCounted() || s.cell_id != 0 || !s.awaiting_placement_from || !subject.awaiting_since) {
        return std::nullopt;
      }
      if (*subject.awaiting_since > query.as_of) return std::nullopt;  // an ending scheduled ahead
      alert.cell_id = *s.awaiting_placement_from;
      alert.detail = absl::StrCat("the member's cell ended on ", FormatDate(*subject.awaiting_since),
                                  " with no successor named; place them by an official transfer to a cell");
      Finish(alert, *subject.awaiting_since, query, nullptr);
      return alert;
    }
    case v1::ALERT_KIND_NO_RESIDENCE_REGISTRATION: {
      const ResidenceSnapshot& residence = subject.residence;
      if (!s.IsCounted() || residence.own_cell_residential || residence.registered) return std::nullopt;
      GR_ASSIGN_OR_RETURN(const common::Rule* rule, WorkingRule(rules, query.as_of, subject.occupation_category));
      if (rule == nullptr) return std::nullopt;
      // The duty runs from when both the rule and the membership existed.
      const absl::CivilDay due =
          std::max(rule->effective_from, s.admission_ceremony_date.value_or(s.status_since));
      if (due > query.as_of) return std::nullopt;
      alert.detail = absl::StrCat("a member of a working category with no residence registration (nor exemption "
                                  "category) in force since ",
                                  FormatDate(due));
      Finish(alert, due, query, rule);
      return alert;
    }
    case v1::ALERT_KIND_NO_RESIDENCE_FEEDBACK: {
      const ResidenceSnapshot& residence = subject.residence;
      if (!s.IsCounted() || residence.own_cell_residential || residence.feedback_given) return std::nullopt;
      // No feedback is owed in an exemption category. An unregistered member still owes it.
      if (residence.registered && residence.exemption != v1::RESIDENCE_EXEMPTION_UNSPECIFIED) return std::nullopt;
      const absl::CivilDay year_end(query.feedback_year, 12, 31);
      GR_ASSIGN_OR_RETURN(const common::Rule* rule,
                          WorkingRule(rules, ResidenceDutyDay(kind, query), subject.occupation_category));
      if (rule == nullptr) return std::nullopt;
      alert.detail = absl::StrCat("no feedback from the residence party organization for ", query.feedback_year);
      Finish(alert, year_end, query, rule);
      return alert;
    }
    case v1::ALERT_KIND_DUES_ARREARS:
      // Decided on the member's dues ledger, which a snapshot does not hold
      // (DuesArrearsAlert).
      return std::nullopt;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown alert kind ", static_cast<int>(kind)));
  }
}

absl::StatusOr<std::vector<Alert>> ComputeAlerts(const std::vector<AlertSubject>& subjects,
                                                 const std::vector<v1::AlertKind>& kinds, const AlertQuery& query,
                                                 const common::RulesRegistry& rules, const common::WorkingCalendar& calendar) {
  std::vector<Alert> out;
  for (v1::AlertKind kind : kinds) {
    for (const AlertSubject& subject : subjects) {
      GR_ASSIGN_OR_RETURN(std::optional<Alert> alert, Evaluate(kind, subject, query, rules, calendar));
      if (alert) out.push_back(std::move(*alert));
    }
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.member_id < b.member_id;
  });
  return out;
}

}  // namespace grassroots::membership::domain
