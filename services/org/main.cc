// grassroots-org: wires configuration, database, rules, auth and the five org
// services plus the change feed into one gRPC server. No logic lives here.
#include <iostream>
#include <memory>
#include <variant>

#include <prometheus/registry.h>

#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/log/log.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "common/server/service_start.h"
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
  std::variant<common::ServiceBase, int> started = common::StartService(
      "org", argc, argv, 50051, 9464, {&common::db::CommonMigrations(), &migrations::OrgMigrations()});
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  common::ServiceBase& base = std::get<common::ServiceBase>(started);
  common::db::ConnectionPool* db = base.pool.get();
  common::auth::Authorizer authorizer(base.verifier, org::MakeOrgMethodPolicy());
  common::api::PageTokenCodec page_tokens(base.config.page_token_secret);
  org::store::OrganizationStore organizations(*db);
  org::HandlerContext ctx{*db, authorizer, base.rules, page_tokens, organizations};

  org::OrganizationServiceImpl organization_service(ctx);
  org::CommitteeServiceImpl committee_service(ctx);
  org::ResidentialUnitServiceImpl unit_service(ctx);
  org::MeetingServiceImpl meeting_service(ctx);
  org::RecognitionServiceImpl recognition_service(ctx);
  common::feed::ChangeFeedServiceImpl feed_service(*db, authorizer, base.registry);

  common::ServiceHost host("org", base.config.server, base.registry);
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
