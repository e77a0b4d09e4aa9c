#include "services/demo/demo_inspection.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"

namespace grassroots::demo {
namespace {

constexpr char kProvinceCommission[] = "Ủy ban Kiểm tra Tỉnh ủy Lâm Viên";

absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  absl::ParseCivilTime(text, &day);
  return day;
}
std::string Day(int y, int m, int d) { return absl::FormatCivilTime(absl::CivilDay(y, m, d)); }
std::string AddDays(const std::string& text, int days) { return absl::FormatCivilTime(ParseDay(text) + days); }

// FNV-1a: a stable spread of choices over codes and years, the same on every platform.
uint64_t StableHash(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// The working body of an organization, as its documents name it: "Đảng bộ xã X" → "Đảng ủy xã X".
std::string CommitteeOf(const Org& org) { return absl::StrReplaceAll(org.display_name, {{"Đảng bộ ", "Đảng ủy "}}); }
std::string CommissionOf(const Org& org) { return absl::StrCat("Ủy ban Kiểm tra ", CommitteeOf(org)); }

// Items a cell plans (a chi bộ inspects and supervises its members as itself).
const std::vector<PlannedProgramItem>& CellItems() {
  static const std::vector<PlannedProgramItem> items = {
      {"Kiểm tra đảng viên trong việc chấp hành Điều lệ Đảng và nghị quyết của chi bộ", iv1::CASE_KIND_INSPECTION,
       iv1::CASE_BASIS_REGULAR, 1, iv1::CONDUCTOR_COMMITTEE},
      {"Giám sát việc thực hiện nhiệm vụ đảng viên được chi bộ phân công", iv1::CASE_KIND_SUPERVISION,
       iv1::CASE_BASIS_REGULAR, 1, iv1::CONDUCTOR_COMMITTEE},
      {"Giám sát đảng viên giữ mối liên hệ với chi ủy, chi bộ và nhân dân nơi cư trú (Quy định 213-QĐ/TW)",
       iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_THEMATIC, 2, iv1::CONDUCTOR_COMMITTEE},
      {"Kiểm tra việc đóng đảng phí của đảng viên", iv1::CASE_KIND_INSPECTION, iv1::CASE_BASIS_THEMATIC, 3,
       iv1::CONDUCTOR_COMMITTEE},
      {"Giám sát việc thực hiện cam kết tu dưỡng, rèn luyện của đảng viên", iv1::CASE_KIND_SUPERVISION,
       iv1::CASE_BASIS_THEMATIC, 3, iv1::CONDUCTOR_COMMITTEE},
      {"Kiểm tra việc thực hiện chế độ sinh hoạt chi bộ thường kỳ và chuyên đề", iv1::CASE_KIND_INSPECTION,
       iv1::CASE_BASIS_REGULAR, 4, iv1::CONDUCTOR_COMMITTEE},
  };
  return items;
}

// Items a đảng bộ cơ sở plans; the first two are always in its program (cases carry them out).
const std::vector<PlannedProgramItem>& GrassrootsItems() {
  static const std::vector<PlannedProgramItem> items = {
      {"Kiểm tra việc lãnh đạo thực hiện Nghị quyết 21-NQ/TW ở các chi bộ", iv1::CASE_KIND_INSPECTION,
       iv1::CASE_BASIS_THEMATIC, 2, iv1::CONDUCTOR_INSPECTION_COMMISSION},
      {"Giám sát việc thực hiện Quy định 213-QĐ/TW về đảng viên đang công tác giữ mối liên hệ với nơi cư trú",
       iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_THEMATIC, 3, iv1::CONDUCTOR_INSPECTION_COMMISSION},
      {"Kiểm tra tài chính đảng: thu, nộp, quản lý và sử dụng đảng phí ở các chi bộ",
       iv1::CASE_KIND_FINANCE_INSPECTION, iv1::CASE_BASIS_REGULAR, 4, iv1::CONDUCTOR_INSPECTION_COMMISSION},
      {"Giám sát thường xuyên cấp ủy viên và đảng viên trong tu dưỡng, rèn luyện đạo đức, lối sống",
       iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_REGULAR, 1, iv1::CONDUCTOR_STANDING_COMMITTEE},
      {"Kiểm tra việc thực hiện chế độ sinh hoạt chi bộ định kỳ và chuyên đề", iv1::CASE_KIND_INSPECTION,
       iv1::CASE_BASIS_REGULAR, 2, iv1::CONDUCTOR_COMMITTEE},
      {"Giám sát việc thực hiện quy chế làm việc của cấp ủy", iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_THEMATIC,
       4, iv1::CONDUCTOR_INSPECTION_COMMISSION},
  };
  return items;
}

// One case of an old commune, from the yearly pattern (slot 0..5).
struct CaseTemplate {
  iv1::CaseKind kind;
  iv1::CaseBasis basis;
  iv1::Conductor conductor;
  bool about_member;
  const char* topic;
  const char* findings;
  const char* conclusion;
  std::vector<const char*> recommendations;
};
const std::vector<CaseTemplate>& YearlyCases() {
  static const std::vector<CaseTemplate> templates = {
      {iv1::CASE_KIND_INSPECTION, iv1::CASE_BASIS_THEMATIC, iv1::CONDUCTOR_INSPECTION_COMMISSION, false,
       "Kiểm tra việc lãnh đạo, tổ chức sinh hoạt chi bộ theo Nghị quyết 21-NQ/TW",
       "Chi bộ duy trì sinh hoạt thường kỳ; sinh hoạt chuyên đề chưa đều, nội dung còn chung chung",
       "Cơ bản thực hiện tốt; cần nâng cao chất lượng sinh hoạt chuyên đề",
       {"Xây dựng kế hoạch sinh hoạt chuyên đề hằng quý, phân công chuẩn bị nội dung",
        "Bổ sung sổ ghi biên bản sinh hoạt chi bộ theo đúng hướng dẫn"}},
      {iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_THEMATIC, iv1::CONDUCTOR_INSPECTION_COMMISSION, false,
       "Giám sát việc thực hiện Quy định 213-QĐ/TW về đảng viên giữ mối liên hệ với nơi cư trú",
       "Một số đảng viên đang công tác chưa báo cáo với chi bộ nơi cư trú; nhận xét hằng năm còn chậm",
       "Chi bộ cần đôn đốc đảng viên thực hiện đầy đủ Quy định 213-QĐ/TW",
       {"Lập danh sách đảng viên chưa giới thiệu sinh hoạt nơi cư trú và đôn đốc thực hiện",
        "Gửi phiếu nhận xét nơi cư trú đúng thời hạn"}},
      {iv1::CASE_KIND_INSPECTION, iv1::CASE_BASIS_SIGNS_OF_VIOLATION, iv1::CONDUCTOR_INSPECTION_COMMISSION, true,
       "Kiểm tra đảng viên khi có dấu hiệu vi phạm trong việc quản lý, sử dụng đất đai được giao",
       "Đảng viên để gia đình xây dựng công trình trên đất nông nghiệp không đúng quy định",
       "Đảng viên có vi phạm; đề nghị xem xét, xử lý kỷ luật",
       {}},
      {iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_REGULAR, iv1::CONDUCTOR_STANDING_COMMITTEE, false,
       "Giám sát thường xuyên việc thực hiện nhiệm vụ chính trị của chi bộ",
       "Chi bộ lãnh đạo hoàn thành chỉ tiêu xây dựng nông thôn mới; công tác phát triển đảng viên còn chậm",
       "Chi bộ hoàn thành tốt nhiệm vụ; cần quan tâm tạo nguồn phát triển đảng viên",
       {"Giới thiệu ít nhất hai quần chúng ưu tú học lớp nhận thức về Đảng trong năm"}},
      {iv1::CASE_KIND_INSPECTION, iv1::CASE_BASIS_REGULAR, iv1::CONDUCTOR_COMMITTEE, false,
       "Kiểm tra việc thu, nộp đảng phí và chế độ sinh hoạt chi bộ",
       "Chi bộ thu đảng phí đủ nhưng nộp lên cấp trên chậm hai quý; sổ thu đảng phí ghi chưa đầy đủ",
       "Chi bộ cần chấn chỉnh việc nộp đảng phí đúng thời hạn",
       {"Nộp đủ đảng phí còn chậm lên Đảng ủy xã", "Ghi sổ thu đảng phí theo mẫu của Văn phòng Trung ương Đảng"}},
      {iv1::CASE_KIND_SUPERVISION, iv1::CASE_BASIS_THEMATIC, iv1::CONDUCTOR_INSPECTION_COMMISSION, true,
       "Giám sát cấp ủy viên trong việc tu dưỡng, rèn luyện phẩm chất đạo đức, lối sống",
       "Đảng viên gương mẫu, giữ mối liên hệ tốt với nhân dân nơi cư trú",
       "Đảng viên thực hiện tốt; không có biểu hiện suy thoái", {}},
  };
  return templates;
}

class InspectionBuilder {
 public:
  InspectionBuilder(const Plan& plan, const MembersPlan& members, const FactsPlan& facts)
      : plan_(plan), members_(members), facts_(facts) {}

  InspectionPlan Build() {
    Index();
    Programs();
    OldCommuneCases();
    NewCommuneCases();
    Petitions();
    return std::move(out_);
  }

 private:
  void Index() {
    for (const Org& org : plan_.organizations) orgs_[org.code] = &org;
    for (const Org& org : plan_.new_organizations) orgs_[org.code] = &org;
    for (const Org& org : plan_.organizations) {
      if (org.type == "DANG_BO_CO_SO" && (org.sector == "COMMUNE" || org.sector == "TOWNSHIP")) {
        communes_.push_back(org.code);
      }
    }
    for (const RestructuringStep& step : plan_.restructuring) {
      if (step.kind != StepKind::kMerge) continue;
      for (const std::string& source : step.source_codes) new_commune_of_[source] = step.target_code;
    }
    for (const Org& org : plan_.new_organizations) {
      if (org.type == "DANG_BO_XA") new_communes_.push_back(org.code);
    }
    // Members who hold a post or head a unit stay out of discipline: the demo's facts name them.
    std::set<std::string> named;
    for (const HeadSuccession& head : facts_.heads) named.insert(head.member_external_id);
    for (const CommitteePostTraining& training : facts_.post_trainings) named.insert(training.member_external_id);
    // Steady members: on file in 2020 as official, no lifecycle event since (no transfer,
    // exemption or ending), in a commune's cell that stays through 2026: the cases and
    // decisions about them hold whatever the date.
    for (const PlannedMember& member : members_.members) {
      if (!member.imported || member.status != mv1::MEMBER_STATUS_OFFICIAL) continue;
      if (member.cell_code == facts_.merge.source_code || named.count(member.person.external_id) > 0) continue;
      bool steady = true;
      std::string last;
      for (const Action& action : member.actions) {
        steady = steady && !action.IsLifecycle();
        last = std::max(last, action.date);
      }
      if (!steady) continue;
      auto cell = orgs_.find(member.cell_code);
      if (cell == orgs_.end() || !cell->second->active_until.empty()) continue;
      steady_by_commune_[cell->second->parent_code].push_back({&member, last});
    }
  }

  const Org& OrgOf(const std::string& code) const { return *orgs_.at(code); }

  // The commune's residential and school cells founded by `day`.
  std::vector<std::string> CellsOf(const std::string& commune, const std::string& day) const {
    std::vector<std::string> cells;
    for (const Org& org : plan_.organizations) {
      if (org.parent_code == commune && org.type == "CHI_BO_TRUC_THUOC" && org.established_on <= day &&
          org.code != facts_.merge.source_code) {
        cells.push_back(org.code);
      }
    }
    return cells;
  }

  // A steady member of the commune, the n-th (wrapping), not used for another case yet.
  MemberRef SteadyMember(const std::string& commune, size_t n, const std::string& last_action_before = "") {
    const auto& candidates = steady_by_commune_.at(commune);
    for (size_t tried = 0; tried < candidates.size(); ++tried) {
      const auto& [member, last] = candidates[(n + tried * 7) % candidates.size()];
      if (used_members_.count(member->person.external_id) > 0) continue;
      if (!last_action_before.empty() && last >= last_action_before) continue;
      used_members_.insert(member->person.external_id);
      return {member->person.external_id, member->person.citizen_id};
    }
    return {};
  }

  Decision CommissionDecision(const Org& org, const std::string& signed_on, const char* kind = "QĐ") {
    return {CommissionOf(org), absl::StrCat(next_number_++, "-", kind, "/UBKTĐU"), signed_on};
  }

  // The day a program for `year` is adopted, or "" when the organization cannot have one
  // (founded after the year, or gone before it starts).
  static std::string AdoptionDay(const Org& org, int year) {
    std::string adopted = Day(year - 1, 12, 15 + static_cast<int>(StableHash(org.code) % 14));
    if (org.established_on >= adopted) adopted = AddDays(org.established_on, 15);
    if (adopted > Day(year, 12, 31)) return "";
    if (!org.active_until.empty() && adopted >= org.active_until) return "";
    return adopted;
  }

  void Programs() {
    for (int year = kInspectionFirstYear; year <= kInspectionLastYear; ++year) {
      for (const Org& org : plan_.organizations) {
        if (!MustHaveProgram(org)) continue;
        const std::string adopted = AdoptionDay(org, year);
        if (adopted.empty()) continue;
        const uint64_t hash = StableHash(absl::StrCat(org.code, "/", year));
        // About one in twenty goes without (more in 2025, the year of the restructuring);
        // the old communes always plan, since their cases carry out planned items.
        const bool commune = std::find(communes_.begin(), communes_.end(), org.code) != communes_.end();
        if (!commune && hash % 100 < static_cast<uint64_t>(year == 2025 ? 9 : 5)) {
          out_.without_program.push_back({org.code, year});
          continue;
        }
        PlannedProgram program;
        program.org_code = org.code;
        program.year = year;
        program.adopted_on = adopted;
        const bool cell = IsCellType(org.type);
        program.decision = {cell ? org.display_name : CommitteeOf(org),
                            absl::StrCat(1 + hash % 9, cell ? "-KH/CB" : "-CTr/ĐU"), adopted};
        const std::vector<PlannedProgramItem>& pool = cell ? CellItems() : GrassrootsItems();
        const size_t count = 2 + (hash >> 8) % 5;  // 2..6
        for (size_t i = 0; i < count && i < pool.size(); ++i) {
          // A cell rotates through its items; a đảng bộ cơ sở keeps its first two.
          const size_t pick = cell ? (i + (hash >> 16)) % pool.size() : i;
          program.items.push_back(pool[pick]);
        }
        program_index_[{org.code, year}] = out_.programs.size();
        out_.programs.push_back(std::move(program));
      }
    }
  }

  // Links the case to the first planned item of its kind in its organization's program, if any.
  void LinkToProgram(PlannedCase& c, int year) {
    if (c.basis == iv1::CASE_BASIS_SIGNS_OF_VIOLATION) return;
    auto found = program_index_.find({c.org_code, year});
    if (found == program_index_.end()) return;
    const PlannedProgram& program = out_.programs[found->second];
    for (size_t i = 0; i < program.items.size(); ++i) {
      if (program.items[i].kind != c.kind || !linked_items_.insert({found->second, i}).second) continue;
      c.program_item = static_cast<int>(i);
      return;
    }
  }

  // Dates of a case from its opening day: a month's work, the conclusion ten days later.
  static void Schedule(PlannedCase& c, const std::string& opened) {
    c.opening.signed_on = opened;
    c.period_start = AddDays(opened, 7);
    c.period_end = AddDays(c.period_start, 30);
    c.started_on = c.period_start;
    c.concluded_on = AddDays(c.period_end, 10);
  }

  void AddRecommendations(PlannedCase& c, const std::vector<const char*>& texts, const std::string& responsible,
                          bool settled) {
    for (size_t r = 0; r < texts.size(); ++r) {
      PlannedRecommendation rec;
      rec.text = texts[r];
      rec.responsible_code = responsible;
      rec.deadline = AddDays(c.concluded_on, 90);
      if (settled) {
        // The second of two is dropped once overtaken; the others are done before the deadline.
        const bool dropped = r == 1 && texts.size() == 2 && (c.key.back() % 2) == 1;
        rec.outcome = dropped ? iv1::RECOMMENDATION_STATUS_DROPPED : iv1::RECOMMENDATION_STATUS_DONE;
        rec.settled_on = AddDays(rec.deadline, -15);
        rec.note = dropped ? "Nội dung đã được thực hiện theo kế hoạch chung của Đảng ủy xã"
                           : "Chi bộ đã báo cáo kết quả khắc phục";
      }
      c.recommendations.push_back(std::move(rec));
    }
  }

  void Close(PlannedCase& c) {
    c.final_status = iv1::CASE_STATUS_CLOSED;
    std::string last = c.concluded_on;
    for (const PlannedRecommendation& rec : c.recommendations) last = std::max(last, rec.settled_on);
    c.closed_on = AddDays(last, 5);
  }

  // Discipline after a case about a member: a month after its conclusion.
  void DisciplineAfter(const PlannedCase& c, iv1::DisciplineForm form) {
    PlannedDiscipline d;
    d.key = absl::StrCat("disc-", c.key);
    d.org_code = c.org_code;
    d.deciding_body = iv1::CONDUCTOR_INSPECTION_COMMISSION;
    d.member = c.subject_member;
    d.form = form;
    d.decision = CommissionDecision(OrgOf(c.org_code), AddDays(c.concluded_on, 25), "QĐ-KL");
    d.violation = "Để gia đình xây dựng công trình trên đất nông nghiệp không đúng quy định, không báo cáo chi bộ";
    d.violation_started_on = AddDays(c.period_start, -400);
    d.violation_ended_on = AddDays(c.period_start, -30);
    d.case_key = c.key;
    out_.decisions.push_back(std::move(d));
  }

  PlannedCase NewCase(const std::string& key, const std::string& org_code, const CaseTemplate& t) {
    PlannedCase c;
    c.key = key;
    c.org_code = org_code;
    c.kind = t.kind;
    c.basis = t.basis;
    c.conductor = t.conductor;
    c.topic = t.topic;
    c.findings = t.findings;
    c.conclusion = t.conclusion;
    c.opening = CommissionDecision(OrgOf(org_code), "", "QĐ");
    if (t.conductor != iv1::CONDUCTOR_INSPECTION_COMMISSION) c.opening.issuing_body = CommitteeOf(OrgOf(org_code));
    return c;
  }

  void OldCommuneCases() {
    const std::vector<CaseTemplate>& templates = YearlyCases();
    for (int year = kInspectionFirstYear; year <= 2024; ++year) {
      for (size_t slot = 0; slot < templates.size(); ++slot) {
        const CaseTemplate& t = templates[slot];
        const std::string& commune = communes_[(static_cast<size_t>(year) * 5 + slot * 3) % communes_.size()];
        PlannedCase c = NewCase(absl::StrCat("case-", year, "-", slot + 1), commune, t);
        Schedule(c, Day(year, 3 + static_cast<int>(slot), 5));
        if (t.about_member) {
          c.subject_member = SteadyMember(commune, static_cast<size_t>(year) + slot);
        } else {
          const std::vector<std::string> cells = CellsOf(commune, c.period_start);
          c.subject_org_code = cells[(static_cast<size_t>(year) + slot) % cells.size()];
        }
        const std::string responsible = c.subject_org_code;
        // Slot 4 of 2023 and 2024: concluded, its recommendations still open (overdue).
        const bool left_open = slot == 4 && year >= 2023;
        AddRecommendations(c, t.recommendations, responsible, !left_open);
        if (left_open) {
          c.final_status = iv1::CASE_STATUS_CONCLUDED;
        } else {
          Close(c);
        }
        LinkToProgram(c, year);
        out_.cases.push_back(c);
        if (t.basis == iv1::CASE_BASIS_SIGNS_OF_VIOLATION) {
          DisciplineAfter(c, year % 2 == 0 ? iv1::DISCIPLINE_FORM_REPRIMAND : iv1::DISCIPLINE_FORM_WARNING);
        }
      }
    }
    // 2025, before the communes merge on 1 July: two left with open recommendations, one
    // closed, one cancelled by the merge.
    const std::vector<CaseTemplate>& t = templates;
    struct Spring {
      size_t slot;
      iv1::CaseStatus status;
    };
    const Spring spring[] = {{0, iv1::CASE_STATUS_CONCLUDED},
                             {1, iv1::CASE_STATUS_CLOSED},
                             {4, iv1::CASE_STATUS_CONCLUDED},
                             {3, iv1::CASE_STATUS_CANCELLED}};
    for (size_t i = 0; i < std::size(spring); ++i) {
      const std::string& commune = communes_[(i * 4 + 1) % communes_.size()];
      PlannedCase c = NewCase(absl::StrCat("case-2025-", i + 1), commune, t[spring[i].slot]);
      Schedule(c, Day(2025, 1 + static_cast<int>(i), 10));
      const std::vector<std::string> cells = CellsOf(commune, c.period_start);
      c.subject_org_code = cells[(i + 3) % cells.size()];
      if (spring[i].status == iv1::CASE_STATUS_CANCELLED) {
        c.final_status = iv1::CASE_STATUS_CANCELLED;
        c.cancel_reason = "Dừng kiểm tra để thực hiện sắp xếp, hợp nhất đơn vị hành chính cấp xã";
      } else {
        AddRecommendations(c, t[spring[i].slot].recommendations, c.subject_org_code,
                           spring[i].status == iv1::CASE_STATUS_CLOSED);
        if (spring[i].status == iv1::CASE_STATUS_CLOSED) {
          for (PlannedRecommendation& rec : c.recommendations) {
            rec.deadline = Day(2025, 6, 20);
            rec.settled_on = Day(2025, 6, 15);
          }
          Close(c);
        } else {
          c.final_status = iv1::CASE_STATUS_CONCLUDED;
          for (PlannedRecommendation& rec : c.recommendations) rec.deadline = Day(2025, 9, 30);
        }
      }
      LinkToProgram(c, 2025);
      out_.cases.push_back(c);
    }
  }

  // A cell that moved under the new commune with its old commune (the n-th, wrapping).
  std::string CellUnder(const std::string& new_commune, size_t n) const {
    std::vector<std::string> cells;
    for (const std::string& commune : communes_) {
      if (new_commune_of_.at(commune) != new_commune) continue;
      for (const std::string& cell : CellsOf(commune, "2025-07-01")) cells.push_back(cell);
    }
    return cells[n % cells.size()];
  }
  std::string OldCommuneUnder(const std::string& new_commune) const {
    for (const std::string& commune : communes_) {
      if (new_commune_of_.at(commune) == new_commune) return commune;
    }
    return "";
  }

  void NewCommuneCases() {
    const std::vector<CaseTemplate>& t = YearlyCases();
    const std::string& xa1 = new_communes_[0];
    const std::string& xa2 = new_communes_[1];
    const std::string& xa3 = new_communes_[2];
    const std::string& xa4 = new_communes_[3];
    // Two finance inspections of the new commune committees' cells (dues collection and remittance).
    {
      PlannedCase c = NewCase("case-2025-xa-1", xa1, t[4]);
      c.kind = iv1::CASE_KIND_FINANCE_INSPECTION;
      c.conductor = iv1::CONDUCTOR_INSPECTION_COMMISSION;
      c.opening.issuing_body = CommissionOf(OrgOf(xa1));
      c.topic = "Kiểm tra tài chính đảng: thu, nộp, quản lý đảng phí năm 2024 và 6 tháng đầu năm 2025";
      c.subject_org_code = CellUnder(xa1, 2);
      Schedule(c, "2025-08-04");
      c.finance = true;
      c.finance_findings = {18600000, 18240000, 5472000, 0, 2, "Hai đảng viên đóng chậm một quý; đã nộp bổ sung"};
      c.findings = "Chi bộ thu đủ, nộp đúng tỷ lệ; sổ sách ghi chép đầy đủ; hai đảng viên đóng đảng phí chậm";
      c.conclusion = "Chi bộ thực hiện tốt việc thu, nộp đảng phí";
      AddRecommendations(c, {"Nhắc nhở đảng viên đóng đảng phí hằng tháng đúng quy định"}, c.subject_org_code, true);
      Close(c);
      out_.cases.push_back(c);
    }
    {
      PlannedCase c = NewCase("case-2025-xa-2", xa3, t[4]);
      c.kind = iv1::CASE_KIND_FINANCE_INSPECTION;
      c.basis = iv1::CASE_BASIS_THEMATIC;
      c.conductor = iv1::CONDUCTOR_INSPECTION_COMMISSION;
      c.opening.issuing_body = CommissionOf(OrgOf(xa3));
      c.topic = "Kiểm tra chuyên đề việc nộp đảng phí lên cấp trên sau hợp nhất";
      c.subject_org_code = CellUnder(xa3, 5);
      Schedule(c, "2025-09-15");
      c.finance = true;
      c.finance_findings = {24300000, 22950000, 4590000, 2295000, 5,
                            "Chưa nộp phần đảng phí quý III/2025 lên Đảng ủy xã"};
      c.findings = "Chi bộ thu thiếu đảng phí của năm đảng viên; chưa nộp phần trích lên cấp trên quý III";
      c.conclusion = "Chi bộ vi phạm chế độ nộp đảng phí; yêu cầu khắc phục";
      AddRecommendations(c, {"Thu đủ đảng phí còn thiếu của đảng viên", "Nộp phần đảng phí còn thiếu lên Đảng ủy xã"},
                         c.subject_org_code, false);
      c.recommendations[0].outcome = iv1::RECOMMENDATION_STATUS_DONE;
      c.recommendations[0].settled_on = "2025-12-10";
      c.recommendations[0].note = "Đã thu đủ";
      c.recommendations[1].deadline = "2026-03-31";
      c.final_status = iv1::CASE_STATUS_CONCLUDED;
      out_.cases.push_back(c);
    }
    // On signs of violation: the member the commune committee then expels (the expulsion,
    // below, is the demo's one). Steady until the end of 2025, so nothing follows the expulsion.
    {
      PlannedCase c = NewCase("case-2025-xa-3", xa2, t[2]);
      c.topic = "Kiểm tra đảng viên khi có dấu hiệu vi phạm trong việc nhận tiền hỗ trợ giải phóng mặt bằng";
      c.subject_member = SteadyMember(OldCommuneUnder(xa2), 3, kExpulsionSigned);
      Schedule(c, "2025-09-08");
      c.findings = "Đảng viên kê khai khống diện tích đất để nhận tiền hỗ trợ, gây thiệt hại cho Nhà nước";
      c.conclusion = "Đảng viên vi phạm nghiêm trọng; đề nghị Đảng ủy xã xem xét kỷ luật khai trừ";
      Close(c);
      out_.cases.push_back(c);
      PlannedDiscipline d;
      d.key = "disc-expulsion-2025";
      d.org_code = xa2;
      d.deciding_body = iv1::CONDUCTOR_STANDING_COMMITTEE;
      d.member = c.subject_member;
      d.form = iv1::DISCIPLINE_FORM_EXPULSION;
      d.decision = {absl::StrCat("Ban Thường vụ ", CommitteeOf(OrgOf(xa2))),
                    absl::StrCat(next_number_++, "-QĐ-KL/ĐU"), kExpulsionSigned};
      d.violation = "Kê khai khống diện tích đất để nhận tiền hỗ trợ giải phóng mặt bằng";
      d.violation_started_on = "2024-05-10";
      d.violation_ended_on = "2025-06-20";
      d.case_key = c.key;
      d.appealed = true;
      d.appeal = {.decision_received_on = "2026-01-05",
                  .filed_on = "2026-01-26",
                  .resolving_code = kRootCode,
                  .resolving_body = iv1::CONDUCTOR_INSPECTION_COMMISSION,
                  .outcome = iv1::APPEAL_OUTCOME_UPHELD,
                  .resolved_on = "2026-04-10",
                  .resolution = {kProvinceCommission, absl::StrCat(next_number_++, "-QĐ/UBKTTU"), "2026-04-10"}};
      out_.expulsion = out_.decisions.size();
      out_.decisions.push_back(std::move(d));
    }
    // Work under way at the end of 2025.
    auto ongoing = [&](const std::string& key, const std::string& commune, const CaseTemplate& pattern, size_t cell,
                       const std::string& opened, iv1::CaseStatus status) {
      PlannedCase c = NewCase(key, commune, pattern);
      c.subject_org_code = CellUnder(commune, cell);
      Schedule(c, opened);
      c.final_status = status;
      if (status == iv1::CASE_STATUS_OPENED) c.started_on.clear();
      if (status != iv1::CASE_STATUS_CONCLUDED) c.concluded_on.clear();
      return c;
    };
    out_.cases.push_back(ongoing("case-2025-xa-4", xa4, t[1], 1, "2025-11-10", iv1::CASE_STATUS_IN_PROGRESS));
    out_.cases.push_back(ongoing("case-2025-xa-5", xa1, t[0], 4, "2025-11-24", iv1::CASE_STATUS_IN_PROGRESS));
    out_.cases.push_back(ongoing("case-2025-xa-6", xa2, t[3], 2, "2025-12-15", iv1::CASE_STATUS_OPENED));
    {
      PlannedCase c = ongoing("case-2025-xa-7", xa3, t[0], 7, "2025-10-01", iv1::CASE_STATUS_CONCLUDED);
      c.findings = "Chi bộ mới sau hợp nhất chưa xây dựng quy chế làm việc; sinh hoạt chuyên đề chưa thực hiện";
      c.conclusion = "Chi bộ cần sớm ổn định tổ chức và nề nếp sinh hoạt";
      AddRecommendations(c, {"Xây dựng và thông qua quy chế làm việc của chi bộ nhiệm kỳ 2025-2030"},
                         c.subject_org_code, false);
      c.recommendations[0].deadline = "2026-12-31";
      out_.cases.push_back(c);
    }
    // One more warning, in the spring of 2025, without a case of its own.
    PlannedDiscipline warning;
    const std::string& commune = communes_[6];
    warning.key = "disc-2025-warning";
    warning.org_code = commune;
    warning.member = SteadyMember(commune, 11);
    warning.form = iv1::DISCIPLINE_FORM_WARNING;
    warning.decision = CommissionDecision(OrgOf(commune), "2025-04-18", "QĐ-KL");
    warning.violation = "Vi phạm quy định về những điều đảng viên không được làm: tham gia đánh bạc";
    warning.violation_started_on = "2025-01-28";
    warning.violation_ended_on = "2025-01-30";
    out_.decisions.push_back(std::move(warning));
  }

  PlannedPetition Petition(const std::string& key, iv1::PetitionKind kind, iv1::PetitionSource source,
                           const std::string& org_code, const std::string& received_on, std::string summary) {
    PlannedPetition p;
    p.key = key;
    p.kind = kind;
    p.source = source;
    p.org_code = org_code;
    p.received_on = received_on;
    p.summary = std::move(summary);
    return p;
  }

  // Assigned two days after receipt to a member of the commission; feedback gets a month to answer.
  void Handle(PlannedPetition& p, const std::string& commune_of_members, size_t n) {
    p.assignee = SteadyMember(commune_of_members, n);
    p.assigned_on = AddDays(p.received_on, 2);
    if (p.kind == iv1::PETITION_KIND_FEEDBACK) p.answer_by = AddDays(p.received_on, 30);
  }

  void Answer(PlannedPetition& p, int after_days, std::string answer) {
    p.final_status = iv1::PETITION_STATUS_ANSWERED;
    p.answered_on = AddDays(p.received_on, after_days);
    p.answer = std::move(answer);
  }

  void Petitions() {
    const std::string& xa2 = new_communes_[1];
    const std::string& c1 = communes_[1];
    const std::string& c2 = communes_[2];
    const std::string& c5 = communes_[5];
    const std::string& c8 = communes_[8];
    const std::string& c10 = communes_[10];
    {
      PlannedPetition p = Petition("pet-2021-mttq", iv1::PETITION_KIND_FEEDBACK, iv1::PETITION_SOURCE_FATHERLAND_FRONT,
                                   c2, "2021-06-10",
                                   "Ủy ban MTTQ xã phản ánh chi bộ thôn chậm tổ chức hội nghị lấy ý kiến nhân dân "
                                   "về việc làm đường liên thôn");
      p.about_org_code = CellsOf(c2, p.received_on).front();
      p.filer_name = absl::StrCat("Ủy ban Mặt trận Tổ quốc Việt Nam ", absl::StrReplaceAll(OrgOf(c2).display_name, {{"Đảng bộ ", ""}}));
      p.filer_address = "Trụ sở Ủy ban MTTQ xã";
      Handle(p, c2, 1);
      Answer(p, 26, "Đảng ủy xã đã chỉ đạo chi bộ tổ chức hội nghị lấy ý kiến nhân dân trong tháng 7/2021");
      out_.petitions.push_back(p);
    }
    {
      PlannedPetition p = Petition("pet-2022-citizen", iv1::PETITION_KIND_FEEDBACK, iv1::PETITION_SOURCE_CITIZEN, c5,
                                   "2022-09-05",
                                   "Công dân phản ánh đảng viên không tham gia đóng góp quỹ xây dựng nhà văn hóa thôn");
      p.about_member = SteadyMember(c5, 2);
      p.filer_name = "Trần Văn Khải";
      p.filer_address = "Thôn 5 (địa chỉ hư cấu của dữ liệu mẫu)";
      p.filer_phone = "0900000101";
      Handle(p, c5, 5);
      Answer(p, 24, "Chi bộ đã nhắc nhở đảng viên; đảng viên đã đóng góp đầy đủ");
      out_.petitions.push_back(p);
    }
    {
      PlannedPetition p = Petition("pet-2023-hnd", iv1::PETITION_KIND_FEEDBACK, iv1::PETITION_SOURCE_MASS_ORGANIZATION,
                                   c8, "2023-04-12",
                                   "Hội Nông dân xã góp ý việc chi bộ chưa phối hợp tổ chức tập huấn chuyển đổi cây trồng");
      p.about_org_code = CellsOf(c8, p.received_on).back();
      p.filer_name = "Hội Nông dân xã (ban thường vụ)";
      Handle(p, c8, 3);
      Answer(p, 20, "Tiếp thu; chi bộ phối hợp tổ chức tập huấn trong quý II/2023");
      out_.petitions.push_back(p);
    }
    {
      PlannedPetition p = Petition("pet-2024-mttq", iv1::PETITION_KIND_FEEDBACK, iv1::PETITION_SOURCE_FATHERLAND_FRONT,
                                   c10, "2024-08-20",
                                   "Ủy ban MTTQ xã chuyển ý kiến cử tri về việc đảng viên là trưởng thôn chậm công khai "
                                   "danh sách hộ nghèo");
      p.filer_name = "Ủy ban Mặt trận Tổ quốc Việt Nam xã (tổng hợp ý kiến cử tri)";
      Handle(p, c10, 4);
      Answer(p, 21, "Danh sách hộ nghèo đã được niêm yết công khai tại nhà văn hóa thôn");
      out_.petitions.push_back(p);
    }
    {
      PlannedPetition p = Petition("pet-2024-denunciation", iv1::PETITION_KIND_DENUNCIATION,
                                   iv1::PETITION_SOURCE_CITIZEN, c1, "2024-03-18",
                                   "Tố cáo đảng viên lợi dụng chức vụ nhận tiền của hộ dân khi xác nhận hồ sơ đất đai");
      p.about_member = SteadyMember(c1, 6);
      p.filer_name = "Lê Thị Hồng";
      p.filer_address = "Thôn 2 (địa chỉ hư cấu của dữ liệu mẫu)";
      p.filer_phone = "0900000202";
      Handle(p, c1, 8);
      Answer(p, 73, "Nội dung tố cáo không có cơ sở; đã trả lời người tố cáo bằng văn bản");
      out_.petitions.push_back(p);
    }
    {
      PlannedPetition p = Petition("pet-2023-anonymous", iv1::PETITION_KIND_DENUNCIATION,
                                   iv1::PETITION_SOURCE_CITIZEN, c8, "2023-10-02",
                                   "Đơn không ký tên tố cáo chung chung cán bộ thôn, không nêu cụ thể sự việc");
      p.anonymous = true;
      p.final_status = iv1::PETITION_STATUS_CLOSED;
      p.close_reason = "Đơn nặc danh, nội dung không cụ thể: lưu theo quy định, không giải quyết";
      p.closed_on = "2023-10-09";
      out_.petitions.push_back(p);
    }
    {
      // Open at the end of the demo, due early in January 2026.
      PlannedPetition p = Petition("pet-2025-citizen-open", iv1::PETITION_KIND_FEEDBACK, iv1::PETITION_SOURCE_CITIZEN,
                                   xa2, "2025-12-10",
                                   "Công dân phản ánh chi bộ thôn chưa công khai kết quả đánh giá đảng viên năm 2025");
      p.about_org_code = CellUnder(xa2, 3);
      p.filer_name = "Phạm Quốc Bảo";
      p.filer_address = "Thôn 7 (địa chỉ hư cấu của dữ liệu mẫu)";
      p.filer_phone = "0900000303";
      p.final_status = iv1::PETITION_STATUS_ASSIGNED;
      Handle(p, OldCommuneUnder(xa2), 9);
      out_.petitions.push_back(p);
    }
  }

  static constexpr char kExpulsionSigned[] = "2025-12-30";

  const Plan& plan_;
  const MembersPlan& members_;
  const FactsPlan& facts_;
  InspectionPlan out_;
  std::map<std::string, const Org*> orgs_;
  std::vector<std::string> communes_;      // the old commune and township committees
  std::vector<std::string> new_communes_;  // the commune committees from 1 July 2025
  std::map<std::string, std::string> new_commune_of_;
  std::map<std::string, std::vector<std::pair<const PlannedMember*, std::string>>> steady_by_commune_;
  std::set<std::string> used_members_;
  std::map<std::pair<std::string, int>, size_t> program_index_;
  std::set<std::pair<size_t, size_t>> linked_items_;
  int next_number_ = 12;
};

}  // namespace

bool MustHaveProgram(const Org& org) { return IsGrassrootsType(org.type) || IsCellType(org.type); }

InspectionPlan BuildInspectionPlan(const Plan& plan, const MembersPlan& members, const FactsPlan& facts) {
  return InspectionBuilder(plan, members, facts).Build();
}

}  // namespace grassroots::demo
