#pragma once
// grassroots.membership.v1.MemberService: member records, queries, counts,
// the member's own view and party cards. ListMemberAlerts forwards to
// alert_handlers.h.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

class MemberServiceImpl final : public v1::MemberService::Service {
 public:
  explicit MemberServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::MemberService::service_full_name(), ctx.authorizer) {}

  grpc::Status CreateMember(grpc::ServerContext* context, const v1::CreateMemberRequest* request,
                            v1::Member* response) override;
  grpc::Status GetMember(grpc::ServerContext* context, const v1::GetMemberRequest* request,
                         v1::Member* response) override;
  grpc::Status UpdateMember(grpc::ServerContext* context, const v1::UpdateMemberRequest* request,
                            v1::Member* response) override;
  grpc::Status SearchMembers(grpc::ServerContext* context, const v1::SearchMembersRequest* request,
                             v1::SearchMembersResponse* response) override;
  grpc::Status LookupMember(grpc::ServerContext* context, const v1::LookupMemberRequest* request,
                            v1::Member* response) override;
  grpc::Status CountMembers(grpc::ServerContext* context, const v1::CountMembersRequest* request,
                            v1::CountMembersResponse* response) override;
  grpc::Status GetMyRecord(grpc::ServerContext* context, const v1::GetMyRecordRequest* request,
                           v1::MyRecord* response) override;
  grpc::Status IssuePartyCard(grpc::ServerContext* context, const v1::IssuePartyCardRequest* request,
                              v1::PartyCard* response) override;
  grpc::Status ListPartyCards(grpc::ServerContext* context, const v1::ListPartyCardsRequest* request,
                              v1::ListPartyCardsResponse* response) override;
  grpc::Status ListMemberAlerts(grpc::ServerContext* context, const v1::ListMemberAlertsRequest* request,
                                v1::ListMemberAlertsResponse* response) override;
  grpc::Status ExportMyData(grpc::ServerContext* context, const v1::ExportMyDataRequest* request,
                            v1::MyDataExport* response) override;
  grpc::Status RequestCorrection(grpc::ServerContext* context, const v1::RequestCorrectionRequest* request,
                                 v1::CorrectionRequest* response) override;
  grpc::Status ListMyCorrectionRequests(grpc::ServerContext* context,
                                        const v1::ListMyCorrectionRequestsRequest* request,
                                        v1::ListCorrectionRequestsResponse* response) override;
  grpc::Status ListCorrectionRequests(grpc::ServerContext* context, const v1::ListCorrectionRequestsRequest* request,
                                      v1::ListCorrectionRequestsResponse* response) override;
  grpc::Status AnswerCorrectionRequest(grpc::ServerContext* context,
                                       const v1::AnswerCorrectionRequestRequest* request,
                                       v1::CorrectionRequest* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::membership
