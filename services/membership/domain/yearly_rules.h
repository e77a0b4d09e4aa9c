#pragma once
// Rules of the yearly records (no I/O): the quality rating's level from the
// score (QĐ 366 bands), the excellent-to-good quota (reported, not enforced),
// who must register a yearly commitment, the 2/3 screening vote (HD 02), the
// residence-liaison exemptions (QĐ 213 / HD 33) and the dates and years a
// yearly record may carry. Every threshold comes from the rules registry.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rules/rules_registry.h"
#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/membership/v1/yearly_records.pb.h"

namespace grassroots::membership::domain {

namespace v1 = ::grassroots::membership::v1;

inline constexpr std::string_view kRatingBandsRule = "rating.bands";
inline constexpr std::string_view kExcellentShareRule = "membership.rating.excellent_max_share_of_good";
inline constexpr std::string_view kCommitmentCategoriesRule = "membership.commitment.required_categories";
inline constexpr std::string_view kScreeningVoteRule = "membership.screening.vote_min_share";

// The party was founded in 1930: no member's activity year is earlier.
inline constexpr int32_t kFirstActivityYear = 1930;

// ---- years and dates -----------------------------------------------------------
// 1930 .. the current year (today's year); INVALID_ARGUMENT naming field.
absl::Status ValidateActivityYear(int32_t year, std::string_view field, absl::CivilDay today);
// A date from 1 January 1930 up to today; INVALID_ARGUMENT naming field.
absl::Status ValidatePastDate(absl::CivilDay day, std::string_view field, absl::CivilDay today);
// A yearly assessment (residence feedback, a rating's decision) is given in
// its year or in the first quarter of the next one, when year-end reviews
// close, and never after today. INVALID_ARGUMENT naming field.
absl::Status ValidateDateForYear(absl::CivilDay day, int32_t year, std::string_view field, absl::CivilDay today);
// A yearly commitment is registered in its year or in December of the year
// before (commitments are made as the year opens), never after today.
absl::Status ValidateCommitmentDate(absl::CivilDay day, int32_t year, std::string_view field, absl::CivilDay today);

// ---- rating --------------------------------------------------------------------
// The QĐ 366 score in hundredths (0..10000): scores carry at most two decimals
// (the DECIMAL(5,2) column), so band edges compare exactly.
// INVALID_ARGUMENT naming field when not finite, outside 0..100 or with more decimals.
absl::StatusOr<int32_t> ScoreInHundredths(double score, std::string_view field);

// Lowest score (in hundredths) of each level and the rule that set them.
struct RatingBands {
  int32_t excellent = 0;
  int32_t good = 0;
  int32_t completed = 0;
  const common::Rule* rule = nullptr;
};
// The bands of the rating.bands rule in force on 31 December of `year`.
// FAILED_PRECONDITION (RULE_NOT_IN_FORCE) naming the rule and the day when none
// is; INTERNAL when the rule's value is malformed.
absl::StatusOr<RatingBands> RatingBandsForYear(int32_t year, const common::RulesRegistry& rules);
v1::RatingLevel LevelFromScore(int32_t score_hundredths, const RatingBands& bands);

struct RatingResult {
  v1::RatingLevel level = v1::RATING_LEVEL_UNSPECIFIED;
  std::string rule_id;
  std::string citation;
};
// The level of a member's rating: the score's band, or NOT_COMPLETED when a
// disqualifying fact is recorded whatever the score.
absl::StatusOr<RatingResult> RateScore(int32_t year, int32_t score_hundredths, bool disqualified,
                                       const common::RulesRegistry& rules);

// ---- excellent quota -------------------------------------------------------------
struct LevelTally {
  int32_t excellent = 0;
  int32_t good = 0;
  int32_t completed = 0;
  int32_t not_completed = 0;
};
struct QuotaCheck {
  // floor(share x good): the most EXCELLENT ratings the rule allows.
  int32_t excellent_limit = 0;
  bool within_quota = true;
  std::string rule_id;
  std::string citation;
};
// floor(share x good), robust to the binary rounding of share (0.2 x 15 is 3).
int32_t ExcellentLimit(double share, int32_t good);
// The quota check of the rule in force on 31 December of `year`. It is a
// report: the caller records ratings beyond it. FAILED_PRECONDITION
// (RULE_NOT_IN_FORCE) when no version is in force; INTERNAL when the share is
// not a number in [0, 1].
absl::StatusOr<QuotaCheck> CheckExcellentQuota(int32_t year, const LevelTally& tally,
                                               const common::RulesRegistry& rules);

// ---- commitments -------------------------------------------------------------------
// "CIVIL_SERVICE" for OCCUPATION_CATEGORY_CIVIL_SERVICE: the spelling rules use.
std::string OccupationCategoryCode(v1::OccupationCategory category);
// Whether members of `category` must register a commitment for `year`, by the
// rule in force on 1 January of that year (none in force: nobody must).
absl::StatusOr<bool> CommitmentRequired(v1::OccupationCategory category, int32_t year,
                                        const common::RulesRegistry& rules);

// ---- screening (HD 02) -----------------------------------------------------------------
// Vote counts: eligible > 0 (official members entitled to vote, exempt ones
// not counted) and 0 <= in_favour <= eligible. INVALID_ARGUMENT naming
// "<field>.eligible" / "<field>.in_favour".
absl::Status ValidateVoteCounts(int32_t in_favour, int32_t eligible, std::string_view field);
struct VoteShare {
  int64_t numerator = 0;
  int64_t denominator = 1;
  const common::Rule* rule = nullptr;
};
// The {numerator, denominator} of a vote-share rule in force on day.
// FAILED_PRECONDITION (RULE_NOT_IN_FORCE) when none; INTERNAL when malformed.
absl::StatusOr<VoteShare> VoteShareOn(std::string_view rule_id, absl::CivilDay day,
                                      const common::RulesRegistry& rules);
// in_favour / eligible >= numerator / denominator, in integers (no rounding).
bool MeetsShare(int32_t in_favour, int32_t eligible, const VoteShare& share);
// The listing vote of a screening held on `voted_on`: OK, or FAILED_PRECONDITION
// (VOTE_BELOW_TWO_THIRDS) naming the rule id and its citation.
absl::Status CheckScreeningVote(int32_t in_favour, int32_t eligible, absl::CivilDay voted_on,
                                const common::RulesRegistry& rules);
// The criteria HD 02 lists (TWO_YEARS_NOT_COMPLETED, REPEAT_VIOLATION,
// DEGENERATION, EXAMPLE_RULES, OTHER).
bool IsKnownScreeningCriterion(std::string_view criterion);
// An outcome closes the help period: RECOVERED, REMOVAL_PROPOSED, DISCIPLINE_PROPOSED.
bool IsFinalScreeningOutcome(v1::ScreeningOutcome outcome);

// ---- trainings ---------------------------------------------------------------------------
// POLITICAL_THEORY, NEW_MEMBER, AWARENESS, POST_TRAINING, REFRESHER, OTHER.
bool IsKnownTrainingKind(std::string_view kind);

// What a training says about the post it qualifies for (S14).
struct PostTerm {
  std::string kind;  // the training's kind
  v1::TrainingPost post = v1::TRAINING_POST_UNSPECIFIED;
  std::optional<absl::CivilDay> term_starts_on;
  std::optional<absl::CivilDay> term_ends_on;
  std::string committee_term;  // "organizations/{o}/committeeTerms/{t}" or empty
  absl::CivilDay training_start;
};
// Only a POST_TRAINING names a post, and one that names a post names its term: dates
// (term_starts_on, term_ends_on after it) or, for a committee post, org's committee term.
// Without a post no term is given. The training starts before the term ends, or it
// trains for no day of it. INVALID_ARGUMENT naming the "training.*" field.
absl::Status ValidatePostTerm(const PostTerm& term);
// Posts held in a party committee term (not the residential units' heads).
bool IsCommitteePost(v1::TrainingPost post);

// ---- residence liaison (QĐ 213 / HD 33) ------------------------------------------------------
struct ResidencePlace {
  std::optional<int64_t> residence_cell_id;  // a cell of this tree
  std::string residence_unit_name;           // a residence organization outside the tree
  std::optional<absl::CivilDay> letter_issued_on;
  absl::CivilDay registered_on;
  v1::ResidenceExemption exemption = v1::RESIDENCE_EXEMPTION_UNSPECIFIED;
  std::string exemption_reason;
};
// The combinations HD 33 allows (INVALID_ARGUMENT naming "<field>.x"):
//  - no exemption: registered with exactly one of residence_cell /
//    residence_unit_name, without an exemption reason;
//  - NO_YEARLY_FEEDBACK (1.1): introduced and registered like the above, with
//    the reason of the exemption;
//  - NOT_INTRODUCED (1.2): no registration at all (no residence cell, unit or
//    letter), with the reason; registered_on is the day the exemption is recorded.
// The letter is issued on or before the registration; neither after today.
absl::Status ValidateResidencePlace(const ResidencePlace& place, std::string_view field, absl::CivilDay today);
// Whether a member recorded with this exemption gets the residence cell's
// yearly feedback (HD 33 1.1 and 1.2 members get none).
bool ExpectsYearlyFeedback(v1::ResidenceExemption exemption);
// Whether the member must be registered with a residence organization.
bool NeedsRegistration(v1::ResidenceExemption exemption);

}  // namespace grassroots::membership::domain
