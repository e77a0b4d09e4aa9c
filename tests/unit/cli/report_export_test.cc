// `grassroots report export`'s options as the requests they send.
#include <gtest/gtest.h>

#include <sstream>

#include "services/cli/report_commands.h"

namespace grassroots::cli {
namespace {

namespace rv1 = grassroots::reporting::v1;

TEST(ReportExportOptionsTest, PartsBecomeTheRequestsParts) {
  ReportExportOptions options;
  options.organization = "organizations/12";
  options.year = 2025;
  options.format = "csv";
  options.parts = {"shortfalls:S13"};
  absl::StatusOr<rv1::ExportScorecardRequest> request = ScorecardExportRequest(options);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->format(), rv1::EXPORT_FORMAT_CSV);
  EXPECT_EQ(request->scope().organization(), "organizations/12");
  EXPECT_EQ(request->scope().year(), 2025);
  ASSERT_EQ(request->parts_size(), 1);
  EXPECT_EQ(request->parts(0).kind(), rv1::EXPORT_PART_KIND_SHORTFALLS);
  EXPECT_EQ(request->parts(0).indicator(), "S13");

  options.format = "xlsx";
  options.parts = {"scorecard", "breakdown"};
  options.closed_report = "organizations/12/closedReports/3";
  request = ScorecardExportRequest(options);
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->has_scope()) << "a closed report carries its own scope";
  EXPECT_EQ(request->closed_report(), "organizations/12/closedReports/3");
  EXPECT_EQ(request->parts(1).kind(), rv1::EXPORT_PART_KIND_BREAKDOWN);
}

TEST(ReportExportOptionsTest, BadFormatsAndPartsAreRefusedBeforeAnyCall) {
  ReportExportOptions options;
  options.format = "pdf";
  EXPECT_FALSE(ScorecardExportRequest(options).ok());
  options.format = "csv";
  options.parts = {"shortfalls:"};
  EXPECT_FALSE(ScorecardExportRequest(options).ok());
  options.parts = {"members", "movements"};
  options.statistics = true;
  absl::StatusOr<rv1::ExportStatisticsRequest> statistics = StatisticsExportRequest(options);
  ASSERT_TRUE(statistics.ok());
  EXPECT_EQ(statistics->parts_size(), 2);
  options.parts = {"scorecard"};
  EXPECT_FALSE(StatisticsExportRequest(options).ok());

  std::ostringstream out, err;
  std::istringstream in;
  Io io{out, err, in, [](absl::string_view) -> std::optional<std::string> { return std::nullopt; }};
  options.out = "";
  EXPECT_NE(RunReportExport(options, io), 0);
  EXPECT_NE(err.str().find("--out"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace grassroots::cli
