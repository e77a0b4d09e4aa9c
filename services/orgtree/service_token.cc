#include "services/orgtree/service_token.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/auth.h"
#include "common/auth/jwks.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::orgtree {

struct ServiceToken::FileState {
  std::string path;
  absl::Mutex mutex;
  std::optional<std::filesystem::file_time_type> loaded_mtime ABSL_GUARDED_BY(mutex);
  std::string token ABSL_GUARDED_BY(mutex);
};

struct ServiceToken::Minter {
  std::shared_ptr<const ServiceSigningOptions> options;
  std::shared_ptr<const common::auth::TokenSigner> signer;  // null until ForAudience: no audience, no token
  absl::Mutex mutex;
  std::string token ABSL_GUARDED_BY(mutex);
  absl::Time renew_at ABSL_GUARDED_BY(mutex) = absl::InfinitePast();
};

namespace {

absl::StatusOr<std::unique_ptr<common::auth::TokenSigner>> SignerFor(const ServiceSigningOptions& options,
                                                                     std::string audience) {
  GR_ASSIGN_OR_RETURN(std::unique_ptr<common::auth::TokenSigner> signer,
                      common::auth::TokenSigner::FromPrivateKeyPem(options.private_key_pem, options.issuer,
                                                                   std::move(audience)));
  signer->set_key_id(options.key_id);
  return signer;
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  if (!in || content.str().empty())
    return common::InvalidField("--service-signing-key-file", absl::StrCat("cannot read ", path));
  return content.str();
}

}  // namespace

ServiceToken::ServiceToken(std::string path) : file_(std::make_shared<FileState>()) { file_->path = std::move(path); }

absl::StatusOr<std::shared_ptr<ServiceToken>> ServiceToken::Minting(ServiceSigningOptions options) {
  if (options.lifetime <= absl::ZeroDuration()) return common::InvalidField("lifetime", "must be positive");
  if (options.subject.empty()) return common::InvalidField("subject", "must not be empty");
  if (options.key_id.empty()) {
    GR_ASSIGN_OR_RETURN(options.key_id, common::auth::JwkThumbprintFromPem(options.private_key_pem));
  }
  // Checks the key once (type and size) so a wrong file fails at start-up.
  GR_ASSIGN_OR_RETURN(std::unique_ptr<common::auth::TokenSigner> probe, SignerFor(options, "probe"));
  std::shared_ptr<ServiceToken> token(new ServiceToken());
  token->minter_ = std::make_shared<Minter>();
  token->minter_->options = std::make_shared<const ServiceSigningOptions>(std::move(options));
  return token;
}

std::shared_ptr<ServiceToken> ServiceToken::ForAudience(const std::string& audience) {
  if (file_) return std::shared_ptr<ServiceToken>(new ServiceToken(*this));
  std::shared_ptr<ServiceToken> token(new ServiceToken());
  token->minter_ = std::make_shared<Minter>();
  token->minter_->options = minter_->options;
  // Minting checked that this key makes a signer, so only an allocation failure is left.
  absl::StatusOr<std::unique_ptr<common::auth::TokenSigner>> signer = SignerFor(*minter_->options, audience);
  if (signer.ok()) token->minter_->signer = std::move(*signer);
  return token;
}

absl::StatusOr<std::string> ServiceToken::Get(absl::Time now) {
  if (minter_) {
    Minter& minter = *minter_;
    if (!minter.signer) return absl::InternalError("service credentials used without naming the service called");
    absl::MutexLock lock(&minter.mutex);
    // Renewed at half its lifetime: a call never leaves with a token about to
    // expire, and clocks a little apart still agree it is valid.
    if (!minter.token.empty() && now < minter.renew_at) return minter.token;
    const ServiceSigningOptions& options = *minter.options;
    common::auth::Claims claims;
    claims.subject = options.subject;
    claims.roles = {common::auth::Role::kService};
    claims.scope_org_id = options.scope_org_id;
    absl::StatusOr<std::string> minted = minter.signer->Mint(claims, options.lifetime, now);
    if (!minted.ok()) {
      common::log::Error("cannot mint a service token", {{"status", minted.status().ToString()}});
      return absl::UnavailableError("this service's credentials for other services cannot be made");
    }
    minter.token = *std::move(minted);
    minter.renew_at = now + options.lifetime / 2;
    return minter.token;
  }

  FileState& state = *file_;
  std::error_code ec;
  // last_write_time follows symlinks: a Kubernetes secret rotated by swapping
  // its ..data link shows up as a new mtime.
  const std::filesystem::file_time_type mtime = std::filesystem::last_write_time(state.path, ec);
  absl::MutexLock lock(&state.mutex);
  if (ec) {
    // Keep serving the token already read: a rotation briefly removes the file.
    if (!state.token.empty()) return state.token;
    common::log::Error("service token file cannot be read", {{"path", state.path}, {"error", ec.message()}});
    return absl::UnavailableError("this service's credentials for other services cannot be read");
  }
  if (state.loaded_mtime == mtime && !state.token.empty()) return state.token;

  std::ifstream in(state.path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(content.str()));
  if (!in || token.empty()) {
    if (!state.token.empty()) return state.token;
    common::log::Error("service token file is unreadable or empty", {{"path", state.path}});
    return absl::UnavailableError("this service's credentials for other services cannot be read");
  }
  if (state.loaded_mtime.has_value()) common::log::Info("service token reloaded", {{"path", state.path}});
  state.token = std::move(token);
  state.loaded_mtime = mtime;
  return state.token;
}

void DeclareServiceCredentialOptions(common::ServiceOptions& declare, ServiceCredentialOptions& options,
                                     bool required) {
  declare.AddFile("--service-signing-key-file", options.signing_key_file,
                  "PEM private key (RSA or EC P-256) signing this service's short-lived tokens for the services it "
                  "calls; its public key must be in their JWKS",
                  required);
  declare.AddString("--service-signing-key-id", options.signing_key_id,
                    "kid of the service signing key in the JWKS (default: its RFC 7638 thumbprint)");
  declare.AddInt("--service-token-lifetime-seconds", options.token_lifetime_seconds,
                 "lifetime of each minted service token (re-minted at half of it)", 30, 24 * 3600);
}

absl::StatusOr<std::shared_ptr<ServiceToken>> LoadServiceCredentials(std::string_view service_name,
                                                                     const ServiceCredentialOptions& options,
                                                                     const common::AuthConfig& auth) {
  if (options.token_lifetime_seconds > auth.max_service_token_lifetime_seconds)
    return common::InvalidField(
        "--service-token-lifetime-seconds",
        absl::StrCat("must not exceed --auth-max-service-token-lifetime-seconds (", auth.max_service_token_lifetime_seconds,
                     ")"));
  GR_ASSIGN_OR_RETURN(std::string pem, ReadKeyFile(options.signing_key_file));
  absl::StatusOr<std::shared_ptr<ServiceToken>> token =
      ServiceToken::Minting({.private_key_pem = std::move(pem),
                             .key_id = options.signing_key_id,
                             .issuer = auth.issuer,
                             .subject = absl::StrCat(common::ToAbsl(service_name), "-service"),
                             .lifetime = absl::Seconds(options.token_lifetime_seconds)});
  if (!token.ok()) return common::InvalidField("--service-signing-key-file", std::string(token.status().message()));
  return token;
}

}  // namespace grassroots::orgtree
