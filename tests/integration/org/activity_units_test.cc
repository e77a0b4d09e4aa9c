// ResidentialUnitService through a real gRPC stub on the real database.
#include <set>

#include "tests/integration/org/activity_test_util.h"

namespace grassroots::org::testing::activity {
namespace {

class UnitsTest : public ActivityTest {
 protected:
  void SetUp() override {
    commune_ = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Đại Lào", "COMMUNE");
    cell_ = CreateOrg("CHI_BO_TRUC_THUOC", commune_.name(), "Chi bộ thôn 3");
  }

  v1::ResidentialUnit Valid() {
    v1::ResidentialUnit u;
    u.set_code(UniqueCode("THON"));
    u.set_display_name("Thôn 3");
    u.set_kind(v1::RESIDENTIAL_UNIT_KIND_VILLAGE);
    u.set_commune_organization(commune_.name());
    u.set_covering_cell(cell_.name());
    u.mutable_head()->set_display_name("Nguyễn Văn Hùng");
    u.mutable_front_work_committee_head()->set_display_name("Trần Thị Mai");
    u.set_established_on("1995-01-01");
    u.set_households(312);
    return u;
  }

  static grpc::Status Create(const std::string& token, const v1::ResidentialUnit& unit, v1::ResidentialUnit* out,
                             const std::string& request_id = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::CreateResidentialUnitRequest request;
    *request.mutable_unit() = unit;
    request.set_request_id(request_id);
    return units().CreateResidentialUnit(&ctx, request, out);
  }

  static grpc::Status Get(const std::string& token, const std::string& name, v1::ResidentialUnit* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::GetResidentialUnitRequest request;
    request.set_name(name);
    return units().GetResidentialUnit(&ctx, request, out);
  }

  static grpc::Status Update(const v1::ResidentialUnit& unit, std::initializer_list<const char*> paths,
                             v1::ResidentialUnit* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::UpdateResidentialUnitRequest request;
    *request.mutable_unit() = unit;
    for (const char* p : paths) request.mutable_update_mask()->add_paths(p);
    return units().UpdateResidentialUnit(&ctx, request, out);
  }

  static std::vector<std::string> ListNames(v1::ListResidentialUnitsRequest request,
                                            const std::string& token = AdminToken()) {
    std::vector<std::string> names;
    for (int guard = 0; guard < 20; ++guard) {
      grpc::ClientContext ctx;
      Authorize(ctx, token);
      v1::ListResidentialUnitsResponse response;
      grpc::Status status = units().ListResidentialUnits(&ctx, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& u : response.units()) names.push_back(u.name());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return names;
  }

  v1::Organization commune_;
  v1::Organization cell_;
};

TEST_F(UnitsTest, CreateGetUpdateAndFeed) {
  v1::ResidentialUnit created;
  grpc::Status status = Create(AdminToken(), Valid(), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(created.name().rfind("residentialUnits/", 0) == 0);
  EXPECT_EQ(created.display_name(), "Thôn 3");
  EXPECT_EQ(created.covering_cell(), cell_.name());
  EXPECT_FALSE(created.head().is_party_member());
  EXPECT_EQ(created.head().post(), v1::UNIT_HEAD_POST_VILLAGE_HEAD);
  EXPECT_EQ(created.head().valid_from(), "1995-01-01");  // no date: since the unit's founding
  EXPECT_EQ(created.covering_cell_since(), "2020-01-01");  // no date: since the cell's founding
  EXPECT_EQ(created.front_work_committee_head().display_name(), "Trần Thị Mai");
  EXPECT_EQ(created.households(), 312);

  // The covering cell's secretary may read it; another cell's may not.
  v1::ResidentialUnit got;
  ASSERT_TRUE(Get(SecretaryToken(IdOf(cell_.name())), created.name(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  v1::Organization other_commune = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Hàm Thuận", "COMMUNE");
  v1::Organization other_cell = CreateOrg("CHI_BO_TRUC_THUOC", other_commune.name(), "Chi bộ thôn 9");
  EXPECT_EQ(Get(SecretaryToken(IdOf(other_cell.name())), created.name(), &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(AdminToken(), "residentialUnits/987654321", &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(BadField(Get(AdminToken(), "units/1", &got)), "name");

  // Uncover it and record a new head.
  v1::ResidentialUnit patch;
  patch.set_name(created.name());
  patch.set_etag(created.etag());
  patch.mutable_head()->set_display_name("Lê Văn Tám");
  v1::ResidentialUnit updated;
  status = Update(patch, {"covering_cell", "head"}, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(updated.covering_cell().empty());
  EXPECT_EQ(updated.head().display_name(), "Lê Văn Tám");
  EXPECT_FALSE(updated.head().is_party_member());
  EXPECT_EQ(updated.households(), 312);

  // The old etag no longer matches.
  status = Update(patch, {"households"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);

  patch.set_etag("");
  patch.set_households(-1);
  EXPECT_EQ(BadField(Update(patch, {"households"}, &updated)), "unit.households");
  EXPECT_EQ(BadField(Update(patch, {"code"}, &updated)), "update_mask");

  std::vector<grassroots::feed::v1::Change> changes = ChangesOf("residential_unit", created.name());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].action(), "created");
  EXPECT_EQ(changes[1].action(), "updated");
}

TEST_F(UnitsTest, ErrorPaths) {
  v1::ResidentialUnit out;
  struct Case {
    const char* field;
    std::function<void(v1::ResidentialUnit&)> spoil;
  };
  const std::vector<Case> cases = {
      {"unit.code", [](v1::ResidentialUnit& u) { u.set_code("thôn 3"); }},
      {"unit.display_name", [](v1::ResidentialUnit& u) { u.set_display_name("  "); }},
      {"unit.kind", [](v1::ResidentialUnit& u) { u.set_kind(v1::RESIDENTIAL_UNIT_KIND_UNSPECIFIED); }},
      {"unit.commune_organization", [](v1::ResidentialUnit& u) { u.clear_commune_organization(); }},
      {"unit.covering_cell", [](v1::ResidentialUnit& u) { u.set_covering_cell("cells/4"); }},
      {"unit.head.member",
       [](v1::ResidentialUnit& u) {
         u.mutable_head()->set_is_party_member(false);
         u.mutable_head()->set_member("members/41");
       }},
      // A party member is named by a member id, which membership confirms.
      {"unit.head.member", [](v1::ResidentialUnit& u) { u.mutable_head()->set_is_party_member(true); }},
      {"unit.covering_cell_since", [](v1::ResidentialUnit& u) { u.set_covering_cell_since("2020-13-01"); }},
      {"unit.established_on", [](v1::ResidentialUnit& u) { u.set_established_on("1995-02-30"); }},
      {"unit.ended_on", [](v1::ResidentialUnit& u) { u.set_ended_on("1990-01-01"); }},
      {"unit.households", [](v1::ResidentialUnit& u) { u.set_households(-3); }},
  };
  for (const Case& c : cases) {
    v1::ResidentialUnit u = Valid();
    c.spoil(u);
    grpc::Status status = Create(AdminToken(), u, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(BadField(status), c.field) << status.error_message();
  }

  // The commune must exist.
  v1::ResidentialUnit u = Valid();
  u.set_commune_organization("organizations/987654321");
  EXPECT_EQ(Create(AdminToken(), u, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  // The covering organization must be a cell.
  u = Valid();
  u.set_covering_cell(commune_.name());
  grpc::Status status = Create(AdminToken(), u, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "unit.covering_cell");

  // ... and not ended: the covering it starts is open.
  v1::Organization dissolved = CreateOrg("CHI_BO_TRUC_THUOC", commune_.name(), "Chi bộ đã giải thể");
  Dissolve(dissolved.name(), "2026-01-01");
  u = Valid();
  u.set_covering_cell(dissolved.name());
  status = Create(AdminToken(), u, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "COVERING_CELL_NOT_ACTIVE");

  // Codes are unique.
  u = Valid();
  ASSERT_TRUE(Create(AdminToken(), u, &out).ok());
  status = Create(AdminToken(), u, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Secretaries do not create units; admins of another commune cannot either.
  u = Valid();
  EXPECT_EQ(Create(SecretaryToken(IdOf(cell_.name())), u, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::Organization other_commune = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Bắc Ruộng", "COMMUNE");
  EXPECT_EQ(Create(AdminToken(IdOf(other_commune.name())), u, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM residential_units WHERE commune_organization_id = " +
                     std::to_string(IdOf(commune_.name()))),
            1);
}

TEST_F(UnitsTest, IdempotentCreate) {
  v1::ResidentialUnit u = Valid();
  v1::ResidentialUnit first, second;
  ASSERT_TRUE(Create(AdminToken(), u, &first, "unit-req-1").ok());
  ASSERT_TRUE(Create(AdminToken(), u, &second, "unit-req-1").ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(ChangesOf("residential_unit", first.name()).size(), 1u);
  // The key is the method's full name, as stored before handlers ran in the envelope.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = 'unit-req-1' AND method = "
                     "'/grassroots.org.v1.ResidentialUnitService/CreateResidentialUnit'"),
            1);
}

TEST_F(UnitsTest, ListFiltersAndPages) {
  v1::ResidentialUnit a, b, c, ended;
  v1::ResidentialUnit u = Valid();
  ASSERT_TRUE(Create(AdminToken(), u, &a).ok());
  u = Valid();
  u.clear_covering_cell();
  u.set_kind(v1::RESIDENTIAL_UNIT_KIND_RESIDENTIAL_GROUP);
  ASSERT_TRUE(Create(AdminToken(), u, &b).ok());
  u = Valid();
  ASSERT_TRUE(Create(AdminToken(), u, &c).ok());
  u = Valid();
  u.set_ended_on("2025-07-01");  // merged away in the 2025 reorganization
  ASSERT_TRUE(Create(AdminToken(), u, &ended).ok());

  v1::ListResidentialUnitsRequest request;
  request.set_subtree_root(commune_.name());
  request.set_page_size(2);
  EXPECT_EQ(ListNames(request), (std::vector<std::string>{a.name(), b.name(), c.name()}));

  request.set_as_of_date("2025-06-30");
  EXPECT_EQ(ListNames(request), (std::vector<std::string>{a.name(), b.name(), c.name(), ended.name()}));
  request.clear_as_of_date();

  request.set_uncovered_only(true);
  EXPECT_EQ(ListNames(request), (std::vector<std::string>{b.name()}));

  // A cell's secretary lists the units their cell covers.
  v1::ListResidentialUnitsRequest covered;
  covered.set_covering_cell(cell_.name());
  EXPECT_EQ(ListNames(covered, SecretaryToken(IdOf(cell_.name()))),
            (std::vector<std::string>{a.name(), c.name()}));

  v1::ListResidentialUnitsRequest bad;
  bad.set_covering_cell(cell_.name());
  bad.set_uncovered_only(true);
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListResidentialUnitsResponse response;
  EXPECT_EQ(BadField(units().ListResidentialUnits(&ctx, bad, &response)), "uncovered_only");

  // Out of scope.
  v1::Organization other_commune = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Sông Phan", "COMMUNE");
  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken(IdOf(other_commune.name())));
  v1::ListResidentialUnitsRequest foreign;
  foreign.set_subtree_root(commune_.name());
  EXPECT_EQ(units().ListResidentialUnits(&ctx2, foreign, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace grassroots::org::testing::activity
