#include "internal/utils/clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace osbx {
namespace {

TEST(FakeClockTest, TimeMovesOnlyWhenAdvanced) {
  FakeClock clock;
  auto t0 = clock.Now();
  auto w0 = clock.WallNow();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(clock.Now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(clock.WallNow() - w0, std::chrono::seconds(5));
}

TEST(FakeClockTest, WaiterWakesAfterSimulatedDeadlinePasses) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  const auto deadline = clock.Now() + std::chrono::hours(1);
  std::atomic<bool> woke{false};
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (clock.Now() < deadline) clock.WaitUntil(cv, lock, deadline);
    woke = true;
  });
  EXPECT_FALSE(woke.load());
  clock.Advance(std::chrono::hours(1));
  waiter.join();
  EXPECT_TRUE(woke.load());
}

}  // namespace
}  // namespace osbx
