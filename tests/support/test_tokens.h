#pragma once
// Bearer tokens for tests: one RSA key pair per test process, a verifier and an
// AuthConfig that accept exactly the tokens MintToken makes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/auth/auth.h"
#include "common/config/config.h"

namespace grassroots::testing {

class TestKeys {
 public:
  // Generated on first use (RSA-2048 takes ~0.1 s); aborts the test binary if
  // key generation or the temp file fails, since no auth test can run then.
  static const TestKeys& Get();

  const std::string& private_key_pem() const { return private_key_pem_; }
  const std::string& public_key_pem() const { return public_key_pem_; }
  // Temp files holding public_key_pem() and private_key_pem() (a service
  // signing key for process tests); removed at process exit.
  const std::string& public_key_file() const { return public_key_file_; }
  const std::string& private_key_file() const { return private_key_file_; }
  // issuer/audience the signer uses, public_key_file set.
  common::AuthConfig auth_config() const;
  std::shared_ptr<const common::auth::TokenVerifier> verifier() const { return verifier_; }
  const common::auth::TokenSigner& signer() const { return *signer_; }

 private:
  TestKeys();
  std::string private_key_pem_;
  std::string public_key_pem_;
  std::string public_key_file_;
  std::string private_key_file_;
  std::shared_ptr<const common::auth::TokenVerifier> verifier_;
  std::unique_ptr<common::auth::TokenSigner> signer_;
};

inline constexpr char kTestIssuer[] = "grassroots-test";
// The audience of in-process servers (TestAuthConfig); service processes keep
// their own ("grassroots.<service>").
inline constexpr char kTestAudience[] = "grassroots";

// "Bearer <jwt>" for the "authorization" metadata. Subject is "test-user". Its
// aud names kTestAudience and every service, as the CLI's operator tokens do.
std::string MintToken(const std::vector<common::auth::Role>& roles, int64_t scope_org_id,
                      std::optional<int64_t> member_id = std::nullopt, absl::Duration ttl = absl::Minutes(10));

// Shorthands for TestKeys::Get().
common::AuthConfig TestAuthConfig();
std::shared_ptr<const common::auth::TokenVerifier> TestVerifier();

}  // namespace grassroots::testing
