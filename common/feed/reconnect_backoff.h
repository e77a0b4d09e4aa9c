#pragma once
// Capped exponential backoff for reconnecting and retrying.
#include <chrono>

namespace grassroots::common::feed {

// Each failure doubles the delay from `initial` up to `max`; the wait actually
// taken is jittered into [delay/2, delay] so that replicas do not retry in
// step. Reset() after a success.
class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
  // The wait before the next attempt. unit_random: a uniform draw in [0, 1].
  std::chrono::milliseconds Next(double unit_random);
  void Reset();

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_;
};

}  // namespace grassroots::common::feed
