#include "services/cli/generic_call.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grassroots/feed/v1/change_feed.pb.h"
#include "grassroots/org/v1/meeting.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/cli/render.h"

namespace grassroots::cli {
namespace {

namespace v1 = ::grassroots::org::v1;

TEST(FindMethod, AcceptsShortQualifiedAndPathForms) {
  for (const char* spec : {"OrganizationService.GetOrganization", "grassroots.org.v1.OrganizationService.GetOrganization",
                           "/grassroots.org.v1.OrganizationService/GetOrganization"}) {
    auto method = FindMethod(spec);
    ASSERT_TRUE(method.ok()) << spec << ": " << method.status();
    EXPECT_EQ((*method)->full_name(), "grassroots.org.v1.OrganizationService.GetOrganization");
    EXPECT_EQ(MethodPath(**method), "/grassroots.org.v1.OrganizationService/GetOrganization");
  }
}

TEST(FindMethod, ExplainsWhatIsUnknown) {
  auto no_service = FindMethod("NoSuchService.Get");
  ASSERT_EQ(no_service.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(no_service.status().message().find("grassroots.org.v1.OrganizationService"), absl::string_view::npos);

  auto no_method = FindMethod("OrganizationService.Frobnicate");
  ASSERT_EQ(no_method.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(no_method.status().message().find("GetSubtree"), absl::string_view::npos);

  EXPECT_EQ(FindMethod("GetOrganization").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GrassrootsServices, ListsTheLinkedServices) {
  std::vector<std::string> names;
  for (const auto* service : GrassrootsServices()) names.push_back(service->full_name());
  EXPECT_NE(std::find(names.begin(), names.end(), "grassroots.org.v1.MeetingService"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grassroots.feed.v1.ChangeFeedService"), names.end());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(RequestFromJson, BuildsTheMethodsRequestType) {
  auto method = FindMethod("OrganizationService.CreateOrganization");
  ASSERT_TRUE(method.ok());
  auto request = RequestFromJson(**method, R"({
      "organization": {"code": "X-1", "display_name": "Chi bộ thôn 1", "type": "CHI_BO_TRUC_THUOC",
                       "parent": "organizations/4"},
      "effectiveDate": "2024-01-02",
      "request_id": "abc"})");
  ASSERT_TRUE(request.ok()) << request.status();
  v1::CreateOrganizationRequest expected;
  expected.mutable_organization()->set_code("X-1");
  expected.mutable_organization()->set_display_name("Chi bộ thôn 1");
  expected.mutable_organization()->set_type("CHI_BO_TRUC_THUOC");
  expected.mutable_organization()->set_parent("organizations/4");
  expected.set_effective_date("2024-01-02");
  expected.set_request_id("abc");
  v1::CreateOrganizationRequest actual;
  ASSERT_TRUE(actual.ParseFromString((*request)->SerializeAsString()));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(expected, actual)) << actual.DebugString();
}

TEST(RequestFromJson, EnumsTimestampsAndEmptyInput) {
  auto method = FindMethod("MeetingService.CreateMeeting");
  ASSERT_TRUE(method.ok());
  auto request = RequestFromJson(**method, R"({"parent": "organizations/9", "meeting": {
      "kind": "MEETING_KIND_THEMATIC", "planned_start": "2024-03-05T01:00:00Z"}})");
  ASSERT_TRUE(request.ok()) << request.status();
  v1::CreateMeetingRequest actual;
  ASSERT_TRUE(actual.ParseFromString((*request)->SerializeAsString()));
  EXPECT_EQ(actual.meeting().kind(), v1::MEETING_KIND_THEMATIC);
  EXPECT_EQ(actual.meeting().planned_start().seconds(), 1709600400);

  auto empty = RequestFromJson(**method, "  ");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->ByteSizeLong(), 0u);
}

TEST(RequestFromJson, RefusesWhatDoesNotFit) {
  auto method = FindMethod("OrganizationService.GetOrganization");
  ASSERT_TRUE(method.ok());
  EXPECT_EQ(RequestFromJson(**method, R"({"nmae": "organizations/1"})").status().code(),
            absl::StatusCode::kInvalidArgument);  // misspelled field
  EXPECT_EQ(RequestFromJson(**method, R"({"name": 5)").status().code(), absl::StatusCode::kInvalidArgument);
  auto bad_enum = FindMethod("MeetingService.CreateMeeting");
  EXPECT_EQ(RequestFromJson(**bad_enum, R"({"meeting": {"kind": "MONTHLY"}})").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ResponseJson, RoundTripsThroughTheDescriptorPool) {
  auto method = FindMethod("OrganizationService.GetOrganization");
  ASSERT_TRUE(method.ok());
  std::unique_ptr<google::protobuf::Message> response = NewResponse(**method);
  v1::Organization org;
  org.set_name("organizations/7");
  org.set_display_name("Đảng bộ xã Lộc Vĩnh");
  org.set_state(v1::ORGANIZATION_STATE_MERGED);
  org.set_is_grassroots(true);
  ASSERT_TRUE(response->ParseFromString(org.SerializeAsString()));
  std::string json = ToJson(*response, /*pretty=*/false);
  EXPECT_EQ(json, R"({"name":"organizations/7","display_name":"Đảng bộ xã Lộc Vĩnh",)"
                  R"("state":"ORGANIZATION_STATE_MERGED","is_grassroots":true})");
}

TEST(DescribeStatus, PrintsFieldViolationsAndReason) {
  google::rpc::Status details;
  details.set_code(3);
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("organization.code");
  violation->set_description("must not be empty");
  details.add_details()->PackFrom(bad_request);
  google::rpc::ErrorInfo info;
  info.set_reason("ORGANIZATION_ENDED");
  info.set_domain("grassroots");
  (*info.mutable_metadata())["organization"] = "organizations/3";
  details.add_details()->PackFrom(info);
  grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT, "bad request", details.SerializeAsString());
  EXPECT_EQ(DescribeStatus(status),
            "INVALID_ARGUMENT: bad request\n"
            "  field organization.code: must not be empty\n"
            "  reason: ORGANIZATION_ENDED (grassroots)\n"
            "  organization: organizations/3");
  EXPECT_EQ(DescribeStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")), "UNAVAILABLE: down");
}

}  // namespace
}  // namespace grassroots::cli
