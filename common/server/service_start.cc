#include "common/server/service_start.h"

#include <iostream>

#include "common/log/log.h"
#include "common/server/service_host.h"

namespace grassroots::common {

std::variant<ServiceBase, int> StartService(std::string_view name, int argc, char** argv, int default_grpc_port,
                                            int default_metrics_port,
                                            const std::vector<const std::vector<db::Migration>*>& migrations,
                                            const ServiceOptionsHook& add_service_options) {
  absl::StatusOr<ServiceConfig> config =
      LoadServiceConfig(name, argc, argv, default_grpc_port, default_metrics_port, add_service_options);
  if (!config.ok()) {
    if (IsHelpRequest(config.status())) {
      std::cout << config.status().message() << std::endl;
      return 0;
    }
    std::cerr << config.status().message() << std::endl;
    return 2;
  }
  log::Init(name, log::ParseLevel(config->log_level));

  ServiceBase base;
  base.registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<db::ConnectionPool>> pool = db::ConnectionPool::Create(config->db, base.registry);
  if (!pool.ok()) {
    log::Error("cannot create the database pool", {{"status", pool.status().ToString()}});
    return 1;
  }
  db::ConnectionPool* database = pool->get();
  if (absl::Status migrated = RetryWhileUnavailable("database", config->db.startup_wait,
                                                    [&] { return db::ApplyMigrations(*database, migrations); });
      !migrated.ok()) {
    if (absl::IsCancelled(migrated)) return 0;  // stopped while waiting for the database
    log::Error("migrations failed", {{"status", migrated.ToString()}});
    return 1;
  }
  absl::StatusOr<RulesRegistry> rules = RulesRegistry::LoadFile(config->rules_file);
  if (!rules.ok()) {
    log::Error("cannot load rules", {{"status", rules.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::unique_ptr<auth::TokenVerifier>> verifier = auth::TokenVerifier::FromConfig(config->auth);
  if (!verifier.ok()) {
    log::Error("cannot load the token key", {{"status", verifier.status().ToString()}});
    return 1;
  }
  base.config = *std::move(config);
  base.pool = *std::move(pool);
  base.rules = *std::move(rules);
  base.verifier = std::shared_ptr<const auth::TokenVerifier>(std::move(*verifier));
  base.config.server.authenticate = auth::BearerGate(base.verifier);
  return base;
}

}  // namespace grassroots::common
