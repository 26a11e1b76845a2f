#pragma once
// Object transforms: applied to every object before the informer caches it, to drop what the
// controllers never read. Memory per cached object matters (100,000 pooled pods in one process):
// managedFields alone is often half of a pod.
//
// A transform edits the object in place and must keep metadata.name, metadata.namespace and
// metadata.resourceVersion (the cache key and the watch position).

#include <functional>

#include "internal/utils/json.h"

namespace osbx::kube {

using TransformFunc = std::function<void(Json& obj)>;

// Removes metadata.managedFields. The informer's default transform.
void StripManagedFields(Json& obj);

// For pods: StripManagedFields, drops the kubectl last-applied-configuration annotation, and
// keeps of spec and status only what the pool and batch-sandbox controllers read:
//   spec: nodeName, containers[].{name,image};
//   status: phase, podIP, hostIP, startTime,
//           conditions[].{type,status,reason,lastTransitionTime},
//           containerStatuses[].{name,ready,restartCount,state.waiting.reason,
//                                state.terminated.{reason,exitCode}, state.running}.
// metadata keeps everything else (labels, annotations, ownerReferences, finalizers,
// deletionTimestamp, generation, uid).
void TrimPodForCache(Json& pod);

}  // namespace osbx::kube
