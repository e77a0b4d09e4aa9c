#include "common/auth/auth.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "tests/support/test_tokens.h"

namespace grassroots::common::auth {
namespace {

using grassroots::testing::TestKeys;

std::string B64(absl::string_view text) { return absl::WebSafeBase64Escape(text); }

// Signs header.payload with RS256 using OpenSSL directly, so the tests can
// build tokens with any claims, independently of TokenSigner.
std::string SignRs256(const nlohmann::json& payload, const std::string& private_pem,
                      const nlohmann::json& header = {{"alg", "RS256"}, {"typ", "JWT"}}) {
  const std::string signing_input = B64(header.dump()) + "." + B64(payload.dump());
  BIO* bio = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(key, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return signing_input + "." + B64(signature);
}

std::string SignHs256(const nlohmann::json& payload, const std::string& secret) {
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  const std::string signing_input = B64(header.dump()) + "." + B64(payload.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_length);
  return signing_input + "." + B64(std::string(reinterpret_cast<char*>(mac), mac_length));
}

class AuthTest : public ::testing::Test {
 protected:
  const TestKeys& keys_ = TestKeys::Get();
  const absl::Time now_ = absl::FromUnixSeconds(1'760'000'000);

  nlohmann::json ValidClaims() const {
    const int64_t t = absl::ToUnixSeconds(now_);
    return {{"iss", grassroots::testing::kTestIssuer},
            {"aud", grassroots::testing::kTestAudience},
            {"sub", "user-1"},
            {"iat", t},
            {"nbf", t},
            {"exp", t + 600},
            {"roles", {"secretary", "member"}},
            {"scope_org", 42},
            {"member_id", 7}};
  }

  absl::StatusOr<Principal> Verify(const std::string& token) const { return keys_.verifier()->Verify(token, now_); }

  // Every rejection is UNAUTHENTICATED and never echoes the token.
  void ExpectRejected(const std::string& token, std::string_view why) const {
    absl::StatusOr<Principal> result = Verify(token);
    ASSERT_FALSE(result.ok()) << why;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << why << ": " << result.status();
    if (token.size() > 8) {
      EXPECT_FALSE(absl::StrContains(result.status().message(), token.substr(0, 8)))
          << why << ": " << result.status().message();
    }
  }
};

TEST_F(AuthTest, ValidTokenGivesThePrincipal) {
  auto principal = Verify(SignRs256(ValidClaims(), keys_.private_key_pem()));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->subject, "user-1");
  EXPECT_EQ(principal->roles, (std::set<Role>{Role::kSecretary, Role::kMember}));
  EXPECT_EQ(principal->scope_org_id, 42);
  EXPECT_EQ(principal->member_id, 7);
  EXPECT_TRUE(principal->HasAnyRole({Role::kAdmin, Role::kMember}));
  EXPECT_FALSE(principal->HasAnyRole({Role::kAdmin, Role::kInspector}));
}

TEST_F(AuthTest, SignerTokensVerifyAndCarryEveryClaim) {
  Claims claims{"admin-1", {Role::kAdmin}, 3, std::nullopt};
  auto token = keys_.signer().Mint(claims, absl::Minutes(5), now_);
  ASSERT_TRUE(token.ok()) << token.status();
  auto principal = Verify(*token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->subject, "admin-1");
  EXPECT_TRUE(principal->HasRole(Role::kAdmin));
  EXPECT_EQ(principal->scope_org_id, 3);
  EXPECT_FALSE(principal->member_id.has_value());

  // The payload has iat, nbf, exp, iss, aud, sub, roles, scope_org.
  std::vector<std::string> parts = absl::StrSplit(*token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string payload_text;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload_text));
  nlohmann::json payload = nlohmann::json::parse(payload_text);
  for (const char* claim : {"iat", "nbf", "exp", "iss", "aud", "sub", "roles", "scope_org"})
    EXPECT_TRUE(payload.contains(claim)) << claim;
  EXPECT_EQ(payload["exp"].get<int64_t>() - payload["iat"].get<int64_t>(), 300);
}

TEST_F(AuthTest, AudienceMayBeAnArray) {
  nlohmann::json claims = ValidClaims();
  claims["aud"] = {"other", grassroots::testing::kTestAudience};
  EXPECT_TRUE(Verify(SignRs256(claims, keys_.private_key_pem())).ok());
  claims["aud"] = {"other", "another"};
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "audience array without ours");
}

TEST_F(AuthTest, AlgNoneIsRejected) {
  const nlohmann::json header = {{"alg", "none"}, {"typ", "JWT"}};
  ExpectRejected(B64(header.dump()) + "." + B64(ValidClaims().dump()) + ".", "alg none");
  ExpectRejected(B64(header.dump()) + "." + B64(ValidClaims().dump()), "alg none, two segments");
}

TEST_F(AuthTest, AlgorithmConfusionIsRejected) {
  // HS256 "signed" with the public key text as the HMAC secret.
  ExpectRejected(SignHs256(ValidClaims(), keys_.public_key_pem()), "HS256 with public key as secret");
}

TEST_F(AuthTest, ExpiryIsRequiredAndChecked) {
  nlohmann::json claims = ValidClaims();
  claims["exp"] = absl::ToUnixSeconds(now_) - 3600;
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "expired");
  claims["exp"] = absl::ToUnixSeconds(now_) - 10;  // within the 30 s leeway
  EXPECT_TRUE(Verify(SignRs256(claims, keys_.private_key_pem())).ok());
  claims.erase("exp");
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "no exp");
  claims["exp"] = "tomorrow";
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "exp not a number");

  Claims minted{"u", {Role::kMember}, 1, std::nullopt};
  auto old = keys_.signer().Mint(minted, absl::Minutes(1), now_ - absl::Hours(1));
  ASSERT_TRUE(old.ok());
  ExpectRejected(*old, "minted an hour ago with 1 minute ttl");
}

TEST_F(AuthTest, CachedTokenStillExpiresAndStillWaitsForNotBefore) {
  nlohmann::json claims = ValidClaims();
  claims["nbf"] = absl::ToUnixSeconds(now_) + 120;
  claims["exp"] = absl::ToUnixSeconds(now_) + 600;
  const std::string token = SignRs256(claims, keys_.private_key_pem());
  const TokenVerifier& verifier = *keys_.verifier();
  // First use before nbf is refused; once valid it verifies (and is cached) ...
  EXPECT_EQ(verifier.Verify(token, now_).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(verifier.Verify(token, now_ + absl::Seconds(200)).ok());
  EXPECT_TRUE(verifier.Verify(token, now_ + absl::Seconds(300)).ok());
  // ... but the cache never stretches its window in either direction.
  EXPECT_EQ(verifier.Verify(token, now_).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.Verify(token, now_ + absl::Seconds(700)).status().code(), absl::StatusCode::kUnauthenticated);
  // A one-character change of a cached token is a different token and fails.
  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier.Verify(tampered, now_ + absl::Seconds(300)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthTest, NotBeforeInTheFutureIsRejected) {
  nlohmann::json claims = ValidClaims();
  claims["nbf"] = absl::ToUnixSeconds(now_) + 3600;
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "nbf in the future");
  claims["nbf"] = absl::ToUnixSeconds(now_) + 10;  // within leeway
  EXPECT_TRUE(Verify(SignRs256(claims, keys_.private_key_pem())).ok());
  claims.erase("nbf");  // optional
  EXPECT_TRUE(Verify(SignRs256(claims, keys_.private_key_pem())).ok());
}

TEST_F(AuthTest, WrongIssuerOrAudienceIsRejected) {
  nlohmann::json claims = ValidClaims();
  claims["iss"] = "somebody-else";
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "wrong iss");
  claims = ValidClaims();
  claims["aud"] = "another-system";
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "wrong aud");
  claims.erase("aud");
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "no aud");

  auto other_issuer = TokenSigner::FromPrivateKeyPem(keys_.private_key_pem(), "other", grassroots::testing::kTestAudience);
  ASSERT_TRUE(other_issuer.ok());
  ExpectRejected(*(*other_issuer)->Mint({"u", {Role::kMember}, 1, std::nullopt}, absl::Minutes(5), now_),
                 "signer with another issuer");
}

TEST_F(AuthTest, TamperedPayloadIsRejected) {
  const std::string token = SignRs256(ValidClaims(), keys_.private_key_pem());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  nlohmann::json claims = ValidClaims();
  claims["scope_org"] = 1;  // widen the scope
  claims["roles"] = {"admin"};
  ExpectRejected(parts[0] + "." + B64(claims.dump()) + "." + parts[2], "tampered payload");
  std::string flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  ExpectRejected(flipped, "tampered signature");
}

TEST_F(AuthTest, TokenFromAnotherKeyIsRejected) {
  auto other = GenerateRsaKeyPairPem();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->first, keys_.private_key_pem());
  ExpectRejected(SignRs256(ValidClaims(), other->first), "other key");
}

TEST_F(AuthTest, OversizedAndGarbageTokensAreRejected) {
  nlohmann::json claims = ValidClaims();
  claims["padding"] = std::string(9000, 'x');
  ExpectRejected(SignRs256(claims, keys_.private_key_pem()), "oversized");
  for (const std::string garbage : {"", "abc", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30.", "Bearer x"})
    ExpectRejected(garbage, garbage);
  ExpectRejected(std::string(20000, 'a'), "huge garbage");
}

TEST_F(AuthTest, ClaimsAreValidated) {
  const auto rejected_with = [&](const std::function<void(nlohmann::json&)>& edit, std::string_view why) {
    nlohmann::json claims = ValidClaims();
    edit(claims);
    ExpectRejected(SignRs256(claims, keys_.private_key_pem()), why);
  };
  rejected_with([](nlohmann::json& c) { c.erase("roles"); }, "missing roles");
  rejected_with([](nlohmann::json& c) { c["roles"] = nlohmann::json::array(); }, "empty roles");
  rejected_with([](nlohmann::json& c) { c["roles"] = "admin"; }, "roles not an array");
  rejected_with([](nlohmann::json& c) { c["roles"] = {"member", "superuser"}; }, "unknown role");
  rejected_with([](nlohmann::json& c) { c.erase("sub"); }, "missing sub");
  rejected_with([](nlohmann::json& c) { c["sub"] = ""; }, "empty sub");
  rejected_with([](nlohmann::json& c) { c.erase("scope_org"); }, "missing scope_org");
  rejected_with([](nlohmann::json& c) { c["scope_org"] = 0; }, "zero scope_org");
  rejected_with([](nlohmann::json& c) { c["scope_org"] = "42"; }, "string scope_org");
  rejected_with([](nlohmann::json& c) { c["member_id"] = -1; }, "negative member_id");
}

TEST_F(AuthTest, KeysMustBeRsaPem) {
  EXPECT_FALSE(TokenVerifier::FromPublicKeyPem("not a key", keys_.auth_config()).ok());
  EXPECT_FALSE(TokenVerifier::FromPublicKeyPem(keys_.private_key_pem(), keys_.auth_config()).ok());
  EXPECT_FALSE(TokenSigner::FromPrivateKeyPem(keys_.public_key_pem(), "i", "a").ok());
  EXPECT_TRUE(TokenVerifier::FromConfig(keys_.auth_config()).ok());
  AuthConfig missing = keys_.auth_config();
  missing.public_key_file = "/nonexistent/key.pem";
  EXPECT_FALSE(TokenVerifier::FromConfig(missing).ok());
}

TEST_F(AuthTest, MintTokenHelperMakesBearerTokens) {
  const std::string bearer = grassroots::testing::MintToken({Role::kInspector}, 9, 11);
  ASSERT_TRUE(absl::StartsWith(bearer, "Bearer "));
  auto principal = grassroots::testing::TestVerifier()->Verify(bearer.substr(7));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_TRUE(principal->HasRole(Role::kInspector));
  EXPECT_EQ(principal->scope_org_id, 9);
  EXPECT_EQ(principal->member_id, 11);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember, Role::kPortal, Role::kService})
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("Admin").has_value());
}

TEST(MethodPolicyTest, DenyByDefault) {
  MethodPolicy policy;
  policy.Allow("/pkg.Svc/Get", {Role::kAdmin, Role::kSecretary}).Allow("/pkg.Svc/List", {Role::kMember});
  Principal secretary;
  secretary.roles = {Role::kSecretary};

  EXPECT_TRUE(policy.Check(secretary, "/pkg.Svc/Get").ok());
  absl::Status not_listed = policy.Check(secretary, "/pkg.Svc/Delete");
  EXPECT_EQ(not_listed.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(not_listed.message(), "/pkg.Svc/Delete"));
  absl::Status wrong_role = policy.Check(secretary, "/pkg.Svc/List");
  EXPECT_EQ(wrong_role.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(wrong_role.message(), "/pkg.Svc/List"));
  EXPECT_EQ(policy.Check(Principal{}, "/pkg.Svc/Get").code(), absl::StatusCode::kPermissionDenied);

  EXPECT_TRUE(policy.Covers("/pkg.Svc/List"));
  EXPECT_FALSE(policy.Covers("/pkg.Svc/Delete"));
  EXPECT_EQ(policy.Methods(), (std::vector<std::string>{"/pkg.Svc/Get", "/pkg.Svc/List"}));
  EXPECT_EQ(MethodPolicy().Check(secretary, "/pkg.Svc/Get").code(), absl::StatusCode::kPermissionDenied);
}

class FixedScope : public ScopeResolver {
 public:
  absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) override {
    ++calls;
    if (!error.ok()) return error;
    return ancestor == 1 || ancestor == descendant || (ancestor == 2 && descendant >= 20 && descendant < 30);
  }
  std::string ScopeNodeName(int64_t id) const override { return absl::StrCat("nodes/", id); }
  absl::Status error = absl::OkStatus();
  int calls = 0;
};

TEST(RequireInScopeTest, SubtreeDecides) {
  Authorizer authorizer(grassroots::testing::TestVerifier(), MethodPolicy());
  FixedScope scope;
  Principal principal;
  principal.roles = {Role::kSecretary};
  principal.scope_org_id = 2;
  EXPECT_TRUE(authorizer.RequireInScope(principal, 2, scope).ok());
  EXPECT_TRUE(authorizer.RequireInScope(principal, 25, scope).ok());
  // Outside the scope answers exactly as a missing resource: NOT_FOUND, the
  // same message and no reason of its own (no existence oracle).
  absl::Status outside = authorizer.RequireInScope(principal, 31, scope);
  EXPECT_EQ(outside, ResourceNotFound("nodes/31"));
  EXPECT_EQ(outside.message(), "nodes/31 not found");
  EXPECT_EQ(ReasonOf(outside), "");
  EXPECT_EQ(ToGrpcStatus(outside).error_details(), ToGrpcStatus(ResourceNotFound("nodes/31")).error_details());
  // A record placed in an out-of-scope node is named itself, never the node.
  EXPECT_EQ(authorizer.RequireInScope(principal, 31, scope, "records/7"), ResourceNotFound("records/7"));
  EXPECT_EQ(authorizer.RequireInScope(principal, 0, scope, "records/7"), ResourceNotFound("records/7"));

  scope.error = absl::UnavailableError("database down");
  EXPECT_EQ(authorizer.RequireInScope(principal, 25, scope).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace grassroots::common::auth
