#pragma once
// grassroots.reporting.v1.PlanService: plans committees load, their tasks'
// status per organization, the units' yearly reports and the reviews
// (proto/grassroots/reporting/v1/plans.proto).
#include <map>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "common/server/respond.h"
#include "grassroots/reporting/v1/plans.grpc.pb.h"
#include "services/reporting/domain/plan_tracking.h"
#include "services/reporting/handlers/handler_context.h"

namespace grassroots::reporting {

// The state of each task of the plan with a recorded entry for the
// organization, on `day` (domain::EntryOn); tasks absent are NOT_STARTED.
absl::StatusOr<std::map<std::string, domain::TaskState>> TaskStatesOn(common::db::Session& session,
                                                                      const std::string& plan_id, int64_t org_id,
                                                                      absl::CivilDay day);

class PlanServiceImpl final : public grassroots::reporting::v1::PlanService::Service {
 public:
  explicit PlanServiceImpl(HandlerContext& ctx);

  grpc::Status LoadPlan(grpc::ServerContext* context, const grassroots::reporting::v1::LoadPlanRequest* request,
                        grassroots::reporting::v1::Plan* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context, const grassroots::reporting::v1::GetPlanRequest* request,
                       grassroots::reporting::v1::Plan* response) override;
  grpc::Status ListPlans(grpc::ServerContext* context, const grassroots::reporting::v1::ListPlansRequest* request,
                         grassroots::reporting::v1::ListPlansResponse* response) override;
  grpc::Status ListPlanTasks(grpc::ServerContext* context,
                             const grassroots::reporting::v1::ListPlanTasksRequest* request,
                             grassroots::reporting::v1::ListPlanTasksResponse* response) override;
  grpc::Status UpdateTaskStatus(grpc::ServerContext* context,
                                const grassroots::reporting::v1::UpdateTaskStatusRequest* request,
                                grassroots::reporting::v1::TaskStatus* response) override;
  grpc::Status ListTaskStatusHistory(grpc::ServerContext* context,
                                     const grassroots::reporting::v1::ListTaskStatusHistoryRequest* request,
                                     grassroots::reporting::v1::ListTaskStatusHistoryResponse* response) override;
  grpc::Status SubmitUnitReport(grpc::ServerContext* context,
                                const grassroots::reporting::v1::SubmitUnitReportRequest* request,
                                grassroots::reporting::v1::UnitReport* response) override;
  grpc::Status ListUnitReports(grpc::ServerContext* context,
                               const grassroots::reporting::v1::ListUnitReportsRequest* request,
                               grassroots::reporting::v1::ListUnitReportsResponse* response) override;
  grpc::Status ListReviews(grpc::ServerContext* context, const grassroots::reporting::v1::ListReviewsRequest* request,
                           grassroots::reporting::v1::ListReviewsResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::reporting
