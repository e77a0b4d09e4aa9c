#include "services/reporting/handlers/export_handlers.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/export/table_writer.h"
#include "common/status/status.h"
#include "services/reporting/domain/scorecard.h"
#include "services/reporting/handlers/closed_reports.h"
#include "services/reporting/handlers/export_tables.h"
#include "services/reporting/handlers/scorecard_support.h"
#include "services/reporting/handlers/statistics_handlers.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
using common::exporting::ByteSink;
using common::exporting::TableWriter;

// No chunk is larger: a message well under gRPC's default 4 MiB limit.
constexpr size_t kChunkBytes = 64 * 1024;

// The file's bytes as ExportChunks; the first one names the file.
ByteSink ChunkSink(grpc::ServerWriter<v1::ExportChunk>* writer, std::string file_name, std::string_view content_type) {
  auto first = std::make_shared<bool>(true);
  return [writer, first, file_name = std::move(file_name),
          content_type = std::string(content_type)](std::string_view bytes) -> absl::Status {
    v1::ExportChunk chunk;
    if (*first) {
      chunk.set_file_name(file_name);
      chunk.set_content_type(content_type);
      *first = false;
    }
    chunk.set_data(std::string(bytes));
    if (!writer->Write(chunk)) return absl::CancelledError("the caller stopped reading the export");
    return absl::OkStatus();
  };
}

absl::StatusOr<std::unique_ptr<TableWriter>> NewWriter(v1::ExportFormat format, int32_t max_chunk_bytes,
                                                       ByteSink sink) {
  if (max_chunk_bytes < 0) return common::InvalidField("max_chunk_bytes", "must not be negative");
  const size_t chunk_bytes =
      max_chunk_bytes == 0 ? kChunkBytes : std::min(kChunkBytes, static_cast<size_t>(max_chunk_bytes));
  if (format == v1::EXPORT_FORMAT_CSV) return common::exporting::NewCsvTableWriter(std::move(sink), chunk_bytes);
  return common::exporting::NewXlsxTableWriter(std::move(sink), chunk_bytes);
}

absl::Status CheckFormat(v1::ExportFormat format) {
  if (format != v1::EXPORT_FORMAT_CSV && format != v1::EXPORT_FORMAT_XLSX) {
    return common::InvalidField("format", "is required: CSV or XLSX");
  }
  return absl::OkStatus();
}

std::string_view ContentType(v1::ExportFormat format) {
  return format == v1::EXPORT_FORMAT_CSV ? common::exporting::kCsvContentType : common::exporting::kXlsxContentType;
}

std::string_view Extension(v1::ExportFormat format) { return format == v1::EXPORT_FORMAT_CSV ? ".csv" : ".xlsx"; }

bool SeesPersons(const common::auth::Principal& principal) {
  using common::auth::Role;
  return principal.HasAnyRole({Role::kAdmin, Role::kInspector, Role::kSecretary});
}

struct Part {
  v1::ExportPartKind kind = v1::EXPORT_PART_KIND_UNSPECIFIED;
  std::optional<domain::Indicator> indicator;  // SHORTFALLS
  bool operator<(const Part& other) const {
    return std::pair(kind, indicator) < std::pair(other.kind, other.indicator);
  }
};

absl::StatusOr<std::vector<Part>> ParseParts(const v1::ExportScorecardRequest& request) {
  if (request.format() == v1::EXPORT_FORMAT_CSV && request.parts_size() != 1) {
    return common::InvalidField("parts", "a CSV file holds exactly one part: give one (SCORECARD, BREAKDOWN or "
                                         "SHORTFALLS with an indicator), or ask for XLSX");
  }
  std::vector<Part> parts;
  std::set<Part> seen;
  for (int i = 0; i < request.parts_size(); ++i) {
    const v1::ExportPart& given = request.parts(i);
    Part part{given.kind(), std::nullopt};
    switch (given.kind()) {
      case v1::EXPORT_PART_KIND_SCORECARD:
        break;
      case v1::EXPORT_PART_KIND_BREAKDOWN:
        if (!request.closed_report().empty()) {
          return common::InvalidField(absl::StrCat("parts[", i, "].kind"),
                                      "a closed report keeps no breakdown: ask for the live figures");
        }
        break;
      case v1::EXPORT_PART_KIND_SHORTFALLS: {
        const std::string field = absl::StrCat("parts[", i, "].indicator");
        absl::StatusOr<domain::Indicator> indicator = domain::ParseIndicatorId(given.indicator());
        if (!indicator.ok()) return common::InvalidField(field, "must be an indicator id (S1 ... S15)");
        if (!HasShortfallList(*indicator)) {
          return common::InvalidField(field, absl::StrCat(domain::IndicatorId(*indicator), " has no shortfall list"));
        }
        part.indicator = *indicator;
        break;
      }
      default:
        return common::InvalidField(absl::StrCat("parts[", i, "].kind"), "must be SCORECARD, BREAKDOWN or SHORTFALLS");
    }
    if (seen.insert(part).second) parts.push_back(part);
  }
  return parts;
}

// The figures an export is made of: live (a scope) or frozen (a closed report).
struct Figures {
  v1::Scorecard scorecard;
  std::optional<ParsedScope> scope;
  std::optional<Computed> computed;
  std::optional<ClosedReportName> closed;
};

absl::StatusOr<std::vector<store::CountedUnit>> UnitsOf(HandlerContext& ctx, const Figures& figures,
                                                        domain::Indicator indicator) {
  if (figures.closed) return FrozenUnits(ctx, *figures.closed, domain::IndicatorId(indicator));
  return CountedUnits(*figures.computed, indicator);
}

std::string PartSuffix(const Part& part) {
  switch (part.kind) {
    case v1::EXPORT_PART_KIND_BREAKDOWN: return "-theo-don-vi";
    case v1::EXPORT_PART_KIND_SHORTFALLS: return absl::StrCat("-chua-dat-", domain::IndicatorId(*part.indicator));
    default: return "";
  }
}

absl::Status WritePart(HandlerContext& ctx, const Figures& figures, const Part& part, TableWriter& out) {
  switch (part.kind) {
    case v1::EXPORT_PART_KIND_SCORECARD: {
      GR_RETURN_IF_ERROR(out.BeginTable("Chỉ tiêu", ScorecardColumns()));
      for (const v1::IndicatorResult& indicator : figures.scorecard.indicators()) {
        GR_RETURN_IF_ERROR(out.AddRow(ScorecardRow(indicator)));
      }
      return absl::OkStatus();
    }
    case v1::EXPORT_PART_KIND_BREAKDOWN: {
      google::protobuf::RepeatedPtrField<v1::ScorecardBreakdown::Row> rows;
      FillBreakdownRows(*figures.scope, *figures.computed, {}, &rows);
      GR_RETURN_IF_ERROR(out.BeginTable("Theo đơn vị", BreakdownColumns()));
      for (const v1::ScorecardBreakdown::Row& row : rows) {
        for (const v1::IndicatorResult& indicator : row.indicators()) {
          GR_RETURN_IF_ERROR(out.AddRow(BreakdownRow(row, indicator)));
        }
      }
      return absl::OkStatus();
    }
    case v1::EXPORT_PART_KIND_SHORTFALLS: {
      GR_ASSIGN_OR_RETURN(const std::vector<store::CountedUnit> units, UnitsOf(ctx, figures, *part.indicator));
      GR_RETURN_IF_ERROR(
          out.BeginTable(absl::StrCat("Chưa đạt ", domain::IndicatorId(*part.indicator)), ShortfallColumns()));
      int64_t number = 0;
      v1::Shortfall shortfall;
      for (const store::CountedUnit& unit : units) {
        if (unit.in_numerator) continue;
        FillShortfall(unit, &shortfall);
        GR_RETURN_IF_ERROR(out.AddRow(ShortfallRow(++number, shortfall)));
      }
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("an export part of no kind");
  }
}

}  // namespace

ExportServiceImpl::ExportServiceImpl(HandlerContext& ctx, StatisticsServiceImpl& statistics)
    : ctx_(ctx), statistics_(statistics), envelope_(v1::ExportService::service_full_name(), ctx.authorizer) {}

grpc::Status ExportServiceImpl::ExportScorecard(grpc::ServerContext* context, const v1::ExportScorecardRequest* request,
                                                grpc::ServerWriter<v1::ExportChunk>* writer) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_RETURN_IF_ERROR(CheckFormat(request->format()));
    GR_ASSIGN_OR_RETURN(std::vector<Part> parts, ParseParts(*request));
    const bool persons = SeesPersons(call.principal);
    // Asked by name, a list of persons is refused to a role that may not see
    // persons (as ListShortfalls refuses it); by default it is left out.
    for (const Part& part : parts) {
      if (part.indicator && ListsPersons(*part.indicator) && !persons) {
        return absl::PermissionDeniedError(absl::StrCat("the shortfalls of ", domain::IndicatorId(*part.indicator),
                                                        " are persons: aggregates only for this role"));
      }
    }
    Figures figures;
    if (!request->closed_report().empty()) {
      if (request->has_scope()) return common::InvalidField("scope", "give a scope or a closed_report, not both");
      GR_ASSIGN_OR_RETURN(const ClosedReportName name, ParseClosedReportName(request->closed_report(), "closed_report"));
      GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, name.org_id, ctx_.organizations));
      GR_ASSIGN_OR_RETURN(figures.scorecard, FrozenScorecard(ctx_, name));
      figures.closed = name;
    } else {
      GR_ASSIGN_OR_RETURN(figures.scope, ParseScope(ctx_, request->scope()));
      GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, figures.scope->org_id, ctx_.organizations));
      GR_ASSIGN_OR_RETURN(figures.computed, Compute(ctx_, *figures.scope));
      FillScorecard(*figures.scope, *figures.computed, &figures.scorecard);
    }
    if (parts.empty()) {
      parts.push_back({v1::EXPORT_PART_KIND_SCORECARD, std::nullopt});
      if (!figures.closed) parts.push_back({v1::EXPORT_PART_KIND_BREAKDOWN, std::nullopt});
      for (const v1::IndicatorResult& result : figures.scorecard.indicators()) {
        GR_ASSIGN_OR_RETURN(const domain::Indicator indicator, domain::ParseIndicatorId(result.id()));
        if (!HasShortfallList(indicator) || (ListsPersons(indicator) && !persons)) continue;
        parts.push_back({v1::EXPORT_PART_KIND_SHORTFALLS, indicator});
      }
    }
    std::string file_name = ScorecardFileStem(figures.scorecard, !request->scope().as_of_date().empty(),
                                              figures.closed ? figures.closed->report_id : 0);
    if (request->format() == v1::EXPORT_FORMAT_CSV) file_name += PartSuffix(parts.front());
    file_name = AsciiFileName(file_name + std::string(Extension(request->format())));
    GR_ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> out,
                        NewWriter(request->format(), request->max_chunk_bytes(),
                                  ChunkSink(writer, file_name, ContentType(request->format()))));
    for (const Part& part : parts) GR_RETURN_IF_ERROR(WritePart(ctx_, figures, part, *out));
    return out->Finish();
  });
}

grpc::Status ExportServiceImpl::ExportStatistics(grpc::ServerContext* context,
                                                 const v1::ExportStatisticsRequest* request,
                                                 grpc::ServerWriter<v1::ExportChunk>* writer) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& /*call*/) -> absl::Status {
    GR_RETURN_IF_ERROR(CheckFormat(request->format()));
    if (request->format() == v1::EXPORT_FORMAT_CSV && request->parts_size() != 1) {
      return common::InvalidField("parts", "a CSV file holds exactly one part: MEMBERS, ORGANIZATIONS or MOVEMENTS");
    }
    std::vector<v1::StatisticsPartKind> parts;
    for (int i = 0; i < request->parts_size(); ++i) {
      const auto kind = static_cast<v1::StatisticsPartKind>(request->parts(i));
      if (kind != v1::STATISTICS_PART_KIND_MEMBERS && kind != v1::STATISTICS_PART_KIND_ORGANIZATIONS &&
          kind != v1::STATISTICS_PART_KIND_MOVEMENTS) {
        return common::InvalidField(absl::StrCat("parts[", i, "]"), "must be MEMBERS, ORGANIZATIONS or MOVEMENTS");
      }
      if (std::find(parts.begin(), parts.end(), kind) == parts.end()) parts.push_back(kind);
    }
    if (parts.empty()) {
      parts = {v1::STATISTICS_PART_KIND_MEMBERS, v1::STATISTICS_PART_KIND_ORGANIZATIONS,
               v1::STATISTICS_PART_KIND_MOVEMENTS};
    }
    // Read through StatisticsService itself (its scope checks and withholding), every part before a byte leaves.
    std::vector<std::pair<v1::StatisticsHeader, google::protobuf::RepeatedPtrField<v1::StatisticsTable>>> read;
    for (const v1::StatisticsPartKind part : parts) {
      grpc::Status status;
      if (part == v1::STATISTICS_PART_KIND_MEMBERS) {
        v1::GetMemberStatisticsRequest ask;
        *ask.mutable_scope() = request->scope();
        v1::MemberStatistics answer;
        status = statistics_.GetMemberStatistics(context, &ask, &answer);
        read.emplace_back(answer.header(), answer.tables());
      } else if (part == v1::STATISTICS_PART_KIND_ORGANIZATIONS) {
        v1::GetOrganizationStatisticsRequest ask;
        *ask.mutable_scope() = request->scope();
        v1::OrganizationStatistics answer;
        status = statistics_.GetOrganizationStatistics(context, &ask, &answer);
        read.emplace_back(answer.header(), answer.tables());
      } else {
        v1::GetMovementsRequest ask;
        *ask.mutable_scope() = request->scope();
        v1::Movements answer;
        status = statistics_.GetMovements(context, &ask, &answer);
        read.emplace_back(answer.header(), answer.tables());
      }
      if (!status.ok()) return common::FromGrpcStatus(status);
    }
    const bool csv = request->format() == v1::EXPORT_FORMAT_CSV;
    std::string file_name = StatisticsFileStem(read.front().first);
    file_name += std::string(Extension(request->format()));
    GR_ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> out,
                        NewWriter(request->format(), request->max_chunk_bytes(),
                                  ChunkSink(writer, file_name, ContentType(request->format()))));
    if (csv) {
      GR_RETURN_IF_ERROR(out->BeginTable("", StatisticsColumns(/*with_table=*/true)));
    }
    for (const auto& [header, tables] : read) {
      for (const v1::StatisticsTable& table : tables) {
        if (!csv) {
          GR_RETURN_IF_ERROR(out->BeginTable(table.title(), StatisticsColumns(/*with_table=*/false)));
        }
        for (const common::exporting::Row& row : StatisticsRows(table, header.min_cell_count(), csv)) {
          GR_RETURN_IF_ERROR(out->AddRow(row));
        }
      }
    }
    return out->Finish();
  });
}

}  // namespace grassroots::reporting
