#pragma once
// Typed configuration from flags and environment variables (flag wins). Every
// option has an env var GRASSROOTS_<NAME>; a wrong or missing value stops
// start-up with a message naming the option.
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace CLI { class App; }

namespace grassroots::common {

// TLS material as PEM files. The files are watched and re-read when they
// change (cert-manager renews them in place), so a rotation needs no restart.
struct TlsConfig {
  std::string cert_file;  // this process's certificate chain
  std::string key_file;   // its private key
  // A server requires clients to present a certificate issued by these roots
  // (mutual TLS); a client verifies the server against them.
  std::string ca_file;
  int reload_interval_seconds = 60;
};

struct DbConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user = "grassroots";
  std::string password;          // or read from password_file
  std::string password_file;
  std::string database;          // REQUIRED, one schema per service
  std::string socket;            // optional unix socket path
  int pool_size = 16;
  std::chrono::milliseconds acquire_timeout{2000};
  // How long start-up waits for an unreachable database before giving up.
  std::chrono::milliseconds startup_wait{120000};
  int connect_timeout_seconds = 3;
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  // The server aborts any statement running longer (max_statement_time), so a
  // runaway query frees its connection and the call ends DEADLINE_EXCEEDED;
  // below the read timeout, so the server stops it before the client gives up.
  // 0 = no limit.
  int statement_timeout_seconds = 20;
  // TLS to MariaDB: required when tls is set; the server's certificate is
  // verified (chain and host name) when tls_ca_file is set; tls_cert_file and
  // tls_key_file present a client certificate. Each new connection reads the
  // files, so a renewed certificate applies as the pool reconnects.
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

// A read replica of the service's database (common/db/read_router.h). Empty
// host: none, every read on the primary. The replica has the primary's user,
// password, schema and TLS settings.
struct ReadReplicaConfig {
  std::string host;
  int port = 3306;
  // How long a read waits for the replica to reach the writes it must see
  // before it runs on the primary instead.
  std::chrono::milliseconds wait{50};
  // After the replica failed, how long reads go straight to the primary.
  std::chrono::milliseconds retry_after{5000};
};

struct ServerConfig {
  std::string grpc_address = "0.0.0.0:50051";
  std::string metrics_address = "0.0.0.0:9464";
  int max_threads = 32;
  // Unary calls handled at once (health checks excepted); one more is refused
  // RESOURCE_EXHAUSTED at the gate, before its token is verified. Below
  // max_threads, so the gate sheds before the thread pool does and streams
  // keep threads of their own. 0: no limit but the threads.
  int max_concurrent_calls = 24;
  int max_receive_message_bytes = 4 * 1024 * 1024;
  int max_send_message_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds drain_delay{5000};
  std::chrono::milliseconds shutdown_grace{20000};
  std::chrono::milliseconds health_check_interval{2000};
  bool reflection = true;
  // Per-caller admission at the gate (common/server/rate_limiter.h): each
  // caller's calls per second and burst; a call over it is refused
  // RESOURCE_EXHAUSTED before any handler runs. 0 turns it off: the default
  // of in-process hosts; service processes take kDefaultCallerRatePerSecond
  // from their flags.
  double caller_rate_per_second = 0;
  int caller_burst = 200;
  // Memory gRPC may hold for this server's calls (buffers, messages in
  // flight); under pressure it refuses new work instead of growing the process.
  int64_t memory_quota_bytes = 512LL * 1024 * 1024;
  // TLS on the gRPC port when tls.cert_file is set; with tls.ca_file, mutual
  // TLS (a client without a certificate from those roots cannot connect).
  TlsConfig tls;
  // The metrics port serves HTTPS with the same certificate when TLS is on.
  bool metrics_tls = true;
  // A plaintext port answering grpc.health.v1 only (every other call is
  // refused): for probes that cannot speak TLS, such as the kubelet's. Empty: none.
  std::string health_address;
  // The gate every call passes before it reaches any handler: given the call's
  // "authorization" metadata value ("" when absent), it returns the caller's
  // key for the per-caller limit ("" = not limited) or refuses the call
  // UNAUTHENTICATED (ServiceHost runs it in the transport's auth step). Unset:
  // every call is refused, except the allow-list (health checks, reflection).
  // StartService sets it from the token verifier.
  std::function<absl::StatusOr<std::string>(std::string_view authorization)> authenticate;
};

struct AuthConfig {
  // Exactly one of the two is REQUIRED: a JWKS file (keys by kid, re-read when
  // it changes) or one PEM public key (RSA or EC P-256).
  std::string jwks_file;
  std::string public_key_file;
  std::string issuer = "grassroots-dev";
  std::string audience = "grassroots";  // services set their own: each accepts only tokens naming it
  int leeway_seconds = 30;
  // exp - iat may not exceed these: people's sessions, and the service role's tokens.
  int max_token_lifetime_seconds = 12 * 3600;
  int max_service_token_lifetime_seconds = 3600;
};

struct ServiceConfig {
  DbConfig db;
  ServerConfig server;
  AuthConfig auth;
  std::string rules_file;        // defaults to the repo's data/rules/rules.json
  std::string page_token_secret; // HMAC key for page tokens; REQUIRED (env or file)
  std::string page_token_secret_file;
  std::string log_level = "info";
  // How this service calls the others (feeds): TLS when ca_file is set,
  // presenting cert_file/key_file (the server's own, for mutual TLS).
  TlsConfig peer_tls;
};

// Registers every option on app (flags such as --db-host and env vars such as
// GRASSROOTS_DB_HOST). default_grpc_port / default_metrics_port set the defaults.
void AddServiceOptions(CLI::App& app, ServiceConfig& config, int default_grpc_port,
                       int default_metrics_port);

// ---- options a service declares for itself ------------------------------------
// Same naming rule and error style as the common options above.

// "--org-target" -> "GRASSROOTS_ORG_TARGET".
std::string EnvNameFor(std::string_view flag);
// INVALID_ARGUMENT naming both spellings: "--x-y (GRASSROOTS_X_Y) <problem>".
absl::Status OptionError(std::string_view flag, std::string_view problem);
// Reads a secret file; trailing newlines (from `echo` or a Kubernetes secret)
// are dropped. An unreadable file is an OptionError naming flag.
absl::StatusOr<std::string> ReadSecretFile(std::string_view flag, const std::string& path);

// Registers a service's own options on the CLI11 app that LoadServiceConfig
// parses, and checks them once parsing succeeded. The targets must outlive the
// LoadServiceConfig call (typically fields of a struct in main).
class ServiceOptions {
 public:
  explicit ServiceOptions(CLI::App& app) : app_(app) {}
  ServiceOptions(const ServiceOptions&) = delete;
  ServiceOptions& operator=(const ServiceOptions&) = delete;

  // Text; when required it must not be empty.
  void AddString(const std::string& flag, std::string& target, const std::string& help, bool required = false);
  // An integer in [minimum, maximum].
  void AddInt(const std::string& flag, int& target, const std::string& help, int minimum, int maximum);
  // A duration given in whole milliseconds, at least minimum_ms.
  void AddMillis(const std::string& flag, std::chrono::milliseconds& target, const std::string& help,
                 int64_t minimum_ms);
  // The path of a regular file that must exist at start-up (when set or required).
  void AddFile(const std::string& flag, std::string& target, const std::string& help, bool required);
  // A secret given either inline (value_flag, never echoed by --help) or, as
  // deployments should, in a file (file_flag); not both. After loading, target
  // holds the secret. min_bytes guards against guessable keys.
  void AddSecret(const std::string& value_flag, const std::string& file_flag, std::string& target,
                 const std::string& help, bool required, size_t min_bytes);
  // Any further check, run after the ones above (e.g. options that depend on one another).
  void AddCheck(std::function<absl::Status()> check);

  // Runs every check in registration order; the first failure is returned.
  absl::Status Validate() const;

 private:
  CLI::App& app_;
  std::vector<std::function<absl::Status()>> checks_;
  std::list<std::string> file_paths_;  // where --x-file values land (stable addresses)
};

// --db-replica-host, --db-replica-port, --db-replica-wait-ms and
// --db-replica-retry-ms, for a service whose reads may use a replica.
void DeclareReadReplicaOptions(ServiceOptions& declare, ReadReplicaConfig& replica);

// A service's hook for declaring its own options (see ServiceOptions).
using ServiceOptionsHook = std::function<void(ServiceOptions&)>;

// Parses argv (and the environment) into a ServiceConfig; reads password and
// secret files; returns INVALID_ARGUMENT naming the option on any bad value.
// add_service_options, when given, declares the service's own options; they are
// parsed with the common ones and checked after them.
// The audience (aud) a service accepts by default and that callers name:
// "grassroots.<service>", e.g. "grassroots.membership".
std::string ServiceAudience(std::string_view service_name);

absl::StatusOr<ServiceConfig> LoadServiceConfig(std::string_view service_name, int argc,
                                                char** argv, int default_grpc_port,
                                                int default_metrics_port,
                                                const ServiceOptionsHook& add_service_options = nullptr);

// LoadServiceConfig returns CANCELLED carrying the help text as its message when
// argv asks for --help / -h; this tells that case apart from a real error, so main
// can print the message to stdout and exit 0 (errors: print to stderr, exit 2).
bool IsHelpRequest(const absl::Status& status);

}  // namespace grassroots::common
