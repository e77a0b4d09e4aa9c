#include "common/config/config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status/status.h"

#ifndef GRASSROOTS_DEFAULT_RULES_FILE
#define GRASSROOTS_DEFAULT_RULES_FILE "data/rules/rules.json"
#endif

namespace grassroots::common {

// One naming rule for every option, common or service-specific.
std::string EnvNameFor(std::string_view flag) {
  while (!flag.empty() && flag.front() == '-') flag.remove_prefix(1);
  std::string name(flag);
  absl::AsciiStrToUpper(&name);
  absl::StrReplaceAll({{"-", "_"}}, &name);
  return absl::StrCat("GRASSROOTS_", name);
}

// Names both spellings the operator may have used.
absl::Status OptionError(std::string_view flag, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(ToAbsl(flag), " (", EnvNameFor(flag), ") ", ToAbsl(problem)));
}

absl::StatusOr<std::string> ReadSecretFile(std::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return OptionError(flag, absl::StrCat("names a file that cannot be read: ", path));
  std::ostringstream content;
  content << in.rdbuf();
  // Secrets mounted from Kubernetes or written by `echo` end with a newline that is not part of them.
  std::string text = content.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

namespace {

// A person at a screen, or a portal page, stays far below this; a script
// hammering one account does not.
constexpr double kDefaultCallerRatePerSecond = 100;

constexpr absl::string_view kHelpPayload = "type.grassroots/help";

template <typename T>
CLI::Option* AddOption(CLI::App& app, const std::string& flag, T& target, const std::string& help) {
  return app.add_option(flag, target, help)->envname(EnvNameFor(flag))->capture_default_str();
}

void AddMillisOption(CLI::App& app, const std::string& flag, std::chrono::milliseconds& target,
                     const std::string& help) {
  app.add_option_function<int64_t>(
         flag, [&target](const int64_t& value) { target = std::chrono::milliseconds(value); }, help)
      ->envname(EnvNameFor(flag))
      ->default_str(std::to_string(target.count()));
}

// Accepts "host:port" and "[v6]:port"; port 0 lets the OS choose (tests).
absl::Status ValidateListenAddress(std::string_view flag, const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return OptionError(flag, absl::StrCat("must be host:port, got \"", address, "\""));
  int port = -1;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535)
    return OptionError(flag, absl::StrCat("has a port outside 0..65535 in \"", address, "\""));
  return absl::OkStatus();
}

absl::Status RequireAtLeast(std::string_view flag, int64_t value, int64_t minimum) {
  if (value < minimum) return OptionError(flag, absl::StrCat("must be >= ", minimum, ", got ", value));
  return absl::OkStatus();
}

absl::Status RequireFile(std::string_view flag, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return OptionError(flag, absl::StrCat("names no readable file: ", path));
  return absl::OkStatus();
}

// A certificate needs its key and the reverse; every named file must exist,
// since a missing one would otherwise surface only as failed handshakes.
absl::Status ValidateTls(ServiceConfig& config) {
  TlsConfig& tls = config.server.tls;
  if (tls.cert_file.empty() != tls.key_file.empty())
    return OptionError(tls.cert_file.empty() ? "--tls-cert-file" : "--tls-key-file",
                       "is required with --tls-cert-file / --tls-key-file (a certificate and its key)");
  if (!tls.ca_file.empty() && tls.cert_file.empty())
    return OptionError("--tls-client-ca-file", "needs --tls-cert-file: mutual TLS is TLS first");
  for (const auto& [flag, path] : {std::pair<std::string_view, const std::string&>{"--tls-cert-file", tls.cert_file},
                                   {"--tls-key-file", tls.key_file},
                                   {"--tls-client-ca-file", tls.ca_file},
                                   {"--peer-tls-ca-file", config.peer_tls.ca_file},
                                   {"--db-tls-ca-file", config.db.tls_ca_file},
                                   {"--db-tls-cert-file", config.db.tls_cert_file},
                                   {"--db-tls-key-file", config.db.tls_key_file}}) {
    if (!path.empty()) {
      if (auto s = RequireFile(flag, path); !s.ok()) return s;
    }
  }
  if (auto s = RequireAtLeast("--tls-reload-seconds", tls.reload_interval_seconds, 1); !s.ok()) return s;
  const DbConfig& db = config.db;
  if (db.tls_cert_file.empty() != db.tls_key_file.empty())
    return OptionError(db.tls_cert_file.empty() ? "--db-tls-cert-file" : "--db-tls-key-file",
                       "is required with --db-tls-cert-file / --db-tls-key-file");
  if (!db.tls && (!db.tls_ca_file.empty() || !db.tls_cert_file.empty()))
    return OptionError("--db-tls", "must be true when --db-tls-ca-file or --db-tls-cert-file is set");
  // The service presents its own certificate to the services it calls.
  config.peer_tls.cert_file = tls.cert_file;
  config.peer_tls.key_file = tls.key_file;
  config.peer_tls.reload_interval_seconds = tls.reload_interval_seconds;
  return absl::OkStatus();
}

absl::Status Validate(ServiceConfig& config) {
  const DbConfig& db = config.db;
  if (db.database.empty()) return OptionError("--db-database", "is required (one schema per service)");
  if (db.host.empty() && db.socket.empty()) return OptionError("--db-host", "is required unless --db-socket is set");
  if (db.port < 1 || db.port > 65535)
    return OptionError("--db-port", absl::StrCat("must be in 1..65535, got ", db.port));
  if (!db.password.empty() && !db.password_file.empty())
    return OptionError("--db-password-file", "cannot be combined with --db-password");
  if (!db.password_file.empty()) {
    auto password = ReadSecretFile("--db-password-file", db.password_file);
    if (!password.ok()) return password.status();
    config.db.password = *std::move(password);
  }
  if (db.user.empty()) return OptionError("--db-user", "must not be empty");
  if (auto s = RequireAtLeast("--db-pool-size", db.pool_size, 1); !s.ok()) return s;
  if (auto s = RequireAtLeast("--db-acquire-timeout-ms", db.acquire_timeout.count(), 1); !s.ok()) return s;
  if (auto s = RequireAtLeast("--db-startup-wait-ms", db.startup_wait.count(), 0); !s.ok()) return s;
  if (auto s = RequireAtLeast("--db-connect-timeout-seconds", db.connect_timeout_seconds, 1); !s.ok()) return s;
  if (auto s = RequireAtLeast("--db-read-timeout-seconds", db.read_timeout_seconds, 1); !s.ok()) return s;
  if (auto s = RequireAtLeast("--db-write-timeout-seconds", db.write_timeout_seconds, 1); !s.ok()) return s;
  if (auto s = RequireAtLeast("--db-statement-timeout-seconds", db.statement_timeout_seconds, 0); !s.ok()) return s;

  const ServerConfig& server = config.server;
  if (auto s = ValidateListenAddress("--grpc-address", server.grpc_address); !s.ok()) return s;
  if (!server.metrics_address.empty()) {
    if (auto s = ValidateListenAddress("--metrics-address", server.metrics_address); !s.ok()) return s;
  }
  if (!server.health_address.empty()) {
    if (auto s = ValidateListenAddress("--health-address", server.health_address); !s.ok()) return s;
  }
  // gRPC's sync server needs a few threads of its own besides the handlers.
  if (auto s = RequireAtLeast("--max-threads", server.max_threads, 4); !s.ok()) return s;
  if (auto s = RequireAtLeast("--max-concurrent-calls", server.max_concurrent_calls, 0); !s.ok()) return s;
  if (auto s = RequireAtLeast("--max-receive-message-bytes", server.max_receive_message_bytes, 1024); !s.ok()) return s;
  if (auto s = RequireAtLeast("--max-send-message-bytes", server.max_send_message_bytes, 1024); !s.ok()) return s;
  if (auto s = RequireAtLeast("--drain-delay-ms", server.drain_delay.count(), 0); !s.ok()) return s;
  if (auto s = RequireAtLeast("--shutdown-grace-ms", server.shutdown_grace.count(), 0); !s.ok()) return s;
  if (auto s = RequireAtLeast("--health-check-interval-ms", server.health_check_interval.count(), 10); !s.ok()) return s;
  if (server.caller_rate_per_second < 0) return OptionError("--caller-rate-per-second", "must be 0 (off) or more");
  if (auto s = RequireAtLeast("--caller-burst", server.caller_burst, 1); !s.ok()) return s;
  if (auto s = RequireAtLeast("--memory-quota-bytes", server.memory_quota_bytes, 16LL * 1024 * 1024); !s.ok()) return s;

  if (auto s = ValidateTls(config); !s.ok()) return s;

  const AuthConfig& auth = config.auth;
  std::error_code ec;
  if (!auth.jwks_file.empty() && !auth.public_key_file.empty())
    return OptionError("--auth-jwks-file", "cannot be combined with --auth-public-key-file");
  if (!auth.jwks_file.empty()) {
    if (!std::filesystem::is_regular_file(auth.jwks_file, ec))
      return OptionError("--auth-jwks-file", absl::StrCat("names no readable file: ", auth.jwks_file));
  } else {
    if (auth.public_key_file.empty())
      return OptionError("--auth-jwks-file",
                         "or --auth-public-key-file (GRASSROOTS_AUTH_PUBLIC_KEY_FILE) is required (the keys verifying "
                         "tokens)");
    if (!std::filesystem::is_regular_file(auth.public_key_file, ec))
      return OptionError("--auth-public-key-file", absl::StrCat("names no readable file: ", auth.public_key_file));
  }
  if (auth.issuer.empty()) return OptionError("--auth-issuer", "must not be empty");
  if (auth.audience.empty()) return OptionError("--auth-audience", "must not be empty");
  if (auth.leeway_seconds < 0 || auth.leeway_seconds > 300)
    return OptionError("--auth-leeway-seconds", absl::StrCat("must be in 0..300, got ", auth.leeway_seconds));
  if (auto s = RequireAtLeast("--auth-max-token-lifetime-seconds", auth.max_token_lifetime_seconds, 60); !s.ok())
    return s;
  if (auto s = RequireAtLeast("--auth-max-service-token-lifetime-seconds", auth.max_service_token_lifetime_seconds, 60);
      !s.ok())
    return s;

  if (config.rules_file.empty()) config.rules_file = GRASSROOTS_DEFAULT_RULES_FILE;
  if (!std::filesystem::is_regular_file(config.rules_file, ec))
    return OptionError("--rules-file", absl::StrCat("names no readable file: ", config.rules_file));

  if (!config.page_token_secret.empty() && !config.page_token_secret_file.empty())
    return OptionError("--page-token-secret-file", "cannot be combined with --page-token-secret");
  if (!config.page_token_secret_file.empty()) {
    auto secret = ReadSecretFile("--page-token-secret-file", config.page_token_secret_file);
    if (!secret.ok()) return secret.status();
    config.page_token_secret = *std::move(secret);
  }
  if (config.page_token_secret.empty())
    return OptionError("--page-token-secret", "is required (or --page-token-secret-file)");
  // HMAC keys shorter than this are guessable; 16 bytes is the floor, 32 random bytes recommended.
  if (config.page_token_secret.size() < 16)
    return OptionError("--page-token-secret", "must be at least 16 bytes long");

  static const std::set<std::string, std::less<>> kLevels = {"debug", "info", "warn", "error"};
  config.log_level = absl::AsciiStrToLower(config.log_level);
  if (kLevels.count(config.log_level) == 0)
    return OptionError("--log-level", absl::StrCat("must be one of debug, info, warn, error; got \"",
                                                   config.log_level, "\""));
  return absl::OkStatus();
}

}  // namespace

void AddServiceOptions(CLI::App& app, ServiceConfig& config, int default_grpc_port, int default_metrics_port) {
  config.server.grpc_address = absl::StrCat("0.0.0.0:", default_grpc_port);
  config.server.metrics_address = absl::StrCat("0.0.0.0:", default_metrics_port);

  DbConfig& db = config.db;
  AddOption(app, "--db-host", db.host, "MariaDB host");
  AddOption(app, "--db-port", db.port, "MariaDB port");
  AddOption(app, "--db-user", db.user, "MariaDB user");
  // The password's default is never shown in --help.
  app.add_option("--db-password", db.password, "MariaDB password (prefer --db-password-file)")
      ->envname(EnvNameFor("--db-password"));
  AddOption(app, "--db-password-file", db.password_file, "file holding the MariaDB password");
  AddOption(app, "--db-database", db.database, "schema of this service (required)");
  AddOption(app, "--db-socket", db.socket, "unix socket path instead of TCP");
  AddOption(app, "--db-pool-size", db.pool_size, "connections in the pool");
  AddMillisOption(app, "--db-acquire-timeout-ms", db.acquire_timeout, "max wait for a pooled connection");
  AddMillisOption(app, "--db-startup-wait-ms", db.startup_wait, "how long start-up waits for an unreachable database");
  AddOption(app, "--db-connect-timeout-seconds", db.connect_timeout_seconds, "connect timeout");
  AddOption(app, "--db-read-timeout-seconds", db.read_timeout_seconds, "read timeout");
  AddOption(app, "--db-write-timeout-seconds", db.write_timeout_seconds, "write timeout");
  AddOption(app, "--db-statement-timeout-seconds", db.statement_timeout_seconds,
            "the server aborts statements running longer (0: no limit)");
  AddOption(app, "--db-tls", db.tls, "require TLS to MariaDB (true/false)");
  AddOption(app, "--db-tls-ca-file", db.tls_ca_file, "CA verifying MariaDB's certificate and host name (PEM)");
  AddOption(app, "--db-tls-cert-file", db.tls_cert_file, "client certificate presented to MariaDB (PEM)");
  AddOption(app, "--db-tls-key-file", db.tls_key_file, "key of --db-tls-cert-file (PEM)");

  ServerConfig& server = config.server;
  AddOption(app, "--grpc-address", server.grpc_address, "gRPC listen address host:port");
  AddOption(app, "--metrics-address", server.metrics_address, "Prometheus /metrics address (empty: off)");
  AddOption(app, "--max-threads", server.max_threads, "cap on gRPC server threads");
  AddOption(app, "--max-concurrent-calls", server.max_concurrent_calls,
            "unary calls handled at once; one more is refused RESOURCE_EXHAUSTED (0: only --max-threads bounds them)");
  AddOption(app, "--max-receive-message-bytes", server.max_receive_message_bytes, "largest request");
  AddOption(app, "--max-send-message-bytes", server.max_send_message_bytes, "largest response");
  AddMillisOption(app, "--drain-delay-ms", server.drain_delay, "NOT_SERVING period before shutdown");
  AddMillisOption(app, "--shutdown-grace-ms", server.shutdown_grace, "time in-flight calls get at shutdown");
  AddMillisOption(app, "--health-check-interval-ms", server.health_check_interval, "readiness probe period");
  AddOption(app, "--reflection", server.reflection, "serve gRPC reflection (true/false)");
  server.caller_rate_per_second = kDefaultCallerRatePerSecond;
  AddOption(app, "--caller-rate-per-second", server.caller_rate_per_second,
            "calls per second one caller may make (0: no limit; services are not limited)");
  AddOption(app, "--caller-burst", server.caller_burst, "calls one caller may make at once above its rate");
  AddOption(app, "--memory-quota-bytes", server.memory_quota_bytes, "memory gRPC may hold for calls in flight");
  AddOption(app, "--tls-cert-file", server.tls.cert_file,
            "certificate chain served on the gRPC port (PEM; empty: plaintext)");
  AddOption(app, "--tls-key-file", server.tls.key_file, "key of --tls-cert-file (PEM)");
  AddOption(app, "--tls-client-ca-file", server.tls.ca_file,
            "require client certificates issued by these roots (mutual TLS; PEM)");
  AddOption(app, "--tls-reload-seconds", server.tls.reload_interval_seconds,
            "how often certificate files are checked for a renewal");
  AddOption(app, "--metrics-tls", server.metrics_tls, "serve /metrics over HTTPS when TLS is on (true/false)");
  AddOption(app, "--health-address", server.health_address,
            "plaintext host:port serving health checks only, for probes without TLS (empty: none)");
  AddOption(app, "--peer-tls-ca-file", config.peer_tls.ca_file,
            "roots verifying the other services' certificates; set: calls to them use TLS (PEM)");

  AuthConfig& auth = config.auth;
  AddOption(app, "--auth-jwks-file", auth.jwks_file,
            "JWKS (RFC 7517) verifying RS256/ES256 tokens by kid; re-read when it changes");
  AddOption(app, "--auth-public-key-file", auth.public_key_file,
            "one PEM public key verifying tokens (instead of --auth-jwks-file)");
  AddOption(app, "--auth-issuer", auth.issuer, "expected token issuer (iss)");
  AddOption(app, "--auth-audience", auth.audience, "expected token audience (aud)");
  AddOption(app, "--auth-leeway-seconds", auth.leeway_seconds, "clock skew allowed on exp/nbf");
  AddOption(app, "--auth-max-token-lifetime-seconds", auth.max_token_lifetime_seconds,
            "longest exp - iat accepted from people's tokens");
  AddOption(app, "--auth-max-service-token-lifetime-seconds", auth.max_service_token_lifetime_seconds,
            "longest exp - iat accepted from tokens with the service role");

  AddOption(app, "--rules-file", config.rules_file, "versioned rules JSON")->default_str(GRASSROOTS_DEFAULT_RULES_FILE);
  app.add_option("--page-token-secret", config.page_token_secret, "HMAC key for page tokens")
      ->envname(EnvNameFor("--page-token-secret"));
  AddOption(app, "--page-token-secret-file", config.page_token_secret_file, "file holding the page token key");
  AddOption(app, "--log-level", config.log_level, "debug, info, warn or error");
}

void ServiceOptions::AddString(const std::string& flag, std::string& target, const std::string& help,
                               bool required) {
  AddOption(app_, flag, target, required ? help + " (required)" : help);
  if (required) {
    checks_.push_back([flag, &target] {
      return target.empty() ? OptionError(flag, "is required") : absl::OkStatus();
    });
  }
}

void ServiceOptions::AddInt(const std::string& flag, int& target, const std::string& help, int minimum,
                            int maximum) {
  AddOption(app_, flag, target, help);
  checks_.push_back([flag, &target, minimum, maximum] {
    if (target < minimum || target > maximum)
      return OptionError(flag, absl::StrCat("must be in ", minimum, "..", maximum, ", got ", target));
    return absl::OkStatus();
  });
}

void ServiceOptions::AddMillis(const std::string& flag, std::chrono::milliseconds& target, const std::string& help,
                               int64_t minimum_ms) {
  AddMillisOption(app_, flag, target, help);
  checks_.push_back([flag, &target, minimum_ms] { return RequireAtLeast(flag, target.count(), minimum_ms); });
}

void ServiceOptions::AddFile(const std::string& flag, std::string& target, const std::string& help, bool required) {
  AddOption(app_, flag, target, required ? help + " (required)" : help);
  checks_.push_back([flag, &target, required] {
    if (target.empty()) return required ? OptionError(flag, "is required") : absl::OkStatus();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(target, ec))
      return OptionError(flag, absl::StrCat("names no readable file: ", target));
    return absl::OkStatus();
  });
}

void ServiceOptions::AddSecret(const std::string& value_flag, const std::string& file_flag, std::string& target,
                               const std::string& help, bool required, size_t min_bytes) {
  // The inline value's default is never shown in --help.
  app_.add_option(value_flag, target, help + " (prefer " + file_flag + ")")->envname(EnvNameFor(value_flag));
  std::string& path = file_paths_.emplace_back();
  AddOption(app_, file_flag, path, "file holding " + help);
  checks_.push_back([value_flag, file_flag, &target, &path, required, min_bytes]() -> absl::Status {
    if (!target.empty() && !path.empty())
      return OptionError(file_flag, absl::StrCat("cannot be combined with ", value_flag));
    if (!path.empty()) {
      absl::StatusOr<std::string> secret = ReadSecretFile(file_flag, path);
      if (!secret.ok()) return secret.status();
      target = *std::move(secret);
      if (target.empty()) return OptionError(file_flag, "names an empty file");
    }
    if (target.empty()) {
      return required ? OptionError(value_flag, absl::StrCat("is required (or ", file_flag, ")")) : absl::OkStatus();
    }
    if (target.size() < min_bytes)
      return OptionError(value_flag, absl::StrCat("must be at least ", min_bytes, " bytes long"));
    return absl::OkStatus();
  });
}

void ServiceOptions::AddCheck(std::function<absl::Status()> check) { checks_.push_back(std::move(check)); }

absl::Status ServiceOptions::Validate() const {
  for (const auto& check : checks_) {
    if (absl::Status status = check(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void DeclareReadReplicaOptions(ServiceOptions& declare, ReadReplicaConfig& replica) {
  declare.AddString("--db-replica-host", replica.host,
                    "MariaDB replica for searches and lists (empty: every read on the primary)");
  declare.AddInt("--db-replica-port", replica.port, "port of --db-replica-host", 1, 65535);
  // Above a second a fallback read would cost more than reading the primary saves.
  declare.AddMillis("--db-replica-wait-ms", replica.wait,
                    "how long a read waits for the replica to reach the caller's writes before using the primary", 0);
  declare.AddCheck([&replica] {
    return replica.wait.count() > 1000 ? OptionError("--db-replica-wait-ms", "must be at most 1000") : absl::OkStatus();
  });
  declare.AddMillis("--db-replica-retry-ms", replica.retry_after,
                    "after a replica failure, how long reads go straight to the primary", 0);
}

std::string ServiceAudience(std::string_view service_name) {
  return absl::StrCat("grassroots.", ToAbsl(service_name));
}

absl::StatusOr<ServiceConfig> LoadServiceConfig(std::string_view service_name, int argc, char** argv,
                                                int default_grpc_port, int default_metrics_port,
                                                const ServiceOptionsHook& add_service_options) {
  ServiceConfig config;
  // Each service accepts only tokens naming it, so a token meant for one is not replayable against another.
  config.auth.audience = ServiceAudience(service_name);
  CLI::App app(absl::StrCat("grassroots ", ToAbsl(service_name), " service"), std::string(service_name));
  AddServiceOptions(app, config, default_grpc_port, default_metrics_port);
  ServiceOptions service_options(app);
  if (add_service_options) add_service_options(service_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    absl::Status help(absl::StatusCode::kCancelled, app.help());
    help.SetPayload(kHelpPayload, absl::Cord("1"));
    return help;
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(e.what());
  }
  if (absl::Status status = Validate(config); !status.ok()) return status;
  if (absl::Status status = service_options.Validate(); !status.ok()) return status;
  return config;
}

bool IsHelpRequest(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled && status.GetPayload(kHelpPayload).has_value();
}

}  // namespace grassroots::common
