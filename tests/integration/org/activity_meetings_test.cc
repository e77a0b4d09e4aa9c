// MeetingService through a real gRPC stub on the real database: create / get / update
// with rule findings, error paths, scope, listing with pages, the thematic-meeting
// check per quarter, and the change feed.
#include <set>

#include "tests/integration/org/activity_test_util.h"

namespace grassroots::org::testing::activity {
namespace {

class MeetingsTest : public ActivityTest {
 protected:
  // A commune committee with one chi bộ cơ sở under it, both founded in 2020.
  void SetUp() override {
    commune_ = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Tiên Châu", "COMMUNE");
    cell_ = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn Phú Lâm");
    secretary_ = SecretaryToken(IdOf(cell_.name()));
  }

  static v1::Meeting Regular(int minutes, int day = 10) {
    v1::Meeting m;
    m.set_kind(v1::MEETING_KIND_REGULAR);
    m.set_mode(v1::MEETING_MODE_IN_PERSON);
    m.set_topic("Sinh hoạt thường kỳ tháng 3");
    *m.mutable_planned_start() = LocalTime(2026, 3, day, 19, 0);
    *m.mutable_planned_end() = Plus(m.planned_start(), 90);
    *m.mutable_actual_start() = LocalTime(2026, 3, day, 19, 0);
    *m.mutable_actual_end() = Plus(m.actual_start(), minutes);
    m.set_invited_count(20);
    m.set_present_count(18);
    m.set_excused_count(2);
    return m;
  }

  static grpc::Status Create(const std::string& token, const std::string& parent, const v1::Meeting& meeting,
                             v1::Meeting* out, const std::string& request_id = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::CreateMeetingRequest request;
    request.set_parent(parent);
    *request.mutable_meeting() = meeting;
    request.set_request_id(request_id);
    return meetings().CreateMeeting(&ctx, request, out);
  }

  static grpc::Status Update(const std::string& token, const v1::Meeting& meeting,
                             std::initializer_list<const char*> paths, v1::Meeting* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::UpdateMeetingRequest request;
    *request.mutable_meeting() = meeting;
    for (const char* p : paths) request.mutable_update_mask()->add_paths(p);
    return meetings().UpdateMeeting(&ctx, request, out);
  }

  static v1::Meeting CreateOk(const std::string& parent, const v1::Meeting& meeting) {
    v1::Meeting out;
    grpc::Status status = Create(AdminToken(), parent, meeting, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::ListCellsMissingThematicMeetingResponse Missing(const std::string& root, int year, int quarter) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListCellsMissingThematicMeetingRequest request;
    request.set_subtree_root(root);
    request.set_year(year);
    request.set_quarter(quarter);
    v1::ListCellsMissingThematicMeetingResponse out;
    grpc::Status status = meetings().ListCellsMissingThematicMeeting(&ctx, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::Meeting Thematic(int month, int day, bool held = true, v1::MeetingKind kind = v1::MEETING_KIND_THEMATIC) {
    v1::Meeting m;
    m.set_kind(kind);
    m.set_mode(v1::MEETING_MODE_IN_PERSON);
    m.set_topic("Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh");
    *m.mutable_planned_start() = LocalTime(2026, month, day, 19, 0);
    *m.mutable_planned_end() = Plus(m.planned_start(), 150);
    if (held) {
      *m.mutable_actual_start() = m.planned_start();
      *m.mutable_actual_end() = m.planned_end();
    }
    m.set_invited_count(10);
    m.set_present_count(9);
    return m;
  }

  v1::Organization commune_;
  v1::Organization cell_;
  std::string secretary_;
};

TEST_F(MeetingsTest, CreateGetAndUpdateWithDurationFindings) {
  v1::Meeting created;
  grpc::Status status = Create(secretary_, cell_.name(), Regular(89), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.organization(), cell_.name());
  EXPECT_TRUE(created.name().rfind(cell_.name() + "/meetings/", 0) == 0) << created.name();
  EXPECT_FALSE(created.meets_minimum_duration());
  ASSERT_EQ(created.findings_size(), 1);
  EXPECT_EQ(created.findings(0).code(), "SHORTER_THAN_MINIMUM");
  EXPECT_EQ(created.findings(0).severity(), v1::FINDING_SEVERITY_VIOLATION);
  EXPECT_EQ(created.findings(0).rule_id(), "meeting.regular.min_duration_minutes");
  EXPECT_NE(created.findings(0).citation().find("HD 42"), std::string::npos);

  // The secretary records that the meeting in fact lasted 90 minutes.
  v1::Meeting patch;
  patch.set_name(created.name());
  patch.set_etag(created.etag());
  *patch.mutable_actual_end() = Plus(created.actual_start(), 90);
  patch.add_attendees("members/7");
  patch.add_attendees("members/3");
  v1::Meeting updated;
  status = Update(secretary_, patch, {"actual_end", "attendees"}, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(updated.meets_minimum_duration());
  EXPECT_EQ(updated.findings_size(), 0);
  EXPECT_NE(updated.etag(), created.etag());
  ASSERT_EQ(updated.attendees_size(), 2);
  EXPECT_EQ(updated.attendees(0), "members/3");
  EXPECT_EQ(updated.topic(), created.topic());  // untouched by the mask

  grpc::ClientContext ctx;
  Authorize(ctx, MemberToken(IdOf(cell_.name()), 3));
  v1::GetMeetingRequest get;
  get.set_name(created.name());
  v1::Meeting got;
  status = meetings().GetMeeting(&ctx, get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.SerializeAsString(), updated.SerializeAsString());

  // A stale etag is refused and changes nothing.
  patch.set_topic("Đổi chủ đề");
  status = Update(secretary_, patch, {"topic"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);

  std::vector<grassroots::feed::v1::Change> changes = ChangesOf("meeting", created.name());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].action(), "created");
  EXPECT_EQ(changes[1].action(), "updated");
  v1::Meeting from_feed;
  ASSERT_TRUE(changes[1].resource().UnpackTo(&from_feed));
  EXPECT_EQ(from_feed.etag(), got.etag());
}

TEST_F(MeetingsTest, CombinedMeetingNeeds120MinutesAndBeforeTheRuleThereIsNoMinimum) {
  v1::Meeting combined = Regular(119);
  combined.set_kind(v1::MEETING_KIND_REGULAR_AND_THEMATIC);
  v1::Meeting out = CreateOk(cell_.name(), combined);
  EXPECT_FALSE(out.meets_minimum_duration());
  ASSERT_EQ(out.findings_size(), 1);
  EXPECT_EQ(out.findings(0).rule_id(), "meeting.combined.min_duration_minutes");

  combined = Regular(120, 11);
  combined.set_kind(v1::MEETING_KIND_REGULAR_AND_THEMATIC);
  EXPECT_TRUE(CreateOk(cell_.name(), combined).meets_minimum_duration());

  // 27/10/2025 is the day before HD 42 took effect.
  v1::Meeting early = Regular(45);
  *early.mutable_planned_start() = LocalTime(2025, 10, 27, 19, 0);
  *early.mutable_planned_end() = Plus(early.planned_start(), 60);
  *early.mutable_actual_start() = early.planned_start();
  *early.mutable_actual_end() = Plus(early.planned_start(), 45);
  out = CreateOk(cell_.name(), early);
  EXPECT_TRUE(out.meets_minimum_duration());
  EXPECT_EQ(out.findings_size(), 0);
}

TEST_F(MeetingsTest, OnlineMeetingNeedsAnAllowedReason) {
  v1::Meeting online = Regular(90);
  online.set_mode(v1::MEETING_MODE_ONLINE);
  v1::Meeting out;
  grpc::Status status = Create(secretary_, cell_.name(), online, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "meeting.online_reason");
  online.set_online_reason("CONVENIENCE");
  status = Create(secretary_, cell_.name(), online, &out);
  EXPECT_EQ(BadField(status), "meeting.online_reason");
  online.set_online_reason("CANNOT_LEAVE_POST");
  status = Create(secretary_, cell_.name(), online, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.online_reason(), "CANNOT_LEAVE_POST");
}

TEST_F(MeetingsTest, InvalidFieldsAreNamed) {
  struct Case {
    const char* field;
    std::function<void(v1::Meeting&)> spoil;
  };
  const std::vector<Case> cases = {
      {"meeting.kind", [](v1::Meeting& m) { m.set_kind(v1::MEETING_KIND_UNSPECIFIED); }},
      {"meeting.mode", [](v1::Meeting& m) { m.set_mode(v1::MEETING_MODE_UNSPECIFIED); }},
      {"meeting.planned_end", [](v1::Meeting& m) { *m.mutable_planned_end() = Plus(m.planned_start(), -5); }},
      {"meeting.planned_start", [](v1::Meeting& m) { m.clear_planned_start(); }},
      {"meeting.actual_end", [](v1::Meeting& m) { *m.mutable_actual_end() = Plus(m.actual_start(), -1); }},
      {"meeting.excused_count", [](v1::Meeting& m) { m.set_excused_count(3); }},
      {"meeting.present_count", [](v1::Meeting& m) { m.set_present_count(21); }},
      {"meeting.attendees", [](v1::Meeting& m) { m.add_attendees("people/1"); }},
      {"meeting.party_group", [](v1::Meeting& m) { m.set_party_group("organizations/abc"); }},
      {"meeting.organization", [](v1::Meeting& m) { m.set_organization("organizations/1"); }},
  };
  for (const Case& c : cases) {
    v1::Meeting m = Regular(90);
    c.spoil(m);
    v1::Meeting out;
    grpc::Status status = Create(AdminToken(), cell_.name(), m, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(BadField(status), c.field) << status.error_message();
  }
  v1::Meeting out;
  grpc::Status status = Create(AdminToken(), "cells/1", Regular(90), &out);
  EXPECT_EQ(BadField(status), "parent");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM meetings WHERE organization_id = " +
                     std::to_string(IdOf(cell_.name()))),
            0);
}

TEST_F(MeetingsTest, NotFoundInactiveAndOutOfScope) {
  v1::Meeting out;
  grpc::Status status = Create(AdminToken(), "organizations/987654321", Regular(90), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // Another cell's secretary may neither write nor read this cell's meetings.
  v1::Organization other = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn Bình Hòa");
  const std::string other_secretary = SecretaryToken(IdOf(other.name()));
  status = Create(other_secretary, cell_.name(), Regular(90), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::Meeting created = CreateOk(cell_.name(), Regular(90));
  grpc::ClientContext ctx;
  Authorize(ctx, other_secretary);
  v1::GetMeetingRequest get;
  get.set_name(created.name());
  status = meetings().GetMeeting(&ctx, get, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken());
  get.set_name(cell_.name() + "/meetings/987654321");
  status = meetings().GetMeeting(&ctx2, get, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // A meeting the other cell "owns" is not found under this cell's name.
  grpc::ClientContext ctx3;
  Authorize(ctx3, AdminToken());
  get.set_name(other.name() + "/meetings/" + created.name().substr(created.name().rfind('/') + 1));
  status = meetings().GetMeeting(&ctx3, get, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // A meeting before the cell was founded.
  v1::Meeting early = Regular(90);
  *early.mutable_planned_start() = LocalTime(2019, 3, 10, 19, 0);
  *early.mutable_planned_end() = Plus(early.planned_start(), 90);
  early.clear_actual_start();
  early.clear_actual_end();
  status = Create(AdminToken(), cell_.name(), early, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  // A meeting after the cell was dissolved.
  Dissolve(other.name(), "2026-01-01");
  status = Create(AdminToken(), other.name(), Regular(90), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "ORGANIZATION_NOT_ACTIVE");

  // No token at all.
  status = Create("", cell_.name(), Regular(90), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(MeetingsTest, PartyGroupMeetings) {
  v1::Organization group = CreateOrg("TO_DANG", cell_.name(), "Tổ đảng số 1");
  v1::Organization other_cell = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn Lạc Câu");
  v1::Organization other_group = CreateOrg("TO_DANG", other_cell.name(), "Tổ đảng số 2");

  v1::Meeting m = Regular(60);
  m.set_kind(v1::MEETING_KIND_PARTY_GROUP);
  v1::Meeting out;
  grpc::Status status = Create(secretary_, cell_.name(), m, &out);
  EXPECT_EQ(BadField(status), "meeting.party_group");  // missing
  m.set_party_group(other_group.name());
  status = Create(secretary_, cell_.name(), m, &out);
  EXPECT_EQ(BadField(status), "meeting.party_group");  // another cell's group
  m.set_party_group(other_cell.name());
  status = Create(AdminToken(), commune_.name(), m, &out);
  EXPECT_EQ(BadField(status), "meeting.party_group");  // not a tổ đảng
  m.set_party_group(group.name());
  status = Create(secretary_, cell_.name(), m, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.party_group(), group.name());
  EXPECT_TRUE(out.meets_minimum_duration());  // no minimum for party-group meetings

  v1::Meeting regular = Regular(90);
  regular.set_party_group(group.name());
  status = Create(secretary_, cell_.name(), regular, &out);
  EXPECT_EQ(BadField(status), "meeting.party_group");
}

TEST_F(MeetingsTest, IdempotentCreate) {
  v1::Meeting first, second;
  ASSERT_TRUE(Create(secretary_, cell_.name(), Regular(90), &first, "meeting-req-1").ok());
  ASSERT_TRUE(Create(secretary_, cell_.name(), Regular(90), &second, "meeting-req-1").ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM meetings WHERE organization_id = " +
                     std::to_string(IdOf(cell_.name()))),
            1);
  v1::Meeting different = Regular(95);
  grpc::Status status = Create(secretary_, cell_.name(), different, &second, "meeting-req-1");
  EXPECT_EQ(BadField(status), "request_id");
}

TEST_F(MeetingsTest, ListWithSubtreeKindDatesAndPages) {
  v1::Organization partial = CreateOrg("DANG_BO_CO_SO", commune_.name(), "Đảng bộ trường THCS");
  v1::Organization sub_cell = CreateOrg("CHI_BO_TRUC_THUOC", partial.name(), "Chi bộ giáo viên");
  CreateOk(cell_.name(), Regular(90, 5));
  CreateOk(cell_.name(), Thematic(3, 20));
  CreateOk(sub_cell.name(), Regular(90, 12));
  CreateOk(sub_cell.name(), Thematic(5, 2));

  auto list = [&](v1::ListMeetingsRequest request) {
    std::vector<std::string> topics_dates;
    std::vector<v1::Meeting> all;
    for (int guard = 0; guard < 20; ++guard) {
      grpc::ClientContext ctx;
      Authorize(ctx, AdminToken());
      v1::ListMeetingsResponse response;
      grpc::Status status = meetings().ListMeetings(&ctx, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& m : response.meetings()) all.push_back(m);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return all;
  };

  v1::ListMeetingsRequest request;
  request.set_parent(commune_.name());
  request.set_include_subtree(true);
  request.set_page_size(1);
  std::vector<v1::Meeting> all = list(request);
  ASSERT_EQ(all.size(), 4u);
  // Chronological: 5/3, 12/3, 20/3, 2/5.
  EXPECT_EQ(all[0].organization(), cell_.name());
  EXPECT_EQ(all[1].organization(), sub_cell.name());
  EXPECT_EQ(all[2].kind(), v1::MEETING_KIND_THEMATIC);
  EXPECT_EQ(all[3].organization(), sub_cell.name());

  request.set_include_subtree(false);
  EXPECT_EQ(list(request).size(), 0u);  // the commune itself held none
  request.set_parent(cell_.name());
  EXPECT_EQ(list(request).size(), 2u);

  request.set_parent(commune_.name());
  request.set_include_subtree(true);
  request.set_kind(v1::MEETING_KIND_THEMATIC);
  EXPECT_EQ(list(request).size(), 2u);
  request.set_kind(v1::MEETING_KIND_UNSPECIFIED);
  request.set_from_date("2026-03-10");
  request.set_to_date("2026-03-31");
  EXPECT_EQ(list(request).size(), 2u);

  // A token is tied to its query.
  request.set_page_size(1);
  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListMeetingsResponse first;
  ASSERT_TRUE(meetings().ListMeetings(&ctx, request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  request.set_kind(v1::MEETING_KIND_REGULAR);
  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken());
  grpc::Status status = meetings().ListMeetings(&ctx2, request, &first);
  EXPECT_EQ(BadField(status), "page_token");

  v1::ListMeetingsRequest bad;
  bad.set_parent(commune_.name());
  bad.set_from_date("2026-04-01");
  bad.set_to_date("2026-03-01");
  grpc::ClientContext ctx3;
  Authorize(ctx3, AdminToken());
  EXPECT_EQ(BadField(meetings().ListMeetings(&ctx3, bad, &first)), "to_date");

  // A cell secretary cannot list the whole commune.
  v1::ListMeetingsRequest scoped;
  scoped.set_parent(commune_.name());
  grpc::ClientContext ctx4;
  Authorize(ctx4, secretary_);
  EXPECT_EQ(meetings().ListMeetings(&ctx4, scoped, &first).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(MeetingsTest, CellsMissingThematicMeetingPerQuarter) {
  // cell_: thematic in Q1 only. steady: thematic in Q1, combined meeting in Q2.
  // planned_only: a thematic meeting planned in Q2 but never held. late: founded mid-Q2.
  // gone: dissolved 1/5/2026. A đảng bộ cơ sở is no cell, but its chi bộ trực thuộc is.
  v1::Organization steady = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn An Phú");
  v1::Organization planned_only = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn Tân An");
  v1::Organization late = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn mới", "", "2026-05-10");
  v1::Organization gone = CreateOrg("CHI_BO_CO_SO", commune_.name(), "Chi bộ thôn Giải Thể");
  v1::Organization school = CreateOrg("DANG_BO_CO_SO", commune_.name(), "Đảng bộ trường THPT");
  v1::Organization teachers = CreateOrg("CHI_BO_TRUC_THUOC", school.name(), "Chi bộ giáo viên");

  CreateOk(cell_.name(), Thematic(2, 14));
  CreateOk(cell_.name(), Regular(90, 15));  // regular meetings do not count
  CreateOk(steady.name(), Thematic(3, 31));
  CreateOk(steady.name(), Thematic(6, 30, true, v1::MEETING_KIND_REGULAR_AND_THEMATIC));
  CreateOk(planned_only.name(), Thematic(6, 5, /*held=*/false));
  CreateOk(gone.name(), Thematic(4, 20));
  CreateOk(teachers.name(), Thematic(7, 1));  // Q3, not Q2
  Dissolve(gone.name(), "2026-05-01");

  v1::ListCellsMissingThematicMeetingResponse q2 = Missing(commune_.name(), 2026, 2);
  EXPECT_EQ(q2.cells_checked(), 4);  // cell_, steady, planned_only, teachers
  std::set<std::string> missing(q2.cells().begin(), q2.cells().end());
  EXPECT_EQ(missing, (std::set<std::string>{cell_.name(), planned_only.name(), teachers.name()}));

  v1::ListCellsMissingThematicMeetingResponse q1 = Missing(commune_.name(), 2026, 1);
  EXPECT_EQ(q1.cells_checked(), 5);  // and gone, which existed through Q1
  missing = std::set<std::string>(q1.cells().begin(), q1.cells().end());
  EXPECT_EQ(missing, (std::set<std::string>{planned_only.name(), gone.name(), teachers.name()}));

  // Scoped to the school: only its cell.
  v1::ListCellsMissingThematicMeetingResponse school_q2 = Missing(school.name(), 2026, 2);
  EXPECT_EQ(school_q2.cells_checked(), 1);
  ASSERT_EQ(school_q2.cells_size(), 1);
  EXPECT_EQ(school_q2.cells(0), teachers.name());

  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::ListCellsMissingThematicMeetingRequest bad;
  bad.set_subtree_root(commune_.name());
  bad.set_year(2026);
  bad.set_quarter(5);
  v1::ListCellsMissingThematicMeetingResponse out;
  EXPECT_EQ(BadField(meetings().ListCellsMissingThematicMeeting(&ctx, bad, &out)), "quarter");

  grpc::ClientContext ctx2;
  Authorize(ctx2, secretary_);
  bad.set_quarter(2);
  EXPECT_EQ(meetings().ListCellsMissingThematicMeeting(&ctx2, bad, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace grassroots::org::testing::activity
