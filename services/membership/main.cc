// grassroots-membership: wires configuration, database, rules, calendar, auth,
// the organization service client, the org-tree projection and the four
// membership services plus the change feed into one gRPC server. No logic lives here.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <variant>

#include <grpcpp/grpcpp.h>
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
#include "services/membership/domain/code_lists.h"
#include "services/membership/domain/working_calendar.h"
#include "services/membership/handlers/code_migration.h"
#include "services/membership/handlers/cell_succession.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/import_handlers.h"
#include "services/membership/handlers/lifecycle_handlers.h"
#include "services/membership/handlers/member_handlers.h"
#include "services/membership/handlers/policy.h"
#include "services/membership/handlers/yearly_handlers.h"
#include "services/membership/store/event_store.h"
#include "services/membership/store/member_store.h"
#include "services/membership/store/yearly_store.h"
#include "services/orgtree/cell_directory.h"
#include "services/orgtree/org_feed_follower.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/orgtree_migrations.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& MembershipMigrations();
}

namespace {

// The options only membership has (the common ones are in common/config).
struct MembershipOptions {
  std::string org_target = "127.0.0.1:50051";
  std::string service_token_file;
  std::chrono::milliseconds org_call_deadline{2000};
  std::string citizen_id_lookup_key;
  std::string calendar_file = grassroots::membership::domain::WorkingCalendar::DefaultPath();
  std::string codes_dir = grassroots::membership::domain::CodeLists::DefaultDir();
};

grassroots::common::ServiceOptionsHook DeclareOptions(MembershipOptions& options) {
  return [&options](grassroots::common::ServiceOptions& declare) {
    declare.AddString("--org-target", options.org_target, "organization service address (host:port)",
                      /*required=*/true);
    declare.AddFile("--service-token-file", options.service_token_file,
                    "bearer token (role service) presented to the organization service; re-read when it changes",
                    /*required=*/true);
    declare.AddMillis("--org-call-deadline-ms", options.org_call_deadline,
                      "deadline of each call to the organization service", 1);
    // 32 random bytes recommended; changing it breaks exact lookup of stored citizen IDs.
    declare.AddSecret("--citizen-id-lookup-key", "--citizen-id-lookup-key-file", options.citizen_id_lookup_key,
                      "HMAC key of the citizen-ID lookup index", /*required=*/true, 16);
    declare.AddFile("--calendar-file", options.calendar_file, "working-day calendar (weekends, public holidays)",
                    /*required=*/true);
    declare.AddString("--codes-dir", options.codes_dir, "directory of the code lists (ethnicity.json, religion.json)",
                      /*required=*/true);
  };
}

}  // namespace

int main(int argc, char** argv) {
  using namespace grassroots;
  common::ServiceHost::BlockTerminationSignals();
  MembershipOptions options;
  std::variant<common::ServiceBase, int> started = common::StartService(
      "membership", argc, argv, 50052, 9465, {&common::db::CommonMigrations(), &migrations::MembershipMigrations(),
       &migrations::OrgTreeMigrations()},  // the library's after membership's (see orgtree_migrations.h)
      DeclareOptions(options));
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  common::ServiceBase& base = std::get<common::ServiceBase>(started);
  common::db::ConnectionPool* db = base.pool.get();
  absl::StatusOr<membership::domain::WorkingCalendar> calendar =
      membership::domain::WorkingCalendar::LoadFile(options.calendar_file);
  if (!calendar.ok()) {
    common::log::Error("cannot load the working-day calendar", {{"status", calendar.status().ToString()}});
    return 1;
  }
  absl::StatusOr<membership::domain::CodeLists> codes = membership::domain::CodeLists::LoadDir(options.codes_dir);
  if (!codes.ok()) {
    common::log::Error("cannot load the code lists", {{"status", codes.status().ToString()}});
    return 1;
  }
  common::auth::Authorizer authorizer(base.verifier, membership::MakeMembershipMethodPolicy());
  common::api::PageTokenCodec page_tokens(base.config.page_token_secret);

  // The organization service: cell checks on writes, and its change feed for the projection.
  grpc::ChannelArguments org_channel_args = common::DefaultChannelArguments();
  // Spreads calls over the org replicas when the target resolves to several
  // addresses (a headless Service: "dns:///org-headless:50051"); one address: as pick_first.
  org_channel_args.SetLoadBalancingPolicyName("round_robin");
  std::shared_ptr<grpc::Channel> org_channel =
      grpc::CreateCustomChannel(options.org_target, grpc::InsecureChannelCredentials(), org_channel_args);
  auto service_token = std::make_shared<orgtree::ServiceToken>(options.service_token_file);
  orgtree::GrpcCellDirectory cells(org_channel, service_token, options.org_call_deadline);

  orgtree::OrgProjection projection(*db);
  membership::store::MemberStore members(*db, options.citizen_id_lookup_key);
  membership::store::EventStore events;
  membership::store::YearlyStore yearly;
  membership::HandlerContext ctx{*db, authorizer, base.rules, *calendar, page_tokens,
                                 cells, projection, members, events, yearly, *codes};

  // Legacy ethnicity and religion text to codes (idempotent; lists what it cannot map).
  absl::StatusOr<membership::CodeMigrationResult> migrated = membership::MigrateLegacyCodes(ctx);
  if (!migrated.ok()) {
    common::log::Error("code migration failed", {{"status", migrated.status().ToString()}});
    return 1;
  }
  if (migrated->members_mapped > 0 || migrated->fields_unmapped > 0) {
    common::log::Info("code migration", {{"members_mapped", std::to_string(migrated->members_mapped)},
                                         {"fields_unmapped", std::to_string(migrated->fields_unmapped)}});
  }

  membership::MemberServiceImpl member_service(ctx);
  membership::LifecycleServiceImpl lifecycle_service(ctx);
  membership::YearlyRecordServiceImpl yearly_service(ctx);
  membership::MemberImportServiceImpl import_service(ctx);
  common::feed::ChangeFeedServiceImpl feed_service(*db, authorizer, base.registry);

  orgtree::OrgFeedFollower org_feed(org_channel, service_token, *db, projection, base.registry,
                                   {.on_organization_change = membership::MakeCellSuccessionHook(ctx)});
  org_feed.Start();

  common::ServiceHost host("membership", base.config.server, base.registry);
  host.AddService(&member_service);
  host.AddService(&lifecycle_service);
  host.AddService(&yearly_service);
  host.AddService(&import_service);
  host.AddService(&feed_service);
  // Ready once the database answers and the org-tree projection is usable (scope checks read it).
  host.SetReadinessProbe([db, &org_feed] { return org_feed.Ready() && db->Ping(); });
  host.OnStop([&feed_service, &org_feed] {
    feed_service.StopStreams();
    org_feed.Stop();
  });
  return host.RunUntilSignal();
}
