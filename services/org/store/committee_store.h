#pragma once
// Repository of committee terms (nhiệm kỳ) and the positions held in them. Each write
// loads the facts it is judged on under lock and lets domain/committee_positions.h decide.
// Periods are [starts_on, ends_on): ends_on is the first day out of office.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/org/domain/committee_positions.h"

namespace grassroots::org::store {

class CommitteeStore {
 public:
  explicit CommitteeStore(common::db::ConnectionPool& pool) : pool_(pool) {}

  // Refuses a term on an ended organization (ORGANIZATION_ENDED), or one whose
  // period overlaps another term of the organization (TERM_OVERLAPS).
  absl::StatusOr<int64_t> CreateTerm(common::db::Session& session, const domain::CommitteeTerm& term);
  absl::StatusOr<domain::CommitteeTerm> GetTerm(common::db::Session& session, int64_t id);
  absl::StatusOr<domain::CommitteeTerm> GetTerm(int64_t id);
  absl::StatusOr<std::vector<domain::CommitteeTerm>> ListTerms(int64_t organization_id);
  // Records the actual end. ABORTED on etag mismatch; TERM_ALREADY_ENDED when it
  // already ended before `ended_on`; INVALID_ARGUMENT(ended_on) when not after the start.
  absl::Status EndTerm(common::db::Session& session, int64_t id, absl::CivilDay ended_on, const std::string& etag);
  // The term in office on `day`, if any.
  absl::StatusOr<std::optional<domain::CommitteeTerm>> TermInOffice(common::db::Session& session, int64_t organization_id,
                                                            absl::CivilDay day);

  // Checks: inside the term (POSITION_OUTSIDE_TERM), committee positions need
  // an elected committee (NO_ELECTED_COMMITTEE), one secretary at a time and
  // one position per member at a time (POSITION_ALREADY_HELD), committee seats
  // (COMMITTEE_SEATS_FULL), party-group positions name a tổ đảng of the
  // organization (INVALID_ARGUMENT position.party_group).
  absl::StatusOr<int64_t> AssignPosition(common::db::Session& session, const domain::CommitteePosition& position);
  absl::StatusOr<domain::CommitteePosition> GetPosition(common::db::Session& session, int64_t id);
  // POSITION_ALREADY_ENDED when it ended already; INVALID_ARGUMENT(ended_on) when not after the start.
  absl::Status EndPosition(common::db::Session& session, int64_t id, absl::CivilDay ended_on);
  // Every position of the term, or those held on `as_of`.
  absl::StatusOr<std::vector<domain::CommitteePosition>> ListPositions(int64_t term_id, std::optional<absl::CivilDay> as_of);

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::org::store
