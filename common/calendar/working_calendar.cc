#include "common/calendar/working_calendar.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

#ifndef GRASSROOTS_DEFAULT_CALENDAR_FILE
#define GRASSROOTS_DEFAULT_CALENDAR_FILE "data/calendar/vn-public-holidays.json"
#endif

namespace grassroots::common {
namespace {

absl::Status CalendarError(std::string_view where, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("calendar ", common::ToAbsl(where), ": ", common::ToAbsl(problem)));
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

// "YYYY-MM-DD", strictly (absl would also accept a normalizable "2025-02-30").
absl::StatusOr<absl::CivilDay> ParseDay(const nlohmann::json& value, std::string_view where) {
  if (!value.is_string()) return CalendarError(where, "must be a date string");
  const std::string text = value.get<std::string>();
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return CalendarError(where, absl::StrCat("'", text, "' is not a YYYY-MM-DD date"));
  }
  return day;
}

// Reads a list of dates of `year`, each checked by `check` (weekday or weekend).
absl::Status ReadDays(const nlohmann::json& entry, const char* key, int year, bool must_be_weekend,
                      const std::string& where, std::set<absl::CivilDay>& out) {
  auto it = entry.find(key);
  if (it == entry.end()) return absl::OkStatus();
  if (!it->is_array()) return CalendarError(absl::StrCat(where, ".", key), "must be an array of dates");
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string item = absl::StrCat(where, ".", key, "[", i, "]");
    GR_ASSIGN_OR_RETURN(absl::CivilDay day, ParseDay((*it)[i], item));
    if (day.year() != year) return CalendarError(item, "is not in the year it is listed under");
    if (IsWeekend(day) != must_be_weekend) {
      return CalendarError(item, must_be_weekend ? "a make-up working day must be a Saturday or Sunday"
                                                 : "a day off must be a weekday (weekends are off anyway)");
    }
    if (!out.insert(day).second) return CalendarError(item, "is listed twice");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WorkingCalendar> WorkingCalendar::FromJsonText(std::string_view text) {
  nlohmann::json root = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return CalendarError("file", "is not a JSON object");
  WorkingCalendar calendar;

  if (auto fixed = root.find("fixed_holidays"); fixed != root.end()) {
    if (!fixed->is_array()) return CalendarError("fixed_holidays", "must be an array of \"MM-DD\"");
    for (size_t i = 0; i < fixed->size(); ++i) {
      const std::string where = absl::StrCat("fixed_holidays[", i, "]");
      const nlohmann::json& item = (*fixed)[i];
      int month = 0, day = 0;
      const std::string value = item.is_string() ? item.get<std::string>() : "";
      if (value.size() != 5 || value[2] != '-' || !absl::SimpleAtoi(value.substr(0, 2), &month) ||
          !absl::SimpleAtoi(value.substr(3, 2), &day) || month < 1 || month > 12 || day < 1 ||
          // 2024 is a leap year, so 02-29 is accepted as a month-day.
          absl::CivilDay(2024, month, day).month() != month) {
        return CalendarError(where, "must be \"MM-DD\"");
      }
      calendar.fixed_holidays_.insert({month, day});
    }
  }

  auto years = root.find("years");
  if (years == root.end() || !years->is_object()) return CalendarError("years", "must be an object keyed by year");
  for (auto it = years->begin(); it != years->end(); ++it) {
    const std::string where = absl::StrCat("years.", it.key());
    int year = 0;
    if (!absl::SimpleAtoi(it.key(), &year) || year < 1900 || year > 2200) {
      return CalendarError(where, "the key must be a year");
    }
    const nlohmann::json& entry = it.value();
    if (!entry.is_object()) return CalendarError(where, "must be an object");
    auto citation = entry.find("citation");
    if (citation == entry.end() || !citation->is_string() || citation->get<std::string>().empty()) {
      return CalendarError(where, "citation is required (the notice the days come from)");
    }
    std::set<absl::CivilDay> days_off;
    GR_RETURN_IF_ERROR(ReadDays(entry, "days_off", year, /*must_be_weekend=*/false, where, days_off));
    if (!entry.contains("days_off")) return CalendarError(where, "days_off is required");
    std::set<absl::CivilDay> working;
    GR_RETURN_IF_ERROR(ReadDays(entry, "working_weekend_days", year, /*must_be_weekend=*/true, where, working));
    // A declared year must include every fixed-date holiday that falls on a weekday:
    // catches a year typed with a holiday left out.
    for (const auto& [month, day_of_month] : calendar.fixed_holidays_) {
      const absl::CivilDay holiday(year, month, day_of_month);
      if (holiday.month() == month && !IsWeekend(holiday) && days_off.count(holiday) == 0) {
        return CalendarError(where, absl::StrCat("days_off lacks the fixed holiday ", absl::FormatCivilTime(holiday)));
      }
    }
    calendar.days_off_.insert(days_off.begin(), days_off.end());
    calendar.working_weekend_days_.insert(working.begin(), working.end());
    calendar.years_.insert(year);
  }
  return calendar;
}

absl::StatusOr<WorkingCalendar> WorkingCalendar::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("calendar file ", path, " cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<WorkingCalendar> calendar = FromJsonText(text.str());
  if (!calendar.ok()) {
    return absl::Status(calendar.status().code(), absl::StrCat(path, ": ", calendar.status().message()));
  }
  return calendar;
}

std::string WorkingCalendar::DefaultPath() { return GRASSROOTS_DEFAULT_CALENDAR_FILE; }

bool WorkingCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (working_weekend_days_.count(day) > 0) return true;
  if (IsWeekend(day)) return false;
  if (years_.count(static_cast<int>(day.year())) > 0) return days_off_.count(day) == 0;
  return fixed_holidays_.count({day.month(), day.day()}) == 0;
}

absl::CivilDay WorkingCalendar::AddWorkingDays(absl::CivilDay start, int n) const {
  absl::CivilDay day = start;
  for (int counted = 0; counted < n;) {
    ++day;
    if (IsWorkingDay(day)) ++counted;
  }
  return day;
}

int WorkingCalendar::WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const {
  int count = 0;
  for (absl::CivilDay day = from + 1; day <= to; ++day) {
    if (IsWorkingDay(day)) ++count;
  }
  return count;
}

bool WorkingCalendar::CoversYear(int year) const { return years_.count(year) > 0; }

}  // namespace grassroots::common
