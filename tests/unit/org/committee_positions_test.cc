// Committee terms and positions: overlap, who may hold which position, seats and the
// back-dating of ends, decided without a database.
#include "services/org/domain/committee_positions.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

CommitteeTerm Term(absl::CivilDay start, std::optional<absl::CivilDay> end, bool elected = true, int seats = 3) {
  CommitteeTerm term;
  term.id = 7;
  term.organization_id = 40;
  term.starts_on = start;
  term.ends_on = end;
  term.elected_committee = elected;
  term.seats = seats;
  return term;
}

CommitteePosition Held(int64_t member, const std::string& kind, absl::CivilDay start,
                       std::optional<absl::CivilDay> end = std::nullopt) {
  CommitteePosition p;
  p.term_id = 7;
  p.organization_id = 40;
  p.member_id = member;
  p.kind = kind;
  p.starts_on = start;
  p.ends_on = end;
  return p;
}

const absl::CivilDay kTermStart(2025, 7, 1);
const absl::CivilDay kTermEnd(2030, 7, 1);

TEST(CommitteeTerms, TermsOfAnOrganizationDoNotOverlap) {
  const CommitteeTerm previous = Term(absl::CivilDay(2020, 7, 1), kTermStart);
  EXPECT_TRUE(CheckNewTerm(Term(kTermStart, kTermEnd), std::nullopt, {previous}).ok());
  const absl::Status overlap = CheckNewTerm(Term(absl::CivilDay(2025, 6, 30), kTermEnd), std::nullopt, {previous});
  EXPECT_EQ(common::ReasonOf(overlap), "TERM_OVERLAPS");
  // An open previous term overlaps everything after its start.
  EXPECT_EQ(common::ReasonOf(CheckNewTerm(Term(kTermStart, kTermEnd), std::nullopt,
                                          {Term(absl::CivilDay(2020, 7, 1), std::nullopt)})),
            "TERM_OVERLAPS");
  EXPECT_EQ(common::ReasonOf(CheckNewTerm(Term(kTermStart, kTermEnd), kTermStart, {})), "ORGANIZATION_ENDED");
  EXPECT_TRUE(CheckNewTerm(Term(kTermStart, kTermEnd), absl::CivilDay(2025, 7, 2), {}).ok());
}

TEST(CommitteeTerms, APastEndIsFinalAFutureOneMayMove) {
  const absl::CivilDay today(2026, 12, 4);
  EXPECT_EQ(common::FieldOf(CheckTermEnd(Term(kTermStart, std::nullopt), kTermStart, today)), "ended_on");
  EXPECT_TRUE(CheckTermEnd(Term(kTermStart, kTermEnd), absl::CivilDay(2026, 1, 1), today).ok());
  EXPECT_TRUE(CheckTermEnd(Term(kTermStart, kTermEnd), absl::CivilDay(2031, 1, 1), today).ok());
  const CommitteeTerm ended = Term(kTermStart, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(common::ReasonOf(CheckTermEnd(ended, absl::CivilDay(2026, 6, 1), today)), "TERM_ALREADY_ENDED");
  EXPECT_TRUE(CheckTermEnd(ended, absl::CivilDay(2026, 2, 1), today).ok());  // corrected earlier

  const CommitteePosition ended_position = Held(1, "SECRETARY", kTermStart, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(common::ReasonOf(CheckPositionEnd(ended_position, absl::CivilDay(2026, 6, 1), today)),
            "POSITION_ALREADY_ENDED");
  EXPECT_EQ(common::FieldOf(CheckPositionEnd(ended_position, kTermStart, today)), "ended_on");
}

TEST(CommitteePositions, InsideTheTermAndOnlyCommitteeMembersOfAnElectedCommittee) {
  PositionFacts facts{Term(kTermStart, kTermEnd), {}, false};
  EXPECT_TRUE(CheckPositionAssignment(Held(1, "SECRETARY", kTermStart), facts).ok());
  EXPECT_EQ(common::ReasonOf(CheckPositionAssignment(Held(1, "SECRETARY", absl::CivilDay(2025, 6, 30)), facts)),
            "POSITION_OUTSIDE_TERM");
  EXPECT_EQ(common::ReasonOf(CheckPositionAssignment(Held(1, "SECRETARY", kTermStart, absl::CivilDay(2031, 1, 1)),
                                                     facts)),
            "POSITION_OUTSIDE_TERM");
  facts.term.elected_committee = false;
  facts.term.seats = 0;
  EXPECT_EQ(common::ReasonOf(CheckPositionAssignment(Held(1, "COMMITTEE_MEMBER", kTermStart), facts)),
            "NO_ELECTED_COMMITTEE");
  EXPECT_TRUE(CheckPositionAssignment(Held(1, "DEPUTY_SECRETARY", kTermStart), facts).ok());
}

TEST(CommitteePositions, OneSecretaryAndOnePositionPerMemberAtATime) {
  PositionFacts facts{Term(kTermStart, kTermEnd, true, 9),
                      {Held(1, "SECRETARY", kTermStart, absl::CivilDay(2027, 1, 1))}, false};
  const absl::Status second = CheckPositionAssignment(Held(2, "SECRETARY", absl::CivilDay(2026, 1, 1)), facts);
  EXPECT_EQ(common::ReasonOf(second), "POSITION_ALREADY_HELD");
  EXPECT_NE(second.message().find("secretary"), std::string::npos);
  // The next secretary from the day the first one left.
  EXPECT_TRUE(CheckPositionAssignment(Held(2, "SECRETARY", absl::CivilDay(2027, 1, 1)), facts).ok());
  const absl::Status twice = CheckPositionAssignment(Held(1, "COMMITTEE_MEMBER", absl::CivilDay(2026, 1, 1)), facts);
  EXPECT_EQ(common::ReasonOf(twice), "POSITION_ALREADY_HELD");
  EXPECT_NE(twice.message().find("member already"), std::string::npos);
}

TEST(CommitteePositions, SeatsAreCountedOnTheFirstDay) {
  PositionFacts facts{Term(kTermStart, kTermEnd, true, 2),
                      {Held(1, "SECRETARY", kTermStart), Held(2, "COMMITTEE_MEMBER", kTermStart, absl::CivilDay(2026, 1, 1)),
                       Held(3, "PARTY_GROUP_LEADER", kTermStart)},
                      false};
  EXPECT_EQ(common::ReasonOf(CheckPositionAssignment(Held(4, "COMMITTEE_MEMBER", absl::CivilDay(2025, 12, 1)), facts)),
            "COMMITTEE_SEATS_FULL");
  EXPECT_TRUE(CheckPositionAssignment(Held(4, "COMMITTEE_MEMBER", absl::CivilDay(2026, 1, 1)), facts).ok());
}

TEST(CommitteePositions, PartyGroupPositionsNameAnActiveGroup) {
  PositionFacts facts{Term(kTermStart, kTermEnd), {}, false};
  CommitteePosition leader = Held(5, "PARTY_GROUP_LEADER", kTermStart);
  EXPECT_EQ(common::FieldOf(CheckPositionAssignment(leader, facts)), "position.party_group");
  leader.party_group_id = 88;
  EXPECT_EQ(common::FieldOf(CheckPositionAssignment(leader, facts)), "position.party_group");
  facts.party_group_active = true;
  EXPECT_TRUE(CheckPositionAssignment(leader, facts).ok());
  CommitteePosition secretary = Held(6, "SECRETARY", kTermStart);
  secretary.party_group_id = 88;
  EXPECT_EQ(common::FieldOf(CheckPositionAssignment(secretary, facts)), "position.party_group");
}

}  // namespace
}  // namespace grassroots::org::domain
