#include "services/inspection/inspection_services.h"

#include <utility>

#include "services/inspection/handlers/case_handlers.h"
#include "services/inspection/handlers/discipline_handlers.h"
#include "services/inspection/handlers/petition_handlers.h"
#include "services/inspection/handlers/report_handlers.h"
#include "services/inspection/handlers/policy.h"
#include "services/inspection/handlers/projected_member_standing.h"
#include "services/inspection/handlers/program_handlers.h"

namespace grassroots::inspection {

InspectionServices::InspectionServices(InspectionDependencies dependencies)
    : pool_(dependencies.pool),
      authorizer_(std::move(dependencies.verifier), MakeInspectionMethodPolicy()),
      page_tokens_(dependencies.page_token_secret),
      organizations_(pool_),
      positions_(dependencies.org_channel, dependencies.service_token->ForAudience(common::ServiceAudience("org")),
                 dependencies.call_deadline),
      effect_applier_(dependencies.membership_channel, dependencies.org_channel,
                      dependencies.service_token->ForAudience(common::ServiceAudience("membership")),
                      dependencies.service_token->ForAudience(common::ServiceAudience("org")),
                      dependencies.call_deadline) {
  members_ = std::make_unique<ProjectedMemberStanding>(pool_);
  context_ = std::make_unique<HandlerContext>(HandlerContext{pool_, authorizer_, dependencies.rules,
                                                             dependencies.calendar, page_tokens_, organizations_,
                                                             *members_, programs_, cases_});
  program_service_ = std::make_unique<ProgramServiceImpl>(*context_);
  case_service_ = std::make_unique<CaseServiceImpl>(*context_);
  effect_worker_ = std::make_unique<EffectWorker>(pool_, decisions_, effect_applier_, dependencies.registry,
                                                  dependencies.effect_worker_options);
  discipline_service_ = std::make_unique<DisciplineServiceImpl>(*context_, decisions_, positions_, *effect_worker_);
  petition_service_ = std::make_unique<PetitionServiceImpl>(*context_, petitions_, decisions_);
  report_service_ = std::make_unique<InspectionReportServiceImpl>(*context_);
  feed_service_ = std::make_unique<common::feed::ChangeFeedServiceImpl>(pool_, authorizer_, dependencies.registry);
  std::shared_ptr<orgtree::ServiceToken> token =
      dependencies.service_token->ForAudience(common::ServiceAudience("membership"));
  member_follower_ = std::make_unique<memberfacts::MemberFactsFollower>(
      dependencies.membership_channel, [token] { return token->Get(); }, pool_, dependencies.registry,
      std::move(dependencies.member_follower_options));
  org_follower_ = std::make_unique<orgtree::OrgFeedFollower>(dependencies.org_channel,
                                                             dependencies.service_token->ForAudience(
                                                                 common::ServiceAudience("org")),
                                                             pool_, organizations_, dependencies.registry,
                                                             std::move(dependencies.org_follower_options));
}

InspectionServices::~InspectionServices() {
  // The followers' threads write the projections: stopped before anything they use goes.
  effect_worker_->Stop();
  member_follower_->Stop();
  org_follower_->Stop();
}

void InspectionServices::RegisterServices(common::ServiceHost& host) {
  host.AddService(program_service_.get());
  host.AddService(case_service_.get());
  host.AddService(discipline_service_.get());
  host.AddService(petition_service_.get());
  host.AddService(report_service_.get());
  host.AddService(feed_service_.get());
  org_follower_->Start();
  member_follower_->Start();
  effect_worker_->Start();
  common::db::ConnectionPool* pool = &pool_;
  orgtree::OrgFeedFollower* org_follower = org_follower_.get();
  memberfacts::MemberFactsFollower* member_follower = member_follower_.get();
  // Scope checks read the tree, subjects and discipline read the member facts.
  host.SetReadinessProbe(
      [pool, org_follower, member_follower] { return org_follower->Ready() && member_follower->Ready() && pool->Ping(); });
  common::feed::ChangeFeedServiceImpl* feed = feed_service_.get();
  EffectWorker* effect_worker = effect_worker_.get();
  host.OnStop([feed, org_follower, member_follower, effect_worker] {
    feed->StopStreams();
    effect_worker->Stop();
    member_follower->Stop();
    org_follower->Stop();
  });
}

}  // namespace grassroots::inspection
