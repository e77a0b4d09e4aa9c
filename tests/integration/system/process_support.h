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

// GET http://127.0.0.1:<port><path> over a plain socket (HTTP/1.0, so the
// server closes the connection and no chunked encoding is involved): the body
// of a 200 reply, else an error naming the status line or the failure.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

}  // namespace grassroots::system_test
