#pragma once
// Rules of a member record that need no I/O: the citizen ID (CCCD) structure
// and its agreement with the record, the profile fields, and the folded name
// tokens that search matches. Error messages name the field and the rule,
// never the value (these are personal data).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/code_lists.h"
#include "services/membership/domain/member.h"

namespace grassroots::membership::domain {

// ---- citizen ID (số định danh cá nhân / CCCD) ---------------------------------

// A province (or centrally run city) of birth registration and its 3-digit code.
struct BirthRegistrationProvince {
  std::string_view code;  // "001"
  std::string_view name;  // "Hà Nội"
};
// The 63 codes, in code order.
const std::vector<BirthRegistrationProvince>& BirthRegistrationProvinces();
// The province a code names, nullopt when the code is not in the table.
std::optional<std::string_view> BirthRegistrationProvinceName(std::string_view code);

// The century/sex digit (4th) for a person of `sex` born in `birth_year`:
// 1900s male 0 / female 1, 2000s 2 / 3, 2100s 4 / 5, 2200s 6 / 7, 2300s 8 / 9.
// nullopt for an unspecified sex or a year outside 1900..2399.
std::optional<char> CenturySexDigit(v1::Sex sex, int birth_year);

// Checks a 12-digit citizen ID against the record's sex and birth date:
// digits 1-3 a birth-registration province code, digit 4 the century/sex
// digit, digits 5-6 the last two digits of the birth year. Each failure is a
// distinct INVALID_ARGUMENT naming `field`.
absl::Status ValidateCitizenId(std::string_view citizen_id, v1::Sex sex, absl::CivilDay birth_date,
                               std::string_view field);
// Only the shape (12 ASCII digits), for lookups where no record is known yet.
absl::Status ValidateCitizenIdShape(std::string_view citizen_id, std::string_view field);

// ---- profile -------------------------------------------------------------------

// Field length limits (code points), as the schema stores them.
inline constexpr size_t kMaxNameChars = 255;
inline constexpr size_t kMaxPlaceChars = 500;
inline constexpr size_t kMaxQualificationChars = 255;
inline constexpr size_t kMaxPhoneChars = 50;
inline constexpr size_t kMaxEmailChars = 255;
// Ethnicity and religion are stored as bytes (VARBINARY(512), room for
// encryption overhead): 100 code points of UTF-8 always fit.
inline constexpr size_t kMaxSensitiveTextChars = 100;
// Birth dates before this are taken for typing errors.
inline constexpr absl::CivilDay kEarliestBirthDate{1900, 1, 1};

// Reads and validates the personal attributes of a Member message: text
// NFC-normalized and trimmed, required fields present, dates real and
// plausible (birth_date not after `today`, not before 1900), enums known,
// phone and email shaped, external_id a code. Fields are named
// "<prefix>.<field>" (prefix "member").
absl::StatusOr<Profile> ProfileFromMember(const v1::Member& member, std::string_view prefix, absl::CivilDay today);
// The sensitive attributes of a Member message, the citizen ID checked against
// the (already validated) profile's sex and birth date, ethnicity and religion
// codes of `codes` (INVALID_ARGUMENT naming the field otherwise). Empty means unknown.
absl::StatusOr<SensitiveFields> SensitiveFromMember(const v1::Member& member, const Profile& profile,
                                                    std::string_view prefix, const CodeLists& codes);
// A code of `list`, or "" for empty `code`; INVALID_ARGUMENT naming "<prefix>.<name>".
absl::StatusOr<std::string> CodeField(std::string_view code, const CodeList& list, std::string_view prefix,
                                      std::string_view name);

// A party card number: opaque, 1..64 characters of A-Z a-z 0-9 . / _ -.
absl::Status ValidatePartyCardNumber(std::string_view number, std::string_view field);

// A date field that is personal data: INVALID_ARGUMENT naming the field
// without quoting the text (common::api::ParseDate quotes it).
absl::StatusOr<absl::CivilDay> ParsePersonalDate(std::string_view text, std::string_view field);

// ---- search ----------------------------------------------------------------------

// Longest stored token, in bytes (tokens are ASCII after folding).
inline constexpr size_t kMaxTokenBytes = 64;
// The sort key stored as members.search_name: the folded full name, cut to
// kMaxNameChars code points.
std::string SearchName(std::string_view full_name);
// The words of `text` for search: folded (common::api::FoldForSearch: lower
// case, no diacritics, đ -> d), split on anything that is not an ASCII letter
// or digit, each cut to kMaxTokenBytes, duplicates dropped, first-seen order.
std::vector<std::string> SearchTokens(std::string_view text);
// The tokens stored for a person: those of the full name and the birth name.
std::vector<std::string> NameTokens(const Profile& profile);

// Birth-date bounds equivalent to "age in whole years on `day` between
// min_age and max_age inclusive" (0 = unbounded on that side), consistent
// with AgeOn.
struct BirthDateRange {
  std::optional<absl::CivilDay> born_on_or_after;
  std::optional<absl::CivilDay> born_on_or_before;
};
BirthDateRange BirthDatesForAges(absl::CivilDay day, int min_age, int max_age);
// Whole years of age on `day` (birthday on 29 February: a year older on 1 March in common years).
int AgeOn(absl::CivilDay birth_date, absl::CivilDay day);

}  // namespace grassroots::membership::domain
