#pragma once
// grassroots.inspection.v1.CaseService: inspections, supervisions and finance
// inspections from the decision to open them to their closing.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "services/inspection/handlers/handler_context.h"

namespace grassroots::inspection {

class CaseServiceImpl final : public grassroots::inspection::v1::CaseService::Service {
 public:
  explicit CaseServiceImpl(HandlerContext& ctx);

  grpc::Status OpenCase(grpc::ServerContext* context, const v1::OpenCaseRequest* request, v1::Case* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request, v1::Case* response) override;
  grpc::Status ListCases(grpc::ServerContext* context, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override;
  grpc::Status StartCase(grpc::ServerContext* context, const v1::StartCaseRequest* request,
                         v1::Case* response) override;
  grpc::Status ConcludeCase(grpc::ServerContext* context, const v1::ConcludeCaseRequest* request,
                            v1::Case* response) override;
  grpc::Status RecordRecommendationFollowUp(grpc::ServerContext* context,
                                            const v1::RecordRecommendationFollowUpRequest* request,
                                            v1::Case* response) override;
  grpc::Status CloseCase(grpc::ServerContext* context, const v1::CloseCaseRequest* request,
                         v1::Case* response) override;
  grpc::Status CancelCase(grpc::ServerContext* context, const v1::CancelCaseRequest* request,
                          v1::Case* response) override;
  grpc::Status ListOverdueRecommendations(grpc::ServerContext* context,
                                          const v1::ListOverdueRecommendationsRequest* request,
                                          v1::ListOverdueRecommendationsResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::inspection
