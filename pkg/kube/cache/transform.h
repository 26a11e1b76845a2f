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

// For pods: keeps only what the pool and batch-sandbox controllers read, so that 100,000 cached
// pods fit the memory budget (< 4 KiB each):
//   metadata: everything but managedFields and the kubectl last-applied-configuration
//             annotation (labels, annotations, ownerReferences, finalizers, deletionTimestamp,
//             generation, uid, creationTimestamp stay);
//   spec:     nodeName;
//   status:   phase, podIP, the Ready condition {type,status,lastTransitionTime},
//             containerStatuses[].{name,restartCount,state.waiting.reason,
//                                  state.terminated.{reason,exitCode}}.
// apiVersion and kind are dropped (an informer serves one type). A controller that reads more
// of a pod passes its own transform.
void TrimPodForCache(Json& pod);

}  // namespace osbx::kube
