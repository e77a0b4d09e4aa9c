#include "services/reporting/domain/scorecard.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace grassroots::reporting::domain {
namespace {

// grassroots.membership.v1.OccupationCategory OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER (S7).
constexpr int32_t kPrivateBusinessOwner = 5;
// Sectors at founding that make a new TCCS count for S8.
const std::set<std::string>& NonStateFoundingSectors() {
  static const std::set<std::string> sectors = {"PRIVATE_ENTERPRISE", "FOREIGN_INVESTED_ENTERPRISE",
                                                "NON_PUBLIC_UNIT"};
  return sectors;
}

struct IndicatorInfo {
  Indicator indicator;
  const char* id;
  const char* title;
};

const std::vector<IndicatorInfo>& IndicatorTable() {
  static const std::vector<IndicatorInfo> table = {
      {Indicator::kS1, "S1", "Tổ chức cơ sở đảng, đảng bộ bộ phận, chi bộ trực thuộc có quy chế làm việc"},
      {Indicator::kS2a, "S2a", "Đảng viên đang công tác đăng ký sinh hoạt nơi cư trú"},
      {Indicator::kS2b, "S2b", "Đảng viên đang công tác được nơi cư trú nhận xét trong năm"},
      {Indicator::kS3, "S3", "Tổ chức cơ sở đảng có mô hình mới, cách làm sáng tạo"},
      {Indicator::kS4, "S4", "Đảng viên là cán bộ, công chức, viên chức, lực lượng vũ trang có cam kết tu dưỡng, rèn luyện"},
      {Indicator::kS5a, "S5a", "Tổ chức cơ sở đảng xếp loại hoàn thành tốt nhiệm vụ trở lên"},
      {Indicator::kS5b, "S5b", "Đảng viên xếp loại hoàn thành tốt nhiệm vụ trở lên"},
      {Indicator::kS6, "S6", "Tỷ lệ kết nạp đảng viên trong năm"},
      {Indicator::kS7, "S7", "Chủ doanh nghiệp tư nhân được kết nạp trong nhiệm kỳ"},
      {Indicator::kS8, "S8", "Tổ chức cơ sở đảng thành lập trong nhiệm kỳ ở khu vực ngoài nhà nước"},
      {Indicator::kS9, "S9", "Thôn, tổ dân phố có chi bộ"},
      {Indicator::kS10, "S10", "Chi bộ có cấp ủy"},
      {Indicator::kS11, "S11", "Chi bộ quân sự xã, thị trấn có cấp ủy"},
      {Indicator::kS12, "S12", "Đảng bộ cơ sở, chi bộ cơ sở, chi bộ trực thuộc có chương trình kiểm tra, giám sát"},
      {Indicator::kS13, "S13", "Chi bộ sinh hoạt chuyên đề ít nhất một lần mỗi quý"},
      {Indicator::kS14, "S14", "Cấp ủy viên cơ sở, bí thư chi bộ, trưởng thôn, tổ dân phố được bồi dưỡng trong nhiệm kỳ"},
      {Indicator::kS15, "S15", "Trưởng thôn, tổ trưởng tổ dân phố, trưởng ban công tác Mặt trận là đảng viên"},
      {Indicator::kS16, "S16", "Đảng viên bị đưa ra khỏi Đảng trong năm"},
  };
  return table;
}

const IndicatorInfo& InfoOf(Indicator indicator) { return IndicatorTable()[static_cast<size_t>(indicator)]; }

bool ActiveOn(const OrganizationFacts& organization, absl::CivilDay day) {
  return organization.established_on <= day && (!organization.ended_on || day < *organization.ended_on);
}

// Active on every day of [first, last].
bool ActiveThrough(const OrganizationFacts& organization, absl::CivilDay first, absl::CivilDay last) {
  return organization.established_on <= first && (!organization.ended_on || last < *organization.ended_on);
}

bool GoodOrBetter(RatingLevel rating) { return rating == RatingLevel::kExcellent || rating == RatingLevel::kGood; }

bool IsUnitHeadPost(Post post) { return post == Post::kVillageHead || post == Post::kResidentialGroupHead; }

Contribution MakeContribution(Contribution::Subject subject, int64_t id, int64_t organization_id, bool in_numerator,
                              std::string_view shortfall_reason, std::optional<Post> post = std::nullopt) {
  Contribution contribution;
  contribution.subject = subject;
  contribution.id = id;
  contribution.organization_id = organization_id;
  contribution.post = post;
  contribution.in_numerator = in_numerator;
  if (!in_numerator) contribution.reason = std::string(shortfall_reason);
  return contribution;
}

// The facts looked up by id, and the subtree's placement.
class FactsIndex {
 public:
  explicit FactsIndex(const SubtreeFacts& facts) : facts_(facts) {
    for (const OrganizationFacts& organization : facts.organizations) organizations_[organization.id] = &organization;
    for (const MemberFacts& member : facts.members) members_[member.id] = &member;
  }

  const SubtreeFacts& facts() const { return facts_; }
  bool InSubtree(int64_t organization_id) const { return organizations_.contains(organization_id); }
  const OrganizationFacts* Organization(int64_t id) const {
    auto it = organizations_.find(id);
    return it == organizations_.end() ? nullptr : it->second;
  }
  const MemberFacts* Member(int64_t id) const {
    auto it = members_.find(id);
    return it == members_.end() ? nullptr : it->second;
  }

  // The cell a standing counts in: counted, in a cell of the subtree; 0 otherwise.
  int64_t CountedCell(const std::optional<MemberOnDay>& standing) const {
    if (!standing || !standing->counted || standing->cell_id == 0 || !InSubtree(standing->cell_id)) return 0;
    return standing->cell_id;
  }

  // Calls `visit` with `organization_id` and each organization above it (the
  // parent_id chain), stopping when `visit` returns true. The walk is bounded
  // by the number of organizations, so a cycle in bad facts cannot loop.
  bool AnyUpward(int64_t organization_id, const std::function<bool(int64_t)>& visit) const {
    std::optional<int64_t> current = organization_id;
    for (size_t steps = 0; current && steps <= organizations_.size(); ++steps) {
      if (visit(*current)) return true;
      const OrganizationFacts* organization = Organization(*current);
      if (organization == nullptr) return false;
      current = organization->parent_id;
    }
    return false;
  }

 private:
  const SubtreeFacts& facts_;
  absl::flat_hash_map<int64_t, const OrganizationFacts*> organizations_;
  absl::flat_hash_map<int64_t, const MemberFacts*> members_;
};

// Contributions sorted by (organization, id, post) so paging over them is stable;
// numerator and denominator counted from them (ratios), or the count (counts).
IndicatorCount Finish(Indicator indicator, std::vector<Contribution> contributions) {
  std::sort(contributions.begin(), contributions.end(), [](const Contribution& a, const Contribution& b) {
    auto key = [](const Contribution& c) {
      return std::make_tuple(c.organization_id, c.id, c.post ? static_cast<int>(*c.post) : -1,
                             static_cast<int>(c.subject));
    };
    return key(a) < key(b);
  });
  IndicatorCount count;
  count.indicator = indicator;
  for (const Contribution& contribution : contributions)
    if (contribution.in_numerator) ++count.numerator;
  count.denominator = IsCount(indicator) ? 0 : static_cast<int64_t>(contributions.size());
  count.contributions = std::move(contributions);
  return count;
}

// S1, S3, S5a, S10, S11, S12: one contribution per organization of the kinds
// asked that is active on D; `in_numerator` and `reason` decide the rest.
IndicatorCount CountOrganizations(const FactsIndex& index, Indicator indicator, absl::CivilDay as_of,
                                  const std::function<bool(const OrganizationFacts&)>& in_denominator,
                                  const std::function<bool(const OrganizationFacts&)>& in_numerator,
                                  std::string_view reason) {
  std::vector<Contribution> contributions;
  for (const OrganizationFacts& organization : index.facts().organizations) {
    if (!ActiveOn(organization, as_of) || !in_denominator(organization)) continue;
    contributions.push_back(MakeContribution(Contribution::Subject::kOrganization, organization.id, organization.id,
                                             in_numerator(organization), reason));
  }
  return Finish(indicator, std::move(contributions));
}

// S2a, S2b, S4, S5b: one contribution per counted member on D that `in_denominator` keeps.
IndicatorCount CountMembers(const FactsIndex& index, Indicator indicator,
                            const std::function<bool(const MemberFacts&, const OrganizationFacts&)>& in_denominator,
                            const std::function<bool(const MemberFacts&)>& in_numerator, std::string_view reason) {
  std::vector<Contribution> contributions;
  for (const MemberFacts& member : index.facts().members) {
    int64_t cell = index.CountedCell(member.on_d);
    if (cell == 0 || !in_denominator(member, *index.Organization(cell))) continue;
    contributions.push_back(
        MakeContribution(Contribution::Subject::kMember, member.id, cell, in_numerator(member), reason));
  }
  return Finish(indicator, std::move(contributions));
}

bool OwesResidenceLiaison(const FactsIndex& index, const MemberFacts& member, const OrganizationFacts& cell) {
  return index.facts().working_categories.contains(member.on_d->occupation_category) && !cell.residential_on_d &&
         !member.registration_exempt;
}

// S6's denominator: members counted on 31 December of Y-1 in a cell `placed` keeps.
int64_t CountedAtPreviousYearEnd(const FactsIndex& index, const std::function<bool(int64_t)>& placed) {
  int64_t denominator = 0;
  for (const MemberFacts& member : index.facts().members) {
    int64_t cell = index.CountedCell(member.on_previous_year_end);
    if (cell != 0 && placed(cell)) ++denominator;
  }
  return denominator;
}

std::pair<std::string, std::string> RemovalKey(const MemberFacts::Removal& removal) {
  return {RemovalKindName(removal.kind), removal.reason.empty() ? "UNSPECIFIED" : removal.reason};
}

// S16's tally by (kind, reason) of the members among `contributions`.
std::map<std::pair<std::string, std::string>, int64_t> TallyRemovals(const FactsIndex& index,
                                                                     const std::vector<Contribution>& contributions) {
  std::map<std::pair<std::string, std::string>, int64_t> removals;
  for (const Contribution& contribution : contributions) {
    const MemberFacts* member = index.Member(contribution.id);
    if (member != nullptr && member->removal) ++removals[RemovalKey(*member->removal)];
  }
  return removals;
}

absl::CivilDay LastDayOfQuarter(int year, int quarter) {
  return quarter == 4 ? absl::CivilDay(year + 1, 1, 1) - 1 : absl::CivilDay(year, 3 * quarter + 1, 1) - 1;
}

absl::CivilDay FirstDayOfQuarter(int year, int quarter) { return absl::CivilDay(year, 3 * (quarter - 1) + 1, 1); }

IndicatorCount ComputeS13(const FactsIndex& index, const Evaluation& evaluation) {
  int ended_quarters = 0;
  while (ended_quarters < 4 && LastDayOfQuarter(evaluation.year, ended_quarters + 1) <= evaluation.as_of)
    ++ended_quarters;
  std::vector<Contribution> contributions;
  if (ended_quarters > 0) {
    absl::CivilDay first = FirstDayOfQuarter(evaluation.year, 1);
    absl::CivilDay last = LastDayOfQuarter(evaluation.year, ended_quarters);
    for (const OrganizationFacts& cell : index.facts().organizations) {
      if (!IsCell(cell.kind) || !ActiveThrough(cell, first, last)) continue;
      std::vector<std::string> missing;
      for (int quarter = 1; quarter <= ended_quarters; ++quarter) {
        absl::CivilDay from = FirstDayOfQuarter(evaluation.year, quarter);
        absl::CivilDay to = LastDayOfQuarter(evaluation.year, quarter);
        bool held = std::any_of(cell.thematic_meetings.begin(), cell.thematic_meetings.end(),
                                [&](absl::CivilDay day) { return from <= day && day <= to; });
        if (!held) missing.push_back(absl::StrCat(quarter));
      }
      contributions.push_back(MakeContribution(
          Contribution::Subject::kOrganization, cell.id, cell.id, missing.empty(),
          absl::StrCat("không sinh hoạt chuyên đề trong quý ", absl::StrJoin(missing, ", "))));
    }
  }
  return Finish(Indicator::kS13, std::move(contributions));
}

// S14: whether one of `trainings` is for `post` in the current term.
bool TrainedForTerm(const std::vector<const PostTraining*>& trainings, Post post,
                    std::optional<int64_t> committee_term_id, absl::CivilDay term_from, absl::CivilDay as_of) {
  for (const PostTraining* training : trainings) {
    if (training->post != post) continue;
    if (training->committee_term_id && committee_term_id && *training->committee_term_id == *committee_term_id)
      return true;
    if (training->term_starts_on && *training->term_starts_on <= as_of &&
        (!training->term_ends_on || as_of <= *training->term_ends_on))
      return true;
    bool term_recorded = training->committee_term_id || training->term_starts_on || training->term_ends_on;
    if (!term_recorded && term_from <= training->start_date && training->start_date <= as_of) return true;
  }
  return false;
}

void AddMemberTrainings(const FactsIndex& index, std::optional<int64_t> member_id,
                        std::vector<const PostTraining*>& trainings) {
  if (!member_id) return;
  const MemberFacts* member = index.Member(*member_id);
  if (member == nullptr) return;
  for (const PostTraining& training : member->trainings) trainings.push_back(&training);
}

bool UnitActiveInSubtree(const FactsIndex& index, const ResidentialUnitFacts& unit, absl::CivilDay as_of) {
  return unit.life.Covers(as_of) && index.InSubtree(unit.commune_organization_id);
}

constexpr std::string_view kNotTrained = "chưa được bồi dưỡng nghiệp vụ cho chức danh trong nhiệm kỳ";

IndicatorCount ComputeS14(const FactsIndex& index, const Evaluation& evaluation) {
  std::vector<Contribution> contributions;
  for (const PostHolding& holding : index.facts().posts) {
    if (!holding.range.Covers(evaluation.as_of) || !index.InSubtree(holding.organization_id) || !holding.member_id)
      continue;
    std::vector<const PostTraining*> trainings;
    AddMemberTrainings(index, holding.member_id, trainings);
    // No term recorded for the position: its own first day starts the term.
    absl::CivilDay term_from = holding.term_range ? holding.term_range->from : holding.range.from;
    bool trained = TrainedForTerm(trainings, holding.post, holding.committee_term_id, term_from, evaluation.as_of);
    contributions.push_back(MakeContribution(Contribution::Subject::kMember, *holding.member_id,
                                             holding.organization_id, trained, kNotTrained, holding.post));
  }
  for (const ResidentialUnitFacts& unit : index.facts().units) {
    if (!UnitActiveInSubtree(index, unit, evaluation.as_of)) continue;
    for (const ResidentialUnitFacts::Head& head : unit.heads) {
      if (!IsUnitHeadPost(head.post) || !head.range.Covers(evaluation.as_of)) continue;
      std::vector<const PostTraining*> trainings;
      for (const PostTraining& training : head.trainings) trainings.push_back(&training);
      AddMemberTrainings(index, head.member_id, trainings);
      bool trained = TrainedForTerm(trainings, head.post, std::nullopt, head.range.from, evaluation.as_of);
      Contribution contribution = MakeContribution(Contribution::Subject::kHead, head.head_id,
                                                   unit.commune_organization_id, trained, kNotTrained, head.post);
      contribution.unit_id = unit.id;
      contributions.push_back(std::move(contribution));
    }
  }
  return Finish(Indicator::kS14, std::move(contributions));
}

// S15: the head of `unit` on D holding one of `posts`; the latest appointed when several are recorded.
const ResidentialUnitFacts::Head* HeadOnDay(const ResidentialUnitFacts& unit, absl::CivilDay as_of,
                                            const std::function<bool(Post)>& posts) {
  const ResidentialUnitFacts::Head* found = nullptr;
  for (const ResidentialUnitFacts::Head& head : unit.heads) {
    if (!posts(head.post) || !head.range.Covers(as_of)) continue;
    if (found == nullptr || std::make_pair(found->range.from, found->head_id) < std::make_pair(head.range.from, head.head_id))
      found = &head;
  }
  return found;
}

IndicatorCount ComputeS15(const FactsIndex& index, const Evaluation& evaluation) {
  std::vector<Contribution> contributions;
  for (const ResidentialUnitFacts& unit : index.facts().units) {
    if (!UnitActiveInSubtree(index, unit, evaluation.as_of)) continue;
    auto add_slot = [&](const ResidentialUnitFacts::Head* head, Post slot_post) {
      if (head == nullptr) {
        contributions.push_back(MakeContribution(Contribution::Subject::kResidentialUnit, unit.id,
                                                 unit.commune_organization_id, false,
                                                 "chưa ghi nhận người giữ chức danh", slot_post));
        return;
      }
      contributions.push_back(MakeContribution(Contribution::Subject::kResidentialUnit, unit.id,
                                               unit.commune_organization_id, head->is_party_member,
                                               "người giữ chức danh không phải là đảng viên", head->post));
    };
    add_slot(HeadOnDay(unit, evaluation.as_of, IsUnitHeadPost),
             unit.residential_group ? Post::kResidentialGroupHead : Post::kVillageHead);
    add_slot(HeadOnDay(unit, evaluation.as_of, [](Post post) { return post == Post::kFrontWorkCommitteeHead; }),
             Post::kFrontWorkCommitteeHead);
  }
  return Finish(Indicator::kS15, std::move(contributions));
}

// Recounts `count` from its contributions; S6's denominator from `facts`.
void Recount(const FactsIndex& index, IndicatorCount& count, const std::function<bool(int64_t)>& placed) {
  count.numerator = 0;
  for (const Contribution& contribution : count.contributions)
    if (contribution.in_numerator) ++count.numerator;
  if (count.indicator == Indicator::kS6) {
    count.denominator = CountedAtPreviousYearEnd(index, placed);
  } else {
    count.denominator = IsCount(count.indicator) ? 0 : static_cast<int64_t>(count.contributions.size());
  }
  if (count.indicator == Indicator::kS16) count.removals = TallyRemovals(index, count.contributions);
}

bool ClearsTarget(const std::string& comparator, int64_t actual, int64_t target) {
  if (comparator == ">=") return actual >= target;
  if (comparator == ">") return actual > target;
  if (comparator == "=") return actual == target;
  if (comparator == "<=") return actual <= target;
  if (comparator == "<") return actual < target;
  return false;
}

bool KnownComparison(const std::string& comparator) {
  return comparator == ">=" || comparator == ">" || comparator == "=" || comparator == "<=" || comparator == "<";
}

}  // namespace

const std::vector<Indicator>& AllIndicators() {
  static const std::vector<Indicator> all = [] {
    std::vector<Indicator> indicators;
    for (const IndicatorInfo& info : IndicatorTable()) indicators.push_back(info.indicator);
    return indicators;
  }();
  return all;
}

std::string IndicatorId(Indicator indicator) { return InfoOf(indicator).id; }

absl::StatusOr<Indicator> ParseIndicatorId(std::string_view id) {
  for (const IndicatorInfo& info : IndicatorTable())
    if (id == info.id) return info.indicator;
  return absl::InvalidArgumentError(absl::StrCat("unknown indicator id \"", std::string(id), "\" (expected S1, S2a, S2b, S3 ... S16)"));
}

std::string IndicatorTitle(Indicator indicator) { return InfoOf(indicator).title; }

bool IsCount(Indicator indicator) {
  return indicator == Indicator::kS7 || indicator == Indicator::kS8 || indicator == Indicator::kS16;
}

bool IsGrassroots(OrganizationKind kind) {
  return kind == OrganizationKind::kGrassrootsCommittee || kind == OrganizationKind::kGrassrootsCell;
}

bool IsCell(OrganizationKind kind) {
  return kind == OrganizationKind::kGrassrootsCell || kind == OrganizationKind::kSubordinateCell;
}

std::string PostName(Post post) {
  switch (post) {
    case Post::kGrassrootsCommitteeMember: return "GRASSROOTS_COMMITTEE_MEMBER";
    case Post::kCellSecretary: return "CELL_SECRETARY";
    case Post::kVillageHead: return "VILLAGE_HEAD";
    case Post::kResidentialGroupHead: return "RESIDENTIAL_GROUP_HEAD";
    case Post::kFrontWorkCommitteeHead: return "FRONT_WORK_COMMITTEE_HEAD";
  }
  return "UNSPECIFIED";
}

std::string RemovalKindName(RemovalKind kind) {
  switch (kind) {
    case RemovalKind::kRemoved: return "REMOVED";
    case RemovalKind::kLeft: return "LEFT";
    case RemovalKind::kExpelled: return "EXPELLED";
  }
  return "UNSPECIFIED";
}

std::vector<IndicatorCount> ComputeIndicators(const SubtreeFacts& facts, const Evaluation& evaluation) {
  const FactsIndex index(facts);
  const absl::CivilDay as_of = evaluation.as_of;
  const int year = evaluation.year;
  std::vector<IndicatorCount> counts;

  counts.push_back(CountOrganizations(
      index, Indicator::kS1, as_of, [](const OrganizationFacts& o) { return o.kind != OrganizationKind::kOther; },
      [&](const OrganizationFacts& o) {
        return std::any_of(o.regulations.begin(), o.regulations.end(),
                           [&](const DatedRange& range) { return range.Covers(as_of); });
      },
      "chưa có quy chế làm việc có hiệu lực"));

  auto owes_liaison = [&](const MemberFacts& m, const OrganizationFacts& cell) {
    return OwesResidenceLiaison(index, m, cell);
  };
  counts.push_back(CountMembers(
      index, Indicator::kS2a, owes_liaison, [](const MemberFacts& m) { return m.registered_on_d; },
      "chưa đăng ký sinh hoạt nơi cư trú"));
  counts.push_back(CountMembers(
      index, Indicator::kS2b, owes_liaison, [&](const MemberFacts& m) { return m.feedback_years.contains(year); },
      "chưa có nhận xét của nơi cư trú trong năm"));

  // S3: an organization's new model counts for every TCCS above it.
  absl::flat_hash_set<int64_t> with_new_model;
  for (const OrganizationFacts& organization : facts.organizations) {
    if (!organization.new_model_years.contains(year)) continue;
    index.AnyUpward(organization.id, [&](int64_t id) { return !with_new_model.insert(id).second; });
  }
  for (const SummarizedSubtree& below : facts.summarized) {
    if (!below.totals.new_model) continue;
    index.AnyUpward(below.parent_id, [&](int64_t id) { return !with_new_model.insert(id).second; });
  }
  counts.push_back(CountOrganizations(
      index, Indicator::kS3, as_of, [](const OrganizationFacts& o) { return IsGrassroots(o.kind); },
      [&](const OrganizationFacts& o) { return with_new_model.contains(o.id); },
      "chưa có mô hình mới, cách làm sáng tạo được công nhận trong năm"));

  counts.push_back(CountMembers(
      index, Indicator::kS4,
      [&](const MemberFacts& m, const OrganizationFacts&) {
        return facts.commitment_categories.contains(m.on_d->occupation_category);
      },
      [&](const MemberFacts& m) { return m.commitment_years.contains(year); }, "chưa đăng ký cam kết trong năm"));

  counts.push_back(CountOrganizations(
      index, Indicator::kS5a, as_of,
      [&](const OrganizationFacts& o) {
        return IsGrassroots(o.kind) && o.rating && !facts.sectors_rated_elsewhere.contains(o.sector);
      },
      [](const OrganizationFacts& o) { return GoodOrBetter(*o.rating); },
      "xếp loại dưới mức hoàn thành tốt nhiệm vụ"));
  counts.push_back(CountMembers(
      index, Indicator::kS5b, [](const MemberFacts& m, const OrganizationFacts&) { return m.rating.has_value(); },
      [](const MemberFacts& m) { return GoodOrBetter(*m.rating); }, "xếp loại dưới mức hoàn thành tốt nhiệm vụ"));

  // S6 is a rate: its contributions are the admitted members (all in the
  // numerator); its denominator, the members of 31 December of Y-1, has none.
  {
    std::vector<Contribution> admitted;
    for (const MemberFacts& member : facts.members) {
      if (!member.admission_decision_date || member.admission_decision_date->year() != year ||
          *member.admission_decision_date > as_of || !index.InSubtree(member.admission_cell_id))
        continue;
      admitted.push_back(MakeContribution(Contribution::Subject::kMember, member.id, member.admission_cell_id, true, ""));
    }
    IndicatorCount s6 = Finish(Indicator::kS6, std::move(admitted));
    s6.denominator = CountedAtPreviousYearEnd(index, [](int64_t) { return true; });
    counts.push_back(std::move(s6));
  }

  {
    std::vector<Contribution> owners;
    for (const MemberFacts& member : facts.members) {
      if (!member.admission_decision_date || *member.admission_decision_date < evaluation.term_from ||
          *member.admission_decision_date > as_of || !index.InSubtree(member.admission_cell_id) ||
          member.occupation_category_at_admission != kPrivateBusinessOwner)
        continue;
      owners.push_back(MakeContribution(Contribution::Subject::kMember, member.id, member.admission_cell_id, true, ""));
    }
    counts.push_back(Finish(Indicator::kS7, std::move(owners)));
  }

  {
    std::vector<Contribution> founded;
    for (const OrganizationFacts& organization : facts.organizations) {
      if (!IsGrassroots(organization.kind) || organization.established_on < evaluation.term_from ||
          organization.established_on > as_of || !NonStateFoundingSectors().contains(organization.sector_at_founding))
        continue;
      founded.push_back(
          MakeContribution(Contribution::Subject::kOrganization, organization.id, organization.id, true, ""));
    }
    counts.push_back(Finish(Indicator::kS8, std::move(founded)));
  }

  {
    std::vector<Contribution> units;
    for (const ResidentialUnitFacts& unit : facts.units) {
      if (!UnitActiveInSubtree(index, unit, as_of)) continue;
      bool covered = std::any_of(unit.coverings.begin(), unit.coverings.end(), [&](const auto& covering) {
        return covering.range.Covers(as_of) && covering.cell_active_on_d;
      });
      units.push_back(MakeContribution(Contribution::Subject::kResidentialUnit, unit.id, unit.commune_organization_id,
                                       covered, "không có chi bộ phụ trách đang hoạt động"));
    }
    counts.push_back(Finish(Indicator::kS9, std::move(units)));
  }

  auto has_elected_committee = [&](const OrganizationFacts& o) {
    return std::any_of(o.committee_terms.begin(), o.committee_terms.end(), [&](const CommitteeTerm& term) {
      return term.elected_committee && term.range.Covers(as_of);
    });
  };
  counts.push_back(CountOrganizations(
      index, Indicator::kS10, as_of, [](const OrganizationFacts& o) { return IsCell(o.kind); }, has_elected_committee,
      "chưa có cấp ủy"));
  counts.push_back(CountOrganizations(
      index, Indicator::kS11, as_of,
      [](const OrganizationFacts& o) { return IsCell(o.kind) && o.commune_military_cell; }, has_elected_committee,
      "chưa có cấp ủy"));

  counts.push_back(CountOrganizations(
      index, Indicator::kS12, as_of,
      [](const OrganizationFacts& o) {
        return o.kind == OrganizationKind::kGrassrootsCommittee || o.kind == OrganizationKind::kGrassrootsCell ||
               o.kind == OrganizationKind::kSubordinateCell;
      },
      [&](const OrganizationFacts& o) {
        return o.inspection_program_adopted_on && *o.inspection_program_adopted_on <= as_of;
      },
      "chưa có chương trình kiểm tra, giám sát năm"));

  counts.push_back(ComputeS13(index, evaluation));
  counts.push_back(ComputeS14(index, evaluation));
  counts.push_back(ComputeS15(index, evaluation));

  {
    std::vector<Contribution> removed;
    for (const MemberFacts& member : facts.members) {
      if (!member.removal || member.removal->effective_date.year() != year || member.removal->effective_date > as_of ||
          !index.InSubtree(member.removal->cell_id))
        continue;
      removed.push_back(MakeContribution(Contribution::Subject::kMember, member.id, member.removal->cell_id, true, ""));
    }
    IndicatorCount s16 = Finish(Indicator::kS16, std::move(removed));
    s16.removals = TallyRemovals(index, s16.contributions);
    counts.push_back(std::move(s16));
  }
  for (const SummarizedSubtree& below : facts.summarized) {
    for (size_t i = 0; i < counts.size() && i < below.totals.indicators.size(); ++i) {
      const IndicatorTotals& part = below.totals.indicators[i];
      counts[i].numerator += part.numerator;
      counts[i].denominator += part.denominator;
      for (const auto& [key, removals] : part.removals) counts[i].removals[key] += removals;
    }
  }
  return counts;
}

void SubtreeTotals::Add(const SubtreeTotals& other) {
  if (indicators.size() < other.indicators.size()) indicators.resize(other.indicators.size());
  for (size_t i = 0; i < other.indicators.size(); ++i) {
    indicators[i].numerator += other.indicators[i].numerator;
    indicators[i].denominator += other.indicators[i].denominator;
    for (const auto& [key, removals] : other.indicators[i].removals) indicators[i].removals[key] += removals;
  }
  new_model = new_model || other.new_model;
}

void SubtreeTotals::Subtract(const SubtreeTotals& part) {
  for (size_t i = 0; i < part.indicators.size() && i < indicators.size(); ++i) {
    indicators[i].numerator -= part.indicators[i].numerator;
    indicators[i].denominator -= part.indicators[i].denominator;
    for (const auto& [key, removals] : part.indicators[i].removals) {
      auto it = indicators[i].removals.find(key);
      if (it == indicators[i].removals.end()) continue;
      it->second -= removals;
      if (it->second == 0) indicators[i].removals.erase(it);
    }
  }
}

std::map<int64_t, SubtreeTotals> TotalsBySubtree(const std::vector<IndicatorCount>& counts, const SubtreeFacts& facts,
                                                 const Evaluation& evaluation) {
  const FactsIndex index(facts);
  std::map<int64_t, SubtreeTotals> totals;
  for (const OrganizationFacts& organization : facts.organizations) totals[organization.id];
  // Adds to `organization_id` and every organization above it among the facts.
  auto upward = [&](int64_t organization_id, const std::function<void(SubtreeTotals&)>& add) {
    index.AnyUpward(organization_id, [&](int64_t id) {
      auto it = totals.find(id);
      if (it != totals.end()) add(it->second);
      return false;
    });
  };
  for (size_t i = 0; i < counts.size(); ++i) {
    const IndicatorCount& count = counts[i];
    const bool ratio = !IsCount(count.indicator) && count.indicator != Indicator::kS6;
    for (const Contribution& contribution : count.contributions) {
      const MemberFacts* member =
          count.indicator == Indicator::kS16 ? index.Member(contribution.id) : nullptr;
      upward(contribution.organization_id, [&](SubtreeTotals& t) {
        IndicatorTotals& part = t.indicators[i];
        if (contribution.in_numerator) ++part.numerator;
        if (ratio) ++part.denominator;
        if (member != nullptr && member->removal) ++part.removals[RemovalKey(*member->removal)];
      });
    }
  }
  // S6's denominator: the members of 31 December of Y-1, in their cell then.
  const size_t s6 = static_cast<size_t>(Indicator::kS6);
  for (const MemberFacts& member : facts.members) {
    const int64_t cell = index.CountedCell(member.on_previous_year_end);
    if (cell != 0) upward(cell, [&](SubtreeTotals& t) { ++t.indicators[s6].denominator; });
  }
  for (const OrganizationFacts& organization : facts.organizations) {
    if (organization.new_model_years.contains(evaluation.year)) {
      upward(organization.id, [](SubtreeTotals& t) { t.new_model = true; });
    }
  }
  for (const SummarizedSubtree& below : facts.summarized) {
    upward(below.parent_id, [&](SubtreeTotals& t) { t.Add(below.totals); });
  }
  return totals;
}

std::vector<IndicatorCount> CountsOf(const SubtreeTotals& totals) {
  std::vector<IndicatorCount> counts;
  for (const Indicator indicator : AllIndicators()) {
    IndicatorCount count;
    count.indicator = indicator;
    const size_t i = static_cast<size_t>(indicator);
    if (i < totals.indicators.size()) {
      count.numerator = totals.indicators[i].numerator;
      count.denominator = totals.indicators[i].denominator;
      count.removals = totals.indicators[i].removals;
    }
    counts.push_back(std::move(count));
  }
  return counts;
}

std::vector<IndicatorCount> RestrictToChild(const std::vector<IndicatorCount>& counts, const SubtreeFacts& facts,
                                            int64_t child) {
  const FactsIndex index(facts);
  // The organizations placed under `child` (itself included); the root alone for the root.
  absl::flat_hash_set<int64_t> placed_under;
  if (child == facts.root_id) {
    placed_under.insert(child);
  } else {
    for (const OrganizationFacts& organization : facts.organizations)
      if (index.AnyUpward(organization.id, [&](int64_t id) { return id == child; })) placed_under.insert(organization.id);
  }
  auto placed = [&](int64_t organization_id) { return placed_under.contains(organization_id); };

  std::vector<IndicatorCount> restricted;
  restricted.reserve(counts.size());
  for (const IndicatorCount& count : counts) {
    IndicatorCount part;
    part.indicator = count.indicator;
    for (const Contribution& contribution : count.contributions)
      if (placed(contribution.organization_id)) part.contributions.push_back(contribution);
    Recount(index, part, placed);
    restricted.push_back(std::move(part));
  }
  return restricted;
}

std::optional<int64_t> PercentHundredths(int64_t numerator, int64_t denominator) {
  if (denominator == 0) return std::nullopt;
  // numerator * 10000 / denominator, half-up (away from zero), exactly.
  __int128 scaled = static_cast<__int128>(numerator) * 10000;
  __int128 divisor = denominator;
  bool negative = (scaled < 0) != (divisor < 0);
  if (scaled < 0) scaled = -scaled;
  if (divisor < 0) divisor = -divisor;
  __int128 rounded = (scaled * 2 + divisor) / (divisor * 2);
  return static_cast<int64_t>(negative ? -rounded : rounded);
}

std::string FormatPercent(int64_t hundredths) {
  uint64_t magnitude = hundredths < 0 ? 0 - static_cast<uint64_t>(hundredths) : static_cast<uint64_t>(hundredths);
  return absl::StrFormat("%s%d.%02d", hundredths < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

Attainment Judge(const IndicatorCount& count, const Target* target, int year, const IndicatorCount* previous) {
  if (target == nullptr) return Attainment::kNoTarget;
  if (target->comparator == "reported") return Attainment::kNotApplicable;
  if (target->from_year && year < *target->from_year) return Attainment::kNotApplicable;

  const bool is_count = IsCount(count.indicator);
  std::optional<int64_t> current =
      is_count ? std::optional<int64_t>(count.numerator) : PercentHundredths(count.numerator, count.denominator);
  if (!current) return Attainment::kUnknown;

  if (target->comparator == "rising_year_on_year") {
    if (previous == nullptr) return Attainment::kUnknown;
    std::optional<int64_t> before = is_count ? std::optional<int64_t>(previous->numerator)
                                             : PercentHundredths(previous->numerator, previous->denominator);
    if (!before) return Attainment::kUnknown;
    return *current > *before ? Attainment::kMet : Attainment::kNotMet;
  }

  // Both sides in ten-thousandths: a ratio's hundredths of a percent, a count times 10000.
  const int64_t actual = is_count ? *current * 10000 : *current;
  auto scaled = [](double value) { return static_cast<int64_t>(std::llround(value * 10000)); };
  if (target->comparator == "between") {
    if (!KnownComparison(target->met_comparator)) return Attainment::kUnknown;
    return ClearsTarget(target->met_comparator, actual, scaled(target->met_value)) ? Attainment::kMet
                                                                                   : Attainment::kNotMet;
  }
  if (!KnownComparison(target->comparator)) return Attainment::kUnknown;
  return ClearsTarget(target->comparator, actual, scaled(target->value)) ? Attainment::kMet : Attainment::kNotMet;
}

}  // namespace grassroots::reporting::domain
