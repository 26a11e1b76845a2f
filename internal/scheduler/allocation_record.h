#pragma once
// The durable allocation record of a pooled BatchSandbox, as three annotations on it:
//   alloc-status   {"pods":[...]}  position i = sandbox index i; "" = index waiting for a pod
//   alloc-release  {"pods":[...]}  pods the batch gave back, not yet recycled by the Pool
//   alloc-released {"pods":[...]}  pods the Pool has recycled
// A batch holds (alloc-status ∪ alloc-release) − alloc-released. A pod leaves alloc-status only
// through alloc-release, so a crash between the two steps can never make a dirty pod look free.
//
// The record, the endpoints annotation and the pool-allocation finalizer travel in ONE metadata
// merge patch carrying metadata.resourceVersion, so a stale writer gets 409 instead of
// overwriting a newer record.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::scheduler {

struct AllocationRecord {
  std::vector<std::string> pods;      // alloc-status
  std::vector<std::string> release;   // alloc-release
  std::vector<std::string> released;  // alloc-released

  // Pods the batch holds: (pods ∪ release) − released, without "" and duplicates, in order.
  std::vector<std::string> Held() const;
  // Drops pods that are both in `release` and `released` (and no longer bound to an index):
  // their story is over, and the annotations must not grow forever.
  void Compact();
  bool operator==(const AllocationRecord&) const = default;
};

// Reads the record of a BatchSandbox. An absent annotation is an empty list; a malformed one
// (not JSON, not {"pods":[strings]}) is Invalid, naming the annotation.
[[nodiscard]] StatusOr<AllocationRecord> ParseAllocationRecord(const Json& batch_sandbox);

// Every plausible pod name in a malformed annotation value (JSON strings anywhere in it, or
// quoted tokens when it is not JSON), so a quarantined batch's pods are still treated as taken.
std::vector<std::string> SalvagePodNames(std::string_view text);

// What the ledger rebuild needs from one BatchSandbox.
struct RecordSource {
  std::string uid;
  std::string key;  // namespace/name, for messages
  std::optional<kube::Time> created;
  std::vector<std::string> held;  // for a malformed record: the salvaged names
  bool malformed = false;
  std::string error;  // why the record is malformed
};

// Reads a BatchSandbox into a RecordSource; never fails (malformed records are marked).
RecordSource RecordSourceFromBatchSandbox(const Json& batch_sandbox);

// The endpoints annotation value: a JSON array of strings.
std::string EncodeEndpoints(const std::vector<std::string>& endpoints);

// The metadata merge patch that brings `batch_sandbox` to `record` and `endpoints`, adding the
// pool-allocation finalizer when `want_finalizer` and removing it otherwise. It carries the
// object's resourceVersion as a precondition. nullopt when nothing would change (no write).
std::optional<Json> BuildAllocationPatch(const Json& batch_sandbox, const AllocationRecord& record,
                                         const std::vector<std::string>& endpoints,
                                         bool want_finalizer);

}  // namespace osbx::scheduler
