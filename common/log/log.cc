#include "common/log/log.h"

#include <atomic>
#include <cstdio>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace grassroots::common::log {
namespace {

// Serializes whole lines on stderr so concurrent calls never interleave.
ABSL_CONST_INIT absl::Mutex g_write_mutex(absl::kConstInit);

struct Settings {
  absl::Mutex mutex;
  std::string service ABSL_GUARDED_BY(mutex) = "unknown";
};
Settings& GlobalSettings() {
  static Settings settings;
  return settings;
}
std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

thread_local std::string t_request_id;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void Init(std::string_view service_name, Level min_level) {
  Settings& settings = GlobalSettings();
  absl::MutexLock lock(&settings.mutex);
  settings.service = std::string(service_name);
  g_min_level.store(static_cast<int>(min_level));
}

Level ParseLevel(std::string_view text) {
  std::string lower(text);
  absl::AsciiStrToLower(&lower);
  if (lower == "debug") return Level::kDebug;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  return Level::kInfo;
}

void Write(Level level, std::string_view message, const nlohmann::json& fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  {
    Settings& settings = GlobalSettings();
    absl::MutexLock lock(&settings.mutex);
    line["service"] = settings.service;
  }
  line["msg"] = message;
  if (!t_request_id.empty()) line["request_id"] = t_request_id;
  if (!fields.is_null() && !(fields.is_object() && fields.empty())) line["fields"] = fields;
  // Invalid UTF-8 in a message must not throw out of a log call; replace it instead.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  absl::MutexLock lock(&g_write_mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

RequestIdScope::RequestIdScope(std::string request_id) : previous_(std::move(t_request_id)) {
  t_request_id = std::move(request_id);
}
RequestIdScope::~RequestIdScope() { t_request_id = std::move(previous_); }

const std::string& CurrentRequestId() { return t_request_id; }

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return absl::StrFormat("%016x%016x", generator(), generator());
}

}  // namespace grassroots::common::log
