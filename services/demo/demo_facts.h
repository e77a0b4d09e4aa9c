#pragma once
// The facts the scorecard needs beyond the demo's 2020-2025 activity, as data: heads of
// residential units with their history (S15), training for a post (S14) and a merged
// cell (2026). Built from the org plan and the members plan without randomness of its
// own: the same facts every time. No I/O here; demo_facts_loader sends them.
#include <string>
#include <vector>

#include "services/demo/demo_members.h"
#include "services/demo/demo_plan.h"

namespace grassroots::demo {

// The day the two demo cells merge; after the members' history ends.
inline constexpr char kCellMergeDate[] = "2026-03-01";

// A course attended for a post, and the term of the post it is for.
struct PostCourse {
  std::string course;
  std::string start_date;
  std::string end_date;
  std::string term_starts_on;
  std::string term_ends_on;  // empty: the term is open
  std::string certificate;
  std::string provider;
};

// A head who takes a unit's post from `valid_from` (the holder until then leaves it).
struct HeadSuccession {
  std::string unit_code;
  int post = 1;                     // grassroots.org.v1.UnitHeadPost
  std::string display_name;
  std::string member_external_id;   // a demo member living in the unit; empty: not a member
  std::string member_citizen_id;    // how the loader finds the member's id
  std::string valid_from;
  Decision decision;
  // Training for the post: recorded by org for a head who is not a member
  // (RecordHeadTraining), by membership as POST_TRAINING for a member.
  bool trained = false;
  PostCourse training;
};

// A member's POST_TRAINING for a committee post (grassroots.membership.v1.TrainingPost).
struct CommitteePostTraining {
  std::string member_external_id;
  std::string member_citizen_id;
  std::string org_code;  // the committee's organization
  int post = 0;
  PostCourse training;
};

// A unit changes covering cell from a date.
struct CoveringChange {
  std::string unit_code;
  std::string cell_code;
  std::string effective_date;
  Decision decision;
};

struct CellMerge {
  std::string source_code;
  std::string target_code;
  std::string effective_date;
  Decision decision;
};

struct FactsPlan {
  std::vector<HeadSuccession> heads;
  std::vector<CommitteePostTraining> post_trainings;
  std::vector<CoveringChange> coverings;  // the source cell's units go to the target before the merge
  CellMerge merge;                         // sent last: a merged source cell means the facts are on file
};

FactsPlan BuildFactsPlan(const Plan& plan, const MembersPlan& members);

}  // namespace grassroots::demo
