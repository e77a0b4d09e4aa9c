#pragma once
// Repository of committee terms (nhiệm kỳ) and the positions held in them.
// Periods are [starts_on, ends_on): ends_on is the first day out of office.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::store {

struct CommitteeTerm {
  int64_t id = 0;
  int64_t organization_id = 0;
  std::string label;
  absl::CivilDay starts_on;
  std::optional<absl::CivilDay> ends_on;
  bool elected_committee = false;
  int32_t seats = 0;
  domain::Decision decision;
  int64_t version = 1;
  bool InOfficeOn(absl::CivilDay day) const { return starts_on <= day && (!ends_on || day < *ends_on); }
};

struct CommitteePosition {
  int64_t id = 0;
  int64_t term_id = 0;
  int64_t organization_id = 0;  // the term's organization (for resource names)
  int64_t member_id = 0;
  std::string kind;  // "SECRETARY", "DEPUTY_SECRETARY", "COMMITTEE_MEMBER", ...
  absl::CivilDay starts_on;
  std::optional<absl::CivilDay> ends_on;
  std::optional<int64_t> party_group_id;
};

class CommitteeStore {
 public:
  explicit CommitteeStore(common::db::ConnectionPool& pool) : pool_(pool) {}

  // Refuses a term on an ended organization (ORGANIZATION_ENDED), or one whose
  // period overlaps another term of the organization (TERM_OVERLAPS).
  absl::StatusOr<int64_t> CreateTerm(common::db::Session& session, const CommitteeTerm& term);
  absl::StatusOr<CommitteeTerm> GetTerm(common::db::Session& session, int64_t id);
  absl::StatusOr<CommitteeTerm> GetTerm(int64_t id);
  absl::StatusOr<std::vector<CommitteeTerm>> ListTerms(int64_t organization_id);
  // Records the actual end. ABORTED on etag mismatch; TERM_ALREADY_ENDED when it
  // already ended before `ended_on`; INVALID_ARGUMENT(ended_on) when not after the start.
  absl::Status EndTerm(common::db::Session& session, int64_t id, absl::CivilDay ended_on, const std::string& etag);
  // The term in office on `day`, if any.
  absl::StatusOr<std::optional<CommitteeTerm>> TermInOffice(common::db::Session& session, int64_t organization_id,
                                                            absl::CivilDay day);

  // Checks: inside the term (POSITION_OUTSIDE_TERM), committee positions need
  // an elected committee (NO_ELECTED_COMMITTEE), one secretary at a time and
  // one position per member at a time (POSITION_ALREADY_HELD), committee seats
  // (COMMITTEE_SEATS_FULL), party-group positions name a tổ đảng of the
  // organization (INVALID_ARGUMENT position.party_group).
  absl::StatusOr<int64_t> AssignPosition(common::db::Session& session, const CommitteePosition& position);
  absl::StatusOr<CommitteePosition> GetPosition(common::db::Session& session, int64_t id);
  // POSITION_ALREADY_ENDED when it ended already; INVALID_ARGUMENT(ended_on) when not after the start.
  absl::Status EndPosition(common::db::Session& session, int64_t id, absl::CivilDay ended_on);
  // Every position of the term, or those held on `as_of`.
  absl::StatusOr<std::vector<CommitteePosition>> ListPositions(int64_t term_id, std::optional<absl::CivilDay> as_of);

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::org::store
