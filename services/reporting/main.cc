// grassroots-reporting: wires configuration, database, rules, plans, auth, the
// three producers' channels and the reporting services (reporting_services.h)
// into one gRPC server. No logic lives here.
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "common/calendar/working_calendar.h"
#include "common/config/config.h"
#include "common/feed/retention.h"
#include "common/db/db.h"
#include "common/log/log.h"
#include "common/server/service_host.h"
#include "common/server/service_start.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/orgtree/service_token.h"
#include "services/reporting/domain/plan.h"
#include "services/reporting/reporting_services.h"
#include "services/reporting/store/reporting_migrations.h"

namespace {

// The options only reporting has (the common ones are in common/config).
struct ReportingOptions {
  std::string org_target = "127.0.0.1:50051";
  std::string membership_target = "127.0.0.1:50052";
  std::string inspection_target = "127.0.0.1:50053";
  grassroots::orgtree::ServiceCredentialOptions credentials;
  std::string codes_dir;
  std::string plan_file = grassroots::reporting::domain::DefaultPlanPath();
  std::string calendar_file = grassroots::common::WorkingCalendar::DefaultPath();
  // Retention of the idempotency keys, the change feed and the audit log (docs/retention.md).
  grassroots::common::feed::RetentionOptions retention;
};

grassroots::common::ServiceOptionsHook DeclareOptions(ReportingOptions& options) {
  return [&options](grassroots::common::ServiceOptions& declare) {
    grassroots::common::feed::DeclareRetentionOptions(declare, options.retention);
    declare.AddString("--org-target", options.org_target, "organization service address (host:port)", true);
    declare.AddString("--membership-target", options.membership_target, "membership service address (host:port)",
                      true);
    declare.AddString("--inspection-target", options.inspection_target, "inspection service address (host:port)",
                      true);
    grassroots::orgtree::DeclareServiceCredentialOptions(declare, options.credentials, /*required=*/true);
    declare.AddFile("--plan-file", options.plan_file,
                    "the plan whose targets the scorecard judges by default (data/plans format)", true);
    declare.AddFile("--calendar-file", options.calendar_file, "working-day calendar (weekends, public holidays)",
                    true);
    declare.AddString("--codes-dir", options.codes_dir,
                      "directory of the code lists labelling the statistics (ethnicity.json, religion.json)");
  };
}


}  // namespace

int main(int argc, char** argv) {
  using namespace grassroots;
  common::ServiceHost::BlockTerminationSignals();
  ReportingOptions options;
  std::variant<common::ServiceBase, int> started = common::StartService(
      "reporting", argc, argv, 50054, 9467,
      // The projection libraries' migrations after reporting's own (see orgtree_migrations.h).
      {&common::db::CommonMigrations(), &migrations::ReportingMigrations(), &migrations::OrgTreeMigrations(),
       &migrations::MemberFactsMigrations()},
      DeclareOptions(options));
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  common::ServiceBase& base = std::get<common::ServiceBase>(started);
  absl::StatusOr<reporting::domain::Plan> plan = reporting::domain::LoadPlanFile(options.plan_file);
  if (!plan.ok()) {
    common::log::Error("cannot load the plan", {{"status", plan.status().ToString()}});
    return 2;
  }
  absl::StatusOr<common::WorkingCalendar> calendar = common::WorkingCalendar::LoadFile(options.calendar_file);
  if (!calendar.ok()) {
    common::log::Error("cannot load the working-day calendar", {{"status", calendar.status().ToString()}});
    return 2;
  }
  absl::StatusOr<std::shared_ptr<orgtree::ServiceToken>> credentials =
      orgtree::LoadServiceCredentials("reporting", options.credentials, base.config.auth);
  if (!credentials.ok()) {
    common::log::Error("cannot load the service signing key", {{"status", credentials.status().ToString()}});
    return 2;
  }
  reporting::PlanCatalog plans;
  plans.default_plan_id = plan->id;
  plans.plans.emplace(plan->id, *std::move(plan));
  reporting::ReportingServices services({.pool = *base.pool,
                                         .rules = base.rules,
                                         .calendar = *calendar,
                                         .verifier = base.verifier,
                                         .plans = std::move(plans),
                                         .registry = base.registry,
                                         .page_token_secret = base.config.page_token_secret,
                                         .org_channel =
                                             common::BalancedChannel(options.org_target, base.config.peer_tls),
                                         .membership_channel =
                                             common::BalancedChannel(options.membership_target, base.config.peer_tls),
                                         .inspection_channel =
                                             common::BalancedChannel(options.inspection_target, base.config.peer_tls),
                                         .service_token = *credentials,
                                         .codes_dir = options.codes_dir});
  common::ServiceHost host("reporting", base.config.server, base.registry);
  services.RegisterServices(host);
  const std::unique_ptr<common::feed::RetentionJob> retention =
      common::feed::StartRetentionJob(host, *base.pool, options.retention, base.registry);
  return host.RunUntilSignal();
}
