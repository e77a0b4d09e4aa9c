#include "services/demo/demo_members.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/api/api.h"

namespace grassroots::demo {
namespace {

using Day = absl::CivilDay;

constexpr uint64_t kMembersSeed = 20200101;
// Imported members per notional member of a cell (the org plan sizes cells as of 2024).
constexpr double kImportShare = 0.66;
// Admissions per year as a share of the counted members on 31 December before (NQ 21: 3-4%).
const std::map<int, double> kAdmissionRate = {{2020, 0.032}, {2021, 0.036}, {2022, 0.038},
                                              {2023, 0.034}, {2024, 0.039}, {2025, 0.031}};
// Member ratings from the first year of the history (rating.bands has versions from 2018).
constexpr int kFirstRatedYear = 2020;
constexpr char kDistrictStanding[] = "Ban Thường vụ Huyện ủy Bảo Nguyên";
constexpr char kProvinceStanding[] = "Ban Thường vụ Tỉnh ủy Lâm Viên";
constexpr char kDistrictSchool[] = "Trung tâm Chính trị huyện Bảo Nguyên";
constexpr char kProvinceSchool[] = "Trường Chính trị tỉnh Lâm Viên";
constexpr char kDistrictPlace[] = "huyện Bảo Nguyên, tỉnh Lâm Viên";

Day ToDay(const std::string& text) {
  Day day;
  absl::ParseCivilTime(text, &day);
  return day;
}
std::string Text(Day day) { return absl::FormatCivilTime(day); }
const Day kImportDay = ToDay(kMembersImportDate);
const Day kHistoryEnd = ToDay(kMembersHistoryEnd);
const Day kRestructuring = ToDay(kRestructuringDate);

// `day` plus whole months, the same day of the month or the month's last day.
Day AddMonths(Day day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const Day last = Day(month + 1) - 1;
  const Day same = Day(month) + (static_cast<int>(day.day()) - 1);
  return same > last ? last : same;
}

int AgeOn(Day birth, Day day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() || (day.month() == birth.month() && day.day() < birth.day())) --age;
  return age;
}

// std::mt19937_64's sequence is fixed by the standard; the distributions are
// not, so the plan draws with plain modulo arithmetic.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  int Between(int lo, int hi) { return lo + static_cast<int>(engine_() % static_cast<uint64_t>(hi - lo + 1)); }
  bool Chance(double percent) { return static_cast<double>(engine_() % 100000) < percent * 1000; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Between(0, static_cast<int>(items.size()) - 1))];
  }
  // A day in [lo, hi]; nullopt when the range is empty.
  std::optional<Day> DayIn(Day lo, Day hi) {
    if (hi < lo) return std::nullopt;
    return lo + Between(0, static_cast<int>(hi - lo));
  }
  // Picks by weight from (weight, value) pairs.
  template <typename T>
  T Weighted(const std::vector<std::pair<int, T>>& options) {
    int total = 0;
    for (const auto& option : options) total += option.first;
    int roll = Between(1, total);
    for (const auto& option : options) {
      roll -= option.first;
      if (roll <= 0) return option.second;
    }
    return options.back().second;
  }

 private:
  std::mt19937_64 engine_;
};

// ---- people -------------------------------------------------------------------------

enum class Ethnicity { kKinh, kKho, kMa, kChauMa, kTay, kNung, kHoa, kMuong, kThai, kDao };

const char* EthnicityName(Ethnicity e) {
  switch (e) {
    case Ethnicity::kKinh: return "Kinh";
    case Ethnicity::kKho: return "K'Ho";
    case Ethnicity::kMa: return "Mạ";
    case Ethnicity::kChauMa: return "Châu Mạ";
    case Ethnicity::kTay: return "Tày";
    case Ethnicity::kNung: return "Nùng";
    case Ethnicity::kHoa: return "Hoa";
    case Ethnicity::kMuong: return "Mường";
    case Ethnicity::kThai: return "Thái";
    case Ethnicity::kDao: return "Dao";
  }
  return "Kinh";
}

// The code of data/codes/ethnicity.json (Châu Mạ is a group of the Mạ; K'Ho is the Cơ Ho).
const char* EthnicityCode(Ethnicity e) {
  switch (e) {
    case Ethnicity::kKinh: return "01";
    case Ethnicity::kKho: return "15";
    case Ethnicity::kMa: return "28";
    case Ethnicity::kChauMa: return "28";
    case Ethnicity::kTay: return "02";
    case Ethnicity::kNung: return "07";
    case Ethnicity::kHoa: return "06";
    case Ethnicity::kMuong: return "04";
    case Ethnicity::kThai: return "03";
    case Ethnicity::kDao: return "09";
  }
  return "01";
}

// The code of data/codes/religion.json of the names the demo uses ("" is none).
std::string ReligionCode(const std::string& name) {
  if (name == "Phật giáo") return "01";
  if (name == "Công giáo") return "02";
  if (name == "Cao Đài") return "05";
  if (name == "Tin Lành") return "08";
  return "00";
}

std::vector<std::string> Repeat(std::vector<std::pair<const char*, int>> weighted) {
  std::vector<std::string> out;
  for (const auto& [name, times] : weighted) {
    for (int i = 0; i < times; ++i) out.emplace_back(name);
  }
  return out;
}

const std::vector<std::string> kKinhFamily =
    Repeat({{"Nguyễn", 30}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 4}, {"Huỳnh", 3}, {"Phan", 4},
            {"Vũ", 3},      {"Võ", 3},    {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 2},    {"Hồ", 2},    {"Ngô", 2},
            {"Dương", 1},   {"Lý", 1},    {"Đinh", 1}, {"Trương", 1}, {"Lương", 1}, {"Mai", 1}, {"Đoàn", 1},
            {"Cao", 1},     {"Tạ", 1},    {"Châu", 1}, {"Lâm", 1}, {"Thái", 1}});
const std::vector<std::string> kMaleMiddle =
    Repeat({{"Văn", 8}, {"Đức", 2}, {"Minh", 2}, {"Hữu", 2}, {"Quang", 2}, {"Xuân", 1}, {"Công", 1}, {"Thanh", 1},
            {"Ngọc", 1}, {"Đình", 1}, {"Tấn", 1}, {"Trọng", 1}, {"Quốc", 1}, {"Anh", 1}});
const std::vector<std::string> kFemaleMiddle =
    Repeat({{"Thị", 9}, {"Ngọc", 2}, {"Thu", 1}, {"Thanh", 1}, {"Minh", 1}, {"Kim", 1}, {"Hồng", 1}, {"Mỹ", 1},
            {"Phương", 1}, {"Bích", 1}, {"Thùy", 1}, {"Diệu", 1}, {"Hoài", 1}});
const std::vector<std::string> kMaleGiven = {
    "An",   "Bình", "Cường", "Dũng", "Đạt",   "Định", "Đông",  "Dương", "Hải",  "Hậu",  "Hiếu",  "Hòa",  "Hoàng",
    "Hùng", "Huy",  "Khánh", "Khoa", "Kiên",  "Lâm",  "Long",  "Lộc",   "Lợi",  "Mạnh", "Minh",  "Nam",  "Nghĩa",
    "Nhân", "Phong", "Phúc", "Phước", "Quân", "Quang", "Quý",  "Sang",  "Sơn",  "Tài",  "Tâm",   "Thắng", "Thành",
    "Thịnh", "Thuận", "Tiến", "Toàn", "Trí",  "Trung", "Tuấn",  "Tùng",  "Việt", "Vinh", "Vũ"};
const std::vector<std::string> kFemaleGiven = {
    "Anh",  "Bích", "Chi",  "Diễm", "Dung",  "Duyên", "Giang", "Hà",   "Hạnh",  "Hằng", "Hiền",  "Hoa",  "Hồng",
    "Huệ",  "Hương", "Huyền", "Lan", "Liên",  "Linh",  "Loan",  "Mai",  "My",    "Nga",  "Ngân",  "Nhung", "Oanh",
    "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thủy", "Thúy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân",
    "Yến"};
const std::vector<std::string> kKhoMale = {"K'Brăk", "K'Vin",  "K'Tiếp", "K'Hoan", "K'Nhít", "K'Sơn",
                                           "K'Điểu", "K'Bình", "K'Duy",  "K'Tuấn", "K'Brơi", "K'Dũng",
                                           "K'Lơi",  "K'Thương", "K'Hùng", "K'Tin"};
const std::vector<std::string> kKhoFemale = {"Ka Hiền", "Ka Thoa",  "Ka Nguyệt", "Ka Sương", "Ka Bích", "Ka Liên",
                                             "Ka Dung", "Ka Phúc",  "Ka Điệp",   "Ka Hương", "Ka Nhiên", "Ka Yên"};
const std::vector<std::string> kKhoClans = {"Liêng Hót", "Kră Jăn", "Bon Niêng", "Cil", "Rơ Ông",
                                            "Lơ Mu",     "Đa Cát",  "Ndu",       "Kơ Să"};
const std::vector<std::string> kKhoClanGiven = {"Thuận", "Yên", "Nhi", "Bin", "Tin", "Brọi", "Ha", "Sin", "Lip"};
const std::vector<std::string> kMaMale = {"K'Lơi", "Lanh", "Khơn", "Đình", "Sơn", "Bình", "K'Rết", "Ty"};
const std::vector<std::string> kMaFemale = {"Hoa", "Bích", "Mai", "Lan", "Lim", "Thu"};
const std::vector<std::string> kTayFamily = {"Hoàng", "Nông", "Lương", "Vi", "Hà", "Ma", "Đàm", "Lục"};
const std::vector<std::string> kNungFamily = {"Nông", "Hoàng", "Chu", "Lục", "Mông", "Vy", "Lăng", "Triệu"};
const std::vector<std::string> kNorthMale = {"Dền", "Páo", "Thềnh", "Quyết", "Tuyển", "Sáng", "Chiến", "Hưng"};
const std::vector<std::string> kNorthFemale = {"Lìu", "Pháy", "Khuyên", "Hằng", "Mến", "Dịu", "Thơm", "Nhàn"};

struct Origin {
  const char* code;      // birth-registration province code of the citizen ID
  const char* province;  // as written in birth place
  std::vector<const char*> districts;
};
const std::vector<Origin> kNorthernKinh = {
    {"036", "tỉnh Nam Định", {"huyện Hải Hậu", "huyện Giao Thủy", "huyện Xuân Trường"}},
    {"034", "tỉnh Thái Bình", {"huyện Kiến Xương", "huyện Vũ Thư", "huyện Tiền Hải"}},
    {"035", "tỉnh Hà Nam", {"huyện Lý Nhân", "huyện Bình Lục"}},
    {"040", "tỉnh Nghệ An", {"huyện Nam Đàn", "huyện Đô Lương", "huyện Yên Thành"}},
    {"042", "tỉnh Hà Tĩnh", {"huyện Đức Thọ", "huyện Can Lộc"}},
    {"038", "tỉnh Thanh Hóa", {"huyện Hoằng Hóa", "huyện Quảng Xương"}},
    {"049", "tỉnh Quảng Nam", {"huyện Duy Xuyên", "thị xã Điện Bàn"}},
    {"046", "tỉnh Thừa Thiên Huế", {"huyện Phú Vang", "thị xã Hương Trà"}},
    {"001", "thành phố Hà Nội", {"huyện Ứng Hòa", "huyện Thường Tín"}},
};
const std::vector<Origin> kNorthernMinority = {
    {"004", "tỉnh Cao Bằng", {"huyện Hòa An", "huyện Trùng Khánh"}},
    {"020", "tỉnh Lạng Sơn", {"huyện Văn Lãng", "huyện Cao Lộc"}},
    {"002", "tỉnh Hà Giang", {"huyện Bắc Quang"}},
};

struct Category {
  mv1::OccupationCategory value;
  int min_birth_year;
  int max_birth_year;
};

// ---- cells ---------------------------------------------------------------------------

struct CellInfo {
  const Org* org = nullptr;
  Day established;
  std::optional<Day> until;            // the cell ends (hand-over, dissolution) on this day
  bool residential = false;
  bool commune_level = false;          // a cell of a commune's đảng bộ (else a district-level unit)
  std::string commune_code;            // the commune whose cell it is
  std::string place;                   // "xã Lộc Vĩnh", "thị trấn Lộc Nguyên"
  std::vector<const ResidentialUnit*> units;  // residential units it covers
  bool ethnic_village = false;
  bool ethnic_commune = false;
  std::string grassroots_code;         // the grassroots organization before 1 July 2025
  bool ActiveOn(Day day) const { return established <= day && (!until || day < *until); }
  const std::string& code() const { return org->code; }
};

// ---- the simulation -----------------------------------------------------------------------

struct Sim {
  size_t member = 0;
  mv1::MemberStatus status = mv1::MEMBER_STATUS_UNSPECIFIED;
  Day start;                             // counted from this day
  std::optional<Day> ended;              // left the count on this day
  Day last;                              // the latest lifecycle event's date
  std::optional<Day> probation_end;
  std::optional<Day> official_since;
  std::optional<Day> exempt_since;
  std::vector<std::pair<Day, std::string>> cells;  // (from, cell code)
  bool away = false;                     // a temporary transfer or a pending one that never ends
  Day birth;
  int quality = 2;                       // 0 weak .. 3 excellent: decides ratings and removals
  bool registered = false;
  bool feedback_expected = false;
  std::string residence_cell;
  Day registered_on;

  const std::string& CellOn(Day day) const {
    const std::string* cell = &cells.front().second;
    for (const auto& [from, code] : cells) {
      if (from <= day) cell = &code;
    }
    return *cell;
  }
  const std::string& cell() const { return cells.back().second; }
  bool CountedOn(Day day) const { return start <= day && (!ended || day < *ended); }
  bool OfficialOn(Day day) const { return CountedOn(day) && official_since && *official_since <= day; }
  bool Active() const { return !ended; }
};

class MembersBuilder {
 public:
  explicit MembersBuilder(const Plan& org_plan) : org_plan_(org_plan) {}
  MembersPlan Build();

 private:
  void IndexCells();
  void ImportPopulation();
  PlannedMember& NewImported(const CellInfo& cell, bool probationary);
  Person MakePerson(const CellInfo& cell, mv1::OccupationCategory category, bool female, Day birth, bool young);
  mv1::OccupationCategory CategoryFor(const CellInfo& cell, bool imported);
  void NamePerson(Person& person, Ethnicity ethnicity, bool female, Day birth, const CellInfo& cell);
  std::string CitizenId(const Origin* origin, bool female, Day birth);
  Ethnicity EthnicityFor(const CellInfo& cell);
  const ResidentialUnit* HomeUnit(const CellInfo& cell);
  std::string Occupation(const CellInfo& cell, mv1::OccupationCategory category, bool female, Day birth);

  // Decisions and bodies.
  Decision Numbered(const std::string& body, const std::string& suffix, Day day);
  Decision CompetentCommittee(const CellInfo& cell, Day day);  // admissions, recognition, removals
  Decision GrassrootsCommittee(const CellInfo& cell, Day day);  // ratings
  Decision CellResolution(const CellInfo& cell, Day day);
  std::string ProvincePlace(const std::string& after_code) const;

  // Yearly passes.
  void Year(int year);
  void Recognitions(int year);
  void EndingCells(int year);
  void NewCells(int year);
  void Admissions(int year);
  void Prospect(int year, bool admitted, std::optional<mv1::OccupationCategory> forced_category);
  void Transfers(int year);
  void TransfersOut(int year);
  void Temporary(int year);
  void Exemptions(int year);
  void Removals(int year);
  void Deaths(int year);
  void YearlyRecords(int year);

  // Helpers over the simulation.
  int Counted(Day day) const;
  int Eligible(const std::string& cell, Day day) const;
  std::pair<int, int> VoteOf(const std::string& cell, Day day);
  std::vector<size_t> Candidates(const std::function<bool(const Sim&)>& wanted) const;
  void Add(Sim& sim, Action action);
  void Move(Sim& sim, Day from, const std::string& cell);
  void End(Sim& sim, Day day, mv1::MemberStatus status);
  void Register(Sim& sim, Day not_before);
  const CellInfo& Cell(const std::string& code) const { return *cells_.at(code); }
  PlannedMember& Member(const Sim& sim) { return plan_.members[sim.member]; }
  const PlannedMember& Member(const Sim& sim) const { return plan_.members[sim.member]; }
  Day Birth(const Sim& sim) const { return sim.birth; }
  bool Working(const Sim& sim) const;

  const Plan& org_plan_;
  Random random_{kMembersSeed};
  MembersPlan plan_;
  std::vector<Sim> sims_;
  std::map<std::string, std::unique_ptr<CellInfo>> cells_;
  std::vector<const CellInfo*> cell_order_;
  std::map<std::string, const Org*> orgs_;
  std::map<std::string, std::string> after_restructuring_;  // grassroots code -> its committee from 2025-07-01
  std::set<std::string> citizen_ids_;
  std::map<std::string, int> decision_numbers_;
  int next_card_ = 1200;
  int next_certificate_ = 100;
  std::map<int, int> prospects_per_year_;
};

// ---- cells and places -----------------------------------------------------------------

void MembersBuilder::IndexCells() {
  for (const Org& org : org_plan_.organizations) orgs_[org.code] = &org;
  for (const Org& org : org_plan_.new_organizations) orgs_[org.code] = &org;
  for (const RestructuringStep& step : org_plan_.restructuring) {
    if (step.kind != StepKind::kMerge && step.kind != StepKind::kMove) continue;
    for (const std::string& source : step.source_codes) after_restructuring_[source] = step.target_code;
  }
  std::map<std::string, std::vector<const ResidentialUnit*>> units_by_cell;
  std::set<std::string> ethnic_communes;
  for (const ResidentialUnit& unit : org_plan_.units) {
    if (!unit.covering_cell_code.empty()) units_by_cell[unit.covering_cell_code].push_back(&unit);
    if (absl::StartsWith(unit.display_name, "Bon ")) ethnic_communes.insert(unit.commune_code);
  }
  for (const Org& org : org_plan_.organizations) {
    if (!IsCellType(org.type)) continue;
    auto cell = std::make_unique<CellInfo>();
    cell->org = &org;
    cell->established = ToDay(org.established_on);
    if (!org.active_until.empty()) cell->until = ToDay(org.active_until);
    cell->residential = org.sector == "RESIDENTIAL";
    const Org& parent = *orgs_.at(org.parent_code);
    const bool commune = parent.sector == "COMMUNE" || parent.sector == "TOWNSHIP";
    cell->commune_level = commune;
    cell->grassroots_code = org.type == "CHI_BO_CO_SO" ? org.code : parent.code;
    if (commune) {
      cell->commune_code = parent.code;
      cell->place = parent.display_name.substr(std::string("Đảng bộ ").size());
      cell->ethnic_commune = ethnic_communes.count(parent.code) > 0;
    }
    cell->units = units_by_cell[org.code];
    for (const ResidentialUnit* unit : cell->units) {
      if (absl::StartsWith(unit->display_name, "Bon ")) cell->ethnic_village = true;
    }
    cell_order_.push_back(cell.get());
    cells_[org.code] = std::move(cell);
  }
}

std::string MembersBuilder::ProvincePlace(const std::string& after_code) const {
  const Org& org = *orgs_.at(after_code);
  return std::string(absl::StripPrefix(org.display_name, "Đảng bộ "));
}

Decision MembersBuilder::Numbered(const std::string& body, const std::string& suffix, Day day) {
  int& number = decision_numbers_[absl::StrCat(body, "/", day.year())];
  if (number == 0) number = 1000 + random_.Between(0, 200);
  return {body, absl::StrCat(number++, "-", suffix), Text(day)};
}

Decision MembersBuilder::CompetentCommittee(const CellInfo& cell, Day day) {
  if (day < kRestructuring) return Numbered(kDistrictStanding, "QĐ/HU", day);
  const std::string& after = after_restructuring_.at(cell.grassroots_code);
  if (after == kRootCode) return Numbered(kProvinceStanding, "QĐ/TU", day);
  return Numbered(absl::StrCat("Ban Thường vụ Đảng ủy ", ProvincePlace(after)), "QĐ/ĐU", day);
}

Decision MembersBuilder::GrassrootsCommittee(const CellInfo& cell, Day day) {
  const Org& grassroots = *orgs_.at(cell.grassroots_code);
  if (grassroots.type == "CHI_BO_CO_SO") return Numbered(grassroots.display_name, "QĐ/CB", day);
  if (cell.commune_level && day >= kRestructuring) {
    return Numbered(absl::StrCat("Đảng ủy ", ProvincePlace(after_restructuring_.at(cell.grassroots_code))), "QĐ/ĐU",
                    day);
  }
  return Numbered(absl::StrCat("Đảng ủy ", absl::StripPrefix(grassroots.display_name, "Đảng bộ ")), "QĐ/ĐU", day);
}

Decision MembersBuilder::CellResolution(const CellInfo& cell, Day day) {
  return Numbered(cell.org->display_name, "NQ/CB", day);
}

// ---- people --------------------------------------------------------------------------------

Ethnicity MembersBuilder::EthnicityFor(const CellInfo& cell) {
  if (cell.ethnic_village) {
    return random_.Weighted<Ethnicity>({{70, Ethnicity::kKho}, {12, Ethnicity::kMa}, {8, Ethnicity::kChauMa},
                                        {10, Ethnicity::kKinh}});
  }
  if (cell.ethnic_commune) {
    return random_.Weighted<Ethnicity>({{75, Ethnicity::kKinh}, {17, Ethnicity::kKho}, {5, Ethnicity::kMa},
                                        {3, Ethnicity::kChauMa}});
  }
  if (!cell.residential) {
    return random_.Weighted<Ethnicity>({{89, Ethnicity::kKinh}, {4, Ethnicity::kKho}, {3, Ethnicity::kTay},
                                        {2, Ethnicity::kNung}, {1, Ethnicity::kMa}, {1, Ethnicity::kMuong}});
  }
  return random_.Weighted<Ethnicity>({{870, Ethnicity::kKinh}, {40, Ethnicity::kTay}, {30, Ethnicity::kNung},
                                      {15, Ethnicity::kMuong}, {10, Ethnicity::kThai}, {15, Ethnicity::kHoa},
                                      {10, Ethnicity::kDao}, {10, Ethnicity::kKho}});
}

std::string MembersBuilder::CitizenId(const Origin* origin, bool female, Day birth) {
  const int century_sex = (birth.year() >= 2000 ? 2 : 0) + (female ? 1 : 0);
  for (;;) {
    std::string id = absl::StrFormat("%s%d%02d%06d", origin ? origin->code : "068", century_sex,
                                     static_cast<int>(birth.year() % 100), random_.Between(0, 999999));
    if (citizen_ids_.insert(id).second) return id;
  }
}

void MembersBuilder::NamePerson(Person& person, Ethnicity ethnicity, bool female, Day birth, const CellInfo& cell) {
  auto kinh = [&]() {
    return absl::StrCat(random_.Pick(kKinhFamily), " ", random_.Pick(female ? kFemaleMiddle : kMaleMiddle), " ",
                        random_.Pick(female ? kFemaleGiven : kMaleGiven));
  };
  switch (ethnicity) {
    case Ethnicity::kKinh:
    case Ethnicity::kMuong:
      person.full_name = kinh();
      if (ethnicity == Ethnicity::kMuong) {
        person.full_name = absl::StrCat(random_.Pick(std::vector<std::string>{"Bùi", "Đinh", "Quách", "Hà"}), " ",
                                        female ? "Thị" : "Văn", " ", random_.Pick(female ? kFemaleGiven : kMaleGiven));
      }
      break;
    case Ethnicity::kKho:
    case Ethnicity::kChauMa:
      if (ethnicity == Ethnicity::kKho && random_.Chance(40)) {
        person.full_name =
            absl::StrCat(random_.Pick(kKhoClans), " ", female ? "Ha " : "K'", random_.Pick(kKhoClanGiven));
      } else {
        person.full_name = random_.Pick(female ? kKhoFemale : kKhoMale);
      }
      break;
    case Ethnicity::kMa:
      person.full_name = absl::StrCat("Điểu ", female ? "Thị " : "", random_.Pick(female ? kMaFemale : kMaMale));
      break;
    case Ethnicity::kTay:
    case Ethnicity::kNung:
      person.full_name = absl::StrCat(random_.Pick(ethnicity == Ethnicity::kTay ? kTayFamily : kNungFamily), " ",
                                      female ? "Thị" : "Văn", " ", random_.Pick(female ? kNorthFemale : kNorthMale));
      break;
    case Ethnicity::kHoa:
      person.full_name = absl::StrCat(
          random_.Pick(std::vector<std::string>{"Lý", "Trương", "Quách", "Lâm", "Hứa", "Tăng"}), " ",
          random_.Pick(female ? std::vector<std::string>{"Mỹ", "Tú", "Ngọc"}
                              : std::vector<std::string>{"Quốc", "Vĩnh", "Kiến"}),
          " ", random_.Pick(female ? kFemaleGiven : kMaleGiven));
      break;
    case Ethnicity::kThai:
      person.full_name = absl::StrCat(random_.Pick(std::vector<std::string>{"Lò", "Cầm", "Lường", "Vi"}), " ",
                                      female ? "Thị" : "Văn", " ",
                                      random_.Pick(female ? std::vector<std::string>{"Bun", "Ươi", "Xíu", "Lả"}
                                                          : std::vector<std::string>{"Pánh", "Ún", "Xuân", "Phanh"}));
      break;
    case Ethnicity::kDao:
      person.full_name = absl::StrCat(random_.Pick(std::vector<std::string>{"Triệu", "Bàn", "Lý", "Đặng"}), " ",
                                      female ? "Thị" : "Văn", " ",
                                      random_.Pick(female ? std::vector<std::string>{"Mây", "Mẩy", "Sảy", "Nái"}
                                                          : std::vector<std::string>{"Sinh", "Tả", "Quẩy", "Chàn"}));
      break;
  }
  person.ethnicity = EthnicityName(ethnicity);
  person.ethnicity_code = EthnicityCode(ethnicity);

  // Where the birth was registered: the older Kinh and the northern minorities
  // mostly came from the north; the K'Ho, Mạ and Châu Mạ are born here.
  const Origin* origin = nullptr;
  const int year = static_cast<int>(birth.year());
  if (ethnicity == Ethnicity::kKinh || ethnicity == Ethnicity::kMuong || ethnicity == Ethnicity::kHoa) {
    const double north = year < 1976 ? 45 : year < 1991 ? 22 : 7;
    if (random_.Chance(north)) origin = &random_.Pick(kNorthernKinh);
  } else if (ethnicity == Ethnicity::kTay || ethnicity == Ethnicity::kNung || ethnicity == Ethnicity::kDao ||
             ethnicity == Ethnicity::kThai) {
    if (random_.Chance(year < 1990 ? 65 : 25)) origin = &random_.Pick(kNorthernMinority);
  }
  const std::string here = cell.place.empty() ? std::string("thị trấn Lộc Nguyên") : cell.place;
  if (origin != nullptr) {
    person.birth_place = absl::StrCat(random_.Pick(origin->districts), ", ", origin->province);
    person.home_town = person.birth_place;
  } else {
    person.birth_place = absl::StrCat(here, ", ", kDistrictPlace);
    const bool northern_parents = ethnicity == Ethnicity::kKinh && random_.Chance(45);
    if (northern_parents) {
      const Origin& parents = random_.Pick(kNorthernKinh);
      person.home_town = absl::StrCat(random_.Pick(parents.districts), ", ", parents.province);
    } else {
      person.home_town = person.birth_place;
    }
  }
  person.citizen_id = CitizenId(origin, female, birth);

  const bool highlands = ethnicity == Ethnicity::kKho || ethnicity == Ethnicity::kMa || ethnicity == Ethnicity::kChauMa;
  if (highlands) {
    person.religion = random_.Weighted<std::string>({{70, ""}, {15, "Công giáo"}, {15, "Tin Lành"}});
  } else if (ethnicity == Ethnicity::kKinh) {
    person.religion = random_.Weighted<std::string>({{80, ""}, {9, "Công giáo"}, {9, "Phật giáo"}, {1, "Cao Đài"},
                                                     {1, "Tin Lành"}});
  } else {
    person.religion = random_.Weighted<std::string>({{90, ""}, {10, "Phật giáo"}});
  }
  person.religion_code = ReligionCode(person.religion);
}

const ResidentialUnit* MembersBuilder::HomeUnit(const CellInfo& cell) {
  if (!cell.units.empty()) return random_.Pick(cell.units);
  // Cells of offices live around them: the commune's villages, or for
  // district units the township and the communes next to it.
  std::vector<const ResidentialUnit*> nearby;
  for (const ResidentialUnit& unit : org_plan_.units) {
    if (unit.covering_cell_code.empty()) continue;
    const bool near = cell.commune_level ? unit.commune_code == cell.commune_code
                                         : absl::EndsWith(unit.commune_code, ".TT") ||
                                               absl::EndsWith(unit.commune_code, ".X01") ||
                                               absl::EndsWith(unit.commune_code, ".X02");
    if (near) nearby.push_back(&unit);
  }
  return random_.Pick(nearby);
}

mv1::OccupationCategory MembersBuilder::CategoryFor(const CellInfo& cell, bool imported) {
  const std::string& sector = cell.org->sector;
  using C = mv1::OccupationCategory;
  if (cell.residential) {
    if (imported) {
      return random_.Weighted<C>({{30, mv1::OCCUPATION_CATEGORY_RETIRED},
                                  {38, mv1::OCCUPATION_CATEGORY_FARMER},
                                  {10, mv1::OCCUPATION_CATEGORY_SELF_EMPLOYED},
                                  {5, mv1::OCCUPATION_CATEGORY_WORKER},
                                  {4, mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE},
                                  {2, mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER},
                                  {8, mv1::OCCUPATION_CATEGORY_OTHER}});
    }
    return random_.Weighted<C>({{45, mv1::OCCUPATION_CATEGORY_FARMER},
                                {15, mv1::OCCUPATION_CATEGORY_SELF_EMPLOYED},
                                {10, mv1::OCCUPATION_CATEGORY_WORKER},
                                {10, mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE},
                                {10, mv1::OCCUPATION_CATEGORY_OTHER},
                                {5, mv1::OCCUPATION_CATEGORY_STUDENT},
                                {5, mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER}});
  }
  if (sector == "AGENCY" || sector == "PUBLIC_SERVICE_UNIT") return mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE;
  if (sector == "POLICE") return mv1::OCCUPATION_CATEGORY_ARMED_FORCES;
  if (sector == "MILITARY") {
    // A commune's military cell: its commanders, and militia who farm.
    if (!cell.commune_level) return mv1::OCCUPATION_CATEGORY_ARMED_FORCES;
    return random_.Weighted<C>({{50, mv1::OCCUPATION_CATEGORY_ARMED_FORCES},
                                {40, mv1::OCCUPATION_CATEGORY_FARMER},
                                {10, mv1::OCCUPATION_CATEGORY_OTHER}});
  }
  if (sector == "STATE_ENTERPRISE") {
    return random_.Weighted<C>({{85, mv1::OCCUPATION_CATEGORY_WORKER}, {15, mv1::OCCUPATION_CATEGORY_OTHER}});
  }
  if (sector == "COOPERATIVE") {
    return random_.Weighted<C>({{60, mv1::OCCUPATION_CATEGORY_FARMER},
                                {20, mv1::OCCUPATION_CATEGORY_WORKER},
                                {20, mv1::OCCUPATION_CATEGORY_OTHER}});
  }
  if (sector == "NON_PUBLIC_UNIT") return mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE;
  return random_.Weighted<C>({{80, mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE},
                              {10, mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER},
                              {10, mv1::OCCUPATION_CATEGORY_WORKER}});
}

std::string MembersBuilder::Occupation(const CellInfo& cell, mv1::OccupationCategory category, bool female,
                                       Day birth) {
  const std::string unit(absl::StripPrefix(cell.org->display_name, "Chi bộ "));
  switch (category) {
    case mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE: {
      if (absl::StrContains(unit, "Trường") || absl::StrContains(unit, "Giáo dục")) {
        return absl::StrCat(random_.Weighted<std::string>({{80, "Giáo viên"},
                                                           {8, "Phó Hiệu trưởng"},
                                                           {4, "Hiệu trưởng"},
                                                           {8, "Nhân viên"}}),
                            " ", unit);
      }
      if (absl::StrContains(unit, "Y tế")) {
        return absl::StrCat(random_.Weighted<std::string>({{40, "Bác sĩ"}, {35, "Điều dưỡng"}, {15, "Y sĩ"},
                                                           {10, "Dược sĩ"}}),
                            " ", unit);
      }
      if (cell.commune_level) {
        return absl::StrCat(random_.Pick(std::vector<std::string>{
                                "Công chức Địa chính - Xây dựng", "Công chức Tư pháp - Hộ tịch",
                                "Công chức Văn hóa - Xã hội", "Công chức Văn phòng - Thống kê",
                                "Công chức Tài chính - Kế toán", "Phó Chủ tịch UBND", "Chủ tịch Hội Nông dân",
                                "Chủ tịch Hội Liên hiệp Phụ nữ", "Bí thư Đoàn Thanh niên", "Chủ tịch Ủy ban MTTQ"}),
                            " ", cell.place);
      }
      return absl::StrCat(random_.Weighted<std::string>({{60, "Chuyên viên"}, {15, "Phó Trưởng phòng"},
                                                         {8, "Trưởng phòng"}, {10, "Kế toán"}, {7, "Văn thư"}}),
                          " ", unit);
    }
    case mv1::OCCUPATION_CATEGORY_ARMED_FORCES:
      if (cell.org->sector == "POLICE") {
        return cell.commune_level ? absl::StrCat(random_.Weighted<std::string>({{15, "Trưởng Công an"},
                                                                                {25, "Phó Trưởng Công an"},
                                                                                {60, "Cán bộ Công an"}}),
                                                 " ", cell.place)
                                  : absl::StrCat("Cán bộ ", unit);
      }
      return cell.commune_level ? absl::StrCat(random_.Weighted<std::string>({{30, "Chỉ huy trưởng Ban CHQS"},
                                                                              {40, "Chỉ huy phó Ban CHQS"},
                                                                              {30, "Trung đội trưởng dân quân"}}),
                                               " ", cell.place)
                                : absl::StrCat("Sĩ quan ", unit);
    case mv1::OCCUPATION_CATEGORY_FARMER:
      return random_.Pick(std::vector<std::string>{"Trồng cà phê", "Trồng chè", "Trồng rau, hoa", "Trồng dâu nuôi tằm",
                                                   "Chăn nuôi bò sữa", "Trồng sầu riêng, cà phê"});
    case mv1::OCCUPATION_CATEGORY_RETIRED:
      return random_.Pick(std::vector<std::string>{"Hưu trí (nguyên giáo viên)", "Hưu trí (nguyên cán bộ xã)",
                                                   "Cựu chiến binh, hưu trí", "Hưu trí (nguyên công nhân lâm trường)",
                                                   "Hưu trí (nguyên cán bộ huyện)"});
    case mv1::OCCUPATION_CATEGORY_WORKER:
      return cell.residential ? random_.Pick(std::vector<std::string>{
                                    "Công nhân Công ty TNHH MTV Lâm nghiệp Bảo Nguyên", "Công nhân nhà máy chè",
                                    "Công nhân Điện lực Bảo Nguyên", "Công nhân xây dựng"})
                              : absl::StrCat("Công nhân ", unit);
    case mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE:
      return cell.residential ? random_.Pick(std::vector<std::string>{"Nhân viên Công ty Cổ phần Chè Lộc Nguyên",
                                                                      "Nhân viên Công ty TNHH Tơ lụa Phú Hiệp",
                                                                      "Nhân viên bán hàng", "Kế toán doanh nghiệp"})
                              : absl::StrCat(female ? "Nhân viên " : "Kỹ thuật viên ", unit);
    case mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER:
      return cell.residential ? random_.Pick(std::vector<std::string>{"Chủ cơ sở chế biến cà phê",
                                                                      "Chủ doanh nghiệp tư nhân vận tải",
                                                                      "Chủ cơ sở sản xuất chè"})
                              : absl::StrCat("Giám đốc ", unit);
    case mv1::OCCUPATION_CATEGORY_SELF_EMPLOYED:
      return random_.Pick(std::vector<std::string>{"Kinh doanh tạp hóa", "Thợ xây", "Lái xe", "Buôn bán nông sản",
                                                   "Sửa chữa xe máy"});
    case mv1::OCCUPATION_CATEGORY_STUDENT:
      return random_.Pick(std::vector<std::string>{"Sinh viên Trường Đại học Đà Lạt",
                                                   "Sinh viên Trường Cao đẳng Sư phạm Đà Lạt"});
    case mv1::OCCUPATION_CATEGORY_OTHER:
      return cell.residential ? random_.Pick(std::vector<std::string>{"Trưởng thôn", "Công an viên",
                                                                      "Trưởng ban công tác Mặt trận"})
                              : absl::StrCat("Lao động hợp đồng ", unit);
    default:
      return "";
  }
}

Person MembersBuilder::MakePerson(const CellInfo& cell, mv1::OccupationCategory category, bool female, Day birth,
                                  bool young) {
  Person person;
  person.sex = female ? mv1::SEX_FEMALE : mv1::SEX_MALE;
  person.birth_date = Text(birth);
  person.category = category;
  NamePerson(person, EthnicityFor(cell), female, birth, cell);
  person.occupation = Occupation(cell, category, female, birth);
  const bool cadre = category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE ||
                     category == mv1::OCCUPATION_CATEGORY_ARMED_FORCES;
  const bool highlands = person.ethnicity == "K'Ho" || person.ethnicity == "Mạ" || person.ethnicity == "Châu Mạ";
  using E = mv1::GeneralEducation;
  if (cadre || young) {
    person.education = cadre ? mv1::GENERAL_EDUCATION_UPPER_SECONDARY
                              : random_.Weighted<E>({{highlands ? 60 : 85, mv1::GENERAL_EDUCATION_UPPER_SECONDARY},
                                                     {highlands ? 40 : 15, mv1::GENERAL_EDUCATION_LOWER_SECONDARY}});
  } else if (birth.year() < 1960) {
    person.education = random_.Weighted<E>({{40, mv1::GENERAL_EDUCATION_UPPER_SECONDARY},
                                            {50, mv1::GENERAL_EDUCATION_LOWER_SECONDARY},
                                            {10, mv1::GENERAL_EDUCATION_PRIMARY}});
  } else {
    person.education = random_.Weighted<E>({{highlands ? 55 : 75, mv1::GENERAL_EDUCATION_UPPER_SECONDARY},
                                            {highlands ? 45 : 25, mv1::GENERAL_EDUCATION_LOWER_SECONDARY}});
  }
  using T = mv1::PoliticalTheoryLevel;
  if (category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE) {
    person.theory = young ? mv1::POLITICAL_THEORY_LEVEL_NONE
                          : random_.Weighted<T>({{45, mv1::POLITICAL_THEORY_LEVEL_INTERMEDIATE},
                                                 {35, mv1::POLITICAL_THEORY_LEVEL_ELEMENTARY},
                                                 {8, mv1::POLITICAL_THEORY_LEVEL_ADVANCED},
                                                 {2, mv1::POLITICAL_THEORY_LEVEL_BACHELOR},
                                                 {10, mv1::POLITICAL_THEORY_LEVEL_NONE}});
    person.qualification = random_.Pick(std::vector<std::string>{
        "Cử nhân Kinh tế", "Cử nhân Luật", "Kỹ sư Nông học", "Cử nhân Sư phạm Toán", "Cử nhân Sư phạm Ngữ văn",
        "Thạc sĩ Quản lý kinh tế", "Cử nhân Quản lý đất đai", "Cử nhân Hành chính", "Bác sĩ đa khoa",
        "Cao đẳng Điều dưỡng", "Cử nhân Kế toán", "Kỹ sư Lâm nghiệp"});
  } else if (category == mv1::OCCUPATION_CATEGORY_ARMED_FORCES) {
    person.theory = young ? mv1::POLITICAL_THEORY_LEVEL_NONE
                          : random_.Weighted<T>({{50, mv1::POLITICAL_THEORY_LEVEL_ELEMENTARY},
                                                 {40, mv1::POLITICAL_THEORY_LEVEL_INTERMEDIATE},
                                                 {10, mv1::POLITICAL_THEORY_LEVEL_NONE}});
    person.qualification = cell.org->sector == "POLICE" ? "Trung cấp Công an nhân dân" : "Trung cấp Quân sự cơ sở";
  } else {
    person.theory = young ? mv1::POLITICAL_THEORY_LEVEL_NONE
                          : random_.Weighted<T>({{55, mv1::POLITICAL_THEORY_LEVEL_ELEMENTARY},
                                                 {40, mv1::POLITICAL_THEORY_LEVEL_NONE},
                                                 {5, mv1::POLITICAL_THEORY_LEVEL_INTERMEDIATE}});
    if (random_.Chance(20)) {
      person.qualification = random_.Pick(std::vector<std::string>{"Trung cấp Nông nghiệp", "Sơ cấp nghề",
                                                                   "Cao đẳng Kế toán", "Trung cấp Thú y"});
    }
  }
  const ResidentialUnit* home = HomeUnit(cell);
  person.home_unit_code = home->code;
  const CellInfo& home_cell = Cell(home->covering_cell_code);
  person.permanent_address = absl::StrCat(home->display_name, ", ", home_cell.place, ", ", kDistrictPlace);
  person.current_address = person.permanent_address;
  if (random_.Chance(88)) {
    person.phone = absl::StrFormat("0%s%08d", random_.Pick(std::vector<std::string>{"9", "3", "8", "7"}),
                                   random_.Between(10000000, 99999999));
  }
  if (category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE ? random_.Chance(60) : random_.Chance(8)) {
    std::string handle;
    for (char c : common::api::FoldForSearch(person.full_name)) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) handle.push_back(c);
    }
    person.email = absl::StrCat(handle, random_.Between(1, 99),
                                category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE ? "@lamvien.gov.vn" : "@gmail.com");
  }
  return person;
}

// ---- the imported population -----------------------------------------------------------------

PlannedMember& MembersBuilder::NewImported(const CellInfo& cell, bool probationary) {
  const mv1::OccupationCategory category = CategoryFor(cell, /*imported=*/true);
  double female_share = 35;
  const std::string& sector = cell.org->sector;
  if (sector == "AGENCY") female_share = 45;
  if (sector == "PUBLIC_SERVICE_UNIT") female_share = 62;
  if (sector == "MILITARY") female_share = 6;
  if (sector == "POLICE") female_share = 12;
  if (sector == "STATE_ENTERPRISE") female_share = 25;
  if (sector == "PRIVATE_ENTERPRISE" || sector == "FOREIGN_INVESTED_ENTERPRISE" || sector == "NON_PUBLIC_UNIT") {
    female_share = 45;
  }
  const bool female = random_.Chance(female_share);
  // Birth years by occupation: the retired are 1945-1962; civil servants and
  // soldiers young enough not to retire before 2026.
  int lo = 1950;
  int hi = 1997;
  switch (category) {
    case mv1::OCCUPATION_CATEGORY_RETIRED: lo = 1945; hi = 1962; break;
    case mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE: lo = female ? 1971 : 1966; hi = 1997; break;
    case mv1::OCCUPATION_CATEGORY_ARMED_FORCES: lo = 1972; hi = 1999; break;
    case mv1::OCCUPATION_CATEGORY_FARMER: lo = 1952; hi = 1998; break;
    default: lo = 1958; hi = 1998; break;
  }
  if (probationary) {
    lo = std::max(lo, 1976);
    hi = std::max(hi, lo);
  }
  const Day birth = Day(random_.Between(lo, hi), random_.Between(1, 12), random_.Between(1, 28));

  plan_.members.emplace_back();
  PlannedMember& member = plan_.members.back();
  member.imported = true;
  member.person = MakePerson(cell, category, female, birth, false);
  member.person.external_id = absl::StrFormat("BN-%06d", static_cast<int>(plan_.members.size()));
  member.cell_code = cell.code();

  Day ceremony;
  if (probationary) {
    ceremony = *random_.DayIn(Day(2019, 1, 10), Day(2019, 12, 10));
  } else {
    const int age = random_.Chance(80) ? random_.Between(19, 34) : random_.Between(35, 48);
    Day earliest = Day(birth.year() + age, random_.Between(1, 12), random_.Between(1, 28));
    const Day adult = Day(birth.year() + 18, birth.month(), birth.day()) + 30;
    earliest = std::max(earliest, adult);
    ceremony = std::min(earliest, Day(2018, 12, 20));
    if (ceremony < adult) ceremony = adult;  // the young: admitted soon after 18
  }
  const Day decided = ceremony - random_.Between(7, 24);
  const Day joined_lo = std::max(ceremony, cell.established + 10);
  const Day joined_hi = Day(2019, 12, 31);
  Day joined = probationary ? std::max(ceremony, joined_lo) : random_.DayIn(joined_lo, joined_hi).value_or(joined_lo);
  if (joined < ceremony) joined = ceremony;
  member.status = probationary ? mv1::MEMBER_STATUS_PROBATIONARY : mv1::MEMBER_STATUS_OFFICIAL;
  member.decision_date = Text(decided);
  member.ceremony_date = Text(ceremony);
  if (!probationary) {
    member.official_date = Text(AddMonths(ceremony, 12));
    next_card_ += random_.Between(1, 40);
    member.party_card_number = absl::StrFormat("68.%06d", next_card_);
  }
  member.joined_cell_on = Text(joined);

  Sim sim;
  sim.member = plan_.members.size() - 1;
  sim.status = member.status;
  sim.start = joined;
  sim.last = joined;
  sim.cells.push_back({joined, cell.code()});
  if (probationary) {
    sim.probation_end = AddMonths(ceremony, 12);
  } else {
    sim.official_since = AddMonths(ceremony, 12);
  }
  sim.quality = random_.Weighted<int>({{25, 0}, {200, 1}, {650, 2}, {125, 3}});
  sim.birth = birth;
  sims_.push_back(sim);
  return member;
}

void MembersBuilder::ImportPopulation() {
  for (const CellInfo* cell : cell_order_) {
    if (cell->established > Day(2019, 6, 30)) continue;  // founded later: staffed by transfers
    const int count = std::max(3, static_cast<int>(std::lround(cell->org->members * kImportShare)));
    for (int i = 0; i < count; ++i) {
      // Probationary members on the import day: admitted in 2019, outside the
      // cells that end before their probation would.
      const bool probationary = !cell->until && random_.Chance(5);
      NewImported(*cell, probationary);
    }
  }
}

// ---- helpers ----------------------------------------------------------------------------------

void MembersBuilder::Add(Sim& sim, Action action) {
  if (action.IsLifecycle()) sim.last = ToDay(action.date);
  Member(sim).actions.push_back(std::move(action));
}

void MembersBuilder::Move(Sim& sim, Day from, const std::string& cell) { sim.cells.push_back({from, cell}); }

void MembersBuilder::End(Sim& sim, Day day, mv1::MemberStatus status) {
  sim.status = status;
  sim.ended = day;
}

int MembersBuilder::Counted(Day day) const {
  int count = 0;
  for (const Sim& sim : sims_) count += sim.CountedOn(day) ? 1 : 0;
  return count;
}

int MembersBuilder::Eligible(const std::string& cell, Day day) const {
  int count = 0;
  for (const Sim& sim : sims_) {
    if (sim.OfficialOn(day) && sim.CellOn(day) == cell && !(sim.exempt_since && *sim.exempt_since <= day)) ++count;
  }
  return std::max(count, 3);
}

std::pair<int, int> MembersBuilder::VoteOf(const std::string& cell, Day day) {
  const int eligible = Eligible(cell, day);
  int in_favour = eligible;
  // Now and then a member votes against or is absent; always above two thirds.
  if (eligible >= 6 && random_.Chance(25)) in_favour -= random_.Between(1, std::max(1, eligible / 6));
  return {in_favour, eligible};
}

std::vector<size_t> MembersBuilder::Candidates(const std::function<bool(const Sim&)>& wanted) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < sims_.size(); ++i) {
    if (wanted(sims_[i])) out.push_back(i);
  }
  return out;
}

bool MembersBuilder::Working(const Sim& sim) const {
  // QĐ 213 concerns members who work in an agency, unit or enterprise: their
  // cell is not where they live.
  static const std::set<mv1::OccupationCategory> kWorking = {
      mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE, mv1::OCCUPATION_CATEGORY_ARMED_FORCES,
      mv1::OCCUPATION_CATEGORY_WORKER, mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE,
      mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER};
  return kWorking.count(Member(sim).person.category) > 0 && !Cell(sim.cell()).residential;
}

void MembersBuilder::Register(Sim& sim, Day not_before) {
  if (sim.registered || !sim.Active() || !Working(sim)) return;
  const PlannedMember& member = Member(sim);
  const CellInfo& cell = Cell(sim.cell());
  const std::optional<Day> on = random_.DayIn(not_before + 10, std::min(not_before + 90, kHistoryEnd));
  if (!on || !sim.CountedOn(*on) || sim.CellOn(*on) != sim.cell()) return;
  const ResidentialUnit* home = nullptr;
  for (const ResidentialUnit& unit : org_plan_.units) {
    if (unit.code == member.person.home_unit_code) home = &unit;
  }
  Action action;
  action.kind = ActionKind::kRegisterResidence;
  action.date = Text(*on);
  action.cell_code = home->covering_cell_code;
  action.text = member.person.permanent_address;
  action.end_date = Text(*on - random_.Between(3, 12));
  // HD 33 1.1: soldiers and police of the district units live in barracks.
  const bool barracks = member.person.category == mv1::OCCUPATION_CATEGORY_ARMED_FORCES && !cell.commune_level;
  if (barracks) {
    action.number = mv1::RESIDENCE_EXEMPTION_NO_YEARLY_FEEDBACK;
    action.text2 = "Lực lượng vũ trang ở trong doanh trại (Hướng dẫn 33-HD/BTCTW, mục 1.1)";
  }
  sim.registered = true;
  sim.feedback_expected = !barracks;
  sim.residence_cell = home->covering_cell_code;
  sim.registered_on = *on;
  Add(sim, std::move(action));
}

// ---- the years -----------------------------------------------------------------------------

void MembersBuilder::Recognitions(int year) {
  for (Sim& sim : sims_) {
    if (sim.status != mv1::MEMBER_STATUS_PROBATIONARY || !sim.probation_end || sim.probation_end->year() != year ||
        sim.ended) {
      continue;
    }
    const Day end = *sim.probation_end;
    const CellInfo& cell = Cell(sim.cell());
    if (sim.quality == 0 && random_.Chance(40)) {
      // Not recognized: proposed for xóa tên once probation is over.
      const std::optional<Day> on = random_.DayIn(end + 10, std::min(end + 30, kHistoryEnd));
      if (!on) continue;
      Action action;
      action.kind = ActionKind::kRemove;
      action.date = Text(*on);
      action.number = mv1::REMOVAL_TRIGGER_PROBATION_NOT_RECOGNIZED;
      action.decision = CompetentCommittee(cell, *on);
      action.text = "Không đủ điều kiện công nhận đảng viên chính thức";
      Add(sim, std::move(action));
      End(sim, *on, mv1::MEMBER_STATUS_REMOVED);
      continue;
    }
    std::optional<Day> signed_on = random_.DayIn(end + 5, std::min(end + 28, kHistoryEnd));
    if (!signed_on) signed_on = random_.DayIn(end + 1, kHistoryEnd);
    if (!signed_on) continue;  // probation ends too late in 2025: still probationary
    auto [in_favour, eligible] = VoteOf(cell.code(), *signed_on);
    Action action;
    action.kind = ActionKind::kRecognize;
    action.date = Text(*signed_on);
    action.in_favour = in_favour;
    action.eligible = eligible;
    action.decision = CompetentCommittee(cell, *signed_on);
    Add(sim, std::move(action));
    sim.status = mv1::MEMBER_STATUS_OFFICIAL;
    sim.official_since = end;
    sim.probation_end.reset();
  }
}

void MembersBuilder::EndingCells(int year) {
  // Cells that end in the restructuring: their members leave before, handed
  // to the vertical committee (outside this tree) or moved to another cell.
  for (const CellInfo* cell : cell_order_) {
    if (!cell->until || cell->until->year() != year) continue;
    const Org& grassroots = *orgs_.at(cell->grassroots_code);
    std::string outside;
    std::string receiving_cell;
    for (const RestructuringStep& step : org_plan_.restructuring) {
      if (step.source_codes.front() != grassroots.code) continue;
      if (step.kind == StepKind::kHandOver) outside = orgs_.at(step.target_code)->display_name;
    }
    if (outside.empty()) receiving_cell = absl::StrCat(kDistrictCode, ".G02.C2");
    for (Sim& sim : sims_) {
      if (!sim.Active() || sim.cell() != cell->code() || sim.away) continue;
      const std::optional<Day> on = random_.DayIn(std::max(sim.last + 1, *cell->until - 20), *cell->until - 8);
      if (!on) continue;
      Action start;
      start.kind = ActionKind::kStartTransfer;
      start.date = Text(*on);
      start.number = mv1::TRANSFER_KIND_OFFICIAL;
      start.decision = Numbered("Ban Tổ chức Huyện ủy Bảo Nguyên", "GGT/BTCHU", *on);
      if (!outside.empty()) {
        start.text = outside;
        start.text2 = "Chuyển theo tổ chức đảng về đảng bộ cấp trên theo ngành dọc";
        Add(sim, std::move(start));
        // Presented at the receiving committee before the cell ends: the member leaves this tree.
        const Day presented = std::min(*on + random_.Between(2, 6), *cell->until - 1);
        Action complete;
        complete.kind = ActionKind::kCompleteTransfer;
        complete.date = Text(presented);
        Add(sim, std::move(complete));
        End(sim, presented, mv1::MEMBER_STATUS_TRANSFERRED_OUT);
        continue;
      }
      start.cell_code = receiving_cell;
      start.text2 = "Sắp xếp tổ chức bộ máy, chuyển công tác";
      Add(sim, std::move(start));
      const Day presented = *on + random_.Between(2, 5);
      Action complete;
      complete.kind = ActionKind::kCompleteTransfer;
      complete.date = Text(presented);
      Add(sim, std::move(complete));
      Move(sim, presented, receiving_cell);
    }
  }
}

void MembersBuilder::NewCells(int year) {
  // Chi bộ founded in enterprises and cooperatives after 2020: three official
  // members transfer in when the cell is set up.
  for (const CellInfo* cell : cell_order_) {
    if (cell->established.year() != year || cell->established <= Day(2019, 6, 30)) continue;
    const std::string& sector = cell->org->sector;
    const mv1::OccupationCategory wanted = sector == "COOPERATIVE" ? mv1::OCCUPATION_CATEGORY_FARMER
                                                                   : mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE;
    std::vector<size_t> candidates = Candidates([&](const Sim& sim) {
      return sim.Active() && sim.status == mv1::MEMBER_STATUS_OFFICIAL && !sim.exempt_since && !sim.away &&
             Cell(sim.cell()).residential && Member(sim).person.category == wanted &&
             AgeOn(Birth(sim), cell->established) < 55 && sim.last < cell->established;
    });
    for (int n = 0; n < 3 && !candidates.empty(); ++n) {
      const size_t pick = static_cast<size_t>(random_.Between(0, static_cast<int>(candidates.size()) - 1));
      Sim& sim = sims_[candidates[pick]];
      candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(pick));
      const Day on = cell->established + random_.Between(2, 10);
      Action start;
      start.kind = ActionKind::kStartTransfer;
      start.date = Text(on);
      start.number = mv1::TRANSFER_KIND_OFFICIAL;
      start.cell_code = cell->code();
      start.text2 = absl::StrCat("Sinh hoạt tại chi bộ mới thành lập ở nơi làm việc");
      start.decision = Numbered("Ban Tổ chức Huyện ủy Bảo Nguyên", "GGT/BTCHU", on);
      Add(sim, std::move(start));
      const Day presented = on + random_.Between(3, 10);
      Action complete;
      complete.kind = ActionKind::kCompleteTransfer;
      complete.date = Text(presented);
      Add(sim, std::move(complete));
      Move(sim, presented, cell->code());
      Register(sim, presented);
    }
  }
}

void MembersBuilder::Prospect(int year, bool admitted, std::optional<mv1::OccupationCategory> forced_category) {
  const Day year_start(year, 1, 10);
  const Day year_end = year == 2025 ? Day(2025, 11, 25) : Day(year, 12, 10);
  const Day decided = *random_.DayIn(year_start, year_end);
  // A cell that exists from the introduction until well after the ceremony.
  std::vector<std::pair<int, const CellInfo*>> choices;
  for (const CellInfo* cell : cell_order_) {
    if (!cell->ActiveOn(decided - 300) || (cell->until && *cell->until < decided + 450)) continue;
    choices.push_back({std::max(1, cell->org->members), cell});
  }
  const CellInfo& cell = *random_.Weighted<const CellInfo*>(choices);
  bool female = random_.Chance(cell.residential ? 42 : 50);
  mv1::OccupationCategory category = forced_category ? *forced_category : CategoryFor(cell, /*imported=*/false);
  if (category == mv1::OCCUPATION_CATEGORY_ARMED_FORCES) female = random_.Chance(10);
  const int age = random_.Chance(85) ? random_.Between(19, 32) : random_.Between(33, 45);
  const Day birth =
      Day(decided.year() - age, random_.Between(1, 12), random_.Between(1, 28)) - random_.Between(60, 200);

  const Day introduced = decided - random_.Between(160, 240);
  const Day awareness = introduced + random_.Between(20, 55);
  const Day dossier = awareness + random_.Between(30, 80);
  const Day vote = std::min(dossier + random_.Between(7, 25), decided - 10);
  const Day ceremony = decided + random_.Between(7, 24);

  plan_.members.emplace_back();
  PlannedMember& member = plan_.members.back();
  member.person = MakePerson(cell, category, female, birth, /*young=*/true);
  member.person.external_id = absl::StrFormat("BN-K%d-%04d", year, ++prospects_per_year_[year]);
  member.cell_code = cell.code();
  member.introduced_on = Text(introduced);
  const std::string where =
      cell.commune_level ? cell.place : std::string(absl::StripPrefix(cell.org->display_name, "Chi bộ "));
  if (age <= 30 && random_.Chance(75)) {
    member.introduced_by = absl::StrCat(cell.commune_level ? "Đoàn TNCS Hồ Chí Minh " : "Chi đoàn ", where);
  } else if (!cell.commune_level) {
    member.introduced_by = absl::StrCat("Công đoàn cơ sở ", where);
  } else {
    member.introduced_by = absl::StrCat(
        female ? "Hội Liên hiệp Phụ nữ "
               : random_.Pick(std::vector<std::string>{"Hội Nông dân ", "Hội Cựu chiến binh "}),
        where);
  }

  Sim sim;
  sim.member = plan_.members.size() - 1;
  sim.status = mv1::MEMBER_STATUS_PROSPECT;
  sim.last = introduced;
  sim.cells.push_back({introduced, cell.code()});
  sim.quality = random_.Weighted<int>({{20, 0}, {200, 1}, {640, 2}, {140, 3}});
  sim.birth = birth;

  Action awareness_class;
  awareness_class.kind = ActionKind::kAwarenessClass;
  awareness_class.date = Text(awareness);
  awareness_class.text = absl::StrFormat("%d/GCN-%s", ++next_certificate_, awareness < kRestructuring ? "TTCT" : "TCT");
  awareness_class.decision = {awareness < kRestructuring ? kDistrictSchool : kProvinceSchool,
                              absl::StrFormat("%d/GCN", next_certificate_), Text(awareness)};
  Add(sim, std::move(awareness_class));

  if (!admitted) {
    const Day abandoned = awareness + random_.Between(40, 120);
    Action abandon;
    abandon.kind = ActionKind::kAbandon;
    abandon.date = Text(std::min(abandoned, kHistoryEnd));
    abandon.text = random_.Pick(std::vector<std::string>{"Chuyển đi làm ăn xa, không tiếp tục hoàn thiện hồ sơ",
                                                         "Tự nguyện xin rút hồ sơ đề nghị kết nạp",
                                                         "Thẩm tra lý lịch chưa đủ điều kiện"});
    Add(sim, std::move(abandon));
    sim.status = mv1::MEMBER_STATUS_NOT_ADMITTED;
    sim.ended = abandoned;
    sim.start = abandoned + 1;
    sims_.push_back(sim);
    return;
  }
  Action dossier_done;
  dossier_done.kind = ActionKind::kDossierCompleted;
  dossier_done.date = Text(dossier);
  Add(sim, std::move(dossier_done));

  auto [in_favour, eligible] = VoteOf(cell.code(), vote);
  Action cell_vote;
  cell_vote.kind = ActionKind::kCellVote;
  cell_vote.date = Text(vote);
  cell_vote.in_favour = in_favour;
  cell_vote.eligible = eligible;
  cell_vote.text = absl::StrFormat("%02d-NQ/CB", random_.Between(1, 40));
  Add(sim, std::move(cell_vote));

  Action decide;
  decide.kind = ActionKind::kDecideAdmission;
  decide.decision = CompetentCommittee(cell, decided);
  decide.date = decide.decision.signed_on;
  Add(sim, std::move(decide));

  Action held;
  held.kind = ActionKind::kCeremony;
  held.date = Text(ceremony);
  Add(sim, std::move(held));

  sim.status = mv1::MEMBER_STATUS_PROBATIONARY;
  sim.start = ceremony;
  sim.cells.front().first = ceremony;
  sim.probation_end = AddMonths(ceremony, 12);
  sims_.push_back(sim);

  // Every new member attends the new-member class within a few months.
  Sim& stored = sims_.back();
  const Day class_start = ceremony + random_.Between(20, 75);
  if (class_start + 5 <= kHistoryEnd) {
    Action training;
    training.kind = ActionKind::kTraining;
    training.date = Text(class_start);
    training.end_date = Text(class_start + random_.Between(4, 6));
    training.text = "Lớp bồi dưỡng lý luận chính trị dành cho đảng viên mới";
    training.text2 = "NEW_MEMBER";
    training.certificate = absl::StrFormat("%d/GCN-ĐVM", ++next_certificate_);
    training.provider = class_start < kRestructuring ? kDistrictSchool : kProvinceSchool;
    Add(stored, std::move(training));
  }
  Register(stored, ceremony);
}

void MembersBuilder::Admissions(int year) {
  const int counted = Counted(Day(year - 1, 12, 31));
  const int admitted = static_cast<int>(std::lround(kAdmissionRate.at(year) * counted));
  // NQ 21 asks for private business owners among the new members (S7).
  for (int i = 0; i < admitted; ++i) {
    std::optional<mv1::OccupationCategory> forced;
    if ((year == 2022 || year == 2024) && i == 0) forced = mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER;
    Prospect(year, true, forced);
  }
  const int abandoned = static_cast<int>(std::lround(admitted * 0.07));
  for (int i = 0; i < abandoned; ++i) Prospect(year, false, std::nullopt);
}

void MembersBuilder::Transfers(int year) {
  const int count = static_cast<int>(std::lround(0.008 * Counted(Day(year, 1, 1))));
  for (int n = 0; n < count; ++n) {
    std::vector<size_t> candidates = Candidates([&](const Sim& sim) {
      if (!sim.Active() || sim.status != mv1::MEMBER_STATUS_OFFICIAL || sim.exempt_since || sim.away) return false;
      const CellInfo& cell = Cell(sim.cell());
      return !cell.until && AgeOn(Birth(sim), Day(year, 6, 1)) < 58 && sim.last < Day(year, 10, 1) &&
             (cell.residential || cell.org->sector == "AGENCY" || cell.org->sector == "PUBLIC_SERVICE_UNIT");
    });
    if (candidates.empty()) return;
    Sim& sim = sims_[random_.Pick(candidates)];
    const CellInfo& from = Cell(sim.cell());
    std::vector<const CellInfo*> destinations;
    for (const CellInfo* cell : cell_order_) {
      if (cell->code() == from.code() || cell->until || cell->established > Day(year, 1, 1)) continue;
      const bool same_kind = from.residential ? cell->residential && cell->commune_code != from.commune_code
                                              : (cell->org->sector == "AGENCY" ||
                                                 cell->org->sector == "PUBLIC_SERVICE_UNIT");
      if (same_kind) destinations.push_back(cell);
    }
    const CellInfo& to = *random_.Pick(destinations);
    const std::optional<Day> on = random_.DayIn(std::max(sim.last + 7, Day(year, 2, 1)), Day(year, 11, 15));
    if (!on) continue;
    Action start;
    start.kind = ActionKind::kStartTransfer;
    start.date = Text(*on);
    start.number = mv1::TRANSFER_KIND_OFFICIAL;
    start.cell_code = to.code();
    start.text2 = from.residential ? "Chuyển nơi cư trú" : "Chuyển công tác";
    start.decision = *on < kRestructuring ? Numbered("Ban Tổ chức Huyện ủy Bảo Nguyên", "GGT/BTCHU", *on)
                                          : GrassrootsCommittee(from, *on);
    Add(sim, std::move(start));
    const Day presented = *on + random_.Between(5, 25);
    Action complete;
    complete.kind = ActionKind::kCompleteTransfer;
    complete.date = Text(presented);
    Add(sim, std::move(complete));
    Move(sim, presented, to.code());
    if (to.residential && !from.residential) {
      // A member moving home: the new address is in the receiving cell's village.
      Member(sim).person.home_unit_code = to.units.empty() ? Member(sim).person.home_unit_code : to.units.front()->code;
    }
    Register(sim, presented);
  }
}

void MembersBuilder::TransfersOut(int year) {
  const int count = static_cast<int>(std::lround(0.005 * Counted(Day(year, 1, 1))));
  const std::vector<std::string> destinations = {
      "Đảng bộ Phường 2, thành phố Đà Lạt, tỉnh Lâm Đồng",
      "Chi bộ Khu phố 3, Đảng bộ phường Lộc Sơn, thành phố Bảo Lộc, tỉnh Lâm Đồng",
      "Đảng bộ phường Tân Phong, thành phố Biên Hòa, tỉnh Đồng Nai",
      "Đảng bộ phường Linh Trung, thành phố Thủ Đức, Thành phố Hồ Chí Minh",
      "Đảng bộ xã Hải Anh, huyện Hải Hậu, tỉnh Nam Định",
      "Đảng bộ thị trấn Ea Kar, huyện Ea Kar, tỉnh Đắk Lắk"};
  for (int n = 0; n < count; ++n) {
    std::vector<size_t> candidates = Candidates([&](const Sim& sim) {
      return sim.Active() && sim.status == mv1::MEMBER_STATUS_OFFICIAL && !sim.exempt_since && !sim.away &&
             !Cell(sim.cell()).until && AgeOn(Birth(sim), Day(year, 6, 1)) < 62 && sim.last < Day(year, 11, 1);
    });
    if (candidates.empty()) return;
    Sim& sim = sims_[random_.Pick(candidates)];
    const std::optional<Day> on = random_.DayIn(std::max(sim.last + 7, Day(year, 1, 15)), Day(year, 12, 15));
    if (!on) continue;
    Action start;
    start.kind = ActionKind::kStartTransfer;
    start.date = Text(*on);
    start.number = mv1::TRANSFER_KIND_OFFICIAL;
    start.text = random_.Pick(destinations);
    start.text2 = random_.Pick(std::vector<std::string>{"Chuyển nơi cư trú", "Chuyển công tác ngoài tỉnh",
                                                        "Theo gia đình chuyển nơi ở"});
    start.decision = *on < kRestructuring ? Numbered("Ban Tổ chức Huyện ủy Bảo Nguyên", "GGT/BTCHU", *on)
                                          : CompetentCommittee(Cell(sim.cell()), *on);
    Add(sim, std::move(start));
    // The receiving committee's acknowledgement, recorded as the presentation.
    const Day presented = std::min(*on + random_.Between(5, 25), kHistoryEnd);
    Action complete;
    complete.kind = ActionKind::kCompleteTransfer;
    complete.date = Text(presented);
    Add(sim, std::move(complete));
    End(sim, presented, mv1::MEMBER_STATUS_TRANSFERRED_OUT);
  }
}

void MembersBuilder::Temporary(int year) {
  // Civil servants sent to study (outside the tree), and one seconded to another commune.
  for (int n = 0; n < 3; ++n) {
    const bool training = n < 2;
    std::vector<size_t> candidates = Candidates([&](const Sim& sim) {
      if (!sim.Active() || sim.status != mv1::MEMBER_STATUS_OFFICIAL || sim.exempt_since || sim.away) return false;
      const CellInfo& cell = Cell(sim.cell());
      return Member(sim).person.category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE && !cell.until &&
             (training || (cell.commune_level && cell.org->sector == "AGENCY")) && sim.last < Day(year, 3, 1) &&
             AgeOn(Birth(sim), Day(year, 1, 1)) < 50;
    });
    if (candidates.empty()) continue;
    Sim& sim = sims_[random_.Pick(candidates)];
    const Day on = *random_.DayIn(std::max(sim.last + 7, Day(year, 2, 15)), Day(year, 4, 30));
    const Day planned_end = AddMonths(on, training ? random_.Between(6, 11) : random_.Between(4, 10));
    Action start;
    start.kind = ActionKind::kStartTransfer;
    start.date = Text(on);
    start.end_date = Text(planned_end);
    start.decision = on < kRestructuring ? Numbered("Ban Tổ chức Huyện ủy Bảo Nguyên", "GGT/BTCHU", on)
                                         : GrassrootsCommittee(Cell(sim.cell()), on);
    if (training) {
      start.number = mv1::TRANSFER_KIND_TEMPORARY_TRAINING;
      start.text = random_.Pick(std::vector<std::string>{
          "Chi bộ Lớp Cao cấp lý luận chính trị, Học viện Chính trị khu vực II",
          "Chi bộ Học viên, Trường Chính trị tỉnh Lâm Viên"});
      start.text2 = "Học tập tập trung";
      Add(sim, std::move(start));
      Action complete;
      complete.kind = ActionKind::kCompleteTransfer;
      complete.date = Text(on + random_.Between(3, 10));
      Add(sim, std::move(complete));
    } else {
      const CellInfo& from = Cell(sim.cell());
      std::vector<const CellInfo*> hosts;
      for (const CellInfo* cell : cell_order_) {
        if (cell->commune_level && cell->org->sector == "AGENCY" && cell->commune_code != from.commune_code) {
          hosts.push_back(cell);
        }
      }
      start.number = mv1::TRANSFER_KIND_TEMPORARY_WORK;
      start.cell_code = random_.Pick(hosts)->code();
      start.text2 = "Tăng cường cán bộ có thời hạn";
      Add(sim, std::move(start));
      Action complete;
      complete.kind = ActionKind::kCompleteTransfer;
      complete.date = Text(on + random_.Between(3, 7));
      Add(sim, std::move(complete));
    }
    if (planned_end <= kHistoryEnd) {
      Action back;
      back.kind = ActionKind::kEndTemporary;
      back.date = Text(planned_end);
      Add(sim, std::move(back));
    } else {
      sim.away = true;  // still away when the history ends
    }
  }
}

void MembersBuilder::Exemptions(int year) {
  for (Sim& sim : sims_) {
    if (!sim.Active() || sim.status != mv1::MEMBER_STATUS_OFFICIAL || sim.exempt_since || sim.away) continue;
    if (!Cell(sim.cell()).residential) continue;
    const int age = AgeOn(Birth(sim), Day(year, 6, 30));
    if (age < 70 || !random_.Chance(age >= 80 ? 14 : 7)) continue;
    const std::optional<Day> on = random_.DayIn(std::max(sim.last + 1, Day(year, 1, 15)), Day(year, 11, 30));
    if (!on) continue;
    Action action;
    action.kind = ActionKind::kExempt;
    action.date = Text(*on);
    action.text = age >= 78 || random_.Chance(60) ? "ADVANCED_AGE" : "POOR_HEALTH";
    action.decision = CellResolution(Cell(sim.cell()), *on);
    Add(sim, std::move(action));
    sim.exempt_since = *on;
  }
}

void MembersBuilder::Removals(int year) {
  for (Sim& sim : sims_) {
    if (!sim.Active() || sim.status != mv1::MEMBER_STATUS_OFFICIAL || sim.quality != 0 || sim.away) continue;
    const int age = AgeOn(Birth(sim), Day(year, 6, 30));
    if (age < 25 || age > 62 || !random_.Chance(22)) continue;
    const std::optional<Day> on = random_.DayIn(std::max(sim.last + 1, Day(year, 3, 1)), Day(year, 11, 30));
    if (!on) continue;
    Action action;
    action.kind = ActionKind::kRemove;
    action.date = Text(*on);
    action.number = year >= 2022 && random_.Chance(30) ? mv1::REMOVAL_TRIGGER_STANDARDS_TWO_YEARS
                                                       : mv1::REMOVAL_TRIGGER_QUIT_OR_UNPAID_DUES;
    action.decision = CompetentCommittee(Cell(sim.cell()), *on);
    action.text = action.number == mv1::REMOVAL_TRIGGER_QUIT_OR_UNPAID_DUES
                      ? "Bỏ sinh hoạt đảng, không đóng đảng phí 3 tháng trong năm không có lý do chính đáng"
                      : "Hai năm liền vi phạm tư cách đảng viên";
    Add(sim, std::move(action));
    End(sim, *on, mv1::MEMBER_STATUS_REMOVED);
  }
  if (year == 2022) {
    // One member leaves the Party on request (cho ra khỏi Đảng).
    std::vector<size_t> candidates = Candidates([&](const Sim& sim) {
      return sim.Active() && sim.status == mv1::MEMBER_STATUS_OFFICIAL && !sim.away && sim.quality == 1 &&
             Cell(sim.cell()).residential && AgeOn(Birth(sim), Day(year, 1, 1)) < 55 && sim.last < Day(year, 5, 1);
    });
    if (!candidates.empty()) {
      Sim& sim = sims_[candidates.front()];
      const Day on = *random_.DayIn(std::max(sim.last + 1, Day(year, 5, 1)), Day(year, 9, 30));
      Action action;
      action.kind = ActionKind::kLeave;
      action.date = Text(on);
      action.decision = CompetentCommittee(Cell(sim.cell()), on);
      action.text = "Xin ra khỏi Đảng vì hoàn cảnh gia đình đặc biệt khó khăn";
      Add(sim, std::move(action));
      End(sim, on, mv1::MEMBER_STATUS_LEFT);
    }
  }
}

void MembersBuilder::Deaths(int year) {
  for (Sim& sim : sims_) {
    if (!sim.Active() || sim.status == mv1::MEMBER_STATUS_PROSPECT || sim.away) continue;
    const int age = AgeOn(Birth(sim), Day(year, 6, 30));
    const double hazard = age >= 85 ? 9 : age >= 80 ? 6 : age >= 75 ? 3.5 : age >= 70 ? 2 : age >= 60 ? 0.6 : 0.1;
    if (!random_.Chance(hazard)) continue;
    const std::optional<Day> on = random_.DayIn(std::max(sim.last + 1, Day(year, 1, 5)), Day(year, 12, 20));
    if (!on) continue;
    Action action;
    action.kind = ActionKind::kDecease;
    action.date = Text(*on);
    action.text = "Từ trần";
    Add(sim, std::move(action));
    End(sim, *on, mv1::MEMBER_STATUS_DECEASED);
  }
}

void MembersBuilder::YearlyRecords(int year) {
  for (Sim& sim : sims_) {
    if (sim.status == mv1::MEMBER_STATUS_PROSPECT || sim.status == mv1::MEMBER_STATUS_NOT_ADMITTED) continue;
    PlannedMember& member = Member(sim);
    const mv1::OccupationCategory category = member.person.category;
    // Residence liaison (QĐ 213) starts for the imported working members in 2020.
    if (year == 2020 && member.imported) Register(sim, Day(2020, 2, 20));

    // Commitment: cadres, civil servants and the armed forces, early in the year.
    if (category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE || category == mv1::OCCUPATION_CATEGORY_ARMED_FORCES) {
      const Day lo = std::max(Day(year, 1, 5), sim.start + 15);
      const std::optional<Day> on = random_.DayIn(lo, std::min(lo + 70, Day(year, 12, 20)));
      if (on && sim.CountedOn(*on) && random_.Chance(97)) {
        Action action;
        action.kind = ActionKind::kCommitment;
        action.date = Text(*on);
        action.year = year;
        action.text = absl::StrCat("Cam kết tu dưỡng, rèn luyện, giữ gìn phẩm chất đạo đức, lối sống; không có biểu "
                                   "hiện \"tự diễn biến\", \"tự chuyển hóa\"; hoàn thành tốt nhiệm vụ được giao năm ",
                                   year);
        Add(sim, std::move(action));
      }
    }
    // The residence cell's feedback, in December.
    if (sim.registered && sim.feedback_expected && sim.registered_on < Day(year, 11, 1)) {
      const Day on = Day(year, 12, random_.Between(5, 26));
      if (sim.CountedOn(on) && Working(sim) && random_.Chance(year == 2025 ? 94 : 97)) {
        Action action;
        action.kind = ActionKind::kResidenceFeedback;
        action.date = Text(on);
        action.year = year;
        action.cell_code = sim.residence_cell;
        const int assessment = random_.Weighted<int>({{85, mv1::FEEDBACK_ASSESSMENT_GOOD},
                                                     {13, mv1::FEEDBACK_ASSESSMENT_SATISFACTORY},
                                                     {2, mv1::FEEDBACK_ASSESSMENT_SHORTCOMINGS}});
        action.number = assessment;
        action.text = assessment == mv1::FEEDBACK_ASSESSMENT_GOOD
                          ? "Gương mẫu thực hiện nghĩa vụ công dân và các quy định của địa phương nơi cư trú"
                      : assessment == mv1::FEEDBACK_ASSESSMENT_SATISFACTORY
                          ? "Thực hiện đúng quy định nơi cư trú; cần tham gia nhiều hơn các hoạt động của thôn"
                          : "Chưa tham gia sinh hoạt tại nơi cư trú, chưa đóng góp các khoản quỹ của thôn";
        action.text2 = random_.Chance(80) ? "Bí thư chi bộ" : "Phó Bí thư chi bộ";
        Add(sim, std::move(action));
      }
    }
    // Rating, decided in December by the grassroots committee.
    if (year >= kFirstRatedYear) {
      const Day on = Day(year, 12, random_.Between(10, 28));
      const bool exempt = sim.exempt_since && *sim.exempt_since <= on;
      const bool long_enough = sim.start <= Day(year, 6, 30);
      if (sim.CountedOn(on) && !exempt && long_enough) {
        const CellInfo& cell = Cell(sim.CellOn(on));
        Action action;
        action.kind = ActionKind::kRating;
        action.date = Text(on);
        action.year = year;
        action.cell_code = cell.code();
        int whole = 0;
        switch (sim.quality) {
          case 0: whole = random_.Chance(35) ? random_.Between(38, 49) : random_.Between(52, 68); break;
          case 1: whole = random_.Between(64, 84); break;
          case 2: whole = random_.Between(72, 89); break;
          default: whole = random_.Chance(75) ? random_.Between(90, 97) : random_.Between(84, 89); break;
        }
        action.score = whole + (random_.Chance(30) ? 0.5 : 0.0);
        action.decision = GrassrootsCommittee(cell, on);
        Add(sim, std::move(action));
      }
    }
    // Intermediate political theory for a few civil servants.
    if (category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE &&
        member.person.theory < mv1::POLITICAL_THEORY_LEVEL_INTERMEDIATE && year <= 2024 && random_.Chance(4)) {
      const Day start = Day(year, random_.Between(3, 5), random_.Between(1, 28));
      if (sim.CountedOn(start) && sim.start < start) {
        Action action;
        action.kind = ActionKind::kTraining;
        action.date = Text(start);
        action.end_date = Text(start + random_.Between(230, 270));
        action.text = "Trung cấp lý luận chính trị - hành chính";
        action.text2 = "POLITICAL_THEORY";
        action.certificate = absl::StrFormat("%d/TCLLCT", ++next_certificate_);
        action.provider = kProvinceSchool;
        Add(sim, std::move(action));
      }
    }
  }
}

void MembersBuilder::Year(int year) {
  Recognitions(year);
  EndingCells(year);
  NewCells(year);
  Admissions(year);
  Transfers(year);
  TransfersOut(year);
  Temporary(year);
  Exemptions(year);
  Removals(year);
  Deaths(year);
  YearlyRecords(year);
}

MembersPlan MembersBuilder::Build() {
  IndexCells();
  ImportPopulation();
  for (int year = 2020; year <= 2025; ++year) Year(year);

  // Each member's calls in date order; on one day the lifecycle event comes
  // last (a yearly record needs a member still counted).
  for (PlannedMember& member : plan_.members) {
    std::stable_sort(member.actions.begin(), member.actions.end(), [](const Action& a, const Action& b) {
      if (a.date != b.date) return a.date < b.date;
      return !a.IsLifecycle() && b.IsLifecycle();
    });
  }
  // The marker: the 2025 rating of the first member who has one.
  for (size_t m = 0; m < plan_.members.size(); ++m) {
    const std::vector<Action>& actions = plan_.members[m].actions;
    for (size_t a = 0; a < actions.size(); ++a) {
      if (actions[a].kind == ActionKind::kRating && actions[a].year == 2025 && a + 1 == actions.size()) {
        plan_.marker_member = m;
        plan_.marker_action = a;
        return std::move(plan_);
      }
    }
  }
  return std::move(plan_);
}

// ---- CSV --------------------------------------------------------------------------------------

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string Dmy(const std::string& iso) {
  if (iso.empty()) return "";
  return absl::StrCat(iso.substr(8, 2), "/", iso.substr(5, 2), "/", iso.substr(0, 4));
}

const char* CategoryText(mv1::OccupationCategory category) {
  switch (category) {
    case mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE: return "Cán bộ, công chức, viên chức";
    case mv1::OCCUPATION_CATEGORY_ARMED_FORCES: return "Lực lượng vũ trang";
    case mv1::OCCUPATION_CATEGORY_WORKER: return "Công nhân";
    case mv1::OCCUPATION_CATEGORY_FARMER: return "Nông dân";
    case mv1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER: return "Chủ doanh nghiệp";
    case mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE: return "Người lao động trong doanh nghiệp";
    case mv1::OCCUPATION_CATEGORY_STUDENT: return "Học sinh, sinh viên";
    case mv1::OCCUPATION_CATEGORY_RETIRED: return "Nghỉ hưu";
    case mv1::OCCUPATION_CATEGORY_SELF_EMPLOYED: return "Lao động tự do";
    default: return "Khác";
  }
}

const char* EducationText(mv1::GeneralEducation education) {
  switch (education) {
    case mv1::GENERAL_EDUCATION_PRIMARY: return "5/12";
    case mv1::GENERAL_EDUCATION_LOWER_SECONDARY: return "9/12";
    case mv1::GENERAL_EDUCATION_UPPER_SECONDARY: return "12/12";
    default: return "";
  }
}

const char* TheoryText(mv1::PoliticalTheoryLevel level) {
  switch (level) {
    case mv1::POLITICAL_THEORY_LEVEL_NONE: return "Không";
    case mv1::POLITICAL_THEORY_LEVEL_ELEMENTARY: return "Sơ cấp";
    case mv1::POLITICAL_THEORY_LEVEL_INTERMEDIATE: return "Trung cấp";
    case mv1::POLITICAL_THEORY_LEVEL_ADVANCED: return "Cao cấp";
    case mv1::POLITICAL_THEORY_LEVEL_BACHELOR: return "Cử nhân";
    default: return "";
  }
}

}  // namespace

MembersPlan BuildMembersPlan(const Plan& org_plan) { return MembersBuilder(org_plan).Build(); }

std::string ImportCsv(const MembersPlan& plan, size_t begin, size_t end) {
  std::string out =
      "Mã,Họ và tên,Giới tính,Ngày sinh,Nơi sinh,Quê quán,Dân tộc,Tôn giáo,Số CCCD,Số thẻ đảng viên,Nhóm nghề "
      "nghiệp,Nghề nghiệp,Trình độ văn hóa,Chuyên môn,Lý luận chính trị,Nơi thường trú,Nơi ở hiện nay,Điện thoại,"
      "Email,Chi bộ,Trạng thái,Ngày quyết định kết nạp,Ngày vào Đảng,Ngày chính thức,Ngày sinh hoạt tại chi bộ\r\n";
  for (size_t i = begin; i < end && i < plan.members.size(); ++i) {
    const PlannedMember& m = plan.members[i];
    if (!m.imported) continue;
    const Person& p = m.person;
    const std::vector<std::string> fields = {
        p.external_id, p.full_name, p.sex == mv1::SEX_FEMALE ? "Nữ" : "Nam", Dmy(p.birth_date), p.birth_place,
        p.home_town, p.ethnicity, p.religion.empty() ? "Không" : p.religion, p.citizen_id, m.party_card_number,
        CategoryText(p.category), p.occupation, EducationText(p.education), p.qualification, TheoryText(p.theory),
        p.permanent_address, p.current_address, p.phone, p.email, m.cell_code,
        m.status == mv1::MEMBER_STATUS_OFFICIAL ? "Chính thức" : "Dự bị", Dmy(m.decision_date), Dmy(m.ceremony_date),
        Dmy(m.official_date), Dmy(m.joined_cell_on)};
    std::vector<std::string> quoted;
    for (const std::string& field : fields) quoted.push_back(CsvField(field));
    absl::StrAppend(&out, absl::StrJoin(quoted, ","), "\r\n");
  }
  return out;
}

MembersCounts CountMembers(const MembersPlan& plan) {
  MembersCounts counts;
  std::map<int, int> by_year;
  for (const PlannedMember& member : plan.members) {
    ++counts.members;
    ++counts.calls;  // the import row or CreateMember
    if (member.imported) {
      ++counts.imported;
    } else {
      ++counts.prospects;
    }
    for (const Action& action : member.actions) {
      ++counts.calls;
      switch (action.kind) {
        case ActionKind::kDecideAdmission: ++by_year[std::stoi(action.date.substr(0, 4))]; break;
        case ActionKind::kCeremony: ++counts.admitted; break;
        case ActionKind::kAbandon: ++counts.abandoned; break;
        case ActionKind::kRecognize: ++counts.recognized; break;
        case ActionKind::kStartTransfer:
          ++counts.transfers;
          if (action.cell_code.empty() && action.number == mv1::TRANSFER_KIND_OFFICIAL) ++counts.transfers_out;
          break;
        case ActionKind::kExempt: ++counts.exempted; break;
        case ActionKind::kRemove: ++counts.removed; break;
        case ActionKind::kLeave: ++counts.left; break;
        case ActionKind::kDecease: ++counts.deceased; break;
        case ActionKind::kRating: ++counts.ratings; break;
        case ActionKind::kRegisterResidence: ++counts.registrations; break;
        case ActionKind::kResidenceFeedback: ++counts.feedback; break;
        case ActionKind::kCommitment: ++counts.commitments; break;
        case ActionKind::kTraining: ++counts.trainings; break;
        default: break;
      }
    }
  }
  for (const auto& [year, n] : by_year) counts.admissions_by_year.push_back({year, n});
  return counts;
}

}  // namespace grassroots::demo
