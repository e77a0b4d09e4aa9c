// grassroots-membership: wires configuration, database, rules, calendar, code
// lists, auth, the organization service channel and the membership services
// (membership_services.h) into one gRPC server. No logic lives here.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "common/config/config.h"
#include "common/feed/retention.h"
#include "common/crypto/keyring.h"
#include "common/status/status.h"
#include "common/db/db.h"
#include "common/db/read_router.h"
#include "common/log/log.h"
#include "common/server/service_host.h"
#include "common/server/service_start.h"
#include "services/membership/domain/code_lists.h"
#include "common/calendar/working_calendar.h"
#include "services/membership/membership_services.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/orgtree/service_token.h"

namespace grassroots::migrations {
const std::vector<common::db::Migration>& MembershipMigrations();
}

namespace {

// The options only membership has (the common ones are in common/config).
struct MembershipOptions {
  std::string org_target = "127.0.0.1:50051";
  grassroots::orgtree::ServiceCredentialOptions credentials;
  std::chrono::milliseconds org_call_deadline{2000};
  std::string citizen_id_lookup_key;
  std::string sensitive_keyring_file;
  std::string audit_checkpoint_key;
  std::string calendar_file = grassroots::common::WorkingCalendar::DefaultPath();
  std::string codes_dir = grassroots::membership::domain::CodeLists::DefaultDir();
  // Retention of the idempotency keys, the change feed and the audit log (docs/retention.md).
  grassroots::common::feed::RetentionOptions retention;
  // Bounds of one member import; the defaults suit a committee's spreadsheet.
  int import_max_rows = 200'000;
  int import_max_megabytes = 64;
  int import_max_minutes = 30;
  int import_max_concurrent = 4;
  // Audit entries of reads: written in batches within this time (0: within each read).
  std::chrono::milliseconds read_audit_flush{20};
  // Searches and lists may read a replica (docs/scale-out.md).
  grassroots::common::ReadReplicaConfig replica;
};

grassroots::common::ServiceOptionsHook DeclareOptions(MembershipOptions& options) {
  return [&options](grassroots::common::ServiceOptions& declare) {
    grassroots::common::feed::DeclareRetentionOptions(declare, options.retention);
    grassroots::common::DeclareReadReplicaOptions(declare, options.replica);
    declare.AddString("--org-target", options.org_target, "organization service address (host:port)",
                      /*required=*/true);
    grassroots::orgtree::DeclareServiceCredentialOptions(declare, options.credentials, /*required=*/true);
    declare.AddMillis("--org-call-deadline-ms", options.org_call_deadline,
                      "deadline of each call to the organization service", 1);
    // 32 random bytes recommended; changing it breaks exact lookup of stored citizen IDs.
    declare.AddSecret("--citizen-id-lookup-key", "--citizen-id-lookup-key-file", options.citizen_id_lookup_key,
                      "HMAC key of the citizen-ID lookup index", /*required=*/true, 16);
    // Keys by id, one current (format in common/crypto/keyring.h and the README); re-read every re-sealing pass.
    declare.AddFile("--sensitive-keyring-file", options.sensitive_keyring_file,
                    "keyring sealing the citizen ID, ethnicity and religion at rest", /*required=*/true);
    declare.AddSecret("--audit-checkpoint-key", "--audit-checkpoint-key-file", options.audit_checkpoint_key,
                      "HMAC key signing the audit chain's head every minute (unset: no checkpoints)",
                      /*required=*/false, 16);
    declare.AddFile("--calendar-file", options.calendar_file, "working-day calendar (weekends, public holidays)",
                    /*required=*/true);
    declare.AddString("--codes-dir", options.codes_dir, "directory of the code lists (ethnicity.json, religion.json)",
                      /*required=*/true);
    declare.AddInt("--import-max-rows", options.import_max_rows, "rows one member import may hold", 1, 10'000'000);
    declare.AddInt("--import-max-megabytes", options.import_max_megabytes, "size of one member import file (MiB)",
                   1, 4096);
    declare.AddInt("--import-max-minutes", options.import_max_minutes, "how long one member import may run", 1,
                   24 * 60);
    declare.AddInt("--import-max-concurrent", options.import_max_concurrent,
                   "member imports one process runs at once (one more is refused RESOURCE_EXHAUSTED)", 1, 256);
    declare.AddMillis("--read-audit-flush-ms", options.read_audit_flush,
                      "audit entries of reads are written in batches within this time; a crash loses at most "
                      "that much of them (0: each read writes its own before it answers)",
                      0);
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
  absl::StatusOr<common::WorkingCalendar> calendar =
      common::WorkingCalendar::LoadFile(options.calendar_file);
  if (!calendar.ok()) {
    common::log::Error("cannot load the working-day calendar", {{"status", calendar.status().ToString()}});
    return 1;
  }
  absl::StatusOr<membership::domain::CodeLists> codes = membership::domain::CodeLists::LoadDir(options.codes_dir);
  if (!codes.ok()) {
    common::log::Error("cannot load the code lists", {{"status", codes.status().ToString()}});
    return 1;
  }
  absl::StatusOr<common::crypto::Keyring> keyring = common::crypto::Keyring::LoadFile(options.sensitive_keyring_file);
  if (!keyring.ok()) {
    common::log::Error("cannot load the sensitive-data keyring", {{"status", keyring.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::shared_ptr<orgtree::ServiceToken>> credentials =
      orgtree::LoadServiceCredentials("membership", options.credentials, base.config.auth);
  if (!credentials.ok()) {
    common::log::Error("cannot load the service signing key", {{"status", credentials.status().ToString()}});
    return 2;
  }
  absl::StatusOr<std::unique_ptr<common::db::ReadRouter>> replica_reads =
      common::db::ReadRouter::Create(*base.pool, options.replica, base.registry);
  if (!replica_reads.ok()) {
    common::log::Error("cannot create the read replica pool", {{"status", replica_reads.status().ToString()}});
    return 1;
  }
  const std::string keyring_file = options.sensitive_keyring_file;
  membership::ImportOptions import_options;
  import_options.max_rows = options.import_max_rows;
  import_options.max_bytes = int64_t{options.import_max_megabytes} * 1024 * 1024;
  import_options.max_duration = absl::Minutes(options.import_max_minutes);
  import_options.max_concurrent = options.import_max_concurrent;
  // The organization service: cell checks on writes, and its change feed for the projection.
  membership::MembershipServices services(
      {.pool = *base.pool,
       .replica_reads = replica_reads->get(),
       .rules = base.rules,
       .verifier = base.verifier,
       .registry = base.registry,
       .page_token_secret = base.config.page_token_secret,
       .citizen_id_lookup_key = options.citizen_id_lookup_key,
       .sensitive_keys = std::make_shared<const common::crypto::Keyring>(std::move(*keyring)),
       .reload_sensitive_keys =
           [keyring_file]() -> absl::StatusOr<std::shared_ptr<const common::crypto::Keyring>> {
         GR_ASSIGN_OR_RETURN(common::crypto::Keyring reloaded, common::crypto::Keyring::LoadFile(keyring_file));
         return std::make_shared<const common::crypto::Keyring>(std::move(reloaded));
       },
       .audit_checkpoint_key = options.audit_checkpoint_key,
       .calendar = *calendar,
       .codes = *codes,
       .org_channel =
           common::BalancedChannel(options.org_target, base.config.peer_tls),
       .service_token = *credentials,
       .org_call_deadline = options.org_call_deadline,
       .import_options = import_options,
       .read_audit = {.flush_interval = options.read_audit_flush}});

  // Legacy ethnicity and religion text to codes (idempotent; lists what it cannot map).
  absl::StatusOr<membership::CodeMigrationResult> migrated = services.MigrateLegacyCodes();
  if (!migrated.ok()) {
    common::log::Error("code migration failed", {{"status", migrated.status().ToString()}});
    return 1;
  }

  // Rows written before encryption are sealed before the service serves.
  absl::StatusOr<int64_t> sealed = services.SealPlaintextRows();
  if (!sealed.ok()) {
    common::log::Error("sealing plaintext sensitive rows failed", {{"status", sealed.status().ToString()}});
    return 1;
  }

  common::ServiceHost host("membership", base.config.server, base.registry);
  services.RegisterServices(host);
  const std::unique_ptr<common::feed::RetentionJob> retention =
      common::feed::StartRetentionJob(host, *base.pool, options.retention, base.registry);
  return host.RunUntilSignal();
}
