#pragma once
// Controller: runs a Reconciler on N worker threads over a rate-limited work queue, fed by
// informer event handlers (controller-runtime's internal controller + builder).
//
// Watches (register before Start):
//   For(informer)           the primary type: an event enqueues the object itself;
//   Owns(informer)          a dependent type: an event enqueues the object's *controller* owner
//                           when that owner is of the For kind (EnqueueRequestForOwner with
//                           OnlyControllerOwner);
//   Watches(informer, map)  anything else: `map` turns an object into requests.
// Handlers run on the informers' dispatch threads and only add keys to the queue.
//
// Each key's outcome (controller-runtime's reconcileHandler):
//   error            -> AddRateLimited (per-key backoff), unless the error is terminal;
//   requeue_after>0  -> Forget + AddAfter(requeue_after);
//   requeue          -> AddRateLimited;
//   success          -> Forget.
// A reconciler that throws is caught, counted as a panic, and retried like an error. The queue
// guarantees a key is never reconciled by two workers at once.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/cache/predicate.h"
#include "pkg/kube/cache/shared_informer.h"
#include "pkg/kube/runtime/metrics.h"
#include "pkg/kube/runtime/reconciler.h"
#include "pkg/kube/workqueue/mutex.h"
#include "pkg/kube/workqueue/rate_limiting_queue.h"

namespace osbx::kube {

// An API group and kind ("sandbox.opensandbox.io", "BatchSandbox"); group "" is core.
struct GroupKind {
  std::string group;
  std::string kind;
  bool operator==(const GroupKind&) const = default;
};

// Maps an object seen by a Watches() informer to the requests it should trigger.
using MapFunc = std::function<std::vector<Request>(const Json& obj)>;

struct ControllerOptions {
  // Names the controller in logs and metrics, and its work queue.
  std::string name;
  int max_concurrent_reconciles = 1;
  // How long Start waits for the watched informers to sync.
  Clock::Duration cache_sync_timeout = std::chrono::minutes(2);
  // Queue delays and metric durations; RealClock when null. Not owned.
  const Clock* clock = nullptr;
  // DefaultControllerRateLimiter when null.
  std::unique_ptr<RateLimiter> rate_limiter;
  // Metrics::Global() when null. Not owned.
  Metrics* metrics = nullptr;
  // How often in-flight work is reported to workqueue_unfinished_work_seconds (0: never).
  Clock::Duration unfinished_work_interval = std::chrono::milliseconds(500);
};

class Controller {
 public:
  // `reconciler` is borrowed and must outlive the controller.
  Controller(ControllerOptions options, Reconciler& reconciler);
  // Stops (without a bound) if still running and unregisters the event handlers.
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Reconciles the objects of `informer`, whose kind is `kind`.
  Controller& For(SharedInformer& informer, GroupKind kind, Predicate predicate = {});
  // Reconciles the For-kind controller owner of each object of `informer`.
  Controller& Owns(SharedInformer& informer, Predicate predicate = {});
  // Reconciles what `map` returns for each object of `informer`.
  Controller& Watches(SharedInformer& informer, MapFunc map, Predicate predicate = {});

  // Waits for every watched informer to sync (Unavailable after cache_sync_timeout), then
  // starts the workers. Call once.
  [[nodiscard]] Status Start();
  // Stops taking new keys, lets workers finish the keys they hold (and those already queued),
  // and joins them. Returns false when they did not finish by `deadline` on the clock; the
  // workers are then still running and the destructor waits for them.
  bool Stop(Clock::TimePoint deadline);

  const std::string& name() const { return name_; }
  // The queue; tests use it to inspect backoff (NumRequeues) and to add keys by hand.
  RateLimitingQueue& queue() { return queue_; }

 private:
  void Watch(SharedInformer& informer, std::function<void(const Json&, bool)> enqueue,
             Predicate predicate);
  void EnqueueOwners(const Json& obj);
  void WorkerLoop();
  void ProcessKey(const std::string& key);
  void TickerLoop();
  void WorkerExited();
  void JoinAll();

  const std::string name_;
  const int workers_;
  const Clock::Duration cache_sync_timeout_;
  const Clock::Duration unfinished_work_interval_;
  const Clock& clock_;
  Reconciler& reconciler_;
  std::optional<GroupKind> for_kind_;
  ControllerMetrics metrics_;
  QueueMetrics queue_metrics_;
  RateLimitingQueue queue_;

  std::vector<std::pair<SharedInformer*, SharedInformer::HandlerId>> handlers_;
  std::vector<std::thread> threads_;

  Mutex mu_;
  std::condition_variable cv_;  // a worker exited, or stopping_ changed
  int running_workers_ OSBX_GUARDED_BY(mu_) = 0;
  bool stopping_ OSBX_GUARDED_BY(mu_) = false;
  bool started_ OSBX_GUARDED_BY(mu_) = false;
};

}  // namespace osbx::kube
