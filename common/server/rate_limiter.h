#pragma once
// Per-caller admission: one token bucket per caller key. A bucket refills at
// `rate_per_second` up to `burst`; a call takes one token or is refused. The
// number of buckets is capped, so a flood of distinct keys cannot grow memory:
// when the table is full, buckets that have refilled completely (their callers
// are idle, forgetting them changes nothing) are dropped first, and if none
// has, the new caller is refused until one does.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace grassroots::common {

struct RateLimit {
  double rate_per_second = 0;  // 0 turns the limiter off
  double burst = 0;
  size_t max_callers = 100'000;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit);

  bool enabled() const { return limit_.rate_per_second > 0; }

  // Takes a token from key's bucket. Returns 0 when the call may go, or else
  // how long until a token is available (at least 1 ms).
  std::chrono::milliseconds Acquire(std::string_view key, Clock::time_point now = Clock::now());

  size_t tracked_callers() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };

  void Refill(Bucket& bucket, Clock::time_point now) const;
  // Drops full buckets; true if room was made.
  bool ForgetIdleCallers(Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  RateLimit limit_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace grassroots::common
