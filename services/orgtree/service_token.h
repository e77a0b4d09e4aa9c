#pragma once
// Credentials for calls to other services. Normally minted here, on demand:
// short-lived tokens (role service, root scope) signed with this service's
// signing key, each naming only the service called (ForAudience), re-minted
// before they expire. Tests and hand-made setups may instead give a token file
// (re-read when the file changes, so a rotated Kubernetes secret is picked up).
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"

namespace grassroots::orgtree {

struct ServiceSigningOptions {
  std::string private_key_pem;  // RSA (RS256) or EC P-256 (ES256)
  std::string key_id;           // the kid the verifiers' JWKS lists; empty: the key's RFC 7638 thumbprint
  std::string issuer;
  std::string subject;          // e.g. "inspection-service"
  absl::Duration lifetime = absl::Minutes(5);
  int64_t scope_org_id = 1;     // the root organization: feeds and lookups span the tree
};

class ServiceToken {
 public:
  // A token file (its content is the JWT), presented to every service called.
  explicit ServiceToken(std::string path);
  // Mints tokens; the key is checked now, so a wrong file fails at start-up.
  // Only the results of ForAudience mint: a token names the one service it is for.
  static absl::StatusOr<std::shared_ptr<ServiceToken>> Minting(ServiceSigningOptions options);
  // The credentials for calls to the service whose audience this is (see
  // common::ServiceAudience); a token file is the same for every audience.
  std::shared_ptr<ServiceToken> ForAudience(const std::string& audience);
  // The current token; UNAVAILABLE when the file cannot be read or the token
  // cannot be minted.
  absl::StatusOr<std::string> Get(absl::Time now = absl::Now());

 private:
  struct FileState;
  struct Minter;
  ServiceToken() = default;
  std::shared_ptr<FileState> file_;
  std::shared_ptr<Minter> minter_;
};

// The flags a calling service declares for its credentials.
struct ServiceCredentialOptions {
  std::string signing_key_file;
  std::string signing_key_id;
  int token_lifetime_seconds = 300;
};
// --service-signing-key-file (required or not), --service-signing-key-id,
// --service-token-lifetime-seconds.
void DeclareServiceCredentialOptions(common::ServiceOptions& declare, ServiceCredentialOptions& options,
                                     bool required);
// The credentials of service `service_name` (issuer from its auth config; the
// lifetime may not exceed its max_service_token_lifetime_seconds, which the
// services called are assumed to share).
absl::StatusOr<std::shared_ptr<ServiceToken>> LoadServiceCredentials(std::string_view service_name,
                                                                     const ServiceCredentialOptions& options,
                                                                     const common::AuthConfig& auth);

}  // namespace grassroots::orgtree
