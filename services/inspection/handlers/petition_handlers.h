#pragma once
// grassroots.inspection.v1.PetitionService: denunciations, complaints about
// discipline and feedback, from intake to answer. Who filed one is kept apart
// and read only by the handling commission, every read audited.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "services/inspection/handlers/handler_context.h"
#include "services/inspection/store/discipline_store.h"
#include "services/inspection/store/petition_store.h"

namespace grassroots::inspection {

class PetitionServiceImpl final : public grassroots::inspection::v1::PetitionService::Service {
 public:
  PetitionServiceImpl(HandlerContext& ctx, store::PetitionStore& petitions, store::DisciplineStore& decisions);

  grpc::Status ReceivePetition(grpc::ServerContext* context, const v1::ReceivePetitionRequest* request,
                               v1::Petition* response) override;
  grpc::Status GetPetition(grpc::ServerContext* context, const v1::GetPetitionRequest* request,
                           v1::Petition* response) override;
  grpc::Status ListPetitions(grpc::ServerContext* context, const v1::ListPetitionsRequest* request,
                             v1::ListPetitionsResponse* response) override;
  grpc::Status AssignPetition(grpc::ServerContext* context, const v1::AssignPetitionRequest* request,
                              v1::Petition* response) override;
  grpc::Status AnswerPetition(grpc::ServerContext* context, const v1::AnswerPetitionRequest* request,
                              v1::Petition* response) override;
  grpc::Status ClosePetition(grpc::ServerContext* context, const v1::ClosePetitionRequest* request,
                             v1::Petition* response) override;
  grpc::Status GetPetitionFiler(grpc::ServerContext* context, const v1::GetPetitionFilerRequest* request,
                                v1::PetitionFiler* response) override;

 private:
  HandlerContext& ctx_;
  store::PetitionStore& petitions_;
  store::DisciplineStore& decisions_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::inspection
