#pragma once
// The comments of the .proto sources, by element. The generated descriptor
// pool keeps no source info, so they come from a FileDescriptorSet that protoc
// wrote with --include_source_info: each SourceCodeInfo location's path is
// walked to the element it names (message, field, oneof, enum, enum value,
// service, method).
#include <map>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

namespace grassroots::gateway {

class ProtoComments {
 public:
  // No comments at all: every lookup answers "".
  ProtoComments() = default;
  explicit ProtoComments(const google::protobuf::FileDescriptorSet& files);

  // The element's leading comment ("// ..." lines right above it), else its
  // trailing one (after it on the same line), with the space after each "//"
  // and the final newline removed; "" when it has none. full_name is as
  // protobuf spells it: an enum value is named in its enum's scope
  // ("grassroots.org.v1.ORGANIZATION_STATE_ACTIVE").
  std::string_view Of(std::string_view full_name) const;
  std::string_view Of(const google::protobuf::Descriptor& message) const { return Of(message.full_name()); }
  std::string_view Of(const google::protobuf::FieldDescriptor& field) const { return Of(field.full_name()); }
  std::string_view Of(const google::protobuf::EnumDescriptor& type) const { return Of(type.full_name()); }
  std::string_view Of(const google::protobuf::EnumValueDescriptor& value) const { return Of(value.full_name()); }
  std::string_view Of(const google::protobuf::ServiceDescriptor& service) const { return Of(service.full_name()); }
  std::string_view Of(const google::protobuf::MethodDescriptor& method) const { return Of(method.full_name()); }

  // The comment on a file's `package` line (what the file is about), by the
  // file's name ("grassroots/org/v1/organization.proto").
  std::string_view OfFile(std::string_view file_name) const;

  // How many elements have a comment (files not counted).
  size_t size() const { return comments_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> comments_;
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace grassroots::gateway
