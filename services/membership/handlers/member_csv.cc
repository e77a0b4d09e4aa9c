#include "services/membership/handlers/member_csv.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include <google/protobuf/descriptor.h>
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::member_csv {
namespace {

using common::ToAbsl;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kDocHint = "see docs/member-import.md";

// ---- column table ----------------------------------------------------------------

std::vector<ColumnSpec> MakeColumns() {
  // Aliases are written folded (lower case, no diacritics, words separated by
  // one space): HeaderKey() of the header cell is compared with them.
  return {
      {Column::kExternalId, "external_id", false, false,
       {"ma", "ma so", "ma ho so", "ma dang vien", "id"}},
      {Column::kFullName, "full_name", true, true,
       {"ho va ten", "ho ten", "ho va ten dang vien", "ho ten dang vien", "name"}},
      {Column::kBirthName, "birth_name", false, true, {"ten khai sinh", "ho ten khai sinh", "ho va ten khai sinh"}},
      {Column::kSex, "sex", true, false, {"gioi tinh", "gender"}},
      {Column::kBirthDate, "birth_date", true, true, {"ngay sinh", "ngay thang nam sinh", "date of birth", "dob"}},
      {Column::kBirthPlace, "birth_place", false, true, {"noi sinh"}},
      {Column::kHomeTown, "home_town", false, true, {"que quan", "nguyen quan"}},
      {Column::kEthnicity, "ethnicity", false, true, {"dan toc"}},
      {Column::kReligion, "religion", false, true, {"ton giao"}},
      {Column::kCitizenId, "citizen_id", false, true,
       {"cccd", "so cccd", "can cuoc cong dan", "so can cuoc cong dan", "so can cuoc", "so dinh danh",
        "so dinh danh ca nhan"}},
      {Column::kPartyCardNumber, "party_card_number", false, true,
       {"so the dang", "so the dang vien", "the dang vien"}},
      {Column::kOccupationCategory, "occupation_category", true, false,
       {"nhom nghe nghiep", "loai nghe nghiep", "thanh phan nghe nghiep"}},
      {Column::kOccupation, "occupation", false, true,
       {"nghe nghiep", "chuc vu", "nghe nghiep chuc vu", "chuc vu don vi cong tac", "cong viec"}},
      {Column::kGeneralEducation, "general_education", false, false,
       {"giao duc pho thong", "trinh do giao duc pho thong", "trinh do van hoa", "van hoa"}},
      {Column::kProfessionalQualification, "professional_qualification", false, false,
       {"chuyen mon", "trinh do chuyen mon", "chuyen mon nghiep vu", "trinh do chuyen mon nghiep vu"}},
      {Column::kPoliticalTheoryLevel, "political_theory_level", false, false,
       {"ly luan chinh tri", "trinh do ly luan chinh tri", "llct"}},
      {Column::kPermanentAddress, "permanent_address", false, true,
       {"thuong tru", "noi thuong tru", "dia chi thuong tru", "noi dang ky thuong tru"}},
      {Column::kCurrentAddress, "current_address", false, true,
       {"noi o hien nay", "cho o hien nay", "dia chi hien nay", "noi o hien tai"}},
      {Column::kPhone, "phone", false, true, {"dien thoai", "so dien thoai", "sdt"}},
      {Column::kEmail, "email", false, true, {"thu dien tu", "e mail"}},
      {Column::kCell, "cell", true, false, {"chi bo", "ma chi bo", "chi bo sinh hoat"}},
      {Column::kStatus, "status", true, false, {"trang thai", "tinh trang", "loai dang vien"}},
      {Column::kAdmissionDecisionDate, "admission_decision_date", true, false,
       {"ngay quyet dinh ket nap", "ngay ky quyet dinh ket nap", "ngay qd ket nap"}},
      {Column::kAdmissionCeremonyDate, "admission_ceremony_date", true, false, {"ngay vao dang", "ngay le ket nap"}},
      {Column::kOfficialDate, "official_date", false, false,
       {"ngay chinh thuc", "ngay cong nhan chinh thuc", "ngay chuyen chinh thuc"}},
      {Column::kJoinedCellOn, "joined_cell_on", true, false,
       {"ngay sinh hoat tai chi bo", "ngay sinh hoat chi bo", "ngay vao chi bo", "ngay chuyen den"}},
      {Column::kProfessionalQualificationLevel, "professional_qualification_level", false, false,
       {"bac chuyen mon", "cap trinh do chuyen mon", "trinh do chuyen mon cao nhat"}},
      {Column::kTransferredFrom, "transferred_from", false, false,
       {"chuyen den tu", "don vi chuyen den", "noi chuyen den"}},
  };
}

const ColumnSpec& Spec(Column column) { return Columns()[static_cast<size_t>(column)]; }

// Lower case, diacritics off (đ -> d), every run of other characters one space.
std::string FoldedWords(std::string_view text) {
  std::string folded = common::api::FoldForSearch(text);
  std::string out;
  bool pending_space = false;
  for (char c : folded) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back(static_cast<char>(std::tolower(u)));
    } else {
      pending_space = true;
    }
  }
  return out;
}

// ---- values ------------------------------------------------------------------------

// Spreadsheet cells may hold line breaks and tabs (Alt+Enter in an address):
// stored text is one line, words separated by single spaces.
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool LooksLikeScientificNumber(std::string_view text) {
  return (absl::StrContains(ToAbsl(text), "E+") || absl::StrContains(ToAbsl(text), "e+")) &&
         std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<absl::CivilDay> ValidDay(int year, int month, int day) {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  absl::CivilDay civil(year, month, day);
  if (civil.year() != year || civil.month() != month || civil.day() != day) return std::nullopt;
  return civil;
}

// Splits "12/03/1985" into its numeric parts with one kind of separator.
std::optional<std::vector<int>> DateParts(std::string_view text, char separator) {
  std::vector<int> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    int value = 0;
    if (!AllDigits(part) || part.size() > 4 || !absl::SimpleAtoi(ToAbsl(part), &value)) return std::nullopt;
    parts.push_back(value);
    if (end == text.size()) break;
    start = end + 1;
  }
  if (parts.size() != 3) return std::nullopt;
  return parts;
}

struct FieldError {
  Column column;
  std::string description;
};

absl::Status ColumnError(Column column, std::string_view description) {
  return common::InvalidField(ColumnName(column), description);
}

}  // namespace

// ---- columns -------------------------------------------------------------------------

const std::vector<ColumnSpec>& Columns() {
  static const std::vector<ColumnSpec>* columns = new std::vector<ColumnSpec>(MakeColumns());
  return *columns;
}

std::string_view ColumnName(Column column) { return Spec(column).name; }

std::optional<Column> ColumnByName(std::string_view canonical_name) {
  for (const ColumnSpec& spec : Columns()) {
    if (spec.name == canonical_name) return spec.column;
  }
  return std::nullopt;
}

// ---- splitting -------------------------------------------------------------------------

CsvSplitter::CsvSplitter(CsvLimits limits) : limits_(limits) {}

void CsvSplitter::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  field_.clear();  // a broken record's content is never used; stop holding it
}

void CsvSplitter::Append(char c) {
  if (!error_.empty()) return;
  if (++record_bytes_ > limits_.max_record_bytes) {
    Fail(absl::StrCat("the record is longer than ", limits_.max_record_bytes / 1024,
                      " KiB (is a quote left open?)"));
    return;
  }
  field_.push_back(c);
}

void CsvSplitter::EndField() {
  if (error_.empty()) {
    if (fields_.size() >= limits_.max_fields) {
      Fail(absl::StrCat("the record has more than ", limits_.max_fields, " fields"));
    } else {
      fields_.push_back(std::move(field_));
    }
  }
  field_.clear();
  state_ = State::kFieldStart;
}

absl::Status CsvSplitter::EndRecord(const Sink& sink) {
  EndField();
  CsvRecord record;
  record.line = record_line_;
  record.error = std::move(error_);
  if (record.error.empty()) record.fields = std::move(fields_);
  fields_.clear();
  error_.clear();
  field_.clear();
  record_bytes_ = 0;
  record_started_ = false;
  state_ = State::kFieldStart;
  record_line_ = line_;
  return sink(std::move(record));
}

absl::Status CsvSplitter::Feed(std::string_view data, const Sink& sink) {
  if (!bom_checked_) {
    // The BOM may arrive split over chunks: hold the first bytes until decided.
    const size_t take = std::min(data.size(), kUtf8Bom.size() - bom_prefix_.size());
    bom_prefix_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (bom_prefix_.size() < kUtf8Bom.size() && kUtf8Bom.substr(0, bom_prefix_.size()) == bom_prefix_) {
      return absl::OkStatus();  // still undecided
    }
    bom_checked_ = true;
    std::string held = std::move(bom_prefix_);
    bom_prefix_.clear();
    if (held != kUtf8Bom) GR_RETURN_IF_ERROR(Feed(held, sink));
  }
  for (char c : data) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF already counted
    }
    record_started_ = true;
    switch (state_) {
      case State::kFieldStart:
      case State::kUnquoted:
        if (c == ',') {
          EndField();
        } else if (c == '\n' || c == '\r') {
          ++line_;
          pending_cr_ = c == '\r';
          GR_RETURN_IF_ERROR(EndRecord(sink));
        } else if (c == '"') {
          if (state_ == State::kFieldStart) {
            state_ = State::kQuoted;
          } else {
            Fail("a quote inside an unquoted field (quote the whole field and double the quote)");
          }
        } else {
          state_ = State::kUnquoted;
          Append(c);
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
          break;
        }
        if (c == '\n') {
          if (!cr_in_quotes_) ++line_;
          cr_in_quotes_ = false;
        } else if (c == '\r') {
          ++line_;
          cr_in_quotes_ = true;
        } else {
          cr_in_quotes_ = false;
        }
        Append(c);
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          state_ = State::kQuoted;
          Append('"');
        } else if (c == ',') {
          EndField();
        } else if (c == '\n' || c == '\r') {
          ++line_;
          pending_cr_ = c == '\r';
          GR_RETURN_IF_ERROR(EndRecord(sink));
        } else {
          Fail("characters after the closing quote of a field");
          state_ = State::kUnquoted;
        }
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status CsvSplitter::Finish(const Sink& sink) {
  if (!bom_checked_) {
    bom_checked_ = true;
    std::string held = std::move(bom_prefix_);
    bom_prefix_.clear();
    if (held != kUtf8Bom) GR_RETURN_IF_ERROR(Feed(held, sink));
  }
  if (!record_started_) return absl::OkStatus();
  if (state_ == State::kQuoted) Fail("a quoted field is not closed before the end of the file");
  return EndRecord(sink);
}

// ---- header ----------------------------------------------------------------------------

std::string ColumnLetter(size_t position) {
  std::string letters;
  size_t n = position + 1;
  while (n > 0) {
    const size_t rem = (n - 1) % 26;
    letters.insert(letters.begin(), static_cast<char>('A' + rem));
    n = (n - 1) / 26;
  }
  return letters;
}

std::string HeaderKey(std::string_view text) {
  // Drop hints in brackets: "Ngày sinh (dd/mm/yyyy)", "Họ và tên [*]".
  std::string without_hints;
  int depth = 0;
  for (char c : text) {
    if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      without_hints.push_back(c);
    }
  }
  return FoldedWords(without_hints);
}

absl::StatusOr<Header> ParseHeader(const std::vector<std::string>& fields) {
  static const std::map<std::string, Column>* by_key = [] {
    auto* map = new std::map<std::string, Column>();
    for (const ColumnSpec& spec : Columns()) {
      (*map)[FoldedWords(spec.name)] = spec.column;
      for (std::string_view alias : spec.aliases) (*map)[std::string(alias)] = spec.column;
    }
    return map;
  }();
  Header header;
  header.position.fill(-1);
  header.by_position.resize(fields.size());
  std::vector<std::string> unknown;
  std::vector<std::string> duplicates;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string key = HeaderKey(fields[i]);
    if (key.empty()) continue;  // an unnamed column: its cells must stay empty
    auto found = by_key->find(key);
    if (found == by_key->end()) {
      unknown.push_back(absl::StrCat(i + 1, " (", ColumnLetter(i), ")"));
      continue;
    }
    const size_t index = static_cast<size_t>(found->second);
    if (header.position[index] >= 0) {
      duplicates.push_back(absl::StrCat("columns ", ColumnLetter(static_cast<size_t>(header.position[index])), " and ",
                                        ColumnLetter(i), " are both ", ToAbsl(ColumnName(found->second))));
      continue;
    }
    header.position[index] = static_cast<int>(i);
    header.by_position[i] = found->second;
  }
  const bool recognized_any =
      std::any_of(header.position.begin(), header.position.end(), [](int position) { return position >= 0; });
  if (!recognized_any) {
    return common::InvalidField("header", absl::StrCat("no known column in the first line: the file must start with a "
                                                       "header row naming its columns (", ToAbsl(kDocHint), ")"));
  }
  if (!unknown.empty()) {
    std::vector<std::string> names;
    for (const ColumnSpec& spec : Columns()) names.emplace_back(spec.name);
    return common::InvalidField(
        "header", absl::StrCat(unknown.size() == 1 ? "column " : "columns ", absl::StrJoin(unknown, ", "),
                               unknown.size() == 1 ? " has a header" : " have headers",
                               " the import does not know; known columns: ", absl::StrJoin(names, ", "),
                               " (docs/member-import.md lists the Vietnamese names too)"));
  }
  if (!duplicates.empty()) return common::InvalidField("header", absl::StrJoin(duplicates, "; "));
  std::vector<std::string> missing;
  for (const ColumnSpec& spec : Columns()) {
    if (spec.required && !header.Has(spec.column)) missing.emplace_back(spec.name);
  }
  if (!missing.empty()) {
    return common::InvalidField("header", absl::StrCat("missing required column", missing.size() == 1 ? "" : "s", ": ",
                                                       absl::StrJoin(missing, ", "), " (", ToAbsl(kDocHint), ")"));
  }
  if (!header.Has(Column::kExternalId) && !header.Has(Column::kCitizenId)) {
    return common::InvalidField("header", "needs an external_id or a citizen_id column: one of them identifies each "
                                          "row so that re-running the file creates no duplicates");
  }
  return header;
}

// ---- value parsers ---------------------------------------------------------------------

std::optional<std::string> ParseDateText(std::string_view text) {
  text = Trim(text);
  std::optional<absl::CivilDay> day;
  if (text.size() >= 8 && text.size() <= 10 && text[4] == '-' && AllDigits(text.substr(0, 4))) {
    if (auto parts = DateParts(text, '-')) day = ValidDay((*parts)[0], (*parts)[1], (*parts)[2]);
  } else {
    for (char separator : {'/', '.', '-'}) {
      if (text.find(separator) == std::string_view::npos) continue;
      auto parts = DateParts(text, separator);
      // Day first, four-digit year last (the Vietnamese order).
      if (parts && text.size() - text.rfind(separator) == 5) day = ValidDay((*parts)[2], (*parts)[1], (*parts)[0]);
      break;
    }
  }
  if (!day) return std::nullopt;
  return common::api::FormatDate(*day);
}

std::optional<v1::Sex> ParseSex(std::string_view text) {
  const std::string key = FoldedWords(text);
  if (key == "nam" || key == "male") return v1::SEX_MALE;
  if (key == "nu" || key == "female") return v1::SEX_FEMALE;
  return std::nullopt;
}

std::optional<v1::MemberStatus> ParseStatus(std::string_view text) {
  const std::string key = FoldedWords(text);
  if (key == "du bi" || key == "dang vien du bi" || key == "probationary" || key == "member status probationary") {
    return v1::MEMBER_STATUS_PROBATIONARY;
  }
  if (key == "chinh thuc" || key == "dang vien chinh thuc" || key == "official" || key == "member status official") {
    return v1::MEMBER_STATUS_OFFICIAL;
  }
  return std::nullopt;
}

std::optional<v1::OccupationCategory> ParseOccupationCategory(std::string_view text) {
  static const std::map<std::string, v1::OccupationCategory>* names = [] {
    auto* map = new std::map<std::string, v1::OccupationCategory>();
    for (int value = v1::OccupationCategory_MIN; value <= v1::OccupationCategory_MAX; ++value) {
      if (!v1::OccupationCategory_IsValid(value) || value == v1::OCCUPATION_CATEGORY_UNSPECIFIED) continue;
      const auto category = static_cast<v1::OccupationCategory>(value);
      const std::string full = v1::OccupationCategory_Name(category);
      (*map)[FoldedWords(full)] = category;
      (*map)[FoldedWords(full.substr(std::string_view("OCCUPATION_CATEGORY_").size()))] = category;
    }
    const std::pair<const char*, v1::OccupationCategory> vietnamese[] = {
        {"can bo cong chuc vien chuc", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"can bo cong chuc", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"cong chuc vien chuc", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"can bo", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"cong chuc", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"vien chuc", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"cbccvc", v1::OCCUPATION_CATEGORY_CIVIL_SERVICE},
        {"luc luong vu trang", v1::OCCUPATION_CATEGORY_ARMED_FORCES},
        {"llvt", v1::OCCUPATION_CATEGORY_ARMED_FORCES},
        {"quan doi", v1::OCCUPATION_CATEGORY_ARMED_FORCES},
        {"cong an", v1::OCCUPATION_CATEGORY_ARMED_FORCES},
        {"quan nhan", v1::OCCUPATION_CATEGORY_ARMED_FORCES},
        {"cong nhan", v1::OCCUPATION_CATEGORY_WORKER},
        {"nong dan", v1::OCCUPATION_CATEGORY_FARMER},
        {"chu doanh nghiep", v1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER},
        {"chu doanh nghiep tu nhan", v1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER},
        {"nguoi lao dong trong doanh nghiep", v1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE},
        {"lao dong trong doanh nghiep", v1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE},
        {"nhan vien doanh nghiep", v1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE},
        {"hoc sinh sinh vien", v1::OCCUPATION_CATEGORY_STUDENT},
        {"hoc sinh", v1::OCCUPATION_CATEGORY_STUDENT},
        {"sinh vien", v1::OCCUPATION_CATEGORY_STUDENT},
        {"nghi huu", v1::OCCUPATION_CATEGORY_RETIRED},
        {"huu tri", v1::OCCUPATION_CATEGORY_RETIRED},
        {"lao dong tu do", v1::OCCUPATION_CATEGORY_SELF_EMPLOYED},
        {"tu do", v1::OCCUPATION_CATEGORY_SELF_EMPLOYED},
        {"kinh doanh ca the", v1::OCCUPATION_CATEGORY_SELF_EMPLOYED},
        {"khac", v1::OCCUPATION_CATEGORY_OTHER},
    };
    for (const auto& [name, category] : vietnamese) (*map)[name] = category;
    return map;
  }();
  auto found = names->find(FoldedWords(text));
  if (found == names->end()) return std::nullopt;
  return found->second;
}

std::optional<v1::GeneralEducation> ParseGeneralEducation(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return v1::GENERAL_EDUCATION_UNSPECIFIED;
  // "9/12": grades completed out of the 12-year system (10 years before the 1980s reform).
  const size_t slash = text.find('/');
  int grade = 0;
  int system = 0;
  if (slash != std::string_view::npos && absl::SimpleAtoi(ToAbsl(text.substr(0, slash)), &grade) &&
      absl::SimpleAtoi(ToAbsl(text.substr(slash + 1)), &system) && (system == 12 || system == 10) && grade >= 1 &&
      grade <= system) {
    const int lower_secondary_end = system == 12 ? 9 : 7;
    const int primary_end = system == 12 ? 5 : 4;
    if (grade == system) return v1::GENERAL_EDUCATION_UPPER_SECONDARY;
    if (grade >= lower_secondary_end) return v1::GENERAL_EDUCATION_LOWER_SECONDARY;
    if (grade >= primary_end) return v1::GENERAL_EDUCATION_PRIMARY;
    return std::nullopt;  // below primary: the enum has no value for it
  }
  const std::string key = FoldedWords(text);
  if (key == "primary" || key == "tieu hoc" || key == "cap 1" || key == "general education primary") {
    return v1::GENERAL_EDUCATION_PRIMARY;
  }
  if (key == "lower secondary" || key == "trung hoc co so" || key == "thcs" || key == "cap 2" ||
      key == "general education lower secondary") {
    return v1::GENERAL_EDUCATION_LOWER_SECONDARY;
  }
  if (key == "upper secondary" || key == "trung hoc pho thong" || key == "thpt" || key == "cap 3" ||
      key == "general education upper secondary") {
    return v1::GENERAL_EDUCATION_UPPER_SECONDARY;
  }
  return std::nullopt;
}

std::optional<v1::ProfessionalQualificationLevel> ParseQualificationLevel(std::string_view text) {
  const std::string key = FoldedWords(text);
  if (key.empty()) return v1::PROFESSIONAL_QUALIFICATION_LEVEL_UNSPECIFIED;
  if (key == "none" || key == "khong" || key == "chua qua dao tao") return v1::PROFESSIONAL_QUALIFICATION_LEVEL_NONE;
  const std::string padded = absl::StrCat(" ", key, " ");
  auto names = [&](std::initializer_list<std::string_view> words) {
    for (std::string_view word : words) {
      if (absl::StrContains(padded, absl::StrCat(" ", ToAbsl(word), " "))) return true;
    }
    return false;
  };
  // The highest level the text names wins ("Thạc sĩ, cử nhân Luật" is a master).
  if (names({"tien si", "tien sy", "doctor", "phd"})) return v1::PROFESSIONAL_QUALIFICATION_LEVEL_DOCTOR;
  if (names({"thac si", "thac sy", "master"})) return v1::PROFESSIONAL_QUALIFICATION_LEVEL_MASTER;
  if (names({"dai hoc", "cu nhan", "ky su", "bac si", "duoc si", "kien truc su", "bachelor"})) {
    return v1::PROFESSIONAL_QUALIFICATION_LEVEL_BACHELOR;
  }
  if (names({"cao dang", "college"})) return v1::PROFESSIONAL_QUALIFICATION_LEVEL_COLLEGE;
  if (names({"trung cap", "intermediate"})) return v1::PROFESSIONAL_QUALIFICATION_LEVEL_INTERMEDIATE;
  if (names({"so cap", "elementary"})) return v1::PROFESSIONAL_QUALIFICATION_LEVEL_ELEMENTARY;
  return std::nullopt;
}

std::optional<v1::PoliticalTheoryLevel> ParsePoliticalTheoryLevel(std::string_view text) {
  const std::string key = FoldedWords(text);
  if (key.empty()) return v1::POLITICAL_THEORY_LEVEL_UNSPECIFIED;
  if (key == "none" || key == "khong" || key == "chua qua dao tao" || key == "political theory level none") {
    return v1::POLITICAL_THEORY_LEVEL_NONE;
  }
  if (key == "elementary" || key == "so cap" || key == "political theory level elementary") {
    return v1::POLITICAL_THEORY_LEVEL_ELEMENTARY;
  }
  if (key == "intermediate" || key == "trung cap" || key == "political theory level intermediate") {
    return v1::POLITICAL_THEORY_LEVEL_INTERMEDIATE;
  }
  if (key == "advanced" || key == "cao cap" || key == "cao cap cu nhan" || key == "political theory level advanced") {
    return v1::POLITICAL_THEORY_LEVEL_ADVANCED;
  }
  if (key == "bachelor" || key == "cu nhan" || key == "political theory level bachelor") {
    return v1::POLITICAL_THEORY_LEVEL_BACHELOR;
  }
  return std::nullopt;
}

// ---- rows ------------------------------------------------------------------------------

bool IsBlank(const CsvRecord& record) {
  if (!record.error.empty()) return false;
  return std::all_of(record.fields.begin(), record.fields.end(),
                     [](const std::string& field) { return absl::StripAsciiWhitespace(field).empty(); });
}

namespace {

// Reads and normalizes one row's columns; collects the canonical form.
class RowReader {
 public:
  RowReader(const Header& header, const CsvRecord& record) : header_(header), record_(record) {}

  std::string_view Raw(Column column) const {
    const int position = header_.position[static_cast<size_t>(column)];
    if (position < 0 || static_cast<size_t>(position) >= record_.fields.size()) return {};
    return record_.fields[static_cast<size_t>(position)];
  }

  // One-line NFC text, `max_chars` code points at most.
  absl::StatusOr<std::string> Text(Column column, size_t max_chars) {
    GR_ASSIGN_OR_RETURN(std::string text, common::api::NormalizeText(OneLine(Raw(column)), ColumnName(column),
                                                                     Spec(column).required, max_chars));
    Note(column, text);
    return text;
  }

  absl::StatusOr<std::string> Date(Column column, bool required) {
    const std::string raw(Trim(Raw(column)));
    if (raw.empty()) {
      if (required) return ColumnError(column, "is required");
      Note(column, "");
      return std::string();
    }
    std::optional<std::string> date = ParseDateText(raw);
    if (!date) {
      int serial = 0;
      if (absl::SimpleAtoi(raw, &serial) && serial > 0 && serial < 80000) {
        return ColumnError(column, "looks like a spreadsheet date serial number: format the column as a date "
                                   "(dd/mm/yyyy) or as text");
      }
      return ColumnError(column, "is not a date (dd/mm/yyyy or yyyy-mm-dd)");
    }
    Note(column, *date);
    return *date;
  }

  void Note(Column column, std::string_view canonical) {
    absl::StrAppend(&canonical_, ToAbsl(ColumnName(column)), "=", ToAbsl(canonical), "\n");
  }
  void NotePersonal(Column column) {
    if (!Spec(column).personal) return;
    std::string_view raw = Trim(Raw(column));
    if (!raw.empty()) personal_values_.emplace_back(raw);
  }

  std::string TakeCanonical() { return std::move(canonical_); }
  std::vector<std::string> TakePersonalValues() { return std::move(personal_values_); }

 private:
  const Header& header_;
  const CsvRecord& record_;
  std::string canonical_;
  std::vector<std::string> personal_values_;
};

// An enumerated column: `parsed` is the parser's answer for the raw text.
template <typename Enum>
absl::StatusOr<Enum> Choice(RowReader& reader, Column column, std::optional<Enum> parsed, bool required,
                            std::string_view accepted, const google::protobuf::EnumDescriptor* descriptor) {
  const std::string_view raw = Trim(reader.Raw(column));
  if (raw.empty() && required) return ColumnError(column, "is required");
  if (!parsed) return ColumnError(column, absl::StrCat("is not one of the accepted values: ", ToAbsl(accepted)));
  const google::protobuf::EnumValueDescriptor* value = descriptor->FindValueByNumber(static_cast<int>(*parsed));
  reader.Note(column, raw.empty() || value == nullptr ? std::string() : value->name());
  return *parsed;
}

// A code of `list` from a code or a name or alias of one (personal data: the
// message never quotes the value).
absl::StatusOr<std::string> CodeOf(RowReader& reader, Column column, const domain::CodeList& list) {
  GR_ASSIGN_OR_RETURN(std::string text, reader.Text(column, 100));
  if (text.empty()) return text;
  std::optional<std::string> code = list.Match(text);
  if (!code) {
    return ColumnError(column, absl::StrCat("is not a code or name of the ", list.list(), " list (data/codes/",
                                            list.list(), ".json)"));
  }
  return *code;
}

absl::StatusOr<std::string> CitizenId(RowReader& reader) {
  std::string digits;
  for (char c : reader.Raw(Column::kCitizenId)) {
    if (c != ' ' && c != '\t' && c != '.') digits.push_back(c);
  }
  if (!digits.empty()) {
    if (LooksLikeScientificNumber(digits)) {
      return ColumnError(Column::kCitizenId, "was turned into a number in scientific notation by a spreadsheet: "
                                             "format the column as text and export again");
    }
    if (!AllDigits(digits)) return ColumnError(Column::kCitizenId, "must hold digits only");
    // Spreadsheets drop the leading 0 of a number (every province code starts with 0).
    if (digits.size() == 11) digits.insert(digits.begin(), '0');
    if (digits.size() != 12) return ColumnError(Column::kCitizenId, "must be 12 digits");
  }
  reader.Note(Column::kCitizenId, digits);
  return digits;
}

absl::StatusOr<std::string> Phone(RowReader& reader) {
  std::string raw(Trim(reader.Raw(Column::kPhone)));
  std::string phone;
  for (char c : raw) {
    if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') continue;
    if (c == '+' && phone.empty()) {
      phone.push_back(c);
      continue;
    }
    if (c < '0' || c > '9') {
      return ColumnError(Column::kPhone, "may hold only digits, spaces, '.', '-', parentheses and a leading '+'");
    }
    phone.push_back(c);
  }
  if (!phone.empty()) {
    if (LooksLikeScientificNumber(raw)) return ColumnError(Column::kPhone, "must be formatted as text");
    // A spreadsheet that took the phone for a number dropped its leading 0.
    if (phone.size() == 9 && phone[0] != '0' && phone[0] != '+') phone.insert(phone.begin(), '0');
    const size_t digit_count = phone.size() - (phone[0] == '+' ? 1 : 0);
    if (digit_count < 9 || digit_count > 15) return ColumnError(Column::kPhone, "must have 9 to 15 digits");
  }
  reader.Note(Column::kPhone, phone);
  return phone;
}

absl::StatusOr<std::string> Email(RowReader& reader) {
  GR_ASSIGN_OR_RETURN(std::string email, reader.Text(Column::kEmail, 255));
  if (email.empty()) return email;
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos ||
      email.find(' ') != std::string::npos || email.find('.', at) == std::string::npos || email.back() == '.') {
    return ColumnError(Column::kEmail, "is not an e-mail address");
  }
  return email;
}

}  // namespace

absl::StatusOr<MappedRow> MapRow(const Header& header, const CsvRecord& record, const domain::CodeLists& codes) {
  if (!record.error.empty()) return common::InvalidField("", record.error);
  for (size_t i = header.by_position.size(); i < record.fields.size(); ++i) {
    if (!absl::StripAsciiWhitespace(record.fields[i]).empty()) {
      return common::InvalidField("", absl::StrCat("the row has a value in column ", ColumnLetter(i),
                                                   ", beyond the header's ", header.by_position.size(), " columns"));
    }
  }
  for (size_t i = 0; i < header.by_position.size() && i < record.fields.size(); ++i) {
    if (!header.by_position[i] && !absl::StripAsciiWhitespace(record.fields[i]).empty()) {
      return common::InvalidField("", absl::StrCat("the row has a value in column ", ColumnLetter(i),
                                                   ", which has no header"));
    }
  }

  RowReader reader(header, record);
  for (const ColumnSpec& spec : Columns()) reader.NotePersonal(spec.column);
  MappedRow row;
  v1::Member& member = *row.request.mutable_member();
  v1::ExistingMemberEntry& existing = *row.request.mutable_existing();

  GR_ASSIGN_OR_RETURN(std::string external_id, reader.Text(Column::kExternalId, 64));
  member.set_external_id(external_id);
  GR_ASSIGN_OR_RETURN(*member.mutable_full_name(), reader.Text(Column::kFullName, 255));
  GR_ASSIGN_OR_RETURN(*member.mutable_birth_name(), reader.Text(Column::kBirthName, 255));
  GR_ASSIGN_OR_RETURN(v1::Sex sex, Choice<v1::Sex>(reader, Column::kSex, ParseSex(reader.Raw(Column::kSex)), true,
                                                  "Nam, Nữ, male, female", v1::Sex_descriptor()));
  member.set_sex(sex);
  GR_ASSIGN_OR_RETURN(*member.mutable_birth_date(), reader.Date(Column::kBirthDate, true));
  GR_ASSIGN_OR_RETURN(*member.mutable_birth_place(), reader.Text(Column::kBirthPlace, 500));
  GR_ASSIGN_OR_RETURN(*member.mutable_home_town(), reader.Text(Column::kHomeTown, 500));
  // Ethnicity and religion: a code of data/codes, or a name or alias of one
  // ("Kinh", "kinh", "Tày", "Không"), stored as the code.
  GR_ASSIGN_OR_RETURN(*member.mutable_ethnicity(), CodeOf(reader, Column::kEthnicity, codes.ethnicity));
  GR_ASSIGN_OR_RETURN(*member.mutable_religion(), CodeOf(reader, Column::kReligion, codes.religion));
  GR_ASSIGN_OR_RETURN(*member.mutable_citizen_id(), CitizenId(reader));
  GR_ASSIGN_OR_RETURN(*row.request.mutable_party_card_number(), reader.Text(Column::kPartyCardNumber, 64));
  GR_ASSIGN_OR_RETURN(
      v1::OccupationCategory category,
      Choice<v1::OccupationCategory>(
          reader, Column::kOccupationCategory, ParseOccupationCategory(reader.Raw(Column::kOccupationCategory)), true,
          "civil_service (cán bộ, công chức, viên chức), armed_forces (lực lượng vũ trang), worker (công nhân), "
          "farmer (nông dân), private_business_owner (chủ doanh nghiệp), enterprise_employee (người lao động trong "
          "doanh nghiệp), student (học sinh, sinh viên), retired (nghỉ hưu), self_employed (lao động tự do), other "
          "(khác)",
          v1::OccupationCategory_descriptor()));
  member.set_occupation_category(category);
  GR_ASSIGN_OR_RETURN(*member.mutable_occupation(), reader.Text(Column::kOccupation, 500));
  GR_ASSIGN_OR_RETURN(v1::GeneralEducation education,
                      Choice<v1::GeneralEducation>(
                          reader, Column::kGeneralEducation,
                          ParseGeneralEducation(reader.Raw(Column::kGeneralEducation)), false,
                          "tiểu học, trung học cơ sở, trung học phổ thông (or primary, lower_secondary, "
                          "upper_secondary), or grades as 9/12, 12/12, 7/10, 10/10",
                          v1::GeneralEducation_descriptor()));
  member.set_general_education(education);
  GR_ASSIGN_OR_RETURN(*member.mutable_professional_qualification(),
                      reader.Text(Column::kProfessionalQualification, 255));
  // The level: its own column, else what the qualification as written names.
  const bool level_given = !Trim(reader.Raw(Column::kProfessionalQualificationLevel)).empty();
  GR_ASSIGN_OR_RETURN(
      v1::ProfessionalQualificationLevel level,
      Choice<v1::ProfessionalQualificationLevel>(
          reader, Column::kProfessionalQualificationLevel,
          level_given ? ParseQualificationLevel(reader.Raw(Column::kProfessionalQualificationLevel))
                      : ParseQualificationLevel(member.professional_qualification())
                            .value_or(v1::PROFESSIONAL_QUALIFICATION_LEVEL_UNSPECIFIED),
          false,
          "không, sơ cấp, trung cấp, cao đẳng, đại học, thạc sĩ, tiến sĩ (or none, elementary, intermediate, college, "
          "bachelor, master, doctor)",
          v1::ProfessionalQualificationLevel_descriptor()));
  member.set_professional_qualification_level(level);
  GR_ASSIGN_OR_RETURN(v1::PoliticalTheoryLevel theory,
                      Choice<v1::PoliticalTheoryLevel>(
                          reader, Column::kPoliticalTheoryLevel,
                          ParsePoliticalTheoryLevel(reader.Raw(Column::kPoliticalTheoryLevel)), false,
                          "không, sơ cấp, trung cấp, cao cấp, cử nhân (or none, elementary, intermediate, advanced, "
                          "bachelor)",
                          v1::PoliticalTheoryLevel_descriptor()));
  member.set_political_theory_level(theory);
  GR_ASSIGN_OR_RETURN(*member.mutable_permanent_address(), reader.Text(Column::kPermanentAddress, 500));
  GR_ASSIGN_OR_RETURN(*member.mutable_current_address(), reader.Text(Column::kCurrentAddress, 500));
  GR_ASSIGN_OR_RETURN(*member.mutable_phone(), Phone(reader));
  GR_ASSIGN_OR_RETURN(*member.mutable_email(), Email(reader));

  // The cell: an organization code (what committees know) or organizations/{id}.
  const std::string cell(Trim(reader.Raw(Column::kCell)));
  if (cell.empty()) return ColumnError(Column::kCell, "is required");
  if (absl::StartsWith(cell, "organizations/")) {
    GR_ASSIGN_OR_RETURN(row.cell_id, common::api::ParseId(cell, "organizations", "cell"));
  } else {
    if (!common::api::ValidateCode(cell, "cell").ok()) {
      return ColumnError(Column::kCell, "must be an organization code (letters, digits, '.', '_', '-') or "
                                        "organizations/{id}");
    }
    row.cell_code = cell;
  }

  GR_ASSIGN_OR_RETURN(v1::MemberStatus status,
                      Choice<v1::MemberStatus>(reader, Column::kStatus, ParseStatus(reader.Raw(Column::kStatus)), true,
                                               "dự bị, chính thức (or probationary, official)",
                                               v1::MemberStatus_descriptor()));
  existing.set_status(status);
  GR_ASSIGN_OR_RETURN(*existing.mutable_admission_decision_date(), reader.Date(Column::kAdmissionDecisionDate, true));
  GR_ASSIGN_OR_RETURN(*existing.mutable_admission_ceremony_date(), reader.Date(Column::kAdmissionCeremonyDate, true));
  GR_ASSIGN_OR_RETURN(*existing.mutable_official_date(),
                      reader.Date(Column::kOfficialDate, status == v1::MEMBER_STATUS_OFFICIAL));
  if (status == v1::MEMBER_STATUS_PROBATIONARY && !existing.official_date().empty()) {
    return ColumnError(Column::kOfficialDate, "must be empty for a probationary (dự bị) member");
  }
  GR_ASSIGN_OR_RETURN(*existing.mutable_joined_cell_on(), reader.Date(Column::kJoinedCellOn, true));
  GR_ASSIGN_OR_RETURN(*existing.mutable_transferred_from(), reader.Text(Column::kTransferredFrom, 255));

  if (!member.external_id().empty()) {
    row.key_column = Column::kExternalId;
    row.key = member.external_id();
  } else if (!member.citizen_id().empty()) {
    row.key_column = Column::kCitizenId;
    row.key = member.citizen_id();
  } else {
    return ColumnError(header.Has(Column::kExternalId) ? Column::kExternalId : Column::kCitizenId,
                       "a row needs an external_id or a citizen_id: the key that makes re-running the file safe");
  }
  row.canonical = reader.TakeCanonical();
  row.personal_values = reader.TakePersonalValues();
  return row;
}

std::string Fingerprint(const MappedRow& row, int64_t cell_id) {
  return common::api::Sha256Hex(absl::StrCat(row.canonical, "cell=organizations/", cell_id, "\n"));
}

std::string ColumnForField(std::string_view request_field) {
  std::string_view field = request_field;
  for (std::string_view prefix : {"member.", "existing.", "request."}) {
    if (field.substr(0, prefix.size()) == prefix) {
      field.remove_prefix(prefix.size());
      break;
    }
  }
  if (std::optional<Column> column = ColumnByName(field)) return std::string(ColumnName(*column));
  return "";
}

std::string WithoutPersonalValues(std::string message, const std::vector<std::string>& personal_values,
                                  std::string_view column) {
  for (const std::string& value : personal_values) {
    if (value.size() >= 3 && message.find(value) != std::string::npos) {
      return column.empty() ? std::string("the row is not valid")
                            : absl::StrCat(ToAbsl(column), ": the value is not valid for this column");
    }
  }
  return message;
}

}  // namespace grassroots::membership::member_csv
