#pragma once
// AllocationAuditor: the crash test's independent judge of allocation integrity. It is fed the
// BatchSandbox and Pod watch streams of a run (each stream in its own order) and reports:
//   - a pod held by two BatchSandboxes at once: checked on the BatchSandbox stream, whose order
//     is the store's, so the auditor's view after each event is an exact snapshot of all records;
//   - a pod allocated after it was released under a Delete-recycle Pool, or after it was marked
//     for deletion (any path: release, orphan, pool gone, eviction). The two streams are related
//     through the API server's global resourceVersion, and pods are told apart by uid: a later
//     pod reusing a name is a different pod.
//
// The record format is parsed here on its own (not with the controllers' parser), so a parser
// bug cannot hide an integrity bug. A batch holds (alloc-status ∪ alloc-release) − alloc-released.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::crash {

class AllocationAuditor {
 public:
  // The recycle strategy of Pool "namespace/name" ("Delete" when never set).
  void SetPoolStrategy(const std::string& pool_key, const std::string& strategy);
  // One BatchSandbox watch event (ADDED/MODIFIED: `deleted` false; DELETED: true).
  void ObserveBatch(const Json& batch, bool deleted);
  // One Pod watch event.
  void ObservePod(const Json& pod, bool deleted);

  // Every integrity violation found so far, one message each (with resourceVersions).
  std::vector<std::string> Violations() const;
  // Record states observed and pod allocations (a pod entering a batch's holdings) observed.
  int64_t records_observed() const;
  int64_t allocations_observed() const;
  // The pods each BatchSandbox (by "namespace/name") holds in the latest observed state.
  std::map<std::string, std::set<std::string>> Holdings() const;

 private:
  struct Incarnation {  // one pod (uid) that carried a name
    std::string uid;
    int64_t first_rv = 0;
    int64_t deleting_rv = 0;  // 0: never seen marked for deletion
  };
  struct Hold {  // a pod entering a batch's holdings
    std::string pod;
    std::string batch;
    int64_t rv = 0;
  };
  struct Retirement {  // a pod released under Delete
    std::string batch;
    int64_t rv = 0;
  };
  struct BatchState {
    std::string key;
    std::string pool_key;
    std::set<std::string> held;
  };

  void ApplyBatchLocked(const std::string& uid, BatchState next, int64_t rv);
  const Incarnation* IncarnationAtLocked(const std::string& pod, int64_t rv) const;

  mutable std::mutex mu_;
  std::map<std::string, std::string> strategies_;               // pool key -> strategy; mu_
  std::map<std::string, BatchState> batches_;                   // uid -> state; mu_
  std::map<std::string, std::set<std::string>> holders_;        // "ns/pod" -> batch uids; mu_
  std::map<std::string, std::vector<Incarnation>> pods_;        // "ns/pod" -> history; mu_
  std::map<std::string, std::vector<Retirement>> retirements_;  // "ns/pod"; mu_
  std::vector<Hold> holds_;                                     // mu_
  std::vector<std::string> violations_;                         // found on the fly; mu_
  int64_t records_ = 0;                                         // mu_
};

}  // namespace osbx::crash
