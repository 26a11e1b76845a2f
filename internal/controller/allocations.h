#pragma once
// Allocations: the process's allocation ledgers (one per Pool) behind the gate that makes
// invariant 1 hold across restarts: no pod is handed out before the ledger has been rebuilt from
// a consistent list of every BatchSandbox's durable record.
//
// The rebuild happens once per process (leadership term): RebuildAll runs from the leader-only
// LedgerRebuilder runnable, which the manager starts before the controllers. A Pool first seen
// later (created after the start) gets its ledger rebuilt from the cache on first use, under a
// mutex, so two workers can never both rebuild one ledger and erase each other's claims.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "internal/scheduler/ledger.h"
#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/cache/indexer.h"
#include "pkg/kube/runtime/events.h"
#include "pkg/kube/runtime/runnable.h"

namespace osbx::controller {


// What one pool's rebuild found, with the BatchSandboxes involved (for events).
struct PoolRebuildReport {
  std::string pool_key;
  scheduler::RebuildReport report;
};

class Allocations {
 public:
  using RecordsFunc = std::function<std::vector<scheduler::RecordSource>()>;

  // Rebuilds every pool named by `batch_sandboxes` (a consistent list of all of them) and opens
  // the gate. Pools no batch names start empty when first used.
  std::vector<PoolRebuildReport> RebuildAll(const std::vector<kube::ObjectPtr>& batch_sandboxes);
  bool ready() const;

  // The ledger of "namespace/pool". Unavailable before RebuildAll. A ledger not rebuilt yet is
  // rebuilt from `records` (the pool's batches in the cache) first.
  [[nodiscard]] StatusOr<std::shared_ptr<scheduler::PoolLedger>> ForPool(
      std::string_view pool_key, const RecordsFunc& records);
  // The ledger of a pool if it exists and is rebuilt (no creation), for read-only lookups.
  std::shared_ptr<scheduler::PoolLedger> Existing(std::string_view pool_key);
  // The Pool is gone and no batch refers to it.
  void Forget(std::string_view pool_key);

  // Feeds a pool's ledger with the pool pods the cache shows (see PoolLedger::ObservePod): the
  // pod informer calls these for every pod, before any controller hears of the event.
  // `view` derives the pod's view from the uid of the Pool controlling it.
  using ViewFunc =
      std::function<std::shared_ptr<const scheduler::PodView>(const std::string& pool_uid)>;
  void PodSeen(const Json& pod, const ViewFunc& view);
  void PodGone(const Json& pod);

  // A BatchSandbox of the pool left the API: forget its waiting demand, and remember it so the
  // Pool recycles whatever it still held (it can no longer give its pods back itself).
  void BatchGone(const std::string& pool_key, const std::string& uid);
  // The vanished batches of a pool whose holdings may still need recycling.
  std::set<std::string> GoneBatches(std::string_view pool_key) const;
  // The batch held nothing any more.
  void ForgetGone(std::string_view pool_key, const std::string& uid);

 private:
  scheduler::Ledger ledger_;
  mutable std::mutex mu_;                 // serializes rebuilds
  bool ready_ = false;                    // guarded by mu_
  std::vector<std::string> known_pools_;  // pools with a ledger; guarded by mu_
  std::map<std::string, std::set<std::string>, std::less<>> gone_;  // guarded by mu_
};

// Leader-only runnable: reads every BatchSandbox, rebuilds the ledgers, and records an event for
// every conflict and quarantined record. Start blocks until done, so controllers added after it
// start only once allocation is safe.
//
// The settle delay fences off a previous controller process. A record patch that process sent
// just before it died can still reach the API server after this process has started; its
// resourceVersion precondition does not stop it when nothing else wrote that BatchSandbox since.
// Landing after our read, it would hold a pod our ledger believes free. The rebuild therefore
// reads a state no older than `settle` after the process started (the delay counts from the
// rebuilder's construction): it assumes the API server handles a request it has received within
// `settle`. With leader election the lease hand-over (the lease duration) already waits longer.
// A process that also hosts the API server (standalone) needs none: its server died with the old
// controllers.
//
// The controllers read the BatchSandbox informer's cache, whose first list is held back until
// the settle deadline and reads consistently (RegisterControllers sets that up): by the time the
// caches have synced it is such a state, so no second list of every BatchSandbox is needed.
class LedgerRebuilder final : public kube::Runnable {
 public:
  using ListFunc = std::function<StatusOr<std::vector<kube::ObjectPtr>>()>;

  LedgerRebuilder(Allocations& allocations, ListFunc list_batches, kube::EventRecorder& events,
                  std::chrono::milliseconds settle = std::chrono::milliseconds(0),
                  const Clock& clock = RealClock::Get());
  // Reads every BatchSandbox in `cache` (see the class comment for when that is enough).
  static ListFunc ReadCache(const kube::Indexer& cache);
  // When the settle delay ends.
  Clock::TimePoint settled_at() const { return created_ + settle_; }
  Status Start() override;
  // Ends a settle wait early (Start then returns without rebuilding: the process is stopping).
  bool Stop(Clock::TimePoint) override;
  std::string name() const override { return "allocation-ledger-rebuild"; }

 private:
  // Waits out the settle delay; false when stopped first.
  bool Settle();

  Allocations& allocations_;
  const ListFunc list_batches_;
  kube::EventRecorder& events_;
  const std::chrono::milliseconds settle_;
  const Clock& clock_;
  const Clock::TimePoint created_;  // the settle delay runs from here
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
};

}  // namespace osbx::controller
