#pragma once
// JSON-lines logging to stderr. Each line carries ts, level, msg, the service
// name and the current request id (set per RPC by the request scope). Never
// pass personal data (names, citizen IDs, religion, ethnicity) as a field.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace grassroots::common::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void Init(std::string_view service_name, Level min_level);
Level ParseLevel(std::string_view text);  // unknown text -> kInfo

void Write(Level level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
inline void Debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kError, m, f); }

// Sets the request id that log lines on this thread carry, for the scope's lifetime.
class RequestIdScope {
 public:
  explicit RequestIdScope(std::string request_id);
  ~RequestIdScope();
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;
 private:
  std::string previous_;
};
const std::string& CurrentRequestId();
std::string NewRequestId();  // random 128-bit hex

}  // namespace grassroots::common::log
