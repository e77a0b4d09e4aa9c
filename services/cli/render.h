#pragma once
// Output of responses: JSON (the default) and plain-text tables for people.
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/strings/string_view.h"

namespace grassroots::cli {

enum class OutputFormat { kJson, kTable };

// Pretty JSON with proto field names (snake_case), enums by name.
std::string ToJson(const google::protobuf::Message& message, bool pretty = true);

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// A message flattened to (dotted field path, text) pairs, in field order, skipping
// unset fields: nested messages become "parent.child"; Timestamps are RFC 3339;
// enums lose their type prefix (ORGANIZATION_STATE_ACTIVE -> ACTIVE); repeated
// scalars are joined by ", "; repeated messages are summarized as "<n items>".
std::vector<std::pair<std::string, std::string>> Flatten(const google::protobuf::Message& message);

// For list responses: the first repeated message field becomes the rows and the
// flattened fields that are set in any row become the columns (or `columns`, in
// that order, when given). nullopt when the message has no repeated message field.
std::optional<Table> ListTable(const google::protobuf::Message& response,
                               const std::vector<std::string>& columns = {});

// Any message as a two-column FIELD / VALUE table.
Table RecordTable(const google::protobuf::Message& message);

// Aligned columns separated by two spaces, header underlined; widths count
// terminal cells (Vietnamese letters with diacritics are one cell each).
std::string RenderTable(const Table& table);

// Number of terminal cells the UTF-8 text occupies.
size_t DisplayWidth(absl::string_view utf8);

}  // namespace grassroots::cli
