#include "services/gateway/openapi/openapi_document.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/api/field_behavior.pb.h"
#include "google/rpc/status.pb.h"

namespace grassroots::gateway {
namespace pb = google::protobuf;
using nlohmann::json;
namespace {

// Debian's Abseil has a string_view of its own.
absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/x-ndjson";

constexpr char kInfoDescription[] =
    "The Grassroots gRPC services over HTTP/JSON, generated from the protos' google.api.http rules.\n\n"
    "Bodies and responses are protobuf's canonical JSON mapping: lowerCamelCase field names, 64-bit integers "
    "as strings, enums by name, timestamps as RFC 3339 strings, field masks as comma-separated paths; a field "
    "at its default value is left out of a response. Query parameters take the proto or the lowerCamelCase "
    "name of a field, dotted for a field of a nested message (`scope.organization`); a repeated field is given "
    "by repeating the parameter.\n\n"
    "Errors are a google.rpc.Status (`{\"code\", \"message\", \"details\"}`), with the HTTP status mapped from "
    "its code as google/rpc/code.proto documents. Server streams are NDJSON (`application/x-ndjson`): one "
    "`{\"result\": ...}` line per message and, when the stream fails after it began, a last `{\"error\": ...}` "
    "line. Reads (GET) carry an ETag and answer 304 to a matching If-None-Match. Every call needs "
    "`Authorization: Bearer <JWT>`.";

bool HasBehavior(const pb::FieldDescriptor& field, google::api::FieldBehavior behavior) {
  const pb::FieldOptions& options = field.options();
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    if (options.GetExtension(google::api::field_behavior, i) == behavior) return true;
  }
  return false;
}

// The first sentence of a comment, on one line: an operation's summary.
std::string FirstSentence(absl::string_view comment) {
  std::string flat = absl::StrJoin(absl::StrSplit(comment, absl::ByAnyChar(" \n\t"), absl::SkipEmpty()), " ");
  const size_t end = flat.find(". ");
  if (end != std::string::npos) flat.resize(end + 1);
  return flat;
}

json Int32Schema() { return {{"type", "integer"}, {"format", "int32"}}; }
json UInt32Schema() { return {{"type", "integer"}, {"minimum", 0}, {"maximum", 4294967295LL}}; }
json Int64Schema() { return {{"type", "string"}, {"format", "int64"}, {"pattern", "^-?[0-9]+$"}}; }
json UInt64Schema() { return {{"type", "string"}, {"format", "uint64"}, {"pattern", "^[0-9]+$"}}; }
json BytesSchema() { return {{"type", "string"}, {"contentEncoding", "base64"}}; }
json AnySchema() {
  return {{"type", "object"},
          {"properties", {{"@type", {{"type", "string"}, {"description", "The type URL of the packed message."}}}}},
          {"required", json::array({"@type"})},
          {"additionalProperties", true}};
}

// Well-known types whose JSON form is a string, a number or a boolean: they
// print as that form and can be given in a query parameter.
std::optional<json> WellKnownScalarSchema(const pb::Descriptor& type) {
  const std::string& name = type.full_name();
  if (name == "google.protobuf.Timestamp") return json{{"type", "string"}, {"format", "date-time"}};
  if (name == "google.protobuf.Duration") {
    return json{{"type", "string"}, {"pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$"}};
  }
  if (name == "google.protobuf.FieldMask") return json{{"type", "string"}};
  if (name == "google.protobuf.StringValue") return json{{"type", "string"}};
  if (name == "google.protobuf.BytesValue") return BytesSchema();
  if (name == "google.protobuf.BoolValue") return json{{"type", "boolean"}};
  if (name == "google.protobuf.DoubleValue") return json{{"type", "number"}, {"format", "double"}};
  if (name == "google.protobuf.FloatValue") return json{{"type", "number"}, {"format", "float"}};
  if (name == "google.protobuf.Int32Value") return Int32Schema();
  if (name == "google.protobuf.UInt32Value") return UInt32Schema();
  if (name == "google.protobuf.Int64Value") return Int64Schema();
  if (name == "google.protobuf.UInt64Value") return UInt64Schema();
  return std::nullopt;
}

// Every well-known type's JSON form; nullopt for a message printed as an object of its fields.
std::optional<json> WellKnownSchema(const pb::Descriptor& type) {
  if (std::optional<json> scalar = WellKnownScalarSchema(type)) return scalar;
  const std::string& name = type.full_name();
  if (name == "google.protobuf.Struct") return json{{"type", "object"}};
  if (name == "google.protobuf.Value") return json::object();  // any JSON value
  if (name == "google.protobuf.ListValue") return json{{"type", "array"}};
  if (name == "google.protobuf.Empty") return json{{"type", "object"}};
  if (name == "google.protobuf.Any") return AnySchema();
  return std::nullopt;
}

bool IsMessage(const pb::FieldDescriptor& field) { return field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE; }

// Every message a value of type can contain, type included.
void CollectReachable(const pb::Descriptor& type, std::set<const pb::Descriptor*>& reached) {
  if (!reached.insert(&type).second) return;
  for (int i = 0; i < type.field_count(); ++i) {
    if (IsMessage(*type.field(i))) CollectReachable(*type.field(i)->message_type(), reached);
  }
}

// For a path variable ("name", "scope.organization"): the OpenAPI parameters
// it was split into and the pattern it spells ("organizations/{organization}").
struct PathVariable {
  std::string field;
  std::vector<std::string> parameters;
  std::string pattern;
  int wildcards = 0;
  int segments = 0;
};

std::vector<PathVariable> PathVariables(const PathTemplate& path) {
  std::vector<PathVariable> variables(path.variables().size());
  for (size_t v = 0; v < variables.size(); ++v) variables[v].field = path.variables()[v];
  const std::vector<PathTemplate::OpenApiParameter> parameters = path.OpenApiParameters();
  size_t next = 0;
  for (const PathTemplate::Segment& segment : path.segments()) {
    if (segment.variable_index < 0) continue;
    PathVariable& variable = variables[segment.variable_index];
    std::string piece = segment.literal;
    if (segment.literal.empty()) {
      variable.parameters.push_back(parameters[next].name);
      piece = absl::StrCat("{", parameters[next++].name, "}");
      ++variable.wildcards;
    }
    absl::StrAppend(&variable.pattern, variable.segments++ == 0 ? "" : "/", piece);
  }
  return variables;
}

// The path with each parameter name erased: OpenAPI takes two paths that
// differ only in their parameters' names for the same path, which is invalid.
std::string ErasedPath(std::string_view openapi_path) {
  std::string erased;
  bool inside = false;
  for (char c : openapi_path) {
    if (c == '{') {
      inside = true;
      erased += "{}";
    } else if (c == '}') {
      inside = false;
    } else if (!inside) {
      erased += c;
    }
  }
  return erased;
}

class DocumentBuilder {
 public:
  DocumentBuilder(const RouteTable& routes, const ProtoComments& comments) : routes_(routes), comments_(comments) {
    for (const Route& route : routes_.routes()) {
      CollectReachable(*route.method->output_type(), in_responses_);
      for (const std::string& variable : route.path.variables()) {
        if (const pb::FieldDescriptor* field = FindFieldPath(*route.method->input_type(), variable)) {
          path_bound_.insert(field);
        }
      }
    }
  }

  absl::StatusOr<json> Build(std::string_view version) {
    json paths = json::object();
    std::map<std::string, std::string> erased_paths;  // erased -> the path that has that form
    std::map<const pb::MethodDescriptor*, int> bindings;
    std::map<std::string, const pb::ServiceDescriptor*> services;
    for (const Route& route : routes_.routes()) {
      const pb::MethodDescriptor& method = *route.method;
      const std::string path = route.path.OpenApiPath();
      auto [known, inserted] = erased_paths.emplace(ErasedPath(path), path);
      if (!inserted && known->second != path) {
        return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": its path ", path, " and ",
                                                       known->second, " differ only in parameter names"));
      }
      const std::string verb = absl::AsciiStrToLower(route.http_method);
      if (paths[path].contains(verb)) {
        return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": a second operation for ",
                                                       route.http_method, " ", path));
      }
      const int binding = ++bindings[&method];
      paths[path][verb] = Operation(route, binding);
      services.emplace(method.service()->name(), method.service());
    }

    json tags = json::array();
    for (const auto& [name, service] : services) {
      json tag = {{"name", name}};
      // The service's comment, else what its file says it is about.
      std::string_view comment = comments_.Of(*service);
      if (comment.empty()) comment = comments_.OfFile(service->file()->name());
      if (!comment.empty()) tag["description"] = comment;
      tags.push_back(std::move(tag));
    }
    json document = {
        {"openapi", "3.1.0"},
        {"info", {{"title", "Grassroots API"}, {"version", version}, {"description", kInfoDescription}}},
        {"servers", json::array({json{{"url", "/"}}})},
        {"security", json::array({json{{"bearerAuth", json::array()}}})},
        {"tags", std::move(tags)},
        {"paths", std::move(paths)},
    };
    document["components"]["securitySchemes"]["bearerAuth"] = {
        {"type", "http"},
        {"scheme", "bearer"},
        {"bearerFormat", "JWT"},
        {"description", "The caller's access token, passed on to the backends."}};
    document["components"]["schemas"] = Schemas();
    return document;
  }

 private:
  json Ref(const pb::Descriptor& message) {
    messages_.emplace(message.full_name(), &message);
    return {{"$ref", absl::StrCat("#/components/schemas/", message.full_name())}};
  }
  json Ref(const pb::EnumDescriptor& type) {
    enums_.emplace(type.full_name(), &type);
    return {{"$ref", absl::StrCat("#/components/schemas/", type.full_name())}};
  }

  // The schema of one value of field (an element, for a repeated field).
  json ValueSchema(const pb::FieldDescriptor& field) {
    switch (field.type()) {
      case pb::FieldDescriptor::TYPE_INT32:
      case pb::FieldDescriptor::TYPE_SINT32:
      case pb::FieldDescriptor::TYPE_SFIXED32: return Int32Schema();
      case pb::FieldDescriptor::TYPE_UINT32:
      case pb::FieldDescriptor::TYPE_FIXED32: return UInt32Schema();
      case pb::FieldDescriptor::TYPE_INT64:
      case pb::FieldDescriptor::TYPE_SINT64:
      case pb::FieldDescriptor::TYPE_SFIXED64: return Int64Schema();
      case pb::FieldDescriptor::TYPE_UINT64:
      case pb::FieldDescriptor::TYPE_FIXED64: return UInt64Schema();
      case pb::FieldDescriptor::TYPE_DOUBLE: return {{"type", "number"}, {"format", "double"}};
      case pb::FieldDescriptor::TYPE_FLOAT: return {{"type", "number"}, {"format", "float"}};
      case pb::FieldDescriptor::TYPE_BOOL: return {{"type", "boolean"}};
      case pb::FieldDescriptor::TYPE_STRING: return {{"type", "string"}};
      case pb::FieldDescriptor::TYPE_BYTES: return BytesSchema();
      case pb::FieldDescriptor::TYPE_ENUM:
        if (field.enum_type()->full_name() == "google.protobuf.NullValue") return {{"type", "null"}};
        return Ref(*field.enum_type());
      case pb::FieldDescriptor::TYPE_MESSAGE:
      case pb::FieldDescriptor::TYPE_GROUP:
        if (std::optional<json> known = WellKnownSchema(*field.message_type())) return *known;
        return Ref(*field.message_type());
    }
    return json::object();
  }

  // A property: the value's schema as an array or a map when the field is
  // one, with the field's comment and behaviours.
  json FieldSchema(const pb::FieldDescriptor& field) {
    json schema;
    if (field.is_map()) {
      schema = {{"type", "object"}, {"additionalProperties", ValueSchema(*field.message_type()->map_value())}};
    } else if (field.is_repeated()) {
      schema = {{"type", "array"}, {"items", ValueSchema(field)}};
    } else {
      schema = ValueSchema(field);
    }
    if (std::string_view comment = comments_.Of(field); !comment.empty()) schema["description"] = comment;
    if (HasBehavior(field, google::api::OUTPUT_ONLY)) schema["readOnly"] = true;
    if (HasBehavior(field, google::api::INPUT_ONLY)) schema["writeOnly"] = true;
    if (field.options().deprecated()) schema["deprecated"] = true;
    return schema;
  }

  json MessageSchema(const pb::Descriptor& message) {
    json schema = {{"type", "object"}};
    std::string description(comments_.Of(message));
    for (int i = 0; i < message.oneof_decl_count(); ++i) {
      const pb::OneofDescriptor& oneof = *message.oneof_decl(i);
      if (oneof.is_synthetic()) continue;  // a proto3 `optional`
      std::vector<std::string> members;
      for (int f = 0; f < oneof.field_count(); ++f) members.push_back(absl::StrCat("`", oneof.field(f)->json_name(), "`"));
      absl::StrAppend(&description, description.empty() ? "" : "\n\n", "At most one of ", absl::StrJoin(members, ", "),
                      " is set (oneof `", oneof.name(), "`).");
    }
    if (!description.empty()) schema["description"] = description;
    json properties = json::object();
    json required = json::array();
    // Canonical JSON leaves out a field at its default value: a message that
    // may be printed in a response cannot require any field.
    const bool may_require = !in_responses_.contains(&message);
    for (int i = 0; i < message.field_count(); ++i) {
      const pb::FieldDescriptor& field = *message.field(i);
      properties[field.json_name()] = FieldSchema(field);
      if (may_require && HasBehavior(field, google::api::REQUIRED) && !path_bound_.contains(&field)) {
        required.push_back(field.json_name());
      }
    }
    if (!properties.empty()) schema["properties"] = std::move(properties);
    if (!required.empty()) schema["required"] = std::move(required);
    if (message.options().deprecated()) schema["deprecated"] = true;
    return schema;
  }

  json EnumSchema(const pb::EnumDescriptor& type) {
    json names = json::array();
    std::vector<std::string> documented;
    for (int i = 0; i < type.value_count(); ++i) {
      const pb::EnumValueDescriptor& value = *type.value(i);
      names.push_back(value.name());
      const absl::string_view comment = Absl(comments_.Of(value));
      if (!comment.empty()) {
        documented.push_back(absl::StrCat("- `", value.name(), "`: ",
                                          absl::StrJoin(absl::StrSplit(comment, '\n'), " ")));
      }
    }
    json schema = {{"type", "string"}, {"enum", std::move(names)}};
    std::string description(comments_.Of(type));
    if (!documented.empty()) {
      absl::StrAppend(&description, description.empty() ? "" : "\n\n", absl::StrJoin(documented, "\n"));
    }
    if (!description.empty()) schema["description"] = description;
    return schema;
  }

  // Every schema a $ref names, and those their schemas name in turn.
  json Schemas() {
    Ref(*google::rpc::Status::descriptor());
    json schemas = json::object();
    for (bool added = true; added;) {
      added = false;
      for (const auto& [name, message] : std::map(messages_)) {
        if (schemas.contains(name)) continue;
        schemas[name] = MessageSchema(*message);
        added = true;
      }
      for (const auto& [name, type] : std::map(enums_)) {
        if (schemas.contains(name)) continue;
        schemas[name] = EnumSchema(*type);
        added = true;
      }
    }
    return schemas;
  }

  json PathParameters(const Route& route) {
    json parameters = json::array();
    const pb::Descriptor& input = *route.method->input_type();
    for (const PathVariable& variable : PathVariables(route.path)) {
      const pb::FieldDescriptor* field = FindFieldPath(input, variable.field);
      const bool whole = variable.wildcards == 1 && variable.segments == 1;
      for (const std::string& name : variable.parameters) {
        json parameter = {{"name", name}, {"in", "path"}, {"required", true}};
        std::string description;
        if (whole && field != nullptr) {
          parameter["schema"] = ValueSchema(*field);
          description = absl::StrCat("The field `", variable.field, "`.");
          if (std::string_view comment = comments_.Of(*field); !comment.empty()) {
            absl::StrAppend(&description, " ", Absl(comment));
          }
        } else {
          parameter["schema"] = {{"type", "string"}};
          description = absl::StrCat("The id segment `{", name, "}` of the field `", variable.field,
                                     "`, which this path sets to `", variable.pattern, "`.");
        }
        parameter["description"] = description;
        parameters.push_back(std::move(parameter));
      }
    }
    return parameters;
  }

  // The fields a route takes from the query string: those neither in the
  // path nor in the body, through singular messages (dotted names).
  void QueryParameters(const Route& route, const pb::Descriptor& message, const std::string& proto_prefix,
                       const std::string& json_prefix, bool required_chain, std::set<const pb::Descriptor*>& open,
                       json& parameters) {
    const std::vector<std::string>& bound = route.path.variables();
    for (int i = 0; i < message.field_count(); ++i) {
      const pb::FieldDescriptor& field = *message.field(i);
      const std::string proto_path = proto_prefix + field.name();
      const std::string json_path = json_prefix + field.json_name();
      if (std::find(bound.begin(), bound.end(), proto_path) != bound.end()) continue;
      if (!route.body.empty() && (proto_path == route.body || absl::StartsWith(proto_path, route.body + "."))) continue;
      if (field.is_map() || HasBehavior(field, google::api::OUTPUT_ONLY)) continue;
      const bool required = required_chain && HasBehavior(field, google::api::REQUIRED);
      json schema;
      if (IsMessage(field)) {
        std::optional<json> scalar = WellKnownScalarSchema(*field.message_type());
        if (!scalar) {
          // Any, Struct and the like have no URL form; nor has a list of messages.
          const pb::Descriptor& type = *field.message_type();
          if (WellKnownSchema(type) || field.is_repeated() || open.contains(&type)) continue;
          open.insert(&type);
          QueryParameters(route, type, proto_path + ".", json_path + ".", required, open, parameters);
          open.erase(&type);
          continue;
        }
        schema = *std::move(scalar);
      } else {
        schema = ValueSchema(field);
      }
      json parameter = {{"name", json_path}, {"in", "query"}};
      if (field.is_repeated()) {
        parameter["schema"] = {{"type", "array"}, {"items", std::move(schema)}};
        parameter["style"] = "form";
        parameter["explode"] = true;
      } else {
        parameter["schema"] = std::move(schema);
      }
      if (required) parameter["required"] = true;
      if (std::string_view comment = comments_.Of(field); !comment.empty()) parameter["description"] = comment;
      if (field.options().deprecated()) parameter["deprecated"] = true;
      parameters.push_back(std::move(parameter));
    }
  }

  json RequestBody(const Route& route) {
    const pb::MethodDescriptor& method = *route.method;
    const pb::Descriptor& input = *method.input_type();
    json schema;
    bool required = false;
    std::string description;
    if (route.body == "*") {
      schema = Ref(input);
      const std::vector<std::string>& bound = route.path.variables();
      for (int i = 0; i < input.field_count(); ++i) {
        const pb::FieldDescriptor& field = *input.field(i);
        if (HasBehavior(field, google::api::REQUIRED) &&
            std::find(bound.begin(), bound.end(), field.name()) == bound.end()) {
          required = true;
        }
      }
      description = method.client_streaming()
                        ? absl::StrCat("NDJSON: one ", input.full_name(), " per line, the whole upload before the first answer.")
                        : absl::StrCat("The ", input.full_name(), "; a field the path sets is taken from the path.");
    } else {
      const pb::FieldDescriptor& field = *input.FindFieldByName(route.body);
      schema = ValueSchema(field);
      required = HasBehavior(field, google::api::REQUIRED);
      if (IsMessage(field)) {
        const pb::Descriptor& type = *field.message_type();
        for (int i = 0; i < type.field_count(); ++i) required |= HasBehavior(*type.field(i), google::api::REQUIRED);
      }
      description = absl::StrCat("The field `", field.name(), "` of the request.");
      if (std::string_view comment = comments_.Of(field); !comment.empty()) {
        absl::StrAppend(&description, " ", Absl(comment));
      }
    }
    json body = {{"description", description},
                 {"content", {{method.client_streaming() ? kNdjson : kJson, {{"schema", std::move(schema)}}}}}};
    if (required) body["required"] = true;
    return body;
  }

  json Responses(const Route& route) {
    const pb::MethodDescriptor& method = *route.method;
    const pb::Descriptor& output = *method.output_type();
    json responses = json::object();
    if (method.server_streaming()) {
      json line = {{"type", "object"},
                   {"description", "One line of the stream: a `result`, or as the last line an `error`."},
                   {"properties", {{"result", Ref(output)}, {"error", Ref(*google::rpc::Status::descriptor())}}},
                   {"minProperties", 1},
                   {"maxProperties", 1}};
      responses["200"] = {
          {"description", absl::StrCat("NDJSON: one {\"result\": ", output.full_name(),
                                       "} line per message and, when the stream fails after it began, a last "
                                       "{\"error\": google.rpc.Status} line.")},
          {"content", {{kNdjson, {{"schema", std::move(line)}}}}}};
    } else {
      json ok = {{"description", absl::StrCat("A ", output.full_name(), ".")},
                 {"content", {{kJson, {{"schema", Ref(output)}}}}}};
      if (route.http_method == "GET") {
        ok["headers"]["ETag"] = {{"description", "A strong validator of this response, for If-None-Match."},
                                 {"schema", {{"type", "string"}}}};
        responses["304"] = {{"description", "Not Modified: If-None-Match names the current ETag."}};
      }
      responses["200"] = std::move(ok);
    }
    responses["default"] = {
        {"description", "An error: a google.rpc.Status, the HTTP status mapped from its code."},
        {"content", {{kJson, {{"schema", Ref(*google::rpc::Status::descriptor())}}}}}};
    return responses;
  }

  json Operation(const Route& route, int binding) {
    const pb::MethodDescriptor& method = *route.method;
    json operation = {{"operationId", absl::StrCat(method.service()->name(), "_", method.name(),
                                                   binding > 1 ? absl::StrCat("_", binding) : "")},
                      {"tags", json::array({method.service()->name()})}};
    if (std::string_view comment = comments_.Of(method); !comment.empty()) {
      operation["summary"] = FirstSentence(Absl(comment));
      operation["description"] = comment;
    }
    json parameters = PathParameters(route);
    if (route.body != "*" && !method.client_streaming()) {
      std::set<const pb::Descriptor*> open = {method.input_type()};
      QueryParameters(route, *method.input_type(), "", "", true, open, parameters);
    }
    const bool cached = route.http_method == "GET" && !method.server_streaming();
    if (cached) {
      parameters.push_back({{"name", "If-None-Match"},
                            {"in", "header"},
                            {"description", "The ETag of a response the caller holds: 304 while it is current."},
                            {"schema", {{"type", "string"}}}});
    }
    if (!parameters.empty()) operation["parameters"] = std::move(parameters);
    if (!route.body.empty()) operation["requestBody"] = RequestBody(route);
    operation["responses"] = Responses(route);
    if (method.options().deprecated()) operation["deprecated"] = true;
    return operation;
  }

  const RouteTable& routes_;
  const ProtoComments& comments_;
  std::set<const pb::Descriptor*> in_responses_;
  std::set<const pb::FieldDescriptor*> path_bound_;
  std::map<std::string, const pb::Descriptor*> messages_;
  std::map<std::string, const pb::EnumDescriptor*> enums_;
};

}  // namespace

absl::StatusOr<json> BuildOpenApiDocument(const RouteTable& routes, const ProtoComments& comments,
                                          std::string_view version) {
  return DocumentBuilder(routes, comments).Build(version);
}

std::string PrintOpenApiDocument(const json& document) {
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace grassroots::gateway
