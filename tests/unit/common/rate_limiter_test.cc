// The per-caller token bucket of the call gate, on a hand-driven clock.
#include "common/server/rate_limiter.h"

#include <gtest/gtest.h>

namespace grassroots::common {
namespace {

using std::chrono::milliseconds;
using Clock = RateLimiter::Clock;

TEST(RateLimiterTest, BurstThenTheRate) {
  RateLimiter limiter(RateLimit{.rate_per_second = 10, .burst = 3});
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("alice", t0), milliseconds(0)) << i;
  // The bucket is empty: the next token comes after 1/10 s.
  EXPECT_EQ(limiter.Acquire("alice", t0), milliseconds(100));
  EXPECT_EQ(limiter.Acquire("alice", t0 + milliseconds(40)), milliseconds(60));
  EXPECT_EQ(limiter.Acquire("alice", t0 + milliseconds(100)), milliseconds(0));
  EXPECT_GT(limiter.Acquire("alice", t0 + milliseconds(100)).count(), 0);
  // Refills up to the burst, never beyond.
  const Clock::time_point later = t0 + std::chrono::seconds(60);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("alice", later), milliseconds(0)) << i;
  EXPECT_GT(limiter.Acquire("alice", later).count(), 0);
}

TEST(RateLimiterTest, CallersHaveTheirOwnBuckets) {
  RateLimiter limiter(RateLimit{.rate_per_second = 1, .burst = 1});
  const Clock::time_point t0 = Clock::now();
  EXPECT_EQ(limiter.Acquire("alice", t0), milliseconds(0));
  EXPECT_GT(limiter.Acquire("alice", t0).count(), 0);
  EXPECT_EQ(limiter.Acquire("bob", t0), milliseconds(0));
}

TEST(RateLimiterTest, OffLetsEverythingThrough) {
  RateLimiter limiter(RateLimit{});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.Acquire("alice"), milliseconds(0));
  EXPECT_EQ(limiter.tracked_callers(), 0u);
}

TEST(RateLimiterTest, TheTableOfCallersIsBoundedAndForgetsIdleOnesFirst) {
  RateLimiter limiter(RateLimit{.rate_per_second = 1, .burst = 2, .max_callers = 3});
  const Clock::time_point t0 = Clock::now();
  for (const char* caller : {"a", "b", "c"}) {
    EXPECT_EQ(limiter.Acquire(caller, t0), milliseconds(0));
    EXPECT_EQ(limiter.Acquire(caller, t0), milliseconds(0));
  }
  // Full, and every tracked caller has spent its burst: a newcomer waits.
  EXPECT_GT(limiter.Acquire("d", t0).count(), 0);
  EXPECT_EQ(limiter.tracked_callers(), 3u);
  // Once they have refilled (idle), they are forgotten and the newcomer is admitted.
  const Clock::time_point later = t0 + std::chrono::seconds(5);
  EXPECT_EQ(limiter.Acquire("d", later), milliseconds(0));
  EXPECT_LE(limiter.tracked_callers(), 3u);
  // A forgotten caller starts again with a full bucket, as it would have had.
  EXPECT_EQ(limiter.Acquire("a", later), milliseconds(0));
  EXPECT_EQ(limiter.Acquire("a", later), milliseconds(0));
}

}  // namespace
}  // namespace grassroots::common
