#pragma once
// The process's own figures, in the names every Prometheus client library
// uses, so dashboards and alerts written for them work here too:
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. Read from /proc at each scrape (Linux only);
// a figure that cannot be read is left out rather than reported as 0.
#include <optional>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

namespace grassroots::common::metrics {

// The fields of /proc/<pid>/stat the families need.
struct ProcStat {
  double user_ticks = 0;
  double system_ticks = 0;
  double start_ticks = 0;  // since boot
  double virtual_bytes = 0;
  double resident_pages = 0;
};
// Parses /proc/<pid>/stat text; nullopt when it is not such a line. The
// command name (field 2) may hold spaces and parentheses: fields are counted
// from the last ')'.
std::optional<ProcStat> ParseProcStat(std::string_view text);

// The families for this process, now.
std::vector<prometheus::MetricFamily> ProcessMetricFamilies();

}  // namespace grassroots::common::metrics
