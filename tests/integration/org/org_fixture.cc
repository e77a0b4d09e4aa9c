#include "tests/integration/org/org_fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth.h"
#include "common/server/service_host.h"
#include "services/org/org_services.h"
#include "tests/support/loopback.h"
#include "tests/support/test_db.h"
#include "tests/support/test_tokens.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
}

namespace grassroots::org::testing {
namespace {

using common::auth::Role;

// Everything the in-process service needs, alive for one test suite.
struct Suite {
  std::unique_ptr<grassroots::testing::TestDatabase> db;
  std::unique_ptr<common::RulesRegistry> rules;
  std::unique_ptr<OrgServices> services;
  std::unique_ptr<common::ServiceHost> host;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::OrganizationService::Stub> orgs;
  std::unique_ptr<v1::CommitteeService::Stub> committees;
  std::unique_ptr<v1::ResidentialUnitService::Stub> units;
  std::unique_ptr<v1::MeetingService::Stub> meetings;
  std::unique_ptr<v1::RecognitionService::Stub> recognition;
  std::unique_ptr<grassroots::feed::v1::ChangeFeedService::Stub> feed;
  int64_t root_id = 0;
};

Suite* suite = nullptr;

Suite& S() {
  if (suite == nullptr) {
    ADD_FAILURE() << "OrgFixture used outside a running suite";
    std::abort();
  }
  return *suite;
}

std::string Mint(std::initializer_list<Role> roles, int64_t scope, std::optional<int64_t> member = std::nullopt) {
  return grassroots::testing::MintToken(std::vector<Role>(roles), scope, member, absl::Hours(1));
}

}  // namespace

void OrgFixture::SetUpTestSuite() {
  suite = new Suite();
  Suite& s = *suite;
  auto db = grassroots::testing::TestDatabase::Create(
      "org", {&common::db::CommonMigrations(), &migrations::OrgMigrations()}, 16);
  ASSERT_TRUE(db.ok()) << db.status();
  s.db = std::move(*db);
  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  ASSERT_TRUE(rules.ok()) << rules.status();
  s.rules = std::make_unique<common::RulesRegistry>(std::move(*rules));
  s.services = std::make_unique<OrgServices>(OrgDependencies{.pool = s.db->pool(),
                                                              .rules = *s.rules,
                                                              .verifier = grassroots::testing::TestVerifier(),
                                                              .page_token_secret = "org-fixture-page-token-secret"});

  s.host = std::make_unique<common::ServiceHost>("org-test", grassroots::testing::LoopbackServerConfig(),
                                                 std::make_shared<prometheus::Registry>());
  s.services->RegisterServices(*s.host);
  absl::Status started = s.host->Start();
  ASSERT_TRUE(started.ok()) << started;

  s.channel = grassroots::testing::LoopbackChannel(s.host->port());
  s.orgs = v1::OrganizationService::NewStub(s.channel);
  s.committees = v1::CommitteeService::NewStub(s.channel);
  s.units = v1::ResidentialUnitService::NewStub(s.channel);
  s.meetings = v1::MeetingService::NewStub(s.channel);
  s.recognition = v1::RecognitionService::NewStub(s.channel);
  s.feed = grassroots::feed::v1::ChangeFeedService::NewStub(s.channel);

  // The suite's root: the tree is empty, so any administrator may create it
  // (bootstrap); later roots need a root-scoped administrator.
  v1::CreateOrganizationRequest request;
  request.mutable_organization()->set_code(UniqueCode("ROOT"));
  request.mutable_organization()->set_display_name("Đảng bộ tỉnh Lâm Đồng");
  request.mutable_organization()->set_type("DANG_BO_TINH");
  request.mutable_organization()->set_established_on("2000-01-01");
  grpc::ClientContext context;
  Authorize(context, Mint({Role::kAdmin}, 1));
  v1::Organization root;
  grpc::Status status = s.orgs->CreateOrganization(&context, request, &root);
  ASSERT_TRUE(status.ok()) << status.error_message();
  s.root_id = IdOf(root.name());
}

void OrgFixture::TearDownTestSuite() {
  if (suite == nullptr) return;
  if (suite->host) suite->host->Stop();
  delete suite;
  suite = nullptr;
}

v1::OrganizationService::Stub& OrgFixture::orgs() { return *S().orgs; }
v1::CommitteeService::Stub& OrgFixture::committees() { return *S().committees; }
v1::ResidentialUnitService::Stub& OrgFixture::units() { return *S().units; }
v1::MeetingService::Stub& OrgFixture::meetings() { return *S().meetings; }
v1::RecognitionService::Stub& OrgFixture::recognition() { return *S().recognition; }
grassroots::feed::v1::ChangeFeedService::Stub& OrgFixture::feed() { return *S().feed; }
int OrgFixture::port() { return S().host->port(); }
common::db::ConnectionPool& OrgFixture::pool() { return S().db->pool(); }
const common::DbConfig& OrgFixture::db_config() { return S().db->config(); }
const common::RulesRegistry& OrgFixture::rules() { return *S().rules; }

int64_t OrgFixture::QueryInt(const std::string& sql) {
  absl::StatusOr<int64_t> value = S().db->QueryInt(sql);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : -1;
}

void OrgFixture::ExecuteSql(const std::string& sql) {
  absl::Status status = S().db->Execute(sql);
  EXPECT_TRUE(status.ok()) << status;
}

std::string OrgFixture::BadField(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) return bad.field_violations(0).field();
  }
  return "";
}

std::string OrgFixture::Reason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

void OrgFixture::ReloadTypeRules() { S().services->organizations().ForgetTypeCompatibility(); }

int64_t OrgFixture::RootId() { return S().root_id; }
std::string OrgFixture::RootName() { return absl::StrCat("organizations/", S().root_id); }

std::string OrgFixture::AdminToken(std::optional<int64_t> scope_org) {
  return Mint({Role::kAdmin}, scope_org.value_or(RootId()));
}
std::string OrgFixture::InspectorToken(std::optional<int64_t> scope_org) {
  return Mint({Role::kInspector}, scope_org.value_or(RootId()));
}
std::string OrgFixture::SecretaryToken(int64_t scope_org, std::optional<int64_t> member_id) {
  return Mint({Role::kSecretary}, scope_org, member_id);
}
std::string OrgFixture::MemberToken(int64_t scope_org, int64_t member_id) {
  return Mint({Role::kMember}, scope_org, member_id);
}
std::string OrgFixture::PortalToken() { return Mint({Role::kPortal}, RootId()); }
std::string OrgFixture::ServiceToken() { return Mint({Role::kService}, RootId()); }

std::string OrgFixture::ExpiredToken() {
  common::auth::Claims claims;
  claims.subject = "expired-admin";
  claims.roles = {Role::kAdmin};
  claims.scope_org_id = RootId();
  absl::StatusOr<std::string> token =
      grassroots::testing::TestKeys::Get().signer().Mint(claims, absl::Hours(1), absl::Now() - absl::Hours(2));
  EXPECT_TRUE(token.ok()) << token.status();
  return absl::StrCat("Bearer ", token.value_or(""));
}

std::string OrgFixture::ForgedToken() {
  auto keys = common::auth::GenerateRsaKeyPairPem();
  EXPECT_TRUE(keys.ok()) << keys.status();
  auto signer = common::auth::TokenSigner::FromPrivateKeyPem(keys->first, grassroots::testing::kTestIssuer,
                                                             grassroots::testing::kTestAudience);
  EXPECT_TRUE(signer.ok()) << signer.status();
  common::auth::Claims claims;
  claims.subject = "forger";
  claims.roles = {Role::kAdmin};
  claims.scope_org_id = RootId();
  absl::StatusOr<std::string> token = (*signer)->Mint(claims, absl::Hours(1));
  EXPECT_TRUE(token.ok()) << token.status();
  return absl::StrCat("Bearer ", token.value_or(""));
}

void OrgFixture::Authorize(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) {
    context.AddMetadata("authorization", token.rfind("Bearer ", 0) == 0 ? token : absl::StrCat("Bearer ", token));
  }
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

std::string OrgFixture::UniqueCode(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return absl::StrCat("T-", std::string(prefix), "-", getpid(), "-", ++counter);
}

v1::Organization OrgFixture::CreateOrg(const std::string& type, const std::string& parent,
                                       const std::string& display_name, const std::string& sector,
                                       const std::string& established_on) {
  v1::CreateOrganizationRequest request;
  v1::Organization* org = request.mutable_organization();
  org->set_code(UniqueCode(type.substr(0, 8)));
  org->set_display_name(display_name);
  org->set_type(type);
  org->set_parent(parent);
  org->set_sector(sector);
  org->set_established_on(established_on.empty() ? "2020-01-01" : established_on);
  grpc::ClientContext context;
  Authorize(context, AdminToken());
  v1::Organization created;
  grpc::Status status = orgs().CreateOrganization(&context, request, &created);
  EXPECT_TRUE(status.ok()) << "CreateOrg(" << type << "): " << status.error_message();
  return created;
}

v1::Organization OrgFixture::GetOrg(const std::string& name, const std::string& as_of) {
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::GetOrganizationRequest request;
  request.set_name(name);
  request.set_as_of_date(as_of);
  v1::Organization out;
  grpc::Status status = orgs().GetOrganization(&ctx, request, &out);
  EXPECT_TRUE(status.ok()) << name << " " << as_of << ": " << status.error_message();
  return out;
}

std::vector<std::string> OrgFixture::ChildNames(const std::string& parent, const std::string& as_of,
                                                const std::string& sector) {
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListOrganizationsRequest request;
  request.set_parent(parent);
  request.set_as_of_date(as_of);
  request.set_sector(sector);
  v1::ListOrganizationsResponse response;
  EXPECT_TRUE(orgs().ListOrganizations(&ctx, request, &response).ok());
  std::vector<std::string> names;
  for (const auto& org : response.organizations()) names.push_back(org.name());
  return names;
}

int64_t OrgFixture::IdOf(const std::string& name) {
  int64_t id = 0;
  const std::string_view prefix = "organizations/";
  if (name.rfind(prefix, 0) != 0 || !absl::SimpleAtoi(name.substr(prefix.size()), &id)) {
    ADD_FAILURE() << "not an organization name: " << name;
  }
  return id;
}

}  // namespace grassroots::org::testing
