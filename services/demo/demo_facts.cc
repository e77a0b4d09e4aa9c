#include "services/demo/demo_facts.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace grassroots::demo {
namespace {

constexpr char kProvinceSchool[] = "Trường Chính trị tỉnh Lâm Viên";
constexpr char kHeadCourse[] = "Bồi dưỡng kỹ năng, nghiệp vụ trưởng thôn, tổ trưởng tổ dân phố";
constexpr char kFrontCourse[] = "Bồi dưỡng nghiệp vụ công tác Mặt trận ở khu dân cư";
constexpr char kCommitteeCourse[] = "Bồi dưỡng nghiệp vụ công tác đảng cho cấp ủy viên cơ sở";
constexpr char kSecretaryCourse[] = "Bồi dưỡng nghiệp vụ bí thư chi bộ";
// Village heads serve five-year terms (Luật Thực hiện dân chủ ở cơ sở 2022).
constexpr int kHeadTermYears = 5;

// grassroots.org.v1.UnitHeadPost and grassroots.membership.v1.TrainingPost values used here.
constexpr int kVillageHead = 1;
constexpr int kResidentialGroupHead = 2;
constexpr int kFrontWorkCommitteeHead = 3;
constexpr int kGrassrootsCommitteeMember = 1;
constexpr int kCellSecretary = 2;

std::string Day(int year, int month, int day) { return absl::FormatCivilTime(absl::CivilDay(year, month, day)); }
std::string AddDays(const std::string& text, int days) {
  absl::CivilDay day;
  absl::ParseCivilTime(text, &day);
  return absl::FormatCivilTime(day + days);
}
std::string AddYears(const std::string& text, int years) {
  absl::CivilDay day;
  absl::ParseCivilTime(text, &day);
  return absl::FormatCivilTime(absl::CivilDay(day.year() + years, day.month(), day.day()));
}

// A member on file since the 2020 import who never leaves the cell: a member on every
// date a head post or a training asks about.
bool StaysPut(const PlannedMember& member) {
  if (!member.imported || member.status != mv1::MEMBER_STATUS_OFFICIAL) return false;
  for (const Action& action : member.actions) {
    switch (action.kind) {
      case ActionKind::kStartTransfer:
      case ActionKind::kCompleteTransfer:
      case ActionKind::kEndTemporary:
      case ActionKind::kExempt:
      case ActionKind::kRemove:
      case ActionKind::kLeave:
      case ActionKind::kDecease:
        return false;
      default:
        break;
    }
  }
  return true;
}

class FactsBuilder {
 public:
  FactsBuilder(const Plan& plan, const MembersPlan& members) : plan_(plan) {
    for (const Org& org : plan.organizations) orgs_[org.code] = &org;
    for (const Org& org : plan.new_organizations) orgs_[org.code] = &org;
    for (const PlannedMember& member : members.members) {
      if (!StaysPut(member)) continue;
      by_home_unit_[member.person.home_unit_code].push_back(&member);
      by_cell_[member.cell_code].push_back(&member);
    }
  }

  FactsPlan Build() {
    Heads();
    CommitteeTrainings();
    Merge();
    return facts_;
  }

 private:
  // The first member of `candidates` not yet given a post.
  const PlannedMember* Take(const std::vector<const PlannedMember*>& candidates) {
    for (const PlannedMember* member : candidates) {
      if (taken_.insert(member->person.external_id).second) return member;
    }
    return nullptr;
  }
  Decision CommuneDecision(const std::string& commune_code, const std::string& signed_on) {
    std::string body = orgs_.at(commune_code)->display_name;
    if (body.rfind("Đảng bộ ", 0) == 0) body = body.substr(std::string("Đảng bộ ").size());
    return {absl::StrCat("Ủy ban nhân dân ", body), absl::StrCat(next_decision_++, "/QĐ-UBND"), signed_on};
  }
  void AddHead(const ResidentialUnit& unit, int post, const std::string& from, bool member_wanted,
               const std::string& non_member_name, bool trained, const std::string& course) {
    HeadSuccession head;
    head.unit_code = unit.code;
    head.post = post;
    head.valid_from = from;
    head.decision = CommuneDecision(unit.commune_code, AddDays(from, -3));
    const PlannedMember* member = member_wanted ? Take(by_home_unit_[unit.code]) : nullptr;
    if (member != nullptr) {
      head.display_name = member->person.full_name;
      head.member_external_id = member->person.external_id;
      head.member_citizen_id = member->person.citizen_id;
    } else {
      head.display_name = non_member_name;
    }
    head.trained = trained;
    if (trained) {
      const std::string start = AddDays(from, 95 + static_cast<int>(facts_.heads.size() % 40));
      head.training = {course, start, AddDays(start, 4), from, AddYears(from, kHeadTermYears),
                       absl::StrFormat("%d/GCN-BD", next_certificate_++), kProvinceSchool};
    }
    facts_.heads.push_back(std::move(head));
  }

  // Every unit elects its head in December 2022 (the old head leaves the post that day);
  // one unit in three changes its front work committee head in June 2024. Two heads in
  // three attend the course for their post.
  void Heads() {
    for (size_t i = 0; i < plan_.units.size(); ++i) {
      const ResidentialUnit& unit = plan_.units[i];
      const int day = 5 + static_cast<int>(i % 20);
      const int leader = unit.kind == 1 ? kVillageHead : kResidentialGroupHead;
      AddHead(unit, leader, Day(2022, 12, day), unit.head_is_member, unit.elected_head_name, i % 3 != 2, kHeadCourse);
      if (i % 3 == 0) {
        AddHead(unit, kFrontWorkCommitteeHead, Day(2024, 6, day), unit.front_head_is_member, unit.front_successor_name,
                i % 2 == 0, kFrontCourse);
      }
    }
  }

  // Every other grassroots committee and cell: one committee member (a cell's secretary)
  // trained for the post in the committee's first term of the plan.
  void CommitteeTrainings() {
    std::map<std::string, const CommitteeTerm*> first_term;
    for (const CommitteeTerm& term : plan_.terms) {
      auto [it, inserted] = first_term.emplace(term.org_code, &term);
      if (!inserted && term.starts_on < it->second->starts_on) it->second = &term;
    }
    std::map<std::string, std::vector<const PlannedMember*>> under_grassroots;
    for (const auto& [cell_code, members] : by_cell_) {
      auto cell = orgs_.find(cell_code);
      if (cell == orgs_.end()) continue;
      std::vector<const PlannedMember*>& list = under_grassroots[cell->second->parent_code];
      list.insert(list.end(), members.begin(), members.end());
    }
    int index = 0;
    for (const Org& org : plan_.organizations) {
      const bool grassroots_committee = org.type == "DANG_BO_CO_SO";
      if (!grassroots_committee && !IsCellType(org.type)) continue;
      if (index++ % 2 != 0) continue;
      auto term = first_term.find(org.code);
      if (term == first_term.end()) continue;
      const PlannedMember* member =
          Take(grassroots_committee ? under_grassroots[org.code] : by_cell_[org.code]);
      if (member == nullptr) continue;
      CommitteePostTraining training;
      training.member_external_id = member->person.external_id;
      training.member_citizen_id = member->person.citizen_id;
      training.org_code = org.code;
      training.post = grassroots_committee ? kGrassrootsCommitteeMember : kCellSecretary;
      const std::string start = AddDays(term->second->starts_on, 40 + index % 30);
      training.training = {grassroots_committee ? kCommitteeCourse : kSecretaryCourse,
                           start,
                           AddDays(start, 9),
                           term->second->starts_on,
                           term->second->ends_on,
                           absl::StrFormat("%d/GCN-CU", next_certificate_++),
                           kProvinceSchool};
      facts_.post_trainings.push_back(std::move(training));
    }
  }

  // Two neighbouring residential cells of one commune merge in 2026: the first commune with
  // two lasting cells that have no party groups. The units the source covers go to the target.
  void Merge() {
    std::set<std::string> with_children;
    for (const Org& org : plan_.organizations) with_children.insert(org.parent_code);
    std::map<std::string, std::vector<const Org*>> lasting_cells;
    for (const Org& org : plan_.organizations) {
      if (org.type != "CHI_BO_TRUC_THUOC" || org.sector != "RESIDENTIAL" || !org.active_until.empty() ||
          with_children.count(org.code) > 0) {
        continue;
      }
      std::vector<const Org*>& cells = lasting_cells[org.parent_code];
      cells.push_back(&org);
      if (cells.size() < 2) continue;
      // The commune committee the old commune merged into in 2025 decides.
      std::string committee = org.parent_code;
      for (const RestructuringStep& step : plan_.restructuring) {
        for (const std::string& source : step.source_codes) {
          if (step.kind == StepKind::kMerge && source == org.parent_code) committee = step.target_code;
        }
      }
      facts_.merge = {cells[1]->code, cells[0]->code, kCellMergeDate,
                      {absl::StrCat("Ban Chấp hành ", orgs_.at(committee)->display_name),
                       absl::StrCat(next_decision_++, "-QĐ/ĐU"), "2026-02-20"}};
      for (const ResidentialUnit& unit : plan_.units) {
        if (unit.covering_cell_code == facts_.merge.source_code) {
          facts_.coverings.push_back({unit.code, facts_.merge.target_code, kCellMergeDate, facts_.merge.decision});
        }
      }
      return;
    }
  }

  const Plan& plan_;
  std::map<std::string, const Org*> orgs_;
  std::map<std::string, std::vector<const PlannedMember*>> by_home_unit_;
  std::map<std::string, std::vector<const PlannedMember*>> by_cell_;
  std::set<std::string> taken_;
  FactsPlan facts_;
  int next_decision_ = 501;
  int next_certificate_ = 1;
};

}  // namespace

FactsPlan BuildFactsPlan(const Plan& plan, const MembersPlan& members) { return FactsBuilder(plan, members).Build(); }

}  // namespace grassroots::demo
