#include "services/demo/demo_members.h"

#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "common/api/api.h"
#include "services/cli/member_import.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/handlers/member_csv.h"

namespace grassroots::demo {
namespace {

const Plan& OrgPlan() {
  static const Plan plan = BuildPlan();
  return plan;
}

const MembersPlan& Members() {
  static const MembersPlan plan = BuildMembersPlan(OrgPlan());
  return plan;
}

absl::CivilDay DayOf(const std::string& text) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(text, &day)) << text;
  return day;
}

int AgeOn(absl::CivilDay birth, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() || (day.month() == birth.month() && day.day() < birth.day())) --age;
  return age;
}

std::map<std::string, const Org*> Cells() {
  std::map<std::string, const Org*> cells;
  for (const Org& org : OrgPlan().organizations) {
    if (IsCellType(org.type)) cells[org.code] = &org;
  }
  return cells;
}

TEST(DemoMembers, AboutThreeAndAHalfThousandWithAPlausibleHistory) {
  const MembersCounts counts = CountMembers(Members());
  EXPECT_GE(counts.members, 3300);
  EXPECT_LE(counts.members, 3900);
  EXPECT_GE(counts.imported, 2800);
  // NQ 21: admissions of 3-4% a year, every year.
  ASSERT_EQ(counts.admissions_by_year.size(), 6u);
  for (const auto& [year, admitted] : counts.admissions_by_year) {
    EXPECT_GE(admitted, 80) << year;
    EXPECT_LE(admitted, 140) << year;
  }
  EXPECT_GT(counts.recognized, 500);
  EXPECT_GT(counts.abandoned, 10);
  EXPECT_GT(counts.transfers, 100);
  EXPECT_GT(counts.transfers_out, 50);
  EXPECT_GT(counts.exempted, 30);
  EXPECT_GT(counts.removed, 10);
  EXPECT_GT(counts.deceased, 30);
  EXPECT_GE(counts.left, 1);
  EXPECT_GT(counts.ratings, 15000);
  EXPECT_GT(counts.registrations, 500);
  EXPECT_GT(counts.feedback, 2000);
  EXPECT_GT(counts.commitments, 2000);
  EXPECT_GT(counts.trainings, 500);
}

TEST(DemoMembers, IsDeterministic) {
  const MembersPlan again = BuildMembersPlan(OrgPlan());
  const MembersPlan& plan = Members();
  ASSERT_EQ(again.members.size(), plan.members.size());
  for (size_t i = 0; i < plan.members.size(); ++i) {
    EXPECT_EQ(again.members[i].person.external_id, plan.members[i].person.external_id);
    EXPECT_EQ(again.members[i].person.full_name, plan.members[i].person.full_name);
    EXPECT_EQ(again.members[i].person.citizen_id, plan.members[i].person.citizen_id);
    ASSERT_EQ(again.members[i].actions.size(), plan.members[i].actions.size());
    for (size_t a = 0; a < plan.members[i].actions.size(); ++a) {
      EXPECT_EQ(again.members[i].actions[a].date, plan.members[i].actions[a].date);
    }
  }
  EXPECT_EQ(again.marker_member, plan.marker_member);
  EXPECT_EQ(ImportCsv(again, 0, 50), ImportCsv(plan, 0, 50));
}

TEST(DemoMembers, PeopleLookLikeALamDongDistrict) {
  std::set<std::string> citizen_ids;
  std::set<std::string> external_ids;
  std::map<std::string, int> ethnicities;
  int without_religion = 0;
  int born_in_lam_dong = 0;
  for (const PlannedMember& member : Members().members) {
    const Person& p = member.person;
    const absl::CivilDay birth = DayOf(p.birth_date);
    EXPECT_GE(birth.year(), 1945) << p.external_id;
    EXPECT_LE(birth.year(), 2006) << p.external_id;
    EXPECT_TRUE(membership::domain::ValidateCitizenId(p.citizen_id, p.sex, birth, "citizen_id").ok())
        << p.external_id << " " << p.citizen_id;
    EXPECT_TRUE(citizen_ids.insert(p.citizen_id).second) << p.citizen_id;
    EXPECT_TRUE(common::api::ValidateCode(p.external_id, "external_id").ok()) << p.external_id;
    EXPECT_TRUE(external_ids.insert(p.external_id).second) << p.external_id;
    auto normalized = common::api::NormalizeText(p.full_name, "full_name", true, 255);
    ASSERT_TRUE(normalized.ok());
    EXPECT_EQ(*normalized, p.full_name);
    EXPECT_NE(p.category, mv1::OCCUPATION_CATEGORY_UNSPECIFIED);
    EXPECT_NE(p.education, mv1::GENERAL_EDUCATION_UNSPECIFIED);
    ++ethnicities[p.ethnicity];
    if (p.religion.empty()) ++without_religion;
    if (p.citizen_id.substr(0, 3) == "068") ++born_in_lam_dong;
  }
  const int total = static_cast<int>(Members().members.size());
  EXPECT_GT(ethnicities["Kinh"], total * 7 / 10);
  for (const char* minority : {"K'Ho", "Mạ", "Châu Mạ", "Tày", "Nùng"}) EXPECT_GT(ethnicities[minority], 5) << minority;
  EXPECT_GT(without_religion, total * 7 / 10);
  EXPECT_GT(born_in_lam_dong, total * 7 / 10);
}

TEST(DemoMembers, EventsAreInOrderWithinTheHistoryAndInActiveCells) {
  const auto cells = Cells();
  const auto active = [&](const std::string& code, const std::string& day) {
    auto it = cells.find(code);
    if (it == cells.end()) return false;
    return it->second->established_on <= day && (it->second->active_until.empty() || day < it->second->active_until);
  };
  for (const PlannedMember& member : Members().members) {
    const std::string& opened = member.imported ? member.joined_cell_on : member.introduced_on;
    EXPECT_TRUE(active(member.cell_code, opened)) << member.person.external_id;
    EXPECT_LE(opened, member.imported ? kMembersImportDate : kMembersHistoryEnd) << member.person.external_id;
    std::string last = opened;
    for (const Action& action : member.actions) {
      EXPECT_LE(action.date, kMembersHistoryEnd) << member.person.external_id;
      if (action.IsLifecycle()) {
        EXPECT_GE(action.date, last) << member.person.external_id;
        last = action.date;
      }
      if (!action.cell_code.empty()) {
        EXPECT_TRUE(active(action.cell_code, action.date))
            << member.person.external_id << " " << action.cell_code << " " << action.date;
      }
      if (action.kind == ActionKind::kCellVote) {
        const int age = AgeOn(DayOf(member.person.birth_date), DayOf(action.date));
        EXPECT_GE(age, 18) << member.person.external_id;
        EXPECT_LE(age, 60) << member.person.external_id;
        EXPECT_GE(action.in_favour * 3, action.eligible * 2) << member.person.external_id;
      }
      if (action.kind == ActionKind::kRating) {
        EXPECT_GE(action.year, 2020);
        EXPECT_EQ(action.decision.signed_on.substr(0, 4), std::to_string(action.year));
      }
      if (action.kind == ActionKind::kCommitment) {
        EXPECT_TRUE(member.person.category == mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE ||
                    member.person.category == mv1::OCCUPATION_CATEGORY_ARMED_FORCES);
      }
    }
  }
}

TEST(DemoMembers, TheLastCallIsTheMarker) {
  const MembersPlan& plan = Members();
  const PlannedMember& member = plan.members[plan.marker_member];
  ASSERT_EQ(plan.marker_action + 1, member.actions.size());
  EXPECT_EQ(member.actions[plan.marker_action].kind, ActionKind::kRating);
  EXPECT_EQ(member.actions[plan.marker_action].year, 2025);
}

TEST(DemoMembers, TheImportFileIsWhatTheImportAccepts) {
  namespace csv = membership::member_csv;
  const MembersPlan& plan = Members();
  const absl::StatusOr<membership::domain::CodeLists> codes =
      membership::domain::CodeLists::LoadDir(membership::domain::CodeLists::DefaultDir());
  ASSERT_TRUE(codes.ok()) << codes.status();
  std::istringstream file(ImportCsv(plan, 0, plan.members.size()));
  // Read it the way the service does: through the splitter, in the CLI's chunk size.
  csv::CsvSplitter splitter;
  std::optional<csv::Header> header;
  size_t row = 0;
  const auto sink = [&](csv::CsvRecord&& record) -> absl::Status {
    if (!header) {
      auto parsed = csv::ParseHeader(record.fields);
      EXPECT_TRUE(parsed.ok()) << parsed.status();
      header = *parsed;
      return absl::OkStatus();
    }
    const PlannedMember& member = plan.members[row++];
    auto mapped = csv::MapRow(*header, record, *codes);
    EXPECT_TRUE(mapped.ok()) << member.person.external_id << ": " << mapped.status();
    if (!mapped.ok()) return absl::OkStatus();
    EXPECT_EQ(mapped->key, member.person.external_id);
    EXPECT_EQ(mapped->cell_code, member.cell_code);
    EXPECT_EQ(mapped->request.member().full_name(), member.person.full_name);
    EXPECT_EQ(mapped->request.member().birth_date(), member.person.birth_date);
    EXPECT_EQ(mapped->request.member().citizen_id(), member.person.citizen_id);
    EXPECT_EQ(mapped->request.member().occupation_category(), member.person.category);
    EXPECT_EQ(mapped->request.member().general_education(), member.person.education);
    EXPECT_EQ(mapped->request.member().political_theory_level(), member.person.theory);
    EXPECT_EQ(mapped->request.member().religion(), member.person.religion_code);
    EXPECT_EQ(mapped->request.member().ethnicity(), member.person.ethnicity_code);
    EXPECT_EQ(mapped->request.existing().status(), member.status);
    EXPECT_EQ(mapped->request.existing().joined_cell_on(), member.joined_cell_on);
    EXPECT_EQ(mapped->request.existing().official_date(), member.official_date);
    EXPECT_EQ(mapped->request.party_card_number(), member.party_card_number);
    return absl::OkStatus();
  };
  std::string chunk(cli::kImportChunkBytes, '\0');
  while (file.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || file.gcount() > 0) {
    ASSERT_TRUE(splitter.Feed(std::string_view(chunk.data(), static_cast<size_t>(file.gcount())), sink).ok());
  }
  ASSERT_TRUE(splitter.Finish(sink).ok());
  EXPECT_EQ(row, static_cast<size_t>(CountMembers(plan).imported));
}

}  // namespace
}  // namespace grassroots::demo
