#include "services/gateway/domain/route_table.h"

#include <algorithm>
#include <map>
#include <set>

#include <google/protobuf/descriptor_database.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"

namespace grassroots::gateway {
namespace pb = google::protobuf;
namespace {

absl::Status Invalid(const pb::MethodDescriptor& method, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": ", problem));
}

// The HTTP method and template of a rule; a "custom" kind is refused (none of
// ours needs one, and browsers and OpenAPI know only the standard five).
absl::StatusOr<std::pair<std::string, std::string>> VerbAndPath(const pb::MethodDescriptor& method,
                                                               const google::api::HttpRule& rule) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet: return std::pair<std::string, std::string>{"GET", rule.get()};
    case google::api::HttpRule::kPost: return std::pair<std::string, std::string>{"POST", rule.post()};
    case google::api::HttpRule::kPatch: return std::pair<std::string, std::string>{"PATCH", rule.patch()};
    case google::api::HttpRule::kPut: return std::pair<std::string, std::string>{"PUT", rule.put()};
    case google::api::HttpRule::kDelete: return std::pair<std::string, std::string>{"DELETE", rule.delete_()};
    default: return Invalid(method, "the http rule needs one of get, post, patch, put or delete");
  }
}

bool IsScalar(const pb::FieldDescriptor& field) {
  return !field.is_repeated() && field.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE;
}

absl::StatusOr<Route> RouteOf(const pb::MethodDescriptor& method, const google::api::HttpRule& rule) {
  absl::StatusOr<std::pair<std::string, std::string>> verb_and_path = VerbAndPath(method, rule);
  if (!verb_and_path.ok()) return verb_and_path.status();
  absl::StatusOr<PathTemplate> path = PathTemplate::Parse(verb_and_path->second);
  if (!path.ok()) return Invalid(method, path.status().message());
  const pb::Descriptor& request = *method.input_type();
  for (const std::string& variable : path->variables()) {
    const pb::FieldDescriptor* field = FindFieldPath(request, variable);
    if (field == nullptr || !IsScalar(*field)) {
      return Invalid(method, absl::StrCat("path variable '", variable, "' names no singular scalar field of ",
                                          request.full_name()));
    }
  }
  Route route{.http_method = verb_and_path->first, .path = *std::move(path), .body = rule.body(), .method = &method};
  if (!route.body.empty() && (route.http_method == "GET" || route.http_method == "DELETE")) {
    return Invalid(method, absl::StrCat(route.http_method, " cannot carry a body"));
  }
  if (!route.body.empty() && route.body != "*") {
    const pb::FieldDescriptor* field = request.FindFieldByName(route.body);
    if (field == nullptr || field->is_repeated()) {
      return Invalid(method, absl::StrCat("body '", route.body, "' names no singular field of ", request.full_name()));
    }
  }
  if (method.client_streaming() && (route.body != "*" || !route.path.variables().empty())) {
    return Invalid(method, "a client stream is sent as NDJSON of whole requests: its body must be \"*\" and its "
                           "path must bind no field");
  }
  return route;
}

}  // namespace

const pb::FieldDescriptor* FindFieldPath(const pb::Descriptor& message, absl::string_view path) {
  const pb::Descriptor* current = &message;
  const pb::FieldDescriptor* field = nullptr;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (current == nullptr) return nullptr;
    field = current->FindFieldByName(std::string(name));
    if (field == nullptr) return nullptr;
    current = (!field->is_repeated() && field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
                  ? field->message_type()
                  : nullptr;
  }
  return field;
}

std::vector<const pb::ServiceDescriptor*> LinkedServices(absl::string_view package_prefix) {
  std::vector<const pb::ServiceDescriptor*> services;
  std::vector<std::string> files;
  // The generated database lists every .proto whose code is linked in.
  if (!pb::DescriptorPool::internal_generated_database()->FindAllFileNames(&files)) return services;
  for (const std::string& name : files) {
    const pb::FileDescriptor* file = pb::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr || !absl::StartsWith(file->package(), package_prefix)) continue;
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  }
  std::sort(services.begin(), services.end(),
            [](const auto* a, const auto* b) { return a->full_name() < b->full_name(); });
  return services;
}

absl::StatusOr<RouteTable> RouteTable::Build(const std::vector<const pb::ServiceDescriptor*>& services) {
  RouteTable table;
  std::map<std::string, const pb::MethodDescriptor*> shapes;  // "GET /v1/*:verb" -> first method
  for (const pb::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor& method = *service->method(i);
      if (!method.options().HasExtension(google::api::http)) {
        table.unrouted_.push_back(&method);
        continue;
      }
      const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const google::api::HttpRule& extra : rule.additional_bindings()) rules.push_back(&extra);
      for (const google::api::HttpRule* each : rules) {
        absl::StatusOr<Route> route = RouteOf(method, *each);
        if (!route.ok()) return route.status();
        const std::string shape = absl::StrCat(route->http_method, " ", route->path.Shape());
        auto [existing, inserted] = shapes.emplace(shape, &method);
        if (!inserted) {
          return Invalid(method, absl::StrCat("'", route->http_method, " ", route->path.text(),
                                              "' matches the same requests as a rule of ",
                                              existing->second->full_name()));
        }
        table.routes_.push_back(*std::move(route));
      }
    }
  }
  // Within one HTTP method the more specific rule is tried first: one with a
  // verb ("/v1/{name=organizations/*}:move" before "/v1/{name=organizations/*}",
  // whose variable would otherwise swallow ":move"), then more literal segments.
  std::stable_sort(table.routes_.begin(), table.routes_.end(), [](const Route& a, const Route& b) {
    if (a.http_method != b.http_method) return a.http_method < b.http_method;
    if (a.path.verb().empty() != b.path.verb().empty()) return !a.path.verb().empty();
    return a.path.literal_count() > b.path.literal_count();
  });
  return table;
}

RouteTable::Lookup RouteTable::Find(absl::string_view http_method, absl::string_view path) const {
  Lookup lookup;
  std::set<std::string> others;
  for (const Route& route : routes_) {
    std::optional<PathBindings> bindings = route.path.Match(path);
    if (!bindings) continue;
    if (route.http_method == http_method) {
      lookup.match = RouteMatch{.route = &route, .bindings = *std::move(bindings)};
      return lookup;
    }
    others.insert(route.http_method);
  }
  lookup.allowed_methods.assign(others.begin(), others.end());
  return lookup;
}

}  // namespace grassroots::gateway
