#pragma once
// BatchSandbox and Pool status, derived from what exists now (never from what was reported
// before), so every value follows the pods in both directions: a sandbox that recovers stops
// reporting failure, a later failure of a pooled pod is seen, and nothing is sticky.
//
// Phase (within the schema's enum; Pausing/Paused/Resuming belong to pause/resume):
//   Failed   some sandbox pod is failing (see PodFailed) or some task failed;
//   Succeed  every one of `replicas` sandboxes is Ready (and nothing failed);
//   Pending  otherwise (still delivering, waiting for the pool, starting).
// Conditions are always written, True or False, and lastTransitionTime moves only on a flip:
//   Ready             all sandboxes Ready (PodsReady / PodsNotReady);
//   PodFailed         a pod Failed, or a container waits on CrashLoopBackOff, ImagePullBackOff,
//                     ErrImagePull or CreateContainerConfigError (reason = that reason);
//   PodRestarted      a container restarted; reason = its last termination (OOMKilled, Error);
//   TaskFailed        (batches with a taskTemplate) some task failed;
//   and for pooled batches:
//   PoolNotFound      the Pool does not exist;
//   PoolExhausted     indexes wait for a pod the Pool does not have yet;
//   TemplateIncompatible  the batch's template differs from the Pool's (message says where);
//   AllocationConflict    an index lost its pod to an earlier batch, or the record is malformed
//                         (reason RecordMalformed: the batch is quarantined).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/v1alpha1/types_generated.h"
#include "internal/scheduler/pod_view.h"

namespace osbx::scheduler {

inline constexpr const char* kConditionReady = "Ready";
inline constexpr const char* kConditionPodFailed = "PodFailed";
inline constexpr const char* kConditionPodRestarted = "PodRestarted";
inline constexpr const char* kConditionTaskFailed = "TaskFailed";
inline constexpr const char* kConditionPoolNotFound = "PoolNotFound";
inline constexpr const char* kConditionPoolExhausted = "PoolExhausted";
inline constexpr const char* kConditionTemplateIncompatible = "TemplateIncompatible";
inline constexpr const char* kConditionAllocationConflict = "AllocationConflict";

enum class TaskState { kRunning, kSucceeded, kFailed, kUnknown };

// Facts about the batch's pool (pooled batches only).
struct PoolFacts {
  bool pool_found = true;
  int32_t waiting = 0;                // indexes waiting for a pod
  std::string template_incompatible;  // "" when compatible
  std::string conflict;               // "" when none
  std::string malformed_record;       // "" when the record parsed
};

struct StatusInput {
  int64_t generation = 0;
  int32_t replicas = 0;
  std::vector<std::optional<PodView>> by_index;                 // the live pod of each index
  bool has_tasks = false;                                       // taskTemplate present
  std::vector<std::optional<TaskState>> tasks;                  // per index; nullopt = no state yet
  std::optional<PoolFacts> pool;                                // set for pooled batches
  const api::v1alpha1::BatchSandboxStatus* previous = nullptr;  // for lastTransitionTime
  std::string now;                                              // RFC 3339
};

api::v1alpha1::BatchSandboxStatus DeriveBatchStatus(const StatusInput& input);

// True when `next` differs from what is stored (a status write is justified).
bool StatusChanged(const std::optional<api::v1alpha1::BatchSandboxStatus>& stored,
                   const api::v1alpha1::BatchSandboxStatus& next);

// ---- Pool ----

struct PoolStatusInput {
  int64_t generation = 0;
  std::string revision;
  std::vector<PodView> pods;
  std::vector<bool> allocated;                          // parallel to pods: held by a batch
  const api::v1alpha1::PoolStatus* previous = nullptr;  // its conditions are carried over
};

api::v1alpha1::PoolStatus DerivePoolStatus(const PoolStatusInput& input);
bool PoolStatusChanged(const std::optional<api::v1alpha1::PoolStatus>& stored,
                       const api::v1alpha1::PoolStatus& next);

}  // namespace osbx::scheduler
