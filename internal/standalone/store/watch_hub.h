#pragma once
// Watch fan-out: the live watchers of a store and the bounded queue of each.
//
// The store's committer thread publishes every durable batch once; the hub appends to each
// watcher the events under its key prefix, without ever waiting for a watcher. A watcher whose
// queue would grow past its bound is ended with Gone ("too slow") and its queue dropped, so a
// stalled client costs bounded memory and never slows writers; its client re-lists, as client-go
// does after a 410.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "internal/standalone/store/object.h"
#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

class WatchHub;

// What a watch starts with. Built by the Store.
struct WatchSpec {
  std::string prefix;
  int64_t start_rv = 0;    // only events with rv > start_rv are delivered
  size_t max_pending = 0;  // queue bound for live events
  std::function<void()> on_ready;
};

// A live subscription to the store's events. Owned by the caller (e.g. the API server's
// streaming handler); destroying it unsubscribes. Thread-safe.
class Watcher {
 public:
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Moves the events queued so far into *out (appended, in RV order). Returns OK while the watch
  // is live; once it has ended returns why: Cancelled when it was stopped or the store closed
  // (after every event queued before that was handed out), or Gone when it fell too far behind
  // (its queue is dropped: the client must re-list).
  Status Poll(std::vector<Event>* out);

  // Like Poll, but first waits until an event is queued, the watch ends, or `deadline` passes.
  Status Wait(std::vector<Event>* out, Clock::TimePoint deadline);

  // Every event of this watch with rv <= progress_rv() has been handed to the queue, so once the
  // queue is drained a BOOKMARK at this RV is truthful.
  int64_t progress_rv() const;

  // Ends the watch (Cancelled); no ready callback runs after Stop returns.
  void Stop();

 private:
  friend class WatchHub;
  struct State;
  Watcher(std::shared_ptr<State> state, std::weak_ptr<WatchHub> hub, const Clock& clock)
      : state_(std::move(state)), hub_(std::move(hub)), clock_(clock) {}

  std::shared_ptr<State> state_;
  std::weak_ptr<WatchHub> hub_;
  const Clock& clock_;
};

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  WatchHub(const Clock& clock, int64_t published_rv) : clock_(clock), published_rv_(published_rv) {}

  // Computes the events a new watcher missed and registers it, atomically with respect to
  // Publish. `replay` runs under the hub's lock with the RV published so far; it may raise
  // spec.start_rv, fills the events to deliver first (already filtered, RV order, none above
  // the published RV) or fails (e.g. Gone), and must not call back into the hub.
  using ReplayFn =
      std::function<Status(int64_t published_rv, WatchSpec& spec, std::vector<Event>& replay)>;
  [[nodiscard]] StatusOr<std::unique_ptr<Watcher>> Add(WatchSpec spec, const ReplayFn& replay);

  // Hands a durable batch (RV order, ending at `batch_end_rv`) to every watcher.
  void Publish(const std::vector<Event>& batch, int64_t batch_end_rv);

  // Ends every watch with `status` (store shutdown).
  void CloseAll(const Status& status);

  size_t watcher_count();

 private:
  friend class Watcher;
  void Remove(const std::shared_ptr<Watcher::State>& state);

  const Clock& clock_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Watcher::State>> watchers_;  // guarded by mu_
  int64_t published_rv_ = 0;                               // guarded by mu_
};

}  // namespace osbx::standalone
