#include "pkg/kube/workqueue/rate_limiter.h"

#include <gtest/gtest.h>

#include "pkg/kube/workqueue/rate_limiting_queue.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ExponentialBackoffTest, WaitDoublesPerFailureFromTheBase) {
  ExponentialBackoffRateLimiter limiter(milliseconds(5), seconds(1000));
  EXPECT_EQ(limiter.When("k"), milliseconds(5));
  EXPECT_EQ(limiter.When("k"), milliseconds(10));
  EXPECT_EQ(limiter.When("k"), milliseconds(20));
  EXPECT_EQ(limiter.NumRequeues("k"), 3);
  EXPECT_EQ(limiter.When("other"), milliseconds(5)) << "keys back off independently";
}

TEST(ExponentialBackoffTest, WaitIsCappedAtTheMaximumEvenAfterManyFailures) {
  ExponentialBackoffRateLimiter limiter(milliseconds(5), seconds(1000));
  RateLimiter::Duration wait{};
  for (int i = 0; i < 2000; ++i) wait = limiter.When("k");
  EXPECT_EQ(wait, seconds(1000));
}

TEST(ExponentialBackoffTest, ForgetStartsTheBackoffOver) {
  ExponentialBackoffRateLimiter limiter(milliseconds(5), seconds(1000));
  (void)limiter.When("k");
  (void)limiter.When("k");
  limiter.Forget("k");
  EXPECT_EQ(limiter.NumRequeues("k"), 0);
  EXPECT_EQ(limiter.When("k"), milliseconds(5));
}

TEST(TokenBucketTest, BurstPassesThenWaitsAreSpacedAtQps) {
  FakeClock clock;
  BucketRateLimiter limiter(10, 100, clock);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(limiter.When("k"), RateLimiter::Duration::zero());
  EXPECT_EQ(limiter.When("k"), milliseconds(100));
  EXPECT_EQ(limiter.When("k"), milliseconds(200));
  EXPECT_EQ(limiter.NumRequeues("k"), 0);
}

TEST(TokenBucketTest, TokensRefillWithTimeUpToTheBurst) {
  FakeClock clock;
  BucketRateLimiter limiter(10, 5, clock);
  for (int i = 0; i < 5; ++i) (void)limiter.When("k");
  clock.Advance(seconds(1));  // refills 10 tokens, capped at 5
  for (int i = 0; i < 5; ++i) ASSERT_EQ(limiter.When("k"), RateLimiter::Duration::zero());
  EXPECT_EQ(limiter.When("k"), milliseconds(100));
}

TEST(MaxOfTest, DefaultControllerLimiterTakesTheLongerOfBackoffAndBucket) {
  FakeClock clock;
  auto limiter = DefaultControllerRateLimiter(clock);
  // Per-key backoff dominates while the bucket has tokens.
  EXPECT_EQ(limiter->When("a"), milliseconds(5));
  EXPECT_EQ(limiter->When("a"), milliseconds(10));
  // Exhaust the bucket (98 tokens left) with fresh keys: each asks only 5 ms of backoff.
  for (int i = 0; i < 98; ++i) (void)limiter->When("key" + std::to_string(i));
  EXPECT_EQ(limiter->When("fresh"), milliseconds(100)) << "the bucket must dominate when empty";
  EXPECT_EQ(limiter->NumRequeues("a"), 2);
  limiter->Forget("a");
  EXPECT_EQ(limiter->NumRequeues("a"), 0);
}

TEST(RateLimitingQueueTest, AddRateLimitedRetriesAfterTheBackoffAndForgetResetsIt) {
  FakeClock clock;
  WorkQueue::Options options;
  options.clock = &clock;
  RateLimitingQueue q(options);
  q.AddRateLimited("k");
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(milliseconds(5));
  EXPECT_EQ(q.Len(), 1u);
  ASSERT_EQ(q.Get(), "k");
  q.AddRateLimited("k");  // fails again: 10 ms, queued after Done
  q.Done("k");
  clock.Advance(milliseconds(9));
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(milliseconds(1));
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.NumRequeues("k"), 2);
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
}

}  // namespace
}  // namespace osbx::kube
