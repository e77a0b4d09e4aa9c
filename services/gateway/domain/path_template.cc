#include "services/gateway/domain/path_template.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace grassroots::gateway {
namespace {

bool IsFieldPath(absl::string_view path) {
  if (path.empty()) return false;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (part.empty() || !(absl::ascii_islower(part[0]) || part[0] == '_')) return false;
    for (char c : part) {
      if (!(absl::ascii_isalnum(c) || c == '_')) return false;
    }
  }
  return true;
}

bool IsLiteral(absl::string_view segment) {
  if (segment.empty()) return false;
  for (char c : segment) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::Status Invalid(absl::string_view text, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("path template '", text, "': ", problem));
}

}  // namespace

std::optional<std::string> PercentDecode(absl::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return decoded;
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  if (text.empty() || text.front() != '/') return Invalid(text, "must start with '/'");
  // Top-level segments: '/' inside braces belongs to a variable's pattern.
  std::vector<std::string> top;
  std::string current;
  int depth = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{') {
      if (depth++ > 0) return Invalid(text, "nested '{'");
    } else if (c == '}') {
      if (--depth < 0) return Invalid(text, "unbalanced '}'");
    }
    if (c == '/' && depth == 0) {
      top.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (depth != 0) return Invalid(text, "unbalanced '{'");
  top.push_back(std::move(current));

  PathTemplate parsed;
  parsed.text_ = std::string(text);
  // ":verb" ends the last segment, outside any braces.
  std::string& last = top.back();
  const size_t close = last.rfind('}');
  const size_t colon = last.find(':', close == std::string::npos ? 0 : close);
  if (colon != std::string::npos) {
    parsed.verb_ = last.substr(colon + 1);
    last.resize(colon);
    if (!IsLiteral(parsed.verb_)) return Invalid(text, "the verb after ':' must be a literal");
  }
  for (const std::string& segment : top) {
    if (segment.empty()) return Invalid(text, "empty segment");
    if (segment.front() != '{') {
      if (!IsLiteral(segment)) return Invalid(text, absl::StrCat("segment '", segment, "' is not a literal"));
      parsed.segments_.push_back({.literal = segment});
      continue;
    }
    if (segment.back() != '}') return Invalid(text, absl::StrCat("a variable must be a whole segment: '", segment, "'"));
    const absl::string_view inside = absl::string_view(segment).substr(1, segment.size() - 2);
    const size_t equals = inside.find('=');
    const absl::string_view field = inside.substr(0, equals);
    const absl::string_view pattern = equals == absl::string_view::npos ? "*" : inside.substr(equals + 1);
    if (!IsFieldPath(field)) return Invalid(text, absl::StrCat("'", field, "' is not a field path"));
    for (const std::string& known : parsed.variables_) {
      if (known == field) return Invalid(text, absl::StrCat("field '", field, "' is bound twice"));
    }
    const int index = static_cast<int>(parsed.variables_.size());
    parsed.variables_.emplace_back(field);
    const int first = static_cast<int>(parsed.segments_.size());
    bool has_wildcard = false;
    for (absl::string_view piece : absl::StrSplit(pattern, '/')) {
      if (piece == "**") return Invalid(text, "'**' is not supported");
      if (piece == "*") {
        has_wildcard = true;
        parsed.segments_.push_back({.variable_index = index});
      } else if (IsLiteral(piece)) {
        parsed.segments_.push_back({.literal = std::string(piece), .variable_index = index});
      } else {
        return Invalid(text, absl::StrCat("pattern piece '", piece, "' is neither a literal nor '*'"));
      }
    }
    if (!has_wildcard) return Invalid(text, absl::StrCat("the pattern of '", field, "' has no '*'"));
    parsed.variable_spans_.emplace_back(first, static_cast<int>(parsed.segments_.size()));
  }
  return parsed;
}

std::optional<PathBindings> PathTemplate::Match(absl::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  if (!verb_.empty()) {
    const size_t slash = path.rfind('/');
    const size_t colon = path.rfind(':');
    if (colon == absl::string_view::npos || (slash != absl::string_view::npos && colon < slash)) return std::nullopt;
    if (path.substr(colon + 1) != verb_) return std::nullopt;
    path = path.substr(0, colon);
  }
  // Every request is tried against every template of its HTTP method: refuse
  // a different segment count before splitting or decoding anything.
  if (static_cast<size_t>(std::count(path.begin(), path.end(), '/')) + 1 != segments_.size()) return std::nullopt;
  std::vector<absl::string_view> pieces = absl::StrSplit(path, '/');
  if (pieces.size() != segments_.size()) return std::nullopt;
  std::vector<std::string> decoded(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Segment& segment = segments_[i];
    if (pieces[i].empty()) return std::nullopt;
    if (!segment.literal.empty()) {
      if (pieces[i] != segment.literal) return std::nullopt;
      decoded[i] = segment.literal;
      continue;
    }
    std::optional<std::string> value = PercentDecode(pieces[i]);
    if (!value || value->empty()) return std::nullopt;
    decoded[i] = *std::move(value);
  }
  PathBindings bindings;
  bindings.reserve(variables_.size());
  for (size_t v = 0; v < variables_.size(); ++v) {
    const auto [first, end] = variable_spans_[v];
    std::string value;
    for (int i = first; i < end; ++i) {
      if (i > first) value.push_back('/');
      value += decoded[i];
    }
    bindings.emplace_back(variables_[v], std::move(value));
  }
  return bindings;
}

std::vector<PathTemplate::OpenApiParameter> PathTemplate::OpenApiParameters() const {
  std::vector<OpenApiParameter> parameters;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (!segments_[i].literal.empty()) continue;
    const std::string& field = variables_[segments_[i].variable_index];
    // A bare "{field}" has no literal of its own: the field names it.
    std::string name = field;
    if (i > 0 && !segments_[i - 1].literal.empty() && segments_[i - 1].variable_index == segments_[i].variable_index) {
      name = segments_[i - 1].literal;
      if (name.size() > 1 && name.back() == 's') name.pop_back();
    }
    for (const OpenApiParameter& earlier : parameters) {
      if (earlier.name == name) name = absl::StrCat(name, "_", parameters.size() + 1);
    }
    parameters.push_back({.name = std::move(name), .field = field});
  }
  return parameters;
}

std::string PathTemplate::OpenApiPath() const {
  const std::vector<OpenApiParameter> parameters = OpenApiParameters();
  std::string path;
  size_t next_parameter = 0;
  for (const Segment& segment : segments_) {
    if (segment.literal.empty()) {
      absl::StrAppend(&path, "/{", parameters[next_parameter++].name, "}");
    } else {
      absl::StrAppend(&path, "/", segment.literal);
    }
  }
  if (!verb_.empty()) absl::StrAppend(&path, ":", verb_);
  return path;
}

int PathTemplate::literal_count() const {
  int count = 0;
  for (const Segment& segment : segments_) count += segment.literal.empty() ? 0 : 1;
  return count;
}

std::string PathTemplate::Shape() const {
  std::vector<std::string> pieces;
  for (const Segment& segment : segments_) pieces.push_back(segment.literal.empty() ? "*" : segment.literal);
  return absl::StrCat("/", absl::StrJoin(pieces, "/"), verb_.empty() ? "" : ":", verb_);
}

}  // namespace grassroots::gateway
