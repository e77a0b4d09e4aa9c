#pragma once
// A google.api.http path template (google/api/http.proto): literal segments,
// variables "{field}" or "{field=literal/*/...}" and an optional ":verb" at
// the end. Multi-segment wildcards ("**") are not supported; no Grassroots
// route needs them, and refusing them keeps matching unambiguous.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grassroots::gateway {

// A variable's field path ("name", "filter.organization_id") and the value the
// URL gave it: for "{name=organizations/*}" and "/v1/organizations/42",
// "organizations/42". Values are percent-decoded.
using PathBindings = std::vector<std::pair<std::string, std::string>>;

class PathTemplate {
 public:
  // One URL segment of the template: a literal, or a "*" that belongs to the
  // variable named by variable_index.
  struct Segment {
    std::string literal;      // empty for a wildcard
    int variable_index = -1;  // -1 for a literal outside any variable
  };

  // INVALID_ARGUMENT naming the problem when text is not a supported template.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // The bindings when path (without query string, not yet decoded) matches.
  std::optional<PathBindings> Match(absl::string_view path) const;

  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<std::string>& variables() const { return variables_; }
  // The OpenAPI form of the template. OpenAPI path parameters cannot hold a
  // '/', so a variable's pattern is spelled out and each '*' becomes a
  // parameter named after the literal before it, singular:
  // "/v1/{name=organizations/*/meetings/*}:end" ->
  // "/v1/organizations/{organization}/meetings/{meeting}:end". A URL built from
  // that path is exactly one the template matches.
  struct OpenApiParameter {
    std::string name;   // "meeting"
    std::string field;  // the variable's field path: "name"
  };
  std::string OpenApiPath() const;
  std::vector<OpenApiParameter> OpenApiParameters() const;
  // Literal segments (more literals = more specific; tried first).
  int literal_count() const;
  // Same segments, wildcards and verb: two routes of one HTTP method with this
  // shape would match the same URLs.
  std::string Shape() const;

 private:
  std::string text_;
  std::string verb_;
  std::vector<Segment> segments_;
  std::vector<std::string> variables_;
  // For each variable, the index of its first and one past its last segment.
  std::vector<std::pair<int, int>> variable_spans_;
};

// Percent-decodes text; nullopt when an escape is malformed.
std::optional<std::string> PercentDecode(absl::string_view text);

}  // namespace grassroots::gateway
