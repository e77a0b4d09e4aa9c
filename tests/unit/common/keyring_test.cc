#include "common/crypto/keyring.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace grassroots::common::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKeyOne[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kKeyTwo[] = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

Keyring Ring(const std::string& text) {
  absl::StatusOr<Keyring> ring = Keyring::Parse(text);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return *ring;
}

TEST(KeyringTest, ParsesKeysAndTheCurrentOne) {
  const Keyring ring = Ring(std::string("# comment\n\n1 ") + kKeyOne + "\n2\t" + kKeyTwo + "\ncurrent 2\n");
  EXPECT_EQ(ring.current_id(), 2u);
  EXPECT_TRUE(ring.Has(1));
  EXPECT_FALSE(ring.Has(3));
  EXPECT_EQ(ring.key_ids(), (std::vector<uint32_t>{1, 2}));
}

TEST(KeyringTest, RefusesMalformedFilesWithoutEchoingKeys) {
  const std::string one = std::string("1 ") + kKeyOne + "\n";
  const auto error_of = [](const std::string& text) { return std::string(Keyring::Parse(text).status().message()); };
  EXPECT_THAT(error_of(one), HasSubstr("current"));
  EXPECT_THAT(error_of(one + "current 2\n"), HasSubstr("current key 2"));
  EXPECT_THAT(error_of(one + "current 1\ncurrent 1\n"), HasSubstr("line 3"));
  EXPECT_THAT(error_of(one + one + "current 1\n"), HasSubstr("twice"));
  EXPECT_THAT(error_of("0 " + std::string(kKeyOne) + "\ncurrent 0\n"), HasSubstr("line 1"));
  const std::string short_key = std::string(kKeyOne).substr(0, 62);
  const std::string message = error_of("1 " + short_key + "\ncurrent 1\n");
  EXPECT_THAT(message, HasSubstr("64 hex digits"));
  EXPECT_THAT(message, Not(HasSubstr(short_key)));
}

TEST(KeyringTest, SealsAndOpensUnderEveryKey) {
  const Keyring ring = Ring(std::string("1 ") + kKeyOne + "\n2 " + kKeyTwo + "\ncurrent 2\n");
  for (uint32_t id : {1u, 2u}) {
    absl::StatusOr<std::string> sealed = ring.Seal(id, "001234567890", "members/7/citizen_id");
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    EXPECT_EQ(sealed->size(), Keyring::kNonceBytes + 12 + Keyring::kTagBytes);
    EXPECT_THAT(*sealed, Not(HasSubstr("001234567890")));
    absl::StatusOr<std::string> opened = ring.Open(id, *sealed, "members/7/citizen_id");
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, "001234567890");
  }
  absl::StatusOr<std::string> empty = ring.Seal(2, "", "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(ring.Open(2, *empty, "x").value_or("?"), "");
}

TEST(KeyringTest, EachSealHasItsOwnNonce) {
  const Keyring ring = Ring(std::string("1 ") + kKeyOne + "\ncurrent 1\n");
  EXPECT_NE(ring.Seal(1, "01", "a").value(), ring.Seal(1, "01", "a").value());
}

TEST(KeyringTest, AValueDoesNotOpenElsewhere) {
  const Keyring ring = Ring(std::string("1 ") + kKeyOne + "\n2 " + kKeyTwo + "\ncurrent 1\n");
  const std::string sealed = ring.Seal(1, "001234567890", "members/7/citizen_id").value();
  // Another row or column, another key id, a flipped bit, a truncation, an unknown key.
  EXPECT_FALSE(ring.Open(1, sealed, "members/8/citizen_id").ok());
  EXPECT_FALSE(ring.Open(1, sealed, "members/7/religion").ok());
  EXPECT_FALSE(ring.Open(2, sealed, "members/7/citizen_id").ok());
  std::string flipped = sealed;
  flipped[Keyring::kNonceBytes] ^= 1;
  absl::Status refused = ring.Open(1, flipped, "members/7/citizen_id").status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(refused.message(), HasSubstr("key 1"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("0012")));
  EXPECT_FALSE(ring.Open(1, sealed.substr(0, 20), "members/7/citizen_id").ok());
  EXPECT_FALSE(ring.Open(3, sealed, "members/7/citizen_id").ok());
}

}  // namespace
}  // namespace grassroots::common::crypto
