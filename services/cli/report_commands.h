#pragma once
// `grassroots report ...`: the reporting service's figures from the command
// line (the Resolution-21 scorecard of a subtree, as a table or JSON).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grassroots/reporting/v1/exports.pb.h"

#include "grassroots/reporting/v1/reporting.pb.h"
#include "services/cli/commands.h"

namespace grassroots::cli {

struct ReportScorecardOptions {
  ConnectionFlags connection;
  std::string organization = "organizations/1";
  int year = 0;
  std::string as_of;
  std::string plan;
  OutputFormat output = OutputFormat::kTable;
};
int RunReportScorecard(const ReportScorecardOptions& options, Io& io);

// The scorecard as a person reads it: one row per indicator (id, title,
// numerator, denominator, value, target, attainment), then S16's removals.
Table ScorecardTable(const grassroots::reporting::v1::Scorecard& scorecard);

// `grassroots report export`: the scorecard's parts (or with --statistics the
// statistics) as a CSV or XLSX file, streamed into --out (a temp file beside
// it, renamed when complete).
struct ReportExportOptions {
  ConnectionFlags connection;
  std::string organization = "organizations/1";
  int year = 0;
  std::string as_of;
  std::string plan;
  std::string closed_report;
  bool statistics = false;
  std::string format = "xlsx";
  // scorecard | breakdown | shortfalls:S13; with --statistics members | organizations | movements.
  std::vector<std::string> parts;
  std::string out;
};
absl::StatusOr<grassroots::reporting::v1::ExportScorecardRequest> ScorecardExportRequest(
    const ReportExportOptions& options);
absl::StatusOr<grassroots::reporting::v1::ExportStatisticsRequest> StatisticsExportRequest(
    const ReportExportOptions& options);
int RunReportExport(const ReportExportOptions& options, Io& io);

}  // namespace grassroots::cli
