#include "internal/controller/batchsandbox_reconciler.h"

#include <mutex>

#include "api/v1alpha1/batch_sandbox.h"
#include "api/v1alpha1/conditions.h"
#include "api/v1alpha1/well_known.h"
#include "internal/controller/event_reasons.h"
#include "internal/scheduler/batch_plan.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/packed.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using kube::EventType;

// Conditions whose rise to True deserves an event, with the event's reason.
struct ConditionEvent {
  const char* condition;
  const char* reason;
};
constexpr ConditionEvent kConditionEvents[] = {
    {scheduler::kConditionPoolNotFound, kReasonPoolNotFound},
    {scheduler::kConditionPoolExhausted, kReasonPoolExhausted},
    {scheduler::kConditionTemplateIncompatible, kReasonTemplateIncompatible},
    {scheduler::kConditionAllocationConflict, kReasonAllocationConflict},
};

bool Ignorable(const Status& s) { return s.ok() || s.code() == StatusCode::kNotFound; }

}  // namespace

StatusOr<kube::Result> BatchSandboxReconciler::Reconcile(const kube::Request& request) {
  kube::ObjectPtr obj = ctx_.batches.Get(request.Key());
  if (!obj) return kube::Result::Done();
  // The cache keeps the status conditions and the pod template packed (see setup.cc): the
  // reconcile reads a full copy.
  const Json full = kube::UnpackedCopy(*obj);
  StatusOr<v1::BatchSandbox> typed = v1::DecodeBatchSandbox(full);
  if (!typed.ok()) {
    ctx_.events.Event(full, EventType::kWarning, kReasonInvalidSpec, typed.status().message());
    return kube::TerminalError(typed.status());
  }
  Batch batch{full, *typed, kube::IsBeingDeleted(full)};
  scheduler::RequeueHint hint;
  if (!batch.deleting) {
    scheduler::ExpiryDecision expiry =
        scheduler::DecideExpiry(typed->spec.expire_time, ctx_.clock.WallNow());
    if (!expiry.error.empty()) {
      ctx_.events.Event(full, EventType::kWarning, kReasonInvalidExpireTime, expiry.error);
    }
    if (expiry.expired) {
      Status deleted = ctx_.api.Delete(BatchSandboxResource(), request.ns, request.name,
                                       std::string(kube::GetUid(full)));
      if (!Ignorable(deleted)) return deleted;
      ctx_.events.Event(full, EventType::kNormal, kReasonExpired,
                        "expireTime " + *typed->spec.expire_time + " reached; deleting");
      return kube::Result::Done();
    }
    hint.At(expiry.recheck);
  }
  const bool pooled = typed->spec.pool_ref && !typed->spec.pool_ref->empty();
  StatusOr<kube::Result> result = pooled ? ReconcilePooled(batch) : ReconcileNonPooled(batch);
  if (!result.ok()) return result;
  if (auto after = hint.After(ctx_.clock.WallNow())) {
    auto delay = std::chrono::duration_cast<Clock::Duration>(*after) + std::chrono::milliseconds(1);
    if (result->requeue_after.count() == 0 || delay < result->requeue_after) {
      result->requeue_after = delay;
    }
  }
  return result;
}

bool BatchSandboxReconciler::StopTasksBeforeRelease(const Batch&) { return true; }

StatusOr<kube::Result> BatchSandboxReconciler::ReconcileNonPooled(const Batch& batch) {
  if (batch.deleting) {
    // Pods carry a controller reference to the batch: the garbage collector removes them with it.
    StopTasksBeforeRelease(batch);
    return kube::Result::Done();
  }
  const std::string uid(kube::GetUid(batch.obj));
  std::vector<scheduler::PodView> views;
  for (const kube::ObjectPtr& pod : ctx_.PodsControlledBy(uid)) {
    views.push_back(scheduler::FromPod(*pod));
  }
  const std::string name(kube::GetName(batch.obj));
  const int32_t replicas = batch.typed.spec.replicas;
  scheduler::NonPooledPlan plan = scheduler::PlanNonPooled(name, replicas, views);
  Status create = CreatePods(batch, plan.create);
  std::vector<std::pair<std::string, std::string>> doomed;
  for (const std::string& pod : plan.deletions) {
    for (const auto& v : views) {
      if (v.name == pod) doomed.emplace_back(v.name, v.uid);
    }
  }
  Status removal = DeletePods(batch.obj, doomed, "scale down");
  OSBX_RETURN_IF_ERROR(WriteEndpoints(batch, scheduler::Endpoints(replicas, plan.by_index)));
  scheduler::StatusInput input;
  input.replicas = replicas;
  input.by_index = plan.by_index;
  OSBX_RETURN_IF_ERROR(WriteStatus(batch, std::move(input)));
  OSBX_RETURN_IF_ERROR(create);
  OSBX_RETURN_IF_ERROR(removal);
  return kube::Result::Done();
}

Status BatchSandboxReconciler::CreatePods(const Batch& batch, const std::vector<int32_t>& indexes) {
  if (indexes.empty()) return Status::Ok();
  const std::string ns(kube::GetNamespace(batch.obj));
  std::mutex mu;
  std::vector<std::string> created;  // guarded by mu
  Status retry;                      // guarded by mu
  RunParallel(indexes.size(), ctx_.max_parallel_writes, [&](size_t i) {
    const int32_t index = indexes[i];
    const auto& patches = batch.typed.spec.shard_patches;
    const Json shard = static_cast<size_t>(index) < patches.size() ? patches[index] : Json();
    StatusOr<Json> pod =
        scheduler::BuildNonPooledPod(batch.obj, batch.typed.spec.pod_template, shard, index);
    Status s = pod.ok() ? ctx_.api.Create(PodResource(), ns, *pod).status() : pod.status();
    std::lock_guard lock(mu);
    if (s.ok()) {
      created.push_back(std::string(kube::GetName(batch.obj)) + "-" + std::to_string(index));
    } else if (s.code() != StatusCode::kAlreadyExists) {
      ctx_.events.Event(batch.obj, EventType::kWarning, kReasonFailedCreate,
                        "sandbox " + std::to_string(index) + ": " + s.message());
      // A malformed template or patch cannot succeed on retry; the next spec change retries.
      if (s.code() != StatusCode::kInvalid && retry.ok()) retry = s;
    }
  });
  if (!created.empty()) {
    ctx_.events.Event(batch.obj, EventType::kNormal, kReasonSuccessfulCreate,
                      "created pods " + JoinNames(created));
  }
  return retry;
}

Status BatchSandboxReconciler::DeletePods(
    const Json& owner, const std::vector<std::pair<std::string, std::string>>& pods,
    const std::string& why) {
  if (pods.empty()) return Status::Ok();
  const std::string ns(kube::GetNamespace(owner));
  std::mutex mu;
  std::vector<std::string> deleted;  // guarded by mu
  Status retry;                      // guarded by mu
  RunParallel(pods.size(), ctx_.max_parallel_writes, [&](size_t i) {
    Status s = ctx_.api.Delete(PodResource(), ns, pods[i].first, pods[i].second);
    std::lock_guard lock(mu);
    if (Ignorable(s)) {
      deleted.push_back(pods[i].first);
    } else {
      ctx_.events.Event(owner, EventType::kWarning, kReasonFailedDelete,
                        "pod " + pods[i].first + ": " + s.message());
      if (retry.ok()) retry = s;
    }
  });
  if (!deleted.empty()) {
    ctx_.events.Event(owner, EventType::kNormal, kReasonSuccessfulDelete,
                      "deleted pods (" + why + "): " + JoinNames(deleted));
  }
  return retry;
}

Status BatchSandboxReconciler::WriteEndpoints(const Batch& batch,
                                              const std::vector<std::string>& endpoints) {
  const std::string encoded = scheduler::EncodeEndpoints(endpoints);
  auto current = kube::GetAnnotation(batch.obj, v1::kEndpointsAnnotation);
  if (current && *current == encoded) return Status::Ok();
  Json patch = {
      {"metadata", {{"annotations", {{std::string(v1::kEndpointsAnnotation), encoded}}}}}};
  StatusOr<Json> stored =
      ctx_.api.MergePatch(BatchSandboxResource(), std::string(kube::GetNamespace(batch.obj)),
                          std::string(kube::GetName(batch.obj)), patch, false);
  if (stored.ok()) ctx_.batch_self_writes.Record(*stored);
  return Ignorable(stored.status()) ? Status::Ok() : stored.status();
}

Status BatchSandboxReconciler::WriteStatus(const Batch& batch, scheduler::StatusInput input) {
  const auto& previous = batch.typed.status;
  input.generation = kube::GetGeneration(batch.obj);
  input.has_tasks = batch.typed.spec.task_template.has_value();
  input.previous = previous ? &*previous : nullptr;
  input.now = ctx_.NowString();
  v1::BatchSandboxStatus next = scheduler::DeriveBatchStatus(input);
  if (!scheduler::StatusChanged(previous, next)) return Status::Ok();
  Json patch = {{"status", v1::EncodeJson(next)}};
  // The cache may not show our previous status write yet; that write is not repeated.
  if (ctx_.batch_self_writes.StatusAlreadyWritten(batch.obj, patch["status"])) return Status::Ok();
  for (const ConditionEvent& ce : kConditionEvents) {
    const bool was = previous && v1::IsConditionTrue(previous->conditions, ce.condition);
    const v1::Condition* now = v1::FindCondition(next.conditions, ce.condition);
    if (!was && now != nullptr && now->status == v1::kConditionStatusTrue) {
      ctx_.events.Event(batch.obj, EventType::kWarning, ce.reason, now->message.value_or(""));
    }
  }
  StatusOr<Json> stored =
      ctx_.api.MergePatch(BatchSandboxResource(), std::string(kube::GetNamespace(batch.obj)),
                          std::string(kube::GetName(batch.obj)), patch, true);
  if (stored.ok()) ctx_.batch_self_writes.RecordStatus(*stored, patch["status"]);
  return Ignorable(stored.status()) ? Status::Ok() : stored.status();
}

}  // namespace osbx::controller
