// Rules of the member facts reporting reads (no I/O): the code lists of
// data/codes and how text maps to them, and the history of dated attributes.
#include <gtest/gtest.h>

#include "common/status/status.h"
#include "services/membership/domain/code_lists.h"
#include "services/membership/domain/member_attributes.h"

namespace grassroots::membership::domain {
namespace {

using D = absl::CivilDay;

const CodeLists& Codes() {
  static const CodeLists* const kCodes = [] {
    absl::StatusOr<CodeLists> loaded = CodeLists::LoadDir(CodeLists::DefaultDir());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new CodeLists(std::move(*loaded));
  }();
  return *kCodes;
}

TEST(CodeListsTest, TheEthnicityListHasThe54GroupsAndOther) {
  int groups = 0;
  for (int code = 1; code <= 54; ++code) {
    const std::string text = (code < 10 ? "0" : "") + std::to_string(code);
    if (Codes().ethnicity.Contains(text)) ++groups;
  }
  EXPECT_EQ(groups, 54);
  EXPECT_TRUE(Codes().ethnicity.Contains("99"));
  EXPECT_EQ(Codes().ethnicity.DisplayName("01"), "Kinh");
  EXPECT_FALSE(Codes().ethnicity.citation().empty());
  EXPECT_FALSE(Codes().religion.citation().empty());
}

TEST(CodeListsTest, TextMatchesIgnoringCaseDiacriticsAndPunctuation) {
  const CodeList& ethnicity = Codes().ethnicity;
  EXPECT_EQ(ethnicity.Match("Kinh"), "01");
  EXPECT_EQ(ethnicity.Match("kinh"), "01");
  EXPECT_EQ(ethnicity.Match("  KINH "), "01");
  EXPECT_EQ(ethnicity.Match("Tày"), "02");
  EXPECT_EQ(ethnicity.Match("tay"), "02");
  EXPECT_EQ(ethnicity.Match("Khơ-me"), "05");
  EXPECT_EQ(ethnicity.Match("H'Mông"), "08");
  EXPECT_EQ(ethnicity.Match("Ê Đê"), "11");
  EXPECT_EQ(ethnicity.Match("Châu Mạ"), "28");
  EXPECT_EQ(ethnicity.Match("02"), "02");
  EXPECT_EQ(ethnicity.Match("Xyz"), std::nullopt);
  EXPECT_EQ(Codes().religion.Match("Không"), "00");
  EXPECT_EQ(Codes().religion.Match("thiên chúa giáo"), "02");
  EXPECT_EQ(Codes().religion.Match("Hoà Hảo"), "03");
}

TEST(CodeListsTest, AListIsRefusedWhenANameWouldMatchTwoCodes) {
  const absl::StatusOr<CodeList> list = CodeList::Parse(
      R"({"list": "x", "citation": "c", "codes": [{"code": "01", "name": "Tày"}, {"code": "02", "name": "Tay"}]})",
      "test");
  EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(CodeList::Parse(R"({"list": "x", "codes": []})", "test").ok());
}

TEST(CodeListsTest, TheFingerprintChangesOnlyWithWhatTheListMatches) {
  const auto fingerprint = [](const char* json) {
    absl::StatusOr<CodeList> list = CodeList::Parse(json, "test");
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? list->Fingerprint() : std::string();
  };
  const std::string base = fingerprint(R"({"list": "x", "citation": "c", "codes": [{"code": "01", "name": "Kinh"}]})");
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, fingerprint(R"({"list": "x", "citation": "other", "codes": [{"code": "01", "name": "KINH"}]})"))
      << "a citation or the case of a name maps no text differently";
  EXPECT_NE(base, fingerprint(
                      R"({"list": "x", "citation": "c", "codes": [{"code": "01", "name": "Kinh", "aliases": ["Viet"]}]})"));
  EXPECT_NE(base, fingerprint(R"({"list": "x", "citation": "c", "codes": [{"code": "02", "name": "Kinh"}]})"));
  EXPECT_EQ(Codes().Fingerprint(), Codes().Fingerprint());
  EXPECT_NE(Codes().Fingerprint(), Codes().ethnicity.Fingerprint());
}

std::vector<AttributePeriod> Start() {
  Profile profile;
  profile.occupation_category = v1::OCCUPATION_CATEGORY_FARMER;
  return InitialAttributePeriods(profile, D(2015, 1, 5));
}

TEST(DatedAttributesTest, AChangeEndsThePeriodInForceAndOpensAnother) {
  absl::StatusOr<std::vector<AttributePeriod>> periods = ChangeAttribute(
      Start(), v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, v1::OCCUPATION_CATEGORY_RETIRED, D(2025, 7, 1));
  ASSERT_TRUE(periods.ok()) << periods.status();
  EXPECT_EQ(periods->size(), 5u);
  const auto on = [&](D day) { return AttributeOn(*periods, v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, day); };
  EXPECT_EQ(on(D(2015, 1, 5)), v1::OCCUPATION_CATEGORY_FARMER);
  EXPECT_EQ(on(D(2025, 6, 30)), v1::OCCUPATION_CATEGORY_FARMER);
  EXPECT_EQ(on(D(2025, 7, 1)), v1::OCCUPATION_CATEGORY_RETIRED);
  EXPECT_EQ(on(D(2015, 1, 4)), std::nullopt) << "nothing is known before the record";
  // Other attributes are untouched.
  EXPECT_EQ(AttributeOn(*periods, v1::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL, D(2025, 7, 1)), 0);
}

TEST(DatedAttributesTest, TheSameValueChangesNothing) {
  absl::StatusOr<std::vector<AttributePeriod>> periods = ChangeAttribute(
      Start(), v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, v1::OCCUPATION_CATEGORY_FARMER, D(2025, 7, 1));
  ASSERT_TRUE(periods.ok());
  EXPECT_EQ(periods->size(), 4u);
}

TEST(DatedAttributesTest, AChangeOnTheStartDayCorrectsTheValue) {
  auto periods = ChangeAttribute(Start(), v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, v1::OCCUPATION_CATEGORY_RETIRED,
                                 D(2025, 7, 1));
  ASSERT_TRUE(periods.ok());
  periods = ChangeAttribute(*periods, v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, v1::OCCUPATION_CATEGORY_WORKER,
                            D(2025, 7, 1));
  ASSERT_TRUE(periods.ok());
  EXPECT_EQ(periods->size(), 5u);
  EXPECT_EQ(AttributeOn(*periods, v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, D(2025, 7, 1)),
            v1::OCCUPATION_CATEGORY_WORKER);
  // Corrected back to the previous value: the two periods merge.
  periods = ChangeAttribute(*periods, v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, v1::OCCUPATION_CATEGORY_FARMER,
                            D(2025, 7, 1));
  ASSERT_TRUE(periods.ok());
  EXPECT_EQ(periods->size(), 4u);
  EXPECT_EQ(AttributeOn(*periods, v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, D(2026, 1, 1)),
            v1::OCCUPATION_CATEGORY_FARMER);
}

TEST(DatedAttributesTest, HistoryIsNotRewrittenBehindTheValueInForce) {
  const absl::Status status = ChangeAttribute(Start(), v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY,
                                              v1::OCCUPATION_CATEGORY_RETIRED, D(2014, 12, 31))
                                  .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ReasonOf(status), "ATTRIBUTE_CHANGE_OUT_OF_ORDER");
}

TEST(DatedAttributesTest, AProfileReadsTheValuesOfADate) {
  auto periods = ChangeAttribute(Start(), v1::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL,
                                 v1::POLITICAL_THEORY_LEVEL_INTERMEDIATE, D(2020, 1, 1));
  ASSERT_TRUE(periods.ok());
  Profile profile;
  profile.political_theory_level = v1::POLITICAL_THEORY_LEVEL_INTERMEDIATE;
  ApplyAttributesOn(*periods, D(2019, 6, 1), profile);
  EXPECT_EQ(profile.political_theory_level, v1::POLITICAL_THEORY_LEVEL_UNSPECIFIED);
  EXPECT_EQ(profile.occupation_category, v1::OCCUPATION_CATEGORY_FARMER);
}

}  // namespace
}  // namespace grassroots::membership::domain
