#include "common/server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace grassroots::common {

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit) {
  // A bucket must hold at least one call, or nobody could ever pass.
  limit_.burst = std::max(1.0, limit_.burst);
  limit_.max_callers = std::max<size_t>(1, limit_.max_callers);
}

void RateLimiter::Refill(Bucket& bucket, Clock::time_point now) const {
  if (now <= bucket.updated) return;
  const double elapsed_seconds = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed_seconds * limit_.rate_per_second);
  bucket.updated = now;
}

bool RateLimiter::ForgetIdleCallers(Clock::time_point now) {
  const size_t before = buckets_.size();
  absl::erase_if(buckets_, [&](auto& entry) {
    Refill(entry.second, now);
    return entry.second.tokens >= limit_.burst;
  });
  return buckets_.size() < before;
}

std::chrono::milliseconds RateLimiter::Acquire(std::string_view key, Clock::time_point now) {
  using std::chrono::milliseconds;
  if (!enabled()) return milliseconds(0);
  absl::MutexLock lock(&mutex_);
  auto found = buckets_.find(absl::string_view(key.data(), key.size()));
  if (found == buckets_.end()) {
    if (buckets_.size() >= limit_.max_callers && !ForgetIdleCallers(now)) {
      // Every tracked caller is active: a newcomer waits for one to go idle.
      return milliseconds(static_cast<int64_t>(std::ceil(1000.0 / limit_.rate_per_second)));
    }
    found = buckets_.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  Bucket& bucket = found->second;
  Refill(bucket, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return milliseconds(0);
  }
  const double wait_seconds = (1.0 - bucket.tokens) / limit_.rate_per_second;
  return milliseconds(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_seconds * 1000.0))));
}

size_t RateLimiter::tracked_callers() const {
  absl::MutexLock lock(&mutex_);
  return buckets_.size();
}

}  // namespace grassroots::common
