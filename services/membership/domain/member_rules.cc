#include "services/membership/domain/member_rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

std::string Field(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return absl::StrCat(common::ToAbsl(prefix), ".", common::ToAbsl(name));
}

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

absl::StatusOr<std::string> Text(const std::string& value, std::string_view prefix, std::string_view name,
                                 bool required, size_t max_chars) {
  return common::api::NormalizeText(value, Field(prefix, name), required, max_chars);
}

// An enum field of the Member message: `is_valid` from the generated code;
// UNSPECIFIED (0) refused only when the field is required.
template <typename Enum>
absl::StatusOr<Enum> EnumField(int value, bool (*is_valid)(int), std::string_view prefix, std::string_view name,
                               bool required) {
  if (!is_valid(value)) return common::InvalidField(Field(prefix, name), "is not a known value");
  if (required && value == 0) return common::InvalidField(Field(prefix, name), "is required");
  return static_cast<Enum>(value);
}

absl::Status ValidatePhone(std::string_view phone, const std::string& field) {
  if (phone.empty()) return absl::OkStatus();
  const bool charset_ok = std::all_of(phone.begin(), phone.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')' || c == '.';
  });
  if (!charset_ok) return common::InvalidField(field, "may hold only digits, spaces and + - ( ) .");
  if (std::none_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return common::InvalidField(field, "must contain digits");
  }
  return absl::OkStatus();
}

// local@domain.tld in printable ASCII without spaces: enough to catch a phone
// number or a name typed into the wrong column, without pretending to be RFC 5322.
absl::Status ValidateEmail(std::string_view email, const std::string& field) {
  if (email.empty()) return absl::OkStatus();
  const absl::Status bad = common::InvalidField(field, "must look like name@domain.example");
  if (!std::all_of(email.begin(), email.end(), [](char c) { return c > ' ' && c < 0x7f; })) return bad;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return bad;
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64) return bad;
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) return bad;
  if (domain.front() == '.' || domain.find("..") != std::string_view::npos) return bad;
  return absl::OkStatus();
}

// y-years earlier, 29 February becoming 28 February in a common year.
absl::CivilDay YearsBefore(absl::CivilDay day, int years) {
  const absl::CivilYear year(day.year() - years);
  const absl::CivilDay candidate(year.year(), day.month(), day.day());
  if (candidate.month() != day.month()) return absl::CivilDay(year.year(), 2, 28);
  return candidate;
}

}  // namespace

// ---- citizen ID ---------------------------------------------------------------------

// Codes of the provinces and centrally run cities where a birth is registered,
// the first three digits of the personal identification number. Source: Thông
// tư 59/2021/TT-BCA (15/5/2021), Phụ lục I (the same table as Thông tư
// 07/2016/TT-BCA, Phụ lục I), which details Nghị định 137/2015/NĐ-CP Art. 13.
// These are the 63 pre-2025 provinces: the number records where the birth was
// registered then, so the codes are not remapped after the 2025 mergers.
const std::vector<BirthRegistrationProvince>& BirthRegistrationProvinces() {
  static const std::vector<BirthRegistrationProvince> kProvinces = {
      {"001", "Hà Nội"},          {"002", "Hà Giang"},        {"004", "Cao Bằng"},
      {"006", "Bắc Kạn"},         {"008", "Tuyên Quang"},     {"010", "Lào Cai"},
      {"011", "Điện Biên"},       {"012", "Lai Châu"},        {"014", "Sơn La"},
      {"015", "Yên Bái"},         {"017", "Hòa Bình"},        {"019", "Thái Nguyên"},
      {"020", "Lạng Sơn"},        {"022", "Quảng Ninh"},      {"024", "Bắc Giang"},
      {"025", "Phú Thọ"},         {"026", "Vĩnh Phúc"},       {"027", "Bắc Ninh"},
      {"030", "Hải Dương"},       {"031", "Hải Phòng"},       {"033", "Hưng Yên"},
      {"034", "Thái Bình"},       {"035", "Hà Nam"},          {"036", "Nam Định"},
      {"037", "Ninh Bình"},       {"038", "Thanh Hóa"},       {"040", "Nghệ An"},
      {"042", "Hà Tĩnh"},         {"044", "Quảng Bình"},      {"045", "Quảng Trị"},
      {"046", "Thừa Thiên Huế"},  {"048", "Đà Nẵng"},         {"049", "Quảng Nam"},
      {"051", "Quảng Ngãi"},      {"052", "Bình Định"},       {"054", "Phú Yên"},
      {"056", "Khánh Hòa"},       {"058", "Ninh Thuận"},      {"060", "Bình Thuận"},
      {"062", "Kon Tum"},         {"064", "Gia Lai"},         {"066", "Đắk Lắk"},
      {"067", "Đắk Nông"},        {"068", "Lâm Đồng"},        {"070", "Bình Phước"},
      {"072", "Tây Ninh"},        {"074", "Bình Dương"},      {"075", "Đồng Nai"},
      {"077", "Bà Rịa - Vũng Tàu"}, {"079", "Hồ Chí Minh"},   {"080", "Long An"},
      {"082", "Tiền Giang"},      {"083", "Bến Tre"},         {"084", "Trà Vinh"},
      {"086", "Vĩnh Long"},       {"087", "Đồng Tháp"},       {"089", "An Giang"},
      {"091", "Kiên Giang"},      {"092", "Cần Thơ"},         {"093", "Hậu Giang"},
      {"094", "Sóc Trăng"},       {"095", "Bạc Liêu"},        {"096", "Cà Mau"},
  };
  return kProvinces;
}

std::optional<std::string_view> BirthRegistrationProvinceName(std::string_view code) {
  const auto& provinces = BirthRegistrationProvinces();
  auto it = std::lower_bound(provinces.begin(), provinces.end(), code,
                             [](const BirthRegistrationProvince& p, std::string_view c) { return p.code < c; });
  if (it == provinces.end() || it->code != code) return std::nullopt;
  return it->name;
}

// NĐ 137/2015/NĐ-CP Art. 13 (TT 59/2021/TT-BCA Art. 4): the 4th digit encodes
// the century of birth and the sex, men even and women odd, starting at 0 for
// the 20th century and adding 2 per century.
std::optional<char> CenturySexDigit(v1::Sex sex, int birth_year) {
  if (sex != v1::SEX_MALE && sex != v1::SEX_FEMALE) return std::nullopt;
  if (birth_year < 1900 || birth_year > 2399) return std::nullopt;
  const int century_index = (birth_year - 1900) / 100;
  return static_cast<char>('0' + century_index * 2 + (sex == v1::SEX_FEMALE ? 1 : 0));
}

absl::Status ValidateCitizenIdShape(std::string_view citizen_id, std::string_view field) {
  if (citizen_id.size() != 12 || !AllDigits(citizen_id)) {
    return common::InvalidField(field, "must be exactly 12 digits");
  }
  return absl::OkStatus();
}

absl::Status ValidateCitizenId(std::string_view citizen_id, v1::Sex sex, absl::CivilDay birth_date,
                               std::string_view field) {
  if (absl::Status shape = ValidateCitizenIdShape(citizen_id, field); !shape.ok()) return shape;
  if (!BirthRegistrationProvinceName(citizen_id.substr(0, 3))) {
    return common::InvalidField(field,
                                "digits 1-3 must be the code of a province of birth registration "
                                "(TT 59/2021/TT-BCA, Phụ lục I)");
  }
  const std::optional<char> expected = CenturySexDigit(sex, static_cast<int>(birth_date.year()));
  if (!expected || citizen_id[3] != *expected) {
    return common::InvalidField(field,
                                "digit 4 must agree with sex and birth century (born 1900-1999: 0 male, 1 female; "
                                "2000-2099: 2 male, 3 female; and so on)");
  }
  const int year_digits = static_cast<int>(birth_date.year() % 100);
  if ((citizen_id[4] - '0') * 10 + (citizen_id[5] - '0') != year_digits) {
    return common::InvalidField(field, "digits 5-6 must be the last two digits of the birth year");
  }
  return absl::OkStatus();
}

// ---- profile ------------------------------------------------------------------------------

absl::Status ValidatePartyCardNumber(std::string_view number, std::string_view field) {
  const bool ok = !number.empty() && number.size() <= 64 && std::all_of(number.begin(), number.end(), [](char c) {
    return IsAsciiAlnum(c) || c == '.' || c == '/' || c == '_' || c == '-';
  });
  if (!ok) return common::InvalidField(field, "must be 1..64 characters of A-Z a-z 0-9 . / _ -");
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ParsePersonalDate(std::string_view text, std::string_view field) {
  absl::StatusOr<absl::CivilDay> day = common::api::ParseDate(text, field);
  if (!day.ok()) return common::InvalidField(field, "must be a calendar date YYYY-MM-DD");
  return day;
}

absl::StatusOr<Profile> ProfileFromMember(const v1::Member& in, std::string_view prefix, absl::CivilDay today) {
  Profile out;
  GR_ASSIGN_OR_RETURN(out.full_name, Text(in.full_name(), prefix, "full_name", true, kMaxNameChars));
  GR_ASSIGN_OR_RETURN(out.birth_name, Text(in.birth_name(), prefix, "birth_name", false, kMaxNameChars));
  GR_ASSIGN_OR_RETURN(out.sex, EnumField<v1::Sex>(in.sex(), v1::Sex_IsValid, prefix, "sex", true));

  const std::string birth_field = Field(prefix, "birth_date");
  if (in.birth_date().empty()) return common::InvalidField(birth_field, "is required");
  GR_ASSIGN_OR_RETURN(out.birth_date, ParsePersonalDate(in.birth_date(), birth_field));
  if (out.birth_date > today) return common::InvalidField(birth_field, "must not be in the future");
  if (out.birth_date < kEarliestBirthDate) {
    return common::InvalidField(birth_field, "must not be before 1900-01-01");
  }

  GR_ASSIGN_OR_RETURN(out.birth_place, Text(in.birth_place(), prefix, "birth_place", false, kMaxPlaceChars));
  GR_ASSIGN_OR_RETURN(out.home_town, Text(in.home_town(), prefix, "home_town", false, kMaxPlaceChars));
  GR_ASSIGN_OR_RETURN(out.occupation_category,
                      EnumField<v1::OccupationCategory>(in.occupation_category(), v1::OccupationCategory_IsValid,
                                                        prefix, "occupation_category", true));
  GR_ASSIGN_OR_RETURN(out.occupation, Text(in.occupation(), prefix, "occupation", false, kMaxPlaceChars));
  GR_ASSIGN_OR_RETURN(out.general_education,
                      EnumField<v1::GeneralEducation>(in.general_education(), v1::GeneralEducation_IsValid, prefix,
                                                      "general_education", false));
  GR_ASSIGN_OR_RETURN(out.professional_qualification, Text(in.professional_qualification(), prefix,
                                                           "professional_qualification", false,
                                                           kMaxQualificationChars));
  GR_ASSIGN_OR_RETURN(out.professional_qualification_level,
                      EnumField<v1::ProfessionalQualificationLevel>(in.professional_qualification_level(),
                                                                    v1::ProfessionalQualificationLevel_IsValid, prefix,
                                                                    "professional_qualification_level", false));
  GR_ASSIGN_OR_RETURN(out.political_theory_level,
                      EnumField<v1::PoliticalTheoryLevel>(in.political_theory_level(),
                                                          v1::PoliticalTheoryLevel_IsValid, prefix,
                                                          "political_theory_level", false));
  GR_ASSIGN_OR_RETURN(out.permanent_address,
                      Text(in.permanent_address(), prefix, "permanent_address", false, kMaxPlaceChars));
  GR_ASSIGN_OR_RETURN(out.current_address,
                      Text(in.current_address(), prefix, "current_address", false, kMaxPlaceChars));
  GR_ASSIGN_OR_RETURN(out.phone, Text(in.phone(), prefix, "phone", false, kMaxPhoneChars));
  GR_RETURN_IF_ERROR(ValidatePhone(out.phone, Field(prefix, "phone")));
  GR_ASSIGN_OR_RETURN(out.email, Text(in.email(), prefix, "email", false, kMaxEmailChars));
  GR_RETURN_IF_ERROR(ValidateEmail(out.email, Field(prefix, "email")));
  if (!in.external_id().empty()) {
    GR_RETURN_IF_ERROR(common::api::ValidateCode(in.external_id(), Field(prefix, "external_id")));
    out.external_id = in.external_id();
  }
  return out;
}

absl::StatusOr<std::string> CodeField(std::string_view code, const CodeList& list, std::string_view prefix,
                                      std::string_view name) {
  if (code.empty()) return std::string();
  // The message names the list, never the value (personal data).
  if (!list.Contains(code)) {
    return common::InvalidField(Field(prefix, name), absl::StrCat("must be a code of the ", list.list(),
                                                                  " list (data/codes/", list.list(), ".json)"));
  }
  return std::string(code);
}

absl::StatusOr<SensitiveFields> SensitiveFromMember(const v1::Member& in, const Profile& profile,
                                                    std::string_view prefix, const CodeLists& codes) {
  SensitiveFields out;
  GR_ASSIGN_OR_RETURN(out.ethnicity, CodeField(in.ethnicity(), codes.ethnicity, prefix, "ethnicity"));
  GR_ASSIGN_OR_RETURN(out.religion, CodeField(in.religion(), codes.religion, prefix, "religion"));
  if (!in.citizen_id().empty()) {
    GR_RETURN_IF_ERROR(ValidateCitizenId(in.citizen_id(), profile.sex, profile.birth_date, Field(prefix, "citizen_id")));
    out.citizen_id = in.citizen_id();
  }
  return out;
}

// ---- search ---------------------------------------------------------------------------------

std::string SearchName(std::string_view full_name) {
  std::string folded = common::api::FoldForSearch(full_name);
  // Cut at a code-point boundary: a UTF-8 continuation byte is 10xxxxxx.
  size_t code_points = 0;
  for (size_t i = 0; i < folded.size(); ++i) {
    if ((static_cast<unsigned char>(folded[i]) & 0xC0) != 0x80 && ++code_points > kMaxNameChars) {
      folded.resize(i);
      break;
    }
  }
  return folded;
}

std::vector<std::string> SearchTokens(std::string_view text) {
  const std::string folded = common::api::FoldForSearch(text);
  std::vector<std::string> tokens;
  std::set<std::string> seen;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    if (current.size() > kMaxTokenBytes) current.resize(kMaxTokenBytes);
    if (seen.insert(current).second) tokens.push_back(current);
    current.clear();
  };
  for (char c : folded) {
    // FoldForSearch lower-cases, but a byte that fell back unfolded (invalid
    // UTF-8) may still be upper case.
    if (IsAsciiAlnum(c)) {
      current.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

std::vector<std::string> NameTokens(const Profile& profile) {
  std::vector<std::string> tokens = SearchTokens(profile.full_name);
  for (std::string& token : SearchTokens(profile.birth_name)) {
    if (std::find(tokens.begin(), tokens.end(), token) == tokens.end()) tokens.push_back(std::move(token));
  }
  return tokens;
}

int AgeOn(absl::CivilDay birth_date, absl::CivilDay day) {
  int years = static_cast<int>(day.year() - birth_date.year());
  if (std::make_pair(day.month(), day.day()) < std::make_pair(birth_date.month(), birth_date.day())) --years;
  return years;
}

BirthDateRange BirthDatesForAges(absl::CivilDay day, int min_age, int max_age) {
  BirthDateRange range;
  // Age >= n exactly when born on or before the same calendar day n years earlier.
  if (min_age > 0) range.born_on_or_before = YearsBefore(day, min_age);
  if (max_age > 0) range.born_on_or_after = YearsBefore(day, max_age + 1) + 1;
  return range;
}

}  // namespace grassroots::membership::domain
