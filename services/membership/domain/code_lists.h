#pragma once
// Code lists of the member record (ethnicity, religion): data files under
// data/codes/ with their citations, loaded once at start. The API, the store
// and the feed carry the codes; the display names come from here.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace grassroots::membership::domain {

class CodeList {
 public:
  // The JSON of one list: {"list": "...", "citation": "...", "codes": [{"code", "name", "aliases"}]}.
  // INVALID_ARGUMENT naming `source` on a malformed file, a duplicate code or
  // an alias that would match two codes.
  static absl::StatusOr<CodeList> Parse(std::string_view json_text, std::string_view source);
  static absl::StatusOr<CodeList> LoadFile(const std::string& path);

  const std::string& list() const { return list_; }
  const std::string& citation() const { return citation_; }
  bool Contains(std::string_view code) const { return names_.count(std::string(code)) > 0; }
  // "" when the code is not in the list.
  std::string DisplayName(std::string_view code) const;
  // The code whose code, name or alias equals `text` ignoring case,
  // diacritics, spaces, hyphens and apostrophes ("kinh", "KINH", "Khơ-me").
  std::optional<std::string> Match(std::string_view text) const;
  // A digest of what Contains and Match answer: the same for lists that map
  // every text alike, different once a code or alias is added, removed or moved.
  std::string Fingerprint() const;

 private:
  std::string list_;
  std::string citation_;
  std::map<std::string, std::string> names_;     // code -> display name
  std::map<std::string, std::string> by_folded_;  // folded code/name/alias -> code
};

struct CodeLists {
  CodeList ethnicity;
  CodeList religion;
  // Reads <dir>/ethnicity.json and <dir>/religion.json.
  static absl::StatusOr<CodeLists> LoadDir(const std::string& dir);
  // data/codes of the source tree (baked in at build time), for tests and defaults.
  static std::string DefaultDir();
  // Both lists' fingerprints in one (the code migration records what it ran against).
  std::string Fingerprint() const;
};

// The key names are compared by: FoldForSearch without anything but ASCII letters and digits.
std::string FoldCodeText(std::string_view text);

}  // namespace grassroots::membership::domain
