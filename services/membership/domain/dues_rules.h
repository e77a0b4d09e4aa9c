#pragma once
// Party dues by the rules (no I/O): what a member owes for a month, from the
// base recorded for that month, the member's age group and party age, the
// relief decided, and the rates in force then (data/rules/rules.json, ids
// "dues.*" and "labour.retirement_age_months"). QĐ 342-QĐ/TW (2010) governs
// the months before February 2026 and QĐ 01-QĐ/TW (2026) those from it, so a
// past ledger recomputes as it was.
//
// Money is integer đồng. Rounding: a percentage of a base is rounded to the
// nearest đồng, halves up (PercentOfDong); a reduction applies to the amount
// so rounded, and is rounded the same way.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"
#include "grassroots/membership/v1/dues.pb.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/lifecycle.h"

namespace grassroots::membership::domain {

// base × basis_points / 10,000, to the nearest đồng, halves up (bases are
// never negative).
int64_t PercentOfDong(int64_t base_dong, int64_t basis_points);

// A base recorded for the member from a month on.
struct DuesBaseRecord {
  v1::DuesBaseKind kind = v1::DUES_BASE_KIND_UNSPECIFIED;
  int64_t amount_dong = 0;  // salary, benefit, pension; 0 for the others
  absl::CivilMonth effective_month;
};

// Whether a base of this kind needs an amount (a salary, a benefit, a pension).
bool NeedsBaseAmount(v1::DuesBaseKind kind);

// What a month's due is computed from when no base is recorded: the
// occupation category's usual kind (students; farmers, the self-employed,
// owners of private businesses and "other" outside social insurance). A
// category whose kind needs an amount (salaried, retired) has none.
std::optional<v1::DuesBaseKind> DefaultBaseKind(v1::OccupationCategory category);

// A relief decision.
struct DuesReliefRecord {
  v1::DuesReliefKind kind = v1::DUES_RELIEF_KIND_UNSPECIFIED;
  v1::DuesReliefReason reason = v1::DUES_RELIEF_REASON_UNSPECIFIED;
  int32_t reduction_percent = 0;
  absl::CivilMonth from_month;
  absl::CivilMonth to_month;  // included
};
// A decision as GrantDuesRelief takes it: kind and reason known, a reduction
// of an allowed percent (rule "dues.reduction.allowed_percents") and an
// exemption with none, from <= to, and a reduction or an OTHER_HARDSHIP
// exemption at most the rule's months ("dues.relief.max_months"), by the
// rules in force on the first day of from_month. INVALID_ARGUMENT naming
// "relief.<field>".
absl::Status ValidateRelief(const DuesReliefRecord& relief, const common::RulesRegistry& rules);

// Who the member is, as far as dues go.
struct DuesMember {
  absl::CivilDay birth_date;
  v1::Sex sex = v1::SEX_UNSPECIFIED;  // unspecified: the male schedule
  v1::OccupationCategory occupation_category = v1::OCCUPATION_CATEGORY_UNSPECIFIED;
  // Party age runs from the admission decision (else the ceremony); none: no party-age exemption.
  std::optional<absl::CivilDay> party_age_from;
  std::vector<DuesBaseRecord> bases;      // any order
  std::vector<DuesReliefRecord> reliefs;  // any order
};

// The first month the member is exempt for 50 years of party membership: the
// first month that begins on or after the day the member completes the years
// of rule "dues.exemption.party_age_years" (in force on that day); nullopt
// without party_age_from or when no such rule is in force then.
std::optional<absl::CivilMonth> PartyAgeExemptFrom(const DuesMember& member, const common::RulesRegistry& rules);

// Whether the member is at or above retirement age in `month`: their age in
// whole months at the start of the month against the schedule of the month's
// year (rule "labour.retirement_age_months": Labour Code 2019 art. 169 and
// Decree 135/2020, by sex).
absl::StatusOr<bool> AtOrAboveRetirementAge(const DuesMember& member, absl::CivilMonth month,
                                            const common::RulesRegistry& rules);

// One month's due.
struct MonthlyDue {
  int64_t due_dong = 0;   // after relief
  int64_t full_dong = 0;  // before relief
  v1::DuesBaseKind basis = v1::DUES_BASE_KIND_UNSPECIFIED;
  std::string rule_id;   // the rate rule applied
  std::string citation;
  // "" or one of the relief codes of DuesMonth.relief.
  std::string relief;
  // Why the due cannot be computed ("" when it can): "BASE_AMOUNT" (a salary,
  // benefit or pension kind with no amount recorded), "BASE" (no base and no
  // default for the category), "WAGE_REGION" (outside social insurance and
  // the cell has no region). due_dong is 0 then.
  std::string missing;
};

// What the member owes for `month` by the rules in force on its first day.
// wage_region: 1..4 of the member's cell that month, 0 when unknown.
// A month with relief from several decisions takes the exemption if any,
// else the largest reduction; fifty years of party age exempts first.
absl::StatusOr<MonthlyDue> ComputeMonthlyDue(const DuesMember& member, absl::CivilMonth month, int32_t wage_region,
                                             const common::RulesRegistry& rules);

// A month as the ledger stands: due, paid toward it, whether deferred.
struct MonthStanding {
  absl::CivilMonth month;
  bool owed = false;      // a counted member on the month's first day
  bool deferred = false;  // exempt from activities on the month's first day
  int64_t due_dong = 0;
  int64_t paid_dong = 0;  // every entry for the month that still counts, voluntary part included
};

// The split of what was paid for a month: toward the due (at most the due)
// and voluntary (the rest).
struct PaidSplit {
  int64_t toward_due = 0;
  int64_t voluntary = 0;
  int64_t outstanding = 0;
};
PaidSplit SplitPaid(int64_t due_dong, int64_t paid_dong);

// Arrears in `year` as of `today`: the months of the year that have ended
// (before today's month), owed, not deferred (the recorded reason that lets
// a member pay later; an exempt month owes nothing), with something
// outstanding, when there are at least the rule's number of them (rule
// "dues.arrears.unpaid_months_in_year", in force on today). nullopt when
// fewer or no rule.
struct Arrears {
  int32_t year = 0;
  std::vector<absl::CivilMonth> months;
  // The last day of the month whose arrears made the rule's number.
  absl::CivilDay reached_on;
  std::string rule_id;
  std::string citation;
};
std::optional<Arrears> FindArrears(std::span<const MonthStanding> months, int32_t year, absl::CivilDay today,
                                   const common::RulesRegistry& rules);

// ---- a member's months as the ledger shows them ----

// A wage region recorded for the cell itself (depth 0) or an organization above it.
struct WageRegionRecord {
  int32_t depth = 0;
  int32_t region = 0;
  absl::CivilDay effective_from;
};
// The region on `day`: the latest record in force of the nearest organization
// that has one in force; 0 when none.
int32_t WageRegionOn(std::span<const WageRegionRecord> records, absl::CivilDay day);

// The month an organization opened its dues ledger here, for the cell itself
// (depth 0) or an organization above it.
struct LedgerOpeningRecord {
  int32_t depth = 0;
  absl::CivilMonth first_month;
};
// The nearest organization's opening; nullopt when none opened.
std::optional<absl::CivilMonth> LedgerOpenedFor(std::span<const LedgerOpeningRecord> records);

// Where the member stood on a month's first day (their status periods).
struct MonthStatus {
  bool owed = false;      // probationary or official
  bool deferred = false;  // exempt from activities (tạm miễn sinh hoạt)
  // The cell that collects: the host cell of a temporary transfer in force,
  // else the member's own; 0 when the member was no member then.
  int64_t cell_id = 0;
};
MonthStatus StatusOn(std::span<const Period> periods, absl::CivilMonth month);

// A ledger entry as the month sums need it.
struct EntryAmount {
  absl::CivilMonth month;
  int64_t amount_dong = 0;
  bool counts = true;  // false once a later entry corrected it
};

struct LedgerMonth {
  absl::CivilMonth month;
  MonthStatus status;
  // The collecting cell had opened its ledger by then: the month is kept here.
  bool in_ledger = false;
  MonthlyDue due;          // zero when not owed or not kept here
  int64_t paid_total = 0;  // what counts of the month's entries
  PaidSplit paid;
};

// What a collecting cell brings to a month: its wage region that day, and
// since when its ledger is kept here.
struct CellDuesSettings {
  int32_t wage_region = 0;
  std::optional<absl::CivilMonth> ledger_opened;
};
using CellSettingsOf = std::function<CellDuesSettings(int64_t cell_id, absl::CivilDay day)>;

// The months from `from` to `to` (both included): the due of each owed month
// kept here by the rules, what counts of the entries summed per month and
// split into toward the due and voluntary. A month with nothing due (not
// owed, or before the ledger opened) makes what was paid for it voluntary.
absl::StatusOr<std::vector<LedgerMonth>> BuildLedgerMonths(const DuesMember& member, std::span<const Period> periods,
                                                           std::span<const EntryAmount> entries,
                                                           absl::CivilMonth from, absl::CivilMonth to,
                                                           const CellSettingsOf& settings_of,
                                                           const common::RulesRegistry& rules);
// The same months as FindArrears reads them (a month before the ledger opened is not owed here).
std::vector<MonthStanding> Standings(std::span<const LedgerMonth> months);

// "YYYY-MM" <-> month; INVALID_ARGUMENT naming `field`.
absl::StatusOr<absl::CivilMonth> ParseMonth(std::string_view text, std::string_view field);
std::string FormatMonth(absl::CivilMonth month);

}  // namespace grassroots::membership::domain
