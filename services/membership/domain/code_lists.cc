#include "services/membership/domain/code_lists.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

#ifndef GRASSROOTS_DEFAULT_CODES_DIR
#define GRASSROOTS_DEFAULT_CODES_DIR "data/codes"
#endif

namespace grassroots::membership::domain {
namespace {

absl::Status Malformed(std::string_view source, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("code list ", common::ToAbsl(source), ": ", common::ToAbsl(what)));
}

}  // namespace

std::string FoldCodeText(std::string_view text) {
  std::string out;
  for (char c : common::api::FoldForSearch(text)) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

absl::StatusOr<CodeList> CodeList::Parse(std::string_view json_text, std::string_view source) {
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("codes") || !doc["codes"].is_array()) {
    return Malformed(source, "expected an object with a \"codes\" array");
  }
  CodeList out;
  out.list_ = doc.value("list", "");
  out.citation_ = doc.value("citation", "");
  if (out.list_.empty() || out.citation_.empty()) return Malformed(source, "\"list\" and \"citation\" are required");
  auto key = [&](const std::string& text, const std::string& code) -> absl::Status {
    const std::string folded = FoldCodeText(text);
    if (folded.empty()) return Malformed(source, absl::StrCat("code ", code, " has an empty name or alias"));
    auto [it, inserted] = out.by_folded_.emplace(folded, code);
    if (!inserted && it->second != code) {
      return Malformed(source, absl::StrCat("\"", text, "\" matches both ", it->second, " and ", code));
    }
    return absl::OkStatus();
  };
  for (const nlohmann::json& entry : doc["codes"]) {
    if (!entry.is_object() || !entry.contains("code") || !entry["code"].is_string() || !entry.contains("name") ||
        !entry["name"].is_string()) {
      return Malformed(source, "each entry needs a string \"code\" and \"name\"");
    }
    const std::string code = entry["code"];
    GR_RETURN_IF_ERROR(common::api::ValidateCode(code, "code"));
    if (!out.names_.emplace(code, entry["name"].get<std::string>()).second) {
      return Malformed(source, absl::StrCat("duplicate code ", code));
    }
    GR_RETURN_IF_ERROR(key(code, code));
    GR_RETURN_IF_ERROR(key(entry["name"], code));
    if (entry.contains("aliases")) {
      for (const nlohmann::json& alias : entry["aliases"]) {
        if (!alias.is_string()) return Malformed(source, absl::StrCat("code ", code, " has a non-text alias"));
        GR_RETURN_IF_ERROR(key(alias.get<std::string>(), code));
      }
    }
  }
  if (out.names_.empty()) return Malformed(source, "no codes");
  return out;
}

absl::StatusOr<CodeList> CodeList::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read code list ", path));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

std::string CodeList::DisplayName(std::string_view code) const {
  auto it = names_.find(std::string(code));
  return it == names_.end() ? "" : it->second;
}

std::optional<std::string> CodeList::Match(std::string_view text) const {
  auto it = by_folded_.find(FoldCodeText(text));
  if (it == by_folded_.end()) return std::nullopt;
  return it->second;
}

std::string CodeList::Fingerprint() const {
  // Folded keys are ASCII letters and digits, codes [A-Za-z0-9._-]: the separators cannot occur in them.
  std::string canonical = list_;
  for (const auto& [code, name] : names_) absl::StrAppend(&canonical, "\n", code);
  for (const auto& [folded, code] : by_folded_) absl::StrAppend(&canonical, "\n", folded, "=", code);
  return common::api::Sha256Hex(canonical);
}

absl::StatusOr<CodeLists> CodeLists::LoadDir(const std::string& dir) {
  CodeLists out;
  GR_ASSIGN_OR_RETURN(out.ethnicity, CodeList::LoadFile(absl::StrCat(dir, "/ethnicity.json")));
  GR_ASSIGN_OR_RETURN(out.religion, CodeList::LoadFile(absl::StrCat(dir, "/religion.json")));
  if (out.ethnicity.list() != "ethnicity" || out.religion.list() != "religion") {
    return absl::InvalidArgumentError(absl::StrCat("code lists in ", dir, " are not the ethnicity and religion lists"));
  }
  return out;
}

std::string CodeLists::DefaultDir() { return GRASSROOTS_DEFAULT_CODES_DIR; }

std::string CodeLists::Fingerprint() const {
  return common::api::Sha256Hex(absl::StrCat(ethnicity.Fingerprint(), religion.Fingerprint()));
}

}  // namespace grassroots::membership::domain
