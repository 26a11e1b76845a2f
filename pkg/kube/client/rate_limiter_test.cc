#include "pkg/kube/client/rate_limiter.h"

#include <gtest/gtest.h>

#include <future>

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, BurstIsAvailableAtOnceThenQpsRefills) {
  FakeClock clock;
  TokenBucketRateLimiter limiter(/*qps=*/10, /*burst=*/3, clock);
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_FALSE(limiter.TryAccept());
  clock.Advance(milliseconds(99));
  EXPECT_FALSE(limiter.TryAccept());
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_FALSE(limiter.TryAccept());
}

TEST(TokenBucketTest, RefillIsCappedAtBurst) {
  FakeClock clock;
  TokenBucketRateLimiter limiter(100, 2, clock);
  clock.Advance(std::chrono::hours(1));
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_FALSE(limiter.TryAccept());
}

TEST(TokenBucketTest, ReservationsQueueInOrder) {
  FakeClock clock;
  TokenBucketRateLimiter limiter(5, 1, clock);
  EXPECT_EQ(limiter.Reserve(), Clock::Duration::zero());
  EXPECT_EQ(limiter.Reserve(), milliseconds(200));
  EXPECT_EQ(limiter.Reserve(), milliseconds(400));
  clock.Advance(milliseconds(400));
  EXPECT_EQ(limiter.Reserve(), milliseconds(200));
}

TEST(TokenBucketTest, DisabledLimiterNeverWaits) {
  FakeClock clock;
  for (double qps : {0.0, -1.0}) {
    TokenBucketRateLimiter limiter(qps, 1, clock);
    EXPECT_FALSE(limiter.enabled());
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(limiter.TryAccept());
      ASSERT_EQ(limiter.Reserve(), Clock::Duration::zero());
    }
    limiter.Accept();
  }
}

TEST(TokenBucketTest, AcceptBlocksUntilSimulatedTimeMoves) {
  FakeClock clock;
  TokenBucketRateLimiter limiter(1, 1, clock);
  limiter.Accept();  // the burst token
  auto waiter = std::async(std::launch::async, [&] { limiter.Accept(); });
  // The waiter cannot finish before a full second of simulated time has passed.
  clock.Advance(milliseconds(999));
  EXPECT_EQ(waiter.wait_for(milliseconds(20)), std::future_status::timeout);
  clock.Advance(milliseconds(1));
  waiter.get();
}

}  // namespace
}  // namespace osbx::kube
