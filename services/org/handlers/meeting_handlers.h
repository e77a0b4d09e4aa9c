#pragma once
// grassroots.org.v1.MeetingService: cell meetings, their rule findings, and the cells
// that held no thematic meeting in a quarter.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/org/v1/meeting.grpc.pb.h"
#include "services/org/handlers/handler_context.h"
#include "services/org/store/meeting_store.h"

namespace grassroots::org {

class MeetingServiceImpl final : public grassroots::org::v1::MeetingService::Service {
 public:
  explicit MeetingServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::MeetingService::service_full_name(), ctx.authorizer) {}

  grpc::Status CreateMeeting(grpc::ServerContext* context, const v1::CreateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status GetMeeting(grpc::ServerContext* context, const v1::GetMeetingRequest* request,
                          v1::Meeting* response) override;
  grpc::Status UpdateMeeting(grpc::ServerContext* context, const v1::UpdateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status ListMeetings(grpc::ServerContext* context, const v1::ListMeetingsRequest* request,
                            v1::ListMeetingsResponse* response) override;
  grpc::Status ListCellsMissingThematicMeeting(grpc::ServerContext* context,
                                               const v1::ListCellsMissingThematicMeetingRequest* request,
                                               v1::ListCellsMissingThematicMeetingResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
  store::MeetingStore meetings_;
};

}  // namespace grassroots::org
