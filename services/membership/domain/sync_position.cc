#include "services/membership/domain/sync_position.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

constexpr char kVersion[] = "s2";
constexpr char kVersionWithoutDues[] = "s1";
constexpr int kVietnamUtcOffsetSeconds = 7 * 3600;

// An epoch is what feed_head.epoch holds: lowercase hex, at most 64 characters.
bool IsEpoch(absl::string_view text) {
  if (text.size() > 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool ParseNonNegative(absl::string_view text, int64_t& out) {
  return absl::SimpleAtoi(text, &out) && out >= 0;
}

}  // namespace

std::string FormatSyncPosition(const SyncPosition& p) {
  return absl::StrCat(kVersion, "|", p.member_feed_epoch, "|", p.record_sequence, "|", p.yearly_sequence, "|",
                      p.meetings_epoch, "|", p.meetings_sequence, "|", p.cell_id, "|", p.duties_year, "|",
                      p.dues_month, "|", p.dues_sequence);
}

absl::StatusOr<SyncPosition> ParseSyncPosition(std::string_view text, std::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(absl::string_view(text.data(), text.size()), '|');
  const absl::Status malformed = common::InvalidField(field, "is not a cursor this service issued");
  const bool with_dues = parts.size() == 10 && parts[0] == kVersion;
  if (!with_dues && !(parts.size() == 8 && parts[0] == kVersionWithoutDues)) return malformed;
  SyncPosition p;
  int64_t year = 0;
  if (!IsEpoch(parts[1]) || parts[1].empty() || !IsEpoch(parts[4])) return malformed;
  if (!ParseNonNegative(parts[2], p.record_sequence) || !ParseNonNegative(parts[3], p.yearly_sequence) ||
      !ParseNonNegative(parts[5], p.meetings_sequence) || !ParseNonNegative(parts[6], p.cell_id) ||
      !ParseNonNegative(parts[7], year) || year < 1900 || year > 9999) {
    return malformed;
  }
  if (with_dues) {
    int64_t dues_month = 0;
    if (!ParseNonNegative(parts[8], dues_month) || dues_month > 999912 ||
        !ParseNonNegative(parts[9], p.dues_sequence)) {
      return malformed;
    }
    p.dues_month = static_cast<int32_t>(dues_month);
  }
  p.member_feed_epoch = std::string(parts[1]);
  p.meetings_epoch = std::string(parts[4]);
  p.duties_year = static_cast<int32_t>(year);
  return p;
}

bool NeedsReset(const SyncPosition& from, const SyncState& now) {
  if (from.member_feed_epoch != now.member_feed_epoch) return true;
  if (from.record_sequence > now.member_feed_head || from.yearly_sequence > now.member_feed_head ||
      from.dues_sequence > now.member_feed_head) {
    return true;
  }
  if (!from.meetings_epoch.empty() && from.meetings_epoch != now.meetings_epoch) return true;
  if (from.meetings_sequence > now.meetings_handled) return true;
  return from.cell_id != now.cell_id;
}

DutyYears DutyYearsOn(absl::CivilDay today) {
  const auto year = static_cast<int32_t>(today.year());
  return DutyYears{.previous = year - 1, .current = year};
}

int32_t DuesMonthKey(absl::CivilDay today) { return static_cast<int32_t>(today.year() * 100 + today.month()); }

absl::Time MeetingWindowStart(absl::CivilDay today) {
  return absl::FromCivil(absl::CivilSecond(today.year() - 1, 1, 1, 0, 0, 0),
                         absl::FixedTimeZone(kVietnamUtcOffsetSeconds));
}

}  // namespace grassroots::membership::domain
