#pragma once
// The reporting service as one unit: the read model and its three feed
// followers (org, membership, inspection), the plans, the handler context and
// the services, built from what a process provides. The binary, the
// integration fixtures and the benchmark all wire reporting through this.
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/calendar/working_calendar.h"
#include "common/db/db.h"
#include "common/feed/feed_follower.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/service_token.h"
#include "services/reporting/handlers/handler_context.h"

namespace grassroots::reporting {

class ScorecardServiceImpl;
class WarningServiceImpl;
class StatisticsServiceImpl;
class PlanServiceImpl;
class StoredPlanCache;
class ExportServiceImpl;

// Options of one follower; the source names are fixed ("org", "membership", "inspection").
struct ReportingFollowerOptions {
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds head_poll_interval{2000};
  std::chrono::milliseconds call_deadline{2000};
};

// What the process provides; every reference outlives the ReportingServices.
struct ReportingDependencies {
  common::db::ConnectionPool& pool;
  const common::RulesRegistry& rules;
  // Working days (the warnings' recognition window).
  const common::WorkingCalendar& calendar;
  std::shared_ptr<const common::auth::TokenVerifier> verifier;
  // The plans whose targets the scorecard judges (at least the default one).
  PlanCatalog plans;
  // Null: metrics of the followers are kept private (tests, benchmarks).
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  std::string page_token_secret = {};
  // The three producers whose change feeds build the read model, and the
  // bearer token (role service) presented to each.
  std::shared_ptr<grpc::Channel> org_channel = nullptr;
  std::shared_ptr<grpc::Channel> membership_channel = nullptr;
  std::shared_ptr<grpc::Channel> inspection_channel = nullptr;
  std::shared_ptr<orgtree::ServiceToken> service_token = nullptr;
  ReportingFollowerOptions follower_options = {};
  // The code lists labelling the statistics' ethnicity and religion rows
  // (ethnicity.json, religion.json); empty: data/codes of the source tree.
  std::string codes_dir = {};
};

class ReportingServices {
 public:
  explicit ReportingServices(ReportingDependencies dependencies);
  ~ReportingServices();
  ReportingServices(const ReportingServices&) = delete;
  ReportingServices& operator=(const ReportingServices&) = delete;

  // Adds the services to host, starts the followers, sets the readiness
  // probe (every follower caught up and not blocked, database answers) and
  // the stop hook that ends the followers.
  void RegisterServices(common::ServiceHost& host);

  HandlerContext& context() { return *context_; }
  common::feed::FeedFollower& org_follower() { return *org_follower_; }
  common::feed::FeedFollower& membership_follower() { return *membership_follower_; }
  common::feed::FeedFollower& inspection_follower() { return *inspection_follower_; }

 private:
  common::db::ConnectionPool& pool_;
  common::auth::Authorizer authorizer_;
  common::api::PageTokenCodec page_tokens_;
  PlanCatalog plans_;
  orgtree::OrgProjection organizations_;
  std::unique_ptr<HandlerContext> context_;
  std::unique_ptr<ScorecardServiceImpl> scorecard_service_;
  std::unique_ptr<WarningServiceImpl> warning_service_;
  std::unique_ptr<StatisticsServiceImpl> statistics_service_;
  std::unique_ptr<StoredPlanCache> stored_plans_;
  std::unique_ptr<PlanServiceImpl> plan_service_;
  std::unique_ptr<ExportServiceImpl> export_service_;
  std::unique_ptr<common::feed::FeedFollower> org_follower_;
  std::unique_ptr<common::feed::FeedFollower> membership_follower_;
  std::unique_ptr<common::feed::FeedFollower> inspection_follower_;
};

}  // namespace grassroots::reporting
