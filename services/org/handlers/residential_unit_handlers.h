#pragma once
// grassroots.org.v1.ResidentialUnitService: villages and residential groups, their
// covering cell and their heads with history, and the heads' training for their post.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/org/v1/residential_unit.grpc.pb.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/store/residential_unit_store.h"

namespace grassroots::org {

class ResidentialUnitServiceImpl final : public grassroots::org::v1::ResidentialUnitService::Service {
 public:
  explicit ResidentialUnitServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::ResidentialUnitService::service_full_name(), ctx.authorizer) {}

  grpc::Status CreateResidentialUnit(grpc::ServerContext* context, const v1::CreateResidentialUnitRequest* request,
                                     v1::ResidentialUnit* response) override;
  grpc::Status GetResidentialUnit(grpc::ServerContext* context, const v1::GetResidentialUnitRequest* request,
                                  v1::ResidentialUnit* response) override;
  grpc::Status UpdateResidentialUnit(grpc::ServerContext* context, const v1::UpdateResidentialUnitRequest* request,
                                     v1::ResidentialUnit* response) override;
  grpc::Status ListResidentialUnits(grpc::ServerContext* context, const v1::ListResidentialUnitsRequest* request,
                                    v1::ListResidentialUnitsResponse* response) override;
  grpc::Status AssignCoveringCell(grpc::ServerContext* context, const v1::AssignCoveringCellRequest* request,
                                  v1::CoveringPeriod* response) override;
  grpc::Status EndCoveringCell(grpc::ServerContext* context, const v1::EndCoveringCellRequest* request,
                               v1::CoveringPeriod* response) override;
  grpc::Status ListCoveringPeriods(grpc::ServerContext* context, const v1::ListCoveringPeriodsRequest* request,
                                   v1::ListCoveringPeriodsResponse* response) override;
  grpc::Status AssignUnitHead(grpc::ServerContext* context, const v1::AssignUnitHeadRequest* request,
                              v1::UnitHead* response) override;
  grpc::Status EndUnitHead(grpc::ServerContext* context, const v1::EndUnitHeadRequest* request,
                           v1::UnitHead* response) override;
  grpc::Status ListUnitHeads(grpc::ServerContext* context, const v1::ListUnitHeadsRequest* request,
                             v1::ListUnitHeadsResponse* response) override;
  grpc::Status RecordHeadTraining(grpc::ServerContext* context, const v1::RecordHeadTrainingRequest* request,
                                  v1::HeadTraining* response) override;
  grpc::Status ListHeadTrainings(grpc::ServerContext* context, const v1::ListHeadTrainingsRequest* request,
                                 v1::ListHeadTrainingsResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
  store::ResidentialUnitStore units_;
};

}  // namespace grassroots::org
