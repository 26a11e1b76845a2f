#include "pkg/kube/workqueue/queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

WorkQueue::Options WithClock(const Clock& clock, WorkQueueMetrics* metrics = nullptr) {
  WorkQueue::Options options;
  options.clock = &clock;
  options.metrics = metrics;
  return options;
}

TEST(WorkQueueTest, KeyAddedManyTimesIsQueuedOnce) {
  WorkQueue q;
  q.Add("ns/a");
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_EQ(q.Get(), "ns/b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, KeysAreHandedOutInFirstAddedOrder) {
  WorkQueue q;
  for (const char* key : {"c", "a", "b"}) q.Add(key);
  EXPECT_EQ(q.Get(), "c");
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), "b");
}

TEST(WorkQueueTest, KeyReAddedWhileProcessingIsNotQueuedUntilDone) {
  WorkQueue q;
  q.Add("k");
  ASSERT_EQ(q.Get(), "k");
  q.Add("k");
  q.Add("k");
  EXPECT_EQ(q.Len(), 0u) << "a key held by a worker must not be visible to other workers";
  q.Done("k");
  EXPECT_EQ(q.Len(), 1u) << "a change seen during processing must be processed again";
  EXPECT_EQ(q.Get(), "k");
  q.Done("k");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, DoneWithoutReAddForgetsTheKey) {
  WorkQueue q;
  q.Add("k");
  ASSERT_EQ(q.Get(), "k");
  q.Done("k");
  q.Done("k");  // a second Done for a key not held is ignored
  EXPECT_EQ(q.Len(), 0u);
  q.Add("k");
  EXPECT_EQ(q.Len(), 1u);
}

TEST(WorkQueueTest, ConcurrentWorkersNeverHoldTheSameKey) {
  WorkQueue q;
  std::mutex mu;
  std::set<std::string> held;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!held.insert(*key).second) overlap = true;
        }
        q.Add(*key == "k0" ? "k1" : "k0");  // keep keys flowing while held
        {
          std::lock_guard<std::mutex> lock(mu);
          held.erase(*key);
        }
        processed++;
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) q.Add("k" + std::to_string(i % 3));
  while (processed.load() < 2000) std::this_thread::yield();
  q.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
}

TEST(WorkQueueTest, BlockedGetReturnsAddedKey) {
  WorkQueue q;
  std::optional<std::string> got;
  std::thread worker([&] { got = q.Get(); });
  q.Add("k");
  worker.join();
  EXPECT_EQ(got, "k");
}

TEST(WorkQueueTest, ShutDownWakesBlockedGetWithNothing) {
  WorkQueue q;
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = q.Get(); });
  q.ShutDown();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
  EXPECT_TRUE(q.ShuttingDown());
}

TEST(WorkQueueTest, KeysQueuedBeforeShutDownAreStillHandedOutButNewOnesAreIgnored) {
  WorkQueue q;
  q.Add("a");
  q.ShutDown();
  q.Add("b");
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), std::nullopt);
}

TEST(WorkQueueTest, ShutDownWithDrainWaitsForKeysInFlight) {
  WorkQueue q;
  q.Add("k");
  ASSERT_EQ(q.Get(), "k");
  std::atomic<bool> done_called{false};
  std::atomic<bool> drain_saw_done{false};
  std::thread drainer([&] {
    q.ShutDownWithDrain();
    drain_saw_done = done_called.load();
  });
  while (!q.ShuttingDown()) std::this_thread::yield();
  done_called = true;
  q.Done("k");
  drainer.join();
  EXPECT_TRUE(drain_saw_done.load()) << "drain returned before the key in flight was Done";
}

TEST(WorkQueueTest, AddAfterBecomesReadyOnlyWhenTheClockReachesTheDeadline) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("k", seconds(10));
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(seconds(9));
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(seconds(1));
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "k");
}

TEST(WorkQueueTest, DelayedKeysBecomeReadyInDeadlineOrder) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("late", seconds(3));
  q.AddAfter("early", seconds(1));
  q.AddAfter("middle", seconds(2));
  clock.Advance(seconds(5));
  EXPECT_EQ(q.Get(), "early");
  EXPECT_EQ(q.Get(), "middle");
  EXPECT_EQ(q.Get(), "late");
}

TEST(WorkQueueTest, KeyDelayedTwiceKeepsTheEarlierDeadline) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("k", seconds(10));
  q.AddAfter("k", seconds(2));
  q.AddAfter("k", seconds(30));
  clock.Advance(seconds(2));
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "k");
  q.Done("k");
  clock.Advance(seconds(60));
  EXPECT_EQ(q.Len(), 0u) << "the superseded deadlines must not add the key again";
}

TEST(WorkQueueTest, NonPositiveDelayAddsAtOnce) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("k", milliseconds(0));
  q.AddAfter("j", milliseconds(-5));
  EXPECT_EQ(q.Len(), 2u);
}

TEST(WorkQueueTest, DelayedKeyAlreadyQueuedIsNotDuplicated) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.Add("k");
  q.AddAfter("k", seconds(1));
  clock.Advance(seconds(1));
  EXPECT_EQ(q.Len(), 1u);
}

TEST(WorkQueueTest, BlockedGetWakesWhenSimulatedTimePassesTheDeadline) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("k", seconds(30));
  std::optional<std::string> got;
  std::thread worker([&] { got = q.Get(); });
  clock.Advance(seconds(30));
  worker.join();
  EXPECT_EQ(got, "k");
}

TEST(WorkQueueTest, ShutDownDropsDelayedKeys) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("k", seconds(1));
  q.ShutDown();
  clock.Advance(seconds(2));
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.Get(), std::nullopt);
}

class RecordingMetrics : public WorkQueueMetrics {
 public:
  void OnAdd(size_t depth) override {
    adds++;
    last_depth = depth;
  }
  void OnGet(Duration queued, size_t depth) override {
    last_queued = queued;
    last_depth = depth;
  }
  void OnDone(Duration worked) override { last_worked = worked; }
  void OnRetry() override { retries++; }
  void OnUnfinishedWork(Duration total, Duration longest) override {
    unfinished = total;
    longest_running = longest;
  }

  int adds = 0;
  int retries = 0;
  size_t last_depth = 0;
  Duration last_queued{}, last_worked{}, unfinished{}, longest_running{};
};

TEST(WorkQueueMetricsTest, ReportsAddsDepthQueueLatencyAndWorkDuration) {
  FakeClock clock;
  RecordingMetrics metrics;
  WorkQueue q(WithClock(clock, &metrics));
  q.Add("a");
  q.Add("a");
  q.Add("b");
  EXPECT_EQ(metrics.adds, 2) << "a de-duplicated add is not an add";
  EXPECT_EQ(metrics.last_depth, 2u);
  clock.Advance(seconds(3));
  ASSERT_EQ(q.Get(), "a");
  EXPECT_EQ(metrics.last_queued, seconds(3));
  EXPECT_EQ(metrics.last_depth, 1u);
  clock.Advance(seconds(2));
  q.Done("a");
  EXPECT_EQ(metrics.last_worked, seconds(2));
}

TEST(WorkQueueMetricsTest, DelayedKeyQueueLatencyCountsFromItsDeadline) {
  FakeClock clock;
  RecordingMetrics metrics;
  WorkQueue q(WithClock(clock, &metrics));
  q.AddAfter("k", seconds(10));
  clock.Advance(seconds(15));
  ASSERT_EQ(q.Get(), "k");
  EXPECT_EQ(metrics.last_queued, seconds(5));
}

TEST(WorkQueueMetricsTest, UnfinishedWorkSumsKeysInFlight) {
  FakeClock clock;
  RecordingMetrics metrics;
  WorkQueue q(WithClock(clock, &metrics));
  q.Add("a");
  q.Add("b");
  ASSERT_EQ(q.Get(), "a");
  clock.Advance(seconds(4));
  ASSERT_EQ(q.Get(), "b");
  clock.Advance(seconds(1));
  q.ReportUnfinishedWork();
  EXPECT_EQ(metrics.unfinished, seconds(6));
  EXPECT_EQ(metrics.longest_running, seconds(5));
}

}  // namespace
}  // namespace osbx::kube
