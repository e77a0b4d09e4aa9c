#include "tests/integration/membership/membership_fixture.h"

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/crypto/keyring.h"
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/membership/domain/code_lists.h"
#include "common/calendar/working_calendar.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/membership_services.h"
#include "services/org/handlers/member_directory.h"
#include "services/org/org_services.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/orgtree/service_token.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/loopback.h"
#include "tests/support/test_db.h"
#include "tests/support/test_tokens.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
const std::vector<common::db::Migration>& MembershipMigrations();
}  // namespace grassroots::migrations

namespace grassroots::membership::testing {
namespace {

using common::auth::Role;

// The org service, wired as its main.cc wires it.
struct OrgSide {
  std::unique_ptr<grassroots::testing::TestDatabase> db;
  std::unique_ptr<org::OrgServices> services;
  std::unique_ptr<common::ServiceHost> host;
  // Org's client of the membership service (unit heads naming members), and one aimed
  // at a port nobody listens on, for the outage tests.
  std::unique_ptr<org::GrpcMemberDirectory> member_directory;
  std::unique_ptr<org::GrpcMemberDirectory> unreachable_member_directory;
};

// The membership service, wired as its main.cc wires it.
struct MemberSide {
  std::unique_ptr<grassroots::testing::TestDatabase> db;
  std::unique_ptr<common::WorkingCalendar> calendar;
  std::unique_ptr<domain::CodeLists> codes;
  std::string token_file;
  std::unique_ptr<MembershipServices> services;
  std::unique_ptr<common::ServiceHost> host;
};

struct Suite {
  std::unique_ptr<common::RulesRegistry> rules;
  OrgSide org;
  std::unique_ptr<grassroots::testing::TcpProxy> proxy;
  MemberSide mem;
  std::shared_ptr<grpc::Channel> org_channel;
  std::shared_ptr<grpc::Channel> member_channel;
  std::unique_ptr<orgv1::OrganizationService::Stub> orgs;
  std::unique_ptr<v1::MemberService::Stub> members;
  std::unique_ptr<v1::LifecycleService::Stub> lifecycle;
  std::unique_ptr<v1::YearlyRecordService::Stub> yearly;
  std::unique_ptr<v1::MemberImportService::Stub> imports;
  std::unique_ptr<grassroots::feed::v1::ChangeFeedService::Stub> member_feed;
  std::unique_ptr<orgv1::ResidentialUnitService::Stub> org_units;
  int64_t root_id = 0;
};

Suite* suite = nullptr;

Suite& S() {
  if (suite == nullptr) {
    ADD_FAILURE() << "MembershipFixture used outside a running suite";
    std::abort();
  }
  return *suite;
}

std::string Mint(Role role, int64_t scope, std::optional<int64_t> member = std::nullopt) {
  return grassroots::testing::MintToken({role}, scope, member, absl::Hours(1));
}

void StartOrgSide(Suite& s) {
  OrgSide& o = s.org;
  auto db = grassroots::testing::TestDatabase::Create(
      "morg", {&common::db::CommonMigrations(), &migrations::OrgMigrations()}, 8);
  ASSERT_TRUE(db.ok()) << db.status();
  o.db = std::move(*db);
  o.services = std::make_unique<org::OrgServices>(
      org::OrgDependencies{.pool = o.db->pool(),
                           .rules = *s.rules,
                           .verifier = grassroots::testing::TestVerifier(),
                           .page_token_secret = "membership-fixture-org-page-tokens"});
  o.host = std::make_unique<common::ServiceHost>("org-for-membership-test", grassroots::testing::LoopbackServerConfig(),
                                                 std::make_shared<prometheus::Registry>());
  o.services->RegisterServices(*o.host);
  absl::Status started = o.host->Start();
  ASSERT_TRUE(started.ok()) << started;
}

MembershipDependencies MemberDependencies(Suite& s, common::db::ConnectionPool& pool,
                                          common::db::ReadRouter* replica_reads);

void StartMemberSide(Suite& s) {
  MemberSide& m = s.mem;  // m.db is already created and migrated
  auto calendar = common::WorkingCalendar::LoadFile(common::WorkingCalendar::DefaultPath());
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  m.calendar = std::make_unique<common::WorkingCalendar>(std::move(*calendar));
  auto codes = domain::CodeLists::LoadDir(domain::CodeLists::DefaultDir());
  ASSERT_TRUE(codes.ok()) << codes.status();
  m.codes = std::make_unique<domain::CodeLists>(std::move(*codes));
  // The service's own credentials for calling the org service: a token file,
  // as a mounted Kubernetes secret would provide it.
  m.token_file =
      absl::StrCat(::testing::TempDir(), "membership-service-token-", getpid(), "-", reinterpret_cast<uintptr_t>(&s));
  {
    const std::string bearer = Mint(Role::kService, s.root_id);
    std::ofstream out(m.token_file, std::ios::trunc);
    out << bearer.substr(std::string("Bearer ").size()) << "\n";
    ASSERT_TRUE(out.good()) << "cannot write " << m.token_file;
  }
  // Cell checks go through the proxy, so tests can take the org service away.
  // The projection follows the org feed directly: the outage tests are about
  // the synchronous cell check, and a follower in reconnect backoff would only
  // slow the following tests down.
  m.services = std::make_unique<MembershipServices>(MemberDependencies(s, m.db->pool(), nullptr));
  m.host = std::make_unique<common::ServiceHost>("membership-test", grassroots::testing::LoopbackServerConfig(),
                                                 std::make_shared<prometheus::Registry>());
  m.services->RegisterServices(*m.host);
  absl::Status started = m.host->Start();
  ASSERT_TRUE(started.ok()) << started;
}

// The membership service's dependencies as the suite wires them, over `pool`
// with searches and lists read through `replica_reads` (null: pool only).
MembershipDependencies MemberDependencies(Suite& s, common::db::ConnectionPool& pool,
                                          common::db::ReadRouter* replica_reads) {
  MemberSide& m = s.mem;
  return MembershipDependencies{
      .pool = pool,
      .replica_reads = replica_reads,
      .rules = *s.rules,
      .verifier = grassroots::testing::TestVerifier(),
      .page_token_secret = "membership-fixture-page-tokens",
      .citizen_id_lookup_key = "membership-fixture-citizen-id-lookup-key",
      .sensitive_keys = std::make_shared<const common::crypto::Keyring>(
          common::crypto::Keyring::FromKeys({{1, std::string(32, 'k')}}, 1).value()),
      // Small batches, so a re-sealing test crosses several.
      .resealing_batch_size = 7,
      .calendar = *m.calendar,
      .codes = *m.codes,
      .org_channel = grassroots::testing::LoopbackChannel(s.proxy->port()),
      .org_feed_channel = grassroots::testing::LoopbackChannel(s.org.host->port()),
      .service_token = std::make_shared<orgtree::ServiceToken>(m.token_file),
      // Only the first round runs by itself: a test brings the dues totals up
      // to date when it reads them (CatchUp), so none is written while
      // another test counts rows.
      .dues_totals = DuesTotalsOptions{.interval = absl::Hours(24)}};
}

}  // namespace

void MembershipFixture::SetUpTestSuite() { StartSuite(/*with_root=*/true); }
void MembershipFixture::SetUpTestSuiteWithEmptyTree() { StartSuite(/*with_root=*/false); }

void MembershipFixture::StartSuite(bool with_root) {
  suite = new Suite();
  Suite& s = *suite;
  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  ASSERT_TRUE(rules.ok()) << rules.status();
  s.rules = std::make_unique<common::RulesRegistry>(std::move(*rules));

  // The membership database is created and migrated while the org side starts:
  // the two are independent, and together they are most of a suite's set-up time.
  absl::StatusOr<std::unique_ptr<grassroots::testing::TestDatabase>> member_db = absl::UnknownError("not created");
  std::thread member_db_creator([&member_db] {
    member_db = grassroots::testing::TestDatabase::Create(
        "mem", {&common::db::CommonMigrations(), &migrations::MembershipMigrations(), &migrations::OrgTreeMigrations()}, 16);
  });
  struct JoinOnExit {
    std::thread& thread;
    ~JoinOnExit() {
      if (thread.joinable()) thread.join();
    }
  } join_on_exit{member_db_creator};

  StartOrgSide(s);
  if (::testing::Test::HasFatalFailure()) return;
  s.org_channel = grassroots::testing::LoopbackChannel(s.org.host->port());
  s.orgs = orgv1::OrganizationService::NewStub(s.org_channel);

  // The suite's root. The empty tree lets any administrator create it.
  s.root_id = 1;
  if (with_root) {
    orgv1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code(UniqueCode("ROOT"));
    request.mutable_organization()->set_display_name("Đảng bộ tỉnh Lâm Đồng");
    request.mutable_organization()->set_type("DANG_BO_TINH");
    request.mutable_organization()->set_established_on("2000-01-01");
    orgv1::Organization root;
    grpc::ClientContext context;
    Authorize(context, Mint(Role::kAdmin, 1));
    grpc::Status status = s.orgs->CreateOrganization(&context, request, &root);
    ASSERT_TRUE(status.ok()) << status.error_message();
    auto id = common::api::ParseId(root.name(), "organizations", "name");
    ASSERT_TRUE(id.ok()) << id.status();
    s.root_id = *id;
  }

  s.proxy = std::make_unique<grassroots::testing::TcpProxy>("127.0.0.1", s.org.host->port());
  absl::Status proxied = s.proxy->Start();
  ASSERT_TRUE(proxied.ok()) << proxied;

  member_db_creator.join();
  ASSERT_TRUE(member_db.ok()) << member_db.status();
  s.mem.db = std::move(*member_db);
  StartMemberSide(s);
  if (::testing::Test::HasFatalFailure()) return;
  s.member_channel = grassroots::testing::LoopbackChannel(s.mem.host->port());
  s.members = v1::MemberService::NewStub(s.member_channel);
  s.lifecycle = v1::LifecycleService::NewStub(s.member_channel);
  s.yearly = v1::YearlyRecordService::NewStub(s.member_channel);
  s.imports = v1::MemberImportService::NewStub(s.member_channel);
  s.member_feed = grassroots::feed::v1::ChangeFeedService::NewStub(s.member_channel);
  s.org_units = orgv1::ResidentialUnitService::NewStub(s.org_channel);
  // Org confirms unit heads who are members with this membership service, as its
  // main.cc does with GRASSROOTS_MEMBERSHIP_TARGET, using the same service token.
  s.org.member_directory = std::make_unique<org::GrpcMemberDirectory>(
      s.member_channel, std::make_shared<orgtree::ServiceToken>(s.mem.token_file),
                                                                      std::chrono::milliseconds(2000));
  s.org.unreachable_member_directory = std::make_unique<org::GrpcMemberDirectory>(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
      std::make_shared<orgtree::ServiceToken>(s.mem.token_file),
      std::chrono::milliseconds(500));
  s.org.services->context().members = s.org.member_directory.get();
  if (with_root) WaitForProjection(s.root_id);
}

orgv1::ResidentialUnitService::Stub& MembershipFixture::org_units() { return *S().org_units; }
int MembershipFixture::org_port() { return S().org.host->port(); }
int MembershipFixture::membership_port() { return S().mem.host->port(); }

void MembershipFixture::SetOrgMembershipReachable(bool reachable) {
  Suite& s = S();
  s.org.services->context().members =
      reachable ? s.org.member_directory.get() : s.org.unreachable_member_directory.get();
}

void MembershipFixture::TearDownTestSuite() {
  if (suite == nullptr) return;
  Suite& s = *suite;
  if (s.mem.services) s.mem.services->follower().Stop();
  if (s.mem.host) s.mem.host->Stop();
  if (s.proxy) s.proxy->Stop();
  if (s.org.host) s.org.host->Stop();
  if (!s.mem.token_file.empty()) std::remove(s.mem.token_file.c_str());
  delete suite;
  suite = nullptr;
}

// ---- stubs ------------------------------------------------------------------------

v1::MemberService::Stub& MembershipFixture::members() { return *S().members; }
v1::LifecycleService::Stub& MembershipFixture::lifecycle() { return *S().lifecycle; }
v1::YearlyRecordService::Stub& MembershipFixture::yearly() { return *S().yearly; }
v1::MemberImportService::Stub& MembershipFixture::imports() { return *S().imports; }
grassroots::feed::v1::ChangeFeedService::Stub& MembershipFixture::member_feed() { return *S().member_feed; }
orgv1::OrganizationService::Stub& MembershipFixture::orgs() { return *S().orgs; }
HandlerContext& MembershipFixture::member_context() { return S().mem.services->context(); }
MembershipServices& MembershipFixture::member_services() { return *S().mem.services; }

MembershipFixture::MembershipInstance::~MembershipInstance() {
  if (services) services->follower().Stop();
  if (host) host->Stop();
}

std::unique_ptr<MembershipFixture::MembershipInstance> MembershipFixture::StartMembershipInstance(
    common::db::ConnectionPool& pool, common::db::ReadRouter& replica_reads) {
  auto instance = std::make_unique<MembershipInstance>();
  instance->services = std::make_unique<MembershipServices>(MemberDependencies(S(), pool, &replica_reads));
  instance->host = std::make_unique<common::ServiceHost>(
      "membership-instance-test", grassroots::testing::LoopbackServerConfig(), std::make_shared<prometheus::Registry>());
  instance->services->RegisterServices(*instance->host);
  absl::Status started = instance->host->Start();
  EXPECT_TRUE(started.ok()) << started;
  if (!started.ok()) return nullptr;
  instance->members = v1::MemberService::NewStub(grassroots::testing::LoopbackChannel(instance->host->port()));
  return instance;
}

const common::DbConfig& MembershipFixture::MemberDbConfig() { return S().mem.db->config(); }

void MembershipFixture::TakeOrgServiceDown() { S().proxy->Stop(); }

void MembershipFixture::BringOrgServiceBack() {
  absl::Status started = S().proxy->Start();
  ASSERT_TRUE(started.ok()) << started;
}

// ---- database ----------------------------------------------------------------------

// Reads are audited in the background: the database a test reads holds the
// entries of every read made before (a test that took the database away
// gets what is there).
namespace {
void FlushReadAudit() {
  if (S().mem.services) (void)S().mem.services->context().read_audit.Flush(std::chrono::seconds(2));
}
}  // namespace

int64_t MembershipFixture::MemberDbInt(const std::string& sql) {
  FlushReadAudit();
  absl::StatusOr<int64_t> value = S().mem.db->QueryInt(sql);
  EXPECT_TRUE(value.ok()) << sql << ": " << value.status();
  return value.ok() ? *value : -1;
}

void MembershipFixture::MemberDbExecute(const std::string& sql) {
  FlushReadAudit();
  absl::Status status = S().mem.db->Execute(sql);
  EXPECT_TRUE(status.ok()) << sql << ": " << status;
}

int64_t MembershipFixture::OrgDbInt(const std::string& sql) {
  absl::StatusOr<int64_t> value = S().org.db->QueryInt(sql);
  EXPECT_TRUE(value.ok()) << sql << ": " << value.status();
  return value.ok() ? *value : -1;
}

int64_t MembershipFixture::CountRows(const std::string& table) {
  return MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM ", table));
}

MembershipFixture::WriteCounts MembershipFixture::CountWrites() {
  WriteCounts counts;
  counts.members = CountRows("members");
  counts.sensitive = CountRows("member_sensitive");
  counts.events = CountRows("member_events");
  counts.periods = CountRows("member_periods");
  counts.cards = CountRows("party_cards");
  counts.feed = CountRows("change_feed");
  counts.audit = CountRows("audit_log");
  return counts;
}

// ---- tokens -------------------------------------------------------------------------

int64_t MembershipFixture::RootId() { return S().root_id; }
std::string MembershipFixture::AdminToken(std::optional<int64_t> scope_org) {
  return Mint(Role::kAdmin, scope_org.value_or(RootId()));
}
std::string MembershipFixture::InspectorToken(std::optional<int64_t> scope_org) {
  return Mint(Role::kInspector, scope_org.value_or(RootId()));
}
std::string MembershipFixture::SecretaryToken(int64_t scope_org) { return Mint(Role::kSecretary, scope_org); }
std::string MembershipFixture::MemberToken(int64_t scope_org, int64_t member_id) {
  return Mint(Role::kMember, scope_org, member_id);
}
std::string MembershipFixture::PortalToken() { return Mint(Role::kPortal, RootId()); }
std::string MembershipFixture::ServiceToken() { return Mint(Role::kService, RootId()); }

// ---- calls ---------------------------------------------------------------------------

void MembershipFixture::Authorize(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) {
    context.AddMetadata("authorization", token.rfind("Bearer ", 0) == 0 ? token : absl::StrCat("Bearer ", token));
  }
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

std::string MembershipFixture::BadField(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) return bad.field_violations(0).field();
  }
  return "";
}

std::string MembershipFixture::Reason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// ---- organizations ---------------------------------------------------------------------

std::string MembershipFixture::UniqueCode(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return absl::StrCat("M-", std::string(prefix), "-", getpid(), "-", ++counter);
}

std::string MembershipFixture::OrgName(int64_t id) { return absl::StrCat("organizations/", id); }

int64_t MembershipFixture::CreateOrg(const std::string& type, int64_t parent_id, const std::string& display_name,
                                     const std::string& established_on) {
  orgv1::CreateOrganizationRequest request;
  orgv1::Organization* org = request.mutable_organization();
  org->set_code(UniqueCode(type.substr(0, 8)));
  org->set_display_name(display_name);
  org->set_type(type);
  org->set_parent(OrgName(parent_id == 0 ? RootId() : parent_id));
  org->set_established_on(established_on);
  orgv1::Organization created;
  grpc::Status status =
      Call(orgs(), &orgv1::OrganizationService::Stub::CreateOrganization, AdminToken(), request, &created);
  EXPECT_TRUE(status.ok()) << "CreateOrg(" << type << "): " << status.error_message();
  if (!status.ok()) return 0;
  int64_t id = 0;
  EXPECT_TRUE(absl::SimpleAtoi(created.name().substr(std::string("organizations/").size()), &id)) << created.name();
  WaitForProjection(id);
  return id;
}

Branch MembershipFixture::NewBranch() {
  static std::atomic<int> counter{0};
  const int n = ++counter;
  Branch branch;
  branch.grassroots = CreateOrg("DANG_BO_CO_SO", 0, absl::StrCat("Đảng bộ xã Thử Nghiệm ", n));
  branch.cell_a = CreateOrg("CHI_BO_TRUC_THUOC", branch.grassroots, absl::StrCat("Chi bộ thôn Đông ", n));
  branch.cell_b = CreateOrg("CHI_BO_TRUC_THUOC", branch.grassroots, absl::StrCat("Chi bộ thôn Tây ", n));
  return branch;
}

void MembershipFixture::DissolveOrg(int64_t id, const std::string& effective_date) {
  orgv1::GetOrganizationRequest get;
  get.set_name(OrgName(id));
  orgv1::Organization current;
  grpc::Status status = Call(orgs(), &orgv1::OrganizationService::Stub::GetOrganization, AdminToken(), get, &current);
  ASSERT_TRUE(status.ok()) << status.error_message();
  orgv1::DissolveOrganizationRequest request;
  request.set_name(OrgName(id));
  request.set_effective_date(effective_date);
  request.mutable_decision()->set_issuing_body("Ban Thường vụ Tỉnh ủy");
  request.mutable_decision()->set_number(absl::StrCat(id, "-QĐ/TU"));
  request.mutable_decision()->set_signed_on(effective_date);
  request.set_etag(current.etag());
  orgv1::Organization dissolved;
  status = Call(orgs(), &orgv1::OrganizationService::Stub::DissolveOrganization, AdminToken(), request, &dissolved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  WaitForProjection(id, orgv1::ORGANIZATION_STATE_DISSOLVED);
}

void MembershipFixture::WaitForProjection(int64_t id, orgv1::OrganizationState state) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  const std::string sql = absl::StrCat("SELECT COALESCE(MAX(state + 1), 0) FROM org_projection WHERE org_id = ", id);
  int64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<int64_t> value = S().mem.db->QueryInt(sql);
    seen = value.ok() ? *value : -1;
    if (seen == static_cast<int64_t>(state) + 1) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "organizations/" << id << " did not reach state " << orgv1::OrganizationState_Name(state)
                << " in membership's projection within 15 s (projection state+1 = " << seen << ")";
}

orgv1::ResidentialUnit MembershipFixture::NewResidentialUnit(int64_t commune, int64_t covering_cell,
                                                             const std::string& covering_since) {
  orgv1::CreateResidentialUnitRequest request;
  orgv1::ResidentialUnit* unit = request.mutable_unit();
  unit->set_code(UniqueCode("THON"));
  unit->set_display_name("Thôn Trung");
  unit->set_kind(orgv1::RESIDENTIAL_UNIT_KIND_VILLAGE);
  unit->set_commune_organization(OrgName(commune));
  unit->set_covering_cell(OrgName(covering_cell));
  unit->set_covering_cell_since(covering_since);
  unit->set_established_on("2010-01-01");
  orgv1::ResidentialUnit created;
  grpc::Status status = Call(org_units(), &orgv1::ResidentialUnitService::Stub::CreateResidentialUnit, AdminToken(),
                             request, &created);
  EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  // The unit's own entry follows its first covering's on org's feed.
  const std::string sql = absl::StrCat("SELECT COUNT(*) FROM residential_unit_projection WHERE unit_id = ",
                                       created.name().substr(created.name().rfind('/') + 1));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (S().mem.db->QueryInt(sql).value_or(0) == 1) return created;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << created.name() << " did not reach membership's projection within 15 s";
  return created;
}

// ---- members ---------------------------------------------------------------------------

namespace {

constexpr const char* kFamilyNames[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"};
constexpr const char* kMiddleNames[] = {"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Quang", "Thanh", "Đức"};
constexpr const char* kGivenNames[] = {"An",  "Bình", "Cường", "Dũng",  "Giang", "Hà",  "Khánh", "Lâm",  "Mai",
                                       "Nam", "Oanh", "Phúc",  "Quyên", "Sơn",   "Tâm", "Uyên",  "Vinh", "Yến"};

int NextPersonNumber() {
  static std::atomic<int> counter{0};
  return ++counter;
}

absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(text, &day)) << "not a date: " << text;
  return day;
}

std::string FormatDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace

std::string MembershipFixture::CitizenIdFor(const std::string& birth_date, v1::Sex sex) {
  const absl::CivilDay born = ParseDay(birth_date);
  const bool female = sex == v1::SEX_FEMALE;
  const int century_sex = (born.year() >= 2000 ? 2 : 0) + (female ? 1 : 0);
  // Lâm Đồng's province code, then the century/sex digit, the birth year's last
  // two digits and a serial unique within the test process.
  return absl::StrFormat("068%d%02d%06d", century_sex, static_cast<int>(born.year() % 100),
                         NextPersonNumber() % 1000000);
}

std::string MembershipFixture::UniqueCard() {
  return absl::StrFormat("TD-%d-%06d", getpid() % 100000, NextPersonNumber());
}

v1::Member MembershipFixture::NewPerson(const PersonOptions& options) {
  const int n = NextPersonNumber();
  v1::Member person;
  person.set_full_name(!options.full_name.empty() ? options.full_name
                                                  : absl::StrCat(kFamilyNames[n % 10], " ", kMiddleNames[(n / 10) % 8],
                                                                 " ", kGivenNames[(n / 80) % 18]));
  const v1::Sex sex = options.sex != v1::SEX_UNSPECIFIED ? options.sex : (n % 2 == 0 ? v1::SEX_MALE : v1::SEX_FEMALE);
  person.set_sex(sex);
  const std::string birth_date = !options.birth_date.empty()
                                     ? options.birth_date
                                     : absl::StrFormat("%04d-%02d-%02d", 1970 + n % 30, 1 + n % 12, 1 + n % 28);
  person.set_birth_date(birth_date);
  person.set_birth_place("Xã Lộc Thành, huyện Bảo Lâm, tỉnh Lâm Đồng");
  person.set_home_town("Xã Lộc An, huyện Bảo Lâm, tỉnh Lâm Đồng");
  person.set_ethnicity("01");  // Kinh (data/codes/ethnicity.json)
  person.set_religion("00");  // none
  person.set_citizen_id(CitizenIdFor(birth_date, sex));
  person.set_occupation_category(
      options.category != v1::OCCUPATION_CATEGORY_UNSPECIFIED ? options.category : v1::OCCUPATION_CATEGORY_FARMER);
  person.set_occupation("Trồng cà phê");
  person.set_general_education(options.education);
  person.set_political_theory_level(v1::POLITICAL_THEORY_LEVEL_ELEMENTARY);
  person.set_permanent_address("Thôn 3, xã Lộc Thành");
  person.set_current_address("Thôn 3, xã Lộc Thành");
  person.set_phone(absl::StrFormat("09%08d", n));
  person.set_external_id(absl::StrFormat("EXT-%d-%d", getpid(), n));
  return person;
}

grassroots::type::v1::Decision MembershipFixture::SomeDecision(const std::string& signed_on) {
  static std::atomic<int> counter{0};
  grassroots::type::v1::Decision decision;
  decision.set_issuing_body("Đảng ủy xã Lộc Thành");
  decision.set_number(absl::StrCat(++counter, "-QĐ/ĐU"));
  decision.set_signed_on(signed_on);
  return decision;
}

v1::Member MembershipFixture::CreateProspect(int64_t cell, const v1::Member& person, const std::string& introduced_on) {
  v1::CreateMemberRequest request;
  *request.mutable_member() = person;
  request.mutable_prospect()->set_cell(OrgName(cell));
  request.mutable_prospect()->set_introduced_by("Đoàn TNCS Hồ Chí Minh xã Lộc Thành");
  request.mutable_prospect()->set_introduced_on(introduced_on.empty() ? DaysFromToday(-400) : introduced_on);
  v1::Member created;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), request, &created);
  EXPECT_TRUE(status.ok()) << "CreateProspect: " << status.error_message() << " [" << BadField(status) << "]";
  return created;
}

v1::CreateMemberRequest MembershipFixture::ExistingMemberRequest(int64_t cell, const v1::Member& person,
                                                                 v1::MemberStatus status, const std::string& ceremony,
                                                                 const std::string& party_card) {
  v1::CreateMemberRequest request;
  *request.mutable_member() = person;
  v1::ExistingMemberEntry* entry = request.mutable_existing();
  entry->set_cell(OrgName(cell));
  entry->set_status(status);
  entry->set_admission_decision_date(AddDays(ceremony, -14));
  entry->set_admission_ceremony_date(ceremony);
  if (status == v1::MEMBER_STATUS_OFFICIAL) entry->set_official_date(AddMonths(ceremony, 12));
  entry->set_joined_cell_on(ceremony);
  *entry->mutable_decision() = SomeDecision(AddDays(ceremony, -14));
  request.set_party_card_number(party_card.empty() ? UniqueCard() : party_card);
  return request;
}

v1::Member MembershipFixture::CreateExisting(int64_t cell, const v1::Member& person, v1::MemberStatus status,
                                             const std::string& ceremony_date, const std::string& party_card) {
  const std::string ceremony = !ceremony_date.empty()                 ? ceremony_date
                               : status == v1::MEMBER_STATUS_OFFICIAL ? MonthsFromToday(-60)
                                                                      : MonthsFromToday(-3);
  v1::CreateMemberRequest request = ExistingMemberRequest(cell, person, status, ceremony, party_card);
  v1::Member created;
  grpc::Status rpc = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), request, &created);
  EXPECT_TRUE(rpc.ok()) << "CreateExisting: " << rpc.error_message() << " [" << BadField(rpc) << "]";
  return created;
}

v1::Member MembershipFixture::GetMember(const std::string& name, const std::string& as_of) {
  v1::GetMemberRequest request;
  request.set_name(name);
  request.set_as_of_date(as_of);
  v1::Member member;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(), request, &member);
  EXPECT_TRUE(status.ok()) << "GetMember(" << name << "): " << status.error_message();
  return member;
}

int64_t MembershipFixture::MemberId(const std::string& name) {
  int64_t id = 0;
  const std::string_view prefix = "members/";
  if (name.rfind(prefix, 0) != 0 || !absl::SimpleAtoi(name.substr(prefix.size()), &id)) {
    ADD_FAILURE() << "not a member name: " << name;
  }
  return id;
}

// ---- dates -----------------------------------------------------------------------------

std::string MembershipFixture::Today() { return FormatDay(common::api::Today()); }
std::string MembershipFixture::DaysFromToday(int days) { return FormatDay(common::api::Today() + days); }

std::string MembershipFixture::AddDays(const std::string& date, int days) { return FormatDay(ParseDay(date) + days); }

std::string MembershipFixture::AddMonths(const std::string& date, int months) {
  const absl::CivilDay day = ParseDay(date);
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const int last_day = static_cast<int>((absl::CivilDay(month + 1) - 1).day());
  return FormatDay(absl::CivilDay(month.year(), month.month(), std::min(static_cast<int>(day.day()), last_day)));
}

std::string MembershipFixture::MonthsFromToday(int months, int days) {
  return AddDays(AddMonths(Today(), months), days);
}

}  // namespace grassroots::membership::testing
