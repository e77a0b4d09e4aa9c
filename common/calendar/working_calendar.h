#pragma once
// Working days as data: weekends plus the public holidays and compensatory days
// off of each year (data/calendar/vn-public-holidays.json), and the make-up
// working Saturdays some years declare. No I/O after loading.
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::common {

class WorkingCalendar {
 public:
  // File format: {"years": {"2025": {"citation": "...", "days_off": ["2025-01-01", ...],
  // "working_weekend_days": [...]}, ...}, "fixed_holidays": ["01-01", "04-30", "05-01", "09-02"]}.
  // Bad dates or a year without a citation are errors naming the entry.
  static absl::StatusOr<WorkingCalendar> FromJsonText(std::string_view text);
  static absl::StatusOr<WorkingCalendar> LoadFile(const std::string& path);
  // The path of the repo's calendar file as built.
  static std::string DefaultPath();

  bool IsWorkingDay(absl::CivilDay day) const;
  // The day `n` working days after `start` (start itself not counted); n >= 0.
  absl::CivilDay AddWorkingDays(absl::CivilDay start, int n) const;
  // Working days in (from, to]; 0 when to <= from.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;
  // Whether the year's declared days off are in the data (years outside fall
  // back to weekends and the fixed-date holidays only).
  bool CoversYear(int year) const;

 private:
  std::set<absl::CivilDay> days_off_;
  std::set<absl::CivilDay> working_weekend_days_;
  std::set<std::pair<int, int>> fixed_holidays_;  // (month, day)
  std::set<int> years_;
};

}  // namespace grassroots::membership::domain
