// The generated descriptor pool side of `grassroots call` (generic_call.h):
// finding a method and building its request from JSON, without any connection,
// so the fuzz target links it alone.
#include <algorithm>
#include <set>

#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "services/cli/generic_call.h"

namespace grassroots::cli {

namespace pb = google::protobuf;

std::vector<const pb::ServiceDescriptor*> GrassrootsServices() {
  std::vector<const pb::ServiceDescriptor*> services;
  std::vector<std::string> files;
  // The generated database lists every .proto compiled into this binary.
  if (!pb::DescriptorPool::internal_generated_database()->FindAllFileNames(&files)) return services;
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, "grassroots/")) continue;
    const pb::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) continue;
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  }
  std::sort(services.begin(), services.end(),
            [](const auto* a, const auto* b) { return a->full_name() < b->full_name(); });
  return services;
}

absl::StatusOr<const pb::MethodDescriptor*> FindMethod(absl::string_view spec) {
  std::string normalized(absl::StripPrefix(spec, "/"));
  std::replace(normalized.begin(), normalized.end(), '/', '.');
  size_t dot = normalized.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == normalized.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected <Service>.<Method>, for example OrganizationService.GetOrganization; got '", spec, "'"));
  }
  std::string service_name = normalized.substr(0, dot);
  std::string method_name = normalized.substr(dot + 1);

  std::vector<const pb::ServiceDescriptor*> services = GrassrootsServices();
  std::vector<const pb::ServiceDescriptor*> matches;
  for (const pb::ServiceDescriptor* service : services) {
    if (service->full_name() == service_name || service->name() == service_name) matches.push_back(service);
  }
  if (matches.size() > 1) {
    std::vector<std::string> names;
    for (const auto* service : matches) names.push_back(service->full_name());
    return absl::InvalidArgumentError(
        absl::StrCat("service name '", service_name, "' is ambiguous; use one of: ", absl::StrJoin(names, ", ")));
  }
  if (matches.empty()) {
    std::vector<std::string> names;
    for (const auto* service : services) names.push_back(service->full_name());
    return absl::NotFoundError(absl::StrCat("unknown service '", service_name,
                                            "'; known services: ", absl::StrJoin(names, ", ")));
  }
  const pb::MethodDescriptor* method = matches.front()->FindMethodByName(method_name);
  if (method == nullptr) {
    std::vector<std::string> names;
    for (int i = 0; i < matches.front()->method_count(); ++i) names.push_back(matches.front()->method(i)->name());
    return absl::NotFoundError(absl::StrCat("service ", matches.front()->full_name(), " has no method '",
                                            method_name, "'; its methods: ", absl::StrJoin(names, ", ")));
  }
  return method;
}

std::string MethodPath(const pb::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

absl::StatusOr<std::unique_ptr<pb::Message>> RequestFromJson(const pb::MethodDescriptor& method,
                                                             absl::string_view json) {
  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(method.input_type());
  std::unique_ptr<pb::Message> request(prototype->New());
  absl::string_view trimmed = absl::StripAsciiWhitespace(json);
  if (trimmed.empty()) return request;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelled field must not be silently dropped
  pb::util::Status status = pb::util::JsonStringToMessage(std::string(trimmed), request.get(), options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request JSON does not fit ", method.input_type()->full_name(),
                                                   ": ", status.message().ToString()));
  }
  return request;
}

std::unique_ptr<pb::Message> NewResponse(const pb::MethodDescriptor& method) {
  return std::unique_ptr<pb::Message>(
      pb::MessageFactory::generated_factory()->GetPrototype(method.output_type())->New());
}

}  // namespace grassroots::cli
