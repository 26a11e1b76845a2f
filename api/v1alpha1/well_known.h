#pragma once
// The label, annotation and finalizer keys of the v1alpha1 API, as other components (the
// OpenSandbox server, ingress, kubectl users) read and write them. The strings are part of the
// API: changing one breaks every object already stored.

#include <string_view>

namespace osbx::api::v1alpha1 {

// ---- Annotations on a BatchSandbox ----

// JSON array of pod IPs ordered by sandbox index; "" for a sandbox not yet ready. Read by the
// server and the ingress.
inline constexpr std::string_view kEndpointsAnnotation = "sandbox.opensandbox.io/endpoints";
// The allocation record of a pooled batch: {"pods":["<pool-pod>",...]}; position = sandbox index.
inline constexpr std::string_view kAllocStatusAnnotation = "sandbox.opensandbox.io/alloc-status";
// Pods whose release the BatchSandbox asked for: {"pods":[...]}.
inline constexpr std::string_view kAllocReleaseAnnotation = "sandbox.opensandbox.io/alloc-release";
// Pods the Pool has recycled after a release: {"pods":[...]}.
inline constexpr std::string_view kAllocReleasedAnnotation =
    "sandbox.opensandbox.io/alloc-released";

// ---- Labels on pods ----

// Sandbox index (decimal) of a non-pooled pod.
inline constexpr std::string_view kPodIndexLabel = "batch-sandbox.sandbox.opensandbox.io/pod-index";
// Name of the BatchSandbox that owns a non-pooled pod.
inline constexpr std::string_view kBatchSandboxNameLabel =
    "batch-sandbox.sandbox.opensandbox.io/name";
// Name of the Pool a pool pod belongs to.
inline constexpr std::string_view kPoolNameLabel = "sandbox.opensandbox.io/pool-name";
// Template revision of a pool pod (16 hex characters of sha256 over the Pool's template).
inline constexpr std::string_view kPoolRevisionLabel = "sandbox.opensandbox.io/pool-revision";
// Present on an idle pool pod: the Pool deletes and replaces it.
inline constexpr std::string_view kEvictLabel = "pool.opensandbox.io/evict";

// ---- Labels and annotations on a Pool ----

// Selects the eviction handler of a Pool.
inline constexpr std::string_view kEvictionHandlerLabel = "pool.opensandbox.io/eviction-handler";
// Restart recycling configuration of a Pool (JSON).
inline constexpr std::string_view kRestartConfigAnnotation =
    "sandbox.opensandbox.io/restart-config";
// Restart progress of a pool pod (JSON).
inline constexpr std::string_view kRestartRecordAnnotation =
    "sandbox.opensandbox.io/restart-record";

// ---- Finalizers ----

// On a BatchSandbox with a taskTemplate: held until every task has been stopped.
inline constexpr std::string_view kTaskCleanupFinalizer =
    "batch-sandbox.sandbox.opensandbox.io/task-cleanup";
// On a pooled BatchSandbox: held until every allocated pod has been recycled by its Pool.
inline constexpr std::string_view kPoolAllocationFinalizer =
    "pool.sandbox.opensandbox.io/pool-allocation";

// ---- Task executor contract ----

// Environment variable naming the sandbox's main container for the executor's sidecar mode.
inline constexpr std::string_view kMainContainerEnv = "SANDBOX_MAIN_CONTAINER";
// The main container's name when the environment does not say.
inline constexpr std::string_view kDefaultMainContainer = "main";
// The port the task executor listens on inside a sandbox.
inline constexpr int kTaskExecutorPort = 5758;

}  // namespace osbx::api::v1alpha1
