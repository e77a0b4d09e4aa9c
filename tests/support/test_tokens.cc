#include "tests/support/test_tokens.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace grassroots::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "test_tokens: %s\n", what.c_str());
  std::abort();
}

std::string WriteTempKeyFile(const std::string& pem, const char* name) {
  std::string path_template =
      (std::filesystem::temp_directory_path() / (std::string(name) + "-XXXXXX")).string();
  const int fd = mkstemp(path_template.data());
  if (fd < 0) Die("mkstemp failed");
  close(fd);
  std::ofstream out(path_template, std::ios::binary | std::ios::trunc);
  out << pem;
  if (!out) Die("cannot write " + path_template);
  return path_template;
}

std::vector<std::string> g_key_files_to_remove;
void RemoveKeyFiles() {
  for (const std::string& path : g_key_files_to_remove) std::remove(path.c_str());
}

}  // namespace

TestKeys::TestKeys() {
  auto pair = common::auth::GenerateRsaKeyPairPem();
  if (!pair.ok()) Die(std::string(pair.status().message()));
  private_key_pem_ = pair->first;
  public_key_pem_ = pair->second;
  public_key_file_ = WriteTempKeyFile(public_key_pem_, "grassroots-test-pubkey");
  private_key_file_ = WriteTempKeyFile(private_key_pem_, "grassroots-test-privkey");
  g_key_files_to_remove = {public_key_file_, private_key_file_};
  std::atexit(RemoveKeyFiles);

  auto verifier = common::auth::TokenVerifier::FromPublicKeyPem(public_key_pem_, auth_config());
  if (!verifier.ok()) Die(std::string(verifier.status().message()));
  verifier_ = std::move(*verifier);
  auto signer = common::auth::TokenSigner::FromPrivateKeyPem(private_key_pem_, kTestIssuer, kTestAudience);
  if (!signer.ok()) Die(std::string(signer.status().message()));
  signer_ = std::move(*signer);
  signer_->set_audiences({kTestAudience, common::ServiceAudience("org"), common::ServiceAudience("membership"),
                          common::ServiceAudience("inspection"), common::ServiceAudience("reporting")});
}

const TestKeys& TestKeys::Get() {
  static const TestKeys* keys = new TestKeys();  // never destroyed: used until exit
  return *keys;
}

common::AuthConfig TestKeys::auth_config() const {
  common::AuthConfig config;
  config.public_key_file = public_key_file_;
  config.issuer = kTestIssuer;
  config.audience = kTestAudience;
  config.leeway_seconds = 30;
  return config;
}

std::string MintToken(const std::vector<common::auth::Role>& roles, int64_t scope_org_id,
                      std::optional<int64_t> member_id, absl::Duration ttl) {
  common::auth::Claims claims;
  claims.subject = "test-user";
  claims.roles = roles;
  claims.scope_org_id = scope_org_id;
  claims.member_id = member_id;
  auto token = TestKeys::Get().signer().Mint(claims, ttl);
  if (!token.ok()) Die("MintToken: " + std::string(token.status().message()));
  return "Bearer " + *token;
}

common::AuthConfig TestAuthConfig() { return TestKeys::Get().auth_config(); }
std::shared_ptr<const common::auth::TokenVerifier> TestVerifier() { return TestKeys::Get().verifier(); }

}  // namespace grassroots::testing
