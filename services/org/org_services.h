#pragma once
// The org service as one unit: its stores, handler context and the five
// services plus the change feed, built from what a process provides. The
// binary, the integration fixtures and the benchmarks all wire org through
// this, so they serve the same thing.
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/rules/rules_registry.h"
#include "common/server/service_host.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/handlers/member_directory.h"
#include "services/org/store/organization_store.h"

namespace grassroots::org {

class OrganizationServiceImpl;
class CommitteeServiceImpl;
class ResidentialUnitServiceImpl;
class MeetingServiceImpl;
class RecognitionServiceImpl;

// What the process provides; every reference outlives the OrgServices.
struct OrgDependencies {
  common::db::ConnectionPool& pool;
  const common::RulesRegistry& rules;
  std::shared_ptr<const common::auth::TokenVerifier> verifier;
  // Null: the feed's metrics are kept private (tests, benchmarks).
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  std::string page_token_secret = {};
  // The membership service (unit heads who name a member); null: such heads are refused.
  MemberDirectory* members = nullptr;
};

class OrgServices {
 public:
  explicit OrgServices(OrgDependencies dependencies);
  ~OrgServices();
  OrgServices(const OrgServices&) = delete;
  OrgServices& operator=(const OrgServices&) = delete;

  // Adds every org service and the change feed to host, the readiness probe
  // (the database answers) and the stop hook that ends open feed streams.
  void RegisterServices(common::ServiceHost& host);

  // Shared by every handler; `members` may be swapped while serving (tests).
  HandlerContext& context() { return *context_; }
  store::OrganizationStore& organizations() { return *organizations_; }

 private:
  common::db::ConnectionPool& pool_;
  common::auth::Authorizer authorizer_;
  common::api::PageTokenCodec page_tokens_;
  std::unique_ptr<store::OrganizationStore> organizations_;
  std::unique_ptr<HandlerContext> context_;
  std::unique_ptr<OrganizationServiceImpl> organization_service_;
  std::unique_ptr<CommitteeServiceImpl> committee_service_;
  std::unique_ptr<ResidentialUnitServiceImpl> unit_service_;
  std::unique_ptr<MeetingServiceImpl> meeting_service_;
  std::unique_ptr<RecognitionServiceImpl> recognition_service_;
  std::unique_ptr<common::feed::ChangeFeedServiceImpl> feed_service_;
};

}  // namespace grassroots::org
