// The route table over the real protos: every public RPC has a route, the
// rules are servable, and lookups pick the most specific rule.
#include "services/gateway/domain/route_table.h"

#include <set>

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace grassroots::gateway {
namespace {

const RouteTable& Table() {
  static const RouteTable* table = [] {
    absl::StatusOr<RouteTable> built = RouteTable::Build(LinkedServices("grassroots."));
    EXPECT_TRUE(built.ok()) << built.status();
    return new RouteTable(*std::move(built));
  }();
  return *table;
}

TEST(RouteTableTest, EveryPublicRpcHasARoute) {
  std::set<std::string> unrouted;
  for (const auto* method : Table().unrouted()) unrouted.insert(method->full_name());
  // The change feed is the services' replication protocol, not a portal API.
  EXPECT_EQ(unrouted, (std::set<std::string>{"grassroots.feed.v1.ChangeFeedService.GetFeedHead",
                                             "grassroots.feed.v1.ChangeFeedService.StreamChanges"}));
  EXPECT_GT(Table().routes().size(), 140u);
  RouteTable::Lookup import = Table().Find("POST", "/v1/members:import");
  ASSERT_TRUE(import.match);
  EXPECT_TRUE(import.match->route->method->client_streaming());
}

TEST(RouteTableTest, FindsTheMethodAndBindsTheName) {
  RouteTable::Lookup get = Table().Find("GET", "/v1/organizations/42");
  ASSERT_TRUE(get.match);
  EXPECT_EQ(get.match->route->method->full_name(), "grassroots.org.v1.OrganizationService.GetOrganization");
  EXPECT_EQ(get.match->bindings, (PathBindings{{"name", "organizations/42"}}));

  // The custom method wins over the plain Get whose variable would take ":ancestors".
  RouteTable::Lookup ancestors = Table().Find("GET", "/v1/organizations/42:ancestors");
  ASSERT_TRUE(ancestors.match);
  EXPECT_EQ(ancestors.match->route->method->name(), "ListAncestors");

  RouteTable::Lookup expel = Table().Find("POST", "/v1/members/7:expel");
  ASSERT_TRUE(expel.match);
  EXPECT_EQ(expel.match->route->method->name(), "ExpelMember");
  EXPECT_EQ(expel.match->route->body, "*");
}

TEST(RouteTableTest, TellsAWrongMethodFromAnUnknownPath) {
  RouteTable::Lookup wrong = Table().Find("DELETE", "/v1/organizations/42");
  EXPECT_FALSE(wrong.match);
  EXPECT_EQ(wrong.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
  RouteTable::Lookup unknown = Table().Find("GET", "/v1/nothing/here");
  EXPECT_FALSE(unknown.match);
  EXPECT_TRUE(unknown.allowed_methods.empty());
}

TEST(RouteTableTest, NoTwoRulesOfOneMethodMatchTheSameUrl) {
  // Build already refuses identical shapes; here every route's own example URL
  // must come back to that route, so no more specific rule shadows it.
  for (const Route& route : Table().routes()) {
    std::string url = route.path.OpenApiPath();
    for (const auto& parameter : route.path.OpenApiParameters()) {
      url.replace(url.find("{" + parameter.name + "}"), parameter.name.size() + 2, "9");
    }
    RouteTable::Lookup lookup = Table().Find(route.http_method, url);
    ASSERT_TRUE(lookup.match) << route.http_method << " " << url;
    EXPECT_EQ(lookup.match->route, &route) << route.http_method << " " << url << " went to "
                                           << lookup.match->route->method->full_name();
  }
}

TEST(RouteTableTest, ReadsUseGetAndCarryNoBody) {
  for (const Route& route : Table().routes()) {
    if (route.http_method == "GET") {
      EXPECT_TRUE(route.body.empty()) << route.method->full_name();
    }
    EXPECT_TRUE(absl::StartsWith(route.path.text(), "/v1/")) << route.path.text();
  }
}

TEST(FindFieldPathTest, WalksSingularMessages) {
  const auto* request = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      "grassroots.reporting.v1.GetScorecardRequest");
  ASSERT_NE(request, nullptr);
  const auto* field = FindFieldPath(*request, "scope.organization");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->name(), "organization");
  EXPECT_EQ(FindFieldPath(*request, "scope.nothing"), nullptr);
  EXPECT_EQ(FindFieldPath(*request, "scope.organization.deeper"), nullptr);
}

}  // namespace
}  // namespace grassroots::gateway
