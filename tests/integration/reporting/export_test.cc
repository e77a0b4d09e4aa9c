// Exports end to end: facts written through the org API, carried into
// reporting's read model, and read back as files through ExportService: the
// CSV byte for byte where the figures are known by hand, the XLSX opened with
// `unzip`, the chunks reassembled; the portal's workbook without persons; scope.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "grassroots/reporting/v1/exports.grpc.pb.h"
#include "tests/integration/reporting/reporting_fixture.h"

namespace grassroots::reporting::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using membership::testing::Branch;

constexpr char kBom[] = "\xEF\xBB\xBF";

// What a stream delivered: the chunks' data, the first chunk's name and type.
struct Download {
  grpc::Status status;
  std::vector<std::string> chunks;
  std::string file_name;
  std::string content_type;
  std::string Bytes() const {
    std::string all;
    for (const std::string& chunk : chunks) all += chunk;
    return all;
  }
};

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer;
  size_t got = 0;
  while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), got);
  pclose(pipe);
  return out;
}

// The sheet names of a workbook, from xl/workbook.xml.
std::vector<std::string> SheetNames(const std::string& workbook_bytes) {
  char path[] = "/tmp/export-test-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {};
  close(fd);
  std::ofstream(path, std::ios::binary) << workbook_bytes;
  const std::string valid = Shell(std::string("unzip -tq ") + path);
  EXPECT_THAT(valid, HasSubstr("No errors detected")) << "not a valid zip";
  const std::string book = Shell(std::string("unzip -p ") + path + " xl/workbook.xml");
  std::remove(path);
  std::vector<std::string> names;
  for (size_t at = book.find("<sheet "); at != std::string::npos; at = book.find("<sheet ", at + 1)) {
    const size_t begin = book.find("name=\"", at) + 6;
    names.push_back(book.substr(begin, book.find('"', begin) - begin));
  }
  return names;
}

class ExportTest : public ReportingFixture {
 protected:
  static rv1::ExportService::Stub& exports() {
    static auto* stub = rv1::ExportService::NewStub(ReportingChannel()).release();
    return *stub;
  }

  static Download Export(const rv1::ExportScorecardRequest& request, const std::string& token) {
    grpc::ClientContext context;
    Authorize(context, token);
    auto reader = exports().ExportScorecard(&context, request);
    return Drain(*reader);
  }

  static Download ExportStatistics(const rv1::ExportStatisticsRequest& request, const std::string& token) {
    grpc::ClientContext context;
    Authorize(context, token);
    auto reader = exports().ExportStatistics(&context, request);
    return Drain(*reader);
  }

  static Download Drain(grpc::ClientReader<rv1::ExportChunk>& reader) {
    Download download;
    rv1::ExportChunk chunk;
    while (reader.Read(&chunk)) {
      if (download.chunks.empty()) {
        download.file_name = chunk.file_name();
        download.content_type = chunk.content_type();
      } else {
        EXPECT_TRUE(chunk.file_name().empty()) << "only the first chunk names the file";
      }
      download.chunks.push_back(chunk.data());
    }
    download.status = reader.Finish();
    return download;
  }

  static rv1::ExportScorecardRequest Request(int64_t org, rv1::ExportFormat format,
                                             std::vector<std::pair<rv1::ExportPartKind, std::string>> parts) {
    rv1::ExportScorecardRequest request;
    request.mutable_scope()->set_organization(OrgName(org));
    request.mutable_scope()->set_year(2025);
    request.set_format(format);
    for (const auto& [kind, indicator] : parts) {
      rv1::ExportPart* part = request.add_parts();
      part->set_kind(kind);
      part->set_indicator(indicator);
    }
    return request;
  }
};

// G (đảng bộ cơ sở) with cells A and B; G and A adopted a working regulation,
// B did not. S1 on 2025-12-31: 2 of 3 organizations, 66.67 %, short of 100 %.
TEST_F(ExportTest, TheScorecardCsvHasVietnameseHeadersAndTheHandComputedS1Row) {
  const Branch branch = NewBranch();
  AdoptRegulation(branch.grassroots, "2023-01-10");
  AdoptRegulation(branch.cell_a, "2024-05-02");
  SyncReadModel();

  const Download csv =
      Export(Request(branch.grassroots, rv1::EXPORT_FORMAT_CSV, {{rv1::EXPORT_PART_KIND_SCORECARD, ""}}), AdminToken());
  ExpectOk(csv.status);
  EXPECT_EQ(csv.file_name, "chi-tieu-nq21-plan-seed-organizations-" + std::to_string(branch.grassroots) + "-2025.csv");
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  const std::string bytes = csv.Bytes();
  ASSERT_TRUE(bytes.starts_with(std::string(kBom) + "Mã,Chỉ tiêu,Tử số,Mẫu số,Kết quả (%),Mục tiêu,Đánh giá,Căn cứ\r\n"))
      << bytes.substr(0, 200);
  // The title holds commas: it is quoted.
  EXPECT_THAT(bytes, HasSubstr("\r\nS1,\"Tổ chức cơ sở đảng, đảng bộ bộ phận, chi bộ trực thuộc có quy chế làm việc\",2,3,66.67,"));
  const size_t s1 = bytes.find("\r\nS1,");
  const std::string s1_row = bytes.substr(s1 + 2, bytes.find("\r\n", s1 + 2) - s1 - 2);
  EXPECT_THAT(s1_row, HasSubstr(",Chưa đạt,plans/nq21-plan-seed/paragraphs/"));

  // The shortfall list of S1 in chunks of 64 bytes: several, reassembled exactly.
  rv1::ExportScorecardRequest shortfalls =
      Request(branch.grassroots, rv1::EXPORT_FORMAT_CSV, {{rv1::EXPORT_PART_KIND_SHORTFALLS, "S1"}});
  shortfalls.set_max_chunk_bytes(64);
  const Download list = Export(shortfalls, SecretaryToken(branch.grassroots));
  ExpectOk(list.status);
  EXPECT_EQ(list.file_name,
            "chi-tieu-nq21-plan-seed-organizations-" + std::to_string(branch.grassroots) + "-2025-chua-dat-s1.csv");
  ASSERT_GT(list.chunks.size(), 2u);
  for (size_t i = 0; i < list.chunks.size(); ++i) {
    EXPECT_LE(list.chunks[i].size(), 64u);
    if (i + 1 < list.chunks.size()) {
      EXPECT_EQ(list.chunks[i].size(), 64u);
    }
  }
  const std::string listed = list.Bytes();
  EXPECT_TRUE(listed.starts_with(std::string(kBom) + "STT,Loại,Đối tượng,Tên,Thuộc tổ chức,Chức danh,Lý do\r\n" +
                                 "1,Tổ chức đảng," + OrgName(branch.cell_b) + ","))
      << listed;
  EXPECT_THAT(listed, Not(HasSubstr("\r\n2,"))) << "B alone falls short";
  shortfalls.set_max_chunk_bytes(0);
  const Download whole = Export(shortfalls, AdminToken());
  ExpectOk(whole.status);
  EXPECT_EQ(whole.chunks.size(), 1u);
  EXPECT_EQ(whole.Bytes(), listed);
}

TEST_F(ExportTest, TheWorkbookHasOneSheetPerPartAndThePortalsHasNoPersons) {
  const Branch branch = NewBranch();
  AdoptRegulation(branch.grassroots, "2023-01-10");
  SyncReadModel();
  const Download chosen = Export(Request(branch.grassroots, rv1::EXPORT_FORMAT_XLSX,
                                         {{rv1::EXPORT_PART_KIND_SCORECARD, ""},
                                          {rv1::EXPORT_PART_KIND_BREAKDOWN, ""},
                                          {rv1::EXPORT_PART_KIND_SHORTFALLS, "S13"}}),
                                 AdminToken());
  ExpectOk(chosen.status);
  EXPECT_EQ(chosen.file_name, "chi-tieu-nq21-plan-seed-organizations-" + std::to_string(branch.grassroots) + "-2025.xlsx");
  EXPECT_EQ(chosen.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(SheetNames(chosen.Bytes()), (std::vector<std::string>{"Chỉ tiêu", "Theo đơn vị", "Chưa đạt S13"}));

  // By default: the scorecard, the breakdown, and every list the caller may read.
  const std::vector<std::string> persons = {"Chưa đạt S2a", "Chưa đạt S2b", "Chưa đạt S4", "Chưa đạt S5b",
                                            "Chưa đạt S14"};
  const Download admin = Export(Request(branch.grassroots, rv1::EXPORT_FORMAT_XLSX, {}), AdminToken());
  ExpectOk(admin.status);
  const std::vector<std::string> admin_sheets = SheetNames(admin.Bytes());
  EXPECT_EQ(admin_sheets.size(), 2u + 14u);  // 17 indicators S1-S15 less S6, S7, S8 (no list)
  for (const std::string& sheet : persons) EXPECT_THAT(admin_sheets, ::testing::Contains(sheet));
  const Download portal = Export(Request(branch.grassroots, rv1::EXPORT_FORMAT_XLSX, {}), PortalToken());
  ExpectOk(portal.status);
  const std::vector<std::string> portal_sheets = SheetNames(portal.Bytes());
  EXPECT_EQ(portal_sheets.size(), 2u + 14u - persons.size());
  for (const std::string& sheet : persons) EXPECT_THAT(portal_sheets, Not(::testing::Contains(sheet)));
  EXPECT_THAT(portal_sheets, ::testing::Contains("Chưa đạt S13"));
  // A list of persons asked for by name is refused to the portal.
  EXPECT_EQ(Export(Request(branch.grassroots, rv1::EXPORT_FORMAT_CSV, {{rv1::EXPORT_PART_KIND_SHORTFALLS, "S5b"}}),
                   PortalToken())
                .status.error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(ExportTest, ScopeAndPartsAreChecked) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  SyncReadModel();
  const Download refused = Export(Request(theirs.grassroots, rv1::EXPORT_FORMAT_CSV, {{rv1::EXPORT_PART_KIND_SCORECARD, ""}}),
                                  AdminToken(mine.grassroots));
  EXPECT_EQ(refused.status.error_code(), grpc::NOT_FOUND);
  EXPECT_TRUE(refused.chunks.empty());
  const Download two = Export(Request(mine.grassroots, rv1::EXPORT_FORMAT_CSV,
                                      {{rv1::EXPORT_PART_KIND_SCORECARD, ""}, {rv1::EXPORT_PART_KIND_BREAKDOWN, ""}}),
                              AdminToken());
  EXPECT_EQ(two.status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(two.status), "parts");
  const Download no_format = Export(Request(mine.grassroots, rv1::EXPORT_FORMAT_UNSPECIFIED, {}), AdminToken());
  EXPECT_EQ(BadField(no_format.status), "format");
  EXPECT_EQ(Export(Request(mine.grassroots, rv1::EXPORT_FORMAT_XLSX, {}), MemberToken(mine.cell_a, 1)).status.error_code(),
            grpc::PERMISSION_DENIED);

  // Statistics: the portal's withheld counts are "<5" text, as the API withholds them.
  rv1::ExportStatisticsRequest statistics;
  statistics.mutable_scope()->set_organization(OrgName(mine.grassroots));
  statistics.mutable_scope()->set_year(2025);
  statistics.set_format(rv1::EXPORT_FORMAT_CSV);
  statistics.add_parts(rv1::STATISTICS_PART_KIND_ORGANIZATIONS);
  const Download organizations = ExportStatistics(statistics, PortalToken());
  ExpectOk(organizations.status);
  EXPECT_TRUE(organizations.Bytes().starts_with(std::string(kBom) + "Bảng,Mã,Nội dung,Số lượng\r\n"));
  EXPECT_THAT(organizations.Bytes(), HasSubstr(",TOTAL,Tổng số,3\r\n"));  // G, A, B: organizations are never withheld
  statistics.set_format(rv1::EXPORT_FORMAT_XLSX);
  statistics.clear_parts();
  const Download workbook = ExportStatistics(statistics, PortalToken());
  ExpectOk(workbook.status);
  EXPECT_GE(SheetNames(workbook.Bytes()).size(), 10u + 3u + 2u);
  EXPECT_EQ(ExportStatistics(statistics, AdminToken(theirs.grassroots)).status.error_code(), grpc::NOT_FOUND);
}

}  // namespace
}  // namespace grassroots::reporting::testing
