#pragma once
// The Pool reconciler: a level-based shell over internal/scheduler. Per Pool it reads the Pool,
// its pods and its BatchSandboxes from the caches and:
//   - recycles the pods BatchSandboxes gave back (alloc-release) per recycleStrategy: Delete (the
//     default), Noop (reused as is when healthy), Restart (not available yet: handled as Delete,
//     and an event says so); once recycled they are written to alloc-released, the ledger frees
//     them, and a terminating batch whose pods are all recycled loses its pool-allocation
//     finalizer in that same patch;
//   - recycles pods still held by BatchSandboxes that vanished (orphans);
//   - sizes the pool (DecideSizing) once its cache shows every pod it created or deleted itself
//     (PoolExpectations; sizing from a lagging cache would overshoot poolMax): parallel creates of
//     pods named up front, labelled with the pool name and template revision and controlled by the
//     Pool; deletions least useful first; rolling update of idle pods; eviction; replacement of
//     dead pods;
//   - carries a finalizer from its first reconcile, which a deleting Pool drops as soon as no
//     BatchSandbox holds its pods (a WaitingForSandboxes condition says which still do); a
//     deleting Pool creates nothing;
//   - patches status only when it changed, and exports the pool gauges.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "api/v1alpha1/types_generated.h"
#include "internal/controller/context.h"
#include "internal/scheduler/ledger.h"
#include "internal/scheduler/pool_expectations.h"
#include "internal/scheduler/pool_sizing.h"
#include "pkg/kube/runtime/reconciler.h"

namespace osbx::controller {

// Shortest interval between two status writes of a Pool that only move its pod counters.
inline constexpr std::chrono::milliseconds kStatusCountersInterval{250};

// The finalizer a Pool carries while BatchSandboxes hold its pods, so that its deletion never
// takes allocated pods with it.
inline constexpr std::string_view kPoolInUseFinalizer = "pool.sandbox.opensandbox.io/in-use";
// The Pool condition explaining why a deleting Pool still exists.
inline constexpr const char* kConditionWaitingForSandboxes = "WaitingForSandboxes";

// The pod a Pool creates: the template's metadata and spec, name `name`, the pool-name and
// pool-revision labels and a controller reference to the Pool.
[[nodiscard]] StatusOr<Json> BuildPoolPod(const Json& pool, const Json& pod_template,
                                          const std::string& revision, const std::string& name);

class PoolReconciler final : public kube::Reconciler {
 public:
  // `ctx` is borrowed and must outlive the reconciler. `seed` seeds pod name generation.
  PoolReconciler(ControllerContext& ctx, uint64_t seed) : ctx_(ctx), seed_(seed) {}

  StatusOr<kube::Result> Reconcile(const kube::Request& request) override;

 private:
  struct PoolState {
    const Json& obj;
    const api::v1alpha1::Pool& typed;
    std::string key;
    std::string revision;
    std::string strategy;  // recycleStrategy.type
    bool deleting = false;
    scheduler::PoolLedger& ledger;
    std::map<std::string, scheduler::PodView, std::less<>> pods;  // by name, terminating too
  };

  // Recycles released pods of every batch of the pool; the first error worth a retry.
  Status RecycleReleased(PoolState& pool);
  Status RecycleBatch(PoolState& pool, const Json& batch, int& restart_as_delete);
  // Recycles pods held by BatchSandboxes that no longer exist.
  Status RecycleOrphans(PoolState& pool, int& restart_as_delete);
  Status Resize(PoolState& pool);
  Status CreatePods(PoolState& pool, int32_t count);
  Status DeletePods(PoolState& pool, const std::vector<scheduler::PodDeletion>& deletions);
  // Adds or drops the in-use finalizer; sets the WaitingForSandboxes condition on `status`.
  Status SyncFinalizer(PoolState& pool, api::v1alpha1::PoolStatus& status);
  // Writes the status when it changed. A change of the pod counters alone within
  // kStatusCountersInterval of the previous write is deferred (the returned delay says when to
  // look again): under a steady stream of claims the counters move on every claim and release,
  // and writing each move would double the API writes of a claim for a gauge nobody reads at that
  // rate. Conditions, revision and observedGeneration are written at once.
  StatusOr<Clock::Duration> WriteStatus(PoolState& pool, const api::v1alpha1::PoolStatus& status);

  ControllerContext& ctx_;
  const uint64_t seed_;
  std::atomic<uint64_t> creates_{0};  // varies the name seed between reconciles
  // Creates and deletes not yet in the pod cache: a Pool is sized only once it sees them all.
  scheduler::PoolExpectations expectations_;
  std::mutex status_mu_;
  // When each pool's status was last written; guarded by status_mu_.
  std::map<std::string, Clock::TimePoint, std::less<>> last_status_write_;
};

}  // namespace osbx::controller
