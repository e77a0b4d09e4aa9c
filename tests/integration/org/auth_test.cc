// Authentication, method policy and object scope of the org services, and
// UNAVAILABLE when the database is unreachable.
#include <google/protobuf/descriptor.h>

#include "common/auth/auth.h"
#include "common/server/service_host.h"
#include "services/org/handlers/policy.h"
#include "services/org/org_services.h"
#include "tests/integration/org/org_fixture.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_tokens.h"

namespace grassroots::org::testing {
namespace {

class AuthTest : public OrgFixture {
 protected:
  grpc::StatusCode GetAs(const std::string& token, const std::string& name) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::GetOrganizationRequest request;
    request.set_name(name);
    v1::Organization out;
    return orgs().GetOrganization(&ctx, request, &out).error_code();
  }
};

TEST_F(AuthTest, BadTokensAreUnauthenticated) {
  EXPECT_EQ(GetAs("", RootName()), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetAs(ExpiredToken(), RootName()), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetAs(ForgedToken(), RootName()), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetAs("Bearer not.a.jwt", RootName()), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetAs(AdminToken(), RootName()), grpc::StatusCode::OK);
}

TEST_F(AuthTest, SecretaryStaysInsideItsSubtree) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã phạm vi");
  v1::Organization cell_x = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ X");
  v1::Organization group = CreateOrg("TO_DANG", cell_x.name(), "Tổ đảng của X");
  v1::Organization cell_y = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ Y");
  const std::string secretary = SecretaryToken(IdOf(cell_x.name()));
  EXPECT_EQ(GetAs(secretary, cell_x.name()), grpc::StatusCode::OK);
  EXPECT_EQ(GetAs(secretary, group.name()), grpc::StatusCode::OK);
  EXPECT_EQ(GetAs(secretary, cell_y.name()), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetAs(secretary, xa.name()), grpc::StatusCode::NOT_FOUND);
  // Listing without filters shows only the caller's subtree.
  grpc::ClientContext ctx;
  Authorize(ctx, secretary);
  v1::ListOrganizationsResponse listed;
  ASSERT_TRUE(orgs().ListOrganizations(&ctx, {}, &listed).ok());
  ASSERT_EQ(listed.organizations_size(), 2);
  EXPECT_EQ(listed.organizations(0).name(), cell_x.name());
  EXPECT_EQ(listed.organizations(1).name(), group.name());
  grpc::ClientContext ctx2;
  Authorize(ctx2, secretary);
  v1::ListOrganizationsRequest outside;
  outside.set_parent(xa.name());
  EXPECT_EQ(orgs().ListOrganizations(&ctx2, outside, &listed).error_code(), grpc::StatusCode::NOT_FOUND);
  // Secretaries do not restructure.
  grpc::ClientContext ctx3;
  Authorize(ctx3, secretary);
  v1::RenameOrganizationRequest rename;
  rename.set_name(cell_x.name());
  rename.set_new_display_name("Tên mới");
  v1::Organization out;
  EXPECT_EQ(orgs().RenameOrganization(&ctx3, rename, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // An admin scoped to the commune cannot act outside it.
  v1::Organization other = CreateOrg("DANG_BO_XA", RootName(), "Xã khác");
  grpc::ClientContext ctx4;
  Authorize(ctx4, AdminToken(IdOf(xa.name())));
  v1::MoveOrganizationRequest move;
  move.set_name(cell_y.name());
  move.set_new_parent(other.name());
  EXPECT_EQ(orgs().MoveOrganization(&ctx4, move, &out).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AuthTest, PortalReadsAggregatesButNeverWrites) {
  EXPECT_EQ(GetAs(PortalToken(), RootName()), grpc::StatusCode::OK);
  grpc::ClientContext ctx;
  Authorize(ctx, PortalToken());
  v1::CreateOrganizationRequest create;
  create.mutable_organization()->set_code(UniqueCode("PORTAL"));
  create.mutable_organization()->set_display_name("x");
  create.mutable_organization()->set_type("DANG_BO_XA");
  create.mutable_organization()->set_parent(RootName());
  v1::Organization out;
  EXPECT_EQ(orgs().CreateOrganization(&ctx, create, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx2;
  Authorize(ctx2, PortalToken());
  v1::GetSubtreeRequest subtree;
  subtree.set_name(RootName());
  v1::GetSubtreeResponse nodes;
  EXPECT_EQ(orgs().GetSubtree(&ctx2, subtree, &nodes).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx3;
  Authorize(ctx3, PortalToken());
  v1::CreateCommitteeTermRequest term;
  term.set_parent(RootName());
  v1::CommitteeTerm created;
  EXPECT_EQ(committees().CreateCommitteeTerm(&ctx3, term, &created).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthTest, OnlyRootAdminsCreateRoots) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã không tạo gốc");
  v1::CreateOrganizationRequest create;
  create.mutable_organization()->set_code(UniqueCode("ROOT2"));
  create.mutable_organization()->set_display_name("Đảng bộ tỉnh mới");
  create.mutable_organization()->set_type("DANG_BO_TINH");
  v1::Organization out;
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken(IdOf(xa.name())));
  EXPECT_EQ(orgs().CreateOrganization(&ctx, create, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken());
  EXPECT_TRUE(orgs().CreateOrganization(&ctx2, create, &out).ok());
}

TEST_F(AuthTest, PolicyCoversEveryMethodOfEveryOrgService) {
  const common::auth::MethodPolicy policy = MakeOrgMethodPolicy();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* service : {"grassroots.org.v1.OrganizationService", "grassroots.org.v1.CommitteeService",
                              "grassroots.org.v1.ResidentialUnitService", "grassroots.org.v1.MeetingService",
                              "grassroots.org.v1.RecognitionService", "grassroots.feed.v1.ChangeFeedService"}) {
    const google::protobuf::ServiceDescriptor* descriptor = pool->FindServiceByName(service);
    ASSERT_NE(descriptor, nullptr) << service;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string full = "/" + std::string(service) + "/" + descriptor->method(i)->name();
      EXPECT_TRUE(policy.Covers(full)) << full;
      ++methods;
    }
  }
  EXPECT_GT(methods, 40);
  // Nothing in the policy that the services do not have (a typo would deny silently).
  for (const std::string& method : policy.Methods()) {
    const std::string service = method.substr(1, method.rfind('/') - 1);
    const auto* descriptor = pool->FindServiceByName(service);
    ASSERT_NE(descriptor, nullptr) << method;
    EXPECT_NE(descriptor->FindMethodByName(method.substr(method.rfind('/') + 1)), nullptr) << method;
  }
}

// A second service instance whose database sits behind a TCP proxy: stopping
// the proxy makes the database vanish for it alone.
TEST_F(AuthTest, DatabaseDownIsUnavailable) {
  grassroots::testing::TcpProxy proxy(db_config().host, db_config().port);
  ASSERT_TRUE(proxy.Start().ok());
  common::DbConfig config = db_config();
  config.host = "127.0.0.1";
  config.port = proxy.port();
  config.pool_size = 2;
  config.acquire_timeout = std::chrono::milliseconds(1000);
  config.connect_timeout_seconds = 1;
  config.read_timeout_seconds = 2;
  auto down_pool = common::db::ConnectionPool::Create(config, nullptr);
  ASSERT_TRUE(down_pool.ok()) << down_pool.status();
  OrgServices services({.pool = **down_pool,
                        .rules = rules(),
                        .verifier = grassroots::testing::TestVerifier(),
                        .page_token_secret = "down-test"});
  common::ServerConfig server;
  server.grpc_address = "127.0.0.1:0";
  server.metrics_address = "";
  server.drain_delay = std::chrono::milliseconds(0);
  server.authenticate = common::auth::BearerGate(grassroots::testing::TestVerifier());
  common::ServiceHost host("org-down", server, std::make_shared<prometheus::Registry>());
  services.RegisterServices(host);
  ASSERT_TRUE(host.Start().ok());
  auto stub = v1::OrganizationService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(host.port()), grpc::InsecureChannelCredentials()));
  auto get = [&] {
    grpc::ClientContext context;
    Authorize(context, AdminToken());
    v1::GetOrganizationRequest request;
    request.set_name(RootName());
    v1::Organization out;
    return stub->GetOrganization(&context, request, &out).error_code();
  };
  EXPECT_EQ(get(), grpc::StatusCode::OK);
  proxy.Stop();
  EXPECT_EQ(get(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(proxy.Start().ok());
  // Recovers by itself once the database answers again.
  grpc::StatusCode again = get();
  for (int i = 0; i < 20 && again != grpc::StatusCode::OK; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    again = get();
  }
  EXPECT_EQ(again, grpc::StatusCode::OK);
  host.Stop();
}

}  // namespace
}  // namespace grassroots::org::testing
