#include "services/membership/domain/yearly_rules.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

using common::ToAbsl;

// Year-end reviews (the cell's evaluation meeting, the residence cell's
// opinion) run into the first quarter of the next year.
constexpr int kLastMonthForPreviousYear = 3;

absl::Status RuleNotInForce(std::string_view rule_id, absl::CivilDay day) {
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "RULE_NOT_IN_FORCE",
                          absl::StrCat("no version of rule ", ToAbsl(rule_id), " is in force on ",
                                       common::api::FormatDate(day)));
}

absl::Status Malformed(const common::Rule& rule, std::string_view what) {
  return absl::InternalError(absl::StrCat("rule ", rule.id, " (from ", common::api::FormatDate(rule.effective_from),
                                          ") ", ToAbsl(what)));
}

absl::StatusOr<const common::Rule*> RuleOn(std::string_view rule_id, absl::CivilDay day,
                                           const common::RulesRegistry& rules) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(rule_id, day);
  if (!rule.ok()) {
    if (rule.status().code() == absl::StatusCode::kNotFound) return RuleNotInForce(rule_id, day);
    return rule.status();
  }
  return *rule;
}

absl::StatusOr<int32_t> BandInHundredths(const common::Rule& rule, const char* key) {
  if (!rule.value.is_object() || !rule.value.contains(key) || !rule.value[key].is_number()) {
    return Malformed(rule, absl::StrCat("has no numeric \"", key, "\" band"));
  }
  const double value = rule.value[key].get<double>();
  if (!std::isfinite(value) || value < 0 || value > 100) return Malformed(rule, "has a band outside 0..100");
  return static_cast<int32_t>(std::llround(value * 100));
}

absl::Status DateInWindow(absl::CivilDay day, absl::CivilDay first, absl::CivilDay last, std::string_view field,
                          absl::CivilDay today, std::string_view what) {
  if (day > today) return common::InvalidField(field, "must not be after today");
  if (day < first || day > last) {
    return common::InvalidField(field, absl::StrCat("must be ", ToAbsl(what), ": ", common::api::FormatDate(first),
                                                    " to ", common::api::FormatDate(last)));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- years and dates -----------------------------------------------------------

absl::Status ValidateActivityYear(int32_t year, std::string_view field, absl::CivilDay today) {
  const int64_t latest = today.year();
  if (year < kFirstActivityYear || year > latest) {
    return common::InvalidField(field, absl::StrCat("must be between ", kFirstActivityYear, " and ", latest));
  }
  return absl::OkStatus();
}

absl::Status ValidatePastDate(absl::CivilDay day, std::string_view field, absl::CivilDay today) {
  if (day > today) return common::InvalidField(field, "must not be after today");
  if (day.year() < kFirstActivityYear) {
    return common::InvalidField(field, absl::StrCat("must not be before ", kFirstActivityYear));
  }
  return absl::OkStatus();
}

absl::Status ValidateDateForYear(absl::CivilDay day, int32_t year, std::string_view field, absl::CivilDay today) {
  const absl::CivilDay first(year, 1, 1);
  const absl::CivilDay last = absl::CivilDay(absl::CivilMonth(year + 1, kLastMonthForPreviousYear + 1)) - 1;
  return DateInWindow(day, first, last, field, today, "in the year or the first quarter of the next");
}

absl::Status ValidateCommitmentDate(absl::CivilDay day, int32_t year, std::string_view field, absl::CivilDay today) {
  const absl::CivilDay first(year - 1, 12, 1);
  const absl::CivilDay last(year, 12, 31);
  return DateInWindow(day, first, last, field, today, "in the year or in December of the year before");
}

// ---- rating --------------------------------------------------------------------

absl::StatusOr<int32_t> ScoreInHundredths(double score, std::string_view field) {
  if (!std::isfinite(score) || score < 0 || score > 100) {
    return common::InvalidField(field, "must be between 0 and 100");
  }
  const double scaled = score * 100;
  const double rounded = std::round(scaled);
  // 89.99 * 100 is 8998.999999999999 in binary: a tolerance far below one
  // hundredth tells a two-decimal score from one with more decimals.
  if (std::fabs(scaled - rounded) > 1e-6) return common::InvalidField(field, "must have at most two decimals");
  return static_cast<int32_t>(rounded);
}

absl::StatusOr<RatingBands> RatingBandsForYear(int32_t year, const common::RulesRegistry& rules) {
  const absl::CivilDay year_end(year, 12, 31);
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleOn(kRatingBandsRule, year_end, rules));
  RatingBands bands;
  GR_ASSIGN_OR_RETURN(bands.excellent, BandInHundredths(*rule, "excellent"));
  GR_ASSIGN_OR_RETURN(bands.good, BandInHundredths(*rule, "good"));
  GR_ASSIGN_OR_RETURN(bands.completed, BandInHundredths(*rule, "completed"));
  if (!(bands.completed <= bands.good && bands.good <= bands.excellent)) {
    return Malformed(*rule, "has bands out of order");
  }
  bands.rule = rule;
  return bands;
}

v1::RatingLevel LevelFromScore(int32_t score_hundredths, const RatingBands& bands) {
  if (score_hundredths >= bands.excellent) return v1::RATING_LEVEL_EXCELLENT;
  if (score_hundredths >= bands.good) return v1::RATING_LEVEL_GOOD;
  if (score_hundredths >= bands.completed) return v1::RATING_LEVEL_COMPLETED;
  return v1::RATING_LEVEL_NOT_COMPLETED;
}

absl::StatusOr<RatingResult> RateScore(int32_t year, int32_t score_hundredths, bool disqualified,
                                       const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(RatingBands bands, RatingBandsForYear(year, rules));
  RatingResult result;
  result.level = disqualified ? v1::RATING_LEVEL_NOT_COMPLETED : LevelFromScore(score_hundredths, bands);
  result.rule_id = bands.rule->id;
  result.citation = bands.rule->citation;
  return result;
}

// ---- excellent quota -------------------------------------------------------------

int32_t ExcellentLimit(double share, int32_t good) {
  if (good <= 0 || share <= 0) return 0;
  // 0.29 * 100 is 28.999999999999996 in binary; the epsilon restores the exact product.
  return static_cast<int32_t>(std::floor(share * good + 1e-9));
}

absl::StatusOr<QuotaCheck> CheckExcellentQuota(int32_t year, const LevelTally& tally,
                                               const common::RulesRegistry& rules) {
  const absl::CivilDay year_end(year, 12, 31);
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleOn(kExcellentShareRule, year_end, rules));
  if (!rule->value.is_number()) return Malformed(*rule, "is not a number");
  const double share = rule->value.get<double>();
  if (!std::isfinite(share) || share < 0 || share > 1) return Malformed(*rule, "is not a share in [0, 1]");
  QuotaCheck check;
  check.excellent_limit = ExcellentLimit(share, tally.good);
  check.within_quota = tally.excellent <= check.excellent_limit;
  check.rule_id = rule->id;
  check.citation = rule->citation;
  return check;
}

// ---- commitments -------------------------------------------------------------------

std::string OccupationCategoryCode(v1::OccupationCategory category) {
  constexpr std::string_view kPrefix = "OCCUPATION_CATEGORY_";
  const std::string& name = v1::OccupationCategory_Name(category);
  if (name.compare(0, kPrefix.size(), kPrefix.data(), kPrefix.size()) == 0) return name.substr(kPrefix.size());
  return name;
}

absl::StatusOr<bool> CommitmentRequired(v1::OccupationCategory category, int32_t year,
                                        const common::RulesRegistry& rules) {
  const absl::CivilDay year_start(year, 1, 1);
  absl::StatusOr<std::vector<std::string>> categories = rules.GetStringList(kCommitmentCategoriesRule, year_start);
  if (!categories.ok()) {
    if (categories.status().code() == absl::StatusCode::kNotFound) return false;
    return categories.status();
  }
  const std::string code = OccupationCategoryCode(category);
  return std::find(categories->begin(), categories->end(), code) != categories->end();
}

// ---- screening (HD 02) -----------------------------------------------------------------

absl::Status ValidateVoteCounts(int32_t in_favour, int32_t eligible, std::string_view field) {
  if (eligible <= 0) {
    return common::InvalidField(absl::StrCat(ToAbsl(field), ".eligible"), "must be at least 1");
  }
  if (in_favour < 0 || in_favour > eligible) {
    return common::InvalidField(absl::StrCat(ToAbsl(field), ".in_favour"), "must be between 0 and eligible");
  }
  return absl::OkStatus();
}

absl::StatusOr<VoteShare> VoteShareOn(std::string_view rule_id, absl::CivilDay day,
                                      const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleOn(rule_id, day, rules));
  const nlohmann::json& value = rule->value;
  if (!value.is_object() || !value.contains("numerator") || !value.contains("denominator") ||
      !value["numerator"].is_number_integer() || !value["denominator"].is_number_integer()) {
    return Malformed(*rule, "is not {numerator, denominator}");
  }
  VoteShare share;
  share.numerator = value["numerator"].get<int64_t>();
  share.denominator = value["denominator"].get<int64_t>();
  if (share.numerator < 0 || share.denominator <= 0 || share.numerator > share.denominator) {
    return Malformed(*rule, "is not a share in [0, 1]");
  }
  share.rule = rule;
  return share;
}

bool MeetsShare(int32_t in_favour, int32_t eligible, const VoteShare& share) {
  if (eligible <= 0 || in_favour < 0 || in_favour > eligible) return false;
  return static_cast<int64_t>(in_favour) * share.denominator >= static_cast<int64_t>(eligible) * share.numerator;
}

absl::Status CheckScreeningVote(int32_t in_favour, int32_t eligible, absl::CivilDay voted_on,
                                const common::RulesRegistry& rules) {
  GR_ASSIGN_OR_RETURN(VoteShare share, VoteShareOn(kScreeningVoteRule, voted_on, rules));
  if (MeetsShare(in_favour, eligible, share)) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "VOTE_BELOW_TWO_THIRDS",
                          absl::StrCat("listing for education and help needs at least ", share.numerator, "/",
                                       share.denominator, " of the official members entitled to vote (rule ",
                                       share.rule->id, ", ", share.rule->citation, ")"));
}

bool IsKnownScreeningCriterion(std::string_view criterion) {
  static constexpr std::array<std::string_view, 5> kCriteria = {"TWO_YEARS_NOT_COMPLETED", "REPEAT_VIOLATION",
                                                                 "DEGENERATION", "EXAMPLE_RULES", "OTHER"};
  return std::find(kCriteria.begin(), kCriteria.end(), criterion) != kCriteria.end();
}

bool IsFinalScreeningOutcome(v1::ScreeningOutcome outcome) {
  return outcome == v1::SCREENING_OUTCOME_RECOVERED || outcome == v1::SCREENING_OUTCOME_REMOVAL_PROPOSED ||
         outcome == v1::SCREENING_OUTCOME_DISCIPLINE_PROPOSED;
}

// ---- trainings ---------------------------------------------------------------------------

bool IsKnownTrainingKind(std::string_view kind) {
  static constexpr std::array<std::string_view, 6> kKinds = {"POLITICAL_THEORY", "NEW_MEMBER", "AWARENESS",
                                                             "POST_TRAINING",    "REFRESHER",  "OTHER"};
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

namespace {
// "organizations/{id}/committeeTerms/{id}", both ids positive.
bool IsCommitteeTermName(std::string_view name) {
  const std::string text(name);
  const std::vector<std::string> parts = absl::StrSplit(text, '/');
  int64_t org_id = 0, term_id = 0;
  return parts.size() == 4 && parts[0] == "organizations" && parts[2] == "committeeTerms" &&
         absl::SimpleAtoi(parts[1], &org_id) && org_id > 0 && absl::SimpleAtoi(parts[3], &term_id) && term_id > 0;
}
}  // namespace

bool IsCommitteePost(v1::TrainingPost post) {
  return post == v1::TRAINING_POST_GRASSROOTS_COMMITTEE_MEMBER || post == v1::TRAINING_POST_CELL_SECRETARY ||
         post == v1::TRAINING_POST_CELL_DEPUTY_SECRETARY || post == v1::TRAINING_POST_CELL_COMMITTEE_MEMBER;
}

absl::Status ValidatePostTerm(const PostTerm& term) {
  if (term.post == v1::TRAINING_POST_UNSPECIFIED) {
    if (term.term_starts_on) return common::InvalidField("training.term_starts_on", "is only for a training that names a post");
    if (term.term_ends_on) return common::InvalidField("training.term_ends_on", "is only for a training that names a post");
    if (!term.committee_term.empty()) {
      return common::InvalidField("training.committee_term", "is only for a training that names a post");
    }
    return absl::OkStatus();
  }
  if (!v1::TrainingPost_IsValid(term.post)) return common::InvalidField("training.post", "is not a known post");
  if (term.kind != "POST_TRAINING") return common::InvalidField("training.kind", "must be POST_TRAINING for a training that names a post");
  if (!term.committee_term.empty()) {
    if (!IsCommitteePost(term.post)) {
      return common::InvalidField("training.committee_term", "is only for a committee post; give the term's dates");
    }
    if (!IsCommitteeTermName(term.committee_term)) {
      return common::InvalidField("training.committee_term", "must look like organizations/{id}/committeeTerms/{id}");
    }
  } else if (!term.term_starts_on) {
    return common::InvalidField("training.term_starts_on", "is required for a training that names a post "
                                                           "(or training.committee_term for a committee post)");
  }
  if (term.term_ends_on && !term.term_starts_on) {
    return common::InvalidField("training.term_starts_on", "is required with training.term_ends_on");
  }
  if (term.term_ends_on && *term.term_ends_on <= *term.term_starts_on) {
    return common::InvalidField("training.term_ends_on", "must be after training.term_starts_on");
  }
  if (term.term_ends_on && term.training_start >= *term.term_ends_on) {
    return common::InvalidField("training.start_date", "must be before the term ends, or it trains for no day of it");
  }
  return absl::OkStatus();
}

// ---- residence liaison (QĐ 213 / HD 33) ------------------------------------------------------

bool ExpectsYearlyFeedback(v1::ResidenceExemption exemption) {
  return exemption == v1::RESIDENCE_EXEMPTION_UNSPECIFIED;
}

bool NeedsRegistration(v1::ResidenceExemption exemption) {
  return exemption != v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED;
}

absl::Status ValidateResidencePlace(const ResidencePlace& place, std::string_view field, absl::CivilDay today) {
  const auto named = [&](std::string_view sub) { return absl::StrCat(ToAbsl(field), ".", ToAbsl(sub)); };
  if (place.exemption != v1::RESIDENCE_EXEMPTION_UNSPECIFIED &&
      place.exemption != v1::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK &&
      place.exemption != v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED) {
    return common::InvalidField(named("exemption"), "is not a known exemption category");
  }
  GR_RETURN_IF_ERROR(ValidatePastDate(place.registered_on, named("registered_on"), today));
  const bool has_cell = place.residence_cell_id.has_value();
  const bool has_unit = !place.residence_unit_name.empty();
  if (NeedsRegistration(place.exemption)) {
    if (has_cell == has_unit) {
      return common::InvalidField(named("residence_cell"),
                                  "exactly one of residence_cell (a cell of this tree) or residence_unit_name "
                                  "(outside it) is required for a registration");
    }
  } else {
    // HD 33 1.2: exempt from introduction, so there is no residence organization and no letter.
    if (has_cell) return common::InvalidField(named("residence_cell"), "must be empty when NOT_INTRODUCED");
    if (has_unit) return common::InvalidField(named("residence_unit_name"), "must be empty when NOT_INTRODUCED");
    if (place.letter_issued_on) {
      return common::InvalidField(named("letter_issued_on"), "must be empty when NOT_INTRODUCED");
    }
  }
  if (place.exemption == v1::RESIDENCE_EXEMPTION_UNSPECIFIED) {
    if (!place.exemption_reason.empty()) {
      return common::InvalidField(named("exemption_reason"), "must be empty without an exemption");
    }
  } else if (place.exemption_reason.empty()) {
    return common::InvalidField(named("exemption_reason"), "is required with an exemption");
  }
  if (place.letter_issued_on) {
    GR_RETURN_IF_ERROR(ValidatePastDate(*place.letter_issued_on, named("letter_issued_on"), today));
    if (*place.letter_issued_on > place.registered_on) {
      return common::InvalidField(named("letter_issued_on"), "must not be after registered_on");
    }
  }
  return absl::OkStatus();
}

}  // namespace grassroots::membership::domain
