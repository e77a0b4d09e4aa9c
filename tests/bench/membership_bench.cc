// grassroots-membership-bench: how fast the membership service answers at
// province scale (100,000 members), next to the raw MariaDB cost of the same
// SQL, measured in one run on one machine over loopback.
//
// 1. Creates two fresh databases (org, membership), applies the migrations and
//    starts the real org service and the real membership service in-process
//    (ServiceHost on 127.0.0.1:0, metrics off), wired as their main.cc wire
//    them: membership asks the org service for cell checks over gRPC with a
//    service token and follows its change feed into the projection.
// 2. Creates the tree through the org API (a province, G grassroots
//    organizations, C cells each) and waits until the projection has it.
// 3. Fills M members (default 100,000) WITHOUT gRPC but through the service's
//    own write path: ValidateCreateMember + InsertMember (record, sensitive
//    row, name tokens, first event, periods, first card, change-feed and audit
//    entries), many members per transaction. Rows are therefore exactly what
//    CreateMember writes; only the per-call overhead is skipped.
// 4. For each client concurrency (default 1 and 16; each client thread has its
//    own channel or connection) runs closed-loop cases for a fixed duration:
//      GetMember (random member)          vs raw: the store's point select by id
//      SearchMembers (2-word name query    vs raw: the store's search SQL with
//        in a random grassroots subtree)           the same binds
//      CreateMember (existing member,      vs raw: a one-row INSERT in its own
//        durable: committed per call)              committed transaction
// 5. Overload: GetMember's capacity with 16 clients, then twice that rate in an
//    open loop for the same duration (deadline 500 ms): goodput against the
//    capacity, refusals (RESOURCE_EXHAUSTED) and their latency, process RSS.
// 6. Imports a 10,000-row CSV through ImportMembers (one stream) and times it
//    against raw multi-row INSERTs of the same number of rows.
// 7. Prints QPS, p50, p99 per case and the service/raw ratios; drops the
//    databases (unless --keep-databases). Bounded: every phase has a fixed size
//    or duration.
#include <limits>

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <mysql_driver.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/keyring.h"
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/db/read_router.h"
#include "common/log/log.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "grassroots/membership/v1/import.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "grassroots/membership/v1/sync.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "services/membership/domain/code_lists.h"
#include "services/membership/domain/name_search.h"
#include "common/calendar/working_calendar.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/member_writer.h"
#include "services/membership/membership_services.h"
#include "services/org/org_services.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/orgtree/service_token.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/reporting/domain/plan.h"
#include "grassroots/reporting/v1/reporting.grpc.pb.h"
#include "services/reporting/reporting_services.h"
#include "tests/bench/bench_support.h"
#include "common/server/http_listener.h"
#include "services/gateway/domain/route_table.h"
#include "services/gateway/handlers/http_gateway.h"
#include "services/reporting/store/reporting_migrations.h"
#include "common/status/status.h"
#include "tests/support/eventually.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
const std::vector<common::db::Migration>& MembershipMigrations();
}  // namespace grassroots::migrations

namespace grassroots::bench {
namespace {

namespace v1 = ::grassroots::membership::v1;
namespace orgv1 = ::grassroots::org::v1;
using common::auth::Role;

struct Options {
  std::string db_host = "127.0.0.1";
  int db_port = 3306;
  std::string db_user = "root";
  std::string db_password;
  std::string database_prefix = "grassroots_membership_bench";
  int64_t members = 100000;
  int grassroots = 20;
  int cells_per_grassroots = 10;
  int fill_batch = 500;
  int import_rows = 10000;
  double seconds = 5.0;
  std::string threads = "1,16";
  // The measured cases, comma separated: get, http (GetMember through the
  // HTTP/JSON gateway), sync (a member's mobile sync, first and idle), dues (a
  // cell's collection sheet and a member's ledger), search, create, import, overload.
  std::string cases = "get,search,create,import,overload";
  bool keep_databases = false;
  // > 0: after the fill, measure the reporting service on these feeds instead
  // of the membership cases (a full rebuild, then write-to-scorecard lag).
  double reporting_seconds = 0;
  int reporting_rate = 1000;  // CreateMember calls per second the writers aim at
  int reporting_writers = 16;
  std::string results_json;
  int max_concurrent_calls = common::ServerConfig{}.max_concurrent_calls;  // the membership server's limit
  // > 0: searches and lists read this replica of the server (scripts/bench.sh --replica).
  int replica_port = 0;
  int replica_wait_ms = 50;
};

// ---- the SQL the store runs (services/membership/store/member_store.cc), repeated
// here so the raw baseline measures exactly the service's queries ----
constexpr char kRecordColumns[] = R"(m.id, m.full_name, m.birth_name, m.sex, m.birth_date, m.birth_place,
  m.home_town, m.occupation_category, m.occupation, m.general_education, m.professional_qualification,
  m.professional_qualification_level, m.political_theory_level, m.permanent_address, m.current_address, m.phone, m.email, m.external_id,
  m.party_card_number, m.status, m.cell_id, m.host_cell_id, m.exempt, m.suspended, m.transfer_pending,
  m.status_since, m.admission_decision_date, m.admission_ceremony_date, m.probation_end_date, m.official_date,
  m.last_event_date, m.version, m.created_at, m.updated_at,
  s.key_version, s.citizen_id, s.ethnicity, s.religion)";
// MemberStore::Get.
const std::string kGetSql = absl::StrCat("SELECT ", kRecordColumns,
                                         " FROM members m LEFT JOIN member_sensitive s ON s.member_id = m.id "
                                         "WHERE m.id = ?");
// MemberStore::Search with a subtree, the default statuses (probationary,
// official) and two name words, first page: the subtree's bearers of the more
// selective word (domain::MostSelectiveWord) read through (cell_id, token),
// kept when among the subtree's bearers of the other word, ranked by how well
// the name matches.
const std::string kSearchSql = absl::StrCat(
    "SELECT page.match_rank, ", kRecordColumns,
    " FROM (SELECT m.id AS id, m.search_name AS sort_key, CASE WHEN m.search_name = ? THEN 0"
    " WHEN m.search_name LIKE ? THEN 1"
    " WHEN TRUE AND EXISTS (SELECT 1 FROM member_name_tokens whole WHERE whole.token = ? AND whole.member_id = m.id)"
    " AND EXISTS (SELECT 1 FROM member_name_tokens whole WHERE whole.token = ? AND whole.member_id = m.id)"
    " THEN 2 ELSE 3 END AS match_rank"
    " FROM (SELECT DISTINCT d.member_id, d.cell_id"
    " FROM (SELECT DISTINCT token FROM member_name_tokens WHERE token LIKE ?) w"
    " STRAIGHT_JOIN org_closure c ON c.ancestor_id = ?"
    " STRAIGHT_JOIN member_name_tokens d ON d.cell_id = c.descendant_id AND d.token = w.token"
    " WHERE TRUE AND d.member_id IN (SELECT d1.member_id"
    " FROM (SELECT DISTINCT token FROM member_name_tokens WHERE token LIKE ?) w1"
    " JOIN org_closure c1 ON c1.ancestor_id = ?"
    " JOIN member_name_tokens d1 ON d1.cell_id = c1.descendant_id AND d1.token = w1.token)) hit"
    " STRAIGHT_JOIN members m ON m.id = hit.member_id WHERE m.cell_id = hit.cell_id AND m.status IN (?, ?)"
    " ORDER BY match_rank, sort_key, id LIMIT ?) page"
    " JOIN members m ON m.id = page.id LEFT JOIN member_sensitive s ON s.member_id = m.id"
    " ORDER BY page.match_rank, page.sort_key, page.id LIMIT ?");
// What an idle mobile sync reads (services/membership/store/sync_store.cc), in
// three statements: the member's cells with the feed head and the meetings
// follower's cursor; the member's record and yearly changes after the cursor;
// the cell's meetings changed after it.
constexpr char kSyncStartSql[] =
    "SELECT m.cell_id, COALESCE(m.host_cell_id, 0), h.epoch, h.last_sequence, COALESCE(c.epoch, ''), "
    "COALESCE(c.last_sequence, 0) FROM feed_head h LEFT JOIN feed_cursors c ON c.source = 'org_meetings' "
    "LEFT JOIN members m ON m.id = ? WHERE h.id = 1";
constexpr char kSyncChangesSql[] =
    "(SELECT 0 AS part, resource_type, resource_name, MAX(sequence) AS newest FROM change_feed "
    "WHERE resource_type IN (?,?) AND (resource_name = ? OR resource_name LIKE ?) AND sequence > ? "
    "GROUP BY resource_type, resource_name ORDER BY newest LIMIT ?) UNION ALL "
    "(SELECT 1 AS part, resource_type, resource_name, MAX(sequence) AS newest FROM change_feed "
    "WHERE resource_type IN (?,?,?,?,?) AND (resource_name = ? OR resource_name LIKE ?) AND sequence > ? "
    "GROUP BY resource_type, resource_name ORDER BY newest LIMIT ?) ORDER BY part, newest";
constexpr char kSyncMeetingsSql[] =
    "SELECT m.view, m.source_sequence, a.member_id IS NOT NULL AS attended FROM cell_meetings m "
    "LEFT JOIN cell_meeting_attendees a ON a.meeting_id = m.meeting_id AND a.member_id = ? "
    "WHERE m.org_id = ? AND m.source_sequence > ? AND m.starts_at >= ? ORDER BY m.source_sequence LIMIT ?";

// What a cell's collection sheet and a member's dues ledger read
// (services/membership/store/dues_store.cc and the member rows): who owed the
// cell that month, then for those members their rows, bases, relief,
// status periods and entries, and the wage regions and ledger openings
// reaching their cells. The raw floor of the dues cases.
constexpr char kDuesOwingSql[] =
    "SELECT member_id FROM member_periods WHERE cell_id = ? AND host_cell_id IS NULL AND valid_from <= ? "
    "AND (valid_to IS NULL OR valid_to > ?) AND status IN (2, 3) "
    "UNION SELECT member_id FROM member_periods WHERE host_cell_id = ? AND valid_from <= ? "
    "AND (valid_to IS NULL OR valid_to > ?) AND status IN (2, 3) ORDER BY member_id";
constexpr char kIdSetSql[] = "(SELECT id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS id_set)";
const std::vector<std::string>& DuesReadSql() {
  static const std::vector<std::string> statements = {
      absl::StrCat("SELECT * FROM members WHERE id IN ", kIdSetSql),
      absl::StrCat("SELECT id, member_id, kind, amount, effective_month, note FROM dues_bases WHERE member_id IN ",
                   kIdSetSql, " ORDER BY member_id, effective_month"),
      absl::StrCat("SELECT * FROM dues_reliefs WHERE member_id IN ", kIdSetSql, " ORDER BY member_id, from_month, id"),
      absl::StrCat("SELECT member_id, valid_from, valid_to, status, cell_id, host_cell_id, exempt, suspended "
                   "FROM member_periods WHERE member_id IN ",
                   kIdSetSql, " ORDER BY member_id, valid_from"),
      absl::StrCat("SELECT e.*, c.id AS corrected_by FROM dues_entries e LEFT JOIN dues_entries c "
                   "ON c.corrects_entry_id = e.id WHERE e.member_id IN ",
                   kIdSetSql, " AND e.month BETWEEN ? AND ? ORDER BY e.member_id, e.id"),
      absl::StrCat("SELECT c.descendant_id, c.depth, w.region, w.effective_from FROM org_closure c "
                   "JOIN wage_regions w ON w.org_id = c.ancestor_id WHERE c.descendant_id IN ",
                   kIdSetSql),
      absl::StrCat("SELECT c.descendant_id, c.depth, o.first_month FROM org_closure c "
                   "JOIN dues_ledger_openings o ON o.org_id = c.ancestor_id WHERE c.descendant_id IN ",
                   kIdSetSql),
  };
  return statements;
}
// A one-row insert of a member row (the raw floor of a durable create).
constexpr char kInsertSql[] =
    "INSERT INTO members (full_name, search_name, sex, birth_date, occupation_category, status, cell_id, "
    "status_since, last_event_date, external_id) VALUES (?, ?, ?, ?, ?, 3, ?, ?, ?, ?)";
constexpr int kSearchPageSize = 50;

// ---- invented people -------------------------------------------------------------------

constexpr const char* kFamilyNames[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"};
constexpr const char* kFamilyFolded[] = {"nguyen", "tran", "le", "pham", "hoang", "huynh", "vo", "dang", "bui", "do"};
constexpr const char* kMiddleNames[] = {"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Quang", "Thanh", "Đức"};
constexpr const char* kMiddleFolded[] = {"van", "thi", "huu", "minh", "ngoc", "quang", "thanh", "duc"};
constexpr const char* kGivenNames[] = {"An",  "Bình", "Cường", "Dũng",  "Giang", "Hà",  "Khánh", "Lâm",  "Mai",
                                       "Nam", "Oanh", "Phúc",  "Quyên", "Sơn",   "Tâm", "Uyên",  "Vinh", "Yến"};

struct Person {
  std::string full_name;
  v1::Sex sex = v1::SEX_MALE;
  absl::CivilDay birth_date;
  std::string citizen_id;
  std::string external_id;
  std::string card;
  v1::OccupationCategory category = v1::OCCUPATION_CATEGORY_FARMER;
};

// Deterministic per index; indices must stay below 1,000,000 (the citizen ID's serial).
Person MakePerson(int64_t index) {
  std::mt19937_64 random(static_cast<uint64_t>(index) * 7919 + 17);
  Person p;
  p.full_name =
      absl::StrCat(kFamilyNames[random() % 10], " ", kMiddleNames[random() % 8], " ", kGivenNames[random() % 18]);
  p.sex = random() % 2 == 0 ? v1::SEX_MALE : v1::SEX_FEMALE;
  p.birth_date = absl::CivilDay(1950 + static_cast<int>(random() % 55), 1 + static_cast<int>(random() % 12),
                                1 + static_cast<int>(random() % 28));
  const int century_sex = (p.birth_date.year() >= 2000 ? 2 : 0) + (p.sex == v1::SEX_FEMALE ? 1 : 0);
  p.citizen_id = absl::StrFormat("068%d%02d%06d", century_sex, static_cast<int>(p.birth_date.year() % 100),
                                 static_cast<int>(index % 1000000));
  p.external_id = absl::StrFormat("BENCH-%07d", index);
  p.card = absl::StrFormat("TD-BENCH-%07d", index);
  static constexpr v1::OccupationCategory kCategories[] = {
      v1::OCCUPATION_CATEGORY_FARMER, v1::OCCUPATION_CATEGORY_CIVIL_SERVICE, v1::OCCUPATION_CATEGORY_RETIRED,
      v1::OCCUPATION_CATEGORY_WORKER, v1::OCCUPATION_CATEGORY_STUDENT};
  p.category = kCategories[random() % 5];
  return p;
}

// An existing member's CreateMemberRequest: official unless `probationary`.
v1::CreateMemberRequest ExistingMemberRequest(const Person& p, int64_t cell, bool probationary, absl::CivilDay today) {
  v1::CreateMemberRequest request;
  v1::Member* m = request.mutable_member();
  m->set_full_name(p.full_name);
  m->set_sex(p.sex);
  m->set_birth_date(common::api::FormatDate(p.birth_date));
  m->set_birth_place("Xã Lộc Thành, huyện Bảo Lâm, tỉnh Lâm Đồng");
  m->set_ethnicity("01");  // Kinh
  m->set_citizen_id(p.citizen_id);
  m->set_occupation_category(p.category);
  m->set_general_education(v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  m->set_current_address("Thôn 3, xã Lộc Thành");
  m->set_external_id(p.external_id);
  const absl::CivilDay ceremony = probationary ? today - 90 : today - 3650;
  v1::ExistingMemberEntry* e = request.mutable_existing();
  e->set_cell(common::api::MakeName("organizations", cell));
  e->set_status(probationary ? v1::MEMBER_STATUS_PROBATIONARY : v1::MEMBER_STATUS_OFFICIAL);
  e->set_admission_decision_date(common::api::FormatDate(ceremony - 14));
  e->set_admission_ceremony_date(common::api::FormatDate(ceremony));
  if (!probationary) e->set_official_date(common::api::FormatDate(ceremony + 365));
  e->set_joined_cell_on(common::api::FormatDate(ceremony));
  request.set_party_card_number(p.card);
  return request;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// ---- measurement ------------------------------------------------------------------------

std::unique_ptr<sql::Connection> Connect(const Options& options, const std::string& schema) {
  return ConnectRaw(RawServer{options.db_host, options.db_port, options.db_user, options.db_password}, schema);
}


// ---- the bench ----------------------------------------------------------------------------

class Bench {
 public:
  explicit Bench(Options options) : options_(std::move(options)) {}
  ~Bench();
  int Run();

 private:
  absl::Status CreateDatabases();
  absl::Status StartOrg();
  absl::Status StartMembership();
  absl::Status CreateTree();
  absl::Status Fill();
  absl::StatusOr<double> ImportThroughService(int64_t first_index, int rows);
  absl::StatusOr<double> RawMultiRowInserts(int64_t first_index, int rows);
  // Until the replica has applied every transaction the membership pool committed.
  absl::Status WaitForReplica();
  absl::Status FollowWithReporting();
  void Stop();
  std::string OrgDb() const { return absl::StrCat(options_.database_prefix, "_org"); }
  std::string MemberDb() const { return absl::StrCat(options_.database_prefix, "_members"); }
  std::string ReportingDb() const { return absl::StrCat(options_.database_prefix, "_reporting"); }
  std::shared_ptr<grpc::Channel> NewChannel(int port) const {
    grpc::ChannelArguments args = common::DefaultChannelArguments();
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection, like a separate client
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args);
  }
  std::string Mint(Role role, int64_t scope) const {
    common::auth::Claims claims;
    claims.subject = "membership-bench-" + std::string(common::auth::RoleName(role));
    claims.roles = {role};
    claims.scope_org_id = scope;
    absl::StatusOr<std::string> token = signer_->Mint(claims, absl::Hours(4));
    return token.ok() ? *token : "";
  }
  // A member's own token (the mobile app's).
  std::string MintMember(int64_t member_id) const {
    common::auth::Claims claims;
    claims.subject = absl::StrCat("membership-bench-member-", member_id);
    claims.roles = {Role::kMember};
    claims.scope_org_id = root_id_;
    claims.member_id = member_id;
    absl::StatusOr<std::string> token = signer_->Mint(claims, absl::Hours(4));
    return token.ok() ? *token : "";
  }
  int64_t RandomCell(std::mt19937_64& random) const { return cells_[random() % cells_.size()]; }
  // One of the filled members.
  int64_t RandomMemberId(std::mt19937_64& random) const {
    return first_member_id_ +
           static_cast<int64_t>(random() % static_cast<uint64_t>(last_member_id_ - first_member_id_ + 1));
  }

  Options options_;
  std::unique_ptr<common::RulesRegistry> rules_;
  std::unique_ptr<common::auth::TokenSigner> signer_;
  std::shared_ptr<const common::auth::TokenVerifier> verifier_;
  // org side
  std::unique_ptr<common::db::ConnectionPool> org_pool_;
  std::unique_ptr<org::OrgServices> org_services_;
  std::unique_ptr<common::ServiceHost> org_host_;
  // membership side
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::shared_ptr<prometheus::Registry> replica_metrics_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<common::db::ReadRouter> replica_reads_;  // null without --replica-port
  std::unique_ptr<common::WorkingCalendar> calendar_;
  std::unique_ptr<membership::domain::CodeLists> codes_;
  std::string token_file_;
  std::unique_ptr<membership::MembershipServices> services_;
  std::unique_ptr<common::ServiceHost> host_;
  // The HTTP/JSON gateway in front of host_ (the http case only).
  std::unique_ptr<gateway::RouteTable> gateway_routes_;
  std::unique_ptr<gateway::Backends> gateway_backends_;
  std::unique_ptr<gateway::HttpGateway> gateway_;
  std::unique_ptr<common::HttpListener> gateway_listener_;

  void StartGateway() {
    if (gateway_listener_) return;
    absl::StatusOr<gateway::RouteTable> routes = gateway::RouteTable::Build(gateway::LinkedServices("grassroots."));
    if (!routes.ok()) {
      std::cerr << "gateway routes: " << routes.status() << std::endl;
      std::exit(1);
    }
    gateway_routes_ = std::make_unique<gateway::RouteTable>(*std::move(routes));
    gateway_backends_ = std::make_unique<gateway::Backends>();
    gateway_backends_->Add("membership", gateway::BackendChannel(absl::StrCat("127.0.0.1:", host_->port())));
    auto registry = std::make_shared<prometheus::Registry>();
    gateway_ = std::make_unique<gateway::HttpGateway>(*gateway_routes_, *gateway_backends_, gateway::GatewayOptions{},
                                                      registry);
    absl::StatusOr<std::unique_ptr<common::HttpListener>> listener = common::HttpListener::Start(
        {.name = "http", .address = "127.0.0.1:0", .threads = 32},
        [this](httplib::Server& server) { gateway_->Install(server); }, registry);
    if (!listener.ok()) {
      std::cerr << "gateway listener: " << listener.status() << std::endl;
      std::exit(1);
    }
    gateway_listener_ = *std::move(listener);
    std::cout << "gateway on 127.0.0.1:" << gateway_listener_->port() << std::endl;
  }
  // data
  int64_t root_id_ = 0;
  std::vector<int64_t> grassroots_;
  std::vector<int64_t> cells_;
  int64_t first_member_id_ = 0;
  int64_t last_member_id_ = 0;
  double fill_seconds_ = 0;
  std::string admin_token_;
};

Bench::~Bench() { Stop(); }

void Bench::Stop() {
  // Outside in: the gateway, then the servers, then the services, whose
  // background threads (the audit writer) use the pools Run() releases next.
  gateway_listener_.reset();
  gateway_.reset();
  if (services_) services_->follower().Stop();
  if (host_) host_->Stop();
  if (org_host_) org_host_->Stop();
  host_.reset();
  org_host_.reset();
  services_.reset();
  org_services_.reset();
  if (!token_file_.empty()) std::remove(token_file_.c_str());
}

absl::Status Bench::CreateDatabases() {
  try {
    std::unique_ptr<sql::Connection> admin = Connect(options_, "");
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    for (const std::string& name : {OrgDb(), MemberDb()}) {
      statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", name, "`"));
      statement->execute(absl::StrCat("CREATE DATABASE `", name, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
    }
  } catch (const sql::SQLException& e) {
    return absl::UnavailableError(absl::StrCat("cannot create the databases: ", e.what()));
  }
  auto make_pool = [&](const std::string& database) -> absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> {
    common::DbConfig db;
    db.host = options_.db_host;
    db.port = options_.db_port;
    db.user = options_.db_user;
    db.password = options_.db_password;
    db.database = database;
    db.pool_size = 32;
    return common::db::ConnectionPool::Create(db, nullptr);
  };
  auto org_pool = make_pool(OrgDb());
  if (!org_pool.ok()) return org_pool.status();
  org_pool_ = std::move(*org_pool);
  auto pool = make_pool(MemberDb());
  if (!pool.ok()) return pool.status();
  pool_ = std::move(*pool);
  absl::Status migrated =
      common::db::ApplyMigrations(*org_pool_, {&common::db::CommonMigrations(), &migrations::OrgMigrations()});
  if (!migrated.ok()) return migrated;
  return common::db::ApplyMigrations(*pool_, {&common::db::CommonMigrations(), &migrations::MembershipMigrations(),
                                             &migrations::OrgTreeMigrations()});
}

common::ServerConfig BenchServerConfig() {
  common::ServerConfig server;  // production defaults, except the address and no metrics exposer
  server.grpc_address = "127.0.0.1:0";
  server.metrics_address = "";
  server.drain_delay = std::chrono::milliseconds(0);
  return server;
}

absl::Status Bench::StartOrg() {
  org_services_ = std::make_unique<org::OrgServices>(
      org::OrgDependencies{.pool = *org_pool_,
                           .rules = *rules_,
                           .verifier = verifier_,
                           .page_token_secret = "membership-bench-org-page-tokens"});
  common::ServerConfig org_server = BenchServerConfig();
  org_server.authenticate = common::auth::BearerGate(verifier_);
  org_host_ = std::make_unique<common::ServiceHost>("org-for-membership-bench", org_server,
                                                    std::make_shared<prometheus::Registry>());
  org_services_->RegisterServices(*org_host_);
  return org_host_->Start();
}

absl::Status Bench::StartMembership() {
  auto codes = membership::domain::CodeLists::LoadDir(membership::domain::CodeLists::DefaultDir());
  if (!codes.ok()) return codes.status();
  codes_ = std::make_unique<membership::domain::CodeLists>(std::move(*codes));
  auto calendar = common::WorkingCalendar::LoadFile(common::WorkingCalendar::DefaultPath());
  if (!calendar.ok()) return calendar.status();
  calendar_ = std::make_unique<common::WorkingCalendar>(std::move(*calendar));
  token_file_ = absl::StrCat("/tmp/grassroots-membership-bench-token-", getpid());
  {
    std::ofstream out(token_file_, std::ios::trunc);
    out << Mint(Role::kService, root_id_) << "\n";
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", token_file_));
  }
  // The org channel as main.cc builds it.
  grpc::ChannelArguments org_args = common::DefaultChannelArguments();
  org_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  if (options_.replica_port > 0) {
    common::ReadReplicaConfig replica;
    replica.host = options_.db_host;
    replica.port = options_.replica_port;
    replica.wait = std::chrono::milliseconds(options_.replica_wait_ms);
    GR_ASSIGN_OR_RETURN(replica_reads_, common::db::ReadRouter::Create(*pool_, replica, replica_metrics_));
  }
  services_ = std::make_unique<membership::MembershipServices>(membership::MembershipDependencies{
      .pool = *pool_,
      .replica_reads = replica_reads_.get(),
      .rules = *rules_,
      .verifier = verifier_,
      .page_token_secret = "membership-bench-page-tokens",
      .citizen_id_lookup_key = "membership-bench-citizen-id-lookup-key",
      .sensitive_keys = std::make_shared<const common::crypto::Keyring>(
          common::crypto::Keyring::FromKeys({{1, std::string(32, 'k')}}, 1).value()),
      .calendar = *calendar_,
      .codes = *codes_,
      .org_channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", org_host_->port()),
                                               grpc::InsecureChannelCredentials(), org_args),
      .service_token = std::make_shared<orgtree::ServiceToken>(token_file_)});
  common::ServerConfig server = BenchServerConfig();
  server.max_concurrent_calls = options_.max_concurrent_calls;
  server.authenticate = common::auth::BearerGate(verifier_);
  host_ = std::make_unique<common::ServiceHost>("membership-bench", server, std::make_shared<prometheus::Registry>());
  services_->RegisterServices(*host_);
  return host_->Start();
}

absl::Status Bench::WaitForReplica() {
  common::DbConfig replica = pool_->config();
  replica.port = options_.replica_port;
  replica.pool_size = 1;
  replica.read_timeout_seconds = 660;
  replica.statement_timeout_seconds = 0;
  GR_ASSIGN_OR_RETURN(std::unique_ptr<common::db::ConnectionPool> pool,
                      common::db::ConnectionPool::Create(replica, nullptr));
  const std::string position = pool_->CommitPosition().ToString();
  GR_ASSIGN_OR_RETURN(const int64_t waited,
                      pool->Read<int64_t>("bench.replica_wait", [&](common::db::Session& session) -> absl::StatusOr<int64_t> {
                        sql::PreparedStatement& wait = session.Prepare("SELECT MASTER_GTID_WAIT(?, 600)");
                        wait.setString(1, position);
                        std::unique_ptr<sql::ResultSet> rs = session.Query(wait);
                        if (!rs->next() || rs->isNull(1)) return absl::InternalError("MASTER_GTID_WAIT gave no answer");
                        return static_cast<int64_t>(rs->getInt64(1));
                      }));
  if (waited != 0) return absl::DeadlineExceededError(absl::StrCat("the replica did not reach ", position, " in 600 s"));
  return absl::OkStatus();
}

absl::Status Bench::CreateTree() {
  auto stub = orgv1::OrganizationService::NewStub(NewChannel(org_host_->port()));
  std::string token = Mint(Role::kAdmin, 1);  // an empty tree lets any administrator create the root
  auto create = [&](const std::string& code, const std::string& name, const std::string& type,
                    int64_t parent) -> absl::StatusOr<int64_t> {
    orgv1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code(code);
    request.mutable_organization()->set_display_name(name);
    request.mutable_organization()->set_type(type);
    request.mutable_organization()->set_established_on("2000-01-01");
    if (parent > 0) request.mutable_organization()->set_parent(common::api::MakeName("organizations", parent));
    orgv1::Organization created;
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status status = stub->CreateOrganization(&context, request, &created);
    if (!status.ok()) return absl::InternalError(absl::StrCat("creating ", code, ": ", status.error_message()));
    return common::api::ParseId(created.name(), "organizations", "name");
  };
  absl::StatusOr<int64_t> root = create("MBENCH", "Đảng bộ tỉnh Thử Nghiệm", "DANG_BO_TINH", 0);
  if (!root.ok()) return root.status();
  root_id_ = *root;
  token = Mint(Role::kAdmin, root_id_);
  for (int g = 0; g < options_.grassroots; ++g) {
    absl::StatusOr<int64_t> grassroots =
        create(absl::StrCat("MBENCH.G", g), absl::StrCat("Đảng bộ xã số ", g + 1), "DANG_BO_CO_SO", root_id_);
    if (!grassroots.ok()) return grassroots.status();
    grassroots_.push_back(*grassroots);
    for (int c = 0; c < options_.cells_per_grassroots; ++c) {
      absl::StatusOr<int64_t> cell =
          create(absl::StrCat("MBENCH.G", g, ".C", c), absl::StrCat("Chi bộ thôn ", c + 1, " xã số ", g + 1),
                 "CHI_BO_TRUC_THUOC", *grassroots);
      if (!cell.ok()) return cell.status();
      cells_.push_back(*cell);
    }
  }
  return absl::OkStatus();
}

absl::Status Bench::Fill() {
  const auto started = Clock::now();
  const absl::CivilDay today = common::api::Today();
  const common::feed::WriteContext write{"membership-bench-fill", ""};
  std::mt19937_64 random(99);
  int64_t next = 0;
  while (next < options_.members) {
    const int64_t end = std::min<int64_t>(options_.members, next + options_.fill_batch);
    std::vector<membership::NewMember> batch;
    batch.reserve(static_cast<size_t>(end - next));
    for (int64_t i = next; i < end; ++i) {
      const v1::CreateMemberRequest request =
          ExistingMemberRequest(MakePerson(i), RandomCell(random), /*probationary=*/i % 10 == 0, today);
      absl::StatusOr<membership::NewMember> fresh = membership::ValidateCreateMember(services_->context(), request);
      if (!fresh.ok()) return fresh.status();
      batch.push_back(std::move(*fresh));
    }
    absl::Status status = pool_->RunInTransaction("bench.fill", [&](common::db::Session& session) -> absl::Status {
      for (const membership::NewMember& fresh : batch) {
        absl::StatusOr<membership::domain::MemberRecord> record =
            membership::InsertMember(services_->context(), session, write, fresh);
        if (!record.ok()) return record.status();
        if (first_member_id_ == 0) first_member_id_ = record->id;
        last_member_id_ = record->id;
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    next = end;
    if (next % 10000 == 0) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
      std::cout << "  " << next << " members (" << absl::StrFormat("%.0f", static_cast<double>(next) / elapsed) << "/s)"
                << std::endl;
    }
  }
  fill_seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
  return absl::OkStatus();
}

// Streams a CSV of `rows` new members through ImportMembers; rows created per second.
absl::StatusOr<double> Bench::ImportThroughService(int64_t first_index, int rows) {
  const absl::CivilDay today = common::api::Today();
  std::string csv =
      "external_id,full_name,sex,birth_date,ethnicity,citizen_id,party_card_number,occupation_category,cell,status,"
      "admission_decision_date,admission_ceremony_date,official_date,joined_cell_on,current_address\n";
  std::mt19937_64 random(7);
  for (int i = 0; i < rows; ++i) {
    const Person p = MakePerson(first_index + i);
    const absl::CivilDay ceremony = today - 3000;
    absl::StrAppend(&csv, p.external_id, ",", p.full_name, ",", p.sex == v1::SEX_MALE ? "Nam" : "Nữ", ",",
                    common::api::FormatDate(p.birth_date), ",Kinh,", p.citizen_id, ",", p.card, ",",
                    CsvField(p.category == v1::OCCUPATION_CATEGORY_CIVIL_SERVICE ? "civil_service" : "farmer"), ",",
                    common::api::MakeName("organizations", RandomCell(random)), ",official,",
                    common::api::FormatDate(ceremony - 14), ",", common::api::FormatDate(ceremony), ",",
                    common::api::FormatDate(ceremony + 365), ",", common::api::FormatDate(ceremony), ",",
                    CsvField("Thôn 2, xã Lộc An"), "\n");
  }
  auto stub = v1::MemberImportService::NewStub(NewChannel(host_->port()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  const auto started = Clock::now();
  auto stream = stub->ImportMembers(&context);
  v1::ImportSummary summary;
  std::string first_row_error;
  std::thread reader([&] {
    v1::ImportProgress progress;
    while (stream->Read(&progress)) {
      summary = progress.so_far();
      for (const v1::RowResult& row : progress.rows()) {
        if (row.outcome() == v1::ROW_OUTCOME_ERROR && first_row_error.empty()) {
          first_row_error = absl::StrCat("line ", row.line(), " ", row.column(), ": ", row.message());
        }
      }
    }
  });
  constexpr size_t kChunk = 64 * 1024;  // what the CLI sends
  for (size_t offset = 0; offset < csv.size(); offset += kChunk) {
    v1::ImportChunk chunk;
    if (offset == 0) chunk.set_file_name("bench.csv");
    chunk.set_data(csv.substr(offset, kChunk));
    if (!stream->Write(chunk)) break;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  if (!status.ok()) return absl::InternalError(absl::StrCat("import: ", status.error_message()));
  if (summary.created() != rows) {
    return absl::InternalError(
        absl::StrCat("import created ", summary.created(), " of ", rows, " rows; first error: ", first_row_error));
  }
  return static_cast<double>(rows) / elapsed;
}

// The same number of member rows as multi-row INSERTs of 500 rows, each committed.
absl::StatusOr<double> Bench::RawMultiRowInserts(int64_t first_index, int rows) {
  try {
    std::unique_ptr<sql::Connection> connection = Connect(options_, MemberDb());
    std::unique_ptr<sql::Statement> statement(connection->createStatement());
    const std::string today = common::api::FormatDate(common::api::Today());
    std::mt19937_64 random(11);
    const auto started = Clock::now();
    constexpr int kRowsPerStatement = 500;
    for (int done = 0; done < rows; done += kRowsPerStatement) {
      std::vector<std::string> values;
      for (int i = done; i < std::min(rows, done + kRowsPerStatement); ++i) {
        const Person p = MakePerson(first_index + i);
        values.push_back(absl::StrCat("('", p.full_name, "','", common::api::FoldForSearch(p.full_name), "',",
                                      static_cast<int>(p.sex), ",'", common::api::FormatDate(p.birth_date), "',",
                                      static_cast<int>(p.category), ",4,", RandomCell(random), ",'", today, "','",
                                      today, "','RAW-", p.external_id, "')"));
      }
      statement->execute(absl::StrCat(
          "INSERT INTO members (full_name, search_name, sex, birth_date, occupation_category, status, cell_id, "
          "status_since, last_event_date, external_id) VALUES ",
          absl::StrJoin(values, ",")));
    }
    return static_cast<double>(rows) / std::chrono::duration<double>(Clock::now() - started).count();
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat("raw multi-row insert: ", e.what()));
  }
}

// The reporting service in-process, following the org and membership feeds
// over gRPC as main.cc wires it (inspection's feed points at a closed port).
// 1. A full rebuild: from an empty read model to both feeds' heads.
// 2. Write-to-scorecard lag: writer threads call CreateMember (durable) at up
//    to --reporting-rate per second for --reporting-seconds; meanwhile a
//    reader repeatedly notes membership's feed head (its newest committed
//    write) and polls GetScorecard for the province until the scorecard's
//    membership position reaches it. The time between is the lag of that
//    write (an upper bound: the head is read just after the write commits).
absl::Status Bench::FollowWithReporting() {
  {
    std::unique_ptr<sql::Connection> admin = Connect(options_, "");
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", ReportingDb(), "`"));
    statement->execute(
        absl::StrCat("CREATE DATABASE `", ReportingDb(), "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
  }
  common::DbConfig db;
  db.host = options_.db_host;
  db.port = options_.db_port;
  db.user = options_.db_user;
  db.password = options_.db_password;
  db.database = ReportingDb();
  db.pool_size = 16;
  GR_ASSIGN_OR_RETURN(std::unique_ptr<common::db::ConnectionPool> pool, common::db::ConnectionPool::Create(db, nullptr));
  GR_RETURN_IF_ERROR(common::db::ApplyMigrations(
      *pool, {&common::db::CommonMigrations(), &migrations::ReportingMigrations(), &migrations::OrgTreeMigrations(),
              &migrations::MemberFactsMigrations()}));
  GR_ASSIGN_OR_RETURN(reporting::domain::Plan plan, reporting::domain::LoadPlanFile(reporting::domain::DefaultPlanPath()));
  reporting::PlanCatalog plans;
  plans.default_plan_id = plan.id;
  plans.plans.emplace(plan.id, std::move(plan));
  auto feed_channel = [](int port) {
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
                                     common::DefaultChannelArguments());
  };
  auto head_of = [](common::db::ConnectionPool& producer) {
    return producer.Read<int64_t>("bench.head", [](common::db::Session& session) {
      std::unique_ptr<sql::ResultSet> rs =
          session.Query(session.Prepare("SELECT last_sequence FROM feed_head WHERE id = 1"));
      return rs->next() ? rs->getInt64(1) : int64_t{0};
    });
  };
  auto cursor_of = [&](const std::string& source) {
    return pool->Read<int64_t>("bench.cursor", [&](common::db::Session& session) {
      sql::PreparedStatement& ps = session.Prepare("SELECT last_sequence FROM feed_cursors WHERE source = ?");
      ps.setString(1, source);
      std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
      return rs->next() ? rs->getInt64(1) : int64_t{0};
    });
  };
  GR_ASSIGN_OR_RETURN(const int64_t org_head, head_of(*org_pool_));
  GR_ASSIGN_OR_RETURN(const int64_t member_head, head_of(*pool_));

  const auto rebuild_started = Clock::now();
  reporting::ReportingServices services(reporting::ReportingDependencies{
      .pool = *pool,
      .rules = *rules_,
      .calendar = *calendar_,
      .verifier = verifier_,
      .plans = std::move(plans),
      .page_token_secret = "membership-bench-reporting-page-tokens",
      .org_channel = feed_channel(org_host_->port()),
      .membership_channel = feed_channel(host_->port()),
      .inspection_channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
      .service_token = std::make_shared<orgtree::ServiceToken>(token_file_)});
  common::ServerConfig reporting_server = BenchServerConfig();
  reporting_server.authenticate = common::auth::BearerGate(verifier_);
  common::ServiceHost host("reporting-for-membership-bench", reporting_server,
                           std::make_shared<prometheus::Registry>());
  services.RegisterServices(host);
  GR_RETURN_IF_ERROR(host.Start());
  std::cout << "reporting rebuilding its read model from org (" << org_head << " changes) and membership ("
            << member_head << " changes)..." << std::endl;
  for (;;) {
    GR_ASSIGN_OR_RETURN(const int64_t org_cursor, cursor_of("org"));
    GR_ASSIGN_OR_RETURN(const int64_t member_cursor, cursor_of("membership"));
    if (org_cursor >= org_head && member_cursor >= member_head) break;
    if (Clock::now() - rebuild_started > std::chrono::minutes(30)) {
      host.Stop();
      return absl::DeadlineExceededError("the rebuild did not finish in 30 minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double rebuild_seconds = std::chrono::duration<double>(Clock::now() - rebuild_started).count();
  std::cout << absl::StrFormat("full rebuild: %d changes in %.1f s (%.0f changes/s)\n", org_head + member_head,
                               rebuild_seconds, static_cast<double>(org_head + member_head) / rebuild_seconds);

  auto scorecards = reporting::v1::ScorecardService::NewStub(NewChannel(host.port()));
  auto scorecard_position = [&]() -> absl::StatusOr<int64_t> {
    reporting::v1::GetScorecardRequest request;
    request.mutable_scope()->set_organization(common::api::MakeName("organizations", root_id_));
    request.mutable_scope()->set_as_of_date(common::api::FormatDate(common::api::Today()));
    reporting::v1::Scorecard card;
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    grpc::Status status = scorecards->GetScorecard(&context, request, &card);
    if (!status.ok()) return absl::InternalError(absl::StrCat("GetScorecard: ", status.error_message()));
    for (const reporting::v1::FeedPosition& position : card.positions()) {
      if (position.source() == "membership") return position.sequence();
    }
    return int64_t{0};
  };
  const auto first_started = Clock::now();
  GR_RETURN_IF_ERROR(scorecard_position().status());
  std::cout << absl::StrFormat("first scorecard of the province after the rebuild: %.0f ms\n",
                               std::chrono::duration<double, std::milli>(Clock::now() - first_started).count());

  // Writers, paced to the rate together.
  std::atomic<bool> writing{true};
  std::atomic<int64_t> written{0}, write_errors{0};
  std::atomic<int64_t> next_person{400000};
  const absl::CivilDay today = common::api::Today();
  const auto interval = std::chrono::duration<double>(static_cast<double>(options_.reporting_writers) /
                                                       std::max(1, options_.reporting_rate));
  std::vector<std::thread> writers;
  for (int w = 0; w < options_.reporting_writers; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::MemberService::NewStub(NewChannel(host_->port()));
      std::mt19937_64 random(1000 + w);
      auto next_at = Clock::now();
      while (writing.load()) {
        next_at += std::chrono::duration_cast<Clock::duration>(interval);
        const v1::CreateMemberRequest request =
            ExistingMemberRequest(MakePerson(next_person.fetch_add(1)), RandomCell(random), true, today);
        v1::Member created;
        grpc::ClientContext context;
        context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        if (stub->CreateMember(&context, request, &created).ok()) {
          written.fetch_add(1);
        } else {
          write_errors.fetch_add(1);
        }
        std::this_thread::sleep_until(next_at);
      }
    });
  }
  std::vector<double> lag_ms;
  const auto load_started = Clock::now();
  absl::Status reader_status;
  while (Clock::now() - load_started < std::chrono::duration<double>(options_.reporting_seconds)) {
    absl::StatusOr<int64_t> head = head_of(*pool_);
    const auto noted = Clock::now();
    if (!head.ok()) {
      reader_status = head.status();
      break;
    }
    for (;;) {
      absl::StatusOr<int64_t> position = scorecard_position();
      if (!position.ok()) {
        reader_status = position.status();
        break;
      }
      if (*position >= *head) break;
      if (Clock::now() - noted > std::chrono::seconds(60)) {
        reader_status = absl::DeadlineExceededError("a write did not reach the scorecard in 60 s");
        break;
      }
    }
    if (!reader_status.ok()) break;
    lag_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - noted).count());
  }
  writing.store(false);
  for (std::thread& writer : writers) writer.join();
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_started).count();
  host.Stop();
  GR_RETURN_IF_ERROR(reader_status);
  std::sort(lag_ms.begin(), lag_ms.end());
  auto percentile = [&](double p) {
    return lag_ms.empty() ? 0.0 : lag_ms[std::min(lag_ms.size() - 1, static_cast<size_t>(p * lag_ms.size()))];
  };
  std::cout << absl::StrFormat(
      "write to scorecard: %d CreateMember calls in %.1f s (%.0f/s achieved, %d aimed at by %d writers, %d errors);\n"
      "  lag over %d samples: p50 %.0f ms, p99 %.0f ms, max %.0f ms (the province's scorecard, read after each write "
      "reached it)\n",
      written.load(), load_seconds, static_cast<double>(written.load()) / load_seconds, options_.reporting_rate,
      options_.reporting_writers, write_errors.load(), lag_ms.size(), percentile(0.5), percentile(0.99),
      lag_ms.empty() ? 0.0 : lag_ms.back());
  return absl::OkStatus();
}

int Bench::Run() {
  const auto run_started = Clock::now();
  common::log::Init("membership-bench", common::log::Level::kWarn);
  // Created once before any thread (Connector/C++ 1.1 is not thread-safe there).
  sql::mysql::get_mysql_driver_instance();
  if (options_.members + options_.import_rows > 190000) {
    std::cerr << "--members plus --import-rows must stay below 190,000 (citizen ID serials)" << std::endl;
    return 2;
  }
  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  if (!rules.ok()) {
    std::cerr << "rules: " << rules.status() << std::endl;
    return 1;
  }
  rules_ = std::make_unique<common::RulesRegistry>(std::move(*rules));
  auto keys = common::auth::GenerateRsaKeyPairPem();
  if (!keys.ok()) {
    std::cerr << "keys: " << keys.status() << std::endl;
    return 1;
  }
  common::AuthConfig auth;
  // A long run: its service token outlives the production maximum on purpose.
  auth.max_service_token_lifetime_seconds = 12 * 3600;
  auto verifier = common::auth::TokenVerifier::FromPublicKeyPem(keys->second, auth);
  auto signer = common::auth::TokenSigner::FromPrivateKeyPem(keys->first, auth.issuer, auth.audience);
  if (!verifier.ok() || !signer.ok()) {
    std::cerr << "token keys unusable" << std::endl;
    return 1;
  }
  verifier_ = std::shared_ptr<const common::auth::TokenVerifier>(std::move(*verifier));
  signer_ = std::move(*signer);

  auto fail = [&](std::string_view what, const absl::Status& status) {
    std::cerr << what << ": " << status << std::endl;
    Stop();
    return 1;
  };
  if (absl::Status s = CreateDatabases(); !s.ok()) return fail("databases", s);
  if (absl::Status s = StartOrg(); !s.ok()) return fail("org service", s);
  if (absl::Status s = CreateTree(); !s.ok()) return fail("tree", s);
  if (absl::Status s = StartMembership(); !s.ok()) return fail("membership service", s);
  admin_token_ = Mint(Role::kAdmin, root_id_);
  // The projection must hold the whole tree before scope checks mean anything.
  absl::StatusOr<int64_t> org_head = org_pool_->Read<int64_t>("bench.head", [](common::db::Session& session) {
    std::unique_ptr<sql::ResultSet> rs =
        session.Query(session.Prepare("SELECT last_sequence FROM feed_head WHERE id = 1"));
    return rs->next() ? rs->getInt64(1) : int64_t{0};
  });
  if (!org_head.ok()) return fail("org feed head", org_head.status());
  if (!services_->follower().WaitUntilHandled(*org_head, std::chrono::seconds(60))) {
    return fail("projection", absl::DeadlineExceededError("the org tree did not reach the projection in 60 s"));
  }
  std::cout << "org service on 127.0.0.1:" << org_host_->port() << ", membership on 127.0.0.1:" << host_->port()
            << "; tree of " << 1 + grassroots_.size() + cells_.size() << " organizations projected" << std::endl;
  std::cout << "filling " << options_.members << " members through ValidateCreateMember + InsertMember, "
            << options_.fill_batch << " per transaction..." << std::endl;
  if (absl::Status s = Fill(); !s.ok()) return fail("fill", s);
  std::cout << absl::StrFormat("filled %d members in %.1f s (%.0f/s)\n", options_.members, fill_seconds_,
                               static_cast<double>(options_.members) / fill_seconds_);
  {
    // ANALYZE so the optimizer's statistics describe the filled tables (as they would in production).
    std::unique_ptr<sql::Connection> connection = Connect(options_, MemberDb());
    std::unique_ptr<sql::Statement> statement(connection->createStatement());
    statement->execute("ANALYZE TABLE members, member_sensitive, member_name_tokens, member_periods, org_closure");
  }
  if (options_.reporting_seconds > 0) {
    absl::Status followed = FollowWithReporting();
    Stop();
    if (!options_.keep_databases) {
      try {
        std::unique_ptr<sql::Connection> admin = Connect(options_, "");
        std::unique_ptr<sql::Statement> statement(admin->createStatement());
        for (const std::string& name : {OrgDb(), MemberDb(), ReportingDb()}) {
          statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", name, "`"));
        }
      } catch (const sql::SQLException& e) {
        std::cerr << "could not drop the bench databases: " << e.what() << std::endl;
      }
    }
    if (!followed.ok()) return fail("reporting", followed);
    return 0;
  }

  // The replica applies the fill before anything is measured: the first
  // searches would otherwise all wait for it and read the primary.
  if (replica_reads_) {
    if (absl::Status caught_up = WaitForReplica(); !caught_up.ok()) return fail("replica", caught_up);
  }

  // Sanity: a search returns something, a get returns the right record.
  {
    auto stub = v1::MemberService::NewStub(NewChannel(host_->port()));
    v1::SearchMembersRequest request;
    request.set_query("nguyen van");
    request.set_organization(common::api::MakeName("organizations", grassroots_.front()));
    v1::SearchMembersResponse response;
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
    grpc::Status status = stub->SearchMembers(&context, request, &response);
    if (!status.ok() || response.members_size() == 0) {
      return fail("sanity search",
                  absl::InternalError(absl::StrCat(status.error_message(), " results=", response.members_size())));
    }
    std::cout << "sanity: 'nguyen van' in one grassroots subtree: " << response.members_size() << " on the first page"
              << (response.next_page_token().empty() ? "" : " (more pages)") << std::endl;
  }

  const absl::CivilDay today = common::api::Today();
  const std::string today_text = common::api::FormatDate(today);
  std::atomic<int64_t> create_index{200000};
  std::atomic<int64_t> raw_insert_index{600000};
  std::vector<CaseResult> results;
  const std::vector<std::string> cases = absl::StrSplit(options_.cases, ',', absl::SkipWhitespace());
  auto wanted = [&](std::string_view name) { return std::find(cases.begin(), cases.end(), name) != cases.end(); };
  for (int threads : ParseThreads(options_.threads)) {
    std::cout << "measuring with " << threads << " client thread(s), " << options_.seconds << " s per case..."
              << std::endl;
    if (wanted("get")) {
      results.push_back(RunCase("GetMember (gRPC)", threads, options_.seconds, [&](int) -> Call {
        auto stub = std::shared_ptr<v1::MemberService::Stub>(v1::MemberService::NewStub(NewChannel(host_->port())));
        return [this, stub](std::mt19937_64& random) -> std::string {
          const int64_t id = RandomMemberId(random);
          v1::GetMemberRequest request;
          request.set_name(absl::StrCat("members/", id));
          v1::Member member;
          grpc::ClientContext context;
          context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          grpc::Status status = stub->GetMember(&context, request, &member);
          if (!status.ok()) return status.error_message();
          return member.name() == request.name() ? "" : "wrong member";
        };
      }));
      results.push_back(RunCase("raw: store's get by id", threads, options_.seconds, [&](int) -> Call {
        sql::mysql::get_mysql_driver_instance()->threadInit();
        auto connection = std::shared_ptr<sql::Connection>(Connect(options_, MemberDb()));
        auto statement = std::shared_ptr<sql::PreparedStatement>(connection->prepareStatement(kGetSql));
        return [this, connection, statement](std::mt19937_64& random) -> std::string {
          try {
            statement->setInt64(1, RandomMemberId(random));
            std::unique_ptr<sql::ResultSet> rows(statement->executeQuery());
            if (!rows->next()) return "no row";
            const unsigned columns = rows->getMetaData()->getColumnCount();
            size_t bytes = 0;
            for (unsigned c = 1; c <= columns; ++c) bytes += rows->getString(c).length();
            return bytes > 0 ? "" : "empty row";
          } catch (const sql::SQLException& e) {
            return e.what();
          }
        };
      }));
    }
    if (wanted("http")) {
      // The same GetMember through the HTTP/JSON gateway (in-process, loopback),
      // one keep-alive HTTP/1.1 connection per client thread.
      StartGateway();
      results.push_back(RunCase("GetMember (HTTP via gateway)", threads, options_.seconds, [&](int) -> Call {
        auto client = std::make_shared<httplib::Client>("127.0.0.1", gateway_listener_->port());
        client->set_keep_alive(true);
        client->set_tcp_nodelay(true);
        const httplib::Headers headers = {{"Authorization", absl::StrCat("Bearer ", admin_token_)}};
        return [this, client, headers](std::mt19937_64& random) -> std::string {
          const std::string name = absl::StrCat("members/", RandomMemberId(random));
          httplib::Result reply = client->Get(absl::StrCat("/v1/", name), headers);
          if (!reply) return absl::StrCat("no HTTP answer: ", httplib::to_string(reply.error()));
          if (reply->status != 200) return absl::StrCat("HTTP ", reply->status, ": ", reply->body.substr(0, 200));
          return reply->body.find(absl::StrCat("\"name\":\"", name, "\"")) != std::string::npos ? "" : "wrong member";
        };
      }));
    }
    if (wanted("dues")) {
      // A cell treasurer's sheet for last month and a member's ledger for
      // the year, over a year of payments for every member (filled once, by
      // SQL: the ledger opened in January, region I, each month paid).
      static bool dues_filled = false;
      if (!dues_filled) {
        dues_filled = true;
        std::unique_ptr<sql::Connection> connection(Connect(options_, MemberDb()));
        std::unique_ptr<sql::Statement> statement(connection->createStatement());
        const std::string january = absl::StrCat(today.year(), "-01-01");
        for (int64_t grassroots : grassroots_) {
          statement->execute(absl::StrCat("INSERT IGNORE INTO dues_ledger_openings (org_id, first_month) VALUES (",
                                          grassroots, ", '", january, "')"));
          statement->execute(absl::StrCat("INSERT IGNORE INTO wage_regions (org_id, region, effective_from, citation) "
                                          "VALUES (",
                                          grassroots, ", 1, '", january, "', 'Nghị định 293/2025/NĐ-CP')"));
        }
        const auto started = Clock::now();
        for (absl::CivilMonth month(today.year(), 1); month < absl::CivilMonth(today); ++month) {
          const std::string first = common::api::FormatDate(absl::CivilDay(month));
          statement->execute(absl::StrCat(
              "INSERT INTO dues_entries (member_id, month, amount, channel, paid_on, reference) SELECT id, '", first,
              "', 15930, 1, '", common::api::FormatDate(absl::CivilDay(month) + 9), "', '' FROM members"));
        }
        // Fresh statistics, as a table grown by a year of payments would have: without them the
        // first cases run on the plans of an empty table.
        statement->execute("ANALYZE TABLE dues_entries, dues_ledger_openings, wage_regions");
        std::cout << "dues: a year of payments for every member filled in "
                  << absl::StrFormat("%.1f", std::chrono::duration<double>(Clock::now() - started).count()) << " s"
                  << std::endl;
      }
      const std::string last_month = absl::FormatCivilTime(absl::CivilMonth(today) - 1);
      results.push_back(RunCase("GetCollectionSheet (gRPC)", threads, options_.seconds, [&](int) -> Call {
        auto stub = std::shared_ptr<v1::DuesService::Stub>(v1::DuesService::NewStub(NewChannel(host_->port())));
        return [this, stub, last_month](std::mt19937_64& random) -> std::string {
          v1::GetCollectionSheetRequest request;
          request.set_cell(absl::StrCat("organizations/", RandomCell(random)));
          request.set_month(last_month);
          v1::CollectionSheet sheet;
          grpc::ClientContext context;
          context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          grpc::Status status = stub->GetCollectionSheet(&context, request, &sheet);
          if (!status.ok()) return status.error_message();
          return sheet.rows_size() > 0 && sheet.total_paid() > 0 ? "" : "an empty sheet";
        };
      }));
      // The raw floor: the same reads for a cell-month, by hand.
      auto raw_dues = [&](bool sheet) {
        return [&, sheet](int) -> Call {
          sql::mysql::get_mysql_driver_instance()->threadInit();
          auto connection = std::shared_ptr<sql::Connection>(Connect(options_, MemberDb()));
          auto owing = std::shared_ptr<sql::PreparedStatement>(connection->prepareStatement(kDuesOwingSql));
          std::vector<std::shared_ptr<sql::PreparedStatement>> reads;
          for (const std::string& sql : DuesReadSql()) reads.emplace_back(connection->prepareStatement(sql));
          const absl::CivilMonth month = absl::CivilMonth(today) - 1;
          return [this, connection, owing, reads, month, sheet](std::mt19937_64& random) -> std::string {
            try {
              const int64_t cell = RandomCell(random);
              std::vector<int64_t> ids;
              if (sheet) {
                const std::string day = common::api::FormatDate(absl::CivilDay(month));
                int i = 1;
                for (int part = 0; part < 2; ++part) {
                  owing->setInt64(i++, cell);
                  owing->setString(i++, day);
                  owing->setString(i++, day);
                }
                std::unique_ptr<sql::ResultSet> rows(owing->executeQuery());
                while (rows->next()) ids.push_back(rows->getInt64(1));
                if (ids.empty()) return "nobody owed the cell";
              } else {
                ids.push_back(RandomMemberId(random));
              }
              const std::string id_array = absl::StrCat("[", absl::StrJoin(ids, ","), "]");
              const std::string cells = absl::StrCat("[", cell, "]");
              const std::string from = common::api::FormatDate(absl::CivilDay(sheet ? month : absl::CivilMonth(month.year(), 1)));
              const std::string to = common::api::FormatDate(absl::CivilDay(sheet ? month : absl::CivilMonth(month.year(), 12)));
              size_t rows_read = 0;
              for (size_t r = 0; r < reads.size(); ++r) {
                reads[r]->setString(1, r + 2 >= reads.size() ? cells : id_array);
                if (r == 4) {
                  reads[r]->setString(2, from);
                  reads[r]->setString(3, to);
                }
                std::unique_ptr<sql::ResultSet> rows(reads[r]->executeQuery());
                while (rows->next()) ++rows_read;
              }
              return rows_read > 0 ? "" : "nothing read";
            } catch (const sql::SQLException& e) {
              return e.what();
            }
          };
        };
      };
      results.push_back(RunCase("raw: the sheet's reads", threads, options_.seconds, raw_dues(true)));
      results.push_back(RunCase("GetDuesLedger (gRPC)", threads, options_.seconds, [&](int) -> Call {
        auto stub = std::shared_ptr<v1::DuesService::Stub>(v1::DuesService::NewStub(NewChannel(host_->port())));
        return [this, stub](std::mt19937_64& random) -> std::string {
          v1::GetDuesLedgerRequest request;
          request.set_member(absl::StrCat("members/", RandomMemberId(random)));
          v1::DuesLedger ledger;
          grpc::ClientContext context;
          context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          grpc::Status status = stub->GetDuesLedger(&context, request, &ledger);
          if (!status.ok()) return status.error_message();
          return ledger.months_size() == 12 ? "" : "a ledger without its months";
        };
      }));
      results.push_back(RunCase("raw: the ledger's reads", threads, options_.seconds, raw_dues(false)));
    }
    if (wanted("sync")) {
      // The mobile sync of a sample of members, each with their own token: the
      // first sync (the whole copy) and an idle one (from the cursor the first
      // returned, nothing changed since); the raw floor runs the idle sync's
      // statements for the same members.
      struct SyncingMember {
        int64_t id = 0;
        std::string token;
        std::string cursor;
        int64_t record_sequence = 0;
        int64_t cell_id = 0;
      };
      auto sample = std::make_shared<std::vector<SyncingMember>>();
      std::mt19937_64 draw(7);
      auto sync_stub = v1::MemberSyncService::NewStub(NewChannel(host_->port()));
      for (int i = 0; i < 200; ++i) {
        SyncingMember m{.id = RandomMemberId(draw)};
        m.token = MintMember(m.id);
        v1::SyncMyRecordRequest request;
        v1::SyncMyRecordResponse response;
        grpc::ClientContext context;
        context.AddMetadata("authorization", absl::StrCat("Bearer ", m.token));
        grpc::Status status = sync_stub->SyncMyRecord(&context, request, &response);
        if (!status.ok()) {
          std::cerr << "first sync of members/" << m.id << " failed: " << status.error_message() << std::endl;
          break;
        }
        m.cursor = response.next_cursor();
        m.cell_id = common::api::ParseId(response.record().member().cell(), "organizations", "cell").value_or(0);
        sample->push_back(std::move(m));
      }
      auto sync_call = [this, sample](bool idle) {
        return [this, sample, idle](int) -> Call {
          auto stub = std::shared_ptr<v1::MemberSyncService::Stub>(v1::MemberSyncService::NewStub(NewChannel(host_->port())));
          return [sample, stub, idle](std::mt19937_64& random) -> std::string {
            const SyncingMember& m = (*sample)[random() % sample->size()];
            v1::SyncMyRecordRequest request;
            if (idle) request.set_cursor(m.cursor);
            v1::SyncMyRecordResponse response;
            grpc::ClientContext context;
            context.AddMetadata("authorization", absl::StrCat("Bearer ", m.token));
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
            grpc::Status status = stub->SyncMyRecord(&context, request, &response);
            if (!status.ok()) return status.error_message();
            if (idle) return response.next_cursor() == m.cursor && !response.has_record() ? "" : "an idle sync sent changes";
            return response.has_record() ? "" : "a first sync without the record";
          };
        };
      };
      if (!sample->empty()) {
        results.push_back(RunCase("SyncMyRecord first (gRPC)", threads, options_.seconds, sync_call(false)));
        results.push_back(RunCase("SyncMyRecord idle (gRPC)", threads, options_.seconds, sync_call(true)));
        results.push_back(RunCase("raw: the idle sync's statements", threads, options_.seconds, [&, sample](int) -> Call {
          sql::mysql::get_mysql_driver_instance()->threadInit();
          auto connection = std::shared_ptr<sql::Connection>(Connect(options_, MemberDb()));
          auto prepare = [&](const std::string& sql) {
            return std::shared_ptr<sql::PreparedStatement>(connection->prepareStatement(sql));
          };
          auto start = prepare(kSyncStartSql), changes = prepare(kSyncChangesSql), meetings = prepare(kSyncMeetingsSql);
          // The idle position: past the newest change there is (nothing after it).
          const int64_t after = std::numeric_limits<int32_t>::max();
          const int64_t window = absl::ToUnixSeconds(absl::Now() - absl::Hours(24 * 400));
          return [connection, sample, start, changes, meetings, after,
                  window](std::mt19937_64& random) -> std::string {
            const SyncingMember& m = (*sample)[random() % sample->size()];
            auto drain = [](sql::PreparedStatement& statement) {
              std::unique_ptr<sql::ResultSet> rows(statement.executeQuery());
              int n = 0;
              while (rows->next()) ++n;
              return n;
            };
            try {
              start->setInt64(1, m.id);
              if (drain(*start) != 1) return "no feed head";
              const std::string name = absl::StrCat("members/", m.id), children = absl::StrCat(name, "/%");
              int i = 1;
              for (const char* type : {"member", "member_event"}) changes->setString(i++, type);
              changes->setString(i++, name);
              changes->setString(i++, children);
              changes->setInt64(i++, after);
              changes->setInt(i++, 1000);
              for (const char* type : {"residence_registration", "residence_feedback", "commitment", "rating", "training"}) {
                changes->setString(i++, type);
              }
              changes->setString(i++, name);
              changes->setString(i++, children);
              changes->setInt64(i++, after);
              changes->setInt(i++, 101);
              drain(*changes);
              meetings->setInt64(1, m.id);
              meetings->setInt64(2, m.cell_id);
              meetings->setInt64(3, after);
              meetings->setInt64(4, window);
              meetings->setInt(5, 101);
              drain(*meetings);
              return "";
            } catch (const sql::SQLException& e) {
              return e.what();
            }
          };
        }));
      }
    }
    if (wanted("search")) {
      results.push_back(RunCase("SearchMembers name+subtree (gRPC)", threads, options_.seconds, [&](int) -> Call {
        auto stub = std::shared_ptr<v1::MemberService::Stub>(v1::MemberService::NewStub(NewChannel(host_->port())));
        return [this, stub](std::mt19937_64& random) -> std::string {
          v1::SearchMembersRequest request;
          request.set_query(absl::StrCat(kFamilyFolded[random() % 10], " ", kMiddleFolded[random() % 8]));
          request.set_organization(common::api::MakeName("organizations", grassroots_[random() % grassroots_.size()]));
          request.set_page_size(kSearchPageSize);
          v1::SearchMembersResponse response;
          grpc::ClientContext context;
          context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          grpc::Status status = stub->SearchMembers(&context, request, &response);
          return status.ok() ? "" : status.error_message();
        };
      }));
      results.push_back(RunCase("raw: store's search SQL", threads, options_.seconds, [&](int) -> Call {
        sql::mysql::get_mysql_driver_instance()->threadInit();
        auto connection = std::shared_ptr<sql::Connection>(Connect(options_, MemberDb()));
        auto statement = std::shared_ptr<sql::PreparedStatement>(connection->prepareStatement(kSearchSql));
        return [this, connection, statement](std::mt19937_64& random) -> std::string {
          try {
            // The words and the organization drawn as the service case draws them.
            const std::vector<std::string> words = {kFamilyFolded[random() % 10], kMiddleFolded[random() % 8]};
            const size_t driver = membership::domain::MostSelectiveWord(words);
            const std::string phrase = membership::domain::QueryPhrase(words);
            statement->setString(1, phrase);
            statement->setString(2, absl::StrCat(phrase, "%"));
            statement->setString(3, words[0]);
            statement->setString(4, words[1]);
            const int64_t organization = grassroots_[random() % grassroots_.size()];
            statement->setString(5, absl::StrCat(words[driver], "%"));
            statement->setInt64(6, organization);
            statement->setString(7, absl::StrCat(words[1 - driver], "%"));
            statement->setInt64(8, organization);
            statement->setInt(9, v1::MEMBER_STATUS_PROBATIONARY);
            statement->setInt(10, v1::MEMBER_STATUS_OFFICIAL);
            statement->setInt(11, kSearchPageSize + 1);
            statement->setInt(12, kSearchPageSize + 1);
            std::unique_ptr<sql::ResultSet> rows(statement->executeQuery());
            const unsigned columns = rows->getMetaData()->getColumnCount();
            while (rows->next()) {
              for (unsigned c = 1; c <= columns; ++c) rows->getString(c);
            }
            return "";
          } catch (const sql::SQLException& e) {
            return e.what();
          }
        };
      }));
    }
    if (wanted("create")) {
      results.push_back(RunCase("CreateMember durable (gRPC)", threads, options_.seconds, [&](int) -> Call {
        auto stub = std::shared_ptr<v1::MemberService::Stub>(v1::MemberService::NewStub(NewChannel(host_->port())));
        return [this, stub, &create_index, today](std::mt19937_64& random) -> std::string {
          const v1::CreateMemberRequest request = ExistingMemberRequest(
              MakePerson(create_index.fetch_add(1)), RandomCell(random), /*probationary=*/true, today);
          v1::Member created;
          grpc::ClientContext context;
          context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          grpc::Status status = stub->CreateMember(&context, request, &created);
          return status.ok() ? "" : status.error_message();
        };
      }));
      results.push_back(RunCase("raw: one-row insert transaction", threads, options_.seconds, [&](int) -> Call {
        sql::mysql::get_mysql_driver_instance()->threadInit();
        auto connection = std::shared_ptr<sql::Connection>(Connect(options_, MemberDb()));
        connection->setAutoCommit(false);
        auto statement = std::shared_ptr<sql::PreparedStatement>(connection->prepareStatement(kInsertSql));
        return [this, connection, statement, &raw_insert_index, today_text](std::mt19937_64& random) -> std::string {
          try {
            const Person p = MakePerson(raw_insert_index.fetch_add(1));
            statement->setString(1, p.full_name);
            statement->setString(2, common::api::FoldForSearch(p.full_name));
            statement->setInt(3, static_cast<int>(p.sex));
            statement->setString(4, common::api::FormatDate(p.birth_date));
            statement->setInt(5, static_cast<int>(p.category));
            statement->setInt64(6, RandomCell(random));
            statement->setString(7, today_text);
            statement->setString(8, today_text);
            statement->setString(9, absl::StrCat("RAW1-", p.external_id));
            statement->executeUpdate();
            connection->commit();
            return "";
          } catch (const sql::SQLException& e) {
            try {
              connection->rollback();
            } catch (const sql::SQLException&) {
            }
            return e.what();
          }
        };
      }));
    }
  }

  // Overload: the capacity of GetMember with 16 clients in a closed loop, then
  // twice that rate offered in an open loop (calls keep coming whatever the
  // server's pace). What is served in time is the goodput; the rest should be
  // refused RESOURCE_EXHAUSTED at once, not queued until the deadline.
  std::optional<OpenLoopResult> overload;
  double capacity = 0;
  MemoryUse memory_before, memory_after;
  if (wanted("overload")) {
    std::cout << "overload: GetMember capacity with 16 clients, then twice that rate in an open loop..." << std::endl;
    CaseResult closed = RunCase("GetMember capacity (gRPC)", 16, options_.seconds, [&](int) -> Call {
      auto stub = std::shared_ptr<v1::MemberService::Stub>(v1::MemberService::NewStub(NewChannel(host_->port())));
      return [this, stub](std::mt19937_64& random) -> std::string {
        v1::GetMemberRequest request;
        request.set_name(absl::StrCat("members/", RandomMemberId(random)));
        v1::Member member;
        grpc::ClientContext context;
        context.AddMetadata("authorization", absl::StrCat("Bearer ", admin_token_));
        grpc::Status status = stub->GetMember(&context, request, &member);
        return status.ok() ? "" : status.error_message();
      };
    });
    capacity = closed.qps();
    OpenLoopSpec spec;
    spec.name = "GetMember at 2x capacity (gRPC, open loop)";
    spec.method = "/grassroots.membership.v1.MemberService/GetMember";
    spec.metadata = {{"authorization", absl::StrCat("Bearer ", admin_token_)}};
    spec.rate_per_second = 2 * capacity;
    spec.seconds = options_.seconds;
    spec.deadline = std::chrono::milliseconds(500);
    for (int i = 0; i < 8; ++i) spec.channels.push_back(NewChannel(host_->port()));
    std::mt19937_64 random(7);
    for (int i = 0; i < 1000; ++i) {
      v1::GetMemberRequest request;
      request.set_name(absl::StrCat("members/", RandomMemberId(random)));
      spec.requests.push_back(request.SerializeAsString());
    }
    memory_before = CurrentMemoryUse();
    overload = RunOpenLoop(spec);
    memory_after = CurrentMemoryUse();
    std::cout << absl::StrFormat(
                     "overload: capacity %.0f/s; offered %.0f/s for %.1f s: %d served (%.0f/s, p50 %.2f ms, p99 "
                     "%.2f ms), %d refused RESOURCE_EXHAUSTED (p50 %.2f ms, p99 %.2f ms), %d past the 500 ms "
                     "deadline, %d other errors%s, %d not sent (client bound)\n"
                     "overload: bench process RSS %.0f MiB before, %.0f MiB after, peak %.0f MiB (client and "
                     "servers in one process)",
                     capacity, overload->offered_per_second, overload->seconds, overload->ok, overload->goodput(),
                     overload->ok_p50_ms, overload->ok_p99_ms, overload->refused, overload->refused_p50_ms,
                     overload->refused_p99_ms, overload->deadline_exceeded, overload->other_errors,
                     overload->first_other_error.empty() ? "" : " (first: " + overload->first_other_error + ")",
                     overload->not_sent, memory_before.rss_mib, memory_after.rss_mib, memory_after.peak_rss_mib)
              << std::endl;
  }

  std::optional<double> import_rate, raw_import_rate;
  if (wanted("import")) {
    std::cout << "importing " << options_.import_rows << " rows through ImportMembers (one stream, 64 KiB chunks)..."
              << std::endl;
    const int64_t import_first = options_.members;  // indices after the filled members
    absl::StatusOr<double> service_rate = ImportThroughService(import_first, options_.import_rows);
    if (!service_rate.ok()) return fail("import", service_rate.status());
    absl::StatusOr<double> raw_rate = RawMultiRowInserts(import_first, options_.import_rows);
    if (!raw_rate.ok()) return fail("raw import", raw_rate.status());
    import_rate = *service_rate;
    raw_import_rate = *raw_rate;
  }

  Stop();
  org_pool_.reset();
  pool_.reset();
  if (!options_.keep_databases) {
    try {
      std::unique_ptr<sql::Connection> admin = Connect(options_, "");
      std::unique_ptr<sql::Statement> statement(admin->createStatement());
      for (const std::string& name : {OrgDb(), MemberDb()}) {
        statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", name, "`"));
      }
    } catch (const sql::SQLException& e) {
      std::cerr << "could not drop the bench databases: " << e.what() << std::endl;
    }
  }

  // ---- report ----
  BenchReport report("membership");
  for (const CaseResult& r : results) report.Add(r);
  report.Pair("GetMember (gRPC)", "raw: store's get by id");
  // The gateway's own cost: HTTP/JSON against the direct gRPC call.
  report.Pair("GetMember (HTTP via gateway)", "GetMember (gRPC)");
  // A mobile sync against the SQL it cannot avoid, and an idle one against the plainest read.
  report.Pair("SyncMyRecord idle (gRPC)", "raw: the idle sync's statements");
  report.Pair("SyncMyRecord idle (gRPC)", "GetMember (gRPC)");
  report.Pair("SyncMyRecord first (gRPC)", "raw: the idle sync's statements");
  report.Pair("GetCollectionSheet (gRPC)", "raw: the sheet's reads");
  report.Pair("GetDuesLedger (gRPC)", "raw: the ledger's reads");
  report.Pair("SearchMembers name+subtree (gRPC)", "raw: store's search SQL");
  report.Pair("CreateMember durable (gRPC)", "raw: one-row insert transaction");
  if (import_rate) {
    report.AddFigure("ImportMembers rows/s (raw: multi-row INSERT, 500 rows a statement)", "rows/s", *import_rate,
                     *raw_import_rate);
  }
  if (overload) {
    report.AddFigure("GetMember goodput at 2x capacity (raw: capacity, 16 clients)", "calls/s",
                     overload->goodput(), capacity, overload->ok_p50_ms, overload->ok_p99_ms);
    report.AddFigure("GetMember refused RESOURCE_EXHAUSTED at 2x capacity", "calls/s",
                     static_cast<double>(overload->refused) / overload->seconds, 0, overload->refused_p50_ms,
                     overload->refused_p99_ms);
  }
  report.Print(std::cout);
  if (replica_reads_) {
    auto fallbacks = [&](const std::string& reason) {
      return grassroots::testing::MetricValue(*replica_metrics_, "db_replica_fallbacks_total", {{"reason", reason}});
    };
    std::cout << absl::StrFormat(
        "\nreplica (127.0.0.1:%d, wait %d ms): %.0f searches served by it; fallbacks to the primary: lagging %.0f, "
        "replica_error %.0f, replica_resting %.0f (-1: none)\n",
        options_.replica_port, options_.replica_wait_ms,
        grassroots::testing::MetricValue(*replica_metrics_, "db_replica_reads_total", {{"operation", "membership.search_members"}}),
        fallbacks("lagging"), fallbacks("replica_error"), fallbacks("replica_resting"));
  }
  if (!options_.results_json.empty()) {
    if (absl::Status s = report.AppendJsonLines(options_.results_json); !s.ok()) std::cerr << s << std::endl;
  }
  std::cout << absl::StrFormat(
      "\ndata: %d members (fill %.1f s) in %d cells under %d grassroots organizations; %.0f s per case; "
      "whole run %.0f s\n",
      options_.members, fill_seconds_, static_cast<int>(cells_.size()), static_cast<int>(grassroots_.size()),
      options_.seconds, std::chrono::duration<double>(Clock::now() - run_started).count());
  return report.errors() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace grassroots::bench

int main(int argc, char** argv) {
  grassroots::bench::Options options;
  CLI::App app("Membership service benchmark at province scale against the raw MariaDB baseline (loopback only).",
               "grassroots-membership-bench");
  app.add_option("--db-host", options.db_host)->envname("GRASSROOTS_TEST_DB_HOST")->capture_default_str();
  app.add_option("--db-port", options.db_port)->envname("GRASSROOTS_TEST_DB_PORT")->capture_default_str();
  app.add_option("--db-user", options.db_user)->envname("GRASSROOTS_TEST_DB_USER")->capture_default_str();
  app.add_option("--db-password", options.db_password)->envname("GRASSROOTS_TEST_DB_PASSWORD");
  app.add_option("--database-prefix", options.database_prefix, "<prefix>_org and <prefix>_members, dropped at the end")
      ->capture_default_str();
  app.add_option("--members", options.members, "members filled before measuring")->capture_default_str();
  app.add_option("--grassroots", options.grassroots, "grassroots organizations under the province")
      ->capture_default_str();
  app.add_option("--cells-per-grassroots", options.cells_per_grassroots)->capture_default_str();
  app.add_option("--fill-batch", options.fill_batch, "members per fill transaction")->capture_default_str();
  app.add_option("--import-rows", options.import_rows, "rows of the imported CSV")->capture_default_str();
  app.add_option("--seconds", options.seconds, "measured duration of each case")->capture_default_str();
  app.add_option("--threads", options.threads, "client thread counts, comma separated")->capture_default_str();
  app.add_option("--cases", options.cases, "the measured cases, comma separated: get, http, sync, search, create, import, overload")
      ->capture_default_str();
  app.add_flag("--keep-databases", options.keep_databases);
  app.add_option("--results-json", options.results_json, "append one JSON record per case to this file");
  app.add_option("--reporting-seconds", options.reporting_seconds,
                 "> 0: instead of the membership cases, rebuild the reporting read model from the feeds and "
                 "measure write-to-scorecard lag for this long")
      ->capture_default_str();
  app.add_option("--reporting-rate", options.reporting_rate, "CreateMember calls per second aimed at")
      ->capture_default_str();
  app.add_option("--reporting-writers", options.reporting_writers, "writer threads")->capture_default_str();
  app.add_option("--max-concurrent-calls", options.max_concurrent_calls,
                 "the membership server's --max-concurrent-calls (0: only its threads bound the calls)")
      ->capture_default_str();
  app.add_option("--replica-port", options.replica_port,
                 "searches read a replica of the server on this port (0: none)")
      ->envname("GRASSROOTS_TEST_DB_REPLICA_PORT")
      ->capture_default_str();
  app.add_option("--replica-wait-ms", options.replica_wait_ms, "how long a search waits for the replica")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return grassroots::bench::Bench(options).Run();
}
