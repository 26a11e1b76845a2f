#pragma once
// Pool sizing: how many pods a Pool creates and which idle pods it deletes, as one pure decision
// per reconcile over the pool's pods.
//
// Rules (each guards against a failure seen in the original controller):
// - Only Ready idle pods are buffer. Pods still starting ("creating") count as supply on the way,
//   so they stop further creation, but never as buffer that could justify deleting Ready pods.
// - Hysteresis: the pool refills to bufferMax when supply falls below bufferMin (+ waiting demand)
//   and deletes only while Ready idle pods exceed bufferMax. Refilling to the top of the band
//   (not its midpoint) leaves the whole band as slack before the next refill, and a refill can
//   never trigger a deletion, so create/delete never alternate under steady demand.
// - The pool never holds more than poolMax pods counting pods being created AND terminating, and
//   never deletes below poolMin. Pods above poolMax (poolMax lowered) are deleted.
// - scaleStrategy.maxUnavailable resolves against poolMax (a stable size, so warm-up is not
//   throttled to one pod by a tiny "desired"), rounded up, at least 1. It bounds the pods being
//   created at a time and, separately, the pods terminating at a time.
// - updateStrategy.maxUnavailable resolves against the pool's current size (as a Deployment's
//   rollout against its replicas); idle pods of an old revision are replaced within it, each
//   replacement created in the same decision. Allocated pods are never touched here.
// - Idle pods that are dead (Failed, Succeeded, node lost) or carry the eviction label are deleted
//   at once; idle pods stuck on a failing waiting reason (ImagePullBackOff...) are deleted within
//   the deletion budget so they get replaced instead of blocking the pool forever.
// - Deletion takes the least useful pods first (see LessUsefulFirst).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/v1alpha1/types_generated.h"
#include "internal/scheduler/pod_view.h"
#include "internal/utils/status.h"

namespace osbx::scheduler {

// A pool pod and whether the allocation ledger holds it for a BatchSandbox.
struct PoolPod {
  PodView pod;
  bool allocated = false;
};

// The Pool's sizing parameters, read from its spec.
struct SizingParams {
  int32_t buffer_min = 0;
  int32_t buffer_max = 0;
  int32_t pool_min = 0;
  int32_t pool_max = 0;
  api::v1alpha1::IntOrString scale_max_unavailable = api::v1alpha1::IntOrString::FromString("25%");
  api::v1alpha1::IntOrString update_max_unavailable = api::v1alpha1::IntOrString::FromString("25%");
};

// Reads the sizing parameters of a Pool (defaults applied for absent strategies).
SizingParams SizingParamsFromPool(const api::v1alpha1::Pool& pool);

struct SizingInput {
  SizingParams params;
  std::string revision;        // the current template revision
  std::vector<PoolPod> pods;   // every pod of the pool, terminating ones included
  int32_t waiting_demand = 0;  // sandbox indexes waiting for a pod (PoolExhausted)
  bool pool_deleting = false;  // a deleting Pool creates nothing
};

enum class DeleteReason { kDead, kEvicted, kUnhealthy, kOutdated, kScaleDown, kOverPoolMax };
std::string_view DeleteReasonName(DeleteReason reason);

struct PodDeletion {
  std::string name;
  DeleteReason reason;
  bool operator==(const PodDeletion&) const = default;
};

struct SizingDecision {
  int32_t create = 0;  // pods to create now, all in parallel
  std::vector<PodDeletion> deletions;
  // What the decision saw, for events and metrics.
  int32_t idle_ready = 0;   // Ready idle pods before this decision
  int32_t creating = 0;     // idle pods starting, before this decision
  int32_t terminating = 0;  // pods already terminating
  bool limited_by_pool_max = false;
  bool limited_by_budget = false;

  bool empty() const { return create == 0 && deletions.empty(); }
};

// maxUnavailable against `base`: an integer as is, a percentage rounded up; at least 1. An
// unparsable value is an Invalid Status.
[[nodiscard]] StatusOr<int32_t> ResolveMaxUnavailable(const api::v1alpha1::IntOrString& value,
                                                      int32_t base);

// True when `a` should be deleted before `b`: not Ready before Ready, old revision before
// current, Ready more recently before Ready longer (the longest-ready pods are the proven ones),
// more restarts first, newer first, then by name.
bool LessUsefulFirst(const PodView& a, const PodView& b, std::string_view revision);

// The sizing decision for one reconcile. Fails only on an unparsable maxUnavailable.
[[nodiscard]] StatusOr<SizingDecision> DecideSizing(const SizingInput& input);

}  // namespace osbx::scheduler
