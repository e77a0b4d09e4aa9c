// Token keys by kid from a JWKS (RSA and EC P-256 keys generated with
// OpenSSL), the algorithm each key allows, rotation without a restart, and the
// maximum token lifetimes.
#include "common/auth/jwks.h"

#include <openssl/hmac.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/auth.h"

namespace grassroots::common::auth {
namespace {

constexpr char kIssuer[] = "jwks-test";
constexpr char kAudience[] = "grassroots.org";

std::string B64(std::string_view text) { return absl::WebSafeBase64Escape(absl::string_view(text.data(), text.size())); }

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair Rsa() {
  auto pair = GenerateRsaKeyPairPem();
  EXPECT_TRUE(pair.ok());
  return {pair->first, pair->second};
}

KeyPair Ec() {
  auto pair = GenerateEcKeyPairPem();
  EXPECT_TRUE(pair.ok()) << pair.status();
  return {pair->first, pair->second};
}

nlohmann::json Jwk(const KeyPair& key, const std::string& kid) {
  auto jwk = PublicJwkFromPem(key.public_pem, kid);
  EXPECT_TRUE(jwk.ok()) << jwk.status();
  return nlohmann::json::parse(*jwk);
}

std::string Jwks(std::initializer_list<nlohmann::json> keys) {
  nlohmann::json array = nlohmann::json::array();
  for (const nlohmann::json& key : keys) array.push_back(key);
  return nlohmann::json{{"keys", array}}.dump();
}

AuthConfig Config() {
  AuthConfig config;
  config.issuer = kIssuer;
  config.audience = kAudience;
  return config;
}

std::string Mint(const KeyPair& key, const std::string& kid, Claims claims, absl::Duration ttl, absl::Time now,
                 std::vector<std::string> audiences = {kAudience}) {
  auto signer = TokenSigner::FromPrivateKeyPem(key.private_pem, kIssuer, kAudience);
  EXPECT_TRUE(signer.ok()) << signer.status();
  (*signer)->set_key_id(kid);
  (*signer)->set_audiences(std::move(audiences));
  auto token = (*signer)->Mint(claims, ttl, now);
  EXPECT_TRUE(token.ok()) << token.status();
  return *token;
}

nlohmann::json HeaderOf(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string text;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(parts[0], &text));
  return nlohmann::json::parse(text);
}

// The token with its header replaced (signature kept): what an attacker
// controls without the private key.
std::string WithHeader(const std::string& token, const nlohmann::json& header) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  return absl::StrCat(B64(header.dump()), ".", parts[1], ".", parts[2]);
}

class JwksTest : public ::testing::Test {
 protected:
  const absl::Time now_ = absl::FromUnixSeconds(1'790'000'000);
  const Claims person_{"user-1", {Role::kSecretary}, 42, std::nullopt};
  const Claims service_{"reporting-service", {Role::kService}, 1, std::nullopt};
  KeyPair rsa_ = Rsa();
  KeyPair ec_ = Ec();

  std::unique_ptr<TokenVerifier> Verifier(const std::string& jwks, AuthConfig config = Config()) {
    auto verifier = TokenVerifier::FromJwks(jwks, std::move(config));
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return std::move(*verifier);
  }
  static void ExpectRefused(const TokenVerifier& verifier, const std::string& token, absl::Time now,
                            std::string_view why, std::string_view reason_text = "") {
    absl::StatusOr<Principal> result = verifier.Verify(token, now);
    ASSERT_FALSE(result.ok()) << why;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << why;
    EXPECT_TRUE(absl::StrContains(result.status().message(), absl::string_view(reason_text.data(), reason_text.size())))
        << why << ": " << result.status();
  }
};

TEST_F(JwksTest, SelectsTheKeyByKidForRs256AndEs256) {
  auto verifier = Verifier(Jwks({Jwk(rsa_, "rsa-2026"), Jwk(ec_, "ec-2026")}));
  const std::string rs256 = Mint(rsa_, "rsa-2026", person_, absl::Minutes(10), now_);
  const std::string es256 = Mint(ec_, "ec-2026", person_, absl::Minutes(10), now_);
  EXPECT_EQ(HeaderOf(rs256)["alg"], "RS256");
  EXPECT_EQ(HeaderOf(es256)["alg"], "ES256");
  EXPECT_EQ(HeaderOf(es256)["kid"], "ec-2026");
  auto principal = verifier->Verify(rs256, now_);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->subject, "user-1");
  ASSERT_TRUE(verifier->Verify(es256, now_).ok()) << verifier->Verify(es256, now_).status();

  // The kid names the key: another key's kid, an unknown kid or none at all fail.
  ExpectRefused(*verifier, Mint(rsa_, "ec-2026", person_, absl::Minutes(10), now_), now_, "RSA token, EC kid");
  ExpectRefused(*verifier, Mint(rsa_, "rsa-2025", person_, absl::Minutes(10), now_), now_, "unknown kid", "kid");
  ExpectRefused(*verifier, Mint(rsa_, "", person_, absl::Minutes(10), now_), now_, "no kid", "kid");
  // A key this JWKS does not hold, under a kid it does.
  ExpectRefused(*verifier, Mint(Rsa(), "rsa-2026", person_, absl::Minutes(10), now_), now_, "foreign key", "signature");
}

TEST_F(JwksTest, RefusesNoneHmacAndAKeyUsedWithAnotherAlgorithm) {
  auto verifier = Verifier(Jwks({Jwk(rsa_, "rsa"), Jwk(ec_, "ec")}));
  const std::string good = Mint(rsa_, "rsa", person_, absl::Minutes(10), now_);
  ExpectRefused(*verifier, WithHeader(good, {{"alg", "none"}, {"kid", "rsa"}}), now_, "none", "algorithm");
  ExpectRefused(*verifier, WithHeader(good, {{"alg", "RS384"}, {"kid", "rsa"}}), now_, "RS384", "algorithm");
  ExpectRefused(*verifier, WithHeader(good, {{"alg", "ES256"}, {"kid", "rsa"}}), now_, "RSA key as ES256", "algorithm");
  const std::string es = Mint(ec_, "ec", person_, absl::Minutes(10), now_);
  ExpectRefused(*verifier, WithHeader(es, {{"alg", "RS256"}, {"kid", "ec"}}), now_, "EC key as RS256", "algorithm");

  // HS256 keyed with the RSA public key's PEM text, naming the RSA key.
  const nlohmann::json header = {{"alg", "HS256"}, {"kid", "rsa"}};
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  const std::string signing_input = absl::StrCat(B64(header.dump()), ".", parts[1]);
  const std::string pem = nlohmann::json::parse(Jwks({Jwk(rsa_, "rsa")})).dump();  // any public text will do
  for (const std::string& secret : {rsa_.public_pem, pem}) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &length);
    ExpectRefused(*verifier, absl::StrCat(signing_input, ".", B64(std::string(reinterpret_cast<char*>(mac), length))),
                  now_, "HS256", "algorithm");
  }
}

TEST_F(JwksTest, TheJwksDocumentIsCheckedWhole) {
  nlohmann::json rsa = Jwk(rsa_, "a");
  nlohmann::json ec = Jwk(ec_, "b");
  EXPECT_TRUE(ParseJwks(Jwks({rsa, ec})).ok());
  nlohmann::json wrong_alg = rsa;
  wrong_alg["alg"] = "ES256";
  EXPECT_FALSE(ParseJwks(Jwks({wrong_alg})).ok()) << "an RSA key declared for ES256";
  nlohmann::json hs_alg = ec;
  hs_alg["alg"] = "HS256";
  EXPECT_FALSE(ParseJwks(Jwks({hs_alg})).ok());
  nlohmann::json encryption = rsa;
  encryption["use"] = "enc";
  EXPECT_FALSE(ParseJwks(Jwks({encryption})).ok());
  nlohmann::json no_kid = rsa;
  no_kid.erase("kid");
  EXPECT_FALSE(ParseJwks(Jwks({no_kid})).ok());
  nlohmann::json same_kid = ec;
  same_kid["kid"] = "a";
  EXPECT_FALSE(ParseJwks(Jwks({rsa, same_kid})).ok());
  nlohmann::json off_curve = ec;
  off_curve["y"] = off_curve["x"];
  EXPECT_FALSE(ParseJwks(Jwks({off_curve})).ok()) << "a point not on P-256";
  nlohmann::json other_curve = ec;
  other_curve["crv"] = "P-384";
  EXPECT_FALSE(ParseJwks(Jwks({other_curve})).ok());
  nlohmann::json bad_base64 = rsa;
  bad_base64["n"] = "*not base64*";
  EXPECT_FALSE(ParseJwks(Jwks({bad_base64})).ok());
  nlohmann::json short_rsa = rsa;
  short_rsa["n"] = B64(std::string(128, '\xff'));  // 1024 bits
  EXPECT_FALSE(ParseJwks(Jwks({short_rsa})).ok());
  // A symmetric key is skipped, never used: alone it leaves no key.
  const nlohmann::json oct = {{"kty", "oct"}, {"kid", "s"}, {"k", B64("secret-secret-secret")}};
  EXPECT_FALSE(ParseJwks(Jwks({oct})).ok());
  auto with_oct = ParseJwks(Jwks({oct, rsa}));
  ASSERT_TRUE(with_oct.ok());
  EXPECT_EQ(with_oct->size(), 1u);
  EXPECT_FALSE(ParseJwks("{}").ok());
  EXPECT_FALSE(ParseJwks("not json").ok());
}

TEST_F(JwksTest, ThumbprintMatchesRfc7638) {
  // RFC 7638, section 3.1.
  const nlohmann::json rfc_key = {
      {"kty", "RSA"},
      {"kid", "rfc"},
      {"e", "AQAB"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
       "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5h"
       "ajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}};
  auto keys = ParseJwks(Jwks({rfc_key}));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(JwkThumbprintFromPem(keys->front().public_key_pem).value_or(""),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // The private key gives the same thumbprint as its public key.
  EXPECT_EQ(JwkThumbprintFromPem(ec_.private_pem).value_or("a"), JwkThumbprintFromPem(ec_.public_pem).value_or("b"));
}

TEST_F(JwksTest, KeysRotateWhenTheFileChangesWithoutARestart) {
  const std::filesystem::path file =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("jwks-rotation-", getpid(), ".json");
  auto write = [&](const std::string& text) {
    std::ofstream(file, std::ios::trunc) << text;
  };
  write(Jwks({Jwk(rsa_, "old")}));
  AuthConfig config = Config();
  config.jwks_file = file.string();
  auto loaded = TokenVerifier::FromConfig(config);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TokenVerifier& verifier = **loaded;

  const std::string old_token = Mint(rsa_, "old", person_, absl::Minutes(30), now_);
  const std::string new_token = Mint(ec_, "new", person_, absl::Minutes(30), now_);
  ASSERT_TRUE(verifier.Verify(old_token, now_).ok());  // now cached
  ExpectRefused(verifier, new_token, now_, "not published yet", "kid");

  // Both keys during the overlap, then the old one withdrawn.
  write(Jwks({Jwk(rsa_, "old"), Jwk(ec_, "new")}));
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());
  EXPECT_TRUE(verifier.Verify(old_token, now_).ok());
  write(Jwks({Jwk(ec_, "new")}));
  ExpectRefused(verifier, old_token, now_, "withdrawn key, token cached before", "kid");
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());

  // A broken file keeps the keys in force rather than locking everyone out.
  write("{\"keys\": [");
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());
  std::filesystem::remove(file);
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());
}

TEST_F(JwksTest, SinglePemKeyStillWorksForRsaAndEc) {
  for (const KeyPair* key : {&rsa_, &ec_}) {
    auto verifier = TokenVerifier::FromPublicKeyPem(key->public_pem, Config());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    EXPECT_TRUE((*verifier)->Verify(Mint(*key, "any", person_, absl::Minutes(5), now_), now_).ok());
    EXPECT_TRUE((*verifier)->Verify(Mint(*key, "", person_, absl::Minutes(5), now_), now_).ok());
  }
  auto rsa_only = TokenVerifier::FromPublicKeyPem(rsa_.public_pem, Config());
  ExpectRefused(**rsa_only, Mint(ec_, "", person_, absl::Minutes(5), now_), now_, "EC token, RSA key", "algorithm");
}

TEST_F(JwksTest, LifetimeIsCappedForPeopleAndTighterForServices) {
  auto verifier = Verifier(Jwks({Jwk(rsa_, "k")}));
  EXPECT_TRUE(verifier->Verify(Mint(rsa_, "k", person_, absl::Hours(12), now_), now_).ok());
  ExpectRefused(*verifier, Mint(rsa_, "k", person_, absl::Hours(12) + absl::Seconds(1), now_), now_, "person 12h+1s",
                "lifetime");
  ExpectRefused(*verifier, Mint(rsa_, "k", person_, absl::Hours(720), now_), now_, "30-day token", "lifetime");
  EXPECT_TRUE(verifier->Verify(Mint(rsa_, "k", service_, absl::Hours(1), now_), now_).ok());
  ExpectRefused(*verifier, Mint(rsa_, "k", service_, absl::Hours(2), now_), now_, "service 2h", "lifetime");
  // A token "issued" in the future cannot stretch its window past the cap.
  const std::string future = Mint(rsa_, "k", person_, absl::Hours(1), now_ + absl::Hours(6));
  ExpectRefused(*verifier, future, now_, "iat ahead", "future");

  AuthConfig longer = Config();
  longer.max_service_token_lifetime_seconds = 3 * 3600;
  EXPECT_TRUE(Verifier(Jwks({Jwk(rsa_, "k")}), longer)->Verify(Mint(rsa_, "k", service_, absl::Hours(2), now_), now_).ok());
}

TEST_F(JwksTest, EachServiceAcceptsOnlyTokensNamingIt) {
  auto verifier = Verifier(Jwks({Jwk(rsa_, "k")}));  // the org service
  EXPECT_TRUE(verifier->Verify(Mint(rsa_, "k", service_, absl::Minutes(30), now_,
                                    {"grassroots.membership", "grassroots.org"}), now_).ok());
  ExpectRefused(*verifier, Mint(rsa_, "k", service_, absl::Minutes(30), now_, {"grassroots.membership"}), now_,
                "token for membership", "audience");
  ExpectRefused(*verifier, Mint(rsa_, "k", service_, absl::Minutes(30), now_, {"grassroots"}), now_,
                "the old shared audience", "audience");
}

}  // namespace
}  // namespace grassroots::common::auth
