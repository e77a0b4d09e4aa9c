#pragma once
// The inspection service as one unit: its stores, the org-tree projection and
// its follower of org's change feed, what it knows of members, the handler
// context and the services plus the change feed, built from what a process
// provides. The binary, the integration fixtures and the benchmarks all wire
// inspection through this. Its projections: the org tree (services/orgtree)
// and membership's facts (services/memberfacts).
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/calendar/working_calendar.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/inspection/handlers/effect_applier.h"
#include "services/inspection/handlers/effect_worker.h"
#include "services/inspection/handlers/handler_context.h"
#include "services/inspection/handlers/member_standing.h"
#include "services/inspection/handlers/position_directory.h"
#include "services/inspection/store/case_store.h"
#include "services/inspection/store/discipline_store.h"
#include "services/inspection/store/petition_store.h"
#include "services/inspection/store/program_store.h"
#include "services/memberfacts/member_facts_follower.h"
#include "services/orgtree/org_feed_follower.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/service_token.h"

namespace grassroots::inspection {

class ProgramServiceImpl;
class CaseServiceImpl;
class DisciplineServiceImpl;
class PetitionServiceImpl;
class InspectionReportServiceImpl;

// What the process provides; every reference outlives the InspectionServices.
struct InspectionDependencies {
  common::db::ConnectionPool& pool;
  const common::RulesRegistry& rules;
  const common::WorkingCalendar& calendar;
  std::shared_ptr<const common::auth::TokenVerifier> verifier;
  // Null: metrics of the feed and the followers are kept private (tests, benchmarks).
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  std::string page_token_secret = {};
  // The organization service: its change feed feeds the org-tree projection.
  std::shared_ptr<grpc::Channel> org_channel = nullptr;
  // The membership service: its change feed feeds the member facts.
  std::shared_ptr<grpc::Channel> membership_channel = nullptr;
  // The bearer token (role service) presented to both.
  std::shared_ptr<orgtree::ServiceToken> service_token = nullptr;
  std::chrono::milliseconds call_deadline{2000};
  orgtree::OrgFeedFollowerOptions org_follower_options = {};
  common::feed::FeedFollowerOptions member_follower_options = memberfacts::MemberFactsFollowerDefaults();
  EffectWorkerOptions effect_worker_options = {};
};

class InspectionServices {
 public:
  explicit InspectionServices(InspectionDependencies dependencies);
  ~InspectionServices();
  InspectionServices(const InspectionServices&) = delete;
  InspectionServices& operator=(const InspectionServices&) = delete;

  // Adds the services and the change feed to host, starts the followers, sets
  // the readiness probe (projections usable, database answers) and the stop
  // hook that ends open feed streams and the followers.
  void RegisterServices(common::ServiceHost& host);

  HandlerContext& context() { return *context_; }
  orgtree::OrgFeedFollower& org_follower() { return *org_follower_; }
  memberfacts::MemberFactsFollower& member_follower() { return *member_follower_; }
  EffectWorker& effect_worker() { return *effect_worker_; }

 private:
  common::db::ConnectionPool& pool_;
  common::auth::Authorizer authorizer_;
  common::api::PageTokenCodec page_tokens_;
  orgtree::OrgProjection organizations_;
  std::unique_ptr<MemberStanding> members_;
  store::ProgramStore programs_;
  store::CaseStore cases_;
  store::DisciplineStore decisions_;
  store::PetitionStore petitions_;
  GrpcPositionDirectory positions_;
  GrpcEffectApplier effect_applier_;
  std::unique_ptr<EffectWorker> effect_worker_;
  std::unique_ptr<HandlerContext> context_;
  std::unique_ptr<ProgramServiceImpl> program_service_;
  std::unique_ptr<CaseServiceImpl> case_service_;
  std::unique_ptr<DisciplineServiceImpl> discipline_service_;
  std::unique_ptr<PetitionServiceImpl> petition_service_;
  std::unique_ptr<InspectionReportServiceImpl> report_service_;
  std::unique_ptr<common::feed::ChangeFeedServiceImpl> feed_service_;
  std::unique_ptr<orgtree::OrgFeedFollower> org_follower_;
  std::unique_ptr<memberfacts::MemberFactsFollower> member_follower_;
};

}  // namespace grassroots::inspection
