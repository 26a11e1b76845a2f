#pragma once
// Object transforms: applied to every object before the informer caches it, to drop what the
// controllers never read. Memory per cached object matters (100,000 pooled pods in one process):
// managedFields alone is often half of a pod.
//
// A transform edits the object in place and must keep metadata.name, metadata.namespace and
// metadata.resourceVersion (the cache key and the watch position).

#include <functional>

#include "internal/utils/json.h"
#include "pkg/kube/cache/projection.h"
#include "pkg/kube/client/resource.h"

namespace osbx::kube {

using TransformFunc = std::function<void(Json& obj)>;

// Removes metadata.managedFields. The informer's default transform.
void StripManagedFields(Json& obj);

// The pod cache contract: what the pool and batch-sandbox controllers (and the scheduler's pod
// views, scheduler::FromPod) may read of a cached pod. Everything else is dropped, so that
// 100,000 cached pods stay within the memory budget:
//   metadata: everything but managedFields and the kubectl last-applied-configuration annotation
//             (name, namespace, uid, resourceVersion, generation, creationTimestamp,
//             deletionTimestamp, labels, annotations, ownerReferences, finalizers, ... stay;
//             annotations left empty are removed);
//   spec:     nodeName, containers[].{name,image};
//   status:   phase, reason (e.g. NodeLost), podIP,
//             conditions: only the Ready condition, as {type,status,lastTransitionTime},
//             initContainerStatuses[] and containerStatuses[], each as
//               {name, ready, restartCount, state.waiting.reason,
//                state.terminated.{reason,exitCode}, lastState.terminated.{reason,exitCode}}
//             (state and lastState are removed when nothing of them is left, e.g. running).
// apiVersion and kind are dropped (an informer serves one type). A controller that reads more
// of a pod must extend this contract (and its tests) or pass its own transform.
const FieldProjection& PodCacheProjection();

// Trims a pod to PodCacheProjection().
void TrimPodForCache(Json& pod);

// The transform an informer for `resource` should use unless its owner needs more of the
// objects: TrimPodForCache for core/v1 pods, StripManagedFields for everything else.
TransformFunc DefaultTransformFor(const ResourceRef& resource);

}  // namespace osbx::kube
