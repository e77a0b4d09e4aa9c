#include "common/auth/jwks.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/auth/openssl_handles.h"
#include "common/status/status.h"

namespace grassroots::common::auth {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr size_t kP256CoordinateBytes = 32;
constexpr char kP256GroupName[] = "prime256v1";

using openssl::BnPtr;
using openssl::PkeyPtr;

absl::Status BadKey(size_t index, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("JWKS key #", index, ": ", ToAbsl(problem)));
}

// A base64url member of a JWK, decoded; empty when absent or not base64url.
std::string DecodedMember(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return "";
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(it->get<std::string>(), &decoded)) return "";
  return decoded;
}

std::string OptionalString(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : "";
}

absl::StatusOr<std::string> PublicPem(EVP_PKEY* key) {
  openssl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return absl::InternalError("writing a PEM public key failed");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// Builds a public key of type key_type ("RSA" or "EC") from OpenSSL parameters
// and checks it (an EC point must lie on the curve).
absl::StatusOr<PkeyPtr> PublicKeyFromParams(const char* key_type, OSSL_PARAM_BLD* build) {
  openssl::ParamPtr params(OSSL_PARAM_BLD_to_param(build));
  openssl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return absl::InvalidArgumentError("the key material is not a valid public key");
  PkeyPtr key(raw);
  openssl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1)
    return absl::InvalidArgumentError("the key material is not a valid public key");
  return key;
}

absl::StatusOr<PkeyPtr> RsaKeyFromJwk(const nlohmann::json& jwk) {
  const std::string modulus = DecodedMember(jwk, "n");
  const std::string exponent = DecodedMember(jwk, "e");
  if (modulus.empty() || exponent.empty()) return absl::InvalidArgumentError("an RSA key needs base64url n and e");
  BnPtr n(BN_bin2bn(reinterpret_cast<const unsigned char*>(modulus.data()), static_cast<int>(modulus.size()), nullptr));
  BnPtr e(BN_bin2bn(reinterpret_cast<const unsigned char*>(exponent.data()), static_cast<int>(exponent.size()), nullptr));
  if (!n || !e) return absl::ResourceExhaustedError("BN_bin2bn failed");
  if (BN_num_bits(n.get()) < kMinRsaBits)
    return absl::InvalidArgumentError(absl::StrCat("an RSA key needs at least ", kMinRsaBits, " bits"));
  openssl::ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return absl::ResourceExhaustedError("OSSL_PARAM_BLD failed");
  return PublicKeyFromParams("RSA", build.get());
}

absl::StatusOr<PkeyPtr> EcKeyFromJwk(const nlohmann::json& jwk) {
  if (OptionalString(jwk, "crv") != "P-256") return absl::InvalidArgumentError("an EC key must use crv P-256");
  const std::string x = DecodedMember(jwk, "x");
  const std::string y = DecodedMember(jwk, "y");
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes)
    return absl::InvalidArgumentError("an EC P-256 key needs base64url x and y of 32 bytes");
  const std::string point = absl::StrCat("\x04", x, y);  // uncompressed SEC1 point
  openssl::ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return absl::ResourceExhaustedError("OSSL_PARAM_BLD failed");
  return PublicKeyFromParams("EC", build.get());
}

absl::StatusOr<PkeyPtr> ReadPemKey(std::string_view pem) {
  for (bool is_private : {false, true}) {
    openssl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return absl::ResourceExhaustedError("BIO_new_mem_buf failed");
    EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                               : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (key != nullptr) return PkeyPtr(key);
  }
  return absl::InvalidArgumentError("not a PEM key");
}

absl::StatusOr<std::string> BigNumParam(EVP_PKEY* key, const char* name, int pad_to_bytes) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return absl::InvalidArgumentError("the key lacks a parameter");
  BnPtr value(raw);
  std::string bytes(pad_to_bytes > 0 ? static_cast<size_t>(pad_to_bytes) : static_cast<size_t>(BN_num_bytes(raw)), '\0');
  if (BN_bn2binpad(raw, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) < 0)
    return absl::InvalidArgumentError("a key parameter does not fit");
  return absl::WebSafeBase64Escape(bytes);
}

// The required members of the public JWK (RFC 7638 order-free), and the algorithm.
absl::StatusOr<std::pair<nlohmann::json, SigningAlgorithm>> RequiredJwkMembers(EVP_PKEY* key) {
  if (EVP_PKEY_base_id(key) == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) < kMinRsaBits)
      return absl::InvalidArgumentError(absl::StrCat("an RSA key needs at least ", kMinRsaBits, " bits"));
    GR_ASSIGN_OR_RETURN(std::string n, BigNumParam(key, OSSL_PKEY_PARAM_RSA_N, 0));
    GR_ASSIGN_OR_RETURN(std::string e, BigNumParam(key, OSSL_PKEY_PARAM_RSA_E, 0));
    return std::make_pair(nlohmann::json{{"kty", "RSA"}, {"n", n}, {"e", e}}, SigningAlgorithm::kRs256);
  }
  if (EVP_PKEY_base_id(key) == EVP_PKEY_EC) {
    char group[64] = {};
    size_t group_length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &group_length) != 1 ||
        std::string_view(group, group_length) != kP256GroupName)
      return absl::InvalidArgumentError("an EC key must be on P-256 (ES256)");
    GR_ASSIGN_OR_RETURN(std::string x, BigNumParam(key, OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes));
    GR_ASSIGN_OR_RETURN(std::string y, BigNumParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes));
    return std::make_pair(nlohmann::json{{"kty", "EC"}, {"crv", "P-256"}, {"x", x}, {"y", y}},
                          SigningAlgorithm::kEs256);
  }
  return absl::InvalidArgumentError("the key is neither RSA (RS256) nor EC P-256 (ES256)");
}

}  // namespace

std::string_view AlgorithmName(SigningAlgorithm algorithm) {
  return algorithm == SigningAlgorithm::kRs256 ? "RS256" : "ES256";
}

std::optional<SigningAlgorithm> ParseAlgorithm(std::string_view name) {
  if (name == "RS256") return SigningAlgorithm::kRs256;
  if (name == "ES256") return SigningAlgorithm::kEs256;
  return std::nullopt;
}

absl::StatusOr<std::vector<VerificationKey>> ParseJwks(std::string_view json) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("keys") || !document["keys"].is_array())
    return absl::InvalidArgumentError("a JWKS must be a JSON object with a \"keys\" array");
  std::vector<VerificationKey> keys;
  std::set<std::string> seen_ids;
  size_t index = 0;
  for (const nlohmann::json& jwk : document["keys"]) {
    ++index;
    if (!jwk.is_object()) return BadKey(index, "is not an object");
    const std::string key_type = OptionalString(jwk, "kty");
    SigningAlgorithm algorithm;
    if (key_type == "RSA") {
      algorithm = SigningAlgorithm::kRs256;
    } else if (key_type == "EC") {
      algorithm = SigningAlgorithm::kEs256;
    } else {
      continue;  // oct, OKP, ...: never used for tokens
    }
    VerificationKey key{.key_id = OptionalString(jwk, "kid"), .algorithm = algorithm, .public_key_pem = ""};
    if (key.key_id.empty()) return BadKey(index, "has no kid");
    if (!seen_ids.insert(key.key_id).second) return BadKey(index, absl::StrCat("repeats kid ", key.key_id));
    if (jwk.contains("alg") && OptionalString(jwk, "alg") != AlgorithmName(algorithm))
      return BadKey(index, absl::StrCat("a ", key_type, " key may only be used with ", ToAbsl(AlgorithmName(algorithm))));
    if (jwk.contains("use") && OptionalString(jwk, "use") != "sig") return BadKey(index, "use must be \"sig\"");
    absl::StatusOr<PkeyPtr> public_key = key_type == "RSA" ? RsaKeyFromJwk(jwk) : EcKeyFromJwk(jwk);
    if (!public_key.ok()) return BadKey(index, std::string(public_key.status().message()));
    GR_ASSIGN_OR_RETURN(key.public_key_pem, PublicPem(public_key->get()));
    keys.push_back(std::move(key));
  }
  if (keys.empty()) return absl::InvalidArgumentError("the JWKS holds no RSA or EC P-256 key");
  return keys;
}

absl::StatusOr<VerificationKey> VerificationKeyFromPem(std::string_view pem, std::string key_id) {
  GR_ASSIGN_OR_RETURN(PkeyPtr key, ReadPemKey(pem));
  GR_ASSIGN_OR_RETURN(auto members, RequiredJwkMembers(key.get()));
  GR_ASSIGN_OR_RETURN(std::string public_pem, PublicPem(key.get()));
  return VerificationKey{.key_id = std::move(key_id), .algorithm = members.second, .public_key_pem = public_pem};
}

absl::StatusOr<std::string> PublicJwkFromPem(std::string_view pem, std::string_view key_id) {
  GR_ASSIGN_OR_RETURN(PkeyPtr key, ReadPemKey(pem));
  GR_ASSIGN_OR_RETURN(auto members, RequiredJwkMembers(key.get()));
  nlohmann::json jwk = std::move(members.first);
  jwk["kid"] = std::string(key_id);
  jwk["alg"] = std::string(AlgorithmName(members.second));
  jwk["use"] = "sig";
  return jwk.dump();
}

absl::StatusOr<std::string> JwkThumbprintFromPem(std::string_view pem) {
  GR_ASSIGN_OR_RETURN(PkeyPtr key, ReadPemKey(pem));
  GR_ASSIGN_OR_RETURN(auto members, RequiredJwkMembers(key.get()));
  // nlohmann::json orders members by name and dump() adds no whitespace: the
  // canonical form RFC 7638 hashes.
  const std::string canonical = members.first.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &digest_length, EVP_sha256(), nullptr) != 1)
    return absl::InternalError("SHA-256 failed");
  return absl::WebSafeBase64Escape(std::string(reinterpret_cast<char*>(digest), digest_length));
}

absl::StatusOr<std::pair<std::string, std::string>> GenerateEcKeyPairPem() {
  PkeyPtr key(EVP_EC_gen(kP256GroupName));
  if (!key) return absl::InternalError("EC key generation failed");
  openssl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return absl::InternalError("writing PEM failed");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  GR_ASSIGN_OR_RETURN(std::string public_pem, PublicPem(key.get()));
  return std::make_pair(std::string(data, static_cast<size_t>(size)), std::move(public_pem));
}

}  // namespace grassroots::common::auth
