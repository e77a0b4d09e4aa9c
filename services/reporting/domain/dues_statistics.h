#pragma once
// Party dues over a subtree (no I/O): cells' published monthly totals added
// up by month, a year made of its months, and the withholding of figures over
// too few members from a role that may not see persons.
#include <cstdint>
#include <span>

namespace grassroots::reporting::domain {

struct DuesFigures {
  int64_t members_owing = 0;
  int64_t due = 0;
  int64_t paid = 0;
  int64_t voluntary = 0;
  int64_t outstanding = 0;
  int64_t members_unpaid = 0;
  int64_t members_in_arrears = 0;
  bool suppressed = false;
};

// Adds another set of cells for the same month (a member owes one cell a month).
void AddCells(DuesFigures& into, const DuesFigures& more);

// The year of `months` (in order): money summed over the months; the member
// counts are those of the latest month with members owing (members are not
// summed across months).
DuesFigures YearOf(std::span<const DuesFigures> months);

// Withholds every figure over fewer than `min_count` members (and more than
// none): min_count <= 1 withholds nothing.
void Suppress(DuesFigures& figures, int64_t min_count);

}  // namespace grassroots::reporting::domain
