#include "services/cli/member_commands.h"

#include <chrono>
#include <fstream>
#include <istream>
#include <ostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "services/cli/generic_call.h"
#include "services/cli/member_import.h"

namespace grassroots::cli {
namespace {

namespace mv1 = ::grassroots::membership::v1;

constexpr char kPackage[] = "grassroots.membership.v1";

int Fail(Io& io, const std::string& message, int code = kExitUsage) {
  io.err << "error: " << message << std::endl;
  return code;
}

int RpcFail(Io& io, const grpc::Status& status) {
  io.err << DescribeStatus(status) << std::endl;
  return kExitRpcError;
}

// An enum value from its name with or without the type prefix, any case.
template <typename Enum>
absl::StatusOr<Enum> ParseEnum(const std::string& text, const google::protobuf::EnumDescriptor* descriptor,
                               const std::string& prefix, const std::string& what) {
  const std::string upper = absl::AsciiStrToUpper(text);
  for (const std::string& candidate : {upper, prefix + upper}) {
    if (const google::protobuf::EnumValueDescriptor* value = descriptor->FindValueByName(candidate)) {
      if (value->number() != 0) return static_cast<Enum>(value->number());
    }
  }
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    if (descriptor->value(i)->number() == 0) continue;
    names.push_back(descriptor->value(i)->name().substr(prefix.size()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": unknown value '", text, "' (", absl::StrJoin(names, ", "), ")"));
}

std::string Rate(int64_t rows, double seconds) {
  return seconds > 0 ? absl::StrFormat("%.0f rows/s", static_cast<double>(rows) / seconds) : std::string("-");
}

std::string Totals(const mv1::ImportSummary& summary, bool dry_run) {
  return dry_run ? absl::StrCat(summary.valid(), " valid, ", summary.unchanged(), " unchanged, ", summary.errors(),
                                " errors")
                 : absl::StrCat(summary.created(), " created, ", summary.unchanged(), " unchanged, ", summary.errors(),
                                " errors");
}

}  // namespace

std::string DescribeRowError(const mv1::RowResult& row) {
  std::string text = absl::StrCat("line ", row.line());
  if (!row.column().empty()) absl::StrAppend(&text, ", ", row.column());
  absl::StrAppend(&text, ": ", row.message());
  if (!row.code().empty()) absl::StrAppend(&text, " (", row.code(), ")");
  return text;
}

absl::StatusOr<mv1::MemberStatus> ParseMemberStatus(const std::string& text) {
  return ParseEnum<mv1::MemberStatus>(text, mv1::MemberStatus_descriptor(), "MEMBER_STATUS_", "--status");
}

absl::StatusOr<mv1::OccupationCategory> ParseCategory(const std::string& text) {
  return ParseEnum<mv1::OccupationCategory>(text, mv1::OccupationCategory_descriptor(), "OCCUPATION_CATEGORY_",
                                            "--category");
}

int RunMemberImport(const MemberImportOptions& options, Io& io) {
  std::ifstream file;
  std::istream* source = &io.in;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) return Fail(io, absl::StrCat("cannot read ", options.file));
    source = &file;
  }
  absl::StatusOr<Connection> connection = Connection::Open(kPackage, options.connection, io.env);
  if (!connection.ok()) return Fail(io, std::string(connection.status().message()));

  io.out << (options.dry_run ? "Checking " : "Importing ") << options.file << " into " << connection->target()
         << (options.dry_run ? " (dry run: nothing is written)" : "") << std::endl;
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  ImportOutcome outcome = StreamImport(
      *connection, options.file == "-" ? "stdin" : options.file, options.dry_run, *source,
      [&](const mv1::ImportProgress& progress) {
        for (const mv1::RowResult& row : progress.rows()) {
          if (row.outcome() == mv1::ROW_OUTCOME_ERROR) io.out << "  " << DescribeRowError(row) << std::endl;
        }
        if (!progress.done()) {
          io.out << "  ... " << progress.so_far().rows() << " rows: " << Totals(progress.so_far(), options.dry_run)
                 << " (" << Rate(progress.so_far().rows(), elapsed()) << ")" << std::endl;
        }
      });
  if (!outcome.status.ok()) {
    if (outcome.summary.rows() > 0) {
      io.out << "Stopped after " << outcome.summary.rows() << " rows: " << Totals(outcome.summary, options.dry_run)
             << std::endl;
    }
    return RpcFail(io, outcome.status);
  }
  const double seconds = elapsed();
  io.out << (options.dry_run ? "Checked " : "Imported ") << outcome.summary.rows() << " rows in "
         << absl::StrFormat("%.1f", seconds) << " s (" << Rate(outcome.summary.rows(), seconds)
         << "): " << Totals(outcome.summary, options.dry_run) << std::endl;
  if (outcome.summary.errors() > 0) {
    io.err << outcome.summary.errors() << " rows failed; fix them and run the same file again (rows already imported "
           << "come back unchanged)" << std::endl;
    return kExitRpcError;
  }
  return kExitOk;
}

int RunMemberSearch(const MemberSearchOptions& options, Io& io) {
  mv1::SearchMembersRequest request;
  request.set_query(options.query);
  request.set_organization(options.organization);
  request.set_as_of_date(options.as_of);
  request.set_page_size(options.page_size);
  for (const std::string& text : options.statuses) {
    absl::StatusOr<mv1::MemberStatus> status = ParseMemberStatus(text);
    if (!status.ok()) return Fail(io, std::string(status.status().message()));
    request.add_statuses(*status);
  }
  for (const std::string& text : options.categories) {
    absl::StatusOr<mv1::OccupationCategory> category = ParseCategory(text);
    if (!category.ok()) return Fail(io, std::string(category.status().message()));
    request.add_occupation_categories(*category);
  }
  absl::StatusOr<Connection> connection = Connection::Open(kPackage, options.connection, io.env);
  if (!connection.ok()) return Fail(io, std::string(connection.status().message()));
  auto stub = mv1::MemberService::NewStub(connection->channel());
  mv1::SearchMembersResponse all;
  for (;;) {
    mv1::SearchMembersResponse page;
    grpc::ClientContext context;
    connection->Prepare(context);
    grpc::Status status = stub->SearchMembers(&context, request, &page);
    if (!status.ok()) return RpcFail(io, status);
    for (mv1::Member& member : *page.mutable_members()) *all.add_members() = std::move(member);
    all.set_next_page_token(page.next_page_token());
    if (!options.all_pages || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (options.output == OutputFormat::kJson) {
    io.out << ToJson(all) << std::endl;
    return kExitOk;
  }
  std::vector<std::string> columns = options.columns;
  if (columns.empty()) columns = {"name", "full_name", "sex", "birth_date", "status", "cell", "status_since"};
  io.out << RenderTable(*ListTable(all, columns));
  io.out << all.members_size() << " members" << std::endl;
  if (!all.next_page_token().empty()) {
    io.err << "more results: pass --all, or --page-size up to 500" << std::endl;
  }
  return kExitOk;
}

int RunMemberShow(const MemberShowOptions& options, Io& io) {
  absl::StatusOr<Connection> connection = Connection::Open(kPackage, options.connection, io.env);
  if (!connection.ok()) return Fail(io, std::string(connection.status().message()));
  auto stub = mv1::MemberService::NewStub(connection->channel());
  mv1::GetMemberRequest request;
  request.set_name(options.name);
  request.set_as_of_date(options.as_of);
  mv1::Member member;
  grpc::ClientContext context;
  connection->Prepare(context);
  grpc::Status status = stub->GetMember(&context, request, &member);
  if (!status.ok()) return RpcFail(io, status);
  if (options.output == OutputFormat::kJson) {
    io.out << ToJson(member) << std::endl;
  } else {
    io.out << RenderTable(RecordTable(member));
  }
  return kExitOk;
}

}  // namespace grassroots::cli
