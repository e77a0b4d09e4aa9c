// google.api.http path templates: parsing, matching and their OpenAPI form.
#include "services/gateway/domain/path_template.h"

#include <gtest/gtest.h>

namespace grassroots::gateway {
namespace {

PathTemplate MustParse(absl::string_view text) {
  absl::StatusOr<PathTemplate> parsed = PathTemplate::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return *parsed;
}

TEST(PathTemplateTest, BindsTheWholeResourceNameOfAPatternVariable) {
  PathTemplate get = MustParse("/v1/{name=organizations/*/meetings/*}");
  std::optional<PathBindings> bound = get.Match("/v1/organizations/4/meetings/17");
  ASSERT_TRUE(bound);
  EXPECT_EQ(*bound, (PathBindings{{"name", "organizations/4/meetings/17"}}));
  EXPECT_FALSE(get.Match("/v1/organizations/4/meetings"));
  EXPECT_FALSE(get.Match("/v1/organizations/4/committeeTerms/17"));
  EXPECT_FALSE(get.Match("/v1/organizations//meetings/17"));
  EXPECT_FALSE(get.Match("/v2/organizations/4/meetings/17"));
}

TEST(PathTemplateTest, AVerbMustBeThereAndIsNotPartOfTheValue) {
  PathTemplate move = MustParse("/v1/{name=organizations/*}:move");
  EXPECT_EQ(move.verb(), "move");
  EXPECT_EQ(*move.Match("/v1/organizations/42:move"), (PathBindings{{"name", "organizations/42"}}));
  EXPECT_FALSE(move.Match("/v1/organizations/42"));
  EXPECT_FALSE(move.Match("/v1/organizations/42:rename"));
  // Without a verb the variable takes the colon as text; the route table tries verbs first.
  PathTemplate get = MustParse("/v1/{name=organizations/*}");
  EXPECT_EQ(*get.Match("/v1/organizations/42:move"), (PathBindings{{"name", "organizations/42:move"}}));
  PathTemplate search = MustParse("/v1/members:search");
  EXPECT_TRUE(search.Match("/v1/members:search"));
  EXPECT_FALSE(search.Match("/v1/members"));
}

TEST(PathTemplateTest, DecodesPercentEscapesInValuesOnly) {
  PathTemplate get = MustParse("/v1/{scope.organization=organizations/*}/scorecard");
  EXPECT_EQ(*get.Match("/v1/organizations/a%20b/scorecard"), (PathBindings{{"scope.organization", "organizations/a b"}}));
  EXPECT_FALSE(get.Match("/v1/organizations/%zz/scorecard"));
  EXPECT_FALSE(get.Match("/v1/organizations/%4/scorecard"));
  EXPECT_FALSE(get.Match("/v1/organization%73/4/scorecard"));  // literals are compared as sent
}

TEST(PathTemplateTest, RefusesWhatTheGatewayDoesNotServe) {
  for (absl::string_view bad : {"v1/members", "/v1/{name=**}", "/v1/{name=organizations/**}", "/v1/{Name}",
                               "/v1/{name=organizations/*}/{name=members/*}", "/v1/{name", "/v1/x}", "/v1//x",
                               "/v1/{name=organizations}", "/v1/pre{name}", "/v1/x:b{a}", "/v1/a b"}) {
    EXPECT_FALSE(PathTemplate::Parse(bad).ok()) << bad;
  }
}

TEST(PathTemplateTest, OpenApiFormSpellsOutEachWildcard) {
  PathTemplate end = MustParse("/v1/{name=organizations/*/committeeTerms/*/positions/*}:end");
  EXPECT_EQ(end.OpenApiPath(), "/v1/organizations/{organization}/committeeTerms/{committeeTerm}/positions/{position}:end");
  std::vector<PathTemplate::OpenApiParameter> parameters = end.OpenApiParameters();
  ASSERT_EQ(parameters.size(), 3u);
  EXPECT_EQ(parameters[2].name, "position");
  EXPECT_EQ(parameters[2].field, "name");
  EXPECT_EQ(MustParse("/v1/cases/{case_id}").OpenApiPath(), "/v1/cases/{case_id}");
  EXPECT_EQ(MustParse("/v1/{a=x/*}/{b=x/*}").OpenApiPath(), "/v1/x/{x}/x/{x_2}");
}

TEST(PathTemplateTest, ShapeIgnoresVariableNames) {
  EXPECT_EQ(MustParse("/v1/{name=members/*}").Shape(), MustParse("/v1/{member=members/*}").Shape());
  EXPECT_NE(MustParse("/v1/{name=members/*}").Shape(), MustParse("/v1/{name=members/*}:expel").Shape());
}

TEST(PercentDecodeTest, DecodesAndRejectsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%2Fb%20c"), "a/b c");
  EXPECT_EQ(PercentDecode("%c3%a9"), "\xc3\xa9");
  EXPECT_FALSE(PercentDecode("%"));
  EXPECT_FALSE(PercentDecode("%2"));
  EXPECT_FALSE(PercentDecode("%g0"));
}

}  // namespace
}  // namespace grassroots::gateway
