// grassroots-org: wires configuration, database, rules, auth and the five org
// services plus the change feed into one gRPC server. No logic lives here.
#include <iostream>
#include <memory>

#include <prometheus/registry.h>

#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/log/log.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/org/handlers/committee_handlers.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/handlers/meeting_handlers.h"
#include "services/org/handlers/organization_handlers.h"
#include "services/org/handlers/policy.h"
#include "services/org/handlers/recognition_handlers.h"
#include "services/org/handlers/residential_unit_handlers.h"
#include "services/org/store/organization_store.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
}

int main(int argc, char** argv) {
  using namespace grassroots;
  common::ServiceHost::BlockTerminationSignals();
  absl::StatusOr<common::ServiceConfig> config = common::LoadServiceConfig("org", argc, argv, 50051, 9464);
  if (!config.ok()) {
    if (common::IsHelpRequest(config.status())) {
      std::cout << config.status().message() << std::endl;
      return 0;
    }
    std::cerr << config.status().message() << std::endl;
    return 2;
  }
  common::log::Init("org", common::log::ParseLevel(config->log_level));

  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool = common::db::ConnectionPool::Create(config->db, registry);
  if (!pool.ok()) {
    common::log::Error("cannot create the database pool", {{"status", pool.status().ToString()}});
    return 1;
  }
  common::db::ConnectionPool* db = pool->get();
  if (absl::Status migrated = common::RetryWhileUnavailable(
          "database", config->db.startup_wait,
          [db] { return common::db::ApplyMigrations(*db, {&common::db::CommonMigrations(), &migrations::OrgMigrations()}); });
      !migrated.ok()) {
    if (absl::IsCancelled(migrated)) return 0;  // stopped while waiting for the database
    common::log::Error("migrations failed", {{"status", migrated.ToString()}});
    return 1;
  }
  absl::StatusOr<common::RulesRegistry> rules = common::RulesRegistry::LoadFile(config->rules_file);
  if (!rules.ok()) {
    common::log::Error("cannot load rules", {{"status", rules.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::unique_ptr<common::auth::TokenVerifier>> verifier =
      common::auth::TokenVerifier::FromConfig(config->auth);
  if (!verifier.ok()) {
    common::log::Error("cannot load the token key", {{"status", verifier.status().ToString()}});
    return 1;
  }
  common::auth::Authorizer authorizer(std::shared_ptr<const common::auth::TokenVerifier>(std::move(*verifier)),
                                      org::MakeOrgMethodPolicy());
  common::api::PageTokenCodec page_tokens(config->page_token_secret);
  org::store::OrganizationStore organizations(**pool);
  org::HandlerContext ctx{**pool, authorizer, *rules, page_tokens, organizations};

  org::OrganizationServiceImpl organization_service(ctx);
  org::CommitteeServiceImpl committee_service(ctx);
  org::ResidentialUnitServiceImpl unit_service(ctx);
  org::MeetingServiceImpl meeting_service(ctx);
  org::RecognitionServiceImpl recognition_service(ctx);
  common::feed::ChangeFeedServiceImpl feed_service(**pool, authorizer, registry);

  common::ServiceHost host("org", config->server, registry);
  host.AddService(&organization_service);
  host.AddService(&committee_service);
  host.AddService(&unit_service);
  host.AddService(&meeting_service);
  host.AddService(&recognition_service);
  host.AddService(&feed_service);
  host.SetReadinessProbe([db] { return db->Ping(); });
  host.OnStop([&feed_service] { feed_service.StopStreams(); });
  return host.RunUntilSignal();
}
