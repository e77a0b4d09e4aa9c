// Name search: how a person's name ranks against the words of a query, which
// query word should drive the lookup, and the ranked position a page token
// carries. Pure: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grassroots::membership::domain {

// How well a name matches the query words (SearchTokens of the query); a
// better match sorts first. Within one match, names sort by their folded form.
enum class NameMatch : int {
  kExact = 0,           // the folded full name is the words in order, one space apart
  kFullNamePrefix = 1,  // the folded full name starts with them ("nguyen van" -> "Nguyễn Văn An")
  kWholeWords = 2,      // each word is a whole word of the name or birth name, in any order
  kWordPrefixes = 3,    // each word starts some word of the name or birth name
};

// The words as one phrase, one space apart: compared with the folded full name
// (exact match, or its prefix).
std::string QueryPhrase(const std::vector<std::string>& words);

// The index of the word expected to match the fewest people, which drives the
// lookup (the others only filter). A word that is, or begins, one of the most
// common Vietnamese family or middle names ("nguyen", "thi", "van", ...) is
// expected to match many; of the rest, a longer word is a narrower prefix;
// ties go to the later word (the given name comes last). `words` is not empty.
size_t MostSelectiveWord(const std::vector<std::string>& words);

// The ranked part of a search position, as a page token carries it (the sort
// key itself is read back from the member's row).
std::string EncodeNameMatch(NameMatch match);
// nullopt for anything EncodeNameMatch does not produce.
std::optional<NameMatch> DecodeNameMatch(std::string_view text);

}  // namespace grassroots::membership::domain
