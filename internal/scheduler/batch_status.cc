#include "internal/scheduler/batch_status.h"

#include <utility>

#include "api/v1alpha1/conditions.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

struct PodCounts {
  int32_t bound = 0, allocated = 0, ready = 0, failed = 0, restarted = 0;
  const PodView* failed_sample = nullptr;
  const PodView* restart_sample = nullptr;
};

std::string FailureReason(const PodView& pod) {
  if (!pod.failing_reason.empty()) return pod.failing_reason;
  if (pod.node_lost) return "NodeLost";
  return pod.phase == "Succeeded" ? "PodSucceeded" : "PodPhaseFailed";
}

PodCounts CountPods(const std::vector<std::optional<PodView>>& by_index) {
  PodCounts c;
  for (const auto& pod : by_index) {
    if (!pod || pod->terminating) continue;
    ++c.bound;
    if (!pod->node_name.empty() || !pod->pod_ip.empty()) ++c.allocated;
    if (pod->ready) ++c.ready;
    if (pod->Failing()) {
      ++c.failed;
      if (c.failed_sample == nullptr) c.failed_sample = &*pod;
    }
    if (pod->restarts > 0 && !pod->last_termination_reason.empty()) {
      ++c.restarted;
      if (c.restart_sample == nullptr || pod->last_termination_reason == "OOMKilled") {
        c.restart_sample = &*pod;
      }
    }
  }
  return c;
}

void CountTasks(const StatusInput& in, v1::BatchSandboxStatus& s) {
  if (!in.has_tasks) return;
  for (int32_t i = 0; i < in.replicas; ++i) {
    const bool bound = static_cast<size_t>(i) < in.by_index.size() && in.by_index[i];
    const std::optional<TaskState> state =
        static_cast<size_t>(i) < in.tasks.size() ? in.tasks[i] : std::nullopt;
    if (!bound || !state) {
      ++s.task_pending;
      continue;
    }
    switch (*state) {
      case TaskState::kRunning:
        ++s.task_running;
        break;
      case TaskState::kSucceeded:
        ++s.task_succeed;
        break;
      case TaskState::kFailed:
        ++s.task_failed;
        break;
      case TaskState::kUnknown:
        ++s.task_unknown;
        break;
    }
  }
}

// Sets one condition, keeping lastTransitionTime from the previous status unless it flipped.
void Set(v1::BatchSandboxStatus& s, const StatusInput& in, const char* type, bool value,
         std::string reason, std::string message) {
  v1::Condition c;
  c.type = type;
  c.status = value ? "True" : "False";
  c.reason = std::move(reason);
  c.message = std::move(message);
  c.observed_generation = in.generation;
  v1::SetCondition(s.conditions, std::move(c), in.now);
}

void SetPodConditions(v1::BatchSandboxStatus& s, const StatusInput& in, const PodCounts& c) {
  const bool all_ready = c.ready == in.replicas;
  Set(s, in, kConditionReady, all_ready, all_ready ? "PodsReady" : "PodsNotReady",
      std::to_string(c.ready) + "/" + std::to_string(in.replicas) + " sandboxes ready");
  if (c.failed_sample != nullptr) {
    const PodView& p = *c.failed_sample;
    Set(s, in, kConditionPodFailed, true, FailureReason(p),
        std::to_string(c.failed) + "/" + std::to_string(c.bound) +
            " observed pods failed; primary reason=" + FailureReason(p) + "; sample pod=" + p.name);
  } else {
    Set(s, in, kConditionPodFailed, false, "PodsHealthy", "no sandbox pod is failing");
  }
  if (c.restart_sample != nullptr) {
    const PodView& p = *c.restart_sample;
    Set(s, in, kConditionPodRestarted, true, p.last_termination_reason,
        "container " + p.last_termination_container + " of pod " + p.name + " restarted (" +
            p.last_termination_reason + "), " + std::to_string(p.restarts) + " restarts");
  } else {
    Set(s, in, kConditionPodRestarted, false, "NoRestarts", "no container restarted");
  }
}

void SetPoolConditions(v1::BatchSandboxStatus& s, const StatusInput& in, const PoolFacts& f) {
  Set(s, in, kConditionPoolNotFound, !f.pool_found, f.pool_found ? "PoolFound" : "PoolNotFound",
      f.pool_found ? "" : "the Pool named by spec.poolRef does not exist");
  Set(s, in, kConditionPoolExhausted, f.waiting > 0,
      f.waiting > 0 ? "PoolExhausted" : "PodsAvailable",
      f.waiting > 0 ? std::to_string(f.waiting) + " sandboxes wait for an idle pod" : "");
  const bool incompatible = !f.template_incompatible.empty();
  Set(s, in, kConditionTemplateIncompatible, incompatible,
      incompatible ? "TemplateIncompatible" : "TemplateCompatible", f.template_incompatible);
  const bool malformed = !f.malformed_record.empty();
  const bool conflict = malformed || !f.conflict.empty();
  Set(s, in, kConditionAllocationConflict, conflict,
      malformed ? "RecordMalformed" : (conflict ? "PodClaimedElsewhere" : "NoConflict"),
      malformed ? f.malformed_record : f.conflict);
}

}  // namespace

v1::BatchSandboxStatus DeriveBatchStatus(const StatusInput& in) {
  v1::BatchSandboxStatus s;
  if (in.previous != nullptr) s.conditions = in.previous->conditions;
  s.observed_generation = in.generation;
  const PodCounts c = CountPods(in.by_index);
  s.replicas = c.bound;
  s.allocated = c.allocated;
  s.ready = c.ready;
  CountTasks(in, s);
  SetPodConditions(s, in, c);
  if (in.has_tasks) {
    Set(s, in, kConditionTaskFailed, s.task_failed > 0,
        s.task_failed > 0 ? "TaskFailed" : "NoTaskFailed",
        std::to_string(s.task_failed) + " tasks failed");
  }
  if (in.pool) SetPoolConditions(s, in, *in.pool);
  if (c.failed > 0 || s.task_failed > 0) {
    s.phase = std::string(v1::kBatchSandboxPhaseFailed);
  } else if (c.ready == in.replicas) {
    s.phase = std::string(v1::kBatchSandboxPhaseSucceed);
  } else {
    s.phase = std::string(v1::kBatchSandboxPhasePending);
  }
  return s;
}

bool StatusChanged(const std::optional<v1::BatchSandboxStatus>& stored,
                   const v1::BatchSandboxStatus& next) {
  return !stored || !(*stored == next);
}

v1::PoolStatus DerivePoolStatus(const PoolStatusInput& in) {
  v1::PoolStatus s;
  if (in.previous != nullptr) s.conditions = in.previous->conditions;
  s.observed_generation = in.generation;
  s.revision = in.revision;
  int32_t updated = 0;
  for (size_t i = 0; i < in.pods.size(); ++i) {
    const PodView& p = in.pods[i];
    if (p.terminating) continue;
    const bool allocated = i < in.allocated.size() && in.allocated[i];
    ++s.total;
    if (allocated) ++s.allocated;
    if (!allocated && p.ready && !p.evict && !p.Failing()) ++s.available;
    if (p.revision == in.revision) ++updated;
  }
  s.updated = updated;
  return s;
}

bool PoolStatusChanged(const std::optional<v1::PoolStatus>& stored, const v1::PoolStatus& next) {
  return !stored || !(*stored == next);
}

}  // namespace osbx::scheduler
