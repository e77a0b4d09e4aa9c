// Residential units' dated facts through real gRPC stubs on the real database: the
// covering cell and the heads with history, reads as of a date, head training, the feed
// entries of each change, and naming a member while org has no membership service.
#include "tests/integration/org/activity_test_util.h"

namespace grassroots::org::testing::activity {
namespace {

class UnitHistoryTest : public ActivityTest {
 protected:
  void SetUp() override {
    commune_ = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Tân Hà", "COMMUNE", "2015-01-01");
    cell_a_ = CreateOrg("CHI_BO_TRUC_THUOC", commune_.name(), "Chi bộ thôn 1", "", "2018-01-01");
    cell_b_ = CreateOrg("CHI_BO_TRUC_THUOC", commune_.name(), "Chi bộ thôn 2", "", "2018-01-01");
    v1::ResidentialUnit u;
    u.set_code(UniqueCode("THON"));
    u.set_display_name("Thôn 1");
    u.set_kind(v1::RESIDENTIAL_UNIT_KIND_VILLAGE);
    u.set_commune_organization(commune_.name());
    u.set_covering_cell(cell_a_.name());
    u.set_covering_cell_since("2019-01-01");
    u.mutable_head()->set_display_name("Nguyễn Văn Hùng");
    u.mutable_head()->set_valid_from("2016-01-01");
    u.mutable_front_work_committee_head()->set_display_name("Trần Thị Mai");
    u.mutable_front_work_committee_head()->set_valid_from("2017-01-01");
    u.set_established_on("1995-01-01");
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::CreateResidentialUnitRequest request;
    *request.mutable_unit() = u;
    grpc::Status status = units().CreateResidentialUnit(&ctx, request, &unit_);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static v1::ResidentialUnit GetAsOf(const std::string& name, const std::string& as_of) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::GetResidentialUnitRequest request;
    request.set_name(name);
    request.set_as_of_date(as_of);
    v1::ResidentialUnit out;
    grpc::Status status = units().GetResidentialUnit(&ctx, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static grpc::Status AssignCell(const std::string& unit, const std::string& cell, const std::string& date,
                                 v1::CoveringPeriod* out, const std::string& token = AdminToken()) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::AssignCoveringCellRequest request;
    request.set_unit(unit);
    request.set_cell(cell);
    request.set_effective_date(date);
    request.mutable_decision()->set_issuing_body("Đảng ủy xã Tân Hà");
    request.mutable_decision()->set_number("12-QĐ/ĐU");
    request.mutable_decision()->set_signed_on(date);
    return units().AssignCoveringCell(&ctx, request, out);
  }

  static grpc::Status EndCell(const std::string& unit, const std::string& date, v1::CoveringPeriod* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::EndCoveringCellRequest request;
    request.set_unit(unit);
    request.set_effective_date(date);
    return units().EndCoveringCell(&ctx, request, out);
  }

  static grpc::Status AssignHead(const std::string& unit, v1::UnitHeadPost post, const std::string& display_name,
                                 const std::string& from, v1::UnitHead* out, const std::string& member = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::AssignUnitHeadRequest request;
    request.set_unit(unit);
    request.mutable_head()->set_post(post);
    request.mutable_head()->set_display_name(display_name);
    request.mutable_head()->set_valid_from(from);
    if (!member.empty()) {
      request.mutable_head()->set_is_party_member(true);
      request.mutable_head()->set_member(member);
    }
    return units().AssignUnitHead(&ctx, request, out);
  }

  static std::vector<v1::UnitHead> Heads(const std::string& unit, v1::UnitHeadPost post, const std::string& as_of = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListUnitHeadsRequest request;
    request.set_unit(unit);
    request.set_post(post);
    request.set_as_of_date(as_of);
    v1::ListUnitHeadsResponse response;
    grpc::Status status = units().ListUnitHeads(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.heads().begin(), response.heads().end()};
  }

  static std::vector<std::string> UnitsOn(const std::string& as_of, const std::string& covering_cell,
                                          bool uncovered_only, const std::string& subtree) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListResidentialUnitsRequest request;
    request.set_as_of_date(as_of);
    request.set_covering_cell(covering_cell);
    request.set_uncovered_only(uncovered_only);
    request.set_subtree_root(subtree);
    v1::ListResidentialUnitsResponse response;
    grpc::Status status = units().ListResidentialUnits(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const auto& u : response.units()) names.push_back(u.name());
    return names;
  }

  v1::Organization commune_, cell_a_, cell_b_;
  v1::ResidentialUnit unit_;
};

TEST_F(UnitHistoryTest, CoveringCellHasHistoryAndReadsAsOfADate) {
  EXPECT_EQ(unit_.covering_cell(), cell_a_.name());
  EXPECT_EQ(unit_.covering_cell_since(), "2019-01-01");

  v1::CoveringPeriod assigned;
  grpc::Status status = AssignCell(unit_.name(), cell_b_.name(), "2023-03-01", &assigned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(assigned.cell(), cell_b_.name());
  EXPECT_EQ(assigned.valid_from(), "2023-03-01");
  EXPECT_TRUE(assigned.valid_to().empty());
  EXPECT_EQ(assigned.decision().number(), "12-QĐ/ĐU");

  EXPECT_TRUE(GetAsOf(unit_.name(), "2018-12-31").covering_cell().empty());
  EXPECT_EQ(GetAsOf(unit_.name(), "2023-02-28").covering_cell(), cell_a_.name());
  EXPECT_EQ(GetAsOf(unit_.name(), "2023-03-01").covering_cell(), cell_b_.name());

  // History is appended, not rewritten in the middle; the same cell is not assigned twice.
  v1::CoveringPeriod refused;
  status = AssignCell(unit_.name(), cell_a_.name(), "2022-01-01", &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DATED_CHANGE_BEFORE_LATER_CHANGE");
  status = AssignCell(unit_.name(), cell_b_.name(), "2024-01-01", &refused);
  EXPECT_EQ(Reason(status), "ALREADY_COVERING");
  // A commune is not a cell; the effective date is required.
  status = AssignCell(unit_.name(), commune_.name(), "2024-01-01", &refused);
  EXPECT_EQ(BadField(status), "cell");
  EXPECT_EQ(BadField(AssignCell(unit_.name(), cell_a_.name(), "", &refused)), "effective_date");
  // Secretaries do not assign covering cells.
  EXPECT_EQ(AssignCell(unit_.name(), cell_a_.name(), "2024-01-01", &refused, SecretaryToken(IdOf(cell_b_.name())))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::CoveringPeriod ended;
  ASSERT_TRUE(EndCell(unit_.name(), "2024-06-01", &ended).ok());
  EXPECT_EQ(ended.valid_to(), "2024-06-01");
  EXPECT_EQ(Reason(EndCell(unit_.name(), "2024-07-01", &ended)), "NO_CURRENT_PERIOD");
  EXPECT_TRUE(GetAsOf(unit_.name(), "2024-06-01").covering_cell().empty());

  // Lists filter by the covering on the date asked.
  EXPECT_EQ(UnitsOn("2023-05-01", cell_b_.name(), false, ""), std::vector<std::string>{unit_.name()});
  EXPECT_TRUE(UnitsOn("2024-07-01", cell_b_.name(), false, "").empty());
  EXPECT_EQ(UnitsOn("2024-07-01", "", true, commune_.name()), std::vector<std::string>{unit_.name()});
  EXPECT_TRUE(UnitsOn("2020-07-01", "", true, commune_.name()).empty());

  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListCoveringPeriodsRequest list;
  list.set_unit(unit_.name());
  v1::ListCoveringPeriodsResponse periods;
  ASSERT_TRUE(units().ListCoveringPeriods(&ctx, list, &periods).ok());
  ASSERT_EQ(periods.periods_size(), 2);
  EXPECT_EQ(periods.periods(0).cell(), cell_a_.name());
  EXPECT_EQ(periods.periods(0).valid_from(), "2019-01-01");
  EXPECT_EQ(periods.periods(0).valid_to(), "2023-03-01");
  EXPECT_EQ(periods.periods(0).end_decision().number(), "12-QĐ/ĐU");
  EXPECT_EQ(periods.periods(1).valid_to(), "2024-06-01");

  // Each period on the feed, in the order written: created, then replaced, then ended.
  std::vector<grassroots::feed::v1::Change> first = ChangesOf("residential_unit_covering", periods.periods(0).name());
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].action(), "assigned");
  EXPECT_EQ(first[1].action(), "ended");
  v1::CoveringPeriod payload;
  ASSERT_TRUE(first[1].resource().UnpackTo(&payload));
  EXPECT_EQ(payload.valid_to(), "2023-03-01");
  EXPECT_EQ(payload.cell(), cell_a_.name());
  std::vector<grassroots::feed::v1::Change> second = ChangesOf("residential_unit_covering", periods.periods(1).name());
  ASSERT_EQ(second.size(), 2u);
  ASSERT_TRUE(second[1].resource().UnpackTo(&payload));
  EXPECT_EQ(payload.valid_to(), "2024-06-01");
}

TEST_F(UnitHistoryTest, HeadsHaveHistoryAndTrainingForTheirPost) {
  const std::string original = unit_.head().name();
  ASSERT_FALSE(original.empty());
  EXPECT_EQ(unit_.head().valid_from(), "2016-01-01");

  v1::UnitHead next;
  grpc::Status status = AssignHead(unit_.name(), v1::UNIT_HEAD_POST_VILLAGE_HEAD, "Phạm Văn Bình", "2021-05-01", &next);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(next.post(), v1::UNIT_HEAD_POST_VILLAGE_HEAD);
  EXPECT_FALSE(next.is_party_member());

  EXPECT_EQ(GetAsOf(unit_.name(), "2021-04-30").head().name(), original);
  EXPECT_EQ(GetAsOf(unit_.name(), "2021-05-01").head().display_name(), "Phạm Văn Bình");
  EXPECT_FALSE(GetAsOf(unit_.name(), "2015-12-31").has_head());
  std::vector<v1::UnitHead> history = Heads(unit_.name(), v1::UNIT_HEAD_POST_VILLAGE_HEAD);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].valid_to(), "2021-05-01");
  EXPECT_EQ(Heads(unit_.name(), v1::UNIT_HEAD_POST_UNSPECIFIED, "2021-06-01").size(), 2u);  // with the front head

  // A village has no residential group head; the post is required.
  v1::UnitHead refused;
  EXPECT_EQ(BadField(AssignHead(unit_.name(), v1::UNIT_HEAD_POST_RESIDENTIAL_GROUP_HEAD, "Lê Văn Tám", "2022-01-01",
                                &refused)),
            "head.post");
  EXPECT_EQ(BadField(AssignHead(unit_.name(), v1::UNIT_HEAD_POST_UNSPECIFIED, "Lê Văn Tám", "2022-01-01", &refused)),
            "head.post");
  status = AssignHead(unit_.name(), v1::UNIT_HEAD_POST_VILLAGE_HEAD, "Lê Văn Tám", "2020-01-01", &refused);
  EXPECT_EQ(Reason(status), "DATED_CHANGE_BEFORE_LATER_CHANGE");

  // The front work committee head leaves; nobody holds the post from then.
  grpc::ClientContext end_ctx;
  Authorize(end_ctx, AdminToken());
  v1::EndUnitHeadRequest end;
  end.set_name(unit_.front_work_committee_head().name());
  end.set_effective_date("2022-01-01");
  v1::UnitHead ended;
  ASSERT_TRUE(units().EndUnitHead(&end_ctx, end, &ended).ok());
  EXPECT_EQ(ended.valid_to(), "2022-01-01");
  EXPECT_FALSE(GetAsOf(unit_.name(), "2022-01-01").has_front_work_committee_head());
  EXPECT_TRUE(GetAsOf(unit_.name(), "2021-12-31").has_front_work_committee_head());

  // Training for the post, on the head record (the head need not be a member).
  auto record = [&](const std::string& parent, v1::UnitHeadPost post, const std::string& term_end,
                    v1::HeadTraining* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::RecordHeadTrainingRequest request;
    request.set_parent(parent);
    request.mutable_training()->set_post(post);
    request.mutable_training()->set_course("Bồi dưỡng trưởng thôn nhiệm kỳ 2021-2026");
    request.mutable_training()->set_start_date("2021-06-01");
    request.mutable_training()->set_end_date("2021-06-05");
    request.mutable_training()->set_term_starts_on("2021-05-01");
    request.mutable_training()->set_term_ends_on(term_end);
    return units().RecordHeadTraining(&ctx, request, out);
  };
  v1::HeadTraining training;
  status = record(next.name(), v1::UNIT_HEAD_POST_UNSPECIFIED, "2026-05-01", &training);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(training.post(), v1::UNIT_HEAD_POST_VILLAGE_HEAD);
  EXPECT_EQ(training.head(), next.name());
  EXPECT_EQ(BadField(record(next.name(), v1::UNIT_HEAD_POST_FRONT_WORK_COMMITTEE_HEAD, "2026-05-01", &training)),
            "training.post");
  EXPECT_EQ(BadField(record(next.name(), v1::UNIT_HEAD_POST_VILLAGE_HEAD, "2021-04-01", &training)),
            "training.term_ends_on");
  EXPECT_EQ(record(unit_.name() + "/heads/987654321", v1::UNIT_HEAD_POST_VILLAGE_HEAD, "", &training).error_code(),
            grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext list_ctx;
  Authorize(list_ctx, AdminToken());
  v1::ListHeadTrainingsRequest list;
  list.set_parent(next.name());
  v1::ListHeadTrainingsResponse trainings;
  ASSERT_TRUE(units().ListHeadTrainings(&list_ctx, list, &trainings).ok());
  ASSERT_EQ(trainings.trainings_size(), 1);
  EXPECT_EQ(trainings.trainings(0).term_ends_on(), "2026-05-01");

  // On the feed: each head period and the training; heads' names never are.
  std::vector<grassroots::feed::v1::Change> changes = ChangesOf("residential_unit_head", original);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].action(), "ended");
  v1::UnitHead head_payload;
  ASSERT_TRUE(changes[1].resource().UnpackTo(&head_payload));
  EXPECT_EQ(head_payload.valid_to(), "2021-05-01");
  EXPECT_TRUE(head_payload.display_name().empty());
  ASSERT_EQ(ChangesOf("residential_unit_head_training", trainings.trainings(0).name()).size(), 1u);
  for (const auto& change : ChangesOf("residential_unit", unit_.name())) {
    v1::ResidentialUnit unit_payload;
    ASSERT_TRUE(change.resource().UnpackTo(&unit_payload));
    EXPECT_TRUE(unit_payload.head().display_name().empty());
    EXPECT_TRUE(unit_payload.front_work_committee_head().display_name().empty());
  }
}

TEST_F(UnitHistoryTest, NamingAMemberNeedsTheMembershipService) {
  const int64_t feed_before = QueryInt("SELECT COUNT(*) FROM change_feed");
  v1::UnitHead refused;
  grpc::Status status =
      AssignHead(unit_.name(), v1::UNIT_HEAD_POST_VILLAGE_HEAD, "Võ Thị Sáu", "2024-01-01", &refused, "members/41");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MEMBERSHIP_NOT_CONFIGURED");
  EXPECT_NE(status.error_message().find("GRASSROOTS_MEMBERSHIP_TARGET"), std::string::npos);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM change_feed"), feed_before);
  EXPECT_EQ(Heads(unit_.name(), v1::UNIT_HEAD_POST_VILLAGE_HEAD).size(), 1u);
}

}  // namespace
}  // namespace grassroots::org::testing::activity
