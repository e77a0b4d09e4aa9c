#pragma once
// grassroots.org.v1.RecognitionService: new models, four-good designations and the
// yearly quality rating of organizations.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/org/v1/recognition.grpc.pb.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/store/recognition_store.h"

namespace grassroots::org {

class RecognitionServiceImpl final : public grassroots::org::v1::RecognitionService::Service {
 public:
  explicit RecognitionServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::RecognitionService::service_full_name(), ctx.authorizer) {}

  grpc::Status RecordNewModel(grpc::ServerContext* context, const v1::RecordNewModelRequest* request,
                              v1::NewModel* response) override;
  grpc::Status ListNewModels(grpc::ServerContext* context, const v1::ListNewModelsRequest* request,
                             v1::ListNewModelsResponse* response) override;
  grpc::Status RecordFourGoodDesignation(grpc::ServerContext* context,
                                         const v1::RecordFourGoodDesignationRequest* request,
                                         v1::FourGoodDesignation* response) override;
  grpc::Status ListFourGoodDesignations(grpc::ServerContext* context,
                                        const v1::ListFourGoodDesignationsRequest* request,
                                        v1::ListFourGoodDesignationsResponse* response) override;
  grpc::Status RateOrganization(grpc::ServerContext* context, const v1::RateOrganizationRequest* request,
                                v1::OrganizationRating* response) override;
  grpc::Status ListOrganizationRatings(grpc::ServerContext* context, const v1::ListOrganizationRatingsRequest* request,
                                       v1::ListOrganizationRatingsResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
  store::RecognitionStore recognitions_;
};

}  // namespace grassroots::org
