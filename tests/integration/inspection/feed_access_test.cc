// Inspection's change feed carries every program, case, decision, appeal and
// petition in the database, whatever a user's scope: only the service role may
// read it, and no petition on it says who filed it.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

namespace feedv1 = ::grassroots::feed::v1;

class InspectionFeedAccessTest : public InspectionFixture {
 protected:
  // A whole StreamChanges read from sequence 0.
  static grpc::Status StreamFromStart(const std::string& token, std::vector<feedv1::Change>* received) {
    grpc::ClientContext context;
    Authorize(context, token);
    std::unique_ptr<grpc::ClientReader<feedv1::Change>> reader =
        inspection_feed().StreamChanges(&context, feedv1::StreamChangesRequest());
    feedv1::Change change;
    received->clear();
    while (reader->Read(&change)) received->push_back(change);
    return reader->Finish();
  }
};

TEST_F(InspectionFeedAccessTest, OnlyTheServiceRoleReadsTheFeedAndItCarriesNoFiler) {
  const membership::testing::Branch branch = NewBranch();
  const std::string member = NewOfficialMember(branch.cell_a);
  insp::Program program;
  ASSERT_TRUE(CreateProgram(InspectorToken(), ProgramDraft(branch.grassroots, 2026), &program).ok());
  insp::Case opened;
  ASSERT_TRUE(OpenCase(InspectorToken(), CaseDraft(branch.grassroots, branch.cell_a), &opened).ok());
  insp::DisciplineDecision decided;
  ASSERT_TRUE(
      Decide(InspectorToken(), DecisionDraft(branch.grassroots, member, insp::DISCIPLINE_FORM_WARNING), &decided).ok());
  insp::Appeal appeal;
  ASSERT_TRUE(FileAppeal(decided.name(), "2026-03-05", "2026-03-20", RootId(), &appeal).ok());
  const std::string mark = absl::StrCat("Zq", UniqueNumber("feedfiler"));
  insp::Petition petition;
  ASSERT_TRUE(Receive(InspectorToken(),
                      PetitionDraft(branch.grassroots, insp::PETITION_KIND_DENUNCIATION, "2026-11-20",
                                    absl::StrCat("Vũ Văn Tố ", mark)),
                      &petition)
                  .ok());

  const std::vector<std::pair<std::string, std::string>> refused = {
      {"root admin", AdminToken()},
      {"scoped admin", AdminToken(branch.grassroots)},
      {"root inspector", InspectorToken()},
      {"commune inspector", InspectorToken(branch.grassroots)},
      {"secretary", SecretaryToken(branch.grassroots)},
      {"portal", PortalToken()},
      {"member", MemberToken(branch.cell_a, MemberId(member))},
  };
  std::vector<feedv1::Change> received;
  for (const auto& [who, token] : refused) {
    const grpc::Status streamed = StreamFromStart(token, &received);
    EXPECT_EQ(streamed.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who << ": " << streamed.error_message();
    EXPECT_TRUE(received.empty()) << who << " received changes";
    feedv1::FeedHead head;
    EXPECT_EQ(Call(inspection_feed(), &feedv1::ChangeFeedService::Stub::GetFeedHead, token,
                   feedv1::GetFeedHeadRequest(), &head)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }

  const grpc::Status streamed = StreamFromStart(ServiceToken(), &received);
  ASSERT_TRUE(streamed.ok()) << streamed.error_message();
  feedv1::FeedHead head;
  ASSERT_TRUE(Call(inspection_feed(), &feedv1::ChangeFeedService::Stub::GetFeedHead, ServiceToken(),
                   feedv1::GetFeedHeadRequest(), &head)
                  .ok());
  EXPECT_GE(head.last_sequence(), static_cast<int64_t>(received.size()));

  // Each thing this test wrote is on the feed under its resource type.
  std::map<std::string, std::string> type_of;
  for (const feedv1::Change& change : received) {
    type_of[change.resource_name()] = change.resource_type();
    EXPECT_EQ(change.resource().SerializeAsString().find(mark), std::string::npos)
        << change.resource_type() << " " << change.resource_name() << " carries the filer's name";
    if (change.resource_type() != "petition") continue;
    insp::Petition payload;
    ASSERT_TRUE(change.resource().UnpackTo(&payload)) << change.resource_name();
    EXPECT_FALSE(payload.has_filer()) << change.resource_name();
  }
  EXPECT_EQ(type_of[program.name()], "inspection_program");
  EXPECT_EQ(type_of[opened.name()], "inspection_case");
  EXPECT_EQ(type_of[decided.name()], "discipline_decision");
  EXPECT_EQ(type_of[appeal.name()], "discipline_appeal");
  EXPECT_EQ(type_of[petition.name()], "petition");
  for (const feedv1::Change& change : received) {
    if (change.resource_name() != appeal.name()) continue;
    insp::AppealChange payload;
    ASSERT_TRUE(change.resource().UnpackTo(&payload));
    EXPECT_EQ(payload.decision(), decided.name());
  }
}

}  // namespace
}  // namespace grassroots::inspection::testing
