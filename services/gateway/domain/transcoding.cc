#include "services/gateway/domain/transcoding.h"

#include <set>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/rpc/status.pb.h"

namespace grassroots::gateway {
namespace pb = google::protobuf;
namespace {

absl::Status BadParameter(absl::string_view name, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("query parameter '", name, "': ", problem));
}

// Resolves "filter.organizationId" or "filter.organization_id" to the field and
// the (sub)message holding it, creating singular parent messages on the way.
struct FieldSlot {
  pb::Message* holder = nullptr;
  const pb::FieldDescriptor* field = nullptr;
  std::string proto_path;  // "filter.organization_id"
};

std::optional<FieldSlot> ResolveForWrite(pb::Message& root, absl::string_view path) {
  FieldSlot slot{.holder = &root};
  std::vector<absl::string_view> names = absl::StrSplit(path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const pb::Descriptor& type = *slot.holder->GetDescriptor();
    const std::string name(names[i]);
    const pb::FieldDescriptor* field = type.FindFieldByName(name);
    for (int f = 0; field == nullptr && f < type.field_count(); ++f) {
      if (type.field(f)->json_name() == name) field = type.field(f);
    }
    if (field == nullptr) return std::nullopt;
    absl::StrAppend(&slot.proto_path, i == 0 ? "" : ".", field->name());
    if (i + 1 == names.size()) {
      slot.field = field;
      return slot;
    }
    if (field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return std::nullopt;
    slot.holder = slot.holder->GetReflection()->MutableMessage(slot.holder, field);
  }
  return std::nullopt;
}

bool IsWellKnownJsonValue(const pb::Descriptor& type) {
  return type.file()->package() == "google.protobuf";
}

// Sets (or, for a repeated field, appends) one value given as URL text; the
// error says what the text should have been, the caller says where it was.
absl::Status SetFromText(const FieldSlot& slot, absl::string_view text) {
  pb::Message& holder = *slot.holder;
  const pb::Reflection& reflection = *holder.GetReflection();
  const pb::FieldDescriptor& field = *slot.field;
  const bool repeated = field.is_repeated();
  auto fail = [&](absl::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not ", expected));
  };
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string value(text);
      if (field.type() == pb::FieldDescriptor::TYPE_BYTES) {
        std::string decoded;
        if (!absl::WebSafeBase64Unescape(text, &decoded) && !absl::Base64Unescape(text, &decoded)) {
          return fail("base64");
        }
        value = std::move(decoded);
      }
      repeated ? reflection.AddString(&holder, &field, std::move(value))
               : reflection.SetString(&holder, &field, std::move(value));
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      int32_t value;
      if (!absl::SimpleAtoi(text, &value)) return fail("a 32-bit integer");
      repeated ? reflection.AddInt32(&holder, &field, value) : reflection.SetInt32(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(text, &value)) return fail("a 64-bit integer");
      repeated ? reflection.AddInt64(&holder, &field, value) : reflection.SetInt64(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value;
      if (!absl::SimpleAtoi(text, &value)) return fail("an unsigned 32-bit integer");
      repeated ? reflection.AddUInt32(&holder, &field, value) : reflection.SetUInt32(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value;
      if (!absl::SimpleAtoi(text, &value)) return fail("an unsigned 64-bit integer");
      repeated ? reflection.AddUInt64(&holder, &field, value) : reflection.SetUInt64(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
      double value;
      if (!absl::SimpleAtod(text, &value)) return fail("a number");
      repeated ? reflection.AddDouble(&holder, &field, value) : reflection.SetDouble(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      float value;
      if (!absl::SimpleAtof(text, &value)) return fail("a number");
      repeated ? reflection.AddFloat(&holder, &field, value) : reflection.SetFloat(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (text == "true" || text == "1") {
        value = true;
      } else if (text == "false" || text == "0") {
        value = false;
      } else {
        return fail("true or false");
      }
      repeated ? reflection.AddBool(&holder, &field, value) : reflection.SetBool(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* value = field.enum_type()->FindValueByName(std::string(text));
      int number;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) value = field.enum_type()->FindValueByNumber(number);
      if (value == nullptr) return fail(absl::StrCat("a value of ", field.enum_type()->full_name()));
      repeated ? reflection.AddEnum(&holder, &field, value) : reflection.SetEnum(&holder, &field, value);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      // Timestamps, durations, field masks and wrappers have a JSON string or
      // number form; the URL carries that form.
      if (!IsWellKnownJsonValue(*field.message_type())) {
        return absl::InvalidArgumentError("a message field cannot be set from the URL; set its fields (a.b=...)");
      }
      pb::Message* target = repeated ? reflection.AddMessage(&holder, &field) : reflection.MutableMessage(&holder, &field);
      std::string json = absl::StrCat("\"", absl::CEscape(text), "\"");
      if (field.message_type()->full_name() != "google.protobuf.Timestamp" &&
          field.message_type()->full_name() != "google.protobuf.Duration" &&
          field.message_type()->full_name() != "google.protobuf.FieldMask" &&
          field.message_type()->full_name() != "google.protobuf.StringValue" &&
          field.message_type()->full_name() != "google.protobuf.BytesValue") {
        json = std::string(text);  // numbers and booleans of the wrapper types
      }
      if (!pb::util::JsonStringToMessage(json, target).ok()) {
        return fail(absl::StrCat("a ", field.message_type()->full_name(), " in its JSON form"));
      }
      return absl::OkStatus();
    }
  }
  return fail("a supported value");
}

}  // namespace

absl::StatusOr<QueryParameters> ParseQueryString(absl::string_view raw) {
  QueryParameters parameters;
  for (absl::string_view pair : absl::StrSplit(raw, '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    const std::string name_raw = absl::StrReplaceAll(pair.substr(0, equals), {{"+", " "}});
    const std::string value_raw =
        equals == absl::string_view::npos ? "" : absl::StrReplaceAll(pair.substr(equals + 1), {{"+", " "}});
    std::optional<std::string> name = PercentDecode(name_raw);
    std::optional<std::string> value = PercentDecode(value_raw);
    if (!name || !value) {
      return absl::InvalidArgumentError(absl::StrCat("query string: malformed percent escape in '", pair, "'"));
    }
    parameters.emplace_back(*std::move(name), *std::move(value));
  }
  return parameters;
}

absl::Status ParseJsonMessage(absl::string_view json, absl::string_view what, pb::Message& message) {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelled field must not be dropped silently
  const auto status = pb::util::JsonStringToMessage(std::string(json), &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not JSON of ", message.GetDescriptor()->full_name(),
                                                   ": ", std::string(status.message())));
  }
  return absl::OkStatus();
}

std::string PrintJsonMessage(const pb::Message& message) {
  std::string json;
  pb::util::JsonPrintOptions options;
  if (!pb::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  return json;
}

absl::Status BuildRequest(const Route& route, const PathBindings& bindings, const QueryParameters& query,
                          absl::string_view body, pb::Message& request) {
  const bool has_body = !absl::string_view(body).empty() &&
                        body.find_first_not_of(" \t\r\n") != absl::string_view::npos;
  if (route.body.empty() && has_body) {
    return absl::InvalidArgumentError(
        absl::StrCat(route.http_method, " ", route.path.text(), " takes no body; send fields in the query string"));
  }
  if (route.body == "*" && has_body) {
    if (absl::Status parsed = ParseJsonMessage(body, "the body", request); !parsed.ok()) return parsed;
  } else if (!route.body.empty() && has_body) {
    const pb::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(route.body);
    pb::Message* target = request.GetReflection()->MutableMessage(&request, field);
    if (absl::Status parsed = ParseJsonMessage(body, "the body", *target); !parsed.ok()) return parsed;
  }
  std::set<std::string> bound;
  for (const auto& [path, value] : bindings) {
    std::optional<FieldSlot> slot = ResolveForWrite(request, path);
    if (!slot) return absl::InternalError(absl::StrCat("path variable '", path, "' names no field"));
    slot->holder->GetReflection()->ClearField(slot->holder, slot->field);
    if (absl::Status set = SetFromText(*slot, value); !set.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("path variable '", path, "': ", set.message()));
    }
    bound.insert(slot->proto_path);
  }
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (route.body == "*") {
      return BadParameter(name, "this method takes every field in the JSON body");
    }
    std::optional<FieldSlot> slot = ResolveForWrite(request, name);
    if (!slot) {
      return BadParameter(name, absl::StrCat("no such field in ", request.GetDescriptor()->full_name()));
    }
    if (bound.contains(slot->proto_path)) return BadParameter(name, "already given in the path");
    if (!route.body.empty() && (slot->proto_path == route.body || slot->proto_path.rfind(route.body + ".", 0) == 0)) {
      return BadParameter(name, "belongs to the body");
    }
    if (!slot->field->is_repeated() && !seen.insert(slot->proto_path).second) {
      return BadParameter(name, "given more than once for a single field");
    }
    if (absl::Status set = SetFromText(*slot, value); !set.ok()) return BadParameter(name, set.message());
  }
  return absl::OkStatus();
}

int HttpStatusForCode(int grpc_code) {
  switch (grpc_code) {
    case 0: return 200;   // OK
    case 1: return 499;   // CANCELLED
    case 2: return 500;   // UNKNOWN
    case 3: return 400;   // INVALID_ARGUMENT
    case 4: return 504;   // DEADLINE_EXCEEDED
    case 5: return 404;   // NOT_FOUND
    case 6: return 409;   // ALREADY_EXISTS
    case 7: return 403;   // PERMISSION_DENIED
    case 8: return 429;   // RESOURCE_EXHAUSTED
    case 9: return 400;   // FAILED_PRECONDITION
    case 10: return 409;  // ABORTED
    case 11: return 400;  // OUT_OF_RANGE
    case 12: return 501;  // UNIMPLEMENTED
    case 13: return 500;  // INTERNAL
    case 14: return 503;  // UNAVAILABLE
    case 15: return 500;  // DATA_LOSS
    case 16: return 401;  // UNAUTHENTICATED
    default: return 500;
  }
}

std::string StatusJson(int grpc_code, absl::string_view message, absl::string_view binary_details) {
  google::rpc::Status status;
  if (!binary_details.empty() && status.ParseFromString(std::string(binary_details))) {
    // Keep only the details this binary can print (every google.rpc detail can).
    google::rpc::Status printable;
    for (const pb::Any& detail : status.details()) {
      std::string ignored;
      google::rpc::Status probe;
      *probe.add_details() = detail;
      if (pb::util::MessageToJsonString(probe, &ignored).ok()) *printable.add_details() = detail;
    }
    status = std::move(printable);
  } else {
    status.Clear();
  }
  status.set_code(grpc_code);
  status.set_message(std::string(message));
  return PrintJsonMessage(status);
}

}  // namespace grassroots::gateway
