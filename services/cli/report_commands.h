#pragma once
// `grassroots report ...`: the reporting service's figures from the command
// line (the Resolution-21 scorecard of a subtree, as a table or JSON).
#include <string>

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

}  // namespace grassroots::cli
