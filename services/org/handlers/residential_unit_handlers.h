#pragma once
// grassroots.org.v1.ResidentialUnitService: villages and residential groups, their
// covering cell and their heads.
#include <grpcpp/grpcpp.h>

#include "grassroots/org/v1/residential_unit.grpc.pb.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/store/residential_unit_store.h"

namespace grassroots::org {

class ResidentialUnitServiceImpl final : public grassroots::org::v1::ResidentialUnitService::Service {
 public:
  explicit ResidentialUnitServiceImpl(HandlerContext& ctx) : ctx_(ctx) {}

  grpc::Status CreateResidentialUnit(grpc::ServerContext* context, const v1::CreateResidentialUnitRequest* request,
                                     v1::ResidentialUnit* response) override;
  grpc::Status GetResidentialUnit(grpc::ServerContext* context, const v1::GetResidentialUnitRequest* request,
                                  v1::ResidentialUnit* response) override;
  grpc::Status UpdateResidentialUnit(grpc::ServerContext* context, const v1::UpdateResidentialUnitRequest* request,
                                     v1::ResidentialUnit* response) override;
  grpc::Status ListResidentialUnits(grpc::ServerContext* context, const v1::ListResidentialUnitsRequest* request,
                                    v1::ListResidentialUnitsResponse* response) override;

 private:
  HandlerContext& ctx_;
  store::ResidentialUnitStore units_;
};

}  // namespace grassroots::org
