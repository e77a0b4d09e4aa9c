#include "services/orgtree/service_token.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

namespace grassroots::orgtree {

struct ServiceToken::State {
  std::string path;
  absl::Mutex mutex;
  std::optional<std::filesystem::file_time_type> loaded_mtime ABSL_GUARDED_BY(mutex);
  std::string token ABSL_GUARDED_BY(mutex);
};

ServiceToken::ServiceToken(std::string path) : state_(std::make_shared<State>()) { state_->path = std::move(path); }

absl::StatusOr<std::string> ServiceToken::Get() {
  std::error_code ec;
  // last_write_time follows symlinks: a Kubernetes secret rotated by swapping
  // its ..data link shows up as a new mtime.
  const std::filesystem::file_time_type mtime = std::filesystem::last_write_time(state_->path, ec);
  absl::MutexLock lock(&state_->mutex);
  if (ec) {
    // Keep serving the token already read: a rotation briefly removes the file.
    if (!state_->token.empty()) return state_->token;
    common::log::Error("service token file cannot be read", {{"path", state_->path}, {"error", ec.message()}});
    return absl::UnavailableError("this service's credentials for other services cannot be read");
  }
  if (state_->loaded_mtime == mtime && !state_->token.empty()) return state_->token;

  std::ifstream in(state_->path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(content.str()));
  if (!in || token.empty()) {
    if (!state_->token.empty()) return state_->token;
    common::log::Error("service token file is unreadable or empty", {{"path", state_->path}});
    return absl::UnavailableError("this service's credentials for other services cannot be read");
  }
  if (state_->loaded_mtime.has_value()) common::log::Info("service token reloaded", {{"path", state_->path}});
  state_->token = std::move(token);
  state_->loaded_mtime = mtime;
  return state_->token;
}
}  // namespace grassroots::orgtree
