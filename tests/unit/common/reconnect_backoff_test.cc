// The capped, jittered reconnect backoff (pure).
#include "common/feed/reconnect_backoff.h"

#include <chrono>

#include <gtest/gtest.h>

namespace grassroots::common::feed {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoffTest, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  ReconnectBackoff backoff(milliseconds(100), milliseconds(1000));
  EXPECT_EQ(backoff.Next(1.0), milliseconds(100));
  EXPECT_EQ(backoff.Next(1.0), milliseconds(200));
  EXPECT_EQ(backoff.Next(0.0), milliseconds(200));  // 400 jittered down to its half
  EXPECT_EQ(backoff.Next(1.0), milliseconds(800));
  EXPECT_EQ(backoff.Next(1.0), milliseconds(1000));  // capped
  EXPECT_EQ(backoff.Next(1.0), milliseconds(1000));
  EXPECT_EQ(backoff.Next(0.5), milliseconds(750));
}

TEST(ReconnectBackoffTest, ResetStartsOverAndDrawsOutsideTheUnitAreClamped) {
  ReconnectBackoff backoff(milliseconds(100), milliseconds(1000));
  for (int i = 0; i < 10; ++i) backoff.Next(1.0);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(7.0), milliseconds(100));
  EXPECT_EQ(backoff.Next(-3.0), milliseconds(100));  // 200 halved
}

TEST(ReconnectBackoffTest, DegenerateSettingsStillWait) {
  ReconnectBackoff backoff(milliseconds(0), milliseconds(0));
  EXPECT_GE(backoff.Next(1.0), milliseconds(1));
  ReconnectBackoff inverted(milliseconds(500), milliseconds(100));  // max below initial: initial wins
  EXPECT_EQ(inverted.Next(1.0), milliseconds(500));
  EXPECT_EQ(inverted.Next(1.0), milliseconds(500));
}

}  // namespace
}  // namespace grassroots::common::feed
