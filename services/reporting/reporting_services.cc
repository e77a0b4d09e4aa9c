#include "services/reporting/reporting_services.h"

#include <utility>

#include "services/reporting/handlers/plan_handlers.h"
#include "services/reporting/handlers/plan_lookup.h"
#include "services/reporting/handlers/policy.h"
#include "services/reporting/handlers/scorecard_handlers.h"
#include "services/reporting/handlers/warning_handlers.h"
#include "services/reporting/handlers/statistics_handlers.h"
#include "services/reporting/handlers/export_handlers.h"
#include "services/reporting/store/read_model.h"
#include "services/reporting/store/rollup_store.h"

namespace grassroots::reporting {
namespace {

common::feed::FeedFollowerOptions FollowerOptions(const ReportingFollowerOptions& options, std::string source,
                                                  std::string feed_name) {
  common::feed::FeedFollowerOptions follower;
  follower.operation_prefix = "read_model." + source;
  follower.source = std::move(source);
  follower.feed_name = std::move(feed_name);
  follower.initial_backoff = options.initial_backoff;
  follower.max_backoff = options.max_backoff;
  follower.head_poll_interval = options.head_poll_interval;
  follower.call_deadline = options.call_deadline;
  return follower;
}

}  // namespace

ReportingServices::ReportingServices(ReportingDependencies dependencies)
    : pool_(dependencies.pool),
      authorizer_(std::move(dependencies.verifier), MakeReportingMethodPolicy()),
      page_tokens_(dependencies.page_token_secret),
      plans_(std::move(dependencies.plans)),
      organizations_(pool_) {
  context_ = std::make_unique<HandlerContext>(
      HandlerContext{pool_, authorizer_, dependencies.rules, page_tokens_, organizations_, plans_});
  scorecard_service_ = std::make_unique<ScorecardServiceImpl>(*context_);
  warning_service_ = std::make_unique<WarningServiceImpl>(*context_, dependencies.calendar);
  statistics_service_ = std::make_unique<StatisticsServiceImpl>(
      *context_, LoadStatisticsCodeNames(dependencies.codes_dir.empty() ? GRASSROOTS_DEFAULT_CODES_DIR
                                                                         : dependencies.codes_dir));
  stored_plans_ = std::make_unique<StoredPlanCache>(pool_);
  context_->stored_plans = stored_plans_.get();
  plan_service_ = std::make_unique<PlanServiceImpl>(*context_);
  export_service_ = std::make_unique<ExportServiceImpl>(*context_, *statistics_service_);
  // Each feed's producer accepts only a token naming it.
  auto bearer_for = [&dependencies](std::string_view service) -> common::feed::BearerTokenProvider {
    std::shared_ptr<orgtree::ServiceToken> token = dependencies.service_token->ForAudience(common::ServiceAudience(service));
    return [token] { return token->Get(); };
  };
  const ReportingFollowerOptions& options = dependencies.follower_options;
  org_follower_ = std::make_unique<common::feed::FeedFollower>(
      dependencies.org_channel, bearer_for("org"), pool_, store::InvalidatingRollups(OrgFeedConsumer(organizations_)), dependencies.registry,
      FollowerOptions(options, "org", "organization"));
  membership_follower_ = std::make_unique<common::feed::FeedFollower>(
      dependencies.membership_channel, bearer_for("membership"), pool_, store::InvalidatingRollups(MembershipFeedConsumer()), dependencies.registry,
      FollowerOptions(options, "membership", "membership"));
  inspection_follower_ = std::make_unique<common::feed::FeedFollower>(
      dependencies.inspection_channel, bearer_for("inspection"), pool_, store::InvalidatingRollups(InspectionFeedConsumer()), dependencies.registry,
      FollowerOptions(options, "inspection", "inspection"));
}

ReportingServices::~ReportingServices() {
  // The followers' threads write the read model: stopped before anything they use goes.
  inspection_follower_->Stop();
  membership_follower_->Stop();
  org_follower_->Stop();
}

void ReportingServices::RegisterServices(common::ServiceHost& host) {
  host.AddService(scorecard_service_.get());
  host.AddService(warning_service_.get());
  host.AddService(statistics_service_.get());
  host.AddService(plan_service_.get());
  host.AddService(export_service_.get());
  org_follower_->Start();
  membership_follower_->Start();
  inspection_follower_->Start();
  common::db::ConnectionPool* pool = &pool_;
  common::feed::FeedFollower* org = org_follower_.get();
  common::feed::FeedFollower* membership = membership_follower_.get();
  common::feed::FeedFollower* inspection = inspection_follower_.get();
  // The figures are only as complete as the read model: ready once every feed is caught up.
  host.SetReadinessProbe(
      [pool, org, membership, inspection] { return org->Ready() && membership->Ready() && inspection->Ready() && pool->Ping(); });
  host.OnStop([org, membership, inspection] {
    inspection->Stop();
    membership->Stop();
    org->Stop();
  });
}

}  // namespace grassroots::reporting
