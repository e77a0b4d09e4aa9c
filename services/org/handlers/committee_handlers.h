#pragma once
// grassroots.org.v1.CommitteeService: committee terms, positions, and the
// member-count rule checks of an organization.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/org/v1/committee.grpc.pb.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/store/committee_store.h"

namespace grassroots::org {

class CommitteeServiceImpl final : public grassroots::org::v1::CommitteeService::Service {
 public:
  explicit CommitteeServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::CommitteeService::service_full_name(), ctx.authorizer), committees_(ctx.pool) {}

  grpc::Status CreateCommitteeTerm(grpc::ServerContext* context, const v1::CreateCommitteeTermRequest* request,
                                   v1::CommitteeTerm* response) override;
  grpc::Status GetCommitteeTerm(grpc::ServerContext* context, const v1::GetCommitteeTermRequest* request,
                                v1::CommitteeTerm* response) override;
  grpc::Status ListCommitteeTerms(grpc::ServerContext* context, const v1::ListCommitteeTermsRequest* request,
                                  v1::ListCommitteeTermsResponse* response) override;
  grpc::Status EndCommitteeTerm(grpc::ServerContext* context, const v1::EndCommitteeTermRequest* request,
                                v1::CommitteeTerm* response) override;
  grpc::Status AssignPosition(grpc::ServerContext* context, const v1::AssignPositionRequest* request,
                              v1::Position* response) override;
  grpc::Status EndPosition(grpc::ServerContext* context, const v1::EndPositionRequest* request,
                           v1::Position* response) override;
  grpc::Status ListPositions(grpc::ServerContext* context, const v1::ListPositionsRequest* request,
                             v1::ListPositionsResponse* response) override;
  grpc::Status CheckOrganizationRules(grpc::ServerContext* context, const v1::CheckOrganizationRulesRequest* request,
                                      v1::CheckOrganizationRulesResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
  store::CommitteeStore committees_;
};

}  // namespace grassroots::org
