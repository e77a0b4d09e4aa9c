#include "services/cli/report_commands.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grassroots/reporting/v1/reporting.grpc.pb.h"
#include "services/cli/generic_call.h"

namespace grassroots::cli {
namespace {

namespace rv1 = ::grassroots::reporting::v1;

std::string TargetText(const rv1::Target& target) {
  const bool ratio = target.unit() == "ratio";
  auto number = [&](double value) {
    return ratio ? absl::StrFormat("%g%%", value * 100) : absl::StrFormat("%g", value);
  };
  if (target.comparator().empty()) return "";
  if (target.comparator() == "between") return absl::StrCat(number(target.low()), "–", number(target.high()));
  if (target.comparator() == "rising_year_on_year") return "tăng hằng năm";
  if (target.comparator() == "reported") return "báo cáo";
  std::string text = absl::StrCat(target.comparator(), " ", number(target.value()));
  if (target.by_year() != 0) absl::StrAppend(&text, " (đến ", target.by_year(), ")");
  return text;
}

std::string AttainmentText(rv1::Attainment attainment) {
  switch (attainment) {
    case rv1::ATTAINMENT_MET: return "đạt";
    case rv1::ATTAINMENT_NOT_MET: return "chưa đạt";
    case rv1::ATTAINMENT_UNKNOWN: return "chưa xác định";
    case rv1::ATTAINMENT_NOT_APPLICABLE: return "không đánh giá";
    case rv1::ATTAINMENT_NO_TARGET: return "không có chỉ tiêu";
    default: return "";
  }
}

}  // namespace

Table ScorecardTable(const rv1::Scorecard& scorecard) {
  Table table;
  table.headers = {"Mã", "Chỉ tiêu", "Tử số", "Mẫu số", "Kết quả", "Mục tiêu", "Đánh giá"};
  for (const rv1::IndicatorResult& indicator : scorecard.indicators()) {
    const bool ratio = indicator.kind() == rv1::INDICATOR_KIND_RATIO;
    std::string value = indicator.value().empty() ? "—" : (ratio ? indicator.value() + "%" : indicator.value());
    if (!indicator.previous_value().empty()) absl::StrAppend(&value, " (năm trước ", indicator.previous_value(), "%)");
    table.rows.push_back({indicator.id(), indicator.title(), absl::StrCat(indicator.numerator()),
                          ratio ? absl::StrCat(indicator.denominator()) : "", value, TargetText(indicator.target()),
                          AttainmentText(indicator.attainment())});
  }
  return table;
}

int RunReportScorecard(const ReportScorecardOptions& options, Io& io) {
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.reporting.v1", options.connection, io.env);
  if (!connection.ok()) {
    io.err << "error: " << connection.status().message() << std::endl;
    return kExitUsage;
  }
  auto stub = rv1::ScorecardService::NewStub(connection->channel());
  rv1::GetScorecardRequest request;
  request.mutable_scope()->set_organization(options.organization);
  request.mutable_scope()->set_year(options.year);
  request.mutable_scope()->set_as_of_date(options.as_of);
  request.mutable_scope()->set_plan(options.plan);
  rv1::Scorecard scorecard;
  grpc::ClientContext context;
  connection->Prepare(context);
  grpc::Status status = stub->GetScorecard(&context, request, &scorecard);
  if (!status.ok()) {
    io.err << DescribeStatus(status) << std::endl;
    return kExitRpcError;
  }
  if (options.output == OutputFormat::kJson) {
    io.out << ToJson(scorecard) << std::endl;
    return kExitOk;
  }
  io.out << "Kết quả thực hiện Nghị quyết 21-NQ/TW: " << scorecard.organization_display_name() << " ("
         << scorecard.organization() << "), năm " << scorecard.year() << ", tính đến ngày " << scorecard.as_of_date()
         << "\n";
  io.out << RenderTable(ScorecardTable(scorecard));
  for (const rv1::IndicatorResult& indicator : scorecard.indicators()) {
    for (const rv1::RemovalCount& removal : indicator.removals()) {
      io.out << "  " << indicator.id() << " " << removal.kind() << " / " << removal.reason() << ": "
             << removal.count() << "\n";
    }
  }
  io.out << "Chỉ tiêu theo " << scorecard.plan() << std::endl;
  return kExitOk;
}

}  // namespace grassroots::cli
