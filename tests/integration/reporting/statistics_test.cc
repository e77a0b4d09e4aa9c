// The statistics end to end: members written through the membership API with
// known sex, birth dates and ethnicity, carried by the feeds into reporting's
// read model and counted through StatisticsService. Every expected count is
// worked out by hand in the comments; the portal sees small counts withheld.
#include <map>
#include <string>
#include <vector>

#include "grassroots/reporting/v1/statistics.grpc.pb.h"
#include "tests/integration/reporting/reporting_fixture.h"

namespace grassroots::reporting::testing {
namespace {

namespace mv1 = ::grassroots::membership::v1;
using membership::testing::Branch;
using membership::testing::PersonOptions;

// What a table says: key -> count, "-" for a withheld count, and the total ("TOTAL").
using Figures = std::map<std::string, std::string>;

Figures FiguresOf(const rv1::StatisticsTable& table) {
  Figures figures;
  for (const rv1::StatisticsRow& row : table.rows()) {
    figures[row.key()] = row.suppressed() ? "-" : std::to_string(row.count());
  }
  figures["TOTAL"] = table.total_suppressed() ? "-" : std::to_string(table.total());
  return figures;
}

rv1::StatisticsTable TableNamed(const google::protobuf::RepeatedPtrField<rv1::StatisticsTable>& tables,
                                const std::string& dimension) {
  for (const rv1::StatisticsTable& table : tables) {
    if (table.dimension() == dimension) return table;
  }
  ADD_FAILURE() << "no table " << dimension;
  return {};
}

// Only the non-zero rows (and the total): code lists have many empty rows.
Figures NonZero(Figures figures) {
  std::erase_if(figures, [](const auto& entry) { return entry.second == "0"; });
  return figures;
}

class StatisticsTest : public ReportingFixture {
 protected:
  static rv1::StatisticsService::Stub& statistics() {
    static auto* stub = rv1::StatisticsService::NewStub(ReportingChannel()).release();
    return *stub;
  }

  static grpc::Status Members(int64_t org, int32_t year, const std::string& token, rv1::MemberStatistics* out) {
    rv1::GetMemberStatisticsRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(year);
    return Call(statistics(), &rv1::StatisticsService::Stub::GetMemberStatistics, token, request, out);
  }

  static grpc::Status Movements(int64_t org, int32_t year, const std::string& token, rv1::Movements* out) {
    rv1::GetMovementsRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(year);
    return Call(statistics(), &rv1::StatisticsService::Stub::GetMovements, token, request, out);
  }

  static std::string Person(int64_t cell, mv1::Sex sex, const std::string& birth_date, const std::string& ethnicity,
                            mv1::MemberStatus status = mv1::MEMBER_STATUS_OFFICIAL,
                            const std::string& ceremony = "") {
    mv1::Member person = NewPerson(PersonOptions().WithSex(sex).BornOn(birth_date));
    person.set_ethnicity(ethnicity);
    return CreateExisting(cell, person, status, ceremony).name();
  }
};

// A đảng bộ cơ sở G with cells A (an elected committee) and B; counted on 2025-12-31:
//   A: p1 male 1990-05 Tày (35), p2 female 1960-02 Kinh (65)
//   B: p3 female 2000-07 Kinh (25), p4 male 1998-01 Kinh (27, probationary: decided
//      2025-03-18, ceremony 2025-04-01), p6 male 1985-06 Kinh (40), p7 male 1970-01 Kinh (55)
//   p5 (A, male 1975-03 Kinh) is removed on 2025-09-01: not counted, one removal.
TEST_F(StatisticsTest, CountsBySexAgeEthnicityStatusAndMovementsExactForAdminWithheldForPortal) {
  const Branch branch = NewBranch();
  const int64_t g = branch.grassroots, a = branch.cell_a, b = branch.cell_b;
  CreateTerm(a, "2025-01-01", "2030-01-01", /*elected=*/true);
  Person(a, mv1::SEX_MALE, "1990-05-10", "02");
  Person(a, mv1::SEX_FEMALE, "1960-02-01", "01");
  Person(b, mv1::SEX_FEMALE, "2000-07-01", "01");
  Person(b, mv1::SEX_MALE, "1998-01-15", "01", mv1::MEMBER_STATUS_PROBATIONARY, "2025-04-01");
  const std::string removed = Person(a, mv1::SEX_MALE, "1975-03-03", "01");
  Person(b, mv1::SEX_MALE, "1985-06-06", "01");
  Person(b, mv1::SEX_MALE, "1970-01-01", "01");
  RemoveMember(removed, "2025-09-01");
  SyncReadModel();

  rv1::MemberStatistics exact;
  ExpectOk(Members(g, 2025, AdminToken(), &exact));
  EXPECT_EQ(exact.header().as_of_date(), "2025-12-31");
  EXPECT_EQ(exact.header().min_cell_count(), 0);
  EXPECT_EQ(exact.tables_size(), 10);
  EXPECT_EQ(FiguresOf(TableNamed(exact.tables(), "STATUS")),
            (Figures{{"OFFICIAL", "5"}, {"PROBATIONARY", "1"}, {"TOTAL", "6"}}));
  EXPECT_EQ(FiguresOf(TableNamed(exact.tables(), "SEX")), (Figures{{"MALE", "4"}, {"FEMALE", "2"}, {"TOTAL", "6"}}));
  EXPECT_EQ(FiguresOf(TableNamed(exact.tables(), "AGE_BAND")),
            (Figures{{"UP_TO_30", "2"}, {"31_40", "2"}, {"41_50", "0"}, {"51_60", "1"}, {"OVER_60", "1"},
                     {"TOTAL", "6"}}));
  const rv1::StatisticsTable ethnicity = TableNamed(exact.tables(), "ETHNICITY");
  EXPECT_EQ(NonZero(FiguresOf(ethnicity)), (Figures{{"01", "5"}, {"02", "1"}, {"TOTAL", "6"}}));
  ASSERT_GE(ethnicity.rows_size(), 2);
  EXPECT_EQ(ethnicity.rows(0).label(), "Kinh");  // the name of the codes file
  EXPECT_EQ(ethnicity.rows(1).label(), "Tày");
  // The fixture's persons have upper secondary education and no religion ("00").
  EXPECT_EQ(NonZero(FiguresOf(TableNamed(exact.tables(), "GENERAL_EDUCATION"))),
            (Figures{{"UPPER_SECONDARY", "6"}, {"TOTAL", "6"}}));
  EXPECT_EQ(NonZero(FiguresOf(TableNamed(exact.tables(), "RELIGION"))), (Figures{{"00", "6"}, {"TOTAL", "6"}}));
  // Officials' ceremonies five years before today (2021): under 10 years, as is p4.
  EXPECT_EQ(NonZero(FiguresOf(TableNamed(exact.tables(), "PARTY_AGE"))), (Figures{{"UNDER_10", "6"}, {"TOTAL", "6"}}));

  // The portal: counts 1..4 withheld (rule min_cell_count = 5); a lone withheld
  // count takes the next smallest with it (STATUS: 1, then 5; ETHNICITY: Tày 1, then Kinh 5).
  rv1::MemberStatistics portal;
  ExpectOk(Members(g, 2025, PortalToken(), &portal));
  EXPECT_EQ(portal.header().min_cell_count(), 5);
  EXPECT_EQ(portal.header().suppression_rule(), "reporting.statistics.min_cell_count");
  EXPECT_EQ(FiguresOf(TableNamed(portal.tables(), "STATUS")),
            (Figures{{"OFFICIAL", "-"}, {"PROBATIONARY", "-"}, {"TOTAL", "6"}}));
  EXPECT_EQ(FiguresOf(TableNamed(portal.tables(), "SEX")), (Figures{{"MALE", "-"}, {"FEMALE", "-"}, {"TOTAL", "6"}}));
  EXPECT_EQ(FiguresOf(TableNamed(portal.tables(), "AGE_BAND")),
            (Figures{{"UP_TO_30", "-"}, {"31_40", "-"}, {"41_50", "0"}, {"51_60", "-"}, {"OVER_60", "-"},
                     {"TOTAL", "6"}}));
  EXPECT_EQ(NonZero(FiguresOf(TableNamed(portal.tables(), "ETHNICITY"))),
            (Figures{{"01", "-"}, {"02", "-"}, {"TOTAL", "6"}}));
  EXPECT_EQ(NonZero(FiguresOf(TableNamed(portal.tables(), "GENERAL_EDUCATION"))),
            (Figures{{"UPPER_SECONDARY", "6"}, {"TOTAL", "6"}}));
  for (const rv1::StatisticsTable& table : portal.tables()) {
    for (const rv1::StatisticsRow& row : table.rows()) {
      if (row.suppressed()) {
        EXPECT_EQ(row.count(), 0) << table.dimension() << " " << row.key();
      }
    }
  }

  // 2025: p4 admitted into B, p5 removed from A; nothing crossed G's edge.
  rv1::Movements movements;
  ExpectOk(Movements(g, 2025, SecretaryToken(g), &movements));
  EXPECT_EQ(FiguresOf(TableNamed(movements.tables(), "INCREASES")),
            (Figures{{"ADMITTED", "1"}, {"TRANSFERRED_IN", "0"}, {"TOTAL", "1"}}));
  EXPECT_EQ(FiguresOf(TableNamed(movements.tables(), "DECREASES")),
            (Figures{{"TRANSFERRED_OUT", "0"}, {"REMOVED", "1"}, {"LEFT", "0"}, {"EXPELLED", "0"}, {"DECEASED", "0"},
                     {"TOTAL", "1"}}));
  rv1::Movements portal_movements;
  ExpectOk(Movements(g, 2025, PortalToken(), &portal_movements));
  // A total below 5 is withheld with every row, zeros included (they would tell which row holds it).
  EXPECT_EQ(FiguresOf(TableNamed(portal_movements.tables(), "DECREASES")),
            (Figures{{"TRANSFERRED_OUT", "-"}, {"REMOVED", "-"}, {"LEFT", "-"}, {"EXPELLED", "-"}, {"DECEASED", "-"},
                     {"TOTAL", "-"}}));

  // Cell A of the subtree alone: p1, p2 on the day; the removal was from A.
  rv1::MemberStatistics cell;
  ExpectOk(Members(a, 2025, AdminToken(), &cell));
  EXPECT_EQ(FiguresOf(TableNamed(cell.tables(), "SEX")), (Figures{{"MALE", "1"}, {"FEMALE", "1"}, {"TOTAL", "2"}}));
  ExpectOk(Movements(b, 2025, AdminToken(), &movements));
  EXPECT_EQ(FiguresOf(TableNamed(movements.tables(), "DECREASES"))["REMOVED"], "0");

  // Organizations on the day: G (DANG_BO_CO_SO), A and B (CHI_BO_TRUC_THUOC); A has an elected committee.
  rv1::GetOrganizationStatisticsRequest request;
  request.mutable_scope()->set_organization(OrgName(g));
  request.mutable_scope()->set_as_of_date("2025-12-31");
  rv1::OrganizationStatistics organizations;
  ExpectOk(Call(statistics(), &rv1::StatisticsService::Stub::GetOrganizationStatistics, PortalToken(), request,
                &organizations));
  EXPECT_EQ(FiguresOf(TableNamed(organizations.tables(), "TYPE")),
            (Figures{{"DANG_BO_CO_SO", "1"}, {"CHI_BO_TRUC_THUOC", "2"}, {"TOTAL", "3"}}));
  EXPECT_EQ(FiguresOf(TableNamed(organizations.tables(), "CELL_COMMITTEE")),
            (Figures{{"WITH_ELECTED_COMMITTEE", "1"}, {"WITHOUT_ELECTED_COMMITTEE", "1"}, {"TOTAL", "2"}}));
  EXPECT_EQ(TableNamed(organizations.tables(), "SECTOR").total(), 3);
}

TEST_F(StatisticsTest, ACommuneAdminReadsOnlyItsOwnSubtree) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  CreateExisting(theirs.cell_a, NewPerson());
  SyncReadModel();
  rv1::MemberStatistics out;
  EXPECT_EQ(Members(theirs.grassroots, 2025, AdminToken(mine.grassroots), &out).error_code(), grpc::NOT_FOUND);
  rv1::Movements movements;
  EXPECT_EQ(Movements(theirs.grassroots, 2025, AdminToken(mine.grassroots), &movements).error_code(),
            grpc::NOT_FOUND);
  ExpectOk(Members(mine.grassroots, 2025, AdminToken(mine.grassroots), &out));
  // A member reads no statistics; bad scopes name the field.
  EXPECT_EQ(Members(mine.grassroots, 2025, MemberToken(mine.cell_a, 1), &out).error_code(), grpc::PERMISSION_DENIED);
  rv1::GetMemberStatisticsRequest request;
  request.mutable_scope()->set_organization(OrgName(mine.grassroots));
  EXPECT_EQ(Call(statistics(), &rv1::StatisticsService::Stub::GetMemberStatistics, AdminToken(), request, &out)
                .error_code(),
            grpc::INVALID_ARGUMENT);
  request.mutable_scope()->set_year(2025);
  request.add_dimensions(static_cast<rv1::MemberDimension>(99));
  const grpc::Status bad = Call(statistics(), &rv1::StatisticsService::Stub::GetMemberStatistics, AdminToken(),
                                request, &out);
  EXPECT_EQ(bad.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("dimensions[0]"), std::string::npos) << bad.error_message();
}

}  // namespace
}  // namespace grassroots::reporting::testing
