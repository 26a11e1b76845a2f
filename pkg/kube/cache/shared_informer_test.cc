#include "pkg/kube/cache/shared_informer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

#include "pkg/kube/cache/fake_lister_watcher.h"
#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/test_objects.h"

namespace osbx::kube {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::MakePod;
using testing::PodSpec;
using ::testing::UnorderedElementsAre;

// Records handler calls as "add ns/a@rv", "update ns/a@1->2", "delete ns/a@rv [tombstone]".
class Recorder {
 public:
  EventHandler Handler() {
    EventHandler h;
    h.on_add = [this](const ObjectPtr& o) { Record("add " + Describe(*o)); };
    h.on_update = [this](const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
      Record("update " + Describe(*old_obj) + "->" +
             std::string(MetaString(*new_obj, "resourceVersion")));
    };
    h.on_delete = [this](const ObjectPtr& o, bool tombstone) {
      Record("delete " + Describe(*o) + (tombstone ? " tombstone" : ""));
    };
    return h;
  }
  // Waits for at least n events and returns them all.
  std::vector<std::string> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, seconds(10), [&] { return events_.size() >= n; });
    return events_;
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  static std::string Describe(const Json& o) {
    return std::string(*ObjectKey(o)) + "@" + std::string(MetaString(o, "resourceVersion"));
  }
  void Record(std::string e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

// Holds the dispatch thread inside a handler until the test opens it.
class Gate {
 public:
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, seconds(10), [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

// A handler that stops at the add of object `name` until `gate` opens, then records it.
EventHandler GatedHandler(Recorder& recorder, std::map<std::string, Gate*> gates) {
  EventHandler inner = recorder.Handler();
  EventHandler h = inner;
  h.on_add = [inner, gates = std::move(gates)](const ObjectPtr& o) {
    auto it = gates.find(std::string(MetaString(*o, "name")));
    if (it != gates.end()) it->second->Pass();
    inner.on_add(o);
  };
  return h;
}

class SharedInformerTest : public ::testing::Test {
 protected:
  void Start(InformerOptions options = {}) {
    options.reflector.random = [] { return 1.0; };
    options.reflector.on_backoff = [this](Clock::Duration wait, const Status&) {
      std::lock_guard<std::mutex> lock(mu_);
      pending_backoff_ = wait;
      cv_.notify_all();
    };
    informer_ = std::make_unique<SharedInformer>(lw_, clock_, std::move(options));
  }
  void RunAndSync() {
    informer_->Run();
    ASSERT_TRUE(informer_->WaitForSync(clock_.Now() + hours(1)));
  }
  // Lets the reflector's pending backoff elapse on the fake clock.
  void ElapseBackoff() {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, seconds(10), [&] { return pending_backoff_.has_value(); }));
    clock_.Advance(*pending_backoff_);
    pending_backoff_.reset();
  }
  void TearDown() override {
    if (informer_) informer_->Stop();
  }
  static WatchEvent Event(WatchEventType type, Json object) { return {type, std::move(object)}; }

  FakeClock clock_;
  FakeListerWatcher lw_;
  Recorder recorder_;
  std::unique_ptr<SharedInformer> informer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Clock::Duration> pending_backoff_;
};

TEST_F(SharedInformerTest, HasSyncedOnlyAfterTheInitialListReachedTheHandlers) {
  lw_.SetObjects({MakePod("ns", "a", "1"), MakePod("ns", "b", "2")}, "10");
  Start();
  informer_->AddEventHandler(recorder_.Handler());
  EXPECT_FALSE(informer_->HasSynced());
  RunAndSync();
  EXPECT_THAT(recorder_.events(), UnorderedElementsAre("add ns/a@1", "add ns/b@2"));
  EXPECT_EQ(informer_->indexer().Size(), 2u);
}

TEST_F(SharedInformerTest, WaitForSyncGivesUpAtTheDeadlineWhenListingFails) {
  // Every list fails: the informer cannot sync however the threads interleave.
  lw_.FailNextLists(std::vector<Status>(100, UnavailableError("down")));
  Start();
  informer_->Run();
  const Clock::TimePoint deadline = clock_.Now() + seconds(1);
  std::thread advancer([&] { clock_.Advance(seconds(1)); });
  EXPECT_FALSE(informer_->WaitForSync(deadline));
  advancer.join();
}

TEST_F(SharedInformerTest, WatchEventsUpdateTheCacheAndReachHandlersInOrder) {
  lw_.SetObjects({}, "10");
  Start();
  informer_->AddEventHandler(recorder_.Handler());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "a", "11")));
  lw_.Send(Event(WatchEventType::kModified, MakePod("ns", "a", "12")));
  lw_.Send(Event(WatchEventType::kDeleted, MakePod("ns", "a", "13")));
  EXPECT_THAT(recorder_.WaitFor(3),
              ElementsAre("add ns/a@11", "update ns/a@11->12", "delete ns/a@13"));
  EXPECT_EQ(informer_->indexer().Size(), 0u);
}

TEST_F(SharedInformerTest, TransformRunsBeforeCachingAndDefaultsToStrippingManagedFields) {
  lw_.SetObjects({MakePod("ns", "a", "1")}, "10");
  Start();
  RunAndSync();
  ObjectPtr cached = informer_->indexer().Get("ns/a");
  ASSERT_NE(cached, nullptr);
  EXPECT_FALSE((*cached)["metadata"].contains("managedFields"));
}

// An in-memory ListerWatcher hands over decoded objects: the informer trims them to its
// projection itself, before its transform runs.
TEST_F(SharedInformerTest, ProjectionTrimsObjectsThatArriveDecoded) {
  Json pod = MakePod("ns", "a", "1");
  pod["spec"] = {{"nodeName", "n"}, {"containers", {{{"name", "c"}, {"image", "i"}}}}};
  lw_.SetObjects({pod}, "10");
  InformerOptions options;
  options.projection = DefaultProjectionFor({"", "v1", "pods", "Pod", true});
  std::atomic<int> untrimmed{0};
  options.transform = [&untrimmed](Json& obj) {
    if (obj["spec"].contains("containers")) ++untrimmed;
  };
  Start(std::move(options));
  EXPECT_FALSE(informer_->ProjectsWhileDecoding());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  pod["metadata"]["resourceVersion"] = "11";
  informer_->AddEventHandler(recorder_.Handler());
  lw_.Send(Event(WatchEventType::kModified, pod));
  recorder_.WaitFor(2);
  ObjectPtr cached = informer_->indexer().Get("ns/a");
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(*cached, Json::parse(R"({"metadata":{"name":"a","namespace":"ns",
      "resourceVersion":"11"},"spec":{"nodeName":"n"}})"));
  EXPECT_EQ(untrimmed.load(), 0);
}

TEST_F(SharedInformerTest, ATransformWithoutAProjectionSeesWholeObjects) {
  lw_.SetObjects({MakePod("ns", "a", "1")}, "10");
  InformerOptions options;
  options.transform = [](Json& obj) { obj["seen"] = obj["metadata"].contains("managedFields"); };
  Start(std::move(options));
  RunAndSync();
  ObjectPtr cached = informer_->indexer().Get("ns/a");
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ((*cached)["seen"], true);
}

TEST_F(SharedInformerTest, RelistTurnsMissedDeletesIntoTombstonesAndChangesIntoUpdates) {
  lw_.SetObjects({MakePod("ns", "keep", "1"), MakePod("ns", "gone", "2")}, "10");
  Start();
  informer_->AddEventHandler(recorder_.Handler());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  // While the watch is broken, "gone" is deleted and "keep" changes; the server then says 410.
  lw_.SetObjects({MakePod("ns", "keep", "5")}, "20");
  lw_.Send({WatchEventType::kError, {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}}});
  ElapseBackoff();
  std::vector<std::string> events = recorder_.WaitFor(4);
  EXPECT_THAT(std::vector<std::string>(events.begin() + 2, events.end()),
              UnorderedElementsAre("update ns/keep@1->5", "delete ns/gone@2 tombstone"));
  EXPECT_EQ(informer_->indexer().Get("ns/gone"), nullptr);
}

TEST_F(SharedInformerTest, PredicatesFilterEachHandlerSeparately) {
  lw_.SetObjects({MakePod(PodSpec{.ns = "ns", .name = "a", .rv = "1", .generation = 1})}, "10");
  Start();
  Recorder spec_only;
  informer_->AddEventHandler(recorder_.Handler());
  informer_->AddEventHandler(spec_only.Handler(), GenerationChanged());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  // A status write (same generation), then a spec write (generation 2).
  lw_.Send(Event(WatchEventType::kModified,
                 MakePod(PodSpec{.ns = "ns", .name = "a", .rv = "2", .generation = 1})));
  lw_.Send(Event(WatchEventType::kModified,
                 MakePod(PodSpec{.ns = "ns", .name = "a", .rv = "3", .generation = 2})));
  EXPECT_THAT(spec_only.WaitFor(2), ElementsAre("add ns/a@1", "update ns/a@2->3"));
  EXPECT_THAT(recorder_.WaitFor(3),
              ElementsAre("add ns/a@1", "update ns/a@1->2", "update ns/a@2->3"));
}

TEST_F(SharedInformerTest, ResyncReplaysCachedObjectsAsUpdatesOnTheClock) {
  lw_.SetObjects({MakePod("ns", "a", "1")}, "10");
  InformerOptions options;
  options.resync_period = hours(10);
  Start(std::move(options));
  Recorder changes_only;
  informer_->AddEventHandler(recorder_.Handler());
  informer_->AddEventHandler(changes_only.Handler(), ResourceVersionChanged());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  clock_.Advance(hours(9));
  lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "b", "11")));
  ASSERT_EQ(recorder_.WaitFor(2).size(), 2u);
  clock_.Advance(hours(1));
  EXPECT_THAT(recorder_.WaitFor(4), UnorderedElementsAre("add ns/a@1", "add ns/b@11",
                                                         "update ns/a@1->1", "update ns/b@11->11"));
  // The resync is invisible to a handler filtering on resourceVersion changes.
  lw_.Send(Event(WatchEventType::kModified, MakePod("ns", "b", "12")));
  EXPECT_THAT(changes_only.WaitFor(3),
              ElementsAre("add ns/a@1", "add ns/b@11", "update ns/b@11->12"));
}

TEST_F(SharedInformerTest, HandlerAddedLateFirstReceivesTheCachedStateAsAdds) {
  lw_.SetObjects({MakePod("ns", "a", "1"), MakePod("ns", "b", "2")}, "10");
  Start();
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  informer_->AddEventHandler(recorder_.Handler());
  lw_.Send(Event(WatchEventType::kModified, MakePod("ns", "a", "3")));
  std::vector<std::string> events = recorder_.WaitFor(3);
  EXPECT_THAT(std::vector<std::string>(events.begin(), events.begin() + 2),
              UnorderedElementsAre("add ns/a@1", "add ns/b@2"));
  EXPECT_EQ(events[2], "update ns/a@1->3");
}

TEST_F(SharedInformerTest, CacheIsQueryableByIndex) {
  lw_.SetObjects({MakePod(PodSpec{.ns = "n1", .name = "a", .owner_uids = {"u"}}),
                  MakePod(PodSpec{.ns = "n2", .name = "b"})},
                 "10");
  InformerOptions options;
  options.indexers.emplace(std::string(kOwnerUidIndex), IndexByOwnerUid);
  Start(std::move(options));
  RunAndSync();
  EXPECT_EQ(informer_->indexer().ByIndex(kNamespaceIndex, "n2")->size(), 1u);
  EXPECT_EQ(informer_->indexer().ByIndex(kOwnerUidIndex, "u")->size(), 1u);
}

TEST_F(SharedInformerTest, RemovedHandlerGetsNoFurtherEvents) {
  lw_.SetObjects({}, "10");
  Start();
  Recorder removed;
  SharedInformer::HandlerId id = informer_->AddEventHandler(removed.Handler());
  informer_->AddEventHandler(recorder_.Handler());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  informer_->RemoveEventHandler(id);
  lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "a", "11")));
  ASSERT_EQ(recorder_.WaitFor(1).size(), 1u);
  informer_->Stop();
  EXPECT_TRUE(removed.events().empty());
}

TEST_F(SharedInformerTest, WithoutABatchWindowEventsStillArriveInOrder) {
  lw_.SetObjects({}, "10");
  InformerOptions options;
  options.batch_window = std::chrono::microseconds(0);
  Start(std::move(options));
  informer_->AddEventHandler(recorder_.Handler());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "a", "11")));
  lw_.Send(Event(WatchEventType::kModified, MakePod("ns", "a", "12")));
  lw_.Send(Event(WatchEventType::kDeleted, MakePod("ns", "a", "13")));
  EXPECT_THAT(recorder_.WaitFor(3),
              ElementsAre("add ns/a@11", "update ns/a@11->12", "delete ns/a@13"));
}

TEST_F(SharedInformerTest, EventsQueuedWhileAHandlerIsBusyArriveOnceAndInOrder) {
  lw_.SetObjects({}, "10");
  Start();
  Gate gate;
  informer_->AddEventHandler(GatedHandler(recorder_, {{"first", &gate}}));
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "first", "11")));
  ASSERT_TRUE(gate.WaitEntered());
  std::vector<std::string> expected = {"add ns/first@11"};
  for (int i = 0; i < 200; ++i) {
    const std::string rv = std::to_string(12 + i);
    lw_.Send(Event(WatchEventType::kModified, MakePod("ns", "first", rv)));
    expected.push_back("update ns/first@" + std::to_string(11 + i) + "->" + rv);
  }
  gate.Open();
  EXPECT_EQ(recorder_.WaitFor(expected.size()), expected);
  informer_->Stop();
  EXPECT_EQ(recorder_.events().size(), expected.size());
}

TEST_F(SharedInformerTest, HandlerRemovedInTheMiddleOfABatchMissesTheRestOfIt) {
  lw_.SetObjects({}, "10");
  Start();
  Gate hold, mid;
  Recorder removed;
  informer_->AddEventHandler(GatedHandler(recorder_, {{"first", &hold}, {"mid", &mid}}));
  SharedInformer::HandlerId id = informer_->AddEventHandler(removed.Handler());
  RunAndSync();
  ASSERT_TRUE(lw_.WaitForWatches(1));
  lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", "first", "11")));
  ASSERT_TRUE(hold.WaitEntered());
  // Queued behind the held event, so the dispatch thread takes them as one batch.
  for (const char* name : {"a", "mid", "b", "c"}) {
    lw_.Send(Event(WatchEventType::kAdded, MakePod("ns", name, "12")));
  }
  hold.Open();
  ASSERT_TRUE(mid.WaitEntered());
  informer_->RemoveEventHandler(id);
  mid.Open();
  ASSERT_EQ(recorder_.WaitFor(5).size(), 5u);
  informer_->Stop();
  EXPECT_THAT(removed.events(), ElementsAre("add ns/first@11", "add ns/a@12", "add ns/mid@12"));
}

}  // namespace
}  // namespace osbx::kube
