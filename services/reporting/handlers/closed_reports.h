#pragma once
// Closed periods as the handlers see them: report names and the frozen units.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "grassroots/reporting/v1/reporting.pb.h"
#include "services/reporting/handlers/handler_context.h"
#include "services/reporting/store/closed_report_store.h"

namespace grassroots::reporting {

struct ClosedReportName {
  int64_t org_id = 0;
  int64_t report_id = 0;
};
// "organizations/{o}/closedReports/{r}"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<ClosedReportName> ParseClosedReportName(std::string_view name, std::string_view field);
std::string ClosedReportResourceName(int64_t org_id, int64_t report_id);

// The frozen units of one indicator of a closed report; NOT_FOUND when there is no such report.
absl::StatusOr<std::vector<store::CountedUnit>> FrozenUnits(HandlerContext& ctx, const ClosedReportName& name,
                                                            const std::string& indicator);

// A stored report in its API form (the scorecard's indicators only when asked).
absl::StatusOr<grassroots::reporting::v1::ClosedReport> ClosedReportToProto(const store::StoredReport& stored,
                                                                           bool with_indicators);
// The scorecard a closed report froze (its indicators, day, plan and
// positions); NOT_FOUND when there is no such report.
absl::StatusOr<grassroots::reporting::v1::Scorecard> FrozenScorecard(HandlerContext& ctx, const ClosedReportName& name);

}  // namespace grassroots::reporting
