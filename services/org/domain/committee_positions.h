#pragma once
// Committee terms (nhiệm kỳ) and the positions members hold in them: which terms may
// coexist, who may hold which position, how many seats, and when a term or a position
// may still be ended. The store loads the facts under lock; these functions decide.
// Periods are [starts_on, ends_on): ends_on is the first day out of office. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/org/domain/organization.h"  // Decision

namespace grassroots::org::domain {

struct CommitteeTerm {
  int64_t id = 0;
  int64_t organization_id = 0;
  std::string label;
  absl::CivilDay starts_on;
  std::optional<absl::CivilDay> ends_on;
  bool elected_committee = false;
  int32_t seats = 0;
  Decision decision;
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

// A new term of an organization: not on or after the organization's end
// (FAILED_PRECONDITION ORGANIZATION_ENDED), and overlapping none of its other terms
// (TERM_OVERLAPS naming the term).
absl::Status CheckNewTerm(const CommitteeTerm& term, std::optional<absl::CivilDay> organization_ended_on,
                          const std::vector<CommitteeTerm>& other_terms);

// Recording a term's (or a position's) end on `ended_on`: after its start
// (INVALID_ARGUMENT ended_on); a planned end in the future may be brought forward or
// moved, but an end already past is final (FAILED_PRECONDITION TERM_ALREADY_ENDED /
// POSITION_ALREADY_ENDED).
absl::Status CheckTermEnd(const CommitteeTerm& term, absl::CivilDay ended_on, absl::CivilDay today);
absl::Status CheckPositionEnd(const CommitteePosition& position, absl::CivilDay ended_on, absl::CivilDay today);

// What an assignment is judged on, loaded with the term locked.
struct PositionFacts {
  CommitteeTerm term;
  // Every position of the term recorded so far.
  std::vector<CommitteePosition> term_positions;
  // For a party-group position: the named organization is an active tổ đảng of the term's
  // organization on the position's first day.
  bool party_group_active = false;
};

// A position may be assigned when: it lies inside the term (POSITION_OUTSIDE_TERM); a
// committee member's position needs an elected committee (NO_ELECTED_COMMITTEE); party
// group positions name an active tổ đảng, others none (INVALID_ARGUMENT
// position.party_group); the member holds no other position and the term has no other
// secretary over the period (POSITION_ALREADY_HELD); a seat is free on its first day
// (COMMITTEE_SEATS_FULL).
absl::Status CheckPositionAssignment(const CommitteePosition& position, const PositionFacts& facts);

// Positions that take a committee seat.
bool IsSeatKind(const std::string& kind);
bool IsPartyGroupKind(const std::string& kind);

}  // namespace grassroots::org::domain
