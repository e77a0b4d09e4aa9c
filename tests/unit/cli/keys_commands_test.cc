// `grassroots keys jwks` and `grassroots token mint`: the JWKS an operator
// publishes verifies the tokens the CLI mints with the matching private key,
// by kid, and each service accepts only tokens naming it.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth.h"
#include "common/auth/jwks.h"
#include "common/config/config.h"
#include "services/cli/cli_app.h"
#include "tests/unit/cli/run_cli.h"
#include "services/cli/connection.h"

namespace grassroots::cli {
namespace {

using testing::RunGrassroots;

class KeysCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / absl::StrCat("grassroots-cli-keys-", ::getpid());
    std::filesystem::create_directories(dir_);
    auto rsa = common::auth::GenerateRsaKeyPairPem();
    auto ec = common::auth::GenerateEcKeyPairPem();
    ASSERT_TRUE(rsa.ok() && ec.ok());
    std::ofstream(dir_ / "rsa.pem") << rsa->first;
    std::ofstream(dir_ / "ec.pem") << ec->first;
    std::ofstream(dir_ / "ec-public.pem") << ec->second;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<common::auth::TokenVerifier> VerifierFor(const std::string& jwks, const std::string& audience) {
    common::AuthConfig config;
    config.issuer = "grassroots-dev";
    config.audience = audience;
    auto verifier = common::auth::TokenVerifier::FromJwks(jwks, config);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return verifier.ok() ? std::move(*verifier) : nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(KeysCommandsTest, JwksPublishesPublicKeysThatVerifyMintedTokens) {
  std::string jwks;
  std::string err;
  ASSERT_EQ(RunGrassroots({"keys", "jwks", "--key", (dir_ / "rsa.pem").string(), "--key", (dir_ / "ec-public.pem").string()},
                jwks, err),
            0)
      << err;
  const nlohmann::json document = nlohmann::json::parse(jwks);
  ASSERT_EQ(document["keys"].size(), 2u);
  for (const nlohmann::json& key : document["keys"]) {
    EXPECT_FALSE(key.contains("d")) << "a private member was published";
    EXPECT_EQ(key["use"], "sig");
  }
  EXPECT_EQ(document["keys"][0]["alg"], "RS256");
  EXPECT_EQ(document["keys"][1]["alg"], "ES256");
  // kid = thumbprint: the private key and its public half name the same kid.
  std::string ec_private_jwks;
  ASSERT_EQ(RunGrassroots({"keys", "jwks", "--key", (dir_ / "ec.pem").string()}, ec_private_jwks, err), 0) << err;
  EXPECT_EQ(nlohmann::json::parse(ec_private_jwks)["keys"][0]["kid"], document["keys"][1]["kid"]);

  // A token minted for org only (ES256, default kid) verifies at org, not at membership.
  std::string token;
  ASSERT_EQ(RunGrassroots({"token", "mint", "--key", (dir_ / "ec.pem").string(), "--role", "admin", "--scope-org", "1",
                 "--ttl", "1h", "--audience", "grassroots.org"},
                token, err),
            0)
      << err;
  token = std::string(absl::StripAsciiWhitespace(token));
  auto org = VerifierFor(jwks, common::ServiceAudience("org"));
  auto membership = VerifierFor(jwks, common::ServiceAudience("membership"));
  ASSERT_TRUE(org && membership);
  EXPECT_TRUE(org->Verify(token).ok()) << org->Verify(token).status();
  EXPECT_EQ(membership->Verify(token).status().code(), absl::StatusCode::kUnauthenticated);

  // By default an operator's token names every service.
  ASSERT_EQ(RunGrassroots({"token", "mint", "--key", (dir_ / "rsa.pem").string(), "--role", "admin", "--scope-org", "1"},
                token, err),
            0)
      << err;
  token = std::string(absl::StripAsciiWhitespace(token));
  for (const char* service : {"org", "membership", "inspection", "reporting"}) {
    auto verifier = VerifierFor(jwks, common::ServiceAudience(service));
    ASSERT_TRUE(verifier);
    EXPECT_TRUE(verifier->Verify(token).ok()) << service << ": " << verifier->Verify(token).status();
  }
}

TEST_F(KeysCommandsTest, JwksRefusesMismatchedKidsAndNonKeys) {
  std::string out;
  std::string err;
  EXPECT_NE(RunGrassroots({"keys", "jwks", "--key", (dir_ / "rsa.pem").string(), "--kid", "a", "--kid", "b"}, out, err), 0);
  std::ofstream(dir_ / "not-a-key.pem") << "hello\n";
  EXPECT_NE(RunGrassroots({"keys", "jwks", "--key", (dir_ / "not-a-key.pem").string()}, out, err), 0);
  EXPECT_NE(err.find("not-a-key.pem"), std::string::npos) << err;
}

}  // namespace
}  // namespace grassroots::cli
