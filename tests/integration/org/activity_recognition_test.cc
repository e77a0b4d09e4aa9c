// RecognitionService and the working-regulation / rules methods of OrganizationService,
// through a real gRPC stub on the real database.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/org/activity_test_util.h"

namespace grassroots::org::testing::activity {
namespace {

class RecognitionTest : public ActivityTest {
 protected:
  void SetUp() override {
    commune_ = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Phú Quý", "COMMUNE");
    school_ = CreateOrg("DANG_BO_CO_SO", commune_.name(), "Đảng bộ trường THPT Phú Quý");
    teachers_ = CreateOrg("CHI_BO_TRUC_THUOC", school_.name(), "Chi bộ giáo viên");
    village_ = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn Đông Hải");
  }

  static grpc::Status Rate(const std::string& token, const std::string& parent, int year, double score,
                           const std::string& etag, v1::OrganizationRating* out, bool disqualified = false) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::RateOrganizationRequest request;
    request.set_parent(parent);
    request.mutable_rating()->set_year(year);
    request.mutable_rating()->set_score(score);
    request.mutable_rating()->set_etag(etag);
    if (disqualified) {
      request.mutable_rating()->set_disqualified(true);
      request.mutable_rating()->set_disqualification_reason("Có đảng viên bị kỷ luật trong năm");
    }
    request.mutable_rating()->mutable_decision()->set_issuing_body("Ban Thường vụ Đảng ủy xã");
    request.mutable_rating()->mutable_decision()->set_number("45-QĐ/ĐU");
    request.mutable_rating()->mutable_decision()->set_signed_on("2025-12-20");
    return recognition().RateOrganization(&ctx, request, out);
  }

  static grpc::Status Designate(const std::string& parent, int year, v1::FourGoodKind kind,
                                v1::FourGoodDesignation* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::RecordFourGoodDesignationRequest request;
    request.set_parent(parent);
    request.mutable_designation()->set_year(year);
    request.mutable_designation()->set_kind(kind);
    return recognition().RecordFourGoodDesignation(&ctx, request, out);
  }

  static grpc::Status RecordModel(const std::string& parent, int year, const std::string& title, v1::NewModel* out,
                                  const std::string& request_id = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::RecordNewModelRequest request;
    request.set_parent(parent);
    request.mutable_model()->set_year(year);
    request.mutable_model()->set_title(title);
    request.mutable_model()->set_description("Mô hình dân vận khéo");
    request.set_request_id(request_id);
    return recognition().RecordNewModel(&ctx, request, out);
  }

  static grpc::Status Adopt(const std::string& parent, int version, const std::string& adopted_on,
                            v1::WorkingRegulation* out, const std::string& title = "Quy chế làm việc",
                            const std::string& request_id = "", const std::string& token = AdminToken()) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::AdoptWorkingRegulationRequest request;
    request.set_parent(parent);
    request.mutable_regulation()->set_version(version);
    request.mutable_regulation()->set_adopted_on(adopted_on);
    request.mutable_regulation()->set_title(title);
    request.set_request_id(request_id);
    return orgs().AdoptWorkingRegulation(&ctx, request, out);
  }

  static v1::ListWorkingRegulationsResponse Regulations(const std::string& parent, const std::string& as_of) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListWorkingRegulationsRequest request;
    request.set_parent(parent);
    request.set_as_of_date(as_of);
    v1::ListWorkingRegulationsResponse out;
    grpc::Status status = orgs().ListWorkingRegulations(&ctx, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::ListRulesResponse Rules(const std::string& as_of, const std::string& prefix, grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    Authorize(ctx, MemberToken(RootId(), 1));
    v1::ListRulesRequest request;
    request.set_as_of_date(as_of);
    request.set_id_prefix(prefix);
    v1::ListRulesResponse out;
    grpc::Status s = orgs().ListRules(&ctx, request, &out);
    if (status != nullptr) *status = s;
    else EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Organization commune_;
  v1::Organization school_;
  v1::Organization teachers_;
  v1::Organization village_;
};

TEST_F(RecognitionTest, RatingLevelFollowsTheBandsAndReRatingNeedsTheEtag) {
  v1::OrganizationRating rated;
  grpc::Status status = Rate(AdminToken(), village_.name(), 2025, 89.9, "", &rated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rated.name(), village_.name() + "/ratings/2025");
  EXPECT_EQ(rated.level(), v1::QUALITY_LEVEL_GOOD);
  EXPECT_NE(rated.rule_citation().find("QĐ 366"), std::string::npos);
  EXPECT_EQ(rated.decision().number(), "45-QĐ/ĐU");

  v1::OrganizationRating again;
  status = Rate(AdminToken(), village_.name(), 2025, 90, "", &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(status), "ETAG_REQUIRED");
  status = Rate(AdminToken(), village_.name(), 2025, 90, "\"stale\"", &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);

  status = Rate(AdminToken(), village_.name(), 2025, 90, rated.etag(), &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.level(), v1::QUALITY_LEVEL_EXCELLENT);
  // The first etag is spent.
  status = Rate(AdminToken(), village_.name(), 2025, 95, rated.etag(), &rated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);

  // A disqualifying fact caps the level whatever the score.
  v1::OrganizationRating capped;
  status = Rate(AdminToken(), village_.name(), 2025, 95, again.etag(), &capped, /*disqualified=*/true);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(capped.level(), v1::QUALITY_LEVEL_NOT_COMPLETED);

  // 2024 was rated under QĐ 124; 2017 (before QĐ 132) had no score bands at all.
  v1::OrganizationRating y2024;
  ASSERT_TRUE(Rate(AdminToken(), village_.name(), 2024, 49.9, "", &y2024).ok());
  EXPECT_EQ(y2024.level(), v1::QUALITY_LEVEL_NOT_COMPLETED);
  EXPECT_NE(y2024.rule_citation().find("QĐ 124"), std::string::npos);
  const v1::Organization old_commune =
      CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Tam Bố", "COMMUNE", "2010-01-01");
  const v1::Organization old_village =
      CreateOrg("CHI_BO_CO_SO", old_commune.name(), "Chi bộ thôn Tam Bố", "", "2010-01-01");
  status = Rate(AdminToken(), old_village.name(), 2017, 80, "", &y2024);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "NO_RATING_BANDS");

  status = Rate(AdminToken(), village_.name(), 2025, 100.5, "", &y2024);
  EXPECT_EQ(BadField(status), "rating.score");
  status = Rate(AdminToken(), village_.name(), 2031, 80, "", &y2024);
  EXPECT_EQ(BadField(status), "rating.year");
  status = Rate(AdminToken(), "organizations/987654321", 2025, 80, "", &y2024);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  std::vector<grassroots::feed::v1::Change> changes = ChangesOf("organization_rating", village_.name() + "/ratings/2025");
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].action(), "created");
  EXPECT_EQ(changes[2].action(), "updated");
}

TEST_F(RecognitionTest, WhoMayRate) {
  v1::OrganizationRating out;
  // The school's secretary rates its cells, not the school itself.
  const std::string school_secretary = SecretaryToken(IdOf(school_.name()));
  grpc::Status status = Rate(school_secretary, teachers_.name(), 2025, 75, "", &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.level(), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(Rate(school_secretary, school_.name(), 2025, 75, "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Another cell's secretary may not rate here.
  EXPECT_EQ(Rate(SecretaryToken(IdOf(village_.name())), teachers_.name(), 2025, 75, "", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Rate(MemberToken(IdOf(village_.name()), 5), village_.name(), 2025, 75, "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(Rate(AdminToken(), village_.name(), 2025, 55, "", &out).ok());
  ASSERT_TRUE(Rate(AdminToken(), village_.name(), 2024, 55, "", &out).ok());
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListOrganizationRatingsRequest list;
  list.set_parent(commune_.name());
  list.set_include_subtree(true);
  list.set_year(2025);
  v1::ListOrganizationRatingsResponse ratings;
  ASSERT_TRUE(recognition().ListOrganizationRatings(&ctx, list, &ratings).ok());
  std::set<std::string> names;
  for (const auto& r : ratings.ratings()) names.insert(r.name());
  EXPECT_EQ(names, (std::set<std::string>{teachers_.name() + "/ratings/2025", village_.name() + "/ratings/2025"}));
}

TEST_F(RecognitionTest, FourGoodDesignations) {
  v1::FourGoodDesignation out;
  grpc::Status status = Designate(village_.name(), 2025, v1::FOUR_GOOD_KIND_CELL, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.name(), village_.name() + "/fourGoodDesignations/2025");
  ASSERT_TRUE(Designate(school_.name(), 2025, v1::FOUR_GOOD_KIND_GRASSROOTS_COMMITTEE, &out).ok());
  ASSERT_TRUE(Designate(teachers_.name(), 2025, v1::FOUR_GOOD_KIND_CELL, &out).ok());

  status = Designate(village_.name(), 2025, v1::FOUR_GOOD_KIND_CELL, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  status = Designate(village_.name(), 2024, v1::FOUR_GOOD_KIND_GRASSROOTS_COMMITTEE, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "FOUR_GOOD_KIND_MISMATCH");
  status = Designate(school_.name(), 2024, v1::FOUR_GOOD_KIND_CELL, &out);
  EXPECT_EQ(Reason(status), "FOUR_GOOD_KIND_MISMATCH");
  status = Designate(commune_.name(), 2024, v1::FOUR_GOOD_KIND_GRASSROOTS_COMMITTEE, &out);
  EXPECT_EQ(Reason(status), "FOUR_GOOD_KIND_MISMATCH");
  EXPECT_EQ(BadField(Designate(village_.name(), 2024, v1::FOUR_GOOD_KIND_UNSPECIFIED, &out)), "designation.kind");
  // Founded in 2020: nothing to designate for 2019.
  status = Designate(village_.name(), 2019, v1::FOUR_GOOD_KIND_CELL, &out);
  EXPECT_NE(status.error_code(), grpc::StatusCode::OK);

  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListFourGoodDesignationsRequest list;
  list.set_parent(commune_.name());
  list.set_include_subtree(true);
  v1::ListFourGoodDesignationsResponse listed;
  ASSERT_TRUE(recognition().ListFourGoodDesignations(&ctx, list, &listed).ok());
  EXPECT_EQ(listed.designations_size(), 3);
  EXPECT_EQ(ChangesOf("four_good_designation", village_.name() + "/fourGoodDesignations/2025").size(), 1u);
}

TEST_F(RecognitionTest, NewModels) {
  v1::NewModel first, repeat, other;
  ASSERT_TRUE(RecordModel(village_.name(), 2025, "Camera an ninh thôn", &first, "model-req-1").ok());
  ASSERT_TRUE(RecordModel(village_.name(), 2025, "Camera an ninh thôn", &repeat, "model-req-1").ok());
  EXPECT_EQ(first.name(), repeat.name());
  ASSERT_TRUE(RecordModel(teachers_.name(), 2024, "Lớp học tình thương", &other).ok());
  EXPECT_EQ(BadField(RecordModel(village_.name(), 2025, "", &other)), "model.title");
  EXPECT_EQ(BadField(RecordModel(village_.name(), 1800, "x", &other)), "model.year");
  EXPECT_EQ(RecordModel("organizations/987654321", 2025, "x", &other).error_code(), grpc::StatusCode::NOT_FOUND);

  auto list = [&](const std::string& parent, bool subtree, int year) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListNewModelsRequest request;
    request.set_parent(parent);
    request.set_include_subtree(subtree);
    request.set_year(year);
    v1::ListNewModelsResponse out;
    EXPECT_TRUE(recognition().ListNewModels(&ctx, request, &out).ok());
    return out.models_size();
  };
  EXPECT_EQ(list(commune_.name(), true, 0), 2);
  EXPECT_EQ(list(commune_.name(), true, 2025), 1);
  EXPECT_EQ(list(commune_.name(), false, 0), 0);
  EXPECT_EQ(list(school_.name(), true, 2024), 1);
  EXPECT_EQ(ChangesOf("new_model", first.name()).size(), 1u);
}

TEST_F(RecognitionTest, RecognitionListsComePageByPage) {
  std::vector<std::string> recorded;
  for (const auto& [parent, year] : std::vector<std::pair<std::string, int>>{
           {village_.name(), 2021}, {village_.name(), 2023}, {teachers_.name(), 2022}, {village_.name(), 2022},
           {teachers_.name(), 2021}}) {
    v1::NewModel model;
    ASSERT_TRUE(RecordModel(parent, year, absl::StrCat("Mô hình ", year), &model).ok());
    recorded.push_back(model.name());
  }
  auto page = [&](const std::string& token, int year, v1::ListNewModelsResponse* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListNewModelsRequest request;
    request.set_parent(commune_.name());
    request.set_include_subtree(true);
    request.set_year(year);
    request.set_page_size(2);
    request.set_page_token(token);
    return recognition().ListNewModels(&ctx, request, out);
  };
  std::vector<std::string> listed;
  std::vector<std::pair<std::string, int>> keys;
  std::string token;
  int pages = 0;
  std::string second_token;
  do {
    v1::ListNewModelsResponse out;
    const grpc::Status status = page(token, 0, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(out.models_size(), 2);
    for (const v1::NewModel& m : out.models()) {
      listed.push_back(m.name());
      keys.emplace_back(m.organization(), m.year());
    }
    token = out.next_page_token();
    if (++pages == 1) second_token = token;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  std::vector<std::string> expected = recorded;
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> got = listed;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected) << "every model exactly once";
  // Organization by organization, year by year within one.
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].first == keys[i - 1].first) {
      EXPECT_LE(keys[i - 1].second, keys[i].second);
    }
  }

  v1::ListNewModelsResponse ignored;
  std::string tampered = second_token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(BadField(page(tampered, 0, &ignored)), "page_token");
  EXPECT_EQ(BadField(page(second_token, 2021, &ignored)), "page_token") << "a token belongs to its query";
}

TEST_F(RecognitionTest, WorkingRegulationVersions) {
  v1::WorkingRegulation v1_, v2_, out;
  ASSERT_TRUE(Adopt(village_.name(), 1, "2021-03-15", &v1_).ok());
  EXPECT_TRUE(v1_.in_force());
  EXPECT_EQ(v1_.name(), village_.name() + "/regulations/1");
  grpc::Status status = Adopt(village_.name(), 2, "2025-09-01", &v2_, "Quy chế làm việc nhiệm kỳ 2025-2030");
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::ListWorkingRegulationsResponse in_2024 = Regulations(village_.name(), "2024-06-01");
  ASSERT_EQ(in_2024.regulations_size(), 1);
  EXPECT_TRUE(in_2024.regulations(0).in_force());
  EXPECT_TRUE(in_2024.regulations(0).superseded_on().empty());

  v1::ListWorkingRegulationsResponse now = Regulations(village_.name(), "");
  ASSERT_EQ(now.regulations_size(), 2);
  EXPECT_FALSE(now.regulations(0).in_force());
  EXPECT_EQ(now.regulations(0).superseded_on(), "2025-09-01");
  EXPECT_TRUE(now.regulations(1).in_force());
  EXPECT_EQ(Regulations(village_.name(), "2025-08-31").regulations(0).in_force(), true);

  status = Adopt(village_.name(), 2, "2026-01-01", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REGULATION_VERSION_NOT_INCREASING");
  status = Adopt(village_.name(), 3, "2025-08-01", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REGULATION_ADOPTED_BEFORE_PREVIOUS");
  EXPECT_EQ(BadField(Adopt(village_.name(), 3, "2099-01-01", &out)), "regulation.adopted_on");
  EXPECT_EQ(BadField(Adopt(village_.name(), 0, "2026-01-01", &out)), "regulation.version");
  EXPECT_EQ(BadField(Adopt(village_.name(), 3, "2026-01-01", &out, "")), "regulation.title");
  // Before the cell existed.
  EXPECT_EQ(Adopt(teachers_.name(), 1, "2019-01-01", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM working_regulations WHERE organization_id = " +
                     std::to_string(IdOf(village_.name()))),
            2);

  std::vector<grassroots::feed::v1::Change> v1_changes = ChangesOf("working_regulation", v1_.name());
  ASSERT_EQ(v1_changes.size(), 2u);
  EXPECT_EQ(v1_changes[0].action(), "adopted");
  EXPECT_EQ(v1_changes[1].action(), "superseded");
  v1::WorkingRegulation superseded;
  ASSERT_TRUE(v1_changes[1].resource().UnpackTo(&superseded));
  EXPECT_EQ(superseded.superseded_on(), "2025-09-01");
}

TEST_F(RecognitionTest, RegulationIdempotencyAndScope) {
  v1::WorkingRegulation first, repeat;
  ASSERT_TRUE(Adopt(school_.name(), 1, "2024-01-05", &first, "Quy chế", "reg-req-1").ok());
  // A retry returns the stored answer instead of failing on the version.
  grpc::Status status = Adopt(school_.name(), 1, "2024-01-05", &repeat, "Quy chế", "reg-req-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(repeat.name(), first.name());
  EXPECT_EQ(ChangesOf("working_regulation", first.name()).size(), 1u);

  // Another commune's administrator may neither adopt nor read here.
  v1::Organization other = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Tam Thanh", "COMMUNE");
  const std::string foreign_admin = AdminToken(IdOf(other.name()));
  EXPECT_EQ(Adopt(school_.name(), 2, "2025-01-05", &repeat, "Quy chế", "", foreign_admin).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx;
  Authorize(ctx, foreign_admin);
  v1::ListWorkingRegulationsRequest request;
  request.set_parent(school_.name());
  v1::ListWorkingRegulationsResponse out;
  EXPECT_EQ(orgs().ListWorkingRegulations(&ctx, request, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // Secretaries do not adopt regulations (the committee's board does).
  EXPECT_EQ(Adopt(school_.name(), 2, "2025-01-05", &repeat, "Quy chế", "", SecretaryToken(IdOf(school_.name())))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RecognitionTest, ListRulesAsOfDates) {
  auto ids = [](const v1::ListRulesResponse& r) {
    std::set<std::string> out;
    for (const auto& rule : r.rules()) out.insert(rule.id());
    return out;
  };
  std::set<std::string> before = ids(Rules("2025-10-27", "meeting."));
  EXPECT_EQ(before.count("meeting.regular.min_duration_minutes"), 0u);
  EXPECT_EQ(before.count("meeting.online.allowed_reasons"), 1u);

  v1::ListRulesResponse after = Rules("2025-10-28", "meeting.regular.min_duration");
  ASSERT_EQ(after.rules_size(), 1);
  EXPECT_EQ(after.rules(0).value_json(), "90");
  EXPECT_EQ(after.rules(0).effective_from(), "2025-10-28");
  EXPECT_TRUE(after.rules(0).effective_to().empty());

  v1::ListRulesResponse bands_2024 = Rules("2024-06-01", "rating.bands");
  ASSERT_EQ(bands_2024.rules_size(), 1);
  EXPECT_EQ(bands_2024.rules(0).effective_to(), "2025-08-29");
  EXPECT_NE(bands_2024.rules(0).citation().find("QĐ 124"), std::string::npos);
  EXPECT_EQ(Rules("2017-06-01", "rating.").rules_size(), 0);

  grpc::Status status;
  Rules("2025-13-01", "", &status);
  EXPECT_EQ(BadField(status), "as_of_date");
}

}  // namespace
}  // namespace grassroots::org::testing::activity
