#include "services/membership/domain/name_search.h"

#include <array>

#include "absl/strings/str_join.h"

namespace grassroots::membership::domain {
namespace {

// The folded family names and middle names that the most people bear, the
// most frequent first (Nguyễn alone is about 38% of Vietnamese; Thị and Văn are
// the middle names of a large share of women and men). Only an ordering hint
// for MostSelectiveWord: a wrong guess makes a search slower, never different.
constexpr std::array<std::string_view, 18> kCommonNameWords = {
    "nguyen", "thi", "van", "tran", "le", "pham", "hoang", "huynh", "phan",
    "vu",     "vo",  "dang", "bui", "do", "ho", "ngo",  "duong", "ly"};

constexpr std::string_view kMatchPrefix = "match=";

// How many people a word is expected to match, as a comparable rank: higher
// is narrower.
struct Narrowness {
  bool uncommon = false;  // neither a common name word nor the start of one
  size_t weight = 0;      // uncommon: the word's length; common: its place in kCommonNameWords
  size_t position = 0;    // later words are given names
  bool operator<(const Narrowness& other) const {
    if (uncommon != other.uncommon) return !uncommon;
    if (weight != other.weight) return weight < other.weight;
    return position < other.position;
  }
};

Narrowness NarrownessOf(std::string_view word, size_t position) {
  for (size_t i = 0; i < kCommonNameWords.size(); ++i) {
    // A word that starts a common name matches at least everyone bearing it.
    if (kCommonNameWords[i].starts_with(word)) return Narrowness{false, i, position};
  }
  return Narrowness{true, word.size(), position};
}

}  // namespace

std::string QueryPhrase(const std::vector<std::string>& words) { return absl::StrJoin(words, " "); }

size_t MostSelectiveWord(const std::vector<std::string>& words) {
  size_t best = 0;
  for (size_t i = 1; i < words.size(); ++i) {
    if (NarrownessOf(words[best], best) < NarrownessOf(words[i], i)) best = i;
  }
  return best;
}

std::string EncodeNameMatch(NameMatch match) {
  return std::string(kMatchPrefix) + static_cast<char>('0' + static_cast<int>(match));
}

std::optional<NameMatch> DecodeNameMatch(std::string_view text) {
  if (text.size() != kMatchPrefix.size() + 1 || !text.starts_with(kMatchPrefix)) return std::nullopt;
  const int value = text.back() - '0';
  if (value < static_cast<int>(NameMatch::kExact) || value > static_cast<int>(NameMatch::kWordPrefixes)) {
    return std::nullopt;
  }
  return static_cast<NameMatch>(value);
}

}  // namespace grassroots::membership::domain
