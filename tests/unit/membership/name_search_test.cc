// Name search ranking helpers: the query phrase, the driving word, and the
// ranked position carried by page tokens.
#include "services/membership/domain/name_search.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/membership/domain/member_rules.h"

namespace grassroots::membership::domain {
namespace {

// The word MostSelectiveWord picks from a query typed by a person.
std::string Driving(std::string_view query) {
  const std::vector<std::string> words = SearchTokens(query);
  return words[MostSelectiveWord(words)];
}

TEST(NameSearchTest, PhraseIsTheFoldedWordsOneSpaceApart) {
  EXPECT_EQ(QueryPhrase(SearchTokens("  Nguyễn   VĂN  Đạt ")), "nguyen van dat");
  EXPECT_EQ(QueryPhrase({"an"}), "an");
  EXPECT_EQ(QueryPhrase({}), "");
}

TEST(NameSearchTest, GivenNameDrivesOverCommonFamilyAndMiddleNames) {
  EXPECT_EQ(Driving("Nguyễn Văn An"), "an");
  EXPECT_EQ(Driving("an nguyen van"), "an") << "position does not outweigh commonness";
  EXPECT_EQ(Driving("Trần Thị Khánh"), "khanh");
  EXPECT_EQ(Driving("khanh"), "khanh");
}

TEST(NameSearchTest, AmongCommonWordsTheLessFrequentDrives) {
  EXPECT_EQ(Driving("nguyen van"), "van");
  EXPECT_EQ(Driving("van nguyen"), "van");
  EXPECT_EQ(Driving("nguyen thi"), "thi");
  EXPECT_EQ(Driving("thi le"), "le");
  // A word that starts a common name matches everyone bearing that name.
  EXPECT_EQ(Driving("ngu ly"), "ly");
  EXPECT_EQ(Driving("ng tra"), "tra");
}

TEST(NameSearchTest, AmongUncommonWordsTheLongerThenTheLaterDrives) {
  EXPECT_EQ(Driving("khanh an"), "khanh");
  EXPECT_EQ(Driving("mai an"), "mai");
  EXPECT_EQ(Driving("lan mai"), "mai");
  EXPECT_EQ(Driving("mai lan"), "lan");
  EXPECT_EQ(Driving("nguyen x"), "x") << "any uncommon word is narrower than nguyen";
}

TEST(NameSearchTest, MatchRoundTripsAndRejectsAnythingElse) {
  for (NameMatch match :
       {NameMatch::kExact, NameMatch::kFullNamePrefix, NameMatch::kWholeWords, NameMatch::kWordPrefixes}) {
    EXPECT_EQ(DecodeNameMatch(EncodeNameMatch(match)), match);
  }
  for (std::string_view bad : {"", "match=", "match=4", "match=-1", "match=01", "match=1x", "1", "match=a"}) {
    EXPECT_EQ(DecodeNameMatch(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace grassroots::membership::domain
