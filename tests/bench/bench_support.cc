#include "tests/bench/bench_support.h"

#include <cppconn/driver.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <mysql_driver.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace grassroots::bench {

CaseResult RunCase(const std::string& name, int threads, double seconds, const std::function<Call(int)>& setup) {
  std::vector<std::vector<double>> latencies(static_cast<size_t>(threads));
  std::atomic<int64_t> errors{0};
  std::mutex error_mutex;
  std::string first_error;
  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Call call = setup(t);
      std::mt19937_64 random(4242 + static_cast<uint64_t>(t));
      std::vector<double>& mine = latencies[static_cast<size_t>(t)];
      mine.reserve(100000);
      ready.fetch_add(1);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto started = Clock::now();
        const std::string error = call(random);
        const auto finished = Clock::now();
        if (!measuring.load(std::memory_order_relaxed)) continue;
        if (!error.empty()) {
          errors.fetch_add(1);
          std::lock_guard<std::mutex> lock(error_mutex);
          if (first_error.empty()) first_error = error;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(finished - started).count());
      }
    });
  }
  while (ready.load() < threads) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  measuring.store(true);
  const auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  measuring.store(false);
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  stop.store(true);
  for (std::thread& worker : workers) worker.join();

  std::vector<double> all;
  for (const auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  CaseResult result;
  result.name = name;
  result.threads = threads;
  result.errors = errors.load();
  result.first_error = first_error;
  result.seconds = elapsed;
  SetPercentiles(std::move(all), result);
  return result;
}

OpenLoopResult RunOpenLoop(const OpenLoopSpec& spec) {
  struct PendingCall {
    grpc::ClientContext context;
    grpc::ByteBuffer reply;
    grpc::Status status;
    Clock::time_point started;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  };
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (const auto& channel : spec.channels) stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  std::vector<grpc::ByteBuffer> requests;
  for (const std::string& bytes : spec.requests) {
    grpc::Slice slice(bytes);
    requests.emplace_back(&slice, 1);
  }
  grpc::CompletionQueue queue;
  std::atomic<int64_t> outstanding{0};
  OpenLoopResult result;
  result.name = spec.name;
  result.offered_per_second = spec.rate_per_second;
  std::vector<double> ok_ms, refused_ms;

  // Completions are counted on their own thread so a slow server never slows the sender.
  std::thread receiver([&] {
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
      std::unique_ptr<PendingCall> call(static_cast<PendingCall*>(tag));
      outstanding.fetch_sub(1);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - call->started).count();
      switch (call->status.error_code()) {
        case grpc::StatusCode::OK:
          ++result.ok;
          ok_ms.push_back(ms);
          break;
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
          ++result.refused;
          refused_ms.push_back(ms);
          break;
        case grpc::StatusCode::DEADLINE_EXCEEDED:
          ++result.deadline_exceeded;
          break;
        default:
          if (result.other_errors++ == 0) {
            result.first_other_error = absl::StrFormat("%d %s", static_cast<int>(call->status.error_code()),
                                                       call->status.error_message());
          }
      }
    }
  });

  std::mt19937_64 random(4242);
  const auto started = Clock::now();
  const auto end = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.seconds));
  // Each millisecond, every call due by then is sent: the rate holds however the sleeps fall.
  int64_t due_sent = 0;
  for (auto now = started; now < end; now = Clock::now()) {
    const auto due = static_cast<int64_t>(std::chrono::duration<double>(now - started).count() * spec.rate_per_second);
    for (; due_sent < due; ++due_sent) {
      if (outstanding.load() >= spec.max_outstanding) {
        ++result.not_sent;
        continue;
      }
      auto call = std::make_unique<PendingCall>();
      for (const auto& [key, value] : spec.metadata) call->context.AddMetadata(key, value);
      call->started = Clock::now();
      call->context.set_deadline(std::chrono::system_clock::now() + spec.deadline);
      grpc::GenericStub& stub = *stubs[static_cast<size_t>(due_sent) % stubs.size()];
      call->reader = stub.PrepareUnaryCall(&call->context, spec.method, requests[random() % requests.size()], &queue);
      call->reader->StartCall();
      PendingCall* raw = call.release();
      raw->reader->Finish(&raw->reply, &raw->status, raw);
      outstanding.fetch_add(1);
      ++result.sent;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  // Every sent call ends by its deadline; then the queue drains and closes.
  while (outstanding.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  queue.Shutdown();
  receiver.join();

  auto percentile = [](std::vector<double>& values, double fraction) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<size_t>(static_cast<double>(values.size()) * fraction))];
  };
  result.ok_p50_ms = percentile(ok_ms, 0.5);
  result.ok_p99_ms = percentile(ok_ms, 0.99);
  result.refused_p50_ms = percentile(refused_ms, 0.5);
  result.refused_p99_ms = percentile(refused_ms, 0.99);
  return result;
}

MemoryUse CurrentMemoryUse() {
  MemoryUse use;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    auto kib = [&](std::string_view key) -> std::optional<double> {
      if (!line.starts_with(key)) return std::nullopt;
      double value = 0;
      if (!absl::SimpleAtod(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(key.size()), "kB")), &value))
        return std::nullopt;
      return value / 1024;
    };
    if (auto v = kib("VmRSS:")) use.rss_mib = *v;
    if (auto v = kib("VmHWM:")) use.peak_rss_mib = *v;
  }
  return use;
}

void SetPercentiles(std::vector<double> latencies_ms, CaseResult& result) {
  result.requests = static_cast<int64_t>(latencies_ms.size());
  if (latencies_ms.empty()) return;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  result.p50_ms = latencies_ms[latencies_ms.size() / 2];
  result.p99_ms = latencies_ms[std::min(latencies_ms.size() - 1, latencies_ms.size() * 99 / 100)];
}

std::vector<int> ParseThreads(const std::string& text) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int n = 0;
    if (absl::SimpleAtoi(part, &n) && n > 0) out.push_back(n);
  }
  return out;
}

std::unique_ptr<sql::Connection> ConnectRaw(const RawServer& server, const std::string& schema) {
  sql::ConnectOptionsMap connect;
  connect["hostName"] = server.host;
  connect["port"] = server.port;
  connect["userName"] = server.user;
  connect["password"] = server.password;
  if (!schema.empty()) connect["schema"] = schema;
  connect["OPT_CHARSET_NAME"] = std::string("utf8mb4");
  return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(connect));
}

void BenchReport::Pair(std::string service_case, std::string raw_case, std::string note) {
  pairs_.push_back(PairSpec{std::move(service_case), std::move(raw_case), std::move(note)});
}

void BenchReport::AddFigure(std::string name, std::string unit, double service, double raw, double p50_ms,
                            double p99_ms) {
  figures_.push_back(Figure{std::move(name), std::move(unit), service, raw, p50_ms, p99_ms});
}

const CaseResult* BenchReport::Find(const std::string& name, int threads) const {
  for (const CaseResult& r : results_) {
    if (r.name == name && r.threads == threads) return &r;
  }
  return nullptr;
}

int64_t BenchReport::errors() const {
  int64_t total = 0;
  for (const CaseResult& r : results_) total += r.errors;
  return total;
}

void BenchReport::Print(std::ostream& out) const {
  out << "\n"
      << absl::StrFormat("%-44s %7s %9s %9s %9s %9s %6s", "case", "threads", "requests", "per s", "p50 ms", "p99 ms",
                         "errors")
      << "\n"
      << std::string(99, '-') << "\n";
  for (const CaseResult& r : results_) {
    out << absl::StrFormat("%-44s %7d %9d %9.0f %9.3f %9.3f %6d", r.name, r.threads, r.requests, r.qps(), r.p50_ms,
                           r.p99_ms, r.errors)
        << "\n";
    if (r.errors > 0) out << "    first error: " << r.first_error << "\n";
  }
  out << "\nservice / raw (same machine, same run):\n";
  for (const PairSpec& pair : pairs_) {
    for (const CaseResult& service : results_) {
      if (service.name != pair.service_case) continue;
      const CaseResult* raw = Find(pair.raw_case, service.threads);
      if (raw == nullptr || raw->qps() == 0 || raw->p50_ms == 0) continue;
      out << absl::StrFormat("  %2d thread(s) %-40s %.3f x raw per s, p50 %.2f x raw (%+.3f ms)%s\n", service.threads,
                             service.name, service.qps() / raw->qps(), service.p50_ms / raw->p50_ms,
                             service.p50_ms - raw->p50_ms, pair.note.empty() ? "" : "  [" + pair.note + "]");
    }
  }
  for (const Figure& f : figures_) {
    out << absl::StrFormat("  %-53s %.1f %s", f.name, f.service, f.unit);
    if (f.raw > 0) out << absl::StrFormat(" vs %.1f raw: %.3f x raw", f.raw, f.service / f.raw);
    if (f.p50_ms > 0 || f.p99_ms > 0) out << absl::StrFormat(" (p50 %.2f ms, p99 %.2f ms)", f.p50_ms, f.p99_ms);
    out << "\n";
  }
}

absl::Status BenchReport::AppendJsonLines(const std::string& path) const {
  std::ofstream out(path, std::ios::app);
  if (!out) return absl::UnavailableError("cannot open " + path);
  for (const PairSpec& pair : pairs_) {
    for (const CaseResult& service : results_) {
      if (service.name != pair.service_case) continue;
      const CaseResult* raw = Find(pair.raw_case, service.threads);
      if (raw == nullptr) continue;
      nlohmann::json record = {{"bench", bench_},
                               {"name", service.name},
                               {"raw_name", raw->name},
                               {"threads", service.threads},
                               {"unit", "per_second"},
                               {"service", service.qps()},
                               {"raw", raw->qps()},
                               {"ratio", raw->qps() > 0 ? service.qps() / raw->qps() : 0.0},
                               {"p50_ms", service.p50_ms},
                               {"p99_ms", service.p99_ms},
                               {"raw_p50_ms", raw->p50_ms},
                               {"raw_p99_ms", raw->p99_ms},
                               {"errors", service.errors}};
      out << record.dump() << "\n";
    }
  }
  for (const Figure& f : figures_) {
    nlohmann::json record = {{"bench", bench_},   {"name", f.name},     {"unit", f.unit},
                             {"service", f.service}, {"raw", f.raw > 0 ? nlohmann::json(f.raw) : nlohmann::json()},
                             {"ratio", f.raw > 0 ? nlohmann::json(f.service / f.raw) : nlohmann::json()},
                             {"p50_ms", f.p50_ms}, {"p99_ms", f.p99_ms}};
    out << record.dump() << "\n";
  }
  return out ? absl::OkStatus() : absl::UnavailableError("could not write " + path);
}

}  // namespace grassroots::bench
