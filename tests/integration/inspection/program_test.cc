// ProgramService against real MariaDB and real org, membership and inspection
// services: programs, items, the organizations without one (S12), scope.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

class ProgramTest : public InspectionFixture {
 protected:
  // A cell's program is led by the cell itself (it has no inspection commission).
  static insp::Program NewProgramFor(int64_t org, int32_t year,
                                     insp::Conductor lead = insp::CONDUCTOR_INSPECTION_COMMISSION) {
    return ProgramDraft(org, year, lead);
  }

  static grpc::Status Create(const std::string& token, const insp::Program& program, insp::Program* out,
                             const std::string& request_id = "") {
    return CreateProgram(token, program, out, request_id);
  }
};

TEST_F(ProgramTest, AnInspectorCreatesAProgramWithItsPlannedItemsAndReadsItBack) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Program created;
  ASSERT_TRUE(Create(InspectorToken(branch.grassroots), NewProgramFor(branch.grassroots, 2025), &created).ok());
  EXPECT_EQ(created.year(), 2025);
  ASSERT_EQ(created.items_size(), 1);
  EXPECT_EQ(created.items(0).status(), insp::PROGRAM_ITEM_STATUS_PLANNED);
  EXPECT_FALSE(created.etag().empty());

  insp::GetProgramRequest get;
  get.set_name(created.name());
  insp::Program read;
  ASSERT_TRUE(Call(programs(), &insp::ProgramService::Stub::GetProgram, AdminToken(), get, &read).ok());
  EXPECT_EQ(read.items(0).topic(), "Việc thực hiện Quy định 213 ở các chi bộ");
  EXPECT_GE(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE resource_type = "
                                         "'inspection_program' AND resource_name = '", created.name(), "'")),
            1);
}

TEST_F(ProgramTest, ASecondProgramForTheSameYearIsRefusedAndARetryWithTheRequestIdIsNot) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Program first, retry, second;
  const insp::Program program = NewProgramFor(branch.cell_a, 2025, insp::CONDUCTOR_COMMITTEE);
  ASSERT_TRUE(Create(InspectorToken(), program, &first, "prog-retry-1").ok());
  ASSERT_TRUE(Create(InspectorToken(), program, &retry, "prog-retry-1").ok());
  EXPECT_EQ(retry.name(), first.name());
  EXPECT_EQ(Create(InspectorToken(), NewProgramFor(branch.cell_a, 2025, insp::CONDUCTOR_COMMITTEE), &second).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(ProgramTest, BadInputNamesTheFieldAndWritesNothing) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  const int64_t feed_before = InspectionDbInt("SELECT COUNT(*) FROM change_feed");
  insp::Program program = NewProgramFor(branch.grassroots, 2025);
  program.set_adopted_on("2023-05-01");
  insp::Program out;
  grpc::Status status = Create(InspectorToken(), program, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "program.adopted_on");

  program = NewProgramFor(branch.grassroots, 2025);
  program.mutable_items(0)->set_quarter(5);
  status = Create(InspectorToken(), program, &out);
  EXPECT_EQ(BadField(status), "program.items[0].quarter");

  // Supervision is never "on signs of violation": the rule refuses it.
  program = NewProgramFor(branch.grassroots, 2025);
  program.mutable_items(0)->set_basis(insp::CASE_BASIS_SIGNS_OF_VIOLATION);
  status = Create(InspectorToken(), program, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CASE_BASIS_NOT_ALLOWED");
  EXPECT_NE(status.error_message().find("inspection.case.bases_by_kind"), std::string::npos) << status.error_message();
  EXPECT_EQ(InspectionDbInt("SELECT COUNT(*) FROM change_feed"), feed_before);
}

TEST_F(ProgramTest, AnInspectorOfOneCommuneCannotTouchAnothersPrograms) {
  const membership::testing::Branch a = NewBranch();
  const membership::testing::Branch b = NewBranch();
  SyncProjections();
  insp::Program out;
  EXPECT_EQ(Create(InspectorToken(a.grassroots), NewProgramFor(b.grassroots, 2025), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Create(InspectorToken(b.grassroots), NewProgramFor(b.grassroots, 2025), &out).ok());
  insp::GetProgramRequest get;
  get.set_name(out.name());
  insp::Program read;
  EXPECT_EQ(Call(programs(), &insp::ProgramService::Stub::GetProgram, InspectorToken(a.grassroots), get, &read)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The portal gets counts only.
  EXPECT_EQ(Call(programs(), &insp::ProgramService::Stub::GetProgram, PortalToken(), get, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ProgramTest, OrganizationsWithoutAProgramAreListedWithTheCountsS12Needs) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Program out;
  ASSERT_TRUE(Create(InspectorToken(), NewProgramFor(branch.grassroots, 2026), &out).ok());
  ASSERT_TRUE(Create(InspectorToken(), NewProgramFor(branch.cell_a, 2026, insp::CONDUCTOR_COMMITTEE), &out).ok());

  insp::ListOrganizationsWithoutProgramRequest request;
  request.set_organization(OrgName(branch.grassroots));
  request.set_year(2026);
  request.set_as_of_date("2026-06-30");
  insp::ListOrganizationsWithoutProgramResponse response;
  ASSERT_TRUE(Call(programs(), &insp::ProgramService::Stub::ListOrganizationsWithoutProgram, InspectorToken(),
                   request, &response)
                  .ok());
  EXPECT_EQ(response.required_count(), 3);
  EXPECT_EQ(response.with_program_count(), 2);
  ASSERT_EQ(response.organizations_size(), 1);
  EXPECT_EQ(response.organizations(0), OrgName(branch.cell_b));

  // Adopted after the as-of date: not yet a plan on that date.
  request.set_as_of_date("2025-06-30");
  ASSERT_TRUE(Call(programs(), &insp::ProgramService::Stub::ListOrganizationsWithoutProgram, InspectorToken(),
                   request, &response)
                  .ok());
  EXPECT_EQ(response.with_program_count(), 0);
}

TEST_F(ProgramTest, APlannedItemIsCarriedOutByACaseOrDroppedOnce) {
  const membership::testing::Branch branch = NewBranch();
  SyncProjections();
  insp::Program program;
  ASSERT_TRUE(Create(InspectorToken(), NewProgramFor(branch.grassroots, 2026), &program).ok());

  insp::OpenCaseRequest open;
  insp::Case* c = open.mutable_case_();
  c->set_organization(OrgName(branch.grassroots));
  c->set_conductor(insp::CONDUCTOR_INSPECTION_COMMISSION);
  c->set_kind(insp::CASE_KIND_SUPERVISION);
  c->set_basis(insp::CASE_BASIS_THEMATIC);
  c->mutable_subject()->set_organization(OrgName(branch.cell_a));
  c->set_topic("Giám sát việc thực hiện Quy định 213");
  *c->mutable_opening_decision() = Document("2026-04-02");
  c->set_period_start("2026-04-05");
  c->set_period_end("2026-05-05");
  c->set_program_item(program.items(0).name());
  insp::Case opened;
  ASSERT_TRUE(Call(cases(), &insp::CaseService::Stub::OpenCase, InspectorToken(), open, &opened).ok());
  EXPECT_EQ(opened.program_item(), program.items(0).name());

  insp::GetProgramRequest get;
  get.set_name(program.name());
  insp::Program read;
  ASSERT_TRUE(Call(programs(), &insp::ProgramService::Stub::GetProgram, InspectorToken(), get, &read).ok());
  EXPECT_EQ(read.items(0).status(), insp::PROGRAM_ITEM_STATUS_IN_CASE);
  EXPECT_EQ(read.items(0).case_(), opened.name());

  insp::UpdateProgramItemRequest drop;
  drop.set_name(program.items(0).name());
  drop.set_drop_reason("Đã giám sát trong đợt khác");
  grpc::Status status = Call(programs(), &insp::ProgramService::Stub::UpdateProgramItem, InspectorToken(), drop, &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PROGRAM_ITEM_SETTLED");
}

}  // namespace
}  // namespace grassroots::inspection::testing
