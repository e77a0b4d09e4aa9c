#include "services/reporting/handlers/policy.h"

#include <string>

namespace grassroots::reporting {
namespace {

using common::auth::Role;

std::string M(const char* service, const char* method) {
  return std::string("/grassroots.reporting.v1.") + service + "/" + method;
}

}  // namespace

common::auth::MethodPolicy MakeReportingMethodPolicy() {
  common::auth::MethodPolicy p;
  // The scorecard is aggregates: every role that answers for a subtree reads
  // it, the portal included. Shortfalls that are persons are refused to the
  // portal per call (handlers/scorecard_handlers.cc).
  const auto kReaders = {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kPortal};
  const char* kScorecard = "ScorecardService";
  for (const char* m : {"GetScorecard", "GetScorecardBreakdown", "ListShortfalls", "GetClosedReport",
                        "ListClosedReports", "CompareWithClosedReport"}) {
    p.Allow(M(kScorecard, m), kReaders);
  }
  // Closing a period is the committee's act, through its organization board.
  p.Allow(M(kScorecard, "ClosePeriod"), {Role::kAdmin});
  // Warnings: the portal gets those about organizations, units and the plan,
  // never the kinds about members (handlers/warning_handlers.cc).
  p.Allow(M("WarningService", "ListWarnings"), kReaders);
  // Statistics are aggregates too; small counts of persons are withheld from
  // the portal per call (handlers/statistics_handlers.cc).
  for (const char* m : {"GetMemberStatistics", "GetOrganizationStatistics", "GetMovements", "GetDuesStatistics"}) {
    p.Allow(M("StatisticsService", m), kReaders);
  }
  // Plans: the board loads plans, records task statuses and submits unit
  // reports; plans, tasks, statuses and reviews are aggregates (the portal
  // reads them); unit reports are the committee's follow-up, not the portal's.
  for (const char* m : {"GetPlan", "ListPlans", "ListPlanTasks", "ListTaskStatusHistory", "ListReviews"}) {
    p.Allow(M("PlanService", m), kReaders);
  }
  p.Allow(M("PlanService", "ListUnitReports"), {Role::kAdmin, Role::kInspector, Role::kSecretary});
  for (const char* m : {"LoadPlan", "UpdateTaskStatus", "SubmitUnitReport"}) p.Allow(M("PlanService", m), {Role::kAdmin});
  // Exports are the reads above as files: each call checks what its reads check
  // (handlers/export_handlers.cc).
  for (const char* m : {"ExportScorecard", "ExportStatistics"}) p.Allow(M("ExportService", m), kReaders);
  return p;
}

}  // namespace grassroots::reporting
