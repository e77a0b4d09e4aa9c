#pragma once
// What every benchmark shares: closed-loop cases on N client threads, raw
// Connector/C++ connections for the baselines, and the report (a table on
// the terminal and one JSON record per case for bench-results.json).
#include <cppconn/connection.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace grpc { class Channel; }

namespace grassroots::bench {

using Clock = std::chrono::steady_clock;

struct CaseResult {
  std::string name;
  int threads = 0;
  int64_t requests = 0;
  int64_t errors = 0;
  std::string first_error;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double qps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// A call returns "" on success, else what went wrong.
using Call = std::function<std::string(std::mt19937_64&)>;

// Closed loop on `threads` threads for `seconds` after a 0.5 s warm-up;
// setup(thread) builds the thread's call (its own channel or connection).
CaseResult RunCase(const std::string& name, int threads, double seconds, const std::function<Call(int)>& setup);

// Latencies (ms) -> result figures, for cases measured another way.
void SetPercentiles(std::vector<double> latencies_ms, CaseResult& result);

// One unary method called at a fixed rate whatever the server's pace (open
// loop): how a service behaves when offered more than it can serve. Calls
// carry a deadline; what comes back is sorted by status.
struct OpenLoopSpec {
  std::string name;
  std::vector<std::shared_ptr<grpc::Channel>> channels;  // calls spread over them in turn
  std::string method;                                     // "/package.Service/Method"
  std::vector<std::string> requests;                      // serialized; one picked at random per call
  std::vector<std::pair<std::string, std::string>> metadata;
  double rate_per_second = 1000;
  double seconds = 5;
  std::chrono::milliseconds deadline{1000};
  int64_t max_outstanding = 20000;  // the client's own bound: beyond it a call is not sent
};

struct OpenLoopResult {
  std::string name;
  double offered_per_second = 0;
  double seconds = 0;
  int64_t sent = 0;
  int64_t ok = 0;
  int64_t refused = 0;            // RESOURCE_EXHAUSTED
  int64_t deadline_exceeded = 0;
  int64_t other_errors = 0;
  int64_t not_sent = 0;           // the client's bound was reached
  std::string first_other_error;
  double ok_p50_ms = 0, ok_p99_ms = 0;
  double refused_p50_ms = 0, refused_p99_ms = 0;
  double goodput() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

OpenLoopResult RunOpenLoop(const OpenLoopSpec& spec);

// This process's resident set and its peak so far, in MiB (from /proc/self/status).
struct MemoryUse {
  double rss_mib = 0;
  double peak_rss_mib = 0;
};
MemoryUse CurrentMemoryUse();

std::vector<int> ParseThreads(const std::string& text);

struct RawServer {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user = "root";
  std::string password;
};
std::unique_ptr<sql::Connection> ConnectRaw(const RawServer& server, const std::string& schema);

// The cases of one benchmark run and how they pair up.
class BenchReport {
 public:
  explicit BenchReport(std::string bench) : bench_(std::move(bench)) {}
  void Add(CaseResult result) { results_.push_back(std::move(result)); }
  // service_case / raw_case at each thread count both ran with.
  void Pair(std::string service_case, std::string raw_case, std::string note = {});
  // A figure measured on its own (rows/s, lag), with its raw floor when it has one (0: none).
  void AddFigure(std::string name, std::string unit, double service, double raw, double p50_ms = 0, double p99_ms = 0);
  // The table, then the ratios.
  void Print(std::ostream& out) const;
  // Appends one JSON object per line to `path` (scripts/bench.sh joins them
  // into bench-results.json): bench, name, threads, unit, service, raw, ratio,
  // p50_ms, p99_ms, raw_p50_ms, raw_p99_ms.
  absl::Status AppendJsonLines(const std::string& path) const;
  int64_t errors() const;

 private:
  struct PairSpec {
    std::string service_case, raw_case, note;
  };
  struct Figure {
    std::string name, unit;
    double service, raw, p50_ms, p99_ms;
  };
  const CaseResult* Find(const std::string& name, int threads) const;
  std::string bench_;
  std::vector<CaseResult> results_;
  std::vector<PairSpec> pairs_;
  std::vector<Figure> figures_;
};

}  // namespace grassroots::bench
