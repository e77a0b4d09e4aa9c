// YearlyRecordService through gRPC: ratings with the quota reported (never
// enforced), residence registration and feedback (QĐ 213), commitments by the
// member themself, trainings, screening by a 2/3 vote, and the yearly list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::HasSubstr;

using Stub = v1::YearlyRecordService::Stub;

class GrpcYearlyTest : public MembershipFixture {
 protected:
  static int ThisYear() { return std::stoi(Today().substr(0, 4)); }
  static grpc::Status Rate(const std::string& member, int year, double score, v1::RateMemberResponse* out,
                           const std::string& token = "", const std::string& disqualification = "",
                           v1::RatingLevel expected_level = v1::RATING_LEVEL_UNSPECIFIED) {
    v1::RateMemberRequest request;
    request.mutable_rating()->set_member(member);
    request.mutable_rating()->set_year(year);
    request.mutable_rating()->set_score(score);
    request.mutable_rating()->set_disqualification(disqualification);
    request.mutable_rating()->set_level(expected_level);
    return Call(yearly(), &Stub::RateMember, token.empty() ? AdminToken() : token, request, out);
  }
  static std::vector<v1::YearlyRecord> Records(const v1::ListYearlyRecordsRequest& request, const std::string& token,
                                               grpc::Status* status_out = nullptr) {
    v1::ListYearlyRecordsResponse response;
    grpc::Status status = Call(yearly(), &Stub::ListYearlyRecords, token, request, &response);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
    }
    return {response.records().begin(), response.records().end()};
  }
  static v1::Vote MakeVote(int in_favour, int eligible) {
    v1::Vote vote;
    vote.set_in_favour(in_favour);
    vote.set_eligible(eligible);
    return vote;
  }
};

TEST_F(GrpcYearlyTest, RatingLevelsFollowTheBandsAndTheQuotaIsReportedNotEnforced) {
  const Branch branch = NewBranch();
  const int year = ThisYear() - 1;
  std::vector<v1::Member> people;
  for (int i = 0; i < 9; ++i) people.push_back(CreateExisting(branch.cell_a, NewPerson()));

  v1::RateMemberResponse rated;
  // One EXCELLENT with no GOOD yet: over the 20% quota, recorded anyway.
  grpc::Status status = Rate(people[0].name(), year, 95, &rated);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(rated.rating().level(), v1::RATING_LEVEL_EXCELLENT);
  EXPECT_EQ(rated.rating().cell(), OrgName(branch.cell_a));
  EXPECT_EQ(rated.quota().excellent(), 1);
  EXPECT_EQ(rated.quota().excellent_limit(), 0);
  EXPECT_FALSE(rated.quota().within_quota());
  EXPECT_EQ(rated.quota().rule_id(), "membership.rating.excellent_max_share_of_good");

  // Five GOOD (70 .. < 90) make room for one EXCELLENT.
  const std::vector<double> good_scores = {89.99, 70, 75.5, 80, 85};
  for (size_t i = 0; i < good_scores.size(); ++i) {
    status = Rate(people[1 + i].name(), year, good_scores[i], &rated);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(rated.rating().level(), v1::RATING_LEVEL_GOOD) << good_scores[i];
  }
  EXPECT_EQ(rated.quota().good(), 5);
  EXPECT_EQ(rated.quota().excellent_limit(), 1);
  EXPECT_TRUE(rated.quota().within_quota());

  status = Rate(people[6].name(), year, 50, &rated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rated.rating().level(), v1::RATING_LEVEL_COMPLETED);
  status = Rate(people[7].name(), year, 49.99, &rated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rated.rating().level(), v1::RATING_LEVEL_NOT_COMPLETED);
  // A disqualifying fact forces NOT_COMPLETED whatever the score.
  status = Rate(people[8].name(), year, 96, &rated, "", "Bị kỷ luật khiển trách trong năm");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rated.rating().level(), v1::RATING_LEVEL_NOT_COMPLETED);

  v1::GetRatingQuotaRequest quota_request;
  quota_request.set_organization(OrgName(branch.grassroots));
  quota_request.set_year(year);
  v1::RatingQuotaReport quota;
  status = Call(yearly(), &Stub::GetRatingQuota, AdminToken(), quota_request, &quota);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(quota.excellent(), 1);
  EXPECT_EQ(quota.good(), 5);
  EXPECT_EQ(quota.completed(), 1);
  EXPECT_EQ(quota.not_completed(), 2);
  EXPECT_TRUE(quota.within_quota());

  // Re-rating replaces the year's rating (no second row).
  status = Rate(people[0].name(), year, 72, &rated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rated.rating().level(), v1::RATING_LEVEL_GOOD);
  EXPECT_EQ(rated.quota().excellent(), 0);
  EXPECT_EQ(rated.quota().good(), 6);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM ratings WHERE member_id = ", MemberId(people[0].name()))),
            1);
}

TEST_F(GrpcYearlyTest, RatingErrors) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  const int year = ThisYear() - 1;
  v1::RateMemberResponse rated;
  grpc::Status status = Rate(member.name(), year, 100.5, &rated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "rating.score");
  status = Rate(member.name(), ThisYear() + 1, 80, &rated);
  EXPECT_EQ(BadField(status), "rating.year");
  status = Rate(member.name(), year, 95, &rated, "", "", v1::RATING_LEVEL_GOOD);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "the level follows from the score";
  EXPECT_EQ(BadField(status), "rating.level");
  const v1::Member prospect = CreateProspect(branch.cell_a, NewPerson());
  status = Rate(prospect.name(), year, 80, &rated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "MEMBER_NOT_ACTIVE");

  // The member's cell secretary rates; another cell's does not; a member does not rate.
  status = Rate(member.name(), year, 80, &rated, SecretaryToken(branch.cell_a));
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = Rate(member.name(), year, 80, &rated, SecretaryToken(branch.cell_b));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  status = Rate(member.name(), year, 80, &rated, MemberToken(branch.cell_a, MemberId(member.name())));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = Rate(member.name(), year, 80, &rated, InspectorToken());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GrpcYearlyTest, ResidenceRegistrationAndTheResidenceCellsFeedback) {
  const Branch work = NewBranch();
  const Branch home = NewBranch();
  const v1::Member member =
      CreateExisting(work.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  const int year = ThisYear();

  v1::RecordResidenceFeedbackRequest feedback;
  feedback.mutable_feedback()->set_member(member.name());
  feedback.mutable_feedback()->set_year(year);
  feedback.mutable_feedback()->set_assessment(v1::FEEDBACK_ASSESSMENT_GOOD);
  feedback.mutable_feedback()->set_opinion("Gương mẫu, tham gia tốt các hoạt động ở khu dân cư");
  feedback.mutable_feedback()->set_signed_by("Bí thư chi bộ");
  feedback.mutable_feedback()->set_given_on(Today());
  v1::ResidenceFeedback given;
  grpc::Status status = Call(yearly(), &Stub::RecordResidenceFeedback, AdminToken(), feedback, &given);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "no registration yet";
  EXPECT_EQ(Reason(status), "RESIDENCE_NOT_REGISTERED");

  v1::RegisterResidenceRequest registration;
  v1::ResidenceRegistration* place = registration.mutable_registration();
  place->set_member(member.name());
  place->set_residence_cell(OrgName(home.cell_b));
  place->set_residence_address("Thôn 2, xã Lộc An");
  place->set_letter_issued_on(DaysFromToday(-65));
  place->set_registered_on(DaysFromToday(-60));
  // Both a cell of the tree and a unit outside it: one or the other.
  v1::RegisterResidenceRequest both = registration;
  both.mutable_registration()->set_residence_unit_name("Chi bộ tổ dân phố 3, phường 1, TP Đà Lạt");
  v1::ResidenceRegistration registered;
  status = Call(yearly(), &Stub::RegisterResidence, AdminToken(), both, &registered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  // A residence "cell" that is a grassroots organization.
  v1::RegisterResidenceRequest not_cell = registration;
  not_cell.mutable_registration()->set_residence_cell(OrgName(home.grassroots));
  status = Call(yearly(), &Stub::RegisterResidence, AdminToken(), not_cell, &registered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "NOT_A_CELL");

  status = Call(yearly(), &Stub::RegisterResidence, AdminToken(), registration, &registered);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(registered.residence_cell(), OrgName(home.cell_b));
  EXPECT_THAT(registered.name(), HasSubstr(absl::StrCat(member.name(), "/residence-registrations/")));

  // The residence cell's secretary gives the yearly feedback (the member is in another branch).
  status = Call(yearly(), &Stub::RecordResidenceFeedback, SecretaryToken(home.cell_b), feedback, &given);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
  EXPECT_EQ(given.residence_cell(), OrgName(home.cell_b));
  EXPECT_EQ(given.year(), year);
  // An unrelated cell's secretary may not.
  status = Call(yearly(), &Stub::RecordResidenceFeedback, SecretaryToken(home.cell_a), feedback, &given);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  // Given again for the same year: replaced, one row.
  feedback.mutable_feedback()->set_assessment(v1::FEEDBACK_ASSESSMENT_SATISFACTORY);
  status = Call(yearly(), &Stub::RecordResidenceFeedback, AdminToken(), feedback, &given);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::ListYearlyRecordsRequest list;
  list.set_member(member.name());
  list.set_kind(v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK);
  const std::vector<v1::YearlyRecord> records = Records(list, AdminToken());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].residence_feedback().assessment(), v1::FEEDBACK_ASSESSMENT_SATISFACTORY);
}

TEST_F(GrpcYearlyTest, ExemptResidenceCategoriesGetNoYearlyFeedback) {
  const Branch branch = NewBranch();
  const v1::Member soldier =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_ARMED_FORCES)));
  v1::RegisterResidenceRequest registration;
  registration.mutable_registration()->set_member(soldier.name());
  registration.mutable_registration()->set_exemption(v1::RESIDENCE_EXEMPTION_NOT_INTRODUCED);
  registration.mutable_registration()->set_registered_on(DaysFromToday(-10));
  v1::ResidenceRegistration registered;
  grpc::Status status = Call(yearly(), &Stub::RegisterResidence, AdminToken(), registration, &registered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "the exemption needs its reason";
  registration.mutable_registration()->set_exemption_reason("Lực lượng vũ trang làm nhiệm vụ đặc biệt");
  status = Call(yearly(), &Stub::RegisterResidence, AdminToken(), registration, &registered);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);

  v1::RecordResidenceFeedbackRequest feedback;
  feedback.mutable_feedback()->set_member(soldier.name());
  feedback.mutable_feedback()->set_year(ThisYear());
  feedback.mutable_feedback()->set_assessment(v1::FEEDBACK_ASSESSMENT_GOOD);
  feedback.mutable_feedback()->set_opinion("Tốt");
  feedback.mutable_feedback()->set_given_on(Today());
  v1::ResidenceFeedback given;
  status = Call(yearly(), &Stub::RecordResidenceFeedback, AdminToken(), feedback, &given);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "NO_YEARLY_FEEDBACK");
}

TEST_F(GrpcYearlyTest, MembersRegisterTheirOwnCommitment) {
  const Branch branch = NewBranch();
  const v1::Member civil =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_CIVIL_SERVICE)));
  const v1::Member farmer =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_FARMER)));
  const int year = ThisYear();
  v1::RecordCommitmentRequest request;
  request.mutable_commitment()->set_member(civil.name());
  request.mutable_commitment()->set_year(year);
  request.mutable_commitment()->set_registered_on(Today());
  request.mutable_commitment()->set_content(
      "Tu dưỡng, rèn luyện đạo đức; không vi phạm những điều đảng viên không được làm");
  v1::Commitment commitment;
  const std::string civil_token = MemberToken(branch.cell_a, MemberId(civil.name()));
  grpc::Status status = Call(yearly(), &Stub::RecordCommitment, civil_token, request, &commitment);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_TRUE(commitment.required()) << "civil servants must register one";
  EXPECT_EQ(commitment.name(), absl::StrCat(civil.name(), "/commitments/", year));

  // Not for someone else.
  request.mutable_commitment()->set_member(farmer.name());
  status = Call(yearly(), &Stub::RecordCommitment, civil_token, request, &commitment);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  // The farmer's own, or the cell secretary for them: not required, accepted.
  status = Call(yearly(), &Stub::RecordCommitment, SecretaryToken(branch.cell_a), request, &commitment);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(commitment.required());
  // Errors.
  request.mutable_commitment()->set_year(year + 1);
  status = Call(yearly(), &Stub::RecordCommitment, AdminToken(), request, &commitment);
  EXPECT_EQ(BadField(status), "commitment.year");
  request.mutable_commitment()->set_year(year);
  request.mutable_commitment()->set_content(" ");
  status = Call(yearly(), &Stub::RecordCommitment, AdminToken(), request, &commitment);
  EXPECT_EQ(BadField(status), "commitment.content");

  // The member sees their own yearly records, not another's.
  v1::ListYearlyRecordsRequest list;
  list.set_member(civil.name());
  const std::vector<v1::YearlyRecord> own = Records(list, civil_token);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_TRUE(own[0].has_commitment());
  list.set_member(farmer.name());
  grpc::Status denied;
  Records(list, civil_token, &denied);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcYearlyTest, TrainingsAreIdempotentWithARequestId) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::RecordTrainingRequest request;
  v1::Training* training = request.mutable_training();
  training->set_member(member.name());
  training->set_course("Bồi dưỡng lý luận chính trị dành cho đảng viên mới");
  training->set_kind("NEW_MEMBER");
  training->set_start_date(DaysFromToday(-40));
  training->set_end_date(DaysFromToday(-35));
  training->set_certificate_number("CN-2026-118");
  training->set_provider("Trung tâm Chính trị huyện Bảo Lâm");
  request.set_request_id(absl::StrCat("training-", MemberId(member.name())));
  v1::Training first;
  grpc::Status status = Call(yearly(), &Stub::RecordTraining, SecretaryToken(branch.cell_a), request, &first);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  v1::Training second;
  status = Call(yearly(), &Stub::RecordTraining, SecretaryToken(branch.cell_a), request, &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.name(), first.name());
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM trainings WHERE member_id = ", MemberId(member.name()))), 1);
  // The key is the method's full name, as stored before handlers ran in the envelope.
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = '", request.request_id(),
                                     "' AND method = '/grassroots.membership.v1.YearlyRecordService/RecordTraining'")),
            1);

  v1::RecordTrainingRequest bad = request;
  bad.set_request_id("");
  bad.mutable_training()->set_kind("PARTY_SCHOOL");
  status = Call(yearly(), &Stub::RecordTraining, AdminToken(), bad, &second);
  EXPECT_EQ(BadField(status), "training.kind");
  bad.mutable_training()->set_kind("REFRESHER");
  bad.mutable_training()->set_end_date(DaysFromToday(-50));
  status = Call(yearly(), &Stub::RecordTraining, AdminToken(), bad, &second);
  EXPECT_EQ(BadField(status), "training.end_date");
}

TEST_F(GrpcYearlyTest, PostTrainingNamesThePostAndTermAndGoesOnTheFeed) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::RecordTrainingRequest request;
  v1::Training* training = request.mutable_training();
  training->set_member(member.name());
  training->set_course("Bồi dưỡng bí thư chi bộ nhiệm kỳ 2025-2030");
  training->set_kind("POST_TRAINING");
  training->set_start_date(DaysFromToday(-20));
  training->set_end_date(DaysFromToday(-18));
  training->set_post(v1::TRAINING_POST_CELL_SECRETARY);
  training->set_term_starts_on("2025-07-01");
  training->set_term_ends_on("2030-07-01");
  training->set_committee_term("organizations/12/committeeTerms/3");
  v1::Training stored;
  grpc::Status status = Call(yearly(), &Stub::RecordTraining, SecretaryToken(branch.cell_a), request, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(stored.post(), v1::TRAINING_POST_CELL_SECRETARY);
  EXPECT_EQ(stored.term_starts_on(), "2025-07-01");
  EXPECT_EQ(stored.term_ends_on(), "2030-07-01");
  EXPECT_EQ(stored.committee_term(), "organizations/12/committeeTerms/3");

  // Listed with the post, and on membership's feed with it.
  v1::ListYearlyRecordsRequest list;
  list.set_member(member.name());
  std::vector<v1::YearlyRecord> records = Records(list, AdminToken());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].training().post(), v1::TRAINING_POST_CELL_SECRETARY);
  grpc::ClientContext context;
  Authorize(context, ServiceToken());
  grassroots::feed::v1::StreamChangesRequest feed_request;
  feed_request.add_resource_types("training");
  feed_request.set_follow(false);
  auto reader = member_feed().StreamChanges(&context, feed_request);
  grassroots::feed::v1::Change change;
  v1::Training payload;
  bool found = false;
  while (reader->Read(&change)) {
    if (change.resource_name() != stored.name()) continue;
    found = change.resource().UnpackTo(&payload);
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(payload.post(), v1::TRAINING_POST_CELL_SECRETARY);
  EXPECT_EQ(payload.term_ends_on(), "2030-07-01");

  // Each bad field is named, and nothing is written.
  const int64_t before = CountRows("trainings");
  v1::RecordTrainingRequest bad = request;
  bad.mutable_training()->set_kind("REFRESHER");
  EXPECT_EQ(BadField(Call(yearly(), &Stub::RecordTraining, AdminToken(), bad, &stored)), "training.kind");
  bad = request;
  bad.mutable_training()->clear_term_starts_on();
  bad.mutable_training()->clear_committee_term();
  EXPECT_EQ(BadField(Call(yearly(), &Stub::RecordTraining, AdminToken(), bad, &stored)), "training.term_starts_on");
  bad = request;
  bad.mutable_training()->set_term_ends_on("2025-01-01");
  EXPECT_EQ(BadField(Call(yearly(), &Stub::RecordTraining, AdminToken(), bad, &stored)), "training.term_ends_on");
  bad = request;
  bad.mutable_training()->set_post(v1::TRAINING_POST_VILLAGE_HEAD);
  EXPECT_EQ(BadField(Call(yearly(), &Stub::RecordTraining, AdminToken(), bad, &stored)), "training.committee_term");
  EXPECT_EQ(CountRows("trainings"), before);
}

TEST_F(GrpcYearlyTest, ScreeningNeedsTwoThirdsAndEndsWithAnOutcome) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::ListForScreeningRequest request;
  v1::Screening* screening = request.mutable_screening();
  screening->set_member(member.name());
  screening->set_criterion("TWO_YEARS_NOT_COMPLETED");
  screening->set_listed_on(DaysFromToday(-30));
  *screening->mutable_vote() = MakeVote(5, 8);
  screening->set_help_period_end(MonthsFromToday(5));
  v1::Screening listed;
  grpc::Status status = Call(yearly(), &Stub::ListForScreening, AdminToken(), request, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "VOTE_BELOW_TWO_THIRDS");
  EXPECT_THAT(status.error_message(), HasSubstr("membership.screening.vote_min_share"));

  *screening->mutable_vote() = MakeVote(6, 9);
  // Listing is the committee's decision on the cell's vote: not a secretary's call.
  status = Call(yearly(), &Stub::ListForScreening, SecretaryToken(branch.cell_a), request, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  status = Call(yearly(), &Stub::ListForScreening, AdminToken(branch.grassroots), request, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(listed.outcome(), v1::SCREENING_OUTCOME_PENDING);
  EXPECT_THAT(listed.name(), HasSubstr(absl::StrCat(member.name(), "/screenings/")));
  // One screening at a time.
  status = Call(yearly(), &Stub::ListForScreening, AdminToken(), request, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::RecordScreeningOutcomeRequest outcome;
  outcome.set_screening(listed.name());
  outcome.set_outcome(v1::SCREENING_OUTCOME_RECOVERED);
  outcome.set_outcome_on(Today());
  outcome.set_note("Đã tiến bộ");
  v1::Screening closed;
  status = Call(yearly(), &Stub::RecordScreeningOutcome, AdminToken(), outcome, &closed);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(closed.outcome(), v1::SCREENING_OUTCOME_RECOVERED);
  status = Call(yearly(), &Stub::RecordScreeningOutcome, AdminToken(), outcome, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "already decided";

  // The member's own list leaves screenings out; the cell's admin sees it.
  v1::ListYearlyRecordsRequest list;
  list.set_member(member.name());
  int screenings_for_member = 0;
  for (const v1::YearlyRecord& r : Records(list, MemberToken(branch.cell_a, MemberId(member.name())))) {
    screenings_for_member += r.has_screening() ? 1 : 0;
  }
  EXPECT_EQ(screenings_for_member, 0);
  int screenings_for_admin = 0;
  for (const v1::YearlyRecord& r : Records(list, AdminToken())) screenings_for_admin += r.has_screening() ? 1 : 0;
  EXPECT_EQ(screenings_for_admin, 1);
}

TEST_F(GrpcYearlyTest, ListYearlyRecordsOfASubtree) {
  const Branch branch = NewBranch();
  const int year = ThisYear() - 1;
  std::vector<std::string> rated;
  for (int i = 0; i < 5; ++i) {
    const v1::Member member = CreateExisting(i < 3 ? branch.cell_a : branch.cell_b, NewPerson());
    v1::RateMemberResponse response;
    ASSERT_TRUE(Rate(member.name(), year, 60 + i * 5, &response).ok());
    rated.push_back(member.name());
  }
  v1::ListYearlyRecordsRequest request;
  request.set_organization(OrgName(branch.grassroots));
  grpc::Status status;
  Records(request, AdminToken(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "kind is required with organization";
  EXPECT_EQ(BadField(status), "kind");

  request.set_kind(v1::YEARLY_RECORD_KIND_RATING);
  request.set_year(year);
  request.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    v1::ListYearlyRecordsResponse response;
    status = Call(yearly(), &Stub::ListYearlyRecords, SecretaryToken(branch.grassroots), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::YearlyRecord& r : response.records()) seen.push_back(r.rating().member());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(seen, ::testing::UnorderedElementsAreArray(rated));
  request.set_page_token("");
  request.set_organization(OrgName(branch.cell_b));
  request.set_page_size(50);
  EXPECT_EQ(Records(request, SecretaryToken(branch.cell_b)).size(), 2u);
  Records(request, SecretaryToken(branch.cell_a), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  request.set_year(year - 1);
  EXPECT_TRUE(Records(request, AdminToken()).empty());
}

}  // namespace
}  // namespace grassroots::membership::testing
