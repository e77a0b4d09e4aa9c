#include "services/cli/render.h"

#include <gtest/gtest.h>

#include "grassroots/org/v1/meeting.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/cli/commands.h"

namespace grassroots::cli {
namespace {

namespace v1 = ::grassroots::org::v1;

TEST(DisplayWidth, CountsTerminalCells) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("Đảng bộ"), 7u);          // precomposed letters, one cell each
  EXPECT_EQ(DisplayWidth("Nguye\xCC\x82\xCC\x83n"), 6u);  // decomposed: combining marks take no cell
  EXPECT_EQ(DisplayWidth(""), 0u);
}

TEST(Flatten, NestedMessagesEnumsTimestampsAndLists) {
  v1::Meeting meeting;
  meeting.set_name("organizations/3/meetings/9");
  meeting.set_kind(v1::MEETING_KIND_REGULAR_AND_THEMATIC);
  meeting.mutable_planned_start()->set_seconds(1709600400);
  meeting.add_attendees("members/1");
  meeting.add_attendees("members/2");
  meeting.add_findings()->set_code("SHORT");
  std::vector<std::pair<std::string, std::string>> expected = {
      {"name", "organizations/3/meetings/9"},
      {"kind", "REGULAR_AND_THEMATIC"},
      {"planned_start", "2024-03-05T01:00:00Z"},
      {"attendees", "members/1, members/2"},
      {"findings", "<1 item>"},
  };
  EXPECT_EQ(Flatten(meeting), expected);

  v1::SubtreeNode node;
  node.set_depth(2);
  node.mutable_organization()->set_code("A");
  std::vector<std::pair<std::string, std::string>> nested = {{"organization.code", "A"}, {"depth", "2"}};
  EXPECT_EQ(Flatten(node), nested);
}

TEST(ListTable, ColumnsAreTheUnionOfSetFieldsInOrder) {
  v1::ListOrganizationsResponse response;
  auto* first = response.add_organizations();
  first->set_name("organizations/1");
  first->set_code("LV");
  auto* second = response.add_organizations();
  second->set_name("organizations/2");
  second->set_sector("COMMUNE");
  second->set_state(v1::ORGANIZATION_STATE_ACTIVE);
  response.set_next_page_token("ignored");

  std::optional<Table> table = ListTable(response);
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->headers, (std::vector<std::string>{"name", "code", "sector", "state"}));
  ASSERT_EQ(table->rows.size(), 2u);
  EXPECT_EQ(table->rows[0], (std::vector<std::string>{"organizations/1", "LV", "", ""}));
  EXPECT_EQ(table->rows[1], (std::vector<std::string>{"organizations/2", "", "COMMUNE", "ACTIVE"}));

  std::optional<Table> chosen = ListTable(response, {"state", "name"});
  EXPECT_EQ(chosen->headers, (std::vector<std::string>{"state", "name"}));
  EXPECT_EQ(chosen->rows[1], (std::vector<std::string>{"ACTIVE", "organizations/2"}));

  EXPECT_FALSE(ListTable(v1::Organization()).has_value());  // not a list
}

TEST(RenderTable, AlignsVietnameseText) {
  Table table;
  table.headers = {"code", "display_name"};
  table.rows = {{"X01", "Đảng bộ xã Lộc Vĩnh"}, {"TT", "Đảng bộ thị trấn"}};
  EXPECT_EQ(RenderTable(table),
            "CODE  DISPLAY_NAME\n"
            "----  -------------------\n"
            "X01   Đảng bộ xã Lộc Vĩnh\n"
            "TT    Đảng bộ thị trấn\n");
}

TEST(RenderTable, VietnameseHeadersAreShownAsWritten) {
  Table table;
  table.headers = {"Mã", "Chỉ tiêu"};
  table.rows = {{"S1", "Quy chế làm việc"}};
  EXPECT_EQ(RenderTable(table),
            "Mã  Chỉ tiêu\n"
            "--  ----------------\n"
            "S1  Quy chế làm việc\n");
}

TEST(RecordTable, OneRowPerSetField) {
  v1::Organization org;
  org.set_name("organizations/5");
  org.set_has_elected_committee(true);
  Table table = RecordTable(org);
  EXPECT_EQ(table.headers, (std::vector<std::string>{"FIELD", "VALUE"}));
  EXPECT_EQ(table.rows, (std::vector<std::vector<std::string>>{{"name", "organizations/5"},
                                                                 {"has_elected_committee", "true"}}));
}

TEST(RenderTree, DrawsGuidesFromDepths) {
  std::vector<TreeLine> lines = {{0, "tỉnh"}, {1, "huyện"}, {2, "xã A"}, {3, "thôn 1"},
                                 {2, "xã B"}, {1, "quân sự"}};
  EXPECT_EQ(RenderTree(lines),
            "tỉnh\n"
            "├── huyện\n"
            "│   ├── xã A\n"
            "│   │   └── thôn 1\n"
            "│   └── xã B\n"
            "└── quân sự\n");
}

}  // namespace
}  // namespace grassroots::cli
