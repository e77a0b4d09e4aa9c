// The OpenAPI document over the real protos: one operation per route, paths
// and parameters as the gateway serves them, schemas in the canonical JSON
// mapping, field behaviours, NDJSON streams, comments as descriptions, and the
// document compiled into the gateway is the one these routes give.
#include "services/gateway/openapi/openapi_document.h"

#include <set>

#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/gateway/openapi/embedded_openapi.h"
#include "services/gateway/openapi/proto_comments.h"

namespace grassroots::gateway {
namespace {
namespace pb = google::protobuf;
using nlohmann::json;

const RouteTable& Table() {
  static const RouteTable* table = [] {
    absl::StatusOr<RouteTable> built = RouteTable::Build(LinkedServices("grassroots."));
    EXPECT_TRUE(built.ok()) << built.status();
    return new RouteTable(*std::move(built));
  }();
  return *table;
}

json Document(const ProtoComments& comments = ProtoComments()) {
  absl::StatusOr<json> document = BuildOpenApiDocument(Table(), comments, "1.2.3");
  EXPECT_TRUE(document.ok()) << document.status();
  return document.ok() ? *document : json::object();
}

const json& Schema(const json& document, const std::string& name) {
  return document.at("components").at("schemas").at(name);
}

// The parameter of an operation by name and location; null when absent.
json Parameter(const json& operation, std::string_view name, std::string_view in) {
  for (const json& parameter : operation.value("parameters", json::array())) {
    if (parameter.at("name") == name && parameter.at("in") == in) return parameter;
  }
  return nullptr;
}

bool Contains(const json& array, std::string_view value) {
  for (const json& item : array) {
    if (item == value) return true;
  }
  return false;
}

TEST(OpenApiDocumentTest, EveryRouteHasOneOperationWithAUniqueId) {
  const json document = Document();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  EXPECT_EQ(document.at("info").at("version"), "1.2.3");
  EXPECT_EQ(document.at("components").at("securitySchemes").at("bearerAuth").at("bearerFormat"), "JWT");
  std::set<std::string> operation_ids;
  size_t operations = 0;
  for (const Route& route : Table().routes()) {
    const std::string path = route.path.OpenApiPath();
    const std::string verb = absl::AsciiStrToLower(route.http_method);
    ASSERT_TRUE(document.at("paths").contains(path)) << path;
    ASSERT_TRUE(document.at("paths").at(path).contains(verb)) << route.http_method << " " << path;
    const json& operation = document.at("paths").at(path).at(verb);
    EXPECT_TRUE(operation_ids.insert(operation.at("operationId")).second) << operation.at("operationId");
    EXPECT_EQ(operation.at("tags"), json::array({route.method->service()->name()}));
    EXPECT_TRUE(operation.at("responses").contains("default")) << path;
  }
  for (const auto& [path, item] : document.at("paths").items()) operations += item.size();
  EXPECT_EQ(operations, Table().routes().size());
  EXPECT_TRUE(operation_ids.contains("OrganizationService_GetOrganization"));
}

TEST(OpenApiDocumentTest, GetOrganizationHasItsPathParameterAndCaching) {
  const json document = Document();
  const json& get = document.at("paths").at("/v1/organizations/{organization}").at("get");
  EXPECT_EQ(get.at("operationId"), "OrganizationService_GetOrganization");
  const json organization = Parameter(get, "organization", "path");
  ASSERT_FALSE(organization.is_null()) << get.dump(2);
  EXPECT_EQ(organization.at("required"), true);
  EXPECT_EQ(organization.at("schema").at("type"), "string");
  EXPECT_NE(organization.at("description").get<std::string>().find("`name`"), std::string::npos);
  // The rest of the request comes from the query string, in lowerCamelCase.
  EXPECT_FALSE(Parameter(get, "asOfDate", "query").is_null());
  EXPECT_TRUE(Parameter(get, "name", "query").is_null());
  EXPECT_FALSE(Parameter(get, "If-None-Match", "header").is_null());
  EXPECT_TRUE(get.at("responses").contains("304"));
  EXPECT_EQ(get.at("responses").at("200").at("content").at("application/json").at("schema").at("$ref"),
            "#/components/schemas/grassroots.org.v1.Organization");
  // The custom method on the same resource has a path of its own.
  EXPECT_TRUE(document.at("paths").at("/v1/organizations/{organization}:move").contains("post"));
}

TEST(OpenApiDocumentTest, QueryParametersFlattenNestedMessagesAndSkipPathFields) {
  const json document = Document();
  const json& list = document.at("paths").at("/v1/organizations").at("get");
  EXPECT_EQ(Parameter(list, "pageSize", "query").at("schema"), (json{{"type", "integer"}, {"format", "int32"}}));
  EXPECT_EQ(Parameter(list, "state", "query").at("schema").at("$ref"),
            "#/components/schemas/grassroots.org.v1.OrganizationState");
  EXPECT_EQ(Parameter(list, "includeEnded", "query").at("schema").at("type"), "boolean");

  // scope.organization is in the path; the scope's other fields are dotted query parameters.
  const json& scorecard = document.at("paths").at("/v1/organizations/{organization}/scorecard").at("get");
  EXPECT_FALSE(Parameter(scorecard, "organization", "path").is_null());
  EXPECT_FALSE(Parameter(scorecard, "scope.year", "query").is_null());
  EXPECT_FALSE(Parameter(scorecard, "scope.asOfDate", "query").is_null());
  EXPECT_TRUE(Parameter(scorecard, "scope.organization", "query").is_null());

  // A body "*" takes every field from the body: no query parameters.
  const json& create = document.at("paths").at("/v1/organizations").at("post");
  for (const json& parameter : create.value("parameters", json::array())) EXPECT_NE(parameter.at("in"), "query");
  EXPECT_EQ(create.at("requestBody").at("required"), true);
  EXPECT_EQ(create.at("requestBody").at("content").at("application/json").at("schema").at("$ref"),
            "#/components/schemas/grassroots.org.v1.CreateOrganizationRequest");
}

TEST(OpenApiDocumentTest, RequiredOnlyWhereNoResponseCarriesTheMessage) {
  const json document = Document();
  // A request-only message lists its REQUIRED fields...
  EXPECT_TRUE(Contains(Schema(document, "grassroots.org.v1.CreateOrganizationRequest").at("required"), "organization"));
  const json& rename = Schema(document, "grassroots.org.v1.RenameOrganizationRequest");
  EXPECT_TRUE(Contains(rename.at("required"), "newDisplayName"));
  // ...but not one the path sets (the path's value wins over the body's).
  EXPECT_FALSE(Contains(rename.at("required"), "name"));
  // Organization is in responses, where canonical JSON leaves default values out.
  EXPECT_FALSE(Schema(document, "grassroots.org.v1.Organization").contains("required"));
}

TEST(OpenApiDocumentTest, SchemasFollowTheCanonicalJsonMapping) {
  const json document = Document();
  const json& organization = Schema(document, "grassroots.org.v1.Organization");
  EXPECT_EQ(organization.at("type"), "object");
  const json& properties = organization.at("properties");
  EXPECT_TRUE(properties.contains("displayName"));  // json_name, not display_name
  EXPECT_EQ(properties.at("level").at("readOnly"), true);  // OUTPUT_ONLY
  EXPECT_FALSE(properties.at("code").contains("readOnly"));
  EXPECT_EQ(properties.at("createTime").at("type"), "string");
  EXPECT_EQ(properties.at("createTime").at("format"), "date-time");
  EXPECT_EQ(properties.at("state").at("$ref"), "#/components/schemas/grassroots.org.v1.OrganizationState");

  const json& state = Schema(document, "grassroots.org.v1.OrganizationState");
  EXPECT_EQ(state.at("type"), "string");
  EXPECT_TRUE(Contains(state.at("enum"), "ORGANIZATION_STATE_ACTIVE"));

  // int64 is a decimal string in canonical JSON.
  const json& numerator = Schema(document, "grassroots.reporting.v1.IndicatorResult").at("properties").at("numerator");
  EXPECT_EQ(numerator.at("type"), "string");
  EXPECT_EQ(numerator.at("format"), "int64");
  EXPECT_EQ(numerator.at("pattern"), "^-?[0-9]+$");

  // A map is an object of its values; a FieldMask is a string.
  const json& split = Schema(document, "grassroots.org.v1.SplitOrganizationRequest").at("properties");
  EXPECT_EQ(split.at("childAssignments").at("type"), "object");
  EXPECT_EQ(split.at("childAssignments").at("additionalProperties").at("format"), "int32");
  EXPECT_EQ(Schema(document, "grassroots.org.v1.UpdateOrganizationRequest").at("properties").at("updateMask").at("type"),
            "string");

  // Errors: google.rpc.Status, whose details are Any objects with "@type".
  const json& status = Schema(document, "google.rpc.Status").at("properties");
  EXPECT_EQ(status.at("code").at("type"), "integer");
  EXPECT_EQ(status.at("message").at("type"), "string");
  EXPECT_EQ(status.at("details").at("type"), "array");
  EXPECT_TRUE(status.at("details").at("items").at("properties").contains("@type"));

  // Every $ref names a schema of the document.
  std::vector<const json*> pending = {&document};
  while (!pending.empty()) {
    const json& node = *pending.back();
    pending.pop_back();
    if (node.is_object() && node.contains("$ref")) {
      const std::string ref = node.at("$ref");
      ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
      EXPECT_TRUE(document.at("components").at("schemas").contains(ref.substr(21))) << ref;
    }
    if (node.is_structured()) {
      for (const json& child : node) pending.push_back(&child);
    }
  }
}

TEST(OpenApiDocumentTest, ServerStreamsAreNdjson) {
  const json document = Document();
  for (const auto& [path, verb] : {std::pair<std::string, std::string>{"/v1/scorecards:export", "post"},
                                   {"/v1/statistics:export", "get"}}) {
    const json& operation = document.at("paths").at(path).at(verb);
    EXPECT_EQ(operation.at("tags"), json::array({"ExportService"}));
    const json& ok = operation.at("responses").at("200").at("content");
    ASSERT_TRUE(ok.contains("application/x-ndjson")) << path;
    EXPECT_FALSE(ok.contains("application/json"));
    const json& line = ok.at("application/x-ndjson").at("schema").at("properties");
    EXPECT_EQ(line.at("result").at("$ref"), "#/components/schemas/grassroots.reporting.v1.ExportChunk");
    EXPECT_EQ(line.at("error").at("$ref"), "#/components/schemas/google.rpc.Status");
    // A stream is never answered 304.
    EXPECT_FALSE(operation.at("responses").contains("304")) << path;
  }
  // A client stream uploads NDJSON too.
  const json& import = document.at("paths").at("/v1/members:import").at("post");
  EXPECT_TRUE(import.at("requestBody").at("content").contains("application/x-ndjson"));
  EXPECT_TRUE(import.at("responses").at("200").at("content").contains("application/x-ndjson"));
}

// A FileDescriptorSet with source info as protoc writes it, made by hand: the
// organization proto with a comment on a method, a field and an enum value.
pb::FileDescriptorSet OrganizationWithComments() {
  pb::FileDescriptorSet files;
  pb::FileDescriptorProto& file = *files.add_file();
  grassroots::org::v1::Organization::descriptor()->file()->CopyTo(&file);
  auto comment = [&file](std::vector<int> path, std::string_view leading, std::string_view trailing = "") {
    pb::SourceCodeInfo::Location& location = *file.mutable_source_code_info()->add_location();
    for (int step : path) location.add_path(step);
    location.set_leading_comments(std::string(leading));
    location.set_trailing_comments(std::string(trailing));
  };
  auto index_of = [](const auto& list, std::string_view name) {
    for (int i = 0; i < list.size(); ++i) {
      if (list.Get(i).name() == name) return i;
    }
    ADD_FAILURE() << name;
    return 0;
  };
  const int service = index_of(file.service(), "OrganizationService");
  const int method = index_of(file.service(service).method(), "GetOrganization");
  const int message = index_of(file.message_type(), "Organization");
  const int field = index_of(file.message_type(message).field(), "level");
  const int state = index_of(file.enum_type(), "OrganizationState");
  comment({6, service, 2, method}, " Gets an organization. As it stood on a date.\n Second line.\n");
  comment({4, message, 2, field}, "", " The level, by trailing comment.\n");
  comment({4, message, 2, field, 5}, " (the field's type: not an element)\n");
  comment({5, state, 2, 1}, " In force.\n");
  comment({2}, " Organization structure.\n");  // the package line: what the file is about
  return files;
}

TEST(OpenApiDocumentTest, CommentsBecomeSummariesAndDescriptions) {
  const ProtoComments comments(OrganizationWithComments());
  EXPECT_EQ(comments.Of("grassroots.org.v1.OrganizationService.GetOrganization"),
            "Gets an organization. As it stood on a date.\nSecond line.");
  EXPECT_EQ(comments.Of("grassroots.org.v1.Organization.level"), "The level, by trailing comment.");
  EXPECT_EQ(comments.Of("grassroots.org.v1.ORGANIZATION_STATE_ACTIVE"), "In force.");
  EXPECT_EQ(comments.size(), 3u);
  EXPECT_EQ(comments.OfFile("grassroots/org/v1/organization.proto"), "Organization structure.");

  const json document = Document(comments);
  const json& get = document.at("paths").at("/v1/organizations/{organization}").at("get");
  EXPECT_EQ(get.at("summary"), "Gets an organization.");
  EXPECT_EQ(get.at("description"), "Gets an organization. As it stood on a date.\nSecond line.");
  EXPECT_EQ(Schema(document, "grassroots.org.v1.Organization").at("properties").at("level").at("description"),
            "The level, by trailing comment.");
  // A service without a comment of its own is described by its file's.
  bool tagged = false;
  for (const json& tag : document.at("tags")) {
    if (tag.at("name") != "OrganizationService") continue;
    tagged = true;
    EXPECT_EQ(tag.value("description", ""), "Organization structure.");
  }
  EXPECT_TRUE(tagged);
  EXPECT_NE(Schema(document, "grassroots.org.v1.OrganizationState").at("description").get<std::string>().find(
                "`ORGANIZATION_STATE_ACTIVE`: In force."),
            std::string::npos);
}

TEST(OpenApiDocumentTest, NestedElementsAreNamedAsProtobufNamesThem) {
  pb::FileDescriptorSet files;
  pb::FileDescriptorProto& file = *files.add_file();
  file.set_name("t.proto");
  file.set_package("t.v1");
  pb::DescriptorProto& outer = *file.add_message_type();
  outer.set_name("Outer");
  outer.add_oneof_decl()->set_name("choice");
  pb::DescriptorProto& inner = *outer.add_nested_type();
  inner.set_name("Inner");
  inner.add_field()->set_name("x");
  pb::EnumDescriptorProto& kind = *outer.add_enum_type();
  kind.set_name("Kind");
  kind.add_value()->set_name("KIND_UNSPECIFIED");
  kind.add_value()->set_name("KIND_A");
  auto comment = [&file](std::vector<int> path, std::string_view text) {
    pb::SourceCodeInfo::Location& location = *file.mutable_source_code_info()->add_location();
    for (int step : path) location.add_path(step);
    location.set_leading_comments(std::string(text));
  };
  comment({4, 0}, " Outer.\n");
  comment({4, 0, 8, 0}, " Choice.\n");
  comment({4, 0, 3, 0, 2, 0}, " X.\n");
  comment({4, 0, 4, 0}, "\n Kind.\n\n");
  comment({4, 0, 4, 0, 2, 1}, " A.\n");
  comment({4, 7}, " out of range\n");
  const ProtoComments comments(files);
  EXPECT_EQ(comments.Of("t.v1.Outer"), "Outer.");
  EXPECT_EQ(comments.Of("t.v1.Outer.choice"), "Choice.");
  EXPECT_EQ(comments.Of("t.v1.Outer.Inner.x"), "X.");
  EXPECT_EQ(comments.Of("t.v1.Outer.Kind"), "Kind.");
  EXPECT_EQ(comments.Of("t.v1.Outer.KIND_A"), "A.");
  EXPECT_EQ(comments.size(), 5u);
}

TEST(OpenApiDocumentTest, TheGatewayEmbedsTheDocumentOfItsRoutes) {
  const json embedded = json::parse(EmbeddedOpenApiDocument());
  const json built = Document();
  EXPECT_EQ(embedded.at("openapi"), "3.1.0");
  // Same operations; the embedded one also carries the comments of the protos.
  ASSERT_EQ(embedded.at("paths").size(), built.at("paths").size());
  for (const auto& [path, item] : built.at("paths").items()) {
    ASSERT_TRUE(embedded.at("paths").contains(path)) << path;
    for (const auto& [verb, operation] : item.items()) {
      EXPECT_EQ(embedded.at("paths").at(path).at(verb).at("operationId"), operation.at("operationId"));
    }
  }
  EXPECT_FALSE(embedded.at("paths").at("/v1/organizations/{organization}").at("get").value("summary", "").empty());
  EXPECT_EQ(embedded.at("components").at("schemas").size(), built.at("components").at("schemas").size());
}

}  // namespace
}  // namespace grassroots::gateway
