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

namespace grassroots::cli {
namespace {

// The scorecard as `grassroots report scorecard` prints it: a ratio with its
// percent and target, a count without a denominator, an empty value as a dash,
// S15 with the previous year beside it.
TEST(ScorecardTableTest, OneRowPerIndicatorAsAPersonReadsIt) {
  grassroots::reporting::v1::Scorecard card;
  auto* s1 = card.add_indicators();
  s1->set_id("S1");
  s1->set_title("Quy chế làm việc");
  s1->set_kind(grassroots::reporting::v1::INDICATOR_KIND_RATIO);
  s1->set_numerator(2);
  s1->set_denominator(3);
  s1->set_value("66.67");
  s1->mutable_target()->set_comparator(">=");
  s1->mutable_target()->set_value(1.0);
  s1->mutable_target()->set_unit("ratio");
  s1->set_attainment(grassroots::reporting::v1::ATTAINMENT_NOT_MET);
  auto* s7 = card.add_indicators();
  s7->set_id("S7");
  s7->set_kind(grassroots::reporting::v1::INDICATOR_KIND_COUNT);
  s7->set_numerator(2);
  s7->set_value("2");
  s7->mutable_target()->set_comparator("between");
  s7->mutable_target()->set_low(1);
  s7->mutable_target()->set_high(2);
  s7->mutable_target()->set_unit("count");
  s7->set_attainment(grassroots::reporting::v1::ATTAINMENT_MET);
  auto* s15 = card.add_indicators();
  s15->set_id("S15");
  s15->set_kind(grassroots::reporting::v1::INDICATOR_KIND_RATIO);
  s15->set_value("");
  s15->set_previous_value("40.00");
  s15->mutable_target()->set_comparator("rising_year_on_year");
  s15->set_attainment(grassroots::reporting::v1::ATTAINMENT_UNKNOWN);
  const Table table = ScorecardTable(card);
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0], (std::vector<std::string>{"S1", "Quy chế làm việc", "2", "3", "66.67%", ">= 100%",
                                                     "chưa đạt"}));
  EXPECT_EQ(table.rows[1], (std::vector<std::string>{"S7", "", "2", "", "2", "1–2", "đạt"}));
  EXPECT_EQ(table.rows[2], (std::vector<std::string>{"S15", "", "0", "0", "— (năm trước 40.00%)", "tăng hằng năm",
                                                     "chưa xác định"}));
}

}  // namespace
}  // namespace grassroots::cli
