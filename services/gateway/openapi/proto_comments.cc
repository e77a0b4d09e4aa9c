#include "services/gateway/openapi/proto_comments.h"

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace grassroots::gateway {
namespace pb = google::protobuf;
namespace {

// The field numbers of descriptor.proto that a SourceCodeInfo path goes
// through to reach an element.
constexpr int kFilePackage = 2;
constexpr int kFileMessageType = 4;
constexpr int kFileEnumType = 5;
constexpr int kFileService = 6;
constexpr int kMessageField = 2;
constexpr int kMessageNestedType = 3;
constexpr int kMessageEnumType = 4;
constexpr int kMessageOneof = 8;
constexpr int kEnumValue = 2;
constexpr int kServiceMethod = 2;

using Path = pb::RepeatedField<int32_t>;

std::string Join(std::string_view scope, std::string_view name) {
  std::string joined(scope);
  if (!joined.empty()) joined += '.';
  joined += name;
  return joined;
}

// The names of an enum and of its values: a value is named in the scope that
// holds the enum, not inside the enum (C++ scoping, as protobuf names them).
std::optional<std::string> InEnum(const pb::EnumDescriptorProto& type, std::string_view scope, const Path& path,
                                  int at) {
  if (at == path.size()) return Join(scope, type.name());
  if (at + 2 != path.size() || path[at] != kEnumValue) return std::nullopt;
  const int index = path[at + 1];
  if (index < 0 || index >= type.value_size()) return std::nullopt;
  return Join(scope, type.value(index).name());
}

std::optional<std::string> InMessage(const pb::DescriptorProto& message, const std::string& full_name,
                                     const Path& path, int at) {
  if (at == path.size()) return full_name;
  if (at + 2 > path.size()) return std::nullopt;
  const int kind = path[at];
  const int index = path[at + 1];
  const bool last = at + 2 == path.size();
  switch (kind) {
    case kMessageField:
      if (!last || index < 0 || index >= message.field_size()) return std::nullopt;
      return Join(full_name, message.field(index).name());
    case kMessageOneof:
      if (!last || index < 0 || index >= message.oneof_decl_size()) return std::nullopt;
      return Join(full_name, message.oneof_decl(index).name());
    case kMessageNestedType:
      if (index < 0 || index >= message.nested_type_size()) return std::nullopt;
      return InMessage(message.nested_type(index), Join(full_name, message.nested_type(index).name()), path, at + 2);
    case kMessageEnumType:
      if (index < 0 || index >= message.enum_type_size()) return std::nullopt;
      return InEnum(message.enum_type(index), full_name, path, at + 2);
    default:
      return std::nullopt;  // options, reserved ranges, extensions: no element of ours
  }
}

// The full name of the element a location's path leads to, if it is one.
std::optional<std::string> ElementAt(const pb::FileDescriptorProto& file, const Path& path) {
  if (path.size() < 2) return std::nullopt;
  const int kind = path[0];
  const int index = path[1];
  switch (kind) {
    case kFileMessageType:
      if (index < 0 || index >= file.message_type_size()) return std::nullopt;
      return InMessage(file.message_type(index), Join(file.package(), file.message_type(index).name()), path, 2);
    case kFileEnumType:
      if (index < 0 || index >= file.enum_type_size()) return std::nullopt;
      return InEnum(file.enum_type(index), file.package(), path, 2);
    case kFileService: {
      if (index < 0 || index >= file.service_size()) return std::nullopt;
      const pb::ServiceDescriptorProto& service = file.service(index);
      const std::string name = Join(file.package(), service.name());
      if (path.size() == 2) return name;
      if (path.size() != 4 || path[2] != kServiceMethod || path[3] < 0 || path[3] >= service.method_size()) {
        return std::nullopt;
      }
      return Join(name, service.method(path[3]).name());
    }
    default:
      return std::nullopt;
  }
}

// protoc keeps the text after "//" as written: drop the one space that
// follows the slashes, trailing blanks, and blank lines at either end.
std::string Clean(absl::string_view raw) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    absl::ConsumePrefix(&line, " ");
    lines.emplace_back(absl::StripTrailingAsciiWhitespace(line));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  return absl::StrJoin(lines.begin() + static_cast<std::ptrdiff_t>(first), lines.end(), "\n");
}

}  // namespace

ProtoComments::ProtoComments(const pb::FileDescriptorSet& files) {
  for (const pb::FileDescriptorProto& file : files.file()) {
    for (const pb::SourceCodeInfo::Location& location : file.source_code_info().location()) {
      std::string text = Clean(location.leading_comments());
      if (text.empty()) text = Clean(location.trailing_comments());
      if (text.empty()) continue;
      if (location.path_size() == 1 && location.path(0) == kFilePackage) {
        files_.emplace(file.name(), std::move(text));
        continue;
      }
      std::optional<std::string> name = ElementAt(file, location.path());
      if (name) comments_.emplace(*std::move(name), std::move(text));
    }
  }
}

std::string_view ProtoComments::Of(std::string_view full_name) const {
  auto it = comments_.find(full_name);
  return it == comments_.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view ProtoComments::OfFile(std::string_view file_name) const {
  auto it = files_.find(file_name);
  return it == files_.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace grassroots::gateway
