#pragma once
// The HTTP routes of every RPC that carries a google.api.http rule, read from
// the descriptor pool: the gateway has no per-method code, so a new annotated
// RPC is served as soon as its proto is compiled in.
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/domain/path_template.h"

namespace grassroots::gateway {

struct Route {
  std::string http_method;  // "GET", "POST", "PATCH", "PUT", "DELETE"
  PathTemplate path;
  // "" (no body: every field not in the path comes from the query string),
  // "*" (the body is the whole request) or a top-level field of the request.
  std::string body;
  const google::protobuf::MethodDescriptor* method = nullptr;
};

struct RouteMatch {
  const Route* route = nullptr;
  PathBindings bindings;
};

class RouteTable {
 public:
  // INVALID_ARGUMENT naming the method when a rule cannot be served: a bad
  // template, a variable or body that names no suitable field, a body on GET
  // or DELETE, or two rules that would match the same requests.
  static absl::StatusOr<RouteTable> Build(const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  struct Lookup {
    std::optional<RouteMatch> match;
    // When nothing matched: the HTTP methods that do serve this path (405 and
    // its Allow header), empty when no route has the path at all (404).
    std::vector<std::string> allowed_methods;
  };
  Lookup Find(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }
  // The services' methods without an http rule, which HTTP cannot reach.
  const std::vector<const google::protobuf::MethodDescriptor*>& unrouted() const { return unrouted_; }

 private:
  std::vector<Route> routes_;  // most specific first within each HTTP method
  std::vector<const google::protobuf::MethodDescriptor*> unrouted_;
};

// Every service in the generated pool whose proto package starts with
// package_prefix ("grassroots."), sorted by full name.
std::vector<const google::protobuf::ServiceDescriptor*> LinkedServices(absl::string_view package_prefix);

// The field at a dotted path of lower_snake_case names through singular
// message fields ("filter.organization_id"); nullptr when there is none.
const google::protobuf::FieldDescriptor* FindFieldPath(const google::protobuf::Descriptor& message,
                                                       absl::string_view path);

}  // namespace grassroots::gateway
