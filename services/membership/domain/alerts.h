#pragma once
// What an official must act on, computed from member snapshots (no I/O):
// probation reviews and admission ceremonies past their working-day limits,
// transfers not presented in time, temporary transfers past their planned end,
// and the QĐ 213 residence liaison of working members.
//
// The store preselects candidates with the cut-offs of CutoffsFor (a superset:
// every member who can raise the alert); Evaluate decides. Alerts are about the
// records as they stand now, measured against the as-of date.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"
#include "grassroots/membership/v1/yearly_records.pb.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/domain/member.h"
#include "common/calendar/working_calendar.h"

namespace grassroots::membership::domain {

// The member's residence registration in force on the as-of date and the
// residence cell's feedback for the year asked about.
struct ResidenceSnapshot {
  bool registered = false;
  v1::ResidenceExemption exemption = v1::RESIDENCE_EXEMPTION_UNSPECIFIED;
  bool feedback_given = false;
  // The member's own cell is a residential cell on ResidenceDutyDay (by the
  // org-tree library's definition, orgtree::ResidentialCells): its members
  // live where they are party members and owe no residence liaison.
  bool own_cell_residential = false;
};

struct AlertSubject {
  int64_t member_id = 0;
  std::string full_name;
  v1::OccupationCategory occupation_category = v1::OCCUPATION_CATEGORY_UNSPECIFIED;
  MemberState state;
  // The kind of the temporary transfer in force (the state keeps only a pending kind).
  v1::TransferKind temporary_kind = v1::TRANSFER_KIND_UNSPECIFIED;
  ResidenceSnapshot residence;
  // UNMAPPED_CODE: the fields ("ethnicity", "religion") the code migration
  // could not map, and the day they were listed.
  std::vector<std::string> unmapped_fields;
  std::optional<absl::CivilDay> unmapped_listed_on;
  // AWAITING_PLACEMENT: the day the member's cell ended with no successor
  // (state.awaiting_placement_from is that cell).
  std::optional<absl::CivilDay> awaiting_since;
};

struct AlertQuery {
  absl::CivilDay as_of;
  int32_t feedback_year = 0;
};

struct Alert {
  v1::AlertKind kind = v1::ALERT_KIND_UNSPECIFIED;
  int64_t member_id = 0;
  std::string full_name;
  int64_t cell_id = 0;
  absl::CivilDay due_date;  // the last day the obligation could be met on time
  int32_t days_overdue = 0;  // calendar days after due_date on the as-of date (0 when not yet due)
  std::string rule_id;
  std::string citation;
  std::string detail;  // dates and rule only, no personal data
};

// Bounds the store filters on (inclusive): a member can raise the alert only
// when its date is on or before the bound. nullopt: no rule in force, no candidates.
struct AlertCutoffs {
  std::optional<absl::CivilDay> probation_end_on_or_before;
  std::optional<absl::CivilDay> decision_on_or_before;
  std::optional<absl::CivilDay> introduced_on_or_before;
  absl::CivilDay planned_end_before;  // strictly before: the as-of date
  std::vector<v1::OccupationCategory> working_categories;  // empty: residence alerts raise nothing
};
absl::StatusOr<AlertCutoffs> CutoffsFor(const AlertQuery& query, const common::RulesRegistry& rules,
                                        const common::WorkingCalendar& calendar);

// The day on which a residence alert of `kind` judges whether the member's own
// cell is residential: the as-of date for NO_RESIDENCE_REGISTRATION; for
// NO_RESIDENCE_FEEDBACK the as-of date, or 31 December of a past feedback year.
absl::CivilDay ResidenceDutyDay(v1::AlertKind kind, const AlertQuery& query);

// The alert of `kind` the subject raises on the query's date, if any.
//  PROBATION_OVERDUE: probationary past probation end + the recognition limit in working days.
//  CEREMONY_OVERDUE: admitted past the decision + the ceremony limit in working days.
//  TRANSFER_NOT_PRESENTED: a transfer pending past introduction + the days to present it.
//  TEMPORARY_TRANSFER_EXPIRED: a temporary transfer in force past its planned end.
//  NO_RESIDENCE_REGISTRATION: a working member (DESIGN.md S2a: counted, of a
//    working category, whose own cell is not a residential cell on the as-of
//    date) with no residence registration (nor an exemption category) in force.
//  NO_RESIDENCE_FEEDBACK: a working member (S2b; the cell judged on
//    ResidenceDutyDay) with no feedback for the year, unless registered in an
//    exemption category; an unregistered member owes it too. Due on
//    31 December of the year.
//  A member of a residential cell owes neither.
//  UNMAPPED_CODE: ethnicity or religion text the code migration could not map
//    (due the day it was listed).
//  AWAITING_PLACEMENT: a counted member "to be placed" (their cell ended with
//    no successor named), due the day it ended; the alert's cell is the ended cell.
//  DUES_ARREARS: never here (nullopt): decided on the member's dues ledger, see DuesArrearsAlert.
absl::StatusOr<std::optional<Alert>> Evaluate(v1::AlertKind kind, const AlertSubject& subject,
                                              const AlertQuery& query, const common::RulesRegistry& rules,
                                              const common::WorkingCalendar& calendar);

// Every alert of `kinds` the subjects raise, ordered by (kind, member id)
// (DUES_ARREARS, decided on the ledger, raises none here).
absl::StatusOr<std::vector<Alert>> ComputeAlerts(const std::vector<AlertSubject>& subjects,
                                                 const std::vector<v1::AlertKind>& kinds, const AlertQuery& query,
                                                 const common::RulesRegistry& rules, const common::WorkingCalendar& calendar);

// The alert kinds ListMemberAlerts knows, in order.
std::vector<v1::AlertKind> AllAlertKinds();

// DUES_ARREARS is decided on the member's dues ledger (FindArrears), not by
// Evaluate: the alert for arrears found, due on the last day of the month
// that made them, its detail the months.
Alert DuesArrearsAlert(const AlertSubject& subject, const Arrears& arrears, const AlertQuery& query);

}  // namespace grassroots::membership::domain
