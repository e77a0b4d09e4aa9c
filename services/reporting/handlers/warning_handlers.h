#pragma once
// grassroots.reporting.v1.WarningService: what in a subtree is late or missing
// on a day, each warning citing its rule (domain/warnings.h).
#include <grpcpp/grpcpp.h>

#include "common/calendar/working_calendar.h"
#include "common/server/respond.h"
#include "grassroots/reporting/v1/warnings.grpc.pb.h"
#include "services/reporting/handlers/handler_context.h"

namespace grassroots::reporting {

class WarningServiceImpl final : public grassroots::reporting::v1::WarningService::Service {
 public:
  WarningServiceImpl(HandlerContext& ctx, const common::WorkingCalendar& calendar);

  grpc::Status ListWarnings(grpc::ServerContext* context, const grassroots::reporting::v1::ListWarningsRequest* request,
                            grassroots::reporting::v1::ListWarningsResponse* response) override;

 private:
  HandlerContext& ctx_;
  const common::WorkingCalendar& calendar_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::reporting
