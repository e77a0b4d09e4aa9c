#pragma once
// How the CLI reaches a service: which address serves a proto package, the
// bearer token, the per-call deadline and request id.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"

namespace grassroots::cli {

// Reads an environment variable; injectable so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(absl::string_view name)>;
EnvLookup ProcessEnv();

// Flags shared by every command that talks to a service.
struct ConnectionFlags {
  std::string target;        // --target: overrides the per-service default
  std::string token;         // --token
  std::string token_file;    // --token-file
  std::string deadline = "10s";
  std::string request_id;    // --request-id: sent as x-request-id metadata
  bool tls = false;          // --tls: TLS with the system roots (or --ca-file)
  std::string ca_file;
  std::string cert_file;     // --cert-file / --key-file: a client certificate (mutual TLS)
  std::string key_file;
};

// "grassroots.org.v1" -> "org"; "" when the package is not a Grassroots one.
std::string ServiceComponent(absl::string_view package);

// The address for a proto package: --target, else GRASSROOTS_<COMPONENT>_TARGET,
// else localhost and the service's default port (org 50051, membership 50052,
// inspection 50053, reporting 50054). The change feed (grassroots.feed.v1) is
// served by every service; it defaults to the org service.
absl::StatusOr<std::string> ResolveTarget(absl::string_view package, const ConnectionFlags& flags,
                                          const EnvLookup& env);

// The bearer token: --token, else the first line of --token-file, else
// GRASSROOTS_TOKEN, without a leading "Bearer ". Empty when none is given (the server then answers UNAUTHENTICATED).
absl::StatusOr<std::string> ResolveToken(const ConnectionFlags& flags, const EnvLookup& env);

// Parses "10s", "500ms", "2m"; must be positive.
absl::StatusOr<absl::Duration> ParseDeadline(absl::string_view text);

// An open connection plus what each call needs.
class Connection {
 public:
  static absl::StatusOr<Connection> Open(absl::string_view package, const ConnectionFlags& flags,
                                         const EnvLookup& env);
  Connection(std::shared_ptr<grpc::Channel> channel, std::string target, std::string token,
             absl::Duration deadline, std::string request_id);

  // Sets authorization and x-request-id metadata, and the deadline unless
  // `with_deadline` is false (a followed stream runs until cancelled).
  void Prepare(grpc::ClientContext& context, bool with_deadline = true) const;

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& target() const { return target_; }
  const std::string& token() const { return token_; }
  absl::Duration deadline() const { return deadline_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string target_;
  std::string token_;
  absl::Duration deadline_;
  std::string request_id_;
};

// A channel with the servers' keepalive and size settings.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target, const ConnectionFlags& flags);

}  // namespace grassroots::cli
