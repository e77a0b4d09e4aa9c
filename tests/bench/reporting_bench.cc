// grassroots-reporting-bench: how fast the reporting service answers
// GetScorecard for a commune, a province and the nation, next to the raw SQL
// floor of the same scope measured in the same run.
//
// 1. Creates a fresh database and applies reporting's migrations.
// 2. Generates national-scale facts STRAIGHT INTO THE READ MODEL (no feeds):
//    34 provinces, their communes, about 52,000 grassroots organizations (40 %
//    chi bộ cơ sở, 60 % đảng bộ cơ sở with their chi bộ trực thuộc: about
//    250,000 cells), 5.6 million members (--members; --scale shrinks the whole
//    tree with it) with status periods, occupation categories, 2025 ratings
//    and commitments, and per organization a working regulation, committee
//    terms, thematic meetings and inspection programs, and residential units
//    covered by cells. Organizations are written by multi-row INSERTs, members
//    server-side from MariaDB's sequence engine (INSERT ... SELECT FROM seq_1_to_N).
// 3. Starts the real reporting service in-process (its feed followers point at
//    nothing: the figures are the generated read model's) and, for each scope
//    (a commune, a province, the nation) and each day (31 December 2025 and
//    an arbitrary as-of day), calls GetScorecard once with no pre-aggregate
//    (it computes and saves them), --iterations times with them fresh, and
//    --iterations times each right after a write below the scope (one cell's
//    rows up to the nation made stale, as a feed consumer does), and prints
//    p50 / p99 of each, beside the raw SQL floor: one query counting the
//    scope's counted members on the day through the closure and the period
//    index, the smallest piece of work any exact answer needs when nothing is
//    pre-aggregated. A call that exceeds --deadline-seconds is reported as such.
// 4. Drops the database (unless --keep-database).
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
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
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/log/log.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "grassroots/reporting/v1/reporting.grpc.pb.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/reporting/domain/plan.h"
#include "services/orgtree/service_token.h"
#include "services/reporting/reporting_services.h"
#include "services/reporting/store/reporting_migrations.h"
#include "services/reporting/store/rollup_store.h"
#include "tests/bench/bench_support.h"

namespace grassroots::bench {
namespace {

namespace rv1 = ::grassroots::reporting::v1;

struct Options {
  std::string db_host = "127.0.0.1";
  int db_port = 3306;
  std::string db_user = "root";
  std::string db_password;
  std::string database = "grassroots_reporting_bench";
  int64_t members = 0;  // 0: 5.6 million x scale
  double scale = 1.0;
  int iterations = 5;
  int deadline_seconds = 300;
  std::string scopes = "commune,province,nation";
  bool keep_database = false;
};

// The national tree's shape at scale 1 (DESIGN.md "Scale"): 34 provinces,
// about 3,300 communes, 52,000 grassroots organizations, 250,000 cells.
struct Shape {
  int provinces = 34;
  int communes_per_province = 97;
  int grassroots_per_commune = 16;
  int cells_per_committee = 7;  // chi bộ trực thuộc per đảng bộ cơ sở
};

struct Org {
  int64_t id = 0;
  int64_t parent = 0;  // 0: the root
  const char* type = "";
  const char* sector = "";
};

std::unique_ptr<sql::Connection> Connect(const Options& options, const std::string& database) {
  return ConnectRaw(RawServer{options.db_host, options.db_port, options.db_user, options.db_password}, database);
}

class Generator {
 public:
  Generator(sql::Connection& connection, const Options& options) : connection_(connection), options_(options) {}

  // Returns the generated organizations (ids from 1: the nation, provinces,
  // communes, grassroots committees, then every cell in one contiguous block).
  std::vector<Org> Organizations() {
    Shape shape;
    // A share of the nation: fewer provinces, and below one province fewer communes.
    const double nation_share = std::clamp(options_.scale, 1e-4, 1.0);
    const double provinces_exact = shape.provinces * nation_share;
    const int provinces = std::max(1, static_cast<int>(provinces_exact + 0.5));
    const int communes = provinces_exact >= 1 ? shape.communes_per_province
                                              : std::max(1, static_cast<int>(shape.communes_per_province *
                                                                             provinces_exact + 0.5));
    std::vector<Org> orgs;
    int64_t next = 1;
    orgs.push_back({next++, 0, "TRUNG_UONG", ""});
    std::vector<int64_t> province_ids, commune_ids, committee_ids, cell_parents;
    std::vector<std::pair<int64_t, bool>> grassroots;  // id, is a chi bộ cơ sở
    for (int p = 0; p < provinces; ++p) {
      province_ids.push_back(next);
      orgs.push_back({next++, 1, "DANG_BO_TINH", ""});
    }
    for (int64_t province : province_ids) {
      for (int c = 0; c < communes; ++c) {
        commune_ids.push_back(next);
        orgs.push_back({next++, province, "DANG_BO_XA", c % 3 == 0 ? "WARD" : "COMMUNE"});
      }
    }
    // Grassroots committees first (non-cells), then all cells in one id block.
    int64_t counter = 0;
    for (int64_t commune : commune_ids) {
      for (int g = 0; g < shape.grassroots_per_commune; ++g, ++counter) {
        if (counter % 5 < 3) {
          committee_ids.push_back(next);
          orgs.push_back({next++, commune, "DANG_BO_CO_SO", counter % 11 == 0 ? "PRIVATE_ENTERPRISE" : "AGENCY"});
        } else {
          cell_parents.push_back(commune);  // a chi bộ cơ sở, created below with the cells
        }
      }
    }
    first_cell_ = next;
    for (int64_t commune : cell_parents) orgs.push_back({next++, commune, "CHI_BO_CO_SO", "PUBLIC_SERVICE_UNIT"});
    for (int64_t committee : committee_ids) {
      for (int c = 0; c < shape.cells_per_committee; ++c) {
        orgs.push_back({next++, committee, "CHI_BO_TRUC_THUOC", c == 0 ? "RESIDENTIAL" : "AGENCY"});
      }
    }
    cells_ = next - first_cell_;
    return orgs;
  }

  void Rows(const std::string& insert_prefix, size_t columns, size_t count,
            const std::function<void(size_t row, std::vector<std::string>& values)>& fill) {
    constexpr size_t kBatch = 2000;
    std::unique_ptr<sql::Statement> statement(connection_.createStatement());
    std::vector<std::string> values;
    std::string sql;
    for (size_t begin = 0; begin < count; begin += kBatch) {
      sql = insert_prefix;
      const size_t end = std::min(count, begin + kBatch);
      for (size_t i = begin; i < end; ++i) {
        values.clear();
        fill(i, values);
        if (values.size() != columns) throw std::runtime_error("bad row width");
        absl::StrAppend(&sql, i == begin ? "(" : ",(", absl::StrJoin(values, ","), ")");
      }
      statement->execute(sql);
    }
  }

  void Execute(const std::string& sql) {
    std::unique_ptr<sql::Statement> statement(connection_.createStatement());
    statement->execute(sql);
  }

  void Generate(const std::vector<Org>& orgs) {
    Execute("SET SESSION unique_checks = 0");
    Execute(
        "INSERT INTO rm_org_type (type_code, level_code, is_grassroots, is_cell) VALUES"
        " ('TRUNG_UONG','CENTRAL',0,0),('DANG_BO_TINH','PROVINCE',0,0),('DANG_BO_XA','COMMUNE',0,0),"
        " ('DANG_BO_CO_SO','GRASSROOTS',1,0),('CHI_BO_CO_SO','GRASSROOTS',1,1),('CHI_BO_TRUC_THUOC','CELL',0,1)");
    std::vector<const Org*> by_id(orgs.size() + 1, nullptr);
    for (const Org& org : orgs) by_id[static_cast<size_t>(org.id)] = &org;
    Rows("INSERT INTO rm_org_period (org_id, valid_from, valid_to, parent_id, type_code, sector_code, state,"
         " commune_military_cell, source_sequence) VALUES ",
         9, orgs.size(), [&](size_t i, std::vector<std::string>& v) {
           const Org& o = orgs[i];
           v = {absl::StrCat(o.id), "'2010-01-01'", "NULL", o.parent == 0 ? "NULL" : absl::StrCat(o.parent),
                absl::StrCat("'", o.type, "'"), absl::StrCat("'", o.sector, "'"), "1", "0", "1"};
         });
    Rows("INSERT INTO org_projection (org_id, parent_id, code, display_name, type_code, is_cell, is_grassroots, state,"
         " established_on, ended_on, source_sequence) VALUES ",
         11, orgs.size(), [&](size_t i, std::vector<std::string>& v) {
           const Org& o = orgs[i];
           const std::string type = o.type;
           const bool cell = type == "CHI_BO_CO_SO" || type == "CHI_BO_TRUC_THUOC";
           const bool grassroots = type == "CHI_BO_CO_SO" || type == "DANG_BO_CO_SO";
           v = {absl::StrCat(o.id), o.parent == 0 ? "NULL" : absl::StrCat(o.parent), absl::StrCat("'B", o.id, "'"),
                absl::StrCat("'Tổ chức đảng số ", o.id, "'"), absl::StrCat("'", o.type, "'"), cell ? "1" : "0",
                grassroots ? "1" : "0", "1", "'2010-01-01'", "NULL", "1"};
         });
    // The closure: every (ancestor, descendant) pair, depth 0 included.
    std::vector<std::array<int64_t, 3>> closure;
    for (const Org& org : orgs) {
      int depth = 0;
      for (const Org* a = &org; a != nullptr; a = a->parent == 0 ? nullptr : by_id[static_cast<size_t>(a->parent)]) {
        closure.push_back({a->id, org.id, depth++});
      }
    }
    Rows("INSERT INTO org_closure (ancestor_id, descendant_id, depth) VALUES ", 3, closure.size(),
         [&](size_t i, std::vector<std::string>& v) {
           v = {absl::StrCat(closure[i][0]), absl::StrCat(closure[i][1]), absl::StrCat(closure[i][2])};
         });
    // Per organization that S1 / S12 judge: a regulation for 85 %, a 2025 program for 90 %;
    // per cell: a committee term (elected for 70 %), thematic meetings in 2025's quarters (most).
    Rows("INSERT INTO rm_working_regulation (org_id, version, adopted_on, superseded_on, source_sequence) VALUES ", 5,
         orgs.size(), [&](size_t i, std::vector<std::string>& v) {
           v = {absl::StrCat(orgs[i].id), "1", i % 7 == 3 ? "'2099-01-01'" : "'2021-03-01'", "NULL", "1"};
         });
    Rows("INSERT INTO rm_inspection_program (program_id, org_id, year, adopted_on, source_sequence) VALUES ", 5,
         orgs.size(), [&](size_t i, std::vector<std::string>& v) {
           v = {absl::StrCat(i + 1), absl::StrCat(orgs[i].id), "2025", i % 10 == 4 ? "'2025-12-31'" : "'2024-12-20'",
                "1"};
         });
    Rows("INSERT INTO rm_committee_term (term_id, org_id, starts_on, ends_on, elected_committee, source_sequence)"
         " VALUES ",
         6, static_cast<size_t>(cells_), [&](size_t i, std::vector<std::string>& v) {
           v = {absl::StrCat(i + 1), absl::StrCat(first_cell_ + static_cast<int64_t>(i)), "'2020-09-01'",
                "'2025-09-01'", i % 10 < 7 ? "1" : "0", "1"};
         });
    Rows("INSERT INTO rm_meeting (meeting_id, org_id, kind, held_on, source_sequence) VALUES ", 5,
         static_cast<size_t>(cells_) * 4, [&](size_t i, std::vector<std::string>& v) {
           const size_t cell = i / 4, quarter = i % 4;
           // One cell in eight misses its fourth quarter.
           const bool held = !(quarter == 3 && cell % 8 == 5);
           v = {absl::StrCat(i + 1), absl::StrCat(first_cell_ + static_cast<int64_t>(cell)), "2",
                held ? absl::StrCat("'2025-", 2 + quarter * 3, "-15'") : "NULL", "1"};
         });
    Rows("INSERT INTO rm_org_rating (org_id, year, level, source_sequence) VALUES ", 4, orgs.size(),
         [&](size_t i, std::vector<std::string>& v) {
           v = {absl::StrCat(orgs[i].id), "2025", absl::StrCat(1 + static_cast<int>(i % 20 == 7) + (i % 3 == 0)), "1"};
         });
    // Residential units: one per chi bộ trực thuộc whose sector is RESIDENTIAL, covered by it.
    std::vector<std::pair<int64_t, int64_t>> coverings;  // unit's commune, cell
    for (const Org& o : orgs) {
      if (std::string(o.sector) == "RESIDENTIAL") {
        coverings.push_back({by_id[static_cast<size_t>(o.parent)]->parent, o.id});
      }
    }
    Rows("INSERT INTO residential_unit_projection (unit_id, code, commune_org_id, established_on, ended_on,"
         " source_sequence) VALUES ",
         6, coverings.size(), [&](size_t i, std::vector<std::string>& v) {
           v = {absl::StrCat(i + 1), absl::StrCat("'U", i + 1, "'"), absl::StrCat(coverings[i].first), "'2010-01-01'",
                "NULL", "1"};
         });
    Rows("INSERT INTO unit_covering_projection (covering_id, unit_id, cell_id, valid_from, valid_to, source_sequence)"
         " VALUES ",
         6, coverings.size(), [&](size_t i, std::vector<std::string>& v) {
           // One unit in 30 lost its cell in 2024.
           v = {absl::StrCat(i + 1), absl::StrCat(i + 1), absl::StrCat(coverings[i].second), "'2010-01-01'",
                i % 30 == 11 ? "'2024-06-01'" : "NULL", "1"};
         });
    // Members, server-side: member m is in cell first_cell + m % cells.
    const std::string n = absl::StrCat(options_.members);
    const std::string cell_of = absl::StrCat(first_cell_, " + seq % ", cells_);
    Execute(absl::StrCat(
        "INSERT INTO member_period_projection (member_id, valid_from, valid_to, status, cell_id, host_cell_id, exempt,"
        " suspended, source_sequence) SELECT seq,"
        " IF(seq % 32 = 0, DATE('2025-01-01') + INTERVAL (seq % 360) DAY, DATE('1975-01-01') + INTERVAL (seq * 7919 % 17500) DAY),"
        " NULL, IF(seq % 32 = 0, 3, 4), ",
        cell_of, ", NULL, seq % 97 = 0, FALSE, 1 FROM seq_1_to_", n));
    Execute(absl::StrCat(
        "INSERT INTO rm_member (member_id, sex, birth_year, birth_month, ethnicity_code, religion_code, status,"
        " admission_decision_date, official_date, occupation_category_at_admission, source_sequence)"
        " SELECT member_id, 1 + member_id % 2, 1940 + member_id % 60, 1 + member_id % 12, '01', '', status,"
        " valid_from - INTERVAL 14 DAY, NULL, IF(member_id % 211 = 0, 5, 1 + member_id % 4), 1"
        " FROM member_period_projection"));
    Execute(
        "INSERT INTO rm_member_attribute_period (member_id, attribute, valid_from, valid_to, value)"
        " SELECT member_id, 1, valid_from, NULL, ELT(1 + member_id % 10, 1, 1, 1, 2, 3, 4, 4, 8, 8, 10)"
        " FROM member_period_projection");
    Execute(
        "INSERT INTO rm_member_rating (member_id, year, level, source_sequence) SELECT member_id, 2025,"
        " ELT(1 + member_id % 10, 1, 2, 2, 2, 2, 2, 2, 2, 3, 4), 1 FROM member_period_projection"
        " WHERE member_id % 20 <> 0");
    Execute(
        "INSERT INTO rm_commitment (member_id, year, registered_on, source_sequence) SELECT member_id, 2025,"
        " '2025-02-01', 1 FROM member_period_projection WHERE member_id % 10 IN (0, 1, 2, 3) AND member_id % 33 <> 0");
    // ANALYZE answers with a result set, read to the end before the next statement.
    std::unique_ptr<sql::Statement> statement(connection_.createStatement());
    std::unique_ptr<sql::ResultSet> analyzed(statement->executeQuery(
        "ANALYZE TABLE member_period_projection, rm_member, rm_member_attribute_period, rm_org_period, org_closure"));
    while (analyzed->next()) {
    }
  }

  int64_t first_cell() const { return first_cell_; }
  int64_t cells() const { return cells_; }

 private:
  sql::Connection& connection_;
  const Options& options_;
  int64_t first_cell_ = 0;
  int64_t cells_ = 0;
};

struct Measured {
  std::string label;
  std::vector<double> service_ms;
  std::vector<double> raw_ms;
  std::string error;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5));
  return values[index];
}

int Run(const Options& options) {
  // Errors only: the feed followers retry against nothing for the whole run.
  common::log::Init("reporting-bench", common::log::Level::kError);
  sql::mysql::get_mysql_driver_instance();
  std::unique_ptr<sql::Connection> admin;
  try {
    admin = Connect(options, "");
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", options.database, "`"));
    statement->execute(
        absl::StrCat("CREATE DATABASE `", options.database, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
  } catch (const sql::SQLException& e) {
    std::cerr << "cannot create the database: " << e.what() << std::endl;
    return 1;
  }
  common::DbConfig db;
  db.host = options.db_host;
  db.port = options.db_port;
  db.user = options.db_user;
  db.password = options.db_password;
  db.database = options.database;
  db.pool_size = 8;
  db.read_timeout_seconds = options.deadline_seconds + 60;
  db.statement_timeout_seconds = 0;  // the generator's bulk statements
  auto pool = common::db::ConnectionPool::Create(db, nullptr);
  if (!pool.ok()) {
    std::cerr << "pool: " << pool.status() << std::endl;
    return 1;
  }
  if (absl::Status s = common::db::ApplyMigrations(**pool, {&common::db::CommonMigrations(),
                                                            &migrations::ReportingMigrations(),
                                                            &migrations::OrgTreeMigrations(),
                                                            &migrations::MemberFactsMigrations()});
      !s.ok()) {
    std::cerr << "migrations: " << s << std::endl;
    return 1;
  }
  std::unique_ptr<sql::Connection> connection = Connect(options, options.database);
  Generator generator(*connection, options);
  const auto generation_started = Clock::now();
  std::vector<Org> orgs;
  try {
    orgs = generator.Organizations();
    generator.Generate(orgs);
  } catch (const std::exception& e) {
    std::cerr << "generating the read model: " << e.what() << std::endl;
    return 1;
  }
  const double generation_seconds = std::chrono::duration<double>(Clock::now() - generation_started).count();
  std::cout << absl::StrFormat("generated %d organizations (%d cells) and %d members in %.0f s", orgs.size(),
                               generator.cells(), options.members, generation_seconds)
            << std::endl;

  auto rules = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
  auto calendar = common::WorkingCalendar::LoadFile(common::WorkingCalendar::DefaultPath());
  auto plan = reporting::domain::LoadPlanFile(reporting::domain::DefaultPlanPath());
  auto keys = common::auth::GenerateRsaKeyPairPem();
  if (!rules.ok() || !calendar.ok() || !plan.ok() || !keys.ok()) {
    std::cerr << "rules, calendar, plan or keys could not be loaded" << std::endl;
    return 1;
  }
  common::AuthConfig auth;
  // A long run: its service token outlives the production maximum on purpose.
  auth.max_service_token_lifetime_seconds = 12 * 3600;
  auto verifier = common::auth::TokenVerifier::FromPublicKeyPem(keys->second, auth);
  auto signer = common::auth::TokenSigner::FromPrivateKeyPem(keys->first, auth.issuer, auth.audience);
  if (!verifier.ok() || !signer.ok()) return 1;
  common::auth::Claims claims;
  claims.subject = "reporting-bench";
  claims.roles = {common::auth::Role::kAdmin};
  claims.scope_org_id = 1;
  const std::string token = absl::StrCat("Bearer ", *(*signer)->Mint(claims, absl::Hours(12)));
  reporting::PlanCatalog plans;
  plans.default_plan_id = plan->id;
  plans.plans.emplace(plan->id, *std::move(plan));
  // The followers dial a closed port with a valid token: the figures come from
  // the generated read model only.
  const std::string token_file = absl::StrCat("/tmp/reporting-bench-token-", getpid());
  {
    std::FILE* file = std::fopen(token_file.c_str(), "w");
    if (file == nullptr) return 1;
    claims.roles = {common::auth::Role::kService};
    std::fputs(std::string(*(*signer)->Mint(claims, absl::Hours(12))).c_str(), file);
    std::fclose(file);
  }
  auto nowhere = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  std::shared_ptr<const common::auth::TokenVerifier> shared_verifier = std::move(*verifier);
  reporting::ReportingServices services(reporting::ReportingDependencies{
      .pool = **pool,
      .rules = *rules,
      .calendar = *calendar,
      .verifier = shared_verifier,
      .plans = std::move(plans),
      .page_token_secret = "reporting-bench-page-tokens",
      .org_channel = nowhere,
      .membership_channel = nowhere,
      .inspection_channel = nowhere,
      .service_token = std::make_shared<orgtree::ServiceToken>(token_file)});
  common::ServerConfig server;
  server.grpc_address = "127.0.0.1:0";
  server.metrics_address = "";
  server.drain_delay = std::chrono::milliseconds(0);
  server.authenticate = common::auth::BearerGate(shared_verifier);
  common::ServiceHost host("reporting-bench", server, std::make_shared<prometheus::Registry>());
  services.RegisterServices(host);
  if (absl::Status started = host.Start(); !started.ok()) {
    std::cerr << "service: " << started << std::endl;
    return 1;
  }
  auto stub = rv1::ScorecardService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", host.port()), grpc::InsecureChannelCredentials()));

  // A commune in the middle of the tree, the first province, the nation.
  struct Scope {
    std::string name;
    int64_t org_id;
  };
  std::vector<Scope> scopes;
  for (const Org& org : orgs) {
    if (std::string(org.type) == "DANG_BO_XA" && org.id > static_cast<int64_t>(orgs.size() / 100)) {
      scopes.push_back({"commune", org.id});
      break;
    }
  }
  scopes.push_back({"province", 2});
  scopes.push_back({"nation", 1});
  const std::vector<std::pair<std::string, std::string>> days = {{"year-end 2025", ""}, {"as of 2025-08-20", "2025-08-20"}};

  std::unique_ptr<sql::PreparedStatement> raw(connection->prepareStatement(
      "SELECT COUNT(*) FROM org_closure c JOIN member_period_projection p ON p.cell_id = c.descendant_id"
      " WHERE c.ancestor_id = ? AND p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to > ?) AND p.status IN (3, 4)"));
  // A write's effect on the pre-aggregates, as a feed consumer applies it:
  // every row above one cell of the scope goes stale.
  std::unique_ptr<sql::PreparedStatement> cell_of_scope(connection->prepareStatement(
      "SELECT c.descendant_id FROM org_closure c JOIN rm_org_period p ON p.org_id = c.descendant_id"
      " JOIN rm_org_type t ON t.type_code = p.type_code AND t.is_cell"
      " WHERE c.ancestor_id = ? ORDER BY c.descendant_id LIMIT 1 OFFSET ?"));
  auto touch_a_cell = [&](int64_t scope_id, int index) -> absl::Status {
    cell_of_scope->setInt64(1, scope_id);
    cell_of_scope->setInt(2, index * 7);
    std::unique_ptr<sql::ResultSet> rs(cell_of_scope->executeQuery());
    if (!rs->next()) return absl::NotFoundError("no cell in the scope");
    const int64_t cell = rs->getInt64(1);
    return (*pool)->RunInTransaction("bench.touch", [&](common::db::Session& session) {
      return reporting::store::RollupStore::Invalidate(session, reporting::store::AffectedOrganizations{{cell}, false});
    });
  };
  enum class Phase { kCold, kWarm, kAfterAWrite };
  std::vector<Measured> results;
  bool failed = false;
  for (const Scope& scope : scopes) {
    if (options.scopes.find(scope.name) == std::string::npos || failed) continue;
    for (const auto& [day_label, as_of] : days) {
      if (failed) break;
      for (const Phase phase : {Phase::kCold, Phase::kWarm, Phase::kAfterAWrite}) {
        Measured measured;
        measured.label = absl::StrCat(scope.name, " (organizations/", scope.org_id, "), ", day_label, ", ",
                                      phase == Phase::kCold   ? "first call"
                                      : phase == Phase::kWarm ? "rows fresh"
                                                              : "after a write below");
        std::cout << "measuring " << measured.label << "..." << std::endl;
        const int calls = phase == Phase::kCold ? 1 : options.iterations;
        for (int i = 0; i < calls; ++i) {
          const std::string day = as_of.empty() ? "2025-12-31" : as_of;
          auto raw_started = Clock::now();
          raw->setInt64(1, scope.org_id);
          raw->setString(2, day);
          raw->setString(3, day);
          std::unique_ptr<sql::ResultSet> rs(raw->executeQuery());
          rs->next();
          measured.raw_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - raw_started).count());
          if (phase == Phase::kAfterAWrite) {
            if (absl::Status touched = touch_a_cell(scope.org_id, i); !touched.ok()) {
              measured.error = touched.ToString();
              break;
            }
          }

          rv1::GetScorecardRequest request;
          request.mutable_scope()->set_organization(absl::StrCat("organizations/", scope.org_id));
          if (as_of.empty()) request.mutable_scope()->set_year(2025);
          request.mutable_scope()->set_as_of_date(as_of);
          rv1::Scorecard scorecard;
          grpc::ClientContext context;
          context.AddMetadata("authorization", token);
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(options.deadline_seconds));
          auto started = Clock::now();
          grpc::Status status = stub->GetScorecard(&context, request, &scorecard);
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
          if (!status.ok()) {
            measured.error = absl::StrCat(grpc::StatusCode(status.error_code()) == grpc::DEADLINE_EXCEEDED
                                              ? absl::StrCat("did not finish within ", options.deadline_seconds, " s")
                                              : status.error_message());
            break;
          }
          measured.service_ms.push_back(ms);
          if (i == 0 && phase == Phase::kCold) {
            std::cout << "  counted members on the day: " << rs->getInt64(1) << "; S5b denominator "
                      << scorecard.indicators(6).denominator() << "; S1 " << scorecard.indicators(0).value() << "%"
                      << std::endl;
          }
        }
        results.push_back(std::move(measured));
        if (!results.back().error.empty()) {
          std::cout << "  " << results.back().error << "; the larger scopes are skipped" << std::endl;
          failed = true;
          break;
        }
      }
    }
  }
  host.Stop();
  std::remove(token_file.c_str());

  std::cout << "\nGetScorecard (gRPC, in-process service; the first call computes and saves the pre-aggregates,\n"
               "then " << options.iterations << " calls with the rows fresh, then " << options.iterations
            << " calls each after a write below the scope made its rows stale)\n"
               "beside the raw SQL floor (counted members of the scope on the day)\n";
  std::cout << absl::StrFormat("%-48s %12s %12s %12s %12s %10s\n", "case", "p50 ms", "p99 ms", "raw p50 ms",
                               "raw p99 ms", "p50 ratio");
  for (const Measured& m : results) {
    if (m.service_ms.empty()) {
      std::cout << absl::StrFormat("%-48s %s (raw p50 %.1f ms)\n", m.label, m.error, Percentile(m.raw_ms, 0.5));
      continue;
    }
    const double p50 = Percentile(m.service_ms, 0.5), raw50 = Percentile(m.raw_ms, 0.5);
    std::cout << absl::StrFormat("%-48s %12.1f %12.1f %12.1f %12.1f %9.1fx\n", m.label, p50,
                                 Percentile(m.service_ms, 0.99), raw50, Percentile(m.raw_ms, 0.99),
                                 raw50 > 0 ? p50 / raw50 : 0);
  }
  if (!options.keep_database) {
    std::unique_ptr<sql::Statement> statement(admin->createStatement());
    statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", options.database, "`"));
  }
  return 0;
}

}  // namespace
}  // namespace grassroots::bench

int main(int argc, char** argv) {
  grassroots::bench::Options options;
  CLI::App app{"grassroots-reporting-bench: GetScorecard at commune, province and national scale"};
  app.add_option("--db-host", options.db_host)->envname("GRASSROOTS_TEST_DB_HOST");
  app.add_option("--db-port", options.db_port)->envname("GRASSROOTS_TEST_DB_PORT");
  app.add_option("--db-user", options.db_user)->envname("GRASSROOTS_TEST_DB_USER");
  app.add_option("--db-password", options.db_password)->envname("GRASSROOTS_TEST_DB_PASSWORD");
  app.add_option("--database", options.database)->capture_default_str();
  app.add_option("--members", options.members, "members in the nation")->capture_default_str();
  app.add_option("--scale", options.scale, "share of the national tree to generate (1: the nation)")
      ->capture_default_str();
  app.add_option("--iterations", options.iterations, "GetScorecard calls per case")->capture_default_str();
  app.add_option("--deadline-seconds", options.deadline_seconds, "deadline of each GetScorecard call")
      ->capture_default_str();
  app.add_option("--scopes", options.scopes, "which of commune,province,nation to measure")->capture_default_str();
  app.add_flag("--keep-database", options.keep_database);
  CLI11_PARSE(app, argc, argv);
  if (options.members <= 0) options.members = static_cast<int64_t>(5'600'000 * std::clamp(options.scale, 1e-4, 1.0));
  return grassroots::bench::Run(options);
}
