#pragma once
// What the system tests share: running a service binary as a subprocess,
// waiting for it (health, exit), and a MariaDB server of the test's own
// (scripts/mariadb.sh), so outages never touch the shared test database.
// Every wait is a poll against a deadline; nothing sleeps blindly.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace grassroots::system_test {

// Health/Check answers (grpc.health.v1.HealthCheckResponse.ServingStatus).
inline constexpr int kServing = 1;
inline constexpr int kNotServing = 2;

std::string ReadFile(const std::filesystem::path& path);

// A port the OS considers free right now (bind to 0, read it back, release it).
int PickFreePort();

// Forks and execs argv with stdout/stderr appended to the given files. The
// child dies with this test process (PR_SET_PDEATHSIG), so a crashed test
// leaves no service behind. Returns the pid, or -1.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& stdout_path, const std::string& stderr_path);

// This process's environment without GRASSROOTS_* (only what a test sets may configure a service).
std::vector<std::string> InheritedEnvironment();

// Sends `signal` to a child the test started. Refuses a pid that is not one
// (<= 0): kill(-1) signals every process the caller may signal, and tests run
// as root in CI, where that would take down the shared test database too.
bool SignalChild(pid_t pid, int signal);

// Waits up to `timeout` for pid to exit; the raw wait status, or nullopt on timeout.
std::optional<int> WaitForExit(pid_t pid, std::chrono::milliseconds timeout);

std::string DescribeWaitStatus(int status);

// Polls `check` every `period` until it returns true or `timeout` passes.
bool PollUntil(std::chrono::milliseconds timeout, std::chrono::milliseconds period,
               const std::function<bool()>& check);

// grpc.health.v1.Health/Check for `service` ("" = the server); the ServingStatus.
absl::StatusOr<int> HealthCheck(const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");

// Polls Health/Check of the process `*pid` until it reports `wanted`. An error
// says why not: the process exited (*pid is then -1), or the last answer when
// `timeout` passed.
absl::Status WaitForHealthStatus(pid_t* pid, const std::shared_ptr<grpc::Channel>& channel, int wanted,
                                 std::chrono::milliseconds timeout);

// Runs a bash script with args, its output in `log`, for at most `timeout` (a
// backstop: the scripts bound their own waits); returns its exit code (-1 if it
// could not run or was killed) and that output in *output.
int RunScript(const std::string& script, const std::filesystem::path& log, const std::vector<std::string>& args,
              std::chrono::milliseconds timeout, std::string* output);

// Runs scripts/mariadb.sh with args, its output in `log`; returns its exit code
// (-1 if it could not run) and that output in *output.
int RunMariadbScript(const std::filesystem::path& log, const std::vector<std::string>& args, std::string* output);

// The test's own MariaDB as root on 127.0.0.1:port, one connection, with
// `database` selected ("" for none).
common::DbConfig RootDbConfig(int port, const std::string& database);
// Creates the databases (utf8mb4) the services migrate: they never create one.
absl::Status CreateDatabases(int port, const std::vector<std::string>& names);
// A scalar query on `database` through a connection of the test's own (0 for no row).
absl::StatusOr<int64_t> QueryInt(int port, const std::string& database, const std::string& sql_text);

// One service binary a test runs.
struct ServiceProcess {
  pid_t pid = -1;
  int grpc_port = 0;
  int metrics_port = 0;
  std::filesystem::path stderr_path;
  std::shared_ptr<grpc::Channel> channel;
};

// Writes the secret files the services read into `dir`: page_token_secret,
// citizen_id_key and a sensitive_keyring of one current key. `label` keeps
// one test's secrets apart from another's.
void WriteServiceSecrets(const std::filesystem::path& dir, const std::string& label);

// What every service is given against a test's MariaDB (root, no password),
// with the test signing keys, the secrets WriteServiceSecrets wrote in
// `secrets_dir` and the repository's rules file.
struct ServiceBase {
  int db_port = 0;
  std::string database;
  std::filesystem::path secrets_dir;
  int pool_size = 4;
  std::chrono::milliseconds drain_delay{500};
  std::chrono::milliseconds shutdown_grace{2000};
  // Off where a test's client threads, one token subject, are the load itself.
  bool limit_caller_rate = true;
};

// The settings ServiceBase describes, for `process`'s gRPC port and a metrics
// port picked now (into process->metrics_port); a test appends its service's own.
std::vector<std::string> ServiceSettings(const ServiceBase& base, ServiceProcess* process);

// What membership adds: the org it follows, its signing, lookup and
// encryption keys, the calendar and the code lists.
std::vector<std::string> MembershipOwnSettings(const std::filesystem::path& secrets_dir, int org_grpc_port,
                                               std::chrono::milliseconds org_call_deadline);

// Spawns `binary` with InheritedEnvironment() and `settings`, its output in
// work_dir/<name>.stdout and .stderr, and opens a channel to its gRPC port.
absl::Status StartService(const std::string& binary, const std::string& name, const std::filesystem::path& work_dir,
                          const std::vector<std::string>& settings, ServiceProcess* process);

// Kills (SIGKILL) and reaps the process if it runs; with `report`, writes the
// last `tail_bytes` of its stderr to std::cerr (a failed test's evidence).
void KillService(ServiceProcess* process, bool report, size_t tail_bytes = 6000);

// The last `bytes` of `text` (all of it when shorter).
std::string Tail(const std::string& text, size_t bytes);

// Starts a MariaDB server of the test's own in `dir` (scripts/mariadb.sh, its
// output in `log`); the port it listens on.
absl::StatusOr<int> StartOwnMariadb(const std::filesystem::path& dir, const std::filesystem::path& log);
// Stops it and removes its data.
absl::Status StopOwnMariadb(const std::filesystem::path& dir, const std::filesystem::path& log);

// GET http://127.0.0.1:<port><path> over a plain socket (HTTP/1.0, so the
// server closes the connection and no chunked encoding is involved): the body
// of a 200 reply, else an error naming the status line or the failure.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

}  // namespace grassroots::system_test
