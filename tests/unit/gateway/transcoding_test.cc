// HTTP/JSON -> request messages and replies -> JSON, on the real protos.
#include "services/gateway/domain/transcoding.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/org/v1/organization.pb.h"

namespace grassroots::gateway {
namespace {

const RouteTable& Table() {
  static const RouteTable* table = new RouteTable(*RouteTable::Build(LinkedServices("grassroots.")));
  return *table;
}

struct Built {
  absl::Status status;
  std::unique_ptr<google::protobuf::Message> request;
};

template <typename Request>
Built Build(absl::string_view method, absl::string_view url, absl::string_view body = "") {
  const size_t question = url.find('?');
  RouteTable::Lookup lookup = Table().Find(method, url.substr(0, question));
  EXPECT_TRUE(lookup.match) << method << " " << url;
  Built built{.status = absl::OkStatus(), .request = std::make_unique<Request>()};
  absl::StatusOr<QueryParameters> query =
      ParseQueryString(question == absl::string_view::npos ? "" : url.substr(question + 1));
  if (!query.ok()) {
    built.status = query.status();
    return built;
  }
  built.status = BuildRequest(*lookup.match->route, lookup.match->bindings, *query, body, *built.request);
  return built;
}

TEST(TranscodingTest, QueryParametersFillScalarsEnumsAndRepeatedFields) {
  Built search = Build<membership::v1::SearchMembersRequest>(
      "GET", "/v1/members:search?query=Nguy%E1%BB%85n+V%C4%83n&statuses=MEMBER_STATUS_OFFICIAL&statuses=2&minAge=30"
             "&page_size=50&include_hosted=true&organization=organizations%2F4");
  ASSERT_TRUE(search.status.ok()) << search.status;
  const auto& request = static_cast<const membership::v1::SearchMembersRequest&>(*search.request);
  EXPECT_EQ(request.query(), "Nguyễn Văn");
  ASSERT_EQ(request.statuses_size(), 2);
  EXPECT_EQ(request.statuses(0), membership::v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(request.statuses(1), 2);
  EXPECT_EQ(request.min_age(), 30);
  EXPECT_EQ(request.page_size(), 50);
  EXPECT_TRUE(request.include_hosted());
  EXPECT_EQ(request.organization(), "organizations/4");
}

TEST(TranscodingTest, BadQueryParametersAreNamed) {
  struct Case {
    std::string url;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"/v1/members:search?page_size=many", "query parameter 'page_size': 'many' is not a 32-bit integer"},
           {"/v1/members:search?sex=ROBOT", "query parameter 'sex': 'ROBOT' is not a value of"},
           {"/v1/members:search?nickname=x", "query parameter 'nickname': no such field"},
           {"/v1/members:search?query=a&query=b", "query parameter 'query': given more than once"},
           {"/v1/members:search?query=%E1%BB", ""},  // malformed UTF-8 is the handler's to refuse
           {"/v1/members:search?query=%zz", "malformed percent escape"},
       }) {
    Built built = Build<membership::v1::SearchMembersRequest>("GET", c.url);
    if (c.expected.empty()) {
      EXPECT_TRUE(built.status.ok()) << c.url << ": " << built.status;
      continue;
    }
    EXPECT_EQ(built.status.code(), absl::StatusCode::kInvalidArgument) << c.url;
    EXPECT_NE(built.status.message().find(c.expected), std::string::npos) << c.url << ": " << built.status;
  }
}

TEST(TranscodingTest, PathVariablesWinOverTheBody) {
  Built update = Build<org::v1::UpdateOrganizationRequest>(
      "PATCH", "/v1/organizations/42",
      R"({"organization": {"name": "organizations/7", "displayName": "Chi bộ 3"}, "updateMask": "displayName"})");
  ASSERT_TRUE(update.status.ok()) << update.status;
  const auto& request = static_cast<const org::v1::UpdateOrganizationRequest&>(*update.request);
  EXPECT_EQ(request.organization().name(), "organizations/42");
  EXPECT_EQ(request.organization().display_name(), "Chi bộ 3");
  ASSERT_EQ(request.update_mask().paths_size(), 1);
  EXPECT_EQ(request.update_mask().paths(0), "display_name");
}

TEST(TranscodingTest, BodiesMustFitTheRequestAndGetTakesNone) {
  Built unknown = Build<org::v1::UpdateOrganizationRequest>("PATCH", "/v1/organizations/42", R"({"colour": "red"})");
  EXPECT_EQ(unknown.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status.message().find("the body is not JSON of grassroots.org.v1.UpdateOrganizationRequest"),
            std::string::npos)
      << unknown.status;
  Built broken = Build<org::v1::UpdateOrganizationRequest>("PATCH", "/v1/organizations/42", "{");
  EXPECT_EQ(broken.status.code(), absl::StatusCode::kInvalidArgument);
  Built get_with_body = Build<org::v1::GetOrganizationRequest>("GET", "/v1/organizations/42", R"({"name": "x"})");
  EXPECT_EQ(get_with_body.status.code(), absl::StatusCode::kInvalidArgument);
  Built query_on_body = Build<org::v1::UpdateOrganizationRequest>("PATCH", "/v1/organizations/42?x=1", "{}");
  EXPECT_NE(query_on_body.status.message().find("takes every field in the JSON body"), std::string::npos);
  Built twice = Build<org::v1::GetOrganizationRequest>("GET", "/v1/organizations/42?name=organizations%2F9");
  EXPECT_NE(twice.status.message().find("already given in the path"), std::string::npos) << twice.status;
}

TEST(TranscodingTest, RepliesUseTheCanonicalJsonMapping) {
  org::v1::Organization organization;
  organization.set_name("organizations/42");
  organization.set_display_name("Đảng bộ xã");
  EXPECT_EQ(PrintJsonMessage(organization), R"({"name":"organizations/42","displayName":"Đảng bộ xã"})");
}

TEST(TranscodingTest, StatusesMapToHttpAndKeepTheirDetails) {
  EXPECT_EQ(HttpStatusForCode(3), 400);
  EXPECT_EQ(HttpStatusForCode(5), 404);
  EXPECT_EQ(HttpStatusForCode(7), 403);
  EXPECT_EQ(HttpStatusForCode(9), 400);
  EXPECT_EQ(HttpStatusForCode(10), 409);
  EXPECT_EQ(HttpStatusForCode(14), 503);
  EXPECT_EQ(HttpStatusForCode(16), 401);
  EXPECT_EQ(HttpStatusForCode(99), 500);

  google::rpc::Status status;
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("organization.display_name");
  violation->set_description("is required");
  status.add_details()->PackFrom(bad_request);
  EXPECT_EQ(StatusJson(3, "organization.display_name is required", status.SerializeAsString()),
            R"({"code":3,"message":"organization.display_name is required","details":[{"@type":)"
            R"("type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"organization.display_name",)"
            R"("description":"is required"}]}]})");
  // A detail of a type this binary does not know is left out, not fatal.
  google::rpc::Status unknown;
  auto* any = unknown.add_details();
  any->set_type_url("type.googleapis.com/example.Unknown");
  any->set_value("\x08\x01");
  EXPECT_EQ(StatusJson(5, "gone", unknown.SerializeAsString()), R"({"code":5,"message":"gone"})");
  EXPECT_EQ(StatusJson(13, "x", "not a status"), R"({"code":13,"message":"x"})");
}

}  // namespace
}  // namespace grassroots::gateway
