// The export writers: CSV byte for byte (BOM, CRLF, quoting, formula guard,
// chunking) and the XLSX workbook read back with `unzip`.
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/export/csv_writer.h"
#include "common/export/xlsx_workbook.h"

namespace grassroots::common::exporting {
namespace {

using ::testing::HasSubstr;

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

TEST(CsvFieldTest, QuotesSeparatorsQuotesAndLineBreaks) {
  EXPECT_EQ(CsvField(Cell::Text("plain")), "plain");
  EXPECT_EQ(CsvField(Cell::Text("a,b")), "\"a,b\"");
  EXPECT_EQ(CsvField(Cell::Text("say \"hi\"")), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField(Cell::Text("two\nlines")), "\"two\nlines\"");
  EXPECT_EQ(CsvField(Cell::Text("cr\rhere")), "\"cr\rhere\"");
  EXPECT_EQ(CsvField(Cell::Text("Chi bộ thôn Đông")), "Chi bộ thôn Đông");
}

TEST(CsvFieldTest, GuardsTextThatReadsAsAFormula) {
  EXPECT_EQ(CsvField(Cell::Text("=1+1")), "'=1+1");
  EXPECT_EQ(CsvField(Cell::Text("+84")), "'+84");
  EXPECT_EQ(CsvField(Cell::Text("-x")), "'-x");
  EXPECT_EQ(CsvField(Cell::Text("@SUM(A1)")), "'@SUM(A1)");
  EXPECT_EQ(CsvField(Cell::Text("=HYPERLINK(\"x\",\"y\")")), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
  EXPECT_EQ(CsvField(Cell::Text("a=b")), "a=b");
}

TEST(CsvFieldTest, NumbersAreNeverGuarded) {
  EXPECT_EQ(CsvField(Cell::Integer(-3)), "-3");
  EXPECT_EQ(CsvField(Cell::Integer(1234567)), "1234567");
  EXPECT_EQ(CsvField(Cell::PercentHundredths(6667)), "66.67");
  EXPECT_EQ(CsvField(Cell::PercentHundredths(5)), "0.05");
  EXPECT_EQ(CsvField(Cell::PercentHundredths(10000)), "100.00");
  EXPECT_EQ(CsvField(Cell::Date(absl::CivilDay(2025, 3, 7))), "2025-03-07");
  EXPECT_EQ(CsvField(Cell::Empty()), "");
}

TEST(CsvWriterTest, WritesBomHeaderAndCrlfRecords) {
  std::string out;
  int chunks = 0;
  CsvWriter writer(
      [&](std::string_view bytes) {
        out.append(bytes);
        ++chunks;
        return absl::OkStatus();
      },
      1024);
  ASSERT_TRUE(writer.Begin({{"Mã", 8}, {"Tử số", 10}}).ok());
  ASSERT_TRUE(writer.AddRow({Cell::Text("S1"), Cell::Integer(2)}).ok());
  ASSERT_TRUE(writer.AddRow({Cell::Text("a,b"), Cell::Empty()}).ok());
  EXPECT_EQ(chunks, 0) << "less than a chunk is held until Finish";
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(chunks, 1);
  EXPECT_EQ(out, "\xEF\xBB\xBFMã,Tử số\r\nS1,2\r\n\"a,b\",\r\n");
}

TEST(CsvWriterTest, SendsChunksOfAtMostTheChunkSize) {
  std::vector<std::string> chunks;
  CsvWriter writer(
      [&](std::string_view bytes) {
        chunks.emplace_back(bytes);
        return absl::OkStatus();
      },
      16);
  std::string expected(kUtf8Bom);
  ASSERT_TRUE(writer.Begin({{"id", 4}}).ok());
  expected += "id\r\n";
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(writer.AddRow({Cell::Integer(1000 + i)}).ok());
    expected += std::to_string(1000 + i) + "\r\n";
  }
  ASSERT_TRUE(writer.Finish().ok());
  std::string joined;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (i + 1 < chunks.size()) {
      EXPECT_EQ(chunks[i].size(), 16u);
    }
    EXPECT_LE(chunks[i].size(), 16u);
    joined += chunks[i];
  }
  EXPECT_EQ(joined, expected);
  EXPECT_EQ(chunks.size(), (expected.size() + 15) / 16);
}

TEST(CsvWriterTest, StopsAtTheSinksError) {
  CsvWriter writer([](std::string_view) { return absl::CancelledError("gone"); }, 4);
  EXPECT_EQ(writer.Begin({{"long header", 4}}).code(), absl::StatusCode::kCancelled);
}

TEST(SheetNameTest, TruncatesToThirtyOneCharactersWithoutSplittingUtf8) {
  const std::string name = SheetName("Danh sách chưa đạt chỉ tiêu S13 của các tổ chức", {});
  EXPECT_EQ(name, "Danh sách chưa đạt chỉ tiêu S13");
  EXPECT_EQ(SheetName("a:b/c?d*e[f]g\\h", {}), "a_b_c_d_e_f_g_h");
  EXPECT_EQ(SheetName("", {}), "Sheet");
}

TEST(SheetNameTest, MakesNamesUniqueIgnoringCase) {
  const std::set<std::string> taken = {"Chỉ tiêu", "LONG NAME THAT FILLS ALL 31 CHA"};
  EXPECT_EQ(SheetName("Chỉ tiêu", taken), "Chỉ tiêu (2)");
  const std::string thirty_one(31, 'x');
  const std::string unique = SheetName(thirty_one, {thirty_one});
  EXPECT_EQ(unique, std::string(27, 'x') + " (2)");
  EXPECT_EQ(SheetName("long name that fills all 31 characters", taken), "long name that fills all 31 (2)");
}

TEST(XlsxWorkbookTest, WritesAValidWorkbookWithItsSheetsAndRemovesItsFile) {
  std::string path;
  {
    auto workbook = XlsxWorkbook::Create();
    ASSERT_TRUE(workbook.ok()) << workbook.status();
    path = (*workbook)->path();
    auto first = (*workbook)->AddSheet("Chỉ tiêu", {{"Mã", 8}, {"Kết quả (%)", 12}, {"Ngày", 12}});
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE((*first)->AddRow({Cell::Text("S1"), Cell::PercentHundredths(6667), Cell::Date(absl::CivilDay(2025, 12, 31))}).ok());
    auto second = (*workbook)->AddSheet("Chỉ tiêu", {{"Số lượng", 10}});
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ((*second)->name(), "Chỉ tiêu (2)");
    ASSERT_TRUE((*second)->AddRow({Cell::Integer(42)}).ok());
    std::string bytes;
    int chunks = 0;
    ASSERT_TRUE((*workbook)->Stream(1024, [&](std::string_view chunk) {
      EXPECT_LE(chunk.size(), 1024u);
      bytes.append(chunk);
      ++chunks;
      return absl::OkStatus();
    }).ok());
    EXPECT_GT(chunks, 1);
    ASSERT_GT(bytes.size(), 4u);
    EXPECT_EQ(bytes.substr(0, 2), "PK");
    struct stat info {};
    ASSERT_EQ(stat(path.c_str(), &info), 0);
    EXPECT_EQ(static_cast<size_t>(info.st_size), bytes.size());
    EXPECT_THAT(Shell("unzip -l '" + path + "'"), HasSubstr("[Content_Types].xml"));
    const std::string book = Shell("unzip -p '" + path + "' xl/workbook.xml");
    EXPECT_THAT(book, HasSubstr("name=\"Chỉ tiêu\""));
    EXPECT_THAT(book, HasSubstr("name=\"Chỉ tiêu (2)\""));
    const std::string styles = Shell("unzip -p '" + path + "' xl/styles.xml");
    EXPECT_THAT(styles, HasSubstr("formatCode=\"0.00%\""));
    const std::string sheet = Shell("unzip -p '" + path + "' xl/worksheets/sheet1.xml");
    EXPECT_THAT(sheet, HasSubstr("<v>0.6667</v>"));
    EXPECT_THAT(sheet, HasSubstr("state=\"frozen\""));
    EXPECT_THAT(Shell("unzip -p '" + path + "' xl/worksheets/sheet2.xml"), HasSubstr("<v>42</v>"));
  }
  struct stat gone {};
  EXPECT_NE(stat(path.c_str(), &gone), 0) << "the temp file is removed with the workbook";
}

TEST(XlsxWorkbookTest, RemovesAnUnclosedWorkbooksFile) {
  std::string path;
  {
    auto workbook = XlsxWorkbook::Create();
    ASSERT_TRUE(workbook.ok());
    path = (*workbook)->path();
    ASSERT_TRUE((*workbook)->AddSheet("x", {{"a", 4}}).ok());
  }
  struct stat gone {};
  EXPECT_NE(stat(path.c_str(), &gone), 0);
}

}  // namespace
}  // namespace grassroots::common::exporting
