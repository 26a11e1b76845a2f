#include "pkg/kube/cache/reflector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "pkg/kube/cache/fake_lister_watcher.h"
#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/test_objects.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::MakePod;
using Duration = Clock::Duration;

// Records what the reflector delivers; waits use real time only as a safety net.
class RecordingSink : public ReflectorSink {
 public:
  void Replace(std::vector<Json> items, const std::string& rv) override {
    std::lock_guard<std::mutex> lock(mu_);
    replaces_.push_back({std::move(items), rv});
    cv_.notify_all();
  }
  void Apply(WatchEventType type, Json object) override {
    std::lock_guard<std::mutex> lock(mu_);
    applied_.push_back({type, std::move(object)});
    cv_.notify_all();
  }
  bool WaitForReplaces(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, seconds(10), [&] { return replaces_.size() >= n; });
  }
  struct Replaced {
    std::vector<Json> items;
    std::string rv;
  };
  std::vector<Replaced> replaces() {
    std::lock_guard<std::mutex> lock(mu_);
    return replaces_;
  }
  std::vector<WatchEvent> applied() {
    std::lock_guard<std::mutex> lock(mu_);
    return applied_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Replaced> replaces_;
  std::vector<WatchEvent> applied_;
};

// Records backoff waits so a test can advance the fake clock past each one.
class BackoffLog {
 public:
  void Record(Duration wait) {
    std::lock_guard<std::mutex> lock(mu_);
    waits_.push_back(wait);
    cv_.notify_all();
  }
  // Waits for the n-th (1-based) backoff and returns its length.
  Duration Nth(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, seconds(10), [&] { return waits_.size() >= n; })) return Duration(-1);
    return waits_[n - 1];
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return waits_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Duration> waits_;
};

class ReflectorTest : public ::testing::Test {
 protected:
  ReflectorOptions Options(double random = 1.0) {
    ReflectorOptions options;
    options.random = [random] { return random; };
    options.on_backoff = [this](Duration wait, const Status&) { backoffs_.Record(wait); };
    return options;
  }
  void Start(ReflectorOptions options) {
    reflector_ = std::make_unique<Reflector>(lw_, sink_, clock_, std::move(options));
    reflector_->Run();
  }
  void TearDown() override {
    if (reflector_) reflector_->Stop();
  }
  static WatchEvent Event(WatchEventType type, Json object) { return {type, std::move(object)}; }
  static WatchEvent Bookmark(const std::string& rv) {
    return {WatchEventType::kBookmark,
            {{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", rv}}}}};
  }
  static WatchEvent Expired() {
    return {WatchEventType::kError,
            {{"kind", "Status"},
             {"apiVersion", "v1"},
             {"status", "Failure"},
             {"message", "too old resource version: 1 (1156)"},
             {"reason", "Expired"},
             {"code", 410}}};
  }

  FakeClock clock_;
  FakeListerWatcher lw_;
  RecordingSink sink_;
  BackoffLog backoffs_;
  std::unique_ptr<Reflector> reflector_;
};

TEST_F(ReflectorTest, ListsFromTheWatchCacheThenWatchesFromTheListResourceVersion) {
  lw_.SetObjects({MakePod("ns", "a", "5"), MakePod("ns", "b", "7")}, "10");
  Start(Options(0.5));
  ASSERT_TRUE(lw_.WaitForWatches(1));
  ListOptions list = lw_.list_calls().at(0);
  EXPECT_EQ(list.resource_version, "0");
  EXPECT_EQ(list.limit, 500);
  ListOptions watch = lw_.watch_calls().at(0);
  EXPECT_EQ(watch.resource_version, "10");
  EXPECT_TRUE(watch.allow_watch_bookmarks);
  EXPECT_EQ(watch.timeout_seconds, 450) << "random 0.5 must land midway in [300, 600]";
  ASSERT_EQ(sink_.replaces().size(), 1u);
  EXPECT_EQ(sink_.replaces()[0].items.size(), 2u);
  EXPECT_EQ(reflector_->LastSyncResourceVersion(), "10");
}

TEST_F(ReflectorTest, FirstListWaitsForItsTimeAndReadsConsistently) {
  lw_.SetObjects({MakePod("ns", "a", "5")}, "10");
  ReflectorOptions options = Options(0.5);
  const Clock::TimePoint start = clock_.Now();
  options.first_list_at = start + seconds(2);
  options.consistent_first_list = true;
  Start(std::move(options));
  // Time moves only while nothing was listed: the list's time is the clock's when it happened.
  Clock::TimePoint listed_at = start;
  while (lw_.list_calls().empty()) {
    clock_.Advance(milliseconds(100));
    listed_at = clock_.Now();
  }
  EXPECT_GE(listed_at - start, seconds(2));
  EXPECT_EQ(lw_.list_calls().at(0).resource_version, "");
}

TEST_F(ReflectorTest, WatchTimeoutStaysWithinFiveToTenMinutes) {
  Start(Options(0.0));
  ASSERT_TRUE(lw_.WaitForWatches(1));
  EXPECT_EQ(lw_.watch_calls()[0].timeout_seconds, 300);
  reflector_->Stop();
  Start(Options(1.0));
  ASSERT_TRUE(lw_.WaitForWatches(2));
  EXPECT_EQ(lw_.watch_calls()[1].timeout_seconds, 600);
}

TEST_F(ReflectorTest, PagedListFollowsContinueTokensAndDeliversOneReplace) {
  std::vector<Json> pods;
  // (Appending rather than "p" + to_string: GCC 12 at -O3 reports a false -Wrestrict there.)
  for (int i = 0; i < 5; ++i)
    pods.push_back(MakePod("ns", std::string("p").append(std::to_string(i)), "1"));
  lw_.SetObjects(pods, "20");
  ReflectorOptions options = Options();
  options.page_size = 2;
  Start(options);
  ASSERT_TRUE(lw_.WaitForWatches(1));
  std::vector<ListOptions> calls = lw_.list_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].continue_token, "2");
  EXPECT_EQ(calls[1].resource_version, "") << "a continued page must not repeat the RV";
  ASSERT_EQ(sink_.replaces().size(), 1u);
  EXPECT_EQ(sink_.replaces()[0].items.size(), 5u);
}

TEST_F(ReflectorTest, WatchEventsReachTheSinkAndBookmarksOnlyMoveTheResumePoint) {
  lw_.SetObjects({}, "10");
  Start(Options());
  ASSERT_TRUE(lw_.WaitForWatches(1));
  ASSERT_TRUE(lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "a", "11"))));
  ASSERT_TRUE(lw_.Send(Bookmark("15")));
  EXPECT_EQ(reflector_->LastSyncResourceVersion(), "15");
  ASSERT_TRUE(lw_.CloseWatch(Status::Ok()));  // the server's timeoutSeconds ran out
  ASSERT_TRUE(lw_.WaitForWatches(2));
  EXPECT_EQ(lw_.watch_calls()[1].resource_version, "15");
  EXPECT_EQ(lw_.list_calls().size(), 1u) << "a normal end of watch must not relist";
  EXPECT_EQ(backoffs_.count(), 0u);
  ASSERT_EQ(sink_.applied().size(), 1u) << "bookmarks are not objects";
  EXPECT_EQ(sink_.applied()[0].type, WatchEventType::kAdded);
}

TEST_F(ReflectorTest, InStreamGoneErrorRelistsFromTheLastResourceVersion) {
  lw_.SetObjects({MakePod("ns", "a", "5")}, "10");
  Start(Options());
  ASSERT_TRUE(lw_.WaitForWatches(1));
  ASSERT_TRUE(lw_.Send(Event(WatchEventType::kModified, MakePod("ns", "a", "12"))));
  lw_.SetObjects({MakePod("ns", "a", "30")}, "40");
  ASSERT_TRUE(lw_.Send(Expired()));
  Duration wait = backoffs_.Nth(1);
  ASSERT_GT(wait, Duration::zero());
  clock_.Advance(wait);
  ASSERT_TRUE(lw_.WaitForWatches(2));
  ASSERT_EQ(lw_.list_calls().size(), 2u);
  EXPECT_EQ(lw_.list_calls()[1].resource_version, "12");
  EXPECT_EQ(lw_.watch_calls()[1].resource_version, "40");
  EXPECT_EQ(sink_.replaces().size(), 2u);
}

TEST_F(ReflectorTest, GoneAnswerToTheWatchCallRelists) {
  lw_.SetObjects({}, "10");
  lw_.FailNextWatches({GoneError("too old resource version")});
  Start(Options());
  clock_.Advance(backoffs_.Nth(1));
  ASSERT_TRUE(lw_.WaitForWatches(2));
  EXPECT_EQ(lw_.list_calls().size(), 2u);
}

TEST_F(ReflectorTest, GoneListIsRetriedAtOnceAsAConsistentRead) {
  lw_.SetObjects({}, "10");
  Start(Options());
  ASSERT_TRUE(lw_.WaitForWatches(1));
  lw_.FailNextLists({GoneError("The resourceVersion for the provided list is too old.")});
  ASSERT_TRUE(lw_.Send(Expired()));
  clock_.Advance(backoffs_.Nth(1));
  ASSERT_TRUE(lw_.WaitForWatches(2));
  std::vector<ListOptions> calls = lw_.list_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].resource_version, "10");
  EXPECT_EQ(calls[2].resource_version, "");
  EXPECT_EQ(backoffs_.count(), 1u) << "the consistent relist needs no extra backoff";
}

TEST_F(ReflectorTest, OtherWatchErrorsResumeWatchingWithoutRelisting) {
  lw_.SetObjects({}, "10");
  Start(Options());
  ASSERT_TRUE(lw_.WaitForWatches(1));
  ASSERT_TRUE(lw_.Send(Bookmark("12")));
  ASSERT_TRUE(lw_.CloseWatch(UnavailableError("connection reset")));
  clock_.Advance(backoffs_.Nth(1));
  ASSERT_TRUE(lw_.WaitForWatches(2));
  EXPECT_EQ(lw_.watch_calls()[1].resource_version, "12");
  EXPECT_EQ(lw_.list_calls().size(), 1u);
}

TEST_F(ReflectorTest, BackoffDoublesFrom800MillisecondsToThe30SecondCap) {
  lw_.SetObjects({}, "10");
  lw_.FailNextLists(std::vector<Status>(8, UnavailableError("connection refused")));
  Start(Options(1.0));
  const std::vector<Duration> expected = {
      milliseconds(800),   milliseconds(1600),  milliseconds(3200), milliseconds(6400),
      milliseconds(12800), milliseconds(25600), seconds(30),        seconds(30)};
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(backoffs_.Nth(i + 1), expected[i]) << "backoff #" << i + 1;
    EXPECT_EQ(lw_.list_calls().size(), i + 1) << "no retry before the backoff has passed";
    clock_.Advance(expected[i]);
  }
  ASSERT_TRUE(lw_.WaitForWatches(1));
}

TEST_F(ReflectorTest, BackoffStartsOverAfterTwoQuietMinutes) {
  lw_.SetObjects({}, "10");
  lw_.FailNextLists({UnavailableError("a"), UnavailableError("b")});
  Start(Options(1.0));
  clock_.Advance(backoffs_.Nth(1));
  ASSERT_EQ(backoffs_.Nth(2), milliseconds(1600));
  clock_.Advance(milliseconds(1600));
  ASSERT_TRUE(lw_.WaitForWatches(1));
  clock_.Advance(std::chrono::minutes(3));  // a healthy watch
  ASSERT_TRUE(lw_.CloseWatch(UnavailableError("connection reset")));
  EXPECT_EQ(backoffs_.Nth(3), milliseconds(800));
}

TEST_F(ReflectorTest, JitterShortensTheWaitToNoLessThanHalf) {
  lw_.FailNextLists({UnavailableError("a")});
  Start(Options(0.0));
  EXPECT_EQ(backoffs_.Nth(1), milliseconds(400));
}

TEST_F(ReflectorTest, WatchThatEndsAtOnceWithoutEventsIsBackedOff) {
  lw_.SetObjects({}, "10");
  Start(Options());
  ASSERT_TRUE(lw_.WaitForWatches(1));
  ASSERT_TRUE(lw_.CloseWatch(Status::Ok()));
  EXPECT_EQ(backoffs_.Nth(1), milliseconds(800));
}

TEST_F(ReflectorTest, StopDuringBackoffReturnsWithoutTimePassing) {
  lw_.FailNextLists({UnavailableError("a")});
  Start(Options());
  ASSERT_GT(backoffs_.Nth(1), Duration::zero());
  reflector_->Stop();
  EXPECT_EQ(lw_.list_calls().size(), 1u);
}

}  // namespace
}  // namespace osbx::kube
