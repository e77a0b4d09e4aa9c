#pragma once
// Where a member's mobile sync stands, and the rules of what a sync sends.
// The position travels inside the opaque, signed cursor of SyncMyRecord; this
// file holds its text form and the decisions on it, no I/O.
//
// Two feeds drive a sync, each with its own numbering:
//  - membership's own change feed: the member's record (resource types
//    "member" and "member_event") and yearly records ("commitment", ...),
//    each with its own high-water mark so a page cut in the yearly records
//    does not send the record again;
//  - the projection of org's meetings (cell_meetings.source_sequence).
// A position is only meaningful against the feeds it was read from (their
// epochs) and for the cell the member was in (the meetings are that cell's).
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace grassroots::membership::domain {

struct SyncPosition {
  std::string member_feed_epoch;   // membership feed_head.epoch
  int64_t record_sequence = 0;     // newest record change sent
  int64_t yearly_sequence = 0;     // newest yearly-record change sent
  std::string meetings_epoch;      // org feed epoch of the meetings projection ("" before its first bind)
  int64_t meetings_sequence = 0;   // newest meeting change sent
  int64_t cell_id = 0;             // the member's cell when the page was read
  int32_t duties_year = 0;         // the "current year" of the duties sent
  int32_t dues_month = 0;          // YYYYMM of the month the dues were sent in (0: not yet)
  int64_t dues_sequence = 0;       // newest dues change (payment, base, relief) sent
  bool operator==(const SyncPosition&) const = default;
};

// "s2|<member epoch>|<record>|<yearly>|<meetings epoch>|<meetings>|<cell>|<year>|<dues month>|<dues>".
// A position of the first form ("s1", without the dues) is still read: its dues are sent again.
std::string FormatSyncPosition(const SyncPosition& position);
// INVALID_ARGUMENT naming `field` for anything FormatSyncPosition does not write.
absl::StatusOr<SyncPosition> ParseSyncPosition(std::string_view text, std::string_view field);

// What the sync sees now.
struct SyncState {
  std::string member_feed_epoch;
  int64_t member_feed_head = 0;  // feed_head.last_sequence
  std::string meetings_epoch;
  int64_t meetings_handled = 0;  // the meetings follower's cursor
  int64_t cell_id = 0;
};

// Whether the app must drop its copy:
//  - the membership feed is another database's (another epoch), or stands
//    behind the position (restored from an older backup: its next positions
//    will carry other changes);
//  - the meetings projection was rebuilt from another org feed, or stands
//    behind the position (a position taken before the projection first bound
//    an epoch is kept: it held nothing then);
//  - the member is now in another cell (the meetings were the old cell's).
bool NeedsReset(const SyncPosition& from, const SyncState& now);

// The two years whose duties a sync carries: the previous year (its rating is
// given early in the next) and the current one.
struct DutyYears {
  int32_t previous = 0;
  int32_t current = 0;
};
DutyYears DutyYearsOn(absl::CivilDay today);

// The month a sync's dues were read in, as the position keeps it (YYYYMM).
int32_t DuesMonthKey(absl::CivilDay today);

// The oldest meeting a sync carries: one starting on or after 00:00 of
// 1 January of the previous year, committee time (UTC+7).
absl::Time MeetingWindowStart(absl::CivilDay today);

}  // namespace grassroots::membership::domain
