#include "services/reporting/domain/statistics.h"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grassroots/membership/v1/member.pb.h"

namespace grassroots::reporting::domain {
namespace {

namespace mv1 = grassroots::membership::v1;

constexpr char kUnspecifiedLabel[] = "Chưa ghi";

// A value of an enum the dimension counts: its number, key and Vietnamese label.
struct EnumValue {
  int32_t number;
  const char* key;
  const char* label;
};

const std::vector<EnumValue>& StatusValues() {
  static const auto* values = new std::vector<EnumValue>{
      {mv1::MEMBER_STATUS_OFFICIAL, "OFFICIAL", "Đảng viên chính thức"},
      {mv1::MEMBER_STATUS_PROBATIONARY, "PROBATIONARY", "Đảng viên dự bị"},
  };
  return *values;
}

const std::vector<EnumValue>& SexValues() {
  static const auto* values = new std::vector<EnumValue>{
      {mv1::SEX_MALE, "MALE", "Nam"},
      {mv1::SEX_FEMALE, "FEMALE", "Nữ"},
  };
  return *values;
}

const std::vector<EnumValue>& GeneralEducationValues() {
  static const auto* values = new std::vector<EnumValue>{
      {mv1::GENERAL_EDUCATION_PRIMARY, "PRIMARY", "Tiểu học"},
      {mv1::GENERAL_EDUCATION_LOWER_SECONDARY, "LOWER_SECONDARY", "Trung học cơ sở"},
      {mv1::GENERAL_EDUCATION_UPPER_SECONDARY, "UPPER_SECONDARY", "Trung học phổ thông"},
  };
  return *values;
}

const std::vector<EnumValue>& ProfessionalValues() {
  static const auto* values = new std::vector<EnumValue>{
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_NONE, "NONE", "Chưa qua đào tạo"},
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_ELEMENTARY, "ELEMENTARY", "Sơ cấp"},
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_INTERMEDIATE, "INTERMEDIATE", "Trung cấp"},
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_COLLEGE, "COLLEGE", "Cao đẳng"},
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_BACHELOR, "BACHELOR", "Đại học"},
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_MASTER, "MASTER", "Thạc sĩ"},
      {mv1::PROFESSIONAL_QUALIFICATION_LEVEL_DOCTOR, "DOCTOR", "Tiến sĩ"},
  };
  return *values;
}

const std::vector<EnumValue>& TheoryValues() {
  static const auto* values = new std::vector<EnumValue>{
      {mv1::POLITICAL_THEORY_LEVEL_NONE, "NONE", "Chưa qua đào tạo"},
      {mv1::POLITICAL_THEORY_LEVEL_ELEMENTARY, "ELEMENTARY", "Sơ cấp"},
      {mv1::POLITICAL_THEORY_LEVEL_INTERMEDIATE, "INTERMEDIATE", "Trung cấp"},
      {mv1::POLITICAL_THEORY_LEVEL_ADVANCED, "ADVANCED", "Cao cấp"},
      {mv1::POLITICAL_THEORY_LEVEL_BACHELOR, "BACHELOR", "Cử nhân"},
  };
  return *values;
}

const std::vector<EnumValue>& OccupationValues() {
  static const auto* values = new std::vector<EnumValue>{
      {mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE, "CIVIL_SERVICE", "Cán bộ, công chức, viên chức"},
      {mv1::OCCUPATION_CATEGORY_ARMED_FORCES, "ARMED_FORCES", "Lực lượng vũ trang"},
      {mv1::OCCUPATION_CATEGORY_WORKER, "WORKER", "Công nhân"},
      {mv1::OCCUPATION_CATEGORY_FARMER, "FARMER", "Nông dân"},
      {mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER, "PRIVATE_BUSINESS_OWNER", "Chủ doanh nghiệp tư nhân"},
      {mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE, "ENTERPRISE_EMPLOYEE",
       "Người lao động trong doanh nghiệp tư nhân, có vốn đầu tư nước ngoài"},
      {mv1::OCCUPATION_CATEGORY_STUDENT, "STUDENT", "Học sinh, sinh viên"},
      {mv1::OCCUPATION_CATEGORY_RETIRED, "RETIRED", "Nghỉ hưu"},
      {mv1::OCCUPATION_CATEGORY_SELF_EMPLOYED, "SELF_EMPLOYED", "Lao động tự do"},
      {mv1::OCCUPATION_CATEGORY_OTHER, "OTHER", "Khác"},
  };
  return *values;
}

// Counts of each key, the rows in `order` (zeros kept), then UNSPECIFIED when anyone is in it.
StatisticsTable Table(std::string dimension, std::string title,
                      const std::vector<std::pair<std::string, std::string>>& order,
                      const std::map<std::string, int64_t>& counts) {
  StatisticsTable table{std::move(dimension), std::move(title), {}, 0, false};
  std::set<std::string> known;
  for (const auto& [key, label] : order) {
    auto it = counts.find(key);
    const int64_t count = it == counts.end() ? 0 : it->second;
    table.rows.push_back(StatisticsRow{key, label, count, false});
    table.total += count;
    known.insert(key);
  }
  int64_t unspecified = 0;
  for (const auto& [key, count] : counts) {
    if (!known.contains(key)) unspecified += count;
  }
  if (unspecified > 0) {
    table.rows.push_back(StatisticsRow{kUnspecifiedKey, kUnspecifiedLabel, unspecified, false});
    table.total += unspecified;
  }
  return table;
}

std::vector<std::pair<std::string, std::string>> OrderOf(const std::vector<EnumValue>& values) {
  std::vector<std::pair<std::string, std::string>> order;
  for (const EnumValue& value : values) order.emplace_back(value.key, value.label);
  return order;
}

std::vector<std::pair<std::string, std::string>> OrderOf(const std::vector<Band>& bands) {
  std::vector<std::pair<std::string, std::string>> order;
  for (const Band& band : bands) order.emplace_back(band.key, band.label);
  return order;
}

std::string EnumKey(const std::vector<EnumValue>& values, int32_t number) {
  for (const EnumValue& value : values) {
    if (value.number == number) return value.key;
  }
  return kUnspecifiedKey;
}

StatisticsTable TallyBy(MemberDimension dimension, std::string title,
                        const std::vector<std::pair<std::string, std::string>>& order,
                        const std::vector<CountedMember>& members,
                        const std::function<std::string(const CountedMember&)>& key_of) {
  std::map<std::string, int64_t> counts;
  for (const CountedMember& member : members) ++counts[key_of(member)];
  return Table(DimensionName(dimension), std::move(title), order, counts);
}

std::optional<int> OptionalInt(const nlohmann::json& band, const char* name) {
  if (!band.contains(name)) return std::nullopt;
  return band.at(name).get<int>();
}

}  // namespace

void Suppress(StatisticsTable& table, int64_t min_count) {
  if (min_count <= 1) return;
  auto below = [min_count](int64_t count) { return count > 0 && count < min_count; };
  if (below(table.total)) {
    table.total_suppressed = true;
    for (StatisticsRow& row : table.rows) row.suppressed = true;
  } else {
    int withheld = 0;
    for (StatisticsRow& row : table.rows) {
      if (below(row.count)) {
        row.suppressed = true;
        ++withheld;
      }
    }
    if (withheld == 1) {
      // One withheld row is the total minus the shown ones: hide the next smallest as well.
      StatisticsRow* next = nullptr;
      for (StatisticsRow& row : table.rows) {
        if (row.suppressed || row.count == 0) continue;
        if (next == nullptr || row.count < next->count) next = &row;
      }
      // None: every other row is 0, so the total equals the withheld row and is below min_count (handled above).
      if (next != nullptr) next->suppressed = true;
    }
  }
  if (table.total_suppressed) table.total = 0;
  for (StatisticsRow& row : table.rows) {
    if (row.suppressed) row.count = 0;
  }
}

absl::StatusOr<std::vector<Band>> ParseBands(const nlohmann::json& value, std::string_view rule_id) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("rule ", std::string(rule_id), ": ", std::string(why)));
  };
  if (!value.is_array() || value.empty()) return invalid("must be a non-empty list of bands");
  std::vector<Band> bands;
  try {
    for (const nlohmann::json& entry : value) {
      Band band{entry.at("key").get<std::string>(), entry.at("label").get<std::string>(), OptionalInt(entry, "from"),
                OptionalInt(entry, "to")};
      if (band.key.empty() || band.key == kUnspecifiedKey) return invalid("a band needs a key other than UNSPECIFIED");
      if (band.from && band.to && *band.to < *band.from) return invalid(absl::StrCat("band ", band.key, " ends before it starts"));
      if (!bands.empty()) {
        const Band& previous = bands.back();
        if (!previous.to || !band.from || *band.from <= *previous.to) {
          return invalid(absl::StrCat("band ", band.key, " overlaps or is out of order"));
        }
      }
      bands.push_back(std::move(band));
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid(absl::StrCat("malformed band: ", e.what()));
  }
  return bands;
}

std::optional<int> AgeOn(std::optional<int> birth_year, std::optional<int> birth_month, absl::CivilDay day) {
  if (!birth_year) return std::nullopt;
  const int month = birth_month.value_or(1);
  int age = static_cast<int>(day.year()) - *birth_year;
  if (day.month() < month) --age;
  if (age < 0) return std::nullopt;
  return age;
}

std::optional<int> YearsBetween(std::optional<absl::CivilDay> since, absl::CivilDay day) {
  if (!since || *since > day) return std::nullopt;
  int years = static_cast<int>(day.year() - since->year());
  if (day.month() < since->month() || (day.month() == since->month() && day.day() < since->day())) --years;
  return years;
}

std::string BandKey(const std::vector<Band>& bands, std::optional<int> years) {
  if (!years) return kUnspecifiedKey;
  for (const Band& band : bands) {
    if (band.Contains(*years)) return band.key;
  }
  return kUnspecifiedKey;
}

const std::vector<MemberDimension>& AllMemberDimensions() {
  static const auto* all = new std::vector<MemberDimension>{
      MemberDimension::kStatus,           MemberDimension::kSex,
      MemberDimension::kAgeBand,          MemberDimension::kEthnicity,
      MemberDimension::kReligion,         MemberDimension::kGeneralEducation,
      MemberDimension::kProfessionalQualification, MemberDimension::kPoliticalTheory,
      MemberDimension::kOccupation,       MemberDimension::kPartyAge,
  };
  return *all;
}

std::string DimensionName(MemberDimension dimension) {
  switch (dimension) {
    case MemberDimension::kStatus: return "STATUS";
    case MemberDimension::kSex: return "SEX";
    case MemberDimension::kAgeBand: return "AGE_BAND";
    case MemberDimension::kEthnicity: return "ETHNICITY";
    case MemberDimension::kReligion: return "RELIGION";
    case MemberDimension::kGeneralEducation: return "GENERAL_EDUCATION";
    case MemberDimension::kProfessionalQualification: return "PROFESSIONAL_QUALIFICATION";
    case MemberDimension::kPoliticalTheory: return "POLITICAL_THEORY";
    case MemberDimension::kOccupation: return "OCCUPATION";
    case MemberDimension::kPartyAge: return "PARTY_AGE";
  }
  return "";
}

absl::StatusOr<CodeNames> ParseCodeNames(std::string_view json_text, std::string_view source) {
  CodeNames names;
  try {
    const nlohmann::json document = nlohmann::json::parse(json_text);
    for (const nlohmann::json& entry : document.at("codes")) {
      names.codes.emplace_back(entry.at("code").get<std::string>(), entry.at("name").get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": not a code list: ", e.what()));
  }
  return names;
}

StatisticsTable TallyMembers(MemberDimension dimension, const std::vector<CountedMember>& members,
                             const MemberTallyRules& rules) {
  using Order = std::vector<std::pair<std::string, std::string>>;
  auto by_enum = [&](const char* title, const std::vector<EnumValue>& values, int32_t CountedMember::*field) {
    return TallyBy(dimension, title, OrderOf(values), members,
                   [&](const CountedMember& m) { return EnumKey(values, m.*field); });
  };
  auto by_code = [&](const char* title, const CodeNames& list, std::string CountedMember::*field) {
    return TallyBy(dimension, title, Order(list.codes), members, [&](const CountedMember& m) {
      const std::string& code = m.*field;
      return code.empty() ? std::string(kUnspecifiedKey) : code;
    });
  };
  switch (dimension) {
    case MemberDimension::kStatus:
      return by_enum("Đảng viên chia theo loại", StatusValues(), &CountedMember::status);
    case MemberDimension::kSex:
      return by_enum("Đảng viên chia theo giới tính", SexValues(), &CountedMember::sex);
    case MemberDimension::kAgeBand:
      return TallyBy(dimension, "Đảng viên chia theo độ tuổi", OrderOf(rules.age_bands), members,
                     [&](const CountedMember& m) {
                       return BandKey(rules.age_bands, AgeOn(m.birth_year, m.birth_month, rules.day));
                     });
    case MemberDimension::kEthnicity:
      return by_code("Đảng viên chia theo dân tộc", rules.ethnicities, &CountedMember::ethnicity_code);
    case MemberDimension::kReligion:
      return by_code("Đảng viên chia theo tôn giáo", rules.religions, &CountedMember::religion_code);
    case MemberDimension::kGeneralEducation:
      return by_enum("Đảng viên chia theo trình độ giáo dục phổ thông", GeneralEducationValues(),
                     &CountedMember::general_education);
    case MemberDimension::kProfessionalQualification:
      return by_enum("Đảng viên chia theo trình độ chuyên môn", ProfessionalValues(),
                     &CountedMember::professional_qualification);
    case MemberDimension::kPoliticalTheory:
      return by_enum("Đảng viên chia theo trình độ lý luận chính trị", TheoryValues(),
                     &CountedMember::political_theory);
    case MemberDimension::kOccupation:
      return by_enum("Đảng viên chia theo nghề nghiệp", OccupationValues(), &CountedMember::occupation_category);
    case MemberDimension::kPartyAge:
      return TallyBy(dimension, "Đảng viên chia theo tuổi đảng", OrderOf(rules.party_age_bands), members,
                     [&](const CountedMember& m) {
                       return BandKey(rules.party_age_bands, YearsBetween(m.admission_decision_date, rules.day));
                     });
  }
  return StatisticsTable{};
}

std::vector<StatisticsTable> TallyOrganizations(const std::vector<CountedOrganization>& organizations) {
  std::map<std::string, int64_t> types;
  std::map<std::string, int64_t> sectors;
  std::map<std::string, int64_t> committees;
  for (const CountedOrganization& o : organizations) {
    ++types[o.type_code];
    ++sectors[o.sector_code.empty() ? std::string(kUnspecifiedKey) : o.sector_code];
    if (o.is_cell) ++committees[o.elected_committee ? "WITH_ELECTED_COMMITTEE" : "WITHOUT_ELECTED_COMMITTEE"];
  }
  // Types and sectors are data of the org service: their codes in code order are the rows.
  auto codes_of = [](const std::map<std::string, int64_t>& counts) {
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& entry : counts) {
      if (entry.first != kUnspecifiedKey) order.emplace_back(entry.first, entry.first);
    }
    return order;
  };
  return {
      Table("TYPE", "Tổ chức đảng chia theo loại hình", codes_of(types), types),
      Table("SECTOR", "Tổ chức đảng chia theo lĩnh vực", codes_of(sectors), sectors),
      Table("CELL_COMMITTEE", "Chi bộ có và không có chi ủy",
            {{"WITH_ELECTED_COMMITTEE", "Chi bộ có chi ủy"}, {"WITHOUT_ELECTED_COMMITTEE", "Chi bộ không có chi ủy"}},
            committees),
  };
}

std::vector<StatisticsTable> MovementTables(const MovementCounts& counts) {
  return {
      Table("INCREASES", "Đảng viên tăng trong năm",
            {{"ADMITTED", "Kết nạp"}, {"TRANSFERRED_IN", "Chuyển đến"}},
            {{"ADMITTED", counts.admitted}, {"TRANSFERRED_IN", counts.transferred_in}}),
      Table("DECREASES", "Đảng viên giảm trong năm",
            {{"TRANSFERRED_OUT", "Chuyển đi"},
             {"REMOVED", "Xóa tên"},
             {"LEFT", "Cho ra khỏi Đảng"},
             {"EXPELLED", "Khai trừ"},
             {"DECEASED", "Từ trần"}},
            {{"TRANSFERRED_OUT", counts.transferred_out},
             {"REMOVED", counts.removed},
             {"LEFT", counts.left},
             {"EXPELLED", counts.expelled},
             {"DECEASED", counts.deceased}}),
  };
}

}  // namespace grassroots::reporting::domain
