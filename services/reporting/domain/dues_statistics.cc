#include "services/reporting/domain/dues_statistics.h"

namespace grassroots::reporting::domain {

void AddCells(DuesFigures& into, const DuesFigures& more) {
  into.members_owing += more.members_owing;
  into.due += more.due;
  into.paid += more.paid;
  into.voluntary += more.voluntary;
  into.outstanding += more.outstanding;
  into.members_unpaid += more.members_unpaid;
  into.members_in_arrears += more.members_in_arrears;
}

DuesFigures YearOf(std::span<const DuesFigures> months) {
  DuesFigures year;
  for (const DuesFigures& month : months) {
    year.due += month.due;
    year.paid += month.paid;
    year.voluntary += month.voluntary;
    year.outstanding += month.outstanding;
    if (month.members_owing > 0) {
      year.members_owing = month.members_owing;
      year.members_unpaid = month.members_unpaid;
      year.members_in_arrears = month.members_in_arrears;
    }
  }
  return year;
}

void Suppress(DuesFigures& figures, int64_t min_count) {
  if (min_count <= 1 || figures.members_owing == 0 || figures.members_owing >= min_count) return;
  figures = DuesFigures{};
  figures.suppressed = true;
}

}  // namespace grassroots::reporting::domain
