// MemberImportService through gRPC: a CSV streamed in chunks (rows and
// multi-byte characters split anywhere), a result per row naming the column of
// each error, re-runs that create nothing, dry runs that write nothing, the
// header checked first, scope, and the organization service down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/server/service_host.h"
#include "services/membership/handlers/import_handlers.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/loopback.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The columns these tests write, canonical names (docs/member-import.md).
constexpr char kHeader[] =
    "external_id,full_name,sex,birth_date,ethnicity,religion,citizen_id,party_card_number,occupation_category,"
    "cell,status,admission_decision_date,admission_ceremony_date,official_date,joined_cell_on,current_address,phone";

// A spreadsheet row; dates as the forms write them (dd/mm/yyyy).
struct Row {
  std::string external_id, full_name, sex = "Nam", birth_date, ethnicity = "Kinh", religion = "Không", citizen_id, card,
                                      category = "Nông dân", cell, status = "Chính thức", decision, ceremony, official,
                                      joined, address = "Thôn 1, xã Lộc Thành", phone;
};

std::string Quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Dmy(const std::string& iso) {  // "2019-03-07" -> "07/03/2019"
  if (iso.size() != 10) return iso;
  return absl::StrCat(iso.substr(8, 2), "/", iso.substr(5, 2), "/", iso.substr(0, 4));
}

std::string Csv(const std::vector<Row>& rows) {
  std::string out = absl::StrCat(kHeader, "\r\n");
  for (const Row& r : rows) {
    out += absl::StrJoin(
        {Quote(r.external_id), Quote(r.full_name), r.sex, r.birth_date, r.ethnicity, r.religion, r.citizen_id, r.card,
         Quote(r.category), r.cell, r.status, r.decision, r.ceremony, r.official, r.joined, Quote(r.address), r.phone},
        ",");
    out += "\r\n";
  }
  return out;
}

struct ImportRun {
  grpc::Status status;
  std::vector<v1::RowResult> rows;
  v1::ImportSummary summary;
  int messages = 0;
  bool done = false;
  bool summaries_grow = true;
};

class GrpcImportTest : public MembershipFixture {
 protected:
  // A valid official (or probationary) member's row in `cell`.
  static Row ValidRow(int64_t cell, const std::string& name, bool probationary = false) {
    const v1::Member person = NewPerson(PersonOptions().WithName(name));
    Row row;
    row.external_id = person.external_id();
    row.full_name = person.full_name();
    row.sex = person.sex() == v1::SEX_MALE ? "Nam" : "Nữ";
    row.birth_date = Dmy(person.birth_date());
    row.citizen_id = person.citizen_id();
    row.card = UniqueCard();
    row.cell = OrgName(cell);
    const std::string ceremony = probationary ? MonthsFromToday(-5) : MonthsFromToday(-70);
    row.status = probationary ? "Dự bị" : "Chính thức";
    row.decision = Dmy(AddDays(ceremony, -12));
    row.ceremony = Dmy(ceremony);
    row.official = probationary ? "" : Dmy(AddMonths(ceremony, 12));
    row.joined = Dmy(ceremony);
    row.phone = person.phone();
    return row;
  }

  // Streams `csv` in chunks of chunk_size bytes while reading progress on
  // another thread (the server answers as it goes).
  static ImportRun Import(const std::string& csv, size_t chunk_size, bool dry_run = false,
                          const std::string& token = "", v1::MemberImportService::Stub* stub = nullptr) {
    grpc::ClientContext context;
    Authorize(context, token.empty() ? AdminToken() : token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    std::unique_ptr<grpc::ClientReaderWriter<v1::ImportChunk, v1::ImportProgress>> stream =
        (stub != nullptr ? *stub : imports()).ImportMembers(&context);
    ImportRun run;
    std::thread reader([&] {
      v1::ImportProgress progress;
      int64_t last_rows = -1;
      while (stream->Read(&progress)) {
        ++run.messages;
        for (const v1::RowResult& row : progress.rows()) run.rows.push_back(row);
        if (progress.so_far().rows() < last_rows) run.summaries_grow = false;
        last_rows = progress.so_far().rows();
        run.summary = progress.so_far();
        run.done = run.done || progress.done();
      }
    });
    for (size_t offset = 0; offset == 0 || offset < csv.size(); offset += chunk_size) {
      v1::ImportChunk chunk;
      if (offset == 0) {
        chunk.set_file_name("dang-vien.csv");
        chunk.set_dry_run(dry_run);
      }
      chunk.set_data(csv.substr(offset, chunk_size));
      if (!stream->Write(chunk)) break;  // the server ended the stream (its status says why)
    }
    stream->WritesDone();
    reader.join();
    run.status = stream->Finish();
    return run;
  }

  static const v1::RowResult* ResultAt(const ImportRun& run, int64_t line) {
    for (const v1::RowResult& row : run.rows) {
      if (row.line() == line) return &row;
    }
    return nullptr;
  }
  static std::string CodeOf(int64_t org) {
    orgv1::GetOrganizationRequest request;
    request.set_name(OrgName(org));
    orgv1::Organization organization;
    grpc::Status status =
        Call(orgs(), &orgv1::OrganizationService::Stub::GetOrganization, AdminToken(), request, &organization);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return organization.code();
  }
};

TEST_F(GrpcImportTest, CreatesValidRowsAndReportsEachBadRowWithItsColumn) {
  const Branch branch = NewBranch();
  const v1::Member on_file = NewPerson();
  CreateExisting(branch.cell_a, on_file);

  std::vector<Row> rows;
  rows.push_back(ValidRow(branch.cell_a, "Nguyễn Văn Nhập"));                   // line 2
  Row by_code = ValidRow(branch.cell_b, "Trần Thị Mã", /*probationary=*/true);  // line 3
  by_code.cell = CodeOf(branch.cell_b);
  rows.push_back(by_code);
  Row bad_cccd = ValidRow(branch.cell_a, "Lê Văn Sai");  // line 4: birth-year digits disagree
  bad_cccd.citizen_id = absl::StrCat(bad_cccd.citizen_id.substr(0, 4), "00", bad_cccd.citizen_id.substr(6));
  rows.push_back(bad_cccd);
  Row bad_sex = ValidRow(branch.cell_a, "Phạm Văn Giới");  // line 5
  bad_sex.sex = "X";
  rows.push_back(bad_sex);
  Row bad_date = ValidRow(branch.cell_a, "Hoàng Văn Ngày");  // line 6
  bad_date.birth_date = "31/02/1980";
  rows.push_back(bad_date);
  Row no_such_cell = ValidRow(987654321, "Võ Văn Không");  // line 7
  rows.push_back(no_such_cell);
  Row not_a_cell = ValidRow(branch.grassroots, "Đặng Văn Cơ Sở");  // line 8
  rows.push_back(not_a_cell);
  Row duplicate = ValidRow(branch.cell_a, "Bùi Văn Trùng");  // line 9: someone else's citizen ID
  duplicate.citizen_id = on_file.citizen_id();
  duplicate.birth_date = Dmy(on_file.birth_date());
  duplicate.sex = on_file.sex() == v1::SEX_MALE ? "Nam" : "Nữ";
  rows.push_back(duplicate);
  Row quoted = ValidRow(branch.cell_b, "Đỗ Thị Phẩy");  // line 10
  quoted.address = "Tổ 5, \"khu phố\" 2, phường 1";
  rows.push_back(quoted);

  const WriteCounts before = CountWrites();
  const ImportRun run = Import(Csv(rows), 1 << 16);
  ASSERT_TRUE(run.status.ok()) << run.status.error_message() << " " << BadField(run.status);
  EXPECT_TRUE(run.done);
  ASSERT_EQ(run.rows.size(), 9u);
  EXPECT_EQ(run.summary.rows(), 9);
  EXPECT_EQ(run.summary.created(), 3);
  EXPECT_EQ(run.summary.errors(), 6);
  EXPECT_EQ(CountWrites().members, before.members + 3);

  struct Expected {
    int64_t line;
    v1::RowOutcome outcome;
    std::string column;
    std::string code;
  };
  for (const Expected& e : std::vector<Expected>{
           {2, v1::ROW_OUTCOME_CREATED, "", ""},
           {3, v1::ROW_OUTCOME_CREATED, "", ""},
           {4, v1::ROW_OUTCOME_ERROR, "citizen_id", "INVALID_ARGUMENT"},
           {5, v1::ROW_OUTCOME_ERROR, "sex", "INVALID_ARGUMENT"},
           {6, v1::ROW_OUTCOME_ERROR, "birth_date", "INVALID_ARGUMENT"},
           {7, v1::ROW_OUTCOME_ERROR, "cell", "NOT_FOUND"},
           {8, v1::ROW_OUTCOME_ERROR, "cell", "FAILED_PRECONDITION"},
           {9, v1::ROW_OUTCOME_ERROR, "citizen_id", "ALREADY_EXISTS"},
           {10, v1::ROW_OUTCOME_CREATED, "", ""},
       }) {
    const v1::RowResult* result = ResultAt(run, e.line);
    ASSERT_NE(result, nullptr) << "no result for line " << e.line;
    EXPECT_EQ(result->outcome(), e.outcome) << "line " << e.line << ": " << result->message();
    EXPECT_EQ(result->column(), e.column) << "line " << e.line << ": " << result->message();
    EXPECT_EQ(result->code(), e.code) << "line " << e.line << ": " << result->message();
    if (e.outcome == v1::ROW_OUTCOME_ERROR) {
      EXPECT_FALSE(result->message().empty());
      EXPECT_TRUE(result->member().empty());
    } else {
      EXPECT_THAT(result->member(), HasSubstr("members/"));
    }
  }
  // No personal value is echoed in a message.
  for (const v1::RowResult& result : run.rows) {
    for (const Row& row : rows) {
      EXPECT_THAT(result.message(), Not(HasSubstr(row.citizen_id))) << "line " << result.line();
      EXPECT_THAT(result.message(), Not(HasSubstr(row.full_name))) << "line " << result.line();
    }
  }

  const v1::Member imported = GetMember(ResultAt(run, 2)->member());
  EXPECT_EQ(imported.full_name(), "Nguyễn Văn Nhập");
  EXPECT_EQ(imported.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(imported.cell(), OrgName(branch.cell_a));
  EXPECT_EQ(imported.party_card_number(), rows[0].card);
  EXPECT_EQ(imported.citizen_id(), rows[0].citizen_id);
  EXPECT_EQ(imported.external_id(), rows[0].external_id);
  EXPECT_EQ(Dmy(imported.admission_ceremony_date()), rows[0].ceremony);
  EXPECT_EQ(imported.religion(), "00") << "\"Không\" is the code of no religion";
  EXPECT_EQ(imported.ethnicity(), "01") << "\"Kinh\" is mapped to its code";
  const v1::Member by_code_member = GetMember(ResultAt(run, 3)->member());
  EXPECT_EQ(by_code_member.cell(), OrgName(branch.cell_b));
  EXPECT_EQ(by_code_member.status(), v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(GetMember(ResultAt(run, 10)->member()).current_address(), "Tổ 5, \"khu phố\" 2, phường 1");
}

TEST_F(GrpcImportTest, ReRunningTheSameFileCreatesNothing) {
  const Branch branch = NewBranch();
  std::vector<Row> rows;
  for (int i = 0; i < 4; ++i) rows.push_back(ValidRow(i % 2 == 0 ? branch.cell_a : branch.cell_b, ""));
  Row bad = ValidRow(branch.cell_a, "");
  bad.status = "Quần chúng";
  rows.push_back(bad);
  const std::string csv = Csv(rows);

  const ImportRun first = Import(csv, 1 << 16);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.summary.created(), 4);
  EXPECT_EQ(first.summary.errors(), 1);
  EXPECT_EQ(ResultAt(first, 6)->column(), "status");

  const WriteCounts after_first = CountWrites();
  const ImportRun second = Import(csv, 1 << 16);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_EQ(second.summary.created(), 0);
  EXPECT_EQ(second.summary.unchanged(), 4);
  EXPECT_EQ(second.summary.errors(), 1);
  for (int64_t line = 2; line <= 5; ++line) {
    ASSERT_NE(ResultAt(second, line), nullptr);
    EXPECT_EQ(ResultAt(second, line)->outcome(), v1::ROW_OUTCOME_UNCHANGED) << "line " << line;
    EXPECT_EQ(ResultAt(second, line)->member(), ResultAt(first, line)->member()) << "line " << line;
  }
  EXPECT_EQ(CountWrites(), after_first) << "a re-run wrote something";
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM members WHERE external_id = '", rows[0].external_id, "'")),
            1);

  // The same key with other data is not silently merged.
  std::vector<Row> changed = {rows[0]};
  changed[0].phone = "0912345678";
  const ImportRun third = Import(Csv(changed), 1 << 16);
  ASSERT_TRUE(third.status.ok()) << third.status.error_message();
  ASSERT_EQ(third.rows.size(), 1u);
  EXPECT_EQ(third.rows[0].outcome(), v1::ROW_OUTCOME_ERROR);
  EXPECT_EQ(third.rows[0].code(), "ALREADY_EXISTS");
  EXPECT_EQ(CountWrites(), after_first);
}

// An import service with small bounds, on its own loopback host over the
// suite's handler context.
struct LimitedImports {
  LimitedImports(HandlerContext& context, ImportOptions options)
      : service(context, options),
        host("import-limits", grassroots::testing::LoopbackServerConfig(), nullptr) {
    host.AddService(&service);
    const absl::Status started = host.Start();
    EXPECT_TRUE(started.ok()) << started;
    stub = v1::MemberImportService::NewStub(grassroots::testing::LoopbackChannel(host.port()));
  }
  MemberImportServiceImpl service;
  common::ServiceHost host;
  std::unique_ptr<v1::MemberImportService::Stub> stub;
};

// Rows are written in batches of multi-row statements. A row a unique key
// refuses (a party card already issued, a citizen ID twice in the file) rolls
// back alone: the rest of its batch is written row by row, each exactly as a
// row of a batch that went through whole.
TEST_F(GrpcImportTest, ARowAUniqueKeyRefusesRollsBackAloneAndItsBatchIsWritten) {
  const Branch branch = NewBranch();
  const Row holder = ValidRow(branch.cell_a, "");
  ASSERT_EQ(Import(Csv({holder}), 1 << 16).summary.created(), 1);

  std::vector<Row> rows;
  for (int i = 0; i < 40; ++i) rows.push_back(ValidRow(i % 2 == 0 ? branch.cell_a : branch.cell_b, ""));
  rows[20].card = holder.card;                  // line 22: the card is already issued
  // line 32: the citizen ID of line 7 (and the birth it encodes), under another external id
  rows[30].citizen_id = rows[5].citizen_id;
  rows[30].birth_date = rows[5].birth_date;
  rows[30].sex = rows[5].sex;
  // Batches of 10: lines 2-11 and 12-21 go through whole, 22-31 and 32-41 row by row.
  ImportOptions small_batches;
  small_batches.batch_rows = 10;
  LimitedImports batched(member_context(), small_batches);
  const WriteCounts before = CountWrites();
  const ImportRun run = Import(Csv(rows), 1 << 16, false, "", batched.stub.get());
  ASSERT_TRUE(run.status.ok()) << run.status.error_message();
  EXPECT_EQ(run.summary.created(), 38);
  EXPECT_EQ(run.summary.errors(), 2);
  ASSERT_EQ(run.rows.size(), 40u);
  for (size_t i = 0; i < run.rows.size(); ++i) EXPECT_EQ(run.rows[i].line(), static_cast<int64_t>(i) + 2);
  EXPECT_EQ(ResultAt(run, 22)->column(), "party_card_number");
  EXPECT_EQ(ResultAt(run, 22)->code(), "ALREADY_EXISTS");
  EXPECT_EQ(ResultAt(run, 32)->column(), "citizen_id");
  EXPECT_EQ(ResultAt(run, 32)->code(), "ALREADY_EXISTS");
  // Nothing of the refused rows, everything of the others.
  const WriteCounts after = CountWrites();
  EXPECT_EQ(after.members - before.members, 38);
  EXPECT_EQ(after.sensitive - before.sensitive, 38);
  EXPECT_EQ(after.events - before.events, 38);
  EXPECT_EQ(after.periods - before.periods, 2 * 38);  // probationary, then official
  EXPECT_EQ(after.cards - before.cards, 38);
  EXPECT_EQ(after.feed - before.feed, 3 * 38);
  EXPECT_EQ(after.audit - before.audit, 3 * 38);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM members WHERE external_id IN ('", rows[20].external_id,
                                     "', '", rows[30].external_id, "')")),
            0);

  // Each created member, whichever way its batch went: its record reads back
  // as the row said, with one event, its periods, its name tokens, its dated
  // attributes and its three feed entries in order (member, periods, event).
  const v1::Member alone_written = GetMember(ResultAt(run, 23)->member());  // in the refused row's batch
  EXPECT_EQ(alone_written.citizen_id(), rows[21].citizen_id);
  EXPECT_EQ(alone_written.party_card_number(), rows[21].card);
  EXPECT_EQ(alone_written.status(), v1::MEMBER_STATUS_OFFICIAL);
  for (const v1::RowResult& result : run.rows) {
    if (result.outcome() != v1::ROW_OUTCOME_CREATED) continue;
    const std::string id = result.member().substr(result.member().rfind('/') + 1);
    const Row& row = rows[static_cast<size_t>(result.line() - 2)];
    const v1::Member member = GetMember(result.member());
    EXPECT_EQ(member.full_name(), row.full_name) << result.line();
    EXPECT_EQ(member.citizen_id(), row.citizen_id) << result.line();
    EXPECT_EQ(member.party_card_number(), row.card) << result.line();
    EXPECT_EQ(member.cell(), row.cell) << result.line();
    EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_events WHERE ordinal = 1 AND member_id = ", id)), 1);
    EXPECT_GE(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_periods WHERE member_id = ", id)), 1);
    EXPECT_GE(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_name_tokens WHERE member_id = ", id)), 2);
    EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_attribute_periods WHERE member_id = ", id)),
              MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_attribute_periods WHERE member_id = ",
                                       alone_written.name().substr(alone_written.name().rfind('/') + 1))))
        << result.line();
    EXPECT_EQ(MemberDbInt(absl::StrCat(
                  "SELECT GROUP_CONCAT(resource_type ORDER BY id) = 'member,member_periods,member_event' "
                  "FROM change_feed WHERE resource_name = 'members/", id, "' OR resource_name LIKE 'members/", id,
                  "/events/%'")),
              1)
        << result.line();
  }
}

TEST_F(GrpcImportTest, DryRunValidatesEveryRowAndWritesNothing) {
  const Branch branch = NewBranch();
  std::vector<Row> rows = {ValidRow(branch.cell_a, ""), ValidRow(branch.cell_b, "", true)};
  Row bad = ValidRow(branch.cell_a, "");
  bad.official = "";  // official without its date
  rows.push_back(bad);
  const WriteCounts before = CountWrites();
  const ImportRun dry = Import(Csv(rows), 1 << 16, /*dry_run=*/true);
  ASSERT_TRUE(dry.status.ok()) << dry.status.error_message();
  EXPECT_EQ(dry.summary.valid(), 2);
  EXPECT_EQ(dry.summary.created(), 0);
  EXPECT_EQ(dry.summary.errors(), 1);
  EXPECT_EQ(ResultAt(dry, 2)->outcome(), v1::ROW_OUTCOME_VALID);
  EXPECT_TRUE(ResultAt(dry, 2)->member().empty());
  EXPECT_EQ(ResultAt(dry, 4)->column(), "official_date");
  EXPECT_EQ(CountWrites(), before) << "a dry run wrote something";

  const ImportRun real = Import(Csv(rows), 1 << 16);
  ASSERT_TRUE(real.status.ok()) << real.status.error_message();
  EXPECT_EQ(real.summary.created(), 2);
}

TEST_F(GrpcImportTest, RowsAndCharactersMaySpanChunks) {
  const Branch branch = NewBranch();
  std::vector<Row> rows;
  for (int i = 0; i < 6; ++i) {
    Row row = ValidRow(branch.cell_a, i % 2 == 0 ? "Nguyễn Thị Ngọc Ánh" : "Huỳnh Đức Phước");
    row.address = "Tổ 3,\nkhu phố Đông, \"phường\" Lộc Sơn";  // a quoted field with a line break
    rows.push_back(row);
  }
  const std::string csv = Csv(rows);
  // Each record starts one line further down than the one before plus the break inside it.
  const ImportRun whole = Import(csv, 1 << 20, /*dry_run=*/true);
  ASSERT_TRUE(whole.status.ok()) << whole.status.error_message();
  ASSERT_EQ(whole.rows.size(), 6u);
  std::vector<int64_t> lines;
  for (const v1::RowResult& row : whole.rows) {
    EXPECT_EQ(row.outcome(), v1::ROW_OUTCOME_VALID) << row.line() << ": " << row.column() << " " << row.message();
    lines.push_back(row.line());
  }
  EXPECT_THAT(lines, ElementsAre(2, 4, 6, 8, 10, 12));
  for (size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
    const ImportRun split = Import(csv, chunk, /*dry_run=*/true);
    ASSERT_TRUE(split.status.ok()) << "chunk " << chunk << ": " << split.status.error_message();
    ASSERT_EQ(split.rows.size(), whole.rows.size()) << "chunk " << chunk;
    for (size_t i = 0; i < split.rows.size(); ++i) {
      EXPECT_EQ(split.rows[i].line(), whole.rows[i].line()) << "chunk " << chunk;
      EXPECT_EQ(split.rows[i].outcome(), whole.rows[i].outcome()) << "chunk " << chunk;
    }
  }
  const ImportRun real = Import(csv, 5);
  ASSERT_TRUE(real.status.ok()) << real.status.error_message();
  EXPECT_EQ(real.summary.created(), 6);
  const v1::Member stored = GetMember(real.rows[0].member());
  EXPECT_EQ(stored.full_name(), "Nguyễn Thị Ngọc Ánh");
  // Line breaks inside a cell become single spaces (docs/member-import.md).
  EXPECT_EQ(stored.current_address(), "Tổ 3, khu phố Đông, \"phường\" Lộc Sơn");
}

TEST_F(GrpcImportTest, ProgressComesAsItGoesAndEndsWithTheSummary) {
  const Branch branch = NewBranch();
  std::vector<Row> rows;
  for (int i = 0; i < 450; ++i) rows.push_back(ValidRow(i % 2 == 0 ? branch.cell_a : branch.cell_b, ""));
  ImportOptions every_200;
  every_200.progress_rows = 200;
  LimitedImports imports(member_context(), every_200);
  const ImportRun run = Import(Csv(rows), 4096, /*dry_run=*/true, "", imports.stub.get());
  ASSERT_TRUE(run.status.ok()) << run.status.error_message();
  EXPECT_GE(run.messages, 3) << "450 rows in one message: progress is not reported as it goes";
  EXPECT_TRUE(run.summaries_grow);
  EXPECT_TRUE(run.done);
  EXPECT_EQ(run.rows.size(), 450u);
  EXPECT_EQ(run.summary.rows(), 450);
  EXPECT_EQ(run.summary.valid(), 450);
}

TEST_F(GrpcImportTest, ABadHeaderEndsTheStreamBeforeAnyRow) {
  const Branch branch = NewBranch();
  const WriteCounts before = CountWrites();
  std::string csv = Csv({ValidRow(branch.cell_a, "")});
  // Drop the full_name column from the header only.
  csv.replace(csv.find("full_name,"), std::string("full_name,").size(), "");
  const ImportRun run = Import(csv, 1 << 16);
  EXPECT_EQ(run.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << run.status.error_message();
  EXPECT_EQ(BadField(run.status), "header");
  EXPECT_TRUE(run.rows.empty());
  // An unknown column.
  const ImportRun unknown = Import(absl::StrCat("so_thich,", Csv({ValidRow(branch.cell_a, "")})), 1 << 16);
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << unknown.status.error_message();
  EXPECT_EQ(CountWrites(), before);
}

TEST_F(GrpcImportTest, ImportIsForAdminsAndRowsOutsideTheirScopeAreRefused) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const WriteCounts before = CountWrites();
  const std::string csv = Csv({ValidRow(branch.cell_a, "")});
  const ImportRun secretary = Import(csv, 1 << 16, false, SecretaryToken(branch.cell_a));
  EXPECT_EQ(secretary.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << secretary.status.error_message();
  const ImportRun outsider = Import(csv, 1 << 16, false, AdminToken(other.grassroots));
  if (outsider.status.ok()) {
    ASSERT_EQ(outsider.rows.size(), 1u);
    EXPECT_EQ(outsider.rows[0].outcome(), v1::ROW_OUTCOME_ERROR);
    // A cell outside the scope reads as one that does not exist (issue 10).
    EXPECT_EQ(outsider.rows[0].code(), "NOT_FOUND");
  } else {
    EXPECT_EQ(outsider.status.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(CountWrites(), before);
}

// Issue 10: a dry run is no oracle. A citizen ID on file outside the caller's
// scope answers exactly as one nobody has (VALID), keyed by citizen ID or not;
// a real run still refuses the duplicate, naming no member and no place.
TEST_F(GrpcImportTest, DryRunDoesNotRevealRecordsOutsideTheScope) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  const Row elsewhere_row = ValidRow(theirs.cell_a, "");
  const ImportRun first = Import(Csv({elsewhere_row}), 1 << 16);
  ASSERT_EQ(first.summary.created(), 1);
  const std::string elsewhere_member = first.rows.at(0).member();

  // The same person (other data, other card) offered under the caller's cell,
  // beside a person nobody has on file.
  Row probe = ValidRow(mine.cell_a, "");
  const Row unknown = ValidRow(mine.cell_a, "");
  probe.citizen_id = elsewhere_row.citizen_id;
  probe.birth_date = elsewhere_row.birth_date;
  probe.sex = elsewhere_row.sex;
  Row by_external_id = ValidRow(mine.cell_a, "");
  by_external_id.external_id = elsewhere_row.external_id;
  const std::string admin = AdminToken(mine.grassroots);
  const WriteCounts before = CountWrites();
  const ImportRun dry = Import(Csv({probe, unknown, by_external_id}), 1 << 16, /*dry_run=*/true, admin);
  ASSERT_TRUE(dry.status.ok()) << dry.status.error_message();
  ASSERT_EQ(dry.rows.size(), 3u);
  for (const v1::RowResult& row : dry.rows) {
    EXPECT_EQ(row.outcome(), v1::ROW_OUTCOME_VALID) << "line " << row.line() << ": " << row.code() << " "
                                                   << row.message();
  }
  EXPECT_EQ(CountWrites(), before);

  // The real run does not create the person twice, and the row names no one.
  const ImportRun real = Import(Csv({probe}), 1 << 16, /*dry_run=*/false, admin);
  ASSERT_TRUE(real.status.ok()) << real.status.error_message();
  ASSERT_EQ(real.rows.size(), 1u);
  EXPECT_EQ(real.rows[0].outcome(), v1::ROW_OUTCOME_ERROR);
  EXPECT_EQ(real.rows[0].column(), "citizen_id");
  EXPECT_TRUE(real.rows[0].member().empty());
  EXPECT_THAT(real.rows[0].message(), Not(HasSubstr(elsewhere_member)));
  EXPECT_THAT(real.rows[0].message(), Not(HasSubstr("organizations/")));
  EXPECT_THAT(real.rows[0].message(), Not(HasSubstr("scope")));
  EXPECT_EQ(CountWrites(), before);
}

// A cell code outside the caller's scope reads as an unknown code.
TEST_F(GrpcImportTest, ACellCodeOutsideTheScopeReadsAsUnknown) {
  const Branch mine = NewBranch();
  const Branch theirs = NewBranch();
  Row outside = ValidRow(theirs.cell_a, "");
  outside.cell = CodeOf(theirs.cell_a);
  Row unknown = ValidRow(mine.cell_a, "");
  unknown.cell = "KHONG-CO-MA-NAY";
  const ImportRun run = Import(Csv({outside, unknown}), 1 << 16, /*dry_run=*/true, AdminToken(mine.grassroots));
  ASSERT_TRUE(run.status.ok()) << run.status.error_message();
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_EQ(run.rows[0].code(), run.rows[1].code());
  EXPECT_EQ(run.rows[0].message(), run.rows[1].message());
  EXPECT_EQ(run.rows[0].column(), "cell");
}

TEST_F(GrpcImportTest, OrgServiceDownWritesNothingAndARetryCompletes) {
  const Branch branch = NewBranch();
  std::vector<Row> rows = {ValidRow(branch.cell_a, ""), ValidRow(branch.cell_b, "")};
  const std::string csv = Csv(rows);
  const WriteCounts before = CountWrites();
  TakeOrgServiceDown();
  const ImportRun down = Import(csv, 1 << 16);
  BringOrgServiceBack();
  // Either every row is reported as an UNAVAILABLE error, or the import stops
  // early with UNAVAILABLE after reporting the rows it tried; never a silent success.
  if (down.status.ok()) {
    ASSERT_EQ(down.rows.size(), rows.size()) << "a completed import must report every row";
  } else {
    EXPECT_EQ(down.status.error_code(), grpc::StatusCode::UNAVAILABLE) << down.status.error_message();
  }
  for (const v1::RowResult& row : down.rows) {
    EXPECT_EQ(row.outcome(), v1::ROW_OUTCOME_ERROR);
    EXPECT_EQ(row.code(), "UNAVAILABLE") << row.message();
  }
  EXPECT_EQ(down.summary.created(), 0);
  EXPECT_EQ(CountWrites(), before) << "rows written while the org service was down";

  ImportRun again;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    again = Import(csv, 1 << 16);
    if (again.status.ok() && again.summary.created() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(again.summary.created(), 2) << again.status.error_message();
}

TEST_F(GrpcImportTest, AnImportPastItsRowOrByteBoundStopsThereAndKeepsWhatItSaved) {
  const Branch branch = NewBranch();
  std::vector<Row> rows;
  for (int i = 0; i < 3; ++i) rows.push_back(ValidRow(branch.cell_a, ""));
  const std::string csv = Csv(rows);

  ImportOptions row_bound;
  row_bound.max_rows = 2;
  LimitedImports by_rows(member_context(), row_bound);
  const ImportRun rows_run = Import(csv, 1 << 16, false, "", by_rows.stub.get());
  EXPECT_EQ(rows_run.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(rows_run.status.error_message(), ::testing::HasSubstr("more than 2 rows"));
  EXPECT_EQ(rows_run.summary.created(), 2);
  // The rest, sent again, finds the first two on file and creates the third.
  const ImportRun rest = Import(csv, 1 << 16);
  ASSERT_TRUE(rest.status.ok()) << rest.status.error_message();
  EXPECT_EQ(rest.summary.unchanged(), 2);
  EXPECT_EQ(rest.summary.created(), 1);

  ImportOptions byte_bound;
  byte_bound.max_bytes = 100;
  LimitedImports by_bytes(member_context(), byte_bound);
  const WriteCounts before = CountWrites();
  const ImportRun bytes_run = Import(Csv({ValidRow(branch.cell_a, "")}), 64, false, "", by_bytes.stub.get());
  EXPECT_EQ(bytes_run.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(bytes_run.status.error_message(), ::testing::HasSubstr("larger than 100 bytes"));
  EXPECT_EQ(CountWrites(), before);
}

TEST_F(GrpcImportTest, AnImportPastItsDurationStopsAtTheNextRowAndKeepsWhatItSaved) {
  const Branch branch = NewBranch();
  ImportOptions options;
  options.max_duration = absl::Seconds(3);
  options.progress_rows = 1;  // each row's result comes back before the next is sent
  LimitedImports limited(member_context(), options);

  grpc::ClientContext context;
  Authorize(context, AdminToken());
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  const auto started = std::chrono::steady_clock::now();
  auto stream = limited.stub->ImportMembers(&context);
  const std::vector<Row> rows = {ValidRow(branch.cell_a, ""), ValidRow(branch.cell_b, "")};
  const std::string csv = Csv(rows);
  // The header and the first row, then (past the bound) the second row.
  const size_t second_row = csv.rfind('\n', csv.size() - 2) + 1;
  v1::ImportChunk chunk;
  chunk.set_file_name("dang-vien.csv");
  chunk.set_data(csv.substr(0, second_row));
  ASSERT_TRUE(stream->Write(chunk));
  v1::ImportProgress progress;
  ASSERT_TRUE(stream->Read(&progress));
  ASSERT_EQ(progress.rows_size(), 1);
  EXPECT_EQ(progress.rows(0).outcome(), v1::ROW_OUTCOME_CREATED) << progress.rows(0).message();
  std::this_thread::sleep_until(started + std::chrono::milliseconds(3500));
  const WriteCounts before = CountWrites();
  v1::ImportChunk rest;
  rest.set_data(csv.substr(second_row));
  stream->Write(rest);
  stream->WritesDone();
  while (stream->Read(&progress)) {
  }
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_EQ(Reason(status), "IMPORT_TOO_LONG");
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("stopped after line 2"));
  EXPECT_EQ(CountWrites(), before) << "nothing of the row past the bound is written";
}

TEST_F(GrpcImportTest, ImportsBeyondTheConcurrentBoundAreRefusedBeforeReadingAnything) {
  const Branch branch = NewBranch();
  ImportOptions options;
  options.max_concurrent = 1;
  options.progress_rows = 1;  // the first row's result shows the import is running
  LimitedImports limited(member_context(), options);

  grpc::ClientContext context;
  Authorize(context, AdminToken());
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto first = limited.stub->ImportMembers(&context);
  v1::ImportChunk chunk;
  chunk.set_file_name("dang-vien.csv");
  chunk.set_data(Csv({ValidRow(branch.cell_a, "")}));
  ASSERT_TRUE(first->Write(chunk));
  v1::ImportProgress progress;
  ASSERT_TRUE(first->Read(&progress));  // running now

  const WriteCounts before = CountWrites();
  const ImportRun second = Import(Csv({ValidRow(branch.cell_b, "")}), 1 << 16, false, "", limited.stub.get());
  EXPECT_EQ(second.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(second.status.error_message(), ::testing::HasSubstr("1 import(s) running at once"));
  EXPECT_EQ(CountWrites(), before);

  first->WritesDone();
  while (first->Read(&progress)) {
  }
  EXPECT_TRUE(first->Finish().ok());
  // Once it has finished, the next import runs.
  const ImportRun third = Import(Csv({ValidRow(branch.cell_b, "")}), 1 << 16, false, "", limited.stub.get());
  EXPECT_TRUE(third.status.ok()) << third.status.error_message();
  EXPECT_EQ(third.summary.created(), 1);
}

}  // namespace
}  // namespace grassroots::membership::testing
