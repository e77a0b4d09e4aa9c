#include "services/cli/report_commands.h"

#include <cstdio>
#include <fstream>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grassroots/reporting/v1/reporting.grpc.pb.h"
#include "grassroots/reporting/v1/exports.grpc.pb.h"
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

namespace {

absl::StatusOr<rv1::ExportFormat> ExportFormatOf(const std::string& format) {
  if (format == "csv") return rv1::EXPORT_FORMAT_CSV;
  if (format == "xlsx") return rv1::EXPORT_FORMAT_XLSX;
  return absl::InvalidArgumentError(absl::StrCat("--format: \"", format, "\" is not csv or xlsx"));
}

absl::Status CheckOut(const ReportExportOptions& options) {
  if (options.out.empty()) return absl::InvalidArgumentError("--out: give the file to write");
  return absl::OkStatus();
}

// Writes the streamed chunks to a temp file beside `path`, renamed over it
// once the stream ended well: a failed export leaves no half file.
template <typename Reader>
int WriteStream(Reader& reader, const std::string& path, Io& io) {
  const std::string temp = path + ".part";
  std::ofstream file(temp, std::ios::binary | std::ios::trunc);
  if (!file) {
    io.err << "error: cannot write " << temp << std::endl;
    return kExitUsage;
  }
  rv1::ExportChunk chunk;
  std::string file_name;
  int64_t bytes = 0;
  while (reader.Read(&chunk)) {
    if (file_name.empty()) file_name = chunk.file_name();
    file.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    bytes += static_cast<int64_t>(chunk.data().size());
  }
  file.close();
  const grpc::Status status = reader.Finish();
  if (!status.ok() || !file) {
    std::remove(temp.c_str());
    io.err << (status.ok() ? "error: writing " + temp + " failed" : DescribeStatus(status)) << std::endl;
    return status.ok() ? kExitUsage : kExitRpcError;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    io.err << "error: cannot rename " << temp << " to " << path << std::endl;
    return kExitUsage;
  }
  io.out << path << ": " << bytes << " bytes (" << file_name << ")" << std::endl;
  return kExitOk;
}

}  // namespace

absl::StatusOr<rv1::ExportScorecardRequest> ScorecardExportRequest(const ReportExportOptions& options) {
  rv1::ExportScorecardRequest request;
  absl::StatusOr<rv1::ExportFormat> format = ExportFormatOf(options.format);
  if (!format.ok()) return format.status();
  request.set_format(*format);
  if (options.closed_report.empty()) {
    request.mutable_scope()->set_organization(options.organization);
    request.mutable_scope()->set_year(options.year);
    request.mutable_scope()->set_as_of_date(options.as_of);
    request.mutable_scope()->set_plan(options.plan);
  } else {
    request.set_closed_report(options.closed_report);
  }
  for (const std::string& part : options.parts) {
    rv1::ExportPart* out = request.add_parts();
    if (part == "scorecard") {
      out->set_kind(rv1::EXPORT_PART_KIND_SCORECARD);
    } else if (part == "breakdown") {
      out->set_kind(rv1::EXPORT_PART_KIND_BREAKDOWN);
    } else if (part.starts_with("shortfalls:") && part.size() > 11) {
      out->set_kind(rv1::EXPORT_PART_KIND_SHORTFALLS);
      out->set_indicator(part.substr(11));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--part: \"", part, "\" is not scorecard, breakdown or shortfalls:<indicator>"));
    }
  }
  return request;
}

absl::StatusOr<rv1::ExportStatisticsRequest> StatisticsExportRequest(const ReportExportOptions& options) {
  rv1::ExportStatisticsRequest request;
  absl::StatusOr<rv1::ExportFormat> format = ExportFormatOf(options.format);
  if (!format.ok()) return format.status();
  if (!options.closed_report.empty()) return absl::InvalidArgumentError("--closed-report: statistics are live only");
  request.set_format(*format);
  request.mutable_scope()->set_organization(options.organization);
  request.mutable_scope()->set_year(options.year);
  request.mutable_scope()->set_as_of_date(options.as_of);
  for (const std::string& part : options.parts) {
    if (part == "members") {
      request.add_parts(rv1::STATISTICS_PART_KIND_MEMBERS);
    } else if (part == "organizations") {
      request.add_parts(rv1::STATISTICS_PART_KIND_ORGANIZATIONS);
    } else if (part == "movements") {
      request.add_parts(rv1::STATISTICS_PART_KIND_MOVEMENTS);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--part: \"", part, "\" is not members, organizations or movements"));
    }
  }
  return request;
}

int RunReportExport(const ReportExportOptions& options, Io& io) {
  absl::Status out = CheckOut(options);
  if (!out.ok()) {
    io.err << "error: " << out.message() << std::endl;
    return kExitUsage;
  }
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.reporting.v1", options.connection, io.env);
  if (!connection.ok()) {
    io.err << "error: " << connection.status().message() << std::endl;
    return kExitUsage;
  }
  auto stub = rv1::ExportService::NewStub(connection->channel());
  grpc::ClientContext context;
  // A large workbook may take longer than one call's default deadline.
  connection->Prepare(context, /*with_deadline=*/false);
  if (options.statistics) {
    absl::StatusOr<rv1::ExportStatisticsRequest> request = StatisticsExportRequest(options);
    if (!request.ok()) {
      io.err << "error: " << request.status().message() << std::endl;
      return kExitUsage;
    }
    auto reader = stub->ExportStatistics(&context, *request);
    return WriteStream(*reader, options.out, io);
  }
  absl::StatusOr<rv1::ExportScorecardRequest> request = ScorecardExportRequest(options);
  if (!request.ok()) {
    io.err << "error: " << request.status().message() << std::endl;
    return kExitUsage;
  }
  auto reader = stub->ExportScorecard(&context, *request);
  return WriteStream(*reader, options.out, io);
}

}  // namespace grassroots::cli
