#pragma once
// What informers cache of each object: projections (which parts to keep, applied while the
// bytes are decoded, see InformerOptions::projection) and transforms (edits of decoded objects),
// to drop what the controllers never read. Memory per cached object matters (100,000 pooled pods in
// one process): managedFields alone is often half of a pod.
//
// A transform edits the object in place and must keep metadata.name, metadata.namespace and
// metadata.resourceVersion (the cache key and the watch position).

#include <functional>
#include <memory>

#include "internal/utils/json.h"
#include "pkg/kube/cache/projection.h"
#include "pkg/kube/client/resource.h"

namespace osbx::kube {

using TransformFunc = std::function<void(Json& obj)>;

// Removes metadata.managedFields.
void StripManagedFields(Json& obj);

// Everything but metadata.managedFields: the informer's default projection.
std::shared_ptr<const FieldProjection> WithoutManagedFields();

// The pod cache contract: what the controllers read of a cached pod, and nothing else, so that
// 100,000 cached pods stay within the memory budget (under 4 KiB each). The readers are
// scheduler::FromPod (internal/scheduler/pod_view.cc, behind every pod the pool and
// batch-sandbox controllers look at) and the controllers' predicates and mappers
// (internal/controller/setup.cc and pkg/kube/runtime/controller.cc: labels, owner references).
// Kept:
//   metadata: everything but managedFields, generateName, generation,
//             deletionGracePeriodSeconds, selfLink and the kubectl
//             last-applied-configuration annotation (name, namespace, uid, resourceVersion,
//             creationTimestamp, deletionTimestamp, labels, annotations, ownerReferences,
//             finalizers, ... stay; annotations left empty are removed);
//   spec:     nodeName;
//   status:   phase, reason (e.g. NodeLost), podIP,
//             conditions: only the Ready condition, as {type,status,lastTransitionTime},
//             initContainerStatuses[] and containerStatuses[], each as
//               {name, restartCount, state.waiting.reason, lastState.terminated.reason}
//             (state and lastState are removed when nothing of them is left, e.g. running).
// Annotations and finalizers are kept although no controller reads them of a pod today: they
// cost nothing when absent and are where pod-level signals go.
// Dropped, because no controller reads them of a cached pod: apiVersion and kind (an informer
// serves one type), the metadata named above (a pod's generation is not a controller input:
// the pod predicates compare scheduler::FromPod views and labels), the rest of spec (containers,
// volumes, ...; template checks compare the Pool's and BatchSandbox's templates, not pods),
// containerStatuses[].ready (readiness is the Ready condition), exit codes and state.terminated,
// images and IDs, messages. A controller that reads more of a pod must extend this contract (and
// its tests) or pass its own projection.
const FieldProjection& PodCacheProjection();

// Trims a pod to PodCacheProjection().
void TrimPodForCache(Json& pod);

// The projection an informer for `resource` should cache through unless its owner needs more
// of the objects (InformerOptions::projection): PodCacheProjection for core/v1 pods, everything
// but metadata.managedFields for everything else.
std::shared_ptr<const FieldProjection> DefaultProjectionFor(const ResourceRef& resource);

// The same choice as a transform, for objects decoded whole: TrimPodForCache for core/v1 pods,
// StripManagedFields for everything else.
TransformFunc DefaultTransformFor(const ResourceRef& resource);

}  // namespace osbx::kube
