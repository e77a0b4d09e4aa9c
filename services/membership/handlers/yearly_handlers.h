#pragma once
// grassroots.membership.v1.YearlyRecordService: residence liaison (QĐ 213),
// yearly commitments, quality ratings with the quota report, trainings and
// screening for education and help (HD 02).
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/membership/v1/yearly_records.grpc.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

class YearlyRecordServiceImpl final : public v1::YearlyRecordService::Service {
 public:
  explicit YearlyRecordServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::YearlyRecordService::service_full_name(), ctx.authorizer) {}

  grpc::Status RegisterResidence(grpc::ServerContext* context, const v1::RegisterResidenceRequest* request,
                                 v1::ResidenceRegistration* response) override;
  grpc::Status RecordResidenceFeedback(grpc::ServerContext* context, const v1::RecordResidenceFeedbackRequest* request,
                                       v1::ResidenceFeedback* response) override;
  grpc::Status RecordCommitment(grpc::ServerContext* context, const v1::RecordCommitmentRequest* request,
                                v1::Commitment* response) override;
  grpc::Status RateMember(grpc::ServerContext* context, const v1::RateMemberRequest* request,
                          v1::RateMemberResponse* response) override;
  grpc::Status GetRatingQuota(grpc::ServerContext* context, const v1::GetRatingQuotaRequest* request,
                              v1::RatingQuotaReport* response) override;
  grpc::Status RecordTraining(grpc::ServerContext* context, const v1::RecordTrainingRequest* request,
                              v1::Training* response) override;
  grpc::Status ListForScreening(grpc::ServerContext* context, const v1::ListForScreeningRequest* request,
                                v1::Screening* response) override;
  grpc::Status RecordScreeningOutcome(grpc::ServerContext* context, const v1::RecordScreeningOutcomeRequest* request,
                                      v1::Screening* response) override;
  grpc::Status ListYearlyRecords(grpc::ServerContext* context, const v1::ListYearlyRecordsRequest* request,
                                 v1::ListYearlyRecordsResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::membership
