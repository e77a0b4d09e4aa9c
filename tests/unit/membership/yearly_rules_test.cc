// Yearly-record rules against the repository's real data/rules/rules.json:
// rating bands and their edges, disqualification, the excellent quota, who must
// register a commitment, the 2/3 screening vote, residence exemptions, years and dates.
#include "services/membership/domain/yearly_rules.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

const common::RulesRegistry& Rules() {
  static const common::RulesRegistry* rules = [] {
    absl::StatusOr<common::RulesRegistry> loaded =
        common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new common::RulesRegistry(loaded.ok() ? *std::move(loaded) : common::RulesRegistry());
  }();
  return *rules;
}

const absl::CivilDay kToday(2026, 6, 15);

v1::RatingLevel LevelFor(double score, int32_t year = 2025, bool disqualified = false) {
  absl::StatusOr<int32_t> hundredths = ScoreInHundredths(score, "rating.score");
  EXPECT_TRUE(hundredths.ok()) << hundredths.status();
  if (!hundredths.ok()) return v1::RATING_LEVEL_UNSPECIFIED;
  absl::StatusOr<RatingResult> rated = RateScore(year, *hundredths, disqualified, Rules());
  EXPECT_TRUE(rated.ok()) << rated.status();
  return rated.ok() ? rated->level : v1::RATING_LEVEL_UNSPECIFIED;
}

// ---- rating ------------------------------------------------------------------------

TEST(YearlyRating, BandEdgesOfQd366) {
  EXPECT_EQ(LevelFor(0), v1::RATING_LEVEL_NOT_COMPLETED);
  EXPECT_EQ(LevelFor(49.99), v1::RATING_LEVEL_NOT_COMPLETED);
  EXPECT_EQ(LevelFor(50), v1::RATING_LEVEL_COMPLETED);
  EXPECT_EQ(LevelFor(69.99), v1::RATING_LEVEL_COMPLETED);
  EXPECT_EQ(LevelFor(70), v1::RATING_LEVEL_GOOD);
  EXPECT_EQ(LevelFor(89.99), v1::RATING_LEVEL_GOOD);
  EXPECT_EQ(LevelFor(90), v1::RATING_LEVEL_EXCELLENT);
  EXPECT_EQ(LevelFor(100), v1::RATING_LEVEL_EXCELLENT);
}

TEST(YearlyRating, SameEdgesUnderTheQd124VersionFor2024) {
  EXPECT_EQ(LevelFor(89.99, 2024), v1::RATING_LEVEL_GOOD);
  EXPECT_EQ(LevelFor(90, 2024), v1::RATING_LEVEL_EXCELLENT);
  EXPECT_EQ(LevelFor(49.99, 2024), v1::RATING_LEVEL_NOT_COMPLETED);
}

TEST(YearlyRating, TheRuleInForceOn31DecemberIsCited) {
  absl::StatusOr<RatingResult> y2024 = RateScore(2024, 8000, false, Rules());
  ASSERT_TRUE(y2024.ok()) << y2024.status();
  EXPECT_EQ(y2024->rule_id, "rating.bands");
  EXPECT_NE(y2024->citation.find("QĐ 124"), std::string::npos) << y2024->citation;
  // QĐ 366 took effect on 30/8/2025: it governs the whole of 2025 since it is in force on 31/12.
  absl::StatusOr<RatingResult> y2025 = RateScore(2025, 8000, false, Rules());
  ASSERT_TRUE(y2025.ok()) << y2025.status();
  EXPECT_NE(y2025->citation.find("QĐ 366"), std::string::npos) << y2025->citation;
}

TEST(YearlyRating, NoBandRuleBeforeQd132IsAFailedPrecondition) {
  absl::StatusOr<RatingResult> y2022 = RateScore(2017, 8000, false, Rules());
  ASSERT_FALSE(y2022.ok());
  EXPECT_EQ(y2022.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(y2022.status()), "RULE_NOT_IN_FORCE");
  EXPECT_NE(y2022.status().message().find("rating.bands"), absl::string_view::npos);
}

TEST(YearlyRating, DisqualificationForcesNotCompletedWhateverTheScore) {
  EXPECT_EQ(LevelFor(100, 2025, true), v1::RATING_LEVEL_NOT_COMPLETED);
  EXPECT_EQ(LevelFor(75, 2025, true), v1::RATING_LEVEL_NOT_COMPLETED);
  EXPECT_EQ(LevelFor(10, 2025, true), v1::RATING_LEVEL_NOT_COMPLETED);
}

TEST(YearlyRating, ScoreIsZeroToHundredWithAtMostTwoDecimals) {
  EXPECT_EQ(*ScoreInHundredths(89.99, "rating.score"), 8999);
  EXPECT_EQ(*ScoreInHundredths(0.1 + 0.2, "rating.score"), 30);
  EXPECT_EQ(*ScoreInHundredths(100, "rating.score"), 10000);
  EXPECT_EQ(*ScoreInHundredths(0, "rating.score"), 0);
  for (double bad : {-0.01, 100.01, 89.999, 50.005, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    absl::StatusOr<int32_t> out = ScoreInHundredths(bad, "rating.score");
    ASSERT_FALSE(out.ok()) << bad;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(common::FieldOf(out.status()), "rating.score") << bad;
  }
}

// ---- excellent quota ------------------------------------------------------------------

TEST(YearlyQuota, LimitIsTheFloorOfShareTimesGood) {
  EXPECT_EQ(ExcellentLimit(0.2, 0), 0);
  EXPECT_EQ(ExcellentLimit(0.2, 4), 0);
  EXPECT_EQ(ExcellentLimit(0.2, 5), 1);
  EXPECT_EQ(ExcellentLimit(0.2, 9), 1);
  EXPECT_EQ(ExcellentLimit(0.2, 10), 2);
  EXPECT_EQ(ExcellentLimit(0.2, 15), 3);
  // 0.29 * 100 is 28.999999999999996 in binary.
  EXPECT_EQ(ExcellentLimit(0.29, 100), 29);
  EXPECT_EQ(ExcellentLimit(0, 100), 0);
}

TEST(YearlyQuota, ReportsAgainstTheRuleOfTheYear) {
  absl::StatusOr<QuotaCheck> within = CheckExcellentQuota(2025, LevelTally{2, 10, 3, 1}, Rules());
  ASSERT_TRUE(within.ok()) << within.status();
  EXPECT_EQ(within->excellent_limit, 2);
  EXPECT_TRUE(within->within_quota);
  EXPECT_EQ(within->rule_id, "membership.rating.excellent_max_share_of_good");
  EXPECT_FALSE(within->citation.empty());

  absl::StatusOr<QuotaCheck> over = CheckExcellentQuota(2025, LevelTally{3, 10, 0, 0}, Rules());
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->excellent_limit, 2);
  EXPECT_FALSE(over->within_quota);
}

TEST(YearlyQuota, NoGoodRatingsAllowNoExcellent) {
  absl::StatusOr<QuotaCheck> none = CheckExcellentQuota(2025, LevelTally{0, 0, 4, 0}, Rules());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->excellent_limit, 0);
  EXPECT_TRUE(none->within_quota);

  absl::StatusOr<QuotaCheck> one = CheckExcellentQuota(2025, LevelTally{1, 0, 4, 0}, Rules());
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->excellent_limit, 0);
  EXPECT_FALSE(one->within_quota);
}

TEST(YearlyQuota, NoQuotaRuleBeforeItTookEffect) {
  absl::StatusOr<QuotaCheck> y2022 = CheckExcellentQuota(2017, LevelTally{1, 5, 0, 0}, Rules());
  ASSERT_FALSE(y2022.ok());
  EXPECT_EQ(y2022.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(y2022.status()), "RULE_NOT_IN_FORCE");
}

// ---- commitments --------------------------------------------------------------------------

TEST(YearlyCommitment, CategoryCodesMatchTheRulesSpelling) {
  EXPECT_EQ(OccupationCategoryCode(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE), "CIVIL_SERVICE");
  EXPECT_EQ(OccupationCategoryCode(v1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER), "PRIVATE_BUSINESS_OWNER");
}

TEST(YearlyCommitment, RequiredForCadresCivilServantsAndArmedForces) {
  EXPECT_TRUE(*CommitmentRequired(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE, 2025, Rules()));
  EXPECT_TRUE(*CommitmentRequired(v1::OCCUPATION_CATEGORY_ARMED_FORCES, 2025, Rules()));
  for (v1::OccupationCategory other :
       {v1::OCCUPATION_CATEGORY_WORKER, v1::OCCUPATION_CATEGORY_FARMER, v1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER,
        v1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE, v1::OCCUPATION_CATEGORY_STUDENT, v1::OCCUPATION_CATEGORY_RETIRED,
        v1::OCCUPATION_CATEGORY_SELF_EMPLOYED, v1::OCCUPATION_CATEGORY_OTHER, v1::OCCUPATION_CATEGORY_UNSPECIFIED}) {
    absl::StatusOr<bool> required = CommitmentRequired(other, 2025, Rules());
    ASSERT_TRUE(required.ok()) << required.status();
    EXPECT_FALSE(*required) << v1::OccupationCategory_Name(other);
  }
}

TEST(YearlyCommitment, NobodyIsRequiredBeforeTheRuleTookEffect) {
  absl::StatusOr<bool> y2019 = CommitmentRequired(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE, 2019, Rules());
  ASSERT_TRUE(y2019.ok()) << y2019.status();
  EXPECT_FALSE(*y2019);
  EXPECT_TRUE(*CommitmentRequired(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE, 2020, Rules()));
}

// ---- screening vote (HD 02) ---------------------------------------------------------------------

absl::Status Vote(int32_t in_favour, int32_t eligible, absl::CivilDay on = absl::CivilDay(2025, 3, 1)) {
  return CheckScreeningVote(in_favour, eligible, on, Rules());
}

TEST(YearlyScreening, ExactlyTwoThirdsPasses) {
  EXPECT_TRUE(Vote(6, 9).ok());
  EXPECT_TRUE(Vote(2, 3).ok());
  EXPECT_TRUE(Vote(8, 12).ok());
  EXPECT_TRUE(Vote(9, 9).ok());
}

TEST(YearlyScreening, JustBelowTwoThirdsFailsNamingTheRule) {
  for (auto [in_favour, eligible] : {std::pair{5, 9}, std::pair{1, 3}, std::pair{7, 12}, std::pair{6, 10},
                                     std::pair{0, 4}}) {
    absl::Status status = Vote(in_favour, eligible);
    ASSERT_FALSE(status.ok()) << in_favour << "/" << eligible;
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(common::ReasonOf(status), "VOTE_BELOW_TWO_THIRDS");
    EXPECT_NE(status.message().find("membership.screening.vote_min_share"), absl::string_view::npos)
        << status.message();
    EXPECT_NE(status.message().find("HD 02"), absl::string_view::npos) << status.message();
  }
  // 7 of 10 is above two thirds.
  EXPECT_TRUE(Vote(7, 10).ok());
}

TEST(YearlyScreening, IntegerComparisonDoesNotOverflow) {
  VoteShare share{2, 3, nullptr};
  EXPECT_TRUE(MeetsShare(2'000'000'000, 2'100'000'000, share));
  EXPECT_FALSE(MeetsShare(1'399'999'999, 2'100'000'000, share));
  EXPECT_TRUE(MeetsShare(1'400'000'000, 2'100'000'000, share));
}

TEST(YearlyScreening, NoScreeningRuleBeforeHd02) {
  absl::Status before = Vote(9, 9, absl::CivilDay(2021, 4, 11));
  EXPECT_EQ(before.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(before), "RULE_NOT_IN_FORCE");
  EXPECT_TRUE(Vote(6, 9, absl::CivilDay(2021, 4, 12)).ok());
}

TEST(YearlyScreening, VoteCountsMustBeConsistent) {
  EXPECT_TRUE(ValidateVoteCounts(0, 1, "screening.vote").ok());
  absl::Status no_voters = ValidateVoteCounts(0, 0, "screening.vote");
  EXPECT_EQ(no_voters.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(no_voters), "screening.vote.eligible");
  EXPECT_EQ(common::FieldOf(ValidateVoteCounts(10, 9, "screening.vote")), "screening.vote.in_favour");
  EXPECT_EQ(common::FieldOf(ValidateVoteCounts(-1, 9, "screening.vote")), "screening.vote.in_favour");
  EXPECT_FALSE(MeetsShare(10, 9, VoteShare{2, 3, nullptr}));
  EXPECT_FALSE(MeetsShare(0, 0, VoteShare{0, 3, nullptr}));
}

TEST(YearlyScreening, CriteriaKindsAndOutcomes) {
  EXPECT_TRUE(IsKnownScreeningCriterion("TWO_YEARS_NOT_COMPLETED"));
  EXPECT_TRUE(IsKnownScreeningCriterion("OTHER"));
  EXPECT_FALSE(IsKnownScreeningCriterion("two_years_not_completed"));
  EXPECT_FALSE(IsKnownScreeningCriterion(""));
  EXPECT_TRUE(IsFinalScreeningOutcome(v1::SCREENING_OUTCOME_RECOVERED));
  EXPECT_TRUE(IsFinalScreeningOutcome(v1::SCREENING_OUTCOME_REMOVAL_PROPOSED));
  EXPECT_TRUE(IsFinalScreeningOutcome(v1::SCREENING_OUTCOME_DISCIPLINE_PROPOSED));
  EXPECT_FALSE(IsFinalScreeningOutcome(v1::SCREENING_OUTCOME_PENDING));
  EXPECT_FALSE(IsFinalScreeningOutcome(v1::SCREENING_OUTCOME_UNSPECIFIED));
  EXPECT_TRUE(IsKnownTrainingKind("POLITICAL_THEORY"));
  EXPECT_TRUE(IsKnownTrainingKind("AWARENESS"));
  EXPECT_FALSE(IsKnownTrainingKind("COOKING"));
}

// ---- residence liaison (QĐ 213 / HD 33) -------------------------------------------------------------

ResidencePlace Registered() {
  ResidencePlace place;
  place.residence_cell_id = 42;
  place.registered_on = absl::CivilDay(2025, 2, 10);
  place.letter_issued_on = absl::CivilDay(2025, 2, 1);
  return place;
}

std::string FieldOfPlace(const ResidencePlace& place) {
  return common::FieldOf(ValidateResidencePlace(place, "registration", kToday));
}

TEST(YearlyResidence, ARegistrationNamesExactlyOneResidenceOrganization) {
  EXPECT_TRUE(ValidateResidencePlace(Registered(), "registration", kToday).ok());
  ResidencePlace outside = Registered();
  outside.residence_cell_id.reset();
  outside.residence_unit_name = "Chi bộ khu phố 3, phường X";
  EXPECT_TRUE(ValidateResidencePlace(outside, "registration", kToday).ok());

  ResidencePlace both = Registered();
  both.residence_unit_name = "Chi bộ khu phố 3";
  EXPECT_EQ(FieldOfPlace(both), "registration.residence_cell");
  ResidencePlace neither = Registered();
  neither.residence_cell_id.reset();
  EXPECT_EQ(FieldOfPlace(neither), "registration.residence_cell");
}

TEST(YearlyResidence, NotIntroducedNeedsNoRegistration) {
  ResidencePlace exempt;
  exempt.exemption = v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED;
  exempt.exemption_reason = "Lực lượng vũ trang làm nhiệm vụ đặc biệt";
  exempt.registered_on = absl::CivilDay(2025, 1, 5);
  EXPECT_TRUE(ValidateResidencePlace(exempt, "registration", kToday).ok());
  EXPECT_FALSE(NeedsRegistration(v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED));
  EXPECT_TRUE(NeedsRegistration(v1::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK));
  EXPECT_TRUE(NeedsRegistration(v1::RESIDENCE_EXEMPTION_UNSPECIFIED));

  ResidencePlace with_cell = exempt;
  with_cell.residence_cell_id = 42;
  EXPECT_EQ(FieldOfPlace(with_cell), "registration.residence_cell");
  ResidencePlace with_letter = exempt;
  with_letter.letter_issued_on = absl::CivilDay(2025, 1, 1);
  EXPECT_EQ(FieldOfPlace(with_letter), "registration.letter_issued_on");
  ResidencePlace without_reason = exempt;
  without_reason.exemption_reason.clear();
  EXPECT_EQ(FieldOfPlace(without_reason), "registration.exemption_reason");
}

TEST(YearlyResidence, NoYearlyFeedbackCategoryIsRegisteredButGetsNoFeedback) {
  ResidencePlace place = Registered();
  place.exemption = v1::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK;
  place.exemption_reason = "Học tập tập trung 12 tháng";
  EXPECT_TRUE(ValidateResidencePlace(place, "registration", kToday).ok());
  EXPECT_FALSE(ExpectsYearlyFeedback(v1::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK));
  EXPECT_FALSE(ExpectsYearlyFeedback(v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED));
  EXPECT_TRUE(ExpectsYearlyFeedback(v1::RESIDENCE_EXEMPTION_UNSPECIFIED));
}

TEST(YearlyResidence, DatesAndReasons) {
  ResidencePlace reason_without_exemption = Registered();
  reason_without_exemption.exemption_reason = "không";
  EXPECT_EQ(FieldOfPlace(reason_without_exemption), "registration.exemption_reason");
  ResidencePlace late_letter = Registered();
  late_letter.letter_issued_on = absl::CivilDay(2025, 2, 11);
  EXPECT_EQ(FieldOfPlace(late_letter), "registration.letter_issued_on");
  ResidencePlace future = Registered();
  future.registered_on = kToday + 1;
  EXPECT_EQ(FieldOfPlace(future), "registration.registered_on");
  ResidencePlace unknown = Registered();
  unknown.exemption = static_cast<v1::ResidenceExemption>(9);
  EXPECT_EQ(FieldOfPlace(unknown), "registration.exemption");
}

// ---- years and dates ---------------------------------------------------------------------------------

TEST(YearlyDates, ActivityYearsRunFrom1930ToTheCurrentYear) {
  EXPECT_EQ(common::FieldOf(ValidateActivityYear(1929, "rating.year", kToday)), "rating.year");
  EXPECT_TRUE(ValidateActivityYear(1930, "rating.year", kToday).ok());
  EXPECT_TRUE(ValidateActivityYear(2026, "rating.year", kToday).ok());
  EXPECT_EQ(common::FieldOf(ValidateActivityYear(2027, "rating.year", kToday)), "rating.year");
  EXPECT_EQ(common::FieldOf(ValidateActivityYear(0, "feedback.year", kToday)), "feedback.year");
}

TEST(YearlyDates, AssessmentsAreGivenInTheYearOrItsFirstQuarterAfter) {
  const auto check = [](absl::CivilDay day) {
    return ValidateDateForYear(day, 2024, "feedback.given_on", kToday);
  };
  EXPECT_TRUE(check(absl::CivilDay(2024, 1, 1)).ok());
  EXPECT_TRUE(check(absl::CivilDay(2024, 12, 31)).ok());
  EXPECT_TRUE(check(absl::CivilDay(2025, 3, 31)).ok());
  EXPECT_EQ(common::FieldOf(check(absl::CivilDay(2025, 4, 1))), "feedback.given_on");
  EXPECT_EQ(common::FieldOf(check(absl::CivilDay(2023, 12, 31))), "feedback.given_on");
  // Never after today, even inside the window.
  EXPECT_EQ(common::FieldOf(ValidateDateForYear(absl::CivilDay(2026, 6, 16), 2026, "feedback.given_on", kToday)),
            "feedback.given_on");
}

TEST(YearlyDates, CommitmentsAreRegisteredInTheYearOrTheDecemberBefore) {
  const auto check = [](absl::CivilDay day) {
    return ValidateCommitmentDate(day, 2025, "commitment.registered_on", kToday);
  };
  EXPECT_TRUE(check(absl::CivilDay(2024, 12, 1)).ok());
  EXPECT_TRUE(check(absl::CivilDay(2025, 12, 31)).ok());
  EXPECT_EQ(common::FieldOf(check(absl::CivilDay(2024, 11, 30))), "commitment.registered_on");
  EXPECT_EQ(common::FieldOf(check(absl::CivilDay(2026, 1, 1))), "commitment.registered_on");
}

TEST(YearlyDates, PastDatesStartIn1930) {
  EXPECT_TRUE(ValidatePastDate(absl::CivilDay(1930, 2, 3), "training.start_date", kToday).ok());
  EXPECT_EQ(common::FieldOf(ValidatePastDate(absl::CivilDay(1929, 12, 31), "training.start_date", kToday)),
            "training.start_date");
  EXPECT_EQ(common::FieldOf(ValidatePastDate(kToday + 1, "training.start_date", kToday)), "training.start_date");
}

}  // namespace
}  // namespace grassroots::membership::domain
