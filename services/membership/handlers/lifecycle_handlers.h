#pragma once
// grassroots.membership.v1.LifecycleService: each write validates its fields,
// reads the member, checks write access, makes any call to the organization
// service before its transaction, then appends one event (AppendEvent) and
// answers with the member as it stands afterwards.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/membership/v1/lifecycle.grpc.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

class LifecycleServiceImpl final : public v1::LifecycleService::Service {
 public:
  explicit LifecycleServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::LifecycleService::service_full_name(), ctx.authorizer) {}

  grpc::Status RecordAwarenessClass(grpc::ServerContext* context, const v1::RecordAwarenessClassRequest* request,
                                    v1::Member* response) override;
  grpc::Status RecordDossierCompleted(grpc::ServerContext* context, const v1::RecordDossierCompletedRequest* request,
                                      v1::Member* response) override;
  grpc::Status RecordCellAdmissionVote(grpc::ServerContext* context,
                                       const v1::RecordCellAdmissionVoteRequest* request,
                                       v1::Member* response) override;
  grpc::Status DecideAdmission(grpc::ServerContext* context, const v1::DecideAdmissionRequest* request,
                               v1::Member* response) override;
  grpc::Status RecordAdmissionCeremony(grpc::ServerContext* context,
                                       const v1::RecordAdmissionCeremonyRequest* request,
                                       v1::Member* response) override;
  grpc::Status RecognizeOfficial(grpc::ServerContext* context, const v1::RecognizeOfficialRequest* request,
                                 v1::Member* response) override;
  grpc::Status AbandonAdmission(grpc::ServerContext* context, const v1::AbandonAdmissionRequest* request,
                                v1::Member* response) override;
  grpc::Status StartTransfer(grpc::ServerContext* context, const v1::StartTransferRequest* request,
                             v1::Member* response) override;
  grpc::Status CompleteTransfer(grpc::ServerContext* context, const v1::CompleteTransferRequest* request,
                                v1::Member* response) override;
  grpc::Status EndTemporaryTransfer(grpc::ServerContext* context, const v1::EndTemporaryTransferRequest* request,
                                    v1::Member* response) override;
  grpc::Status ExemptMember(grpc::ServerContext* context, const v1::ExemptMemberRequest* request,
                            v1::Member* response) override;
  grpc::Status EndExemption(grpc::ServerContext* context, const v1::EndExemptionRequest* request,
                            v1::Member* response) override;
  grpc::Status SuspendMember(grpc::ServerContext* context, const v1::SuspendMemberRequest* request,
                             v1::Member* response) override;
  grpc::Status EndSuspension(grpc::ServerContext* context, const v1::EndSuspensionRequest* request,
                             v1::Member* response) override;
  grpc::Status EndMembership(grpc::ServerContext* context, const v1::EndMembershipRequest* request,
                             v1::Member* response) override;
  grpc::Status ExpelMember(grpc::ServerContext* context, const v1::ExpelMemberRequest* request,
                           v1::Member* response) override;
  grpc::Status ReinstateMember(grpc::ServerContext* context, const v1::ReinstateMemberRequest* request,
                               v1::Member* response) override;
  grpc::Status VoidEvent(grpc::ServerContext* context, const v1::VoidEventRequest* request,
                         v1::Member* response) override;
  grpc::Status ListMemberEvents(grpc::ServerContext* context, const v1::ListMemberEventsRequest* request,
                                v1::ListMemberEventsResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::membership
