// The process figures: /proc/<pid>/stat parsed by field position (a command
// name with spaces and parentheses included), and this process's families.
#include "common/metrics/process_metrics.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <string>

namespace grassroots::common::metrics {
namespace {

TEST(ProcessMetricsTest, ParsesStatByFieldCountedFromTheLastParenthesis) {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
  const std::string line =
      "4242 (grassroots (org) x) S 1 4242 4242 0 -1 4194560 900 0 3 0 "
      "250 75 0 0 20 0 9 0 123456 987654321 4321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  const std::optional<ProcStat> stat = ParseProcStat(line);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->user_ticks, 250);
  EXPECT_EQ(stat->system_ticks, 75);
  EXPECT_EQ(stat->start_ticks, 123456);
  EXPECT_EQ(stat->virtual_bytes, 987654321);
  EXPECT_EQ(stat->resident_pages, 4321);
}

TEST(ProcessMetricsTest, RefusesWhatIsNotAStatLine) {
  EXPECT_FALSE(ParseProcStat("").has_value());
  EXPECT_FALSE(ParseProcStat("4242 no parenthesis 1 2 3").has_value());
  EXPECT_FALSE(ParseProcStat("4242 (short) S 1 2").has_value());
}

TEST(ProcessMetricsTest, ThisProcessHasItsFamilies) {
  // A fresh test process may not have used one clock tick yet: spend a few.
  const std::clock_t until = std::clock() + CLOCKS_PER_SEC / 20;
  volatile uint64_t spin = 0;
  while (std::clock() < until) spin = spin + 1;
  std::map<std::string, double> values;
  for (const prometheus::MetricFamily& family : ProcessMetricFamilies()) {
    ASSERT_EQ(family.metric.size(), 1u) << family.name;
    values[family.name] = family.type == prometheus::MetricType::Counter ? family.metric[0].counter.value
                                                                          : family.metric[0].gauge.value;
  }
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                           "process_open_fds", "process_start_time_seconds"}) {
    ASSERT_TRUE(values.count(name)) << name;
    EXPECT_GT(values[name], 0) << name;
  }
  EXPECT_GE(values["process_virtual_memory_bytes"], values["process_resident_memory_bytes"]);
  EXPECT_GT(values["process_start_time_seconds"], 1.6e9) << "seconds since the epoch, not since boot";
}

}  // namespace
}  // namespace grassroots::common::metrics
