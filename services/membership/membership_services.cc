#include "services/membership/membership_services.h"

#include <string>
#include <utility>

#include "common/log/log.h"
#include "services/membership/store/sync_store.h"
#include "services/membership/handlers/cell_succession.h"
#include "services/membership/handlers/import_handlers.h"
#include "services/membership/handlers/lifecycle_handlers.h"
#include "services/membership/handlers/member_handlers.h"
#include "services/membership/handlers/dues_handlers.h"
#include "services/membership/handlers/policy.h"
#include "services/membership/handlers/sync_handlers.h"
#include "services/membership/handlers/yearly_handlers.h"

namespace grassroots::membership {

MembershipServices::MembershipServices(MembershipDependencies dependencies)
    : pool_(dependencies.pool),
      primary_only_reads_(dependencies.replica_reads == nullptr ? std::make_unique<common::db::ReadRouter>(pool_)
                                                                : nullptr),
      replica_reads_(dependencies.replica_reads != nullptr ? *dependencies.replica_reads : *primary_only_reads_),
      authorizer_(std::move(dependencies.verifier), MakeMembershipMethodPolicy()),
      page_tokens_(dependencies.page_token_secret),
      cells_(dependencies.org_channel, dependencies.service_token->ForAudience(common::ServiceAudience("org")),
             dependencies.org_call_deadline),
      projection_(pool_),
      members_(pool_, dependencies.citizen_id_lookup_key, dependencies.sensitive_keys),
      rights_(members_),
      disclosures_(pool_),
      read_audit_(pool_, dependencies.read_audit, dependencies.registry.get()) {
  context_ = std::make_unique<HandlerContext>(HandlerContext{pool_, authorizer_, dependencies.rules,
                                                             dependencies.calendar, page_tokens_, cells_, projection_,
                                                             members_, events_, yearly_, dependencies.codes, rights_,
                                                             read_audit_, replica_reads_});
  member_service_ = std::make_unique<MemberServiceImpl>(*context_);
  lifecycle_service_ = std::make_unique<LifecycleServiceImpl>(*context_);
  yearly_service_ = std::make_unique<YearlyRecordServiceImpl>(*context_);
  import_service_ = std::make_unique<MemberImportServiceImpl>(*context_, dependencies.import_options);
  sync_service_ = std::make_unique<MemberSyncServiceImpl>(*context_);
  dues_service_ = std::make_unique<DuesServiceImpl>(*context_);
  // Every session of the feed (which carries members' data to other
  // services) is logged per consumer and range (Law 91/2025).
  common::feed::FeedServiceOptions feed_options;
  feed_options.disclosures = &disclosures_;
  feed_service_ = std::make_unique<common::feed::ChangeFeedServiceImpl>(pool_, authorizer_, dependencies.registry,
                                                                        feed_options);

  // Members follow their cell: an ending cell's members move in the same
  // transaction as the organization change (a test may put another reaction).
  orgtree::OrgFeedFollowerOptions follower_options = std::move(dependencies.follower_options);
  follower_options.on_organization_change = dependencies.organization_change_hook
                                                ? dependencies.organization_change_hook(*context_)
                                                : MakeCellSuccessionHook(*context_);
  std::shared_ptr<grpc::Channel> feed_channel =
      dependencies.org_feed_channel ? std::move(dependencies.org_feed_channel) : dependencies.org_channel;
  std::shared_ptr<orgtree::ServiceToken> org_token =
      dependencies.service_token->ForAudience(common::ServiceAudience("org"));
  // The cell meetings members sync follow the same feed on their own cursor,
  // so the tree projection (and the hook on it) never replays for them.
  common::feed::FeedFollowerOptions meetings_options{
      .source = store::kMeetingsSource,
      .feed_name = "organization",
      .operation_prefix = "membership.meetings_projection",
      .initial_backoff = follower_options.initial_backoff,
      .max_backoff = follower_options.max_backoff,
      .head_poll_interval = follower_options.head_poll_interval,
      .call_deadline = follower_options.call_deadline};
  meetings_follower_ = std::make_unique<common::feed::FeedFollower>(
      feed_channel, [org_token] { return org_token->Get(); }, pool_, store::MeetingsConsumer(), dependencies.registry,
      std::move(meetings_options));
  follower_ = std::make_unique<orgtree::OrgFeedFollower>(std::move(feed_channel), std::move(org_token), pool_,
                                                         projection_, std::move(dependencies.registry),
                                                         std::move(follower_options));
  sealing_ = std::make_unique<SensitiveSealing>(
      pool_, members_,
      SealingOptions{.batch_size = dependencies.resealing_batch_size,
                     .interval = dependencies.resealing_interval,
                     .reload = std::move(dependencies.reload_sensitive_keys)});
  dues_totals_ = std::make_unique<DuesTotalsPublisher>(*context_, dependencies.dues_totals);
  if (!dependencies.audit_checkpoint_key.empty()) {
    checkpointer_ = std::make_unique<common::feed::AuditCheckpointer>(
        pool_, std::move(dependencies.audit_checkpoint_key), dependencies.audit_checkpoint_interval);
  }
}

MembershipServices::~MembershipServices() {
  // The followers' threads write the projections: stopped before anything they use goes.
  follower_->Stop();
  meetings_follower_->Stop();
  sealing_->Stop();
  dues_totals_->Stop();
  if (checkpointer_) checkpointer_->Stop();
}

absl::StatusOr<CodeMigrationResult> MembershipServices::MigrateLegacyCodes() {
  absl::StatusOr<CodeMigrationResult> migrated = membership::MigrateLegacyCodes(*context_);
  if (migrated.ok() && (migrated->members_mapped > 0 || migrated->fields_unmapped > 0)) {
    common::log::Info("code migration", {{"members_mapped", std::to_string(migrated->members_mapped)},
                                         {"fields_unmapped", std::to_string(migrated->fields_unmapped)}});
  }
  return migrated;
}

absl::StatusOr<int64_t> MembershipServices::SealPlaintextRows() {
  absl::StatusOr<int64_t> sealed = sealing_->SealPlaintext();
  if (sealed.ok() && *sealed > 0) common::log::Info("plaintext member_sensitive rows sealed", nlohmann::json{{"rows", *sealed}});
  return sealed;
}

void MembershipServices::RegisterServices(common::ServiceHost& host) {
  host.AddService(member_service_.get());
  host.AddService(lifecycle_service_.get());
  host.AddService(yearly_service_.get());
  host.AddService(import_service_.get());
  host.AddService(sync_service_.get());
  host.AddService(dues_service_.get());
  host.AddService(feed_service_.get());
  follower_->Start();
  meetings_follower_->Start();
  sealing_->Start();
  dues_totals_->Start();
  if (checkpointer_) checkpointer_->Start();
  common::db::ConnectionPool* pool = &pool_;
  orgtree::OrgFeedFollower* follower = follower_.get();
  // Not the meetings follower: a sync serves the meetings it has and sends the
  // rest once they arrive, so it does not hold the service back.
  host.SetReadinessProbe([pool, follower] { return follower->Ready() && pool->Ping(); });
  common::feed::FeedFollower* meetings_follower = meetings_follower_.get();
  common::feed::ChangeFeedServiceImpl* feed = feed_service_.get();
  SensitiveSealing* sealing = sealing_.get();
  DuesTotalsPublisher* dues_totals = dues_totals_.get();
  common::feed::AuditCheckpointer* checkpointer = checkpointer_.get();
  host.OnStop([feed, follower, meetings_follower, sealing, dues_totals, checkpointer] {
    feed->StopStreams();
    follower->Stop();
    meetings_follower->Stop();
    sealing->Stop();
    dues_totals->Stop();
    if (checkpointer != nullptr) checkpointer->Stop();
  });
}

}  // namespace grassroots::membership
