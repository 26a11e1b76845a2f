#pragma once
// SelfWrites: remembers the resourceVersion each of the BatchSandbox reconciler's own metadata
// patches produced, so that the watch event of that very write does not wake the reconciler
// again (invariant 5: the controller's own writes do not wake it needlessly). Without it every
// delivered batch is reconciled a second time by the echo of its allocation patch, and when that
// echo overtakes the status patch's, the stale cached status makes it write the status twice.
//
// Only the echo is skipped: any later change (another writer, the Pool's recycling, a spec edit)
// carries another resourceVersion and wakes the batch as before. An echo that arrives before the
// write's answer is simply not recognised and reconciled as before (correct, just not saved); that
// reconcile then finds its status already written (StatusAlreadyWritten) instead of writing it
// a second time from the stale cache.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "internal/utils/json.h"

namespace osbx::controller {

class SelfWrites {
 public:
  // `written` is the object a patch of ours returned.
  void Record(const Json& written);
  // The cache shows `observed` (call it for every update of the object): true (once) when it is
  // exactly the object one of our patches produced. Whatever the cache has caught up with is
  // forgotten, so nothing is kept per object once its echoes are seen.
  bool Consume(const Json& observed);
  // `written` is the object our status patch of `status` returned.
  void RecordStatus(const Json& written, const Json& status);
  // True when `status` is what our last status patch of `cached` wrote and the cache has not
  // caught up with that write yet (its resourceVersion is older): writing it again would be a
  // duplicate. Resource versions are compared as numbers; anything else never counts as older.
  bool StatusAlreadyWritten(const Json& cached, const Json& status);
  // The object is gone.
  void Forget(std::string_view uid);

 private:
  struct WrittenStatus {
    uint64_t rv = 0;
    size_t hash = 0;  // of the status as written
  };
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> rv_by_uid_;        // guarded by mu_
  std::map<std::string, WrittenStatus, std::less<>> status_by_uid_;  // guarded by mu_
};

}  // namespace osbx::controller
