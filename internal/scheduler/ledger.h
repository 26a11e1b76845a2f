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
  // ClaimObserved only: the granted pods' views, in the order of `pods`.
  std::vector<std::shared_ptr<const PodView>> views;
};

// True when `a` is handed out before `b` (see the header comment).
bool AllocateFirst(const PodView& a, const PodView& b, std::string_view revision);

// Whether a pool pod can be handed out at all, ledger aside.
bool Allocatable(const PodView& pod);

class PoolLedger {
 public:
  // Back to "not rebuilt": holdings, claims, retirements and waiting demand dropped; observed
  // pods kept.
  void Reset();
  bool observes_pods() const;
  // Replaces the whole ledger with the holdings of `records`. Conflicting claims go to the
  // earlier batch; a malformed record's salvaged pods stay held by it (quarantine).
  RebuildReport Rebuild(const std::vector<RecordSource>& records);
  bool rebuilt() const;

  // The pool's pods as the cache shows them, for ClaimObserved: the pod's newest view, with the
  // uid of its controller. A pod that is not Allocatable stops being a candidate.
  void ObservePod(std::shared_ptr<const PodView> view, std::string_view owner_uid);
  // The pod left the cache.
  void ForgetPod(std::string_view name);
  // Takes up to `count` of the observed free pods whose controller is `pool_uid` for batch `uid`,
  // and records the shortfall as that batch's waiting demand. Unavailable before Rebuild. The
  // ledger keeps its free candidates in hand-out order, so a claim costs O(count log n) whatever
  // the pool's size (scanning a pool of 100,000 pods per claim would make delivery quadratic).
  [[nodiscard]] StatusOr<ClaimGrant> ClaimObserved(std::string_view uid, int32_t count,
                                                   std::string_view pool_uid,
                                                   std::string_view revision);
  // Number of observed pods that could be handed out now.
  size_t FreeCount() const;
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
  struct Candidate {
    std::shared_ptr<const PodView> view;
    std::string owner_uid;
  };
  // Hand-out order (AllocateFirst) for one template revision.
  struct FreeOrder {
    std::string revision;
    bool operator()(const Candidate* a, const Candidate* b) const {
      return AllocateFirst(*a->view, *b->view, revision);
    }
  };
  // Records the claim of `chosen` (and the batch's waiting demand). Caller holds mu_.
  ClaimGrant GrantLocked(std::string_view uid, int32_t count,
                         const std::vector<const PodView*>& chosen);
  // Keep free_ in step with a change of `pod`: Unfree before changing its view, holding or
  // retirement, Refree after. Caller holds mu_.
  void UnfreeLocked(const std::string& pod);
  void RefreeLocked(const std::string& pod);

  mutable std::mutex mu_;
  bool rebuilt_ = false;                                   // guarded by mu_
  std::unordered_map<std::string, Holding> holdings_;      // pod -> holder; guarded by mu_
  std::map<uint64_t, std::vector<std::string>> inflight_;  // claim id -> pods; guarded by mu_
  std::unordered_set<std::string> retired_;                // guarded by mu_
  std::map<std::string, int32_t, std::less<>> waiting_;    // uid -> indexes; guarded by mu_
  uint64_t next_claim_id_ = 1;                             // guarded by mu_
  // Observed allocatable pods (node addresses are stable: free_ points into it).
  std::unordered_map<std::string, Candidate> candidates_;  // guarded by mu_
  // The candidates neither held nor retired, in hand-out order; empty until rebuilt.
  std::set<const Candidate*, FreeOrder> free_;  // guarded by mu_
};

// The ledgers of every pool, by "namespace/pool", created on first use. Forget drops a pool's
// ledger (the Pool is gone and no batch refers to it); callers still holding it keep a valid
// object, which is why ledgers are shared.
class Ledger {
 public:
  std::shared_ptr<PoolLedger> ForPool(std::string_view pool_key);
  // Drops the pool's holdings. A ledger that still observes pods is kept (reset, to be rebuilt
  // on next use) so a Pool re-created under the same name finds the pods seen meanwhile.
  void Forget(std::string_view pool_key);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<PoolLedger>, std::less<>> pools_;  // guarded by mu_
};

}  // namespace osbx::scheduler
