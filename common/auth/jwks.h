#pragma once
// JSON Web Key Sets (RFC 7517) for token verification: RSA keys (RS256) and
// EC P-256 keys (ES256), each named by its key id ("kid") and converted to a
// PEM public key that libjwt verifies with. Also the reverse, for the CLI: the
// public JWK of a PEM key and its RFC 7638 thumbprint (the default kid).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace grassroots::common::auth {

// The only signature algorithms tokens may use.
enum class SigningAlgorithm { kRs256, kEs256 };
std::string_view AlgorithmName(SigningAlgorithm algorithm);  // "RS256", "ES256"
std::optional<SigningAlgorithm> ParseAlgorithm(std::string_view name);

struct VerificationKey {
  std::string key_id;               // empty only for the single-PEM option (matches any kid)
  SigningAlgorithm algorithm;       // what the key's type allows; a token with another alg is refused
  std::string public_key_pem;
};

// Parses a JWKS document ({"keys": [...]}). RSA keys need n and e; EC keys
// need crv "P-256", x and y. A key whose "alg" or "use" disagrees with its
// type, a missing or repeated kid, or a malformed value is an error (a
// half-understood key set must not start a service); keys of other types
// (oct, OKP) are skipped, so a symmetric key can never verify a token. At
// least one usable key is required.
absl::StatusOr<std::vector<VerificationKey>> ParseJwks(std::string_view json);

// The key of a PEM public (or private) key: RSA -> RS256, EC P-256 -> ES256.
absl::StatusOr<VerificationKey> VerificationKeyFromPem(std::string_view pem, std::string key_id);

// The public JWK (JSON object text) of a PEM key, with "kid", "alg" and "use".
absl::StatusOr<std::string> PublicJwkFromPem(std::string_view pem, std::string_view key_id);
// RFC 7638 thumbprint (base64url SHA-256 of the canonical public JWK).
absl::StatusOr<std::string> JwkThumbprintFromPem(std::string_view pem);

// Generates an EC P-256 key pair as PEM strings (ES256 tests).
absl::StatusOr<std::pair<std::string, std::string>> GenerateEcKeyPairPem();

}  // namespace grassroots::common::auth
