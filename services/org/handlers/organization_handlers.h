#pragma once
// grassroots.org.v1.OrganizationService: the tree, its dated restructuring and
// reference data. AdoptWorkingRegulation, ListWorkingRegulations and ListRules
// are defined in regulation_handlers.cc.
#include <cstdint>
#include <functional>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "common/auth/auth.h"
#include "common/server/respond.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/store/regulation_store.h"

namespace grassroots::org {


// Object-level scope for the org services: the caller's scope subtree must
// contain `org_id` (today, or the organization's latest period if it does not
// exist yet today).
absl::Status RequireOrgInScope(HandlerContext& ctx, const common::auth::Principal& principal, int64_t org_id);
// The same rule re-checked inside a write's transaction, under shared locks on
// the chain above `org_id` (OrganizationStore::IsWithinSubtreeLocked): the
// check before the transaction may have raced a restructure that moved the
// organization out of the caller's scope. Same NOT_FOUND answer.
absl::Status RequireOrgInScopeLocked(HandlerContext& ctx, common::db::Session& session,
                                     const common::auth::Principal& principal, int64_t org_id);
// The same, answering NOT_FOUND for `resource_name` (a resource placed in org_id).
absl::Status RequireOrgInScopeLocked(HandlerContext& ctx, common::db::Session& session,
                                     const common::auth::Principal& principal, int64_t org_id,
                                     std::string_view resource_name);

class OrganizationServiceImpl final : public grassroots::org::v1::OrganizationService::Service {
 public:
  explicit OrganizationServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::OrganizationService::service_full_name(), ctx.authorizer) {}

  grpc::Status CreateOrganization(grpc::ServerContext* context, const v1::CreateOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status GetOrganization(grpc::ServerContext* context, const v1::GetOrganizationRequest* request,
                               v1::Organization* response) override;
  grpc::Status UpdateOrganization(grpc::ServerContext* context, const v1::UpdateOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status ListOrganizations(grpc::ServerContext* context, const v1::ListOrganizationsRequest* request,
                                 v1::ListOrganizationsResponse* response) override;
  grpc::Status ListAncestors(grpc::ServerContext* context, const v1::ListAncestorsRequest* request,
                             v1::ListAncestorsResponse* response) override;
  grpc::Status GetSubtree(grpc::ServerContext* context, const v1::GetSubtreeRequest* request,
                          v1::GetSubtreeResponse* response) override;
  grpc::Status RenameOrganization(grpc::ServerContext* context, const v1::RenameOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status MoveOrganization(grpc::ServerContext* context, const v1::MoveOrganizationRequest* request,
                                v1::Organization* response) override;
  grpc::Status MergeOrganizations(grpc::ServerContext* context, const v1::MergeOrganizationsRequest* request,
                                  v1::MergeOrganizationsResponse* response) override;
  grpc::Status SplitOrganization(grpc::ServerContext* context, const v1::SplitOrganizationRequest* request,
                                 v1::SplitOrganizationResponse* response) override;
  grpc::Status DissolveOrganization(grpc::ServerContext* context, const v1::DissolveOrganizationRequest* request,
                                    v1::Organization* response) override;
  grpc::Status HandOverOrganization(grpc::ServerContext* context, const v1::HandOverOrganizationRequest* request,
                                    v1::Organization* response) override;
  grpc::Status ChangeOrganizationSector(grpc::ServerContext* context,
                                        const v1::ChangeOrganizationSectorRequest* request,
                                        v1::Organization* response) override;
  grpc::Status ChangeCommuneMilitaryCell(grpc::ServerContext* context,
                                         const v1::ChangeCommuneMilitaryCellRequest* request,
                                         v1::Organization* response) override;
  grpc::Status ListOrganizationEvents(grpc::ServerContext* context, const v1::ListOrganizationEventsRequest* request,
                                      v1::ListOrganizationEventsResponse* response) override;
  grpc::Status ListOrganizationTypes(grpc::ServerContext* context, const v1::ListOrganizationTypesRequest* request,
                                     v1::ListOrganizationTypesResponse* response) override;
  grpc::Status ListSectors(grpc::ServerContext* context, const v1::ListSectorsRequest* request,
                           v1::ListSectorsResponse* response) override;

  // regulation_handlers.cc (helper "org-activity").
  grpc::Status AdoptWorkingRegulation(grpc::ServerContext* context, const v1::AdoptWorkingRegulationRequest* request,
                                      v1::WorkingRegulation* response) override;
  grpc::Status ListWorkingRegulations(grpc::ServerContext* context, const v1::ListWorkingRegulationsRequest* request,
                                      v1::ListWorkingRegulationsResponse* response) override;
  grpc::Status ListRules(grpc::ServerContext* context, const v1::ListRulesRequest* request,
                         v1::ListRulesResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
  store::RegulationStore regulations_;
};

}  // namespace grassroots::org
