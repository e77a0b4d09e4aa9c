#include "common/auth/auth.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/auth/openssl_handles.h"
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

// Checks that pem holds a key of the wanted kind (public or private), so a
// wrong file fails at start-up instead of on every call; its type (RSA or EC
// P-256) decides the algorithm.
absl::StatusOr<SigningAlgorithm> CheckPem(const std::string& pem, bool is_private) {
  openssl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::ResourceExhaustedError("BIO_new_mem_buf failed");
  openssl::PkeyPtr key(
      is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                 : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError(absl::StrCat("not a PEM ", is_private ? "private" : "public", " key"));
  GR_ASSIGN_OR_RETURN(VerificationKey parsed, VerificationKeyFromPem(pem, ""));
  return parsed.algorithm;
}

jwt_alg_t LibjwtAlgorithm(SigningAlgorithm algorithm) {
  return algorithm == SigningAlgorithm::kRs256 ? JWT_ALG_RS256 : JWT_ALG_ES256;
}

// The JOSE header, read before any key is chosen: alg and kid select the key.
struct TokenHeader {
  SigningAlgorithm algorithm;
  std::optional<std::string> key_id;
};

absl::StatusOr<TokenHeader> ParseHeader(std::string_view token) {
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return InvalidToken("malformed");
  std::string header_text;
  if (!absl::WebSafeBase64Unescape(ToAbsl(token.substr(0, dot)), &header_text)) return InvalidToken("malformed");
  const nlohmann::json header = nlohmann::json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return InvalidToken("malformed");
  auto alg = header.find("alg");
  // Allow-list: RS256 and ES256. Refuses "none", and HS* signed with a public key as the secret.
  std::optional<SigningAlgorithm> algorithm =
      alg != header.end() && alg->is_string() ? ParseAlgorithm(alg->get<std::string>()) : std::nullopt;
  if (!algorithm) return InvalidToken("algorithm not allowed");
  TokenHeader parsed{.algorithm = *algorithm, .key_id = std::nullopt};
  auto kid = header.find("kid");
  if (kid != header.end()) {
    if (!kid->is_string()) return InvalidToken("kid is not a string");
    parsed.key_id = kid->get<std::string>();
  }
  return parsed;
}

int64_t FileTimeNanos(std::filesystem::file_time_type time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
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

}  // namespace

std::optional<std::string_view> FindMetadata(const grpc::ServerContext& context, std::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

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

TokenVerifier::TokenVerifier(KeySet keys, AuthConfig config, std::string jwks_file)
    : config_(std::move(config)),
      jwks_file_(std::move(jwks_file)),
      keys_(std::make_shared<const KeySet>(std::move(keys))) {}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromPublicKeyPem(std::string pem, AuthConfig config) {
  GR_ASSIGN_OR_RETURN(const SigningAlgorithm algorithm, CheckPem(pem, /*is_private=*/false));
  KeySet keys{.keys = {VerificationKey{.key_id = "", .algorithm = algorithm, .public_key_pem = std::move(pem)}},
              .by_key_id = false,
              .generation = 0};
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(keys), std::move(config), ""));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromJwks(std::string_view jwks_json, AuthConfig config) {
  GR_ASSIGN_OR_RETURN(std::vector<VerificationKey> parsed, ParseJwks(jwks_json));
  KeySet keys{.keys = std::move(parsed), .by_key_id = true, .generation = 0};
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(keys), std::move(config), ""));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromConfig(const AuthConfig& config) {
  if (config.jwks_file.empty()) {
    GR_ASSIGN_OR_RETURN(std::string pem, ReadFile(config.public_key_file));
    return FromPublicKeyPem(std::move(pem), config);
  }
  GR_ASSIGN_OR_RETURN(std::string json, ReadFile(config.jwks_file));
  GR_ASSIGN_OR_RETURN(std::unique_ptr<TokenVerifier> verifier, FromJwks(json, config));
  verifier->jwks_file_ = config.jwks_file;
  // The stamp of what was just read; a change after this point reloads.
  verifier->ReloadKeysIfChanged();
  return verifier;
}

void TokenVerifier::ReloadKeysIfChanged() const {
  if (jwks_file_.empty()) return;
  std::error_code ec;
  // Follows symlinks: a Kubernetes secret rotated by swapping its ..data link shows a new mtime.
  const auto mtime = std::filesystem::last_write_time(jwks_file_, ec);
  if (ec) return;  // a rotation briefly removes the file: keep the keys
  const uintmax_t size = std::filesystem::file_size(jwks_file_, ec);
  if (ec) return;
  const FileStamp stamp{.mtime_ns = FileTimeNanos(mtime), .size = size};
  absl::MutexLock lock(&keys_mutex_);
  if (keys_stamp_ == stamp) return;
  const bool first_read = !keys_stamp_.has_value();
  keys_stamp_ = stamp;
  if (first_read) return;  // FromConfig has just parsed this very file
  absl::StatusOr<std::string> json = ReadFile(jwks_file_);
  absl::StatusOr<std::vector<VerificationKey>> parsed =
      json.ok() ? ParseJwks(*json) : absl::StatusOr<std::vector<VerificationKey>>(json.status());
  if (!parsed.ok()) {
    log::Error("the JWKS file changed but cannot be used; keeping the keys loaded before",
               {{"path", jwks_file_}, {"status", parsed.status().ToString()}});
    return;
  }
  const uint64_t generation = keys_->generation + 1;
  keys_ = std::make_shared<const KeySet>(KeySet{.keys = *std::move(parsed), .by_key_id = true, .generation = generation});
  log::Info("token keys reloaded", {{"path", jwks_file_}, {"keys", std::to_string(keys_->keys.size())}});
  // A removed key must stop verifying at once, also for tokens already cached.
  absl::MutexLock cache_lock(&cache_mutex_);
  cache_.clear();
  cache_generation_ = generation;
}

std::shared_ptr<const TokenVerifier::KeySet> TokenVerifier::CurrentKeys() const {
  absl::MutexLock lock(&keys_mutex_);
  return keys_;
}

absl::StatusOr<Principal> TokenVerifier::Verify(std::string_view token, absl::Time now) const {
  if (token.empty()) return Unauthenticated("MISSING_TOKEN", "missing bearer token");
  if (token.size() > kMaxTokenBytes) return InvalidToken("too large");
  ReloadKeysIfChanged();

  // Decoding the PEM key and checking the signature costs far more than the
  // rest of a typical request, and a client sends the same token on every call:
  // remember tokens that verified and re-check only their time window.
  std::optional<VerifiedToken> verified;
  {
    absl::MutexLock lock(&cache_mutex_);
    auto hit = cache_.find(token);
    if (hit != cache_.end()) verified = hit->second;
  }
  if (!verified) {
    const std::shared_ptr<const KeySet> keys = CurrentKeys();
    GR_ASSIGN_OR_RETURN(verified, VerifyUncached(token, *keys));
    absl::MutexLock lock(&cache_mutex_);
    // Bounded memory: when full, drop everything (tokens re-verify on next use).
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
    // Not when the keys changed meanwhile: the token must meet the new keys.
    if (keys->generation == cache_generation_) cache_.emplace(std::string(token), *verified);
  }

  const int64_t now_seconds = absl::ToUnixSeconds(now);
  const int64_t leeway = config_.leeway_seconds;
  if (now_seconds > verified->expires_at + leeway) return Unauthenticated("TOKEN_EXPIRED", "token expired");
  // Else a token issued "later" would stretch its window past the maximum lifetime.
  if (now_seconds + leeway < verified->issued_at) return InvalidToken("issued in the future");
  if (verified->not_before && now_seconds + leeway < *verified->not_before) return InvalidToken("not yet valid");
  return verified->principal;
}

// Everything about a token that does not depend on the clock.
absl::StatusOr<TokenVerifier::VerifiedToken> TokenVerifier::VerifyUncached(std::string_view token,
                                                                           const KeySet& keys) const {
  GR_ASSIGN_OR_RETURN(const TokenHeader header, ParseHeader(token));
  const VerificationKey* key = nullptr;
  if (!keys.by_key_id) {
    key = &keys.keys.front();
  } else {
    if (!header.key_id) return InvalidToken("no kid");
    for (const VerificationKey& candidate : keys.keys)
      if (candidate.key_id == *header.key_id) key = &candidate;
    if (key == nullptr) return InvalidToken("unknown kid");
  }
  // An RSA key verifies RS256 only and an EC key ES256 only.
  if (key->algorithm != header.algorithm) return InvalidToken("algorithm not allowed for this key");

  const std::string token_text(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, token_text.c_str(), reinterpret_cast<const unsigned char*>(key->public_key_pem.data()),
                            static_cast<int>(key->public_key_pem.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || !jwt) return InvalidToken("malformed or bad signature");
  if (jwt_get_alg(jwt.get()) != LibjwtAlgorithm(key->algorithm)) return InvalidToken("algorithm not allowed");

  std::unique_ptr<char, MallocDeleter> grants_text(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants_text) return InvalidToken("no claims");
  const nlohmann::json claims = nlohmann::json::parse(grants_text.get(), nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return InvalidToken("claims are not an object");

  VerifiedToken verified;
  GR_ASSIGN_OR_RETURN(verified.expires_at, RequiredInteger(claims, "exp"));
  GR_ASSIGN_OR_RETURN(verified.issued_at, RequiredInteger(claims, "iat"));
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
  // A long-lived token is a standing credential: people get a working day,
  // services (which mint afresh) far less.
  const int64_t max_lifetime = principal.HasRole(Role::kService) ? config_.max_service_token_lifetime_seconds
                                                                 : config_.max_token_lifetime_seconds;
  if (verified.expires_at - verified.issued_at > max_lifetime) return InvalidToken("lifetime exceeds the maximum");
  return verified;
}

// ---- TokenSigner -------------------------------------------------------------

TokenSigner::TokenSigner(std::string pem, SigningAlgorithm algorithm, std::string issuer, std::string audience)
    : private_key_pem_(std::move(pem)),
      algorithm_(algorithm),
      issuer_(std::move(issuer)),
      audiences_({std::move(audience)}) {}

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::FromPrivateKeyPem(std::string pem, std::string issuer,
                                                                             std::string audience) {
  GR_ASSIGN_OR_RETURN(const SigningAlgorithm algorithm, CheckPem(pem, /*is_private=*/true));
  return std::unique_ptr<TokenSigner>(
      new TokenSigner(std::move(pem), algorithm, std::move(issuer), std::move(audience)));
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
  if (audiences_.empty()) return InvalidField("audiences", "must not be empty");

  const int64_t issued_at = absl::ToUnixSeconds(now);
  nlohmann::json grants = {
      {"iss", issuer_},
      {"aud", audiences_.size() == 1 ? nlohmann::json(audiences_.front()) : nlohmann::json(audiences_)},
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
  if (!key_id_.empty() && jwt_add_header(jwt.get(), "kid", key_id_.c_str()) != 0)
    return absl::InternalError("jwt_add_header failed");
  if (jwt_set_alg(jwt.get(), LibjwtAlgorithm(algorithm_), reinterpret_cast<const unsigned char*>(private_key_pem_.data()),
                  static_cast<int>(private_key_pem_.size())) != 0)
    return absl::InternalError("jwt_set_alg failed");
  std::unique_ptr<char, MallocDeleter> encoded(jwt_encode_str(jwt.get()));
  if (!encoded) return absl::InternalError("signing the token failed");
  return std::string(encoded.get());
}

absl::StatusOr<std::pair<std::string, std::string>> GenerateRsaKeyPairPem() {
  openssl::PkeyPtr key(EVP_RSA_gen(2048));
  if (!key) return absl::InternalError("RSA key generation failed");
  auto to_pem = [&](bool is_private) -> absl::StatusOr<std::string> {
    openssl::BioPtr bio(BIO_new(BIO_s_mem()));
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

std::function<absl::StatusOr<std::string>(std::string_view authorization)> BearerGate(
    std::shared_ptr<const TokenVerifier> verifier) {
  return [verifier = std::move(verifier)](std::string_view authorization) -> absl::StatusOr<std::string> {
    absl::StatusOr<Principal> principal = AuthenticateBearer(*verifier, authorization);
    if (!principal.ok()) return principal.status();
    // Services call each other on behalf of many people (feeds, scope checks):
    // limiting them per caller would throttle everyone at once.
    if (principal->HasRole(Role::kService)) return std::string();
    return principal->subject;
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
