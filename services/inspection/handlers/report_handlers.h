#pragma once
// grassroots.inspection.v1.InspectionReportService: the caseload of each
// commission in a subtree, and counts for the portal.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "services/inspection/handlers/handler_context.h"
#include "services/inspection/store/report_store.h"

namespace grassroots::inspection {

class InspectionReportServiceImpl final : public grassroots::inspection::v1::InspectionReportService::Service {
 public:
  explicit InspectionReportServiceImpl(HandlerContext& ctx);

  grpc::Status GetCaseload(grpc::ServerContext* context, const v1::GetCaseloadRequest* request,
                           v1::GetCaseloadResponse* response) override;
  grpc::Status CountInspectionWork(grpc::ServerContext* context, const v1::CountInspectionWorkRequest* request,
                                   v1::CountInspectionWorkResponse* response) override;

 private:
  HandlerContext& ctx_;
  store::ReportStore reports_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::inspection
