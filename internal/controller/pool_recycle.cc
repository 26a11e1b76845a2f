// Recycling of the pods BatchSandboxes give back (alloc-release), and of pods still held by
// BatchSandboxes that vanished. The record write (alloc-released) happens before the ledger
// frees a pod, so a crash in between can only leave a pod held too long, never handed out twice.
#include <algorithm>
#include <mutex>
#include <set>

#include "api/v1alpha1/well_known.h"
#include "internal/controller/event_reasons.h"
#include "internal/controller/pool_reconciler.h"
#include "internal/scheduler/allocation_record.h"
#include "internal/scheduler/lifecycle.h"
#include "pkg/kube/meta/object.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using kube::EventType;

bool Ignorable(const Status& s) { return s.ok() || s.code() == StatusCode::kNotFound; }

std::vector<std::string> PendingRelease(const scheduler::AllocationRecord& record) {
  std::vector<std::string> out;
  std::set<std::string> released(record.released.begin(), record.released.end());
  for (const std::string& pod : record.release) {
    if (!pod.empty() && released.insert(pod).second) out.push_back(pod);
  }
  return out;
}

std::string StrategyName(const std::string& strategy) {
  return strategy.empty() ? std::string(v1::kRecycleStrategyTypeDelete) : strategy;
}

}  // namespace

Status PoolReconciler::RecycleReleased(PoolState& pool) {
  // Only batches giving pods back (an alloc-release list; it is dropped once fully recycled) or
  // being deleted (their finalizer) have anything to recycle: the others are not parsed, so a
  // reconcile costs O(batches releasing), not O(batches of the pool).
  std::vector<kube::ObjectPtr> batches;
  for (kube::ObjectPtr& batch : ctx_.BatchesOfPool(pool.key)) {
    if (kube::IsBeingDeleted(*batch) ||
        kube::GetAnnotation(*batch, v1::kAllocReleaseAnnotation).has_value()) {
      batches.push_back(std::move(batch));
    }
  }
  std::mutex mu;
  Status retry;               // guarded by mu
  int restart_as_delete = 0;  // guarded by mu
  RunParallel(batches.size(), ctx_.max_parallel_writes, [&](size_t i) {
    int restarts = 0;
    Status s = RecycleBatch(pool, *batches[i], restarts);
    std::lock_guard lock(mu);
    restart_as_delete += restarts;
    if (!s.ok() && retry.ok()) retry = s;
  });
  Status orphans = RecycleOrphans(pool, restart_as_delete);
  if (restart_as_delete > 0) {
    ctx_.events.Event(
        pool.obj, EventType::kWarning, kReasonRestartUnsupported,
        "recycleStrategy Restart is not available yet: " + std::to_string(restart_as_delete) +
            " released pods were deleted and will be replaced instead");
  }
  OSBX_RETURN_IF_ERROR(retry);
  return orphans;
}

Status PoolReconciler::RecycleBatch(PoolState& pool, const Json& batch, int& restart_as_delete) {
  StatusOr<scheduler::AllocationRecord> parsed = scheduler::ParseAllocationRecord(batch);
  if (!parsed.ok()) return Status::Ok();  // quarantined by the BatchSandbox reconciler
  scheduler::AllocationRecord record = std::move(parsed).value();
  const std::string uid(kube::GetUid(batch));
  const std::string ns(kube::GetNamespace(batch));
  std::vector<std::string> reusable, retired;
  for (const std::string& name : PendingRelease(record)) {
    auto it = pool.pods.find(name);
    std::optional<scheduler::PodView> pod;
    if (it != pool.pods.end()) pod = it->second;
    scheduler::RecycleDecision d = scheduler::DecideRecycle(pool.strategy, pod);
    if (d.delete_pod) {
      if (d.restart_unsupported) ++restart_as_delete;
      Status s = ctx_.api.Delete(PodResource(), ns, name, pod ? pod->uid : "");
      if (!Ignorable(s)) return s;
      ctx_.events.Event(pool.obj, EventType::kNormal, kReasonPodDeleted,
                        "deleted pod " + name + " released by BatchSandbox " +
                            std::string(kube::GetName(batch)) + " (recycle " +
                            StrategyName(pool.strategy) + ")");
    }
    if (d.done) (d.reusable ? reusable : retired).push_back(name);
  }
  std::vector<std::string> done = reusable;
  done.insert(done.end(), retired.begin(), retired.end());
  const bool drop_finalizer = kube::IsBeingDeleted(batch) &&
                              kube::HasFinalizer(batch, v1::kPoolAllocationFinalizer) &&
                              record.pods.empty() && record.Held().empty();
  if (done.empty() && !drop_finalizer) return Status::Ok();
  record.released.insert(record.released.end(), done.begin(), done.end());
  record.Compact();
  const bool want = !record.pods.empty() || !record.Held().empty();
  std::optional<Json> patch = scheduler::BuildAllocationPatch(batch, record, {}, want);
  if (patch) {
    // The endpoints belong to the BatchSandbox reconciler.
    Json& meta = (*patch)["metadata"];
    if (meta.contains("annotations")) {
      meta["annotations"].erase(std::string(v1::kEndpointsAnnotation));
      if (meta["annotations"].empty()) meta.erase("annotations");
    }
    if (meta.contains("annotations") || meta.contains("finalizers")) {
      Status s = ctx_.api
                     .MergePatch(BatchSandboxResource(), ns, std::string(kube::GetName(batch)),
                                 *patch, false)
                     .status();
      if (!s.ok()) return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
    }
  }
  pool.ledger.Release(uid, reusable, /*reusable=*/true);
  pool.ledger.Release(uid, retired, /*reusable=*/false);
  // A pod reused as is changes nothing a watch would see: the waiting batches are told here.
  if (!reusable.empty()) ctx_.PodsFreed(pool.key);
  if (!done.empty()) {
    ctx_.events.Event(batch, EventType::kNormal, kReasonRecycled,
                      "Pool " + std::string(kube::GetName(pool.obj)) + " recycled " +
                          std::to_string(done.size()) + " pods (" + StrategyName(pool.strategy) +
                          "): " + JoinNames(done));
  }
  return Status::Ok();
}

Status PoolReconciler::RecycleOrphans(PoolState& pool, int& restart_as_delete) {
  std::set<std::string> gone = ctx_.allocations.GoneBatches(pool.key);
  if (gone.empty()) return Status::Ok();
  std::set<std::string> still_holding;
  const std::string ns(kube::GetNamespace(pool.obj));
  Status retry;
  for (const auto& [name, view] : pool.pods) {
    std::optional<std::string> owner = pool.ledger.Owner(name);
    if (!owner || gone.count(*owner) == 0) continue;
    scheduler::RecycleDecision d = scheduler::DecideRecycle(pool.strategy, view);
    if (d.delete_pod) {
      if (d.restart_unsupported) ++restart_as_delete;
      Status s = ctx_.api.Delete(PodResource(), ns, name, view.uid);
      if (!Ignorable(s) && retry.ok()) retry = s;
    }
    if (d.done) {
      pool.ledger.Release(*owner, {name}, d.reusable);
      if (d.reusable) ctx_.PodsFreed(pool.key);
      ctx_.events.Event(pool.obj, EventType::kNormal, kReasonOrphanReleased,
                        "pod " + name +
                            " was held by a BatchSandbox that no longer exists; "
                            "recycled (" +
                            StrategyName(pool.strategy) + ")");
    } else {
      still_holding.insert(*owner);
    }
  }
  // Holdings of pods that are gone entirely have nothing left to recycle.
  for (const std::string& uid : gone) {
    if (still_holding.count(uid) != 0) continue;
    bool holds = false;
    for (const auto& [name, view] : pool.pods) holds = holds || pool.ledger.Owner(name) == uid;
    if (!holds) ctx_.allocations.ForgetGone(pool.key, uid);
  }
  return retry;
}

}  // namespace osbx::controller
