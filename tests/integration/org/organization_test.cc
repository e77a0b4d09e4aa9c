// OrganizationService CRUD, listing, pagination, reference data, idempotency
// and the change feed, through a real gRPC stub against the real database.
#include <set>


#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

class OrganizationTest : public OrgFixture {
 protected:
  grpc::Status Create(const v1::CreateOrganizationRequest& request, v1::Organization* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    return orgs().CreateOrganization(&ctx, request, out);
  }
  v1::CreateOrganizationRequest Valid() {
    v1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code(UniqueCode("C"));
    request.mutable_organization()->set_display_name("Đảng bộ xã Tiên Châu");
    request.mutable_organization()->set_type("DANG_BO_XA");
    request.mutable_organization()->set_parent(RootName());
    request.mutable_organization()->set_sector("COMMUNE");
    request.mutable_organization()->set_established_on("2025-07-01");
    return request;
  }
  v1::ListOrganizationsResponse List(v1::ListOrganizationsRequest request, grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListOrganizationsResponse response;
    grpc::Status s = orgs().ListOrganizations(&ctx, request, &response);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return response;
  }
};

TEST_F(OrganizationTest, CreateAndGet) {
  v1::CreateOrganizationRequest request = Valid();
  request.mutable_decision()->set_number("125-QĐ/TU");
  request.mutable_decision()->set_signed_on("2025-06-30");
  v1::Organization created;
  ASSERT_TRUE(Create(request, &created).ok());
  EXPECT_EQ(created.code(), request.organization().code());
  EXPECT_EQ(created.display_name(), "Đảng bộ xã Tiên Châu");
  EXPECT_EQ(created.parent(), RootName());
  EXPECT_EQ(created.level(), "COMMUNE");
  EXPECT_EQ(created.state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(created.established_on(), "2025-07-01");
  EXPECT_FALSE(created.etag().empty());

  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::GetOrganizationRequest get;
  get.set_name(created.name());
  v1::Organization fetched;
  ASSERT_TRUE(orgs().GetOrganization(&ctx, get, &fetched).ok());
  EXPECT_EQ(fetched.display_name(), created.display_name());
  EXPECT_EQ(fetched.sector(), "COMMUNE");
  EXPECT_EQ(fetched.etag(), created.etag());

  // Before its founding it did not exist.
  grpc::ClientContext early;
  Authorize(early, AdminToken());
  get.set_as_of_date("2025-06-30");
  EXPECT_EQ(orgs().GetOrganization(&early, get, &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrganizationTest, BadFieldsNameTheField) {
  struct Case {
    std::function<void(v1::CreateOrganizationRequest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.mutable_organization()->set_code(""); }, "organization.code"},
      {[](auto& r) { r.mutable_organization()->set_code("bad code!"); }, "organization.code"},
      {[](auto& r) { r.mutable_organization()->set_display_name("  "); }, "organization.display_name"},
      {[](auto& r) { r.mutable_organization()->set_type(""); }, "organization.type"},
      {[](auto& r) { r.mutable_organization()->set_type("NO_SUCH_TYPE"); }, "organization.type"},
      {[](auto& r) { r.mutable_organization()->set_parent("orgs/1"); }, "organization.parent"},
      {[](auto& r) { r.mutable_organization()->set_sector("NOWHERE"); }, "organization.sector"},
      {[](auto& r) { r.mutable_organization()->set_phone("call me"); }, "organization.phone"},
      {[](auto& r) { r.mutable_organization()->set_established_on("2025-02-30"); }, "organization.established_on"},
      {[](auto& r) { r.set_effective_date("2025-07-02"); }, "effective_date"},
      {[](auto& r) { r.mutable_decision()->set_signed_on("yesterday"); }, "decision.signed_on"},
      {[](auto& r) { r.set_request_id("has spaces"); }, "request_id"},
  };
  for (const Case& c : cases) {
    v1::CreateOrganizationRequest request = Valid();
    c.mutate(request);
    v1::Organization out;
    grpc::Status status = Create(request, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field << ": " << status.error_message();
    EXPECT_EQ(BadField(status), c.field);
  }
}

TEST_F(OrganizationTest, TypeMustFitParent) {
  v1::CreateOrganizationRequest request = Valid();
  request.mutable_organization()->set_type("TO_DANG");
  v1::Organization out;
  grpc::Status status = Create(request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "TYPE_NOT_ALLOWED_UNDER_PARENT");
}

TEST_F(OrganizationTest, DuplicateCodeIsAlreadyExists) {
  v1::CreateOrganizationRequest request = Valid();
  v1::Organization out;
  ASSERT_TRUE(Create(request, &out).ok());
  EXPECT_EQ(Create(request, &out).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // Codes compare byte for byte: a different case is another code.
  std::string lower = request.organization().code();
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  request.mutable_organization()->set_code(lower);
  EXPECT_TRUE(Create(request, &out).ok());
}

TEST_F(OrganizationTest, IdempotentCreateWithRequestId) {
  v1::CreateOrganizationRequest request = Valid();
  request.set_request_id("create-xa-" + request.organization().code());
  v1::Organization first, second;
  ASSERT_TRUE(Create(request, &first).ok());
  ASSERT_TRUE(Create(request, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM organizations WHERE code = '" + request.organization().code() + "'"), 1);
  // The key is the method's short name, as stored before handlers ran in the envelope.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = '" + request.request_id() +
                     "' AND method = 'CreateOrganization'"),
            1);
  // Same id, different request: refused.
  request.mutable_organization()->set_display_name("Khác");
  v1::Organization third;
  grpc::Status status = Create(request, &third);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "request_id");
}

TEST_F(OrganizationTest, GetUnknownIsNotFound) {
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::GetOrganizationRequest get;
  get.set_name("organizations/987654321");
  v1::Organization out;
  EXPECT_EQ(orgs().GetOrganization(&ctx, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext bad;
  Authorize(bad, AdminToken());
  get.set_name("organizations/abc");
  grpc::Status status = orgs().GetOrganization(&bad, get, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "name");
}

TEST_F(OrganizationTest, UpdateAttributesWithEtag) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ phường Một", "WARD");
  v1::UpdateOrganizationRequest request;
  request.mutable_organization()->set_name(xa.name());
  request.mutable_organization()->set_address("Số 1 đường Lê Lợi");
  request.mutable_organization()->set_etag(xa.etag());
  request.mutable_update_mask()->add_paths("address");
  v1::Organization updated;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    ASSERT_TRUE(orgs().UpdateOrganization(&ctx, request, &updated).ok());
  }
  EXPECT_EQ(updated.address(), "Số 1 đường Lê Lợi");
  EXPECT_EQ(updated.sector(), "WARD");
  EXPECT_NE(updated.etag(), xa.etag());
  // The old etag is stale now.
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    EXPECT_EQ(orgs().UpdateOrganization(&ctx, request, &updated).error_code(), grpc::StatusCode::ABORTED);
  }
  // A path outside the allowed set.
  request.mutable_organization()->set_etag("");
  request.mutable_update_mask()->add_paths("display_name");
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    grpc::Status status = orgs().UpdateOrganization(&ctx, request, &updated);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadField(status), "update_mask");
  }
}

TEST_F(OrganizationTest, ListFiltersAndPagination) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Lọc", "COMMUNE");
  v1::Organization dbcs = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ Công ty", "STATE_ENTERPRISE");
  std::vector<std::string> cells;
  for (int i = 0; i < 5; ++i) {
    cells.push_back(CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ " + std::to_string(i), "RESIDENTIAL").name());
  }
  v1::Organization cbcs = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ trường học", "PUBLIC_SERVICE_UNIT");

  v1::ListOrganizationsRequest by_parent;
  by_parent.set_parent(dbcs.name());
  EXPECT_EQ(List(by_parent).organizations_size(), 5);

  v1::ListOrganizationsRequest subtree;
  subtree.set_subtree_root(xa.name());
  EXPECT_EQ(List(subtree).organizations_size(), 7);  // dbcs, 5 cells, cbcs; not xa itself

  v1::ListOrganizationsRequest by_type = subtree;
  by_type.set_type("CHI_BO_CO_SO");
  ASSERT_EQ(List(by_type).organizations_size(), 1);
  EXPECT_EQ(List(by_type).organizations(0).name(), cbcs.name());

  v1::ListOrganizationsRequest by_level = subtree;
  by_level.set_level("GRASSROOTS");
  EXPECT_EQ(List(by_level).organizations_size(), 2);

  v1::ListOrganizationsRequest by_sector = subtree;
  by_sector.set_sector("RESIDENTIAL");
  EXPECT_EQ(List(by_sector).organizations_size(), 5);

  v1::ListOrganizationsRequest before = subtree;
  before.set_as_of_date("2019-12-31");
  EXPECT_EQ(List(before).organizations_size(), 0);

  // Pages of 2 over the 5 cells: 2 + 2 + 1, in id order, no repeats.
  v1::ListOrganizationsRequest paged = by_parent;
  paged.set_page_size(2);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    paged.set_page_token(token);
    v1::ListOrganizationsResponse page = List(paged);
    for (const auto& org : page.organizations()) seen.push_back(org.name());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, cells);

  // A tampered token is refused.
  paged.set_page_token("");
  v1::ListOrganizationsResponse first = List(paged);
  ASSERT_FALSE(first.next_page_token().empty());
  std::string tampered = first.next_page_token();
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  paged.set_page_token(tampered);
  grpc::Status status;
  List(paged, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "page_token");
  // A token from another query is refused too.
  v1::ListOrganizationsRequest other = subtree;
  other.set_page_size(2);
  other.set_page_token(first.next_page_token());
  List(other, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OrganizationTest, SubtreeDepthFirstAndPaged) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Cây");
  v1::Organization a = CreateOrg("DANG_BO_CO_SO", xa.name(), "A");
  v1::Organization a1 = CreateOrg("CHI_BO_TRUC_THUOC", a.name(), "A1");
  v1::Organization b = CreateOrg("CHI_BO_CO_SO", xa.name(), "B");
  v1::Organization a2 = CreateOrg("CHI_BO_TRUC_THUOC", a.name(), "A2");
  v1::Organization b1 = CreateOrg("TO_DANG", b.name(), "B1");
  const std::vector<std::pair<std::string, int>> expected = {
      {xa.name(), 0}, {a.name(), 1}, {a1.name(), 2}, {a2.name(), 2}, {b.name(), 1}, {b1.name(), 2}};

  v1::GetSubtreeRequest request;
  request.set_name(xa.name());
  request.set_page_size(4);
  std::vector<std::pair<std::string, int>> seen;
  std::string token;
  int pages = 0;
  do {
    request.set_page_token(token);
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::GetSubtreeResponse response;
    ASSERT_TRUE(orgs().GetSubtree(&ctx, request, &response).ok());
    for (const auto& node : response.nodes()) seen.emplace_back(node.organization().name(), node.depth());
    token = response.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 5);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, expected);

  request.set_page_token("");
  request.set_page_size(0);
  request.set_max_depth(1);
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::GetSubtreeResponse shallow;
  ASSERT_TRUE(orgs().GetSubtree(&ctx, request, &shallow).ok());
  EXPECT_EQ(shallow.nodes_size(), 3);

  grpc::ClientContext anc_ctx;
  Authorize(anc_ctx, AdminToken());
  v1::ListAncestorsRequest ancestors;
  ancestors.set_name(a1.name());
  v1::ListAncestorsResponse chain;
  ASSERT_TRUE(orgs().ListAncestors(&anc_ctx, ancestors, &chain).ok());
  ASSERT_EQ(chain.ancestors_size(), 3);
  EXPECT_EQ(chain.ancestors(0).name(), RootName());
  EXPECT_EQ(chain.ancestors(1).name(), xa.name());
  EXPECT_EQ(chain.ancestors(2).name(), a.name());
}

TEST_F(OrganizationTest, ReferenceData) {
  grpc::ClientContext ctx;
  Authorize(ctx, PortalToken());
  v1::ListOrganizationTypesResponse types;
  ASSERT_TRUE(orgs().ListOrganizationTypes(&ctx, {}, &types).ok());
  std::set<std::string> codes;
  for (const auto& t : types.types()) codes.insert(t.code());
  for (const char* code : {"DANG_BO_TINH", "DANG_BO_HUYEN", "DANG_BO_XA", "DANG_BO_CO_SO", "CHI_BO_CO_SO",
                           "DANG_BO_BO_PHAN", "CHI_BO_TRUC_THUOC", "TO_DANG", "DANG_BO_QUAN_SU", "DANG_BO_CONG_AN"}) {
    EXPECT_TRUE(codes.count(code)) << code;
  }
  for (const auto& t : types.types()) {
    if (t.code() == "CHI_BO_CO_SO") {
      EXPECT_TRUE(t.is_grassroots());
      EXPECT_TRUE(t.is_cell());
      EXPECT_EQ(t.display_name(), "Chi bộ cơ sở");
    }
  }
  grpc::ClientContext sctx;
  Authorize(sctx, PortalToken());
  v1::ListSectorsResponse sectors;
  ASSERT_TRUE(orgs().ListSectors(&sctx, {}, &sectors).ok());
  std::set<std::string> sector_codes;
  for (const auto& s : sectors.sectors()) sector_codes.insert(s.code());
  for (const char* code : {"COMMUNE", "WARD", "SPECIAL_ZONE", "TOWNSHIP", "AGENCY", "PUBLIC_SERVICE_UNIT",
                           "STATE_ENTERPRISE", "PRIVATE_ENTERPRISE", "FOREIGN_INVESTED_ENTERPRISE", "COOPERATIVE",
                           "NON_PUBLIC_UNIT", "MILITARY", "POLICE", "RESIDENTIAL"}) {
    EXPECT_TRUE(sector_codes.count(code)) << code;
  }
}

TEST_F(OrganizationTest, ChangeFeedCarriesEveryChange) {
  grpc::ClientContext head_ctx;
  Authorize(head_ctx, ServiceToken());
  grassroots::feed::v1::FeedHead head;
  ASSERT_TRUE(feed().GetFeedHead(&head_ctx, {}, &head).ok());

  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Feed");
  v1::RenameOrganizationRequest rename;
  rename.set_name(xa.name());
  rename.set_new_display_name("Đảng bộ xã Feed Mới");
  rename.set_effective_date("2024-01-01");
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::Organization out;
    ASSERT_TRUE(orgs().RenameOrganization(&ctx, rename, &out).ok());
  }
  grpc::ClientContext ctx;
  Authorize(ctx, ServiceToken());
  grassroots::feed::v1::StreamChangesRequest request;
  request.set_after_sequence(head.last_sequence());
  request.add_resource_types("organization");
  auto reader = feed().StreamChanges(&ctx, request);
  std::vector<std::pair<std::string, std::string>> changes;
  grassroots::feed::v1::Change change;
  while (reader->Read(&change)) {
    changes.emplace_back(change.resource_name(), change.action());
    if (change.action() == "renamed") {
      v1::OrganizationChange payload;
      ASSERT_TRUE(change.resource().UnpackTo(&payload));
      EXPECT_EQ(payload.organization().display_name(), "Đảng bộ xã Feed Mới");
      EXPECT_EQ(payload.before().display_name(), "Đảng bộ xã Feed");
      EXPECT_EQ(change.actor(), "test-user");
    }
  }
  ASSERT_TRUE(reader->Finish().ok());
  const std::vector<std::pair<std::string, std::string>> expected = {{xa.name(), "created"}, {xa.name(), "renamed"}};
  EXPECT_EQ(changes, expected);
  EXPECT_GE(QueryInt("SELECT COUNT(*) FROM organization_events WHERE organization_id = " +
                     std::to_string(IdOf(xa.name()))),
            2);
}

}  // namespace
}  // namespace grassroots::org::testing
