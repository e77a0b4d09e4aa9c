#pragma once
// grassroots.inspection.v1.ProgramService: each committee's yearly inspection
// and supervision program and its planned items.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "services/inspection/handlers/handler_context.h"

namespace grassroots::inspection {

class ProgramServiceImpl final : public grassroots::inspection::v1::ProgramService::Service {
 public:
  explicit ProgramServiceImpl(HandlerContext& ctx);

  grpc::Status CreateProgram(grpc::ServerContext* context, const v1::CreateProgramRequest* request,
                             v1::Program* response) override;
  grpc::Status GetProgram(grpc::ServerContext* context, const v1::GetProgramRequest* request,
                          v1::Program* response) override;
  grpc::Status ListPrograms(grpc::ServerContext* context, const v1::ListProgramsRequest* request,
                            v1::ListProgramsResponse* response) override;
  grpc::Status AddProgramItem(grpc::ServerContext* context, const v1::AddProgramItemRequest* request,
                              v1::Program* response) override;
  grpc::Status UpdateProgramItem(grpc::ServerContext* context, const v1::UpdateProgramItemRequest* request,
                                 v1::Program* response) override;
  grpc::Status ListOrganizationsWithoutProgram(grpc::ServerContext* context,
                                               const v1::ListOrganizationsWithoutProgramRequest* request,
                                               v1::ListOrganizationsWithoutProgramResponse* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::inspection
