// Dues over a subtree: months add cells, a year adds money but not members,
// and figures over too few members are withheld.
#include "services/reporting/domain/dues_statistics.h"

#include <gtest/gtest.h>

#include <vector>

namespace grassroots::reporting::domain {
namespace {

DuesFigures Cell(int64_t members, int64_t due, int64_t paid) {
  DuesFigures f;
  f.members_owing = members;
  f.due = due;
  f.paid = paid;
  f.outstanding = due - paid;
  f.members_unpaid = due > paid ? 1 : 0;
  return f;
}

TEST(DuesStatisticsTest, AMonthAddsItsCells) {
  DuesFigures month;
  AddCells(month, Cell(10, 150'000, 120'000));
  AddCells(month, Cell(4, 60'000, 60'000));
  EXPECT_EQ(month.members_owing, 14);
  EXPECT_EQ(month.due, 210'000);
  EXPECT_EQ(month.outstanding, 30'000);
  EXPECT_EQ(month.members_unpaid, 1);
}

TEST(DuesStatisticsTest, AYearAddsMoneyButCountsTheLatestMonthsMembers) {
  const std::vector<DuesFigures> months = {Cell(10, 100, 100), Cell(12, 120, 100), Cell(0, 0, 0)};
  const DuesFigures year = YearOf(months);
  EXPECT_EQ(year.due, 220);
  EXPECT_EQ(year.paid, 200);
  EXPECT_EQ(year.members_owing, 12) << "members are not summed across months";
  EXPECT_EQ(year.members_unpaid, 1);
}

TEST(DuesStatisticsTest, FewMembersAreWithheld) {
  DuesFigures few = Cell(3, 45'000, 30'000);
  Suppress(few, 5);
  EXPECT_TRUE(few.suppressed);
  EXPECT_EQ(few.due, 0);
  EXPECT_EQ(few.members_owing, 0);
  DuesFigures enough = Cell(5, 75'000, 75'000);
  Suppress(enough, 5);
  EXPECT_FALSE(enough.suppressed);
  EXPECT_EQ(enough.due, 75'000);
  DuesFigures none;
  Suppress(none, 5);
  EXPECT_FALSE(none.suppressed) << "nothing owed reveals nobody";
  DuesFigures any = Cell(1, 15'000, 0);
  Suppress(any, 0);
  EXPECT_FALSE(any.suppressed) << "roles that see persons see everything";
}

}  // namespace
}  // namespace grassroots::reporting::domain
