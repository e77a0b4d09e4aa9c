#include "services/cli/connection.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/server/service_host.h"

namespace grassroots::cli {
namespace {

// Default ports of the four services (see deploy/ and each service's main.cc).
int DefaultPort(absl::string_view component) {
  if (component == "membership") return 50052;
  if (component == "inspection") return 50053;
  if (component == "reporting") return 50054;
  return 50051;  // org, and the change feed (served by every service)
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](absl::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::string ServiceComponent(absl::string_view package) {
  std::vector<absl::string_view> parts = absl::StrSplit(package, '.');
  if (parts.size() < 2 || parts[0] != "grassroots") return "";
  return std::string(parts[1]);
}

absl::StatusOr<std::string> ResolveTarget(absl::string_view package, const ConnectionFlags& flags,
                                          const EnvLookup& env) {
  if (!flags.target.empty()) return flags.target;
  std::string component = ServiceComponent(package);
  if (component.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("not a Grassroots package: ", package));
  }
  // The feed is exposed by every service; without --target it is the org service's feed.
  std::string env_component = component == "feed" ? "org" : component;
  std::string env_name = absl::StrCat("GRASSROOTS_", absl::AsciiStrToUpper(env_component), "_TARGET");
  if (std::optional<std::string> from_env = env(env_name)) return *from_env;
  return absl::StrCat("localhost:", DefaultPort(component));
}

// Tokens are often copied from an "authorization: Bearer ..." header; the scheme is added back per call.
std::string WithoutScheme(absl::string_view token) {
  token = absl::StripAsciiWhitespace(token);
  if (absl::StartsWithIgnoreCase(token, "Bearer ")) token = absl::StripAsciiWhitespace(token.substr(7));
  return std::string(token);
}

absl::StatusOr<std::string> ResolveToken(const ConnectionFlags& flags, const EnvLookup& env) {
  if (!flags.token.empty()) return WithoutScheme(flags.token);
  if (!flags.token_file.empty()) {
    absl::StatusOr<std::string> text = ReadFile(flags.token_file);
    if (!text.ok()) return text.status();
    absl::string_view first_line = *text;
    first_line = first_line.substr(0, first_line.find('\n'));
    return WithoutScheme(first_line);
  }
  if (std::optional<std::string> from_env = env("GRASSROOTS_TOKEN")) {
    return WithoutScheme(*from_env);
  }
  return std::string();
}

absl::StatusOr<absl::Duration> ParseDeadline(absl::string_view text) {
  absl::Duration deadline;
  if (!absl::ParseDuration(text, &deadline) || deadline <= absl::ZeroDuration() ||
      deadline == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--deadline: expected a positive duration such as 10s or 500ms, got '", text, "'"));
  }
  return deadline;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target, const ConnectionFlags& flags) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (flags.cert_file.empty() != flags.key_file.empty())
    return absl::InvalidArgumentError("--cert-file and --key-file go together (a client certificate and its key)");
  if (!flags.tls && (!flags.ca_file.empty() || !flags.cert_file.empty()))
    return absl::InvalidArgumentError("--ca-file, --cert-file and --key-file need --tls");
  if (flags.tls) {
    grpc::SslCredentialsOptions options;
    if (!flags.ca_file.empty()) {
      absl::StatusOr<std::string> roots = ReadFile(flags.ca_file);
      if (!roots.ok()) return roots.status();
      options.pem_root_certs = *roots;
    }
    if (!flags.cert_file.empty()) {
      absl::StatusOr<std::string> chain = ReadFile(flags.cert_file);
      if (!chain.ok()) return chain.status();
      absl::StatusOr<std::string> key = ReadFile(flags.key_file);
      if (!key.ok()) return key.status();
      options.pem_cert_chain = *chain;
      options.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(options);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateCustomChannel(target, credentials, common::DefaultChannelArguments());
}

absl::StatusOr<Connection> Connection::Open(absl::string_view package, const ConnectionFlags& flags,
                                            const EnvLookup& env) {
  absl::StatusOr<std::string> target = ResolveTarget(package, flags, env);
  if (!target.ok()) return target.status();
  absl::StatusOr<std::string> token = ResolveToken(flags, env);
  if (!token.ok()) return token.status();
  absl::StatusOr<absl::Duration> deadline = ParseDeadline(flags.deadline);
  if (!deadline.ok()) return deadline.status();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(*target, flags);
  if (!channel.ok()) return channel.status();
  return Connection(*channel, *target, *token, *deadline, flags.request_id);
}

Connection::Connection(std::shared_ptr<grpc::Channel> channel, std::string target, std::string token,
                       absl::Duration deadline, std::string request_id)
    : channel_(std::move(channel)),
      target_(std::move(target)),
      token_(std::move(token)),
      deadline_(deadline),
      request_id_(std::move(request_id)) {}

void Connection::Prepare(grpc::ClientContext& context, bool with_deadline) const {
  if (!token_.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  if (!request_id_.empty()) context.AddMetadata("x-request-id", request_id_);
  if (with_deadline) context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
}

}  // namespace grassroots::cli
