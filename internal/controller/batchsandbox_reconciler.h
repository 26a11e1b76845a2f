#pragma once
// The BatchSandbox reconciler: a level-based shell over internal/scheduler. Per key it reads the
// batch, its pods and its Pool from the caches, asks the scheduler what to do, and writes:
//   - expiry: at spec.expireTime the batch is deleted (a past time: at once); until then the key
//     is requeued for that moment, so no polling;
//   - non-pooled: pods "<name>-<i>" from the template with shardPatches[i]; missing indexes are
//     created (a lost pod comes back at its index), indexes >= replicas deleted;
//   - pooled: indexes are served from the Pool's allocation ledger and written as ONE metadata
//     merge patch (record + endpoints + finalizer, under a resourceVersion precondition), then
//     ONE status patch when the status changed: at most 2 writes per delivered batch, none in
//     steady state. A failed record write rolls the claim back, so no pod is lost or doubled;
//   - deletion: tasks are stopped first (StopTasksBeforeRelease, the hook for task
//     orchestration), then pooled pods are handed to the Pool through alloc-release (released
//     directly when the Pool is gone) and non-pooled pods go with the object.
// Malformed objects get an event (and a condition when they have a status) and are not retried;
// every other object keeps being served.

#include "api/v1alpha1/types_generated.h"
#include "internal/controller/context.h"
#include "internal/scheduler/batch_status.h"
#include "internal/scheduler/lifecycle.h"
#include "pkg/kube/runtime/reconciler.h"

namespace osbx::controller {

class BatchSandboxReconciler final : public kube::Reconciler {
 public:
  // `ctx` is borrowed and must outlive the reconciler.
  explicit BatchSandboxReconciler(ControllerContext& ctx) : ctx_(ctx) {}

  StatusOr<kube::Result> Reconcile(const kube::Request& request) override;

 private:
  struct Batch {
    const Json& obj;
    const api::v1alpha1::BatchSandbox& typed;
    bool deleting;
  };

  StatusOr<kube::Result> ReconcileNonPooled(const Batch& batch);
  StatusOr<kube::Result> ReconcilePooled(const Batch& batch);
  StatusOr<kube::Result> Quarantine(const Batch& batch, const Status& malformed);

  // Where running tasks are stopped before a deleting batch gives up its sandboxes. Task
  // orchestration is not wired in yet: a batch with a taskTemplate reports its tasks as pending
  // and nothing runs, so there is nothing to stop and this returns true (done). When it returns
  // false, the release waits and the batch is looked at again.
  bool StopTasksBeforeRelease(const Batch& batch);

  // Creates the missing non-pooled pods in parallel; the first failure that should be retried.
  Status CreatePods(const Batch& batch, const std::vector<int32_t>& indexes);
  // Deletes pods (uid preconditions) in parallel; the first failure that should be retried.
  Status DeletePods(const Json& owner, const std::vector<std::pair<std::string, std::string>>& pods,
                    const std::string& why);
  // Writes the endpoints annotation of a non-pooled batch when it changed.
  Status WriteEndpoints(const Batch& batch, const std::vector<std::string>& endpoints);
  // Derives the status and patches it when it changed; emits events for conditions that just
  // became true.
  Status WriteStatus(const Batch& batch, scheduler::StatusInput input);

  ControllerContext& ctx_;
};

}  // namespace osbx::controller
