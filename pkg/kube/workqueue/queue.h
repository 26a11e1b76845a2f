#pragma once
// WorkQueue: the de-duplicating, delaying queue of object keys ("ns/name") that feeds a
// controller's workers, with client-go's workqueue semantics:
//   - a key is queued at most once, however often it is added before a worker takes it;
//   - a key is never handed to two workers at once: while a worker holds it (between Get and
//     Done), adding it again only marks it dirty, and Done puts it back in the queue, so every
//     change seen during processing is processed again afterwards;
//   - AddAfter(key, d) makes the key ready once the injected Clock reaches now + d; a key waiting
//     twice keeps its earlier deadline.
// Delayed keys live in a min-heap and are moved into the queue by the next call that looks at
// the queue (Get, Len) once their deadline has passed; a blocked Get sleeps until the earliest
// deadline on the Clock, so no timer thread exists.
//
// Thread-safe. Metrics hooks may be called with the queue's lock held and must not call back.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "internal/utils/clock.h"
#include "pkg/kube/workqueue/metrics.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

class WorkQueue {
 public:
  using Duration = Clock::Duration;
  using TimePoint = Clock::TimePoint;

  struct Options {
    // Drives AddAfter deadlines and metric durations; RealClock::Get() when null.
    const Clock* clock = nullptr;
    // Optional observer; not owned, must outlive the queue.
    WorkQueueMetrics* metrics = nullptr;
  };

  WorkQueue() : WorkQueue(Options{}) {}
  explicit WorkQueue(Options options);
  // Shuts the queue down (without draining) if that has not happened yet.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already queued; if a worker holds it, it is queued again when the
  // worker calls Done. Ignored after shutdown.
  void Add(std::string_view key) OSBX_EXCLUDES(mu_);
  // Adds `key` once `delay` has passed on the clock (at once if delay <= 0).
  void AddAfter(std::string_view key, Duration delay) OSBX_EXCLUDES(mu_);
  // Blocks until a key is ready and hands it to the caller, who must call Done(key) when
  // finished. Returns nullopt once the queue is shut down and holds no ready key.
  [[nodiscard]] std::optional<std::string> Get() OSBX_EXCLUDES(mu_);
  // Ends the processing of a key returned by Get.
  void Done(std::string_view key) OSBX_EXCLUDES(mu_);
  // Number of ready keys waiting for a worker (not counting delayed or in-flight keys).
  size_t Len() OSBX_EXCLUDES(mu_);
  // Stops accepting keys and wakes every blocked Get; delayed keys are dropped.
  void ShutDown() OSBX_EXCLUDES(mu_);
  // ShutDown, then blocks until every key handed out by Get has been marked Done.
  void ShutDownWithDrain() OSBX_EXCLUDES(mu_);
  bool ShuttingDown() const OSBX_EXCLUDES(mu_);
  // Reports in-flight processing time to the metrics observer; the runtime calls it periodically
  // (client-go does so every 500 ms).
  void ReportUnfinishedWork() OSBX_EXCLUDES(mu_);

  const Clock& clock() const { return clock_; }

 protected:
  WorkQueueMetrics* metrics() const { return metrics_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // State of a known key. A key is in queue_ exactly when dirty && !processing; it is erased
  // from items_ when it is neither.
  struct Item {
    bool dirty = false;
    bool processing = false;
    TimePoint ready_at;    // when it became ready (metrics only)
    TimePoint started_at;  // when a worker took it (metrics only)
  };
  using Items = std::unordered_map<std::string, Item, StringHash, std::equal_to<>>;
  // A delayed key. Entries whose deadline no longer matches waiting_ are stale and skipped.
  struct Waiting {
    TimePoint at;
    std::string key;
  };

  void AddLocked(std::string_view key, TimePoint ready_at) OSBX_REQUIRES(mu_);
  void PromoteDueLocked() OSBX_REQUIRES(mu_);
  TimePoint MetricsNow() const;
  void ShutDownLocked() OSBX_REQUIRES(mu_);

  const Clock& clock_;
  WorkQueueMetrics* const metrics_;

  mutable Mutex mu_;
  // Signalled when a key becomes ready, an earlier deadline appears, or on shutdown.
  std::condition_variable ready_cv_;
  // Signalled when the last in-flight key is Done during a drain.
  std::condition_variable drained_cv_;
  Items items_ OSBX_GUARDED_BY(mu_);
  // Ready keys in FIFO order; points into items_ (node addresses are stable).
  std::deque<Items::value_type*> queue_ OSBX_GUARDED_BY(mu_);
  // Min-heap on `at` of delayed keys, and each delayed key's current (earliest) deadline.
  std::vector<Waiting> heap_ OSBX_GUARDED_BY(mu_);
  std::unordered_map<std::string, TimePoint, StringHash, std::equal_to<>> waiting_
      OSBX_GUARDED_BY(mu_);
  size_t processing_count_ OSBX_GUARDED_BY(mu_) = 0;
  bool shutting_down_ OSBX_GUARDED_BY(mu_) = false;
};

}  // namespace osbx::kube
