#pragma once
// Authentication (signed JWT bearer tokens, RS256 or ES256) and authorization
// (method policy by role, object access by organization scope).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/jwks.h"
#include "common/config/config.h"

namespace grassroots::common::auth {

enum class Role { kAdmin, kInspector, kSecretary, kMember, kPortal, kService };
std::string_view RoleName(Role role);                       // "admin", ...
std::optional<Role> ParseRole(std::string_view name);

// Who is calling. Token claims: sub, roles (array of role names), scope_org
// (organization id, integer; the root of the subtree the caller may act in),
// member_id (optional integer: the caller's own member record).
struct Principal {
  std::string subject;
  std::set<Role> roles;
  int64_t scope_org_id = 0;
  std::optional<int64_t> member_id;
  bool HasRole(Role role) const { return roles.count(role) > 0; }
  bool HasAnyRole(std::initializer_list<Role> any) const;
};

struct Claims {
  std::string subject;
  std::vector<Role> roles;
  int64_t scope_org_id = 0;
  std::optional<int64_t> member_id;
};

// Verifies RS256 and ES256 tokens: the key named by the header's kid (from a
// JWKS file, re-read when it changes) or the one PEM key, the algorithm that
// key allows, exp, nbf, iat, iss, aud and the maximum lifetime (exp - iat; a
// shorter one for tokens with the service role). Missing, expired, forged or
// malformed -> UNAUTHENTICATED.
class TokenVerifier {
 public:
  // One key (RSA -> RS256, EC P-256 -> ES256), whatever kid a token names.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromPublicKeyPem(std::string pem, AuthConfig config);
  // The keys of a JWKS document, selected by kid; they never change.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromJwks(std::string_view jwks_json, AuthConfig config);
  // config.jwks_file (re-read when its mtime or size changes, so keys rotate
  // without a restart) or else config.public_key_file.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromConfig(const AuthConfig& config);
  // Tokens that verified are cached (bounded) until they expire or the keys
  // change; exp, nbf and iat are checked against `now` on every call.
  absl::StatusOr<Principal> Verify(std::string_view token, absl::Time now = absl::Now()) const;
 private:
  struct VerifiedToken {
    Principal principal;
    int64_t expires_at = 0;
    int64_t issued_at = 0;
    std::optional<int64_t> not_before;
  };
  struct KeySet {
    std::vector<VerificationKey> keys;
    bool by_key_id = true;  // false: the single PEM key, used whatever the kid
    uint64_t generation = 0;
  };
  struct FileStamp {
    int64_t mtime_ns = 0;
    uintmax_t size = 0;
    bool operator==(const FileStamp&) const = default;
  };
  static constexpr size_t kMaxCachedTokens = 10000;
  TokenVerifier(KeySet keys, AuthConfig config, std::string jwks_file);
  // Re-reads the JWKS file when it changed; a file that does not parse keeps
  // the keys already loaded (logged), so a half-written rotation never locks
  // everyone out.
  void ReloadKeysIfChanged() const;
  std::shared_ptr<const KeySet> CurrentKeys() const;
  absl::StatusOr<VerifiedToken> VerifyUncached(std::string_view token, const KeySet& keys) const;
  AuthConfig config_;
  std::string jwks_file_;  // empty: the keys never change
  mutable absl::Mutex keys_mutex_;
  mutable std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(keys_mutex_);
  mutable std::optional<FileStamp> keys_stamp_ ABSL_GUARDED_BY(keys_mutex_);
  mutable absl::Mutex cache_mutex_;
  mutable uint64_t cache_generation_ ABSL_GUARDED_BY(cache_mutex_) = 0;
  mutable std::map<std::string, VerifiedToken, std::less<>> cache_ ABSL_GUARDED_BY(cache_mutex_);
};

// Mints tokens (the CLI's tokens and the tests): RS256 with an RSA key, ES256
// with an EC P-256 key. The header names key_id as kid when it is set.
class TokenSigner {
 public:
  static absl::StatusOr<std::unique_ptr<TokenSigner>> FromPrivateKeyPem(std::string pem, std::string issuer,
                                                                        std::string audience);
  static absl::StatusOr<std::unique_ptr<TokenSigner>> FromPrivateKeyFile(const std::string& path,
                                                                         std::string issuer,
                                                                         std::string audience);
  void set_key_id(std::string key_id) { key_id_ = std::move(key_id); }
  // Replaces the audience: aud is then an array naming every one of them.
  void set_audiences(std::vector<std::string> audiences) { audiences_ = std::move(audiences); }
  absl::StatusOr<std::string> Mint(const Claims& claims, absl::Duration ttl,
                                   absl::Time now = absl::Now()) const;
 private:
  TokenSigner(std::string pem, SigningAlgorithm algorithm, std::string issuer, std::string audience);
  std::string private_key_pem_;
  SigningAlgorithm algorithm_;
  std::string issuer_;
  std::vector<std::string> audiences_;
  std::string key_id_;
};

// Generates an RSA-2048 key pair as PEM strings (tests, `grassroots keys`).
absl::StatusOr<std::pair<std::string, std::string>> GenerateRsaKeyPairPem();

// Which roles may call which method; anything not listed is denied.
class MethodPolicy {
 public:
  // full_method: "/grassroots.org.v1.OrganizationService/GetOrganization".
  MethodPolicy& Allow(std::string full_method, std::initializer_list<Role> roles);
  absl::Status Check(const Principal& principal, std::string_view full_method) const;
  bool Covers(std::string_view full_method) const;
  std::vector<std::string> Methods() const;
 private:
  std::map<std::string, std::set<Role>, std::less<>> allowed_;
};

// Answers "does organization `descendant` lie in the subtree of `ancestor`
// (inclusive) today?". Each service implements it over its own tree data.
class ScopeResolver {
 public:
  virtual ~ScopeResolver() = default;
  virtual absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) = 0;
  // The resource name of a scope node ("<collection>/<id>"): what an
  // out-of-scope answer names, exactly as a missing one would.
  virtual std::string ScopeNodeName(int64_t id) const = 0;
};

// Verifies an "authorization" metadata value of the form "Bearer <jwt>";
// anything else, or a token that does not verify, is UNAUTHENTICATED.
absl::StatusOr<Principal> AuthenticateBearer(const TokenVerifier& verifier, std::string_view authorization);
// ServerConfig::authenticate over verifier: the host's gate before any handler.
std::function<absl::StatusOr<std::string>(std::string_view authorization)> BearerGate(
    std::shared_ptr<const TokenVerifier> verifier);

// Per-call context produced by Authorizer::Begin.
struct CallContext {
  Principal principal;
  std::string request_id;
};

// The value of the caller's `key` metadata (lower-case key), if sent.
std::optional<std::string_view> FindMetadata(const grpc::ServerContext& context, std::string_view key);

// The caller's x-request-id when it is safe to log verbatim ([A-Za-z0-9_-],
// at most 64 chars), else a fresh one.
std::string RequestIdOf(const grpc::ServerContext& context);

// The one entry point handlers use: authenticate the bearer token, check the
// method policy, and check object scope.
class Authorizer {
 public:
  Authorizer(std::shared_ptr<const TokenVerifier> verifier, MethodPolicy policy);
  // Reads "authorization: Bearer <jwt>" and "x-request-id" metadata. When the
  // handler already set a request id for logging (log::RequestIdScope), that
  // id is the call's request id.
  absl::StatusOr<CallContext> Begin(const grpc::ServerContext& context, std::string_view full_method) const;
  // The shared rule against existence oracles: unless target_org lies in the
  // caller's scope subtree, NOT_FOUND exactly as for a resource that does not
  // exist (common::ResourceNotFound), never PERMISSION_DENIED. The first form
  // names the scope node itself (resolver.ScopeNodeName); the second names the
  // resource the caller asked for, which is placed in target_org (so the
  // answer does not reveal where it is placed).
  absl::Status RequireInScope(const Principal& principal, int64_t target_org, ScopeResolver& resolver) const;
  absl::Status RequireInScope(const Principal& principal, int64_t target_org, ScopeResolver& resolver,
                              std::string_view resource_name) const;
  const MethodPolicy& policy() const { return policy_; }
 private:
  std::shared_ptr<const TokenVerifier> verifier_;
  MethodPolicy policy_;
};

}  // namespace grassroots::common::auth
