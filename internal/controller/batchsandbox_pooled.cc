// The pooled path of the BatchSandbox reconciler: serve indexes from the Pool's ledger, write the
// record, endpoints and finalizer in one metadata patch, release pods on scale down, death and
// deletion.
#include <algorithm>
#include <set>

#include "api/v1alpha1/conditions.h"
#include "api/v1alpha1/pool.h"
#include "api/v1alpha1/well_known.h"
#include "internal/controller/batchsandbox_reconciler.h"
#include "internal/controller/event_reasons.h"
#include "internal/scheduler/batch_plan.h"
#include "internal/scheduler/revision.h"
#include "internal/scheduler/template_compat.h"
#include "pkg/kube/meta/object.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using kube::EventType;
using scheduler::AllocationRecord;
using scheduler::PodView;
using Views = std::map<std::string, PodView, std::less<>>;

// The record's pods (bound or being released) that exist in the cache.
Views RecordPods(const ControllerContext& ctx, const std::string& ns,
                 const AllocationRecord& record) {
  Views out;
  auto add = [&](const std::string& name) {
    if (name.empty() || out.count(name) != 0) return;
    if (kube::ObjectPtr pod = ctx.pods.Get(kube::NamespacedKey(ns, name))) {
      out.emplace(name, scheduler::FromPod(*pod));
    }
  };
  for (const std::string& name : record.pods) add(name);
  for (const std::string& name : record.release) add(name);
  return out;
}

std::string ReleaseReasonName(scheduler::ReleaseReason reason) {
  switch (reason) {
    case scheduler::ReleaseReason::kScaleDown:
      return "scale down";
    case scheduler::ReleaseReason::kDied:
      return "pod died";
    case scheduler::ReleaseReason::kDeleting:
      return "BatchSandbox deleted";
    case scheduler::ReleaseReason::kRequested:
      return "task completed";
  }
  return "";
}

bool WantFinalizer(const AllocationRecord& record) {
  return !record.pods.empty() || !record.Held().empty();
}

// Pods in alloc-release not yet in alloc-released.
std::vector<std::string> PendingRelease(const AllocationRecord& record) {
  std::vector<std::string> out;
  std::set<std::string> released(record.released.begin(), record.released.end());
  for (const std::string& pod : record.release) {
    if (!pod.empty() && released.count(pod) == 0 &&
        std::find(out.begin(), out.end(), pod) == out.end()) {
      out.push_back(pod);
    }
  }
  return out;
}

}  // namespace

StatusOr<kube::Result> BatchSandboxReconciler::ReconcilePooled(const Batch& batch) {
  const std::string ns(kube::GetNamespace(batch.obj));
  const std::string uid(kube::GetUid(batch.obj));
  const std::string& pool_name = *batch.typed.spec.pool_ref;
  scheduler::StatusInput status;
  status.replicas = batch.typed.spec.replicas;
  status.pool.emplace();
  scheduler::PoolFacts& facts = *status.pool;
  if (pool_name == "*") {
    ctx_.events.Event(batch.obj, EventType::kWarning, kReasonAutoAssignUnsupported,
                      "poolRef \"*\" (automatic Pool choice) is not supported; name a Pool");
    facts.pool_found = false;
    if (!batch.deleting) OSBX_RETURN_IF_ERROR(WriteStatus(batch, std::move(status)));
    return kube::Result::Done();
  }
  const std::string pool_key = kube::NamespacedKey(ns, pool_name);
  StatusOr<AllocationRecord> parsed = scheduler::ParseAllocationRecord(batch.obj);
  if (!parsed.ok()) return Quarantine(batch, parsed.status());
  OSBX_ASSIGN_OR_RETURN(
      std::shared_ptr<scheduler::PoolLedger> ledger,
      ctx_.allocations.ForPool(pool_key, [&] { return ctx_.CachedRecords(pool_key); }));

  kube::ObjectPtr pool_obj = ctx_.pools.Get(pool_key);
  const bool pool_gone = !pool_obj;
  const bool pool_deleting = pool_obj && kube::IsBeingDeleted(*pool_obj);
  facts.pool_found = !pool_gone && !pool_deleting;

  scheduler::PooledInput in;
  in.replicas = batch.typed.spec.replicas;
  in.deleting = batch.deleting;
  in.record = *parsed;
  in.pods = RecordPods(ctx_, ns, in.record);
  for (const std::string& pod : in.record.pods) {
    if (pod.empty()) continue;
    std::optional<std::string> owner = ledger->Owner(pod);
    if (owner && *owner != uid) in.held_by_other.insert(pod);
  }
  if (batch.deleting && !StopTasksBeforeRelease(batch)) {
    return kube::Result::After(std::chrono::seconds(1));
  }
  scheduler::PooledPlan plan = scheduler::PlanPooled(in);
  if (!plan.dropped.empty()) {
    facts.conflict = "pods " + JoinNames(plan.dropped) +
                     " are held by an earlier BatchSandbox; their indexes are served again";
  }

  scheduler::ClaimGrant grant;
  if (!batch.deleting && !plan.to_serve.empty() && facts.pool_found) {
    StatusOr<v1::Pool> pool = v1::DecodePool(*pool_obj);
    Status compatible = pool.ok() ? scheduler::CheckTemplateCompatible(
                                        batch.typed.spec.pod_template, pool->spec.pod_template)
                                  : pool.status();
    if (!compatible.ok()) {
      facts.template_incompatible = compatible.message();
    } else {
      // The ledger hands out from the pool pods it has observed, in hand-out order, checking
      // them under its lock: a claim costs the same in a pool of ten pods or of 100,000.
      OSBX_ASSIGN_OR_RETURN(
          grant, ledger->ClaimObserved(uid, static_cast<int32_t>(plan.to_serve.size()),
                                       kube::GetUid(*pool_obj),
                                       scheduler::TemplateRevision(pool->spec.pod_template)));
      scheduler::FillIndexes(plan.record, plan.to_serve, grant.pods);
      for (const auto& view : grant.views) in.pods.emplace(view->name, *view);
      facts.waiting = grant.shortfall;
    }
  } else if (batch.deleting || !facts.pool_found) {
    ledger->ForgetBatch(uid);
  }
  if (pool_deleting && !batch.deleting && !plan.to_serve.empty()) {
    ctx_.events.Event(batch.obj, EventType::kWarning, kReasonPoolDeleting,
                      "Pool " + pool_name + " is being deleted; no new pods are served");
  }

  // Without a Pool nobody else can recycle: the pods go with it (its garbage collection).
  std::vector<std::pair<std::string, std::string>> orphaned;
  std::vector<std::string> released_here;
  if (pool_gone) {
    for (const std::string& pod : PendingRelease(plan.record)) {
      auto it = in.pods.find(pod);
      if (it != in.pods.end() && !it->second.terminating) {
        orphaned.emplace_back(pod, it->second.uid);
      }
      released_here.push_back(pod);
    }
    plan.record.released.insert(plan.record.released.end(), released_here.begin(),
                                released_here.end());
    plan.record.Compact();
    OSBX_RETURN_IF_ERROR(DeletePods(batch.obj, orphaned, "Pool gone"));
  }

  const std::vector<std::optional<PodView>> by_index =
      scheduler::PooledByIndex(plan.record, in.pods);
  const std::vector<std::string> endpoints = scheduler::Endpoints(in.replicas, by_index);
  std::optional<Json> patch = scheduler::BuildAllocationPatch(batch.obj, plan.record, endpoints,
                                                              WantFinalizer(plan.record));
  if (patch) {
    StatusOr<Json> stored = ctx_.api.MergePatch(
        BatchSandboxResource(), ns, std::string(kube::GetName(batch.obj)), *patch, false);
    Status written = stored.status();
    if (written.ok()) ctx_.batch_self_writes.Record(*stored);
    if (!written.ok()) {
      ledger->Rollback(grant.id);
      if (!grant.pods.empty()) ctx_.PodsFreed(pool_key);
      if (written.code() == StatusCode::kNotFound) return kube::Result::Done();
      return written;  // a 409 means a newer object: retried from the fresher cache
    }
    ledger->Confirm(grant.id);
    if (!released_here.empty()) ledger->Release(uid, released_here, /*reusable=*/false);
  } else {
    ledger->Rollback(grant.id);  // nothing written: nothing may stay claimed
  }
  if (!grant.pods.empty()) {
    ctx_.events.Event(batch.obj, EventType::kNormal, kReasonAllocated,
                      "allocated " + std::to_string(grant.pods.size()) + " pods from Pool " +
                          pool_name + ": " + JoinNames(grant.pods));
  }
  if (!plan.released.empty()) {
    std::vector<std::string> names;
    for (const auto& [pod, reason] : plan.released)
      names.push_back(pod + " (" + ReleaseReasonName(reason) + ")");
    ctx_.events.Event(batch.obj, EventType::kNormal, kReasonReleased,
                      "gave back to Pool " + pool_name + ": " + JoinNames(names));
  }

  const bool delivered =
      in.replicas == 0 || std::none_of(endpoints.begin(), endpoints.end(),
                                       [](const std::string& e) { return e.empty(); });
  if (batch.deleting) {
    ctx_.metrics.DeliveryAbandoned(uid);
    return kube::Result::Done();
  }
  if (delivered) {
    ctx_.metrics.DeliveryDone(uid);
  } else {
    ctx_.metrics.DeliveryPending(uid);
  }
  status.by_index = by_index;
  OSBX_RETURN_IF_ERROR(WriteStatus(batch, std::move(status)));
  return kube::Result::Done();
}

StatusOr<kube::Result> BatchSandboxReconciler::Quarantine(const Batch& batch,
                                                          const Status& malformed) {
  const std::string ns(kube::GetNamespace(batch.obj));
  if (!batch.deleting) {
    scheduler::StatusInput status;
    status.replicas = batch.typed.spec.replicas;
    status.pool.emplace();
    status.pool->malformed_record = malformed.message();
    if (!v1::IsConditionTrue(
            batch.typed.status ? batch.typed.status->conditions : std::vector<v1::Condition>{},
            scheduler::kConditionAllocationConflict)) {
      ctx_.events.Event(
          batch.obj, EventType::kWarning, kReasonRecordMalformed,
          "allocation record quarantined (its pods stay held): " + malformed.message());
    }
    OSBX_RETURN_IF_ERROR(WriteStatus(batch, std::move(status)));
    return kube::Result::Done();
  }
  // A deleting batch must not stay stuck: rewrite the record with every salvaged pod released,
  // so the Pool recycles them and then drops the finalizer.
  scheduler::RecordSource source = scheduler::RecordSourceFromBatchSandbox(batch.obj);
  AllocationRecord healed;
  healed.release = source.held;
  std::optional<Json> patch =
      scheduler::BuildAllocationPatch(batch.obj, healed, {}, WantFinalizer(healed));
  if (!patch) return kube::Result::Done();
  StatusOr<Json> stored = ctx_.api.MergePatch(BatchSandboxResource(), ns,
                                              std::string(kube::GetName(batch.obj)), *patch, false);
  if (stored.ok()) ctx_.batch_self_writes.Record(*stored);
  Status s = stored.status();
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  ctx_.events.Event(batch.obj, EventType::kWarning, kReasonRecordMalformed,
                    "malformed allocation record replaced on deletion; releasing " +
                        std::to_string(healed.release.size()) + " salvaged pods");
  return kube::Result::Done();
}

}  // namespace osbx::controller
