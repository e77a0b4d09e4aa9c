// grassroots-org-bench: how fast the org service answers reads, next to the raw
// MariaDB cost of the same lookups, measured in one run on one machine.
//
// 1. Creates a fresh database, applies the migrations, starts the real org
//    service in-process (ServiceHost on 127.0.0.1:0, metrics off).
// 2. Loads a province-sized tree THROUGH THE API (CreateOrganization, so every
//    row went through validation, the transaction, the change feed and audit):
//    1 province, D districts, 20 grassroots organizations per district and 4
//    cells per grassroots organization (D = 50 gives 5,051 organizations).
// 3. For each concurrency (default 1 and 16; each client thread has its own
//    channel and connection) runs closed-loop cases for a fixed duration:
//    GetOrganization (random ids), GetSubtree of a random district (101
//    organizations, one page), and the raw baselines through Connector/C++
//    prepared statements: the store's own as-of point select (the SQL that
//    GetOrganization runs) and a minimal organization_versions point select.
// 4. Prints p50 / p99 / QPS per case and the service/raw ratios; drops the database.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_driver.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/log/log.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "services/org/org_services.h"
#include "tests/bench/bench_support.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
}

namespace grassroots::bench {
namespace {

namespace v1 = ::grassroots::org::v1;

struct Options {
  std::string db_host = "127.0.0.1";
  int db_port = 3306;
  std::string db_user = "root";
  std::string db_password;
  std::string database = "grassroots_org_bench";
  int districts = 50;
  int grassroots_per_district = 20;
  int cells_per_grassroots = 4;
  int load_parallelism = 16;
  double seconds = 5.0;
  std::string threads = "1,16";
  bool keep_database = false;
  std::string results_json;
};

// The SQL OrganizationStore::Get runs (services/org/store/organization_store.cc),
// repeated here so the baseline measures exactly the service's query.
constexpr char kStoreGetSql[] = R"(SELECT o.id, o.code, o.address, o.phone, o.note,
  o.established_on, o.ended_on, o.version, o.create_time, o.update_time,
  v.display_name, v.parent_id, v.type_code, v.sector_code, v.is_commune_military_cell, v.state, v.successor_id,
  t.display_name AS type_display_name, t.level_code, t.is_grassroots, t.is_cell,
  (SELECT MAX(lv.valid_from) FROM organization_versions lv WHERE lv.organization_id = o.id) AS last_change_on,
  EXISTS (SELECT 1 FROM committee_terms ct WHERE ct.organization_id = o.id AND ct.elected_committee = 1
          AND ct.starts_on <= ? AND (ct.ends_on IS NULL OR ct.ends_on > ?)) AS has_committee
  FROM organizations o
  JOIN organization_versions v ON v.organization_id = o.id AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
  JOIN org_types t ON t.code = v.type_code
  WHERE o.id = ?)";
// The smallest as-of lookup of one organization's period in effect.
constexpr char kMinimalSql[] = R"(SELECT display_name, parent_id, type_code, state FROM organization_versions
  WHERE organization_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?))";

// A case whose calls answer true on success, on the shared closed loop.
CaseResult RunCase(const std::string& name, int threads, double seconds,
                   const std::function<std::function<bool(std::mt19937_64&)>(int)>& setup) {
  return grassroots::bench::RunCase(name, threads, seconds, [&](int thread) -> Call {
    std::function<bool(std::mt19937_64&)> call = setup(thread);
    return [call](std::mt19937_64& random) { return call(random) ? std::string() : std::string("call failed"); };
  });
}

std::unique_ptr<sql::Connection> Connect(const Options& options, const std::string& schema) {
  return ConnectRaw(RawServer{options.db_host, options.db_port, options.db_user, options.db_password}, schema);
}

class Bench {
 public:
  explicit Bench(Options options) : options_(std::move(options)) {}
  int Run();

 private:
  absl::Status StartService();
  absl::Status LoadTree();
  std::shared_ptr<grpc::Channel> NewChannel() const {
    grpc::ChannelArguments args = common::DefaultChannelArguments();
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own, like a separate client
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", host_->port()), grpc::InsecureChannelCredentials(),
                                     args);
  }
  std::string Bearer() const { return absl::StrCat("Bearer ", token_); }

  Options options_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::unique_ptr<common::RulesRegistry> rules_;
  std::unique_ptr<common::auth::TokenSigner> signer_;
  std::unique_ptr<org::OrgServices> services_;
  std::unique_ptr<common::ServiceHost> host_;
  std::string token_;
  std::vector<int64_t> all_ids_;
  std::vector<int64_t> district_ids_;
  double load_seconds_ = 0;
};

absl::Status Bench::StartService() {
  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  if (!rules.ok()) return rules.status();
  rules_ = std::make_unique<common::RulesRegistry>(std::move(*rules));
  auto keys = common::auth::GenerateRsaKeyPairPem();
  if (!keys.ok()) return keys.status();
  common::AuthConfig auth;
  auto verifier = common::auth::TokenVerifier::FromPublicKeyPem(keys->second, auth);
  if (!verifier.ok()) return verifier.status();
  auto signer = common::auth::TokenSigner::FromPrivateKeyPem(keys->first, auth.issuer, auth.audience);
  if (!signer.ok()) return signer.status();
  signer_ = std::move(*signer);
  std::shared_ptr<const common::auth::TokenVerifier> shared_verifier = std::move(*verifier);
  services_ = std::make_unique<org::OrgServices>(
      org::OrgDependencies{.pool = *pool_,
                           .rules = *rules_,
                           .verifier = shared_verifier,
                           .page_token_secret = "bench-page-token-secret"});
  common::ServerConfig server;  // production defaults, except the address and no metrics exposer
  server.grpc_address = "127.0.0.1:0";
  server.metrics_address = "";
  server.drain_delay = std::chrono::milliseconds(0);
  server.authenticate = common::auth::BearerGate(shared_verifier);
  host_ = std::make_unique<common::ServiceHost>("org-bench", server, std::make_shared<prometheus::Registry>());
  services_->RegisterServices(*host_);
  return host_->Start();
}

absl::Status Bench::LoadTree() {
  const auto started = Clock::now();
  auto mint = [&](int64_t scope) {
    common::auth::Claims claims;
    claims.subject = "org-bench";
    claims.roles = {common::auth::Role::kAdmin};
    claims.scope_org_id = scope;
    return signer_->Mint(claims, absl::Hours(2));
  };
  // The empty tree lets any administrator create the root; then act inside it.
  absl::StatusOr<std::string> bootstrap = mint(1);
  if (!bootstrap.ok()) return bootstrap.status();
  token_ = *bootstrap;
  std::shared_ptr<grpc::Channel> channel = NewChannel();
  auto stub = v1::OrganizationService::NewStub(channel);
  std::mutex ids_mutex;
  auto create = [&](const std::string& code, const std::string& display_name, const std::string& type,
                    const std::string& sector, int64_t parent) -> absl::StatusOr<int64_t> {
    v1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code(code);
    request.mutable_organization()->set_display_name(display_name);
    request.mutable_organization()->set_type(type);
    request.mutable_organization()->set_sector(sector);
    request.mutable_organization()->set_established_on("2000-01-01");
    if (parent > 0) request.mutable_organization()->set_parent(common::api::MakeName("organizations", parent));
    v1::Organization response;
    grpc::ClientContext context;
    context.AddMetadata("authorization", Bearer());
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status status = stub->CreateOrganization(&context, request, &response);
    if (!status.ok()) return absl::InternalError(absl::StrCat("creating ", code, ": ", status.error_message()));
    int64_t id = 0;
    auto parsed = common::api::ParseId(response.name(), "organizations", "name");
    if (!parsed.ok()) return parsed.status();
    id = *parsed;
    std::lock_guard<std::mutex> lock(ids_mutex);
    all_ids_.push_back(id);
    return id;
  };
  absl::StatusOr<int64_t> root = create("BENCH", "Đảng bộ tỉnh Thử Nghiệm", "DANG_BO_TINH", "", 0);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::string> scoped = mint(*root);
  if (!scoped.ok()) return scoped.status();
  token_ = *scoped;

  // Each level in parallel; parents exist before their children.
  auto parallel = [&](size_t count, const std::function<absl::Status(size_t)>& fn) -> absl::Status {
    std::atomic<size_t> next{0};
    std::mutex error_mutex;
    absl::Status first_error;
    std::vector<std::thread> threads;
    for (int t = 0; t < options_.load_parallelism; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
          absl::Status status = fn(i);
          if (!status.ok()) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (first_error.ok()) first_error = status;
            return;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return first_error;
  };
  district_ids_.assign(static_cast<size_t>(options_.districts), 0);
  absl::Status status = parallel(district_ids_.size(), [&](size_t d) -> absl::Status {
    auto id = create(absl::StrCat("BENCH.D", d), absl::StrCat("Đảng bộ huyện số ", d + 1), "DANG_BO_HUYEN", "", *root);
    if (!id.ok()) return id.status();
    district_ids_[d] = *id;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  const size_t per_district = static_cast<size_t>(options_.grassroots_per_district);
  std::vector<int64_t> grassroots(district_ids_.size() * per_district, 0);
  status = parallel(grassroots.size(), [&](size_t g) -> absl::Status {
    const size_t d = g / per_district;
    auto id = create(absl::StrCat("BENCH.D", d, ".G", g % per_district), absl::StrCat("Đảng bộ xã số ", g + 1),
                     "DANG_BO_CO_SO", "COMMUNE", district_ids_[d]);
    if (!id.ok()) return id.status();
    grassroots[g] = *id;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  const size_t per_grassroots = static_cast<size_t>(options_.cells_per_grassroots);
  status = parallel(grassroots.size() * per_grassroots, [&](size_t c) -> absl::Status {
    const size_t g = c / per_grassroots;
    return create(absl::StrCat("BENCH.G", g, ".C", c % per_grassroots), absl::StrCat("Chi bộ thôn số ", c + 1),
                  "CHI_BO_TRUC_THUOC", "RESIDENTIAL", grassroots[g])
        .status();
  });
  if (!status.ok()) return status;
  load_seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
  return absl::OkStatus();
}


int Bench::Run() {
  const auto run_started = Clock::now();
  common::log::Init("org-bench", common::log::Level::kWarn);
  // The driver instance is created once, before any thread (Connector/C++ 1.1 is
  // not thread-safe there).
  sql::mysql::get_mysql_driver_instance();
  try {
    std::unique_ptr<sql::Connection> admin = Connect(options_, "");
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", options_.database, "`"));
    statement->execute(absl::StrCat("CREATE DATABASE `", options_.database, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
  } catch (const sql::SQLException& e) {
    std::cerr << "cannot create the database: " << e.what() << std::endl;
    return 1;
  }
  common::DbConfig db;
  db.host = options_.db_host;
  db.port = options_.db_port;
  db.user = options_.db_user;
  db.password = options_.db_password;
  db.database = options_.database;
  db.pool_size = 32;
  auto pool = common::db::ConnectionPool::Create(db, nullptr);
  if (!pool.ok()) {
    std::cerr << "pool: " << pool.status() << std::endl;
    return 1;
  }
  pool_ = std::move(*pool);
  if (absl::Status s = common::db::ApplyMigrations(*pool_, {&common::db::CommonMigrations(), &migrations::OrgMigrations()});
      !s.ok()) {
    std::cerr << "migrations: " << s << std::endl;
    return 1;
  }
  if (absl::Status s = StartService(); !s.ok()) {
    std::cerr << "service: " << s << std::endl;
    return 1;
  }
  std::cout << "org service on 127.0.0.1:" << host_->port() << "; loading the tree through the API ("
            << options_.load_parallelism << " concurrent CreateOrganization calls)..." << std::endl;
  if (absl::Status s = LoadTree(); !s.ok()) {
    std::cerr << "load: " << s << std::endl;
    host_->Stop();
    return 1;
  }
  std::cout << "loaded " << all_ids_.size() << " organizations in " << absl::StrFormat("%.1f", load_seconds_)
            << " s (" << absl::StrFormat("%.0f", static_cast<double>(all_ids_.size()) / load_seconds_)
            << " creates/s)" << std::endl;

  // Sanity check once: a district's subtree is one page of 1 + G + G*C organizations.
  const int expected_subtree = 1 + options_.grassroots_per_district * (1 + options_.cells_per_grassroots);
  {
    auto stub = v1::OrganizationService::NewStub(NewChannel());
    v1::GetSubtreeRequest request;
    request.set_name(common::api::MakeName("organizations", district_ids_.front()));
    request.set_page_size(5000);
    v1::GetSubtreeResponse response;
    grpc::ClientContext context;
    context.AddMetadata("authorization", Bearer());
    grpc::Status status = stub->GetSubtree(&context, request, &response);
    if (!status.ok() || response.nodes_size() != expected_subtree) {
      std::cerr << "GetSubtree sanity check failed: " << status.error_message() << " nodes=" << response.nodes_size()
                << " expected=" << expected_subtree << std::endl;
      host_->Stop();
      return 1;
    }
  }

  const std::string today = common::api::FormatDate(common::api::Today());
  std::vector<CaseResult> results;
  const std::vector<int> thread_counts = ParseThreads(options_.threads);
  for (int threads : thread_counts) {
    std::cout << "measuring with " << threads << " client thread(s)..." << std::endl;
    results.push_back(RunCase("GetOrganization (gRPC)", threads, options_.seconds, [&](int) {
      auto stub = std::shared_ptr<v1::OrganizationService::Stub>(v1::OrganizationService::NewStub(NewChannel()));
      return [this, stub](std::mt19937_64& random) {
        v1::GetOrganizationRequest request;
        request.set_name(common::api::MakeName("organizations", all_ids_[random() % all_ids_.size()]));
        v1::Organization response;
        grpc::ClientContext context;
        context.AddMetadata("authorization", Bearer());
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        return stub->GetOrganization(&context, request, &response).ok();
      };
    }));
    results.push_back(RunCase(absl::StrCat("GetSubtree ", expected_subtree, " orgs (gRPC)"), threads, options_.seconds,
                              [&](int) {
      auto stub = std::shared_ptr<v1::OrganizationService::Stub>(v1::OrganizationService::NewStub(NewChannel()));
      return [this, stub, expected_subtree](std::mt19937_64& random) {
        v1::GetSubtreeRequest request;
        request.set_name(common::api::MakeName("organizations", district_ids_[random() % district_ids_.size()]));
        request.set_page_size(500);
        v1::GetSubtreeResponse response;
        grpc::ClientContext context;
        context.AddMetadata("authorization", Bearer());
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        return stub->GetSubtree(&context, request, &response).ok() && response.nodes_size() == expected_subtree;
      };
    }));
    for (const auto& [label, sql_text, store_shape] :
         {std::tuple<std::string, const char*, bool>{"raw SQL: store's Get query", kStoreGetSql, true},
          std::tuple<std::string, const char*, bool>{"raw SQL: minimal versions lookup", kMinimalSql, false}}) {
      const bool store = store_shape;
      const char* text = sql_text;
      results.push_back(RunCase(label, threads, options_.seconds, [&, store, text](int) {
        sql::mysql::get_mysql_driver_instance()->threadInit();
        auto connection = std::shared_ptr<sql::Connection>(Connect(options_, options_.database));
        auto statement = std::shared_ptr<sql::PreparedStatement>(connection->prepareStatement(text));
        return [this, connection, statement, store, today](std::mt19937_64& random) {
          try {
            const int64_t id = all_ids_[random() % all_ids_.size()];
            if (store) {
              for (int p = 1; p <= 4; ++p) statement->setString(p, today);
              statement->setInt64(5, id);
            } else {
              statement->setInt64(1, id);
              statement->setString(2, today);
              statement->setString(3, today);
            }
            std::unique_ptr<sql::ResultSet> rows(statement->executeQuery());
            bool found = false;
            while (rows->next()) found = rows->getString("display_name")->length() > 0;
            return found;
          } catch (const sql::SQLException&) {
            return false;
          }
        };
      }));
    }
  }
  host_->Stop();
  pool_.reset();
  if (!options_.keep_database) {
    try {
      std::unique_ptr<sql::Connection> admin = Connect(options_, "");
      std::unique_ptr<sql::Statement>(admin->createStatement())
          ->execute(absl::StrCat("DROP DATABASE IF EXISTS `", options_.database, "`"));
    } catch (const sql::SQLException& e) {
      std::cerr << "could not drop " << options_.database << ": " << e.what() << std::endl;
    }
  }

  // ---- report ----
  BenchReport report("org");
  for (const CaseResult& r : results) report.Add(r);
  report.Pair("GetOrganization (gRPC)", "raw SQL: store's Get query");
  report.Print(std::cout);
  if (!options_.results_json.empty()) {
    if (absl::Status s = report.AppendJsonLines(options_.results_json); !s.ok()) std::cerr << s << std::endl;
  }
  std::cout << absl::StrFormat("\ntree: %d organizations (1 province, %d districts x %d grassroots x %d cells), "
                               "loaded through the API in %.1f s; %.0f s per case; whole run %.0f s\n",
                               static_cast<int>(all_ids_.size()), options_.districts,
                               options_.grassroots_per_district, options_.cells_per_grassroots, load_seconds_,
                               options_.seconds,
                               std::chrono::duration<double>(Clock::now() - run_started).count());
  return report.errors() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace grassroots::bench

int main(int argc, char** argv) {
  grassroots::bench::Options options;
  CLI::App app("Org service read benchmark against the raw MariaDB baseline (loopback only).",
               "grassroots-org-bench");
  app.add_option("--db-host", options.db_host)->envname("GRASSROOTS_TEST_DB_HOST")->capture_default_str();
  app.add_option("--db-port", options.db_port)->envname("GRASSROOTS_TEST_DB_PORT")->capture_default_str();
  app.add_option("--db-user", options.db_user)->envname("GRASSROOTS_TEST_DB_USER")->capture_default_str();
  app.add_option("--db-password", options.db_password)->envname("GRASSROOTS_TEST_DB_PASSWORD");
  app.add_option("--database", options.database, "created fresh, dropped at the end")->capture_default_str();
  app.add_option("--districts", options.districts)->capture_default_str();
  app.add_option("--grassroots-per-district", options.grassroots_per_district)->capture_default_str();
  app.add_option("--cells-per-grassroots", options.cells_per_grassroots)->capture_default_str();
  app.add_option("--load-parallel", options.load_parallelism)->capture_default_str();
  app.add_option("--seconds", options.seconds, "measured duration of each case")->capture_default_str();
  app.add_option("--threads", options.threads, "client thread counts, comma separated")->capture_default_str();
  app.add_flag("--keep-database", options.keep_database);
  app.add_option("--results-json", options.results_json, "append one JSON record per case to this file");
  CLI11_PARSE(app, argc, argv);
  return grassroots::bench::Bench(options).Run();
}
