#pragma once
// grassroots.inspection.v1.DisciplineService: discipline decisions, their
// effects on org and membership (recorded as pending with the decision, applied
// once by the EffectWorker), and appeals.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "services/inspection/handlers/effect_worker.h"
#include "services/inspection/handlers/handler_context.h"
#include "services/inspection/handlers/position_directory.h"
#include "services/inspection/store/discipline_store.h"

namespace grassroots::inspection {

class DisciplineServiceImpl final : public grassroots::inspection::v1::DisciplineService::Service {
 public:
  DisciplineServiceImpl(HandlerContext& ctx, store::DisciplineStore& decisions, PositionDirectory& positions,
                        EffectWorker& effects);

  grpc::Status DecideDiscipline(grpc::ServerContext* context, const v1::DecideDisciplineRequest* request,
                                v1::DisciplineDecision* response) override;
  grpc::Status GetDisciplineDecision(grpc::ServerContext* context, const v1::GetDisciplineDecisionRequest* request,
                                     v1::DisciplineDecision* response) override;
  grpc::Status ListDisciplineDecisions(grpc::ServerContext* context, const v1::ListDisciplineDecisionsRequest* request,
                                       v1::ListDisciplineDecisionsResponse* response) override;
  grpc::Status FileAppeal(grpc::ServerContext* context, const v1::FileAppealRequest* request,
                          v1::Appeal* response) override;
  grpc::Status ResolveAppeal(grpc::ServerContext* context, const v1::ResolveAppealRequest* request,
                             v1::Appeal* response) override;
  grpc::Status ListAppeals(grpc::ServerContext* context, const v1::ListAppealsRequest* request,
                           v1::ListAppealsResponse* response) override;

 private:
  HandlerContext& ctx_;
  store::DisciplineStore& decisions_;
  PositionDirectory& positions_;
  EffectWorker& effects_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::inspection
