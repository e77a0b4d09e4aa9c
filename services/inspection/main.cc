// grassroots-inspection: wires configuration, database, rules, calendar, auth,
// the org and membership channels and the inspection services
// (inspection_services.h) into one gRPC server. No logic lives here.
#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "common/calendar/working_calendar.h"
#include "common/config/config.h"
#include "common/feed/retention.h"
#include "common/db/db.h"
#include "common/log/log.h"
#include "common/server/service_host.h"
#include "common/server/service_start.h"
#include "services/inspection/inspection_services.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/orgtree/service_token.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& InspectionMigrations();
}

namespace {

// The options only inspection has (the common ones are in common/config).
struct InspectionOptions {
  std::string org_target = "127.0.0.1:50051";
  std::string membership_target = "127.0.0.1:50052";
  grassroots::orgtree::ServiceCredentialOptions credentials;
  std::chrono::milliseconds call_deadline{2000};
  std::string calendar_file = grassroots::common::WorkingCalendar::DefaultPath();
  // Retention of the idempotency keys, the change feed and the audit log (docs/retention.md).
  grassroots::common::feed::RetentionOptions retention;
};

grassroots::common::ServiceOptionsHook DeclareOptions(InspectionOptions& options) {
  return [&options](grassroots::common::ServiceOptions& declare) {
    grassroots::common::feed::DeclareRetentionOptions(declare, options.retention);
    declare.AddString("--org-target", options.org_target, "organization service address (host:port)",
                      /*required=*/true);
    declare.AddString("--membership-target", options.membership_target, "membership service address (host:port)",
                      /*required=*/true);
    grassroots::orgtree::DeclareServiceCredentialOptions(declare, options.credentials, /*required=*/true);
    declare.AddMillis("--call-deadline-ms", options.call_deadline,
                      "deadline of each call to the org and membership services", 1);
    declare.AddFile("--calendar-file", options.calendar_file, "working-day calendar (weekends, public holidays)",
                    /*required=*/true);
  };
}


}  // namespace

int main(int argc, char** argv) {
  using namespace grassroots;
  common::ServiceHost::BlockTerminationSignals();
  InspectionOptions options;
  std::variant<common::ServiceBase, int> started = common::StartService(
      "inspection", argc, argv, 50053, 9466,
      // The projection libraries' migrations after inspection's own (see orgtree_migrations.h).
      {&common::db::CommonMigrations(), &migrations::InspectionMigrations(), &migrations::OrgTreeMigrations(),
       &migrations::MemberFactsMigrations()},
      DeclareOptions(options));
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  common::ServiceBase& base = std::get<common::ServiceBase>(started);
  absl::StatusOr<common::WorkingCalendar> calendar = common::WorkingCalendar::LoadFile(options.calendar_file);
  if (!calendar.ok()) {
    common::log::Error("cannot load the working-day calendar", {{"status", calendar.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::shared_ptr<orgtree::ServiceToken>> credentials =
      orgtree::LoadServiceCredentials("inspection", options.credentials, base.config.auth);
  if (!credentials.ok()) {
    common::log::Error("cannot load the service signing key", {{"status", credentials.status().ToString()}});
    return 2;
  }
  inspection::InspectionServices services({.pool = *base.pool,
                                           .rules = base.rules,
                                           .calendar = *calendar,
                                           .verifier = base.verifier,
                                           .registry = base.registry,
                                           .page_token_secret = base.config.page_token_secret,
                                           .org_channel =
                                               common::BalancedChannel(options.org_target, base.config.peer_tls),
                                           .membership_channel =
                                               common::BalancedChannel(options.membership_target, base.config.peer_tls),
                                           .service_token = *credentials,
                                           .call_deadline = options.call_deadline});
  common::ServiceHost host("inspection", base.config.server, base.registry);
  services.RegisterServices(host);
  const std::unique_ptr<common::feed::RetentionJob> retention =
      common::feed::StartRetentionJob(host, *base.pool, options.retention, base.registry);
  return host.RunUntilSignal();
}
