#include "services/org/domain/committee_positions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

std::string Day(absl::CivilDay day) { return common::api::FormatDate(day); }

absl::Status Precondition(std::string_view reason, const std::string& message) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, reason, message);
}

// [a_start, a_end) and [b_start, b_end) share a day; an empty end is open.
bool Overlap(absl::CivilDay a_start, std::optional<absl::CivilDay> a_end, absl::CivilDay b_start,
             std::optional<absl::CivilDay> b_end) {
  return (!a_end || b_start < *a_end) && (!b_end || a_start < *b_end);
}

bool IsCommitteeMemberKind(const std::string& kind) {
  return kind == "COMMITTEE_MEMBER" || kind == "STANDING_COMMITTEE_MEMBER";
}

// A recorded end that is already past cannot move later; a future one still can.
bool EndIsFinal(std::optional<absl::CivilDay> recorded_end, absl::CivilDay new_end, absl::CivilDay today) {
  return recorded_end && *recorded_end <= today && *recorded_end < new_end;
}

}  // namespace

bool IsSeatKind(const std::string& kind) {
  return IsCommitteeMemberKind(kind) || kind == "SECRETARY" || kind == "DEPUTY_SECRETARY";
}

bool IsPartyGroupKind(const std::string& kind) { return kind == "PARTY_GROUP_LEADER" || kind == "PARTY_GROUP_DEPUTY"; }

absl::Status CheckNewTerm(const CommitteeTerm& term, std::optional<absl::CivilDay> organization_ended_on,
                          const std::vector<CommitteeTerm>& other_terms) {
  if (organization_ended_on && term.starts_on >= *organization_ended_on) {
    return Precondition("ORGANIZATION_ENDED", absl::StrCat("the organization ended on ", Day(*organization_ended_on)));
  }
  for (const CommitteeTerm& other : other_terms) {
    if (other.organization_id == term.organization_id &&
        Overlap(term.starts_on, term.ends_on, other.starts_on, other.ends_on)) {
      return Precondition("TERM_OVERLAPS",
                          absl::StrCat("the period overlaps committee term ", other.id, " of the organization"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTermEnd(const CommitteeTerm& term, absl::CivilDay ended_on, absl::CivilDay today) {
  if (ended_on <= term.starts_on) return common::InvalidField("ended_on", "must be after the term's start");
  if (EndIsFinal(term.ends_on, ended_on, today)) {
    return Precondition("TERM_ALREADY_ENDED", absl::StrCat("the term ended on ", Day(*term.ends_on)));
  }
  return absl::OkStatus();
}

absl::Status CheckPositionEnd(const CommitteePosition& position, absl::CivilDay ended_on, absl::CivilDay today) {
  if (ended_on <= position.starts_on) return common::InvalidField("ended_on", "must be after the position's start");
  if (EndIsFinal(position.ends_on, ended_on, today)) {
    return Precondition("POSITION_ALREADY_ENDED", absl::StrCat("the position ended on ", Day(*position.ends_on)));
  }
  return absl::OkStatus();
}

absl::Status CheckPositionAssignment(const CommitteePosition& position, const PositionFacts& facts) {
  const CommitteeTerm& term = facts.term;
  if (position.starts_on < term.starts_on || (term.ends_on && position.starts_on >= *term.ends_on) ||
      (term.ends_on && position.ends_on && *position.ends_on > *term.ends_on)) {
    return Precondition("POSITION_OUTSIDE_TERM", "the position's period lies outside the committee term");
  }
  if (IsCommitteeMemberKind(position.kind) && !term.elected_committee) {
    return Precondition("NO_ELECTED_COMMITTEE", "the term elected no committee, so it has no committee members");
  }
  if (IsPartyGroupKind(position.kind)) {
    if (!position.party_group_id) {
      return common::InvalidField("position.party_group", "is required for a party group position");
    }
    if (!facts.party_group_active) {
      return common::InvalidField("position.party_group", "is not an active party group (tổ đảng) of the organization");
    }
  } else if (position.party_group_id) {
    return common::InvalidField("position.party_group", "is only for party group positions");
  }
  // One position per member at a time, and one secretary at a time.
  const std::optional<absl::CivilDay> end = position.ends_on ? position.ends_on : term.ends_on;
  for (const CommitteePosition& held : facts.term_positions) {
    if (!Overlap(position.starts_on, end, held.starts_on, held.ends_on)) continue;
    if (held.member_id == position.member_id) {
      return Precondition("POSITION_ALREADY_HELD", "the member already holds a position in this period");
    }
    if (held.kind == "SECRETARY" && position.kind == "SECRETARY") {
      return Precondition("POSITION_ALREADY_HELD", "the term already has a secretary in this period");
    }
  }
  if (IsSeatKind(position.kind) && term.elected_committee && term.seats > 0) {
    const auto taken = std::count_if(facts.term_positions.begin(), facts.term_positions.end(),
                                     [&](const CommitteePosition& held) {
                                       return IsSeatKind(held.kind) && held.starts_on <= position.starts_on &&
                                              (!held.ends_on || *held.ends_on > position.starts_on);
                                     });
    if (taken >= term.seats) {
      return Precondition("COMMITTEE_SEATS_FULL", absl::StrCat("all ", term.seats, " committee seats are taken"));
    }
  }
  return absl::OkStatus();
}

}  // namespace grassroots::org::domain
