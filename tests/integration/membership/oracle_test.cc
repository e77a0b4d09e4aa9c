// Issue 10, cross-scope access to member records: a member outside the
// caller's scope answers exactly as one that does not exist (no existence
// oracle, LookupMember included); completing a transfer and registering a
// residence need the member or the receiving side in scope; nobody rates,
// trains or gives residence feedback on their own record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status/status.h"
#include "services/membership/handlers/member_writer.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/test_tokens.h"

namespace grassroots::membership::testing {
namespace {

using common::auth::Role;

class MemberOracleTest : public MembershipFixture {
 protected:
  // Code, reason and message with the probed name written as "{name}".
  static std::string Shape(const grpc::Status& status, const std::string& name) {
    return absl::StrCat(status.error_code(), "|", Reason(status), "|",
                        absl::StrReplaceAll(status.error_message(), {{name, "{name}"}}));
  }
  // An official transfer of `member` to `cell`, introduced 20 days ago.
  static grpc::Status StartTransferTo(const v1::Member& member, int64_t cell, const std::string& token) {
    v1::StartTransferRequest start;
    start.set_member(member.name());
    start.mutable_transfer()->set_kind(v1::TRANSFER_KIND_OFFICIAL);
    start.mutable_transfer()->set_destination_cell(OrgName(cell));
    start.mutable_transfer()->set_introduced_on(DaysFromToday(-20));
    *start.mutable_decision() = SomeDecision(DaysFromToday(-20));
    v1::Member m;
    return Call(lifecycle(), &v1::LifecycleService::Stub::StartTransfer, token, start, &m);
  }
  static constexpr char kMissingMember[] = "members/987654321";
  static constexpr char kMissingOrg[] = "organizations/987654321";
};

TEST_F(MemberOracleTest, AMemberOutsideTheScopeAnswersExactlyAsAMissingOne) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  const v1::Member person = NewPerson();
  const v1::Member outsider = CreateExisting(theirs.cell_a, person);
  for (const std::string& token : {AdminToken(mine.grassroots), SecretaryToken(mine.cell_a),
                                   InspectorToken(mine.grassroots)}) {
    using Probe = std::function<grpc::Status(const std::string& name)>;
    const std::vector<std::pair<std::string, Probe>> probes = {
        {"GetMember",
         [&](const std::string& name) {
           v1::GetMemberRequest request;
           request.set_name(name);
           v1::Member out;
           return Call(members(), &v1::MemberService::Stub::GetMember, token, request, &out);
         }},
        {"ListPartyCards",
         [&](const std::string& name) {
           v1::ListPartyCardsRequest request;
           request.set_member(name);
           v1::ListPartyCardsResponse out;
           return Call(members(), &v1::MemberService::Stub::ListPartyCards, token, request, &out);
         }},
        {"ListMemberEvents",
         [&](const std::string& name) {
           v1::ListMemberEventsRequest request;
           request.set_member(name);
           v1::ListMemberEventsResponse out;
           return Call(lifecycle(), &v1::LifecycleService::Stub::ListMemberEvents, token, request, &out);
         }},
        {"UpdateMember",
         [&](const std::string& name) {
           v1::UpdateMemberRequest request;
           request.mutable_member()->set_name(name);
           request.mutable_member()->set_phone("0912345678");
           request.mutable_update_mask()->add_paths("phone");
           v1::Member out;
           return Call(members(), &v1::MemberService::Stub::UpdateMember, token, request, &out);
         }},
    };
    for (const auto& [method, probe] : probes) {
      const grpc::Status outside = probe(outsider.name());
      const grpc::Status missing = probe(kMissingMember);
      // A role without the method is refused before any lookup, the same for both.
      if (Reason(outside) != "ROLE_NOT_ALLOWED") {
        EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND) << method << ": " << outside.error_message();
      }
      EXPECT_EQ(Shape(outside, outsider.name()), Shape(missing, kMissingMember)) << method;
    }
    // Organizations: search and counts under another subtree.
    v1::SearchMembersRequest search;
    v1::SearchMembersResponse found;
    search.set_organization(OrgName(theirs.cell_a));
    const grpc::Status search_outside = Call(members(), &v1::MemberService::Stub::SearchMembers, token, search, &found);
    search.set_organization(kMissingOrg);
    const grpc::Status search_missing = Call(members(), &v1::MemberService::Stub::SearchMembers, token, search, &found);
    EXPECT_EQ(search_outside.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(Shape(search_outside, OrgName(theirs.cell_a)), Shape(search_missing, kMissingOrg));
  }
  // CountMembers (admin, secretary) the same way.
  v1::CountMembersRequest count;
  v1::CountMembersResponse counts;
  count.add_organizations(OrgName(theirs.cell_a));
  const grpc::Status count_outside =
      Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(mine.grassroots), count, &counts);
  count.set_organizations(0, kMissingOrg);
  const grpc::Status count_missing =
      Call(members(), &v1::MemberService::Stub::CountMembers, AdminToken(mine.grassroots), count, &counts);
  EXPECT_EQ(count_outside.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Shape(count_outside, OrgName(theirs.cell_a)), Shape(count_missing, kMissingOrg));
}

TEST_F(MemberOracleTest, LookupMemberDoesNotTellWhoIsAMemberElsewhere) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  const v1::Member outsider = CreateExisting(theirs.cell_a, NewPerson());
  const v1::Member stored = GetMember(outsider.name());
  const v1::Member stranger = NewPerson();  // never created
  const std::string admin = AdminToken(mine.grassroots);
  v1::Member got;
  v1::LookupMemberRequest by_id;
  by_id.set_citizen_id(stored.citizen_id());
  const grpc::Status outside = Call(members(), &v1::MemberService::Stub::LookupMember, admin, by_id, &got);
  by_id.set_citizen_id(stranger.citizen_id());
  const grpc::Status missing = Call(members(), &v1::MemberService::Stub::LookupMember, admin, by_id, &got);
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND) << outside.error_message();
  EXPECT_EQ(Shape(outside, ""), Shape(missing, ""));
  EXPECT_EQ(outside.error_details(), missing.error_details());

  v1::LookupMemberRequest by_card;
  by_card.set_party_card_number(stored.party_card_number());
  const grpc::Status card_outside =
      Call(members(), &v1::MemberService::Stub::LookupMember, SecretaryToken(mine.cell_a), by_card, &got);
  by_card.set_party_card_number(UniqueCard());
  const grpc::Status card_missing =
      Call(members(), &v1::MemberService::Stub::LookupMember, SecretaryToken(mine.cell_a), by_card, &got);
  EXPECT_EQ(card_outside.error_code(), grpc::StatusCode::NOT_FOUND) << card_outside.error_message();
  EXPECT_EQ(card_outside.error_details(), card_missing.error_details());
  // In scope it is found.
  by_id.set_citizen_id(stored.citizen_id());
  EXPECT_TRUE(Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(theirs.grassroots), by_id, &got).ok());
}

TEST_F(MemberOracleTest, CompletingATransferNeedsTheReceivingSide) {
  const Branch from = NewBranch();
  const Branch to = NewBranch();
  const v1::Member member = CreateExisting(from.cell_a, NewPerson());
  grpc::Status status = StartTransferTo(member, to.cell_b, AdminToken(from.grassroots));
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Member m;

  v1::CompleteTransferRequest complete;
  complete.set_member(member.name());
  complete.set_presented_on(DaysFromToday(-10));
  // The sending side alone may not push the member into the other cell.
  status = Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(from.grassroots), complete, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(Reason(status), "RECEIVING_SIDE_REQUIRED");
  EXPECT_EQ(GetMember(member.name()).cell(), OrgName(from.cell_a));
  // A third subtree learns nothing.
  const Branch third = NewBranch();
  status = Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(third.grassroots), complete, &m);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  // The receiving side records the arrival.
  status = Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(to.grassroots), complete, &m);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(m.cell(), OrgName(to.cell_b));
}

TEST_F(MemberOracleTest, AWriteWhoseAccessWasDecidedBeforeAMoveIsRefusedUnderTheRowLock) {
  const Branch from = NewBranch();
  const Branch to = NewBranch();
  const v1::Member member = CreateExisting(from.cell_a, NewPerson());
  const int64_t id = MemberId(member.name());
  HandlerContext& ctx = member_context();
  // What a handler of the sending side reads before its transaction, and decides access on.
  absl::StatusOr<domain::MemberRecord> checked = ctx.pool.Read<domain::MemberRecord>(
      "test.read", [&](common::db::Session& session) { return ctx.members.Get(session, id); });
  ASSERT_TRUE(checked.ok()) << checked.status();

  // Meanwhile the member moves to another subtree.
  ASSERT_TRUE(StartTransferTo(member, to.cell_b, AdminToken(from.grassroots)).ok());
  v1::CompleteTransferRequest complete;
  complete.set_member(member.name());
  complete.set_presented_on(DaysFromToday(-10));
  v1::Member moved;
  ASSERT_TRUE(Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(to.grassroots), complete,
                   &moved).ok());

  const WriteCounts before = CountWrites();
  domain::Event event;
  event.kind = v1::EVENT_KIND_EXPELLED;
  event.effective_date = absl::CivilDay(2026, 1, 5);
  const absl::StatusOr<domain::MemberRecord> written = ctx.pool.Transact<domain::MemberRecord>(
      "test.append", [&](common::db::Session& session) {
        return AppendEvent(ctx, session, common::feed::WriteContext{.actor = "test", .request_id = "r"}, id, event,
                           /*etag=*/"", &*checked);
      });
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), absl::StatusCode::kAborted) << written.status();
  EXPECT_EQ(common::ReasonOf(written.status()), "PLACEMENT_CHANGED");
  EXPECT_EQ(CountWrites(), before) << "nothing may be written on a stale access decision";
  EXPECT_EQ(GetMember(member.name()).cell(), OrgName(to.cell_b));
}

TEST_F(MemberOracleTest, RegisterResidenceNeedsTheMemberInScope) {
  const Branch work = NewBranch();
  const Branch home = NewBranch();
  const v1::Member member =
      CreateExisting(work.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  v1::RegisterResidenceRequest registration;
  registration.mutable_registration()->set_member(member.name());
  registration.mutable_registration()->set_residence_cell(OrgName(home.cell_a));
  registration.mutable_registration()->set_registered_on(DaysFromToday(-5));
  v1::ResidenceRegistration registered;
  // The residence side alone (admin of the cell the member would register in) may not.
  grpc::Status status = Call(yearly(), &v1::YearlyRecordService::Stub::RegisterResidence, AdminToken(home.grassroots),
                             registration, &registered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  // The member's own organization may.
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RegisterResidence, AdminToken(work.grassroots), registration,
                &registered);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
}

TEST_F(MemberOracleTest, NobodyRatesTrainsOrGivesFeedbackOnTheirOwnRecord) {
  const Branch branch = NewBranch();
  const Branch home = NewBranch();
  const v1::Member secretary_person =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  const int64_t own_id = MemberId(secretary_person.name());
  const int year = std::stoi(Today().substr(0, 4)) - 1;
  const std::string self = grassroots::testing::MintToken({Role::kSecretary}, branch.cell_a, own_id);

  v1::RateMemberRequest rate;
  rate.mutable_rating()->set_member(secretary_person.name());
  rate.mutable_rating()->set_year(year);
  rate.mutable_rating()->set_score(95);
  v1::RateMemberResponse rated;
  grpc::Status status = Call(yearly(), &v1::YearlyRecordService::Stub::RateMember, self, rate, &rated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(Reason(status), "SELF_DEALING");

  v1::RecordTrainingRequest train;
  train.mutable_training()->set_member(secretary_person.name());
  train.mutable_training()->set_course("Bồi dưỡng nghiệp vụ công tác đảng");
  train.mutable_training()->set_kind("OTHER");
  train.mutable_training()->set_start_date(DaysFromToday(-30));
  train.mutable_training()->set_end_date(DaysFromToday(-25));
  v1::Training trained;
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RecordTraining, self, train, &trained);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(Reason(status), "SELF_DEALING");

  // Residence feedback: registered at a cell where the same person is secretary.
  v1::RegisterResidenceRequest registration;
  registration.mutable_registration()->set_member(secretary_person.name());
  registration.mutable_registration()->set_residence_cell(OrgName(home.cell_a));
  registration.mutable_registration()->set_registered_on(DaysFromToday(-400));
  v1::ResidenceRegistration registered;
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RegisterResidence, AdminToken(), registration, &registered);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  v1::RecordResidenceFeedbackRequest feedback;
  feedback.mutable_feedback()->set_member(secretary_person.name());
  feedback.mutable_feedback()->set_year(year + 1);
  feedback.mutable_feedback()->set_assessment(v1::FEEDBACK_ASSESSMENT_GOOD);
  feedback.mutable_feedback()->set_opinion("Tốt");
  feedback.mutable_feedback()->set_given_on(Today());
  v1::ResidenceFeedback given;
  const std::string self_at_home = grassroots::testing::MintToken({Role::kSecretary}, home.cell_a, own_id);
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RecordResidenceFeedback, self_at_home, feedback, &given);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(Reason(status), "SELF_DEALING");

  // Another officer of the cell records them.
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RateMember, SecretaryToken(branch.cell_a), rate, &rated);
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = Call(yearly(), &v1::YearlyRecordService::Stub::RecordResidenceFeedback, SecretaryToken(home.cell_a),
                feedback, &given);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(MemberOracleTest, AsOfSearchDoesNotShowTodaysContactOfSomeoneWhoLeft) {
  const Branch from = NewBranch();
  const Branch to = NewBranch();
  const v1::Member member = CreateExisting(from.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-30));
  ASSERT_TRUE(StartTransferTo(member, to.cell_a, AdminToken()).ok());
  v1::Member m;
  v1::CompleteTransferRequest complete;
  complete.set_member(member.name());
  complete.set_presented_on(DaysFromToday(-10));
  ASSERT_TRUE(Call(lifecycle(), &v1::LifecycleService::Stub::CompleteTransfer, AdminToken(), complete, &m).ok());
  // The new cell records a new phone and address.
  v1::UpdateMemberRequest update;
  update.mutable_member()->set_name(member.name());
  update.mutable_member()->set_phone("0987654321");
  update.mutable_member()->set_current_address("Tổ 9, phường mới");
  update.mutable_update_mask()->add_paths("phone");
  update.mutable_update_mask()->add_paths("current_address");
  grpc::Status status = Call(members(), &v1::MemberService::Stub::UpdateMember, AdminToken(to.grassroots), update, &m);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The old cell's secretary searches last month: the member was theirs then.
  v1::SearchMembersRequest search;
  search.set_as_of_date(DaysFromToday(-30));
  v1::SearchMembersResponse found;
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, SecretaryToken(from.cell_a), search, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(found.members_size(), 1);
  EXPECT_EQ(found.members(0).name(), member.name());
  EXPECT_TRUE(found.members(0).phone().empty()) << "today's phone of someone now outside the scope";
  EXPECT_TRUE(found.members(0).current_address().empty());
  EXPECT_TRUE(found.members(0).permanent_address().empty());
  // The receiving side, in scope today, sees them.
  search.set_as_of_date(DaysFromToday(-1));
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, SecretaryToken(to.cell_a), search, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(found.members_size(), 1);
  EXPECT_EQ(found.members(0).phone(), "0987654321");
}

}  // namespace
}  // namespace grassroots::membership::testing
