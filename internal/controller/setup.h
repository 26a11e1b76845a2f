#pragma once
// Wiring of the Pool and BatchSandbox controllers into a manager: the informers they share, the
// allocation ledger rebuild that must finish before the first claim, both controllers with their
// watches and predicates, and the sandbox metrics.
//
// Watches (each one is why some change reaches a reconciler without polling):
//   BatchSandbox controller
//     For(BatchSandbox)   generation, annotations, finalizers or deletionTimestamp changed (its
//                         own status writes do not wake it);
//     Owns(Pod)           non-pooled pods, through their controller reference;
//     Watches(Pod)        a pool pod wakes the batch holding it (ledger -> uid -> batch) or, when
//                         it is Ready and free, the batches of its pool still waiting for pods;
//     Watches(Pool)       a Pool appearing, changing or going wakes the batches naming it.
//   Pool controller
//     For(Pool)           generation, labels, finalizers or deletionTimestamp changed;
//     Owns(Pod)           its pods;
//     Watches(BatchSandbox)  a batch's record changing, its deletion or disappearance.

#include <chrono>
#include <cstdint>
#include <memory>

#include "internal/controller/api_client.h"
#include "internal/utils/status.h"
#include "pkg/kube/runtime/manager.h"

namespace osbx::controller {

struct ControllersOptions {
  int batchsandbox_workers = 32;
  int pool_workers = 16;
  // Most creates or deletes one reconcile runs at once.
  int max_parallel_writes = 16;
  // Seeds pool pod names (0: a random seed).
  uint64_t name_seed = 0;
  // Wait before the ledger rebuild for writes a previous controller process sent before it died
  // (see LedgerRebuilder). Zero when no such process can exist (the API server is in-process).
  std::chrono::milliseconds allocation_settle_delay{0};
  // Metrics registry of the sandbox metrics; Metrics::Global() when null. Not owned.
  kube::Metrics* metrics = nullptr;
};

class SandboxMetrics;

// The cache indexes the controllers look pods up by (pods by owner uid). Add them to the
// manager's ManagerOptions::informer_options.indexers; without them every lookup scans the cache.
kube::Indexers RequiredIndexers();

// Everything the controllers need to outlive: keep it until the manager's Run() has returned.
class Controllers {
 public:
  virtual ~Controllers() = default;
  virtual SandboxMetrics& metrics() = 0;
};

// Registers the ledger rebuild and both controllers with `manager` (before Run). `api` is
// borrowed and must outlive the result.
[[nodiscard]] StatusOr<std::unique_ptr<Controllers>> RegisterControllers(
    kube::Manager& manager, ApiClient& api, const ControllersOptions& options);

}  // namespace osbx::controller
