// Subtree-wide reads over more organizations than one IN-list chunk or one page
// holds: the thematic-meeting check and subtree meeting lists must stay correct
// (and answer in a bounded number of queries) on a commune with many cells.
// The cells are seeded in bulk with SQL; everything read goes through the API.
#include <chrono>
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/integration/org/activity_test_util.h"

namespace grassroots::org::testing::activity {
namespace {

constexpr int kCells = 1200;

class ScaleTest : public ActivityTest {
 protected:
  // Once per suite: a commune with kCells chi bộ trực thuộc founded 2020-01-01, a
  // tổ đảng under every tenth cell, and a thematic meeting held on 2025-02-10 by
  // every odd-numbered cell (so the even ones miss Q1 2025).
  static void SetUpTestSuite() {
    ActivityTest::SetUpTestSuite();
    commune_ = new v1::Organization(CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Quy Mô", "COMMUNE"));
    prefix_ = new std::string(UniqueCode("SCALE"));
    const std::string commune_id = std::to_string(IdOf(commune_->name()));
    ExecuteSql(absl::StrCat(
        "INSERT INTO organizations (code, established_on) SELECT CONCAT('", *prefix_,
        "-', seq), '2020-01-01' FROM seq_1_to_", kCells));
    ExecuteSql(absl::StrCat(
        "INSERT INTO organization_versions (organization_id, valid_from, display_name, parent_id, type_code, state) "
        "SELECT id, '2020-01-01', CONCAT('Chi bộ ', code), ", commune_id,
        ", 'CHI_BO_TRUC_THUOC', 'ACTIVE' FROM organizations WHERE code LIKE '", *prefix_, "-%'"));
    ExecuteSql(absl::StrCat(
        "INSERT INTO organizations (code, established_on) SELECT CONCAT(code, '-TO'), '2020-01-01' "
        "FROM organizations WHERE code LIKE '", *prefix_, "-%' AND MOD(CAST(SUBSTRING_INDEX(code, '-', -1) AS UNSIGNED), 10) = 0"));
    ExecuteSql(absl::StrCat(
        "INSERT INTO organization_versions (organization_id, valid_from, display_name, parent_id, type_code, state) "
        "SELECT g.id, '2020-01-01', 'Tổ đảng', c.id, 'TO_DANG', 'ACTIVE' FROM organizations g "
        "JOIN organizations c ON g.code = CONCAT(c.code, '-TO') WHERE c.code LIKE '", *prefix_, "-%'"));
    ExecuteSql(absl::StrCat(
        "INSERT INTO meetings (organization_id, kind, mode, topic, planned_start, planned_end, actual_start, "
        "actual_end, meeting_date, held_on) SELECT id, 2, 1, 'Chuyên đề', '2025-02-10 12:00:00', "
        "'2025-02-10 14:30:00', '2025-02-10 12:00:00', '2025-02-10 14:30:00', '2025-02-10', '2025-02-10' "
        "FROM organizations WHERE code LIKE '", *prefix_,
        "-%' AND code NOT LIKE '%-TO' AND MOD(CAST(SUBSTRING_INDEX(code, '-', -1) AS UNSIGNED), 2) = 1"));
  }
  static void TearDownTestSuite() {
    delete commune_;
    delete prefix_;
    ActivityTest::TearDownTestSuite();
  }

  // The names of the seeded cells with odd (or even) numbers.
  static std::set<std::string> CellNames(bool odd) {
    std::set<std::string> out;
    const int64_t first = QueryInt(absl::StrCat("SELECT MIN(id) FROM organizations WHERE code = '", *prefix_, "-1'"));
    for (int n = 1; n <= kCells; ++n) {
      if ((n % 2 == 1) != odd) continue;
      // seq inserts in order, so cell n has id first + n - 1.
      out.insert(absl::StrCat("organizations/", first + n - 1));
    }
    return out;
  }

  static v1::Organization* commune_;
  static std::string* prefix_;
};

v1::Organization* ScaleTest::commune_ = nullptr;
std::string* ScaleTest::prefix_ = nullptr;

TEST_F(ScaleTest, CellsMissingThematicMeetingOverManyCells) {
  ASSERT_EQ(QueryInt(absl::StrCat("SELECT MAX(id) - MIN(id) + 1 FROM organizations WHERE code LIKE '", *prefix_,
                                  "-%' AND code NOT LIKE '%-TO'")),
            kCells);
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListCellsMissingThematicMeetingRequest request;
  request.set_subtree_root(commune_->name());
  request.set_year(2025);
  request.set_quarter(1);
  v1::ListCellsMissingThematicMeetingResponse response;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = meetings().ListCellsMissingThematicMeeting(&ctx, request, &response);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::cout << "ListCellsMissingThematicMeeting over " << kCells << " cells: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
  EXPECT_EQ(response.cells_checked(), kCells);  // tổ đảng are no cells
  EXPECT_EQ(std::set<std::string>(response.cells().begin(), response.cells().end()), CellNames(/*odd=*/false));

  // Q2: nobody held one.
  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken());
  request.set_quarter(2);
  ASSERT_TRUE(meetings().ListCellsMissingThematicMeeting(&ctx2, request, &response).ok());
  EXPECT_EQ(response.cells_size(), kCells);
}

TEST_F(ScaleTest, SubtreeMeetingListPagesThroughEveryMeetingInOrder) {
  v1::ListMeetingsRequest request;
  request.set_parent(commune_->name());
  request.set_include_subtree(true);
  request.set_page_size(250);
  std::vector<std::string> names;
  const auto start = std::chrono::steady_clock::now();
  for (int guard = 0; guard < 20; ++guard) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListMeetingsResponse response;
    grpc::Status status = meetings().ListMeetings(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& m : response.meetings()) names.push_back(m.name());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::cout << "ListMeetings(include_subtree) over " << kCells << " cells, " << names.size() << " meetings: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
  ASSERT_EQ(names.size(), static_cast<size_t>(kCells / 2));
  // All on one day, so the order is by id: strictly increasing, no repeats.
  auto meeting_id = [](const std::string& name) { return std::stoll(name.substr(name.rfind('/') + 1)); };
  for (size_t i = 1; i < names.size(); ++i) EXPECT_LT(meeting_id(names[i - 1]), meeting_id(names[i]));
}

TEST_F(ScaleTest, SubtreeWalksAndAncestorsOverManyCells) {
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::GetSubtreeRequest request;
  request.set_name(commune_->name());
  request.set_page_size(5000);
  v1::GetSubtreeResponse response;
  ASSERT_TRUE(orgs().GetSubtree(&ctx, request, &response).ok());
  // The commune, its cells and one tổ đảng per ten cells.
  EXPECT_EQ(response.nodes_size(), 1 + kCells + kCells / 10);

  const std::string group = absl::StrCat(
      "organizations/", QueryInt(absl::StrCat("SELECT id FROM organizations WHERE code = '", *prefix_, "-10-TO'")));
  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken());
  v1::ListAncestorsRequest ancestors_request;
  ancestors_request.set_name(group);
  v1::ListAncestorsResponse ancestors;
  ASSERT_TRUE(orgs().ListAncestors(&ctx2, ancestors_request, &ancestors).ok());
  ASSERT_EQ(ancestors.ancestors_size(), 3);
  EXPECT_EQ(ancestors.ancestors(0).name(), RootName());
  EXPECT_EQ(ancestors.ancestors(1).name(), commune_->name());
  EXPECT_EQ(ancestors.ancestors(2).type(), "CHI_BO_TRUC_THUOC");
}

}  // namespace
}  // namespace grassroots::org::testing::activity
