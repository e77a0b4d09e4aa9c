#pragma once
// The member lifecycle as a pure state machine over an append-only, dated
// event log: which event may follow which, what each does to the derived
// state, and the status periods (history) the log implies. No I/O here; the
// limits come from the rules registry and the working-day calendar.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/rules/rules_registry.h"
#include "services/membership/domain/member.h"
#include "common/calendar/working_calendar.h"

namespace grassroots::membership::domain {

struct Vote {
  int32_t in_favour = 0;
  int32_t eligible = 0;
  std::string resolution_number;
};

struct TransferDetails {
  v1::TransferKind kind = v1::TRANSFER_KIND_UNSPECIFIED;
  std::optional<int64_t> destination_cell_id;  // nullopt: outside the tree
  std::string destination_name;
  absl::CivilDay introduced_on;
  std::optional<absl::CivilDay> planned_end;
  std::string reason;
};

// One entry of the log. Kind-specific fields are set only for their kinds.
struct Event {
  int64_t id = 0;          // 0 until stored
  int32_t ordinal = 0;     // 1-based position in the member's log
  v1::EventKind kind = v1::EVENT_KIND_UNSPECIFIED;
  absl::CivilDay effective_date;
  std::optional<absl::CivilDay> recorded_on;  // late recognition: when decided
  Decision decision;
  std::optional<int64_t> cell_id;             // the cell after the event
  v1::MemberStatus status_after = v1::MEMBER_STATUS_UNSPECIFIED;
  // PROSPECT_INTRODUCED
  std::string introduced_by;
  // RECORD_OPENED, TRANSFERRED_IN: the status and dates of a member whose
  // history predates the record.
  v1::MemberStatus opened_status = v1::MEMBER_STATUS_UNSPECIFIED;
  std::optional<absl::CivilDay> opened_admission_decision_date;
  std::optional<absl::CivilDay> opened_ceremony_date;
  std::optional<absl::CivilDay> opened_official_date;
  // AWARENESS_CLASS_COMPLETED
  std::string certificate_number;
  std::optional<absl::CivilDay> certificate_valid_until;
  // CELL_ADMISSION_VOTE, RECOGNIZED_OFFICIAL
  std::optional<Vote> vote;
  std::optional<Decision> age_exception;
  std::optional<Decision> education_exception;
  // ADMISSION_CEREMONY held late with the higher committee's consent
  std::optional<Decision> extension;
  // ADMISSION_CEREMONY, RECORD_OPENED: the day probation ends (derived from
  // the probation rule in force on the ceremony day, so a replay needs no rules).
  std::optional<absl::CivilDay> probation_end_date;
  // TRANSFER_STARTED
  std::optional<TransferDetails> transfer;
  // REMOVED
  v1::RemovalTrigger removal_trigger = v1::REMOVAL_TRIGGER_UNSPECIFIED;
  // VOIDED: the event it cancels; `voided` marks a cancelled event.
  int64_t voids_event_id = 0;
  bool voided = false;
  std::string reason;  // exemption / suspension / abandonment / void reason
  std::string note;
  std::string actor;
  std::string discipline_reference;  // EXPELLED
  std::string transferred_from;      // TRANSFERRED_IN: the sending organization outside the tree
  // MOVED_WITH_CELL, AWAITING_PLACEMENT, LEFT_WITH_CELL, and a
  // TEMPORARY_TRANSFER_ENDED because the host cell ended: the cell that ended.
  std::optional<int64_t> from_cell_id;
  // MOVED_WITH_CELL: the successor the member (or their hosting) moves to.
  std::optional<int64_t> successor_cell_id;
  // When the event was stored (set by the store; nullopt before).
  std::optional<absl::Time> record_time;
};

// A stretch of time with one status and placement: [valid_from, valid_to).
struct Period {
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  v1::MemberStatus status = v1::MEMBER_STATUS_UNSPECIFIED;
  int64_t cell_id = 0;
  std::optional<int64_t> host_cell_id;
  bool exempt = false;
  bool suspended = false;
};

// What the transition checks need besides the log.
struct TransitionContext {
  const common::RulesRegistry& rules;
  const common::WorkingCalendar& calendar;
  absl::CivilDay today;
  // The person's birth date and education (eligibility at the cell vote).
  absl::CivilDay birth_date;
  v1::GeneralEducation general_education = v1::GENERAL_EDUCATION_UNSPECIFIED;
};

// Checks that `next` may follow the log whose derived state is `state`, and
// fills the event's derived fields (status_after, cell_id, certificate
// validity, the effective date of a late recognition). Errors:
//   INVALID_ARGUMENT naming the field (effective_date in the future, missing
//     decision, vote numbers inconsistent, planned_end outside the allowed
//     duration, ...);
//   FAILED_PRECONDITION with a reason (UPPER_SNAKE, e.g. ILLEGAL_TRANSITION,
//     EVENT_OUT_OF_ORDER, VOTE_BELOW_TWO_THIRDS, AGE_NOT_ELIGIBLE,
//     EDUCATION_NOT_ELIGIBLE, AWARENESS_CERTIFICATE_EXPIRED,
//     CEREMONY_DEADLINE_PASSED, PROBATION_NOT_ENDED, NOT_LATEST_EVENT) and a
//     message naming the rule id and its citation where a rule decides.
//
// Choices the rules leave open, decided here:
//  - age limits count whole months on the vote date: from 18 years 0 months to
//    60 years 0 months inclusive ("từ đủ 18 tuổi đến đủ 60 tuổi");
//  - a rule with no version in force on the day does not apply ("no such rule
//    then"), except where the event cannot be computed without it
//    (RULE_NOT_IN_FORCE: probation length, certificate validity, vote shares,
//    temporary-transfer durations);
//  - every transfer is pending until presented (TRANSFER_COMPLETED); an
//    official transfer presented outside the tree ends the record
//    (TRANSFERRED_OUT on the presentation date);
//  - a prospect or admitted person who dies is NOT_ADMITTED (never a member);
//  - a late recognition is ordered by its decision date (recorded_on) and
//    dated back to the end of probation.
absl::Status CheckAndComplete(const MemberState& state, Event& next, const TransitionContext& context);

// CheckAndComplete against a whole log (oldest first, voided events marked):
// replays it, and for VOIDED also checks that the target exists, is still in
// force, is the latest event in force (NOT_LATEST_EVENT) and is not the event
// that opened the record (FIRST_EVENT_NOT_VOIDABLE). What AppendEvent uses.
absl::Status CheckAndCompleteOnLog(const std::vector<Event>& log, Event& next, const TransitionContext& context);

// Applies an already checked event to the state (VOIDED events are applied by
// replaying the log without the voided one: see Replay).
MemberState Apply(const MemberState& state, const Event& event);

// Replays a whole log (oldest first, voided events skipped) into the current state.
MemberState Replay(const std::vector<Event>& log);

// The status periods the log implies (voided events skipped), oldest first;
// the last one is open (valid_to nullopt) unless the member left the tree.
std::vector<Period> Periods(const std::vector<Event>& log);

// ---- members follow their cell ------------------------------------------------------
// The organization service recorded that a cell ended on `effective_date`
// (merged, split, dissolved, handed over), with the cell its members move to.
struct CellEnding {
  int64_t cell_id = 0;
  absl::CivilDay effective_date;
  std::optional<int64_t> successor_cell_id;  // nullopt: none named
  bool handed_over = false;                  // HANDED_OVER: the cell leaves the tree
  Decision decision;
};

// The event to record for one member and where it goes in the log: before
// log[position] (log.size(): appended). The log stays in date order, so an
// ending recorded late goes before the member's later events.
struct SuccessionStep {
  Event event;
  size_t position = 0;
  MemberState state_before;  // the state the event follows (the log before `position`)
};

// What an ending means for one member (no I/O). The member's state on the
// effective date (the log up to that day) decides:
//  - own cell is the ended cell, not in a terminal status (prospects and
//    admitted persons move too: the successor continues their admission):
//    MOVED_WITH_CELL to the successor; with none, AWAITING_PLACEMENT ("to be
//    placed", no cell); for a handover LEFT_WITH_CELL (TRANSFERRED_OUT);
//  - hosted there on a temporary transfer: MOVED_WITH_CELL of the hosting to
//    the successor; with none, or handed over, the temporary transfer ends
//    (TEMPORARY_TRANSFER_ENDED: back in the home cell only);
//  - otherwise nothing (nullopt), and nothing either when the log already
//    holds an event in force for this ending (same cell, same day): replaying
//    the organization's feed moves nobody twice.
// The event is completed by CheckAndComplete against state_before.
std::optional<SuccessionStep> PlanCellSuccession(const std::vector<Event>& log, const CellEnding& ending);

// Age in whole months on `day` (eligibility is counted in months).
int32_t AgeInMonths(absl::CivilDay birth_date, absl::CivilDay day);
// Age in whole years on `day`.
int32_t AgeInYears(absl::CivilDay birth_date, absl::CivilDay day);
// `day` plus `months` calendar months, on the same day of the month or the
// month's last day when it is shorter (2024-02-29 + 12 months = 2025-02-28).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

}  // namespace grassroots::membership::domain
