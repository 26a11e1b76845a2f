#pragma once
// What both reconcilers share: the informer caches they read, the API they write to, the event
// recorder, the clock, the allocation ledgers and the metrics, plus small helpers over them.
// Nothing here holds state of its own that a restart would lose.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "internal/controller/allocations.h"
#include "internal/controller/api_client.h"
#include "internal/controller/batch_directory.h"
#include "internal/controller/metrics.h"
#include "internal/controller/pod_view_cache.h"
#include "internal/controller/self_writes.h"
#include "internal/scheduler/allocation_record.h"
#include "internal/scheduler/pod_view.h"
#include "internal/utils/clock.h"
#include "pkg/kube/cache/indexer.h"
#include "pkg/kube/runtime/events.h"

namespace osbx::controller {

struct ControllerContext {
  const kube::Indexer& pods;
  const kube::Indexer& batches;
  const kube::Indexer& pools;
  ApiClient& api;
  kube::EventRecorder& events;
  const Clock& clock;
  Allocations& allocations;
  BatchDirectory& directory;
  SandboxMetrics& metrics;
  PodViewCache& pod_views;
  // The BatchSandbox reconciler's own metadata patches, whose echoes do not wake it.
  SelfWrites& batch_self_writes;
  // Most parallel creates or deletes one reconcile issues at once.
  int max_parallel_writes = 16;
  // Wakes the BatchSandboxes of pool `pool_key` still short of pods (empty: nothing to wake).
  std::function<void(const std::string& pool_key)> wake_waiting;

  // Pods of `pool_key` became free without any pod changing (reused as is, a claim rolled back):
  // no pod event will wake the batches waiting for them, so they are woken here.
  void PodsFreed(const std::string& pool_key) const {
    if (wake_waiting) wake_waiting(pool_key);
  }

  // The pods whose controller is the object with `owner_uid`.
  std::vector<kube::ObjectPtr> PodsControlledBy(std::string_view owner_uid) const;
  // The views of the pods whose controller is the object with `owner_uid` (a Pool), recomputed
  // only for pods that changed since the last look.
  std::vector<scheduler::PodView> PodViewsControlledBy(
      std::string_view owner_uid, const PodViewCache::Filter& keep = nullptr) const;
  // The cached BatchSandboxes naming `pool_key` in spec.poolRef.
  std::vector<kube::ObjectPtr> BatchesOfPool(std::string_view pool_key) const;
  // The ledger rebuild inputs of a pool's batches, from the cache.
  std::vector<scheduler::RecordSource> CachedRecords(std::string_view pool_key) const;
  // Now, as an RFC 3339 timestamp for conditions.
  std::string NowString() const;
};

// Runs fn(0..n-1) on up to `parallel` threads (inline when n <= 1) and returns when all are done.
void RunParallel(size_t n, int parallel, const std::function<void(size_t)>& fn);

// "a, b, c" (at most `limit` names, then "and N more").
std::string JoinNames(const std::vector<std::string>& names, size_t limit = 10);

// The pool pods among `objects` as views, and by name.
std::map<std::string, scheduler::PodView, std::less<>> ViewsByName(
    const std::vector<kube::ObjectPtr>& objects);
std::map<std::string, scheduler::PodView, std::less<>> ViewsByName(
    std::vector<scheduler::PodView> views);

}  // namespace osbx::controller
