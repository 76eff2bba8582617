#include "gateway/rate_limiter.h"

#include <gtest/gtest.h>

namespace carelog::gateway {
namespace {

TEST(RateLimiter, AllowsTheBurstThenAsksToWait) {
  ManualClock clock(1'000'000);
  RateLimiter limiter(2, 5, clock);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take("alice"), 0) << i;
  EXPECT_EQ(limiter.Take("alice"), 1);
  // Another token has its own bucket.
  EXPECT_EQ(limiter.Take("bob"), 0);
  clock.Advance(500'000);  // half a second at 2/s refills one request
  EXPECT_EQ(limiter.Take("alice"), 0);
  EXPECT_EQ(limiter.Take("alice"), 1);
}

TEST(RateLimiter, RetryAfterCoversASlowRefill) {
  ManualClock clock(0);
  RateLimiter limiter(0.1, 1, clock);  // one request per 10 s
  EXPECT_EQ(limiter.Take("t"), 0);
  EXPECT_EQ(limiter.Take("t"), 10);
  clock.Advance(10'000'000);
  EXPECT_EQ(limiter.Take("t"), 0);
}

TEST(RateLimiter, RefillNeverExceedsTheBurst) {
  ManualClock clock(0);
  RateLimiter limiter(100, 3, clock);
  EXPECT_EQ(limiter.Take("t"), 0);
  clock.Advance(3600'000'000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("t"), 0);
  EXPECT_GT(limiter.Take("t"), 0);
}

TEST(RateLimiter, ZeroRateDisablesTheLimit) {
  ManualClock clock(0);
  RateLimiter limiter(0, 1, clock);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.Take("t"), 0);
}

TEST(RateLimiter, AClockGoingBackwardsGrantsNothingExtra) {
  ManualClock clock(10'000'000);
  RateLimiter limiter(1, 1, clock);
  EXPECT_EQ(limiter.Take("t"), 0);
  clock.Set(0);
  EXPECT_GT(limiter.Take("t"), 0);
}

}  // namespace
}  // namespace carelog::gateway
