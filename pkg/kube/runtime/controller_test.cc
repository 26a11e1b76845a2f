#include "pkg/kube/runtime/controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "pkg/kube/cache/fake_lister_watcher.h"
#include "pkg/kube/runtime/test_clock.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::SteppedClock;

// A reconciler whose answers are scripted per call; it records every call and what the
// queue's backoff for the key was when the call began.
class ScriptedReconciler final : public Reconciler {
 public:
  using Step = std::function<StatusOr<Result>(const Request&)>;

  explicit ScriptedReconciler(std::vector<Step> steps = {}) : steps_(std::move(steps)) {}
  void Attach(Controller* c) { controller_ = c; }

  StatusOr<Result> Reconcile(const Request& request) override {
    Step step;
    {
      std::lock_guard lock(mu_);
      calls_.push_back(request.Key());
      requeues_at_entry_.push_back(controller_->queue().NumRequeues(request.Key()));
      if (next_ < steps_.size()) step = steps_[next_++];
      cv_.notify_all();
    }
    return step ? step(request) : StatusOr<Result>(Result::Done());
  }

  // Waits (bounded by real time) until `n` calls have begun.
  bool WaitForCalls(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(10), [&] { return calls_.size() >= n; });
  }
  bool WaitForKey(const std::string& key) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(10), [&] {
      return std::find(calls_.begin(), calls_.end(), key) != calls_.end();
    });
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<int> requeues_at_entry() {
    std::lock_guard lock(mu_);
    return requeues_at_entry_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Step> steps_;
  size_t next_ = 0;
  std::vector<std::string> calls_;
  std::vector<int> requeues_at_entry_;
  Controller* controller_ = nullptr;
};

StatusOr<Result> Fail(const Request&) { return UnavailableError("api down"); }

ControllerOptions Options(const Clock& clock, Metrics& metrics, int workers = 1) {
  ControllerOptions options;
  options.name = "test";
  options.max_concurrent_reconciles = workers;
  options.clock = &clock;
  options.metrics = &metrics;
  options.unfinished_work_interval = Clock::Duration::zero();
  // Per-key backoff only, so waits are exact.
  options.rate_limiter =
      std::make_unique<ExponentialBackoffRateLimiter>(milliseconds(5), seconds(1000));
  return options;
}

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(ControllerTest, ErrorsBackOffExponentiallyAndSuccessForgetsTheKey) {
  SteppedClock clock;
  Metrics metrics;
  ScriptedReconciler rec({Fail, Fail, nullptr, nullptr});
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  ASSERT_TRUE(c.Start().ok());
  c.queue().Add("ns/a");
  ASSERT_TRUE(rec.WaitForCalls(1));
  EXPECT_EQ(clock.NextWait(), milliseconds(5));  // first retry after the base delay
  ASSERT_TRUE(clock.AdvanceToNextDeadline());
  ASSERT_TRUE(rec.WaitForCalls(2));
  EXPECT_EQ(clock.NextWait(), milliseconds(10));  // doubled
  ASSERT_TRUE(clock.AdvanceToNextDeadline());
  ASSERT_TRUE(rec.WaitForCalls(3));  // succeeds
  c.queue().Add("ns/a");
  ASSERT_TRUE(rec.WaitForCalls(4));
  EXPECT_EQ(rec.requeues_at_entry(), (std::vector<int>{0, 1, 2, 0}));
  EXPECT_TRUE(c.Stop(clock.Now() + seconds(5)));
  std::string text = metrics.Serialize();
  EXPECT_TRUE(Contains(text, "controller_runtime_reconcile_errors_total{controller=\"test\"} 2"));
  EXPECT_TRUE(Contains(
      text, "controller_runtime_reconcile_total{controller=\"test\",result=\"success\"} 2"));
}

TEST(ControllerTest, RequeueAfterForgetsBackoffAndComesBackAfterTheDelay) {
  SteppedClock clock;
  Metrics metrics;
  ScriptedReconciler rec(
      {Fail, [](const Request&) -> StatusOr<Result> { return Result::After(seconds(30)); }});
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  ASSERT_TRUE(c.Start().ok());
  c.queue().Add("ns/a");
  ASSERT_TRUE(rec.WaitForCalls(1));
  ASSERT_TRUE(clock.AdvanceToNextDeadline());
  ASSERT_TRUE(rec.WaitForCalls(2));
  EXPECT_EQ(clock.NextWait(), seconds(30));
  ASSERT_TRUE(clock.AdvanceToNextDeadline());
  ASSERT_TRUE(rec.WaitForCalls(3));
  EXPECT_EQ(rec.requeues_at_entry(), (std::vector<int>{0, 1, 0}));
  EXPECT_TRUE(c.Stop(clock.Now() + seconds(5)));
  EXPECT_TRUE(Contains(metrics.Serialize(),
                       "controller_runtime_reconcile_total{controller=\"test\",result=\"requeue_"
                       "after\"} 1"));
}

TEST(ControllerTest, AThrowingReconcilerIsCaughtCountedAndRetried) {
  SteppedClock clock;
  Metrics metrics;
  ScriptedReconciler rec(
      {[](const Request&) -> StatusOr<Result> { throw std::runtime_error("boom"); }});
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  ASSERT_TRUE(c.Start().ok());
  c.queue().Add("ns/a");
  ASSERT_TRUE(rec.WaitForCalls(1));
  EXPECT_EQ(clock.NextWait(), milliseconds(5));
  ASSERT_TRUE(clock.AdvanceToNextDeadline());
  ASSERT_TRUE(rec.WaitForCalls(2));
  EXPECT_TRUE(c.Stop(clock.Now() + seconds(5)));
  std::string text = metrics.Serialize();
  EXPECT_TRUE(Contains(text, "controller_runtime_reconcile_panics_total{controller=\"test\"} 1"));
  EXPECT_TRUE(Contains(text, "controller_runtime_reconcile_errors_total{controller=\"test\"} 1"));
}

TEST(ControllerTest, TerminalErrorsAreCountedButNotRetried) {
  SteppedClock clock;
  Metrics metrics;
  ScriptedReconciler rec({[](const Request&) -> StatusOr<Result> {
    return TerminalError(InvalidError("spec.replicas must be positive"));
  }});
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  ASSERT_TRUE(c.Start().ok());
  c.queue().Add("ns/a");
  ASSERT_TRUE(rec.WaitForCalls(1));
  c.queue().Add("ns/b");  // processed after a's outcome was applied (one worker)
  ASSERT_TRUE(rec.WaitForCalls(2));
  EXPECT_EQ(rec.calls(), (std::vector<std::string>{"ns/a", "ns/b"}));
  EXPECT_EQ(c.queue().NumRequeues("ns/a"), 0);
  EXPECT_TRUE(c.Stop(clock.Now() + seconds(5)));
  std::string text = metrics.Serialize();
  EXPECT_TRUE(
      Contains(text, "controller_runtime_terminal_reconcile_errors_total{controller=\"test\"} 1"));
}

TEST(TerminalErrorTest, MarkSurvivesPropagationAndKeepsTheCode) {
  Status s = TerminalError(InvalidError("bad"));
  auto wrapped = [&]() -> Status {
    OSBX_RETURN_IF_ERROR(s);
    return Status::Ok();
  }();
  EXPECT_TRUE(IsTerminalError(wrapped));
  EXPECT_TRUE(wrapped.IsInvalid());
  EXPECT_FALSE(IsTerminalError(InvalidError("bad")));
  EXPECT_EQ(Request::FromKey("ns/a"), (Request{.ns = "ns", .name = "a"}));
  EXPECT_EQ(Request::FromKey("cluster-scoped").Key(), "cluster-scoped");
}

TEST(ControllerTest, StopGivesUpAtTheDeadlineWhenAReconcileHangs) {
  SteppedClock clock;
  Metrics metrics;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  ScriptedReconciler rec({[&](const Request&) -> StatusOr<Result> {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return Result::Done();
  }});
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  ASSERT_TRUE(c.Start().ok());
  c.queue().Add("ns/stuck");
  ASSERT_TRUE(rec.WaitForCalls(1));
  bool stopped_in_time = true;
  std::thread stopper([&] {
    stopped_in_time = c.Stop(clock.Now() + seconds(30));
    clock.Finish();
  });
  EXPECT_EQ(clock.NextWait(), seconds(30));  // Stop waits for the worker until the deadline
  ASSERT_TRUE(clock.AdvanceToNextDeadline());
  stopper.join();
  EXPECT_FALSE(stopped_in_time);
  {
    std::lock_guard lock(mu);
    release = true;
    cv.notify_all();
  }
  // The destructor still waits for the released worker.
}

// Records concurrent entries per key: a key in two workers at once is a violation.
class ConcurrencyProbe final : public Reconciler {
 public:
  StatusOr<Result> Reconcile(const Request& request) override {
    const std::string key = request.Key();
    {
      std::lock_guard lock(mu_);
      if (!in_flight_.insert(key).second) ++violations_;
      ++calls_;
      seen_[key] = latest_[key];
    }
    std::this_thread::yield();  // widen the window for a second worker to collide
    std::lock_guard lock(mu_);
    in_flight_.erase(key);
    return Result::Done();
  }
  void Bump(const std::string& key) {
    std::lock_guard lock(mu_);
    ++latest_[key];
  }
  std::mutex mu_;
  std::set<std::string> in_flight_;
  std::map<std::string, int> latest_;
  std::map<std::string, int> seen_;
  int violations_ = 0;
  int calls_ = 0;
};

TEST(ControllerTest, AKeyIsNeverReconciledByTwoWorkersAndLateChangesAreSeen) {
  RealClock clock;
  Metrics metrics;
  ConcurrencyProbe probe;
  Controller c(Options(clock, metrics, /*workers=*/4), probe);
  ASSERT_TRUE(c.Start().ok());
  const std::vector<std::string> keys = {"ns/a", "ns/b", "ns/c"};
  for (int round = 0; round < 300; ++round) {
    for (const auto& key : keys) {
      probe.Bump(key);  // the change happens, then the key is queued
      c.queue().Add(key);
    }
  }
  ASSERT_TRUE(c.Stop(clock.Now() + seconds(30)));  // lets queued and dirty keys finish
  std::lock_guard lock(probe.mu_);
  EXPECT_EQ(probe.violations_, 0);
  for (const auto& key : keys) EXPECT_EQ(probe.seen_[key], 300) << key;
}

// Informer-driven tests: For / Owns / Watches routing through a fake API.
Json Object(const std::string& api_version, const std::string& kind, const std::string& name,
            Json owners = Json::array()) {
  Json obj = {{"apiVersion", api_version},
              {"kind", kind},
              {"metadata",
               {{"name", name}, {"namespace", "ns"}, {"resourceVersion", "1"}, {"generation", 1}}}};
  if (!owners.empty()) obj["metadata"]["ownerReferences"] = owners;
  return obj;
}

Json Owner(const std::string& api_version, const std::string& kind, const std::string& name,
           bool controller) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"name", name},
          {"uid", "u-" + name},
          {"controller", controller}};
}

constexpr const char* kGroupVersion = "sandbox.opensandbox.io/v1alpha1";

TEST(ControllerWatchTest, OwnedObjectsEnqueueOnlyTheirControllerOwnerOfTheForKind) {
  RealClock clock;
  Metrics metrics;
  FakeListerWatcher sandboxes_api, pods_api;
  sandboxes_api.SetObjects({}, "10");
  pods_api.SetObjects(
      {
          Object("v1", "Pod", "other-kind",
                 Json::array({Owner("apps/v1", "ReplicaSet", "rs", true)})),
          Object("v1", "Pod", "not-controller",
                 Json::array({Owner(kGroupVersion, "BatchSandbox", "bs-weak", false)})),
          Object("v1", "Pod", "wrong-group",
                 Json::array({Owner("other.io/v1", "BatchSandbox", "bs-other", true)})),
          Object("v1", "Pod", "owned",
                 Json::array({Owner(kGroupVersion, "BatchSandbox", "bs1", true)})),
      },
      "10");
  SharedInformer sandboxes(sandboxes_api, clock);
  SharedInformer pods(pods_api, clock);
  ScriptedReconciler rec;
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  c.For(sandboxes, {"sandbox.opensandbox.io", "BatchSandbox"}).Owns(pods);
  sandboxes.Run();
  pods.Run();
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(rec.WaitForKey("ns/bs1"));
  // One worker, FIFO: anything wrongly enqueued before bs1 would have been reconciled first.
  EXPECT_EQ(rec.calls(), (std::vector<std::string>{"ns/bs1"}));
  EXPECT_TRUE(c.Stop(clock.Now() + seconds(5)));
  pods.Stop();
  sandboxes.Stop();
}

TEST(ControllerWatchTest, ForHonoursPredicatesAndWatchesMapsToRequests) {
  RealClock clock;
  Metrics metrics;
  FakeListerWatcher sandboxes_api, pools_api;
  sandboxes_api.SetObjects({Object(kGroupVersion, "BatchSandbox", "bs1")}, "10");
  pools_api.SetObjects({}, "10");
  SharedInformer sandboxes(sandboxes_api, clock);
  SharedInformer pools(pools_api, clock);
  ScriptedReconciler rec;
  Controller c(Options(clock, metrics), rec);
  rec.Attach(&c);
  c.For(sandboxes, {"sandbox.opensandbox.io", "BatchSandbox"}, GenerationChanged())
      .Watches(pools, [](const Json& pool) {
        std::string name = pool["metadata"]["name"];
        return std::vector<Request>{{"ns", "claims-of-" + name}};
      });
  sandboxes.Run();
  pools.Run();
  ASSERT_TRUE(c.Start().ok());
  ASSERT_TRUE(rec.WaitForKey("ns/bs1"));
  ASSERT_TRUE(sandboxes_api.WaitForWatches(1));
  ASSERT_TRUE(pools_api.WaitForWatches(1));
  // A status-only update (same generation) is filtered out ...
  Json status_only = Object(kGroupVersion, "BatchSandbox", "bs1");
  status_only["metadata"]["resourceVersion"] = "11";
  status_only["status"] = {{"ready", 1}};
  ASSERT_TRUE(sandboxes_api.Send({WatchEventType::kModified, status_only}));
  // ... a new object passes.
  ASSERT_TRUE(
      sandboxes_api.Send({WatchEventType::kAdded, Object(kGroupVersion, "BatchSandbox", "bs2")}));
  ASSERT_TRUE(rec.WaitForKey("ns/bs2"));
  ASSERT_TRUE(pools_api.Send({WatchEventType::kAdded, Object(kGroupVersion, "Pool", "p1")}));
  ASSERT_TRUE(rec.WaitForKey("ns/claims-of-p1"));
  EXPECT_EQ(rec.calls(), (std::vector<std::string>{"ns/bs1", "ns/bs2", "ns/claims-of-p1"}));
  EXPECT_TRUE(c.Stop(clock.Now() + seconds(5)));
  pools.Stop();
  sandboxes.Stop();
}

TEST(ControllerWatchTest, StartFailsWhenCachesNeverSync) {
  FakeClock clock;
  Metrics metrics;
  FakeListerWatcher api;
  api.FailNextLists({UnavailableError("down"), UnavailableError("down")});
  SharedInformer informer(api, clock);
  ScriptedReconciler rec;
  ControllerOptions options = Options(clock, metrics);
  options.cache_sync_timeout = Clock::Duration::zero();
  Controller c(std::move(options), rec);
  c.For(informer, {"", "Pod"});
  informer.Run();
  Status started = c.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  informer.Stop();
}

}  // namespace
}  // namespace osbx::kube
