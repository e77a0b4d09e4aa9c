// Service credentials: tokens minted per called service from a signing key
// (short-lived, re-minted before expiry), and the token file: read, trimmed,
// re-read when it changes (temp files only).
#include "services/orgtree/service_token.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/auth/auth.h"
#include "common/auth/jwks.h"
#include <unistd.h>

namespace grassroots::orgtree {
namespace {

class ServiceTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("grassroots-service-token-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Writes the file and moves its mtime forward by `tick` seconds, so a change
  // is visible whatever the file system's timestamp resolution.
  void WriteToken(const std::string& content, int tick) {
    std::ofstream(path_, std::ios::trunc) << content;
    std::filesystem::last_write_time(path_, base_time_ + std::chrono::seconds(tick));
  }

  std::filesystem::path path_;
  const std::filesystem::file_time_type base_time_ = std::filesystem::file_time_type::clock::now();
};

TEST_F(ServiceTokenTest, ReadsTrimsAndRereadsWhenTheFileChanges) {
  WriteToken("first.jwt.token\n", 1);
  ServiceToken token(path_.string());
  ASSERT_EQ(token.Get().value_or("?"), "first.jwt.token");

  // Same mtime: the cached token stays even though the bytes differ.
  WriteToken("unseen.jwt.token\n", 1);
  EXPECT_EQ(token.Get().value_or("?"), "first.jwt.token");

  WriteToken("  rotated.jwt.token \r\n", 2);
  EXPECT_EQ(token.Get().value_or("?"), "rotated.jwt.token");
}

TEST_F(ServiceTokenTest, MissingFileIsUnavailableUntilATokenWasRead) {
  ServiceToken token(path_.string());
  EXPECT_EQ(token.Get().status().code(), absl::StatusCode::kUnavailable);

  WriteToken("\n", 1);  // empty
  EXPECT_EQ(token.Get().status().code(), absl::StatusCode::kUnavailable);

  WriteToken("good.jwt.token", 2);
  ASSERT_EQ(token.Get().value_or("?"), "good.jwt.token");
  // A rotation that briefly removes the file keeps the last good token.
  std::filesystem::remove(path_);
  EXPECT_EQ(token.Get().value_or("?"), "good.jwt.token");
}

class MintedServiceTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pair = common::auth::GenerateEcKeyPairPem();
    ASSERT_TRUE(pair.ok()) << pair.status();
    private_pem_ = pair->first;
    public_pem_ = pair->second;
    auto kid = common::auth::JwkThumbprintFromPem(public_pem_);
    ASSERT_TRUE(kid.ok());
    auto jwk = common::auth::PublicJwkFromPem(public_pem_, *kid);
    ASSERT_TRUE(jwk.ok());
    jwks_ = "{\"keys\": [" + *jwk + "]}";
  }

  // The verifier of the service whose audience this is.
  std::unique_ptr<common::auth::TokenVerifier> Service(const std::string& name) {
    common::AuthConfig config;
    config.issuer = "grassroots-test";
    config.audience = common::ServiceAudience(name);
    config.max_service_token_lifetime_seconds = 300;
    auto verifier = common::auth::TokenVerifier::FromJwks(jwks_, config);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return std::move(*verifier);
  }

  std::shared_ptr<ServiceToken> Credentials(absl::Duration lifetime = absl::Minutes(5)) {
    auto token = ServiceToken::Minting({.private_key_pem = private_pem_,
                                        .key_id = "",
                                        .issuer = "grassroots-test",
                                        .subject = "inspection-service",
                                        .lifetime = lifetime});
    EXPECT_TRUE(token.ok()) << token.status();
    return *token;
  }

  std::string private_pem_;
  std::string public_pem_;
  std::string jwks_;
  const absl::Time now_ = absl::FromUnixSeconds(1'790'000'000);
};

TEST_F(MintedServiceTokenTest, EachTokenNamesOnlyTheServiceCalled) {
  std::shared_ptr<ServiceToken> credentials = Credentials();
  // Credentials that name no service mint nothing.
  EXPECT_FALSE(credentials->Get(now_).ok());
  std::shared_ptr<ServiceToken> for_org = credentials->ForAudience(common::ServiceAudience("org"));
  absl::StatusOr<std::string> token = for_org->Get(now_);
  ASSERT_TRUE(token.ok()) << token.status();

  absl::StatusOr<common::auth::Principal> at_org = Service("org")->Verify(*token, now_);
  ASSERT_TRUE(at_org.ok()) << at_org.status();
  EXPECT_TRUE(at_org->HasRole(common::auth::Role::kService));
  EXPECT_EQ(at_org->subject, "inspection-service");
  EXPECT_EQ(at_org->scope_org_id, 1);
  // Replayed against another service: refused.
  EXPECT_EQ(Service("membership")->Verify(*token, now_).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(MintedServiceTokenTest, ReMintedBeforeItExpires) {
  std::shared_ptr<ServiceToken> for_org = Credentials()->ForAudience(common::ServiceAudience("org"));
  auto org = Service("org");
  const std::string first = for_org->Get(now_).value_or("");
  // Reused while young...
  EXPECT_EQ(for_org->Get(now_ + absl::Minutes(2)).value_or(""), first);
  // ...and replaced at half its lifetime, so a call never carries one about to expire.
  const absl::Time later = now_ + absl::Minutes(3);
  const std::string second = for_org->Get(later).value_or("");
  EXPECT_NE(second, first);
  EXPECT_TRUE(org->Verify(second, later + absl::Minutes(4)).ok());
  EXPECT_FALSE(org->Verify(first, later + absl::Minutes(4)).ok()) << "the first one has expired by then";
}

TEST_F(MintedServiceTokenTest, ALifetimeBeyondTheServicesMaximumIsRefused) {
  // The services called accept service tokens of at most 5 minutes here.
  std::shared_ptr<ServiceToken> too_long = Credentials(absl::Minutes(10))->ForAudience(common::ServiceAudience("org"));
  absl::StatusOr<std::string> token = too_long->Get(now_);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(Service("org")->Verify(*token, now_).status().code(), absl::StatusCode::kUnauthenticated);

  // And the loader refuses a lifetime beyond this service's own maximum.
  const std::filesystem::path key_file =
      std::filesystem::temp_directory_path() / ("grassroots-signing-key-" + std::to_string(::getpid()));
  std::ofstream(key_file) << private_pem_;
  common::AuthConfig auth;
  auth.max_service_token_lifetime_seconds = 300;
  ServiceCredentialOptions options{.signing_key_file = key_file.string(), .signing_key_id = "",
                                   .token_lifetime_seconds = 600};
  absl::StatusOr<std::shared_ptr<ServiceToken>> loaded = LoadServiceCredentials("inspection", options, auth);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  options.token_lifetime_seconds = 300;
  EXPECT_TRUE(LoadServiceCredentials("inspection", options, auth).ok());
  // A public key cannot sign.
  std::ofstream(key_file, std::ios::trunc) << public_pem_;
  EXPECT_FALSE(LoadServiceCredentials("inspection", options, auth).ok());
  std::filesystem::remove(key_file);
}

TEST_F(MintedServiceTokenTest, TheTokenFileIsTheSameForEveryAudience) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("grassroots-token-file-" + std::to_string(::getpid()));
  std::ofstream(file) << "file.jwt.token\n";
  auto token = std::make_shared<ServiceToken>(file.string());
  EXPECT_EQ(token->ForAudience(common::ServiceAudience("org"))->Get().value_or("?"), "file.jwt.token");
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace grassroots::orgtree
