#pragma once
// Typed configuration from flags and environment variables (flag wins). Every
// option has an env var GRASSROOTS_<NAME>; a wrong or missing value stops
// start-up with a message naming the option.
#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace CLI { class App; }

namespace grassroots::common {

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
};

struct ServerConfig {
  std::string grpc_address = "0.0.0.0:50051";
  std::string metrics_address = "0.0.0.0:9464";
  int max_threads = 32;
  int max_receive_message_bytes = 4 * 1024 * 1024;
  int max_send_message_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds drain_delay{5000};
  std::chrono::milliseconds shutdown_grace{20000};
  std::chrono::milliseconds health_check_interval{2000};
  bool reflection = true;
};

struct AuthConfig {
  std::string public_key_file;   // REQUIRED: PEM public key (RS256) that verifies tokens
  std::string issuer = "grassroots-dev";
  std::string audience = "grassroots";
  int leeway_seconds = 30;
};

struct ServiceConfig {
  DbConfig db;
  ServerConfig server;
  AuthConfig auth;
  std::string rules_file;        // defaults to the repo's data/rules/rules.json
  std::string page_token_secret; // HMAC key for page tokens; REQUIRED (env or file)
  std::string page_token_secret_file;
  std::string log_level = "info";
};

// Registers every option on app (flags such as --db-host and env vars such as
// GRASSROOTS_DB_HOST). default_grpc_port / default_metrics_port set the defaults.
void AddServiceOptions(CLI::App& app, ServiceConfig& config, int default_grpc_port,
                       int default_metrics_port);

// Parses argv (and the environment) into a ServiceConfig; reads password and
// secret files; returns INVALID_ARGUMENT naming the option on any bad value.
absl::StatusOr<ServiceConfig> LoadServiceConfig(std::string_view service_name, int argc,
                                                char** argv, int default_grpc_port,
                                                int default_metrics_port);

// LoadServiceConfig returns CANCELLED carrying the help text as its message when
// argv asks for --help / -h; this tells that case apart from a real error, so main
// can print the message to stdout and exit 0 (errors: print to stderr, exit 2).
bool IsHelpRequest(const absl::Status& status);

}  // namespace grassroots::common
