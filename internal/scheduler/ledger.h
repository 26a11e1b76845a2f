#pragma once
// The allocation ledger: which pool pod is held by which BatchSandbox, shared by the Pool and
// BatchSandbox controllers. It is the in-memory index of the durable records (allocation_record.h)
// plus the claims being written, and the one place that hands out pods, so a pod is allocated to
// at most one BatchSandbox ever.
//
// Life cycle per pool: Rebuild from every record (before the first claim after start or a
// leadership change), then Claim -> write the record -> Confirm (or Rollback when the write
// failed), and Release once the Pool has recycled a pod. Thread-safe: one mutex per pool, so
// claims on different pools never wait for each other.
//
// Hand-out order: idle Ready pods of the current revision first, then older revisions (better a
// working old pod than a waiting sandbox); within that, the pod Ready for the longest time first
// (FIFO: proven pods serve first, and sizing deletes from the other end, newest Ready first),
// then the oldest, then by name, so the order is deterministic.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "internal/scheduler/allocation_record.h"
#include "internal/scheduler/pod_view.h"
#include "internal/utils/status.h"

namespace osbx::scheduler {

// A pod two records claim; the earlier claim (lower creationTimestamp, then uid) keeps it.
struct AllocationConflict {
  std::string pod;
  std::string winner_uid;
  std::string loser_uid;
  std::string loser_key;
  bool operator==(const AllocationConflict&) const = default;
};

// A batch whose record could not be read: its salvaged pods stay held by it.
struct QuarantinedRecord {
  std::string uid;
  std::string key;
  std::string error;
};

struct RebuildReport {
  std::vector<AllocationConflict> conflicts;
  std::vector<QuarantinedRecord> quarantined;
};

// Pods granted by one Claim, in hand-out order; `shortfall` indexes found no idle pod.
struct ClaimGrant {
  uint64_t id = 0;  // 0 when nothing was granted (nothing to confirm or roll back)
  std::vector<std::string> pods;
  int32_t shortfall = 0;
};

// True when `a` is handed out before `b` (see the header comment).
bool AllocateFirst(const PodView& a, const PodView& b, std::string_view revision);

// Whether a pool pod can be handed out at all, ledger aside.
bool Allocatable(const PodView& pod);

class PoolLedger {
 public:
  // Replaces the whole ledger with the holdings of `records`. Conflicting claims go to the
  // earlier batch; a malformed record's salvaged pods stay held by it (quarantine).
  RebuildReport Rebuild(const std::vector<RecordSource>& records);
  bool rebuilt() const;

  // Takes up to `count` allocatable pods from `pool_pods` for batch `uid`. Records the shortfall
  // as that batch's waiting demand. Unavailable before Rebuild.
  [[nodiscard]] StatusOr<ClaimGrant> Claim(std::string_view uid, int32_t count,
                                           const std::vector<PodView>& pool_pods,
                                           std::string_view revision);
  // The same over views held elsewhere (no copies: a claim of one pod from a pool of tens of
  // thousands should not copy every candidate).
  [[nodiscard]] StatusOr<ClaimGrant> ClaimAmong(std::string_view uid, int32_t count,
                                                const std::vector<const PodView*>& pool_pods,
                                                std::string_view revision);
  // The claim's record write succeeded: its pods are held for good.
  void Confirm(uint64_t claim_id);
  // The claim's record write failed: its pods become free again.
  void Rollback(uint64_t claim_id);
  // Batch `uid` no longer holds `pods` (recycled). With `reusable` false (Delete, Restart-as-
  // Delete) the pods are retired: never handed out again, even while a stale cache still shows
  // them Ready, until ForgetRetired drops them once they are gone.
  void Release(std::string_view uid, const std::vector<std::string>& pods, bool reusable);
  // Takes idle pods out of circulation before the Pool deletes them (scale down, dead, outdated):
  // each of `pods` that no batch holds or is claiming is retired, atomically with respect to
  // Claim, and returned; pods claimed meanwhile are left out and must not be deleted. Without
  // it a claim working from a cache that has not seen the deletion yet hands out a dying pod.
  [[nodiscard]] std::vector<std::string> RetireIdle(const std::vector<std::string>& pods);
  // Drops retired pods that no longer exist (`existing` = names of the pool's pods).
  void ForgetRetired(const std::set<std::string, std::less<>>& existing);
  // The batch is gone: forget its waiting demand.
  void ForgetBatch(std::string_view uid);

  // The batch holding `pod` (confirmed or in flight), if any.
  std::optional<std::string> Owner(std::string_view pod) const;
  // Number of held pods.
  int32_t HeldCount() const;
  // Sandbox indexes waiting for a pod, over all batches.
  int32_t WaitingDemand() const;
  // The uids of the batches whose last claim fell short (the ones a freed pod should wake).
  std::vector<std::string> WaitingBatches() const;

 private:
  struct Holding {
    std::string uid;
    uint64_t claim_id = 0;  // 0: confirmed or observed in a record
  };
  bool FreeLocked(const PodView& pod) const;

  mutable std::mutex mu_;
  bool rebuilt_ = false;                                   // guarded by mu_
  std::unordered_map<std::string, Holding> holdings_;      // pod -> holder; guarded by mu_
  std::map<uint64_t, std::vector<std::string>> inflight_;  // claim id -> pods; guarded by mu_
  std::unordered_set<std::string> retired_;                // guarded by mu_
  std::map<std::string, int32_t, std::less<>> waiting_;    // uid -> indexes; guarded by mu_
  uint64_t next_claim_id_ = 1;                             // guarded by mu_
};

// The ledgers of every pool, by "namespace/pool", created on first use. Forget drops a pool's
// ledger (the Pool is gone and no batch refers to it); callers still holding it keep a valid
// object, which is why ledgers are shared.
class Ledger {
 public:
  std::shared_ptr<PoolLedger> ForPool(std::string_view pool_key);
  void Forget(std::string_view pool_key);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<PoolLedger>, std::less<>> pools_;  // guarded by mu_
};

}  // namespace osbx::scheduler
