// Working days as data: the repository's calendar file and the loader's checks.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/calendar/working_calendar.h"

namespace grassroots::common {
namespace {

using ::testing::HasSubstr;
using D = absl::CivilDay;

class CalendarFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto calendar = WorkingCalendar::LoadFile(WorkingCalendar::DefaultPath());
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = new WorkingCalendar(*std::move(calendar));
  }
  static inline WorkingCalendar* calendar_ = nullptr;
};

TEST_F(CalendarFileTest, DefaultPathIsTheRepositoryFile) {
  EXPECT_THAT(WorkingCalendar::DefaultPath(), HasSubstr("data/calendar/vn-public-holidays.json"));
}

TEST_F(CalendarFileTest, CoversTwentyNineteenToTwentyTwentySeven) {
  for (int year = 2019; year <= 2027; ++year) EXPECT_TRUE(calendar_->CoversYear(year)) << year;
  EXPECT_FALSE(calendar_->CoversYear(2018));
  EXPECT_FALSE(calendar_->CoversYear(2028));
}

TEST_F(CalendarFileTest, StatutoryHolidaysAreNeverWorkingDays) {
  // Lunar dates computed from the Vietnamese (UTC+7) lunar calendar.
  const std::vector<D> lunar_new_year = {D(2019, 2, 5),  D(2020, 1, 25), D(2021, 2, 12),
                                         D(2022, 2, 1),  D(2023, 1, 22), D(2024, 2, 10),
                                         D(2025, 1, 29), D(2026, 2, 17), D(2027, 2, 6)};
  const std::vector<D> hung_kings = {D(2019, 4, 14), D(2020, 4, 2),  D(2021, 4, 21), D(2022, 4, 10), D(2023, 4, 29),
                                     D(2024, 4, 18), D(2025, 4, 7),  D(2026, 4, 26), D(2027, 4, 16)};
  for (const D day : lunar_new_year) {
    EXPECT_FALSE(calendar_->IsWorkingDay(day)) << day;
    EXPECT_FALSE(calendar_->IsWorkingDay(day - 1)) << "Tết eve " << day;
  }
  for (const D day : hung_kings) EXPECT_FALSE(calendar_->IsWorkingDay(day)) << day;
  for (int year = 2019; year <= 2027; ++year) {
    for (const D day : {D(year, 1, 1), D(year, 4, 30), D(year, 5, 1), D(year, 9, 2)}) {
      EXPECT_FALSE(calendar_->IsWorkingDay(day)) << day;
    }
  }
}

TEST_F(CalendarFileTest, EachYearHasItsFiveWeekdaysOffForTet) {
  // The weekdays off within a fortnight of the lunar new year.
  const std::vector<D> lunar_new_year = {D(2019, 2, 5),  D(2020, 1, 25), D(2021, 2, 12),
                                         D(2022, 2, 1),  D(2023, 1, 22), D(2024, 2, 10),
                                         D(2025, 1, 29), D(2026, 2, 17), D(2027, 2, 6)};
  for (const D tet : lunar_new_year) {
    int weekdays_off = 0;
    for (D day = tet - 7; day <= tet + 7; ++day) {
      const absl::Weekday weekday = absl::GetWeekday(day);
      if (weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday && !calendar_->IsWorkingDay(day)) {
        ++weekdays_off;
      }
    }
    EXPECT_EQ(weekdays_off, 5) << tet;
  }
}

TEST_F(CalendarFileTest, CompensatoryDaysAndSwappedSaturdays) {
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2019, 4, 15)));  // Giỗ Tổ on Sunday 14/4
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2021, 5, 3)));   // 1/5 on a Saturday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2021, 9, 3)));   // the day after Quốc khánh
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2022, 1, 3)));   // 1/1 on a Saturday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2023, 5, 2)));   // Giỗ Tổ on Saturday 29/4
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2024, 4, 29)));  // swapped for Saturday 4/5
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2024, 5, 4)));
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2019, 1, 5)));
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2025, 4, 26)));
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2025, 5, 2)));
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2026, 1, 2)));
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2026, 1, 10)));
}

TEST_F(CalendarFileTest, OrdinaryDays) {
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2025, 3, 12)));   // a Wednesday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2025, 3, 15)));  // Saturday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2025, 3, 16)));  // Sunday
}

TEST_F(CalendarFileTest, UncoveredYearsFallBackToFixedHolidays) {
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2030, 1, 1)));   // Tuesday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2030, 4, 30)));  // Tuesday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2030, 5, 1)));   // Wednesday
  EXPECT_FALSE(calendar_->IsWorkingDay(D(2030, 9, 2)));   // Monday
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2030, 9, 3)));    // no adjacent day without the year's notice
  EXPECT_TRUE(calendar_->IsWorkingDay(D(2018, 12, 31)));  // swapped in the 2019 notice, not in the data
}

TEST_F(CalendarFileTest, AddWorkingDaysSkipsWeekendsAndHolidays) {
  EXPECT_EQ(calendar_->AddWorkingDays(D(2025, 3, 12), 0), D(2025, 3, 12));
  EXPECT_EQ(calendar_->AddWorkingDays(D(2025, 3, 14), 1), D(2025, 3, 17));  // Friday -> Monday
  EXPECT_EQ(calendar_->AddWorkingDays(D(2025, 3, 15), 1), D(2025, 3, 17));  // from a Saturday
  EXPECT_EQ(calendar_->AddWorkingDays(D(2024, 2, 7), 1), D(2024, 2, 15));   // across Tết
  EXPECT_EQ(calendar_->AddWorkingDays(D(2024, 4, 1), 30), D(2024, 5, 16));
  EXPECT_EQ(calendar_->AddWorkingDays(D(2024, 1, 25), 30), D(2024, 3, 14));
  EXPECT_EQ(calendar_->AddWorkingDays(D(2025, 5, 16), 30), D(2025, 6, 27));
  EXPECT_EQ(calendar_->AddWorkingDays(D(2024, 5, 3), 1), D(2024, 5, 4));  // the make-up Saturday counts
}

TEST_F(CalendarFileTest, WorkingDaysBetweenCountsTheHalfOpenRange) {
  EXPECT_EQ(calendar_->WorkingDaysBetween(D(2025, 3, 12), D(2025, 3, 12)), 0);
  EXPECT_EQ(calendar_->WorkingDaysBetween(D(2025, 3, 12), D(2025, 3, 10)), 0);
  EXPECT_EQ(calendar_->WorkingDaysBetween(D(2025, 3, 14), D(2025, 3, 17)), 1);
  EXPECT_EQ(calendar_->WorkingDaysBetween(D(2024, 2, 7), D(2024, 2, 15)), 1);
  for (const D start : {D(2019, 4, 10), D(2021, 2, 8), D(2023, 4, 27), D(2024, 12, 30), D(2026, 2, 12)}) {
    for (int n : {1, 5, 30, 60}) {
      EXPECT_EQ(calendar_->WorkingDaysBetween(start, calendar_->AddWorkingDays(start, n)), n) << start << " " << n;
    }
  }
}

// ---- the loader's checks ------------------------------------------------------------------------

absl::Status Load(const std::string& years) {
  return WorkingCalendar::FromJsonText(
             absl::StrCat(R"({"fixed_holidays": ["01-01", "04-30", "05-01", "09-02"], "years": {)", years, "}}"))
      .status();
}

TEST(CalendarLoaderTest, AcceptsAWellFormedYear) {
  auto calendar = WorkingCalendar::FromJsonText(
      R"({"fixed_holidays": ["01-01"], "years": {"2031": {"citation": "test notice",
          "days_off": ["2031-01-01", "2031-01-02"], "working_weekend_days": ["2031-01-11"]}}})");
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_FALSE(calendar->IsWorkingDay(D(2031, 1, 2)));
  EXPECT_TRUE(calendar->IsWorkingDay(D(2031, 1, 11)));
  EXPECT_TRUE(calendar->CoversYear(2031));
}

TEST(CalendarLoaderTest, RefusesBadData) {
  const std::string fixed = R"("2025-01-01", "2025-04-30", "2025-05-01", "2025-09-02")";
  struct Case {
    std::string years;
    std::string names;
  };
  const std::vector<Case> cases = {
      {R"("2025": {"days_off": [)" + fixed + "]}", "years.2025"},                                  // no citation
      {R"("2025": {"citation": "", "days_off": [)" + fixed + "]}", "years.2025"},                  // empty citation
      {R"("2025": {"citation": "x", "days_off": [)" + fixed + R"(, "2025-02-30"]})", "days_off[4]"},  // no such date
      {R"("2025": {"citation": "x", "days_off": [)" + fixed + R"(, "2025-03-15"]})", "days_off[4]"},  // a Saturday
      {R"("2025": {"citation": "x", "days_off": [)" + fixed + R"(, "2024-03-14"]})", "days_off[4]"},  // wrong year
      {R"("2025": {"citation": "x", "days_off": [)" + fixed + R"(, "2025-01-01"]})", "days_off[4]"},  // twice
      {R"("2025": {"citation": "x", "days_off": ["2025-01-01", "2025-04-30", "2025-05-01"]})",
       "2025-09-02"},  // a fixed holiday left out
      {R"("2025": {"citation": "x", "days_off": [)" + fixed + R"(], "working_weekend_days": ["2025-03-14"]})",
       "working_weekend_days[0]"},  // a Friday is not a make-up weekend day
      {R"("twenty": {"citation": "x", "days_off": []})", "years.twenty"},
      {R"("2025": {"citation": "x"})", "days_off"},
  };
  for (const Case& c : cases) {
    const absl::Status status = Load(c.years);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.years;
    EXPECT_THAT(status.message(), HasSubstr(c.names)) << status;
  }
  EXPECT_FALSE(WorkingCalendar::FromJsonText("not json").ok());
  EXPECT_FALSE(WorkingCalendar::FromJsonText(R"({"years": {}, "fixed_holidays": ["13-01"]})").ok());
  EXPECT_EQ(WorkingCalendar::LoadFile("/nonexistent/calendar.json").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace grassroots::common
