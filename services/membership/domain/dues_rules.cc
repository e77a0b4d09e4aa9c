#include "services/membership/domain/dues_rules.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

absl::CivilDay FirstDay(absl::CivilMonth month) { return absl::CivilDay(month); }

std::string ReliefCode(const DuesReliefRecord& relief) {
  if (relief.kind == v1::DUES_RELIEF_KIND_REDUCTION) return absl::StrCat("REDUCTION_", relief.reduction_percent);
  switch (relief.reason) {
    case v1::DUES_RELIEF_REASON_SOCIAL_PENSION_ALLOWANCE: return "SOCIAL_PENSION_ALLOWANCE";
    case v1::DUES_RELIEF_REASON_POOR_OR_NEAR_POOR_HOUSEHOLD: return "POOR_OR_NEAR_POOR_HOUSEHOLD";
    case v1::DUES_RELIEF_REASON_SERIOUS_ILLNESS: return "SERIOUS_ILLNESS";
    case v1::DUES_RELIEF_REASON_OTHER_HARDSHIP: return "OTHER_HARDSHIP";
    default: return "EXEMPTION";
  }
}

// The base in force for `month`: the latest recorded from a month on or before it.
const DuesBaseRecord* BaseFor(const DuesMember& member, absl::CivilMonth month) {
  const DuesBaseRecord* found = nullptr;
  for (const DuesBaseRecord& base : member.bases) {
    if (base.effective_month <= month && (found == nullptr || base.effective_month > found->effective_month)) {
      found = &base;
    }
  }
  return found;
}

const char* RateRuleOf(v1::DuesBaseKind kind) {
  switch (kind) {
    case v1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY: return "dues.rate.social_insurance_salary_bp";
    case v1::DUES_BASE_KIND_SICKNESS_OR_MATERNITY_BENEFIT: return "dues.rate.sickness_or_maternity_benefit_bp";
    case v1::DUES_BASE_KIND_PENSION: return "dues.rate.pension_bp";
    default: return "";
  }
}

void Cite(MonthlyDue& due, const common::Rule& rule) {
  due.rule_id = rule.id;
  due.citation = rule.citation;
}

// The amount before relief for the base kind, by the rules in force on `day`.
absl::Status ComputeFull(const DuesMember& member, v1::DuesBaseKind kind, int64_t amount, absl::CivilMonth month,
                         int32_t wage_region, const common::RulesRegistry& rules, MonthlyDue& due) {
  const absl::CivilDay day = FirstDay(month);
  due.basis = kind;
  if (NeedsBaseAmount(kind)) {
    GR_ASSIGN_OR_RETURN(const common::Rule* rule, rules.Find(RateRuleOf(kind), day));
    if (!rule->value.is_number_integer()) return absl::InternalError(absl::StrCat(rule->id, " is not an integer"));
    Cite(due, *rule);
    if (amount <= 0) {
      due.missing = "BASE_AMOUNT";
      return absl::OkStatus();
    }
    due.full_dong = PercentOfDong(amount, rule->value.get<int64_t>());
    return absl::OkStatus();
  }
  if (kind == v1::DUES_BASE_KIND_STUDENT) {
    GR_ASSIGN_OR_RETURN(const common::Rule* rule, rules.Find("dues.amount.student_dong", day));
    Cite(due, *rule);
    due.full_dong = rule->value.get<int64_t>();
    return absl::OkStatus();
  }
  // Outside social insurance: a share of the regional minimum wage (QĐ 01),
  // or before it a fixed amount, halved beyond working age (QĐ 342).
  GR_ASSIGN_OR_RETURN(const bool retired, AtOrAboveRetirementAge(member, month, rules));
  if (absl::StatusOr<const common::Rule*> share = rules.Find("dues.rate.outside_social_insurance_bp", day);
      share.ok()) {
    Cite(due, **share);
    if (wage_region < 1 || wage_region > 4) {
      due.missing = "WAGE_REGION";
      return absl::OkStatus();
    }
    GR_ASSIGN_OR_RETURN(const common::Rule* wages, rules.Find("dues.regional_minimum_wage_dong", day));
    const nlohmann::json& wage = wages->value[absl::StrCat(wage_region)];
    const nlohmann::json& bp = (*share)->value[retired ? "at_or_above_retirement_age" : "below_retirement_age"];
    if (!wage.is_number_integer() || !bp.is_number_integer()) {
      return absl::InternalError("the regional wage or the outside-insurance share is not an integer");
    }
    due.full_dong = PercentOfDong(wage.get<int64_t>(), bp.get<int64_t>());
    return absl::OkStatus();
  }
  GR_ASSIGN_OR_RETURN(const common::Rule* fixed, rules.Find("dues.amount.outside_social_insurance_dong", day));
  Cite(due, *fixed);
  due.full_dong = fixed->value.get<int64_t>();
  if (retired) {
    GR_ASSIGN_OR_RETURN(const int64_t percent, rules.GetInt("dues.qd342.beyond_working_age_percent", day));
    due.full_dong = PercentOfDong(due.full_dong, percent * 100);
  }
  return absl::OkStatus();
}

}  // namespace

bool NeedsBaseAmount(v1::DuesBaseKind kind) {
  return kind == v1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY || kind == v1::DUES_BASE_KIND_SICKNESS_OR_MATERNITY_BENEFIT ||
         kind == v1::DUES_BASE_KIND_PENSION;
}

int64_t PercentOfDong(int64_t base_dong, int64_t basis_points) {
  // Halves up: (x + 5,000) / 10,000 for non-negative x.
  return (base_dong * basis_points + 5000) / 10000;
}

std::optional<v1::DuesBaseKind> DefaultBaseKind(v1::OccupationCategory category) {
  switch (category) {
    case v1::OCCUPATION_CATEGORY_STUDENT: return v1::DUES_BASE_KIND_STUDENT;
    case v1::OCCUPATION_CATEGORY_FARMER:
    case v1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER:
    case v1::OCCUPATION_CATEGORY_SELF_EMPLOYED:
    case v1::OCCUPATION_CATEGORY_OTHER: return v1::DUES_BASE_KIND_OUTSIDE_SOCIAL_INSURANCE;
    default: return std::nullopt;
  }
}

absl::Status ValidateRelief(const DuesReliefRecord& relief, const common::RulesRegistry& rules) {
  if (relief.kind != v1::DUES_RELIEF_KIND_EXEMPTION && relief.kind != v1::DUES_RELIEF_KIND_REDUCTION) {
    return common::InvalidField("relief.kind", "must be EXEMPTION or REDUCTION");
  }
  if (relief.reason < v1::DUES_RELIEF_REASON_SOCIAL_PENSION_ALLOWANCE ||
      relief.reason > v1::DUES_RELIEF_REASON_OTHER_HARDSHIP) {
    return common::InvalidField("relief.reason", "must be a known reason");
  }
  if (relief.to_month < relief.from_month) return common::InvalidField("relief.to_month", "must not be before from_month");
  const absl::CivilDay day = FirstDay(relief.from_month);
  if (relief.kind == v1::DUES_RELIEF_KIND_REDUCTION) {
    absl::StatusOr<const common::Rule*> allowed = rules.Find("dues.reduction.allowed_percents", day);
    if (!allowed.ok()) {
      return common::InvalidField("relief.from_month", "falls where no rule allows reductions (from 2026-02)");
    }
    std::vector<std::string> percents;
    bool listed = false;
    for (const nlohmann::json& percent : (*allowed)->value) {
      if (!percent.is_number_integer()) return absl::InternalError("dues.reduction.allowed_percents is not integers");
      percents.push_back(absl::StrCat(percent.get<int64_t>()));
      listed = listed || percent.get<int64_t>() == relief.reduction_percent;
    }
    if (!listed) {
      return common::InvalidField("relief.reduction_percent", absl::StrCat("must be one of ", absl::StrJoin(percents, ", ")));
    }
  } else if (relief.reduction_percent != 0) {
    return common::InvalidField("relief.reduction_percent", "must be 0 for an exemption");
  }
  const bool bounded =
      relief.kind == v1::DUES_RELIEF_KIND_REDUCTION || relief.reason == v1::DUES_RELIEF_REASON_OTHER_HARDSHIP;
  if (bounded) {
    if (absl::StatusOr<int64_t> max_months = rules.GetInt("dues.relief.max_months", day); max_months.ok()) {
      const int64_t months = (relief.to_month - relief.from_month) + 1;
      if (months > *max_months) {
        return common::InvalidField("relief.to_month",
                                    absl::StrCat("gives ", months, " months: a decision covers at most ", *max_months));
      }
    }
  }
  return absl::OkStatus();
}

std::optional<absl::CivilMonth> PartyAgeExemptFrom(const DuesMember& member, const common::RulesRegistry& rules) {
  if (!member.party_age_from) return std::nullopt;
  const absl::CivilDay from = *member.party_age_from;
  // The first version under which the completed years fall: in force on the
  // anniversary, or the first to come into force after it.
  std::optional<absl::CivilMonth> first;
  for (const common::Rule& rule : rules.all()) {
    if (rule.id != "dues.exemption.party_age_years" || !rule.value.is_number_integer()) continue;
    const auto years = rule.value.get<int64_t>();
    // Completing N years: the day of the N-th anniversary (29 February → 1 March).
    const absl::CivilDay completed = absl::CivilDay(from.year() + years, from.month(), from.day());
    const absl::CivilDay start = std::max(completed, rule.effective_from);
    if (rule.effective_to && start > *rule.effective_to) continue;
    const absl::CivilMonth month(start);
    const absl::CivilMonth exempt_from = FirstDay(month) == start ? month : month + 1;
    if (!first || exempt_from < *first) first = exempt_from;
  }
  return first;
}

absl::StatusOr<bool> AtOrAboveRetirementAge(const DuesMember& member, absl::CivilMonth month,
                                            const common::RulesRegistry& rules) {
  const absl::CivilDay day = FirstDay(month);
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, rules.Find("labour.retirement_age_months", day));
  const nlohmann::json& threshold = rule->value[member.sex == v1::SEX_FEMALE ? "female" : "male"];
  if (!threshold.is_number_integer()) return absl::InternalError("labour.retirement_age_months is not by sex in months");
  return AgeInMonths(member.birth_date, day) >= threshold.get<int64_t>();
}

absl::StatusOr<MonthlyDue> ComputeMonthlyDue(const DuesMember& member, absl::CivilMonth month, int32_t wage_region,
                                             const common::RulesRegistry& rules) {
  MonthlyDue due;
  const DuesBaseRecord* base = BaseFor(member, month);
  std::optional<v1::DuesBaseKind> kind;
  int64_t amount = 0;
  if (base != nullptr) {
    kind = base->kind;
    amount = base->amount_dong;
  } else {
    kind = DefaultBaseKind(member.occupation_category);
  }
  if (!kind) {
    due.missing = "BASE";
    return due;
  }
  GR_RETURN_IF_ERROR(ComputeFull(member, *kind, amount, month, wage_region, rules, due));
  if (!due.missing.empty()) return due;

  // Relief: fifty years of party age first, then a decided exemption, then the largest reduction.
  if (std::optional<absl::CivilMonth> exempt_from = PartyAgeExemptFrom(member, rules);
      exempt_from && month >= *exempt_from) {
    due.relief = "PARTY_AGE_50_YEARS";
    due.due_dong = 0;
    return due;
  }
  const DuesReliefRecord* chosen = nullptr;
  for (const DuesReliefRecord& relief : member.reliefs) {
    if (month < relief.from_month || month > relief.to_month) continue;
    if (relief.kind == v1::DUES_RELIEF_KIND_EXEMPTION) {
      if (chosen == nullptr || chosen->kind != v1::DUES_RELIEF_KIND_EXEMPTION) chosen = &relief;
    } else if (chosen == nullptr ||
               (chosen->kind == v1::DUES_RELIEF_KIND_REDUCTION && relief.reduction_percent > chosen->reduction_percent)) {
      chosen = &relief;
    }
  }
  if (chosen == nullptr) {
    due.due_dong = due.full_dong;
  } else if (chosen->kind == v1::DUES_RELIEF_KIND_EXEMPTION) {
    due.relief = ReliefCode(*chosen);
    due.due_dong = 0;
  } else {
    due.relief = ReliefCode(*chosen);
    due.due_dong = PercentOfDong(due.full_dong, (100 - chosen->reduction_percent) * 100);
  }
  return due;
}

PaidSplit SplitPaid(int64_t due_dong, int64_t paid_dong) {
  PaidSplit split;
  split.toward_due = std::clamp<int64_t>(paid_dong, 0, due_dong);
  split.voluntary = std::max<int64_t>(paid_dong - due_dong, 0);
  split.outstanding = due_dong - split.toward_due;
  return split;
}

std::optional<Arrears> FindArrears(std::span<const MonthStanding> months, int32_t year, absl::CivilDay today,
                                   const common::RulesRegistry& rules) {
  absl::StatusOr<const common::Rule*> rule = rules.Find("dues.arrears.unpaid_months_in_year", today);
  if (!rule.ok() || !(*rule)->value.is_number_integer()) return std::nullopt;
  const absl::CivilMonth current(today);
  Arrears arrears;
  arrears.year = year;
  arrears.rule_id = (*rule)->id;
  arrears.citation = (*rule)->citation;
  for (const MonthStanding& m : months) {
    if (m.month.year() != year || m.month >= current) continue;
    if (!m.owed || m.deferred) continue;
    if (SplitPaid(m.due_dong, m.paid_dong).outstanding > 0) arrears.months.push_back(m.month);
  }
  std::sort(arrears.months.begin(), arrears.months.end());
  const int64_t needed = (*rule)->value.get<int64_t>();
  if (needed <= 0 || static_cast<int64_t>(arrears.months.size()) < needed) return std::nullopt;
  arrears.reached_on = absl::CivilDay(arrears.months[static_cast<size_t>(needed - 1)] + 1) - 1;
  return arrears;
}

int32_t WageRegionOn(std::span<const WageRegionRecord> records, absl::CivilDay day) {
  const WageRegionRecord* best = nullptr;
  for (const WageRegionRecord& record : records) {
    if (record.effective_from > day) continue;
    if (best == nullptr || record.depth < best->depth ||
        (record.depth == best->depth && record.effective_from > best->effective_from)) {
      best = &record;
    }
  }
  return best == nullptr ? 0 : best->region;
}

std::optional<absl::CivilMonth> LedgerOpenedFor(std::span<const LedgerOpeningRecord> records) {
  const LedgerOpeningRecord* nearest = nullptr;
  for (const LedgerOpeningRecord& record : records) {
    if (nearest == nullptr || record.depth < nearest->depth) nearest = &record;
  }
  if (nearest == nullptr) return std::nullopt;
  return nearest->first_month;
}

MonthStatus StatusOn(std::span<const Period> periods, absl::CivilMonth month) {
  const absl::CivilDay day = FirstDay(month);
  for (const Period& period : periods) {
    if (period.valid_from > day || (period.valid_to && *period.valid_to <= day)) continue;
    const bool counted =
        period.status == v1::MEMBER_STATUS_PROBATIONARY || period.status == v1::MEMBER_STATUS_OFFICIAL;
    if (!counted) return MonthStatus{};
    return MonthStatus{.owed = true,
                       .deferred = period.exempt,
                       .cell_id = period.host_cell_id.value_or(period.cell_id)};
  }
  return MonthStatus{};
}

absl::StatusOr<std::vector<LedgerMonth>> BuildLedgerMonths(const DuesMember& member, std::span<const Period> periods,
                                                           std::span<const EntryAmount> entries,
                                                           absl::CivilMonth from, absl::CivilMonth to,
                                                           const CellSettingsOf& settings_of,
                                                           const common::RulesRegistry& rules) {
  std::vector<LedgerMonth> months;
  for (absl::CivilMonth month = from; month <= to; ++month) {
    LedgerMonth out;
    out.month = month;
    out.status = StatusOn(periods, month);
    if (out.status.owed) {
      const CellDuesSettings cell = settings_of(out.status.cell_id, FirstDay(month));
      out.in_ledger = cell.ledger_opened && month >= *cell.ledger_opened;
      if (out.in_ledger) {
        GR_ASSIGN_OR_RETURN(out.due, ComputeMonthlyDue(member, month, cell.wage_region, rules));
      }
    }
    for (const EntryAmount& entry : entries) {
      if (entry.counts && entry.month == month) out.paid_total += entry.amount_dong;
    }
    out.paid = SplitPaid(out.due.due_dong, out.paid_total);
    months.push_back(std::move(out));
  }
  return months;
}

std::vector<MonthStanding> Standings(std::span<const LedgerMonth> months) {
  std::vector<MonthStanding> out;
  out.reserve(months.size());
  for (const LedgerMonth& m : months) {
    out.push_back(MonthStanding{.month = m.month,
                                .owed = m.status.owed && m.in_ledger,
                                .deferred = m.status.deferred,
                                .due_dong = m.due.due_dong,
                                .paid_dong = m.paid_total});
  }
  return out;
}

absl::StatusOr<absl::CivilMonth> ParseMonth(std::string_view text, std::string_view field) {
  absl::CivilMonth month;
  if (text.size() != 7 || !absl::ParseCivilTime(common::ToAbsl(text), &month) || month.year() < 1930 ||
      month.year() > 9999) {
    return common::InvalidField(field, "must be a month as YYYY-MM");
  }
  return month;
}

std::string FormatMonth(absl::CivilMonth month) { return absl::FormatCivilTime(month); }

}  // namespace grassroots::membership::domain
