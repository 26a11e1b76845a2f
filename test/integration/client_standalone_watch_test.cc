// Watches and informers of the REST client against the real standalone API server over HTTPS:
// ordered ADDED/MODIFIED/DELETED from a list's resourceVersion, bookmarks on request, resume from
// the last resourceVersion, 410 Gone once the server's history no longer reaches back (and the
// informer's relist that follows), and the client-side QPS limiter never holding back a watch.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>

#include "pkg/kube/cache/shared_informer.h"
#include "test/integration/standalone_harness.h"

namespace osbx::integration {
namespace {

using kube::WatchEvent;
using kube::WatchEventType;
using ::testing::ElementsAre;

int64_t RvNumber(const Json& object) { return std::stoll(ResourceVersionOf(object)); }

std::vector<WatchEventType> TypesOf(const std::vector<WatchEvent>& events) {
  std::vector<WatchEventType> types;
  for (const WatchEvent& e : events) types.push_back(e.type);
  return types;
}

kube::ListOptions WatchFrom(std::string rv, bool bookmarks = false) {
  kube::ListOptions options;
  options.resource_version = std::move(rv);
  options.allow_watch_bookmarks = bookmarks;
  return options;
}

class ClientStandaloneWatchTest : public ::testing::Test {
 protected:
  // Starts the server with `options` (history size, bookmark interval) and an unthrottled client.
  void Start(standalone::StandaloneOptions options = {}) {
    harness_ = std::make_unique<StandaloneHarness>(std::move(options));
    Status started = harness_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = harness_->NewClient();
    ASSERT_NE(client_, nullptr);
  }

  std::string CurrentPoolsRv() {
    StatusOr<kube::ListResult> list = client_->List(Pools(), kNamespace, {});
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? list->resource_version : "";
  }

  void CreatePool(const std::string& name) {
    StatusOr<Json> created = client_->Create(Pools(), kNamespace, PoolObject(name));
    ASSERT_TRUE(created.ok()) << name << ": " << created.status().ToString();
  }

  std::unique_ptr<StandaloneHarness> harness_;
  std::unique_ptr<kube::RestClient> client_;
};

TEST_F(ClientStandaloneWatchTest, WatchFromListRvDeliversAddedModifiedDeletedInOrder) {
  Start();
  CreatePool("before");
  std::string rv = CurrentPoolsRv();
  WatchRecorder recorder;
  auto watch = client_->Watch(Pools(), kNamespace, WatchFrom(rv), recorder.Callbacks());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();

  CreatePool("w");
  ASSERT_TRUE(client_
                  ->Patch(Pools(), kNamespace, "w", kube::PatchType::kMerge,
                          R"({"metadata":{"labels":{"step":"2"}}})")
                  .ok());
  ASSERT_TRUE(client_->Delete(Pools(), kNamespace, "w").ok());
  ASSERT_TRUE(recorder.WaitForObjectEvents(3));

  std::vector<WatchEvent> events = recorder.ObjectEvents();
  EXPECT_THAT(TypesOf(events), ElementsAre(WatchEventType::kAdded, WatchEventType::kModified,
                                           WatchEventType::kDeleted));
  for (const WatchEvent& e : events) EXPECT_EQ(NameOf(e.object), "w");  // not "before"
  EXPECT_EQ(events[1].object["metadata"]["labels"]["step"], "2");
  EXPECT_GT(RvNumber(events[0].object), std::stoll(rv));
  EXPECT_LT(RvNumber(events[0].object), RvNumber(events[1].object));
  EXPECT_LT(RvNumber(events[1].object), RvNumber(events[2].object));
  (*watch)->Stop();
}

TEST_F(ClientStandaloneWatchTest, BookmarksArriveOnlyWhenRequested) {
  standalone::StandaloneOptions options;
  options.bookmark_interval = std::chrono::milliseconds(20);
  Start(options);
  std::string rv = CurrentPoolsRv();
  WatchRecorder plain;
  auto plain_watch = client_->Watch(Pools(), kNamespace, WatchFrom(rv), plain.Callbacks());
  ASSERT_TRUE(plain_watch.ok());
  WatchRecorder marked;
  auto marked_watch = client_->Watch(Pools(), kNamespace, WatchFrom(rv, true), marked.Callbacks());
  ASSERT_TRUE(marked_watch.ok());

  ASSERT_TRUE(marked.WaitFor([](const std::vector<WatchEvent>& events) {
    return std::count_if(events.begin(), events.end(), [](const WatchEvent& e) {
             return e.type == WatchEventType::kBookmark;
           }) >= 2;
  }));
  const WatchEvent bookmark = marked.Events().front();
  EXPECT_EQ(bookmark.object["kind"], "Pool");
  EXPECT_GE(RvNumber(bookmark.object), std::stoll(rv));

  // A write reaches both streams; by then the unmarked one has had every chance to get one.
  CreatePool("after-bookmarks");
  ASSERT_TRUE(plain.WaitForObjectEvents(1));
  ASSERT_TRUE(marked.WaitForObjectEvents(1));
  EXPECT_THAT(TypesOf(plain.Events()), ElementsAre(WatchEventType::kAdded));
}

TEST_F(ClientStandaloneWatchTest, InitialEventsEndWithAnAnnotatedBookmark) {
  Start();
  CreatePool("a");
  CreatePool("b");
  kube::ListOptions options;
  options.send_initial_events = true;
  options.allow_watch_bookmarks = true;
  options.resource_version_match = "NotOlderThan";
  WatchRecorder recorder;
  auto watch = client_->Watch(Pools(), kNamespace, options, recorder.Callbacks());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  ASSERT_TRUE(
      recorder.WaitFor([](const std::vector<WatchEvent>& events) { return events.size() >= 3; }));
  std::vector<WatchEvent> events = recorder.Events();
  EXPECT_THAT(TypesOf(events), ElementsAre(WatchEventType::kAdded, WatchEventType::kAdded,
                                           WatchEventType::kBookmark));
  EXPECT_EQ(events[2].object["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
}

TEST_F(ClientStandaloneWatchTest, WatchResumesFromTheLastRvWithoutGapsOrRepeats) {
  Start();
  std::string rv = CurrentPoolsRv();
  WatchRecorder first;
  auto first_watch = client_->Watch(Pools(), kNamespace, WatchFrom(rv), first.Callbacks());
  ASSERT_TRUE(first_watch.ok());
  CreatePool("a");
  CreatePool("b");
  ASSERT_TRUE(first.WaitForObjectEvents(2));
  (*first_watch)->Stop();
  std::string last_rv = ResourceVersionOf(first.ObjectEvents().back().object);

  // Changes made while nobody watches.
  CreatePool("c");
  ASSERT_TRUE(client_
                  ->Patch(Pools(), kNamespace, "a", kube::PatchType::kMerge,
                          R"({"metadata":{"labels":{"x":"y"}}})")
                  .ok());

  WatchRecorder second;
  auto second_watch = client_->Watch(Pools(), kNamespace, WatchFrom(last_rv), second.Callbacks());
  ASSERT_TRUE(second_watch.ok());
  CreatePool("d");  // a marker: once it arrives, everything before it has arrived too
  ASSERT_TRUE(second.WaitFor([](const std::vector<WatchEvent>& events) {
    return !events.empty() && NameOf(events.back().object) == "d";
  }));
  std::vector<std::pair<WatchEventType, std::string>> seen;
  for (const WatchEvent& e : second.ObjectEvents()) seen.emplace_back(e.type, NameOf(e.object));
  EXPECT_THAT(seen, ElementsAre(std::pair(WatchEventType::kAdded, std::string("c")),
                                std::pair(WatchEventType::kModified, std::string("a")),
                                std::pair(WatchEventType::kAdded, std::string("d"))));
}

TEST_F(ClientStandaloneWatchTest, LabelSelectedWatchSeesObjectsEnterAndLeaveTheSelection) {
  Start();
  std::string rv = CurrentPoolsRv();
  kube::ListOptions options = WatchFrom(rv);
  options.label_selector = "tier=gold";
  WatchRecorder recorder;
  auto watch = client_->Watch(Pools(), kNamespace, options, recorder.Callbacks());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();

  CreatePool("plain");
  Json gold = PoolObject("gold");
  gold["metadata"]["labels"] = {{"tier", "gold"}};
  ASSERT_TRUE(client_->Create(Pools(), kNamespace, gold).ok());
  ASSERT_TRUE(client_
                  ->Patch(Pools(), kNamespace, "gold", kube::PatchType::kMerge,
                          R"({"metadata":{"labels":{"tier":"silver"}}})")
                  .ok());
  ASSERT_TRUE(client_
                  ->Patch(Pools(), kNamespace, "plain", kube::PatchType::kMerge,
                          R"({"metadata":{"labels":{"tier":"gold"}}})")
                  .ok());
  ASSERT_TRUE(recorder.WaitForObjectEvents(3));
  std::vector<std::pair<WatchEventType, std::string>> seen;
  for (const WatchEvent& e : recorder.ObjectEvents()) seen.emplace_back(e.type, NameOf(e.object));
  // Leaving the selection reads as DELETED, entering it as ADDED (kube-apiserver's rule).
  EXPECT_THAT(seen, ElementsAre(std::pair(WatchEventType::kAdded, std::string("gold")),
                                std::pair(WatchEventType::kDeleted, std::string("gold")),
                                std::pair(WatchEventType::kAdded, std::string("plain"))));
}

// A server that keeps only a few events of history.
standalone::StandaloneOptions ShortHistory(size_t events) {
  standalone::StandaloneOptions options;
  options.store.history_max_events = events;
  return options;
}

TEST_F(ClientStandaloneWatchTest, WatchFromCompactedRvEndsWithGone) {
  Start(ShortHistory(4));
  CreatePool("first");
  std::string old_rv = CurrentPoolsRv();
  for (int i = 0; i < 10; ++i) CreatePool("later-" + std::to_string(i));

  WatchRecorder recorder;
  auto watch = client_->Watch(Pools(), kNamespace, WatchFrom(old_rv), recorder.Callbacks());
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  std::optional<Status> closed = recorder.WaitClosed();
  ASSERT_TRUE(closed.has_value());
  EXPECT_TRUE(closed->IsGone()) << closed->ToString();
  std::vector<WatchEvent> events = recorder.Events();
  ASSERT_THAT(TypesOf(events), ElementsAre(WatchEventType::kError));
  EXPECT_EQ(events[0].object["code"], 410);
  EXPECT_EQ(events[0].object["reason"], "Expired");

  // A list at that exact version is gone as well; a fresh list is not.
  kube::ListOptions exact;
  exact.resource_version = old_rv;
  exact.resource_version_match = "Exact";
  StatusOr<kube::ListResult> old_list = client_->List(Pools(), kNamespace, exact);
  EXPECT_EQ(old_list.status().code(), StatusCode::kGone) << old_list.status().ToString();
  StatusOr<kube::ListResult> fresh = client_->List(Pools(), kNamespace, {});
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->items.size(), 11u);
}

TEST_F(ClientStandaloneWatchTest, ContinueTokenOfACompactedSnapshotIsGone) {
  Start(ShortHistory(4));
  for (int i = 0; i < 3; ++i) CreatePool("page-" + std::to_string(i));
  kube::ListOptions options;
  options.limit = 1;
  StatusOr<kube::ListResult> first = client_->List(Pools(), kNamespace, options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_FALSE(first->continue_token.empty());
  for (int i = 0; i < 10; ++i) CreatePool("later-" + std::to_string(i));

  options.continue_token = first->continue_token;
  StatusOr<kube::ListResult> next = client_->List(Pools(), kNamespace, options);
  EXPECT_EQ(next.status().code(), StatusCode::kGone) << next.status().ToString();
  // ListAll starts over with one unpaged list instead of failing.
  kube::ListOptions paged;
  paged.limit = 1;
  StatusOr<kube::ListResult> all = client_->ListAll(Pools(), kNamespace, paged);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->items.size(), 13u);
}

// kube-apiserver reads a list with `limit` at a non-zero resourceVersion and no
// resourceVersionMatch as an exact read (the legacy rule, kept for compatibility): the snapshot at
// that version while it is in history, 410 Gone once compacted. A reflector's relist after a 410
// watch relies on the Gone to fall back to a consistent read.
TEST_F(ClientStandaloneWatchTest, PagedListAtAnOldRvIsAnExactRead) {
  Start(ShortHistory(4));
  CreatePool("first");
  std::string old_rv = CurrentPoolsRv();
  CreatePool("second");
  kube::ListOptions paged;
  paged.resource_version = old_rv;
  paged.limit = 500;
  StatusOr<kube::ListResult> snapshot = client_->List(Pools(), kNamespace, paged);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->resource_version, old_rv);
  EXPECT_EQ(snapshot->items.size(), 1u);

  for (int i = 0; i < 10; ++i) CreatePool("later-" + std::to_string(i));
  StatusOr<kube::ListResult> compacted = client_->List(Pools(), kNamespace, paged);
  EXPECT_EQ(compacted.status().code(), StatusCode::kGone) << compacted.status().ToString();
}

// ---- informers -----------------------------------------------------------------------------

// What an informer's handler saw, with waits on its cache.
class InformerProbe {
 public:
  kube::EventHandler Handler() {
    kube::EventHandler handler;
    handler.on_add = [this](const kube::ObjectPtr& obj) { Note("add", *obj, false); };
    handler.on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr& obj) {
      Note("update", *obj, false);
    };
    handler.on_delete = [this](const kube::ObjectPtr& obj, bool unknown) {
      Note("delete", *obj, unknown);
    };
    return handler;
  }

  // Waits until every one of `entries` ("add c", "delete b (tombstone)") has been handled. The
  // cache is updated before handlers run, so it reflects at least what the handlers saw.
  bool WaitForEntries(const std::vector<std::string>& entries) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWaitLimit, [&] {
      return std::all_of(entries.begin(), entries.end(), [&](const std::string& entry) {
        return std::find(log_.begin(), log_.end(), entry) != log_.end();
      });
    });
  }
  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  void Note(const char* what, const Json& obj, bool unknown) {
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(std::string(what) + " " + NameOf(obj) + (unknown ? " (tombstone)" : ""));
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> log_;  // guarded by mu_
};

Clock::TimePoint Deadline() { return RealClock::Get().Now() + kWaitLimit; }

TEST_F(ClientStandaloneWatchTest, InformerSyncsThenFollowsCreatesUpdatesAndDeletes) {
  Start();
  CreatePool("a");
  CreatePool("b");
  std::unique_ptr<kube::ListerWatcher> lw = client_->NewListerWatcher(Pools(), kNamespace);
  kube::SharedInformer informer(*lw, RealClock::Get());
  InformerProbe probe;
  informer.AddEventHandler(probe.Handler());
  informer.Run();
  ASSERT_TRUE(informer.WaitForSync(Deadline()));
  EXPECT_EQ(informer.indexer().Size(), 2u);
  EXPECT_NE(informer.indexer().Get("default/a"), nullptr);

  CreatePool("c");
  ASSERT_TRUE(client_
                  ->Patch(Pools(), kNamespace, "a", kube::PatchType::kMerge,
                          R"({"spec":{"capacitySpec":{"bufferMax":4}}})")
                  .ok());
  ASSERT_TRUE(client_->Delete(Pools(), kNamespace, "b").ok());
  ASSERT_TRUE(probe.WaitForEntries({"add c", "update a", "delete b"}))
      << ::testing::PrintToString(probe.Log());
  const kube::Indexer& cache = informer.indexer();
  kube::ObjectPtr a = cache.Get("default/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((*a)["spec"]["capacitySpec"]["bufferMax"], 4);
  EXPECT_NE(cache.Get("default/c"), nullptr);
  EXPECT_EQ(cache.Get("default/b"), nullptr);
  informer.Stop();
}

// Passes calls to a real ListerWatcher, counting lists and holding the second watch back until
// released, so a test can change the server while the informer is between two watches.
class GatedListerWatcher final : public kube::ListerWatcher {
 public:
  explicit GatedListerWatcher(std::unique_ptr<kube::ListerWatcher> inner)
      : inner_(std::move(inner)) {}
  ~GatedListerWatcher() override { Release(); }

  StatusOr<kube::ListResult> List(const kube::ListOptions& options) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++lists_;
    }
    return inner_->List(options);
  }

  StatusOr<std::unique_ptr<kube::WatchHandle>> Watch(const kube::ListOptions& options,
                                                     kube::WatchCallbacks callbacks) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (++watches_ == 2) {
        held_rv_ = options.resource_version;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
      }
    }
    return inner_->Watch(options, std::move(callbacks));
  }

  // Waits until the second watch is being held; returns the resourceVersion it asks for.
  std::optional<std::string> WaitHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, kWaitLimit, [&] { return watches_ >= 2; })) return std::nullopt;
    return held_rv_;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int lists() {
    std::lock_guard<std::mutex> lock(mu_);
    return lists_;
  }

 private:
  std::unique_ptr<kube::ListerWatcher> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int lists_ = 0;          // guarded by mu_
  int watches_ = 0;        // guarded by mu_
  bool released_ = false;  // guarded by mu_
  std::string held_rv_;    // guarded by mu_
};

TEST_F(ClientStandaloneWatchTest, InformerRelistsWhenItsResumeRvWasCompacted) {
  Start(ShortHistory(4));
  CreatePool("victim");
  CreatePool("survivor");
  GatedListerWatcher lw(client_->NewListerWatcher(Pools(), kNamespace));
  kube::InformerOptions options;
  // The server ends each watch after one second; the reflector then watches again from its RV.
  options.reflector.min_watch_timeout = std::chrono::seconds(1);
  options.reflector.max_watch_timeout = std::chrono::seconds(1);
  options.reflector.backoff_initial = std::chrono::milliseconds(10);
  kube::SharedInformer informer(lw, RealClock::Get(), options);
  // Destroyed before the informer: a failing assertion must not leave its thread in the gate.
  struct ReleaseOnExit {
    GatedListerWatcher& gate;
    ~ReleaseOnExit() { gate.Release(); }
  } release_on_exit{lw};
  InformerProbe probe;
  informer.AddEventHandler(probe.Handler());
  informer.Run();
  ASSERT_TRUE(informer.WaitForSync(Deadline()));
  std::optional<std::string> resume_rv = lw.WaitHeld();
  ASSERT_TRUE(resume_rv.has_value());

  // While the informer is between watches: more writes than the server keeps history for.
  ASSERT_TRUE(client_->Delete(Pools(), kNamespace, "victim").ok());
  for (int i = 0; i < 8; ++i) CreatePool("new-" + std::to_string(i));
  lw.Release();

  // The delete happened out of sight: handlers learn of it from the relist, as a tombstone.
  std::vector<std::string> expected = {"delete victim (tombstone)"};
  for (int i = 0; i < 8; ++i) expected.push_back("add new-" + std::to_string(i));
  ASSERT_TRUE(probe.WaitForEntries(expected)) << ::testing::PrintToString(probe.Log());
  const kube::Indexer& cache = informer.indexer();
  EXPECT_EQ(cache.Size(), 9u);
  EXPECT_EQ(cache.Get("default/victim"), nullptr);
  EXPECT_GE(lw.lists(), 2);  // the first list and the relist after 410 Gone
  informer.Stop();
}

// ---- client-side limiter -------------------------------------------------------------------

TEST_F(ClientStandaloneWatchTest, QpsLimiterHoldsUnaryCallsButNeverWatches) {
  Start();
  FakeClock clock;  // never advanced until the end: a throttled call cannot proceed before
  kube::RestClientOptions options;
  options.clock = &clock;
  std::unique_ptr<kube::RestClient> throttled = harness_->NewClient(1, 1, options);
  ASSERT_NE(throttled, nullptr);
  StatusOr<kube::ListResult> list = throttled->List(Pools(), kNamespace, {});  // the only token
  ASSERT_TRUE(list.ok()) << list.status().ToString();

  // Three watches open and deliver although the bucket is empty.
  std::vector<std::unique_ptr<WatchRecorder>> recorders;
  std::vector<std::unique_ptr<kube::WatchHandle>> watches;
  auto opened = std::async(std::launch::async, [&] {
    for (int i = 0; i < 3; ++i) {
      recorders.push_back(std::make_unique<WatchRecorder>());
      auto watch = throttled->Watch(Pools(), kNamespace, WatchFrom(list->resource_version),
                                    recorders.back()->Callbacks());
      if (!watch.ok()) return watch.status();
      watches.push_back(std::move(*watch));
    }
    return Status::Ok();
  });
  bool watches_opened = opened.wait_for(kWaitLimit) == std::future_status::ready;
  if (!watches_opened) clock.Advance(std::chrono::hours(1));  // unblock before failing
  ASSERT_TRUE(watches_opened) << "a watch waited for the client-side limiter";
  ASSERT_TRUE(opened.get().ok());
  CreatePool("seen-by-all");
  for (auto& recorder : recorders) ASSERT_TRUE(recorder->WaitForObjectEvents(1));

  // A unary call, by contrast, waits for the next token on the client's clock.
  auto get = std::async(std::launch::async,
                        [&] { return throttled->Get(Pools(), kNamespace, "seen-by-all"); });
  EXPECT_EQ(get.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "a unary call went through an empty bucket";
  clock.Advance(std::chrono::seconds(1));
  StatusOr<Json> got = get.get();
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  for (auto& watch : watches) watch->Stop();
}

}  // namespace
}  // namespace osbx::integration
