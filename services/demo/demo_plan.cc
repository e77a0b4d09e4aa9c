#include "services/demo/demo_plan.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace grassroots::demo {
namespace {

constexpr uint64_t kSeed = 20250701;
constexpr char kProvinceBody[] = "Ban Thường vụ Tỉnh ủy Lâm Viên";
constexpr char kDistrictBody[] = "Ban Thường vụ Huyện ủy Bảo Nguyên";

// std::mt19937_64's output sequence is fixed by the standard (unlike the
// standard distributions), so the plan is the same on every platform.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  int Between(int lo, int hi) { return lo + static_cast<int>(engine_() % static_cast<uint64_t>(hi - lo + 1)); }
  bool Chance(int percent) { return Between(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) { return items[static_cast<size_t>(Between(0, static_cast<int>(items.size()) - 1))]; }
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[static_cast<size_t>(Between(0, static_cast<int>(i) - 1))]);
  }

 private:
  std::mt19937_64 engine_;
};

std::string Day(int y, int m, int d) { return absl::FormatCivilTime(absl::CivilDay(y, m, d)); }
absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  absl::ParseCivilTime(text, &day);
  return day;
}
std::string AddDays(const std::string& text, int days) { return absl::FormatCivilTime(ParseDay(text) + days); }
std::string Later(const std::string& a, const std::string& b) { return a < b ? b : a; }

const std::vector<std::string> kFamilyNames = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
                                               "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lương"};
const std::vector<std::string> kMiddleNames = {"Văn", "Thị", "Đức", "Minh", "Hữu", "Thanh", "Ngọc", "Quang", "Xuân"};
const std::vector<std::string> kGivenNames = {"An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hòa", "Hùng",
                                              "Hương", "Lan", "Long", "Mai", "Nam", "Nga", "Phúc", "Quý", "Sơn",
                                              "Tâm", "Thảo", "Tuấn", "Vinh", "Yến", "Khánh", "Lộc", "Trung"};
const std::vector<std::string> kKhoNames = {"K'Brăk", "K'Vin", "K'Tiếp", "K'Dung", "K'Hoan", "K'Nhít",
                                            "Ka Hiền", "Ka Thoa", "Ka Nguyệt", "Ka Sương", "Ka Bích"};
const std::vector<std::string> kNamedVillages = {"Tân Lập", "Đồng Tâm", "Hòa Bình", "Thống Nhất", "Tân Tiến",
                                                 "Phú Thịnh", "An Bình", "Minh Long", "Trung Hòa", "Quyết Thắng",
                                                 "Tân Hà", "Thanh Xuân", "Vĩnh Hòa", "Nam Sơn", "Bắc Sơn", "Đông Hưng"};
const std::vector<std::string> kEthnicVillages = {"Bon Đạ Nhar", "Bon Kon Sê", "Bon Răng Mơr", "Bon Đạ Tro",
                                                  "Bon Lang Ria", "Bon K'Nai", "Bon Đạ Rsal", "Bon Liêng Trang"};
const std::vector<std::string> kThematicTopics = {
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ theo Nghị quyết 21-NQ/TW",
    "Vai trò của đảng viên trong xây dựng nông thôn mới",
    "Phát triển đảng viên ở thôn, tổ dân phố",
    "Phòng, chống biểu hiện \"tự diễn biến\", \"tự chuyển hóa\"",
    "Đảng viên gương mẫu trong bảo vệ rừng và môi trường",
    "Chuyển đổi số trong công tác đảng",
    "Tổng kết công tác năm và phương hướng năm tới"};
const std::vector<std::string> kModelTitles = {
    "Mô hình \"Dân vận khéo\" trong vận động hiến đất làm đường",
    "Mô hình đảng viên giúp hộ nghèo phát triển cà phê bền vững",
    "Cách làm sáng tạo: sổ tay sinh hoạt chi bộ điện tử",
    "Mô hình \"Camera an ninh\" gắn với tổ tự quản",
    "Mô hình chi bộ gắn với tổ hợp tác sản xuất chè sạch",
    "Cách làm sáng tạo trong phát triển đảng viên là chủ doanh nghiệp",
    "Mô hình \"Thôn không có người vi phạm pháp luật\"",
    "Mô hình đảng viên kèm cặp quần chúng ưu tú",
    "Mô hình \"Mỗi đảng viên một việc làm thiết thực\"",
    "Cách làm sáng tạo: nhắc việc hằng tháng qua nhóm Zalo chi bộ"};

struct CommuneSpec {
  const char* suffix;
  const char* name;     // place name only
  bool township;
  int units;
  bool ethnic;          // K'Ho villages (bon) among its units
  int merge_group;      // index into the new commune-level committees
  bool uncovered_last;  // its last village has no cell yet
  bool shared_last;     // its last two villages share one cell
  int extra_cells;      // school / health station cells
};
const CommuneSpec kCommunes[] = {
    {"TT", "Lộc Nguyên", true, 12, false, 0, false, false, 2},
    {"X01", "Lộc Vĩnh", false, 11, false, 0, false, false, 1},
    {"X02", "Lộc Phước", false, 10, false, 0, false, true, 0},
    {"X03", "Lộc Điền", false, 12, false, 0, false, false, 1},
    {"X04", "Lộc Sơn Thượng", false, 9, true, 1, true, false, 0},
    {"X05", "Tân Nguyên", false, 11, false, 1, false, false, 1},
    {"X06", "Đạ Kria", false, 10, true, 1, true, false, 0},
    {"X07", "Hòa Lâm", false, 13, false, 1, false, true, 1},
    {"X08", "Phú Hiệp", false, 11, false, 2, false, false, 1},
    {"X09", "Đinh Lạc Tây", false, 10, true, 2, true, false, 0},
    {"X10", "Bảo Thuận Đông", false, 12, false, 2, false, false, 1},
    {"X11", "Liên Sơn Hạ", false, 11, false, 3, false, true, 0},
    {"X12", "Ka Đô Mới", false, 9, true, 3, true, false, 0},
    {"X13", "Ninh Gia Thượng", false, 9, false, 3, false, false, 0},
};

struct NewCommuneSpec {
  const char* suffix;
  const char* name;
};
const NewCommuneSpec kNewCommunes[] = {
    {"XA1", "Đảng bộ xã Bảo Nguyên"},
    {"XA2", "Đảng bộ xã Tân Nguyên"},
    {"XA3", "Đảng bộ xã Phú Hiệp"},
    {"XA4", "Đảng bộ xã Liên Sơn"},
};

// Where a district-level grassroots organization goes on 1 July 2025.
enum class Fate { kToProvince, kToNewCommune, kHandOverMilitary, kHandOverPolice, kDissolve };

struct GrassrootsSpec {
  const char* suffix;
  const char* name;
  const char* type;
  const char* sector;
  const char* established_on;
  int min_members;
  int max_members;
  std::vector<const char*> cells;  // chi bộ trực thuộc of a đảng bộ cơ sở
  Fate fate;
  int new_commune = 0;             // for kToNewCommune
};

std::vector<GrassrootsSpec> DistrictGrassroots() {
  const char* kDbcs = "DANG_BO_CO_SO";
  const char* kCbcs = "CHI_BO_CO_SO";
  return {
      {"G01", "Đảng bộ Cơ quan Chính quyền huyện", kDbcs, "AGENCY", "1992-03-12", 0, 0,
       {"Văn phòng HĐND và UBND huyện", "Phòng Tài chính - Kế hoạch", "Phòng Nội vụ",
        "Phòng Tài nguyên và Môi trường", "Phòng Kinh tế và Hạ tầng", "Phòng Nông nghiệp và Phát triển nông thôn",
        "Phòng Lao động - Thương binh và Xã hội"},
       Fate::kToNewCommune, 0},
      {"G02", "Đảng bộ các cơ quan Đảng - Mặt trận - Đoàn thể huyện", kDbcs, "AGENCY", "1992-03-12", 0, 0,
       {"Văn phòng Huyện ủy", "Ban Tổ chức - Ủy ban Kiểm tra Huyện ủy", "Ban Tuyên giáo - Dân vận Huyện ủy",
        "Ủy ban Mặt trận Tổ quốc huyện", "Các đoàn thể chính trị - xã hội huyện"},
       Fate::kToNewCommune, 0},
      {"G03", "Đảng bộ Trung tâm Y tế huyện", kDbcs, "PUBLIC_SERVICE_UNIT", "1995-08-20", 0, 0,
       {"Khối Hành chính", "Khối Điều trị", "Khối Cận lâm sàng", "Khối Y tế dự phòng"}, Fate::kToProvince},
      {"G04", "Đảng bộ Quân sự huyện", kDbcs, "MILITARY", "1979-05-02", 0, 0,
       {"Ban Chỉ huy", "Cơ quan Tham mưu", "Cơ quan Chính trị - Hậu cần"}, Fate::kHandOverMilitary},
      {"G05", "Đảng bộ Công an huyện", kDbcs, "POLICE", "1979-05-02", 0, 0,
       {"Đội Tham mưu - Tổng hợp", "Đội Cảnh sát điều tra", "Đội An ninh", "Đội Cảnh sát giao thông - Trật tự",
        "Đội Cảnh sát quản lý hành chính"},
       Fate::kHandOverPolice},
      {"G06", "Đảng bộ Công ty TNHH MTV Lâm nghiệp Bảo Nguyên", kDbcs, "STATE_ENTERPRISE", "1997-11-05", 0, 0,
       {"Văn phòng Công ty", "Lâm trường Đạ Kria", "Lâm trường Lộc Sơn"}, Fate::kToProvince},
      {"G07", "Chi bộ Tòa án nhân dân huyện", kCbcs, "AGENCY", "1986-04-10", 6, 12, {}, Fate::kToProvince},
      {"G08", "Chi bộ Viện Kiểm sát nhân dân huyện", kCbcs, "AGENCY", "1986-04-10", 7, 13, {}, Fate::kToProvince},
      {"G09", "Chi bộ Chi cục Thi hành án dân sự huyện", kCbcs, "AGENCY", "1994-06-15", 5, 9, {}, Fate::kToProvince},
      {"G10", "Chi bộ Chi cục Thuế khu vực Bảo Nguyên", kCbcs, "AGENCY", "1991-09-01", 10, 22, {}, Fate::kToProvince},
      {"G11", "Chi bộ Kho bạc Nhà nước huyện", kCbcs, "AGENCY", "1990-07-12", 6, 10, {}, Fate::kToProvince},
      {"G12", "Chi bộ Bảo hiểm xã hội huyện", kCbcs, "AGENCY", "1996-02-01", 6, 11, {}, Fate::kToProvince},
      {"G13", "Chi bộ Chi cục Thống kê huyện", kCbcs, "AGENCY", "1988-03-03", 3, 6, {}, Fate::kToProvince},
      {"G14", "Chi bộ Hạt Kiểm lâm huyện", kCbcs, "AGENCY", "1987-12-20", 10, 18, {}, Fate::kToProvince},
      {"G15", "Chi bộ Phòng Giáo dục và Đào tạo huyện", kCbcs, "AGENCY", "1985-05-05", 7, 12, {}, Fate::kToNewCommune, 0},
      {"G16", "Chi bộ Phòng Văn hóa - Thông tin huyện", kCbcs, "AGENCY", "1990-10-10", 4, 7, {}, Fate::kToNewCommune, 0},
      {"G17", "Chi bộ Phòng Tư pháp huyện", kCbcs, "AGENCY", "1993-01-15", 3, 5, {}, Fate::kToNewCommune, 0},
      {"G18", "Chi bộ Thanh tra huyện", kCbcs, "AGENCY", "1989-08-08", 4, 7, {}, Fate::kDissolve},
      {"G19", "Chi bộ Ngân hàng Chính sách xã hội huyện", kCbcs, "PUBLIC_SERVICE_UNIT", "2003-04-04", 5, 9, {}, Fate::kToProvince},
      {"G20", "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Bảo Nguyên", kCbcs, "STATE_ENTERPRISE",
       "1993-05-20", 9, 16, {}, Fate::kToProvince},
      {"G21", "Chi bộ Điện lực Bảo Nguyên", kCbcs, "STATE_ENTERPRISE", "1998-12-01", 9, 15, {}, Fate::kToProvince},
      {"G22", "Chi bộ Trường THPT Bảo Nguyên", kCbcs, "PUBLIC_SERVICE_UNIT", "1984-09-05", 15, 26, {}, Fate::kToProvince},
      {"G23", "Chi bộ Trường THPT Lộc Vĩnh", kCbcs, "PUBLIC_SERVICE_UNIT", "1996-09-05", 12, 20, {}, Fate::kToProvince},
      {"G24", "Chi bộ Trường THPT Tân Nguyên", kCbcs, "PUBLIC_SERVICE_UNIT", "2001-09-05", 10, 18, {}, Fate::kToProvince},
      {"G25", "Chi bộ Trường THPT Phú Hiệp", kCbcs, "PUBLIC_SERVICE_UNIT", "2006-09-05", 9, 16, {}, Fate::kToProvince},
      {"G26", "Chi bộ Trường Phổ thông Dân tộc nội trú huyện", kCbcs, "PUBLIC_SERVICE_UNIT", "1999-09-05", 9, 15, {},
       Fate::kToProvince},
      {"G27", "Chi bộ Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện", kCbcs, "PUBLIC_SERVICE_UNIT",
       "2008-10-01", 6, 11, {}, Fate::kToProvince},
      {"G28", "Chi bộ Trung tâm Văn hóa - Thông tin - Thể thao huyện", kCbcs, "PUBLIC_SERVICE_UNIT", "2005-06-06", 5, 9,
       {}, Fate::kToNewCommune, 0},
      {"G29", "Chi bộ Trung tâm Dịch vụ nông nghiệp huyện", kCbcs, "PUBLIC_SERVICE_UNIT", "2010-02-02", 5, 10, {},
       Fate::kToNewCommune, 0},
      {"G30", "Chi bộ Ban Quản lý dự án đầu tư xây dựng huyện", kCbcs, "PUBLIC_SERVICE_UNIT", "2007-03-15", 4, 8, {},
       Fate::kToNewCommune, 0},
      {"G31", "Chi bộ Trung tâm Phát triển quỹ đất huyện", kCbcs, "PUBLIC_SERVICE_UNIT", "2012-07-01", 3, 6, {},
       Fate::kToNewCommune, 0},
      {"G32", "Chi bộ Ban Quản lý rừng phòng hộ Đạ Kria", kCbcs, "PUBLIC_SERVICE_UNIT", "2000-04-01", 6, 11, {},
       Fate::kToProvince},
      {"G33", "Chi bộ Ban Quản lý rừng phòng hộ Liên Sơn", kCbcs, "PUBLIC_SERVICE_UNIT", "2002-04-01", 5, 10, {},
       Fate::kToProvince},
      {"G34", "Chi bộ Công ty Cổ phần Chè Lộc Nguyên", kCbcs, "PRIVATE_ENTERPRISE", "2009-08-19", 4, 8, {},
       Fate::kToNewCommune, 0},
      {"G35", "Chi bộ Công ty TNHH Cà phê Hòa Lâm", kCbcs, "PRIVATE_ENTERPRISE", "2014-03-26", 3, 6, {},
       Fate::kToNewCommune, 1},
      {"G36", "Chi bộ Công ty Cổ phần Khoáng sản Bảo Nguyên", kCbcs, "PRIVATE_ENTERPRISE", "2011-11-11", 4, 9, {},
       Fate::kToNewCommune, 2},
      {"G37", "Chi bộ Công ty TNHH Tơ lụa Phú Hiệp", kCbcs, "FOREIGN_INVESTED_ENTERPRISE", "2012-05-15", 3, 7, {},
       Fate::kToNewCommune, 2},
      {"G38", "Chi bộ Công ty TNHH Nông sản Cao Nguyên Xanh", kCbcs, "FOREIGN_INVESTED_ENTERPRISE", "2023-05-19", 3, 4,
       {}, Fate::kToNewCommune, 3},
      {"G39", "Chi bộ Hợp tác xã Nông nghiệp Cà phê Lộc Vĩnh", kCbcs, "COOPERATIVE", "2010-01-20", 3, 6, {},
       Fate::kToNewCommune, 0},
      {"G40", "Chi bộ Quỹ Tín dụng nhân dân Lộc Nguyên", kCbcs, "COOPERATIVE", "2004-06-30", 3, 5, {},
       Fate::kToNewCommune, 0},
      {"G41", "Chi bộ Hợp tác xã Dâu tằm Phú Hiệp", kCbcs, "COOPERATIVE", "2021-04-12", 3, 4, {}, Fate::kToNewCommune, 2},
      {"G42", "Chi bộ Trường Mầm non tư thục Hoa Mai", kCbcs, "NON_PUBLIC_UNIT", "2022-03-08", 3, 4, {},
       Fate::kToNewCommune, 0},
      {"G43", "Chi bộ Phòng khám đa khoa tư nhân An Tâm", kCbcs, "NON_PUBLIC_UNIT", "2016-10-20", 3, 5, {},
       Fate::kToNewCommune, 1},
      {"G44", "Chi bộ Công ty TNHH Du lịch sinh thái Thác Mây", kCbcs, "PRIVATE_ENTERPRISE", "2021-09-15", 3, 4, {},
       Fate::kToNewCommune, 3},
  };
}

class Builder {
 public:
  Plan Build();

 private:
  Decision DistrictDecision(const std::string& signed_on) {
    return {kDistrictBody, absl::StrCat(next_district_number_++, "-QĐ/HU"), signed_on};
  }
  Decision ProvinceDecision(const std::string& signed_on) {
    return {kProvinceBody, absl::StrCat(next_province_number_++, "-QĐ/TU"), signed_on};
  }
  Decision UpperDecision(const Org& org, const std::string& signed_on) {
    const Org& parent = orgs_by_code_.at(org.parent_code);
    if (parent.type == "DANG_BO_TINH" || parent.type == "DANG_BO_HUYEN") {
      return parent.type == "DANG_BO_TINH" ? ProvinceDecision(signed_on) : DistrictDecision(signed_on);
    }
    return {absl::StrCat("Ban Chấp hành ", parent.display_name), absl::StrCat(next_local_number_++, "-QĐ/ĐU"),
            signed_on};
  }
  std::string PersonName(bool kho) {
    if (kho) return absl::StrCat(random_.Pick(kKhoNames), " ", random_.Pick(std::vector<std::string>{"Bền", "Sơn", "Hà", "Thủy", "Dung"}));
    return absl::StrCat(random_.Pick(kFamilyNames), " ", random_.Pick(kMiddleNames), " ", random_.Pick(kGivenNames));
  }
  // Returns a copy: later additions may move the vector's elements.
  Org Add(Org org) {
    plan_.organizations.push_back(org);
    orgs_by_code_[org.code] = org;
    return org;
  }
  // A founding date for a child: after its parent's, within [from_year, to_year].
  std::string FoundedAfter(const std::string& parent_code, int from_year, int to_year) {
    std::string date = Day(random_.Between(from_year, to_year), random_.Between(1, 12), random_.Between(1, 28));
    return Later(date, AddDays(orgs_by_code_.at(parent_code).established_on, random_.Between(10, 200)));
  }
  void AddPartyGroups(const Org& cell);
  void AddCommunes();
  void AddDistrictGrassroots();
  void AddActivity();
  void AddTerms(const Org& org);
  void AddMeetings(const Org& cell);
  void AddRestructuring();
  void AddRatingsOf2025();

  Random random_{kSeed};
  Plan plan_;
  std::map<std::string, Org> orgs_by_code_;
  int next_district_number_ = 101;
  int next_province_number_ = 301;
  int next_local_number_ = 11;
  std::vector<std::pair<std::string, Fate>> district_fates_;
  std::map<std::string, int> new_commune_of_;
  std::vector<std::string> communes_;
};

void Builder::AddPartyGroups(const Org& cell) {
  // Only the largest cells split into party groups (Điều lệ Art. 24.1).
  if (cell.members < 36) return;
  int groups = cell.members >= 38 ? 3 : 2;
  for (int g = 1; g <= groups; ++g) {
    Org group;
    group.code = absl::StrCat(cell.code, ".TD", g);
    group.display_name = absl::StrCat("Tổ đảng số ", g);
    group.type = "TO_DANG";
    group.sector = cell.sector;
    group.parent_code = cell.code;
    group.established_on = AddDays(cell.established_on, 30 + g);
    group.members = cell.members / groups;
    group.active_until = cell.active_until;
    group.decision = {cell.display_name, absl::StrCat(g, "-NQ/CB"), group.established_on};
    Add(group);
  }
}

void Builder::AddCommunes() {
  const std::string district = kDistrictCode;
  int commune_index = 0;
  for (const CommuneSpec& spec : kCommunes) {
    Org commune;
    commune.code = absl::StrCat(district, ".", spec.suffix);
    commune.display_name = absl::StrCat(spec.township ? "Đảng bộ thị trấn " : "Đảng bộ xã ", spec.name);
    commune.type = "DANG_BO_CO_SO";
    commune.sector = spec.township ? "TOWNSHIP" : "COMMUNE";
    commune.parent_code = district;
    commune.established_on = FoundedAfter(district, 1977, 1990);
    commune.decision = DistrictDecision(commune.established_on);
    commune.active_until = kRestructuringDate;
    Org added = Add(commune);
    new_commune_of_[added.code] = spec.merge_group;
    communes_.push_back(added.code);
    const std::string place = absl::StrCat(spec.township ? "thị trấn " : "xã ", spec.name);

    // Villages / residential groups and the cells that cover them.
    std::vector<ResidentialUnit> units;
    for (int i = 1; i <= spec.units; ++i) {
      ResidentialUnit unit;
      unit.code = absl::StrCat(commune.code, ".T", absl::StrFormat("%02d", i));
      if (spec.township) {
        unit.display_name = absl::StrCat("Tổ dân phố ", i);
        unit.kind = 2;
      } else if (spec.ethnic && i % 3 == 0) {
        unit.display_name = kEthnicVillages[static_cast<size_t>(commune_index + i) % kEthnicVillages.size()];
      } else if (i % 4 == 1 && i > 1) {
        unit.display_name = absl::StrCat("Thôn ", kNamedVillages[static_cast<size_t>(commune_index + i) % kNamedVillages.size()]);
      } else {
        unit.display_name = absl::StrCat("Thôn ", i);
      }
      unit.commune_code = commune.code;
      bool kho = spec.ethnic && i % 3 == 0;
      unit.head_name = PersonName(kho);
      unit.head_is_member = random_.Chance(72);
      unit.front_head_name = PersonName(kho);
      unit.front_head_is_member = random_.Chance(58);
      unit.established_on = Later(commune.established_on, Day(random_.Between(1978, 2012), random_.Between(1, 12), 1));
      unit.households = random_.Between(spec.township ? 180 : 70, spec.township ? 420 : 260);
      units.push_back(unit);
    }
    const int last = spec.units - 1;
    for (int i = 0; i < spec.units; ++i) {
      if (spec.uncovered_last && i == last) continue;
      if (spec.shared_last && i == last) {
        units[static_cast<size_t>(i)].covering_cell_code = units[static_cast<size_t>(i - 1)].covering_cell_code;
        continue;
      }
      Org cell;
      cell.code = absl::StrCat(commune.code, ".C", absl::StrFormat("%02d", i + 1));
      std::string unit_name = units[static_cast<size_t>(i)].display_name;
      if (unit_name.rfind("Thôn ", 0) == 0) unit_name = absl::StrCat("thôn ", unit_name.substr(std::string("Thôn ").size()));
      if (unit_name.rfind("Bon ", 0) == 0) unit_name = absl::StrCat("bon ", unit_name.substr(std::string("Bon ").size()));
      if (spec.shared_last && i == last - 1) {
        std::string next = units[static_cast<size_t>(last)].display_name;
        next = next.rfind("Thôn ", 0) == 0 ? absl::StrCat("thôn ", next.substr(std::string("Thôn ").size())) : next;
        cell.display_name = absl::StrCat("Chi bộ ", unit_name, " - ", next);
      } else {
        cell.display_name = absl::StrCat("Chi bộ ", unit_name);
      }
      cell.type = "CHI_BO_TRUC_THUOC";
      cell.sector = "RESIDENTIAL";
      cell.parent_code = commune.code;
      cell.established_on = Later(units[static_cast<size_t>(i)].established_on, FoundedAfter(commune.code, 1980, 2016));
      cell.members = random_.Between(6, 38);
      cell.decision = UpperDecision(cell, cell.established_on);
      units[static_cast<size_t>(i)].covering_cell_code = cell.code;
      Org cell_added = Add(cell);
      AddPartyGroups(cell_added);
    }
    for (auto& unit : units) plan_.units.push_back(unit);

    // The commune's own cells: its offices, military and police, schools.
    struct Extra {
      std::string suffix, name, sector;
      int lo, hi;
    };
    std::vector<Extra> extras = {
        {"CQ", absl::StrCat("Chi bộ Cơ quan Đảng ủy - HĐND - UBND ", place), "AGENCY", 14, 28},
        {"QS", absl::StrCat("Chi bộ Quân sự ", place), "MILITARY", 5, 12},
        {"CA", absl::StrCat("Chi bộ Công an ", place), "POLICE", 4, 10},
    };
    const char* schools[] = {"Chi bộ Trường THCS ", "Chi bộ Trường Tiểu học ", "Chi bộ Trạm Y tế "};
    for (int e = 0; e < spec.extra_cells; ++e) {
      extras.push_back({absl::StrCat("S", e + 1), absl::StrCat(schools[(commune_index + e) % 3], spec.name),
                        "PUBLIC_SERVICE_UNIT", 5, 15});
    }
    for (const Extra& extra : extras) {
      Org cell;
      cell.code = absl::StrCat(commune.code, ".", extra.suffix);
      cell.display_name = extra.name;
      cell.type = "CHI_BO_TRUC_THUOC";
      cell.sector = extra.sector;
      cell.commune_military_cell = extra.suffix == "QS";
      cell.parent_code = commune.code;
      cell.established_on = FoundedAfter(commune.code, 1980, 2010);
      cell.members = random_.Between(extra.lo, extra.hi);
      cell.decision = UpperDecision(cell, cell.established_on);
      Add(cell);
    }
    // A đảng bộ cơ sở's size is the sum of its cells.
    int total = 0;
    for (const Org& org : plan_.organizations) {
      if (org.parent_code == commune.code && org.type == "CHI_BO_TRUC_THUOC") total += org.members;
    }
    for (Org& org : plan_.organizations) {
      if (org.code == commune.code) org.members = total;
    }
    orgs_by_code_[commune.code].members = total;
    ++commune_index;
  }
}

void Builder::AddDistrictGrassroots() {
  const std::string district = kDistrictCode;
  for (const GrassrootsSpec& spec : DistrictGrassroots()) {
    Org org;
    org.code = absl::StrCat(district, ".", spec.suffix);
    org.display_name = spec.name;
    org.type = spec.type;
    org.sector = spec.sector;
    org.parent_code = district;
    org.established_on = spec.established_on;
    org.decision = DistrictDecision(org.established_on);
    if (spec.fate == Fate::kHandOverPolice) org.active_until = "2025-03-01";
    if (spec.fate == Fate::kHandOverMilitary || spec.fate == Fate::kDissolve) org.active_until = kRestructuringDate;
    if (spec.cells.empty()) org.members = random_.Between(spec.min_members, spec.max_members);
    Org added = Add(org);
    district_fates_.emplace_back(added.code, spec.fate);
    if (spec.fate == Fate::kToNewCommune) new_commune_of_[added.code] = spec.new_commune;

    int total = added.members;
    int index = 1;
    for (const char* cell_name : spec.cells) {
      Org cell;
      cell.code = absl::StrCat(org.code, ".C", index++);
      cell.display_name = absl::StrCat("Chi bộ ", cell_name);
      cell.type = "CHI_BO_TRUC_THUOC";
      cell.sector = spec.sector;
      cell.parent_code = org.code;
      cell.established_on = FoundedAfter(org.code, 1993, 2012);
      cell.members = random_.Between(5, 24);
      cell.active_until = org.active_until;
      cell.decision = UpperDecision(cell, cell.established_on);
      total += cell.members;
      Add(cell);
    }
    if (!spec.cells.empty()) {
      for (Org& o : plan_.organizations) {
        if (o.code == org.code) o.members = total;
      }
      orgs_by_code_[org.code].members = total;
    }
  }
}

void Builder::AddTerms(const Org& org) {
  const bool grassroots = IsGrassrootsType(org.type);
  const bool military_cell = org.sector == "MILITARY" && org.type == "CHI_BO_TRUC_THUOC";
  // A đảng bộ cơ sở always has a đảng ủy; a cell elects a chi ủy from 9 official members
  // (Điều lệ Art. 24.4); commune military cells are pushed to elect one regardless.
  const bool elects = org.type == "DANG_BO_CO_SO" || org.members >= 9 || (military_cell && random_.Chance(80));
  auto seats_for = [&]() {
    if (org.type == "DANG_BO_CO_SO") return org.sector == "COMMUNE" || org.sector == "TOWNSHIP" ? random_.Between(11, 15) : random_.Between(7, 9);
    return org.members >= 15 ? 5 : 3;
  };
  CommitteeTerm first;
  first.org_code = org.code;
  if (grassroots) {
    first.label = "2020-2025";
    first.starts_on = Later(Day(2020, random_.Between(4, 6), random_.Between(1, 28)), AddDays(org.established_on, 60));
    if (first.starts_on > "2020-12-31") first.label = absl::StrCat(first.starts_on.substr(0, 4), "-2025");
  } else {
    first.label = "2022-2025";
    first.starts_on = Later(Day(2022, random_.Between(7, 10), random_.Between(1, 28)), AddDays(org.established_on, 60));
  }
  first.ends_on = org.active_until.empty() ? Day(2025, random_.Between(8, 9), random_.Between(1, 28)) : org.active_until;
  first.elected_committee = elects;
  first.seats = elects ? seats_for() : 0;
  first.decision = UpperDecision(org, AddDays(first.starts_on, 5));
  plan_.terms.push_back(first);
  if (org.active_until.empty()) {
    CommitteeTerm second = first;
    second.label = grassroots ? "2025-2030" : "2025-2027";
    second.starts_on = first.ends_on;
    second.ends_on = "";
    second.decision = UpperDecision(org, AddDays(second.starts_on, 5));
    plan_.terms.push_back(second);
  }
}

void Builder::AddMeetings(const Org& cell) {
  const int day_of_month = random_.Between(3, 10);
  const bool residential = cell.sector == "RESIDENTIAL";
  const int hour = residential ? 19 : (random_.Chance(50) ? 8 : 14);
  // Armed forces and health cells may meet online when members cannot leave post.
  const bool may_meet_online =
      cell.code.find(".G03.") != std::string::npos || cell.code.find(".G04.") != std::string::npos;
  for (int year = 2024; year <= 2025; ++year) {
    for (int quarter = 1; quarter <= 4; ++quarter) {
      const bool holds_thematic = random_.Chance(88);
      const int thematic_month = random_.Between(1, 3);
      for (int m = 1; m <= 3; ++m) {
        const int month = (quarter - 1) * 3 + m;
        Meeting meeting;
        meeting.org_code = cell.code;
        meeting.date = Day(year, month, day_of_month);
        if (!cell.active_until.empty() && meeting.date >= cell.active_until) return;
        if (meeting.date < AddDays(cell.established_on, 1)) continue;
        meeting.start_hour = hour;
        meeting.kind = 1;
        meeting.topic = absl::StrCat("Sinh hoạt thường kỳ tháng ", month, "/", year);
        meeting.duration_minutes = random_.Between(100, 140);
        if (holds_thematic && m == thematic_month) {
          meeting.kind = 3;
          meeting.topic = random_.Pick(kThematicTopics);
          meeting.duration_minutes = random_.Between(140, 180);
        }
        if (may_meet_online && month % 5 == 0 && year == 2024) {
          meeting.mode = 2;
          meeting.online_reason = "CANNOT_LEAVE_POST";
        }
        meeting.invited = std::max(3, cell.members - random_.Between(0, 1));
        const int absent = std::min(meeting.invited - 2, random_.Between(0, 4));
        meeting.present = meeting.invited - absent;
        meeting.excused = std::max(0, absent - random_.Between(0, 1));
        meeting.request_key = absl::StrCat(year, absl::StrFormat("%02d", month));
        plan_.meetings.push_back(meeting);
      }
    }
  }
}

void Builder::AddActivity() {
  std::vector<const Org*> grassroots;
  std::vector<const Org*> cells;
  for (const Org& org : plan_.organizations) {
    if (IsGrassrootsType(org.type)) grassroots.push_back(&org);
    if (IsCellType(org.type)) cells.push_back(&org);
  }

  // Committee terms: the province and the district, every grassroots organization, and
  // every cell except a few large ones whose congress records were never entered.
  CommitteeTerm province{kRootCode, "2020-2025", "2020-10-15", "2025-10-20", true, 15, {"Đại hội Đảng bộ tỉnh", "01-NQ/ĐH", "2020-10-17"}};
  plan_.terms.push_back(province);
  plan_.terms.push_back({kRootCode, "2025-2030", "2025-10-20", "", true, 15, {"Đại hội Đảng bộ tỉnh", "01-NQ/ĐH", "2025-10-22"}});
  plan_.terms.push_back({kDistrictCode, "2020-2025", "2020-07-25", kRestructuringDate, true, 13,
                         {"Đại hội Đảng bộ huyện", "01-NQ/ĐH", "2020-07-27"}});
  int skipped_big_cells = 0;
  for (const Org& org : plan_.organizations) {
    if (!IsGrassrootsType(org.type) && !IsCellType(org.type)) continue;
    if (org.type == "CHI_BO_TRUC_THUOC" && org.members >= 20 && skipped_big_cells < 4 && random_.Chance(10)) {
      ++skipped_big_cells;
      continue;
    }
    AddTerms(org);
  }

  // Working regulations: most grassroots organizations and cells; some never adopted one.
  for (const Org& org : plan_.organizations) {
    const bool grassroots_org = IsGrassrootsType(org.type);
    if (!grassroots_org && org.type != "CHI_BO_TRUC_THUOC") continue;
    if (!random_.Chance(grassroots_org ? 90 : 85)) continue;
    Regulation first;
    first.org_code = org.code;
    first.version = 1;
    first.adopted_on = Later(Day(grassroots_org ? 2020 : 2022, random_.Between(8, 12), random_.Between(1, 28)),
                             AddDays(org.established_on, 90));
    first.title = absl::StrCat("Quy chế làm việc của ", grassroots_org ? "Ban Chấp hành " : "", org.display_name,
                               grassroots_org ? " nhiệm kỳ 2020-2025" : "");
    first.decision = {grassroots_org ? absl::StrCat("Ban Chấp hành ", org.display_name) : org.display_name,
                      absl::StrCat(random_.Between(1, 9), grassroots_org ? "-QC/ĐU" : "-QC/CB"), first.adopted_on};
    plan_.regulations.push_back(first);
    if (grassroots_org && random_.Chance(40) && first.adopted_on < "2023-01-01") {
      Regulation second = first;
      second.version = 2;
      second.adopted_on = Day(2023, random_.Between(2, 11), random_.Between(1, 28));
      second.title = absl::StrCat(first.title, " (sửa đổi, bổ sung)");
      second.decision.number = absl::StrCat(random_.Between(10, 19), "-QC/ĐU");
      second.decision.signed_on = second.adopted_on;
      plan_.regulations.push_back(second);
    }
  }

  for (const Org* cell : cells) AddMeetings(*cell);

  // New models and creative practices: a share of the grassroots organizations each year.
  std::vector<const Org*> survivors;
  for (const Org* org : grassroots) {
    if (org->active_until.empty()) survivors.push_back(org);
  }
  const std::pair<int, int> model_years[] = {{2023, 12}, {2024, 16}, {2025, 14}};
  for (auto [year, count] : model_years) {
    std::vector<const Org*> pool = year == 2025 ? survivors : grassroots;
    random_.Shuffle(pool);
    for (int i = 0; i < count && i < static_cast<int>(pool.size()); ++i) {
      const Org& org = *pool[static_cast<size_t>(i)];
      if (org.established_on > Day(year, 1, 1)) continue;
      NewModel model;
      model.org_code = org.code;
      model.year = year;
      model.title = random_.Pick(kModelTitles);
      model.description = absl::StrCat("Được công nhận tại hội nghị sơ kết năm ", year, " của ", kDistrictBody);
      model.recognition = year == 2025 ? ProvinceDecision(Day(2025, 12, random_.Between(10, 20)))
                                       : DistrictDecision(Day(year, 12, random_.Between(10, 28)));
      plan_.new_models.push_back(model);
    }
  }

  // Four-good designations and yearly ratings for 2023 and 2024 (2025's: AddRatingsOf2025).
  for (int year = 2023; year <= 2024; ++year) {
    for (const Org& org : plan_.organizations) {
      const bool grassroots_org = IsGrassrootsType(org.type);
      const bool cell = IsCellType(org.type);
      if (!grassroots_org && !cell) continue;
      if (org.established_on > Day(year, 1, 1)) continue;
      Rating rating;
      rating.org_code = org.code;
      rating.year = year;
      const int roll = random_.Between(1, 100);
      rating.score = roll <= 22 ? random_.Between(90, 98) : roll <= 92 ? random_.Between(70, 89)
                                                                        : random_.Between(55, 69);
      if (year == 2024 && org.code == absl::StrCat(kDistrictCode, ".X07.C04")) {
        rating.disqualified = true;
        rating.disqualification_reason = "Có đảng viên bị kỷ luật khai trừ trong năm";
      }
      rating.decision = grassroots_org ? DistrictDecision(Day(year + 1, 1, random_.Between(10, 25)))
                                       : UpperDecision(org, Day(year + 1, 1, random_.Between(5, 20)));
      plan_.ratings.push_back(rating);
      const bool four_good = rating.score >= 90 && !rating.disqualified &&
                             (org.type == "DANG_BO_CO_SO" ? random_.Chance(60) : random_.Chance(80));
      if (four_good && org.type != "TO_DANG") {
        FourGood designation;
        designation.org_code = org.code;
        designation.year = year;
        designation.kind = org.type == "DANG_BO_CO_SO" ? 2 : 1;
        designation.decision = rating.decision;
        plan_.four_good.push_back(designation);
      }
    }
  }
}

void Builder::AddRatingsOf2025() {
  // Rated in January 2026 by the committee above: the province for a
  // grassroots organization (the district is gone by then). Organizations the
  // 2025 restructuring may end are left unrated.
  for (const Org& org : plan_.organizations) {
    const bool grassroots_org = IsGrassrootsType(org.type);
    if ((!grassroots_org && !IsCellType(org.type)) || !org.active_until.empty()) continue;
    if (org.established_on > Day(2025, 1, 1)) continue;
    Rating rating;
    rating.org_code = org.code;
    rating.year = 2025;
    const int roll = random_.Between(1, 100);
    rating.score = roll <= 20 ? random_.Between(90, 98) : roll <= 86 ? random_.Between(70, 89)
                                                                      : random_.Between(55, 69);
    const std::string decided_on = Day(2026, 1, random_.Between(10, 25));
    rating.decision = grassroots_org ? ProvinceDecision(decided_on) : UpperDecision(org, decided_on);
    plan_.ratings.push_back(rating);
  }
}

void Builder::AddRestructuring() {
  const std::string root = kRootCode;
  // District police were abolished on 1 March 2025; their party organization went to
  // the provincial police committee.
  for (const auto& [code, fate] : district_fates_) {
    if (fate == Fate::kHandOverPolice) {
      plan_.restructuring.push_back({StepKind::kHandOver, {code}, absl::StrCat(root, ".CA"), "2025-03-01",
                                     ProvinceDecision("2025-02-26")});
    }
  }
  std::vector<std::string> new_codes;
  for (const NewCommuneSpec& spec : kNewCommunes) {
    Org org;
    org.code = absl::StrCat(root, ".", spec.suffix);
    org.display_name = spec.name;
    org.type = "DANG_BO_XA";
    org.sector = "COMMUNE";
    org.parent_code = root;
    org.established_on = kRestructuringDate;
    org.decision = ProvinceDecision("2025-06-27");
    plan_.new_organizations.push_back(org);
    new_codes.push_back(org.code);
  }
  for (size_t group = 0; group < new_codes.size(); ++group) {
    RestructuringStep merge{StepKind::kMerge, {}, new_codes[group], kRestructuringDate, ProvinceDecision("2025-06-27")};
    for (const std::string& commune : communes_) {
      if (new_commune_of_.at(commune) == static_cast<int>(group)) merge.source_codes.push_back(commune);
    }
    plan_.restructuring.push_back(merge);
  }
  for (const auto& [code, fate] : district_fates_) {
    switch (fate) {
      case Fate::kToProvince:
        plan_.restructuring.push_back({StepKind::kMove, {code}, root, kRestructuringDate, ProvinceDecision("2025-06-28")});
        break;
      case Fate::kToNewCommune:
        plan_.restructuring.push_back({StepKind::kMove, {code}, new_codes[static_cast<size_t>(new_commune_of_.at(code))],
                                       kRestructuringDate, ProvinceDecision("2025-06-28")});
        break;
      case Fate::kHandOverMilitary:
        plan_.restructuring.push_back({StepKind::kHandOver, {code}, absl::StrCat(root, ".QS"), kRestructuringDate,
                                       ProvinceDecision("2025-06-28")});
        break;
      case Fate::kDissolve:
        plan_.restructuring.push_back({StepKind::kDissolve, {code}, "", kRestructuringDate, DistrictDecision("2025-06-25")});
        break;
      case Fate::kHandOverPolice:
        break;
    }
  }
  plan_.restructuring.push_back({StepKind::kDissolve, {kDistrictCode}, "", kRestructuringDate,
                                 ProvinceDecision("2025-06-30")});

  // The new committees: an executive committee appointed for the first term, and
  // working regulations (one committee has not adopted its own yet).
  for (size_t i = 0; i < new_codes.size(); ++i) {
    plan_.new_terms.push_back({new_codes[i], "2025-2030", kRestructuringDate, "", true, random_.Between(15, 19),
                               ProvinceDecision("2025-06-27")});
    if (i + 1 == new_codes.size()) continue;
    Regulation regulation;
    regulation.org_code = new_codes[i];
    regulation.version = 1;
    regulation.adopted_on = Day(2025, 8, random_.Between(5, 25));
    regulation.title = absl::StrCat("Quy chế làm việc của Ban Chấp hành ", kNewCommunes[i].name, " nhiệm kỳ 2025-2030");
    regulation.decision = {absl::StrCat("Ban Chấp hành ", kNewCommunes[i].name), "01-QC/ĐU", regulation.adopted_on};
    plan_.new_regulations.push_back(regulation);
  }
}

Plan Builder::Build() {
  Org root;
  root.code = kRootCode;
  root.display_name = "Đảng bộ tỉnh Lâm Viên";
  root.type = "DANG_BO_TINH";
  root.established_on = "1976-06-01";
  root.decision = {"Ban Chấp hành Trung ương", "12-QĐ/TW", "1976-05-20"};
  Add(root);
  Org military{absl::StrCat(kRootCode, ".QS"), "Đảng bộ Quân sự tỉnh Lâm Viên", "DANG_BO_QUAN_SU", "MILITARY",
               kRootCode, "1976-07-01", ProvinceDecision("1976-06-25"), 0, "", false};
  Add(military);
  Org police{absl::StrCat(kRootCode, ".CA"), "Đảng bộ Công an tỉnh Lâm Viên", "DANG_BO_CONG_AN", "POLICE",
             kRootCode, "1976-07-01", ProvinceDecision("1976-06-25"), 0, "", false};
  Add(police);
  Org district{kDistrictCode, "Đảng bộ huyện Bảo Nguyên", "DANG_BO_HUYEN", "", kRootCode, "1976-06-10",
               ProvinceDecision("1976-06-05"), 0, kRestructuringDate, false};
  Add(district);

  AddCommunes();
  AddDistrictGrassroots();
  AddActivity();
  AddRestructuring();
  // Drawn last, so the rest of the plan is what it was before heads had successors.
  for (ResidentialUnit& unit : plan_.units) {
    unit.elected_head_name = PersonName(false);
    unit.front_successor_name = PersonName(false);
  }
  // After those, for the same reason: the ratings of 2025 (the scorecard's S5a).
  AddRatingsOf2025();
  return plan_;
}

}  // namespace

bool IsCellType(const std::string& type) { return type == "CHI_BO_CO_SO" || type == "CHI_BO_TRUC_THUOC"; }
bool IsGrassrootsType(const std::string& type) { return type == "DANG_BO_CO_SO" || type == "CHI_BO_CO_SO"; }

Plan BuildPlan() { return Builder().Build(); }

PlanCounts Count(const Plan& plan) {
  PlanCounts counts;
  for (const Org& org : plan.organizations) {
    ++counts.organizations;
    if (IsGrassrootsType(org.type)) ++counts.grassroots;
    if (IsCellType(org.type)) ++counts.cells;
    if (org.type == "TO_DANG") ++counts.party_groups;
  }
  for (const ResidentialUnit& unit : plan.units) {
    ++counts.units;
    if (unit.covering_cell_code.empty()) ++counts.uncovered_units;
  }
  return counts;
}

}  // namespace grassroots::demo
