#pragma once
// SharedInformer: one Reflector feeding one indexed cache, plus the event handlers of every
// controller that watches this resource type (client-go's sharedIndexInformer, without the
// separate DeltaFIFO: the cache is updated as events arrive and notifications are queued).
//
// Objects are cached through a FieldProjection (InformerOptions::projection): the informer hands
// its ListerWatcher a WatchEventDecoder over it, so the REST client builds only the cached part
// of each object straight from the list and watch bytes; objects that arrive already decoded
// (in-memory ListerWatchers) are trimmed to it here.
//
// Handlers get OnAdd(obj), OnUpdate(old, new) and OnDelete(obj, final_state_unknown); the last
// flag is client-go's DeletedFinalStateUnknown tombstone: the object vanished during a relist and
// `obj` is its last cached state. Each handler has a Predicate evaluated just before it is called.
// A periodic resync (optional) replays every cached object to the handlers as an update with
// old == new, so level-based controllers revisit everything now and then.
//
// Threading: the cache is updated on the reflector's threads; handlers run on one dispatch
// thread, in event order, and must only enqueue work (never block, never call Stop). The cache
// and HasSynced may be read from any thread. The dispatch thread takes every queued notification
// at once (one lock per batch, not per event), is woken only from its idle sleep, and lingers
// InformerOptions::batch_window after each batch, so a burst of watch events costs a few
// wake-ups in all rather than one per event.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "internal/utils/clock.h"
#include "pkg/kube/cache/indexer.h"
#include "pkg/kube/cache/predicate.h"
#include "pkg/kube/cache/reflector.h"
#include "pkg/kube/cache/transform.h"
#include "pkg/kube/client/resource.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

struct EventHandler {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr& obj, bool final_state_unknown)> on_delete;
};

struct InformerOptions {
  // What of each object the cache keeps. The informer has its ListerWatcher decode list answers
  // and watch streams straight into it (a WatchEventDecoder over the projection, run by the REST
  // client as the bytes arrive), so what it leaves out is never built; objects that arrive
  // already decoded (in-memory ListerWatchers) are trimmed to it instead. Informers for pods
  // should pass PodCacheProjection (see DefaultProjectionFor in transform.h) unless their owner
  // reads more of a pod than it keeps. Unset: everything but metadata.managedFields when
  // `transform` is unset too, else everything (the transform decides).
  std::shared_ptr<const FieldProjection> projection;
  // Applied to every object after the projection, before it is cached.
  TransformFunc transform;
  // Indices of the cache; the namespace index is always added.
  Indexers indexers;
  // 0 disables resync; controller-runtime uses 10 h with jitter.
  Clock::Duration resync_period{0};
  ReflectorOptions reflector;
  // After handing out a batch, the dispatch thread lets events pile up for this long (real time)
  // before taking the next one, instead of being woken for each event of a burst: a wake-up
  // costs a few microseconds of CPU (two context switches), several times the work of one event.
  // This bounds the latency it adds to an event. 0: take every event as soon as it is queued.
  std::chrono::microseconds batch_window{200};
};

class SharedInformer final : private ReflectorSink {
 public:
  using HandlerId = uint64_t;

  // `lw` and `clock` are borrowed and must outlive the informer.
  SharedInformer(ListerWatcher& lw, const Clock& clock, InformerOptions options = {});
  ~SharedInformer() override;
  SharedInformer(const SharedInformer&) = delete;
  SharedInformer& operator=(const SharedInformer&) = delete;

  // Registers a handler, before or after Run. A handler added while objects are cached first
  // gets an OnAdd for each of them, so every handler sees the whole state.
  HandlerId AddEventHandler(EventHandler handler, Predicate predicate = {}) OSBX_EXCLUDES(mu_);
  void RemoveEventHandler(HandlerId id) OSBX_EXCLUDES(mu_);

  // Starts listing, watching and dispatching. Call once.
  void Run() OSBX_EXCLUDES(mu_);
  // Stops the reflector, then the dispatch thread; no handler runs after it returns.
  void Stop() OSBX_EXCLUDES(mu_);

  // True once the first list is cached and its events have been handed to every handler.
  bool HasSynced() const OSBX_EXCLUDES(mu_);
  // Blocks until HasSynced or until the clock reaches `deadline`; returns HasSynced().
  bool WaitForSync(Clock::TimePoint deadline) OSBX_EXCLUDES(mu_);

  // The cache (read it freely; only the informer writes it).
  const Indexer& indexer() const { return indexer_; }
  std::string LastSyncResourceVersion() const { return reflector_.LastSyncResourceVersion(); }
  // True when the ListerWatcher decodes list answers and watch streams straight into the
  // projection (the REST client's does); false when objects arrive decoded and are trimmed here.
  bool ProjectsWhileDecoding() const { return !project_decoded_; }

 private:
  struct Registration {
    HandlerId id;
    uint64_t first_seq;  // notifications queued before the registration are not for it
    EventHandler handler;
    Predicate predicate;
  };
  struct Notification {
    enum class Kind { kAdd, kUpdate, kDelete, kSynced };
    Kind kind;
    ObjectPtr old_obj;  // kUpdate only
    ObjectPtr obj;
    bool final_state_unknown = false;
    HandlerId only_for = 0;  // 0: every handler
    uint64_t seq = 0;        // queue order
  };

  // ReflectorSink.
  void PrepareListed(Json& item) override;
  void Replace(std::vector<Json> items, const std::string& resource_version) override
      OSBX_EXCLUDES(mu_);
  void Apply(WatchEventType type, Json object) override OSBX_EXCLUDES(mu_);

  ObjectPtr Prepare(Json&& object) const;
  // The projection (when the decoder did not apply it) and the transform.
  void Trim(Json& object) const;
  using Handlers = std::vector<std::shared_ptr<const Registration>>;

  void PushLocked(Notification n) OSBX_REQUIRES(mu_);
  void DispatchLoop() OSBX_EXCLUDES(mu_);
  // Waits for notifications (queueing a resync when due) and moves them all into `batch`, with
  // the current handlers. False once stopping.
  // `linger`: wait batch_window_ first (right after a batch, more events are likely on their way).
  bool TakeBatch(bool linger, std::vector<Notification>& batch, Handlers& handlers,
                 uint64_t& handlers_version) OSBX_EXCLUDES(mu_);
  // Runs on the dispatch thread without mu_ held.
  void DeliverBatch(std::vector<Notification>& batch, Handlers& handlers,
                    uint64_t& handlers_version);
  void Deliver(const Notification& n, const Handlers& handlers);
  void QueueResyncLocked() OSBX_REQUIRES(mu_);

  const Clock& clock_;
  const std::shared_ptr<const FieldProjection> projection_;  // null: keep everything
  const TransformFunc transform_;
  const Clock::Duration resync_period_;
  const std::chrono::microseconds batch_window_;
  Indexer indexer_;
  Reflector reflector_;
  // Whether objects still need Project(): false when the ListerWatcher already decodes them into
  // projection_. Set by the constructor.
  bool project_decoded_ = true;
  std::thread dispatcher_;

  // Serializes cache writes with the notifications they produce, so handlers see changes in
  // cache order. Order: mu_ before the indexer's own mutex.
  mutable Mutex mu_;
  // Signalled on new notifications, sync and stop.
  mutable std::condition_variable cv_;
  std::vector<Notification> pending_ OSBX_GUARDED_BY(mu_);
  // True while the dispatch thread sleeps on cv_ (only then does a new notification wake it).
  bool dispatcher_idle_ OSBX_GUARDED_BY(mu_) = false;
  Handlers handlers_ OSBX_GUARDED_BY(mu_);
  // Bumped (under mu_) whenever handlers_ changes, so the dispatch thread can notice between two
  // notifications of a batch without taking mu_.
  std::atomic<uint64_t> handlers_version_{0};
  // Mirrors stopping_ for the dispatch thread, which checks it between notifications.
  std::atomic<bool> stop_requested_{false};
  HandlerId next_id_ OSBX_GUARDED_BY(mu_) = 1;
  uint64_t next_seq_ OSBX_GUARDED_BY(mu_) = 1;
  bool listed_ OSBX_GUARDED_BY(mu_) = false;  // a Replace has happened
  bool synced_ OSBX_GUARDED_BY(mu_) = false;  // ... and its notifications were delivered
  bool stopping_ OSBX_GUARDED_BY(mu_) = false;
  Clock::TimePoint next_resync_ OSBX_GUARDED_BY(mu_){};
};

}  // namespace osbx::kube
