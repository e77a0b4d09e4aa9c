#pragma once
// What the warnings read beyond the scorecard's facts (ScorecardFactsStore::Load
// gathers the rest): the probation end dates of probationary members, and the
// residence feedback for a year as recorded by a later day. Run inside the
// transaction that loaded the facts, so both see one snapshot.
#include <cstdint>
#include <map>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/reporting/domain/scorecard.h"

namespace grassroots::reporting::store {

class WarningStore {
 public:
  // The probation end date of each member of `facts` probationary on its day,
  // by member id (members whose record has none are left out).
  static absl::StatusOr<std::map<int64_t, absl::CivilDay>> ProbationEndDates(common::db::Session& session,
                                                                            const domain::SubtreeFacts& facts);

  // Sets each member's feedback years in `facts` to {year} when feedback for
  // `year` was given by `recorded_by` (a year's feedback may come after its
  // last day), and to none otherwise.
  static absl::Status ReplaceFeedbackYear(common::db::Session& session, int year, absl::CivilDay recorded_by,
                                          domain::SubtreeFacts& facts);
};

}  // namespace grassroots::reporting::store
