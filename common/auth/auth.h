#pragma once
// Authentication (signed JWT bearer tokens, RS256 only) and authorization
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

// Verifies RS256 tokens: signature, alg allow-list, exp, nbf, iss, aud.
// Missing, expired, forged or malformed -> UNAUTHENTICATED.
class TokenVerifier {
 public:
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromPublicKeyPem(std::string pem, AuthConfig config);
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromConfig(const AuthConfig& config);
  // Tokens that verified are cached (bounded) until they expire; exp and nbf
  // are checked against `now` on every call.
  absl::StatusOr<Principal> Verify(std::string_view token, absl::Time now = absl::Now()) const;
 private:
  struct VerifiedToken {
    Principal principal;
    int64_t expires_at = 0;
    std::optional<int64_t> not_before;
  };
  static constexpr size_t kMaxCachedTokens = 10000;
  TokenVerifier(std::string pem, AuthConfig config);
  absl::StatusOr<VerifiedToken> VerifyUncached(std::string_view token) const;
  std::string public_key_pem_;
  AuthConfig config_;
  mutable absl::Mutex cache_mutex_;
  mutable std::map<std::string, VerifiedToken, std::less<>> cache_ ABSL_GUARDED_BY(cache_mutex_);
};

// Mints RS256 tokens (the CLI's development tokens and the tests).
class TokenSigner {
 public:
  static absl::StatusOr<std::unique_ptr<TokenSigner>> FromPrivateKeyPem(std::string pem, std::string issuer,
                                                                        std::string audience);
  static absl::StatusOr<std::unique_ptr<TokenSigner>> FromPrivateKeyFile(const std::string& path,
                                                                         std::string issuer,
                                                                         std::string audience);
  absl::StatusOr<std::string> Mint(const Claims& claims, absl::Duration ttl,
                                   absl::Time now = absl::Now()) const;
 private:
  TokenSigner(std::string pem, std::string issuer, std::string audience);
  std::string private_key_pem_;
  std::string issuer_;
  std::string audience_;
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
std::function<absl::Status(std::string_view authorization)> BearerGate(
    std::shared_ptr<const TokenVerifier> verifier);

// Per-call context produced by Authorizer::Begin.
struct CallContext {
  Principal principal;
  std::string request_id;
};

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
