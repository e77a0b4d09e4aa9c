// grassroots-org: wires configuration, database, rules, auth and the org services
// (org_services.h) into one gRPC server. No logic lives here.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "common/config/config.h"
#include "common/feed/retention.h"
#include "common/db/db.h"
#include "common/server/service_host.h"
#include "common/server/service_start.h"
#include "services/org/handlers/member_directory.h"
#include "services/org/org_services.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& OrgMigrations();
}

namespace {

// Org's "organization" entries are never compacted: reporting's read model
// derives each organization's dated periods from their succession.
grassroots::common::feed::RetentionOptions OrgRetention() {
  grassroots::common::feed::RetentionOptions retention;
  retention.policy.feed_types_kept_whole = {"organization"};
  return retention;
}

// The options only org has: the membership service, optional (unit heads who name a
// member are refused while it is unset).
struct OrgOptions {
  std::string membership_target;
  grassroots::orgtree::ServiceCredentialOptions credentials;
  std::chrono::milliseconds membership_call_deadline{2000};
  // Retention of the idempotency keys, the change feed and the audit log (docs/retention.md).
  grassroots::common::feed::RetentionOptions retention = OrgRetention();
};

grassroots::common::ServiceOptionsHook DeclareOptions(OrgOptions& options) {
  return [&options](grassroots::common::ServiceOptions& declare) {
    grassroots::common::feed::DeclareRetentionOptions(declare, options.retention);
    declare.AddString("--membership-target", options.membership_target,
                      "membership service address (host:port); empty: unit heads cannot name members");
    grassroots::orgtree::DeclareServiceCredentialOptions(declare, options.credentials, /*required=*/false);
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
  std::unique_ptr<org::GrpcMemberDirectory> member_directory;
  if (!options.membership_target.empty()) {
    if (options.credentials.signing_key_file.empty()) {
      std::cerr << "--membership-target (GRASSROOTS_MEMBERSHIP_TARGET) needs --service-signing-key-file "
                   "(GRASSROOTS_SERVICE_SIGNING_KEY_FILE)\n";
      return 2;
    }
    absl::StatusOr<std::shared_ptr<orgtree::ServiceToken>> credentials =
        orgtree::LoadServiceCredentials("org", options.credentials, base.config.auth);
    if (!credentials.ok()) {
      std::cerr << credentials.status().message() << "\n";
      return 2;
    }
    member_directory = std::make_unique<org::GrpcMemberDirectory>(
        common::BalancedChannel(options.membership_target, base.config.peer_tls),
        (*credentials)->ForAudience(common::ServiceAudience("membership")), options.membership_call_deadline);
  }

  org::OrgServices services({.pool = *base.pool,
                             .rules = base.rules,
                             .verifier = base.verifier,
                             .registry = base.registry,
                             .page_token_secret = base.config.page_token_secret,
                             .members = member_directory.get()});
  common::ServiceHost host("org", base.config.server, base.registry);
  services.RegisterServices(host);
  const std::unique_ptr<common::feed::RetentionJob> retention =
      common::feed::StartRetentionJob(host, *base.pool, options.retention, base.registry);
  return host.RunUntilSignal();
}
