#include "internal/controller/pool_reconciler.h"

#include <algorithm>
#include <mutex>
#include <random>

#include "api/v1alpha1/conditions.h"
#include "api/v1alpha1/pool.h"
#include "api/v1alpha1/well_known.h"
#include "internal/controller/event_reasons.h"
#include "internal/scheduler/batch_status.h"
#include "internal/scheduler/revision.h"
#include "pkg/kube/meta/object.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using kube::EventType;

bool Ignorable(const Status& s) { return s.ok() || s.code() == StatusCode::kNotFound; }

// True when `a` and `b` differ at most in their pod counters.
bool CountersOnly(v1::PoolStatus a, const v1::PoolStatus& b) {
  a.total = b.total;
  a.allocated = b.allocated;
  a.available = b.available;
  a.updated = b.updated;
  return a == b;
}

}  // namespace

StatusOr<Json> BuildPoolPod(const Json& pool, const Json& pod_template, const std::string& revision,
                            const std::string& name) {
  if (!pod_template.is_object()) return InvalidError("spec.template: expected an object");
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = pod_template.value("metadata", Json::object());
  pod["spec"] = pod_template.value("spec", Json::object());
  if (!pod["metadata"].is_object() || !pod["spec"].is_object()) {
    return InvalidError("spec.template: metadata and spec must be objects");
  }
  Json& meta = pod["metadata"];
  meta.erase("generateName");
  meta.erase("ownerReferences");
  meta["name"] = name;
  meta["namespace"] = std::string(kube::GetNamespace(pool));
  kube::SetLabel(pod, v1::kPoolNameLabel, kube::GetName(pool));
  kube::SetLabel(pod, v1::kPoolRevisionLabel, revision);
  OSBX_RETURN_IF_ERROR(kube::SetControllerReference(
      pod, kube::MakeControllerRef(pool, "sandbox.opensandbox.io/v1alpha1", "Pool")));
  return pod;
}

StatusOr<kube::Result> PoolReconciler::Reconcile(const kube::Request& request) {
  const std::string key = request.Key();
  kube::ObjectPtr obj = ctx_.pools.Get(key);
  if (!obj) {
    {
      std::lock_guard lock(status_mu_);
      last_status_write_.erase(key);
    }
    expectations_.Forget(key);
    if (ctx_.directory.BatchesOfPool(key).empty()) ctx_.allocations.Forget(key);
    ctx_.metrics.RemovePool(request.ns, request.name);
    return kube::Result::Done();
  }
  StatusOr<v1::Pool> typed = v1::DecodePool(*obj);
  if (!typed.ok()) {
    ctx_.events.Event(*obj, EventType::kWarning, kReasonInvalidSpec, typed.status().message());
    return kube::TerminalError(typed.status());
  }
  OSBX_ASSIGN_OR_RETURN(std::shared_ptr<scheduler::PoolLedger> ledger,
                        ctx_.allocations.ForPool(key, [&] { return ctx_.CachedRecords(key); }));
  PoolState pool{*obj,
                 *typed,
                 key,
                 scheduler::TemplateRevision(typed->spec.pod_template),
                 typed->spec.recycle_strategy ? typed->spec.recycle_strategy->type : "",
                 kube::IsBeingDeleted(*obj),
                 *ledger,
                 ViewsByName(ctx_.PodViewsControlledBy(kube::GetUid(*obj)))};
  Status recycled = RecycleReleased(pool);
  std::set<std::string, std::less<>> existing;
  for (const auto& [name, view] : pool.pods) existing.insert(name);
  ledger->ForgetRetired(existing);
  const bool settled = expectations_.Satisfied(
      key,
      [&](const std::string& name) {
        auto it = pool.pods.find(name);
        if (it == pool.pods.end()) return scheduler::CachedPod::kAbsent;
        return it->second.terminating ? scheduler::CachedPod::kTerminating
                                      : scheduler::CachedPod::kPresent;
      },
      ctx_.clock.Now());
  // Unsettled: the pod events still to come wake this Pool again (it owns its pods).
  Status resized = settled ? Resize(pool) : Status::Ok();

  std::vector<scheduler::PodView> views;
  std::vector<bool> allocated;
  for (const auto& [name, view] : pool.pods) {
    views.push_back(view);
    allocated.push_back(ledger->Owner(name).has_value());
  }
  const auto& previous = typed->status;
  v1::PoolStatus status =
      scheduler::DerivePoolStatus({kube::GetGeneration(*obj), pool.revision, views, allocated,
                                   previous ? &*previous : nullptr});
  OSBX_RETURN_IF_ERROR(SyncFinalizer(pool, status));
  OSBX_ASSIGN_OR_RETURN(Clock::Duration status_due, WriteStatus(pool, status));
  ctx_.metrics.SetPool(request.ns, request.name, status.total, status.available, status.allocated,
                       ledger->WaitingDemand());
  OSBX_RETURN_IF_ERROR(recycled);
  OSBX_RETURN_IF_ERROR(resized);
  if (status_due > Clock::Duration::zero()) return kube::Result::After(status_due);
  // A safety net only: the awaited pod events normally wake the Pool long before.
  if (!settled) return kube::Result::After(std::chrono::seconds(1));
  return kube::Result::Done();
}

Status PoolReconciler::Resize(PoolState& pool) {
  scheduler::SizingInput in;
  in.params = scheduler::SizingParamsFromPool(pool.typed);
  in.revision = pool.revision;
  for (const auto& [name, view] : pool.pods) {
    in.pods.push_back({view, pool.ledger.Owner(name).has_value()});
  }
  in.waiting_demand = pool.ledger.WaitingDemand();
  in.pool_deleting = pool.deleting;
  StatusOr<scheduler::SizingDecision> decision = scheduler::DecideSizing(in);
  if (!decision.ok()) {
    ctx_.events.Event(pool.obj, EventType::kWarning, kReasonInvalidMaxUnavailable,
                      decision.status().message());
    return Status::Ok();  // retrying cannot fix the spec; its next change wakes the Pool
  }
  Status deleted = DeletePods(pool, decision->deletions);
  Status created = CreatePods(pool, decision->create);
  OSBX_RETURN_IF_ERROR(deleted);
  return created;
}

Status PoolReconciler::CreatePods(PoolState& pool, int32_t count) {
  if (count <= 0) return Status::Ok();
  std::set<std::string, std::less<>> taken;
  for (const auto& [name, view] : pool.pods) taken.insert(name);
  const uint64_t seed = seed_ ^ (creates_.fetch_add(1) * 0x9e3779b97f4a7c15ULL);
  std::vector<std::string> names =
      scheduler::GeneratePodNames(kube::GetName(pool.obj), count, taken, seed);
  const std::string ns(kube::GetNamespace(pool.obj));
  std::mutex mu;
  std::vector<std::string> created;  // guarded by mu
  Status retry;                      // guarded by mu
  RunParallel(names.size(), ctx_.max_parallel_writes, [&](size_t i) {
    StatusOr<Json> pod =
        BuildPoolPod(pool.obj, pool.typed.spec.pod_template, pool.revision, names[i]);
    Status s = pod.ok() ? ctx_.api.Create(PodResource(), ns, *pod).status() : pod.status();
    std::lock_guard lock(mu);
    if (s.ok()) {
      created.push_back(names[i]);
    } else {
      ctx_.events.Event(pool.obj, EventType::kWarning, kReasonFailedCreate,
                        "pod " + names[i] + ": " + s.message());
      if (s.code() != StatusCode::kInvalid && retry.ok()) retry = s;
    }
  });
  expectations_.ExpectCreated(pool.key, created, ctx_.clock.Now());
  if (!created.empty()) {
    ctx_.events.Event(pool.obj, EventType::kNormal, kReasonSuccessfulCreate,
                      "created " + std::to_string(created.size()) + " pods: " + JoinNames(created));
  }
  return retry;
}

Status PoolReconciler::DeletePods(PoolState& pool,
                                  const std::vector<scheduler::PodDeletion>& requested) {
  // Only pods no claim took since the decision are deleted, and none of them can be claimed
  // from now on, whatever the cache still shows.
  std::vector<std::string> candidates;
  for (const scheduler::PodDeletion& d : requested) candidates.push_back(d.name);
  const std::vector<std::string> retired = pool.ledger.RetireIdle(candidates);
  std::vector<scheduler::PodDeletion> deletions;
  for (const scheduler::PodDeletion& d : requested) {
    if (std::find(retired.begin(), retired.end(), d.name) != retired.end()) deletions.push_back(d);
  }
  if (deletions.empty()) return Status::Ok();
  const std::string ns(kube::GetNamespace(pool.obj));
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> by_reason;  // guarded by mu
  Status retry;                                               // guarded by mu
  RunParallel(deletions.size(), ctx_.max_parallel_writes, [&](size_t i) {
    const scheduler::PodDeletion& d = deletions[i];
    auto it = pool.pods.find(d.name);
    const std::string uid = it != pool.pods.end() ? it->second.uid : "";
    Status s = ctx_.api.Delete(PodResource(), ns, d.name, uid);
    std::lock_guard lock(mu);
    if (Ignorable(s)) {
      by_reason[std::string(scheduler::DeleteReasonName(d.reason))].push_back(d.name);
    } else {
      ctx_.events.Event(pool.obj, EventType::kWarning, kReasonFailedDelete,
                        "pod " + d.name + ": " + s.message());
      if (retry.ok()) retry = s;
    }
  });
  for (const auto& [reason, names] : by_reason) {
    expectations_.ExpectDeleted(pool.key, names, ctx_.clock.Now());
    ctx_.events.Event(
        pool.obj, EventType::kNormal, kReasonPodDeleted,
        "deleted " + std::to_string(names.size()) + " pods (" + reason + "): " + JoinNames(names));
  }
  return retry;
}

Status PoolReconciler::SyncFinalizer(PoolState& pool, v1::PoolStatus& status) {
  // Only pods that exist can be taken down with the Pool.
  int32_t held = 0;
  for (const auto& [name, view] : pool.pods) held += pool.ledger.Owner(name).has_value() ? 1 : 0;
  const bool has = kube::HasFinalizer(pool.obj, kPoolInUseFinalizer);
  // Added on the first reconcile (not at the first claim), so a Pool deleted right after a claim
  // can never take the claimed pods with it; dropped once a deleting Pool holds nothing.
  const bool want = pool.deleting ? held > 0 : true;
  if (pool.deleting) {
    std::vector<std::string> holders;
    for (const kube::ObjectPtr& b : ctx_.BatchesOfPool(pool.key)) {
      holders.emplace_back(kube::GetName(*b));
    }
    v1::Condition c;
    c.type = kConditionWaitingForSandboxes;
    c.status = held > 0 ? v1::kConditionStatusTrue : v1::kConditionStatusFalse;
    c.reason = held > 0 ? "SandboxesHoldPods" : "NoPodsHeld";
    c.message = held > 0
                    ? "deletion waits until " + std::to_string(held) +
                          " allocated pods are released by BatchSandboxes: " + JoinNames(holders)
                    : "no BatchSandbox holds a pod of this Pool";
    const bool was = v1::IsConditionTrue(status.conditions, kConditionWaitingForSandboxes);
    v1::SetCondition(status.conditions, c, ctx_.NowString());
    if (held > 0 && !was) {
      ctx_.events.Event(pool.obj, EventType::kNormal, kReasonWaitingForSandboxes, *c.message);
    }
  }
  if (want == has) return Status::Ok();
  Json copy = pool.obj;
  if (want) {
    kube::AddFinalizer(copy, kPoolInUseFinalizer);
  } else {
    kube::RemoveFinalizer(copy, kPoolInUseFinalizer);
  }
  Json patch = {{"metadata",
                 {{"finalizers", kube::GetFinalizers(copy)},
                  {"resourceVersion", std::string(kube::GetResourceVersion(pool.obj))}}}};
  Status s = ctx_.api
                 .MergePatch(PoolResource(), std::string(kube::GetNamespace(pool.obj)),
                             std::string(kube::GetName(pool.obj)), patch, false)
                 .status();
  return Ignorable(s) ? Status::Ok() : s;
}

StatusOr<Clock::Duration> PoolReconciler::WriteStatus(PoolState& pool,
                                                      const v1::PoolStatus& status) {
  const auto& stored = pool.typed.status;
  if (!scheduler::PoolStatusChanged(stored, status)) return Clock::Duration::zero();
  const Clock::TimePoint now = ctx_.clock.Now();
  {
    std::lock_guard lock(status_mu_);
    auto last = last_status_write_.find(pool.key);
    if (stored && CountersOnly(*stored, status) && last != last_status_write_.end() &&
        now - last->second < kStatusCountersInterval) {
      return kStatusCountersInterval - (now - last->second);
    }
    last_status_write_[pool.key] = now;
  }
  Json patch = {{"status", v1::EncodeJson(status)}};
  Status s = ctx_.api
                 .MergePatch(PoolResource(), std::string(kube::GetNamespace(pool.obj)),
                             std::string(kube::GetName(pool.obj)), patch, true)
                 .status();
  if (!Ignorable(s)) return s;
  return Clock::Duration::zero();
}

}  // namespace osbx::controller
