// grassroots-org: wires configuration, database, rules, auth and the five org
// services plus the change feed into one gRPC server. No logic lives here.
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
#include "services/org/handlers/committee_handlers.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/handlers/meeting_handlers.h"
#include "services/org/handlers/member_directory.h"
#include "services/org/handlers/organization_handlers.h"
#include "services/org/handlers/policy.h"
#include "services/org/handlers/recognition_handlers.h"
#include "services/org/handlers/residential_unit_handlers.h"
#include "services/org/store/organization_store.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
}

namespace {

// The options only org has: the membership service, optional (unit heads who name a
// member are refused while it is unset).
struct OrgOptions {
  std::string membership_target;
  std::string service_token_file;
  std::chrono::milliseconds membership_call_deadline{2000};
};

grassroots::common::ServiceOptionsHook DeclareOptions(OrgOptions& options) {
  return [&options](grassroots::common::ServiceOptions& declare) {
    declare.AddString("--membership-target", options.membership_target,
                      "membership service address (host:port); empty: unit heads cannot name members");
    declare.AddFile("--service-token-file", options.service_token_file,
                    "bearer token (role service) presented to the membership service", /*required=*/false);
    declare.AddMillis("--membership-call-deadline-ms", options.membership_call_deadline,
                      "deadline of each call to the membership service", 1);
  };
}

}  // namespace

int main(int argc, char** argv) {
  using namespace grassroots;
  common::ServiceHost::BlockTerminationSignals();
  OrgOptions options;
  std::variant<common::ServiceBase, int> started =
      common::StartService("org", argc, argv, 50051, 9464,
                           {&common::db::CommonMigrations(), &migrations::OrgMigrations()}, DeclareOptions(options));
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  common::ServiceBase& base = std::get<common::ServiceBase>(started);
  common::db::ConnectionPool* db = base.pool.get();
  common::auth::Authorizer authorizer(base.verifier, org::MakeOrgMethodPolicy());
  common::api::PageTokenCodec page_tokens(base.config.page_token_secret);
  org::store::OrganizationStore organizations(*db);
  org::HandlerContext ctx{*db, authorizer, base.rules, page_tokens, organizations};
  std::unique_ptr<org::GrpcMemberDirectory> member_directory;
  if (!options.membership_target.empty()) {
    if (options.service_token_file.empty()) {
      std::cerr << "--membership-target (GRASSROOTS_MEMBERSHIP_TARGET) needs --service-token-file "
                   "(GRASSROOTS_SERVICE_TOKEN_FILE)\n";
      return 2;
    }
    grpc::ChannelArguments channel_args = common::DefaultChannelArguments();
    channel_args.SetLoadBalancingPolicyName("round_robin");
    member_directory = std::make_unique<org::GrpcMemberDirectory>(
        grpc::CreateCustomChannel(options.membership_target, grpc::InsecureChannelCredentials(), channel_args),
        options.service_token_file, options.membership_call_deadline);
    ctx.members = member_directory.get();
  }

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
