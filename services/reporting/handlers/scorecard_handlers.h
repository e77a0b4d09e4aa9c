#pragma once
// grassroots.reporting.v1.ScorecardService: the Resolution-21 scorecard of a
// subtree, its breakdown by child organization and its shortfall lists.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/reporting/v1/reporting.grpc.pb.h"
#include "services/reporting/handlers/handler_context.h"

namespace grassroots::reporting {

class ScorecardServiceImpl final : public grassroots::reporting::v1::ScorecardService::Service {
 public:
  explicit ScorecardServiceImpl(HandlerContext& ctx);

  grpc::Status GetScorecard(grpc::ServerContext* context, const grassroots::reporting::v1::GetScorecardRequest* request,
                            grassroots::reporting::v1::Scorecard* response) override;
  grpc::Status GetScorecardBreakdown(grpc::ServerContext* context,
                                     const grassroots::reporting::v1::GetScorecardBreakdownRequest* request,
                                     grassroots::reporting::v1::ScorecardBreakdown* response) override;
  grpc::Status ListShortfalls(grpc::ServerContext* context,
                              const grassroots::reporting::v1::ListShortfallsRequest* request,
                              grassroots::reporting::v1::ListShortfallsResponse* response) override;
  // Closed periods (closed_reports.cc).
  grpc::Status ClosePeriod(grpc::ServerContext* context, const grassroots::reporting::v1::ClosePeriodRequest* request,
                           grassroots::reporting::v1::ClosedReport* response) override;
  grpc::Status GetClosedReport(grpc::ServerContext* context,
                               const grassroots::reporting::v1::GetClosedReportRequest* request,
                               grassroots::reporting::v1::ClosedReport* response) override;
  grpc::Status ListClosedReports(grpc::ServerContext* context,
                                 const grassroots::reporting::v1::ListClosedReportsRequest* request,
                                 grassroots::reporting::v1::ListClosedReportsResponse* response) override;
  grpc::Status CompareWithClosedReport(grpc::ServerContext* context,
                                       const grassroots::reporting::v1::CompareWithClosedReportRequest* request,
                                       grassroots::reporting::v1::ReportComparison* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::reporting
