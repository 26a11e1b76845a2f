#pragma once
// What a BatchSandbox reconcile does to its pods, as plain decisions.
//
// Index i is stable everywhere: pod index i, endpoint i, shardPatches[i] and the record's
// position i all name the same sandbox.
// - Non-pooled: pods "<batch>-<i>" for i in [0, replicas); missing indexes are created (a lost pod
//   comes back at the same index), indexes >= replicas are deleted (scale down removes the
//   highest). A terminating pod does not count as present but blocks re-creating its name.
// - Pooled: the record follows replicas. Scale up appends "" slots to be served from the ledger;
//   scale down moves the highest indexes to alloc-release; a bound pod that died (gone, Failed,
//   terminating) moves to alloc-release and its index is served again; a pod the ledger gave to
//   an earlier batch (conflict) is dropped and its index served again. Deleting moves every held
//   pod to alloc-release and drops the finalizer once the Pool has recycled them all.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "internal/scheduler/allocation_record.h"
#include "internal/scheduler/pod_view.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::scheduler {

// ---- non-pooled ----

struct NonPooledPlan {
  std::vector<int32_t> create;         // indexes to create, ascending
  std::vector<std::string> deletions;  // pods to delete, highest index first
  std::vector<int32_t> blocked;        // missing indexes whose old pod is still terminating
  std::vector<std::optional<PodView>> by_index;  // replicas entries: the live pod of each index
};

// The sandbox index of a non-pooled pod: its pod-index label, else the number after
// "<batch>-"; nullopt for a pod that is not one of the batch's.
std::optional<int32_t> NonPooledIndex(std::string_view batch, const PodView& pod);

NonPooledPlan PlanNonPooled(std::string_view batch, int32_t replicas,
                            const std::vector<PodView>& pods);

// The pod of index `index`: the template's metadata and spec, then `shard_patch` (null for none)
// as a strategic merge patch over the whole pod, then name "<batch>-<index>", the namespace, the
// name and index labels and a controller ownerReference to the batch. Invalid when the template
// or the patch is malformed.
[[nodiscard]] StatusOr<Json> BuildNonPooledPod(const Json& batch_sandbox, const Json& pod_template,
                                               const Json& shard_patch, int32_t index);

// ---- pooled ----

enum class ReleaseReason { kScaleDown, kDied, kDeleting, kRequested };

struct PooledInput {
  int32_t replicas = 0;
  bool deleting = false;
  AllocationRecord record;
  std::map<std::string, PodView, std::less<>> pods;  // the record's pods that exist
  std::set<std::string, std::less<>> held_by_other;  // record pods the ledger gives elsewhere
  std::set<int32_t> release_requested;  // indexes to give back (task done, policy Release)
};

struct PooledPlan {
  AllocationRecord record;        // the record to write
  std::vector<int32_t> to_serve;  // indexes holding "" that need a pod from the ledger
  std::vector<std::pair<std::string, ReleaseReason>> released;  // moved to alloc-release
  std::vector<std::string> dropped;                             // lost to an earlier batch
  bool want_finalizer = false;
};

PooledPlan PlanPooled(const PooledInput& input);

// Puts `pods` into the `to_serve` indexes of `record`, ascending, as far as they go.
void FillIndexes(AllocationRecord& record, const std::vector<int32_t>& to_serve,
                 const std::vector<std::string>& pods);

// The live pod at each index of a record (nullopt for "" or a pod that is gone).
std::vector<std::optional<PodView>> PooledByIndex(
    const AllocationRecord& record, const std::map<std::string, PodView, std::less<>>& pods);

// The endpoints annotation: exactly `replicas` entries, entry i = the IP of index i's pod once
// it is Ready, else "".
std::vector<std::string> Endpoints(int32_t replicas,
                                   const std::vector<std::optional<PodView>>& by_index);

}  // namespace osbx::scheduler
