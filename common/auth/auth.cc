#include "common/auth/auth.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::common::auth {
namespace {

// Larger tokens are refused before any parsing: real ones are well under 2 KiB.
constexpr size_t kMaxTokenBytes = 8 * 1024;
constexpr size_t kMaxRequestIdChars = 64;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;
struct MallocDeleter {
  void operator()(char* p) const { std::free(p); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

absl::Status Unauthenticated(std::string_view reason, const std::string& message) {
  return Reasoned(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Status InvalidToken(absl::string_view why) {
  return Unauthenticated("INVALID_TOKEN", absl::StrCat("invalid token: ", why));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Checks that pem holds an RSA key of the wanted kind, so a wrong file fails at
// start-up instead of on every call.
absl::Status CheckRsaPem(const std::string& pem, bool is_private) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::ResourceExhaustedError("BIO_new_mem_buf failed");
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                 : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  const char* kind = is_private ? "private" : "public";
  if (!key) return absl::InvalidArgumentError(absl::StrCat("not a PEM ", kind, " key"));
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
    return absl::InvalidArgumentError(absl::StrCat("the ", kind, " key is not an RSA key (RS256 needs RSA)"));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RequiredInteger(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return InvalidToken(absl::StrCat("missing ", name));
  if (!it->is_number_integer()) return InvalidToken(absl::StrCat(name, " is not an integer"));
  return it->get<int64_t>();
}

bool AudienceMatches(const nlohmann::json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get<std::string>() == expected;
  if (aud.is_array()) {
    for (const auto& entry : aud)
      if (entry.is_string() && entry.get<std::string>() == expected) return true;
  }
  return false;
}

bool IsRequestIdChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdChars) return false;
  for (char c : id)
    if (!IsRequestIdChar(c)) return false;
  return true;
}

std::optional<std::string_view> FindMetadata(const grpc::ServerContext& context, std::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kInspector: return "inspector";
    case Role::kSecretary: return "secretary";
    case Role::kMember: return "member";
    case Role::kPortal: return "portal";
    case Role::kService: return "service";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember, Role::kPortal, Role::kService})
    if (RoleName(role) == name) return role;
  return std::nullopt;
}

bool Principal::HasAnyRole(std::initializer_list<Role> any) const {
  for (Role role : any)
    if (HasRole(role)) return true;
  return false;
}

// ---- TokenVerifier -----------------------------------------------------------

TokenVerifier::TokenVerifier(std::string pem, AuthConfig config)
    : public_key_pem_(std::move(pem)), config_(std::move(config)) {}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromPublicKeyPem(std::string pem, AuthConfig config) {
  GR_RETURN_IF_ERROR(CheckRsaPem(pem, /*is_private=*/false));
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(pem), std::move(config)));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromConfig(const AuthConfig& config) {
  GR_ASSIGN_OR_RETURN(std::string pem, ReadFile(config.public_key_file));
  return FromPublicKeyPem(std::move(pem), config);
}

absl::StatusOr<Principal> TokenVerifier::Verify(std::string_view token, absl::Time now) const {
  if (token.empty()) return Unauthenticated("MISSING_TOKEN", "missing bearer token");
  if (token.size() > kMaxTokenBytes) return InvalidToken("too large");

  // Decoding the PEM key and checking the RSA signature costs far more than the
  // rest of a typical request, and a client sends the same token on every call:
  // remember tokens that verified and re-check only their time window.
  std::optional<VerifiedToken> verified;
  {
    absl::MutexLock lock(&cache_mutex_);
    auto hit = cache_.find(token);
    if (hit != cache_.end()) verified = hit->second;
  }
  if (!verified) {
    GR_ASSIGN_OR_RETURN(verified, VerifyUncached(token));
    absl::MutexLock lock(&cache_mutex_);
    // Bounded memory: when full, drop everything (tokens re-verify on next use).
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
    cache_.emplace(std::string(token), *verified);
  }

  const int64_t now_seconds = absl::ToUnixSeconds(now);
  const int64_t leeway = config_.leeway_seconds;
  if (now_seconds > verified->expires_at + leeway) return Unauthenticated("TOKEN_EXPIRED", "token expired");
  if (verified->not_before && now_seconds + leeway < *verified->not_before) return InvalidToken("not yet valid");
  return verified->principal;
}

// Everything about a token that does not depend on the clock.
absl::StatusOr<TokenVerifier::VerifiedToken> TokenVerifier::VerifyUncached(std::string_view token) const {
  const std::string token_text(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, token_text.c_str(), reinterpret_cast<const unsigned char*>(public_key_pem_.data()),
                            static_cast<int>(public_key_pem_.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || !jwt) return InvalidToken("malformed or bad signature");
  // Allow-list: only RS256. Rejects "none" and HS* signed with the public key as secret.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_RS256) return InvalidToken("algorithm not allowed");

  std::unique_ptr<char, MallocDeleter> grants_text(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants_text) return InvalidToken("no claims");
  const nlohmann::json claims = nlohmann::json::parse(grants_text.get(), nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return InvalidToken("claims are not an object");

  VerifiedToken verified;
  GR_ASSIGN_OR_RETURN(verified.expires_at, RequiredInteger(claims, "exp"));
  if (claims.contains("nbf")) {
    GR_ASSIGN_OR_RETURN(verified.not_before, RequiredInteger(claims, "nbf"));
  }
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != config_.issuer)
    return InvalidToken("wrong issuer");
  auto aud = claims.find("aud");
  if (aud == claims.end() || !AudienceMatches(*aud, config_.audience)) return InvalidToken("wrong audience");

  Principal& principal = verified.principal;
  auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty())
    return InvalidToken("missing subject");
  principal.subject = sub->get<std::string>();

  auto roles = claims.find("roles");
  if (roles == claims.end() || !roles->is_array() || roles->empty()) return InvalidToken("missing roles");
  for (const auto& entry : *roles) {
    // Unknown role names are refused rather than ignored: a token this service
    // does not fully understand grants nothing.
    std::optional<Role> role = entry.is_string() ? ParseRole(entry.get<std::string>()) : std::nullopt;
    if (!role) return InvalidToken("unknown role");
    principal.roles.insert(*role);
  }

  GR_ASSIGN_OR_RETURN(principal.scope_org_id, RequiredInteger(claims, "scope_org"));
  if (principal.scope_org_id <= 0) return InvalidToken("scope_org must be positive");
  if (claims.contains("member_id") && !claims["member_id"].is_null()) {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, RequiredInteger(claims, "member_id"));
    if (member_id <= 0) return InvalidToken("member_id must be positive");
    principal.member_id = member_id;
  }
  return verified;
}

// ---- TokenSigner -------------------------------------------------------------

TokenSigner::TokenSigner(std::string pem, std::string issuer, std::string audience)
    : private_key_pem_(std::move(pem)), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::FromPrivateKeyPem(std::string pem, std::string issuer,
                                                                             std::string audience) {
  GR_RETURN_IF_ERROR(CheckRsaPem(pem, /*is_private=*/true));
  return std::unique_ptr<TokenSigner>(new TokenSigner(std::move(pem), std::move(issuer), std::move(audience)));
}

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::FromPrivateKeyFile(const std::string& path,
                                                                              std::string issuer,
                                                                              std::string audience) {
  GR_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  return FromPrivateKeyPem(std::move(pem), std::move(issuer), std::move(audience));
}

absl::StatusOr<std::string> TokenSigner::Mint(const Claims& claims, absl::Duration ttl, absl::Time now) const {
  if (claims.subject.empty()) return InvalidField("subject", "must not be empty");
  if (claims.roles.empty()) return InvalidField("roles", "must not be empty");
  if (claims.scope_org_id <= 0) return InvalidField("scope_org_id", "must be positive");
  if (ttl <= absl::ZeroDuration()) return InvalidField("ttl", "must be positive");

  const int64_t issued_at = absl::ToUnixSeconds(now);
  nlohmann::json grants = {
      {"iss", issuer_},
      {"aud", audience_},
      {"sub", claims.subject},
      {"iat", issued_at},
      {"nbf", issued_at},
      {"exp", absl::ToUnixSeconds(now + ttl)},
      {"scope_org", claims.scope_org_id},
  };
  nlohmann::json roles = nlohmann::json::array();
  for (Role role : claims.roles) roles.push_back(std::string(RoleName(role)));
  grants["roles"] = std::move(roles);
  if (claims.member_id) grants["member_id"] = *claims.member_id;

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::ResourceExhaustedError("jwt_new failed");
  JwtPtr jwt(raw);
  if (jwt_add_grants_json(jwt.get(), grants.dump().c_str()) != 0) return absl::InternalError("jwt_add_grants_json failed");
  if (jwt_set_alg(jwt.get(), JWT_ALG_RS256, reinterpret_cast<const unsigned char*>(private_key_pem_.data()),
                  static_cast<int>(private_key_pem_.size())) != 0)
    return absl::InternalError("jwt_set_alg failed");
  std::unique_ptr<char, MallocDeleter> encoded(jwt_encode_str(jwt.get()));
  if (!encoded) return absl::InternalError("signing the token failed");
  return std::string(encoded.get());
}

absl::StatusOr<std::pair<std::string, std::string>> GenerateRsaKeyPairPem() {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_RSA_gen(2048));
  if (!key) return absl::InternalError("RSA key generation failed");
  auto to_pem = [&](bool is_private) -> absl::StatusOr<std::string> {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
    if (!bio) return absl::ResourceExhaustedError("BIO_new failed");
    const int ok = is_private ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                              : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (ok != 1) return absl::InternalError("writing PEM failed");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  };
  GR_ASSIGN_OR_RETURN(std::string private_pem, to_pem(true));
  GR_ASSIGN_OR_RETURN(std::string public_pem, to_pem(false));
  return std::make_pair(std::move(private_pem), std::move(public_pem));
}

// ---- MethodPolicy ------------------------------------------------------------

MethodPolicy& MethodPolicy::Allow(std::string full_method, std::initializer_list<Role> roles) {
  allowed_[std::move(full_method)].insert(roles.begin(), roles.end());
  return *this;
}

absl::Status MethodPolicy::Check(const Principal& principal, std::string_view full_method) const {
  auto it = allowed_.find(full_method);
  if (it == allowed_.end())
    return Reasoned(absl::StatusCode::kPermissionDenied, "METHOD_NOT_ALLOWED",
                    absl::StrCat(ToAbsl(full_method), " is not open to any caller"));
  for (Role role : principal.roles)
    if (it->second.count(role) > 0) return absl::OkStatus();
  return Reasoned(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
                  absl::StrCat("the caller's roles may not call ", ToAbsl(full_method)));
}

bool MethodPolicy::Covers(std::string_view full_method) const { return allowed_.find(full_method) != allowed_.end(); }

std::vector<std::string> MethodPolicy::Methods() const {
  std::vector<std::string> methods;
  methods.reserve(allowed_.size());
  for (const auto& [method, roles] : allowed_) methods.push_back(method);
  return methods;
}

// ---- Authorizer --------------------------------------------------------------

absl::StatusOr<Principal> AuthenticateBearer(const TokenVerifier& verifier, std::string_view authorization) {
  absl::string_view value = absl::StripAsciiWhitespace(ToAbsl(authorization));
  if (value.empty()) return Unauthenticated("MISSING_TOKEN", "missing authorization metadata");
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme))
    return Unauthenticated("MISSING_TOKEN", "authorization metadata must be \"Bearer <token>\"");
  const absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  return verifier.Verify(std::string_view(token.data(), token.size()));
}

std::function<absl::Status(std::string_view authorization)> BearerGate(
    std::shared_ptr<const TokenVerifier> verifier) {
  return [verifier = std::move(verifier)](std::string_view authorization) {
    return AuthenticateBearer(*verifier, authorization).status();
  };
}

Authorizer::Authorizer(std::shared_ptr<const TokenVerifier> verifier, MethodPolicy policy)
    : verifier_(std::move(verifier)), policy_(std::move(policy)) {}

std::string RequestIdOf(const grpc::ServerContext& context) {
  std::optional<std::string_view> request_id = FindMetadata(context, "x-request-id");
  // A caller's id is kept only when it is safe to log verbatim.
  return request_id && IsValidRequestId(ToAbsl(*request_id)) ? std::string(*request_id) : log::NewRequestId();
}

absl::StatusOr<CallContext> Authorizer::Begin(const grpc::ServerContext& context, std::string_view full_method) const {
  CallContext call;
  call.request_id = log::CurrentRequestId().empty() ? RequestIdOf(context) : log::CurrentRequestId();

  std::optional<std::string_view> header = FindMetadata(context, "authorization");
  if (!header) return Unauthenticated("MISSING_TOKEN", "missing authorization metadata");
  if (verifier_ == nullptr) return absl::InternalError("authorizer has no token verifier");
  GR_ASSIGN_OR_RETURN(call.principal, AuthenticateBearer(*verifier_, *header));
  GR_RETURN_IF_ERROR(policy_.Check(call.principal, full_method));
  return call;
}

absl::Status Authorizer::RequireInScope(const Principal& principal, int64_t target_org, ScopeResolver& resolver) const {
  return RequireInScope(principal, target_org, resolver, resolver.ScopeNodeName(target_org));
}

absl::Status Authorizer::RequireInScope(const Principal& principal, int64_t target_org, ScopeResolver& resolver,
                                        std::string_view resource_name) const {
  // Same answer whether target_org is outside the scope or does not exist.
  if (principal.scope_org_id <= 0 || target_org <= 0) return ResourceNotFound(resource_name);
  GR_ASSIGN_OR_RETURN(const bool within, resolver.IsWithinSubtree(principal.scope_org_id, target_org));
  if (!within) return ResourceNotFound(resource_name);
  return absl::OkStatus();
}

}  // namespace grassroots::common::auth
