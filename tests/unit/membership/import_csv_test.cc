#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/status/status.h"
#include "services/membership/handlers/member_csv.h"

namespace grassroots::membership::member_csv {
namespace {

namespace v1 = ::grassroots::membership::v1;

// Splits `text` fed in the given chunk sizes (cycled), then finished.
std::vector<CsvRecord> Split(const std::string& text, std::vector<size_t> chunk_sizes = {1 << 20},
                             CsvLimits limits = {}) {
  CsvSplitter splitter(limits);
  std::vector<CsvRecord> records;
  auto sink = [&](CsvRecord&& record) {
    records.push_back(std::move(record));
    return absl::OkStatus();
  };
  size_t offset = 0;
  size_t next = 0;
  while (offset < text.size()) {
    const size_t size = std::min(chunk_sizes[next++ % chunk_sizes.size()], text.size() - offset);
    EXPECT_TRUE(splitter.Feed(std::string_view(text).substr(offset, size), sink).ok());
    offset += size;
  }
  EXPECT_TRUE(splitter.Finish(sink).ok());
  return records;
}

std::vector<std::vector<std::string>> Fields(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRecord& record : records) out.push_back(record.fields);
  return out;
}

TEST(CsvSplitter, SplitsPlainAndQuotedFields) {
  auto records = Split("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n,,\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 3);
  for (const CsvRecord& record : records) EXPECT_EQ(record.error, "");
}

TEST(CsvSplitter, LineBreaksInsideQuotesKeepLineNumbersOfTheFile) {
  const std::string text = "h1,h2\n\"Thôn 3,\nxã Lộc Vĩnh\",x\r\n\"a\r\nb\r\nc\",y\nlast,z";
  auto records = Split(text);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].fields[0], "Thôn 3,\nxã Lộc Vĩnh");
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].fields[0], "a\r\nb\r\nc");
  EXPECT_EQ(records[2].line, 4);
  EXPECT_EQ(records[3].line, 7);
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"last", "z"}));  // no final line break
}

TEST(CsvSplitter, AnyChunkingGivesTheSameRecords) {
  const std::string text =
      "\xEF\xBB\xBFma,họ và tên,địa chỉ\r\n1,\"Nguyễn Văn An\",\"Thôn 1, \"\"Bon\"\" Đạ Nhar\"\r\n2,Trần Thị Bình,"
      "\"dòng 1\ndòng 2\"\r3,Lê Văn Cường,x\n";
  const auto expected = Fields(Split(text));
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(expected[0][0], "ma");  // BOM dropped
  EXPECT_EQ(expected[3][0], "3");   // a lone CR ends a record
  for (std::vector<size_t> sizes : std::vector<std::vector<size_t>>{{1}, {2}, {3}, {5, 1, 7}, {64}}) {
    EXPECT_EQ(Fields(Split(text, sizes)), expected) << "chunk size " << sizes[0];
  }
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> sizes;
    for (int i = 0; i < 10; ++i) sizes.push_back(1 + random() % 9);
    EXPECT_EQ(Fields(Split(text, sizes)), expected);
  }
}

TEST(CsvSplitter, ShortFilesAndBomLookalikes) {
  EXPECT_TRUE(Split("").empty());
  EXPECT_TRUE(Split("\xEF\xBB\xBF").empty());
  auto one = Split("\xEF\xBBx");  // not a BOM: kept as data
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].fields[0], "\xEF\xBBx");
  auto tiny = Split("a");
  ASSERT_EQ(tiny.size(), 1u);
  EXPECT_EQ(tiny[0].fields[0], "a");
}

TEST(CsvSplitter, MalformedRecordsAreReportedAndTheNextRecordIsFine) {
  auto records = Split("a,b\"c,d\n\"x\"y,z\nok,1\n\"open,2\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_NE(records[0].error.find("quote inside an unquoted field"), std::string::npos);
  EXPECT_NE(records[1].error.find("after the closing quote"), std::string::npos);
  EXPECT_EQ(records[2].error, "");
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"ok", "1"}));
  EXPECT_EQ(records[3].line, 4);
  EXPECT_NE(records[3].error.find("not closed before the end of the file"), std::string::npos);
}

TEST(CsvSplitter, BoundsRecordLengthAndFieldCount) {
  CsvLimits limits;
  limits.max_record_bytes = 10;
  limits.max_fields = 3;
  auto records = Split("0123456789ABCDEF,x\na,b,c,d\nfine,1\n", {4}, limits);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].error.find("longer than"), std::string::npos);
  EXPECT_TRUE(records[0].fields.empty());
  EXPECT_NE(records[1].error.find("more than 3 fields"), std::string::npos);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"fine", "1"}));
}

TEST(CsvSplitter, SinkErrorStopsSplitting) {
  CsvSplitter splitter;
  int calls = 0;
  absl::Status status = splitter.Feed("a\nb\nc\n", [&](CsvRecord&&) {
    ++calls;
    return absl::InvalidArgumentError("stop");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
}

// ---- header -----------------------------------------------------------------------

const std::vector<std::string> kCanonicalHeader = {
    "external_id", "full_name", "sex", "birth_date", "citizen_id", "occupation_category", "cell", "status",
    "admission_decision_date", "admission_ceremony_date", "official_date", "joined_cell_on"};

TEST(Header, AcceptsCanonicalNamesAndVietnameseAliases) {
  auto canonical = ParseHeader(kCanonicalHeader);
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  EXPECT_EQ(canonical->position[static_cast<size_t>(Column::kCell)], 6);

  auto vietnamese = ParseHeader({"Mã", "Họ và tên (*)", "Giới tính", "Ngày sinh (dd/mm/yyyy)", "Số CCCD",
                                 "Nhóm nghề nghiệp", "Chi bộ", "Trạng thái", "Ngày quyết định kết nạp",
                                 "Ngày vào Đảng", "Ngày chính thức", "Ngày sinh hoạt tại chi bộ", "Dân tộc",
                                 "Tôn giáo", "Quê quán", "  SĐT ", "Trình độ lý luận chính trị"});
  ASSERT_TRUE(vietnamese.ok()) << vietnamese.status();
  EXPECT_EQ(vietnamese->position[static_cast<size_t>(Column::kFullName)], 1);
  EXPECT_EQ(vietnamese->position[static_cast<size_t>(Column::kAdmissionCeremonyDate)], 9);
  EXPECT_EQ(vietnamese->position[static_cast<size_t>(Column::kPhone)], 15);
  EXPECT_EQ(vietnamese->position[static_cast<size_t>(Column::kPoliticalTheoryLevel)], 16);
  EXPECT_FALSE(vietnamese->Has(Column::kEmail));
}

TEST(Header, ExplainsUnknownDuplicateAndMissingColumnsWithoutEchoingCells) {
  std::vector<std::string> unknown = kCanonicalHeader;
  unknown.push_back("Nguyễn Văn An");  // a data row where the header should be
  auto status = ParseHeader(unknown).status();
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(status), "header");
  EXPECT_NE(status.message().find("13 (M)"), absl::string_view::npos) << status.message();
  EXPECT_EQ(status.message().find("Nguy"), absl::string_view::npos);

  auto no_header = ParseHeader({"BN-1", "Nguyễn Văn An", "Nam"}).status();
  EXPECT_NE(no_header.message().find("header row"), absl::string_view::npos) << no_header.message();

  std::vector<std::string> duplicate = kCanonicalHeader;
  duplicate.push_back("Họ tên");
  auto dup = ParseHeader(duplicate).status();
  EXPECT_NE(dup.message().find("columns B and M are both full_name"), absl::string_view::npos) << dup.message();

  auto missing = ParseHeader({"external_id", "full_name", "cell"}).status();
  EXPECT_NE(missing.message().find("missing required columns: sex, birth_date"), absl::string_view::npos)
      << missing.message();

  std::vector<std::string> no_key(kCanonicalHeader.begin() + 1, kCanonicalHeader.end());
  no_key.erase(std::find(no_key.begin(), no_key.end(), "citizen_id"));
  auto keyless = ParseHeader(no_key).status();
  EXPECT_NE(keyless.message().find("external_id or a citizen_id"), absl::string_view::npos) << keyless.message();
}

TEST(Header, IgnoresUnnamedColumns) {
  std::vector<std::string> with_blank = kCanonicalHeader;
  with_blank.push_back("");
  auto header = ParseHeader(with_blank);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->by_position.size(), kCanonicalHeader.size() + 1);
  EXPECT_FALSE(header->by_position.back().has_value());
}

TEST(ColumnLetter, CountsLikeASpreadsheet) {
  EXPECT_EQ(ColumnLetter(0), "A");
  EXPECT_EQ(ColumnLetter(25), "Z");
  EXPECT_EQ(ColumnLetter(26), "AA");
  EXPECT_EQ(ColumnLetter(27), "AB");
  EXPECT_EQ(ColumnLetter(701), "ZZ");
  EXPECT_EQ(ColumnLetter(702), "AAA");
}

// ---- rows ---------------------------------------------------------------------------

const domain::CodeLists& Codes() {
  static const domain::CodeLists* const kCodes =
      new domain::CodeLists(*domain::CodeLists::LoadDir(domain::CodeLists::DefaultDir()));
  return *kCodes;
}

CsvRecord Row(std::vector<std::string> fields, int64_t line = 2) {
  CsvRecord record;
  record.line = line;
  record.fields = std::move(fields);
  return record;
}

Header CanonicalHeader() { return *ParseHeader(kCanonicalHeader); }

std::vector<std::string> GoodRow() {
  return {"BN-000123", " Nguyễn  Văn An ", "Nam", "12/03/1985", "068085001234", "Cán bộ, công chức, viên chức",
          "DEMO-LV.BN.X01.C03", "chính thức", "02/05/2010", "19/05/2010", "19/05/2011", "2015-01-01"};
}

absl::Status RowError(std::vector<std::string> fields) {
  return MapRow(CanonicalHeader(), Row(std::move(fields)), Codes()).status();
}

TEST(MapRow, MapsAGoodRowToAnExistingMemberRequest) {
  auto row = MapRow(CanonicalHeader(), Row(GoodRow()), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  const v1::Member& member = row->request.member();
  EXPECT_EQ(member.external_id(), "BN-000123");
  EXPECT_EQ(member.full_name(), "Nguyễn Văn An");
  EXPECT_EQ(member.sex(), v1::SEX_MALE);
  EXPECT_EQ(member.birth_date(), "1985-03-12");
  EXPECT_EQ(member.citizen_id(), "068085001234");
  EXPECT_EQ(member.occupation_category(), v1::OCCUPATION_CATEGORY_CIVIL_SERVICE);
  ASSERT_TRUE(row->request.has_existing());
  const v1::ExistingMemberEntry& existing = row->request.existing();
  EXPECT_EQ(existing.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(existing.admission_decision_date(), "2010-05-02");
  EXPECT_EQ(existing.admission_ceremony_date(), "2010-05-19");
  EXPECT_EQ(existing.official_date(), "2011-05-19");
  EXPECT_EQ(existing.joined_cell_on(), "2015-01-01");
  EXPECT_EQ(existing.cell(), "");  // resolved by the handler
  EXPECT_EQ(row->cell_code, "DEMO-LV.BN.X01.C03");
  EXPECT_EQ(row->cell_id, 0);
  EXPECT_EQ(row->key_column, Column::kExternalId);
  EXPECT_EQ(row->key, "BN-000123");
}

TEST(MapRow, KeyFallsBackToCitizenIdAndOneIsRequired) {
  auto fields = GoodRow();
  fields[0] = "";
  auto row = MapRow(CanonicalHeader(), Row(fields), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->key_column, Column::kCitizenId);
  EXPECT_EQ(row->key, "068085001234");
  fields[4] = "";
  auto status = RowError(fields);
  EXPECT_EQ(common::FieldOf(status), "external_id");
}

TEST(MapRow, CellAsResourceName) {
  auto fields = GoodRow();
  fields[6] = "organizations/42";
  auto row = MapRow(CanonicalHeader(), Row(fields), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->cell_id, 42);
  EXPECT_EQ(row->cell_code, "");
  fields[6] = "organizations/x";
  EXPECT_EQ(common::FieldOf(RowError(fields)), "cell");
  fields[6] = "Chi bộ thôn 3";
  EXPECT_EQ(common::FieldOf(RowError(fields)), "cell");
}

TEST(MapRow, ErrorsNameTheColumnAndNotTheValue) {
  struct Case {
    size_t index;
    std::string value;
    std::string column;
  };
  const Case cases[] = {
      {1, "", "full_name"},
      {2, "X", "sex"},
      {3, "31/02/1985", "birth_date"},
      {3, "31120", "birth_date"},
      {4, "0680850012", "citizen_id"},  // 10 digits
      {4, "6.80851E+11", "citizen_id"},
      {4, "068-085", "citizen_id"},
      {5, "thợ săn", "occupation_category"},
      {6, "", "cell"},
      {7, "đang chờ", "status"},
      {8, "", "admission_decision_date"},
      {9, "19-19-2010", "admission_ceremony_date"},
      {10, "", "official_date"},
      {11, "yesterday", "joined_cell_on"},
  };
  for (const Case& c : cases) {
    auto fields = GoodRow();
    fields[c.index] = c.value;
    absl::Status status = RowError(fields);
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.column;
    EXPECT_EQ(common::FieldOf(status), c.column) << status;
    if (c.value.size() >= 3) {
      EXPECT_EQ(status.message().find(c.value), absl::string_view::npos) << status;
    }
  }
}

TEST(MapRow, ProbationaryMembersHaveNoOfficialDate) {
  auto fields = GoodRow();
  fields[7] = "Dự bị";
  EXPECT_EQ(common::FieldOf(RowError(fields)), "official_date");
  fields[10] = "";
  auto row = MapRow(CanonicalHeader(), Row(fields), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->request.existing().status(), v1::MEMBER_STATUS_PROBATIONARY);
}

TEST(MapRow, RepairsWhatSpreadsheetsDoToNumbers) {
  Header header = *ParseHeader({"external_id", "full_name", "sex", "birth_date", "citizen_id", "occupation_category",
                                "cell", "status", "admission_decision_date", "admission_ceremony_date",
                                "official_date", "joined_cell_on", "phone", "religion", "permanent_address"});
  auto fields = GoodRow();
  fields[4] = "68085001234";  // leading zero dropped
  fields.push_back("912 345 678");
  fields.push_back("Không");
  fields.push_back("Thôn 3,\r\nxã Lộc Vĩnh");
  auto row = MapRow(header, Row(fields), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->request.member().citizen_id(), "068085001234");
  EXPECT_EQ(row->request.member().phone(), "0912345678");
  EXPECT_EQ(row->request.member().religion(), "00") << "\"Không\" is the code of no religion";
  EXPECT_EQ(row->request.member().permanent_address(), "Thôn 3, xã Lộc Vĩnh");
}

TEST(MapRow, RowShapeProblems) {
  auto fields = GoodRow();
  fields.push_back("surplus");
  EXPECT_NE(RowError(fields).message().find("column M, beyond the header"), absl::string_view::npos);
  fields.back() = " ";
  EXPECT_TRUE(MapRow(CanonicalHeader(), Row(fields), Codes()).ok());  // empty surplus cells are harmless

  auto shorter = GoodRow();
  shorter.resize(11);  // joined_cell_on missing
  EXPECT_EQ(common::FieldOf(RowError(shorter)), "joined_cell_on");

  CsvRecord broken = Row({});
  broken.error = "a quoted field is not closed before the end of the file";
  EXPECT_NE(MapRow(CanonicalHeader(), broken, Codes()).status().message().find("not closed"), absl::string_view::npos);

  std::vector<std::string> with_blank = kCanonicalHeader;
  with_blank.push_back("");
  Header header = *ParseHeader(with_blank);
  auto unnamed = GoodRow();
  unnamed.push_back("x");
  EXPECT_NE(MapRow(header, Row(unnamed), Codes()).status().message().find("no header"), absl::string_view::npos);
}

TEST(MapRow, BlankRows) {
  EXPECT_TRUE(IsBlank(Row({"", " ", ""})));
  EXPECT_TRUE(IsBlank(Row({""})));
  EXPECT_FALSE(IsBlank(Row({"", "x"})));
  CsvRecord broken = Row({});
  broken.error = "x";
  EXPECT_FALSE(IsBlank(broken));
}

TEST(Fingerprint, SameDataSameFingerprintWhateverTheSpelling) {
  auto a = MapRow(CanonicalHeader(), Row(GoodRow()), Codes());
  auto fields = GoodRow();
  fields[1] = "Nguyễn Văn An";                    // spacing
  fields[2] = "male";                             // English
  fields[3] = "1985-03-12";                       // ISO date
  fields[5] = "CIVIL_SERVICE";                    // enum name
  fields[7] = "Đảng viên chính thức";
  auto b = MapRow(CanonicalHeader(), Row(fields, 99), Codes());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Fingerprint(*a, 7), Fingerprint(*b, 7));
  EXPECT_EQ(Fingerprint(*a, 7).size(), 64u);
  EXPECT_NE(Fingerprint(*a, 7), Fingerprint(*a, 8));  // another cell

  fields[11] = "2016-01-01";
  auto c = MapRow(CanonicalHeader(), Row(fields), Codes());
  ASSERT_TRUE(c.ok());
  EXPECT_NE(Fingerprint(*a, 7), Fingerprint(*c, 7));
}

TEST(ColumnForField, MapsRequestFieldsToColumns) {
  EXPECT_EQ(ColumnForField("member.citizen_id"), "citizen_id");
  EXPECT_EQ(ColumnForField("existing.joined_cell_on"), "joined_cell_on");
  EXPECT_EQ(ColumnForField("existing.cell"), "cell");
  EXPECT_EQ(ColumnForField("party_card_number"), "party_card_number");
  EXPECT_EQ(ColumnForField("existing.decision.number"), "");
  EXPECT_EQ(ColumnForField("member"), "");
}

TEST(WithoutPersonalValues, HidesMessagesThatQuoteTheRow) {
  const std::vector<std::string> values = {"068085001234", "Nguyễn Văn An", "Na"};
  EXPECT_EQ(WithoutPersonalValues("member.citizen_id: must be 12 digits", values, "citizen_id"),
            "member.citizen_id: must be 12 digits");
  EXPECT_EQ(WithoutPersonalValues("duplicate 068085001234", values, "citizen_id"),
            "citizen_id: the value is not valid for this column");
  // Values shorter than 3 bytes are too common to mean anything.
  EXPECT_EQ(WithoutPersonalValues("Name is required", values, "full_name"), "Name is required");
}

TEST(ValueParsers, DatesSexStatusEducationTheory) {
  EXPECT_EQ(ParseDateText("1/2/1990"), "1990-02-01");
  EXPECT_EQ(ParseDateText("01.02.1990"), "1990-02-01");
  EXPECT_EQ(ParseDateText("01-02-1990"), "1990-02-01");
  EXPECT_EQ(ParseDateText("1990-2-1"), "1990-02-01");
  EXPECT_EQ(ParseDateText("29/02/2023"), std::nullopt);
  EXPECT_EQ(ParseDateText("01/02/90"), std::nullopt);
  EXPECT_EQ(ParseDateText("1990/02/01"), std::nullopt);
  EXPECT_EQ(ParseSex("NỮ"), v1::SEX_FEMALE);
  EXPECT_EQ(ParseSex("Female"), v1::SEX_FEMALE);
  EXPECT_EQ(ParseSex("nam "), v1::SEX_MALE);
  EXPECT_EQ(ParseSex("n"), std::nullopt);
  EXPECT_EQ(ParseStatus("DU BI"), v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(ParseStatus("official"), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(ParseOccupationCategory("Nông dân"), v1::OCCUPATION_CATEGORY_FARMER);
  EXPECT_EQ(ParseOccupationCategory("Lực lượng vũ trang"), v1::OCCUPATION_CATEGORY_ARMED_FORCES);
  EXPECT_EQ(ParseOccupationCategory("private_business_owner"), v1::OCCUPATION_CATEGORY_PRIVATE_BUSINESS_OWNER);
  EXPECT_EQ(ParseGeneralEducation(""), v1::GENERAL_EDUCATION_UNSPECIFIED);
  EXPECT_EQ(ParseGeneralEducation("12/12"), v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  EXPECT_EQ(ParseGeneralEducation("10/10"), v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  EXPECT_EQ(ParseGeneralEducation("11/12"), v1::GENERAL_EDUCATION_LOWER_SECONDARY);
  EXPECT_EQ(ParseGeneralEducation("9/12"), v1::GENERAL_EDUCATION_LOWER_SECONDARY);
  EXPECT_EQ(ParseGeneralEducation("7/10"), v1::GENERAL_EDUCATION_LOWER_SECONDARY);
  EXPECT_EQ(ParseGeneralEducation("6/12"), v1::GENERAL_EDUCATION_PRIMARY);
  EXPECT_EQ(ParseGeneralEducation("3/12"), std::nullopt);
  EXPECT_EQ(ParseGeneralEducation("Trung học phổ thông"), v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  EXPECT_EQ(ParseGeneralEducation("13/12"), std::nullopt);
  EXPECT_EQ(ParsePoliticalTheoryLevel("Trung cấp"), v1::POLITICAL_THEORY_LEVEL_INTERMEDIATE);
  EXPECT_EQ(ParsePoliticalTheoryLevel("Cao cấp, cử nhân"), v1::POLITICAL_THEORY_LEVEL_ADVANCED);
  EXPECT_EQ(ParsePoliticalTheoryLevel("sơ cấp"), v1::POLITICAL_THEORY_LEVEL_ELEMENTARY);
  EXPECT_EQ(ParsePoliticalTheoryLevel("tiến sĩ"), std::nullopt);
}

}  // namespace
}  // namespace grassroots::membership::member_csv

namespace grassroots::membership::member_csv {
namespace {

TEST(MapRow, EthnicityAndReligionTakeNamesOrCodesAndStoreCodes) {
  Header header = *ParseHeader({"external_id", "full_name", "sex", "birth_date", "citizen_id", "occupation_category",
                                "cell", "status", "admission_decision_date", "admission_ceremony_date",
                                "official_date", "joined_cell_on", "Dân tộc", "Tôn giáo", "professional_qualification",
                                "transferred_from"});
  auto fields = GoodRow();
  fields.insert(fields.end(), {"TÀY", "phật giáo", "Cử nhân Luật", ""});
  auto row = MapRow(header, Row(fields), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->request.member().ethnicity(), "02");
  EXPECT_EQ(row->request.member().religion(), "01");
  EXPECT_EQ(row->request.member().professional_qualification_level(), v1::PROFESSIONAL_QUALIFICATION_LEVEL_BACHELOR);
  EXPECT_TRUE(row->request.existing().transferred_from().empty());

  fields[12] = "05";  // a code is taken as it is
  fields[15] = "Đảng ủy phường 2";
  row = MapRow(header, Row(fields), Codes());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->request.member().ethnicity(), "05");
  EXPECT_EQ(row->request.existing().transferred_from(), "Đảng ủy phường 2");

  fields[12] = "Sao Hỏa";
  const absl::Status status = MapRow(header, Row(fields), Codes()).status();
  EXPECT_EQ(common::FieldOf(status), "ethnicity");
  EXPECT_EQ(status.message().find("Sao"), std::string::npos) << "the value is personal data";
}

TEST(ParseQualificationLevel, ReadsTheLevelTheTextNames) {
  EXPECT_EQ(ParseQualificationLevel("Thạc sĩ Quản lý kinh tế"), v1::PROFESSIONAL_QUALIFICATION_LEVEL_MASTER);
  EXPECT_EQ(ParseQualificationLevel("Kỹ sư nông nghiệp"), v1::PROFESSIONAL_QUALIFICATION_LEVEL_BACHELOR);
  EXPECT_EQ(ParseQualificationLevel("Cao đẳng sư phạm"), v1::PROFESSIONAL_QUALIFICATION_LEVEL_COLLEGE);
  EXPECT_EQ(ParseQualificationLevel("trung cấp"), v1::PROFESSIONAL_QUALIFICATION_LEVEL_INTERMEDIATE);
  EXPECT_EQ(ParseQualificationLevel(""), v1::PROFESSIONAL_QUALIFICATION_LEVEL_UNSPECIFIED);
  EXPECT_EQ(ParseQualificationLevel("Thợ mộc"), std::nullopt);
}

}  // namespace
}  // namespace grassroots::membership::member_csv
