#include "common/feed/reconnect_backoff.h"

#include <algorithm>
#include <cstdint>

namespace grassroots::common::feed {

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      current_(initial_) {}

std::chrono::milliseconds ReconnectBackoff::Next(double unit_random) {
  const double unit = std::clamp(unit_random, 0.0, 1.0);
  const auto delay = current_;
  current_ = std::min(max_, current_ * 2);
  const auto half = delay / 2;
  return half + std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>((delay - half).count()) * unit));
}

void ReconnectBackoff::Reset() { current_ = initial_; }

}  // namespace grassroots::common::feed
