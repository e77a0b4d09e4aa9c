#pragma once
// The membership service as one unit: its stores, the org-tree projection and
// its follower of org's change feed, the cell meetings members sync (a second
// follower), the client of org's cell checks, the
// handler context and the six services plus the change feed, built from what
// a process provides. The binary, the integration fixtures and the benchmarks
// all wire membership through this, so they serve the same thing.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/db/read_router.h"
#include "common/feed/audit_chain.h"
#include "common/feed/audit_writer.h"
#include "common/feed/feed.h"
#include "common/feed/feed_follower.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/membership/domain/code_lists.h"
#include "common/calendar/working_calendar.h"
#include "services/membership/handlers/code_migration.h"
#include "services/membership/handlers/dues_totals.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/import_handlers.h"
#include "services/membership/handlers/sensitive_sealing.h"
#include "services/membership/store/event_store.h"
#include "services/membership/store/member_store.h"
#include "services/membership/store/yearly_store.h"
#include "services/orgtree/cell_directory.h"
#include "services/orgtree/org_feed_follower.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/service_token.h"

namespace grassroots::membership {

class MemberServiceImpl;
class LifecycleServiceImpl;
class YearlyRecordServiceImpl;
class MemberSyncServiceImpl;
class DuesServiceImpl;

// Membership's own reaction to an organization change on org's feed, built
// from the handler context once it exists (see orgtree::OrganizationChangeHook).
using OrganizationChangeHookFactory = std::function<orgtree::OrganizationChangeHook(HandlerContext& ctx)>;

// What the process provides; every reference outlives the MembershipServices.
struct MembershipDependencies {
  common::db::ConnectionPool& pool;
  // Where searches and lists read member data (a replica router over pool);
  // null: a router that reads pool only.
  common::db::ReadRouter* replica_reads = nullptr;
  const common::RulesRegistry& rules;
  std::shared_ptr<const common::auth::TokenVerifier> verifier;
  // Null: metrics of the feed and the follower are kept private (tests, benchmarks).
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  std::string page_token_secret = {};
  // HMAC key of the citizen-ID lookup index.
  std::string citizen_id_lookup_key = {};
  // The keyring sealing the citizen ID, ethnicity and religion at rest (required),
  // how the background re-sealing re-reads it (null: never) and how often it runs.
  std::shared_ptr<const common::crypto::Keyring> sensitive_keys = nullptr;
  KeyringReloader reload_sensitive_keys = nullptr;
  absl::Duration resealing_interval = absl::Seconds(30);
  int resealing_batch_size = 200;  // rows per transaction
  // HMAC key signing the audit chain's head every audit_checkpoint_interval ("" : no checkpoints).
  std::string audit_checkpoint_key = {};
  absl::Duration audit_checkpoint_interval = absl::Minutes(1);
  const common::WorkingCalendar& calendar;
  const domain::CodeLists& codes;
  // The organization service: synchronous cell checks on writes.
  std::shared_ptr<grpc::Channel> org_channel = nullptr;
  // Its change feed, which the projection follows; null: org_channel.
  std::shared_ptr<grpc::Channel> org_feed_channel = nullptr;
  // The bearer token (role service) presented to the organization service.
  std::shared_ptr<orgtree::ServiceToken> service_token = nullptr;
  std::chrono::milliseconds org_call_deadline{2000};
  // The follower's settings; its on_organization_change is membership's
  // reaction to org changes (MakeCellSuccessionHook), or organization_change_hook
  // when that is set.
  orgtree::OrgFeedFollowerOptions follower_options = {};
  OrganizationChangeHookFactory organization_change_hook = nullptr;
  // Bounds of one member import (rows, bytes, duration, imports at once).
  ImportOptions import_options = {};
  // How the audit entries of reads are written (in the background, in batches).
  common::feed::AuditWriterOptions read_audit = {};
  // How often the monthly dues totals for reporting are brought up to date (handlers/dues_totals.h).
  DuesTotalsOptions dues_totals = {};
};

class MembershipServices {
 public:
  explicit MembershipServices(MembershipDependencies dependencies);
  ~MembershipServices();
  MembershipServices(const MembershipServices&) = delete;
  MembershipServices& operator=(const MembershipServices&) = delete;

  // The start-up job mapping legacy ethnicity and religion text to codes
  // (idempotent; logs what it mapped and what it could not).
  absl::StatusOr<CodeMigrationResult> MigrateLegacyCodes();
  // The start-up sealing of rows written before encryption (after the code
  // migration, which reads legacy plaintext; before serving). Rows sealed.
  absl::StatusOr<int64_t> SealPlaintextRows();

  // Adds the six membership services and the change feed to host, starts the
  // org-feed followers, sets the readiness probe (the projection is usable and
  // the database answers: scope checks read the projection) and the stop hook
  // that ends open feed streams and the followers.
  void RegisterServices(common::ServiceHost& host);

  HandlerContext& context() { return *context_; }
  SensitiveSealing& sealing() { return *sealing_; }
  orgtree::OrgFeedFollower& follower() { return *follower_; }
  // Keeps cell_meetings (the meetings members sync) from org's feed.
  common::feed::FeedFollower& meetings_follower() { return *meetings_follower_; }
  // Publishes cells' monthly dues totals on the feed for reporting.
  DuesTotalsPublisher& dues_totals() { return *dues_totals_; }

 private:
  common::db::ConnectionPool& pool_;
  std::unique_ptr<common::db::ReadRouter> primary_only_reads_;  // when no router was given
  common::db::ReadRouter& replica_reads_;
  common::auth::Authorizer authorizer_;
  common::api::PageTokenCodec page_tokens_;
  orgtree::GrpcCellDirectory cells_;
  orgtree::OrgProjection projection_;
  store::MemberStore members_;
  store::EventStore events_;
  store::YearlyStore yearly_;
  store::RightsStore rights_;
  store::FeedDisclosureLog disclosures_;
  // Before the context and the services: they append to it until they are gone.
  common::feed::AuditWriter read_audit_;
  std::unique_ptr<HandlerContext> context_;
  std::unique_ptr<MemberServiceImpl> member_service_;
  std::unique_ptr<LifecycleServiceImpl> lifecycle_service_;
  std::unique_ptr<YearlyRecordServiceImpl> yearly_service_;
  std::unique_ptr<MemberImportServiceImpl> import_service_;
  std::unique_ptr<MemberSyncServiceImpl> sync_service_;
  std::unique_ptr<DuesServiceImpl> dues_service_;
  std::unique_ptr<common::feed::ChangeFeedServiceImpl> feed_service_;
  std::unique_ptr<orgtree::OrgFeedFollower> follower_;
  std::unique_ptr<common::feed::FeedFollower> meetings_follower_;
  std::unique_ptr<SensitiveSealing> sealing_;
  std::unique_ptr<DuesTotalsPublisher> dues_totals_;
  std::unique_ptr<common::feed::AuditCheckpointer> checkpointer_;  // null without a key
};

}  // namespace grassroots::membership
