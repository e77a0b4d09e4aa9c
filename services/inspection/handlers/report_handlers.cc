#include "services/inspection/handlers/report_handlers.h"

#include <map>
#include <string>
#include <vector>

#include "common/api/api.h"
#include "common/status/status.h"
#include "services/inspection/handlers/request_support.h"

namespace grassroots::inspection {

namespace api = common::api;

InspectionReportServiceImpl::InspectionReportServiceImpl(HandlerContext& ctx)
    : ctx_(ctx), envelope_(v1::InspectionReportService::service_full_name(), ctx.authorizer) {}

grpc::Status InspectionReportServiceImpl::GetCaseload(grpc::ServerContext* context,
                                                      const v1::GetCaseloadRequest* request,
                                                      v1::GetCaseloadResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request->as_of_date(), "as_of_date", api::Today()));
    GR_ASSIGN_OR_RETURN(PageRequest page,
                        DecodePage(ctx_, request->page_size(), request->page_token(),
                                   api::Fingerprint({"caseload", request->organization(), api::FormatDate(as_of)})));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    using Caseloads = std::map<int64_t, v1::Caseload>;
    GR_ASSIGN_OR_RETURN(Caseloads caseloads,
                        ctx_.pool.Read<Caseloads>("report.caseload",
                                                  [&](common::db::Session& session) -> absl::StatusOr<Caseloads> {
                                                    GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                                                                        SubtreeOf(ctx_, session, org_id));
                                                    return reports_.Caseloads(session, ids, api::FormatDate(as_of));
                                                  }));
    size_t shown = 0;
    int64_t last = 0;
    for (auto it = caseloads.upper_bound(page.after_id); it != caseloads.end(); ++it) {
      if (shown == static_cast<size_t>(page.size)) {
        response->set_next_page_token(NextPageToken(ctx_, page, shown, last));
        break;
      }
      *response->add_caseloads() = it->second;
      last = it->first;
      ++shown;
    }
    return absl::OkStatus();
  });
}

grpc::Status InspectionReportServiceImpl::CountInspectionWork(grpc::ServerContext* context,
                                                              const v1::CountInspectionWorkRequest* request,
                                                              v1::CountInspectionWorkResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    if (request->year() < 1930 || request->year() > 2100) {
      return common::InvalidField("year", "must be a year between 1930 and 2100");
    }
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Read<v1::CountInspectionWorkResponse>(
                                       "report.count", [&](common::db::Session& session)
                                                           -> absl::StatusOr<v1::CountInspectionWorkResponse> {
                                         GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, SubtreeOf(ctx_, session, org_id));
                                         return reports_.CountWork(session, ids, request->year());
                                       }));
    return absl::OkStatus();
  });
}

}  // namespace grassroots::inspection
