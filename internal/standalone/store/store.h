#pragma once
// Store: the durable embedded object store behind the standalone API server.
//
// Objects are JSON bytes under string keys ("/<group>/<resource>/<namespace>/<name>"). Every
// write takes the next value of one global resourceVersion counter and yields one event. The
// current objects (plus superseded versions still inside the history window) live in memory;
// reads never touch disk. SQLite in the data directory (WAL, synchronous=FULL) is the durable
// copy: a single committer thread writes every queued write in one transaction and one fsync
// (group commit), and a write is acknowledged, made visible to readers and sent to watchers only
// once its transaction is durable. So nothing acknowledged is lost on kill -9, and no reader ever
// sees a write that could still be lost.
//
// resourceVersion stamping: the caller serializes the object with metadata.resourceVersion set
// to kResourceVersionPlaceholder (stamp.h); the store replaces it with the write's RV, so the
// stored and returned bytes carry their own RV without re-serialization.
//
// History: events are kept for a bounded count and age. Lists at an RV and watches from an RV
// below the compaction floor fail with Gone (the server answers 410 Expired); a restart keeps
// every object but no history, so older watches are Gone after it and clients re-list.
//
// Thread-safe. Sync write calls block until durable; the *Async forms return at once and call
// back on the committer thread (callbacks must be quick and must not call into the store
// synchronously). Preconditions failing before a write is queued call back on the caller's thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "internal/standalone/store/mvcc_index.h"
#include "internal/standalone/store/object.h"
#include "internal/standalone/store/stamp.h"
#include "internal/standalone/store/watch_hub.h"
#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

class SqliteDb;

struct StoreOptions {
  // History window: events (and the superseded versions they made) are kept while there are at
  // most this many and they are younger than history_max_age (kube-apiserver compacts every 5m).
  size_t history_max_events = 100'000;
  Clock::Duration history_max_age = std::chrono::minutes(5);
  // Live events a watcher may have pending before it is ended with Gone ("too slow").
  size_t watch_max_pending = 10'000;
  // Most writes committed in one transaction.
  size_t max_batch = 4096;
  // Run SQLite's quick_check at Open (a damaged file fails Open instead of a later read).
  bool verify_on_open = true;
  // How long a list at an RV not yet reached waits for it before failing with ServerTimeout.
  Clock::Duration future_rv_wait = std::chrono::seconds(3);
  // Null = the process clock.
  const Clock* clock = nullptr;
  // Called on the committer thread before each transaction with the number of writes in it
  // (metrics: batch sizes; tests: holding a batch back).
  std::function<void(size_t writes)> before_commit;
};

// A list: live objects under `prefix` in key order, as of one RV.
struct ListRequest {
  std::string prefix;
  // First key to consider (inclusive): a previous page's next_key when continuing.
  std::string start_key;
  // Snapshot RV; 0 = the current RV. Paged lists pass the first page's RV on every page.
  int64_t rv = 0;
  size_t limit = 0;  // 0 = no limit
  bool count_remaining = false;
};

struct ListResponse {
  std::vector<ObjectPtr> items;
  int64_t rv = 0;                    // the snapshot RV (the list's metadata.resourceVersion)
  std::string next_key;              // start_key of the next page; empty on the last page
  std::optional<int64_t> remaining;  // objects after this page, when counting was asked for
};

struct WatchRequest {
  std::string prefix;
  // Deliver events with rv > from_rv; 0 = only writes made from now on. Older than the history
  // floor = Gone. (A "watch from 0" with initial ADDED events is a List then a watch from its RV.)
  int64_t from_rv = 0;
  size_t max_pending = 0;  // 0 = StoreOptions::watch_max_pending
  // Called (on the committer thread, under the hub's lock: keep it short, e.g. post to an
  // executor; never Stop or destroy a watcher from it) when events become available or the
  // watch ends.
  std::function<void()> on_ready;
};

struct DeleteOptions {
  int64_t expected_rv = 0;   // 0 = any; otherwise Conflict unless the object is at this RV
  std::string expected_uid;  // "" = any; otherwise Conflict unless metadata.uid matches
  // Further checks on the current object (e.g. finalizers); an error aborts the delete.
  std::function<Status(const Object& current)> check;
};

using WriteCallback = std::function<void(StatusOr<ObjectPtr>)>;
// Computes the new bytes (with the RV placeholder) from the current version (null when absent
// and creation is allowed); std::nullopt = no change, nothing is written. May run more than once
// when another write to the same key races it, so it must not have side effects.
using UpdateFn = std::function<StatusOr<std::optional<std::string>>(const ObjectPtr& current)>;

// What a read-modify-write does to its key, decided from the current version.
struct WriteDecision {
  enum class Action {
    kNone,    // no change: the current version is returned once it is durable
    kPut,     // store `value` (with the RV placeholder) as the new version
    kDelete,  // remove the key; the tombstone is the current state with the delete's RV
  };
  Action action = Action::kNone;
  std::string value;  // kPut only

  static WriteDecision None() { return {}; }
  static WriteDecision Put(std::string bytes) { return {Action::kPut, std::move(bytes)}; }
  static WriteDecision Remove() { return {Action::kDelete, {}}; }
};
// Like UpdateFn, but may also decide to delete. Runs without the store's lock against the
// newest version (possibly not yet durable), and again whenever another write to the key raced
// it, so it must not have side effects beyond its own captured results.
using DecideFn = std::function<StatusOr<WriteDecision>(const ObjectPtr& current)>;

class Store {
 public:
  // Opens or creates the store in `dir` (created if missing), reloading every object and the RV
  // counter. A directory already open by another Store (in any process), an unreadable or
  // corrupt database: a clear error, never a crash.
  [[nodiscard]] static StatusOr<std::unique_ptr<Store>> Open(const std::string& dir,
                                                             StoreOptions options = {});
  // Commits every queued write, then ends all watches (Cancelled).
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Writes; each returns the stored version (with its RV stamped) once it is durable.
  // AlreadyExists if a live object has the key.
  [[nodiscard]] StatusOr<ObjectPtr> Create(std::string key, std::string value);
  // NotFound if absent; Conflict if expected_rv != 0 and differs from the current RV.
  [[nodiscard]] StatusOr<ObjectPtr> Update(std::string key, std::string value,
                                           int64_t expected_rv = 0);
  // Returns the tombstone: the last state stamped with the delete's RV.
  [[nodiscard]] StatusOr<ObjectPtr> Delete(std::string key, DeleteOptions options = {});
  // Read-modify-write that retries `fn` when another write to the key races it. NotFound if the
  // key is absent, unless allow_create (then `fn` gets null).
  [[nodiscard]] StatusOr<ObjectPtr> GuaranteedUpdate(std::string key, const UpdateFn& fn,
                                                     bool allow_create = false);
  // The general read-modify-write: `fn` decides to keep, replace or delete the current version
  // and is re-run on the newest version whenever another write raced it, so a write without a
  // caller precondition never fails with Conflict because of a race (only after a very long run
  // of lost races). Returns the stored version, the tombstone, or (kNone) the current version;
  // NotFound if the key is absent and `fn` did not create it (allow_create hands it null).
  [[nodiscard]] StatusOr<ObjectPtr> GuaranteedWrite(std::string key, const DecideFn& fn,
                                                    bool allow_create = false);

  void CreateAsync(std::string key, std::string value, WriteCallback done);
  void UpdateAsync(std::string key, std::string value, int64_t expected_rv, WriteCallback done);
  void DeleteAsync(std::string key, DeleteOptions options, WriteCallback done);
  void GuaranteedUpdateAsync(std::string key, const UpdateFn& fn, bool allow_create,
                             WriteCallback done);
  // `fn` runs on the caller's thread, and the write is sequenced behind every write sequenced
  // before it (or has failed) by the time this returns; `done` may come later.
  void GuaranteedWriteAsync(std::string key, const DecideFn& fn, bool allow_create,
                            WriteCallback done);

  // The current version of `key`, or NotFound.
  [[nodiscard]] StatusOr<ObjectPtr> Get(std::string_view key) const;
  // Gone if request.rv is below the history floor; ServerTimeout if it is not reached in time.
  [[nodiscard]] StatusOr<ListResponse> List(const ListRequest& request) const;
  // Gone if request.from_rv is below the history floor.
  [[nodiscard]] StatusOr<std::unique_ptr<Watcher>> Watch(WatchRequest request);

  // The RV of the last durable write: a list's RV, and a BOOKMARK's when a watch is idle.
  int64_t CurrentRv() const;
  // Every RV below or at this one is compacted (Gone for list and watch).
  int64_t CompactedRv() const;
  size_t ObjectCount(std::string_view prefix = {}) const;

 private:
  struct PendingWrite {
    Event event;
    WriteCallback done;
    // Only acknowledges event.object, written by an earlier queued write, once it is durable
    // (an update that changed nothing must not return a version that could still be lost).
    bool ack_only = false;
  };
  Store(StoreOptions options, std::unique_ptr<SqliteDb> db, int lock_fd, int64_t last_rv,
        std::vector<ObjectPtr> loaded);
  Status WritableLocked() const;
  // Assigns the next RV to a new version of `key` built from `value` (or, for a delete, from
  // `latest`) and queues it for commit. Caller holds mu_ exclusively.
  void SequenceLocked(std::string key, std::string value, const ObjectPtr& latest, bool deleted,
                      WriteCallback done);
  // The compare-and-set loop behind every read-modify-write: `decide` runs unlocked on the
  // newest version; its decision is sequenced only if no other write to the key came between.
  void OptimisticWrite(std::string key, const DecideFn& decide, bool allow_absent,
                       WriteCallback done);
  void AckWhenDurableLocked(ObjectPtr object, WriteCallback done);
  bool WaitDurable(int64_t rv, Clock::TimePoint deadline) const;
  void CommitLoop();
  void CommitBatch(std::vector<PendingWrite>& batch);
  void FailPending(std::vector<PendingWrite>& batch, const Status& status);

  const StoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<SqliteDb> db_;  // used by the committer thread only
  const int lock_fd_;
  const std::shared_ptr<WatchHub> hub_;

  mutable std::shared_mutex mu_;
  MvccIndex index_;       // guarded by mu_
  int64_t last_rv_;       // guarded by mu_: the last RV handed out
  int64_t visible_rv_;    // guarded by mu_: the last durable RV; readers see up to it
  Status broken_;         // guarded by mu_: set once a commit failed; writes refused
  bool closing_ = false;  // guarded by mu_

  // Lock order: mu_ before queue_mu_.
  mutable std::mutex queue_mu_;
  mutable std::condition_variable queue_cv_;    // committer waits for work
  mutable std::condition_variable durable_cv_;  // waiters for durable_rv_
  std::deque<PendingWrite> queue_;              // guarded by queue_mu_; RV order, not yet committed
  int64_t durable_rv_;                          // guarded by queue_mu_
  bool stop_ = false;                           // guarded by queue_mu_
  bool failed_ = false;                         // guarded by queue_mu_

  std::thread committer_;
};

}  // namespace osbx::standalone
