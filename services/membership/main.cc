// grassroots-membership: wires configuration, database, rules, calendar, auth,
// the organization service client, the org-tree projection and the four
// membership services plus the change feed into one gRPC server. No logic lives here.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

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
#include "services/membership/domain/working_calendar.h"
#include "services/membership/handlers/cell_directory.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/import_handlers.h"
#include "services/membership/handlers/lifecycle_handlers.h"
#include "services/membership/handlers/member_handlers.h"
#include "services/membership/handlers/org_feed_follower.h"
#include "services/membership/handlers/policy.h"
#include "services/membership/handlers/yearly_handlers.h"
#include "services/membership/store/event_store.h"
#include "services/membership/store/member_store.h"
#include "services/membership/store/org_projection.h"
#include "services/membership/store/yearly_store.h"

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
  };
}

}  // namespace

int main(int argc, char** argv) {
  using namespace grassroots;
  common::ServiceHost::BlockTerminationSignals();
  MembershipOptions options;
  absl::StatusOr<common::ServiceConfig> config =
      common::LoadServiceConfig("membership", argc, argv, 50052, 9465, DeclareOptions(options));
  if (!config.ok()) {
    if (common::IsHelpRequest(config.status())) {
      std::cout << config.status().message() << std::endl;
      return 0;
    }
    std::cerr << config.status().message() << std::endl;
    return 2;
  }
  common::log::Init("membership", common::log::ParseLevel(config->log_level));

  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool = common::db::ConnectionPool::Create(config->db, registry);
  if (!pool.ok()) {
    common::log::Error("cannot create the database pool", {{"status", pool.status().ToString()}});
    return 1;
  }
  common::db::ConnectionPool* db = pool->get();
  if (absl::Status migrated = common::RetryWhileUnavailable(
          "database", config->db.startup_wait,
          [db] {
            return common::db::ApplyMigrations(*db, {&common::db::CommonMigrations(), &migrations::MembershipMigrations()});
          });
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
  absl::StatusOr<membership::domain::WorkingCalendar> calendar =
      membership::domain::WorkingCalendar::LoadFile(options.calendar_file);
  if (!calendar.ok()) {
    common::log::Error("cannot load the working-day calendar", {{"status", calendar.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::unique_ptr<common::auth::TokenVerifier>> verifier =
      common::auth::TokenVerifier::FromConfig(config->auth);
  if (!verifier.ok()) {
    common::log::Error("cannot load the token key", {{"status", verifier.status().ToString()}});
    return 1;
  }
  common::auth::Authorizer authorizer(std::shared_ptr<const common::auth::TokenVerifier>(std::move(*verifier)),
                                      membership::MakeMembershipMethodPolicy());
  common::api::PageTokenCodec page_tokens(config->page_token_secret);

  // The organization service: cell checks on writes, and its change feed for the projection.
  grpc::ChannelArguments org_channel_args = common::DefaultChannelArguments();
  // gRPC's own reconnect backoff grows to two minutes, and calls fail fast
  // meanwhile: capped, writes work again within seconds of the org service's return.
  org_channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  // Spreads calls over the org replicas when the target resolves to several
  // addresses (a headless Service: "dns:///org-headless:50051"); one address: as pick_first.
  org_channel_args.SetLoadBalancingPolicyName("round_robin");
  std::shared_ptr<grpc::Channel> org_channel =
      grpc::CreateCustomChannel(options.org_target, grpc::InsecureChannelCredentials(), org_channel_args);
  auto service_token = std::make_shared<membership::ServiceToken>(options.service_token_file);
  membership::GrpcCellDirectory cells(org_channel, service_token, options.org_call_deadline);

  membership::store::OrgProjection projection(**pool);
  membership::store::MemberStore members(**pool, options.citizen_id_lookup_key);
  membership::store::EventStore events;
  membership::store::YearlyStore yearly;
  membership::HandlerContext ctx{**pool, authorizer, *rules, *calendar, page_tokens,
                                 cells, projection, members, events, yearly};

  membership::MemberServiceImpl member_service(ctx);
  membership::LifecycleServiceImpl lifecycle_service(ctx);
  membership::YearlyRecordServiceImpl yearly_service(ctx);
  membership::MemberImportServiceImpl import_service(ctx);
  common::feed::ChangeFeedServiceImpl feed_service(**pool, authorizer, registry);

  membership::OrgFeedFollower org_feed(org_channel, service_token, **pool, projection, registry);
  org_feed.Start();

  common::ServiceHost host("membership", config->server, registry);
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
