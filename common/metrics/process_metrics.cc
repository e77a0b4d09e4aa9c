#include "common/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace grassroots::common::metrics {
namespace {

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The boot time in seconds since the epoch (/proc/stat "btime").
std::optional<double> BootTime() {
  const std::optional<std::string> stat = ReadFile("/proc/stat");
  if (!stat) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    double seconds = 0;
    if (absl::SimpleAtod(line, &seconds)) return seconds;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // After the command: field 3 (state) onwards, space separated.
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(text.data() + close + 1, text.size() - close - 1), ' ', absl::SkipEmpty());
  // Field n of proc(5) is fields[n - 3].
  auto field = [&](size_t n, double* out) { return n - 3 < fields.size() && absl::SimpleAtod(fields[n - 3], out); };
  ProcStat stat;
  if (!field(14, &stat.user_ticks) || !field(15, &stat.system_ticks) || !field(22, &stat.start_ticks) ||
      !field(23, &stat.virtual_bytes) || !field(24, &stat.resident_pages)) {
    return std::nullopt;
  }
  return stat;
}

std::vector<prometheus::MetricFamily> ProcessMetricFamilies() {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_bytes = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (const std::optional<std::string> text = ReadFile("/proc/self/stat")) {
    if (const std::optional<ProcStat> stat = ParseProcStat(*text); stat && ticks_per_second > 0) {
      out.push_back(Family("process_cpu_seconds_total", "User and system CPU time spent in seconds",
                           MetricType::Counter, (stat->user_ticks + stat->system_ticks) / ticks_per_second));
      out.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes", MetricType::Gauge,
                           stat->resident_pages * page_bytes));
      out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes", MetricType::Gauge,
                           stat->virtual_bytes));
      if (const std::optional<double> boot = BootTime()) {
        out.push_back(Family("process_start_time_seconds", "Start time of the process since the epoch in seconds",
                             MetricType::Gauge, *boot + stat->start_ticks / ticks_per_second));
      }
    }
  }
  std::error_code error;
  double open = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++open;
  }
  if (!error) out.push_back(Family("process_open_fds", "Number of open file descriptors", MetricType::Gauge, open));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(Family("process_max_fds", "Maximum number of open file descriptors", MetricType::Gauge,
                         static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace grassroots::common::metrics
