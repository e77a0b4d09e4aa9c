#include "services/cli/render.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <utf8proc.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace grassroots::cli {
namespace {

namespace pb = google::protobuf;

// "OrganizationState" -> "ORGANIZATION_STATE_": the prefix every value of a
// style-guide enum carries.
std::string EnumPrefix(const pb::EnumDescriptor& type) {
  std::string prefix;
  for (char c : type.name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty()) prefix.push_back('_');
    prefix.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  prefix.push_back('_');
  return prefix;
}

std::string EnumText(const pb::EnumValueDescriptor* value, int number) {
  if (value == nullptr) return absl::StrCat(number);
  return std::string(absl::StripPrefix(value->name(), EnumPrefix(*value->type())));
}

bool IsLeafMessage(const pb::Descriptor& type) {
  return type.full_name() == "google.protobuf.Timestamp" || type.full_name() == "google.protobuf.FieldMask" ||
         type.full_name() == "google.protobuf.Any" || type.full_name() == "google.protobuf.Duration";
}

std::string LeafMessageText(const pb::Message& message) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == "google.protobuf.Timestamp") {
    pb::Timestamp timestamp;
    timestamp.CopyFrom(message);
    return pb::util::TimeUtil::ToString(timestamp);
  }
  std::string json;
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!pb::util::MessageToJsonString(message, &json, options).ok()) return "?";
  return std::string(absl::StripPrefix(absl::StripSuffix(json, "\""), "\""));
}

std::string ScalarText(const pb::Message& message, const pb::FieldDescriptor& field, int index) {
  const pb::Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(repeated ? r.GetRepeatedInt32(message, &field, index) : r.GetInt32(message, &field));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(repeated ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(repeated ? r.GetRepeatedUInt32(message, &field, index) : r.GetUInt32(message, &field));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(repeated ? r.GetRepeatedUInt64(message, &field, index) : r.GetUInt64(message, &field));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(repeated ? r.GetRepeatedDouble(message, &field, index) : r.GetDouble(message, &field));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(repeated ? r.GetRepeatedFloat(message, &field, index) : r.GetFloat(message, &field));
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return (repeated ? r.GetRepeatedBool(message, &field, index) : r.GetBool(message, &field)) ? "true" : "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      int number = repeated ? r.GetRepeatedEnumValue(message, &field, index) : r.GetEnumValue(message, &field);
      return EnumText(field.enum_type()->FindValueByNumber(number), number);
    }
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return repeated ? r.GetRepeatedString(message, &field, index) : r.GetString(message, &field);
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return LeafMessageText(repeated ? r.GetRepeatedMessage(message, &field, index) : r.GetMessage(message, &field));
  }
  return "";
}

void FlattenInto(const pb::Message& message, const std::string& prefix,
                 std::vector<std::pair<std::string, std::string>>& out) {
  const pb::Reflection& r = *message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r.ListFields(message, &fields);  // set fields only, in field-number order
  for (const pb::FieldDescriptor* field : fields) {
    std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->is_map()) {
      std::vector<std::string> entries;
      for (int i = 0; i < r.FieldSize(message, field); ++i) {
        const pb::Message& entry = r.GetRepeatedMessage(message, field, i);
        const pb::Descriptor* entry_type = entry.GetDescriptor();
        entries.push_back(absl::StrCat(ScalarText(entry, *entry_type->field(0), 0), "=",
                                       ScalarText(entry, *entry_type->field(1), 0)));
      }
      std::sort(entries.begin(), entries.end());
      out.emplace_back(path, absl::StrJoin(entries, ", "));
    } else if (field->is_repeated()) {
      int size = r.FieldSize(message, field);
      if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !IsLeafMessage(*field->message_type())) {
        out.emplace_back(path, absl::StrCat("<", size, size == 1 ? " item>" : " items>"));
        continue;
      }
      std::vector<std::string> values;
      for (int i = 0; i < size; ++i) values.push_back(ScalarText(message, *field, i));
      out.emplace_back(path, absl::StrJoin(values, ", "));
    } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
               !IsLeafMessage(*field->message_type())) {
      FlattenInto(r.GetMessage(message, field), path, out);
    } else {
      out.emplace_back(path, ScalarText(message, *field, 0));
    }
  }
}

}  // namespace

std::string ToJson(const pb::Message& message, bool pretty) {
  std::string json;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.preserve_proto_field_names = true;
  pb::util::Status status = pb::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::StrCat("{\"error\": \"cannot print as JSON: ", status.message().ToString(), "\"}");
  while (!json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

std::vector<std::pair<std::string, std::string>> Flatten(const pb::Message& message) {
  std::vector<std::pair<std::string, std::string>> out;
  FlattenInto(message, "", out);
  return out;
}

std::optional<Table> ListTable(const pb::Message& response, const std::vector<std::string>& columns) {
  const pb::Descriptor* type = response.GetDescriptor();
  const pb::FieldDescriptor* list_field = nullptr;
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* field = type->field(i);
    if (field->is_repeated() && !field->is_map() && field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      list_field = field;
      break;
    }
  }
  if (list_field == nullptr) return std::nullopt;

  const pb::Reflection& r = *response.GetReflection();
  std::vector<std::map<std::string, std::string>> row_values;
  std::vector<std::string> seen_columns;
  for (int i = 0; i < r.FieldSize(response, list_field); ++i) {
    std::map<std::string, std::string> values;
    for (auto& [path, text] : Flatten(r.GetRepeatedMessage(response, list_field, i))) {
      if (std::find(seen_columns.begin(), seen_columns.end(), path) == seen_columns.end()) {
        seen_columns.push_back(path);
      }
      values[path] = std::move(text);
    }
    row_values.push_back(std::move(values));
  }
  Table table;
  table.headers = columns.empty() ? seen_columns : columns;
  for (const auto& values : row_values) {
    std::vector<std::string> row;
    for (const std::string& column : table.headers) {
      auto it = values.find(column);
      row.push_back(it == values.end() ? "" : it->second);
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

Table RecordTable(const pb::Message& message) {
  Table table;
  table.headers = {"FIELD", "VALUE"};
  for (auto& [path, text] : Flatten(message)) table.rows.push_back({path, text});
  return table;
}

size_t DisplayWidth(absl::string_view utf8) {
  size_t width = 0;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(utf8.size());
  while (remaining > 0) {
    utf8proc_int32_t codepoint = 0;
    utf8proc_ssize_t length = utf8proc_iterate(bytes, remaining, &codepoint);
    if (length <= 0) {  // invalid byte: count it as one cell and move on
      ++width;
      ++bytes;
      --remaining;
      continue;
    }
    width += static_cast<size_t>(std::max(0, utf8proc_charwidth(codepoint)));
    bytes += length;
    remaining -= length;
  }
  return width;
}

std::string RenderTable(const Table& table) {
  std::vector<size_t> widths(table.headers.size(), 0);
  for (size_t c = 0; c < table.headers.size(); ++c) widths[c] = DisplayWidth(table.headers[c]);
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  auto render_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      line += cell;
      if (c + 1 < widths.size()) line.append(widths[c] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::vector<std::string> upper_headers;
  for (const std::string& header : table.headers) {
    // Field names are upper-cased; a header a person wrote (Vietnamese, with
    // diacritics a byte-wise toupper would mangle) is shown as written.
    const bool ascii = std::all_of(header.begin(), header.end(), [](char ch) { return (ch & 0x80) == 0; });
    std::string upper = header;
    if (ascii) for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    upper_headers.push_back(upper);
  }
  std::string out = render_row(upper_headers);
  std::vector<std::string> rules;
  for (size_t width : widths) rules.push_back(std::string(width, '-'));
  out += render_row(rules);
  for (const auto& row : table.rows) out += render_row(row);
  return out;
}

}  // namespace grassroots::cli
