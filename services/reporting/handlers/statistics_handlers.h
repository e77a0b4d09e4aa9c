#pragma once
// grassroots.reporting.v1.StatisticsService: counts of a subtree in the shapes
// of the party's statistical forms, small counts withheld from the portal.
#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "common/server/respond.h"
#include "grassroots/reporting/v1/statistics.grpc.pb.h"
#include "services/reporting/domain/statistics.h"
#include "services/reporting/handlers/handler_context.h"

namespace grassroots::reporting {

// The code lists whose names label the ethnicity and religion rows (data/codes).
struct StatisticsCodeNames {
  domain::CodeNames ethnicities;
  domain::CodeNames religions;
};

// Reads <dir>/ethnicity.json and <dir>/religion.json.
absl::StatusOr<StatisticsCodeNames> LoadStatisticsCodeNames(const std::string& dir);

class StatisticsServiceImpl final : public grassroots::reporting::v1::StatisticsService::Service {
 public:
  // `codes`: an error when the lists could not be loaded; then the ethnicity
  // and religion tables fail (the other figures are still answered).
  StatisticsServiceImpl(HandlerContext& ctx, absl::StatusOr<StatisticsCodeNames> codes);

  grpc::Status GetMemberStatistics(grpc::ServerContext* context,
                                   const grassroots::reporting::v1::GetMemberStatisticsRequest* request,
                                   grassroots::reporting::v1::MemberStatistics* response) override;
  grpc::Status GetOrganizationStatistics(grpc::ServerContext* context,
                                         const grassroots::reporting::v1::GetOrganizationStatisticsRequest* request,
                                         grassroots::reporting::v1::OrganizationStatistics* response) override;
  grpc::Status GetDuesStatistics(grpc::ServerContext* context,
                                 const grassroots::reporting::v1::GetDuesStatisticsRequest* request,
                                 grassroots::reporting::v1::DuesStatistics* response) override;
  grpc::Status GetMovements(grpc::ServerContext* context, const grassroots::reporting::v1::GetMovementsRequest* request,
                            grassroots::reporting::v1::Movements* response) override;

 private:
  HandlerContext& ctx_;
  absl::StatusOr<StatisticsCodeNames> codes_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::reporting
