#pragma once
// The Resolution-21 scorecard as rules without I/O (DESIGN.md, "The
// Resolution-21 scorecard" and "Scorecard semantics"): the store gathers the
// dated facts of a subtree (SubtreeFacts), this file applies the definitions,
// the arithmetic and the plan's targets.
//
// Scope. The subtree of R on the evaluation date D: every organization under R
// in the tree of D. An organization that no longer exists on D is placed
// where it was on its last day (so a cell dissolved in March still owns the
// thematic meetings it held, and an admission into it still counts), under
// R's subtree as it stands on D. Members are counted in the cell their period
// names on the day asked; temporary (host) cells never count a member.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::reporting::domain {

// ---- the indicators ---------------------------------------------------------------------

enum class Indicator {
  kS1, kS2a, kS2b, kS3, kS4, kS5a, kS5b, kS6, kS7, kS8, kS9, kS10, kS11, kS12, kS13, kS14, kS15, kS16,
};
// All of them, in the order of DESIGN.md.
const std::vector<Indicator>& AllIndicators();
// "S1", "S2a", ...
std::string IndicatorId(Indicator indicator);
// INVALID_ARGUMENT naming the id when it is not one of AllIndicators().
absl::StatusOr<Indicator> ParseIndicatorId(std::string_view id);
// What it measures, in Vietnamese (the scorecard's row title).
std::string IndicatorTitle(Indicator indicator);
// S7, S8 and S16 are counts; the others ratios.
bool IsCount(Indicator indicator);

// ---- what the store gathers --------------------------------------------------------------

// The party-organization kinds the definitions name (from the org type's level
// and flags: DANG_BO_CO_SO, CHI_BO_CO_SO, DANG_BO_BO_PHAN, CHI_BO_TRUC_THUOC).
enum class OrganizationKind {
  kOther,               // committees above grassroots, party groups
  kGrassrootsCommittee, // đảng bộ cơ sở
  kGrassrootsCell,      // chi bộ cơ sở
  kPartialCommittee,    // đảng bộ bộ phận
  kSubordinateCell,     // chi bộ trực thuộc
};
bool IsGrassroots(OrganizationKind kind);  // TCCS: đảng bộ cơ sở or chi bộ cơ sở
bool IsCell(OrganizationKind kind);        // chi bộ cơ sở or chi bộ trực thuộc

// Quality rating of an organization or a member for a year.
enum class RatingLevel { kExcellent, kGood, kCompleted, kNotCompleted };

struct DatedRange {
  absl::CivilDay from;
  std::optional<absl::CivilDay> to;  // the first day it no longer holds; none: open
  bool Covers(absl::CivilDay day) const { return from <= day && (!to || day < *to); }
};

struct CommitteeTerm {
  int64_t id = 0;
  DatedRange range;
  bool elected_committee = false;
};

// A post on a committee (S14): who holds it and over which days.
enum class Post {
  kGrassrootsCommitteeMember,  // a member of a TCCS committee (any position of its term)
  kCellSecretary,              // secretary of a chi bộ cơ sở or chi bộ trực thuộc
  kVillageHead,                // trưởng thôn
  kResidentialGroupHead,       // tổ trưởng tổ dân phố
  kFrontWorkCommitteeHead,     // trưởng ban công tác Mặt trận
};
std::string PostName(Post post);  // "GRASSROOTS_COMMITTEE_MEMBER", ...

struct PostTraining {
  Post post;
  absl::CivilDay start_date;
  std::optional<absl::CivilDay> end_date;
  // The term the training was for, when recorded: its dates, or the committee term's id.
  std::optional<absl::CivilDay> term_starts_on;
  std::optional<absl::CivilDay> term_ends_on;
  std::optional<int64_t> committee_term_id;
};

// Someone holding a post on some days: a member (member_id) or a unit head who
// is not a member (head_id).
struct PostHolding {
  Post post;
  int64_t organization_id = 0;        // the committee's organization; for heads the unit's commune organization
  std::optional<int64_t> unit_id;     // heads: the residential unit
  std::optional<int64_t> member_id;
  std::optional<int64_t> head_id;     // heads: the head record (its trainings are keyed by it)
  DatedRange range;
  // Committee posts: the term the position belongs to (its dates are the current term).
  std::optional<int64_t> committee_term_id;
  std::optional<DatedRange> term_range;
};

struct OrganizationFacts {
  int64_t id = 0;
  // The parent it is placed under (on D, or on its last day); none for R.
  std::optional<int64_t> parent_id;
  OrganizationKind kind = OrganizationKind::kOther;
  // The days it exists: [established_on, ended_on).
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;
  // Sector on D (or its last day), and on its founding day.
  std::string sector;
  std::string sector_at_founding;
  bool commune_military_cell = false;  // on D (or its last day)
  // Working regulations (S1): adopted on a day, superseded from a day.
  std::vector<DatedRange> regulations;
  // Years in which a new model or creative practice of this organization was recognized (S3).
  std::set<int> new_model_years;
  // Its rating for the year Y, if rated (S5a).
  std::optional<RatingLevel> rating;
  std::vector<CommitteeTerm> committee_terms;  // S10, S11, S14
  // Days its inspection & supervision program for year Y was adopted (S12); empty: none.
  std::optional<absl::CivilDay> inspection_program_adopted_on;
  // Local dates of the thematic meetings it held in Y (S13).
  std::vector<absl::CivilDay> thematic_meetings;
  // Residential units it covers on D (S2a "residential cell", S9 is judged per unit).
  bool residential_on_d = false;
};

// A member's standing on one day: the period in force then.
struct MemberOnDay {
  int64_t cell_id = 0;  // own cell (0: none); never a host cell
  bool counted = false;  // official or probationary (exempt members still count)
  int32_t occupation_category = 0;  // grassroots.membership.v1.OccupationCategory in force that day
  bool probationary = false;  // counted, and not yet recognized as official (warnings.h)
};

enum class RemovalKind { kRemoved, kLeft, kExpelled };  // xóa tên, cho ra khỏi Đảng, khai trừ
std::string RemovalKindName(RemovalKind kind);         // "REMOVED", "LEFT", "EXPELLED"

struct MemberFacts {
  int64_t id = 0;
  // On D and on 31 December of Y-1 (S6's denominator); none when in no period then.
  std::optional<MemberOnDay> on_d;
  std::optional<MemberOnDay> on_previous_year_end;
  // Admission (S6, S7): decision date, the cell admitted into, and the occupation category then.
  std::optional<absl::CivilDay> admission_decision_date;
  int64_t admission_cell_id = 0;
  int32_t occupation_category_at_admission = 0;
  // Residence liaison (S2a, S2b): the registration in force on D, and whether
  // it is in an exempt category (QĐ 213: not introduced, no yearly feedback);
  // years with feedback.
  bool registered_on_d = false;
  bool registration_exempt = false;
  std::set<int> feedback_years;
  // Years with a commitment registered by D (S4).
  std::set<int> commitment_years;
  // Rating for Y (S5b).
  std::optional<RatingLevel> rating;
  // A removal effective in Y by D (S16): kind, the cell left, and the recorded reason.
  struct Removal {
    RemovalKind kind;
    absl::CivilDay effective_date;
    int64_t cell_id = 0;
    std::string reason;  // removal trigger or violation kind name; "" when none is recorded
  };
  std::optional<Removal> removal;
  std::vector<PostTraining> trainings;  // S14
};

struct ResidentialUnitFacts {
  int64_t id = 0;
  int64_t commune_organization_id = 0;
  DatedRange life;
  // A tổ dân phố (its head is a kResidentialGroupHead); otherwise a thôn. Names
  // S15's head slot when no head is recorded.
  bool residential_group = false;
  // Covering cells with the days each covered the unit.
  struct Covering {
    int64_t cell_id = 0;
    DatedRange range;
    bool cell_active_on_d = false;  // the covering cell exists on D (it may lie outside the subtree)
  };
  std::vector<Covering> coverings;
  // Heads (S14, S15): post, whether a member, over which days.
  struct Head {
    int64_t head_id = 0;
    Post post;  // kVillageHead, kResidentialGroupHead or kFrontWorkCommitteeHead
    bool is_party_member = false;
    std::optional<int64_t> member_id;
    DatedRange range;
    std::vector<PostTraining> trainings;  // the head's own training records (org's head trainings)
  };
  std::vector<Head> heads;
};

// The evaluation: year Y and day D (31 December of Y, or an earlier day of Y);
// the plan's term for the "term" windows (S7, S8: from its first day to D).
struct Evaluation {
  int year = 0;
  absl::CivilDay as_of;
  absl::CivilDay term_from;
};

// ---- pre-aggregates ----------------------------------------------------------------------

// One indicator's totals over a subtree: numerator, denominator and (S16) the
// removals by (kind name, reason).
struct IndicatorTotals {
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::map<std::pair<std::string, std::string>, int64_t> removals;
  bool operator==(const IndicatorTotals&) const = default;
};

// A subtree's totals for one evaluation. Every unit counts in exactly one
// organization (its cell, its commune, its committee), so the totals of a
// subtree are its root's own units plus the totals of the subtrees placed
// under it: they compose up the tree. S3 is the exception, handled by
// `new_model`: a recognized new model counts for every TCCS above it.
struct SubtreeTotals {
  std::vector<IndicatorTotals> indicators = std::vector<IndicatorTotals>(18);  // AllIndicators() order
  // Some organization of the subtree had a new model recognized in Y.
  bool new_model = false;
  void Add(const SubtreeTotals& other);
  // Takes away a part of the subtree (removal tallies that reach 0 disappear; `new_model` stays).
  void Subtract(const SubtreeTotals& part);
  bool operator==(const SubtreeTotals&) const = default;
};

// A subtree whose totals are known already (read from a pre-aggregate), so its
// organizations, members and units are not among the facts: its root, the
// organization of the facts it is placed under, and its totals.
struct SummarizedSubtree {
  int64_t root_id = 0;
  int64_t parent_id = 0;
  SubtreeTotals totals;
};

struct SubtreeFacts {
  int64_t root_id = 0;
  // Every organization placed in the subtree (see the top of this file), R included.
  std::vector<OrganizationFacts> organizations;
  // Every member who was in a cell of the subtree on D or on 31 December of Y-1,
  // was admitted into one of its cells in the term, or left one in Y.
  std::vector<MemberFacts> members;
  // Residential units whose commune organization is in the subtree, or that a cell of the subtree covered.
  std::vector<ResidentialUnitFacts> units;
  // Committee posts held in the subtree's organizations (S14), members only.
  std::vector<PostHolding> posts;
  // Occupation categories (grassroots.membership.v1.OccupationCategory numbers)
  // of the rules in force on D: those that owe a commitment (S4,
  // membership.commitment.required_categories) and those that owe residence
  // liaison (S2a, S2b, membership.residence.working_categories).
  std::set<int32_t> commitment_categories;
  std::set<int32_t> working_categories;
  // The organization types the rating sector excludes from S5a (armed forces:
  // MILITARY and POLICE sectors rate their own).
  std::set<std::string> sectors_rated_elsewhere = {"MILITARY", "POLICE"};
  // Subtrees below some of `organizations` that are summarized instead of
  // listed. Their totals are added to ComputeIndicators' figures, but they
  // have no contributions: a shortfall list or a breakdown needs none here.
  std::vector<SummarizedSubtree> summarized;
};

// ---- the result --------------------------------------------------------------------------

// A unit that counts in an indicator's denominator.
struct Contribution {
  enum class Subject { kOrganization, kResidentialUnit, kMember, kHead };
  Subject subject = Subject::kOrganization;
  int64_t id = 0;                // organization, unit, member or head id
  int64_t organization_id = 0;   // where it belongs (a member's cell, a unit's commune, a post's organization)
  int64_t unit_id = 0;           // kHead and S15's slots: the residential unit
  std::optional<Post> post;      // S14, S15
  bool in_numerator = false;
  // Why it falls short when it does, in Vietnamese.
  std::string reason;
};

struct IndicatorCount {
  Indicator indicator;
  int64_t numerator = 0;
  int64_t denominator = 0;  // 0 for counts
  // Units in the denominator (ratios), or counted (counts: S7 members, S8 organizations; S16 members).
  std::vector<Contribution> contributions;
  // S16: removals by (kind name, reason); reason "UNSPECIFIED" when none is recorded.
  std::map<std::pair<std::string, std::string>, int64_t> removals;
};

// Every indicator S1..S16 of `facts` on `evaluation`, in AllIndicators() order.
std::vector<IndicatorCount> ComputeIndicators(const SubtreeFacts& facts, const Evaluation& evaluation);

// Only the contributions of units placed under `child` (the child itself
// included) of the subtree's root, for a breakdown row; `child` = root keeps
// the root's own units (those not under any child).
std::vector<IndicatorCount> RestrictToChild(const std::vector<IndicatorCount>& counts, const SubtreeFacts& facts,
                                            int64_t child);

// The totals of every organization's subtree among `facts` (its own units,
// the facts' organizations placed below it and the summarized subtrees below
// it), from `counts` = ComputeIndicators(facts, evaluation).
std::map<int64_t, SubtreeTotals> TotalsBySubtree(const std::vector<IndicatorCount>& counts, const SubtreeFacts& facts,
                                                 const Evaluation& evaluation);

// The figures of `totals` as counts (numerator, denominator, removals; no contributions).
std::vector<IndicatorCount> CountsOf(const SubtreeTotals& totals);

// ---- the arithmetic and the targets ------------------------------------------------------

// numerator / denominator x 100 rounded half-up to 2 decimals, in hundredths
// of a percent (6667 for 2/3); none for a denominator of 0.
std::optional<int64_t> PercentHundredths(int64_t numerator, int64_t denominator);
// "66.67", "100.00", "0.00".
std::string FormatPercent(int64_t hundredths);

// A plan's target (data/plans/README.md, "Targets").
struct Target {
  std::string comparator;  // ">=", ">", "=", "<=", "<", "between", "rising_year_on_year", "reported"
  double value = 0;
  double low = 0;
  double high = 0;
  std::string met_comparator;
  double met_value = 0;
  std::string unit;    // "ratio" or "count"
  std::string window;  // "year" or "term"
  std::optional<int> from_year;
  std::optional<int> by_year;
  std::string paragraph;
  std::string text;
};

enum class Attainment { kMet, kNotMet, kUnknown, kNotApplicable, kNoTarget };

// Whether `count` meets `target` in `year` (nullptr: the plan sets none).
// Ratios compare the rounded percentage / 100 with the target; counts the
// numerator. S15 (rising) compares with `previous` (the same indicator on
// 31 December of Y-1): met when strictly higher, unknown when either value is
// empty. A denominator of 0 is unknown, never met. "reported", and a year
// before from_year, is not applicable. by_year does not change the judgment:
// before it a target not reached yet is not met (the deadline is the plan's to show).
Attainment Judge(const IndicatorCount& count, const Target* target, int year,
                 const IndicatorCount* previous = nullptr);

}  // namespace grassroots::reporting::domain
