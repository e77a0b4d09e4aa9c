#pragma once
// What every service's main does before its own wiring: configuration (with
// --help), logging, the database pool, the wait for the database and the
// migrations, the rules and the token verifier. Failures are logged once here.
#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include <prometheus/registry.h>

#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"

namespace grassroots::common {

struct ServiceBase {
  ServiceConfig config;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<db::ConnectionPool> pool;
  RulesRegistry rules;
  std::shared_ptr<const auth::TokenVerifier> verifier;
};

// Either everything a service needs, or the exit code main returns at once:
// 0 for --help (printed to stdout) or a stop requested while waiting for the
// database, 2 for bad configuration (printed to stderr), 1 for any other
// start-up failure (logged). The caller has called ServiceHost::BlockTerminationSignals().
std::variant<ServiceBase, int> StartService(std::string_view name, int argc, char** argv, int default_grpc_port,
                                            int default_metrics_port,
                                            const std::vector<const std::vector<db::Migration>*>& migrations,
                                            const ServiceOptionsHook& add_service_options = nullptr);

}  // namespace grassroots::common
