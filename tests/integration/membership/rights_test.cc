// The data subject's rights (Law 91/2025): the member's export of everything
// held about them, correction requests tracked to their answer, and the log of
// what the change feed disclosed to other services.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/test_tokens.h"

namespace grassroots::membership::testing {
namespace {

namespace feedv1 = ::grassroots::feed::v1;
using common::auth::Role;
using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::MemberService::Stub;

class RightsTest : public MembershipFixture {
 protected:
  static v1::MyDataExport Export(const std::string& token) {
    v1::MyDataExport out;
    grpc::Status status = Call(members(), &Stub::ExportMyData, token, v1::ExportMyDataRequest(), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  static v1::RequestCorrectionRequest PhoneCorrection(const std::string& member, const std::string& phone,
                                                      const std::string& request_id) {
    v1::RequestCorrectionRequest request;
    request.set_member(member);
    request.mutable_fields()->add_paths("phone");
    request.mutable_proposed()->set_phone(phone);
    request.set_reason("Số điện thoại đã đổi");
    request.set_request_id(request_id);
    return request;
  }
  static v1::CorrectionRequest File(const std::string& token, const v1::RequestCorrectionRequest& request) {
    v1::CorrectionRequest out;
    grpc::Status status = Call(members(), &Stub::RequestCorrection, token, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    return out;
  }
  static grpc::Status Answer(const std::string& token, const std::string& name, v1::CorrectionState decision,
                             const std::string& reason, v1::CorrectionRequest* out) {
    v1::AnswerCorrectionRequestRequest request;
    request.set_name(name);
    request.set_decision(decision);
    request.set_reason(reason);
    return Call(members(), &Stub::AnswerCorrectionRequest, token, request, out);
  }
  static std::vector<feedv1::Change> Stream(int64_t after) {
    feedv1::StreamChangesRequest request;
    request.set_after_sequence(after);
    grpc::ClientContext context;
    Authorize(context, ServiceToken());
    auto reader = member_feed().StreamChanges(&context, request);
    std::vector<feedv1::Change> changes;
    feedv1::Change change;
    while (reader->Read(&change)) changes.push_back(change);
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return changes;
  }
  static int64_t FeedHead() { return MemberDbInt("SELECT last_sequence FROM feed_head WHERE id = 1"); }
};

TEST_F(RightsTest, ExportHoldsEveryPartAndOnlyTheCallersOwnData) {
  const Branch branch = NewBranch();
  const v1::Member mine = CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Hà Thị Xuất Dữ")),
                                         v1::MEMBER_STATUS_OFFICIAL, "", UniqueCard());
  const v1::Member other = CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Tạ Văn Người Khác")));
  const std::string token = MemberToken(branch.cell_a, MemberId(mine.name()));

  // An official reads the record for a stated purpose; a training is recorded.
  {
    grpc::ClientContext context;
    Authorize(context, AdminToken(branch.grassroots));
    context.AddMetadata("x-purpose", "case-review");
    v1::GetMemberRequest get;
    get.set_name(mine.name());
    v1::Member read;
    ASSERT_TRUE(members().GetMember(&context, get, &read).ok());
  }
  v1::RecordTrainingRequest training;
  training.mutable_training()->set_member(mine.name());
  training.mutable_training()->set_course("Bồi dưỡng lý luận chính trị");
  training.mutable_training()->set_kind("NEW_MEMBER");
  training.mutable_training()->set_start_date(DaysFromToday(-40));
  training.mutable_training()->set_end_date(DaysFromToday(-35));
  v1::Training recorded;
  grpc::Status status =
      Call(yearly(), &v1::YearlyRecordService::Stub::RecordTraining, AdminToken(), training, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  File(token, PhoneCorrection(mine.name(), "0912345678", absl::StrCat("export-", MemberId(mine.name()))));
  Stream(0);  // another service takes the whole feed

  const v1::MyDataExport exported = Export(token);
  EXPECT_EQ(exported.content_type(), "application/json");
  const nlohmann::json doc = nlohmann::json::parse(exported.document());
  EXPECT_EQ(doc["format"], "grassroots.membership.my_data_export.v1");
  EXPECT_EQ(doc["member"], mine.name());
  EXPECT_EQ(doc["profile"]["full_name"], "Hà Thị Xuất Dữ");
  EXPECT_EQ(doc["profile"]["citizen_id"], mine.citizen_id()) << "their own sensitive fields, opened";
  EXPECT_EQ(doc["profile"]["birth_date"], mine.birth_date());
  ASSERT_FALSE(doc["lifecycle_events"].empty());
  EXPECT_EQ(doc["lifecycle_events"][0]["kind"], "EVENT_KIND_RECORD_OPENED");
  EXPECT_EQ(doc["lifecycle_events"][0]["actor"], "") << "who recorded it is left out";
  ASSERT_EQ(doc["party_cards"].size(), 1u);
  ASSERT_EQ(doc["yearly_records"].size(), 1u);
  EXPECT_EQ(doc["yearly_records"][0]["training"]["name"], recorded.name());
  ASSERT_EQ(doc["correction_requests"].size(), 1u);
  EXPECT_EQ(doc["correction_requests"][0]["state"], "CORRECTION_STATE_OPEN");
  EXPECT_EQ(doc["correction_requests"][0]["proposed"]["phone"], "0912345678");

  bool official_read = false;
  for (const nlohmann::json& entry : doc["read_audit"]) {
    EXPECT_FALSE(entry.contains("actor")) << "roles and organization only, never who";
    if (entry["via"] == "GetMember" && entry["purpose"] == "case-review") {
      official_read = true;
      EXPECT_EQ(entry["actor_roles"], nlohmann::json::array({"admin"}));
      EXPECT_EQ(entry["actor_organization"], OrgName(branch.grassroots));
      EXPECT_EQ(entry["action"], "member.read");
    }
  }
  EXPECT_TRUE(official_read) << doc["read_audit"].dump();
  ASSERT_FALSE(doc["disclosures"].empty());
  const nlohmann::json& disclosure = doc["disclosures"].back();
  EXPECT_FALSE(disclosure["consumer"].get<std::string>().empty());
  EXPECT_GE(disclosure["changes_about_member"].get<int64_t>(), 1);
  EXPECT_EQ(disclosure["after_sequence"], 0);

  // Only the caller's data.
  EXPECT_THAT(exported.document(), Not(HasSubstr(other.citizen_id())));
  EXPECT_THAT(exported.document(), Not(HasSubstr("Tạ Văn Người Khác")));
  EXPECT_THAT(exported.document(), Not(HasSubstr(other.name() + "\"")));
  // The export itself is on the audit chain.
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE action = 'member.exported' AND "
                                     "resource_name = '", mine.name(), "'")),
            1);
  // ... and shows in the next export.
  const nlohmann::json again = nlohmann::json::parse(Export(token).document());
  bool exported_seen = false;
  for (const nlohmann::json& entry : again["read_audit"]) exported_seen |= entry["action"] == "member.exported";
  EXPECT_TRUE(exported_seen);
}

TEST_F(RightsTest, AMemberExportsAndSeesOnlyTheirOwn) {
  const Branch branch = NewBranch();
  const v1::Member a = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member b = CreateExisting(branch.cell_a, NewPerson());
  const std::string a_token = MemberToken(branch.cell_a, MemberId(a.name()));
  const std::string b_token = MemberToken(branch.cell_a, MemberId(b.name()));
  File(a_token, PhoneCorrection(a.name(), "0987000111", absl::StrCat("own-", MemberId(a.name()))));

  EXPECT_EQ(nlohmann::json::parse(Export(b_token).document())["member"], b.name());
  EXPECT_THAT(Export(b_token).document(), Not(HasSubstr(a.citizen_id())));
  v1::ListCorrectionRequestsResponse mine;
  ASSERT_TRUE(Call(members(), &Stub::ListMyCorrectionRequests, b_token, v1::ListMyCorrectionRequestsRequest(), &mine)
                  .ok());
  EXPECT_EQ(mine.requests_size(), 0) << "b sees nothing of a's requests";
  ASSERT_TRUE(Call(members(), &Stub::ListMyCorrectionRequests, a_token, v1::ListMyCorrectionRequestsRequest(), &mine)
                  .ok());
  EXPECT_EQ(mine.requests_size(), 1);

  // Filing on another's record reads as a record that does not exist.
  v1::CorrectionRequest filed;
  EXPECT_EQ(Call(members(), &Stub::RequestCorrection, b_token,
                 PhoneCorrection(a.name(), "0987000222", absl::StrCat("other-", MemberId(a.name()))), &filed)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Reading another's record or the officials' list: refused.
  v1::GetMemberRequest get;
  get.set_name(a.name());
  v1::Member read;
  EXPECT_EQ(Call(members(), &Stub::GetMember, b_token, get, &read).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListCorrectionRequestsResponse listed;
  EXPECT_EQ(Call(members(), &Stub::ListCorrectionRequests, b_token, v1::ListCorrectionRequestsRequest(), &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Staff cannot export (a member's right over their own record).
  v1::MyDataExport out;
  EXPECT_EQ(Call(members(), &Stub::ExportMyData, AdminToken(), v1::ExportMyDataRequest(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A member token naming no record.
  EXPECT_EQ(Call(members(), &Stub::ExportMyData, grassroots::testing::MintToken({Role::kMember}, branch.cell_a),
                 v1::ExportMyDataRequest(), &out)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RightsTest, CorrectionIsListedInScopeAcceptedOnceAndApplied) {
  const Branch branch = NewBranch();
  const Branch elsewhere = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithSex(v1::SEX_FEMALE)));
  const std::string token = MemberToken(branch.cell_a, MemberId(person.name()));
  const std::string new_citizen_id = CitizenIdFor(person.birth_date(), person.sex());

  v1::RequestCorrectionRequest request = PhoneCorrection(person.name(), "0911222333", absl::StrCat("flow-", MemberId(person.name())));
  request.mutable_fields()->add_paths("citizen_id");
  request.mutable_proposed()->set_citizen_id(new_citizen_id);
  request.mutable_proposed()->set_full_name("Not asked for");  // outside the fields: dropped
  const v1::CorrectionRequest filed = File(token, request);
  EXPECT_EQ(filed.state(), v1::CORRECTION_STATE_OPEN);
  EXPECT_EQ(filed.proposed().citizen_id(), new_citizen_id);
  EXPECT_EQ(filed.proposed().full_name(), "");
  // The proposed citizen ID is sealed at rest, and kept nowhere in the clear.
  const int64_t row = MemberDbInt(absl::StrCat("SELECT MAX(id) FROM member_correction_requests WHERE member_id = ",
                                               MemberId(person.name())));
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_correction_requests WHERE id = ", row,
                                     " AND key_version > 0 AND proposed_sealed IS NOT NULL AND INSTR(proposed, '",
                                     new_citizen_id, "') = 0 AND INSTR(proposed_sealed, '", new_citizen_id, "') = 0")),
            1);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM idempotency_keys WHERE INSTR(response, '", new_citizen_id,
                                     "') > 0")),
            0);

  // An official in scope sees it (sensitive values for admin, redacted for a secretary).
  v1::ListCorrectionRequestsRequest list;
  list.set_organization(OrgName(branch.grassroots));
  list.set_state(v1::CORRECTION_STATE_OPEN);
  v1::ListCorrectionRequestsResponse listed;
  ASSERT_TRUE(Call(members(), &Stub::ListCorrectionRequests, AdminToken(branch.grassroots), list, &listed).ok());
  ASSERT_EQ(listed.requests_size(), 1);
  EXPECT_EQ(listed.requests(0).name(), filed.name());
  EXPECT_EQ(listed.requests(0).proposed().citizen_id(), new_citizen_id);
  list.clear_organization();
  ASSERT_TRUE(Call(members(), &Stub::ListCorrectionRequests, SecretaryToken(branch.cell_a), list, &listed).ok());
  ASSERT_EQ(listed.requests_size(), 1);
  EXPECT_EQ(listed.requests(0).proposed().citizen_id(), "");
  EXPECT_THAT(listed.requests(0).proposed().redacted_fields(), ::testing::ElementsAre("citizen_id"));
  EXPECT_EQ(listed.requests(0).proposed().phone(), "0911222333");
  // Another subtree: NOT_FOUND, for the list and for the answer.
  list.set_organization(OrgName(branch.grassroots));
  EXPECT_EQ(Call(members(), &Stub::ListCorrectionRequests, AdminToken(elsewhere.grassroots), list, &listed)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  list.clear_organization();
  ASSERT_TRUE(Call(members(), &Stub::ListCorrectionRequests, AdminToken(elsewhere.grassroots), list, &listed).ok());
  EXPECT_EQ(listed.requests_size(), 0);
  v1::CorrectionRequest answered;
  EXPECT_EQ(Answer(AdminToken(elsewhere.grassroots), filed.name(), v1::CORRECTION_STATE_ACCEPTED, "", &answered)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Accepted: the change is applied (GetMember shows it, the feed carries it).
  const int64_t head = FeedHead();
  const std::string member_entries = absl::StrCat(
      "SELECT COUNT(*) FROM change_feed WHERE resource_type = 'member' AND resource_name = '", person.name(), "'");
  EXPECT_GE(MemberDbInt(member_entries), 1) << "the member's entries before the correction";
  grpc::Status status =
      Answer(AdminToken(branch.grassroots), filed.name(), v1::CORRECTION_STATE_ACCEPTED, "", &answered);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(answered.state(), v1::CORRECTION_STATE_ACCEPTED);
  EXPECT_THAT(answered.answered_by_roles(), ::testing::ElementsAre("admin"));
  const v1::Member after = GetMember(person.name());
  EXPECT_EQ(after.phone(), "0911222333");
  EXPECT_EQ(after.citizen_id(), new_citizen_id);
  bool carried = false;
  for (const feedv1::Change& change : Stream(head)) {
    carried |= change.resource_name() == person.name() && change.action() == "updated";
  }
  EXPECT_TRUE(carried);
  // The correction reached the stored feed: only the corrected state is left.
  EXPECT_EQ(MemberDbInt(member_entries), 1);
  EXPECT_EQ(MemberDbInt(absl::StrCat(member_entries, " AND sequence > ", head, " AND action = 'updated'")), 1);

  // Answering again.
  status = Answer(AdminToken(branch.grassroots), filed.name(), v1::CORRECTION_STATE_REJECTED, "late", &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CORRECTION_ALREADY_ANSWERED");

  // The member sees the answer.
  v1::ListCorrectionRequestsResponse mine;
  ASSERT_TRUE(
      Call(members(), &Stub::ListMyCorrectionRequests, token, v1::ListMyCorrectionRequestsRequest(), &mine).ok());
  ASSERT_EQ(mine.requests_size(), 1);
  EXPECT_EQ(mine.requests(0).state(), v1::CORRECTION_STATE_ACCEPTED);
  EXPECT_TRUE(mine.requests(0).has_answer_time());
}

TEST_F(RightsTest, RejectionNeedsAReasonAndSelfDealingIsRefused) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  const int64_t id = MemberId(person.name());
  const std::string token = MemberToken(branch.cell_a, id);
  const v1::CorrectionRequest filed = File(token, PhoneCorrection(person.name(), "0966554433", absl::StrCat("reject-", id)));

  v1::CorrectionRequest answered;
  grpc::Status status = Answer(AdminToken(branch.grassroots), filed.name(), v1::CORRECTION_STATE_REJECTED, "",
                               &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "reason");
  status = Answer(AdminToken(branch.grassroots), filed.name(), v1::CORRECTION_STATE_UNSPECIFIED, "x", &answered);
  EXPECT_EQ(BadField(status), "decision");

  // An official answering their own request.
  const std::string self = grassroots::testing::MintToken({Role::kAdmin}, branch.grassroots, id);
  status = Answer(self, filed.name(), v1::CORRECTION_STATE_ACCEPTED, "", &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(status), "SELF_DEALING");

  status = Answer(AdminToken(branch.grassroots), filed.name(), v1::CORRECTION_STATE_REJECTED,
                  "Số cũ vẫn đúng theo hồ sơ", &answered);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answered.state(), v1::CORRECTION_STATE_REJECTED);
  EXPECT_EQ(answered.answer_reason(), "Số cũ vẫn đúng theo hồ sơ");
  EXPECT_NE(GetMember(person.name()).phone(), "0966554433") << "a rejection changes nothing";
}

TEST_F(RightsTest, RequestIdMakesFilingIdempotentAndBadRequestsNameTheField) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  const int64_t id = MemberId(person.name());
  const std::string token = MemberToken(branch.cell_a, id);
  const v1::RequestCorrectionRequest request = PhoneCorrection(person.name(), "0900000002", absl::StrCat("idem-", id));
  const v1::CorrectionRequest first = File(token, request);
  const v1::CorrectionRequest second = File(token, request);
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_correction_requests WHERE member_id = ", id)), 1);
  v1::CorrectionRequest out;
  v1::RequestCorrectionRequest changed = request;
  changed.mutable_proposed()->set_phone("0900000003");
  grpc::Status status = Call(members(), &Stub::RequestCorrection, token, changed, &out);
  EXPECT_EQ(BadField(status), "request_id");

  v1::RequestCorrectionRequest bad = request;
  bad.set_request_id("");
  bad.clear_reason();
  EXPECT_EQ(BadField(Call(members(), &Stub::RequestCorrection, token, bad, &out)), "reason");
  bad = request;
  bad.set_request_id("");
  bad.mutable_fields()->add_paths("status");
  EXPECT_EQ(BadField(Call(members(), &Stub::RequestCorrection, token, bad, &out)), "fields");
  bad = request;
  bad.set_request_id("");
  bad.mutable_fields()->add_paths("citizen_id");
  bad.mutable_proposed()->set_citizen_id("123");
  EXPECT_EQ(BadField(Call(members(), &Stub::RequestCorrection, token, bad, &out)), "proposed.citizen_id");
}

TEST_F(RightsTest, EveryFeedSessionIsLoggedPerConsumerAndRange) {
  const Branch branch = NewBranch();
  CreateExisting(branch.cell_a, NewPerson());
  const int64_t before = CountRows("feed_disclosures");
  const int64_t head = FeedHead();
  const std::vector<feedv1::Change> sent = Stream(head - 1);
  ASSERT_FALSE(sent.empty());
  ASSERT_EQ(CountRows("feed_disclosures"), before + 1);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM feed_disclosures WHERE consumer = 'test-user' AND "
                                     "after_sequence = ", head - 1, " AND to_sequence = ", sent.back().sequence(),
                                     " AND changes_sent = ", sent.size(), " AND last_sent_at IS NOT NULL")),
            1);
}

}  // namespace
}  // namespace grassroots::membership::testing
