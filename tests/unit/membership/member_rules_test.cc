// Citizen ID (CCCD) structure, profile validation and search tokens.
#include "services/membership/domain/member_rules.h"

#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kField[] = "member.citizen_id";
const absl::CivilDay kToday(2025, 6, 15);

// A citizen ID from its parts: province, century/sex digit, two year digits, six serial digits.
std::string Cccd(const std::string& province, char century_sex, const std::string& year2,
                 const std::string& serial = "012345") {
  return province + std::string(1, century_sex) + year2 + serial;
}

// The description a failed check gives (the rule it names).
std::string Rule(const absl::Status& status) { return std::string(status.message()); }

// ---- the province table --------------------------------------------------------------------------

TEST(BirthRegistrationProvincesTest, HoldsTheSixtyThreeCodesInOrder) {
  const auto& provinces = BirthRegistrationProvinces();
  ASSERT_EQ(provinces.size(), 63u);
  std::set<std::string_view> codes;
  for (size_t i = 0; i < provinces.size(); ++i) {
    EXPECT_EQ(provinces[i].code.size(), 3u);
    EXPECT_FALSE(provinces[i].name.empty());
    if (i > 0) {
      EXPECT_LT(provinces[i - 1].code, provinces[i].code) << "table must be sorted for lookup";
    }
    codes.insert(provinces[i].code);
  }
  EXPECT_EQ(codes.size(), 63u);
  EXPECT_EQ(provinces.front().code, "001");
  EXPECT_EQ(provinces.back().code, "096");
}

TEST(BirthRegistrationProvincesTest, NamesWellKnownCodes) {
  EXPECT_EQ(BirthRegistrationProvinceName("001"), "Hà Nội");
  EXPECT_EQ(BirthRegistrationProvinceName("031"), "Hải Phòng");
  EXPECT_EQ(BirthRegistrationProvinceName("048"), "Đà Nẵng");
  EXPECT_EQ(BirthRegistrationProvinceName("060"), "Bình Thuận");
  EXPECT_EQ(BirthRegistrationProvinceName("067"), "Đắk Nông");
  EXPECT_EQ(BirthRegistrationProvinceName("068"), "Lâm Đồng");
  EXPECT_EQ(BirthRegistrationProvinceName("079"), "Hồ Chí Minh");
  EXPECT_EQ(BirthRegistrationProvinceName("092"), "Cần Thơ");
  EXPECT_EQ(BirthRegistrationProvinceName("096"), "Cà Mau");
}

TEST(BirthRegistrationProvincesTest, CodesOutsideTheTableAreUnknown) {
  // Gaps in the numbering (003, 005, 063, ...), zero and beyond Cà Mau.
  for (const char* code : {"000", "003", "005", "007", "009", "013", "016", "018", "021", "023", "028", "029",
                           "032", "039", "041", "043", "047", "050", "053", "055", "057", "059", "061", "063",
                           "065", "069", "071", "073", "076", "078", "081", "085", "088", "090", "097", "099",
                           "100", "999", "01", "0011", ""}) {
    EXPECT_FALSE(BirthRegistrationProvinceName(code).has_value()) << code;
  }
}

// ---- the century/sex digit ------------------------------------------------------------------------

TEST(CenturySexDigitTest, FollowsTheDecreePattern) {
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 1900), '0');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 1900), '1');
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 1999), '0');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 1999), '1');
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 2000), '2');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 2000), '3');
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 2099), '2');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 2099), '3');
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 2100), '4');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 2100), '5');
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 2250), '6');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 2250), '7');
  EXPECT_EQ(CenturySexDigit(v1::SEX_MALE, 2399), '8');
  EXPECT_EQ(CenturySexDigit(v1::SEX_FEMALE, 2399), '9');
}

TEST(CenturySexDigitTest, NoDigitOutsideTheEncodedCenturiesOrWithoutSex) {
  EXPECT_FALSE(CenturySexDigit(v1::SEX_MALE, 1899).has_value());
  EXPECT_FALSE(CenturySexDigit(v1::SEX_FEMALE, 2400).has_value());
  EXPECT_FALSE(CenturySexDigit(v1::SEX_UNSPECIFIED, 1980).has_value());
}

// ---- ValidateCitizenId --------------------------------------------------------------------------

TEST(ValidateCitizenIdTest, AcceptsIdsAgreeingWithTheRecordInBothCenturies) {
  EXPECT_TRUE(ValidateCitizenId(Cccd("001", '0', "85"), v1::SEX_MALE, absl::CivilDay(1985, 3, 2), kField).ok());
  EXPECT_TRUE(ValidateCitizenId(Cccd("079", '1', "62"), v1::SEX_FEMALE, absl::CivilDay(1962, 12, 31), kField).ok());
  EXPECT_TRUE(ValidateCitizenId(Cccd("068", '0', "00"), v1::SEX_MALE, absl::CivilDay(1900, 1, 1), kField).ok());
  EXPECT_TRUE(ValidateCitizenId(Cccd("096", '2', "03"), v1::SEX_MALE, absl::CivilDay(2003, 7, 1), kField).ok());
  EXPECT_TRUE(ValidateCitizenId(Cccd("048", '3', "00"), v1::SEX_FEMALE, absl::CivilDay(2000, 1, 1), kField).ok());
}

TEST(ValidateCitizenIdTest, AcceptsEveryProvinceCodeOfTheTable) {
  for (const auto& province : BirthRegistrationProvinces()) {
    EXPECT_TRUE(ValidateCitizenId(Cccd(std::string(province.code), '1', "77"), v1::SEX_FEMALE,
                                  absl::CivilDay(1977, 5, 5), kField)
                    .ok())
        << province.code;
  }
}

TEST(ValidateCitizenIdTest, RefusesAnythingButTwelveDigits) {
  const absl::CivilDay born(1985, 3, 2);
  for (const std::string& bad : {std::string(""), std::string("00108501234"), std::string("0010850123456"),
                                 std::string("00108501234a"), std::string("001 85012345"),
                                 std::string("00108501234５"), std::string("-01085012345")}) {
    absl::Status status = ValidateCitizenId(bad, v1::SEX_MALE, born, kField);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(common::FieldOf(status), kField);
    EXPECT_THAT(Rule(status), HasSubstr("12 digits"));
  }
}

TEST(ValidateCitizenIdTest, RefusesAProvinceCodeOutsideTheTable) {
  for (const char* province : {"000", "003", "063", "097", "099"}) {
    absl::Status status =
        ValidateCitizenId(Cccd(province, '0', "85"), v1::SEX_MALE, absl::CivilDay(1985, 3, 2), kField);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << province;
    EXPECT_EQ(common::FieldOf(status), kField);
    EXPECT_THAT(Rule(status), HasSubstr("digits 1-3"));
  }
}

TEST(ValidateCitizenIdTest, RefusesACenturySexDigitDisagreeingWithSex) {
  const absl::CivilDay born(1985, 3, 2);
  absl::Status male_as_female = ValidateCitizenId(Cccd("001", '1', "85"), v1::SEX_MALE, born, kField);
  absl::Status female_as_male = ValidateCitizenId(Cccd("001", '0', "85"), v1::SEX_FEMALE, born, kField);
  for (const absl::Status& status : {male_as_female, female_as_male}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(common::FieldOf(status), kField);
    EXPECT_THAT(Rule(status), HasSubstr("digit 4"));
  }
}

TEST(ValidateCitizenIdTest, RefusesACenturySexDigitDisagreeingWithTheBirthCentury) {
  // Born in 2001 with a 1900s digit, and born in 1999 with a 2000s digit.
  absl::Status late = ValidateCitizenId(Cccd("001", '0', "01"), v1::SEX_MALE, absl::CivilDay(2001, 1, 1), kField);
  absl::Status early = ValidateCitizenId(Cccd("001", '3', "99"), v1::SEX_FEMALE, absl::CivilDay(1999, 1, 1), kField);
  absl::Status next = ValidateCitizenId(Cccd("001", '4', "05"), v1::SEX_MALE, absl::CivilDay(2005, 1, 1), kField);
  for (const absl::Status& status : {late, early, next}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Rule(status), HasSubstr("digit 4"));
  }
}

TEST(ValidateCitizenIdTest, RefusesYearDigitsDisagreeingWithTheBirthYear) {
  absl::Status status = ValidateCitizenId(Cccd("001", '0', "86"), v1::SEX_MALE, absl::CivilDay(1985, 3, 2), kField);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(status), kField);
  EXPECT_THAT(Rule(status), HasSubstr("digits 5-6"));
  // Same two digits, other century: the century digit catches it first.
  absl::Status century = ValidateCitizenId(Cccd("001", '0', "05"), v1::SEX_MALE, absl::CivilDay(2005, 3, 2), kField);
  EXPECT_THAT(Rule(century), HasSubstr("digit 4"));
}

TEST(ValidateCitizenIdTest, EachRuleHasItsOwnMessageAndNoneQuotesTheValue) {
  const absl::CivilDay born(1985, 3, 2);
  const std::string shape = "12345678901";
  const std::string province = Cccd("097", '0', "85", "314159");
  const std::string digit4 = Cccd("001", '1', "85", "314159");
  const std::string year = Cccd("001", '0', "84", "314159");
  std::set<std::string> messages;
  for (const std::string& bad : {shape, province, digit4, year}) {
    absl::Status status = ValidateCitizenId(bad, v1::SEX_MALE, born, kField);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_THAT(Rule(status), Not(HasSubstr(bad)));
    EXPECT_THAT(Rule(status), Not(HasSubstr("314159")));
    EXPECT_THAT(Rule(status), HasSubstr(kField));
    messages.insert(Rule(status));
  }
  EXPECT_EQ(messages.size(), 4u);
}

TEST(ValidateCitizenIdShapeTest, ChecksOnlyTheShape) {
  EXPECT_TRUE(ValidateCitizenIdShape("999999999999", "citizen_id").ok());
  EXPECT_EQ(ValidateCitizenIdShape("99999999999", "citizen_id").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(ValidateCitizenIdShape("abc", "citizen_id")), "citizen_id");
}

// ---- profile ---------------------------------------------------------------------------------------

v1::Member ValidMember() {
  v1::Member m;
  m.set_full_name("Nguyễn Văn An");
  m.set_sex(v1::SEX_MALE);
  m.set_birth_date("1985-03-02");
  m.set_occupation_category(v1::OCCUPATION_CATEGORY_FARMER);
  return m;
}

absl::Status ProfileError(const v1::Member& m) { return ProfileFromMember(m, "member", kToday).status(); }

TEST(ProfileFromMemberTest, ReadsAValidMember) {
  v1::Member m = ValidMember();
  m.set_birth_name("  Nguyễn Văn Ân  ");
  m.set_general_education(v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  m.set_political_theory_level(v1::POLITICAL_THEORY_LEVEL_ELEMENTARY);
  m.set_phone("+84 (0)912-345.678");
  m.set_email("an.nguyen@example.vn");
  m.set_external_id("CSDL3.0-000123");
  absl::StatusOr<Profile> profile = ProfileFromMember(m, "member", kToday);
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->full_name, "Nguyễn Văn An");
  EXPECT_EQ(profile->birth_name, "Nguyễn Văn Ân");
  EXPECT_EQ(profile->sex, v1::SEX_MALE);
  EXPECT_EQ(profile->birth_date, absl::CivilDay(1985, 3, 2));
  EXPECT_EQ(profile->general_education, v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  EXPECT_EQ(profile->external_id, "CSDL3.0-000123");
}

TEST(ProfileFromMemberTest, NormalizesNamesToNfc) {
  v1::Member m = ValidMember();
  // "Nguyễn" with the vowel and both marks decomposed (NFD).
  m.set_full_name("Nguye\xCC\x82\xCC\x83n Va\xCC\x86n An");
  absl::StatusOr<Profile> profile = ProfileFromMember(m, "member", kToday);
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->full_name, "Nguyễn Văn An");
}

TEST(ProfileFromMemberTest, FullNameIsRequiredAndBounded) {
  v1::Member m = ValidMember();
  m.set_full_name("   ");
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.full_name");
  m.set_full_name(std::string(256, 'a'));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.full_name");
  m.set_full_name(std::string(255, 'a'));
  EXPECT_TRUE(ProfileError(m).ok());
  m.set_full_name("An\tNguyen");
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.full_name");
}

TEST(ProfileFromMemberTest, SexIsRequiredAndKnown) {
  v1::Member m = ValidMember();
  m.set_sex(v1::SEX_UNSPECIFIED);
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.sex");
  m.set_sex(static_cast<v1::Sex>(7));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.sex");
}

TEST(ProfileFromMemberTest, BirthDateIsRequiredRealPastAndPlausible) {
  v1::Member m = ValidMember();
  m.set_birth_date("");
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.birth_date");
  for (const char* bad : {"1985-02-30", "02/03/1985", "1985-3-2", "2025-06-16", "1899-12-31"}) {
    m.set_birth_date(bad);
    absl::Status status = ProfileError(m);
    EXPECT_EQ(common::FieldOf(status), "member.birth_date") << bad;
    // A birth date is personal data: the message names the rule only.
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(bad)));
  }
  m.set_birth_date("2025-06-15");
  EXPECT_TRUE(ProfileError(m).ok());
  m.set_birth_date("1900-01-01");
  EXPECT_TRUE(ProfileError(m).ok());
}

TEST(ProfileFromMemberTest, EnumsMustBeInRange) {
  v1::Member m = ValidMember();
  m.set_occupation_category(v1::OCCUPATION_CATEGORY_UNSPECIFIED);
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.occupation_category");
  m = ValidMember();
  m.set_occupation_category(static_cast<v1::OccupationCategory>(42));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.occupation_category");
  m = ValidMember();
  m.set_general_education(static_cast<v1::GeneralEducation>(9));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.general_education");
  m = ValidMember();
  m.set_political_theory_level(static_cast<v1::PoliticalTheoryLevel>(-1));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.political_theory_level");
}

TEST(ProfileFromMemberTest, PhoneHoldsOnlyPhoneCharacters) {
  v1::Member m = ValidMember();
  for (const char* good : {"0912345678", "+84 912 345 678", "(024) 3825-1234", "091.234.5678"}) {
    m.set_phone(good);
    EXPECT_TRUE(ProfileError(m).ok()) << good;
  }
  for (const std::string& bad : {std::string("0912 abc"), std::string("call me"), std::string("---"),
                                 std::string("0912#345"), std::string(51, '1')}) {
    m.set_phone(bad);
    EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.phone") << bad;
  }
}

TEST(ProfileFromMemberTest, EmailMustHaveAnAddressShape) {
  v1::Member m = ValidMember();
  for (const char* good : {"a@b.vn", "first.last+tag@sub.example.com.vn"}) {
    m.set_email(good);
    EXPECT_TRUE(ProfileError(m).ok()) << good;
  }
  for (const char* bad : {"no-at-sign", "two@@example.vn", "a@b@c.vn", "@example.vn", "a@example", "a@.vn",
                          "a@example.", "a b@example.vn", "a@exa..mple.vn", "Nguyễn@example.vn"}) {
    m.set_email(bad);
    EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.email") << bad;
  }
}

TEST(ProfileFromMemberTest, ExternalIdIsACode) {
  v1::Member m = ValidMember();
  m.set_external_id("row 12");
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.external_id");
  m.set_external_id(std::string(65, 'x'));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.external_id");
  m.set_external_id("");
  absl::StatusOr<Profile> profile = ProfileFromMember(m, "member", kToday);
  ASSERT_TRUE(profile.ok());
  EXPECT_FALSE(profile->external_id.has_value());
}

TEST(ProfileFromMemberTest, FreeTextFieldsAreBounded) {
  v1::Member m = ValidMember();
  m.set_permanent_address(std::string(501, 'x'));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.permanent_address");
  m = ValidMember();
  m.set_professional_qualification(std::string(256, 'x'));
  EXPECT_EQ(common::FieldOf(ProfileError(m)), "member.professional_qualification");
}

const CodeLists& Codes() {
  static const CodeLists* const kCodes = new CodeLists(*CodeLists::LoadDir(CodeLists::DefaultDir()));
  return *kCodes;
}

TEST(SensitiveFromMemberTest, ChecksTheCitizenIdAgainstTheProfile) {
  v1::Member m = ValidMember();
  absl::StatusOr<Profile> profile = ProfileFromMember(m, "member", kToday);
  ASSERT_TRUE(profile.ok());
  m.set_citizen_id(Cccd("068", '0', "85"));
  m.set_ethnicity("01");  // Kinh
  m.set_religion("");
  absl::StatusOr<SensitiveFields> sensitive = SensitiveFromMember(m, *profile, "member", Codes());
  ASSERT_TRUE(sensitive.ok()) << sensitive.status();
  EXPECT_EQ(sensitive->citizen_id, Cccd("068", '0', "85"));
  EXPECT_EQ(sensitive->ethnicity, "01");

  m.set_citizen_id(Cccd("068", '1', "85"));  // a woman's digit on a man's record
  EXPECT_EQ(common::FieldOf(SensitiveFromMember(m, *profile, "member", Codes()).status()), "member.citizen_id");

  m.set_citizen_id("");  // unknown is allowed
  ASSERT_TRUE(SensitiveFromMember(m, *profile, "member", Codes()).ok());
  EXPECT_EQ(SensitiveFromMember(m, *profile, "member", Codes())->citizen_id, "");

  m.set_ethnicity("Kinh");  // a name, not a code
  EXPECT_EQ(common::FieldOf(SensitiveFromMember(m, *profile, "member", Codes()).status()), "member.ethnicity");
  m.set_ethnicity("01");
  m.set_religion("77");
  EXPECT_EQ(common::FieldOf(SensitiveFromMember(m, *profile, "member", Codes()).status()), "member.religion");
}

TEST(ValidatePartyCardNumberTest, OpaqueButPrintable) {
  EXPECT_TRUE(ValidatePartyCardNumber("12345678", "number").ok());
  EXPECT_TRUE(ValidatePartyCardNumber("79.001234/2025-A_1", "number").ok());
  EXPECT_EQ(common::FieldOf(ValidatePartyCardNumber("", "number")), "number");
  EXPECT_EQ(common::FieldOf(ValidatePartyCardNumber("12 34", "number")), "number");
  EXPECT_EQ(common::FieldOf(ValidatePartyCardNumber(std::string(65, '1'), "number")), "number");
}

// ---- search tokens ----------------------------------------------------------------------------------

TEST(SearchTokensTest, FoldsCaseDiacriticsAndDStroke) {
  EXPECT_THAT(SearchTokens("Nguyễn Văn Đạt"), ElementsAre("nguyen", "van", "dat"));
  EXPECT_THAT(SearchTokens("ĐỖ THỊ ƯỚC"), ElementsAre("do", "thi", "uoc"));
  EXPECT_THAT(SearchTokens("nguyen van dat"), ElementsAre("nguyen", "van", "dat"));
}

TEST(SearchTokensTest, SplitsOnSpacesAndPunctuation) {
  EXPECT_THAT(SearchTokens("  Trần-Thị,Bích (Ngọc)\t'Hà'  "), ElementsAre("tran", "thi", "bich", "ngoc", "ha"));
  EXPECT_THAT(SearchTokens("a.b_c%d"), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(SearchTokens("Lớp 12A1"), ElementsAre("lop", "12a1"));
}

TEST(SearchTokensTest, DropsDuplicatesKeepingFirstOrder) {
  EXPECT_THAT(SearchTokens("An an AN Ân"), ElementsAre("an"));
  EXPECT_THAT(SearchTokens("Lê Lê Văn Lê"), ElementsAre("le", "van"));
}

TEST(SearchTokensTest, CutsLongTokens) {
  const std::vector<std::string> tokens = SearchTokens(std::string(100, 'x') + " y");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], std::string(kMaxTokenBytes, 'x'));
  EXPECT_EQ(tokens[1], "y");
}

TEST(SearchTokensTest, NothingToSearchForGivesNoTokens) {
  EXPECT_THAT(SearchTokens(""), IsEmpty());
  EXPECT_THAT(SearchTokens("  -- , () "), IsEmpty());
}

TEST(SearchTokensTest, TokensAreAsciiLowerCaseOnly) {
  for (const std::string& token : SearchTokens("Nguyễn Thị Ngọc Ánh Øster Ærø 東京 Ñandú")) {
    for (char c : token) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << token;
  }
}

TEST(NameTokensTest, CombinesFullAndBirthNames) {
  Profile p;
  p.full_name = "Nguyễn Thị Lan";
  p.birth_name = "Nguyễn Thị Lan Anh";
  EXPECT_THAT(NameTokens(p), ElementsAre("nguyen", "thi", "lan", "anh"));
  p.birth_name = "";
  EXPECT_THAT(NameTokens(p), ElementsAre("nguyen", "thi", "lan"));
}

TEST(SearchNameTest, FoldsAndBoundsTheSortKey) {
  EXPECT_EQ(SearchName("Đặng Thùy Trâm"), "dang thuy tram");
  const std::string long_name(300, 'a');
  EXPECT_EQ(SearchName(long_name).size(), kMaxNameChars);
}

// ---- ages -----------------------------------------------------------------------------------------------

TEST(AgeOnTest, CountsWholeYears) {
  EXPECT_EQ(AgeOn(absl::CivilDay(2000, 6, 15), absl::CivilDay(2025, 6, 14)), 24);
  EXPECT_EQ(AgeOn(absl::CivilDay(2000, 6, 15), absl::CivilDay(2025, 6, 15)), 25);
  EXPECT_EQ(AgeOn(absl::CivilDay(2004, 2, 29), absl::CivilDay(2025, 2, 28)), 20);
  EXPECT_EQ(AgeOn(absl::CivilDay(2004, 2, 29), absl::CivilDay(2025, 3, 1)), 21);
}

TEST(BirthDatesForAgesTest, BoundsAgreeWithAgeOnEveryBirthDate) {
  for (const absl::CivilDay day : {absl::CivilDay(2025, 6, 15), absl::CivilDay(2024, 2, 29),
                                   absl::CivilDay(2025, 2, 28), absl::CivilDay(2025, 3, 1),
                                   absl::CivilDay(2025, 1, 1), absl::CivilDay(2024, 12, 31)}) {
    for (const auto& [min_age, max_age] : {std::pair{18, 60}, std::pair{0, 30}, std::pair{30, 0}, std::pair{21, 21}}) {
      const BirthDateRange range = BirthDatesForAges(day, min_age, max_age);
      EXPECT_EQ(range.born_on_or_before.has_value(), min_age > 0);
      EXPECT_EQ(range.born_on_or_after.has_value(), max_age > 0);
      for (absl::CivilDay born = day - 366 * 62; born <= day; ++born) {
        const int age = AgeOn(born, day);
        const bool in_band = (min_age == 0 || age >= min_age) && (max_age == 0 || age <= max_age);
        const bool in_range = (!range.born_on_or_before || born <= *range.born_on_or_before) &&
                              (!range.born_on_or_after || born >= *range.born_on_or_after);
        ASSERT_EQ(in_band, in_range) << "day " << day << " born " << born << " ages " << min_age << ".." << max_age;
      }
    }
  }
}

TEST(BirthDatesForAgesTest, SpotValues) {
  const BirthDateRange range = BirthDatesForAges(absl::CivilDay(2025, 6, 15), 18, 60);
  EXPECT_EQ(range.born_on_or_before, absl::CivilDay(2007, 6, 15));
  EXPECT_EQ(range.born_on_or_after, absl::CivilDay(1964, 6, 16));
}

}  // namespace
}  // namespace grassroots::membership::domain
