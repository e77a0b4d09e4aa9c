#pragma once
// grassroots.reporting.v1.ExportService: the scorecard, its breakdown, its
// shortfall lists and the statistics as CSV or XLSX files, streamed.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/reporting/v1/exports.grpc.pb.h"
#include "services/reporting/handlers/handler_context.h"

namespace grassroots::reporting {

class StatisticsServiceImpl;

class ExportServiceImpl final : public grassroots::reporting::v1::ExportService::Service {
 public:
  // The statistics are read through `statistics` itself, so an export
  // withholds exactly what the API withholds from the same caller.
  ExportServiceImpl(HandlerContext& ctx, StatisticsServiceImpl& statistics);

  grpc::Status ExportScorecard(grpc::ServerContext* context,
                               const grassroots::reporting::v1::ExportScorecardRequest* request,
                               grpc::ServerWriter<grassroots::reporting::v1::ExportChunk>* writer) override;
  grpc::Status ExportStatistics(grpc::ServerContext* context,
                                const grassroots::reporting::v1::ExportStatisticsRequest* request,
                                grpc::ServerWriter<grassroots::reporting::v1::ExportChunk>* writer) override;

 private:
  HandlerContext& ctx_;
  StatisticsServiceImpl& statistics_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::reporting
