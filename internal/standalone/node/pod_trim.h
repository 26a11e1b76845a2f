#pragma once
// What the simulated node keeps of a pod in its informer cache. With 100,000 pods the cache is
// most of the node's memory, so it keeps only what the sync reads: the identity, deletion and
// simulation annotations of metadata; nodeName and container names and images of the spec; and
// the status without the fields the node derives itself (pod and host IP lists, container
// images, image IDs, container IDs, `started`) or never reads (qosClass and the like are left to
// the server: a merge patch that does not mention them keeps them).
//
// The sync compares a desired status with the cached one after trimming it the same way, so
// the trimmed fields cost nothing at rest and are sent whole only when something else changed.
//
// The cache then holds each trimmed pod packed into one JSON string (plus the name, namespace,
// resourceVersion and nodeName the informer and its handlers read): a parsed pod costs about
// 7 KB in nlohmann::json nodes, a packed one about 2 KB, and unpacking on each sync is cheap
// next to the write it may lead to.

#include "internal/utils/json.h"

namespace osbx::standalone {

// The informer transform of the node.
void TrimPodForNode(Json& pod);

// The status part of TrimPodForNode.
void TrimStatusForNode(Json& status);

// The node's informer transform: TrimPodForNode, then packed.
void PackPodForCache(Json& pod);

// The trimmed pod a cached object holds (a copy for objects that are not packed).
Json UnpackCachedPod(const Json& cached);

}  // namespace osbx::standalone
