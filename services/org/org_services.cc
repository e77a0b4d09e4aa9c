#include "services/org/org_services.h"

#include <utility>

#include "services/org/handlers/committee_handlers.h"
#include "services/org/handlers/meeting_handlers.h"
#include "services/org/handlers/organization_handlers.h"
#include "services/org/handlers/policy.h"
#include "services/org/handlers/recognition_handlers.h"
#include "services/org/handlers/residential_unit_handlers.h"

namespace grassroots::org {

OrgServices::OrgServices(OrgDependencies dependencies)
    : pool_(dependencies.pool),
      authorizer_(std::move(dependencies.verifier), MakeOrgMethodPolicy()),
      page_tokens_(dependencies.page_token_secret),
      organizations_(std::make_unique<store::OrganizationStore>(pool_)),
      context_(std::make_unique<HandlerContext>(
          HandlerContext{pool_, authorizer_, dependencies.rules, page_tokens_, *organizations_, dependencies.members})),
      organization_service_(std::make_unique<OrganizationServiceImpl>(*context_)),
      committee_service_(std::make_unique<CommitteeServiceImpl>(*context_)),
      unit_service_(std::make_unique<ResidentialUnitServiceImpl>(*context_)),
      meeting_service_(std::make_unique<MeetingServiceImpl>(*context_)),
      recognition_service_(std::make_unique<RecognitionServiceImpl>(*context_)),
      feed_service_(std::make_unique<common::feed::ChangeFeedServiceImpl>(pool_, authorizer_,
                                                                         std::move(dependencies.registry))) {}

OrgServices::~OrgServices() = default;

void OrgServices::RegisterServices(common::ServiceHost& host) {
  host.AddService(organization_service_.get());
  host.AddService(committee_service_.get());
  host.AddService(unit_service_.get());
  host.AddService(meeting_service_.get());
  host.AddService(recognition_service_.get());
  host.AddService(feed_service_.get());
  common::db::ConnectionPool* pool = &pool_;
  host.SetReadinessProbe([pool] { return pool->Ping(); });
  common::feed::ChangeFeedServiceImpl* feed = feed_service_.get();
  host.OnStop([feed] { feed->StopStreams(); });
}

}  // namespace grassroots::org
