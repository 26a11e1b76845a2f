#pragma once
// Reflector: keeps a ReflectorSink in step with the API through a ListerWatcher, following
// client-go's reflector:
//   - a paged LIST (limit 500) replaces the sink's whole state; the first one reads from the
//     watch cache (resourceVersion "0"), later ones from the last synced resourceVersion, and a
//     LIST answered 410 Gone is retried at once as a consistent read (resourceVersion "");
//   - then a WATCH from the list's resourceVersion with allowWatchBookmarks and a random
//     timeoutSeconds in [5, 10] min; every event (bookmarks included) advances the resume point;
//   - when the server ends a watch normally, it re-watches at once from the last resourceVersion;
//     on 410 Gone (HTTP, or an in-stream ERROR event with code 410) it relists;
//   - every failure waits an exponential backoff with jitter (800 ms doubling to 30 s, back to
//     800 ms after 2 min without failures) on the injected Clock.
//
// Threading: Run() starts one thread for lists and the watch lifecycle. Sink calls come from
// that thread (Replace) and from the ListerWatcher's delivery thread (Apply); they never overlap,
// because each watch is stopped before the next list or watch starts.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/resource.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

// Where a reflector delivers what it learns.
class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // Called for each listed object as its page arrives, before the list is complete: a sink that
  // trims what it caches does it here, so a long list never holds every object untrimmed.
  virtual void PrepareListed(Json& /*item*/) {}
  // The complete current state, from a (re)list (each item through PrepareListed); objects not
  // in `items` no longer exist.
  virtual void Replace(std::vector<Json> items, const std::string& resource_version) = 0;
  // One ADDED, MODIFIED or DELETED watch event.
  virtual void Apply(WatchEventType type, Json object) = 0;
};

struct ReflectorOptions {
  using Duration = Clock::Duration;

  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;
  Duration min_watch_timeout = std::chrono::minutes(5);
  Duration max_watch_timeout = std::chrono::minutes(10);
  Duration backoff_initial = std::chrono::milliseconds(800);
  Duration backoff_max = std::chrono::seconds(30);
  // A failure this long after the previous one starts the backoff over.
  Duration backoff_reset = std::chrono::minutes(2);
  // Uniform in [0, 1]: jitter and watch timeouts. A seeded generator when unset.
  std::function<double()> random;
  // Observes each backoff wait before it starts (for metrics, logs and tests).
  std::function<void(Duration wait, const Status& cause)> on_backoff;
  // Decoders for the bytes of list answers and watch streams, offered to the ListerWatcher
  // (ListerWatcher::UseDecoder): a ListerWatcher that decodes bytes then builds every object with
  // them, on its own threads. Unset: the ListerWatcher's own decoding.
  ObjectDecoderFactory decoder;
  // The first list is not sent before this time, and reads the current state consistently
  // (resourceVersion "") instead of whatever the server's cache holds ("0"). For a cache that
  // must reflect every write that reached the server before a given moment (the allocation
  // ledger's rebuild after a restart: see internal/controller/allocations.h).
  Clock::TimePoint first_list_at{};
  bool consistent_first_list = false;
};

class Reflector {
 public:
  using Duration = Clock::Duration;

  // `lw`, `sink` and `clock` are borrowed and must outlive the reflector.
  Reflector(ListerWatcher& lw, ReflectorSink& sink, const Clock& clock,
            ReflectorOptions options = {});
  // Stops if running.
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  // Starts the list/watch thread. Call once.
  void Run() OSBX_EXCLUDES(mu_);
  // Ends the current watch and joins the thread; no sink call happens after it returns.
  void Stop() OSBX_EXCLUDES(mu_);
  // The resourceVersion the sink is known to be consistent with ("" before the first list).
  std::string LastSyncResourceVersion() const OSBX_EXCLUDES(mu_);
  // Whether the ListerWatcher builds objects with ReflectorOptions::decoder (false when no
  // decoder was given or the ListerWatcher does not decode bytes).
  bool decoder_in_use() const { return decoder_in_use_; }

 private:
  // Shared with the callbacks of one watch, which may outlive the reflector's interest in it.
  struct WatchSession;

  void Loop();
  Status ListAndReplace() OSBX_EXCLUDES(mu_);
  Status ListPages(const std::string& resource_version, std::vector<Json>& items,
                   std::string& list_rv);
  Status WatchOnce() OSBX_EXCLUDES(mu_);
  void HandleEvent(WatchSession& session, WatchEvent&& event) OSBX_EXCLUDES(mu_);
  void Backoff(const Status& cause) OSBX_EXCLUDES(mu_);
  // Sleeps until `deadline` or Stop; false when stopped.
  bool SleepUntil(Clock::TimePoint deadline) OSBX_EXCLUDES(mu_);
  ListOptions WatchOptions() OSBX_EXCLUDES(mu_);
  double Random();
  bool Stopping() const OSBX_EXCLUDES(mu_);

  ListerWatcher& lw_;
  ReflectorSink& sink_;
  const Clock& clock_;
  const ReflectorOptions options_;
  const bool decoder_in_use_;
  std::thread thread_;

  mutable Mutex mu_;
  // Signalled on Stop and when a watch ends.
  std::condition_variable cv_;
  bool stopping_ OSBX_GUARDED_BY(mu_) = false;
  std::string last_sync_rv_ OSBX_GUARDED_BY(mu_);
  // Set when a LIST at last_sync_rv_ was answered 410: the next list reads consistently ("").
  bool last_rv_unavailable_ OSBX_GUARDED_BY(mu_) = false;
  // Backoff state; touched only by the reflector thread.
  int backoff_attempt_ = 0;
  Clock::TimePoint last_backoff_at_{};
  // Default random source; touched only by the reflector thread.
  std::mt19937_64 rng_;
};

}  // namespace osbx::kube
