#pragma once
// grassroots.membership.v1.MemberSyncService: a member's offline copy on the
// mobile app, synced in pages from a signed cursor (domain/sync_position.h).
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/membership/v1/sync.grpc.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

class MemberSyncServiceImpl final : public v1::MemberSyncService::Service {
 public:
  explicit MemberSyncServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::MemberSyncService::service_full_name(), ctx.authorizer) {}

  grpc::Status SyncMyRecord(grpc::ServerContext* context, const v1::SyncMyRecordRequest* request,
                            v1::SyncMyRecordResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::membership
