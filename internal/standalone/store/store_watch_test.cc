// Watch semantics: replay from an RV then live events in RV order, prefix filtering, Gone for
// compacted RVs, slow watchers ended without blocking writers, progress for bookmarks.
#include <gtest/gtest.h>

#include <atomic>

#include "internal/standalone/store/store.h"
#include "internal/standalone/store/test_util.h"

namespace osbx::standalone {
namespace {

using testing::DataOf;
using testing::ObjectJson;
using testing::TempDir;

class StoreWatchTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  // Real time unless a test passes a FakeClock: Wait then returns as soon as events arrive, and
  // a missing event fails the test at the deadline instead of hanging it.
  void Reopen(StoreOptions options = {}) {
    store_.reset();
    if (!options.clock) options.clock = &RealClock::Get();
    store_clock_ = options.clock;
    auto opened = Store::Open(dir_.path(), std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  int64_t Put(const std::string& key, const std::string& data = "d") {
    auto current = store_->Get(key);
    auto r = current.ok() ? store_->Update(key, ObjectJson(key, data))
                          : store_->Create(key, ObjectJson(key, data));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? (*r)->rv : 0;
  }
  std::unique_ptr<Watcher> MustWatch(const std::string& prefix, int64_t from_rv) {
    WatchRequest request;
    request.prefix = prefix;
    request.from_rv = from_rv;
    auto w = store_->Watch(std::move(request));
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }
  // Events are published right after the write is acknowledged, on the committer thread, so
  // the test waits for the count it expects.
  std::vector<Event> Collect(Watcher& w, size_t n) {
    std::vector<Event> events;
    auto deadline = store_clock_->Now() + std::chrono::seconds(20);
    while (events.size() < n && store_clock_->Now() < deadline) {
      if (!w.Wait(&events, deadline).ok()) break;
    }
    return events;
  }
  static std::vector<int64_t> Rvs(const std::vector<Event>& events) {
    std::vector<int64_t> rvs;
    for (const Event& e : events) rvs.push_back(e.rv());
    return rvs;
  }

  FakeClock fake_clock_;
  const Clock* store_clock_ = nullptr;
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreWatchTest, WatchFromNowDeliversOnlyLaterWritesUnderItsPrefix) {
  Put("/pods/ns/old");
  auto w = MustWatch("/pods/", 0);
  int64_t a = Put("/pods/ns/a");
  Put("/podsx/ns/other");  // shares the string prefix "/pods" but not "/pods/"
  Put("/leases/ns/l");
  int64_t b = Put("/pods/ns/b");
  EXPECT_EQ(Rvs(Collect(*w, 2)), (std::vector<int64_t>{a, b}));
  std::vector<Event> more;
  EXPECT_TRUE(w->Poll(&more).ok());
  EXPECT_TRUE(more.empty());
}

TEST_F(StoreWatchTest, WatchFromAnRvReplaysHistoryThenLiveEventsInOrder) {
  Put("/k/1");
  int64_t from = Put("/k/2");
  int64_t r3 = Put("/k/3");
  int64_t r4 = Put("/k/1", "changed");
  auto w = MustWatch("/k/", from);
  int64_t r5 = Put("/k/4");
  std::vector<Event> events = Collect(*w, 3);
  EXPECT_EQ(Rvs(events), (std::vector<int64_t>{r3, r4, r5}));
  EXPECT_EQ(events[1].type, EventType::kModified);
  EXPECT_EQ(DataOf(events[1].object->value), "changed");
  EXPECT_EQ(DataOf(events[1].previous->value), "d");
}

TEST_F(StoreWatchTest, EventsCarryTypesAndTheDeletedObjectsLastState) {
  auto w = MustWatch("/k/", 0);
  Put("/k/a", "v1");
  Put("/k/a", "v2");
  auto tomb = store_->Delete("/k/a");
  ASSERT_TRUE(tomb.ok());
  std::vector<Event> events = Collect(*w, 3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, EventType::kAdded);
  EXPECT_EQ(events[1].type, EventType::kModified);
  EXPECT_EQ(events[2].type, EventType::kDeleted);
  EXPECT_EQ(events[2].object, *tomb);
  EXPECT_EQ(DataOf(events[2].object->value), "v2");
}

TEST_F(StoreWatchTest, ConcurrentWritersAreSeenInStrictRvOrderWithoutGaps) {
  auto w = MustWatch("", 0);
  int64_t start = store_->CurrentRv();
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "/c/" + std::to_string(t) + "/" + std::to_string(i);
        EXPECT_TRUE(store_->Create(key, ObjectJson(key, "x")).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<Event> events = Collect(*w, kThreads * kPerThread);
  ASSERT_EQ(events.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].rv(), start + 1 + int64_t(i));
}

TEST_F(StoreWatchTest, WatchFromACompactedRvIsGoneAndFromTheFloorIsNot) {
  StoreOptions options;
  options.history_max_events = 3;
  Reopen(options);
  int64_t first = Put("/k/a");
  for (int i = 0; i < 5; ++i) Put("/k/b" + std::to_string(i));
  int64_t floor = store_->CompactedRv();
  EXPECT_GT(floor, first);
  WatchRequest old;
  old.from_rv = first;
  auto gone = store_->Watch(old);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().IsGone());
  EXPECT_NE(gone.status().message().find("too old resource version"), std::string::npos);
  auto w = MustWatch("/k/", floor);
  EXPECT_EQ(Collect(*w, 3).size(), 3u);
}

TEST_F(StoreWatchTest, HistoryOlderThanItsMaxAgeIsCompacted) {
  StoreOptions options;
  options.history_max_age = std::chrono::minutes(5);
  options.clock = &fake_clock_;
  Reopen(options);
  Put("/k/first");
  int64_t old_rv = Put("/k/a");
  fake_clock_.Advance(std::chrono::minutes(6));
  int64_t new_rv = Put("/k/b");  // compaction runs with each commit
  EXPECT_EQ(store_->CompactedRv(), old_rv);
  WatchRequest request;
  request.from_rv = old_rv - 1;
  EXPECT_TRUE(store_->Watch(request).status().IsGone());
  auto w = MustWatch("", old_rv);
  EXPECT_EQ(Rvs(Collect(*w, 1)), (std::vector<int64_t>{new_rv}));
}

TEST_F(StoreWatchTest, ASlowWatcherIsEndedWithGoneAndNeverBlocksWriters) {
  WatchRequest request;
  request.max_pending = 5;
  auto slow = store_->Watch(request);
  ASSERT_TRUE(slow.ok());
  auto fast = MustWatch("", 0);
  for (int i = 0; i < 20; ++i) Put("/k/" + std::to_string(i));  // every write is acknowledged
  EXPECT_EQ(Collect(*fast, 20).size(), 20u);
  std::vector<Event> events;
  Status status = (*slow)->Poll(&events);
  EXPECT_TRUE(status.IsGone()) << status.ToString();
  EXPECT_NE(status.message().find("too slow"), std::string::npos);
  EXPECT_TRUE(events.empty());
}

TEST_F(StoreWatchTest, ProgressRvFollowsWritesOutsideThePrefixForBookmarks) {
  Put("/busy/first");
  auto w = MustWatch("/quiet/", 0);
  int64_t rv = Put("/busy/a");
  // Progress moves when the batch is published, which an event elsewhere proves has happened.
  auto marker = MustWatch("/busy/", rv - 1);
  EXPECT_EQ(Collect(*marker, 1).size(), 1u);
  EXPECT_EQ(w->progress_rv(), rv);
  EXPECT_EQ(store_->CurrentRv(), rv);
}

TEST_F(StoreWatchTest, ReadyCallbackFiresWhenEventsArrive) {
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;
  WatchRequest request;
  request.on_ready = [&] {
    std::lock_guard lock(mu);
    ++ready;
    cv.notify_all();
  };
  auto w = store_->Watch(request);
  ASSERT_TRUE(w.ok());
  Put("/k/a");
  {
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return ready > 0; }));
  }
  std::vector<Event> events;
  EXPECT_TRUE((*w)->Poll(&events).ok());
  EXPECT_EQ(events.size(), 1u);  // the callback comes after the event is queued
}

TEST_F(StoreWatchTest, StopAndStoreCloseEndTheWatch) {
  auto stopped = MustWatch("", 0);
  stopped->Stop();
  std::vector<Event> events;
  EXPECT_EQ(stopped->Poll(&events).code(), StatusCode::kCancelled);
  Put("/k/a");
  EXPECT_TRUE(events.empty());

  auto open = MustWatch("", 0);
  store_.reset();
  EXPECT_EQ(open->Poll(&events).code(), StatusCode::kCancelled);
}

TEST_F(StoreWatchTest, AfterARestartOldRvsAreGoneAndTheCurrentOneWatches) {
  int64_t before = Put("/k/a");
  Put("/k/b");
  Reopen();
  WatchRequest request;
  request.from_rv = before;
  EXPECT_TRUE(store_->Watch(request).status().IsGone());
  auto w = MustWatch("/k/", store_->CurrentRv());
  int64_t after = Put("/k/c");
  EXPECT_EQ(Rvs(Collect(*w, 1)), (std::vector<int64_t>{after}));
}

}  // namespace
}  // namespace osbx::standalone
